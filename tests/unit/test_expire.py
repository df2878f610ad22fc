"""EXPIRE family and TTL commands compared with real Redis 7.0 (expire.c)."""

import time

import pytest

from helpers.differential import assert_same, script_of

SCRIPTS = {
    "expire_basic": [
        "SET k v", "EXPIRE k 100", "TTL k", "EXPIRE nokey 100", "EXPIRE k", "EXPIRE k abc",
        "EXPIRE k 1.5", "PEXPIRE k 100000", "TTL k", "PERSIST k", "TTL k", "PERSIST k",
        "PERSIST nokey", "TTL nokey", "PTTL nokey", "PTTL k", "EXPIRETIME k",
        "PEXPIRETIME k", "EXPIRETIME nokey", "PEXPIRETIME nokey", "EXPIREAT k 99999999999",
        "EXPIRETIME k", "PEXPIREAT k 99999999999000", "PEXPIRETIME k", "EXPIRETIME k",
        "EXPIRE k 0", "EXISTS k", "SET k v", "EXPIRE k -1", "EXISTS k", "SET k v",
        "EXPIREAT k 1", "EXISTS k", "SET k v", "PEXPIREAT k 0", "EXISTS k",
    ],
    "expire_overflow": [
        "SET k v", "EXPIRE k 9223372036854775807", "EXPIRE k 9223372036854775",
        "EXPIRE k 9223372036854770", "PEXPIRE k 9223372036854775807",
        "EXPIREAT k 9223372036854775807", "PEXPIREAT k 9223372036854775807",
        "EXPIRE k -9223372036854775808", "EXISTS k", "SET k v",
        "PEXPIRE k -9223372036854775808", "EXISTS k", "SET k v",
        "EXPIREAT k 9223372036854775", "EXPIRETIME k", "SET k v",
        "SETEX k 9223372036854775 v", "SET k v EX 9223372036854775", "TTL k",
    ],
    "expire_flags": [
        "SET k v", "EXPIRE k 100 XX", "TTL k", "EXPIRE k 100 NX", "TTL k", "EXPIRE k 200 NX",
        "TTL k", "EXPIRE k 50 GT", "TTL k", "EXPIRE k 200 GT", "TTL k", "EXPIRE k 300 LT",
        "TTL k", "EXPIRE k 50 LT", "TTL k", "EXPIRE k 100 NX XX", "EXPIRE k 100 GT LT",
        "EXPIRE k 100 NX GT", "EXPIRE k 100 XX GT", "TTL k", "EXPIRE k 100 FOO",
        "EXPIRE k 100 nx", "PERSIST k", "EXPIRE k 100 GT", "TTL k", "EXPIRE k 100 LT",
        "TTL k", "PERSIST k", "EXPIRE k 100 XX", "TTL k", "PEXPIRE k 100000 NX",
        "PEXPIREAT k 99999999999000 GT", "EXPIREAT k 99999999998 LT", "EXPIRETIME k",
        "EXPIRE nokey 10 NX", "EXPIRE k 10 XX XX", "EXPIRE k 10 XX NX GT",
    ],
    "touch_ttl": [
        "SET k v EX 100", "GET k", "TTL k", "SET k v2", "TTL k", "SET k v PX 5000",
        "INCR k", "SET n 1", "EXPIRE n 100", "INCR n", "TTL n", "APPEND n 5", "TTL n",
        "GETSET n 7", "TTL n", "SET n 1 EX 100", "RENAME n m", "TTL m",
    ],
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_expire_script(pair, name):
    assert_same(pair, script_of(SCRIPTS[name]))


def _poll_gone(conn, key, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if conn.call("EXISTS", key) == b":0\r\n":
            return True
        time.sleep(0.005)
    return False


def test_expired_keys_vanish(pair):
    ours, theirs = pair
    for conn in pair:
        conn.call("SET", "k", "v", "PX", "1")
        conn.call("SET", "k2", "v")
        conn.call("PEXPIRE", "k2", "1")
    for conn in pair:
        assert _poll_gone(conn, "k")
        assert _poll_gone(conn, "k2")
    assert_same(pair, script_of(["GET k", "TTL k", "PTTL k2", "PERSIST k", "EXPIRE k 1",
                                 "DBSIZE", "GETEX k", "STRLEN k", "APPEND k x", "GET k"]))


def test_active_expire_reclaims_keys(server):
    conn = server.raw()
    try:
        conn.call("SELECT", "5")
        conn.call("FLUSHDB")
        for i in range(200):
            conn.call("SET", "e%d" % i, "v", "PX", "20")
        deadline = time.monotonic() + 5
        while conn.call("DBSIZE") != b":0\r\n" and time.monotonic() < deadline:
            time.sleep(0.05)
        # Nobody touched the keys: only the active cycle could delete them.
        assert conn.call("DBSIZE") == b":0\r\n"
        info = conn.call("INFO", "stats")
        assert b"expired_keys:" in info
        n = int(info.split(b"expired_keys:")[1].split(b"\r\n")[0])
        assert n >= 200
    finally:
        conn.close()


def test_expire_lazy_on_access_counts_miss(pair):
    for conn in pair:
        conn.call("SET", "k", "v", "PX", "1")
        conn.call("SET", "k2", "v", "PX", "1")
        assert _poll_gone(conn, "k")
        # Polling counted hits/misses at its own pace: count from here.
        conn.call("CONFIG", "RESETSTAT")
        conn.call("GET", "k")
        conn.call("GET", "k2")      # expired but not yet deleted on access
    stats = []
    for conn in pair:
        info = conn.call("INFO", "stats").decode()
        fields = dict(line.split(":", 1) for line in info.split("\r\n") if ":" in line)
        stats.append((fields["keyspace_misses"], fields["keyspace_hits"]))
    assert stats[0] == stats[1]


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_expire_script_resp3(pair, name):
    for conn in pair:
        conn.call("HELLO", "3")
    assert_same(pair, script_of(SCRIPTS[name]))
