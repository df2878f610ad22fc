"""Keyspace commands (db.c) compared byte for byte with real Redis 7.0."""

import random

import pytest

from helpers.differential import assert_same, make_other_type, script_of

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
