"""pyredis: Redis 7.0.15 rebuilt in pure Python, one module per Redis source file."""

# The version we report as redis_version: clients (redis-cli's hints, redis-py's
# feature checks) key off it, so it is the Redis release whose behaviour we copy.
REDIS_VERSION = "7.0.15"
__version__ = "0.1.0"

# The modules import each other the way Redis's C files share server.h, so
# they can only be loaded in one order: the server first, the way
# `python -m pyredis` starts. Importing the package does that, so that
# `import pyredis.t_zset` (a test, a REPL) works too. The alternative, every
# cross-module import done inside the function that needs it, costs ~3 us
# per call on the command path. tests/unit/test_imports.py checks that
# every module can be imported first.
from . import server  # noqa: E402,F401
