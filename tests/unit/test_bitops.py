"""SETBIT/GETBIT/BITCOUNT/BITPOS/BITOP/BITFIELD against real Redis, reply byte for byte.

Cases follow the themes of Redis's bitops.tcl and bitfield.tcl (written
anew here), plus seeded random scripts compared with a real server.
"""

import os
import random

from helpers.differential import assert_same, compare_script
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# A non-string key "h" (a sorted set) for the WRONGTYPE cases.
WRONGTYPE_SETUP = ("GEOADD", "h", 0, 0, "m")


def test_setbit_getbit_basics(pair):
    assert_same(pair, [
        ("SETBIT", "k", 1, 1), ("GET", "k"), ("SETBIT", "k", 1, 1), ("SETBIT", "k", 1, 0),
        ("SETBIT", "k", 100, 1), ("STRLEN", "k"), ("GETBIT", "k", 100), ("GETBIT", "k", 99),
        ("GETBIT", "k", 100000), ("GETBIT", "missing", 0), ("OBJECT", "ENCODING", "k"),
        ("SET", "n", "12345"), ("OBJECT", "ENCODING", "n"), ("GETBIT", "n", 2),
        ("GETBIT", "n", 3), ("SETBIT", "n", 7, 0), ("OBJECT", "ENCODING", "n"), ("GET", "n"),
        ("SET", "e", "hello"), ("SETBIT", "e", 0, 0), ("OBJECT", "ENCODING", "e"),
        ("SET", "e2", "hello"), ("SETBIT", "e2", 1, 1), ("OBJECT", "ENCODING", "e2"),
        ("GET", "e2"), ("SETBIT", "fresh", 0, 0), ("GET", "fresh"),
        ("OBJECT", "ENCODING", "fresh"),
    ])


def test_setbit_getbit_errors(pair):
    assert_same(pair, [
        ("SETBIT", "k", -1, 1), ("SETBIT", "k", "abc", 1), ("SETBIT", "k", 0, 2),
        ("SETBIT", "k", 0, -1), ("SETBIT", "k", 0, "x"), ("SETBIT", "k", 4294967296, 1),
        ("SETBIT", "k", 2 ** 32 * 8, 1),
        ("SETBIT", "k", 9223372036854775807, 1), ("SETBIT", "k", "9223372036854775808", 1),
        ("GETBIT", "k", -1), ("GETBIT", "k", 4294967296), ("GETBIT", "k", "1.5"),
        WRONGTYPE_SETUP,
        ("SETBIT", "h", 0, 1), ("GETBIT", "h", 0), ("BITCOUNT", "h"), ("BITPOS", "h", 1),
        ("SETBIT", "k"), ("GETBIT", "k"),
    ])


def test_setbit_offset_bound_follows_proto_max_bulk_len(pair):
    # The last addressable byte is proto-max-bulk-len - 1.
    assert_same(pair, [
        ("CONFIG", "SET", "proto-max-bulk-len", "2mb"),
        ("SETBIT", "big", 2 * 1024 * 1024 * 8, 1),
        ("SETBIT", "big", 2 * 1024 * 1024 * 8 - 1, 1),
        ("STRLEN", "big"), ("BITCOUNT", "big"), ("BITPOS", "big", 1),
        ("CONFIG", "SET", "proto-max-bulk-len", "512mb"),
    ])


def test_bitcount(pair):
    assert_same(pair, [
        ("BITCOUNT", "no"), ("SET", "s", "foobar"), ("BITCOUNT", "s"),
        ("BITCOUNT", "s", 0, 0), ("BITCOUNT", "s", 1, 1), ("BITCOUNT", "s", 1, -2),
        ("BITCOUNT", "s", -2, -1), ("BITCOUNT", "s", -1, -2), ("BITCOUNT", "s", 5, 3),
        ("BITCOUNT", "s", 0, 100), ("BITCOUNT", "s", -100, -50), ("BITCOUNT", "s", 1, 5, "BIT"),
        ("BITCOUNT", "s", 5, 30, "bit"), ("BITCOUNT", "s", 0, -1, "BYTE"),
        ("BITCOUNT", "s", -3, -1, "BIT"), ("BITCOUNT", "s", 7, 7, "BIT"),
        ("BITCOUNT", "s", 0, 1, "NIBBLE"), ("BITCOUNT", "s", 0), ("BITCOUNT", "s", 0, 1, 2, 3),
        ("BITCOUNT", "s", "a", 1), ("BITCOUNT", "s", 1, "b"), ("SET", "n", "-1234"),
        ("BITCOUNT", "n"), ("BITCOUNT", "n", 1, 2, "BIT"), ("SET", "e", ""),
        ("BITCOUNT", "e"), ("BITCOUNT", "e", 0, -1), ("BITCOUNT", "e", 0, -1, "BIT"),
    ])


def test_bitpos(pair):
    assert_same(pair, [
        ("BITPOS", "no", 0), ("BITPOS", "no", 1), ("BITPOS", "no", 2),
        ("SET", "s", b"\xff\xf0\x00"), ("BITPOS", "s", 0), ("BITPOS", "s", 1),
        ("BITPOS", "s", 0, 2), ("BITPOS", "s", 1, 2), ("BITPOS", "s", 0, 2, -1),
        ("SET", "ones", b"\xff\xff\xff"), ("BITPOS", "ones", 0), ("BITPOS", "ones", 0, 0),
        ("BITPOS", "ones", 0, 0, -1), ("BITPOS", "ones", 0, 0, -1, "BIT"),
        ("BITPOS", "ones", 1, 7, 15, "BIT"), ("SET", "z", b"\x00\x00\x00"),
        ("BITPOS", "z", 1), ("BITPOS", "z", 0), ("BITPOS", "z", 1, 1, -1),
        ("SET", "m", b"\x00\x01\x80\x00"), ("BITPOS", "m", 1, 0, -1, "BIT"),
        ("BITPOS", "m", 1, 16, -1, "BIT"), ("BITPOS", "m", 1, 9, 14, "BIT"),
        ("BITPOS", "m", 0, 15, 16, "BIT"), ("BITPOS", "m", 1, 3, 3, "BIT"),
        ("BITPOS", "m", 0, 2, 1), ("BITPOS", "m", 1, -1), ("BITPOS", "m", 1, 5),
        ("BITPOS", "m", 1, 0, 1, "WORD"), ("BITPOS", "m", 1, 0, 1, "BIT", "x"),
        ("BITPOS", "m", 1, "x"), ("BITPOS", "m", "x"), ("SET", "e", ""),
        ("BITPOS", "e", 0), ("BITPOS", "e", 1), ("BITPOS", "e", 0, 0, -1, "BIT"),
        ("SET", "n", "1"), ("BITPOS", "n", 1), ("BITPOS", "n", 0),
    ])


def test_bitop(pair):
    assert_same(pair, [
        ("SET", "a", "abc"), ("SET", "b", b"\x01\xff"), ("SET", "n", "12"),
        ("BITOP", "AND", "d", "a", "b"), ("GET", "d"), ("OBJECT", "ENCODING", "d"),
        ("BITOP", "or", "d", "a", "b", "n", "missing"), ("GET", "d"),
        ("BITOP", "XOR", "d", "a", "b"), ("GET", "d"), ("BITOP", "NOT", "d", "b"), ("GET", "d"),
        ("BITOP", "NOT", "d", "a", "b"), ("BITOP", "NAND", "d", "a"),
        ("BITOP", "AND", "d", "x1", "x2"), ("EXISTS", "d"), ("SET", "d", "v"),
        ("BITOP", "OR", "d", "missing"), ("EXISTS", "d"), WRONGTYPE_SETUP,
        ("BITOP", "AND", "d", "a", "h"), ("BITOP", "AND", "h", "a"), ("TYPE", "h"),
        ("BITOP", "AND", "d"),
    ])


def test_bitfield(pair):
    assert_same(pair, [
        ("BITFIELD", "bf", "SET", "u8", 0, 255), ("BITFIELD", "bf", "GET", "u8", 0),
        ("BITFIELD", "bf", "SET", "i8", 0, -100, "GET", "i8", 0, "GET", "u8", 0),
        ("BITFIELD", "bf", "SET", "u2", 5, 3, "GET", "u5", 3, "GET", "i5", 3),
        ("BITFIELD", "bf", "SET", "i64", 1, -1, "GET", "i64", 1, "GET", "u63", 2),
        ("BITFIELD", "bf", "GET", "u8", "#3", "SET", "u8", "#3", 7, "GET", "u8", 24),
        ("BITFIELD", "bf", "INCRBY", "u2", 100, 1, "OVERFLOW", "SAT", "INCRBY", "u2", 102, 5),
        ("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", 102, 5, "INCRBY", "u2", 102, 1),
        ("BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i8", 200, 100, "INCRBY", "i8", 200, 100),
        ("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", 200, 100, "INCRBY", "i8", 200, -300),
        ("BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i8", 300, -9223372036854775808,
         "SET", "i8", 300, 9223372036854775807, "SET", "u8", 300, -1, "GET", "i8", 300),
        ("BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "u8", 300, -1, "SET", "i8", 300, 200,
         "GET", "i8", 300),
        ("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", 400, 9223372036854775807,
         "INCRBY", "i64", 400, 1, "INCRBY", "i64", 400, -9223372036854775808,
         "INCRBY", "i64", 400, -9223372036854775808),
        ("BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i64", 500, 9223372036854775807,
         "INCRBY", "i64", 500, 10), ("BITFIELD", "bf", "OVERFLOW", "FAIL",
                                     "INCRBY", "u63", 600, 9223372036854775807,
                                     "INCRBY", "u63", 600, 1, "INCRBY", "u63", 600, -1),
        ("GET", "bf"), ("OBJECT", "ENCODING", "bf"), ("BITFIELD", "bf"),
        ("BITFIELD", "nokey", "GET", "u8", 0), ("EXISTS", "nokey"),
        ("BITFIELD", "nokey2", "SET", "u8", 0, 0), ("GET", "nokey2"),
        ("SET", "num", "123"), ("BITFIELD", "num", "GET", "u8", 0, "GET", "i16", 4),
        ("BITFIELD", "num", "INCRBY", "u8", 0, 1), ("GET", "num"),
        ("BITFIELD_RO", "bf", "GET", "u8", 0, "GET", "i4", "#2"),
        ("BITFIELD_RO", "bf", "SET", "u8", 0, 1), ("BITFIELD_RO", "bf", "INCRBY", "u8", 0, 1),
        ("BITFIELD_RO", "nokey", "GET", "u8", 0),
    ])


def test_bitfield_errors(pair):
    assert_same(pair, [
        ("BITFIELD", "k", "GET", "u64", 0), ("BITFIELD", "k", "GET", "i65", 0),
        ("BITFIELD", "k", "GET", "u0", 0), ("BITFIELD", "k", "GET", "x8", 0),
        ("BITFIELD", "k", "GET", "i", 0), ("BITFIELD", "k", "GET", "", 0),
        ("BITFIELD", "k", "GET", "u8", -1), ("BITFIELD", "k", "GET", "u8", "#-1"),
        ("BITFIELD", "k", "GET", "u8", "#x"), ("BITFIELD", "k", "GET", "u8", 4294967296),
        ("BITFIELD", "k", "GET", "u8", "#536870912"), ("BITFIELD", "k", "GET", "u8", "#536870911"),
        ("BITFIELD", "k", "SET", "u8", 0), ("BITFIELD", "k", "SET", "u8", 0, "x"),
        ("BITFIELD", "k", "INCRBY", "u8", 0, "1.5"), ("BITFIELD", "k", "OVERFLOW", "BAD"),
        ("BITFIELD", "k", "OVERFLOW"), ("BITFIELD", "k", "FOO", "u8", 0),
        ("BITFIELD", "k", "GET", "u8"), ("EXISTS", "k"), WRONGTYPE_SETUP,
        ("BITFIELD", "h", "GET", "u8", 0), ("BITFIELD", "h", "SET", "u8", 0, 1),
        ("BITFIELD_RO", "h", "GET", "u8", 0), ("BITFIELD_RO", "k", "SET", "u8", 0, 1, "GET", "x", 0),
        ("BITFIELD", "k", "SET", "u8", 0, 1, "GET", "u65", 0), ("EXISTS", "k"),
        ("BITFIELD", "k", "GET", "i8", "#9223372036854775807"),
    ])


def test_every_command(protocol_pair):
    """Every bitmap command, in RESP2 and after HELLO 3: only BITFIELD's
    OVERFLOW FAIL null changes (`_` inside the array); the rest are integers,
    arrays of integers, bulk strings and errors. Missing keys and wrong
    types included."""
    pair = protocol_pair
    assert_same(pair, [
        ("SETBIT", "k", 7, 1), ("SETBIT", "k", 7, 0), ("SETBIT", "k", 30, 1),
        ("SETBIT", "k", -1, 1), ("SETBIT", "k", 0, 2),
        ("GETBIT", "k", 30), ("GETBIT", "k", 1000), ("GETBIT", "nokey", 0), ("GETBIT", "k", "x"),
        ("BITCOUNT", "k"), ("BITCOUNT", "k", 0, -1), ("BITCOUNT", "k", 0, 9, "BIT"),
        ("BITCOUNT", "nokey"), ("BITCOUNT", "k", 0), ("BITCOUNT", "k", 0, 1, "WORD"),
        ("BITPOS", "k", 1), ("BITPOS", "k", 0), ("BITPOS", "k", 1, 1, 3, "BYTE"),
        ("BITPOS", "k", 1, 0, 5, "BIT"), ("BITPOS", "nokey", 0), ("BITPOS", "nokey", 1),
        ("BITPOS", "k", 2),
        ("SET", "a", b"\xff\x0f"), ("SET", "b", "abc"),
        ("BITOP", "AND", "d", "a", "b"), ("GET", "d"), ("BITOP", "OR", "d", "a", "nokey"),
        ("BITOP", "XOR", "d", "a", "b"), ("BITOP", "NOT", "d", "a"), ("GET", "d"),
        ("BITOP", "AND", "d", "nokey"), ("EXISTS", "d"), ("BITOP", "NOT", "d", "a", "b"),
        ("BITOP", "NAND", "d", "a"),
        ("BITFIELD", "bf", "SET", "u8", 0, 200, "GET", "u8", 0, "INCRBY", "i5", "#1", 3),
        ("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", 0, 100, "GET", "u8", 0),
        ("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u8", 0, 100, "OVERFLOW", "WRAP",
         "INCRBY", "u8", 0, 1),
        ("BITFIELD", "bf"), ("BITFIELD", "nokey", "GET", "u8", 0), ("EXISTS", "nokey"),
        ("BITFIELD", "bf", "GET", "u64", 0), ("BITFIELD", "bf", "OVERFLOW", "BAD"),
        ("BITFIELD_RO", "bf", "GET", "u8", 0, "GET", "i4", "#1"),
        ("BITFIELD_RO", "nokey", "GET", "u8", 0), ("BITFIELD_RO", "bf", "SET", "u8", 0, 1),
        WRONGTYPE_SETUP,
        ("SETBIT", "h", 0, 1), ("GETBIT", "h", 0), ("BITCOUNT", "h"), ("BITPOS", "h", 1),
        ("BITOP", "AND", "d", "a", "h"), ("BITFIELD", "h", "GET", "u8", 0),
        ("BITFIELD_RO", "h", "GET", "u8", 0),
    ])


def test_random_bit_scripts(pair):
    """Seeded random mixes of every bit command on a few keys, compared reply by reply."""
    rnd = random.Random(7)
    script = []
    for _ in range(600):
        k = rnd.choice(("a", "b", "c"))
        n = rnd.randrange(8)
        if n == 0:
            script.append(("SETBIT", k, rnd.randrange(200), rnd.randrange(2)))
        elif n == 1:
            script.append(("GETBIT", k, rnd.randrange(220)))
        elif n == 2:
            unit = rnd.choice(((), ("BIT",), ("BYTE",)))
            script.append(("BITCOUNT", k, rnd.randrange(-40, 40), rnd.randrange(-40, 40)) + unit)
        elif n == 3:
            args = [rnd.randrange(-40, 40) for _ in range(rnd.randrange(3))]
            if len(args) == 2 and rnd.randrange(2):
                args.append(rnd.choice(("BIT", "BYTE")))
            script.append(("BITPOS", k, rnd.randrange(2), *args))
        elif n == 4:
            op = rnd.choice(("AND", "OR", "XOR", "NOT"))
            srcs = ["a"] if op == "NOT" else rnd.sample(["a", "b", "c", "x"], rnd.randrange(1, 4))
            script.append(("BITOP", op, k, *srcs))
        elif n == 5:
            script.append(("SET", k, bytes(rnd.randrange(256) for _ in range(rnd.randrange(12)))))
        else:
            args = []
            for _ in range(rnd.randrange(1, 4)):
                t = rnd.choice("iu") + str(rnd.randrange(1, 64))
                off = rnd.randrange(150)
                m = rnd.randrange(4)
                if m == 0:
                    args += ["GET", t, off]
                elif m == 1:
                    args += ["SET", t, off, rnd.randrange(-2 ** 20, 2 ** 20)]
                elif m == 2:
                    args += ["INCRBY", t, off, rnd.randrange(-2 ** 62, 2 ** 62)]
                else:
                    args += ["OVERFLOW", rnd.choice(("WRAP", "SAT", "FAIL"))]
            script.append(("BITFIELD", k, *args))
        if rnd.randrange(10) == 0:
            script.append(("GET", k))
    assert_same(pair, script + [("GET", "a"), ("GET", "b"), ("GET", "c")])


def test_bit_keyspace_events(server):
    """SETBIT and BITFIELD writes announce "setbit"; BITOP announces "set" or "del"."""
    c = server.client()
    p = c.pubsub()
    try:
        c.config_set("notify-keyspace-events", "KEAn")
        p.psubscribe("__keyevent@0__:*")
        p.get_message(timeout=2)
        c.setbit("k", 3, 1)
        c.setbit("k", 3, 1)             # no change: no event
        c.bitfield("k").set("u8", 8, 1).execute()
        c.bitop("AND", "dst", "k")
        c.bitop("AND", "dst", "nothing")
        events = []
        while len(events) < 6:
            m = p.get_message(timeout=2)
            assert m is not None, events
            events.append((m["channel"], m["data"]))
        assert events == [
            (b"__keyevent@0__:new", b"k"), (b"__keyevent@0__:setbit", b"k"),
            (b"__keyevent@0__:setbit", b"k"), (b"__keyevent@0__:new", b"dst"),
            (b"__keyevent@0__:set", b"dst"), (b"__keyevent@0__:del", b"dst"),
        ]
    finally:
        c.config_set("notify-keyspace-events", "")
        p.close()
        c.close()


def test_bitcount_large_bitmap(r):
    data = bytes(range(256)) * 4096          # 1 MB
    r.set("big", data)
    assert r.bitcount("big") == sum(b.bit_count() for b in range(256)) * 4096
    r.setbit("grow", 8 * 1024 * 1024 - 1, 1)
    assert r.strlen("grow") == 1024 * 1024
    assert r.bitpos("grow", 1) == 8 * 1024 * 1024 - 1
    assert r.bitcount("grow", 0, -1, "BIT") == 1


def test_copy_of_bitmap_is_independent(r):
    r.setbit("src", 0, 1)
    r.copy("src", "dst")
    r.setbit("src", 1, 1)
    assert r.get("src") == b"\xc0"
    assert r.get("dst") == b"\x80"


def test_string_commands_on_bitmaps(pair):
    """Values left as in-place buffers by bit commands work with every string command."""
    assert_same(pair, [
        ("SET", "n", "12"), ("SETBIT", "n", 0, 0), ("OBJECT", "ENCODING", "n"), ("INCR", "n"),
        ("OBJECT", "ENCODING", "n"), ("GET", "n"), ("SETBIT", "b", 9, 1), ("APPEND", "b", "xy"),
        ("GET", "b"), ("SETBIT", "b", 0, 1), ("SETRANGE", "b", 1, "Q"), ("GET", "b"),
        ("GETRANGE", "b", 0, 1), ("STRLEN", "b"), ("BITFIELD", "b", "SET", "u8", 0, 65),
        ("GETSET", "b", "new"), ("GET", "b"), ("SETBIT", "c", 7, 1), ("GETDEL", "c"),
        ("SETBIT", "d", 15, 1), ("RENAME", "d", "e"), ("GET", "e"), ("SETBIT", "e", 0, 1),
        ("GET", "e"), ("MGET", "e", "n"), ("SETBIT", "f", 3, 1), ("LCS", "f", "e"),
        ("PFADD", "h", "a"), ("APPEND", "h", "tail"), ("STRLEN", "h"),
        ("SET", "fl", "1.5"), ("SETBIT", "fl", 0, 0), ("INCRBYFLOAT", "fl", "1"),
    ])


def test_extreme_values_and_ranges(pair):
    """BITFIELD at the type limits under every OVERFLOW mode, and BITCOUNT/BITPOS with
    ranges at the long long limits, in BIT and BYTE units."""
    rnd = random.Random(10)
    edge = [0, 1, -1, 2 ** 63 - 1, -2 ** 63, 2 ** 62, -2 ** 62, 2 ** 31, -2 ** 31 - 1, 255, 256,
            -129, 127, 128]
    script = []
    for _ in range(500):
        t = rnd.choice("iu") + str(rnd.choice([1, 2, 7, 8, 9, 31, 32, 33, 62, 63, 64]))
        t = "u63" if t == "u64" else t
        op = rnd.choice(["SET", "INCRBY", "GET"])
        args = ["BITFIELD", "k", "OVERFLOW", rnd.choice(["WRAP", "SAT", "FAIL"]), op, t,
                rnd.choice([0, 1, 5, 63, 64, 100, "#3", "#0"])]
        if op != "GET":
            args.append(rnd.choice(edge + [rnd.randrange(-2 ** 63, 2 ** 63)]))
        script.append(tuple(args))
    script.append(("GET", "k"))
    ext = [0, 1, -1, 7, 8, -8, -9, 2 ** 63 - 1, -2 ** 63, 100, -100, 2 ** 60, -2 ** 60]
    script += [("SET", "s", bytes(rnd.randrange(256) for _ in range(13))),
               ("SET", "z", b"\x00" * 5), ("SET", "o", b"\xff" * 5)]
    for _ in range(500):
        k = rnd.choice("szo")
        st = rnd.choice(ext + [rnd.randrange(-120, 120)])
        en = rnd.choice(ext + [rnd.randrange(-120, 120)])
        unit = rnd.choice([[], ["BIT"], ["BYTE"]])
        if rnd.random() < 0.5:
            script.append(("BITCOUNT", k, st, en, *unit))
        else:
            n = rnd.randrange(3)
            script.append(("BITPOS", k, rnd.randrange(2), *[st, en][:n],
                           *(unit if n == 2 else [])))
    assert_same(pair, script)


# ---------------------------------------------------------------------------
# Property test: random mixes of bit and string commands on both servers
# ---------------------------------------------------------------------------
# Offsets that write stay small (a SETBIT near 2**32 would allocate 512 MB on
# each server); reads and ranges also take the long long extremes.
# Each runs twice (`protocol_pair`): in RESP2, and in RESP3 with client-side
# caching on, so replies are compared with the invalidation pushes they bring.
_EXAMPLES = int(os.environ.get("PYREDIS_HYPOTHESIS_EXAMPLES", "50"))


def _rarely(common, rare, one_in=10):
    """`rare` about once in `one_in` draws, else `common`. The trigger is a
    middle value: Hypothesis favours the ends of a range, and shrinks to 0."""
    return st.tuples(st.integers(0, one_in - 1), common, rare).map(
        lambda t: t[2] if t[0] == one_in // 2 else t[1])


_bkey = st.sampled_from(["a", "a", "b", "c"])
_LL = ["9223372036854775807", "-9223372036854775808", "9223372036854775808"]
_index = _rarely(st.integers(-30, 30).map(str), st.sampled_from(_LL + ["x", "1.5"]))
_write_off = _rarely(st.integers(0, 130).map(str), st.sampled_from(["4100", "-1", "x"]))
_read_off = _rarely(_write_off, st.sampled_from(["4294967295", "4294967296"]))
# Random bytes, or runs of 0x00 / 0xff where BITPOS must look past whole words.
_bytes = st.one_of(st.binary(max_size=12), st.tuples(
    st.sampled_from([b"\x00", b"\xff", b"\x80", b"\x01"]), st.integers(0, 40)).map(
    lambda t: t[0] * t[1]))
_bftype = _rarely(
    st.tuples(st.sampled_from("iu"), st.integers(1, 64)).map(lambda t: "%s%d" % t),
    st.sampled_from(["u64", "i65", "x8", "i0", "I8"]), one_in=20)
_bfoff = _rarely(st.one_of(st.integers(0, 100).map(str),
                           st.integers(0, 12).map(lambda n: "#%d" % n)),
                 st.sampled_from(["-1", "#-1", "x"]), one_in=20)
_bfval = _rarely(st.one_of(
    st.integers(-300, 300),
    st.sampled_from([2 ** 63 - 1, -2 ** 63, 2 ** 62, 2 ** 31, -2 ** 31 - 1, 2 ** 32 - 1]),
    st.integers(-2 ** 63, 2 ** 63 - 1),
), st.sampled_from([2 ** 63, "x"]), one_in=20).map(str)
_bfsub = st.one_of(
    st.tuples(st.just("GET"), _bftype, _bfoff),
    st.tuples(st.sampled_from(["SET", "INCRBY"]), _bftype, _bfoff, _bfval),
    st.tuples(st.just("OVERFLOW"), _rarely(st.sampled_from(["WRAP", "SAT", "FAIL"]),
                                           st.just("BAD"), one_in=20)),
)
_unit = st.sampled_from([(), ("BYTE",), ("BIT",)])
_bit_ops = st.one_of(
    st.tuples(_bkey, _write_off, st.sampled_from(["0", "1", "1", "2"])).map(
        lambda t: ("SETBIT",) + t),
    st.tuples(_bkey, _read_off).map(lambda t: ("GETBIT",) + t),
    _bkey.map(lambda k: ("BITCOUNT", k)),
    st.tuples(_bkey, _index, _index, _unit).map(lambda t: ("BITCOUNT",) + t[:3] + t[3]),
    st.tuples(_bkey, st.sampled_from(["0", "1"]),
              st.lists(_index, max_size=2), _unit).map(
        lambda t: ("BITPOS", t[0], t[1], *t[2]) + (t[3] if len(t[2]) == 2 else ())),
    st.tuples(st.sampled_from(["AND", "OR", "XOR"]), _bkey,
              st.lists(st.sampled_from(["a", "b", "c", "nokey"]), min_size=1, max_size=3)).map(
        lambda t: ("BITOP", t[0], t[1], *t[2])),
    st.tuples(_bkey, st.sampled_from(["a", "b", "c", "nokey"])).map(
        lambda t: ("BITOP", "NOT") + t),
    st.tuples(_bkey, st.lists(_bfsub, min_size=1, max_size=4)).map(
        lambda t: ("BITFIELD", t[0]) + tuple(x for sub in t[1] for x in sub)),
    st.tuples(_bkey, _bftype, _bfoff).map(lambda t: ("BITFIELD_RO", t[0], "GET") + t[1:]),
    st.tuples(_bkey, st.one_of(_bytes, st.integers(-1000, 10 ** 6).map(str))).map(
        lambda t: ("SET",) + t),
    st.tuples(_bkey, _bytes).map(lambda t: ("APPEND",) + t),
    st.tuples(_bkey, st.integers(0, 20).map(str), _bytes).map(lambda t: ("SETRANGE",) + t),
    st.tuples(st.sampled_from(["GET", "STRLEN", "OBJECT"]), _bkey).map(
        lambda t: ("OBJECT", "ENCODING", t[1]) if t[0] == "OBJECT" else t),
)
_BIT_FINAL = [c for k in "abc" for c in (("GET", k), ("OBJECT", "ENCODING", k))]


@settings(max_examples=_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_bytes, min_size=3, max_size=3), st.lists(_bit_ops, min_size=1, max_size=30))
def test_random_sequences_match_redis(protocol_pair, seed, ops):
    pair = protocol_pair
    # Each sequence starts from three random strings (an empty one is no key).
    for conn in pair:
        conn.call("DEL", "a", "b", "c")
    start = [("SET", k, v) for k, v in zip("abc", seed) if v]
    mismatches = compare_script(pair, start + ops + _BIT_FINAL)
    assert not mismatches, "\n".join(
        "%r:\n  pyredis: %r\n  redis:   %r" % m for m in mismatches)
