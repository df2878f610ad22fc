"""SLOWLOG and its configs, after Redis's tests/unit/slowlog.tcl (our own code)."""

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
    c = srv.client(decode_responses=True)
    c.config_set("slowlog-log-slower-than", 10000)
    c.config_set("slowlog-max-len", 128)
    c.slowlog_reset()
    yield c
    c.close()


def raw_get(r, *args):
    return r.execute_command("SLOWLOG", "GET", *args)


def test_starts_empty_and_len(r):
    assert r.slowlog_len() == 0
    assert raw_get(r) == []


def test_only_slow_commands_are_logged(r):
    r.config_set("slowlog-log-slower-than", 100000)
    r.ping()
    assert r.slowlog_len() == 0
    r.execute_command("DEBUG", "SLEEP", "0.12")
    assert r.slowlog_len() == 1


def test_entry_fields(r):
    r.client_setname("foobar")
    r.execute_command("DEBUG", "SLEEP", "0.02")
    (entry,) = raw_get(r)
    eid, ts, usec, argv, addr, name = entry
    assert isinstance(eid, int)
    assert abs(ts - time.time()) < 5
    assert usec >= 20000
    assert argv == ["DEBUG", "SLEEP", "0.02"]
    assert addr.startswith("127.0.0.1:")
    assert name == "foobar"


def test_max_len_keeps_newest(r):
    r.config_set("slowlog-log-slower-than", 0)
    r.config_set("slowlog-max-len", 10)
    for i in range(20):
        r.execute_command("PING", str(i))
    entries = raw_get(r, -1)      # read before anything else gets logged
    assert len(entries) == 10
    # Newest first: ids decrease, the last PING leads.
    ids = [e[0] for e in entries]
    assert ids == sorted(ids, reverse=True)
    assert entries[0][3] == ["PING", "19"]
    assert entries[-1][3] == ["PING", "10"]


def test_get_count_and_all(r):
    r.config_set("slowlog-log-slower-than", 0)
    for _ in range(12):
        r.ping()
    assert len(raw_get(r)) == 10          # default count
    assert len(raw_get(r, 3)) == 3
    assert len(raw_get(r, -1)) >= 12
    assert raw_get(r, 0) == []


def test_count_must_be_at_least_minus_one(r):
    for bad in ("-2", "-222"):
        with pytest.raises(redis.ResponseError, match="count should be greater than or equal to -1"):
            raw_get(r, bad)


def test_reset(r):
    r.config_set("slowlog-log-slower-than", 0)
    r.ping()
    assert r.slowlog_len() > 0
    assert r.execute_command("SLOWLOG", "RESET") == "OK"
    # The RESET itself may be logged (it runs before the log check).
    assert r.slowlog_len() <= 1


def test_too_many_arguments_are_trimmed(r):
    r.config_set("slowlog-log-slower-than", 0)
    r.execute_command("DEL", "set", *range(3, 34))
    e = [x for x in raw_get(r, -1) if x[3][0] == "DEL"][0]
    assert e[3] == ["DEL", "set"] + [str(i) for i in range(3, 32)] + ["... (2 more arguments)"]


def test_too_long_arguments_are_trimmed(r):
    r.config_set("slowlog-log-slower-than", 0)
    r.execute_command("DEL", "set2", "foo", "A" * 129)
    e = [x for x in raw_get(r, -1) if x[3][0] == "DEL"][0]
    assert e[3] == ["DEL", "set2", "foo", "A" * 128 + "... (1 more bytes)"]


def test_exec_is_not_logged_only_its_commands(r):
    r.config_set("slowlog-log-slower-than", 100000)
    p = r.pipeline(transaction=True)
    p.execute_command("DEBUG", "SLEEP", "0.12")
    p.execute()
    entries = raw_get(r)
    assert len(entries) == 1
    assert entries[0][3] == ["DEBUG", "SLEEP", "0.12"]


def test_can_clean_older_entries_and_records_name(r):
    r.client_setname("lastentry_client")
    r.config_set("slowlog-max-len", 1)
    r.config_set("slowlog-log-slower-than", 1000)
    r.execute_command("DEBUG", "SLEEP", "0.01")
    r.execute_command("DEBUG", "SLEEP", "0.01")
    entries = raw_get(r)
    assert len(entries) == 1
    assert entries[0][5] == "lastentry_client"


def test_can_be_disabled(r):
    r.config_set("slowlog-log-slower-than", 1)
    r.execute_command("DEBUG", "SLEEP", "0.01")
    assert r.slowlog_len() >= 1
    r.config_set("slowlog-log-slower-than", -1)
    r.slowlog_reset()
    r.execute_command("DEBUG", "SLEEP", "0.01")
    assert r.slowlog_len() == 0
    r.config_set("slowlog-log-slower-than", 0)
    r.config_set("slowlog-max-len", 0)
    r.slowlog_reset()
    r.ping()
    assert r.slowlog_len() == 0


def test_auth_is_redacted(r, srv):
    r.config_set("slowlog-log-slower-than", 0)
    conn = srv.raw()
    assert conn.call("AUTH", "secretpass").startswith(b"-ERR AUTH <password> called without")
    assert conn.call("AUTH", "someuser", "secretpass").startswith(b"-")
    conn.close()
    args = [e[3] for e in raw_get(r, -1)]
    assert ["AUTH", "(redacted)"] in args
    assert ["AUTH", "(redacted)", "(redacted)"] in args
    assert not any("secretpass" in a for argv in args for a in argv)


def test_help_and_bad_subcommand(r):
    lines = r.execute_command("SLOWLOG", "HELP")
    assert lines[0].startswith("SLOWLOG <subcommand>")
    assert "RESET" in lines
    with pytest.raises(redis.ResponseError, match="unknown subcommand"):
        r.execute_command("SLOWLOG", "NOPE")


def test_reply_bytes_match_real_redis(srv, real_redis):
    """The shape of an entry, byte for byte except the values that must differ."""
    a, b = srv.raw(), real_redis.raw()
    for conn in (a, b):
        assert conn.call("SLOWLOG", "RESET") == b"+OK\r\n"
        conn.call("CONFIG", "SET", "slowlog-log-slower-than", "-1")
        assert conn.call("SLOWLOG", "GET") == b"*0\r\n"
        assert conn.call("SLOWLOG", "LEN") == b":0\r\n"
        assert conn.call("SLOWLOG", "GET", "-2").startswith(b"-ERR count should be")
    assert a.call("SLOWLOG", "HELP") == b.call("SLOWLOG", "HELP")
    a.close()
    b.close()


def test_config_set_secrets_are_redacted_like_redis(srv, real_redis):
    """CONFIG SET hides every sensitive value from the slow log, also when
    the command fails on another pair, and fails with Redis's first error."""
    commands = [
        ("CONFIG", "SET", "masterauth", "secret1"),
        ("CONFIG", "SET", "nosuch", "1", "masterauth", "secret2"),
        ("CONFIG", "SET", "daemonize", "yes", "masterauth", "secret3"),
        ("CONFIG", "SET", "masterauth", "secret4", "masterauth", "secret5"),
        ("CONFIG", "SET", "daemonize", "yes", "nosuch", "1", "masteruser", "secret6"),
        ("CONFIG", "SET", "nosuch", "1", "daemonize", "yes"),
        ("CONFIG", "SET", "masterauth", ""),
    ]
    logged = []
    for server in (srv, real_redis):
        c = server.client(decode_responses=True)
        c.config_set("slowlog-log-slower-than", 0)
        c.slowlog_reset()
        conn = server.raw()
        replies = [conn.call(*cmd) for cmd in commands]
        conn.close()
        entries = [e[3] for e in c.execute_command("SLOWLOG", "GET", -1)]
        c.config_set("slowlog-log-slower-than", 10000)
        c.close()
        logged.append((replies, [a for a in entries if a[:2] == ["CONFIG", "SET"]]))
    assert logged[0] == logged[1]
    assert not any("secret" in a for argv in logged[0][1] for a in argv)
