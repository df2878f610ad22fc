"""List commands compared byte for byte with a real Redis 7.0.

Each test sends the same script to pyredis and to redis-server (`pair`) and
compares every reply. The cases are ours; many follow the ideas of Redis's
tests/unit/type/list.tcl: negative and huge indexes, counts of 0 and beyond
the length, RESP2 vs RESP3 nulls, wrong types, emptied keys disappearing,
LMOVE in all directions and onto itself, LPOS's RANK/COUNT/MAXLEN.
"""

import os

from helpers.differential import assert_same, compare_script, keyevent_stream
from helpers.inprocess import run_commands
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def script(text):
    """One command per line, arguments split on blanks."""
    return [line.split() for line in text.strip().splitlines() if line.strip()]


def both(pair, *args):
    a, b = pair
    x, y = a.call(*args), b.call(*args)
    assert x == y, f"{args!r}:\n  pyredis: {x!r}\n  redis:   {y!r}"
    return x


def test_push_pop_len_index(pair):
    assert_same(pair, script("""
        LPUSH l a
        LPUSH l b c d
        RPUSH l 1 2 3
        LLEN l
        LRANGE l 0 -1
        LINDEX l 0
        LINDEX l -1
        LINDEX l -7
        LINDEX l -8
        LINDEX l 7
        LINDEX l 9223372036854775807
        LINDEX l -9223372036854775808
        LINDEX l 9223372036854775808
        LINDEX l notanumber
        LINDEX nokey 0
        LPOP l
        RPOP l
        LLEN l
        LLEN nokey
        LPUSHX nokey a
        RPUSHX nokey a
        EXISTS nokey
        LPUSHX l x y
        RPUSHX l z
        LRANGE l 0 -1
        OBJECT ENCODING l
        TYPE l
    """))


def test_big_and_integer_elements(pair):
    big = "x" * 70000
    assert_same(pair, [
        ("RPUSH", "l", "12345", "-1", "0", "9223372036854775807", "-9223372036854775808",
         "9223372036854775808", "01", "+1", " 1", "", big),
        ("LRANGE", "l", "0", "-1"),
        ("LPOS", "l", "01"),
        ("LPOS", "l", "1"),
        ("LPOS", "l", ""),
        ("LREM", "l", "0", "12345"),
        ("LINDEX", "l", "-1"),
        ("OBJECT", "ENCODING", "l"),
    ])


def test_pop_with_count_resp2_and_resp3(pair):
    cmds = script("""
        RPUSH l a b c d e
        LPOP l 2
        RPOP l 2
        LPOP l 0
        RPOP l 0
        LPOP l 100
        EXISTS l
        LPOP nokey
        LPOP nokey 0
        LPOP nokey 3
        RPOP nokey 3
        LPOP l -1
        LPOP l x
        LPOP l 1 2
        RPOP l 1 2
        RPUSH l a
        LPOP l -1
        RPOP l 9223372036854775807
        EXISTS l
    """)
    assert_same(pair, cmds)
    for conn in pair:
        conn.call("HELLO", "3")
    assert_same(pair, cmds)


def test_lrange_and_ltrim_edges(pair):
    assert_same(pair, script("""
        RPUSH l 0 1 2 3 4 5 6 7 8 9
        LRANGE l 0 0
        LRANGE l -1 -1
        LRANGE l 5 2
        LRANGE l -100 100
        LRANGE l 9 100
        LRANGE l 10 100
        LRANGE l -3 -1
        LRANGE l 2 -3
        LRANGE l -9223372036854775808 9223372036854775807
        LRANGE l 0 9223372036854775808
        LRANGE l a 1
        LRANGE nokey 0 -1
        LTRIM l 1 -2
        LRANGE l 0 -1
        LTRIM l -3 100
        LRANGE l 0 -1
        LTRIM l 0 0
        LRANGE l 0 -1
        LTRIM l 5 1
        EXISTS l
        LTRIM nokey 0 1
        LTRIM l x 1
        RPUSH l a b c
        LTRIM l 0 -100
        EXISTS l
    """))


def test_ltrim_keep_most_and_few(pair):
    both(pair, "RPUSH", "l", *[str(i) for i in range(300)])
    assert_same(pair, script("""
        LTRIM l 2 -3
        LLEN l
        LTRIM l 100 110
        LRANGE l 0 -1
    """))


def test_lrem(pair):
    assert_same(pair, script("""
        RPUSH l a b a c a d a
        LREM l 2 a
        LRANGE l 0 -1
        LREM l -1 a
        LRANGE l 0 -1
        LREM l 0 a
        LRANGE l 0 -1
        LREM l 0 nosuch
        LREM l 1 b
        LREM l -100 c
        LREM l 5 d
        EXISTS l
        LREM nokey 0 a
        LREM l x a
    """))


def test_linsert(pair):
    assert_same(pair, script("""
        RPUSH l a b c
        LINSERT l BEFORE a x
        LINSERT l after c y
        LINSERT l AFTER b z
        LINSERT l before b w
        LRANGE l 0 -1
        LINSERT l BEFORE nosuch v
        LINSERT l MIDDLE a v
        LINSERT nokey BEFORE a v
        LINSERT nokey MIDDLE a v
        EXISTS nokey
        RPUSH d a a
        LINSERT d AFTER a b
        LRANGE d 0 -1
    """))


def test_lset(pair):
    assert_same(pair, script("""
        RPUSH l a b c
        LSET l 0 x
        LSET l -1 y
        LSET l 1 z
        LRANGE l 0 -1
        LSET l 3 q
        LSET l -4 q
        LSET l x q
        LSET nokey 0 q
    """))


def test_lpos(pair):
    assert_same(pair, script("""
        RPUSH l a b c 1 2 3 c c
        LPOS l c
        LPOS l c RANK 2
        LPOS l c RANK -1
        LPOS l c RANK -3
        LPOS l c RANK 4
        LPOS l c RANK -4
        LPOS l c COUNT 0
        LPOS l c COUNT 2
        LPOS l c COUNT 2 RANK 2
        LPOS l c COUNT 0 RANK -1
        LPOS l c COUNT 0 MAXLEN 3
        LPOS l c MAXLEN 3
        LPOS l c MAXLEN 2
        LPOS l c RANK -1 MAXLEN 1
        LPOS l c RANK -1 MAXLEN 2 COUNT 0
        LPOS l x
        LPOS l x COUNT 0
        LPOS nokey x
        LPOS nokey x COUNT 5
        LPOS l c RANK 0
        LPOS l c RANK x
        LPOS l c COUNT -1
        LPOS l c MAXLEN -1
        LPOS l c RANK
        LPOS l c FOO 1
        LPOS l c RANK 9223372036854775807
        LPOS l c RANK -9223372036854775807
        LPOS l c RANK -9223372036854775808
        LPOS l c COUNT 1 COUNT 2
    """))


def test_lmove_all_directions(pair):
    assert_same(pair, script("""
        RPUSH src a b c d
        LMOVE src dst LEFT LEFT
        LMOVE src dst LEFT RIGHT
        LMOVE src dst RIGHT LEFT
        LMOVE src dst RIGHT RIGHT
        LRANGE dst 0 -1
        EXISTS src
        LMOVE src dst LEFT LEFT
        LMOVE dst dst LEFT RIGHT
        LRANGE dst 0 -1
        LMOVE dst dst RIGHT LEFT
        LRANGE dst 0 -1
        LMOVE dst dst up down
        LMOVE dst dst LEFT down
        RPOPLPUSH dst other
        RPOPLPUSH nokey other
        LRANGE other 0 -1
        SET str x
        LMOVE dst str LEFT LEFT
        LRANGE dst 0 -1
        LMOVE str dst LEFT LEFT
        RPOPLPUSH dst str
        RPUSH one x
        RPOPLPUSH one one
        LRANGE one 0 -1
    """))


def test_lmpop(pair):
    cmds = script("""
        RPUSH a 1 2 3
        RPUSH b 4 5
        LMPOP 2 nokey a LEFT
        LMPOP 2 nokey a RIGHT COUNT 10
        EXISTS a
        LMPOP 2 a b LEFT COUNT 1
        LMPOP 3 a nokey b RIGHT count 5
        LMPOP 2 a b LEFT
        LMPOP 0 a LEFT
        LMPOP -1 a LEFT
        LMPOP x a LEFT
        LMPOP 3 a b LEFT
        LMPOP 1 a MIDDLE
        LMPOP 1 a LEFT COUNT 0
        LMPOP 1 a LEFT COUNT -1
        LMPOP 1 a LEFT COUNT 1 COUNT 2
        LMPOP 1 a LEFT FOO
        LMPOP 1 a LEFT COUNT
        SET s x
        LMPOP 2 nokey s LEFT
        LMPOP 2 b s LEFT
        LMPOP 1 a RIGHT COUNT 9223372036854775807
        LMPOP 1 a RIGHT COUNT 9223372036854775808
    """)
    assert_same(pair, cmds)
    for conn in pair:
        conn.call("HELLO", "3")
    assert_same(pair, cmds)


def test_wrongtype_everywhere(pair):
    both(pair, "SET", "s", "x")
    assert_same(pair, script("""
        LPUSH s a
        RPUSH s a
        LPUSHX s a
        RPUSHX s a
        LPOP s
        RPOP s
        LPOP s 2
        LLEN s
        LINDEX s 0
        LSET s 0 a
        LRANGE s 0 -1
        LTRIM s 0 1
        LREM s 0 a
        LINSERT s BEFORE a b
        LPOS s a
        LMOVE s d LEFT LEFT
        RPOPLPUSH s d
        LMPOP 1 s LEFT
    """))


def test_arity_errors(pair):
    assert_same(pair, script("""
        LPUSH l
        RPUSH
        LRANGE l 0
        LINSERT l BEFORE a
        LMOVE a b LEFT
        LPOS l
        LMPOP 1
    """))


def test_keyspace_commands_on_lists(pair):
    assert_same(pair, script("""
        RPUSH l a b c
        COPY l l2
        LPUSH l2 z
        LRANGE l 0 -1
        LRANGE l2 0 -1
        RENAME l l3
        TYPE l3
        MOVE l3 1
        EXISTS l3
        SELECT 1
        LRANGE l3 0 -1
        DEL l3
        SELECT 0
        EXPIRE l2 100
        LPOP l2
        TTL l2
        UNLINK l2
        SCAN 0 TYPE list
    """))


def test_long_list_ranges_from_both_ends(pair):
    both(pair, "RPUSH", "l", *[f"e{i}" for i in range(2000)])
    assert_same(pair, script("""
        LRANGE l 0 -1
        LRANGE l 1990 2010
        LRANGE l -1500 -1490
        LINDEX l 1000
        LPOS l e1999
        LPOS l e5 RANK -1
        LINSERT l AFTER e1998 new
        LINDEX l 1999
        LSET l 1500 changed
        LRANGE l 1499 1501
        LREM l 0 e7
        LLEN l
        LPOP l 1500
        RPOP l 3
        LLEN l
    """))


LIST_EVENT_SCRIPT = """
    RPUSH l a b c d e
    LPUSH l z
    LPUSHX nokey a
    LINSERT l BEFORE a y
    LINSERT l BEFORE nosuch y
    LSET l 0 q
    LREM l 1 q
    LREM l 1 nosuch
    LTRIM l 0 3
    LPOP l
    RPOP l 1
    LMOVE l m LEFT RIGHT
    RPOPLPUSH l m
    LMPOP 1 m LEFT COUNT 5
    RPUSH x 1
    LTRIM x 1 0
"""


def test_keyspace_events(server, real_redis, pair):
    for conn in pair:
        conn.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        cmds = script(LIST_EVENT_SCRIPT)
        ours = keyevent_stream(server.raw, pair[0], cmds)
        theirs = keyevent_stream(real_redis.raw, pair[1], cmds)
        assert ours == theirs
    finally:
        for conn in pair:
            conn.call("CONFIG", "SET", "notify-keyspace-events", "")


def test_every_command(protocol_pair):
    """Every list command, in RESP2 and after HELLO 3, where the nulls become
    `_` (LPOP, LINDEX, LPOS, LMPOP, blocking pops that time out or are
    refused inside MULTI); errors and missing keys included. The blocking
    pops find data, or wait 10 ms for none."""
    pair = protocol_pair
    assert_same(pair, script("""
        LPUSH l c b a
        RPUSH l 1 2 3 a
        LPUSHX l x
        RPUSHX l y
        LPUSHX nokey x
        RPUSHX nokey x
        LLEN l
        LLEN nokey
        LRANGE l 0 -1
        LRANGE l 5 2
        LRANGE nokey 0 -1
        LINDEX l 0
        LINDEX l 100
        LINDEX nokey 0
        LINDEX l x
        LSET l 0 z
        LSET l 100 z
        LSET nokey 0 z
        LINSERT l BEFORE a new
        LINSERT l AFTER nosuch new
        LINSERT nokey AFTER a new
        LINSERT l SIDEWAYS a new
        LREM l 0 a
        LREM l -1 nosuch
        LREM nokey 1 a
        LPOS l b
        LPOS l nosuch
        LPOS l b COUNT 0
        LPOS l nosuch COUNT 0
        LPOS nokey b
        LPOS nokey b COUNT 2
        LPOS l b RANK 0
        LPOP l
        RPOP l
        LPOP l 2
        RPOP l 0
        LPOP nokey
        RPOP nokey
        LPOP nokey 2
        RPOP nokey 0
        LMOVE l m LEFT RIGHT
        LMOVE nokey m LEFT RIGHT
        RPOPLPUSH l m
        RPOPLPUSH nokey m
        LMPOP 2 nokey l LEFT
        LMPOP 2 nokey l RIGHT COUNT 2
        LMPOP 1 nokey LEFT
        LMPOP 1 l UP
        RPUSH l p q r s t u v w
        BLPOP nokey l 0
        BRPOP nokey m 0
        BLMOVE m l RIGHT LEFT 0
        BRPOPLPUSH l m 0
        BLMPOP 0 2 nokey l LEFT COUNT 2
        BLMPOP 0 1 l RIGHT
        BLPOP l -1
        BLMPOP 0 1 l UP
        LTRIM l 0 1
        LTRIM nokey 0 1
        LRANGE l 0 -1
        LRANGE m 0 -1
        BLPOP nokey 0.01
        BRPOP nokey 0.01
        BLMOVE nokey l LEFT LEFT 0.01
        BRPOPLPUSH nokey l 0.01
        BLMPOP 0.01 1 nokey LEFT
        MULTI
        BLPOP nokey 0
        BRPOP nokey 0
        BLMOVE nokey l LEFT LEFT 0
        BRPOPLPUSH nokey l 0
        BLMPOP 0 1 nokey LEFT
        EXEC
        SET s x
        LPUSH s a
        LPOP s
        LRANGE s 0 -1
        LMPOP 1 s LEFT
        BLPOP s 0
        BLMOVE s l LEFT LEFT 0
    """))


# ---------------------------------------------------------------------------
# Property test: random command sequences give the same replies
# ---------------------------------------------------------------------------
# Each runs twice (`protocol_pair`): in RESP2, and in RESP3 with client-side
# caching on, so replies are compared with the invalidation pushes they bring.
_EXAMPLES = int(os.environ.get("PYREDIS_HYPOTHESIS_EXAMPLES", "50"))
_elem = st.sampled_from(["a", "b", "c", "1", "-2", "10", "", "xyz"])
_idx = st.integers(min_value=-8, max_value=8).map(str)
_side = st.sampled_from(["LEFT", "RIGHT"])
_key = st.sampled_from(["k", "k2"])
_ops = st.one_of(
    st.tuples(st.sampled_from(["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]), _key,
              _elem).map(list),
    st.tuples(st.sampled_from(["LPOP", "RPOP"]), _key).map(list),
    st.tuples(st.sampled_from(["LPOP", "RPOP"]), _key, st.integers(0, 4).map(str)).map(list),
    st.tuples(st.just("LINDEX"), _key, _idx).map(list),
    st.tuples(st.just("LSET"), _key, _idx, _elem).map(list),
    st.tuples(st.sampled_from(["LRANGE", "LTRIM"]), _key, _idx, _idx).map(list),
    st.tuples(st.just("LREM"), _key, _idx, _elem).map(list),
    st.tuples(st.just("LINSERT"), _key, st.sampled_from(["BEFORE", "AFTER"]), _elem,
              _elem).map(list),
    st.tuples(st.just("LPOS"), _key, _elem, st.sampled_from(["1", "-1", "2"]),
              st.integers(0, 3).map(str)).map(
        lambda t: [t[0], t[1], t[2], "RANK", t[3], "COUNT", t[4]]),
    # Without COUNT, LPOS replies one index or a null ($-1 / `_`).
    st.tuples(st.just("LPOS"), _key, _elem, st.sampled_from(["1", "-1", "2"])).map(
        lambda t: [t[0], t[1], t[2], "RANK", t[3]]),
    st.tuples(st.just("LMOVE"), _key, _key, _side, _side).map(list),
    st.tuples(st.just("LMPOP"), _side, st.integers(1, 3).map(str)).map(
        lambda t: ["LMPOP", "2", "k", "k2", t[1], "COUNT", t[2]]),
    st.tuples(st.just("LLEN"), _key).map(list),
)


@settings(max_examples=_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_ops, min_size=1, max_size=25))
def test_random_sequences_match_redis(protocol_pair, ops):
    pair = protocol_pair
    for conn in pair:
        conn.call("DEL", "k", "k2")
    mismatches = compare_script(pair, ops + [("LRANGE", "k", "0", "-1"),
                                             ("LRANGE", "k2", "0", "-1")])
    assert not mismatches, mismatches


# ---------------------------------------------------------------------------
# Notifications and propagation, checked inside one pyredis process
# ---------------------------------------------------------------------------
def test_events_and_propagation_in_process():
    """Event names as t_list.c fires them; LMPOP goes out as [LR]POP count."""
    got = run_commands("""
        RPUSH l a b c
        LPOP l
        LMPOP 1 l RIGHT COUNT 5
        RPUSH l a b
        LMOVE l m LEFT RIGHT
        RPOPLPUSH l m
        LTRIM m 5 1
    """)
    assert got["RPUSH l a b c"] == (["rpush"], [["RPUSH", "l", "a", "b", "c"]])
    assert got["LPOP l"] == (["lpop"], [["LPOP", "l"]])
    assert got["LMPOP 1 l RIGHT COUNT 5"] == (["rpop", "del"], [["RPOP", "l", "2"]])
    assert got["LMOVE l m LEFT RIGHT"] == (["rpush", "lpop"],
                                           [["LMOVE", "l", "m", "LEFT", "RIGHT"]])
    assert got["RPOPLPUSH l m"] == (["lpush", "rpop", "del"], [["RPOPLPUSH", "l", "m"]])
    assert got["LTRIM m 5 1"] == (["ltrim", "del"], [["LTRIM", "m", "5", "1"]])
