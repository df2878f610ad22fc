"""Fixtures shared by the in-process unit tests.

``real_redis_client`` starts the system redis-server (the reference we copy) on a
free loopback port so tests can compare our bytes with the real thing.  It is
session-scoped: one server for all comparison tests, stopped by PID at the
end.  Tests that need it are skipped, with the reason, when redis-server or
redis-py is missing.
"""

import shutil
import socket
import subprocess
import time

import pytest


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def real_redis_client(tmp_path_factory):
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.skip("redis-server is not installed: cannot compare with real Redis")
    redis = pytest.importorskip("redis", reason="redis-py is needed to talk to redis-server")
    version = subprocess.run(
        [exe, "--version"], capture_output=True, text=True, check=True).stdout
    if "v=7.0." not in version:
        pytest.skip(f"reference must be Redis 7.0.x, found: {version.strip()}")
    workdir = tmp_path_factory.mktemp("real-redis")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
    try:
        # Poll PING until the server accepts connections; no fixed sleeps.
        deadline = time.monotonic() + 20
        while True:
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                if proc.poll() is not None:
                    pytest.skip("redis-server exited at startup")
                if time.monotonic() > deadline:
                    raise
        yield client
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def r(real_redis_client):
    """The real server with an empty keyspace."""
    real_redis_client.flushall()
    return real_redis_client



class RawRESP:
    """Minimal RESP2 client returning the server's reply bytes untouched
    (redis-py turns ZSCORE and friends into floats, which hides exactly the
    formatting we want to compare).  Errors come back as RawError."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = self.sock.makefile("rb")

    def execute_command(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if isinstance(a, str):
                a = a.encode()
            elif isinstance(a, (int, float)):
                a = repr(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self._read()

    def _read(self):
        line = self.buf.readline()[:-2]
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RawError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.buf.read(n + 2)[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise ValueError(line)

    def close(self):
        self.buf.close()
        self.sock.close()


class RawError(str):
    """An error reply, as its text."""


@pytest.fixture
def raw(r):
    """Same server (emptied), talking raw RESP2 so replies keep their bytes."""
    port = r.connection_pool.connection_kwargs["port"]
    client = RawRESP(port)
    yield client
    client.close()
