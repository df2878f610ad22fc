"""String commands compared byte for byte with real Redis 7.0 (t_string.c)."""

import os
import random

import pytest
from helpers.differential import (FAR_FUTURE_MS, FAR_FUTURE_S, assert_same, compare_clock_free,
                                  make_other_type, script_of)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LLMAX = "9223372036854775807"
LLMIN = "-9223372036854775808"

SCRIPTS = {
    "set_get_basic": [
        "SET k v", "GET k", "GET nokey", "SET k v2", "GET k", "SET", "SET k", "GET",
        "GET a b", "SET k v extra",
        ("SET", "", ""), ("GET", ""), ("SET", "bin\r\nkey\x00", "val\x00\r\n"),
        ("GET", "bin\r\nkey\x00"),
    ],
    "set_options": [
        "SET k v NX", "SET k v NX", "SET k w XX", "GET k", "SET nx1 v XX", "GET nx1",
        "SET k v NX XX", "SET k v XX NX", "SET k v EX 10", "TTL k", "SET k v PX 10000",
        "SET k v EX 10 PX 10", "SET k v EX 0", "SET k v EX -1", "SET k v PX 0",
        "SET k v EX abc", "SET k v EX", "SET k v PX", "SET k v EXAT", "SET k v KEEPTTL",
        "TTL k", "SET k v EX 100 KEEPTTL", "SET k v KEEPTTL EX 100", "SET k v EX 100",
        "SET k v2 KEEPTTL", "TTL k", "SET k v3", "TTL k", "SET k v GET", "SET k v4 GET",
        "SET k v NX GET", "SET newk v NX GET", "SET k v XX GET", "SET k v FOO",
        "SET k v ex 10 nx", "SET k v EX 1.5", "SET k v EX 9223372036854775807",
        "SET k v EX 9223372036854775", "SET k v EX 9223372036854776",
        "SET k v PX 9223372036854775807", "SET k v EXAT 9223372036854775807",
        "SET k v PXAT 9223372036854775807", "SET k v PXAT 1", "EXISTS k",
        "SET k v EXAT 1", "EXISTS k", "SET k v EXAT 99999999999 PXAT 1",
        "SET k v PERSIST", "SET k v GET GET", "SET k v NX NX", "SET k v EX 10 EX 10",
        "SET k v KEEPTTL KEEPTTL", "SET k v PX 100 KEEPTTL", "SET k v EXAT 0",
        "SET k v PXAT -5", "SET k v EX 10 GET", "GET k", "SET k v XX EX 10 GET",
    ],
    "setnx_setex_psetex": [
        "SETNX k v", "SETNX k w", "GET k", "SETNX k", "SETEX k 10 v", "TTL k",
        "SETEX k 0 v", "SETEX k -10 v", "SETEX k abc v", "SETEX k 10", "PSETEX k 100000 v",
        "PSETEX k 0 v", "PSETEX k x v", "SETEX k 9223372036854775807 v",
        "PSETEX k 9223372036854775807 v", "GET k",
    ],
    "getset_getdel_getex": [
        "GETSET k v", "GETSET k w", "GETSET k", "GETDEL k", "GETDEL k", "GETDEL",
        "SET k v", "GETEX k", "GETEX k EX 100", "TTL k", "GETEX k PERSIST", "TTL k",
        "GETEX k PX 100000", "TTL k", "GETEX k EX 0", "GETEX k EX -1", "GETEX k EX abc",
        "GETEX k EX", "GETEX k EX 10 PX 10", "GETEX k PERSIST EX 10", "GETEX k FOO",
        "GETEX k KEEPTTL", "GETEX nokey EX 10", "GETEX nokey", "GETEX k EXAT 1", "EXISTS k",
        "SET k v", "GETEX k PXAT 1", "EXISTS k", "GETEX", "SET k v",
        "GETEX k EXAT 9223372036854775807", "GETEX k NX", "GETEX k PERSIST PERSIST",
    ],
    "mset_mget_msetnx": [
        "MSET a 1 b 2", "MGET a b c", "MSET a", "MSET a 1 b", "MSET", "MGET",
        "MSETNX a 1 c 3", "MGET a c", "MSETNX c 3 d 4", "MGET c d", "MSETNX x", "MSETNX x 1 y",
        "MSET a 1 a 2", "GET a",
    ],
    "append_strlen": [
        "APPEND k hello", "APPEND k world", "GET k", "STRLEN k", "STRLEN nokey", "SET n 123",
        "APPEND n 45", "GET n", "OBJECT ENCODING n", "STRLEN n", "SET m 12345",
        "STRLEN m", "APPEND", "APPEND k", "STRLEN", ("APPEND", "e", ""), "GET e", "EXISTS e",
    ],
    "incr_decr": [
        "INCR k", "INCR k", "INCRBY k 10", "DECR k", "DECRBY k 5", "GET k",
        "INCRBY k -100", "DECRBY k -3", "SET k " + LLMAX, "INCR k", "INCRBY k 1",
        "SET k " + LLMIN, "DECR k", "DECRBY k 1", "INCRBY k -1", "SET k 10",
        "DECRBY k " + LLMIN, "INCRBY k " + LLMAX, "INCRBY k 9223372036854775808",
        "SET k abc", "INCR k", "SET k 1.5", "INCR k", "SET k ' 1'", ("SET", "k", " 1"),
        "INCR k", ("SET", "k", "1 "), "INCR k", "SET k +1", "INCR k", "SET k 01", "INCR k",
        "SET k -0", "INCR k", "SET k 9223372036854775808", "INCR k", "INCRBY k abc",
        "INCRBY k", "INCR", "INCR a b", "DECRBY k", "INCRBY n 1.0", "INCRBY n ''",
        ("INCRBY", "n", ""), ("SET", "big", "1" * 30), "INCR big", "SET k 0", "DECR k",
        "GET k", "OBJECT ENCODING k",
    ],
    "incrbyfloat": [
        "INCRBYFLOAT k 0.1", "INCRBYFLOAT k 0.2", "GET k", "INCRBYFLOAT k 1e308",
        "INCRBYFLOAT k 1e308", "GET k", "SET k 1.5", "INCRBYFLOAT k 1", "INCRBYFLOAT k -2.5",
        "GET k", "INCRBYFLOAT k 10.50", "INCRBYFLOAT k 5.0e3", "INCRBYFLOAT k 1e-10",
        "GET k", "INCRBYFLOAT k abc", "INCRBYFLOAT k nan", "INCRBYFLOAT k inf",
        "INCRBYFLOAT k -inf", "INCRBYFLOAT k ''", ("INCRBYFLOAT", "k", ""),
        ("INCRBYFLOAT", "k", " 1"), ("INCRBYFLOAT", "k", "1 "), "INCRBYFLOAT k 0x10",
        "SET k abc", "INCRBYFLOAT k 1", "SET k 5", "INCRBYFLOAT k 3", "GET k",
        "OBJECT ENCODING k", "SET k 3.0", "INCRBYFLOAT k 0", "GET k",
        "SET k 1e5", "INCRBYFLOAT k 1", "SET k 0.0000001", "INCRBYFLOAT k 0",
        "SET k 17179869184", "INCRBYFLOAT k 1.5", "SET k 1.7976931348623157e308",
        "INCRBYFLOAT k 1.7976931348623157e308", "INCRBYFLOAT k -1e400",
        "SET k 12345678901234567890", "INCRBYFLOAT k 1", "INCRBYFLOAT k 0.333333333333333333",
        "INCRBYFLOAT k 1.1e-30", "INCRBYFLOAT x 3.14159265358979323846",
        "INCRBYFLOAT y -0.0", "GET y", "INCRBYFLOAT z 1e17", "INCRBYFLOAT z 1",
        "INCRBYFLOAT w 1e-17", "INCRBYFLOAT", "INCRBYFLOAT k",
        "INCRBYFLOAT q 123456789.123456789", "INCRBYFLOAT q2 .5", "INCRBYFLOAT q3 5.",
        "INCRBYFLOAT q4 1E3", "INCRBYFLOAT q5 +3", "INCRBYFLOAT q6 0.1e-400",
    ],
    "getrange_setrange": [
        "SET k Hello", "GETRANGE k 0 -1", "GETRANGE k 0 0", "GETRANGE k -1 -1",
        "GETRANGE k -100 -1", "GETRANGE k 1 100", "GETRANGE k 3 1", "GETRANGE k -1 -5",
        "GETRANGE k 5 10", "GETRANGE k 10 20", "GETRANGE k -3 -100", "GETRANGE k a 1",
        "GETRANGE k 0", "GETRANGE nokey 0 -1", "GETRANGE k 0 " + LLMAX,
        "GETRANGE k " + LLMIN + " " + LLMAX, "SUBSTR k 1 3", "SET n 12345",
        "GETRANGE n 1 2", "SETRANGE k 1 XY", "GET k", "SETRANGE k 10 Z", "GET k",
        "STRLEN k", "SETRANGE k -1 a", "SETRANGE nk 0 ''", ("SETRANGE", "nk", "5", ""),
        "EXISTS nk", "SETRANGE nk2 3 abc", "GET nk2", "SETRANGE n 0 9", "GET n",
        "OBJECT ENCODING n", "SETRANGE k 536870912 a",
        "SETRANGE k 9999999999 a", ("SETRANGE", "k", "536870912", ""), "SETRANGE k x a",
        "SETRANGE k 0", "STRLEN k", ("SET", "e", ""), "GETRANGE e 0 -1", "GETRANGE e -1 0",
        "GETRANGE k 0 -100",
    ],
    "lcs": [
        "MSET a ohmytext b mynewtext", "LCS a b", "LCS a b LEN", "LCS a b IDX",
        "LCS a b IDX MINMATCHLEN 4", "LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN",
        "LCS a b IDX WITHMATCHLEN", "LCS a b LEN IDX", "LCS a b MINMATCHLEN",
        "LCS a b MINMATCHLEN x", "LCS a b MINMATCHLEN -1 IDX", "LCS a b FOO",
        "LCS a nokey", "LCS nokey1 nokey2", "LCS nokey1 nokey2 IDX", "LCS a", "LCS",
        "LCS a b LEN WITHMATCHLEN", "LCS a b WITHMATCHLEN", "LCS a a IDX WITHMATCHLEN",
        "SET n 1234", "SET m 2341", "LCS n m IDX WITHMATCHLEN", "LCS a b idx len",
    ],
    "setbit_family_absent_or_present": [
        "SET k v", "STRLEN k",
    ],
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_string_script(pair, name):
    assert_same(pair, script_of(SCRIPTS[name]))


def test_lcs_random_strings(pair):
    rnd = random.Random(7)
    script = []
    for i in range(40):
        a = "".join(rnd.choice("abcd") for _ in range(rnd.randint(0, 40)))
        b = "".join(rnd.choice("abcd") for _ in range(rnd.randint(0, 40)))
        script.append(("MSET", "a", a, "b", b))
        script.append(("LCS", "a", "b"))
        script.append(("LCS", "a", "b", "LEN"))
        script.append(("LCS", "a", "b", "IDX", "WITHMATCHLEN"))
        script.append(("LCS", "a", "b", "IDX", "MINMATCHLEN", str(rnd.randint(0, 4))))
    assert_same(pair, script)


def test_incrbyfloat_random(pair):
    rnd = random.Random(3)
    script = []
    for i in range(150):
        kind = rnd.randint(0, 3)
        if kind == 0:
            v = "%.*g" % (rnd.randint(1, 20), rnd.uniform(-1e6, 1e6))
        elif kind == 1:
            v = "%de%d" % (rnd.randint(-99, 99), rnd.randint(-30, 30))
        elif kind == 2:
            v = str(rnd.randint(-10**12, 10**12))
        else:
            v = "0.%d" % rnd.randint(0, 10**9)
        script.append(("INCRBYFLOAT", "f%d" % (i % 7), v))
    assert_same(pair, script)


def test_wrong_type(pair):
    make_other_type(pair, "other")
    assert_same(pair, script_of([
        "GET other", "SET other v GET", "GETSET other v", "APPEND other x", "STRLEN other",
        "INCR other", "INCRBYFLOAT other 1", "GETRANGE other 0 1", "SETRANGE other 0 x",
        "GETDEL other", "GETEX other", "MGET other", "LCS other other", "SETNX other x",
        "DECRBY other 1", "TYPE other", "SET other v", "GET other",
    ]))


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_string_script_resp3(pair, name):
    from helpers.differential import mask_hello_id
    for conn in pair:
        conn.call("HELLO", "3")
    assert_same(pair, script_of(SCRIPTS[name]), normalize=mask_hello_id)


def test_random_ranges_appends_and_lcs(pair):
    """SETRANGE/GETRANGE/APPEND/INCRBYFLOAT/LCS mixed on a few keys, random but seeded."""
    rnd = random.Random(9)
    script = []
    for _ in range(400):
        k = rnd.choice("abc")
        op = rnd.randint(0, 4)
        if op == 0:
            val = "".join(rnd.choice("xyz\x00") for _ in range(rnd.randint(0, 6)))
            script.append(("SETRANGE", k, str(rnd.randint(-2, 40)), val))
        elif op == 1:
            script.append(("GETRANGE", k, str(rnd.randint(-50, 50)), str(rnd.randint(-50, 50))))
        elif op == 2:
            opts = rnd.choice([(), ("LEN",), ("IDX",), ("IDX", "WITHMATCHLEN"),
                               ("IDX", "MINMATCHLEN", str(rnd.randint(0, 5)), "WITHMATCHLEN")])
            script.append(("LCS", "a", "b") + opts)
        elif op == 3:
            script.append(("APPEND", k, rnd.choice(["x", "yz", "12"])))
        else:
            script.append(("INCRBYFLOAT", k, rnd.choice(["1", "0.1", "-3.7", "1e3"])))
    assert_same(pair, script)


# ---------------------------------------------------------------------------
# Property test: random command sequences on a few string keys, both servers
# ---------------------------------------------------------------------------
# "a", "b" and "c" hold short strings (LCS reads them: its table is
# len(a) * len(b) cells, so they stay small); "big" alone gets the large
# SETRANGE offsets; "l" is a list, for WRONGTYPE. Relative expire times are
# read from each server's own clock a few milliseconds apart, so replies
# carrying them (TTL, PTTL, EXPIRETIME after EX) are compared by sign only
# (helpers.differential.clock_free); absolute far-future EXAT/PXAT times and
# past ones (the key is then gone for every later lookup) are deterministic
# and compared exactly.
# GT/LT-style races cannot arise here: nothing compares two relative times.
_EXAMPLES = int(os.environ.get("PYREDIS_HYPOTHESIS_EXAMPLES", "50"))
_skeys = st.sampled_from(["a", "a", "b", "c", "l", "nokey"])
_svalues = st.sampled_from([
    "", "0", "1", "-1", "7", "9999", "10000", "123456", LLMAX, LLMIN, "9223372036854775808",
    "-0", "01", " 1", "1 ", "+1", "1.5", "3.0", "1e3", "1e308", "inf", "0x10", "abc", "hello",
    "x" * 44, "y" * 45, "a\x00b", "12345678901234567890", "17179869184",
])
_ex_rel = st.sampled_from(["0", "-1", "100", "100000", "1.5", "abc", "", LLMAX,
                           "9223372036854775", "9223372036854776", "4611686018427387"])
_px_rel = st.sampled_from(["0", "-1", "100000", "100000000", "1.5", "x", LLMAX, LLMIN,
                           "9223372036854775000"])
_exat = st.sampled_from(FAR_FUTURE_S + ("1", "0", "-1", "1.5", LLMAX, "9223372036854775"))
_pxat = st.sampled_from(FAR_FUTURE_MS + ("1", "0", "-1", "x", LLMAX))
_expire_opt = st.one_of(
    st.tuples(st.sampled_from(["EX", "ex"]), _ex_rel),
    st.tuples(st.just("PX"), _px_rel),
    st.tuples(st.sampled_from(["EXAT", "exat"]), _exat),
    st.tuples(st.just("PXAT"), _pxat),
)
_set_opt = st.one_of(
    st.sampled_from([("NX",), ("XX",), ("GET",), ("KEEPTTL",), ("get",), ("nx",),
                     ("PERSIST",), ("EX",), ("FOO",)]),
    _expire_opt, _expire_opt,
)
_getex_opt = st.one_of(st.sampled_from([("PERSIST",), ("persist",), ("KEEPTTL",), ("NX",),
                                        ("PX",)]),
                       _expire_opt, _expire_opt)


def _flat(opts):
    return tuple(x for o in opts for x in o)


_int_arg = st.sampled_from(["1", "-1", "0", "10", "-100", LLMAX, LLMIN, "9223372036854775808",
                            "1.5", "x", "", " 1"])
_float_arg = st.sampled_from(["1", "0.1", "-1.5", "1e308", "-1e308", "1.7976931348623157e308",
                              "1e-5", "3.0e2", "5.", ".5", "1E3", "-0", "inf", "nan", "x",
                              "", "0x10", "1e400", "123456789.123456789",
                              # Long double range: the stored result has 4933 digits.
                              "1e4932", "-1e4932", "1.18973149535723176502e+4932",
                              # Hex literals (strtold reads them), exponents far out.
                              "0x1p16383", "0x1.00000000000001p0", "0x1p-16446", "0x.8",
                              "1e999999999", "1e-999999999", "0e999999999"])
_index = st.sampled_from(["0", "1", "3", "-1", "-3", "-100", "100", "44", LLMAX, LLMIN,
                          "x", "1.5"])
_offset = st.sampled_from(["0", "1", "3", "10", "44", "-1", "x", "536870912",
                           "9999999999", "4294967296"])
_lcs_opts = st.lists(st.sampled_from([("LEN",), ("IDX",), ("WITHMATCHLEN",),
                                      ("MINMATCHLEN", "0"), ("MINMATCHLEN", "2"),
                                      ("MINMATCHLEN", "-1"), ("MINMATCHLEN", "x"),
                                      ("MINMATCHLEN",), ("idx",), ("FOO",)]),
                     max_size=3).map(_flat)
_str_ops = st.one_of(
    st.tuples(_skeys, _svalues, st.lists(_set_opt, max_size=3).map(_flat)).map(
        lambda t: ("SET", t[0], t[1]) + t[2]),
    st.tuples(_skeys, _svalues, st.lists(_set_opt, max_size=3).map(_flat)).map(
        lambda t: ("SET", t[0], t[1]) + t[2]),
    st.tuples(st.sampled_from(["GET", "GETDEL", "STRLEN", "INCR", "DECR", "TYPE", "EXISTS",
                               "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "PERSIST"]),
              _skeys),
    st.tuples(_skeys, st.lists(_getex_opt, max_size=2).map(_flat)).map(
        lambda t: ("GETEX", t[0]) + t[1]),
    st.tuples(st.sampled_from(["GETSET", "SETNX", "APPEND"]), _skeys, _svalues),
    st.tuples(st.sampled_from(["SETEX"]), _skeys, _ex_rel, _svalues),
    st.tuples(st.sampled_from(["PSETEX"]), _skeys, _px_rel, _svalues),
    st.tuples(st.sampled_from(["MSET", "MSETNX"]),
              st.lists(st.tuples(_skeys, _svalues), min_size=1, max_size=3).map(_flat)).map(
        lambda t: (t[0],) + t[1]),
    st.sampled_from([("MSET", "a"), ("MSETNX", "a", "1", "b")]),
    st.lists(_skeys, min_size=1, max_size=4).map(lambda ks: ("MGET",) + tuple(ks)),
    st.tuples(st.sampled_from(["INCRBY", "DECRBY"]), _skeys, _int_arg),
    st.tuples(_skeys, _float_arg).map(lambda t: ("INCRBYFLOAT",) + t),
    st.tuples(st.sampled_from(["GETRANGE", "SUBSTR"]), _skeys, _index, _index),
    st.tuples(_skeys, _offset, _svalues).map(lambda t: ("SETRANGE",) + t),
    # Past the end of a big string, still well under a megabyte.
    st.tuples(st.sampled_from(["0", "65536", "100000", "1000000"]),
              st.sampled_from(["", "z", "xyz"])).map(lambda t: ("SETRANGE", "big") + t),
    st.sampled_from([("STRLEN", "big"), ("GETRANGE", "big", "-3", "-1"),
                     ("OBJECT", "ENCODING", "big"), ("APPEND", "big", "q")]),
    st.tuples(st.sampled_from(["a", "b", "l", "nokey"]), st.sampled_from(["a", "b", "c"]),
              _lcs_opts).map(lambda t: ("LCS", t[0], t[1]) + t[2]),
    st.tuples(st.sampled_from(["ENCODING", "REFCOUNT"]), _skeys).map(
        lambda t: ("OBJECT",) + t),
)
_STR_FINAL = [c for k in ("a", "b", "c") for c in
              (("GET", k), ("OBJECT", "ENCODING", k), ("EXPIRETIME", k), ("TTL", k))]


def _start(pair, proto):
    """Both connections on a clean keyspace in db 0, speaking RESP`proto`."""
    for conn in pair:
        conn.call("HELLO", str(proto))
        conn.call("SELECT", "0")
        conn.call("FLUSHALL")
        conn.call("RPUSH", "l", "x")


@pytest.mark.parametrize("proto", [2, 3])
@settings(max_examples=_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(_str_ops, min_size=1, max_size=25))
def test_random_sequences_match_redis(pair, proto, ops):
    _start(pair, proto)
    mismatches = compare_clock_free(pair, ops + _STR_FINAL)
    assert not mismatches, mismatches


# Regressions the property test found, reduced.
def test_incrbyfloat_on_long_double_sized_values(pair):
    """A long double reaches 1.19e4932: INCRBYFLOAT stores such a value in
    human form, 4933 digits, and must read it back. pyredis parsed it into
    a Fraction, which Python refuses past 4300 digits by default: the reply
    was "ERR internal error" instead of the sum."""
    assert_same(pair, script_of([
        "INCRBYFLOAT k 1e4932", "STRLEN k", "INCRBYFLOAT k 1", "INCRBYFLOAT k -1e4932",
        "INCRBYFLOAT k 1e4932", "INCRBYFLOAT k 1e4932", "GET k",
        "INCRBYFLOAT n -1.18973149535723176502e+4932", "INCRBYFLOAT n 0.5", "STRLEN n",
        "INCRBYFLOAT n -1e4931", "INCRBY n 1", "GET n",
    ]))
    # The same parser (util.string2ld/string2d) reads every float argument:
    # more than 4300 digits typed in, in range for a long double or not.
    big, huge = "1" + "0" * 4400, "9" * 5000
    assert_same(pair, [
        ("INCRBYFLOAT", "b", big), ("STRLEN", "b"), ("INCRBYFLOAT", "h", huge),
        ("INCRBYFLOAT", "b", "0." + "0" * 4400 + "1"), ("HINCRBYFLOAT", "hash", "f", big),
        ("HSTRLEN", "hash", "f"), ("ZADD", "z", big, "m"), ("ZADD", "z", huge, "m"),
        ("ZADD", "z", "1", "m"), ("ZINCRBY", "z", big, "m"), ("ZRANGEBYSCORE", "z", big, "+inf"),
    ])


def test_float_arguments_far_out_of_range(pair):
    """strtold answers "out of range" at once for any exponent; pyredis built
    the exact value first (10**999999999: minutes), and its hex path went
    through a double, so it overflowed at 2**1024 instead of 2**16384 and
    let underflows through as 0. "0e999999999" is a plain zero, not an
    underflow, for string2d (ZADD) as for string2ld (INCRBYFLOAT)."""
    cmds = []
    for v in ("1e999999999", "-1e999999999", "1e-999999999", "1e" + "9" * 6000,
              "0e999999999", "0.0e-99999", "0x1p99999999999", "0x1p-99999",
              "0x1p16383", "0x1p16384", "0x1p-16445", "0x1p-16446", "0x1p1024", "0x1p-1075",
              "0x1.8p-1075", "0x1.00000000000001p0", "0x1p" + "0" * 5000 + "1",
              "1" * 20000 + "e-19990", "0." + "0" * 5000 + "1e5000"):
        cmds += [("INCRBYFLOAT", "k", v), ("DEL", "k"), ("ZADD", "z", v, "m"),
                 ("ZSCORE", "z", "m"), ("DEL", "z"), ("HINCRBYFLOAT", "h", "f", v), ("DEL", "h")]
    assert_same(pair, cmds)
