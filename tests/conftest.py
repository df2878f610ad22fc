"""Shared fixtures: a pyredis server per module, a real redis-server when installed."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from helpers.servers import REDIS_SERVER, Server  # noqa: E402

NO_REDIS = "redis-server is not installed (apt-get install redis-server); comparison skipped"


@pytest.fixture(scope="module")
def server():
    """A pyredis server shared by the tests of one module."""
    s = Server("pyredis")
    yield s
    s.stop()


@pytest.fixture
def fresh_server():
    """A pyredis server for one test only."""
    s = Server("pyredis")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def real_redis():
    """A real redis-server 7.0 to compare with, or skip."""
    if not REDIS_SERVER:
        pytest.skip(NO_REDIS)
    s = Server("redis")
    yield s
    s.stop()


@pytest.fixture
def r(server):
    """A redis-py client on the module's pyredis server, on a flushed db 9."""
    c = server.client(db=9)
    c.flushall()
    yield c
    c.close()


@pytest.fixture
def pair(server, real_redis):
    """Raw connections to pyredis and to real Redis, both flushed, for byte comparisons."""
    a, b = server.raw(), real_redis.raw()
    a.call("FLUSHALL")
    b.call("FLUSHALL")
    yield a, b
    a.close()
    b.close()
