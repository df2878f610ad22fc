"""Shared pieces of the RDB tests: datasets, copying keys, hand-built RDB files."""

import os
import shutil
import struct
import subprocess
import time

from pyredis.crc64 import crc64
from pyredis.intset import intsetEncode
from pyredis.rdb import rdbEncodeLen
from pyredis.ziplist import ziplistEncode
from pyredis.zipmap import zipmapEncode

REDIS_CHECK_RDB = shutil.which("redis-check-rdb")
FAR_FUTURE_MS = 4102444800000          # 2100-01-01, an expire that never fires in a test


def build_full_dataset(r):
    """Every type in small and large encodings, ints, binary and compressible
    strings, expires, two dbs. `r` is a redis-py client on db 0 of a real
    Redis (all commands exist there); copy_all moves it to pyredis."""
    r.flushall()
    r.set("str:small", "hello")
    r.set("str:int", "12345")
    r.set("str:negint", "-7")
    r.set("str:bigint", "1234567890123456")
    r.set("str:bin", bytes(range(256)))
    r.set("str:compressible", "ab" * 300)
    r.set("str:incompressible", os.urandom(40).hex())
    r.set("str:empty", "")
    r.set("str:expiring", "soon", px=FAR_FUTURE_MS - int(time.time() * 1000))
    r.rpush("list:small", "a", "b", "1", "-5", "x" * 70)
    r.rpush("list:big", *[("item-%d" % i) * 3 for i in range(3000)])
    r.sadd("set:intset", 1, 2, 3, -100, 70000, 5000000000)
    r.sadd("set:ht", "alpha", "beta", "gamma")
    r.sadd("set:bigints", *range(600))
    r.hset("hash:small", mapping={"uid": 1, "name": "zs", "age": 32})
    r.hset("hash:big", mapping={"f%d" % i: "v%d" % i for i in range(600)})
    r.hset("hash:longval", mapping={"f": "x" * 100})
    r.zadd("zset:small", {"a": 1, "b": 2.5, "c": -3, "d": 1e100})
    r.zadd("zset:big", {"m%d" % i: i / 7 for i in range(300)})
    r.zadd("zset:inf", {"lo": float("-inf"), "hi": float("inf"), "zero": 0})
    r.pexpireat("zset:big", FAR_FUTURE_MS)
    r.execute_command("SELECT", 5)
    r.set("db5:key", "in db five")
    r.hset("db5:hash", "f", "v")
    r.execute_command("SELECT", 0)


def copy_all(src, dst, dbs=range(16)):
    """Copy every key from `src` to `dst` with DUMP/RESTORE ... ABSTTL (redis-py clients)."""
    for db in dbs:
        src.execute_command("SELECT", db)
        dst.execute_command("SELECT", db)
        for key in src.keys("*"):
            payload = src.dump(key)
            pexp = src.execute_command("PEXPIRETIME", key)
            ttl = pexp if pexp and pexp > 0 else 0
            dst.execute_command("RESTORE", key, ttl, payload, "REPLACE", "ABSTTL")
    src.execute_command("SELECT", 0)
    dst.execute_command("SELECT", 0)


def digest(client):
    return client.execute_command("DEBUG", "DIGEST")


def run_check_rdb(path):
    """The real redis-check-rdb's verdict on a file: (exit code, output)."""
    p = subprocess.run([REDIS_CHECK_RDB, path], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout + p.stderr


def wait_until(pred, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


# ---------------------------------------------------------------------------
# Hand-built files in older formats
# ---------------------------------------------------------------------------
def s(b):
    """A verbatim RDB string."""
    if isinstance(b, str):
        b = b.encode()
    return rdbEncodeLen(len(b)) + b


def make_rdb(version, body, checksum=True):
    """magic + body + EOF (+ CRC64 for version >= 5)."""
    data = b"REDIS%04d" % version + body + b"\xff"
    if version >= 5:
        data += struct.pack("<Q", crc64(0, data) if checksum else 0)
    return data


def old_format_body():
    """Keys in every pre-7.0 encoding Redis 7.0 still loads.

    Returns (body bytes, expected {key: (type, value)}) where value is what
    the pyredis commands should report back.
    """
    b = b"\xfe\x00"                                          # SELECTDB 0
    b += b"\x00" + s("plain") + s("value")                   # string
    b += b"\x00" + s("num") + b"\xc1\x39\x30"                # int16 12345
    b += b"\x01" + s("oldlist") + rdbEncodeLen(3) + s("a") + s("b") + s("c")   # RDB_TYPE_LIST
    b += b"\x02" + s("oldset") + rdbEncodeLen(2) + s("x") + s("y")             # RDB_TYPE_SET
    b += b"\x03" + s("oldzset") + rdbEncodeLen(2) + s("m1") + b"\x031.5" + s("m2") + b"\xfe"
    b += b"\x04" + s("oldhash") + rdbEncodeLen(1) + s("f") + s("v")            # RDB_TYPE_HASH
    b += b"\x09" + s("zmhash") + s(zipmapEncode([(b"k1", b"v1"), (b"k2", b"123")]))
    b += b"\x0a" + s("zllist") + s(ziplistEncode([b"one", 2, b"three"]))
    b += b"\x0b" + s("iset") + s(intsetEncode([5, 1, 3]))
    b += b"\x0c" + s("zlzset") + s(ziplistEncode([b"a", b"1", b"b", b"2.5"]))
    b += b"\x0d" + s("zlhash") + s(ziplistEncode([b"f1", b"v1", b"f2", 7]))
    b += b"\x0e" + s("qlist") + rdbEncodeLen(2) + s(ziplistEncode([b"n1", b"n2"])) \
        + s(ziplistEncode([3]))
    # expire in seconds (RDB_OPCODE_EXPIRETIME), far in the future
    b += b"\xfd" + struct.pack("<i", 2000000000) + b"\x00" + s("secexp") + s("v")
    # already expired (ms): dropped on load by a master
    b += b"\xfc" + struct.pack("<q", 1000) + b"\x00" + s("gone") + s("v")
    expected = {
        b"plain": ("string", b"value"), b"num": ("string", b"12345"),
        b"oldlist": ("list", [b"a", b"b", b"c"]), b"oldset": ("set", {b"x", b"y"}),
        b"oldzset": ("zset", [(b"m1", 1.5), (b"m2", float("inf"))]),
        b"oldhash": ("hash", {b"f": b"v"}),
        b"zmhash": ("hash", {b"k1": b"v1", b"k2": b"123"}),
        b"zllist": ("list", [b"one", b"2", b"three"]),
        b"iset": ("set", {b"1", b"3", b"5"}),
        b"zlzset": ("zset", [(b"a", 1.0), (b"b", 2.5)]),
        b"zlhash": ("hash", {b"f1": b"v1", b"f2": b"7"}),
        b"qlist": ("list", [b"n1", b"n2", b"3"]),
        b"secexp": ("string", b"v"),
    }
    return b, expected
