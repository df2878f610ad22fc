"""pyredis: Redis 7.0.15 rebuilt in pure Python, one module per Redis source file."""

# The version we report as redis_version: clients (redis-cli's hints, redis-py's
# feature checks) key off it, so it is the Redis release whose behaviour we copy.
REDIS_VERSION = "7.0.15"
__version__ = "0.1.0"
