"""Helpers for codec tests that compare against a real redis-server.

Only what the codec tests need: start/stop a throwaway server, and split a
DUMP payload into its RDB object bytes (the full RDB loader lives elsewhere).
"""

import shutil
import socket
import subprocess
import tempfile
import time

import pytest

REDIS_SERVER = shutil.which("redis-server")

needs_redis = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server not on PATH: cannot compare with real Redis")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_redis():
    """Start redis-server on a free loopback port; return (proc, client, tmpdir)."""
    redis = pytest.importorskip("redis")
    tmpdir = tempfile.TemporaryDirectory(prefix="pyredis-codec-")
    port = _free_port()
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", tmpdir.name],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            if client.ping():
                break
        except redis.exceptions.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            tmpdir.cleanup()
            pytest.skip("could not start redis-server")
    return proc, client, tmpdir


def stop_redis(proc, client, tmpdir):
    client.close()
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    tmpdir.cleanup()


def rdb_load_len(buf, p):
    """RDB length at p: returns (value, is_encoded, new_p) (rdbLoadLenByRef)."""
    b = buf[p]
    kind = b >> 6
    if kind == 0:
        return b & 0x3F, False, p + 1
    if kind == 1:
        return ((b & 0x3F) << 8) | buf[p + 1], False, p + 2
    if kind == 3:
        return b & 0x3F, True, p + 1
    if b == 0x80:
        return int.from_bytes(buf[p + 1:p + 5], "big"), False, p + 5
    if b == 0x81:
        return int.from_bytes(buf[p + 1:p + 9], "big"), False, p + 9
    raise ValueError("bad RDB length")


def rdb_load_string_raw(buf, p):
    """Read an RDB string at p: (kind, payload, new_p).

    kind is "raw" (payload = bytes), "int" (payload = int) or "lzf"
    (payload = (compressed bytes, uncompressed length)).
    """
    n, encoded, p = rdb_load_len(buf, p)
    if not encoded:
        return "raw", buf[p:p + n], p + n
    if n in (0, 1, 2):
        size = 1 << n
        return "int", int.from_bytes(buf[p:p + size], "little", signed=True), p + size
    if n == 3:
        clen, _, p = rdb_load_len(buf, p)
        ulen, _, p = rdb_load_len(buf, p)
        return "lzf", (buf[p:p + clen], ulen), p + clen
    raise ValueError("bad RDB string encoding")


def split_dump(payload):
    """(type byte, object bytes, rdb version, crc) of a DUMP payload."""
    return (payload[0], payload[1:-10],
            int.from_bytes(payload[-10:-8], "little"),
            int.from_bytes(payload[-8:], "little"))


def make_dump(rdb_type, body, version, crc64):
    """Build a DUMP/RESTORE payload around *body* with a correct checksum."""
    data = bytes((rdb_type,)) + body + version.to_bytes(2, "little")
    return data + crc64(0, data).to_bytes(8, "little")


def rdb_raw_string(data):
    """Uncompressed RDB string encoding of *data*."""
    n = len(data)
    if n < 64:
        head = bytes((n,))
    elif n < 16384:
        head = bytes((0x40 | (n >> 8), n & 0xFF))
    else:
        head = b"\x80" + n.to_bytes(4, "big")
    return head + data
