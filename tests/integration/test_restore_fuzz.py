"""RESTORE of corrupt DUMP payloads (after tests/integration/corrupt-dump-fuzzer.tcl).

Valid payloads of every type and encoding pyredis loads (DUMPed by real
Redis and by pyredis, plus hand-built pre-7.0 encodings) are mutated with
seeded random generators: bit flips, byte changes, small arithmetic on
bytes and 16/32-bit words (length fields), truncation, extension,
insertion, deletion and a changed RDB type byte. The trailing RDB version
and CRC64 are then recomputed, so the payload reaches the value parser.

Invariants, with sanitize-dump-payload no and yes:
  * the reply is +OK or an error, never an "internal error" (a Python
    exception escaping a command), and the server keeps answering PING on
    another connection;
  * an accepted key can be read with every read command of its type, a
    write works on it, and its DUMP restores again.

With sanitize-dump-payload yes on both pyredis and a real Redis 7.0, the
replies must be identical (accept, or the same error), and an accepted
value must have the same type, encoding and DEBUG DIGEST-VALUE. Redis
itself may crash on corrupt data without sanitization, so "no" is only
checked on pyredis.

Deterministic (fixed seeds). PYREDIS_RESTORE_FUZZ=<factor> multiplies the
iteration counts for deep local runs, e.g. PYREDIS_RESTORE_FUZZ=50, and
PYREDIS_RESTORE_FUZZ_SEED=<n> shifts the random seeds to explore other
mutations.
"""

import os
import random
import struct

import pytest
from helpers.servers import REDIS_SERVER, RawConnection, Server
from rdb_helpers import s

from pyredis.crc64 import crc64
from pyredis.intset import intsetEncode
from pyredis.listpack import lpEncode
from pyredis.lzf import lzf_compress
from pyredis.rdb import rdbEncodeLen
from pyredis.ziplist import ziplistEncode
from pyredis.zipmap import zipmapEncode

DEBUG = ["--enable-debug-command", "yes"]
FACTOR = float(os.environ.get("PYREDIS_RESTORE_FUZZ", "1"))
SEED = int(os.environ.get("PYREDIS_RESTORE_FUZZ_SEED", "0"))
OK = b"+OK\r\n"
BAD_FORMAT = b"-ERR Bad data format\r\n"
BAD_FOOTER = b"-ERR DUMP payload version or checksum are wrong\r\n"

# pyredis has no streams: a payload whose type byte becomes a stream type
# is only checked for survival, not compared with Redis.
STREAM_TYPES = (15, 19)
OBJECT_TYPES = (0, 1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14, 16, 17, 18)


def footer(body, version=10):
    """body + RDB version (2 bytes LE) + CRC64 of both (8 bytes LE)."""
    body = bytes(body) + struct.pack("<H", version)
    return body + struct.pack("<Q", crc64(0, body))


def strip_footer(payload):
    return payload[:-10]


# ---------------------------------------------------------------------------
# Seed payloads
# ---------------------------------------------------------------------------
def rdb_int(v):
    """An RDB integer-encoded string (RDB_ENC_INT8/16/32)."""
    if -128 <= v <= 127:
        return b"\xc0" + struct.pack("<b", v)
    if -32768 <= v <= 32767:
        return b"\xc1" + struct.pack("<h", v)
    return b"\xc2" + struct.pack("<i", v)


def rdb_lzf(data):
    """An RDB LZF-compressed string."""
    comp = lzf_compress(data)
    return b"\xc3" + rdbEncodeLen(len(comp)) + rdbEncodeLen(len(data)) + comp


def handmade_bodies():
    """Payload bodies (no footer) in the encodings Redis 7.0 only reads:
    RDB_TYPE_LIST/ZSET (text scores), zipmap, ziplists, quicklist of
    ziplists, plus plain-element types with integer and LZF elements."""
    zl = ziplistEncode
    return {
        "list-plain": b"\x01" + rdbEncodeLen(4) + s("a") + rdb_int(-5) + rdb_int(70000)
        + rdb_lzf(b"xy" * 40),
        "set-plain": b"\x02" + rdbEncodeLen(3) + s("m") + rdb_int(7) + s("n"),
        "set-plain-ints": b"\x02" + rdbEncodeLen(3) + rdb_int(1) + rdb_int(300) + s("-4"),
        "zset-text": b"\x03" + rdbEncodeLen(3) + s("a") + b"\x031.5" + s("b") + b"\xfe"
        + s("c") + b"\x02-2",
        "zset-binary": b"\x05" + rdbEncodeLen(2) + s("a") + struct.pack("<d", 1.5)
        + s("b") + struct.pack("<d", -3.25),
        "hash-plain": b"\x04" + rdbEncodeLen(2) + s("f") + s("v") + rdb_int(12) + s("x" * 70),
        "hash-zipmap": b"\x09" + s(zipmapEncode([(b"k1", b"v1"), (b"k2", b"123"),
                                                 (b"long", b"L" * 260)])),
        "hash-zipmap-free": b"\x09" + s(zipmapEncode([(b"a", b"b"), (b"cc", b"dd")], free=2)),
        "list-ziplist": b"\x0a" + s(zl([b"one", 2, b"three", -70000, b"x" * 300, 1 << 40])),
        "set-intset16": b"\x0b" + s(intsetEncode([5, 1, 3, -2])),
        "set-intset64": b"\x0b" + s(intsetEncode([1, 1 << 40, -(1 << 50)])),
        "zset-ziplist": b"\x0c" + s(zl([b"a", b"1", b"b", b"2.5", b"c", b"-inf"])),
        "hash-ziplist": b"\x0d" + s(zl([b"f1", b"v1", b"f2", 7, b"f3", b"y" * 70])),
        "list-quicklist-ziplist": b"\x0e" + rdbEncodeLen(2) + s(zl([b"n1", b"n2", 12]))
        + s(zl([3, b"z" * 100])),
        "hash-listpack-hand": b"\x10" + s(lpEncode([b"f", b"v", b"n", 4095, b"m", -1 << 40])),
        "zset-listpack-hand": b"\x11" + s(lpEncode([b"a", b"1", b"b", b"2.5", b"c", b"inf"])),
        "list-quicklist2-hand": b"\x12" + rdbEncodeLen(3) + b"\x02" + s(lpEncode([b"a", 1]))
        + b"\x01" + s(b"P" * 20) + b"\x02" + s(lpEncode([b"q" * 70, -3])),
    }


def build_dataset(conn):
    """Every type and encoding the server writes, on a raw connection."""
    c = conn.call
    c("FLUSHALL")
    c("SET", "str:int", "12345")
    c("SET", "str:negint", "-7")
    c("SET", "str:bigint", "1234567890123")
    c("SET", "str:embstr", "hello")
    c("SET", "str:raw", bytes(range(64)))
    c("SET", "str:lzf", "ab" * 300)
    c("SET", "str:empty", "")
    c("RPUSH", "list:small", "a", "b", "1", "-5", "x" * 70, "4294967296")
    c("RPUSH", "list:nodes", *[("item-%d" % i) * 3 for i in range(700)])
    c("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100")
    c("RPUSH", "list:plain", "a", "x" * 200, "b", "c", "y" * 150)
    c("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1073741824")
    c("HSET", "hash:listpack", "uid", "1", "name", "zs", "neg", "-300", "big", "99999999999")
    c("HSET", "hash:ht", *[x for i in range(140) for x in ("f%d" % i, "v%d" % i)])
    c("HSET", "hash:longval", "f", "x" * 100)
    c("SADD", "set:intset", "1", "2", "3", "-100", "70000", "5000000000")
    c("SADD", "set:ht", "alpha", "beta", "gamma")
    c("SADD", "set:bigints", *[str(i) for i in range(600)])
    c("ZADD", "zset:listpack", "1", "a", "2.5", "b", "-3", "c", "1e100", "d", "inf", "e")
    c("ZADD", "zset:skiplist", *[x for i in range(140) for x in (str(i / 7), "m%d" % i)])
    c("ZADD", "zset:longmember", "1", "x" * 100)


DATASET_KEYS = ["str:int", "str:negint", "str:bigint", "str:embstr", "str:raw", "str:lzf",
                "str:empty", "list:small", "list:nodes", "list:plain", "hash:listpack",
                "hash:ht", "hash:longval", "set:intset", "set:ht", "set:bigints",
                "zset:listpack", "zset:skiplist", "zset:longmember"]


def parse_bulk(reply):
    assert reply.startswith(b"$"), reply
    n, rest = reply[1:].split(b"\r\n", 1)
    return rest[:int(n)]


def rdb_str(m):
    """A string the way rdbSaveRawString writes a short one: an integer
    encoding when it is a canonical int32, else verbatim."""
    from pyredis.util import string2ll
    v = string2ll(m)
    if v is not None and -(1 << 31) <= v < (1 << 31):
        return rdb_int(v)
    return s(m)


def hashtable_bodies():
    """The hashtable-encoded keys of build_dataset as RDB_TYPE_SET/HASH
    bodies in sorted order. Both servers DUMP these in their hash table's
    order, which depends on a per-process random seed: building them here
    keeps the mutations the same from run to run."""
    sets = {"set:ht": [b"alpha", b"beta", b"gamma"],
            "set:bigints": [b"%d" % i for i in range(600)]}
    hashes = {"hash:ht": [(b"f%d" % i, b"v%d" % i) for i in range(140)],
              "hash:longval": [(b"f", b"x" * 100)]}
    out = {}
    for key, members in sets.items():
        out[key] = b"\x02" + rdbEncodeLen(len(members)) + b"".join(
            rdb_str(m) for m in sorted(members))
    for key, pairs in hashes.items():
        out[key] = b"\x04" + rdbEncodeLen(len(pairs)) + b"".join(
            rdb_str(f) + rdb_str(v) for f, v in sorted(pairs))
    return out


def collect_seeds(ours_conn, theirs_conn):
    """{name: payload}: Redis's DUMP of every dataset key, pyredis's DUMP
    where it differs, and hand-built payloads (hash tables in a fixed
    order, the old encodings)."""
    seeds = {}
    for conn, tag in ((theirs_conn, "redis"), (ours_conn, "pyredis")):
        build_dataset(conn)
        for key in DATASET_KEYS:
            if conn.call("OBJECT", "ENCODING", key) == b"$9\r\nhashtable\r\n":
                continue
            payload = parse_bulk(conn.call("DUMP", key))
            if payload not in seeds.values():
                seeds["%s:%s" % (tag, key)] = payload
        conn.call("FLUSHALL")
    for name, body in hashtable_bodies().items():
        seeds["ht:" + name] = footer(body)
    for name, body in handmade_bodies().items():
        seeds["hand:" + name] = footer(body)
    return seeds


# ---------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------
INTERESTING = (0x00, 0x01, 0x3F, 0x40, 0x7F, 0x80, 0x81, 0xC0, 0xC3, 0xE0, 0xF0, 0xF4,
               0xFE, 0xFF)


def _pos(rnd, n):
    # Headers (type byte, lengths, listpack/ziplist headers) sit near the
    # start, so a third of the mutations aim at the first 16 bytes.
    if rnd.random() < 0.33:
        return rnd.randrange(min(n, 16))
    return rnd.randrange(n)


def mutate_once(rnd, b):
    n = len(b)
    kind = rnd.randrange(11)
    if n == 0:
        kind = 6
    if kind == 0:                                   # bit flip
        p = _pos(rnd, n)
        b[p] ^= 1 << rnd.randrange(8)
    elif kind == 1:                                 # random byte
        b[_pos(rnd, n)] = rnd.randrange(256)
    elif kind == 2:                                 # interesting byte
        b[_pos(rnd, n)] = rnd.choice(INTERESTING)
    elif kind == 3:                                 # small delta on a byte
        p = _pos(rnd, n)
        b[p] = (b[p] + rnd.choice((-2, -1, 1, 2, 3))) & 0xFF
    elif kind == 4:                                 # delta on a LE word (lengths)
        width = rnd.choice((2, 4))
        if n >= width:
            p = _pos(rnd, n - width + 1)
            v = int.from_bytes(b[p:p + width], "little")
            v = (v + rnd.choice((-3, -1, 1, 2, 7, 1000))) % (1 << (8 * width))
            b[p:p + width] = v.to_bytes(width, "little")
    elif kind == 5:                                 # truncate
        del b[rnd.randrange(n):]
    elif kind == 6:                                 # extend
        b += bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 12)))
    elif kind == 7:                                 # insert
        p = rnd.randrange(n + 1)
        b[p:p] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 4)))
    elif kind == 8:                                 # delete a range
        p = rnd.randrange(n)
        del b[p:p + rnd.randint(1, 4)]
    elif kind == 9:                                 # RDB type byte
        b[0] = rnd.choice(OBJECT_TYPES) if rnd.random() < 0.9 else rnd.randrange(256)
    else:                                           # duplicate a chunk
        p = rnd.randrange(n)
        q = min(n, p + rnd.randint(1, 16))
        b[p:p] = b[p:q]


BLOB_TYPES = (9, 10, 11, 12, 13, 16, 17)       # one encoded blob (zipmap ... listpack)
QUICKLIST_TYPES = (14, 18)


def split_blobs(body):
    """(head bytes, [(prefix, blob)]) for a payload body whose value is made
    of encoded blobs (listpacks, ziplists, intsets, zipmaps), else None. The
    blobs come out inflated when Redis stored them LZF-compressed."""
    from pyredis.rdb import rdbGenericLoadStringObject, rdbLoadLen
    from pyredis.rio import rioInitWithBuffer
    t = body[0]
    rdb = rioInitWithBuffer(body)
    rdb.pos = 1
    if t in BLOB_TYPES:
        return bytes(body[:1]), [(b"", bytes(rdbGenericLoadStringObject(rdb)))]
    if t not in QUICKLIST_TYPES:
        return None
    n = rdbLoadLen(rdb)
    head = bytes(body[:rdb.pos])
    nodes = []
    for _ in range(n):
        start = rdb.pos
        if t == 18:
            rdbLoadLen(rdb)
        prefix = bytes(body[start:rdb.pos])
        nodes.append((prefix, bytes(rdbGenericLoadStringObject(rdb))))
    return head, nodes


def mutate_blob(rnd, t, blob):
    """Mutate one encoded blob; most of the time its own size field is
    then made right again, so the payload gets past the cheap header
    checks and reaches the entry-by-entry validation."""
    b = bytearray(blob)
    for _ in range(rnd.choice((1, 1, 2))):
        mutate_once(rnd, b)
    if rnd.random() < 0.75 and len(b) >= 4 and t not in (9, 11):
        b[0:4] = struct.pack("<I", len(b))         # listpack / ziplist total bytes
    return bytes(b)


def structured_mutation(rnd, payload):
    """Mutate the blobs inside a payload and write the payload again with
    right RDB string lengths, or None when the payload has no blobs."""
    parts = split_blobs(strip_footer(payload))
    if parts is None:
        return None
    head, nodes = parts
    t = head[0]
    k = rnd.randrange(len(nodes))
    out = [head]
    for i, (prefix, blob) in enumerate(nodes):
        if i == k and (t != 18 or prefix != b"\x01"):     # not a plain node's data
            blob = mutate_blob(rnd, t, blob)
        out.append(prefix + rdbEncodeLen(len(blob)) + blob)
    return footer(b"".join(out))


def mutate(rnd, payload):
    """A mutated payload with a valid footer (sometimes an older RDB version)."""
    if rnd.random() < 0.4:
        p = structured_mutation(rnd, payload)
        if p is not None:
            return p
    b = bytearray(strip_footer(payload))
    for _ in range(rnd.choice((1, 1, 1, 2, 2, 3))):
        mutate_once(rnd, b)
    version = 10 if rnd.random() < 0.97 else rnd.choice((1, 9, 11))
    return footer(b, version)


# ---------------------------------------------------------------------------
# Servers and checks
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ours():
    srv = Server("pyredis", args=DEBUG)
    yield srv
    srv.stop()


class RealRedis:
    """A real Redis that is restarted if a payload kills it."""

    def __init__(self):
        self.srv = None
        self.crashes = []
        self.sanitize = "no"
        self.start()

    def start(self):
        self.srv = Server("redis", args=DEBUG)
        # A count corrupted to about 2**31 has Redis allocate (dictTryExpand)
        # and then walk (dictRelease) a table of that size when the load
        # fails: seconds of work, so a long timeout.
        self.conn = RawConnection(self.srv.port, timeout=300)

    def alive(self):
        return self.srv.proc.poll() is None

    def restart(self):
        self.conn.close()
        self.srv.stop()
        self.start()

    def restore(self, payload):
        """RESTORE k (REPLACE): the reply, or None
        if the payload crashed Redis (it is then started again)."""
        try:
            return self.conn.call("RESTORE", "k", "0", payload, "REPLACE")
        except OSError:
            # A crash report (with its memory test) can outlast the
            # connection's timeout: wait for the process to go, then
            # start a new one.
            try:
                self.srv.proc.wait(timeout=120)
            except Exception:
                pass
            self.restart()
            self.conn.call("CONFIG", "SET", "sanitize-dump-payload", self.sanitize)
            return None

    def stop(self):
        self.conn.close()
        self.srv.stop()


@pytest.fixture(scope="module")
def real():
    if not REDIS_SERVER:
        pytest.skip("redis-server is not installed")
    r = RealRedis()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def seeds(ours, real):
    a = ours.raw()
    try:
        return collect_seeds(a, real.conn)
    finally:
        a.close()


@pytest.fixture
def conns(ours):
    main, other = ours.raw(), ours.raw()
    main.call("FLUSHALL")
    yield main, other
    main.call("CONFIG", "SET", "sanitize-dump-payload", "no")
    main.close()
    other.close()


READS = {
    b"string": [("STRLEN", "{k}"), ("GET", "{k}"), ("GETRANGE", "{k}", "0", "-1"),
                ("APPEND", "{k}", "x"), ("INCR", "{k}")],
    b"list": [("LLEN", "{k}"), ("LRANGE", "{k}", "0", "-1"), ("LINDEX", "{k}", "-1"),
              ("LPOS", "{k}", "a"), ("LPUSH", "{k}", "x"), ("RPOP", "{k}"),
              ("LINSERT", "{k}", "BEFORE", "x", "y")],
    b"hash": [("HLEN", "{k}"), ("HGETALL", "{k}"), ("HRANDFIELD", "{k}", "-5", "WITHVALUES"),
              ("HSCAN", "{k}", "0"), ("HSET", "{k}", "f", "v"), ("HDEL", "{k}", "uid")],
    b"set": [("SCARD", "{k}"), ("SMEMBERS", "{k}"), ("SRANDMEMBER", "{k}", "-5"),
             ("SISMEMBER", "{k}", "1"), ("SSCAN", "{k}", "0"), ("SADD", "{k}", "x"),
             ("SPOP", "{k}")],
    b"zset": [("ZCARD", "{k}"), ("ZRANGE", "{k}", "0", "-1", "WITHSCORES"),
              ("ZRANGEBYSCORE", "{k}", "-inf", "+inf"), ("ZRANDMEMBER", "{k}", "-5", "WITHSCORES"),
              ("ZSCAN", "{k}", "0"), ("ZADD", "{k}", "1", "x"), ("ZREM", "{k}", "a"),
              ("ZPOPMIN", "{k}")],
}
COMMON = [("TYPE", "{k}"), ("OBJECT", "ENCODING", "{k}"), ("DEBUG", "DIGEST-VALUE", "{k}"),
          ("DUMP", "{k}"), ("MEMORY", "USAGE", "{k}"), ("DEBUG", "OBJECT", "{k}"),
          ("RANDOMKEY",)]


def pipeline(conn, cmds):
    from helpers.servers import encode_command
    conn.send(b"".join(encode_command(c) for c in cmds))
    return [conn.read_reply() for _ in cmds]


def no_internal_error(reply):
    return b"internal error" not in reply.lower() and b"traceback" not in reply.lower()


class Failure(AssertionError):
    pass


def check_survival(ours, main, other, payload, what):
    """RESTORE `payload` into pyredis; check every invariant. Returns the reply."""
    reply = main.call("RESTORE", "k", "0", payload, "REPLACE")

    def fail(msg, *extra):
        raise Failure("%s: %s\npayload=%r\nreply=%r\n%r" % (what, msg, payload, reply, extra))

    if ours.proc.poll() is not None:
        fail("pyredis died")
    if not (reply == OK or reply.startswith(b"-")) or not no_internal_error(reply):
        fail("bad RESTORE reply")
    if other.call("PING") != b"+PONG\r\n":
        fail("other client got no PONG")
    if reply != OK:
        if main.call("EXISTS", "k") != b":0\r\n":
            fail("a rejected payload left a key")
        return reply
    t = main.call("TYPE", "k")
    ktype = t[1:-2]
    if ktype not in READS:
        fail("accepted key has type %r" % t)
    cmds = [tuple(a.replace("{k}", "k") for a in c) for c in COMMON + READS[ktype]]
    cmds.append(("DUMP", "k"))
    replies = pipeline(main, cmds)
    for cmd, r in zip(cmds, replies):
        if not no_internal_error(r):
            fail("internal error", cmd, r)
    dump = replies[-1]
    if dump.startswith(b"$") and not dump.startswith(b"$-1"):
        again = main.call("RESTORE", "k2", "0", parse_bulk(dump), "REPLACE")
        if again != OK:
            fail("DUMP of an accepted key does not RESTORE", again)
    main.call("DEL", "k", "k2")
    if other.call("PING") != b"+PONG\r\n":
        fail("other client got no PONG after reads")
    return reply


def run_survival(ours, conns, seeds, sanitize, iterations, seed):
    main, other = conns
    main.call("CONFIG", "SET", "sanitize-dump-payload", sanitize)
    rnd = random.Random(seed + SEED)
    verdicts = {"ok": 0, "err": 0}
    for name, payload in sorted(seeds.items()):
        for i in range(iterations):
            p = mutate(rnd, payload)
            r = check_survival(ours, main, other, p, "%s #%d (sanitize %s)" % (name, i, sanitize))
            verdicts["ok" if r == OK else "err"] += 1
    return verdicts


def n_iter(base):
    return max(1, int(base * FACTOR))


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------
def test_seeds_restore_identically(ours, real, seeds):
    """Every seed payload restores on both servers, with the same type,
    encoding and digest."""
    a = ours.raw()
    b = real.conn
    try:
        for conn in (a, b):
            conn.call("CONFIG", "SET", "sanitize-dump-payload", "yes")
        for name, payload in seeds.items():
            results = []
            for conn in (a, b):
                assert conn.call("RESTORE", "k", "0", payload, "REPLACE") == OK, name
                results.append(pipeline(conn, [("TYPE", "k"), ("OBJECT", "ENCODING", "k"),
                                               ("DEBUG", "DIGEST-VALUE", "k")]))
            assert results[0] == results[1], name
    finally:
        for conn in (a, b):
            conn.call("CONFIG", "SET", "sanitize-dump-payload", "no")
            conn.call("FLUSHALL")
        a.close()


def test_mutations_without_sanitization_never_hurt_the_server(ours, conns, seeds):
    verdicts = run_survival(ours, conns, seeds, "no", n_iter(80), seed=1)
    assert verdicts["ok"] and verdicts["err"]


def test_mutations_with_sanitization_never_hurt_the_server(ours, conns, seeds):
    verdicts = run_survival(ours, conns, seeds, "yes", n_iter(30), seed=2)
    assert verdicts["ok"] and verdicts["err"]


def differential(ours, real, conns, payloads, sanitize):
    """RESTORE each payload on both servers with sanitize-dump-payload
    `sanitize` (yes, or clients: the same for an ordinary client);
    returns the list of disagreements."""
    main, other = conns
    main.call("CONFIG", "SET", "sanitize-dump-payload", sanitize)
    real.sanitize = sanitize
    real.conn.call("CONFIG", "SET", "sanitize-dump-payload", sanitize)
    mismatches = []
    for what, p in payloads:
        ours_reply = check_survival(ours, main, other, p, what)
        if p[0] in STREAM_TYPES:
            continue
        theirs = real.restore(p)
        if theirs is None:
            # Redis's own assertions can fire on data its sanitizer let
            # through (e.g. a NaN score in a zset big enough to convert).
            real.crashes.append((what, p))
            continue
        if ours_reply != theirs:
            mismatches.append((what, p, ours_reply, theirs))
            continue
        if theirs == OK:
            # check_survival deleted pyredis's key: restore it again to compare.
            main.call("RESTORE", "k", "0", p, "REPLACE")
            cmds = [("TYPE", "k"), ("OBJECT", "ENCODING", "k"), ("DEBUG", "DIGEST-VALUE", "k")]
            mine, redis = pipeline(main, cmds), pipeline(real.conn, cmds)
            if mine != redis:
                mismatches.append((what, p, mine, redis))
            main.call("DEL", "k")
            real.conn.call("DEL", "k")
    return mismatches


@pytest.mark.parametrize("sanitize,iterations,seed", [("yes", 80, 3), ("clients", 15, 4)])
def test_mutations_same_verdict_as_redis(ours, real, conns, seeds, sanitize, iterations, seed):
    rnd = random.Random(seed + SEED)
    payloads = [("%s #%d" % (name, i), mutate(rnd, payload))
                for name, payload in sorted(seeds.items()) for i in range(n_iter(iterations))]
    try:
        mismatches = differential(ours, real, conns, payloads, sanitize)
    finally:
        real.sanitize = "no"
        real.conn.call("CONFIG", "SET", "sanitize-dump-payload", "no")
    for what, p in real.crashes:
        print("real Redis crashed on %s: %r" % (what, p))
    assert not mismatches, "\n".join(
        "%s\n  payload=%r\n  pyredis=%r\n  redis=  %r" % m for m in mismatches[:20])


# ---------------------------------------------------------------------------
# Regressions: one payload per difference the fuzzing found. Each checks
# pyredis's replies against the values real Redis 7.0.15 gives (recorded
# here), and against a running Redis when one is installed.
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def maybe_real():
    if not REDIS_SERVER:
        yield None
        return
    r = RealRedis()
    yield r
    r.stop()


def replies_for(ours, maybe_real, sanitize, payload, cmds=()):
    """RESTORE payload as key k (then run cmds) on pyredis, and on Redis if
    installed; assert both agree and return pyredis's replies."""
    results = []
    servers = [ours.raw()]
    if maybe_real is not None:
        servers.append(maybe_real.srv.raw())
    try:
        for conn in servers:
            conn.call("DEL", "k")
            conn.call("CONFIG", "SET", "sanitize-dump-payload", sanitize)
            out = [conn.call("RESTORE", "k", "0", payload, "REPLACE")]
            if out[0] == OK:
                out += pipeline(conn, list(cmds))
            conn.call("DEL", "k")
            conn.call("CONFIG", "SET", "sanitize-dump-payload", "no")
            results.append(out)
    finally:
        for conn in servers:
            conn.close()
    if len(results) == 2:
        assert results[0] == results[1]
    return results[0]


@pytest.mark.parametrize("sanitize", ["no", "yes"])
def test_a_value_can_run_into_the_footer(ours, maybe_real, sanitize):
    """RESTORE parses the whole payload, footer included, as Redis does:
    a string one byte longer than its data takes the RDB version's low
    byte; one longer than the whole payload is refused."""
    get = [("GET", "k")]
    assert replies_for(ours, maybe_real, sanitize, footer(b"\x00\x06hello"), get) == \
        [OK, b"$6\r\nhello\n\r\n"]
    assert replies_for(ours, maybe_real, sanitize, footer(b"\x00\x07hello"), get) == \
        [OK, b"$7\r\nhello\n\x00\r\n"]
    p = footer(b"\x00\x0fhello")            # ends exactly at the CRC's last byte
    assert replies_for(ours, maybe_real, sanitize, p, get) == [OK, b"$15\r\n" + p[2:] + b"\r\n"]
    assert replies_for(ours, maybe_real, sanitize, footer(b"\x00\x10hello")) == [BAD_FORMAT]


@pytest.mark.parametrize("sanitize", ["no", "yes"])
def test_an_encoded_length_byte_counts_its_low_bits(ours, maybe_real, sanitize):
    """rdbLoadLen(rdb, NULL) takes 11xxxxxx as the length xxxxxx instead of
    refusing it: a list count of 0xC2 is 2 elements."""
    p = footer(b"\x01\xc2\x01a\x01b")
    assert replies_for(ours, maybe_real, sanitize, p, [("LRANGE", "k", "0", "-1")]) == \
        [OK, b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"]
    p = footer(b"\x12\x01\xc2" + s(lpEncode([b"x", b"y"])))     # container 0xC2: packed
    assert replies_for(ours, maybe_real, sanitize, p, [("LRANGE", "k", "0", "-1")]) == \
        [OK, b"*2\r\n$1\r\nx\r\n$1\r\ny\r\n"]


@pytest.mark.parametrize("sanitize", ["no", "yes"])
def test_an_lzf_string_of_length_zero_is_empty(ours, maybe_real, sanitize):
    """lzf_decompress returns 0 for "nothing written", which matches an
    announced length of 0 whatever the compressed bytes: an empty string."""
    p = footer(b"\x00\xc3\x03\x00abc")
    assert replies_for(ours, maybe_real, sanitize, p, [("STRLEN", "k")]) == [OK, b":0\r\n"]
    p = footer(b"\x00\xc3\x05\x40\x00\x01xx\xe0W")    # 14-bit length encoding of 0
    assert replies_for(ours, maybe_real, sanitize, p, [("STRLEN", "k")]) == [OK, b":0\r\n"]


@pytest.mark.parametrize("sanitize", ["no", "yes"])
def test_text_scores_parse_like_sscanf(ours, maybe_real, sanitize):
    """RDB_TYPE_ZSET scores are read with sscanf("%lg"): a number prefix
    is enough ("1.5abc", "1e", leading blanks); nothing numeric, "0x"
    alone, a cut "infinity" or NaN are refused."""
    accepted = {b"1.5abc": b"1.5", b"1e": b"1", b" 2": b"2", b"0x1p3": b"8", b"infx": b"inf",
                b"1\x002": b"1", b"0x.": b"0", b"1e400": b"inf", b"-0x1.8z": b"-1.5"}
    for text, score in accepted.items():
        p = footer(b"\x03\x01" + s("m") + bytes([len(text)]) + text)
        assert replies_for(ours, maybe_real, sanitize, p, [("ZSCORE", "k", "m")]) == \
            [OK, b"$%d\r\n%s\r\n" % (len(score), score)], text
    for text in (b"", b"abc", b"0x", b"-0X", b"0xg", b"-infinit", b"infi", b"nan", b".", b"+"):
        p = footer(b"\x03\x01" + s("m") + bytes([len(text)]) + text)
        assert replies_for(ours, maybe_real, sanitize, p) == [BAD_FORMAT], text


@pytest.mark.parametrize("sanitize", ["no", "yes"])
@pytest.mark.parametrize("container", ["listpack", "ziplist"])
def test_packed_zset_scores_are_not_validated(ours, maybe_real, sanitize, container):
    """A listpack or ziplist zset's scores are read with strtod on demand
    (zzlStrtod) and never validated: "abc" scores 0, "2.5xyz" 2.5."""
    members = [b"a", b"abc", b"b", b"2.5xyz", b"c", b"\x00"]
    if container == "listpack":
        p = footer(b"\x11" + s(lpEncode(members)))
    else:
        p = footer(b"\x0c" + s(ziplistEncode(members)))
    assert replies_for(ours, maybe_real, sanitize, p, [("ZSCORE", "k", "a"), ("ZSCORE", "k", "b"),
                                                     ("ZSCORE", "k", "c")]) == \
        [OK, b"$1\r\n0\r\n", b"$3\r\n2.5\r\n", b"$1\r\n0\r\n"]


@pytest.mark.parametrize("sanitize", ["no", "yes"])
def test_an_empty_quicklist_node_is_refused(ours, maybe_real, sanitize):
    """A quicklist node string of length 0 is corrupt whatever its container."""
    for container in (b"\x01", b"\x02"):
        p = footer(b"\x12\x02" + container + b"\x00" + b"\x01" + s("x"))
        assert replies_for(ours, maybe_real, sanitize, p) == [BAD_FORMAT]
    p = footer(b"\x0e\x02" + b"\x00" + s(ziplistEncode([b"x"])))
    assert replies_for(ours, maybe_real, sanitize, p) == [BAD_FORMAT]


def test_sanitize_clients_validates_a_client_restore(ours, maybe_real):
    """sanitize-dump-payload clients validates a RESTORE from an ordinary
    client as deeply as "yes": a listpack whose backlen byte is wrong
    passes the shallow check ("no") but not the deep one."""
    lp = bytearray(lpEncode([b"f", b"v"]))
    lp[8] = 5                     # backlen of the first entry: 2, now 5
    p = footer(b"\x10" + s(bytes(lp)))
    assert replies_for(ours, maybe_real, "no", p) == [OK]
    assert replies_for(ours, maybe_real, "clients", p) == [BAD_FORMAT]
    assert replies_for(ours, maybe_real, "yes", p) == [BAD_FORMAT]


def _sanitizations(conn):
    info = parse_bulk(conn.call("INFO", "stats"))
    for line in info.split(b"\r\n"):
        if line.startswith(b"dump_payload_sanitizations:"):
            return int(line.split(b":")[1])
    raise AssertionError("no dump_payload_sanitizations in INFO stats")


def test_dump_payload_sanitizations_counts_deep_checks(ours, maybe_real):
    """INFO stats' dump_payload_sanitizations counts each listpack and
    intset validated deeply: one per packed quicklist node, none for a
    ziplist (always validated) or with sanitization off."""
    payloads = [footer(b"\x12\x03\x02" + s(lpEncode([b"a"])) + b"\x01" + s(b"p")
                       + b"\x02" + s(lpEncode([b"b"]))),                      # 2
                footer(b"\x10" + s(lpEncode([b"f", b"v"]))),                   # 1
                footer(b"\x11" + s(lpEncode([b"m", b"1"]))),                   # 1
                footer(b"\x0b" + s(intsetEncode([1, 2]))),                     # 1
                footer(b"\x0d" + s(ziplistEncode([b"f", b"v"])))]              # 0
    servers = [ours] + ([maybe_real.srv] if maybe_real is not None else [])
    for srv in servers:
        conn = srv.raw()
        try:
            for sanitize, expected in (("no", 0), ("yes", 5), ("clients", 5)):
                conn.call("CONFIG", "SET", "sanitize-dump-payload", sanitize)
                before = _sanitizations(conn)
                for p in payloads:
                    assert conn.call("RESTORE", "k", "0", p, "REPLACE") == OK
                assert _sanitizations(conn) - before == expected, (srv.kind, sanitize)
        finally:
            conn.call("CONFIG", "SET", "sanitize-dump-payload", "no")
            conn.call("DEL", "k")
            conn.close()


@pytest.mark.parametrize("sanitize", ["no", "yes"])
def test_an_overlong_zipmap_length_is_refused(ours, maybe_real, sanitize):
    """A zipmap key or value length below 254 written in the 5-byte form
    is refused by zipmapValidateIntegrity (the CVE-2026-25243 fix the
    installed Redis 7.0.15 carries): zipmapNext would step over it by 1
    byte and read the map from the wrong offsets. 254 and more in the
    5-byte form is the normal encoding."""
    get = [("HGETALL", "k")]
    canonical = b"\x01\x03abc\x01\x00v\xff"
    assert replies_for(ours, maybe_real, sanitize, footer(b"\x09" + s(canonical)), get) == \
        [OK, b"*2\r\n$3\r\nabc\r\n$1\r\nv\r\n"]
    for zm in (b"\x01\xfe\x03\x00\x00\x00abc\x01\x00v\xff",          # key length 3
               b"\x01\x03abc\xfe\x01\x00\x00\x00\x00v\xff",          # value length 1
               b"\x01\xfe\x03\x00\x00\x00\x04bc\x00\x00\xff"):       # would even parse shifted
        assert replies_for(ours, maybe_real, sanitize, footer(b"\x09" + s(zm))) == [BAD_FORMAT]
    big = b"\x01\xfe\xfe\x00\x00\x00" + b"k" * 254 + b"\x01\x00v\xff"
    assert replies_for(ours, maybe_real, sanitize, footer(b"\x09" + s(big)), [("HLEN", "k")]) == \
        [OK, b":1\r\n"]
