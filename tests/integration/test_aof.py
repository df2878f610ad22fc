"""The append-only file: pyredis writes the multi-part AOF Redis 7.0 writes and reads.

After tests/integration/aof.tcl and aof-multi-part.tcl: a pyredis server with
appendonly yes takes writes of every type; redis-check-aof accepts its
directory, a real redis-server loads a copy with the same DEBUG DIGEST, and
so does a restarted pyredis; a real Redis's directory loads in pyredis;
BGREWRITEAOF and CONFIG SET appendonly leave the manifest Redis leaves after
the same steps; a truncated incr file loads with aof-load-truncated yes and
is refused with no; an old single appendonly.aof is migrated.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest
from helpers.servers import REDIS_SERVER, ROOT, Server

from rdb_helpers import wait_until

REDIS_CHECK_AOF = shutil.which("redis-check-aof")
needs_redis = pytest.mark.skipif(not REDIS_SERVER,
                                 reason="redis-server is not installed: no comparison")
needs_check_aof = pytest.mark.skipif(not REDIS_CHECK_AOF,
                                     reason="redis-check-aof is not installed")
AOF = ["--appendonly", "yes", "--enable-debug-command", "yes"]
FAR_FUTURE_MS = 4102444800000


def digest(c):
    return c.execute_command("DEBUG", "DIGEST")


def manifest(d):
    with open(os.path.join(d, "appendonlydir", "appendonly.aof.manifest")) as f:
        return f.read()


def listing(d):
    return sorted(os.listdir(os.path.join(d, "appendonlydir")))


def info(c):
    return c.info("persistence")


def wait_rewrite_done(c):
    wait_until(lambda: (lambda i: not i["aof_rewrite_in_progress"] and
                        not i["aof_rewrite_scheduled"])(info(c)), what="AOF rewrite to finish")


def copy_aof_dir(src, dst):
    shutil.copytree(os.path.join(src, "appendonlydir"), os.path.join(dst, "appendonlydir"))


def write_everything(c):
    """Writes of every type, expiries in every form, MULTI/EXEC, two dbs."""
    c.set("str", "hello")
    c.set("int", 12345)
    c.incrby("int", 5)
    c.append("str", " world")
    c.set("bin", bytes(range(256)))
    c.set("ex", "v", ex=1000)
    c.setex("setex", 1000, "v")
    c.set("px", "v", px=500000)
    c.set("keep", "v", ex=1000)
    c.set("keep", "w", keepttl=True)
    c.set("far", "v")
    c.pexpireat("far", FAR_FUTURE_MS)
    c.set("gone", "v")
    c.expire("gone", 100)
    c.persist("gone")
    c.getex("str", ex=2000)
    c.rpush("list", *["e%d" % i for i in range(200)])
    c.lpush("list", "head")
    c.lpop("list")
    c.rpush("small", "a", "b", "1", "-5")
    c.lset("small", 0, "z")
    c.sadd("intset", 1, 2, 3, -100, 5000000000)
    c.sadd("set", *["m%d" % i for i in range(150)])
    c.srem("set", "m3")
    c.hset("hash", mapping={"f%d" % i: "v%d" % i for i in range(100)})
    c.hincrby("hash", "counter", 3)
    c.hincrbyfloat("hash", "float", 1.5)
    c.zadd("zset", {"m%d" % i: i / 7 for i in range(150)})
    c.zadd("zset", {"inf": float("inf"), "ninf": float("-inf")})
    c.zincrby("zset", 2.5, "m1")
    c.incrbyfloat("fl", 3.25)
    c.rename("small", "small2")
    c.expire("zset", 100000)
    p = c.pipeline(transaction=True)
    p.set("multi:a", 1).incr("multi:b").rpush("multi:l", "x", "y").hset("hash", "m", "1")
    p.execute()
    c.execute_command("SELECT", 5)
    c.set("db5", "five")
    c.sadd("db5:set", "a")
    c.execute_command("SELECT", 0)
    c.delete("int")
    c.set("volatile-short", "v", px=1)       # expires: propagated as its DEL
    wait_until(lambda: c.exists("volatile-short") == 0, what="short key to expire")
    c.flushdb()
    c.set("after-flush", "v")
    c.swapdb(0, 5)


def test_every_type_round_trips_through_restart_check_aof_and_real_redis(tmp_path):
    d = str(tmp_path / "ours")
    os.mkdir(d)
    ours = Server("pyredis", args=AOF, dir=d)
    try:
        assert listing(d) == ["appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof",
                              "appendonly.aof.manifest"]
        assert manifest(d) == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                               "file appendonly.aof.1.incr.aof seq 1 type i\n")
        c = ours.client()
        i = info(c)
        assert i["aof_enabled"] == 1 and i["aof_last_write_status"] == "ok"
        for field in ("aof_current_size", "aof_base_size", "aof_pending_rewrite",
                      "aof_buffer_length", "aof_pending_bio_fsync", "aof_delayed_fsync"):
            assert field in i
        c.config_set("aof-timestamp-enabled", "yes")   # #TS: annotations must be accepted
        write_everything(c)
        c.config_set("appendfsync", "always")
        c.set("always", "synced")
        c.config_set("appendfsync", "everysec")
        want = digest(c)
        assert want != b"0" * 40
        assert info(c)["aof_current_size"] > 0
    finally:
        # A kill, not SHUTDOWN: what was acknowledged must already be written.
        ours.stop()
    with open(os.path.join(d, "appendonlydir", "appendonly.aof.1.incr.aof"), "rb") as f:
        data = f.read()
    assert b"#TS:" in data and b"PXAT" in data and b"MULTI" in data
    if REDIS_CHECK_AOF:
        out = subprocess.run([REDIS_CHECK_AOF, os.path.join(d, "appendonlydir",
                                                            "appendonly.aof.manifest")],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "All AOF files and manifest are valid" in out.stdout
    if REDIS_SERVER:
        rd = tmp_path / "real"
        rd.mkdir()
        copy_aof_dir(d, str(rd))
        real = Server("redis", args=AOF, dir=str(rd))
        try:
            assert digest(real.client()) == want
        finally:
            real.stop()
    again = Server("pyredis", args=AOF, dir=d)
    try:
        assert digest(again.client()) == want
        assert "Opening AOF incr file appendonly.aof.1.incr.aof on server start" in \
            again.read_log()
        assert listing(d) == ["appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof",
                              "appendonly.aof.manifest"]
    finally:
        again.stop()


def bgrewriteaof(srv):
    """BGREWRITEAOF's exact reply bytes (redis-py turns the status into True)."""
    conn = srv.raw()
    try:
        return conn.call("BGREWRITEAOF")
    finally:
        conn.close()


STARTED = b"+Background append only file rewriting started\r\n"


def test_bgrewriteaof_replies_and_manifest_like_redis(tmp_path):
    """The same steps on both servers leave the same manifest and files."""
    (tmp_path / "p").mkdir()
    servers = [("pyredis", Server("pyredis", args=AOF, dir=str(tmp_path / "p")))]
    if REDIS_SERVER:
        (tmp_path / "r").mkdir()
        servers.append(("redis", Server("redis", args=AOF, dir=str(tmp_path / "r"))))
    try:
        results = {}
        for kind, srv in servers:
            c = srv.client()
            c.set("a", 1)
            c.rpush("l", "x", "y")
            assert bgrewriteaof(srv) == STARTED
            wait_rewrite_done(c)
            c.set("b", 2)
            # A slow child, so that the next requests find it running.
            c.config_set("rdb-key-save-delay", 300000)
            assert bgrewriteaof(srv) == STARTED
            assert bgrewriteaof(srv) == \
                b"-ERR Background append only file rewriting already in progress\r\n"
            c.config_set("rdb-key-save-delay", 0)
            wait_rewrite_done(c)
            c.config_set("aof-use-rdb-preamble", "no")
            c.set("c", 3)
            assert bgrewriteaof(srv) == STARTED
            wait_rewrite_done(c)
            i = info(c)
            assert i["aof_rewrites"] == 3 and i["aof_last_bgrewrite_status"] == "ok"
            # A BGSAVE running: the rewrite is scheduled, then run by the cron.
            c.config_set("rdb-key-save-delay", 100000)
            c.bgsave()
            assert bgrewriteaof(srv) == b"+Background append only file rewriting scheduled\r\n"
            c.config_set("rdb-key-save-delay", 0)
            wait_rewrite_done(c)
            c.set("d", 4)
            results[kind] = (manifest(srv.dir), listing(srv.dir), digest(c))
        m, files, _ = results["pyredis"]
        # The start-up base, then four rewrites, the last two without the preamble.
        assert m == ("file appendonly.aof.5.base.aof seq 5 type b\n"
                     "file appendonly.aof.5.incr.aof seq 5 type i\n")
        if "redis" in results:
            assert results["pyredis"] == results["redis"]
    finally:
        for _, srv in servers:
            srv.stop()


def test_config_set_appendonly_like_redis(tmp_path):
    servers = []
    (tmp_path / "p").mkdir()
    servers.append(Server("pyredis", args=["--enable-debug-command", "yes"],
                          dir=str(tmp_path / "p")))
    if REDIS_SERVER:
        (tmp_path / "r").mkdir()
        servers.append(Server("redis", args=["--enable-debug-command", "yes"],
                              dir=str(tmp_path / "r")))
    try:
        states = []
        for srv in servers:
            c = srv.client()
            c.set("before", "aof")
            c.config_set("appendonly", "yes")
            wait_rewrite_done(c)
            c.set("while-on", 1)
            m1 = manifest(srv.dir)
            c.config_set("appendonly", "no")
            assert info(c)["aof_enabled"] == 0
            c.set("while-off", 2)       # not in the AOF
            m2 = manifest(srv.dir)
            c.config_set("appendonly", "yes")
            wait_rewrite_done(c)
            c.set("on-again", 3)
            c.execute_command("DEBUG", "LOADAOF")
            states.append((m1, m2, manifest(srv.dir), listing(srv.dir), digest(c),
                           sorted(c.keys())))
        m1, m2, m3, _, _, keys = states[0]
        assert m1 == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                      "file appendonly.aof.1.incr.aof seq 1 type i\n")
        assert m2 == m1
        assert m3 == ("file appendonly.aof.2.base.rdb seq 2 type b\n"
                      "file appendonly.aof.2.incr.aof seq 2 type i\n")
        assert keys == [b"before", b"on-again", b"while-off", b"while-on"]
        if len(states) == 2:
            assert states[0] == states[1]
    finally:
        for srv in servers:
            srv.stop()


@needs_redis
def test_real_redis_directory_loads_in_pyredis(tmp_path):
    (tmp_path / "r").mkdir()
    real = Server("redis", args=AOF + ["--aof-use-rdb-preamble", "no"], dir=str(tmp_path / "r"))
    try:
        c = real.client()
        write_everything(c)
        c.execute_command("BGREWRITEAOF")      # a base made of commands (.base.aof)
        wait_rewrite_done(c)
        c.set("after-rewrite", "x")
        c.zadd("zset2", {"a": 1.5})
        c.pexpireat("zset2", FAR_FUTURE_MS)
        want = digest(c)
        assert "appendonly.aof.2.base.aof" in listing(real.dir)
        d = tmp_path / "p"
        d.mkdir()
        copy_aof_dir(real.dir, str(d))
    finally:
        real.stop()
    ours = Server("pyredis", args=AOF, dir=str(d))
    try:
        assert digest(ours.client()) == want
        assert "DB loaded from base file appendonly.aof.2.base.aof" in ours.read_log()
    finally:
        ours.stop()


def _truncated_dir(tmp_path, name):
    """A directory whose incr file ends in the middle of its last command."""
    d = tmp_path / name
    d.mkdir()
    srv = Server("pyredis", args=AOF, dir=str(d))
    try:
        c = srv.client()
        for i in range(10):
            c.set("k%d" % i, "v" * 20)
    finally:
        srv.stop()
    incr = d / "appendonlydir" / "appendonly.aof.1.incr.aof"
    size = incr.stat().st_size
    os.truncate(incr, size - 10)
    return d


def test_truncated_incr_file(tmp_path):
    d = _truncated_dir(tmp_path, "yes")
    no = tmp_path / "no"
    shutil.copytree(d, no)
    real_dir = tmp_path / "real"
    shutil.copytree(d, real_dir)
    srv = Server("pyredis", args=AOF + ["--aof-load-truncated", "yes"], dir=str(d))
    try:
        assert srv.client().dbsize() == 9
        log = srv.read_log()
        assert "!!! Warning: short read while loading the AOF file " \
               "appendonly.aof.1.incr.aof!!!" in log
        assert "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is " \
               "enabled" in log
        line = [ln for ln in log.splitlines() if "Truncating the AOF" in ln][0]
        ours_offset = line.split("# ", 1)[1]
    finally:
        srv.stop()
    with pytest.raises(RuntimeError) as exc:
        Server("pyredis", args=AOF + ["--aof-load-truncated", "no"], dir=str(no))
    assert "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof" \
        in str(exc.value)
    if REDIS_SERVER:
        real = Server("redis", args=AOF + ["--aof-load-truncated", "yes"], dir=str(real_dir))
        try:
            assert real.client().dbsize() == 9
            assert ours_offset in real.read_log()
        finally:
            real.stop()


def test_old_single_file_aof_is_migrated_like_redis(tmp_path):
    old = (b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$3\r\nold\r\n$5\r\nstyle\r\n"
           b"*4\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\na\r\n$1\r\nb\r\n")
    kinds = ["pyredis"] + (["redis"] if REDIS_SERVER else [])
    seen = []
    for kind in kinds:
        d = tmp_path / kind
        d.mkdir()
        (d / "appendonly.aof").write_bytes(old)
        srv = Server(kind, args=AOF, dir=str(d))
        try:
            c = srv.client()
            c.set("new", 1)
            seen.append((manifest(srv.dir), listing(srv.dir), digest(c),
                         os.path.exists(d / "appendonly.aof")))
            assert "Successfully migrated an old-style AOF file (appendonly.aof) into the AOF " \
                   "directory (appendonlydir)." in srv.read_log()
        finally:
            srv.stop()
    assert seen[0][0] == ("file appendonly.aof seq 1 type b\n"
                          "file appendonly.aof.1.incr.aof seq 1 type i\n")
    assert seen[0][3] is False
    if len(seen) == 2:
        assert seen[0] == seen[1]


_WRITE_ERROR = r'''
import json, os, sys
from pyredis import server as srv
from pyredis.server_h import server, client
server.init_hooks = []
srv.initServerConfig()
from pyredis import db
db.initDatabases()
srv.populateCommandTable()
from pyredis import aof
server.aof_state = aof.AOF_ON
aof._set_propagate_hook(True)
server.aof_fd = os.open(os.devnull, os.O_RDONLY)     # every write(2) fails: EBADF
c = client(); c.db = server.db[0]; c.authenticated = 1
rejected = []
srv.rejectCommandStr = lambda cl, s: rejected.append(s)
def run(*argv):
    c.argv = [a.encode() for a in argv]; c.argc = len(argv); c.original_argv = None
    c.cmd = c.realcmd = None
    rejected.clear()
    srv.processCommand(c)
    return list(rejected)
out = {"first": run("SET", "k", "v")}
aof.flushAppendOnlyFile(0)
out["status"] = server.aof_last_write_status
out["buffered"] = bytes(server.aof_buf).decode()
out["set"], out["ping"], out["get"] = run("SET", "k2", "v"), run("PING"), run("GET", "k")
server.aof_fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
aof.flushAppendOnlyFile(0)          # serverCron's retry
out["status_after"] = server.aof_last_write_status
out["after"] = run("SET", "k3", "v")
aof.flushAppendOnlyFile(0)
print(json.dumps(out))
'''


def test_write_error_keeps_the_buffer_and_refuses_writes_with_misconf(tmp_path):
    """A failed write(2) keeps the data buffered, sets aof_last_write_status, and
    processCommand refuses writes and PING (not reads) with -MISCONF until a
    retry succeeds; nothing is lost or written twice. In-process: a full disk
    cannot be arranged from outside on a loopback-only test machine."""
    target = tmp_path / "incr.aof"
    res = subprocess.run([sys.executable, "-c", _WRITE_ERROR, str(target)], capture_output=True,
                         text=True, env=dict(os.environ, PYTHONPATH=ROOT), timeout=60)
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert "Error writing to the AOF file: Bad file descriptor" in res.stdout
    assert "AOF write error looks solved, Redis can write again." in res.stdout
    misconf = ["-MISCONF Errors writing to the AOF file: Bad file descriptor"]
    assert out["first"] == [] and out["status"] == -1
    assert out["buffered"] == "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
    assert out["set"] == misconf and out["ping"] == misconf and out["get"] == []
    assert out["status_after"] == 0 and out["after"] == []
    assert target.read_bytes() == (b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n"
                                   b"$1\r\nv\r\n*3\r\n$3\r\nSET\r\n$2\r\nk3\r\n$1\r\nv\r\n")
