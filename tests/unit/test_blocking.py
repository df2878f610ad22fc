"""Blocking commands (BZPOP*, BZMPOP, BLPOP & co.): parking, serving order, timeouts, unblocking.

The serving-order tests are differential: the same clients block in the
same order on pyredis and on a real Redis 7.0, the same writes wake them,
and every client's reply is compared byte for byte.
"""

import time

import pytest

from helpers.servers import encode_command


def blocked_count(conn):
    info = conn.call("INFO", "clients").decode()
    for line in info.split("\r\n"):
        if line.startswith("blocked_clients:"):
            return int(line.split(":")[1])
    raise AssertionError(info)


def wait_blocked(conn, n, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if blocked_count(conn) == n:
            return
        time.sleep(0.005)
    raise AssertionError("expected %d blocked clients, have %d" % (n, blocked_count(conn)))


def scenario(srv, blockers, writes, nreplies=None, after=None, resp=2):
    """Block each command of `blockers` on its own connection (in order), run `writes`.

    With resp=3 the blockers send HELLO 3 first (its reply, which differs
    between servers, is dropped), so the served replies are RESP3's.
    Returns (replies of the writer, reply of each blocker, or None for a
    blocker still blocked at the end).
    """
    ctl = srv.raw()
    ctl.call("FLUSHALL")
    conns = []
    try:
        base = blocked_count(ctl)
        for i, cmd in enumerate(blockers):
            b = srv.raw()
            if resp == 3:
                b.call("HELLO", "3")
            b.send(encode_command(cmd))
            conns.append(b)
            wait_blocked(ctl, base + i + 1)
        w = srv.raw()
        conns.append(w)
        out = []
        for cmd in writes:
            out.append(w.call(*cmd))
        if after:
            out += after(w)
        replies = []
        for b in conns[:-1]:
            b.sock.settimeout(0.3)
            try:
                replies.append(b.read_reply())
            except OSError:
                replies.append(None)
        return out, replies
    finally:
        for b in conns:
            b.close()
        ctl.close()


def same(server, real_redis, blockers, writes, **kw):
    ours = scenario(server, blockers, writes, **kw)
    theirs = scenario(real_redis, blockers, writes, **kw)
    assert ours == theirs, "\npyredis: %r\nredis:   %r" % (ours, theirs)
    return ours


def test_bzpopmin_clients_served_in_arrival_order(server, real_redis):
    out, replies = same(server, real_redis,
                        [("BZPOPMIN", "z", "0"), ("BZPOPMIN", "z", "0"), ("BZPOPMIN", "z", "0")],
                        [("ZADD", "z", "1", "a", "2", "b"), ("ZCARD", "z")])
    assert replies[0] == b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert replies[2] is None


def test_bzpop_several_keys_and_count(server, real_redis):
    same(server, real_redis,
         [("BZPOPMAX", "z1", "z2", "0"), ("BZMPOP", "0", "2", "z2", "z1", "MIN", "COUNT", "2"),
          ("BZMPOP", "0", "1", "z1", "MAX")],
         [("ZADD", "z2", "1", "a", "2", "b", "3", "c", "4", "d"), ("ZADD", "z1", "5", "e"),
          ("EXISTS", "z1", "z2")])


def test_served_pops_reply_in_resp3(server, real_redis):
    """A pop served to a RESP3 client is built by the serving code, not by
    the command: BZPOP* carry the score as a double, BZMPOP [member, score]
    pairs, the list pops keep their RESP2 shape."""
    out, replies = same(server, real_redis,
                        [("BZPOPMIN", "z", "0"), ("BZPOPMAX", "z", "0"),
                         ("BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"),
                         ("BZMPOP", "0", "1", "z", "MAX"),
                         ("BLPOP", "l", "0"), ("BRPOP", "l", "0"),
                         ("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "2"),
                         ("BLMOVE", "l", "d", "RIGHT", "LEFT", "0"), ("BRPOPLPUSH", "l", "d", "0")],
                        [("ZADD", "z", "1.5", "a", "2", "b", "3", "c", "4", "d", "inf", "e", "6", "f"),
                         ("RPUSH", "l", "1", "2", "3", "4", "5", "6", "7"), ("LRANGE", "d", "0", "-1")],
                        resp=3)
    assert replies[0] == b"*3\r\n$1\r\nz\r\n$1\r\na\r\n,1.5\r\n"
    assert None not in replies


def test_client_unblock_in_resp3(server, real_redis):
    """CLIENT UNBLOCK answers a RESP3 waiter with the null `_`."""
    for srv in (server, real_redis):
        ctl, b = srv.raw(), srv.raw()
        ctl.call("FLUSHALL")
        b.call("HELLO", "3")
        bid = int(b.call("CLIENT", "ID")[1:-2])
        for cmd in (("BZPOPMIN", "z", "0"), ("BLMOVE", "l", "d", "LEFT", "LEFT", "0"),
                    ("BLMPOP", "0", "1", "l", "LEFT")):
            b.send(encode_command(cmd))
            wait_blocked(ctl, 1)
            assert ctl.call("CLIENT", "UNBLOCK", bid) == b":1\r\n"
            assert b.read_reply() == b"_\r\n", (srv.kind, cmd)
        ctl.close()
        b.close()


def test_push_inside_multi_serves_after_exec(server, real_redis):
    same(server, real_redis,
         [("BZPOPMIN", "z", "0"), ("BZPOPMIN", "z", "0")],
         [("MULTI",), ("ZADD", "z", "1", "a"), ("ZADD", "z", "2", "b"), ("ZREM", "z", "a"),
          ("EXEC",), ("ZCARD", "z")])


def test_add_then_delete_in_transaction_serves_nobody(server, real_redis):
    same(server, real_redis,
         [("BZPOPMIN", "z", "0")],
         [("MULTI",), ("ZADD", "z", "1", "a"), ("DEL", "z"), ("EXEC",), ("EXISTS", "z")])


def test_pipelined_writes_serve_between_commands(server, real_redis):
    """In a pipeline, waiters are served right after the command that readied the key."""
    def after(w):
        batch = [("ZADD", "z", "1", "a"), ("ZCARD", "z"), ("ZADD", "z", "2", "b"), ("ZCARD", "z")]
        w.send(b"".join(encode_command(c) for c in batch))
        return [w.read_reply() for _ in batch]
    same(server, real_redis, [("BZPOPMIN", "z", "0"), ("BZPOPMIN", "z", "0")], [], after=after)


def test_wrong_type_key_keeps_client_blocked(server, real_redis):
    same(server, real_redis, [("BZPOPMIN", "z", "0")],
         [("SET", "z", "string"), ("DEL", "z"), ("ZADD", "z", "1", "x")])


def test_blocking_inside_multi_acts_as_timeout(pair):
    from helpers.differential import assert_same
    assert_same(pair, [
        ("MULTI",), ("BZPOPMIN", "z", "0"), ("BZMPOP", "0", "1", "z", "MIN"), ("EXEC",),
        ("ZADD", "z", "1", "a"),
        ("MULTI",), ("BZPOPMIN", "z", "0"), ("BZPOPMIN", "z", "0"), ("EXEC",),
    ])


@pytest.mark.parametrize("t", ["abc", "-1", "inf", "1e30", "0.0001", "nan", "1e-300"])
def test_timeout_parsing(pair, t):
    from helpers.differential import assert_same
    assert_same(pair, [("BZPOPMIN", "z", t)])


def test_argument_errors(pair):
    from helpers.differential import assert_same
    assert_same(pair, [
        ("SET", "s", "x"), ("BZPOPMIN", "s", "0"), ("BZMPOP", "0", "0", "z", "MIN"),
        ("BZMPOP", "0", "1", "z", "MID"), ("BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"),
        ("BZMPOP", "x", "1", "z", "MIN"), ("BZPOPMIN", "z"),
    ])


def test_fractional_timeout_fires(server):
    c = server.raw()
    t0 = time.monotonic()
    assert c.call("BZPOPMIN", "nokey", "0.2") == b"*-1\r\n"
    elapsed = time.monotonic() - t0
    assert 0.18 <= elapsed < 1.0, elapsed
    c.call("HELLO", "3")
    assert c.call("BZMPOP", "0.05", "1", "nokey", "MIN") == b"_\r\n"
    assert blocked_count(c) == 0
    c.close()
    # "-0.001" rounds (in long double arithmetic) to 0 ms: block forever, as Redis.
    ctl, b = server.raw(), server.raw()
    bid = int(b.call("CLIENT", "ID")[1:-2])
    b.send(encode_command(("BZPOPMIN", "nokey", "-0.001")))
    wait_blocked(ctl, 1)
    time.sleep(0.15)
    assert blocked_count(ctl) == 1
    assert ctl.call("CLIENT", "UNBLOCK", bid) == b":1\r\n"
    assert b.read_reply() == b"*-1\r\n"
    ctl.close()
    b.close()


def test_client_unblock_timeout_and_error(server, real_redis):
    for srv in (server, real_redis):
        ctl, b = srv.raw(), srv.raw()
        ctl.call("FLUSHALL")
        bid = int(b.call("CLIENT", "ID")[1:-2])
        b.send(encode_command(("BZPOPMIN", "z", "0")))
        wait_blocked(ctl, 1)
        line = [ln for ln in ctl.call("CLIENT", "LIST").split(b"\n") if b"id=%d " % bid in ln][0]
        assert b" flags=b " in line, line
        assert ctl.call("CLIENT", "UNBLOCK", bid) == b":1\r\n"
        assert b.read_reply() == b"*-1\r\n"
        assert ctl.call("CLIENT", "UNBLOCK", bid) == b":0\r\n"
        b.send(encode_command(("BZPOPMIN", "z", "0")))
        wait_blocked(ctl, 1)
        assert ctl.call("CLIENT", "UNBLOCK", bid, "ERROR") == b":1\r\n"
        assert b.read_reply() == b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
        assert ctl.call("CLIENT", "UNBLOCK", bid, "FOO") == \
            b"-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n"
        # The unblocked client carries on with its pipeline.
        assert b.call("PING") == b"+PONG\r\n"
        assert blocked_count(ctl) == 0
        ctl.close()
        b.close()


def test_disconnect_and_kill_leave_nothing_behind(server):
    ctl = server.raw()
    ctl.call("FLUSHALL")
    a, b = server.raw(), server.raw()
    bid = int(b.call("CLIENT", "ID")[1:-2])
    a.send(encode_command(("BZPOPMIN", "z", "100")))
    b.send(encode_command(("BZPOPMIN", "z", "0")))
    wait_blocked(ctl, 2)
    a.close()
    wait_blocked(ctl, 1)
    assert ctl.call("CLIENT", "KILL", "ID", bid) == b":1\r\n"
    wait_blocked(ctl, 0)
    # Nobody waits on z any more: the add stays.
    ctl.call("ZADD", "z", "1", "m")
    assert ctl.call("ZCARD", "z") == b":1\r\n"
    ctl.close()
    b.close()


def test_many_blocked_with_timeouts_expire_in_order(server):
    ctl = server.raw()
    conns = []
    for i in range(30):
        c = server.raw()
        c.send(encode_command(("BZPOPMIN", "zz%d" % i, "0.%d" % (1 + i % 3))))
        conns.append(c)
    for c in conns:
        assert c.read_reply() == b"*-1\r\n"
        c.close()
    assert blocked_count(ctl) == 0
    ctl.close()


def test_served_client_runs_its_pipeline(server):
    ctl, b = server.raw(), server.raw()
    ctl.call("FLUSHALL")
    b.send(encode_command(("BZPOPMIN", "z", "0")) + encode_command(("PING",)))
    wait_blocked(ctl, 1)
    ctl.call("ZADD", "z", "1", "a")
    assert b.read_reply() == b"*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"
    assert b.read_reply() == b"+PONG\r\n"
    ctl.close()
    b.close()


def test_swapdb_wakes_blocked_client(server, real_redis):
    for srv in (server, real_redis):
        ctl, b = srv.raw(), srv.raw()
        ctl.call("FLUSHALL")
        b.send(encode_command(("BZPOPMIN", "z", "0")))
        wait_blocked(ctl, 1)
        ctl.call("SELECT", "1")
        ctl.call("ZADD", "z", "7", "x")
        ctl.call("SWAPDB", "0", "1")
        assert b.read_reply() == b"*3\r\n$1\r\nz\r\n$1\r\nx\r\n$1\r\n7\r\n", srv.kind
        ctl.close()
        b.close()


# ---------------------------------------------------------------------------
# Lists: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP
# ---------------------------------------------------------------------------
def test_blpop_brpop_order_and_multi_element_push(server, real_redis):
    same(server, real_redis,
         [("BLPOP", "l", "0"), ("BRPOP", "l", "0"), ("BLPOP", "l", "0")],
         [("RPUSH", "l", "a", "b", "c", "d"), ("LRANGE", "l", "0", "-1")])


def test_blpop_several_keys_first_ready_wins(server, real_redis):
    same(server, real_redis,
         [("BLPOP", "l1", "l2", "l1", "0"), ("BRPOP", "l2", "l1", "0")],
         [("LPUSH", "l2", "x"), ("LPUSH", "l1", "y"), ("EXISTS", "l1", "l2")])


def test_blmpop_count(server, real_redis):
    same(server, real_redis,
         [("BLMPOP", "0", "2", "a", "b", "RIGHT", "COUNT", "2"), ("BLMPOP", "0", "1", "b", "LEFT")],
         [("RPUSH", "b", "1", "2", "3", "4"), ("LRANGE", "b", "0", "-1")])


def test_blmove_chain_wakes_next_waiter(server, real_redis):
    """BLMOVE's push to its destination readies that key for the next waiter, in the same pass."""
    same(server, real_redis,
         [("BLMOVE", "src", "dst", "RIGHT", "LEFT", "0"), ("BRPOPLPUSH", "dst", "dst2", "0"),
          ("BLPOP", "dst2", "0")],
         [("LPUSH", "src", "v"), ("EXISTS", "src", "dst", "dst2")])


def test_blmove_wrongtype_destination(server, real_redis):
    same(server, real_redis,
         [("BLMOVE", "src", "dst", "LEFT", "LEFT", "0"), ("BLPOP", "src", "0")],
         [("SET", "dst", "str"), ("RPUSH", "src", "a"), ("LLEN", "src")])


def test_list_push_in_multi_and_pipeline(server, real_redis):
    same(server, real_redis,
         [("BLPOP", "l", "0"), ("BLPOP", "l", "0")],
         [("MULTI",), ("RPUSH", "l", "a"), ("RPUSH", "l", "b"), ("LPOP", "l"), ("EXEC",),
          ("LLEN", "l")])

    def after(w):
        batch = [("RPUSH", "q", "1", "2"), ("LLEN", "q"), ("RPUSH", "q", "3"), ("LRANGE", "q", "0", "-1")]
        w.send(b"".join(encode_command(c) for c in batch))
        return [w.read_reply() for _ in batch]
    same(server, real_redis, [("BLPOP", "q", "0"), ("BRPOP", "q", "0"), ("BLPOP", "q", "0")], [],
         after=after)


def test_list_blocking_inside_multi(pair):
    from helpers.differential import assert_same
    assert_same(pair, [
        ("MULTI",), ("BLPOP", "l", "0"), ("BRPOP", "l", "1"), ("BLMOVE", "l", "d", "LEFT", "LEFT", "0"),
        ("BRPOPLPUSH", "l", "d", "0"), ("BLMPOP", "0", "1", "l", "LEFT"), ("EXEC",),
        ("RPUSH", "l", "a", "b", "c"),
        ("MULTI",), ("BLPOP", "l", "0"), ("BLMOVE", "l", "d", "RIGHT", "LEFT", "0"),
        ("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "5"), ("EXEC",), ("LRANGE", "d", "0", "-1"),
    ])


def test_list_blocking_errors_and_timeouts(pair):
    from helpers.differential import assert_same
    assert_same(pair, [
        ("SET", "s", "x"), ("BLPOP", "s", "0"), ("BRPOPLPUSH", "s", "d", "0"),
        ("BLMOVE", "l", "d", "UP", "LEFT", "0"), ("BLMOVE", "l", "d", "LEFT", "LEFT", "-1"),
        ("BLPOP", "l", "x"), ("BLMPOP", "0", "0", "l", "LEFT"), ("BLMPOP", "0", "1", "l", "MID"),
        ("BLPOP", "l", "0.01"), ("BLMOVE", "l", "d", "LEFT", "LEFT", "0.01"),
        ("BLMPOP", "0.01", "1", "l", "LEFT"), ("BRPOPLPUSH", "l", "d", "0.01"),
    ])


def test_served_pop_notifications(server, real_redis):
    """The events a served BLPOP/BLMOVE fires, as seen by a keyspace subscriber."""
    def run(srv):
        sub = srv.raw()
        sub.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
        sub.call("PSUBSCRIBE", "__keyevent@*")
        try:
            scenario(srv, [("BLPOP", "l", "0"), ("BLMOVE", "m", "n", "LEFT", "RIGHT", "0")],
                     [("RPUSH", "l", "a"), ("RPUSH", "m", "b", "c")])
            srv_ctl = srv.raw()
            srv_ctl.call("PUBLISH", "__keyevent@0__:end", "x")
            srv_ctl.close()
            out = []
            while True:
                m = sub.read_reply()
                out.append(m)
                if b"__keyevent@0__:end" in m:
                    return out
        finally:
            c = srv.raw()
            c.call("CONFIG", "SET", "notify-keyspace-events", "")
            c.close()
            sub.close()
    assert run(server) == run(real_redis)


def test_blpop_timeout_and_unblock_list(server):
    ctl, b = server.raw(), server.raw()
    bid = int(b.call("CLIENT", "ID")[1:-2])
    t0 = time.monotonic()
    assert b.call("BLPOP", "nol", "0.1") == b"*-1\r\n"
    assert time.monotonic() - t0 >= 0.09
    b.send(encode_command(("BLMOVE", "nol", "d", "LEFT", "LEFT", "0")))
    wait_blocked(ctl, 1)
    assert ctl.call("CLIENT", "UNBLOCK", bid) == b":1\r\n"
    assert b.read_reply() == b"*-1\r\n"
    ctl.call("RPUSH", "nol", "z")       # nobody waits any more
    assert ctl.call("LLEN", "nol") == b":1\r\n"
    assert ctl.call("EXISTS", "d") == b":0\r\n"
    ctl.close()
    b.close()


def test_blocked_clients_are_per_db(server, real_redis):
    """A push to the same key name in another db serves nobody."""
    def after(w):
        return [w.call("SELECT", "3"), w.call("RPUSH", "k", "x"), w.call("LLEN", "k"),
                w.call("SELECT", "0"), w.call("RPUSH", "k", "y"), w.call("LLEN", "k")]
    same(server, real_redis, [("BLPOP", "k", "0"), ("BLPOP", "k", "0")], [], after=after)


def test_client_pause_postpones_then_runs_the_command(server):
    """CLIENT PAUSE parks writers (BLOCKED_POSTPONE); the command runs when the pause ends."""
    ctl, w = server.raw(), server.raw()
    ctl.call("FLUSHALL")
    assert ctl.call("CLIENT", "PAUSE", "100000", "WRITE") == b"+OK\r\n"
    w.send(encode_command(("SET", "paused", "1")) + encode_command(("GET", "paused")))
    wait_blocked(ctl, 1)
    assert ctl.call("GET", "paused") == b"$-1\r\n"      # reads still run
    assert ctl.call("CLIENT", "UNPAUSE") == b"+OK\r\n"
    assert w.read_reply() == b"+OK\r\n"
    assert w.read_reply() == b"$1\r\n1\r\n"
    assert blocked_count(ctl) == 0
    ctl.close()
    w.close()
