"""PFADD / PFCOUNT / PFMERGE / PFDEBUG / PFSELFTEST against real Redis, byte for byte.

An HLL is a string, so after every change we also compare GET: the stored
bytes (header, cached cardinality, sparse opcodes or dense registers) must
be exactly Redis's. Themes follow Redis's hyperloglog.tcl, written anew.
"""

import os
import random

import pytest
from helpers.differential import assert_same, compare_script
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


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


def test_every_command(protocol_pair):
    """Every HyperLogLog command, in RESP2 and after HELLO 3 (replies are
    integers, statuses, bulk strings, an array of integers and errors, so
    the two protocols agree; this checks nothing turns into a RESP3 type).
    PFSELFTEST is left to test_pfselftest: it takes seconds here."""
    pair = protocol_pair
    assert_same(pair, [
        ("PFADD", "h", "a", "b", "c"), ("PFADD", "h", "a"), ("PFADD", "h"), ("PFADD", "new"),
        ("PFCOUNT", "h"), ("PFCOUNT", "nokey"), ("PFCOUNT", "h", "new", "nokey"),
        ("PFMERGE", "m", "h", "nokey"), ("GET", "m"), ("PFMERGE", "m2"), ("PFCOUNT", "m2"),
        ("PFDEBUG", "ENCODING", "h"), ("PFDEBUG", "DECODE", "h"), ("PFDEBUG", "TODENSE", "m"),
        ("PFDEBUG", "ENCODING", "m"), ("PFDEBUG", "DECODE", "m"), ("PFDEBUG", "TODENSE", "m"),
        ("PFDEBUG", "GETREG", "h"), ("PFDEBUG", "GETREG", "nokey"), ("PFDEBUG", "FOO", "h"),
        ("SET", "str", "not an hll"), ("PFADD", "str", "a"), ("PFCOUNT", "str"),
        ("PFMERGE", "str", "h"), ("PFMERGE", "d", "str"), ("PFDEBUG", "GETREG", "str"),
        ("GEOADD", "z", 1, 1, "m"), ("PFADD", "z", "a"), ("PFCOUNT", "h", "z"),
        ("PFSELFTEST", "x"),
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


# ---------------------------------------------------------------------------
# Property test: random PFADD / PFCOUNT / PFMERGE sequences on both servers
# ---------------------------------------------------------------------------
# Each example picks an hll-sparse-max-bytes (0 makes the first add that
# grows the sparse form promote it), so sequences cross the sparse->dense
# promotion with a few hundred elements. GET after the fact compares the raw
# strings: header, cached cardinality, opcodes, registers.
# Each runs twice (`protocol_pair`): in RESP2, and in RESP3 with client-side
# caching on, so replies are compared with the invalidation pushes they bring.
_EXAMPLES = int(os.environ.get("PYREDIS_HYPOTHESIS_EXAMPLES", "50"))
_hkey = st.sampled_from(["h1", "h1", "h2", "h3"])
_element = st.one_of(st.sampled_from(["a", "b", "c", "", "foo", "0", "-1"]),
                     st.binary(min_size=1, max_size=6))
# A batch of generated elements: a tag (so batches overlap or not) and a count.
_batch = st.tuples(st.sampled_from(["x", "y"]), st.integers(0, 300), st.integers(1, 400)).map(
    lambda t: ["%s%d" % (t[0], i) for i in range(t[1], t[1] + t[2])])
_hll_main = st.one_of(
    st.tuples(_hkey, st.lists(_element, max_size=5)).map(lambda t: ("PFADD", t[0], *t[1])),
    st.tuples(_hkey, _batch).map(lambda t: ("PFADD", t[0], *t[1])),
    _hkey.map(lambda k: ("PFCOUNT", k)),
    st.lists(st.sampled_from(["h1", "h2", "h3", "nokey"]), min_size=2, max_size=3).map(
        lambda ks: ("PFCOUNT", *ks)),
    st.tuples(_hkey, st.lists(st.sampled_from(["h1", "h2", "h3", "nokey"]), max_size=3)).map(
        lambda t: ("PFMERGE", t[0], *t[1])),
    _hkey.map(lambda k: ("GET", k)),
)
# Rarely (the key stays unusable until the next example), a plain string
# where an HLL is expected. The trigger is a middle value: Hypothesis favours
# the ends of a range, and shrinks to 0.
_hll_ops = st.tuples(st.integers(0, 39), _hll_main,
                     st.tuples(st.just("SET"), _hkey, st.sampled_from(["not an hll", "HYLL"]))
                     ).map(lambda t: t[2] if t[0] == 20 else t[1])


def _describe(mismatch):
    """A mismatch, with long replies (dense HLLs are 12 KB) cut to the first
    differing byte and a little context."""
    cmd, ours, theirs = mismatch
    if max(len(ours), len(theirs)) > 200:
        at = next((i for i, (x, y) in enumerate(zip(ours, theirs)) if x != y),
                  min(len(ours), len(theirs)))
        lo = max(0, at - 20)
        return "%r: lengths %d/%d, first difference at byte %d:\n  pyredis: %r\n  redis:   %r" % (
            cmd[:4], len(ours), len(theirs), at, ours[lo:at + 40], theirs[lo:at + 40])
    return "%r:\n  pyredis: %r\n  redis:   %r" % mismatch


_HLL_FINAL = [c for k in ("h1", "h2", "h3") for c in (("GET", k), ("PFCOUNT", k), ("GET", k))]


@pytest.fixture
def restore_sparse_max_bytes(pair):
    yield pair
    for conn in pair:
        conn.call("CONFIG", "SET", "hll-sparse-max-bytes", "3000")


@settings(max_examples=_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["3000", "300", "60", "0"]),
       st.lists(st.one_of(st.just([]), _batch), min_size=3, max_size=3),
       st.lists(_hll_ops, min_size=1, max_size=20))
def test_random_sequences_match_redis(restore_sparse_max_bytes, protocol_pair, sparse_max, seed, ops):
    pair = protocol_pair
    for conn in pair:
        conn.call("DEL", "h1", "h2", "h3")
        conn.call("CONFIG", "SET", "hll-sparse-max-bytes", sparse_max)
    # Each sequence starts from up to three HLLs of generated elements.
    start = [("PFADD", k, *els) for k, els in zip(("h1", "h2", "h3"), seed) if els]
    mismatches = compare_script(pair, start + ops + _HLL_FINAL)
    assert not mismatches, "\n".join(map(_describe, mismatches))
