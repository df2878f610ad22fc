"""PFADD / PFCOUNT / PFMERGE / PFDEBUG / PFSELFTEST against real Redis, byte for byte.

An HLL is a string, so after every change we also compare GET: the stored
bytes (header, cached cardinality, sparse opcodes or dense registers) must
be exactly Redis's. Themes follow Redis's hyperloglog.tcl, written anew.
"""

import random

import pytest
import redis
from helpers.differential import assert_same


def elements(rnd, n, tag=""):
    return [f"{tag}{rnd.randrange(10 ** 9)}" for _ in range(n)]


def test_pfadd_basics(pair):
    assert_same(pair, [
        ("PFADD", "hll"), ("GET", "hll"), ("PFCOUNT", "hll"), ("GET", "hll"),
        ("OBJECT", "ENCODING", "hll"), ("TYPE", "hll"),
        ("PFADD", "hll", "a", "b", "c"), ("GET", "hll"), ("PFADD", "hll", "a", "b"),
        ("PFADD", "hll", ""), ("GET", "hll"), ("PFCOUNT", "hll"), ("GET", "hll"),
        ("PFCOUNT", "hll"), ("PFADD", "hll"), ("PFCOUNT", "nokey"), ("EXISTS", "nokey"),
        ("PFDEBUG", "ENCODING", "hll"), ("PFDEBUG", "DECODE", "hll"),
        ("PFADD",), ("PFCOUNT",), ("PFMERGE",),
    ])


def test_sparse_growth_and_promotion_bytes(pair):
    """Adds in batches cross every sparse opcode shape and the promotion to dense."""
    rnd = random.Random(1)
    script = []
    for batch in (1, 2, 5, 10, 30, 100, 300, 1000, 3000):
        script.append(("PFADD", "h", *elements(rnd, batch)))
        script += [("GET", "h"), ("PFCOUNT", "h"), ("PFDEBUG", "ENCODING", "h")]
    assert_same(pair, script)


def test_sparse_max_bytes_config(pair):
    rnd = random.Random(2)
    els = elements(rnd, 400)
    assert_same(pair, [
        ("CONFIG", "SET", "hll-sparse-max-bytes", "200"),
        ("PFADD", "small", *els[:30]), ("PFDEBUG", "ENCODING", "small"),
        ("PFADD", "small", *els[30:]), ("PFDEBUG", "ENCODING", "small"), ("GET", "small"),
        ("CONFIG", "SET", "hll-sparse-max-bytes", "3000"),
    ])


def test_pfcount_union_and_pfmerge(pair):
    rnd = random.Random(3)
    a, b, c = elements(rnd, 50, "a"), elements(rnd, 500, "b"), elements(rnd, 5000, "c")
    assert_same(pair, [
        ("PFADD", "s1", *a), ("PFADD", "s2", *b), ("PFADD", "d1", *c),
        ("PFCOUNT", "s1", "s2"), ("PFCOUNT", "s1", "s2", "d1", "missing"),
        ("PFCOUNT", "missing", "missing2"),
        ("PFMERGE", "m1", "s1", "s2"), ("GET", "m1"), ("PFCOUNT", "m1"),
        ("PFMERGE", "m2", "s1", "d1"), ("GET", "m2"), ("PFCOUNT", "m2"),
        ("PFMERGE", "s1", "s2"), ("GET", "s1"), ("PFCOUNT", "s1"),
        ("PFMERGE", "m3"), ("GET", "m3"), ("PFMERGE", "m4", "missing"), ("GET", "m4"),
        ("PFMERGE", "m1", "d1"), ("GET", "m1"), ("PFDEBUG", "ENCODING", "m1"),
        ("PFCOUNT", "m1"),
    ])


def test_pfdebug(pair):
    assert_same(pair, [
        ("PFADD", "h", "x", "y", "z"), ("PFDEBUG", "DECODE", "h"), ("PFDEBUG", "GETREG", "h"),
        ("PFDEBUG", "ENCODING", "h"), ("GET", "h"),
        ("PFADD", "h2", "x"), ("PFDEBUG", "TODENSE", "h2"), ("PFDEBUG", "TODENSE", "h2"),
        ("GET", "h2"), ("PFDEBUG", "DECODE", "h2"), ("PFDEBUG", "ENCODING", "h2"),
        ("PFDEBUG", "GETREG", "nokey"), ("PFDEBUG", "FOO", "h"), ("PFDEBUG", "FOO", "nokey"),
        ("PFDEBUG", "GETREG", "h", "extra"), ("PFDEBUG", "encoding", "h", "x", "y"),
        ("SET", "str", "hello"), ("PFDEBUG", "GETREG", "str"), ("PFDEBUG", "GETREG"),
    ])


def test_type_checks_and_corruption(pair):
    assert_same(pair, [
        ("SET", "str", "hello world, not an hll"), ("PFADD", "str", "a"),
        ("PFCOUNT", "str"), ("PFCOUNT", "str", "other"), ("PFMERGE", "dst", "str"),
        ("EXISTS", "dst"), ("PFMERGE", "str", "nothing"),
        ("SET", "int", "123"), ("PFADD", "int", "a"), ("PFCOUNT", "int"),
        ("GEOADD", "z", 1, 1, "m"), ("PFADD", "z", "a"), ("PFCOUNT", "z"),
        ("PFCOUNT", "z", "str"), ("PFMERGE", "z", "nothing"), ("PFMERGE", "x", "z"),
        # Extra bytes at the tail of a sparse HLL.
        ("PFADD", "t", "a", "b", "c"), ("APPEND", "t", "hello"), ("PFCOUNT", "t"),
        ("PFADD", "t", "q"), ("PFCOUNT", "t", "t"), ("PFMERGE", "t2", "t"),
        # Broken magic, unknown encoding, dense with the wrong length.
        ("PFADD", "m", "a"), ("SETRANGE", "m", 0, "0123"), ("PFCOUNT", "m"),
        ("PFADD", "e", "a"), ("SETRANGE", "e", 4, "x"), ("PFCOUNT", "e"),
        ("PFADD", "d", "a"), ("SETRANGE", "d", 4, b"\x00"), ("PFCOUNT", "d"),
        ("PFADD", "d", "b"),
    ])


def test_restored_hll_value_becomes_raw(pair):
    """A short HLL written back with SET is embstr; the PF commands turn it raw in place."""
    a, b = pair
    a.call("PFADD", "src", "a")
    blob = b.call("PFADD", "src", "a") and b.call("GET", "src")
    value = blob.split(b"\r\n", 1)[1][:-2]
    assert_same(pair, [
        ("SET", "copy", value), ("OBJECT", "ENCODING", "copy"), ("PFCOUNT", "copy"),
        ("OBJECT", "ENCODING", "copy"), ("SET", "copy2", value), ("PFADD", "copy2", "b"),
        ("GET", "copy2"), ("OBJECT", "ENCODING", "copy2"),
    ])


def test_cache_invalidation(pair):
    assert_same(pair, [
        ("PFADD", "h", "a", "b", "c"), ("PFCOUNT", "h"), ("GETRANGE", "h", 15, 15),
        ("PFADD", "h", "a", "b", "c"), ("GETRANGE", "h", 15, 15),
        ("PFADD", "h", "a", "b", "c", "d"), ("GETRANGE", "h", 15, 15), ("PFCOUNT", "h"),
        ("GETRANGE", "h", 8, 15),
    ])


def test_random_corruption_never_breaks_the_server(pair):
    """Redis's fuzz: corrupt random bytes of HLLs; replies (errors or counts) must match."""
    rnd = random.Random(4)
    script = []
    for _ in range(15):
        script.append(("DEL", "hll"))
        script.append(("PFADD", "hll", *elements(rnd, rnd.randrange(1, 1000))))
        for _ in range(5):
            script.append(("SETRANGE", "hll", rnd.randrange(16, 200),
                           bytes((rnd.randrange(256),))))
            if rnd.random() < 0.5:
                break
        script += [("PFCOUNT", "hll"), ("PFADD", "hll", "x1", "x2", "x3"),
                   ("PFCOUNT", "hll", "nokey"), ("PFMERGE", "out", "hll"), ("GET", "hll")]
    assert_same(pair, script)


def test_sparse_and_dense_agree(r):
    """The same elements in a sparse and a forced-dense HLL give the same count."""
    rnd = random.Random(5)
    for _ in range(20):
        els = elements(rnd, rnd.randrange(100))
        r.delete("h1", "h2")
        r.pfadd("h2")
        r.execute_command("PFDEBUG", "TODENSE", "h2")
        if els:
            r.pfadd("h1", *els)
            r.pfadd("h2", *els)
        assert r.execute_command("PFDEBUG", "ENCODING", "h2") == b"dense"
        assert r.pfcount("h1") == r.pfcount("h2")


def test_pfselftest(r):
    assert r.execute_command("PFSELFTEST") == b"OK"


def test_pfadd_keyspace_event(server):
    c = server.client()
    try:
        c.execute_command("PUBSUB", "NUMPAT")
    except redis.ResponseError as e:
        c.close()
        pytest.skip(f"pub/sub not available yet: {e}")
    p = c.pubsub()
    try:
        c.config_set("notify-keyspace-events", "E$")
        p.psubscribe("__keyevent@0__:*")
        p.get_message(timeout=2)
        c.pfadd("h", "a")
        c.pfadd("h", "a")        # unchanged: no event
        c.pfmerge("h2", "h")
        got = []
        while len(got) < 2:
            m = p.get_message(timeout=2)
            assert m is not None, got
            got.append((m["channel"], m["data"]))
        assert got == [(b"__keyevent@0__:pfadd", b"h"), (b"__keyevent@0__:pfadd", b"h2")]
    finally:
        c.config_set("notify-keyspace-events", "")
        p.close()
        c.close()
