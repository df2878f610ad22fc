"""Keyspace commands (db.c) compared byte for byte with real Redis 7.0."""

import os
import random

import pytest
from helpers.differential import (FAR_FUTURE_MS, FAR_FUTURE_S, assert_same, compare_clock_free,
                                  make_other_type, script_of)
from helpers.servers import Server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LLMAX = "9223372036854775807"
LLMIN = "-9223372036854775808"
_EXAMPLES = int(os.environ.get("PYREDIS_HYPOTHESIS_EXAMPLES", "50"))

SCRIPTS = {
    "del_exists_type": [
        "MSET a 1 b 2 c 3", "DEL a b nokey", "EXISTS a b c c nokey", "DEL", "EXISTS",
        "UNLINK c", "UNLINK", "TYPE b", "TYPE nokey", "TYPE", "TYPE a b", "DEL b b",
    ],
    "keys_dbsize_randomkey": [
        "RANDOMKEY", "DBSIZE", "MSET foo 1 fao 2 bar 3", "KEYS f?a", "KEYS [fb]o*",
        "KEYS nomatch", "DBSIZE", "DBSIZE x", "KEYS", "KEYS a b",
        "RANDOMKEY x", "DEL foo fao", "RANDOMKEY",
    ],
    "select": [
        "SELECT 0", "SELECT 15", "SELECT 16", "SELECT -1", "SELECT abc", "SELECT",
        "SELECT 1.5", "SELECT 9223372036854775808", "SELECT 2147483648", "SELECT 0",
    ],
    "move": [
        "SET k v", "MOVE k 1", "EXISTS k", "SELECT 1", "GET k", "MOVE k 1", "MOVE k 0",
        "MOVE k 0", "SET k v2", "SELECT 0", "MOVE k 1", "MOVE nokey 1", "MOVE k 16",
        "MOVE k -1", "MOVE k abc", "MOVE k", "SET e v", "EXPIRE e 100", "MOVE e 2",
        "SELECT 2", "TTL e", "SELECT 0",
    ],
    "copy": [
        "SET s v", "COPY s d", "GET d", "COPY s d", "COPY s d REPLACE", "COPY s d DB 1",
        "SELECT 1", "GET d", "SELECT 0", "COPY s d DB 1", "COPY s d DB 1 REPLACE",
        "COPY s s", "COPY s s DB 0", "COPY nokey d", "COPY s d DB 16", "COPY s d DB x",
        "COPY s d DB", "COPY s d FOO", "COPY s", "SET i 123", "COPY i j", "OBJECT ENCODING j",
        "EXPIRE s 100", "COPY s t", "TTL t", "COPY s d2 REPLACE DB 2",
        "SELECT 2", "TTL d2", "SELECT 0",
    ],
    "rename": [
        "SET a 1", "RENAME a b", "GET b", "EXISTS a", "RENAME a b", "RENAME b b", "RENAME nokey nokey",
        "SET c 3", "RENAMENX b c", "RENAMENX b d", "GET d", "RENAMENX d d",
        "RENAMENX nokey x", "EXPIRE d 100", "RENAME d e", "TTL e", "RENAME", "RENAME a",
        "SET f 1", "RENAME e f", "TTL f", "RENAMENX f f",
    ],
    "swapdb": [
        "SET a 0", "SELECT 1", "SET a 1", "SWAPDB 0 1", "GET a", "SELECT 0", "GET a",
        "SWAPDB 0 0", "SWAPDB 0 16", "SWAPDB -1 0", "SWAPDB a 0", "SWAPDB 0 b", "SWAPDB 0",
        "SWAPDB 1 0", "GET a",
    ],
    "flush": [
        "SET a 1", "SELECT 1", "SET b 1", "FLUSHDB", "DBSIZE", "SELECT 0", "DBSIZE",
        "FLUSHDB ASYNC", "FLUSHDB SYNC", "FLUSHDB FOO", "FLUSHDB SYNC ASYNC", "SET a 1",
        "FLUSHALL", "DBSIZE", "FLUSHALL ASYNC", "FLUSHALL sync", "FLUSHALL x", "FLUSHALL a b",
    ],
    "touch_object": [
        "SET a 1", "TOUCH a b a", "TOUCH", "OBJECT ENCODING a", "OBJECT ENCODING nokey",
        "SET s hello", "OBJECT ENCODING s", ("SET", "long", "x" * 44), "OBJECT ENCODING long",
        ("SET", "longer", "x" * 45), "OBJECT ENCODING longer", "SET i 12345678901234567890",
        "OBJECT ENCODING i", "SET neg -123", "OBJECT ENCODING neg", "SET z 0123",
        "OBJECT ENCODING z", "OBJECT REFCOUNT a", "OBJECT REFCOUNT s", "SET big 20000",
        "OBJECT REFCOUNT big", "OBJECT REFCOUNT nokey",
        "OBJECT IDLETIME nokey", "OBJECT FREQ a", "OBJECT FOO", "OBJECT", "OBJECT ENCODING",
        "OBJECT ENCODING a b", "OBJECT HELP x", "APPEND s x", "OBJECT ENCODING s",
        "SETRANGE i 0 1", "OBJECT ENCODING i", "INCR neg", "OBJECT ENCODING neg",
        "OBJECT help",
    ],
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_keyspace_script(pair, name):
    assert_same(pair, script_of(SCRIPTS[name]))


def test_object_idletime(pair):
    # IDLETIME counts whole seconds of an LRU clock each server ticks on its
    # own, so the two may straddle a second: compare the range, not the bytes.
    for conn in pair:
        assert conn.call("SET", "a", "1") == b"+OK\r\n"
        reply = conn.call("OBJECT", "IDLETIME", "a")
        assert reply in (b":0\r\n", b":1\r\n"), reply
        assert conn.call("OBJECT", "IDLETIME", "nokey") == b"$-1\r\n"


def test_object_help(pair):
    assert_same(pair, [("OBJECT", "HELP")])


def test_object_freq_with_lfu(pair):
    for conn in pair:
        conn.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
    try:
        # A fresh non-shared value: small integers are shared objects whose LRU
        # field was not set for LFU, so their FREQ is not meaningful to compare.
        assert_same(pair, script_of(["SET a hello", "OBJECT FREQ a", "OBJECT IDLETIME a"]))
    finally:
        for conn in pair:
            conn.call("CONFIG", "SET", "maxmemory-policy", "noeviction")


def test_wrong_type_keyspace(pair):
    make_other_type(pair, "other")
    assert_same(pair, script_of([
        "TYPE other", "COPY other o2", "TYPE o2", "RENAME other o3", "TYPE o3",
        "OBJECT ENCODING o3", "MOVE o3 1", "EXISTS o3",
    ]))


def test_keys_glob_semantics(pair):
    """KEYS with many patterns against a fixed key set must agree with Redis."""
    keys = ["a", "b", "ab", "abc", "aXc", "a*c", "a?c", "a[c", "a]c", "a\\c", "", "hello",
            "hallo", "hxllo", "hllo", "heeeello", "h\x00llo", "[", "]", "-", "^", "!x",
            "a-c", "a^c", "A", "Abc", "x\\y", "\\", "*", "?"]
    patterns = ["*", "?", "a*", "*c", "a?c", "a[bX]c", "a[^b]c", "a[!b]c", "a[a-z]c",
                "a[z-a]c", "a\\*c", "a\\?c", "a\\[c", "a[\\]]c", "a[", "a[b", "[", "]",
                "\\", "\\\\", "h[ae]llo", "h*llo", "h?llo", "h[^e]llo", "h[a-b]llo",
                "*\\", "a[-]c", "a[a-]c", "[-z]", "**", "*?*", "a\\", "[]]", "[!]]", "[^]",
                "a[\\", "x\\\\y", "[a-]", "?*?", "hel*o*", "a[b-c", "a[]c", "*[", "[\\-]",
                "*x*", "A*", "a*C", "h*ll[o", "?\\"]
    ours, theirs = pair
    for k in keys:
        ours.call("SET", k, "1")
        theirs.call("SET", k, "1")

    def parse(reply):
        parts = reply.split(b"\r\n")
        return sorted(parts[i] for i in range(2, len(parts) - 1, 2))

    for p in patterns:
        a, b = parse(ours.call("KEYS", p)), parse(theirs.call("KEYS", p))
        assert a == b, "KEYS %r: pyredis %r redis %r" % (p, a, b)


def test_stringmatchlen_brute():
    """util.stringmatchlen against a reference built from the Redis rules."""
    from pyredis.util import stringmatchlen
    cases = [
        (b"*", b"", True), (b"?", b"", False), (b"a*", b"abc", True), (b"a[bc]d", b"acd", True),
        (b"a[^bc]d", b"acd", False), (b"a[^bc]d", b"aed", True), (b"a[c-a]d", b"abd", True),
        (b"a\\*", b"a*", True), (b"a\\*", b"ab", False), (b"a[", b"a[", False),
        (b"*a*b*c*", b"xxaxxbxxcxx", True), (b"H*", b"hello", False),
    ]
    for pat, s, want in cases:
        assert stringmatchlen(pat, s) is want or bool(stringmatchlen(pat, s)) == want, (pat, s)
    assert stringmatchlen(b"H*", b"hello", nocase=True)


def _scan_all(conn, extra=(), mutate=None):
    cursor, seen = b"0", []
    rounds = 0
    while True:
        reply = conn.call("SCAN", cursor, *extra)
        lines = reply.split(b"\r\n")
        cursor = lines[2]
        seen.extend(lines[i] for i in range(5, len(lines) - 1, 2))
        rounds += 1
        if mutate:
            mutate(rounds)
        if cursor == b"0":
            return seen, rounds


def test_scan_guarantees(server):
    conn = server.raw()
    try:
        conn.call("SELECT", "3")
        conn.call("FLUSHDB")
        for i in range(1000):
            conn.call("SET", "key:%d" % i, "v")
        seen, _ = _scan_all(conn)
        assert set(seen) == {b"key:%d" % i for i in range(1000)}
        # Keys present from start to end must be returned even with churn.
        rnd = random.Random(1)

        def churn(n):
            for _ in range(30):
                conn.call("SET", "tmp:%d" % rnd.randint(0, 5000), "x")
            for _ in range(10):
                conn.call("DEL", "tmp:%d" % rnd.randint(0, 5000))
        seen, _ = _scan_all(conn, ("COUNT", "20"), churn)
        stable = {b"key:%d" % i for i in range(1000)}
        assert stable <= set(seen)
        seen, _ = _scan_all(conn, ("MATCH", "key:1*", "COUNT", "100"))
        assert set(seen) == {k for k in stable if k.startswith(b"key:1")}
        seen, _ = _scan_all(conn, ("TYPE", "string"))
        assert stable <= set(seen)
        seen, _ = _scan_all(conn, ("TYPE", "list"))
        assert seen == []
    finally:
        conn.call("FLUSHDB")
        conn.close()


def test_scan_errors(pair):
    assert_same(pair, script_of([
        "SCAN", "SCAN abc", "SCAN -1", "SCAN 0 COUNT 0", "SCAN 0 COUNT -1", "SCAN 0 COUNT x",
        "SCAN +0", "SCAN -0", "SCAN +", "SCAN -", ("SCAN", ""), ("SCAN", " 0"),
        ("SCAN", "0 "), "SCAN -18446744073709551616", "SCAN 0 MATCH", "SCAN 0 FOO",
        "SCAN 0 COUNT", "SCAN 18446744073709551615",
        "SCAN 18446744073709551616", "SCAN 0 TYPE", "SCAN 0 TYPE nosuchtype",
        "SET a 1", "SCAN 0 MATCH a", "SCAN 0 MATCH b COUNT 10 TYPE string",
        "SCAN 0 TYPE STRING", "SCAN 0 MATCH a MATCH a",
    ]))


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_keyspace_script_resp3(pair, name):
    for conn in pair:
        conn.call("HELLO", "3")
    assert_same(pair, script_of(SCRIPTS[name]))


# ---------------------------------------------------------------------------
# Property test: keyspace and expire commands over mixed types and two dbs
# ---------------------------------------------------------------------------
# Eight key names at most (so SCAN's default COUNT 10 sees the whole db in
# one call, cursor 0, on both servers), of every type, in dbs 0 and 1; "new"
# starts missing (RENAME/COPY/MOVE to it, commands on a missing key).
#
# Expire times: each server reads its own clock, a few milliseconds apart
# from the other. So TTL/PTTL are compared by sign, EXPIRETIME by value only
# for the far-future absolute times (helpers.differential.clock_free), and
# GT/LT are never given a positive relative time: "EXPIRE k 100" twice, the
# second with GT, succeeds or not depending on whether a millisecond passed
# between the two. GT/LT do get absolute times (past and far future), zero and
# negative relative ones, and invalid ones: all of those are deterministic.
# KEYS and SCAN list keys in dict bucket order, which differs: compared sorted.
_kkeys = st.sampled_from(["a", "a", "b", "c", "l", "h", "s", "z", "new"])
_rel_pos = st.sampled_from(["100", "100000", "1000000"])
# Never a valid positive time in the command's unit: "9223372036854775" is
# an overflow (once made milliseconds and added to now) for EXPIRE, but a
# plain 292,000 years for PEXPIRE, so it goes to EXPIRE only.
_common_other = ["0", "-1", "-100", "1.5", "x", "", LLMAX, LLMIN, "-9223372036854775"]
_rel_other_s = st.sampled_from(_common_other + ["9223372036854775", "9223372036854776"])
_rel_other_ms = st.sampled_from(_common_other + ["9223372036854775000"])
_abs_s = st.sampled_from(FAR_FUTURE_S + ("1", "0", "-1", "1000", LLMAX, LLMIN,
                                         "9223372036854775", "x"))
_abs_ms = st.sampled_from(FAR_FUTURE_MS + FAR_FUTURE_S + ("1", "0", "-1", LLMAX, LLMIN, "x"))
_nxxx = st.lists(st.sampled_from(["NX", "XX", "nx"]), max_size=2)
_flags = st.lists(st.sampled_from(["NX", "XX", "GT", "LT", "gt", "FOO"]), max_size=2)
_expire_ops = st.one_of(
    st.tuples(st.sampled_from(["EXPIRE", "PEXPIRE"]), _kkeys, _rel_pos, _nxxx),
    st.tuples(st.just("EXPIRE"), _kkeys, _rel_other_s, _flags),
    st.tuples(st.just("PEXPIRE"), _kkeys, _rel_other_ms, _flags),
    st.tuples(st.just("EXPIREAT"), _kkeys, _abs_s, _flags),
    st.tuples(st.just("PEXPIREAT"), _kkeys, _abs_ms, _flags),
).map(lambda t: (t[0], t[1], t[2]) + tuple(t[3]))
_patterns = st.sampled_from(["*", "?", "[ab]*", "*a*", "[^a]", "nokey", "[a-c]", "h*", ""])
_types = st.sampled_from(["string", "list", "hash", "set", "zset", "stream", "nosuch", "LIST"])
_ks_ops = st.one_of(
    _expire_ops, _expire_ops, _expire_ops,
    st.tuples(st.sampled_from(["PERSIST", "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "TYPE",
                               "GET"]), _kkeys),
    st.tuples(st.sampled_from(["DEL", "UNLINK", "EXISTS", "TOUCH"]),
              st.lists(_kkeys, min_size=1, max_size=4)).map(lambda t: (t[0],) + tuple(t[1])),
    st.tuples(st.sampled_from(["RENAME", "RENAMENX"]), _kkeys, _kkeys),
    st.tuples(_kkeys, _kkeys, st.sampled_from([(), ("REPLACE",), ("DB", "1"), ("DB", "0"),
                                               ("DB", "1", "REPLACE"), ("DB", "16"),
                                               ("DB", "x"), ("DB",), ("FOO",)])).map(
        lambda t: ("COPY", t[0], t[1]) + t[2]),
    st.tuples(_kkeys, st.sampled_from(["0", "1", "16", "-1", "x"])).map(
        lambda t: ("MOVE",) + t),
    st.sampled_from([("SELECT", "0"), ("SELECT", "1"), ("SELECT", "16"), ("DBSIZE",),
                     ("RANDOMKEY",), ("SWAPDB", "0", "1"), ("OBJECT", "IDLETIME", "nokey"),
                     ("OBJECT", "FOO", "a"), ("SET", "a", "1"), ("SET", "b", "x" * 50),
                     ("SET", "c", "v", "EXAT", FAR_FUTURE_S[0]), ("RPUSH", "l", "x"),
                     # Logically expired until something looks the key up.
                     ("SET", "c", "v", "PXAT", "1"), ("SET", "a", "1", "EXAT", "1"),
                     ("HSET", "h", "f", "v"), ("SADD", "s", "m"), ("SADD", "s", "1"),
                     ("ZADD", "z", "1", "m"), ("LPUSH", "a", "x"), ("SET", "l", "v", "GET")]),
    st.tuples(st.sampled_from(["ENCODING", "REFCOUNT", "FREQ"]), _kkeys).map(
        lambda t: ("OBJECT",) + t),
    _patterns.map(lambda p: ("KEYS", p)),
    st.tuples(st.sampled_from([(), ("MATCH",), ("COUNT", "10"), ("COUNT", "100"),
                               ("COUNT", "0"), ("TYPE",)]),
              st.one_of(st.just(()), _patterns.map(lambda p: ("MATCH", p))),
              st.one_of(st.just(()), _types.map(lambda t: ("TYPE", t)))).map(
        lambda t: ("SCAN", "0") + t[0] + t[1] + t[2]),
)
_SEED = [("SET", "a", "1"), ("SET", "b", "hello"), ("RPUSH", "l", "x", "y"),
         ("HSET", "h", "f", "v"), ("SADD", "s", "m"), ("ZADD", "z", "1", "m"),
         ("SELECT", "1"), ("SET", "a", "db1"), ("SELECT", "0")]
_KS_FINAL = ([("SELECT", "0"), ("DBSIZE",), ("KEYS", "*")]
             + [(cmd, k) for k in ("a", "b", "c", "l", "h", "s", "z", "new")
                for cmd in ("TYPE", "PEXPIRETIME", "TTL")]
             + [("SELECT", "1"), ("DBSIZE",), ("KEYS", "*"), ("PEXPIRETIME", "a")])


@pytest.fixture(scope="module")
def debug_pair(real_redis):
    """A pyredis and a real Redis that accept DEBUG from loopback, with
    active expiry off: keys already expired stay in the dict until looked
    up, on both, so DBSIZE counts them and no cron cycle removes them in
    between two commands."""
    servers = []
    try:
        for kind in ("pyredis", "redis"):
            servers.append(Server(kind, args=("--enable-debug-command", "local")))
        conns = tuple(s.raw() for s in servers)
        for conn in conns:
            assert conn.call("DEBUG", "SET-ACTIVE-EXPIRE", "0") == b"+OK\r\n"
        yield conns
        for conn in conns:
            conn.close()
    finally:
        for s in servers:
            s.stop()


@pytest.mark.parametrize("proto", [2, 3])
@settings(max_examples=_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(_ks_ops, min_size=1, max_size=25))
def test_random_sequences_match_redis(debug_pair, proto, ops):
    pair = debug_pair
    for conn in pair:
        conn.call("HELLO", str(proto))
        conn.call("SELECT", "0")
        conn.call("FLUSHALL")
    mismatches = compare_clock_free(pair, _SEED + ops + _KS_FINAL)
    assert not mismatches, mismatches


# Regressions the property test found, reduced.
def test_copy_of_shared_integer_is_private(pair):
    """Redis shares the integers 0..9999 (OBJECT REFCOUNT 2147483647), but
    COPY's dupStringObject gives the copy its own object (refcount 1) until
    INCR makes it a shared integer again; out of range it is private anyway."""
    assert_same(pair, script_of([
        "SET a 5", "COPY a b", "OBJECT REFCOUNT a", "OBJECT REFCOUNT b", "OBJECT ENCODING b",
        "INCR b", "OBJECT REFCOUNT b", "COPY a c", "INCRBY c 20000", "OBJECT REFCOUNT c",
        "DECRBY c 20000", "OBJECT REFCOUNT c", "SET d 20000", "COPY d e", "OBJECT REFCOUNT e",
        "COPY a f DB 1", "SELECT 1", "OBJECT REFCOUNT f", "SELECT 0",
    ]))


def test_integers_made_under_lru_policy_stay_private(pair):
    """With maxmemory and an LRU/LFU policy every value needs its own LRU
    field, so SET, MSET and INCR make private integers; they stay private
    (refcount 1) after the policy changes back, while integers made before
    stay shared."""
    for conn in pair:
        conn.call("CONFIG", "SET", "maxmemory", "1000000000")
    try:
        assert_same(pair, script_of([
            "SET old 7", "CONFIG SET maxmemory-policy allkeys-lru", "OBJECT REFCOUNT old",
            "SET a 7", "MSET b 8",
            "SET c 9998", "INCR c", "SETEX d 100 5", "OBJECT REFCOUNT a", "OBJECT REFCOUNT b",
            "OBJECT REFCOUNT c", "OBJECT REFCOUNT d", "CONFIG SET maxmemory-policy noeviction",
            "OBJECT REFCOUNT a", "OBJECT REFCOUNT b", "OBJECT REFCOUNT c", "OBJECT REFCOUNT d",
            "OBJECT REFCOUNT old", "INCR a", "OBJECT REFCOUNT a", "SET e 7",
            "OBJECT REFCOUNT e",
        ]))
    finally:
        for conn in pair:
            conn.call("CONFIG", "SET", "maxmemory-policy", "noeviction")
            conn.call("CONFIG", "SET", "maxmemory", "0")


def test_copy_restarts_lfu_counter(pair):
    """A copy is a new object: its LFU counter starts at LFU_INIT_VAL (5),
    whatever the source's, for every type."""
    ours, theirs = pair
    setup = script_of(["SET str hello", "SET int 123", "RPUSH list a", "HSET hash f v",
                       "SADD set a", "ZADD zset 1 a"])
    assert_same(pair, setup)
    payloads = {}
    for key in ("str", "int", "list", "hash", "set", "zset"):
        reply = theirs.call("DUMP", key)
        payloads[key] = reply.split(b"\r\n", 1)[1][:-2]
    for conn in pair:
        conn.call("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
    try:
        script = []
        for key, payload in payloads.items():
            script += [("RESTORE", key + "-hot", "0", payload, "FREQ", "100"),
                       ("OBJECT", "FREQ", key + "-hot"), ("COPY", key + "-hot", key + "-copy"),
                       ("OBJECT", "FREQ", key + "-copy")]
        assert_same(pair, script)
    finally:
        for conn in pair:
            conn.call("CONFIG", "SET", "maxmemory-policy", "noeviction")


def test_expired_keys_count_in_dbsize_until_looked_up(debug_pair):
    """With active expiry off, a key SET with a past PXAT stays in the dict:
    DBSIZE counts it and KEYS hides it without deleting it; SCAN, TYPE and
    the other lookups delete it."""
    for conn in debug_pair:
        conn.call("HELLO", "2")
        conn.call("SELECT", "0")
        conn.call("FLUSHALL")
    assert_same(debug_pair, script_of([
        "SET a 1 PXAT 1", "SET b 2 EXAT 1", "SET c 3", "DBSIZE", "KEYS *", "DBSIZE", "SCAN 0",
        "DBSIZE", "SET a 1 PXAT 1", "TYPE a", "DBSIZE", "SET a 1 PXAT 1", "SET a 2 KEEPTTL",
        "TTL a", "DBSIZE", "SET a 1 PXAT 1", "RENAME a x", "COPY a y", "MOVE a 1", "DBSIZE",
        "SET a 1 PXAT 1", "SWAPDB 0 1", "SELECT 1", "DBSIZE", "KEYS *", "EXISTS a", "DBSIZE",
        "SELECT 0",
    ]))


def test_scan_cursor_with_thousands_of_digits(pair):
    """strtoul reads any number of digits: past 2**64-1 it is "invalid
    cursor", leading zeros are fine. pyredis converted them with int(),
    which refuses more than 4300 digits ("ERR internal error")."""
    nines, zeros = "9" * 5000, "0" * 5000
    assert_same(pair, [
        ("SCAN", nines), ("SCAN", "-" + nines), ("SCAN", zeros), ("SCAN", "+" + zeros),
        ("SCAN", zeros + "1"), ("SCAN", zeros + "18446744073709551616"),
        ("HSET", "h", "f", "v"), ("HSCAN", "h", nines), ("HSCAN", "h", zeros),
        ("SET", "k", "v"), ("SCAN", zeros, "MATCH", "k"),
    ])


def test_integers_loaded_under_lru_policy_are_private(debug_pair):
    """Loading an RDB under maxmemory with an LRU policy makes private
    integers (refcount 1); without the policy they load shared."""
    pair = debug_pair
    for conn in pair:
        conn.call("FLUSHALL")
    try:
        assert_same(pair, script_of([
            "SET small 7", "SET big 123456", "DEBUG RELOAD", "OBJECT REFCOUNT small",
            "OBJECT REFCOUNT big", "CONFIG SET maxmemory 1000000000",
            "CONFIG SET maxmemory-policy allkeys-lru", "OBJECT REFCOUNT small", "DEBUG RELOAD",
            "OBJECT REFCOUNT small", "OBJECT REFCOUNT big", "CONFIG SET maxmemory-policy noeviction",
            "OBJECT REFCOUNT small",
        ]))
    finally:
        for conn in pair:
            conn.call("CONFIG", "SET", "maxmemory-policy", "noeviction")
            conn.call("CONFIG", "SET", "maxmemory", "0")
            conn.call("FLUSHALL")


def test_randomkey_sees_every_live_key(r):
    """RANDOMKEY draws from a snapshot of the keys (amortized O(1)): keys
    added after the snapshot must still come up, deleted ones never."""
    r.mset({"k%d" % i: i for i in range(200)})
    for _ in range(50):                      # the snapshot is taken by now
        assert r.randomkey() is not None
    r.set("fresh", 1)
    seen = set()
    for _ in range(5000):
        seen.add(r.randomkey())
        if b"fresh" in seen:
            break
    assert b"fresh" in seen
    r.delete(*["k%d" % i for i in range(190)])
    picks = {r.randomkey() for _ in range(300)}
    assert picks <= {b"fresh"} | {b"k%d" % i for i in range(190, 200)}
    assert len(picks) > 5
    r.flushdb()
    assert r.randomkey() is None
