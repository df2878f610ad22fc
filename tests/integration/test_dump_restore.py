"""DUMP and RESTORE (after tests/unit/dump.tcl): payloads cross between pyredis and real Redis."""

import time

import pytest
from helpers.servers import REDIS_SERVER, Server
from rdb_helpers import build_full_dataset

DEBUG = ["--enable-debug-command", "yes"]


@pytest.fixture(scope="module")
def ours():
    s = Server("pyredis", args=DEBUG)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def real():
    if not REDIS_SERVER:
        pytest.skip("redis-server is not installed")
    s = Server("redis", args=DEBUG)
    yield s
    s.stop()


@pytest.fixture
def c(ours):
    cl = ours.client()
    cl.flushall()
    yield cl
    cl.close()


def test_real_payloads_restore_here_and_dump_back_identically(c, real):
    """Every key of the full dataset: RESTORE Redis's payload, compare the
    per-value digest, and DUMP it back: identical bytes except for hash
    tables (HT sets and hashes), whose element order is Redis's table order."""
    rc = real.client()
    build_full_dataset(rc)
    for key in rc.keys("*"):
        payload = rc.dump(key)
        at = rc.execute_command("PEXPIRETIME", key)
        assert c.execute_command("RESTORE", key, max(at, 0), payload, "ABSTTL") == b"OK"
        assert c.execute_command("DEBUG", "DIGEST-VALUE", key) == \
            rc.execute_command("DEBUG", "DIGEST-VALUE", key), key
        assert c.object("encoding", key) == rc.object("encoding", key), key
        ours_payload = c.dump(key)
        if rc.object("encoding", key) != b"hashtable":
            assert ours_payload == payload, key
        # Whatever the order, Redis accepts ours and gets the same value.
        rc.execute_command("RESTORE", b"copy:" + key, max(at, 0), ours_payload, "ABSTTL")
        assert rc.execute_command("DEBUG", "DIGEST-VALUE", b"copy:" + key) == \
            rc.execute_command("DEBUG", "DIGEST-VALUE", key), key
        rc.delete(b"copy:" + key)


def test_dump_payload_layout(c):
    c.set("k", "hello")
    p = c.dump("k")
    assert p[:7] == b"\x00\x05hello"        # type string, length 5, bytes
    assert p[7:9] == b"\x0a\x00"             # RDB version 10, little endian
    assert len(p) == 17                       # + 8 bytes of CRC64
    assert c.dump("missing") is None


def test_restore_errors(c):
    c.set("k", "v")
    p = c.dump("k")
    with pytest.raises(Exception, match="BUSYKEY Target key name already exists."):
        c.restore("k", 0, p)
    with pytest.raises(Exception, match="DUMP payload version or checksum are wrong"):
        c.restore("x", 0, p[:-1] + bytes([p[-1] ^ 1]))
    with pytest.raises(Exception, match="DUMP payload version or checksum are wrong"):
        c.restore("x", 0, b"short")
    newer = bytearray(p)
    newer[-10] = 11                           # RDB version 11: from the future
    with pytest.raises(Exception, match="DUMP payload version or checksum are wrong"):
        c.restore("x", 0, bytes(newer))
    with pytest.raises(Exception, match="Invalid TTL value, must be >= 0"):
        c.restore("x", -1, p)
    with pytest.raises(Exception, match="syntax error"):
        c.execute_command("RESTORE", "x", 0, p, "BOGUS")
    with pytest.raises(Exception, match="Invalid IDLETIME value"):
        c.execute_command("RESTORE", "x", 0, p, "IDLETIME", -1)
    with pytest.raises(Exception, match="Invalid FREQ value"):
        c.execute_command("RESTORE", "x", 0, p, "FREQ", 256)
    # A payload whose checksum is right but whose body is not an RDB value.
    from pyredis.crc64 import crc64
    body = b"\x00\xff\x0a\x00"                 # string of length 63 bytes missing
    bad = body + crc64(0, body).to_bytes(8, "little")
    with pytest.raises(Exception, match="^Bad data format$"):
        c.restore("x", 0, bad)
    assert c.exists("x") == 0


def test_restore_options(c):
    c.set("k", "v")
    p = c.dump("k")
    assert c.execute_command("RESTORE", "k", 0, p, "REPLACE") == b"OK"
    assert c.restore("t", 5000, p)
    assert 4000 < c.pttl("t") <= 5000
    at = int(time.time() * 1000) + 100000
    assert c.execute_command("RESTORE", "a", at, p, "ABSTTL") == b"OK"
    assert c.execute_command("PEXPIRETIME", "a") == at
    # An absolute time in the past: the key is not created (a master deletes it at once).
    assert c.execute_command("RESTORE", "past", 1, p, "ABSTTL") == b"OK"
    assert c.exists("past") == 0
    assert c.execute_command("RESTORE", "idle", 0, p, "IDLETIME", 1000) == b"OK"
    assert c.object("idletime", "idle") >= 1000
    c.config_set("maxmemory-policy", "allkeys-lfu")
    try:
        assert c.execute_command("RESTORE", "freq", 0, p, "FREQ", 100) == b"OK"
        assert c.object("freq", "freq") == 100
    finally:
        c.config_set("maxmemory-policy", "noeviction")


def test_plain_quicklist_nodes_follow_debug_threshold(c, real):
    """DEBUG QUICKLIST-PACKED-THRESHOLD makes big elements plain nodes
    (container 1) of their own; the DUMP of such a list equals Redis's."""
    rc = real.client()
    rc.flushall()
    try:
        for cl in (c, rc):
            assert cl.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100") == b"OK"
            cl.rpush("l", "a", b"x" * 200, "b", "c", b"y" * 150)
        payload = rc.dump("l")
        assert c.dump("l") == payload
        assert payload[1] == 4      # four nodes: [a], x*200, [b c], y*150
    finally:
        for cl in (c, rc):
            cl.execute_command("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824")
            cl.delete("l")


def test_negative_zero_score_becomes_zero_in_a_listpack(c, real):
    """A skiplist zset holding -0, reloaded small enough for a listpack, is
    converted as Redis converts it: the score reads back as 0."""
    rc = real.client()
    rc.flushall()
    replies = []
    for cl in (c, rc):
        cl.config_set("zset-max-listpack-entries", 1)
        cl.zadd("n", {"a": 1, "b": "-0"})
        # repr tells -0.0 from 0.0, which compare equal
        before = repr(cl.zscore("n", "b")), cl.object("encoding", "n")
        cl.config_set("zset-max-listpack-entries", 128)
        payload = cl.dump("n")
        cl.execute_command("RESTORE", "n2", 0, payload)
        after = repr(cl.zscore("n2", "b")), cl.object("encoding", "n2")
        cl.execute_command("DEBUG", "RELOAD")
        reloaded = repr(cl.zscore("n", "b")), cl.object("encoding", "n")
        replies.append((before, after, reloaded))
        cl.delete("n", "n2")
    assert replies[0] == replies[1]
    assert replies[0][0] == ("-0.0", b"skiplist")
    assert replies[0][2] == ("0.0", b"listpack")
