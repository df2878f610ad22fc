"""MULTI/EXEC/DISCARD/WATCH (Redis's tests/unit/multi.tcl), compared byte for byte with real Redis."""

import time

import pytest

from helpers.differential import assert_same


def both(pair, *cmd):
    """Run one command on both servers and return both replies."""
    return pair[0].call(*cmd), pair[1].call(*cmd)


def test_exec_replies_and_runtime_errors(pair):
    # A run-time error (WRONGTYPE) does not stop the rest: no rollback.
    assert_same(pair, [
        ("SET", "s", "1"),
        ("MULTI",), ("INCR", "s"), ("ZADD", "s", "1", "x"), ("INCRBY", "s", "5"), ("GET", "s"),
        ("EXEC",),
        ("GET", "s"),
    ])


def test_queue_time_errors_abort(pair):
    assert_same(pair, [
        ("MULTI",), ("SET", "a", "1"), ("NOSUCHCOMMAND", "x"), ("SET", "b", "2"), ("EXEC",),
        ("EXISTS", "a", "b"),
        ("MULTI",), ("SET", "a", "1"), ("GET",), ("EXEC",),
        ("EXISTS", "a"),
    ])


def test_nested_multi_and_watch_inside_multi(pair):
    assert_same(pair, [
        ("MULTI",), ("MULTI",), ("SET", "x", "1"), ("EXEC",),
        ("MULTI",), ("WATCH", "x"), ("GET", "x"), ("EXEC",),
        ("EXEC",), ("DISCARD",),
        ("MULTI",), ("SET", "y", "1"), ("DISCARD",), ("EXISTS", "y"),
        ("MULTI",), ("EXEC",),
    ])


def test_no_multi_commands_are_refused_while_queueing(pair):
    # WATCH/MULTI are handled apart; SUBSCRIBE is allowed; a no-multi one fails.
    assert_same(pair, [
        ("MULTI",), ("MONITOR",), ("SET", "k", "v"), ("EXEC",), ("EXISTS", "k"),
    ])


def test_multi_resp3_and_empty(pair):
    for conn in pair:
        conn.call("HELLO", "3")         # its reply holds the client id, which differs
    assert_same(pair, [
        ("MULTI",), ("SET", "a", "1"), ("GET", "a"), ("INCRBYFLOAT", "f", "1.5"), ("EXEC",),
        ("MULTI",), ("EXEC",),
    ])


def test_watch_touched_by_other_client(server, real_redis):
    for srv in (server, real_redis):
        a, b = srv.raw(), srv.raw()
        a.call("FLUSHALL")
        assert a.call("WATCH", "k") == b"+OK\r\n"
        b.call("SET", "k", "other")
        a.call("MULTI")
        a.call("SET", "k", "mine")
        assert a.call("EXEC") == b"*-1\r\n", srv.kind
        assert a.call("GET", "k") == b"$5\r\nother\r\n"
        # After a failed EXEC the WATCH is gone: the next one succeeds.
        a.call("MULTI")
        a.call("SET", "k", "mine")
        assert a.call("EXEC") == b"*1\r\n+OK\r\n"
        a.close()
        b.close()


@pytest.mark.parametrize("touch", [
    ("DEL", "k"), ("EXPIRE", "k", "100"), ("APPEND", "k", "x"), ("RENAME", "k", "k2"),
    ("FLUSHDB",), ("FLUSHALL",), ("SWAPDB", "0", "1"), ("INCR", "k"),
])
def test_watch_invalidated_by(server, real_redis, touch):
    for srv in (server, real_redis):
        a, b = srv.raw(), srv.raw()
        a.call("FLUSHALL")
        a.call("SET", "k", "1")
        a.call("WATCH", "k")
        b.call(*touch)
        a.call("MULTI")
        a.call("PING")
        assert a.call("EXEC") == b"*-1\r\n", (srv.kind, touch)
        a.close()
        b.close()


def test_watch_not_invalidated(pair):
    # Writes to other keys, a flush of an empty other db, reads, UNWATCH.
    a, b = pair
    for conn in pair:
        conn.call("SET", "k", "1")
    assert_same(pair, [
        ("WATCH", "k"), ("SET", "other", "1"), ("GET", "k"), ("MULTI",), ("PING",), ("EXEC",),
        ("WATCH", "k"), ("SET", "k", "2"), ("UNWATCH",), ("MULTI",), ("PING",), ("EXEC",),
        ("WATCH", "k"), ("SET", "k", "2"), ("MULTI",), ("PING",), ("DISCARD",),
        ("MULTI",), ("PING",), ("EXEC",),
        ("WATCH", "nokey"), ("FLUSHDB",), ("MULTI",), ("PING",), ("EXEC",),
        ("WATCH", "nokey"), ("SWAPDB", "0", "1"), ("MULTI",), ("PING",), ("EXEC",),
    ])


def test_watch_expired_key(server, real_redis):
    """A key that expires after WATCH fails the EXEC; one already expired at WATCH does not."""
    for srv in (server, real_redis):
        a = srv.raw()
        a.call("FLUSHALL")
        a.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")
        try:
            a.call("SET", "x", "1", "PX", "30")
            a.call("WATCH", "x")
            time.sleep(0.06)
            a.call("MULTI")
            a.call("PING")
            assert a.call("EXEC") == b"*-1\r\n", srv.kind
            a.call("SET", "y", "1", "PX", "1")
            time.sleep(0.02)
            a.call("WATCH", "y")
            a.call("GET", "y")            # lazy expiry deletes it: no change
            a.call("MULTI")
            a.call("PING")
            assert a.call("EXEC") == b"*1\r\n+PONG\r\n", srv.kind
        finally:
            a.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")
            a.close()


def test_exec_abort_on_rejected_exec(server, real_redis):
    """EXEC refused by one of processCommand's checks (here OOM) answers EXECABORT."""
    for srv in (server, real_redis):
        a = srv.raw()
        a.call("FLUSHALL")
        a.call("SET", "big", "x" * 100000)
        a.call("MULTI")
        assert a.call("SET", "k", "v") == b"+QUEUED\r\n"
        b = srv.raw()
        b.call("CONFIG", "SET", "maxmemory", "1")
        try:
            reply = a.call("EXEC")
        finally:
            b.call("CONFIG", "SET", "maxmemory", "0")
            b.close()
        assert reply.startswith(b"-EXECABORT Transaction discarded because of: OOM"), (srv.kind, reply)
        # The transaction is gone.
        assert a.call("EXEC") == b"-ERR EXEC without MULTI\r\n"
        a.close()


def test_client_list_shows_multi(server):
    a = server.raw()
    a.call("MULTI")
    a.call("SET", "a", "1")
    a.call("GET", "a")
    b = server.raw()
    line = [ln for ln in b.call("CLIENT", "LIST").split(b"\n") if b"cmd=get" in ln][0]
    assert b" flags=x " in line and b" multi=2 " in line, line
    a.call("DISCARD")
    line = a.call("CLIENT", "INFO")
    b.close()
    assert b" flags=N " in line and b" multi=-1 " in line, line
    a.close()


def test_multi_propagates_as_one_block(server):
    """MONITOR sees the commands; the AOF/replica feed sees MULTI ... EXEC (checked with DEBUG-free means:
    the queued commands run in order and a disconnect mid-MULTI leaves nothing behind)."""
    a, b = server.raw(), server.raw()
    a.call("FLUSHALL")
    a.call("MULTI")
    a.call("SET", "q", "1")
    a.close()                     # disconnect with a queued transaction
    assert b.call("EXISTS", "q") == b":0\r\n"
    assert b"multi=-1" in b.call("CLIENT", "INFO")
    b.close()


def test_pipelined_transaction(pair):
    """A whole transaction sent in one write gives the same stream of replies."""
    from helpers.servers import encode_command
    cmds = [("MULTI",), ("SET", "p", "1"), ("INCR", "p"), ("EXEC",), ("GET", "p")]
    out = []
    for conn in pair:
        conn.send(b"".join(encode_command(c) for c in cmds))
        out.append([conn.read_reply() for _ in cmds])
    assert out[0] == out[1]


def run_timed(srv, script):
    """Run a script with ("SLEEP", seconds) steps on one connection; return the replies."""
    c = srv.raw()
    c.call("FLUSHALL")
    c.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    out = []
    try:
        for cmd in script:
            if cmd[0] == "SLEEP":
                time.sleep(cmd[1])
            else:
                out.append(c.call(*cmd))
    finally:
        c.call("DEBUG", "SET-ACTIVE-EXPIRE", "1")
        c.call("SELECT", "0")
        c.close()
    return out


STALE = {
    "watch-stale-key": [("SET", "x", "foo", "PX", "1"), ("SLEEP", 0.01), ("WATCH", "x")],
    "delete-watched-stale-key": [("SET", "x", "foo", "PX", "1"), ("SLEEP", 0.01), ("WATCH", "x"),
                                 ("EXISTS", "x")],
    "flushdb-with-stale-key": [("SET", "x", "foo", "PX", "1"), ("SLEEP", 0.01), ("WATCH", "x"),
                               ("FLUSHDB",)],
    "swapdb-stale-for-nothing": [("SELECT", "1"), ("SET", "x", "foo", "PX", "1"), ("SLEEP", 0.01),
                                 ("WATCH", "x"), ("SWAPDB", "0", "1")],
    "swapdb-nothing-for-stale": [("SET", "x", "foo", "PX", "1"), ("SLEEP", 0.01), ("SELECT", "1"),
                                 ("WATCH", "x"), ("SWAPDB", "0", "1")],
    "swapdb-stale-for-stale": [("SELECT", "1"), ("SET", "x", "foo", "PX", "1"), ("SELECT", "0"),
                               ("SET", "x", "bar", "PX", "1"), ("SLEEP", 0.01), ("SELECT", "1"),
                               ("WATCH", "x"), ("SWAPDB", "0", "1")],
    "swapdb-live-for-stale": [("SET", "x", "foo", "PX", "1"), ("SELECT", "1"), ("SLEEP", 0.01),
                              ("WATCH", "x"), ("SELECT", "0"), ("SET", "x", "live"), ("SELECT", "1"),
                              ("SWAPDB", "0", "1")],
    "watch-remembers-db": [("SELECT", "5"), ("SET", "x", "30"), ("WATCH", "x"), ("SELECT", "1"),
                           ("SET", "x", "10"), ("SELECT", "5")],
    "expire-touches": [("SET", "x", "foo"), ("WATCH", "x"), ("EXPIRE", "x", "10")],
    "lazy-expired-after-watch": [("SET", "x", "1", "PX", "30"), ("WATCH", "x"), ("SLEEP", 0.05)],
    "discard-clears-dirty": [("SET", "x", "1"), ("WATCH", "x"), ("SET", "x", "2"), ("MULTI",),
                             ("DISCARD",)],
    "unwatch-nothing": [("UNWATCH",)],
}


@pytest.mark.parametrize("name", sorted(STALE))
def test_watch_stale_and_edge_cases(server, real_redis, name):
    script = STALE[name] + [("MULTI",), ("PING",), ("EXEC",)]
    ours, theirs = run_timed(server, script), run_timed(real_redis, script)
    assert ours == theirs, (name, ours, theirs)
