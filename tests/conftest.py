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


@pytest.fixture(params=["2", "3"], ids=["resp2", "resp3"])
def protocol(request, pair):
    """Run a `pair` test once per protocol: for "3" both connections send
    HELLO 3 first. HELLO's own reply is not compared (its id and version
    fields differ between the servers). Fixtures layered on `pair` (config
    thresholds...) share the same two connections, so they switch too."""
    if request.param == "3":
        for conn in pair:
            conn.call("HELLO", "3")
    return request.param


class WithPushes:
    """A RawConnection whose call() returns a command's reply together with
    the RESP3 pushes around it. Each command is pipelined with a marker
    PING: an invalidation the command causes for its own connection is sent
    after its reply (tracking_pending_keys), so everything read up to the
    marker's reply belongs to the command. Inside MULTI the marker would be
    queued, so commands up to EXEC/DISCARD go alone (EXEC's own reply then
    carries the pushes of the whole transaction)."""

    MARK = b"pyredis-test-sync"
    MARK_REPLY = b"$%d\r\n%s\r\n" % (len(MARK), MARK)

    def __init__(self, conn):
        self.conn = conn
        self.in_multi = False

    def call(self, *args):
        from helpers.servers import encode_command
        name = args[0].upper() if isinstance(args[0], str) else args[0].decode().upper()
        if name in ("EXEC", "DISCARD"):
            self.in_multi = False
        elif self.in_multi or name == "MULTI":
            self.in_multi = True
            return self.conn.call(*args)
        self.conn.send(encode_command(args) + encode_command(("PING", self.MARK)))
        out = []
        while True:
            msg = self.conn.read_reply()
            if msg == self.MARK_REPLY:
                return b"".join(out)
            out.append(msg)

    def close(self):
        self.conn.close()


@pytest.fixture
def protocol_pair(pair, protocol):
    """`pair` in the run's protocol. In the RESP3 run
    both connections also turn CLIENT TRACKING ON, and every reply is compared
    with the invalidation pushes (`>2 invalidate [key]`) it brings: each read
    remembers its keys, so a later write must signal exactly the keys Redis
    signals (signalModifiedKey), no more, no fewer."""
    if protocol == "2":
        return pair
    for conn in pair:
        conn.call("CLIENT", "TRACKING", "ON")
    return tuple(WithPushes(conn) for conn in pair)
