"""LATENCY and INFO latencystats, after Redis's tests/unit/latency-monitor.tcl."""

import time

import pytest
import redis

from helpers.servers import Server


@pytest.fixture(scope="module")
def srv():
    s = Server("pyredis", args=["--enable-debug-command", "yes"])
    yield s
    s.stop()


@pytest.fixture
def r(srv):
    c = srv.client(decode_responses=True, protocol=2)
    c.config_set("latency-monitor-threshold", 0)
    c.execute_command("LATENCY", "RESET")
    c.flushall()
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


def histogram(r, *cmds):
    reply = r.execute_command("LATENCY", "HISTOGRAM", *cmds)
    # RESP2 flattens maps: name, [calls, n, histogram_usec, [bucket, count...]]
    out = {}
    for name, body in zip(reply[::2], reply[1::2]):
        d = dict(zip(body[::2], body[1::2]))
        h = d["histogram_usec"]
        out[name] = (d["calls"], dict(zip(h[::2], h[1::2])))
    return out


def test_histogram_empty_and_after_calls(r):
    r.config_resetstat()
    assert histogram(r, "set") == {}
    r.set("a", "b")
    r.set("a", "b")
    h = histogram(r, "set")
    calls, buckets = h["set"]
    assert calls == 2
    # Cumulative counts, power-of-two microsecond buckets, ending at the total.
    assert list(buckets.values())[-1] == 2
    assert all(b & (b - 1) == 0 for b in buckets)


def test_histogram_subcommands_and_unknown_names(r):
    r.config_resetstat()
    r.config_set("maxmemory", 0)
    r.config_get("maxmemory")
    h = histogram(r, "config", "blabla")
    assert {"config|set", "config|get"} <= set(h) <= {"config|set", "config|get", "config|resetstat"}
    assert histogram(r, "config|get")["config|get"][0] == 1


def test_info_latencystats(r):
    r.config_resetstat()
    r.set("k", "v")
    info = r.info("latencystats")
    line = info["latency_percentiles_usec_set"]
    assert set(line) == {"p50", "p99", "p99.9"}
    r.config_set("latency-tracking-info-percentiles", "50 99.999")
    line = r.info("latencystats")["latency_percentiles_usec_set"]
    assert set(line) == {"p50", "p99.999"}
    r.config_set("latency-tracking-info-percentiles", "50 99 99.9")
    r.config_set("latency-tracking", "no")
    r.config_resetstat()
    r.set("k", "v")
    assert "latency_percentiles_usec_set" not in r.info("latencystats")
    r.config_set("latency-tracking", "yes")


def test_events_logging_history_latest(r):
    r.config_set("latency-monitor-threshold", 200)
    r.execute_command("DEBUG", "SLEEP", "0.22")
    hist = r.execute_command("LATENCY", "HISTORY", "command")
    assert len(hist) == 1
    t, ms = hist[0]
    assert abs(t - time.time()) < 5 and 200 <= ms < 1000
    latest = r.execute_command("LATENCY", "LATEST")
    (event, t2, last, worst), = [e for e in latest if e[0] == "command"]
    assert (t2, last) == (t, ms) and worst >= last


def test_fast_commands_below_threshold_are_not_logged(r):
    r.config_set("latency-monitor-threshold", 200)
    for _ in range(20):
        r.ping()
    assert r.execute_command("LATENCY", "LATEST") == []


def test_expire_cycle_events(r):
    """Keys expiring in bulk make the active expire cycle report spikes."""
    r.config_set("latency-monitor-threshold", 1)
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    r.execute_command("DEBUG", "POPULATE", "5000", "exp")
    p = r.pipeline(transaction=False)
    for i in range(5000):
        p.pexpire("exp:%d" % i, 1)
    p.execute()
    time.sleep(0.01)       # let the TTLs pass while nothing expires them
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    assert poll(lambda: r.info("keyspace").get("db0", {}).get("keys", 0) == 0, 10), r.info("keyspace")
    events = {e[0] for e in r.execute_command("LATENCY", "LATEST")}
    assert "expire-cycle" in events


def test_history_reset_unknown_event(r):
    assert r.execute_command("LATENCY", "HISTORY", "blabla") == []
    assert r.execute_command("LATENCY", "RESET", "blabla") == 0


def test_doctor_graph_reset(r):
    r.config_set("latency-monitor-threshold", 0)
    assert r.execute_command("LATENCY", "DOCTOR").startswith("I'm sorry, Dave, I can't do that.")
    r.config_set("latency-monitor-threshold", 10)
    assert "no latency spike was observed" in r.execute_command("LATENCY", "DOCTOR")
    r.execute_command("DEBUG", "SLEEP", "0.02")
    doc = r.execute_command("LATENCY", "DOCTOR")
    assert "1. command: 1 latency spikes" in doc
    graph = r.execute_command("LATENCY", "GRAPH", "command")
    head, rule = graph.split("\n")[:2]
    assert head.startswith("command - high ") and rule == "-" * 80
    with pytest.raises(redis.ResponseError, match="No samples available for event 'nope'"):
        r.execute_command("LATENCY", "GRAPH", "nope")
    assert r.execute_command("LATENCY", "RESET", "COMMAND") == 1
    assert r.execute_command("LATENCY", "LATEST") == []


def test_cron_duration_is_fed(r):
    """The cron's own run time is a latency event too (DEBUG SLEEP can't make
    it slow, but a tiny threshold and many keys to expire can)."""
    r.config_set("latency-monitor-threshold", 1)
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    r.execute_command("DEBUG", "POPULATE", "5000", "cron")
    p = r.pipeline(transaction=False)
    for i in range(5000):
        p.pexpire("cron:%d" % i, 1)
    p.execute()
    time.sleep(0.01)
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    assert poll(lambda: r.info("keyspace").get("db0", {}).get("keys", 0) == 0, 10), r.info("keyspace")
    events = {e[0] for e in r.execute_command("LATENCY", "LATEST")}
    assert "cron" in events or "expire-cycle" in events


def test_help_matches_real_redis(srv, real_redis):
    a, b = srv.raw(), real_redis.raw()
    assert a.call("LATENCY", "HELP") == b.call("LATENCY", "HELP")
    assert a.call("LATENCY", "NOPE") == b.call("LATENCY", "NOPE")
    for conn in (a, b):
        conn.call("CONFIG", "SET", "latency-monitor-threshold", "0")
        conn.call("LATENCY", "RESET")
    assert a.call("LATENCY", "DOCTOR") == b.call("LATENCY", "DOCTOR")
    assert a.call("LATENCY", "LATEST") == b.call("LATENCY", "LATEST") == b"*0\r\n"
    a.close()
    b.close()
