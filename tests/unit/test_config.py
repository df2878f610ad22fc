"""CONFIG GET/SET/RESETSTAT/HELP compared with real Redis 7.0 (config.c)."""

import pytest

from helpers.differential import assert_same, script_of


def _pairs(reply):
    """CONFIG GET reply bytes -> sorted list of (name, value) pairs."""
    parts = reply.split(b"\r\n")
    items = [parts[i] for i in range(2, len(parts) - 1, 2)]
    return sorted(zip(items[0::2], items[1::2]))


# Parameters whose values legitimately differ (ports, paths, pids, memory).
VOLATILE = {b"port", b"dir", b"pidfile", b"logfile", b"bind", b"unixsocket", b"tls-port",
            b"save", b"appendonly", b"maxmemory", b"server_cpulist", b"bio_cpulist",
            b"aof_rewrite_cpulist", b"bgsave_cpulist", b"oom-score-adj-values",
            b"proc-title-template", b"locale-collate", b"enable-debug-command",
            b"enable-module-command", b"enable-protected-configs"}

GET_PATTERNS = ["*max*", "maxmemory-policy", "hash-max-*", "*list*", "databases",
                "save", "appendfsync", "notify-keyspace-events", "hz", "timeout",
                "client-output-buffer-limit", "slave-*", "replica-*", "*-entries",
                "maxclients", "nosuchparam", "lua-time-limit", "busy-reply-threshold",
                "?z", "[h]z", "zset-max-ziplist-*", "HZ", "list-max-ziplist-size"]


def test_config_get_all_names_and_defaults(pair):
    ours, theirs = pair
    a = dict(_pairs(ours.call("CONFIG", "GET", "*")))
    b = dict(_pairs(theirs.call("CONFIG", "GET", "*")))
    missing = sorted(set(b) - set(a))
    extra = sorted(set(a) - set(b))
    assert not missing and not extra, (missing, extra)
    diff = {k: (a[k], b[k]) for k in b if k not in VOLATILE and a[k] != b[k]}
    assert not diff


@pytest.mark.parametrize("pattern", GET_PATTERNS)
def test_config_get_patterns(pair, pattern):
    ours, theirs = pair
    a = [kv for kv in _pairs(ours.call("CONFIG", "GET", pattern)) if kv[0] not in VOLATILE]
    b = [kv for kv in _pairs(theirs.call("CONFIG", "GET", pattern)) if kv[0] not in VOLATILE]
    assert a == b


def test_config_get_several_patterns(pair):
    ours, theirs = pair
    for args in [("hz", "databases"), ("hz", "hz"), ("*ziplist-entries", "hash-max-listpack-entries"),
                 ("maxclients", "nosuch", "timeout")]:
        assert _pairs(ours.call("CONFIG", "GET", *args)) == _pairs(theirs.call("CONFIG", "GET", *args))


SET_SCRIPT = [
    "CONFIG SET hz 50", "CONFIG GET hz", "CONFIG SET hz abc", "CONFIG SET hz 0",
    "CONFIG GET hz", "CONFIG SET hz 1000", "CONFIG GET hz", "CONFIG SET hz 10",
    "CONFIG SET maxmemory-policy allkeys-lru", "CONFIG GET maxmemory-policy",
    "CONFIG SET maxmemory-policy nosuch", "CONFIG SET maxmemory-policy noeviction",
    "CONFIG SET nosuchparam 1", "CONFIG SET hz", "CONFIG SET", "CONFIG SET hz 10 timeout",
    "CONFIG SET hz 20 timeout 5", "CONFIG GET hz", "CONFIG GET timeout",
    "CONFIG SET hz 30 timeout abc", "CONFIG GET hz", "CONFIG SET hz 30 hz 40",
    "CONFIG SET hz 30 HZ 40", "CONFIG SET timeout 0 hz 10",
    "CONFIG SET daemonize yes", "CONFIG SET databases 20", "CONFIG SET lazyfree-lazy-eviction maybe",
    "CONFIG SET lazyfree-lazy-eviction yes", "CONFIG GET lazyfree-lazy-eviction",
    "CONFIG SET lazyfree-lazy-eviction no", "CONFIG SET maxmemory 1gb", "CONFIG GET maxmemory",
    "CONFIG SET maxmemory 10mb", "CONFIG GET maxmemory", "CONFIG SET maxmemory 1.5gb",
    "CONFIG SET maxmemory -1", "CONFIG SET maxmemory 0", "CONFIG SET notify-keyspace-events KEA",
    "CONFIG GET notify-keyspace-events", "CONFIG SET notify-keyspace-events Kx$",
    "CONFIG GET notify-keyspace-events", "CONFIG SET notify-keyspace-events bad!",
    "CONFIG SET notify-keyspace-events ''", ("CONFIG", "SET", "notify-keyspace-events", ""),
    "CONFIG GET notify-keyspace-events", "CONFIG SET hash-max-ziplist-entries 64",
    "CONFIG GET hash-max-listpack-entries", "CONFIG SET hash-max-listpack-entries 128",
    "CONFIG SET list-max-listpack-size -2", "CONFIG SET list-max-ziplist-size -9",
    "CONFIG GET list-max-listpack-size", ("CONFIG", "SET", "client-output-buffer-limit",
                                          "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60"),
    "CONFIG GET client-output-buffer-limit", ("CONFIG", "SET", "client-output-buffer-limit", "bad 1 2 3"),
    ("CONFIG", "SET", "client-output-buffer-limit", "normal 1 2"),
    ("CONFIG", "SET", "save", "100 10 200 20"), "CONFIG GET save",
    ("CONFIG", "SET", "save", "100"), ("CONFIG", "SET", "save", "abc 10"),
    ("CONFIG", "SET", "save", ""), "CONFIG GET save", "CONFIG SET appendfsync always",
    "CONFIG SET appendfsync sometimes", "CONFIG SET appendfsync everysec",
    "CONFIG SET maxclients 0", "CONFIG SET slowlog-log-slower-than -5",
    "CONFIG GET slowlog-log-slower-than", "CONFIG SET slowlog-log-slower-than 10000",
    "CONFIG SET proto-max-bulk-len 100", "CONFIG SET proto-max-bulk-len 1mb",
    "CONFIG GET proto-max-bulk-len", "CONFIG SET proto-max-bulk-len 512mb",
    "CONFIG SET active-expire-effort 11", "CONFIG SET active-expire-effort 0",
    "CONFIG SET hz -1", "CONFIG GET hz", "CONFIG SET hz 10",
    "CONFIG SET lfu-log-factor 10 lfu-decay-time 1", "CONFIG GET lfu-log-factor", "CONFIG GET lfu-decay-time",
    "CONFIG FOO", "CONFIG", "CONFIG GET", "CONFIG RESETSTAT x", "CONFIG HELP x",
    "CONFIG help", "CONFIG RESETSTAT", "config get HZ", ("CONFIG", "SET", "requirepass", ""),
    "CONFIG SET lua-time-limit 5000", "CONFIG GET busy-reply-threshold",
    "CONFIG SET busy-reply-threshold 5000",
    "CONFIG SET repl-backlog-size 1mb", "CONFIG GET repl-backlog-size",
    ("CONFIG", "SET", "oom-score-adj-values", "0 200 800"),
    "CONFIG SET watchdog-period 0",
    ("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99.9 100"),
    "CONFIG GET latency-tracking-info-percentiles",
    ("CONFIG", "SET", "latency-tracking-info-percentiles", "101"),
    ("CONFIG", "SET", "latency-tracking-info-percentiles", "50 99"),
]


def test_config_set_script(pair):
    try:
        assert_same(pair, script_of(SET_SCRIPT))
    finally:
        for conn in pair:
            conn.call("CONFIG", "SET", "hz", "10", "timeout", "0", "maxmemory-policy", "noeviction",
                      "notify-keyspace-events", "", "maxmemory", "0",
                      "hash-max-listpack-entries", "128", "list-max-listpack-size", "-2",
                      "proto-max-bulk-len", "512mb")


def test_config_rewrite_without_file(pair):
    assert_same(pair, [("CONFIG", "REWRITE")])


def test_config_set_port_in_use(pair):
    """A port another server holds cannot be taken: same error, old port kept."""
    ours, theirs = pair
    their_port = theirs.sock.getpeername()[1]
    our_port = ours.sock.getpeername()[1]
    a = ours.call("CONFIG", "SET", "port", str(their_port))
    b = theirs.call("CONFIG", "SET", "port", str(our_port))
    assert a == b
    assert b"Unable to listen on this port" in a
    assert ours.call("CONFIG", "GET", "port") == b"*2\r\n$4\r\nport\r\n$%d\r\n%d\r\n" % (
        len(str(our_port)), our_port)


def test_config_set_port_and_bind_at_runtime():
    """Moving the listener: the new port/bind answers, the old port is closed,
    a bind that cannot be had is refused and the old listener kept."""
    from helpers.servers import REDIS_SERVER, RawConnection, Server, free_port
    if not REDIS_SERVER:
        pytest.skip("redis-server is not installed; comparison skipped")
    results = []
    for kind in ("pyredis", "redis"):
        s = Server(kind)
        try:
            c = s.raw()
            newp = free_port()
            out = [c.call("CONFIG", "SET", "port", str(newp))]
            try:
                RawConnection(s.port, timeout=1).close()
                out.append("old port open")
            except OSError:
                out.append("old port closed")
            out.append(RawConnection(newp).call("PING"))
            out.append(c.call("CONFIG", "SET", "bind", "127.0.0.1 -::1"))
            out.append(c.call("CONFIG", "GET", "bind"))
            out.append(RawConnection(newp).call("PING"))
            out.append(c.call("CONFIG", "SET", "bind", "192.0.2.1"))   # TEST-NET: not ours
            out.append(c.call("CONFIG", "GET", "bind"))
            out.append(RawConnection(newp).call("PING"))
            results.append(out)
            c.close()
        finally:
            s.stop()
    assert results[0] == results[1]
    assert results[0][1] == "old port closed"
