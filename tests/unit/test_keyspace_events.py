"""Keyspace notifications (Redis's tests/unit/pubsub.tcl "Keyspace notifications" part).

The main test is differential: a subscriber to __key*__:* on pyredis and on
a real Redis 7.0, the same scripted commands on both, and the exact
stream of messages compared.
"""

import time

import pytest

from helpers.servers import encode_command

END = b"*3\r\n$7\r\nmessage\r\n$3\r\nend\r\n$3\r\nend\r\n"


def capture(srv, flags, script, db=0, settle=None):
    """Run `script` on `srv` with notify-keyspace-events=`flags`; return the messages received.

    The subscriber listens to __key*__:* and to a channel "end"; a PUBLISH
    end after the script marks the end of the stream, so no sleep is needed
    to know we saw everything.
    """
    sub, cmd = srv.raw(), srv.raw()
    try:
        cmd.call("FLUSHALL")
        cmd.call("CONFIG", "SET", "notify-keyspace-events", flags)
        sub.call("PSUBSCRIBE", "__key*__:*")
        sub.call("SUBSCRIBE", "end")
        if db:
            cmd.call("SELECT", db)
        for c in script:
            if c[0] == "SLEEP":
                time.sleep(c[1])
                continue
            cmd.call(*c)
        if settle:
            settle(cmd)
        cmd.call("PUBLISH", "end", "end")
        msgs = []
        while True:
            m = sub.read_reply()
            if m == END:
                break
            msgs.append(m)
        return msgs
    finally:
        cmd.call("CONFIG", "SET", "notify-keyspace-events", "")
        sub.close()
        cmd.close()


def assert_same_stream(server, real_redis, flags, script, **kw):
    ours = capture(server, flags, script, **kw)
    theirs = capture(real_redis, flags, script, **kw)
    assert ours == theirs, "\npyredis: %s\nredis:   %s" % (
        b"\n".join(ours).decode("latin-1"), b"\n".join(theirs).decode("latin-1"))
    return ours


STRINGS_AND_KEYSPACE = [
    ("SET", "s", "1"), ("SET", "s", "2", "NX"), ("SETNX", "s2", "x"), ("SETEX", "s3", "100", "v"),
    ("PSETEX", "s4", "100000", "v"), ("GETSET", "s", "3"), ("APPEND", "s", "4"),
    ("APPEND", "new", "x"), ("INCR", "n"), ("INCRBY", "n", "5"), ("DECR", "n"),
    ("DECRBY", "n", "2"), ("INCRBYFLOAT", "f", "1.5"), ("SETRANGE", "s", "5", "zz"),
    ("SETRANGE", "sr", "0", ""), ("MSET", "m1", "a", "m2", "b"), ("MSETNX", "m1", "x", "m3", "y"),
    ("MSETNX", "m4", "x", "m5", "y"), ("GETDEL", "m4"), ("GETDEL", "nokey"),
    ("GETEX", "m1", "EX", "100"), ("GETEX", "m1", "PERSIST"), ("GETEX", "m2"),
    ("SET", "k", "v", "GET"), ("SET", "k", "v", "KEEPTTL"),
    ("DEL", "m5", "nokey"), ("UNLINK", "m3"),
    ("EXPIRE", "k", "100"), ("PEXPIRE", "k", "100000"), ("EXPIREAT", "k", "9999999999"),
    ("PERSIST", "k"), ("PERSIST", "k"), ("EXPIRE", "k", "100", "NX"), ("EXPIRE", "k", "10", "XX"),
    ("EXPIRE", "k", "0"), ("SET", "k", "v"), ("EXPIRE", "k", "-1"),
    ("RENAME", "s", "s5"), ("RENAME", "s5", "s5"), ("RENAMENX", "s5", "s2"),
    ("RENAMENX", "s5", "s6"), ("MOVE", "s6", "3"), ("COPY", "s2", "c1"),
    ("COPY", "s2", "c1", "REPLACE"), ("COPY", "s2", "c2", "DB", "4"),
    ("SETBIT", "b", "7", "1"), ("PFADD", "hll", "a", "b"),
    ("SET", "vol", "1", "PX", "1"), ("SLEEP", 0.01), ("GET", "vol"),
    ("GET", "missing"), ("SET", "e", "1", "EX", "0"), ("SET", "e", "1", "EXAT", "1"),
]


def test_strings_and_generic_stream(server, real_redis):
    msgs = assert_same_stream(server, real_redis, "KEA", STRINGS_AND_KEYSPACE)
    assert any(b"rename_from" in m for m in msgs) and any(b"expired" in m for m in msgs)


def test_every_class_flag_with_new_and_miss(server, real_redis):
    assert_same_stream(server, real_redis, "KEAnm", STRINGS_AND_KEYSPACE[:25])


@pytest.mark.parametrize("flags", ["K$", "Eg", "Kx", "E$g", "Eh", "Kz", "En", "Em", "KEm", "A", "gK"])
def test_class_filters(server, real_redis, flags):
    assert_same_stream(server, real_redis, flags, STRINGS_AND_KEYSPACE[:30])


ZSETS = [
    ("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZADD", "z", "1", "a"), ("ZINCRBY", "z", "5", "a"),
    ("ZREM", "z", "nosuch"), ("ZREM", "z", "b"), ("ZPOPMIN", "z"), ("ZPOPMAX", "z"),
    ("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"), ("ZREMRANGEBYSCORE", "z", "1", "1"),
    ("ZREMRANGEBYRANK", "z", "0", "0"), ("ZREMRANGEBYLEX", "z", "-", "+"),
    ("ZADD", "z1", "1", "x"), ("ZADD", "z2", "2", "x", "3", "y"),
    ("ZUNIONSTORE", "zu", "2", "z1", "z2"), ("ZINTERSTORE", "zi", "2", "z1", "z2"),
    ("ZDIFFSTORE", "zd", "1", "nosuch"), ("ZRANGESTORE", "zr", "z2", "0", "-1"),
    ("ZMPOP", "2", "nosuch", "z2", "MIN", "COUNT", "5"),
]


def test_zset_stream(server, real_redis):
    assert_same_stream(server, real_redis, "KEA", ZSETS)


def test_other_db_and_flush(server, real_redis):
    script = [("SET", "a", "1"), ("EXPIRE", "a", "100"), ("FLUSHDB",), ("SET", "b", "2"),
              ("SWAPDB", "5", "6"), ("FLUSHALL",)]
    assert_same_stream(server, real_redis, "KEA", script, db=5)


def test_active_expiry_fires_expired(server, real_redis):
    """Keys nobody reads are expired by the cron and announce 'expired'."""
    def settle(cmd):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and cmd.call("DBSIZE") != b":0\r\n":
            time.sleep(0.02)
    script = [("SET", "x1", "1", "PX", "20"), ("SET", "x2", "1", "PX", "30")]
    # The cron samples keys in hash-table order, so only the set is comparable.
    ours = capture(server, "Ex", script, settle=settle)
    theirs = capture(real_redis, "Ex", script, settle=settle)
    assert sorted(ours) == sorted(theirs) and len(ours) == 2


def test_transactions_notify_per_command(server, real_redis):
    script = [("MULTI",), ("SET", "a", "1"), ("INCR", "a"), ("DEL", "a"), ("EXEC",)]
    assert_same_stream(server, real_redis, "KEA", script)


def test_pipelined_script_stream(server, real_redis):
    """The same commands sent as one pipeline produce the same stream."""
    def run(srv):
        sub, cmd = srv.raw(), srv.raw()
        cmd.call("FLUSHALL")
        cmd.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
        sub.call("PSUBSCRIBE", "__keyevent@*")
        batch = [("SET", "p%d" % i, i) for i in range(50)] + [("DEL", "p1", "p2")]
        cmd.send(b"".join(encode_command(c) for c in batch))
        for _ in batch:
            cmd.read_reply()
        out = [sub.read_reply() for _ in range(52)]
        cmd.call("CONFIG", "SET", "notify-keyspace-events", "")
        sub.close()
        cmd.close()
        return out
    assert run(server) == run(real_redis)


LISTS = [
    ("LPUSH", "l", "a", "b"), ("RPUSH", "l", "c"), ("LPUSHX", "nol", "x"), ("RPUSHX", "l", "d"),
    ("LINSERT", "l", "BEFORE", "c", "z"), ("LINSERT", "l", "BEFORE", "nope", "z"),
    ("LSET", "l", "0", "first"), ("LPOP", "l"), ("RPOP", "l", "2"), ("LTRIM", "l", "0", "0"),
    ("RPUSH", "l", "a", "a", "b"), ("LREM", "l", "0", "a"), ("LREM", "l", "0", "zz"),
    ("LMOVE", "l", "l2", "LEFT", "RIGHT"), ("RPOPLPUSH", "l2", "l3"), ("LMPOP", "2", "x", "l3", "LEFT"),
    ("RPUSH", "t", "1", "2"), ("LTRIM", "t", "5", "10"), ("BLPOP", "nol", "l", "0.01"),
]


def test_list_stream(server, real_redis):
    assert_same_stream(server, real_redis, "KEA", LISTS)


HASHES = [
    ("HSET", "h", "a", "1", "b", "2"), ("HSET", "h", "a", "1"), ("HSETNX", "h", "a", "x"),
    ("HSETNX", "h", "c", "3"), ("HMSET", "h", "d", "4"), ("HINCRBY", "h", "n", "5"),
    ("HINCRBYFLOAT", "h", "f", "1.5"), ("HDEL", "h", "zz"), ("HDEL", "h", "a", "b"),
    ("HGETALL", "h"), ("HDEL", "h", "c", "d", "n", "f"), ("HGET", "nohash", "x"),
]

SETS = [
    ("SADD", "s", "a", "b", "c"), ("SADD", "s", "a"), ("SREM", "s", "zz"), ("SREM", "s", "a"),
    ("SMOVE", "s", "t", "b"), ("SMOVE", "s", "t", "nope"), ("SPOP", "t"), ("SADD", "u", "1", "2", "3"),
    ("SPOP", "u", "2"), ("SADD", "v", "x", "y"), ("SINTERSTORE", "w", "v", "u"),
    ("SUNIONSTORE", "w", "v", "u"), ("SDIFFSTORE", "w", "v", "nokey"), ("SINTERSTORE", "w", "nokey", "v"),
]


def test_hash_stream(server, real_redis):
    assert_same_stream(server, real_redis, "KEA", HASHES)


def test_set_stream(server, real_redis):
    # (SPOP picks members at random, but the events name only the key.)
    assert_same_stream(server, real_redis, "KEA", SETS)
