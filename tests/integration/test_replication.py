"""Replication between pyredis and a real Redis 7.0, both ways, and pyredis to pyredis.

Each case loads a dataset with every type pyredis has (in several
encodings, in several databases, some keys with a TTL) before the replica
syncs, streams more writes after, and compares DEBUG DIGEST on both sides.
Full syncs are tried to disk and diskless; a killed link must come back
with a partial resync. Every wait polls a condition with a deadline.
"""

import time

import pytest

from helpers.servers import REDIS_SERVER, Server, encode_command

NO_REDIS = "redis-server is not installed (apt-get install redis-server); real-Redis cases skipped"
needs_redis = pytest.mark.skipif(not REDIS_SERVER, reason=NO_REDIS)

# The diskless delay is 0 so a test does not wait 5 s for more replicas.
COMMON = ["--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0"]


def wait_for(cond, timeout=15.0, what="condition"):
    deadline = time.time() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.time() > deadline:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(0.05)


def link_up(replica):
    return replica.info("replication").get("master_link_status") == "up"


def digest(c):
    return c.execute_command("DEBUG", "DIGEST")


def same_digest(a, b):
    return digest(a) == digest(b)


def load_dataset(server, tag=""):
    """Keys of every type, small and large encodings, TTLs, three databases."""
    for dbid in (0, 3, 9):
        c = server.client(db=dbid)
        p = c.pipeline(transaction=False)
        p.set(tag + "str", "hello")
        p.set(tag + "int", 12345)
        p.set(tag + "big", "x" * 70000)
        p.rpush(tag + "list", *range(20))
        p.rpush(tag + "biglist", *("item-%d" % i for i in range(300)))
        p.hset(tag + "hash", mapping={"f%d" % i: i for i in range(10)})
        p.hset(tag + "bighash", mapping={"f%d" % i: "v" * 80 for i in range(200)})
        p.sadd(tag + "intset", *range(50))
        p.sadd(tag + "set", *("m%d" % i for i in range(200)))
        p.zadd(tag + "zset", {"a": 1, "b": 2.5, "c": -3})
        p.zadd(tag + "bigzset", {"m%d" % i: i / 7 for i in range(300)})
        p.pfadd(tag + "hll", *range(100))
        p.setbit(tag + "bits", 1000, 1)
        p.set(tag + "ttl", "v", ex=1000)
        p.hset(tag + "ttlhash", "f", "v")
        p.pexpire(tag + "ttlhash", 500000)
        p.execute()
        c.close()


def stream_writes(server):
    """Writes after the sync: several dbs, a transaction, deletions, an expire."""
    c = server.client(db=0)
    c.incr("int")
    c.append("str", " world")
    c.lpush("list", "new")
    c.hset("hash", "new", "field")
    c.zincrby("bigzset", 10, "m3")
    c.srem("set", "m1", "m2")
    c.delete("bits")
    with c.pipeline(transaction=True) as p:
        p.set("in-multi", 1)
        p.incrby("in-multi", 41)
        p.execute()
    c3 = server.client(db=3)
    c3.set("db3-after", "yes")
    c3.expire("str", 5000)
    c3.close()
    c.close()


def check_synced(master, replica):
    mc, rc = master.client(), replica.client()
    # WAIT makes the master ask for an ACK; once it has one past these
    # writes, the replica has applied them.
    assert mc.execute_command("WAIT", 1, 5000) == 1
    wait_for(lambda: same_digest(mc, rc), what="equal digests")
    for dbid in (0, 3, 9):
        assert master.client(db=dbid).dbsize() == replica.client(db=dbid).dbsize()
    mc.close()
    rc.close()


def sync(replica, master):
    rc = replica.client()
    assert rc.execute_command("REPLICAOF", "127.0.0.1", master.port) == b"OK"
    wait_for(lambda: link_up(rc), what="link up")
    rc.close()


@pytest.fixture(scope="module")
def pym():
    """A pyredis master shared by the tests of this module."""
    s = Server("pyredis", args=COMMON)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def pyr():
    """A pyredis server the tests make a replica of something."""
    s = Server("pyredis", args=COMMON)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def redis_master():
    if not REDIS_SERVER:
        pytest.skip(NO_REDIS)
    s = Server("redis", args=COMMON)
    yield s
    s.stop()


# ---------------------------------------------------------------------------
# pyredis master -> real Redis replica
# ---------------------------------------------------------------------------
@needs_redis
@pytest.mark.parametrize("diskless", ["no", "yes"])
def test_pyredis_master_to_redis_replica(pym, diskless):
    mc = pym.client()
    mc.flushall()
    mc.config_set("repl-diskless-sync", diskless)
    load_dataset(pym)
    replica = Server("redis", args=COMMON)
    try:
        sync(replica, pym)
        rc = replica.client()
        stream_writes(pym)
        check_synced(pym, replica)
        # The master's view: the replica online, its ACKed offset in ROLE.
        role = mc.execute_command("ROLE")
        assert role[0] == b"master" and role[1] == mc.info("replication")["master_repl_offset"]
        assert role[2] and role[2][0][1] == str(replica.port).encode()
        info = mc.info("replication")
        assert info["connected_slaves"] == 1
        assert info["slave0"]["state"] == "online" and info["slave0"]["port"] == replica.port
        assert info["repl_backlog_active"] == 1
        assert info["master_replid"] == rc.info("replication")["master_replid"]
        # An expired key reaches the replica as a DEL: it leaves the
        # replica's keyspace, which a replica never does on its own.
        mc.set("short", "v", px=100)
        wait_for(lambda: rc.exists("short") or rc.dbsize() == mc.dbsize(), what="key on replica")
        n = mc.dbsize()
        wait_for(lambda: mc.dbsize() == n - 1, what="expiry on the master")
        wait_for(lambda: rc.dbsize() == n - 1, what="the DEL on the replica")
        assert mc.info("stats")["sync_full"] >= 1
        log = pym.read_log()
        target = "replicas sockets" if diskless == "yes" else "disk"
        assert "Starting BGSAVE for SYNC with target: %s" % target in log
    finally:
        replica.stop()


@needs_redis
def test_redis_replica_partial_resync_with_pyredis_master(pym):
    """A real replica whose link is killed comes back with PSYNC and gets the
    missed writes from pyredis's backlog (+CONTINUE)."""
    mc = pym.client()
    mc.flushall()
    load_dataset(pym, "p-")
    replica = Server("redis", args=COMMON)
    try:
        sync(replica, pym)
        rc = replica.client()
        before = mc.info("stats")["sync_partial_ok"]
        full_before = mc.info("stats")["sync_full"]
        rc.execute_command("CONFIG", "SET", "repl-timeout", "60")
        # Kill the replica's link from the master's side, then write while
        # it reconnects.
        mc.execute_command("CLIENT", "KILL", "TYPE", "replica")
        mc.set("during-outage", "1")
        stream_writes(pym)
        wait_for(lambda: mc.info("stats")["sync_partial_ok"] == before + 1, what="partial resync")
        assert mc.info("stats")["sync_full"] == full_before
        check_synced(pym, replica)
        assert "Partial resynchronization request from" in pym.read_log()
    finally:
        replica.stop()


# ---------------------------------------------------------------------------
# real Redis master -> pyredis replica
# ---------------------------------------------------------------------------
@needs_redis
@pytest.mark.parametrize("diskless", ["no", "yes"])
def test_redis_master_to_pyredis_replica(redis_master, pyr, diskless):
    mc = redis_master.client()
    mc.flushall()
    mc.config_set("repl-diskless-sync", diskless)
    load_dataset(redis_master)
    rc = pyr.client()
    try:
        sync(pyr, redis_master)
        stream_writes(redis_master)
        check_synced(redis_master, pyr)
        # The replica's view.
        role = rc.execute_command("ROLE")
        assert role[:4] == [b"slave", b"127.0.0.1", redis_master.port, b"connected"]
        info = rc.info("replication")
        assert info["role"] == "slave" and info["master_port"] == redis_master.port
        assert info["master_sync_in_progress"] == 0 and info["slave_read_only"] == 1
        assert info["slave_repl_offset"] == mc.info("replication")["master_repl_offset"]
        assert info["master_replid"] == mc.info("replication")["master_replid"]
        raw = pyr.raw()
        text = raw.call("INFO", "replication").decode().split("\r\n", 1)[1]
        raw.close()
        keys = [line.split(":", 1)[0] for line in text.splitlines()[1:] if line]
        assert keys[:10] == ["role", "master_host", "master_port", "master_link_status",
                             "master_last_io_seconds_ago", "master_sync_in_progress",
                             "slave_read_repl_offset", "slave_repl_offset", "slave_priority",
                             "slave_read_only"]
        # Redis's master sees us as an online replica with our port.
        slave0 = mc.info("replication")["slave0"]
        assert slave0["state"] == "online" and slave0["port"] == pyr.port
        # Expiry on the master arrives as a DEL.
        mc.set("short", "v", px=100)
        n = mc.dbsize()
        wait_for(lambda: rc.dbsize() == n, what="key on replica")
        wait_for(lambda: rc.dbsize() == n - 1, what="the DEL on the replica")
    finally:
        rc.execute_command("REPLICAOF", "NO", "ONE")
        rc.close()


@needs_redis
def test_pyredis_replica_readonly_and_promotion(redis_master, pyr):
    mc = redis_master.client()
    mc.flushall()
    mc.set("k", "v")
    rc = pyr.client()
    sync(pyr, redis_master)
    wait_for(lambda: rc.get("k") == b"v", what="key on replica")
    raw = pyr.raw()
    try:
        # Byte for byte the error a real read-only replica gives.
        assert raw.call("SET", "k", "w") == b"-READONLY You can't write against a read only replica.\r\n"
        # Asking again for the same master changes nothing.
        assert raw.call("REPLICAOF", "127.0.0.1", str(redis_master.port)) == \
            b"+OK Already connected to specified master\r\n"
        # A replica whose link drops reconnects with PSYNC, and the
        # master answers +CONTINUE.
        before = mc.info("stats")["sync_partial_ok"]
        mc.execute_command("CLIENT", "KILL", "TYPE", "replica")
        mc.set("during-outage", "1")
        wait_for(lambda: mc.info("stats")["sync_partial_ok"] == before + 1, what="partial resync")
        wait_for(lambda: rc.get("during-outage") == b"1", what="missed write")
        assert "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization." in pyr.read_log()
        # REPLICAOF NO ONE promotes: writes are accepted, ROLE says master,
        # and the old history stays valid as the secondary ID.
        replid = rc.info("replication")["master_replid"]
        assert rc.execute_command("REPLICAOF", "NO", "ONE") == b"OK"
        assert rc.set("k", "promoted") is True
        assert rc.execute_command("ROLE")[0] == b"master"
        info = rc.info("replication")
        assert info["role"] == "master" and info["master_replid2"] == replid
        assert info["second_repl_offset"] > 0
    finally:
        raw.close()
        rc.close()


# ---------------------------------------------------------------------------
# pyredis -> pyredis, replicaof at start-up
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("diskless", ["no", "yes"])
def test_pyredis_to_pyredis_from_config(pym, diskless):
    mc = pym.client()
    mc.flushall()
    mc.config_set("repl-diskless-sync", diskless)
    load_dataset(pym)
    replica = Server("pyredis", args=COMMON + ["--replicaof", "127.0.0.1", str(pym.port)])
    try:
        rc = replica.client()
        wait_for(lambda: link_up(rc), what="link up")
        stream_writes(pym)
        check_synced(pym, replica)
        assert rc.execute_command("ROLE")[3] == b"connected"
        # WAIT with one replica connected answers 1 at once.
        mc.set("w", 1)
        assert mc.execute_command("WAIT", 1, 0) == 1
    finally:
        replica.stop()


# ---------------------------------------------------------------------------
# Errors, compared with Redis byte for byte
# ---------------------------------------------------------------------------
@needs_redis
def test_errors_like_redis(pym, redis_master):
    cases = [
        ["REPLICAOF", "127.0.0.1", "notaport"],
        ["REPLICAOF", "127.0.0.1", "70000"],
        ["REPLICAOF", "127.0.0.1"],
        ["SLAVEOF", "no", "one"],
        ["REPLCONF", "listening-port"],
        ["REPLCONF", "listening-port", "abc"],
        ["REPLCONF", "foo", "bar"],
        ["REPLCONF", "capa", "whatever"],
        ["REPLCONF", "ack", "10"],
        ["REPLCONF", "rdb-only", "2"],
        ["PSYNC", "?"],
        ["WAIT", "0", "0"],
    ]
    a, b = pym.raw(), redis_master.raw()
    try:
        for cmd in cases:
            if cmd[:2] == ["REPLCONF", "ack"]:
                # No reply at all: a PING after it must be what answers.
                cmd = [cmd, ["PING"]]
            else:
                cmd = [cmd]
            for c in cmd:
                a.send(encode_command(c))
                b.send(encode_command(c))
            assert a.read_reply() == b.read_reply(), cmd
    finally:
        a.close()
        b.close()
