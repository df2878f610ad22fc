"""maxmemory, the eviction policies and the memory model, after Redis's
tests/unit/maxmemory.tcl (our own code).

The memory model (docs/servercron.md) charges each key what Redis would
allocate for it and keeps the sum incrementally, so these tests are
deterministic: filling past maxmemory evicts, and the keys that go are the
ones the policy says.
"""

import os
import subprocess
import sys
import time

import pytest
import redis

from helpers.servers import ROOT, Server

POLICIES = ["allkeys-random", "allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu",
            "volatile-random", "volatile-ttl"]
OOM = "OOM command not allowed when used memory > 'maxmemory'."


@pytest.fixture(scope="module")
def srv():
    s = Server("pyredis", args=["--enable-debug-command", "yes"])
    yield s
    s.stop()


@pytest.fixture
def r(srv):
    c = srv.client(decode_responses=True, protocol=2)
    c.config_set("maxmemory", 0)
    c.config_set("maxmemory-policy", "noeviction")
    c.config_set("maxmemory-samples", 5)
    c.flushall()
    c.config_resetstat()
    yield c
    c.config_set("maxmemory", 0)
    c.close()


def used(r):
    return r.info("memory")["used_memory"]


def set_limit_above_current(r, extra):
    limit = used(r) + extra
    r.config_set("maxmemory", limit)
    return limit


@pytest.mark.parametrize("policy", POLICIES)
def test_limit_is_honoured(r, policy):
    r.config_set("maxmemory-policy", policy)
    limit = set_limit_above_current(r, 100 * 1024)
    volatile = policy.startswith("volatile")
    p = r.pipeline(transaction=False)
    for i in range(400):          # 400 KB of values, four times the room
        if volatile:
            p.setex("key:%d" % i, 10000, "x" * 1000)
        else:
            p.set("key:%d" % i, "x" * 1000)
    p.execute()
    r.ping()                      # one more command: evictions run before it
    assert used(r) <= limit + 2048
    assert r.info("stats")["evicted_keys"] > 0
    assert 0 < r.dbsize() < 400


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random",
                                    "volatile-ttl"])
def test_volatile_policies_only_evict_keys_with_ttl(r, policy):
    r.config_set("maxmemory-policy", policy)
    limit = set_limit_above_current(r, 150 * 1024)
    p = r.pipeline(transaction=False)
    for i in range(100):
        p.set("persistent:%d" % i, "x" * 1000)
    for i in range(300):
        p.setex("volatile:%d" % i, 10000, "x" * 1000)
    p.execute()
    r.ping()
    assert used(r) <= limit + 2048
    assert all(r.exists("persistent:%d" % i) for i in range(100))
    assert sum(r.exists("volatile:%d" % i) for i in range(300)) < 300


def test_volatile_fails_when_nothing_has_a_ttl(r):
    r.config_set("maxmemory-policy", "volatile-lru")
    set_limit_above_current(r, 20 * 1024)
    with pytest.raises(redis.ResponseError, match="command not allowed when used memory"):
        for i in range(100):
            r.set("persistent:%d" % i, "x" * 1000)
    assert r.get("persistent:0") == "x" * 1000      # reads still served


def test_noeviction_refuses_writes_serves_reads(r, srv):
    r.set("keep", "v")
    r.config_set("maxmemory-policy", "noeviction")
    set_limit_above_current(r, 10 * 1024)
    with pytest.raises(redis.ResponseError) as e:
        for i in range(100):
            r.set("k:%d" % i, "x" * 1000)
    assert str(e.value) == OOM[len("OOM "):]   # redis-py drops the error code
    assert r.get("keep") == "v"
    assert r.info("stats")["evicted_keys"] == 0
    # The exact bytes a client sees, and DEL (not denyoom) still works.
    conn = srv.raw()
    assert conn.call("SET", "another", "v") == b"-" + OOM.encode() + b"\r\n"
    assert conn.call("DEL", "k:0") == b":1\r\n"
    conn.close()


def _idle_at_least_a_second(r, key):
    deadline = time.monotonic() + 5
    while r.object("idletime", key) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)


def test_lru_keeps_the_keys_that_were_read(r):
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.config_set("maxmemory-samples", 10)
    p = r.pipeline(transaction=False)
    for i in range(200):
        p.set("key:%d" % i, "x" * 1000)
    p.execute()
    _idle_at_least_a_second(r, "key:0")      # the LRU clock has 1 s resolution
    hot = ["key:%d" % i for i in range(0, 200, 10)]
    for k in hot:
        r.get(k)
    assert r.object("idletime", hot[0]) == 0
    set_limit_above_current(r, 0)
    for i in range(100):                      # force about 100 evictions
        r.set("new:%d" % i, "x" * 1000)
    survivors = sum(r.exists(k) for k in hot)
    assert survivors >= len(hot) * 0.9, survivors
    assert r.info("stats")["evicted_keys"] >= 90


def test_lfu_keeps_the_keys_used_often(r):
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.config_set("maxmemory-samples", 10)
    r.config_set("lfu-log-factor", 0)         # every hit counts
    p = r.pipeline(transaction=False)
    for i in range(200):
        p.set("key:%d" % i, "x" * 1000)
    p.execute()
    hot = ["key:%d" % i for i in range(0, 200, 10)]
    p = r.pipeline(transaction=False)
    for _ in range(20):
        for k in hot:
            p.get(k)
    p.execute()
    assert r.object("freq", hot[0]) > 20
    assert r.object("freq", "key:1") <= 6
    set_limit_above_current(r, 0)
    for i in range(100):
        r.set("new:%d" % i, "x" * 1000)
    assert sum(r.exists(k) for k in hot) >= len(hot) * 0.9
    r.config_set("lfu-log-factor", 10)


def test_volatile_ttl_evicts_the_soonest_to_expire(r):
    r.config_set("maxmemory-policy", "volatile-ttl")
    r.config_set("maxmemory-samples", 10)
    p = r.pipeline(transaction=False)
    for i in range(100):
        p.setex("short:%d" % i, 1000 + i, "x" * 1000)
        p.setex("long:%d" % i, 100000 + i, "x" * 1000)
    p.execute()
    set_limit_above_current(r, 0)
    for i in range(50):
        r.setex("new:%d" % i, 50000, "x" * 1000)
    longs = sum(r.exists("long:%d" % i) for i in range(100))
    shorts = sum(r.exists("short:%d" % i) for i in range(100))
    assert longs >= 95 and shorts <= 60, (longs, shorts)


def test_object_freq_and_idletime_errors(r):
    r.set("k", "v")
    r.config_set("maxmemory-policy", "allkeys-lru")
    with pytest.raises(redis.ResponseError, match="An LFU maxmemory policy is not selected"):
        r.object("freq", "k")
    r.config_set("maxmemory-policy", "allkeys-lfu")
    assert r.object("freq", "k") >= 0
    with pytest.raises(redis.ResponseError, match="An LFU maxmemory policy is selected"):
        r.object("idletime", "k")


def test_evicted_keyspace_event(r, srv):
    r.config_set("notify-keyspace-events", "Ee")
    sub = srv.client(decode_responses=True).pubsub()
    sub.psubscribe("__keyevent@*__:evicted")
    assert sub.get_message(timeout=2)["type"] == "psubscribe"
    r.config_set("maxmemory-policy", "allkeys-random")
    set_limit_above_current(r, 10 * 1024)
    for i in range(50):
        r.set("k:%d" % i, "x" * 1000)
    msg = sub.get_message(timeout=2)
    assert msg["channel"] == "__keyevent@9__:evicted" or msg["channel"].endswith(":evicted")
    assert msg["data"].startswith("k:")
    sub.close()
    r.config_set("notify-keyspace-events", "")


def test_eviction_propagates_del_and_feeds_latency():
    """In a separate interpreter: performEvictions deletes, counts, and hands
    DEL to the propagation hooks (where the AOF and replicas listen)."""
    code = r"""
import sys
from pyredis import server as S
from pyredis.server_h import server, MAXMEMORY_ALLKEYS_LRU, PROPAGATE_AOF, PROPAGATE_REPL
from pyredis.db import initDatabases, setKey
from pyredis.object import createStringObject
from pyredis import evict
sys.argv = ["x"]
server.init_hooks = []
S.initServerConfig()
initDatabases()
got = []
server.propagate_hooks = [(PROPAGATE_AOF | PROPAGATE_REPL, lambda dbid, argv: got.append((dbid, argv)))]
class C: pass
for i in range(100):
    setKey(None, server.db[0], b"k%d" % i, createStringObject(b"x" * 500), 0)
server.maxmemory = S.getUsedMemory() - 5000
server.maxmemory_policy = MAXMEMORY_ALLKEYS_LRU
server.latency_monitor_threshold = 0
res = evict.performEvictions()
assert res == evict.EVICT_OK, res
assert S.getUsedMemory() <= server.maxmemory
n = server.stat_evictedkeys
assert n >= 5 and len(server.db[0].dict) == 100 - n, n
assert len(got) == n and all(a[0] == b"DEL" and d == 0 for d, a in got), got[:3]
assert all(a[1] not in server.db[0].dict for _, a in got)
print("ok", n)
"""
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("ok")


# -- the memory model ---------------------------------------------------------------
def test_memory_usage_matches_dataset_accounting(r):
    before = r.info("memory")["used_memory_dataset"]
    r.set("mykey", "x" * 100)
    usage = r.memory_usage("mykey")
    after = r.info("memory")["used_memory_dataset"]
    # dataset = used - overhead, and the key's dictEntry (24 bytes) counts as
    # overhead, as in Redis's getMemoryOverheadData.
    assert after - before == usage - 24
    r.delete("mykey")
    assert r.info("memory")["used_memory_dataset"] == before


def test_memory_usage_grows_with_the_value(r):
    r.set("small", "x")
    r.set("big", "x" * 10000)
    assert r.memory_usage("big") > r.memory_usage("small") + 9000
    assert r.memory_usage("nokey") is None
    r.rpush("list", *["e%d" % i for i in range(1000)])
    r.hset("hash", mapping={"f%d" % i: "v" * 10 for i in range(1000)})
    r.sadd("set", *["m%d" % i for i in range(1000)])
    r.zadd("zset", {"m%d" % i: i for i in range(1000)})
    for key in ("list", "hash", "set", "zset"):
        assert r.memory_usage(key) > 1000 * 4, key
        assert r.memory_usage(key, samples=0) > 1000 * 4, key
    # Small aggregates are compact (listpack), big ones pay per element.
    r.rpush("small-list", "a", "b")
    assert r.memory_usage("small-list") < 200
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("MEMORY", "USAGE", "big", "SAMPLES", "-1")


def test_peak_is_tracked(r):
    r.set("big", "x" * 1000000)
    high = used(r)
    r.delete("big")
    info = r.info("memory")
    assert info["used_memory_peak"] >= high > info["used_memory"]
    assert info["used_memory_peak_human"].endswith("M")


def test_memory_stats_doctor_and_helpers(r, srv, real_redis):
    stats = r.execute_command("MEMORY", "STATS")
    names = stats[::2]
    a, b = srv.raw(), real_redis.raw()
    for conn in (a, b):
        conn.call("FLUSHALL")
        conn.call("SET", "foo", "bar")
    real_names = redis.Redis(port=real_redis.port, protocol=2,
                             decode_responses=True).execute_command("MEMORY", "STATS")[::2]
    assert names[:10] == real_names[:10]
    assert [n for n in names if not n.startswith("db.")] == \
        [n for n in real_names if not n.startswith("db.")]
    assert a.call("MEMORY", "HELP") == b.call("MEMORY", "HELP")
    assert a.call("MEMORY", "DOCTOR") == b.call("MEMORY", "DOCTOR")   # both "empty"
    assert a.call("MEMORY", "USAGE", "nokey") == b.call("MEMORY", "USAGE", "nokey")
    assert a.call("MEMORY", "PURGE") == b"+OK\r\n"
    assert a.call("MEMORY", "MALLOC-STATS").startswith(b"$")
    a.close()
    b.close()


def test_info_memory_fields(r):
    info = r.info("memory")
    assert info["maxmemory_policy"] == "noeviction"
    r.config_set("maxmemory", "10mb")
    info = r.info("memory")
    assert info["maxmemory"] == 10 * 1024 * 1024 and info["maxmemory_human"] == "10.00M"
    assert info["used_memory_rss"] > 0
    assert info["used_memory_startup"] <= info["used_memory"]
    assert float(info["mem_fragmentation_ratio"]) > 0
