"""Hash commands compared byte for byte with a real Redis 7.0.

Listpack-encoded hashes reply in insertion order, which pyredis reproduces,
so those replies are compared exactly. Hashtable-encoded hashes reply in
Redis's hash order: those replies are compared as multisets of fields or
field/value pairs. Cases follow the ideas of Redis's tests/unit/type/hash.tcl
in our own code: conversions at both thresholds, HINCRBY overflow,
HINCRBYFLOAT precision and refusals, HRANDFIELD's four cases and RESP3 pairs.
"""

import os

import pytest
from helpers.differential import assert_same, compare_script, keyevent_stream
from helpers.inprocess import run_commands
from helpers.resp import assert_same_unordered, parse, shape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def script(text):
    return [line.split() for line in text.strip().splitlines() if line.strip()]


def both(pair, *args):
    a, b = pair
    x, y = a.call(*args), b.call(*args)
    assert x == y, f"{args!r}:\n  pyredis: {x!r}\n  redis:   {y!r}"
    return x


@pytest.fixture
def thresholds(pair):
    """Small listpack limits on both servers; defaults restored afterwards."""
    for conn in pair:
        conn.call("CONFIG", "SET", "hash-max-listpack-entries", "4")
        conn.call("CONFIG", "SET", "hash-max-listpack-value", "8")
    yield pair
    for conn in pair:
        conn.call("CONFIG", "SET", "hash-max-listpack-entries", "512")
        conn.call("CONFIG", "SET", "hash-max-listpack-value", "64")


def test_basic_commands(pair):
    assert_same(pair, script("""
        HSET h f1 v1 f2 v2
        HSET h f1 new f3 v3
        HSETNX h f1 x
        HSETNX h f4 v4
        HMSET h f5 v5 f6 v6
        HGET h f1
        HGET h nosuch
        HGET nokey f
        HMGET h f1 nosuch f2
        HMGET nokey a b
        HLEN h
        HLEN nokey
        HSTRLEN h f1
        HSTRLEN h nosuch
        HSTRLEN nokey f
        HEXISTS h f1
        HEXISTS h nosuch
        HEXISTS nokey f
        HGETALL h
        HKEYS h
        HVALS h
        HDEL h f1 nosuch f2
        HGETALL h
        HDEL h f3 f4 f5 f6
        EXISTS h
        HDEL nokey f
        HGETALL nokey
        HKEYS nokey
        HVALS nokey
        HSET h a
        HMSET h a b c
        HSET h
        HSETNX h a
        HSET h a 1
        HSET h a 2
        HSET h b 3 b 4
        HGETALL h
        OBJECT ENCODING h
        TYPE h
    """))


def test_resp3_replies(pair):
    for conn in pair:
        conn.call("HELLO", "3")
    assert_same(pair, script("""
        HSET h a 1 b 2
        HGETALL h
        HGETALL nokey
        HKEYS nokey
        HGET nokey x
        HMGET h a x
        HRANDFIELD nokey
        HRANDFIELD nokey 5
        HRANDFIELD nokey 5 WITHVALUES
        HRANDFIELD h 5 WITHVALUES
        HRANDFIELD h 0 WITHVALUES
        HSCAN h 0
        HSCAN nokey 0
    """))


def test_every_command(protocol_pair):
    """Every hash command, in RESP2 and after HELLO 3: HGETALL becomes a map,
    HRANDFIELD WITHVALUES a list of pairs, HGET/HMGET misses `_`;
    HINCRBYFLOAT stays a bulk string. The hash is a listpack (insertion
    order), so whole-hash replies compare exactly; a positive HRANDFIELD
    count past the size, or a one-field hash, makes its reply deterministic."""
    pair = protocol_pair
    assert_same(pair, script("""
        HSET h a 1 b 2
        HSET h b 3 c x
        HSET h a
        HSETNX h a 9
        HSETNX h d 4
        HSETNX nokey2 f v
        HMSET h e 5 f 1.5
        HMSET h e
        HGET h a
        HGET h nosuch
        HGET nokey a
        HMGET h a nosuch b
        HMGET nokey a b
        HEXISTS h a
        HEXISTS h nosuch
        HEXISTS nokey a
        HLEN h
        HLEN nokey
        HSTRLEN h c
        HSTRLEN h nosuch
        HSTRLEN nokey a
        HINCRBY h a 10
        HINCRBY h new -3
        HINCRBY h c 1
        HINCRBY h a x
        HINCRBY h a 9223372036854775807
        HINCRBY nokey3 a 1
        HINCRBYFLOAT h f 0.25
        HINCRBYFLOAT h b 1e3
        HINCRBYFLOAT h c 1
        HINCRBYFLOAT h f x
        HINCRBYFLOAT h f inf
        HINCRBYFLOAT nokey4 a -1.5
        HGETALL h
        HGETALL nokey
        HKEYS h
        HKEYS nokey
        HVALS h
        HVALS nokey
        HRANDFIELD h 100
        HRANDFIELD h 100 WITHVALUES
        HRANDFIELD h 0
        HRANDFIELD h 0 WITHVALUES
        HRANDFIELD h x
        HRANDFIELD h 1 foo
        HRANDFIELD nokey
        HRANDFIELD nokey 3
        HRANDFIELD nokey -3 WITHVALUES
        HSET one f v
        HRANDFIELD one
        HRANDFIELD one 1 WITHVALUES
        HRANDFIELD one -3 WITHVALUES
        HRANDFIELD one -2
        HSCAN h 0
        HSCAN h 0 MATCH a* COUNT 100
        HSCAN h x
        HSCAN nokey 0
        HDEL h a nosuch b
        HDEL nokey a
        HDEL one f
        EXISTS one
        HGETALL h
        SET s x
        HSET s a 1
        HGET s a
        HGETALL s
        HRANDFIELD s 2 WITHVALUES
        HINCRBYFLOAT s a 1
        HSCAN s 0
    """))


def test_wrongtype(pair):
    both(pair, "SET", "s", "x")
    assert_same(pair, script("""
        HSET s a b
        HSETNX s a b
        HMSET s a b
        HGET s a
        HMGET s a
        HDEL s a
        HLEN s
        HSTRLEN s a
        HEXISTS s a
        HKEYS s
        HVALS s
        HGETALL s
        HINCRBY s a 1
        HINCRBYFLOAT s a 1
        HRANDFIELD s
        HRANDFIELD s 2
        HSCAN s 0
    """))


def test_hincrby(pair):
    assert_same(pair, script("""
        HINCRBY h f 5
        HINCRBY h f -10
        HINCRBY h f 0
        HSET h big 9223372036854775807 small -9223372036854775808 str abc fl 1.5 sp " 1"
        HINCRBY h big 1
        HINCRBY h big 0
        HINCRBY h small -1
        HINCRBY h small 9223372036854775807
        HINCRBY h str 1
        HINCRBY h fl 1
        HINCRBY h f x
        HINCRBY h f 9223372036854775808
        HINCRBY h f 1.0
        HSET h lz 01 neg0 -0
        HINCRBY h lz 1
        HINCRBY h neg0 1
        HGETALL h
        OBJECT ENCODING h
    """))


def test_hincrbyfloat(pair):
    assert_same(pair, script("""
        HINCRBYFLOAT h f 10.5
        HINCRBYFLOAT h f 0.1
        HINCRBYFLOAT h f -0.6
        HINCRBYFLOAT h f 3.0e3
        HINCRBYFLOAT h f 1e-5
        HINCRBYFLOAT h g 5
        HINCRBYFLOAT h g -5
        HSET h int 17179869184 str abc inf inf big 1e4900
        HINCRBYFLOAT h int 1.5
        HINCRBYFLOAT h str 1
        HINCRBYFLOAT h inf 1
        HINCRBYFLOAT h big 1
        HINCRBYFLOAT h f inf
        HINCRBYFLOAT h f -inf
        HINCRBYFLOAT h f nan
        HINCRBYFLOAT h f abc
        HINCRBYFLOAT h f 1e5000
        HINCRBYFLOAT h f 0x10
        HINCRBYFLOAT h f " 1"
        HINCRBYFLOAT h h 1.1
        HINCRBYFLOAT h h 2.2
        OBJECT ENCODING h
    """))
    # The 4901-digit value made it a hashtable: compare the pairs as a set.
    assert_same_unordered(pair, [("HGETALL", "h")], pairs=True)


def test_listpack_to_hashtable_by_entries(pair, thresholds):
    assert_same(pair, script("""
        HSET h a 1 b 2 c 3 d 4
        OBJECT ENCODING h
        HSET h d 5
        OBJECT ENCODING h
        HSET h e 5
        OBJECT ENCODING h
        HDEL h a b c d
        OBJECT ENCODING h
        HSETNX n a 1
        HSETNX n b 1
        HSETNX n c 1
        HSETNX n d 1
        HSETNX n e 1
        OBJECT ENCODING n
        HINCRBY i a 1
        HINCRBY i b 1
        HINCRBY i c 1
        HINCRBY i d 1
        OBJECT ENCODING i
        HINCRBYFLOAT i e 1
        OBJECT ENCODING i
        HSET m a 1 b 2 c 3 d 4 e 5
        OBJECT ENCODING m
    """))
    assert_same_unordered(pair, [("HGETALL", "h"), ("HGETALL", "m")], pairs=True)
    assert_same_unordered(pair, [("HKEYS", "m"), ("HVALS", "m")])


def test_listpack_to_hashtable_by_length(pair, thresholds):
    assert_same(pair, script("""
        HSET v a 12345678
        OBJECT ENCODING v
        HSET v b 123456789
        OBJECT ENCODING v
        HSET f 123456789 x
        OBJECT ENCODING f
        HSETNX n a 123456789
        OBJECT ENCODING n
        HSETNX n2 123456789 a
        OBJECT ENCODING n2
        HSET i a 1
        HINCRBY i 123456789 1
        OBJECT ENCODING i
        HSET j a 1
        HINCRBY j a 99999999
        OBJECT ENCODING j
        HINCRBY j a 1
        OBJECT ENCODING j
        HSET k a 1
        HINCRBYFLOAT k a 0.0000001
        OBJECT ENCODING k
        HSET lp a 1
        HSETNX lp a 123456789
        OBJECT ENCODING lp
    """))


def test_config_set_thresholds_apply_to_new_writes(pair):
    assert_same(pair, script("""
        HSET h a 1 b 2 c 3
        OBJECT ENCODING h
        CONFIG SET hash-max-listpack-entries 2
        OBJECT ENCODING h
        HSET h a 5
        OBJECT ENCODING h
        CONFIG SET hash-max-listpack-entries 512
        HSET z a 1
        CONFIG SET hash-max-listpack-value 0
        HSET z a 1
        OBJECT ENCODING z
        HSET y a ""
        OBJECT ENCODING y
        CONFIG SET hash-max-listpack-value 64
    """))


def test_big_hash_is_hashtable_and_replies_match_as_sets(pair):
    args = ["HSET", "big"]
    for i in range(600):
        args += [f"field:{i}", f"value:{i}"]
    both(pair, *args)
    assert_same(pair, script("""
        OBJECT ENCODING big
        HLEN big
        HGET big field:599
        HMGET big field:0 field:1000
        HSTRLEN big field:10
        HDEL big field:0 field:1
        HLEN big
    """))
    assert_same_unordered(pair, [("HGETALL", "big")], pairs=True)
    assert_same_unordered(pair, [("HKEYS", "big"), ("HVALS", "big")])
    for conn in pair:
        conn.call("HELLO", "3")
    assert_same_unordered(pair, [("HGETALL", "big")])


def test_hrandfield_errors_and_edges(pair):
    assert_same(pair, script("""
        HSET h a 1
        HRANDFIELD h
        HRANDFIELD h 1
        HRANDFIELD h 1 WITHVALUES
        HRANDFIELD h -1 WITHVALUES
        HRANDFIELD h 0
        HRANDFIELD h x
        HRANDFIELD h 1 foo
        HRANDFIELD h 1 WITHVALUES x
        HRANDFIELD h -9223372036854775808
        HRANDFIELD h -9223372036854775807 WITHVALUES
        HRANDFIELD h 4611686018427387904 WITHVALUES
        HRANDFIELD h 4611686018427387903 WITHVALUES
        HRANDFIELD h -4611686018427387904 WITHVALUES
        HRANDFIELD nokey
        HRANDFIELD nokey 3
        HRANDFIELD nokey -3 WITHVALUES
        HRANDFIELD h 3
        HRANDFIELD h -3
    """))


@pytest.mark.parametrize("size", [60, 600])
def test_hrandfield_reply_has_redis_shape(pair, protocol, size):
    """HRANDFIELD picks different fields on each server, but the reply's
    skeleton must be Redis's in each of its cases (listpack and hashtable):
    in RESP3 WITHVALUES gives [field, value] pairs."""
    both(pair, "HSET", "h", *[x for i in range(size) for x in (f"f{i}", f"v{i}")])
    cmds = [("HRANDFIELD", "h")]
    for n in ("1", "5", str(size // 2), str(size - 1), str(size), "-1", "-5", str(-2 * size)):
        cmds += [("HRANDFIELD", "h", n), ("HRANDFIELD", "h", n, "WITHVALUES")]
    a, b = pair
    bad = [(cmd, x, y) for cmd in cmds
           for x, y in [(shape(a.call(*cmd)), shape(b.call(*cmd)))] if x != y]
    assert not bad, bad


@pytest.mark.parametrize("size", [5, 100, 1000])
@pytest.mark.parametrize("resp", [2, 3])
def test_hrandfield_shapes(server, resp, size):
    """Which fields come out is random; the count, distinctness, membership
    and field/value pairing are what Redis guarantees in each case."""
    conn = server.raw()
    try:
        conn.call("HELLO", str(resp))
        conn.call("DEL", "h")
        fields = {f"f{i}".encode(): f"v{i}".encode() for i in range(size)}
        args = ["HSET", "h"]
        for k, v in fields.items():
            args += [k, v]
        conn.call(*args)
        for count in (1, 2, size // 3, size // 2, size - 1, size, size + 5):
            got = parse(conn.call("HRANDFIELD", "h", str(count)))
            assert len(got) == min(count, size) and len(set(got)) == len(got)
            assert set(got) <= set(fields)
            got = parse(conn.call("HRANDFIELD", "h", str(count), "WITHVALUES"))
            pairs = got if resp == 3 else list(zip(got[::2], got[1::2]))
            assert len(pairs) == min(count, size)
            assert len({k for k, _ in pairs}) == len(pairs)
            assert all(fields[k] == v for k, v in pairs)
        for count in (1, 3, size * 3):
            got = parse(conn.call("HRANDFIELD", "h", str(-count)))
            assert len(got) == count and set(got) <= set(fields)
            got = parse(conn.call("HRANDFIELD", "h", str(-count), "WITHVALUES"))
            pairs = got if resp == 3 else list(zip(got[::2], got[1::2]))
            assert len(pairs) == count and all(fields[k] == v for k, v in pairs)
        if size >= 100:
            # Repeats are allowed and, with this many picks, happen.
            got = parse(conn.call("HRANDFIELD", "h", str(-size * 3)))
            assert len(set(got)) < len(got)
    finally:
        conn.close()


def test_hscan(pair):
    assert_same(pair, script("""
        HSET h a 1 b 2 c 3 ab 4
        HSCAN h 0
        HSCAN h 0 MATCH a*
        HSCAN h 0 COUNT 1
        HSCAN h 0 COUNT 0
        HSCAN h 0 MATCH
        HSCAN h 0 FOO bar
        HSCAN h abc
        HSCAN h -1
        HSCAN nokey 0
        HSCAN nokey 0 COUNT 0
    """))
    args = ["HSET", "big"]
    for i in range(700):
        args += [f"k{i}", f"v{i}"]
    both(pair, *args)
    results = []
    for conn in pair:
        seen = {}
        cursor = b"0"
        while True:
            cursor, items = parse(conn.call("HSCAN", "big", cursor, "COUNT", "50"))
            for k, v in zip(items[::2], items[1::2]):
                seen[k] = v
            if cursor == b"0":
                break
        results.append(seen)
    assert results[0] == results[1] and len(results[0]) == 700


def test_keyspace_commands_on_hashes(pair):
    assert_same(pair, script("""
        HSET h a 1 b 2
        COPY h h2
        HSET h2 c 3
        HGETALL h
        HGETALL h2
        OBJECT ENCODING h2
        RENAME h h3
        MOVE h3 2
        SELECT 2
        HGETALL h3
        SELECT 0
        SCAN 0 TYPE hash
        TYPE h2
        DEL h2
        EXISTS h2
    """))


def test_copy_keeps_hashtable_encoding(pair, thresholds):
    assert_same(pair, script("""
        HSET h a 1 b 2 c 3 d 4 e 5
        COPY h h2
        OBJECT ENCODING h2
        HDEL h a
        HLEN h2
    """))


def test_events_and_propagation_in_process():
    got = run_commands("""
        HSET h a 1 b 2
        HSETNX h a 1
        HSETNX h c 1
        HINCRBY h a 5
        HINCRBYFLOAT h b 1.5
        HDEL h nosuch
        HDEL h a b c
    """)
    assert got["HSET h a 1 b 2"] == (["hset"], [["HSET", "h", "a", "1", "b", "2"]])
    assert got["HSETNX h a 1"] == ([], [])
    assert got["HSETNX h c 1"] == (["hset"], [["HSETNX", "h", "c", "1"]])
    assert got["HINCRBY h a 5"] == (["hincrby"], [["HINCRBY", "h", "a", "5"]])
    # Replicas get the result as an HSET, never the float arithmetic.
    assert got["HINCRBYFLOAT h b 1.5"] == (["hincrbyfloat"], [["HSET", "h", "b", "3.5"]])
    assert got["HDEL h nosuch"] == ([], [])
    assert got["HDEL h a b c"] == (["hdel", "del"], [["HDEL", "h", "a", "b", "c"]])


def test_keyspace_events(server, real_redis, pair):
    for conn in pair:
        conn.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        cmds = script("""
            HSET h a 1 b 2
            HMSET h c 3
            HSETNX h a 1
            HINCRBY h a 1
            HINCRBYFLOAT h a 1
            HDEL h a
            HDEL h b c
        """)
        assert keyevent_stream(server.raw, pair[0], cmds) == keyevent_stream(real_redis.raw, pair[1], cmds)
    finally:
        for conn in pair:
            conn.call("CONFIG", "SET", "notify-keyspace-events", "")


# ---------------------------------------------------------------------------
# Property test (small hashes stay listpacks, so replies compare exactly)
# ---------------------------------------------------------------------------
# Each runs twice (`protocol_pair`): in RESP2, and in RESP3 with client-side
# caching on, so replies are compared with the invalidation pushes they bring.
_EXAMPLES = int(os.environ.get("PYREDIS_HYPOTHESIS_EXAMPLES", "50"))
_field = st.sampled_from(["a", "b", "c", "1", "-2", "", "long-field-name"])
_value = st.sampled_from(["1", "-5", "x", "", "1.5", "9223372036854775807", "10"])
_ops = st.one_of(
    st.tuples(st.sampled_from(["HSET", "HSETNX"]), _field, _value).map(
        lambda t: [t[0], "h", t[1], t[2]]),
    st.tuples(_field, _value, _field, _value).map(lambda t: ["HSET", "h", *t]),
    st.tuples(st.sampled_from(["HGET", "HDEL", "HEXISTS", "HSTRLEN"]), _field).map(
        lambda t: [t[0], "h", t[1]]),
    st.tuples(_field, _field).map(lambda t: ["HMGET", "h", *t]),
    st.tuples(_field, st.sampled_from(["1", "-3", "x", "9223372036854775807"])).map(
        lambda t: ["HINCRBY", "h", *t]),
    st.tuples(_field, st.sampled_from(["1.5", "-0.25", "x", "1e3"])).map(
        lambda t: ["HINCRBYFLOAT", "h", *t]),
    st.sampled_from([["HLEN", "h"], ["HGETALL", "h"], ["HKEYS", "h"], ["HVALS", "h"],
                     ["HRANDFIELD", "h", "100", "WITHVALUES"], ["HRANDFIELD", "h", "100"],
                     ["HSCAN", "h", "0"]]),
)


@settings(max_examples=_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_ops, min_size=1, max_size=25))
def test_random_sequences_match_redis(protocol_pair, ops):
    pair = protocol_pair
    for conn in pair:
        conn.call("DEL", "h")
    mismatches = compare_script(pair, ops + [("HGETALL", "h"), ("OBJECT", "ENCODING", "h")])
    assert not mismatches, mismatches


def test_tcl_corner_cases(pair):
    """More cases in the spirit of hash.tcl: NUL bytes inside numbers, float
    formatting that must come out short, HSTRLEN of integer-looking values."""
    assert_same(pair, [
        ("HSET", "h", "nul", b"1\x002", "sp", "1 ", "i", "-1", "z", "0",
         "big", "9223372036854775807", "neg", "-9223372036854775808", "f", "1.5"),
        ("HINCRBYFLOAT", "h", "nul", "1"),
        ("HINCRBY", "h", "nul", "1"),
        ("HINCRBY", "h", "sp", "1"),
        ("HINCRBYFLOAT", "h", "sp", "1"),
        ("HSTRLEN", "h", "i"), ("HSTRLEN", "h", "z"), ("HSTRLEN", "h", "big"),
        ("HSTRLEN", "h", "neg"), ("HSTRLEN", "h", "f"), ("HSTRLEN", "h", "nul"),
        ("HINCRBYFLOAT", "fl", "a", "1.23"),
        ("HINCRBYFLOAT", "fl", "a", "0.77"),
        ("HINCRBYFLOAT", "fl", "b", "0.1"),
        ("HINCRBYFLOAT", "fl", "b", "0.2"),
        ("HINCRBYFLOAT", "fl", "c", "-1.1"),
        ("HINCRBYFLOAT", "fl", "c", "1.1"),
        ("HGETALL", "fl"),
        ("HINCRBY", "n", "a", "17179869184"),
        ("HINCRBY", "n", "a", "17179869184"),
        ("HINCRBYFLOAT", "n", "a", "17179869184.5"),
        ("HGET", "n", "a"),
        ("HSET", "del", "a", "1", "b", "2"),
        ("HDEL", "del", "a", "b", "a", "c"),
        ("EXISTS", "del"),
    ])
