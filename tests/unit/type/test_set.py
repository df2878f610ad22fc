"""Set commands compared byte for byte with a real Redis 7.0.

Intsets reply in ascending order, which pyredis reproduces, so their replies
are compared exactly; hashtable sets reply in Redis's hash order and are
compared as multisets. Cases follow the ideas of Redis's
tests/unit/type/set.tcl in our own code: what counts as an integer for an
intset, conversion at set-max-intset-entries, the encodings of *STORE
results, SPOP/SRANDMEMBER strategies (by their invariants), SINTERCARD LIMIT.
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
def small_intset(pair):
    for conn in pair:
        conn.call("CONFIG", "SET", "set-max-intset-entries", "4")
    yield pair
    for conn in pair:
        conn.call("CONFIG", "SET", "set-max-intset-entries", "512")


def test_basic_intset(pair):
    assert_same(pair, script("""
        SADD s 3 1 2
        SADD s 2 5 -10
        SADD s -10
        SMEMBERS s
        SCARD s
        SISMEMBER s 5
        SISMEMBER s 4
        SISMEMBER s 05
        SMISMEMBER s 1 4 5 x
        SMISMEMBER nokey a b
        SREM s 1 4 nosuch
        SMEMBERS s
        SCARD nokey
        SISMEMBER nokey a
        SMEMBERS nokey
        OBJECT ENCODING s
        TYPE s
        SREM s 2 3 5 -10
        EXISTS s
        SREM nokey a
        SADD s
        SREM s
        SMISMEMBER s
    """))


def test_what_counts_as_an_integer(pair):
    cmds = []
    for i, member in enumerate(["0", "-1", "9223372036854775807", "-9223372036854775808",
                                "9223372036854775808", "-9223372036854775809", "01", "+1",
                                " 1", "1 ", "-0", "1.0", "0x10", "", "12345678901234567890"]):
        cmds += [("SADD", f"s{i}", member), ("OBJECT", "ENCODING", f"s{i}"),
                 ("SADD", f"t{i}", "5", member), ("OBJECT", "ENCODING", f"t{i}"),
                 ("SMEMBERS", f"s{i}")]
    assert_same(pair, cmds)


def test_intset_to_hashtable(pair, small_intset):
    assert_same(pair, script("""
        SADD s 1 2 3 4
        OBJECT ENCODING s
        SADD s 4
        OBJECT ENCODING s
        SADD s 5
        OBJECT ENCODING s
        SREM s 1 2 3 5
        OBJECT ENCODING s
        SADD t 1 2 3 4 5
        OBJECT ENCODING t
        SADD u 1 x
        OBJECT ENCODING u
        SREM u x
        OBJECT ENCODING u
        SMEMBERS u
        SMOVE t v 1
        OBJECT ENCODING v
        SMOVE u w x
        SMOVE t w 2
        SMEMBERS w
        OBJECT ENCODING w
    """))


def test_config_set_max_intset_zero(pair):
    assert_same(pair, script("""
        CONFIG SET set-max-intset-entries 0
        SADD s 1
        OBJECT ENCODING s
        CONFIG SET set-max-intset-entries 512
        SADD t 1
        OBJECT ENCODING t
    """))


def test_hashtable_sets_compare_as_multisets(pair):
    both(pair, "SADD", "h", *[f"m{i}" for i in range(300)])
    both(pair, "SADD", "i", *[str(i) for i in range(0, 600, 2)])
    assert_same(pair, script("""
        OBJECT ENCODING h
        OBJECT ENCODING i
        SCARD h
        SISMEMBER h m5
        SREM h m0 m1 nosuch
        SCARD h
    """))
    assert_same_unordered(pair, script("""
        SMEMBERS h
        SMEMBERS i
        SUNION h i
        SDIFF h i
        SINTER h i
    """))
    for conn in pair:
        conn.call("HELLO", "3")
    assert_same_unordered(pair, [("SMEMBERS", "h"), ("SUNION", "h", "nokey")])


def test_set_operations_on_intsets(pair):
    assert_same(pair, script("""
        SADD a 1 2 3 4 5
        SADD b 4 5 6 7
        SADD c 5 7 9
        SINTER a b
        SINTER a b c
        SINTER a nokey
        SINTER nokey
        SINTER a a
        SUNION a b c
        SUNION nokey
        SUNION a nokey
        SDIFF a b
        SDIFF a b c
        SDIFF a a
        SDIFF a nokey b
        SDIFF nokey a
        SINTERCARD 2 a b
        SINTERCARD 3 a b c
        SINTERCARD 2 a b LIMIT 1
        SINTERCARD 2 a b LIMIT 0
        SINTERCARD 1 a LIMIT 3
        SINTERCARD 2 a nokey
        SINTERCARD 0 a
        SINTERCARD -1 a
        SINTERCARD x a
        SINTERCARD 3 a b
        SINTERCARD 2 a b LIMIT -1
        SINTERCARD 2 a b LIMIT x
        SINTERCARD 2 a b FOO 1
        SINTERCARD 2 a b LIMIT
        SINTERSTORE d a b
        SMEMBERS d
        OBJECT ENCODING d
        SUNIONSTORE d a b c
        SMEMBERS d
        SDIFFSTORE d a b
        SMEMBERS d
        SINTERSTORE d a nokey
        EXISTS d
        SUNIONSTORE d nokey
        SDIFFSTORE d a a
        EXISTS d
        SDIFFSTORE a a b
        SMEMBERS a
        SUNIONSTORE a a
        SMEMBERS a
    """))
    for conn in pair:
        conn.call("HELLO", "3")
    assert_same(pair, script("""
        SINTER a b
        SINTER nokey a
        SUNION b c
        SDIFF b c
        SMEMBERS b
        SMEMBERS nokey
    """))


def test_every_command(protocol_pair):
    """Every set command, in RESP2 and after HELLO 3: SMEMBERS, SINTER,
    SUNION, SDIFF and SPOP with a count become sets (`~`), SRANDMEMBER with
    a count stays an array, SPOP/SRANDMEMBER misses are `_`. Members are
    integers (intsets reply in order), so replies compare exactly; random
    picks are made deterministic by a one-member set or a count past the
    size."""
    pair = protocol_pair
    assert_same(pair, script("""
        SADD a 3 1 2
        SADD a 2 4
        SADD a
        SADD b 4 5 6
        SADD c 5
        SREM a 1 nosuch
        SREM nokey 1
        SCARD a
        SCARD nokey
        SISMEMBER a 2
        SISMEMBER a 9
        SISMEMBER nokey 2
        SMISMEMBER a 2 9 4
        SMISMEMBER nokey 2
        SMEMBERS a
        SMEMBERS nokey
        SINTER a b
        SINTER a nokey
        SINTER nokey
        SUNION a b
        SUNION nokey
        SDIFF a b
        SDIFF nokey a
        SINTERCARD 2 a b
        SINTERCARD 2 a b LIMIT 1
        SINTERCARD 1 nokey
        SINTERCARD 0 a
        SINTERCARD 2 a b LIMIT -1
        SINTERSTORE d a b
        SMEMBERS d
        SINTERSTORE d a nokey
        EXISTS d
        SUNIONSTORE d a b
        SMEMBERS d
        SDIFFSTORE d a b
        SMEMBERS d
        SMOVE a b 2
        SMOVE a b 2
        SMOVE nokey b 2
        SMOVE a a 3
        SRANDMEMBER c
        SRANDMEMBER c 1
        SRANDMEMBER c -3
        SRANDMEMBER c 0
        SRANDMEMBER b 100
        SRANDMEMBER b x
        SRANDMEMBER nokey
        SRANDMEMBER nokey 3
        SRANDMEMBER nokey -3
        SPOP c
        SPOP c
        SADD c 7
        SPOP c 1
        SPOP b 0
        SPOP b 100
        SPOP b -1
        SPOP nokey
        SPOP nokey 3
        SPOP nokey 0
        SSCAN a 0
        SSCAN a 0 MATCH 3* COUNT 100
        SSCAN a x
        SSCAN nokey 0
        SET s x
        SADD s 1
        SMEMBERS s
        SINTER a s
        SUNION a s
        SPOP s 2
        SRANDMEMBER s 2
        SMISMEMBER s 1
        SINTERCARD 1 s
    """))


def test_store_result_encodings(pair, small_intset):
    assert_same(pair, script("""
        SADD a 1 2 3 4 x
        SADD b 1 2 3 4 y
        OBJECT ENCODING a
        SINTERSTORE d a b
        OBJECT ENCODING d
        SMEMBERS d
        SADD c 1 2
        SADD e 3 4 5
        SUNIONSTORE u c e
        OBJECT ENCODING u
        SUNIONSTORE u2 c
        OBJECT ENCODING u2
        SDIFFSTORE df a b
        OBJECT ENCODING df
        SREM a x
        SDIFFSTORE df2 a c
        OBJECT ENCODING df2
        SMEMBERS df2
        SADD big 1 2 3 4 5 6 7 8 9 10 11 12
        SDIFFSTORE df3 big e
        OBJECT ENCODING df3
        SDIFFSTORE df4 big e c nokey
        OBJECT ENCODING df4
    """))


def test_diff_algorithm_two_keeps_encoding_of_first_set(pair, small_intset):
    # Many small sets to subtract from one big set: Redis picks its second
    # algorithm, which starts from all of the first set (a hashtable here,
    # since it has more than 4 entries) even if few survive.
    both(pair, "SADD", "big", *[str(i) for i in range(10)])
    args = []
    for i in range(10):
        both(pair, "SADD", f"x{i}", str(i))
        args.append(f"x{i}")
    assert_same(pair, [("SDIFFSTORE", "d", "big", *args[:8]),
                       ("OBJECT", "ENCODING", "d")])
    assert_same_unordered(pair, [("SMEMBERS", "d")])


def test_wrongtype(pair):
    both(pair, "SET", "str", "x")
    both(pair, "SADD", "s", "1")
    assert_same(pair, script("""
        SADD str a
        SREM str a
        SCARD str
        SISMEMBER str a
        SMISMEMBER str a
        SMEMBERS str
        SRANDMEMBER str
        SRANDMEMBER str 2
        SPOP str
        SPOP str 2
        SMOVE str s a
        SMOVE s str 1
        SMOVE nokey str 1
        SINTER s str
        SINTER nokey str
        SINTERCARD 2 s str
        SINTERSTORE d s str
        SUNION s str
        SUNIONSTORE d s str
        SDIFF s str
        SDIFF nokey str
        SDIFFSTORE d s str
        SSCAN str 0
        SINTERSTORE str s
        TYPE str
    """))


def test_smove(pair):
    assert_same(pair, script("""
        SADD a 1 2 x
        SADD b 3
        SMOVE a b 1
        SMOVE a b 1
        SMOVE a b x
        SMEMBERS a
        OBJECT ENCODING b
        SMOVE a a 2
        SMOVE a a 9
        SMOVE nokey b 1
        SMOVE a new 2
        EXISTS a
        SMEMBERS new
        SADD c 5
        SADD d 5
        SMOVE c d 5
        EXISTS c
        SMEMBERS d
    """))


def test_spop_and_srandmember_fixed_cases(pair):
    cmds = script("""
        SADD s 1 2 3
        SPOP s 0
        SPOP s -1
        SPOP s x
        SPOP s 1 2
        SRANDMEMBER s 1 2
        SRANDMEMBER s x
        SRANDMEMBER s 0
        SRANDMEMBER s 3
        SRANDMEMBER s 100
        SRANDMEMBER s -9223372036854775808
        SRANDMEMBER s 9223372036854775808
        SPOP s 3
        EXISTS s
        SADD s 7
        SPOP s
        EXISTS s
        SPOP nokey
        SPOP nokey 3
        SPOP nokey 0
        SRANDMEMBER nokey
        SRANDMEMBER nokey 3
        SRANDMEMBER nokey -3
        SADD s 9 8 7
        SPOP s 9223372036854775807
    """)
    assert_same(pair, cmds)
    for conn in pair:
        conn.call("HELLO", "3")
    assert_same(pair, cmds)


@pytest.mark.parametrize("size", [10, 200, 1000])
@pytest.mark.parametrize("integers", [True, False])
def test_spop_and_srandmember_invariants(server, size, integers):
    conn = server.raw()
    try:
        members = {(str(i) if integers else f"m{i}").encode() for i in range(size)}
        for resp in (2, 3):
            conn.call("HELLO", str(resp))
            conn.call("DEL", "s")
            conn.call("SADD", "s", *members)
            for count in (1, 2, size // 5, size // 3, size // 2, size - 1, size, size + 3):
                got = parse(conn.call("SRANDMEMBER", "s", str(count)))
                assert len(got) == min(count, size) and len(set(got)) == len(got)
                assert set(got) <= members
            for count in (1, 5, size * 2):
                got = parse(conn.call("SRANDMEMBER", "s", str(-count)))
                assert len(got) == count and set(got) <= members
            left = set(members)
            # Pops of each strategy: small (pick and remove) then most of the
            # rest (keep the survivors), then the whole remainder.
            for count in (size // 10 or 1, (size * 9) // 10 - (size // 10 or 1), size):
                got = parse(conn.call("SPOP", "s", str(count)))
                assert len(set(got)) == len(got) == min(count, len(left))
                assert set(got) <= left
                left -= set(got)
                assert parse(conn.call("SCARD", "s")) == len(left)
            assert parse(conn.call("EXISTS", "s")) == 0
    finally:
        conn.close()


@pytest.mark.parametrize("kind", ["intset", "hashtable"])
def test_random_replies_have_redis_shape(pair, protocol, kind):
    """SPOP and SRANDMEMBER pick different members on each server, but the
    reply's skeleton must be Redis's in each strategy: in RESP3 SPOP with a
    count is a set (`~`), SRANDMEMBER with a count an array, without a
    count a bulk string or `_`."""
    members = [str(i) if kind == "intset" else f"m{i}" for i in range(60)]
    both(pair, "SADD", "s", *members)
    both(pair, "SADD", "one", members[0])
    cmds = [("SRANDMEMBER", key, n) for key in ("s", "one")
            for n in ("1", "5", "20", "59", "60", "100", "-1", "-5", "-100")]
    cmds += [("SRANDMEMBER", "s"), ("SPOP", "s"), ("SPOP", "s", "1"), ("SPOP", "s", "3"),
             ("SPOP", "s", "40"), ("SPOP", "s", "100"), ("SPOP", "s"), ("SPOP", "s", "2")]
    a, b = pair
    bad = [(cmd, x, y) for cmd in cmds
           for x, y in [(shape(a.call(*cmd)), shape(b.call(*cmd)))] if x != y]
    assert not bad, bad


def test_spop_keeps_survivors_as_fresh_intset(pair, small_intset):
    # SPOP's "keep the survivors" strategy rebuilds the set; with integer
    # survivors it is an intset again, while plain SREM never converts back.
    both(pair, "SADD", "s", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
    both(pair, "SADD", "t", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
    for conn in pair:
        conn.call("SPOP", "s", "8")
    both(pair, "SREM", "t", "1", "2", "3", "4", "5", "6", "7", "8")
    assert_same(pair, script("""
        SCARD s
        OBJECT ENCODING s
        OBJECT ENCODING t
    """))


def test_sscan(pair):
    assert_same(pair, script("""
        SADD s 10 -5 3 100
        SSCAN s 0
        SSCAN s 0 MATCH 1*
        SSCAN s 0 COUNT 1
        SSCAN s 0 COUNT 0
        SSCAN s x
        SSCAN s -1
        SSCAN s 0 FOO 1
        SSCAN nokey 0
    """))
    both(pair, "SADD", "big", *[f"e{i}" for i in range(500)])
    results = []
    for conn in pair:
        seen = set()
        cursor = b"0"
        while True:
            cursor, items = parse(conn.call("SSCAN", "big", cursor, "COUNT", "40"))
            seen.update(items)
            if cursor == b"0":
                break
        results.append(seen)
    assert results[0] == results[1] and len(results[0]) == 500


def test_keyspace_commands_on_sets(pair):
    assert_same(pair, script("""
        SADD s 1 2 3
        COPY s s2
        SADD s2 x
        SMEMBERS s
        OBJECT ENCODING s
        OBJECT ENCODING s2
        RENAME s s3
        MOVE s3 3
        SELECT 3
        SMEMBERS s3
        SELECT 0
        SCAN 0 TYPE set
        UNLINK s2
        EXISTS s2
    """))


def test_events_and_propagation_in_process():
    got = run_commands("""
        SADD s 1 2 3 4 5 6 7 8 9 10
        SADD s 1
        SREM s 10
        SPOP s 0
        SMOVE s d 9
        SINTERSTORE i s d
        SUNIONSTORE u s d
        SDIFFSTORE x s s
        SADD one a
        SPOP one
        SADD two a b
        SPOP two 5
    """)
    assert got["SADD s 1 2 3 4 5 6 7 8 9 10"][0] == ["sadd"]
    assert got["SADD s 1"] == ([], [])
    assert got["SREM s 10"] == (["srem"], [["SREM", "s", "10"]])
    assert got["SPOP s 0"] == ([], [])
    assert got["SMOVE s d 9"] == (["srem", "sadd"], [["SMOVE", "s", "d", "9"]])
    assert got["SINTERSTORE i s d"] == ([], [])
    assert got["SUNIONSTORE u s d"] == (["sunionstore"], [["SUNIONSTORE", "u", "s", "d"]])
    assert got["SDIFFSTORE x s s"] == ([], [])
    # A single SPOP goes out as the SREM of what was popped.
    ev, props = got["SPOP one"]
    assert ev == ["spop", "del"] and props == [["SREM", "one", "a"]]
    # The whole set popped: one DEL.
    assert got["SPOP two 5"] == (["spop", "del"], [["DEL", "two"]])


def test_spop_count_propagates_as_srems():
    got = run_commands("""
        SADD s a b c d e f g h i j
        SPOP s 2
        SPOP s 7
    """)
    for line, n in (("SPOP s 2", 2), ("SPOP s 7", 7)):
        ev, props = got[line]
        assert ev == ["spop"]
        # More than one command goes out as a MULTI/EXEC block.
        assert props[0] == ["MULTI"] and props[-1] == ["EXEC"]
        srems = props[1:-1]
        assert len(srems) == n and all(p[:2] == ["SREM", "s"] for p in srems)
        assert len({p[2] for p in srems}) == n


def test_keyspace_events(server, real_redis, pair):
    for conn in pair:
        conn.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        cmds = script("""
            SADD s 1 2 3
            SREM s 1
            SMOVE s d 2
            SINTERSTORE i s d
            SUNIONSTORE u s d
            SDIFFSTORE x s d
            SINTERSTORE u nokey s
            SPOP s
            SPOP d 5
        """)
        assert keyevent_stream(server.raw, pair[0], cmds) == keyevent_stream(real_redis.raw, pair[1], cmds)
    finally:
        for conn in pair:
            conn.call("CONFIG", "SET", "notify-keyspace-events", "")


# ---------------------------------------------------------------------------
# Property test. Members are integers so the sets stay intsets (ascending
# replies compare exactly); a non-integer member turns up rarely and then
# replies are compared as multisets.
# ---------------------------------------------------------------------------
# Each runs twice (`protocol_pair`): in RESP2, and in RESP3 with client-side
# caching on, so replies are compared with the invalidation pushes they bring.
_EXAMPLES = int(os.environ.get("PYREDIS_HYPOTHESIS_EXAMPLES", "50"))
_member = st.sampled_from(["1", "2", "3", "-7", "10", "100", "0"])
_key = st.sampled_from(["a", "b", "c"])
_ops = st.one_of(
    st.tuples(st.sampled_from(["SADD", "SREM"]), _key, _member, _member).map(list),
    st.tuples(st.sampled_from(["SISMEMBER"]), _key, _member).map(list),
    st.tuples(_key, _member, _member).map(lambda t: ["SMISMEMBER", *t]),
    st.tuples(st.sampled_from(["SINTER", "SUNION", "SDIFF"]), _key, _key).map(list),
    st.tuples(st.sampled_from(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), _key, _key,
              _key).map(list),
    st.tuples(_key, _key, st.sampled_from(["0", "1", "2"])).map(
        lambda t: ["SINTERCARD", "2", t[0], t[1], "LIMIT", t[2]]),
    st.tuples(_key, _key, _member).map(lambda t: ["SMOVE", *t]),
    st.tuples(st.sampled_from(["SCARD", "SMEMBERS"]), _key).map(list),
    st.tuples(_key, st.sampled_from(["100", "0"])).map(lambda t: ["SPOP", *t]),
    st.tuples(_key, st.sampled_from(["100", "0"])).map(lambda t: ["SRANDMEMBER", *t]),
    _key.map(lambda k: ["SSCAN", k, "0"]),
)


@settings(max_examples=_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_ops, min_size=1, max_size=25))
def test_random_sequences_match_redis(protocol_pair, ops):
    pair = protocol_pair
    for conn in pair:
        conn.call("DEL", "a", "b", "c")
    final = [("SMEMBERS", k) for k in "abc"] + [("OBJECT", "ENCODING", k) for k in "abc"]
    mismatches = compare_script(pair, ops + final)
    assert not mismatches, mismatches


def test_srandmember_reaches_every_member(server):
    """Repeated picks (negative count) cover a small set: each member is
    reachable, whichever encoding the set has."""
    conn = server.raw()
    try:
        for key, members in (("ints", [b"%d" % i for i in range(10)]),
                             ("strs", [b"m%d" % i for i in range(10)])):
            conn.call("DEL", key)
            conn.call("SADD", key, *members)
            assert set(parse(conn.call("SRANDMEMBER", key, "-1000"))) == set(members)
            assert parse(conn.call("SRANDMEMBER", key)) in members
    finally:
        conn.close()


def test_tcl_corner_cases(pair):
    assert_same(pair, script("""
        SADD s a b c
        SREM s a b c d
        EXISTS s
        SADD i 1 2 3
        SREM i 1 x 2 3 4
        EXISTS i
        SMISMEMBER i
        SADD big 1 2 3
        SADD big 4 5 6 7 8 9 10 -1 -100 1000000 9223372036854775807
        SMEMBERS big
        SINTER big big
        SUNION big
        SDIFF big
        SPOP big 100
    """))


def test_spop_loop_on_big_set_sees_every_member_once(server):
    """Single SPOPs draw from a snapshot of the members (a Python set has no
    O(1) random pick): every member must still come out exactly once, and a
    member added half way must be poppable too."""
    from helpers.servers import encode_command
    conn = server.raw()
    try:
        conn.call("DEL", "s")
        members = [b"m%d" % i for i in range(3000)]
        conn.call("SADD", "s", *members)
        popped = []
        for half in range(2):
            conn.send(encode_command(["SPOP", "s"]) * 1500)
            popped += [parse(conn.read_reply()) for _ in range(1500)]
            if half == 0:
                assert conn.call("SADD", "s", "late") == b":1\r\n"
        popped.append(parse(conn.call("SPOP", "s")))
        assert sorted(popped) == sorted(members + [b"late"])
        assert conn.call("EXISTS", "s") == b":0\r\n"
        # HRANDFIELD draws the same way: a field added after a snapshot was
        # taken must come out (110 old fields remain, so no rebuild is due).
        conn.call("HSET", "h", *[x for i in range(200) for x in (b"f%d" % i, b"v")])
        seen = {parse(conn.call("HRANDFIELD", "h")) for _ in range(50)}
        assert seen <= {b"f%d" % i for i in range(200)}
        conn.call("HSET", "h", "new", "v")
        conn.call("HDEL", "h", *[b"f%d" % i for i in range(90)])
        conn.send(encode_command(["HRANDFIELD", "h"]) * 2000)
        drawn = {parse(conn.read_reply()) for _ in range(2000)}
        assert b"new" in drawn and not any(b"f%d" % i in drawn for i in range(90))
    finally:
        conn.close()
