"""RDB files: pyredis writes what Redis 7.0 reads and reads what Redis writes.

After tests/integration/rdb.tcl and the article's SAVE walk-through: a
dataset with every type goes through SAVE on one server and start-up
loading on the other, in both directions, and DEBUG DIGEST must not change;
a deterministic dataset must give the same file byte for byte; crashes and
corrupt files must never cost the previous snapshot or load half a dataset.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from helpers.servers import REDIS_SERVER, ROOT, Server, free_port

from rdb_helpers import (FAR_FUTURE_MS, REDIS_CHECK_RDB, build_full_dataset, copy_all, digest,
                          make_rdb, old_format_body, run_check_rdb, s, wait_until)

needs_redis = pytest.mark.skipif(not REDIS_SERVER, reason="redis-server is not installed")
DEBUG = ["--enable-debug-command", "yes"]


@pytest.fixture(scope="module")
def real():
    if not REDIS_SERVER:
        pytest.skip("redis-server is not installed")
    srv = Server("redis", args=DEBUG)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def ours():
    srv = Server("pyredis", args=DEBUG)
    yield srv
    srv.stop()


def start_on(kind, path, extra=()):
    """Start a server whose dir holds `path` as dump.rdb."""
    d = os.path.dirname(path)
    if os.path.basename(path) != "dump.rdb":
        shutil.copy(path, os.path.join(d, "dump.rdb"))
    return Server(kind, args=list(DEBUG) + list(extra), dir=d)


# ---------------------------------------------------------------------------
# Round trips with real Redis
# ---------------------------------------------------------------------------
@needs_redis
def test_our_file_loads_in_real_redis_with_same_digest(real, ours, tmp_path):
    rc, pc = real.client(), ours.client()
    build_full_dataset(rc)
    pc.flushall()
    copy_all(rc, pc)
    want = digest(rc)
    assert digest(pc) == want
    assert pc.save()
    path = os.path.join(ours.dir, "dump.rdb")
    if REDIS_CHECK_RDB:
        code, out = run_check_rdb(path)
        assert code == 0, out
        assert "RDB looks OK" in out
    d = tmp_path / "load-real"
    d.mkdir()
    shutil.copy(path, d / "dump.rdb")
    srv = Server("redis", args=DEBUG, dir=str(d))
    try:
        c = srv.client()
        assert digest(c) == want
        assert c.dbsize() == rc.dbsize()
        assert c.object("encoding", "hash:small") == b"listpack"
        assert c.object("encoding", "set:intset") == b"intset"
        assert c.object("encoding", "zset:big") == b"skiplist"
        assert c.pexpiretime("zset:big") == FAR_FUTURE_MS
    finally:
        srv.stop()


@needs_redis
def test_real_file_loads_here_with_same_digest(real, tmp_path):
    rc = real.client()
    build_full_dataset(rc)
    want = digest(rc)
    assert rc.save()
    d = tmp_path / "load-ours"
    d.mkdir()
    shutil.copy(os.path.join(real.dir, "dump.rdb"), d / "dump.rdb")
    srv = Server("pyredis", args=DEBUG, dir=str(d))
    try:
        c = srv.client()
        assert digest(c) == want
        for key in (b"hash:small", b"hash:big", b"hash:longval", b"set:intset", b"set:ht",
                    b"set:bigints", b"zset:small", b"zset:big", b"list:big", b"str:int",
                    b"str:small", b"str:compressible"):
            assert c.object("encoding", key) == rc.object("encoding", key), key
        log = srv.read_log()
        assert "Done loading RDB, keys loaded: %d, keys expired: 0." % sum(
            v["keys"] for v in rc.info("keyspace").values()) in log
        assert "DB loaded from disk: " in log
        info = c.info("persistence")
        assert info["loading"] == 0
        assert info["rdb_last_load_keys_loaded"] > 0
    finally:
        srv.stop()


@needs_redis
def test_same_bytes_as_redis_for_a_deterministic_dataset(real, tmp_path):
    """One key per db, so the order of keys inside a db (a hash table in
    Redis, insertion order here) cannot differ; only listpack/intset/string
    encodings, whose bytes are fully determined by the data. ctime and
    used-mem are the only aux fields that vary: pyredis is told Redis's
    values through PYREDIS_RDB_AUX, and the files must then be identical,
    checksum included."""
    rc = real.client()
    rc.flushall()
    script = [
        lambda c: c.set("k0", "hello"),
        lambda c: c.set("k1", "x" * 200),                       # LZF
        lambda c: c.set("k2", "123456"),                        # int32
        lambda c: c.hset("k3", mapping={"uid": 1, "name": "zs", "age": 32}),
        lambda c: c.sadd("k4", 3, 1, 2, 70000),                 # intset, int32 width
        lambda c: c.zadd("k5", {"a": 1, "b": 2.5, "c": -0.125}),
        lambda c: c.rpush("k6", *["e%d" % i for i in range(2000)]),   # several quicklist nodes
        lambda c: c.set("k7", "v", px=FAR_FUTURE_MS - int(time.time() * 1000)),
        lambda c: c.set("k8", bytes(range(256))),
    ]
    for db, step in enumerate(script):
        rc.execute_command("SELECT", db)
        step(rc)
        if db == 7:
            rc.pexpireat("k7", FAR_FUTURE_MS)
    rc.execute_command("SELECT", 0)
    assert rc.save()
    theirs = open(os.path.join(real.dir, "dump.rdb"), "rb").read()
    aux = aux_fields(theirs)
    env = dict(os.environ, PYREDIS_RDB_AUX="ctime=%s,used-mem=%s" % (
        aux[b"ctime"].decode(), aux[b"used-mem"].decode()))
    d = tmp_path / "det"
    d.mkdir()
    srv = _server_with_env(str(d), env)
    try:
        pc = srv.client()
        copy_all(rc, pc, dbs=range(len(script)))
        assert digest(pc) == digest(rc)
        assert pc.save()
        ours_bytes = open(os.path.join(str(d), "dump.rdb"), "rb").read()
    finally:
        srv.stop()
    assert len(ours_bytes) == len(theirs)
    diffs = [i for i, (a, b) in enumerate(zip(ours_bytes, theirs)) if a != b]
    assert diffs == [], "bytes differ at offsets %s" % diffs[:20]


def _server_with_env(dirname, env):
    """A pyredis server started with a custom environment (Server does not take one)."""
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        return Server("pyredis", args=DEBUG, dir=dirname)
    finally:
        os.environ.clear()
        os.environ.update(old)


def aux_fields(data):
    from pyredis.rdb import RDB_LOAD_NONE, rdbGenericLoadStringObject
    from pyredis.rio import rioInitWithBuffer
    r = rioInitWithBuffer()
    r.buf = data
    r.pos = 9
    out = {}
    while data[r.pos] == 0xFA:
        r.pos += 1
        k = rdbGenericLoadStringObject(r, RDB_LOAD_NONE)
        out[k] = rdbGenericLoadStringObject(r, RDB_LOAD_NONE)
    return out


@needs_redis
@pytest.mark.parametrize("version", [3, 9])
def test_old_rdb_versions_and_encodings_load_like_redis(version, tmp_path):
    body, expected = old_format_body()
    data = make_rdb(version, body)
    results = {}
    for kind in ("redis", "pyredis"):
        d = tmp_path / kind
        d.mkdir()
        (d / "dump.rdb").write_bytes(data)
        srv = Server(kind, args=DEBUG, dir=str(d))
        try:
            c = srv.client()
            keys = sorted(c.keys("*"))
            results[kind] = (digest(c), keys, {k: c.type(k) for k in keys},
                             {k: c.object("encoding", k) for k in keys},
                             c.execute_command("EXPIRETIME", "secexp"))
        finally:
            srv.stop()
    assert results["pyredis"] == results["redis"]
    assert sorted(results["pyredis"][1]) == sorted(expected)     # "gone" was expired


def test_old_format_values_read_back(tmp_path):
    """Without real Redis: the values of the old encodings, through DUMP payloads' digests
    and the commands pyredis has."""
    body, expected = old_format_body()
    (tmp_path / "dump.rdb").write_bytes(make_rdb(9, body))
    srv = Server("pyredis", args=DEBUG, dir=str(tmp_path))
    try:
        c = srv.client()
        assert sorted(c.keys("*")) == sorted(expected)
        for k, (t, _v) in expected.items():
            assert c.type(k).decode() == t
        assert c.get("plain") == b"value"
        assert c.get("num") == b"12345"
        assert c.object("encoding", "num") == b"int"
        assert c.zscore("oldzset", "m2") == float("inf")
        assert c.zrange("zlzset", 0, -1, withscores=True) == [(b"a", 1.0), (b"b", 2.5)]
        assert 0 < c.ttl("secexp")
        assert c.info("persistence")["rdb_last_load_keys_expired"] == 1
    finally:
        srv.stop()


# ---------------------------------------------------------------------------
# Commands and triggers
# ---------------------------------------------------------------------------
def test_save_lastsave_info_and_reload(ours):
    c = ours.client()
    c.flushall()
    c.set("a", "1")
    c.zadd("z", {"m": 1})
    before = c.lastsave()
    assert c.info("persistence")["rdb_changes_since_last_save"] >= 2
    time.sleep(1.05)          # LASTSAVE has one-second resolution
    assert c.save()
    assert c.lastsave() > before
    info = c.info("persistence")
    assert info["rdb_changes_since_last_save"] == 0
    assert info["rdb_last_bgsave_status"] == "ok"
    for field in ("rdb_bgsave_in_progress", "rdb_last_cow_size", "rdb_saves",
                  "current_save_keys_processed", "rdb_last_load_keys_loaded",
                  "aof_rewrite_in_progress", "module_fork_last_cow_size"):
        assert field in info
    d = digest(c)
    assert c.execute_command("DEBUG", "RELOAD") == b"OK"
    assert digest(c) == d
    with pytest.raises(Exception, match="only supports the MERGE, NOFLUSH and NOSAVE"):
        c.execute_command("DEBUG", "RELOAD", "BOGUS")
    assert "DB saved on disk" in ours.read_log()


def test_bgsave_forks_and_parent_keeps_serving(ours):
    c = ours.client()
    c.flushall()
    for i in range(200):
        c.set("k%d" % i, i)
    d = digest(c)
    c.config_set("rdb-key-save-delay", 5000)      # 5 ms per key in the child: ~1 s
    try:
        assert c.bgsave() in (True, b"Background saving started")
        info = c.info("persistence")
        assert info["rdb_bgsave_in_progress"] == 1
        t0 = time.monotonic()
        assert c.ping()
        c.set("during", "bgsave")                 # the parent writes while the child saves
        assert time.monotonic() - t0 < 0.5
        with pytest.raises(Exception, match="Background save already in progress"):
            c.bgsave()
        with pytest.raises(Exception, match="Background save already in progress"):
            c.save()
    finally:
        c.config_set("rdb-key-save-delay", 0)
    wait_until(lambda: c.info("persistence")["rdb_bgsave_in_progress"] == 0, what="bgsave end")
    info = c.info("persistence")
    assert info["rdb_last_bgsave_status"] == "ok"
    assert info["rdb_changes_since_last_save"] == 1       # the SET during the save
    log = ours.read_log()
    assert "Background saving started by pid" in log
    assert "Background saving terminated with success" in log
    # The snapshot is the dataset at fork time: no "during" key.
    c.delete("during")
    assert digest(c) == d
    c.execute_command("DEBUG", "RELOAD", "NOSAVE")
    assert digest(c) == d


def test_bgsave_schedule_and_syntax(ours):
    c = ours.client()
    with pytest.raises(Exception, match="syntax error"):
        c.execute_command("BGSAVE", "foo")
    raw = ours.raw()
    assert raw.call("BGSAVE", "SCHEDULE") == b"+Background saving started\r\n"
    raw.close()
    wait_until(lambda: c.info("persistence")["rdb_bgsave_in_progress"] == 0, what="bgsave end")


def test_save_points_trigger_bgsave(tmp_path):
    srv = Server("pyredis", args=["--save", "1", "1"], dir=str(tmp_path))
    try:
        c = srv.client()
        c.set("x", "y")
        wait_until(lambda: "1 changes in 1 seconds. Saving..." in srv.read_log(), timeout=10,
                   what="save point")
        wait_until(lambda: c.info("persistence")["rdb_changes_since_last_save"] == 0,
                   what="bgsave done")
        assert os.path.exists(tmp_path / "dump.rdb")
    finally:
        srv.stop()


def test_flushall_and_shutdown_save_when_save_points_exist(tmp_path):
    srv = Server("pyredis", args=["--save", "3600", "1"], dir=str(tmp_path))
    path = tmp_path / "dump.rdb"
    try:
        c = srv.client()
        c.set("a", "b")
        c.flushall()
        assert path.exists()                 # FLUSHALL wrote an empty snapshot
        data = path.read_bytes()
        assert b"\xfe" not in data[data.index(b"aof-base"):-9]   # no SELECTDB: no keys
        c.set("kept", "value")
        try:
            c.shutdown()
        except Exception:
            pass        # the connection closes under redis-py
        srv.proc.wait(timeout=30)
        log = srv.read_log()
    finally:
        srv.stop()
    assert b"kept" in path.read_bytes()
    assert "Saving the final RDB snapshot before exiting." in log
    assert "DB saved on disk" in log


def test_misconf_after_failed_bgsave(tmp_path):
    work = tmp_path / "gone"
    work.mkdir()
    srv = Server("pyredis", args=["--save", "3600", "1", "--enable-protected-configs", "yes"],
                 dir=str(tmp_path))
    try:
        c = srv.client()
        c.config_set("dir", str(work))
        os.rmdir(work)                        # the child cannot create temp-<pid>.rdb
        c.bgsave()
        wait_until(lambda: c.info("persistence")["rdb_last_bgsave_status"] == "err",
                   what="failed bgsave")
        with pytest.raises(Exception, match="MISCONF"):
            c.set("k", "v")
        assert c.get("nothing") is None       # reads still work
        c.config_set("stop-writes-on-bgsave-error", "no")
        assert c.set("k", "v")
        assert "Background saving error" in srv.read_log()
    finally:
        srv.stop()


# ---------------------------------------------------------------------------
# Crash safety and corrupt files
# ---------------------------------------------------------------------------
def test_killed_bgsave_child_leaves_previous_file(tmp_path):
    srv = Server("pyredis", args=DEBUG, dir=str(tmp_path))
    try:
        c = srv.client()
        c.set("old", "snapshot")
        assert c.save()
        before = (tmp_path / "dump.rdb").read_bytes()
        for i in range(100):
            c.set("new%d" % i, i)
        c.config_set("rdb-key-save-delay", 100000)
        c.bgsave()
        wait_until(lambda: list(tmp_path.glob("temp-*.rdb")), what="temp file")
        child = int(list(tmp_path.glob("temp-*.rdb"))[0].name[5:-4])
        os.kill(child, signal.SIGKILL)
        wait_until(lambda: c.info("persistence")["rdb_bgsave_in_progress"] == 0, what="reap")
        assert c.info("persistence")["rdb_last_bgsave_status"] == "err"
        assert (tmp_path / "dump.rdb").read_bytes() == before
        assert not list(tmp_path.glob("temp-*.rdb"))
        assert "Background saving terminated by signal 9" in srv.read_log()
    finally:
        srv.stop()


def test_killed_server_during_save_leaves_previous_file(tmp_path):
    srv = Server("pyredis", args=DEBUG, dir=str(tmp_path))
    try:
        c = srv.client()
        c.set("old", "snapshot")
        assert c.save()
        before = (tmp_path / "dump.rdb").read_bytes()
        for i in range(100):
            c.set("new%d" % i, i)
        c.config_set("rdb-key-save-delay", 100000)
        raw = srv.raw()
        raw.send(b"SAVE\r\n")
        wait_until(lambda: list(tmp_path.glob("temp-*.rdb")), what="temp file")
        os.kill(srv.pid, signal.SIGKILL)
        srv.proc.wait(timeout=10)
    finally:
        srv.stop()
    assert (tmp_path / "dump.rdb").read_bytes() == before


def _start_fails(tmp_path, data):
    (tmp_path / "dump.rdb").write_bytes(data)
    port = free_port()
    env = dict(os.environ, PYTHONPATH=ROOT)
    p = subprocess.run([sys.executable, "-m", "pyredis", "--port", str(port), "--bind",
                        "127.0.0.1", "--dir", str(tmp_path), "--save", ""],
                       capture_output=True, text=True, timeout=60, env=env, cwd=str(tmp_path))
    return p.returncode, p.stdout + p.stderr


def _good_file():
    body = b"\xfe\x00" + b"".join(b"\x00" + s("key%d" % i) + s("value%d" % i) for i in range(50))
    return make_rdb(10, body)


def test_truncated_file_is_refused(tmp_path):
    data = _good_file()
    code, out = _start_fails(tmp_path, data[:len(data) // 2])
    assert code != 0
    assert "Internal error in RDB reading offset %d" % (len(data) // 2) in out
    assert "Unexpected EOF reading RDB file" in out
    assert "Ready to accept connections" not in out


def test_bit_flip_is_refused_by_checksum(tmp_path):
    data = bytearray(_good_file())
    pos = data.index(b"value17") + 3
    data[pos] ^= 0x01                     # still parses: only the CRC can tell
    code, out = _start_fails(tmp_path, bytes(data))
    assert code != 0
    assert "Wrong RDB checksum" in out
    assert "RDB CRC error" in out


def test_corrupt_length_is_refused(tmp_path):
    data = bytearray(_good_file())
    pos = data.index(b"key3") - 1
    data[pos] = 0x80                      # a 32-bit length: 2 GB key
    code, out = _start_fails(tmp_path, bytes(data))
    assert code != 0
    assert "Unexpected EOF" in out


def test_stream_is_refused_with_a_clear_message(tmp_path):
    body = b"\xfe\x00\x13" + s("mystream") + b"\x00"
    code, out = _start_fails(tmp_path, make_rdb(10, body))
    assert code != 0
    assert "stream" in out


def test_save_and_bgsave_stacks_read_like_redis(tmp_path):
    """The call chain of rdbSaveRio, as Redis's gdb stacks show it: in the
    BGSAVE child rdbSaveRio <- rdbSave <- rdbSaveBackground <- bgsaveCommand
    <- call <- processCommand, because the child is forked inside
    rdbSaveBackground and keeps the parent's stack."""
    stacks = tmp_path / "stacks.txt"
    old = os.environ.get("PYREDIS_RDB_STACK_FILE")
    os.environ["PYREDIS_RDB_STACK_FILE"] = str(stacks)
    try:
        srv = Server("pyredis", dir=str(tmp_path))
    finally:
        if old is None:
            del os.environ["PYREDIS_RDB_STACK_FILE"]
        else:
            os.environ["PYREDIS_RDB_STACK_FILE"] = old
    try:
        c = srv.client()
        c.set("hello", "redis")
        assert c.save()
        c.bgsave()
        wait_until(lambda: c.info("persistence")["rdb_bgsave_in_progress"] == 0 and
                   stacks.read_text().count("# pid") == 2, what="bgsave stack")
    finally:
        srv.stop()
    save, bgsave = [[ln.split()[0] for ln in block.splitlines()[1:]]
                    for block in stacks.read_text().strip().split("\n\n")]
    assert save[:5] == ["rdbSaveRio", "rdbSave", "saveCommand", "call", "processCommand"]
    assert bgsave[:6] == ["rdbSaveRio", "rdbSave", "rdbSaveBackground", "bgsaveCommand", "call",
                          "processCommand"]
    assert bgsave[-6:-3] == ["aeProcessEvents", "aeMain", "main"]


def test_info_reports_loading_and_clients_get_loading_error(tmp_path):
    """While a big file loads, the server answers: INFO shows loading:1 and
    the loading_* fields, other commands get -LOADING."""
    body = b"\xfe\x00" + b"".join(b"\x00" + s("key:%08d" % i) + s("v" * 40)
                                  for i in range(60000))
    (tmp_path / "dump.rdb").write_bytes(make_rdb(10, body))
    port = free_port()
    env = dict(os.environ, PYTHONPATH=ROOT)
    log = open(tmp_path / "log.txt", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "pyredis", "--port", str(port), "--bind",
                             "127.0.0.1", "--dir", str(tmp_path), "--save", "",
                             "--key-load-delay", "50",
                             "--loading-process-events-interval-bytes", "1024"],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(tmp_path))
    try:
        import redis
        c = redis.Redis(port=port, socket_connect_timeout=1)
        seen = {}

        def loading_info():
            try:
                info = c.info("persistence")
            except redis.exceptions.ConnectionError:
                return False
            if info["loading"] == 1:
                seen.update(info)
                return True
            return False
        wait_until(loading_info, timeout=60, what="INFO loading:1")
        assert seen["loading_total_bytes"] == (tmp_path / "dump.rdb").stat().st_size
        assert 0 <= seen["loading_loaded_perc"] <= 100
        for f in ("loading_start_time", "loading_loaded_bytes", "loading_eta_seconds",
                  "loading_rdb_used_mem"):
            assert f in seen
        with pytest.raises(redis.exceptions.BusyLoadingError):
            c.get("key:00000001")
    finally:
        proc.kill()
        proc.wait()
        log.close()
