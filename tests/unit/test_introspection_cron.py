"""The cron's client and key duties and the introspection commands: OBJECT
IDLETIME, CLIENT LIST/INFO/KILL/PAUSE/NO-EVICT, maxclients, timeout,
client-output-buffer-limit, MONITOR, DEBUG. After Redis's
tests/unit/introspection.tcl and introspection-2.tcl (our own code)."""

import re
import socket
import time

import pytest
import redis

from helpers.servers import REDIS_SERVER, Server

CLIENT_FIELDS_70 = ("id addr laddr fd name age idle flags db sub psub ssub multi qbuf qbuf-free "
                    "argv-mem multi-mem rbs rbp obl oll omem tot-mem events cmd user redir "
                    "resp").split()


@pytest.fixture(scope="module")
def srv():
    s = Server("pyredis", args=["--enable-debug-command", "yes"])
    yield s
    s.stop()


@pytest.fixture
def r(srv):
    c = srv.client(decode_responses=True)
    c.flushall()
    yield c
    c.config_set("timeout", 0)
    c.config_set("maxclients", 10000)
    c.config_set("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 "
                 "pubsub 33554432 8388608 60")
    c.close()


def poll(fn, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.02)
    return fn()


# -- LRU clock --------------------------------------------------------------------
def test_object_idletime_grows_and_resets_on_read(r):
    r.set("foo", "bar")
    assert r.object("idletime", "foo") == 0
    assert poll(lambda: r.object("idletime", "foo") >= 1, 4)
    r.object("idletime", "foo")             # OBJECT itself does not touch the key
    assert r.object("idletime", "foo") >= 1
    r.get("foo")
    assert r.object("idletime", "foo") == 0


def test_touch_resets_idletime(r):
    r.set("foo", "bar")
    assert poll(lambda: r.object("idletime", "foo") >= 1, 4)
    r.touch("foo")
    assert r.object("idletime", "foo") == 0


# -- CLIENT ---------------------------------------------------------------------------
def client_fields(line):
    return [kv.split("=", 1)[0] for kv in line.strip().split(" ")]


def test_client_list_fields_match_7_0(r, real_redis):
    line = r.execute_command("CLIENT", "LIST").splitlines()[0]
    assert client_fields(line) == CLIENT_FIELDS_70
    real = redis.Redis(port=real_redis.port, decode_responses=True)
    assert client_fields(real.execute_command("CLIENT", "LIST").splitlines()[0]) == \
        CLIENT_FIELDS_70
    real.close()
    info = r.execute_command("CLIENT", "INFO")
    assert client_fields(info) == CLIENT_FIELDS_70
    me = dict(kv.split("=", 1) for kv in info.strip().split(" "))
    assert me["cmd"] == "client|info" and me["db"] == "0" and me["flags"] == "N"


def test_client_list_by_type_and_id(r, srv):
    other = srv.client(decode_responses=True)
    other.client_setname("other")
    oid = other.client_id()
    lines = r.execute_command("CLIENT", "LIST", "ID", oid).splitlines()
    assert len(lines) == 1 and "name=other" in lines[0]
    assert r.execute_command("CLIENT", "LIST", "TYPE", "normal")
    assert r.execute_command("CLIENT", "LIST", "TYPE", "pubsub") == ""
    with pytest.raises(redis.ResponseError, match="Unknown client type 'bogus'"):
        r.execute_command("CLIENT", "LIST", "TYPE", "bogus")
    other.close()


def test_client_kill_old_and_new_forms(r, srv):
    victim = srv.raw()
    victim.call("CLIENT", "SETNAME", "victim")
    line = [l for l in r.execute_command("CLIENT", "LIST").splitlines() if "name=victim" in l][0]
    fields = dict(kv.split("=", 1) for kv in line.split(" "))
    assert r.execute_command("CLIENT", "KILL", fields["addr"]) == "OK"
    assert victim.closed_by_peer(3)
    with pytest.raises(redis.ResponseError, match="No such client"):
        r.execute_command("CLIENT", "KILL", "127.0.0.1:1")
    victim = srv.raw()
    vid = int(victim.call("CLIENT", "ID")[1:-2])
    assert r.execute_command("CLIENT", "KILL", "ID", vid) == 1
    assert victim.closed_by_peer(3)
    assert r.execute_command("CLIENT", "KILL", "ID", vid) == 0
    with pytest.raises(redis.ResponseError, match="client-id should be greater than 0"):
        r.execute_command("CLIENT", "KILL", "ID", 0)
    # SKIPME yes (the default) spares the caller; TYPE filters.
    me = r.client_id()
    assert r.execute_command("CLIENT", "KILL", "ID", me) == 0
    assert r.execute_command("CLIENT", "KILL", "TYPE", "pubsub") == 0
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("CLIENT", "KILL", "ID", me, "SKIPME", "maybe")


def test_client_no_evict_flag(r):
    r.execute_command("CLIENT", "NO-EVICT", "on")
    assert "flags=e" in r.execute_command("CLIENT", "INFO")
    r.execute_command("CLIENT", "NO-EVICT", "off")
    assert "flags=N" in r.execute_command("CLIENT", "INFO")
    with pytest.raises(redis.ResponseError, match="syntax error"):
        r.execute_command("CLIENT", "NO-EVICT", "maybe")


def test_client_pause_write_lets_reads_through(r, srv):
    r.set("k", "v")
    writer = srv.raw()
    r.execute_command("CLIENT", "PAUSE", 10000, "WRITE")
    assert r.get("k") == "v"                   # reads are served
    writer.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nv2\r\n")
    time.sleep(0.1)
    assert r.get("k") == "v"                   # the write waits
    assert r.execute_command("CLIENT", "UNPAUSE") == "OK"
    assert writer.read_reply() == b"+OK\r\n"
    assert r.get("k") == "v2"
    writer.close()


def test_client_pause_times_out(r, srv):
    writer = srv.raw()
    r.execute_command("CLIENT", "PAUSE", 200, "ALL")
    t0 = time.monotonic()
    assert writer.call("PING") == b"+PONG\r\n"
    assert time.monotonic() - t0 >= 0.15
    writer.close()
    with pytest.raises(redis.ResponseError, match="CLIENT PAUSE mode must be WRITE or ALL"):
        r.execute_command("CLIENT", "PAUSE", 10, "NOPE")


def test_maxclients(r, srv):
    n = r.info("clients")["connected_clients"]
    r.config_set("maxclients", n + 1)
    ok = srv.raw()
    assert ok.call("PING") == b"+PONG\r\n"
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.settimeout(3)
    assert s.recv(100) == b"-ERR max number of clients reached\r\n"
    s.close()
    ok.close()
    r.config_set("maxclients", 10000)


# -- clientsCron: timeout ---------------------------------------------------------
def test_idle_clients_are_closed_after_timeout(r, srv):
    r.config_set("timeout", 1)
    idle = srv.raw()
    assert idle.call("PING") == b"+PONG\r\n"
    t0 = time.monotonic()
    assert idle.closed_by_peer(5)
    assert time.monotonic() - t0 >= 0.9
    r.config_set("timeout", 0)


def test_timeout_spares_pubsub_and_blocked_clients(r, srv):
    r.config_set("timeout", 1)
    spared = []
    try:
        sub = srv.raw()
        if sub.call("SUBSCRIBE", "chan").startswith(b"*3"):
            spared.append(sub)
        blocked = srv.raw()
        blocked.send(b"*3\r\n$5\r\nBLPOP\r\n$5\r\nnokey\r\n$1\r\n0\r\n")
        blocked.sock.settimeout(0.3)
        try:
            blocked.sock.recv(100)        # an answer: BLPOP is not implemented here
        except socket.timeout:
            spared.append(blocked)        # no answer: it is blocked
        plain = srv.raw()
        plain.call("PING")
        assert plain.closed_by_peer(5)         # the cron ran the timeout check
        for conn in spared:
            assert not conn.closed_by_peer(0.3), spared.index(conn)
    finally:
        r.config_set("timeout", 0)
        for conn in spared:
            conn.close()


# -- clientsCron: output buffer limits ----------------------------------------------
def test_output_buffer_hard_limit_closes_slow_reader(r, srv):
    r.set("big", "x" * 4_000_000)
    r.config_set("client-output-buffer-limit", "normal 1mb 0 0")
    slow = srv.raw()
    slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    for _ in range(10):                       # 40 MB of replies nobody reads
        slow.send(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n")
    assert poll(lambda: not any("cmd=get" in l for l in
                                r.execute_command("CLIENT", "LIST").splitlines()), 5)
    assert r.ping()


def test_output_buffer_soft_limit_needs_its_seconds(r, srv):
    r.set("big", "x" * 4_000_000)
    r.config_set("client-output-buffer-limit", "normal 0 1mb 1")
    slow = srv.raw()
    slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    for _ in range(10):
        slow.send(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n")
    time.sleep(0.3)
    assert any("cmd=get" in l for l in r.execute_command("CLIENT", "LIST").splitlines())
    # Over the soft limit for more than a second: the cron closes it.
    assert poll(lambda: not any("cmd=get" in l for l in
                                r.execute_command("CLIENT", "LIST").splitlines()), 6)


def test_pubsub_class_limit_disconnects_slow_subscriber(r, srv):
    r.config_set("client-output-buffer-limit", "pubsub 256kb 0 0")
    sub = srv.raw()
    sub.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    assert sub.call("SUBSCRIBE", "news").startswith(b"*3")
    payload = "x" * 100000
    receivers = []
    for _ in range(100):                       # 10 MB the subscriber never reads
        receivers.append(r.publish("news", payload))
        if receivers[-1] == 0:
            break
    assert receivers[0] == 1 and receivers[-1] == 0      # it was dropped on the way
    assert sub.closed_by_peer(5)


# -- MONITOR --------------------------------------------------------------------------
def test_monitor_format_and_redaction(r, srv):
    mon = srv.raw()
    assert mon.call("MONITOR") == b"+OK\r\n"
    r.set("foo", "bar baz")
    line = mon.read_reply()
    assert re.match(rb'^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "SET" "foo" "bar baz"\r\n$', line), line
    other = srv.raw()
    other.call("AUTH", "secret")
    line = mon.read_reply()
    assert b'"AUTH" "(redacted)"' in line and b"secret" not in line
    r.config_get("maxmemory")              # admin commands are not shown
    r.get("foo")
    assert b'"GET" "foo"' in mon.read_reply()
    other.close()
    mon.close()


# -- DEBUG ------------------------------------------------------------------------------
def test_debug_refused_by_default(real_redis):
    plain = Server("pyredis")
    try:
        a, b = plain.raw(), real_redis.raw()
        assert a.call("DEBUG", "SLEEP", "0") == b.call("DEBUG", "SLEEP", "0")
        assert a.call("DEBUG", "SLEEP", "0").startswith(b"-ERR DEBUG command not allowed.")
        a.close()
        b.close()
    finally:
        plain.stop()


@pytest.fixture(scope="module")
def real_debug():
    if not REDIS_SERVER:
        pytest.skip("redis-server is not installed")
    s = Server("redis", args=["--enable-debug-command", "yes"])
    yield s
    s.stop()


@pytest.mark.parametrize("kind", ["string", "integer", "double", "bignum", "null", "array",
                                  "set", "map", "attrib", "push", "verbatim", "true", "false",
                                  "nope"])
@pytest.mark.parametrize("resp", [2, 3])
def test_debug_protocol_matches_real_redis(srv, real_debug, kind, resp):
    a, b = srv.raw(), real_debug.raw()
    a.call("HELLO", str(resp))
    b.call("HELLO", str(resp))
    assert a.call("DEBUG", "PROTOCOL", kind) == b.call("DEBUG", "PROTOCOL", kind)
    a.close()
    b.close()


def test_debug_subcommands(r, srv, real_debug):
    r.set("foo", "bar")
    obj = r.execute_command("DEBUG", "OBJECT", "foo")
    assert re.match(r"^Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:\d+ "
                    r"lru:\d+ lru_seconds_idle:\d+$", obj), obj
    a, b = srv.raw(), real_debug.raw()
    for cmd in (("DEBUG", "OBJECT", "nokey"), ("DEBUG", "SET-ACTIVE-EXPIRE", "1"),
                ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"),
                ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"),
                ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b"),
                ("DEBUG", "ERROR", "FOO bar"), ("DEBUG", "SLEEP", "0"),
                ("DEBUG", "SLEEP", "0.01"), ("DEBUG", "NOPE"),
                ("DEBUG", "PAUSE-CRON", "0"),
                ("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "NEVER"),
                ("DEBUG", "REPLYBUFFER", "RESIZING", "1"),
                ("DEBUG", "CLIENT-EVICTION"), ("DEBUG", "HTSTATS", "99"),
                ("DEBUG", "CHANGE-REPL-ID"), ("DEBUG", "LOG", "hello")):
        assert a.call(*cmd) == b.call(*cmd), cmd
    # (Real Redis fuzzes stringmatchlen for seconds here; we only answer.)
    assert a.call("DEBUG", "STRINGMATCH-TEST") == b"+Apparently Redis did not crash: test passed\r\n"
    for conn in (a, b):
        conn.call("SET", "foo", "bar")
    assert a.call("DEBUG", "LISTPACK", "foo") == b.call("DEBUG", "LISTPACK", "foo")
    assert a.call("DEBUG", "QUICKLIST", "foo") == b.call("DEBUG", "QUICKLIST", "foo")
    assert a.call("DEBUG", "SDSLEN", "nokey") == b.call("DEBUG", "SDSLEN", "nokey")
    a.close()
    b.close()


def test_debug_set_active_expire(r):
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    try:
        r.psetex("t", 1, "v")
        time.sleep(0.3)
        assert r.info("keyspace")["db0"]["keys"] == 1    # nobody expired it
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
        assert poll(lambda: "db0" not in r.info("keyspace"), 3)
    finally:
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_debug_populate_and_pause_cron(r):
    assert r.execute_command("DEBUG", "POPULATE", "100", "pop", "20") == "OK"
    assert r.dbsize() == 100 and len(r.get("pop:7")) == 20
    assert r.get("pop:7").startswith("value:7")
    r.execute_command("DEBUG", "PAUSE-CRON", "1")
    try:
        lru = r.info("server")["lru_clock"]
        time.sleep(1.2)
        assert r.info("server")["lru_clock"] == lru       # no cron, no clock update
    finally:
        r.execute_command("DEBUG", "PAUSE-CRON", "0")
    assert poll(lambda: r.info("server")["lru_clock"] != lru, 3)
