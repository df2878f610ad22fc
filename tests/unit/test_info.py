"""INFO: sections, field names and order as 7.0, and the cron's metrics."""

import os
import re
import socket
import subprocess
import sys
import time

import pytest
import redis

from helpers.servers import ROOT, Server

VALUE_DEPENDENT = re.compile(r"^(cmdstat_|latency_percentiles_usec_|errorstat_|db\d+)")


@pytest.fixture(scope="module")
def srv():
    s = Server("pyredis", args=["--enable-debug-command", "yes"])
    yield s
    s.stop()


@pytest.fixture
def r(srv):
    c = srv.client(decode_responses=True)
    yield c
    c.close()


def poll(fn, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.02)
    return fn()


def sections_and_fields(text):
    """[(section title, [field names])] of an INFO reply."""
    out = []
    for line in text.split("\r\n"):
        if line.startswith("# "):
            out.append((line[2:], []))
        elif line and out and not VALUE_DEPENDENT.match(line):
            out[-1][1].append(line.split(":", 1)[0])
    return out


def raw_info(conn, *sections):
    reply = conn.call("INFO", *sections)
    assert reply.startswith(b"$")
    return reply.split(b"\r\n", 1)[1][:-2].decode()


@pytest.mark.parametrize("args", [(), ("all",), ("everything",), ("default",),
                                  ("server", "clients"), ("Memory", "STATS"), ("modules",),
                                  ("commandstats",), ("bogus",), ("default", "latencystats")])
def test_sections_and_field_names_match_real_redis(srv, real_redis, args):
    a, b = srv.raw(), real_redis.raw()
    for conn in (a, b):
        conn.call("CONFIG", "SET", "latency-tracking", "yes")
        conn.call("SET", "foo", "bar")
    ours, theirs = sections_and_fields(raw_info(a, *args)), sections_and_fields(raw_info(b, *args))
    assert ours == theirs
    a.close()
    b.close()


def test_empty_reply_for_unknown_section(srv):
    conn = srv.raw()
    assert conn.call("INFO", "nosuchsection") == b"$0\r\n\r\n"
    conn.close()


def test_redis_py_parses_it(r):
    info = r.info()
    assert info["redis_version"] == "7.0.15"
    assert info["tcp_port"] > 0 and info["connected_clients"] >= 1
    everything = r.info("everything")
    assert "used_memory" in everything and "cluster_enabled" in everything
    r.get("nokey")
    assert r.info("commandstats")["cmdstat_get"]["calls"] >= 1


def test_errorstats(r):
    r.config_resetstat()
    with pytest.raises(redis.ResponseError):
        r.execute_command("NOSUCHCOMMAND")
    with pytest.raises(redis.ResponseError):
        r.execute_command("GET")
    stats = r.info("errorstats")
    assert stats["errorstat_ERR"]["count"] == 2
    assert r.info("stats")["total_error_replies"] == 2
    r.config_resetstat()
    assert r.info("errorstats") == {}


def test_keyspace_section(r):
    r.select(3)
    r.flushdb()
    r.set("a", 1)
    r.set("b", 1, ex=100)
    ks = r.info("keyspace")["db3"]
    assert (ks["keys"], ks["expires"]) == (2, 1)
    r.flushdb()
    assert "db3" not in r.info("keyspace")


def test_instantaneous_metrics_follow_the_load(r, srv):
    """trackInstantaneousMetric samples every 100 ms into a 16-slot ring."""
    load = srv.client()
    stop = time.monotonic() + 5

    def busy():
        p = load.pipeline(transaction=False)
        for _ in range(200):
            p.set("k", "v" * 100)
        p.execute()
        s = r.info("stats")
        return s["instantaneous_ops_per_sec"] > 0 and float(s["instantaneous_input_kbps"]) > 0 \
            and float(s["instantaneous_output_kbps"]) > 0 or time.monotonic() > stop
    assert poll(busy, 6)
    peak = r.info("stats")["instantaneous_ops_per_sec"]
    assert peak > 0
    load.close()

    # Once the load stops, the 16 samples of the ring are replaced by the
    # trickle of our own INFO calls (Redis counts them too).
    def calm():
        time.sleep(0.3)
        return r.info("stats")["instantaneous_ops_per_sec"] < max(peak // 5, 20)
    assert poll(calm, 8)


def test_lru_clock_and_server_time_advance(r):
    first = r.info("server")
    assert poll(lambda: r.info("server")["lru_clock"] != first["lru_clock"], 3)
    assert r.info("server")["server_time_usec"] > first["server_time_usec"]
    assert r.info("server")["uptime_in_seconds"] >= 0


def test_hz_is_config_settable(r):
    assert r.info("server")["hz"] == 10
    r.config_set("hz", 100)
    info = r.info("server")
    assert (info["hz"], info["configured_hz"]) == (100, 100)
    r.config_set("hz", 0)          # clamped to 1, as Redis does
    assert r.info("server")["configured_hz"] == 1
    r.config_set("hz", 10)


def test_dynamic_hz_raises_hz_with_many_clients(r, srv):
    r.config_set("hz", 1)
    conns = []
    try:
        for _ in range(230):        # more than 200 clients per tick at hz 1
            s = socket.create_connection(("127.0.0.1", srv.port))
            conns.append(s)
        assert poll(lambda: r.info("server")["hz"] == 2, 5)
        assert r.info("server")["configured_hz"] == 1
        r.config_set("dynamic-hz", "no")
        assert poll(lambda: r.info("server")["hz"] == 1, 5)
    finally:
        r.config_set("dynamic-hz", "yes")
        for s in conns:
            s.close()
        r.config_set("hz", 10)


def test_clients_section(r, srv):
    before = r.info("clients")["connected_clients"]
    extra = srv.client()
    extra.ping()
    assert r.info("clients")["connected_clients"] == before + 1
    extra.close()
    assert poll(lambda: r.info("clients")["connected_clients"] == before, 3)
    # A big query buffer shows in client_recent_max_input_buffer.
    big = srv.raw()
    big.send(b"*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$100000\r\n" + b"x" * 50000)
    assert poll(lambda: r.info("clients")["client_recent_max_input_buffer"] >= 40000, 10)
    big.close()


def test_cronloops_counts_each_tick():
    """server.cronloops (not in INFO, as in 7.0): one per serverCron run."""
    code = r"""
import sys
sys.argv = ["x"]
from pyredis import server as S
from pyredis.server_h import server
server.init_hooks = []
S.initServerConfig()
# What initServer sets up for the cron, without listening anywhere.
from pyredis import ae
from pyredis.db import initDatabases
server.el = ae.aeCreateEventLoop(1024)
initDatabases()
for m in range(len(server.inst_metric)):
    server.inst_metric[m] = S._instMetric()
S.updateCachedTime(1)
assert server.cronloops == 0
for i in range(25):
    delay = S.serverCron(server.el, 0, None)
assert server.cronloops == 25 and delay == 100, (server.cronloops, delay)
server.config_hz = 50
assert S.serverCron(server.el, 0, None) == 20
print("ok")
"""
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"
