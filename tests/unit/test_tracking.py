"""Client-side caching (Redis's tests/unit/tracking.tcl), byte for byte against real Redis.

Each scenario runs on pyredis, checked against the bytes Redis 7.0.15 sends
(written out in the test), and, when redis-server is installed, on a real
server too, where the two transcripts must be identical. Client ids differ
between the two servers, so replies that carry one are masked.

Nothing sleeps: a message another connection triggers is in the tracking
connection's output before the triggering command's reply goes out (or, in
BCAST mode, in the same event-loop iteration), so reading the triggering
reply and then pipelining `PING done` on the tracking connection reads the
message, then the marker, or only the marker when there is no message.
"""

import re
import time

import pytest

from helpers.servers import REDIS_SERVER, Server, encode_command

MARK = b"$4\r\ndone\r\n"                           # PING done
MARK_SUBSCRIBED = b"*2\r\n$4\r\npong\r\n$4\r\ndone\r\n"  # PING done in RESP2 Pub/Sub mode


@pytest.fixture(scope="module")
def ours():
    s = Server("pyredis", args=["--enable-debug-command", "yes"])
    yield s
    s.stop()


@pytest.fixture(scope="module")
def theirs():
    """The real server, or None when it is not installed (then only the
    literal expectations are checked)."""
    if not REDIS_SERVER:
        yield None
        return
    s = Server("redis", args=["--enable-debug-command", "yes"])
    yield s
    s.stop()


def until_mark(conn, *cmds):
    """Pipeline the commands and PING done; every reply and push before the marker."""
    conn.send(b"".join(encode_command(c) for c in cmds) + encode_command(("PING", "done")))
    out = []
    while True:
        r = conn.read_reply()
        if r in (MARK, MARK_SUBSCRIBED):
            return out
        out.append(r)


def info_field(conn, section, name):
    text = conn.call("INFO", section).decode()
    m = re.search(r"\r\n%s:([^\r]*)\r\n" % name, text)
    assert m, "no %s in INFO %s" % (name, section)
    return m.group(1)


def poll(fn, timeout=10.0):
    """Call fn until it returns something true (a condition on the server's state)."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.005)     # between polls only: a short pause, not a wait for the result


def wait_last_command(conn, cid, name):
    """Until the client `cid` has run `name` (for commands that send no reply)."""
    assert poll(lambda: (" cmd=%s " % name) in conn.call("CLIENT", "LIST", "ID", str(cid)).decode())


def wait_no_tracking_clients(conn):
    """Connections of the previous scenario are freed once the server reads their EOF."""
    assert poll(lambda: info_field(conn, "clients", "tracking_clients") == "0")


def mask(reply, ids):
    """Replace client ids (integers, CLIENT LIST fields) by ID."""
    for i in ids:
        reply = reply.replace(b":%d\r\n" % i, b":ID\r\n")
        reply = reply.replace(b"redir=%d " % i, b"redir=ID ")
    return reply


def run(ours, theirs, scenario, expected=None):
    """Run scenario(connect) on pyredis and real Redis; return pyredis's transcript.

    `connect()` opens a raw connection (closed at the end). The transcripts
    must be equal, and equal to `expected` when given.
    """
    results = []
    for srv in (ours, theirs):
        if srv is None:
            continue
        conns = []

        def connect():
            c = srv.raw()
            conns.append(c)
            return c
        try:
            setup = connect()
            setup.call("FLUSHALL")
            wait_no_tracking_clients(setup)
            results.append(scenario(connect))
        finally:
            for c in conns:
                c.close()
    if expected is not None:
        assert results[0] == expected, "pyredis:\n%r" % (results[0],)
    if len(results) == 2:
        assert results[0] == results[1], "\npyredis: %r\nredis:   %r" % tuple(results)
    return results[0]


def client_id(conn):
    return int(conn.call("CLIENT", "ID")[1:-2])


def hello3(conn):
    assert conn.call("HELLO", "3").startswith(b"%7\r\n")


def redirect_target(connect):
    """A RESP2 connection subscribed to __redis__:invalidate, and its id."""
    r = connect()
    rid = client_id(r)
    assert r.call("SUBSCRIBE", "__redis__:invalidate") == \
        b"*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n"
    return r, rid


def resp2_msg(payload):
    return b"*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n" + payload


def keys_array(*keys):
    return b"*%d\r\n" % len(keys) + b"".join(b"$%d\r\n%s\r\n" % (len(k), k) for k in keys)


def push(*keys):
    return b">2\r\n$10\r\ninvalidate\r\n" + keys_array(*keys)


# ---------------------------------------------------------------------------
# CLIENT TRACKING arguments and the errors Redis gives, in Redis's order
# ---------------------------------------------------------------------------
def test_tracking_option_errors(ours, theirs):
    def scenario(connect):
        c = connect()
        return until_mark(
            c,
            ("CLIENT", "TRACKING", "on", "REDIRECT", "0"),
            ("CLIENT", "TRACKING", "on", "REDIRECT", "abc"),
            ("CLIENT", "TRACKING", "on", "REDIRECT"),
            ("CLIENT", "TRACKING", "maybe"),
            ("CLIENT", "TRACKING", "on", "foo"),
            ("CLIENT", "TRACKING"),
            ("CLIENT", "TRACKING", "on", "OPTIN", "OPTOUT"),
            ("CLIENT", "TRACKING", "on", "PREFIX", "a"),
            ("CLIENT", "TRACKING", "on", "BCAST", "OPTIN"),
            ("CLIENT", "TRACKING", "off", "REDIRECT", "999999"),
            ("CLIENT", "CACHING", "yes"),
            ("CLIENT", "CACHING"),
            ("CLIENT", "TRACKING", "on", "OPTIN"),
            ("CLIENT", "CACHING", "no"),
            ("CLIENT", "CACHING", "maybe"),
            ("CLIENT", "TRACKING", "on", "OPTOUT"),
            ("CLIENT", "TRACKING", "on", "BCAST"),
            ("CLIENT", "TRACKING", "off"),
            ("CLIENT", "TRACKING", "on", "OPTOUT"),
            ("CLIENT", "CACHING", "yes"),
            ("CLIENT", "TRACKING", "off"),
            ("CLIENT", "TRACKING", "on", "BCAST"),
            ("CLIENT", "TRACKING", "on"),
            ("CLIENT", "TRACKING", "off"),
        )
    out = run(ours, theirs, scenario)
    assert out == [
        b"-ERR The client ID you want redirect to does not exist\r\n",
        b"-ERR value is not an integer or out of range\r\n",
        b"-ERR syntax error\r\n",
        b"-ERR syntax error\r\n",
        b"-ERR syntax error\r\n",
        b"-ERR wrong number of arguments for 'client|tracking' command\r\n",
        b"-ERR You can't specify both OPTIN mode and OPTOUT mode\r\n",
        b"-ERR PREFIX option requires BCAST mode to be enabled\r\n",
        b"-ERR OPTIN and OPTOUT are not compatible with BCAST\r\n",
        b"-ERR The client ID you want redirect to does not exist\r\n",
        b"-ERR CLIENT CACHING can be called only when the client is in tracking mode with "
        b"OPTIN or OPTOUT mode enabled\r\n",
        b"-ERR wrong number of arguments for 'client|caching' command\r\n",
        b"+OK\r\n",
        b"-ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.\r\n",
        b"-ERR syntax error\r\n",
        b"-ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, "
        b"and then re-enabling it with a different mode.\r\n",
        b"-ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
        b"and then re-enabling it with a different mode.\r\n",
        b"+OK\r\n",
        b"+OK\r\n",
        b"-ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.\r\n",
        b"+OK\r\n",
        b"+OK\r\n",
        b"-ERR You can't switch BCAST mode on/off before disabling tracking for this client, "
        b"and then re-enabling it with a different mode.\r\n",
        b"+OK\r\n",
    ]


def test_bcast_prefix_collisions(ours, theirs):
    def scenario(connect):
        c = connect()
        return until_mark(
            c,
            ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FOOBAR", "PREFIX", "FOO"),
            ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FOO", "PREFIX", "FOOBAR"),
            ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FOO", "PREFIX", "BAR"),
            ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "FO"),
            ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "BARB"),
            ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "BAR"),
            ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "x", "PREFIX", "x"),
            # 7.0.15 quirk: an overlap between two given prefixes that are
            # not the first one is reported, and then tracking is enabled
            # anyway and +OK follows: two replies.
            ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "q", "PREFIX", "r", "PREFIX", "rs"),
            ("CLIENT", "TRACKINGINFO"),
            ("CLIENT", "TRACKING", "off"),
            ("CLIENT", "TRACKING", "on", "BCAST"),
            ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a"),
            ("CLIENT", "TRACKING", "off"),
        )
    out = run(ours, theirs, scenario)
    tail = b" Prefixes for a single client must not overlap.\r\n"
    assert out == [
        b"-ERR Prefix 'FOOBAR' overlaps with another provided prefix 'FOO'." + tail,
        b"-ERR Prefix 'FOO' overlaps with another provided prefix 'FOOBAR'." + tail,
        b"+OK\r\n",
        b"-ERR Prefix 'FO' overlaps with an existing prefix 'FOO'." + tail,
        b"-ERR Prefix 'BARB' overlaps with an existing prefix 'BAR'." + tail,
        b"-ERR Prefix 'BAR' overlaps with an existing prefix 'BAR'." + tail,
        b"-ERR Prefix 'x' overlaps with another provided prefix 'x'." + tail,
        b"-ERR Prefix 'r' overlaps with another provided prefix 'rs'." + tail,
        b"+OK\r\n",
        b"*6\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$5\r\nbcast\r\n$8\r\nredirect\r\n:0\r\n"
        b"$8\r\nprefixes\r\n" + keys_array(b"BAR", b"FOO", b"q", b"r", b"rs"),
        b"+OK\r\n",
        b"+OK\r\n",
        b"-ERR Prefix 'a' overlaps with an existing prefix ''." + tail,
        b"+OK\r\n",
    ]


# ---------------------------------------------------------------------------
# Default mode
# ---------------------------------------------------------------------------
def test_redirect_to_resp2_pubsub_connection(ours, theirs):
    def scenario(connect):
        red, rid = redirect_target(connect)
        c = connect()
        out = [c.call("CLIENT", "TRACKING", "on", "REDIRECT", str(rid))]
        out += until_mark(c, ("SET", "a", "1"), ("SET", "b", "1"), ("GET", "a"),
                          ("INCR", "b"),    # never read: no message
                          ("INCR", "a"))
        out += until_mark(red)
        # Keys are remembered again at the next read only.
        out += until_mark(c, ("INCR", "a"), ("MGET", "a", "b", "c"), ("DEL", "a", "b", "x"))
        out += until_mark(red)
        out.append(mask(c.call("CLIENT", "GETREDIR"), [rid]))
        out += until_mark(c, ("CLIENT", "TRACKING", "off"), ("CLIENT", "GETREDIR"),
                          ("GET", "a"), ("SET", "a", "2"))
        out += until_mark(red)
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n",
        b"+OK\r\n", b"+OK\r\n", b"$1\r\n1\r\n", b":2\r\n", b":2\r\n",
        resp2_msg(keys_array(b"a")),
        b":3\r\n", b"*3\r\n$1\r\n3\r\n$1\r\n2\r\n$-1\r\n", b":2\r\n",
        resp2_msg(keys_array(b"a")), resp2_msg(keys_array(b"b")),
        b":ID\r\n",
        b"+OK\r\n", b":-1\r\n", b"$-1\r\n", b"+OK\r\n",
    ])


def test_resp3_invalidation_follows_the_reply(ours, theirs):
    def scenario(connect):
        c, other = connect(), connect()
        hello3(c)
        out = until_mark(c, ("CLIENT", "TRACKING", "on"), ("HSET", "myhash", "f", "1"),
                         ("HGET", "myhash", "f"), ("HDEL", "myhash", "f"))
        out += until_mark(c, ("GET", "k"))
        out.append(other.call("SET", "k", "v"))
        out += until_mark(c)
        # A transaction's reply is not interrupted by its own invalidations.
        c.call("MSET", "a", "1", "b", "2")
        out.append(c.call("GET", "a"))
        out += [c.call("MULTI"), c.call("INCR", "a"), c.call("GET", "b"), c.call("EXEC")]
        out += until_mark(c)
        # Nor by a flush inside it: the null comes after the EXEC reply.
        out += [c.call("MULTI"), c.call("FLUSHDB"), c.call("EXEC")]
        out += until_mark(c)
        # A RESP2 connection without REDIRECT is allowed, and told nothing.
        assert c.call("HELLO", "2").startswith(b"*14\r\n")
        out += until_mark(c, ("GET", "z"), ("SET", "z", "1"), ("GET", "z"))
        out.append(other.call("DEL", "z"))
        out += until_mark(c)
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b":1\r\n", b"$1\r\n1\r\n", b":1\r\n", push(b"myhash"),
        b"_\r\n", b"+OK\r\n", push(b"k"),
        b"$1\r\n1\r\n", b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n",
        b"*2\r\n:2\r\n$1\r\n2\r\n", push(b"a"),
        b"+OK\r\n", b"+QUEUED\r\n", b"*1\r\n+OK\r\n", b">2\r\n$10\r\ninvalidate\r\n_\r\n",
        b"$-1\r\n", b"+OK\r\n", b"$1\r\n1\r\n", b":1\r\n",
    ])


def test_transaction_turning_tracking_off_still_invalidates(ours, theirs):
    def scenario(connect):
        c = connect()
        hello3(c)
        out = until_mark(c, ("CLIENT", "TRACKING", "on"), ("GET", "k"))
        out += [c.call("MULTI"), c.call("SET", "k", "v"), c.call("CLIENT", "TRACKING", "off"),
                c.call("EXEC")]
        out += until_mark(c, ("CLIENT", "TRACKINGINFO"))
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"_\r\n", b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n",
        b"*2\r\n+OK\r\n+OK\r\n", push(b"k"),
        b"%3\r\n$5\r\nflags\r\n~1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n"
        b"$8\r\nprefixes\r\n*0\r\n",
    ])


def test_noloop_default_mode(ours, theirs):
    def scenario(connect):
        red, rid = redirect_target(connect)
        c, other = connect(), connect()
        out = until_mark(c, ("CLIENT", "TRACKING", "on", "REDIRECT", str(rid), "NOLOOP"),
                         ("MGET", "other1", "loop", "other2"))
        out.append(other.call("SET", "other1", "1"))
        out.append(c.call("SET", "loop", "1"))           # its own write: not told
        out.append(other.call("SET", "other2", "1"))
        out += until_mark(red)
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"*3\r\n$-1\r\n$-1\r\n$-1\r\n", b"+OK\r\n", b"+OK\r\n", b"+OK\r\n",
        resp2_msg(keys_array(b"other1")), resp2_msg(keys_array(b"other2")),
    ])


def test_optin_and_optout_with_caching(ours, theirs):
    def scenario(connect):
        c, other = connect(), connect()
        hello3(c)
        other.call("MSET", "k1", "1", "k2", "2", "k3", "3")
        out = until_mark(c, ("CLIENT", "TRACKING", "on", "OPTIN"), ("GET", "k1"),
                         ("CLIENT", "CACHING", "yes"), ("CLIENT", "TRACKINGINFO"),
                         ("GET", "k2"), ("GET", "k3"), ("CLIENT", "TRACKINGINFO"))
        # CACHING yes covers a whole transaction.
        out += [c.call("CLIENT", "CACHING", "yes"), c.call("MULTI"), c.call("GET", "k3"),
                c.call("EXEC")]
        out.append(other.call("MSET", "k1", "x", "k2", "x"))
        out += until_mark(c)
        out.append(other.call("SET", "k3", "x"))
        out += until_mark(c)
        out += until_mark(c, ("CLIENT", "TRACKING", "off"), ("CLIENT", "TRACKING", "on", "OPTOUT"),
                          ("CLIENT", "CACHING", "no"), ("CLIENT", "TRACKINGINFO"),
                          ("GET", "k1"), ("GET", "k2"))
        out.append(other.call("MSET", "k1", "y", "k2", "y"))
        out += until_mark(c)
        return out
    rest3 = b"$8\r\nredirect\r\n:0\r\n$8\r\nprefixes\r\n*0\r\n"
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"$1\r\n1\r\n", b"+OK\r\n",
        b"%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$5\r\noptin\r\n$11\r\ncaching-yes\r\n" + rest3,
        b"$1\r\n2\r\n", b"$1\r\n3\r\n",
        b"%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$5\r\noptin\r\n" + rest3,
        b"+OK\r\n", b"+OK\r\n", b"+QUEUED\r\n", b"*1\r\n$1\r\n3\r\n",
        b"+OK\r\n", push(b"k2"),
        b"+OK\r\n", push(b"k3"),
        b"+OK\r\n", b"+OK\r\n", b"+OK\r\n",
        b"%3\r\n$5\r\nflags\r\n~3\r\n$2\r\non\r\n$6\r\noptout\r\n$10\r\ncaching-no\r\n" + rest3,
        b"$1\r\nx\r\n", b"$1\r\nx\r\n",
        b"+OK\r\n", push(b"k2"),
    ])


def server_ms(conn):
    _, _, sec, _, usec, _ = conn.call("TIME").split(b"\r\n")
    return int(sec) * 1000 + int(usec) // 1000


def test_expired_keys_are_invalidated(ours, theirs):
    def scenario(connect):
        c, other = connect(), connect()
        hello3(c)
        out = [other.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")]
        when = server_ms(other) + 300
        out += [other.call("MSET", "x", "1", "y", "2"),
                other.call("PEXPIREAT", "y", str(when))]
        out += until_mark(c, ("CLIENT", "TRACKING", "on"), ("GET", "y"))
        # Lazy expiry: wait (on the server's clock) until y is due, then
        # read it: the reply first, then the invalidation it caused.
        assert poll(lambda: server_ms(other) > when)
        out += until_mark(c, ("MGET", "x", "y"))
        out.append(other.call("DEBUG", "SET-ACTIVE-EXPIRE", "1"))
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"+OK\r\n", b":1\r\n", b"+OK\r\n", b"$1\r\n2\r\n",
        b"*2\r\n$1\r\n1\r\n_\r\n", push(b"y"),
        b"+OK\r\n",
    ])


def test_active_expiry_in_bcast_mode(ours, theirs):
    def scenario(connect):
        red, rid = redirect_target(connect)
        c = connect()
        out = until_mark(c, ("CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", str(rid), "NOLOOP"),
                         ("SET", "mykey", "v", "PX", "1"), ("SET", "mykeyother", "v"))
        # The active expire cycle deletes mykey within a few cron ticks; the
        # read blocks until the message comes.
        out.append(red.read_reply())
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"+OK\r\n", b"+OK\r\n", resp2_msg(keys_array(b"mykey")),
    ])


def test_unblocked_blmove_gets_invalidation_after_reply(ours, theirs):
    def scenario(connect):
        c, other = connect(), connect()
        hello3(c)
        other.call("RPUSH", "list2", "a")
        out = until_mark(c, ("CLIENT", "TRACKING", "on"), ("LRANGE", "list2", "0", "-1"))
        c.send(encode_command(("BLMOVE", "list1", "list2", "LEFT", "LEFT", "0")))
        assert poll(lambda: info_field(other, "clients", "blocked_clients") == "1")
        out.append(other.call("RPUSH", "list1", "foo"))
        out.append(c.read_reply())
        out += until_mark(c)
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"*1\r\n$1\r\na\r\n", b":1\r\n", b"$3\r\nfoo\r\n", push(b"list2"),
    ])


def test_several_clients_redirect_to_one_connection(ours, theirs):
    def scenario(connect):
        red, rid = redirect_target(connect)
        a, b, other = connect(), connect(), connect()
        out = [a.call("CLIENT", "TRACKING", "on", "REDIRECT", str(rid)),
               b.call("CLIENT", "TRACKING", "on", "REDIRECT", str(rid))]
        other.call("MSET", "key1", "1", "key2", "1")
        out += [a.call("GET", "key1"), b.call("GET", "key2")]
        out += [other.call("INCR", "key1"), other.call("INCR", "key2")]
        out += until_mark(red)
        # A RESP3 client tracking the same key as a redirected RESP2 one.
        hello3(b)
        out += until_mark(b, ("CLIENT", "TRACKING", "off"), ("CLIENT", "TRACKING", "on"),
                          ("GET", "key1"))
        out.append(a.call("GET", "key1"))
        out.append(other.call("INCR", "key1"))
        out += until_mark(red)
        out += until_mark(b)
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"+OK\r\n", b"$1\r\n1\r\n", b"$1\r\n1\r\n", b":2\r\n", b":2\r\n",
        resp2_msg(keys_array(b"key1")), resp2_msg(keys_array(b"key2")),
        b"+OK\r\n", b"+OK\r\n", b"$1\r\n2\r\n", b"$1\r\n2\r\n", b":3\r\n",
        resp2_msg(keys_array(b"key1")), push(b"key1"),
    ])


def test_redirect_to_resp3_connection_and_reply_off(ours, theirs):
    def scenario(connect):
        red, c, other = connect(), connect(), connect()
        hello3(red)
        rid = client_id(red)
        out = [c.call("CLIENT", "TRACKING", "on", "REDIRECT", str(rid)), c.call("GET", "foo")]
        red.send(encode_command(("CLIENT", "REPLY", "OFF")))
        wait_last_command(other, rid, "client|reply")
        out.append(other.call("SET", "foo", "bar"))
        # CLIENT REPLY OFF silences replies, not pushes.
        out.append(red.read_reply())
        out += until_mark(red, ("CLIENT", "REPLY", "ON"))
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"$-1\r\n", b"+OK\r\n", push(b"foo"), b"+OK\r\n",
    ])


def test_broken_redirection(ours, theirs):
    def scenario(connect):
        red, c, other = connect(), connect(), connect()
        rid, cid = client_id(red), client_id(c)
        hello3(c)
        out = until_mark(c, ("CLIENT", "TRACKING", "on", "REDIRECT", str(rid)), ("GET", "key1"))
        out.append(red.call("QUIT"))
        assert red.closed_by_peer()
        c.send(encode_command(("CLIENT", "REPLY", "OFF")))
        wait_last_command(other, cid, "client|reply")
        out.append(other.call("SET", "key1", "2"))
        out.append(mask(c.read_reply(), [rid]))
        out += until_mark(c, ("CLIENT", "REPLY", "ON"))
        out += [mask(r, [rid]) for r in until_mark(c, ("CLIENT", "TRACKINGINFO"),
                                                   ("CLIENT", "GETREDIR"))]
        info = c.call("CLIENT", "INFO").decode()
        out.append(re.search(r"flags=(\S+)", info).group(1))
        out.append(re.search(r"redir=(\S+)", info).group(1) == str(rid))
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"_\r\n", b"+OK\r\n", b"+OK\r\n",
        b">2\r\n$21\r\ntracking-redir-broken\r\n:ID\r\n",
        b"+OK\r\n",
        b"%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n"
        b"$8\r\nredirect\r\n:ID\r\n$8\r\nprefixes\r\n*0\r\n",
        b":ID\r\n",
        "tR", True,
    ])


# ---------------------------------------------------------------------------
# BCAST mode
# ---------------------------------------------------------------------------
def test_bcast_one_message_per_prefix(ours, theirs):
    def scenario(connect):
        red, rid = redirect_target(connect)
        c, other = connect(), connect()
        out = [c.call("CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", str(rid),
                      "PREFIX", "b:", "PREFIX", "a:")]
        out += until_mark(c, ("MULTI",), ("INCR", "b:2"), ("INCR", "a:2"), ("INCR", "b:1"),
                          ("INCR", "a:1"), ("INCR", "c:1"), ("INCR", "a:2"), ("EXEC",))
        out += until_mark(red)
        # Prefixes can be added while on; the empty prefix takes everything.
        out.append(c.call("CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", str(rid),
                          "PREFIX", "c:"))
        out.append(other.call("MSET", "c:9", "1", "d", "1", "a:0", "1"))
        out += until_mark(red)
        # Its own connection, in RESP3: the message is built before the
        # event loop sleeps, so it follows the reply.
        out.append(other.call("CLIENT", "TRACKING", "on", "BCAST"))
        hello3(other)
        out.append(other.call("MSET", "zz", "1", "a{x}", "2", "d", "3"))
        out += until_mark(other)
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"+OK\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n", b"+QUEUED\r\n",
        b"+QUEUED\r\n", b"+QUEUED\r\n", b"*6\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:2\r\n",
        resp2_msg(keys_array(b"a:1", b"a:2")), resp2_msg(keys_array(b"b:1", b"b:2")),
        b"+OK\r\n", b"+OK\r\n",
        resp2_msg(keys_array(b"a:0")), resp2_msg(keys_array(b"c:9")),
        b"+OK\r\n", b"+OK\r\n", push(b"a{x}", b"d", b"zz"),
    ])


def test_bcast_noloop(ours, theirs):
    def scenario(connect):
        red, rid = redirect_target(connect)
        c, other = connect(), connect()
        out = [c.call("CLIENT", "TRACKING", "on", "BCAST", "REDIRECT", str(rid), "NOLOOP")]
        out.append(other.call("SET", "otherkey1", "1"))
        out.append(c.call("SET", "loopkey", "1"))
        out.append(other.call("SET", "otherkey2", "1"))
        # Its own changes inside a transaction are left out too.
        out += [c.call("MULTI"), c.call("SET", "mine", "1"), c.call("EXEC")]
        out += until_mark(red)
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"+OK\r\n", b"+OK\r\n", b"+OK\r\n",
        b"+OK\r\n", b"+QUEUED\r\n", b"*1\r\n+OK\r\n",
        resp2_msg(keys_array(b"otherkey1")), resp2_msg(keys_array(b"otherkey2")),
    ])


def test_switching_to_bcast_forgets_remembered_keys(ours, theirs):
    def scenario(connect):
        c, other = connect(), connect()
        hello3(c)
        other.call("SET", "key1", "1")
        out = until_mark(c, ("CLIENT", "TRACKING", "on"), ("GET", "key1"),
                         ("CLIENT", "TRACKING", "off"), ("CLIENT", "TRACKING", "on", "BCAST"))
        out.append(other.call("INCR", "key1"))
        out += until_mark(c)      # one message, from BCAST, not two
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"$1\r\n1\r\n", b"+OK\r\n", b"+OK\r\n", b":2\r\n", push(b"key1"),
    ])


# ---------------------------------------------------------------------------
# Flushes, the table limit, introspection
# ---------------------------------------------------------------------------
def test_flush_invalidates_everything(ours, theirs):
    def scenario(connect):
        red, rid = redirect_target(connect)
        c, c3, other = connect(), connect(), connect()
        hello3(c3)
        out = until_mark(c, ("CLIENT", "TRACKING", "on", "REDIRECT", str(rid)),
                         ("GET", "key1"), ("GET", "key2"))
        out += until_mark(c3, ("CLIENT", "TRACKING", "on", "BCAST"))
        out.append(info_field(other, "stats", "tracking_total_keys"))
        out.append(other.call("FLUSHALL", "ASYNC"))
        out.append(info_field(other, "stats", "tracking_total_keys"))
        out += until_mark(red)
        out += until_mark(c3)
        out.append(other.call("FLUSHDB"))
        out += until_mark(red)
        out += until_mark(c3)
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"$-1\r\n", b"$-1\r\n", b"+OK\r\n", "2", b"+OK\r\n", "0",
        resp2_msg(b"$-1\r\n"), b">2\r\n$10\r\ninvalidate\r\n_\r\n",
        b"+OK\r\n",
        resp2_msg(b"$-1\r\n"), b">2\r\n$10\r\ninvalidate\r\n_\r\n",
    ])


def test_tracking_table_max_keys(ours, theirs):
    def scenario(connect):
        red, rid = redirect_target(connect)
        c, admin = connect(), connect()
        out = [c.call("CLIENT", "TRACKING", "on", "REDIRECT", str(rid))]
        n = 250
        admin.call("MSET", *[x for i in range(n) for x in ("key%d" % i, str(i))])
        out += until_mark(c, *[("GET", "key%d" % i) for i in range(n)])[-1:]
        out.append(info_field(admin, "stats", "tracking_total_keys"))
        # More than one call's effort (100 keys) to get under the limit.
        out.append(admin.call("CONFIG", "SET", "tracking-table-max-keys", "1"))
        got = set()
        for _ in range(n - 1):
            m = red.read_reply()
            assert m.startswith(resp2_msg(b"*1\r\n"))
            got.add(m)
        out.append(len(got))
        out += until_mark(red)          # nothing more than n-1 messages
        out.append(info_field(admin, "stats", "tracking_total_keys"))
        # A new read over the limit evicts another key.
        out.append(c.call("GET", "fresh"))
        m = red.read_reply()
        out.append(m.startswith(resp2_msg(b"*1\r\n")))
        out.append(info_field(admin, "stats", "tracking_total_keys"))
        out.append(admin.call("CONFIG", "SET", "tracking-table-max-keys", "1000000"))
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"$3\r\n249\r\n", "250", b"+OK\r\n", 249, "1", b"$-1\r\n", True, "1",
        b"+OK\r\n",
    ])


def test_lowered_limit_invalidates_before_the_next_reply(ours, theirs):
    # Regression test for #11715: the keys are evicted while the tracking
    # client sits in MULTI; its next (queued) command must not be harmed.
    def scenario(connect):
        rd, admin = connect(), connect()
        hello3(rd)
        out = until_mark(admin, ("CONFIG", "SET", "tracking-table-max-keys", "2"),
                         ("DEBUG", "PAUSE-CRON", "1"))
        out += until_mark(rd, ("CLIENT", "TRACKING", "on"), ("MGET", "1{t}", "2{t}"))
        out.append(rd.call("MULTI"))
        out.append(admin.call("CONFIG", "SET", "tracking-table-max-keys", "1"))
        rd.send(encode_command(("PING",)) + encode_command(("EXEC",)))
        msg = rd.read_reply()
        out.append(msg in (push(b"1{t}"), push(b"2{t}")))
        out += [rd.read_reply(), rd.read_reply()]
        out += until_mark(admin, ("DEBUG", "PAUSE-CRON", "0"),
                          ("CONFIG", "SET", "tracking-table-max-keys", "1000000"))
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"+OK\r\n", b"+OK\r\n", b"*2\r\n_\r\n_\r\n", b"+OK\r\n", b"+OK\r\n",
        True, b"+QUEUED\r\n", b"*1\r\n+PONG\r\n", b"+OK\r\n", b"+OK\r\n",
    ])


def test_info_fields(ours, theirs):
    def scenario(connect):
        red, rid = redirect_target(connect)
        a, b, other = connect(), connect(), connect()
        other.call("MSET", "key1", "1", "key2", "2")
        out = until_mark(a, ("CLIENT", "TRACKING", "on", "REDIRECT", str(rid)),
                         ("GET", "key1"), ("GET", "key2"))
        out += until_mark(b, ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "prefix:",
                              "PREFIX", "other:"), ("MGET", "key1", "key2", "key3"))
        out += [info_field(other, "stats", f) for f in
                ("tracking_total_keys", "tracking_total_items", "tracking_total_prefixes")]
        out.append(info_field(other, "clients", "tracking_clients"))
        # Tracking off: ids stay in the table until their keys change.
        out.append(a.call("CLIENT", "TRACKING", "off"))
        out += [info_field(other, "stats", "tracking_total_keys"),
                info_field(other, "clients", "tracking_clients")]
        out.append(other.call("SET", "key1", "x"))
        out += [info_field(other, "stats", "tracking_total_keys"),
                info_field(other, "stats", "tracking_total_items")]
        # A BCAST client that disconnects leaves its prefixes.
        b.close()
        assert poll(lambda: info_field(other, "clients", "tracking_clients") == "0")
        out.append(info_field(other, "stats", "tracking_total_prefixes"))
        out += until_mark(red)           # a was off, b never read: nothing
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"$1\r\n1\r\n", b"$1\r\n2\r\n", b"+OK\r\n",
        b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n",
        "2", "2", "2", "2",
        b"+OK\r\n", "2", "1",
        b"+OK\r\n", "1", "1",
        "0",
    ])


def test_trackinginfo_and_client_list(ours, theirs):
    def scenario(connect):
        red, rid = redirect_target(connect)
        c = connect()
        out = []

        def state():
            info = c.call("CLIENT", "INFO").decode()
            flags = re.search(r"flags=(\S+)", info).group(1)
            redir = re.search(r"redir=(\S+)", info).group(1)
            return [mask(c.call("CLIENT", "TRACKINGINFO"), [rid]),
                    mask(c.call("CLIENT", "GETREDIR"), [rid]),
                    flags, "ID" if redir == str(rid) else redir]
        out += state()
        out.append(c.call("CLIENT", "TRACKING", "on"))
        out += state()
        out.append(c.call("CLIENT", "TRACKING", "on", "REDIRECT", str(rid), "noloop"))
        out += state()
        out.append(c.call("CLIENT", "TRACKING", "off"))
        out.append(c.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "foo", "PREFIX", "bar"))
        out += state()
        out.append(c.call("CLIENT", "TRACKING", "off"))
        out.append(c.call("CLIENT", "TRACKING", "on", "BCAST"))
        out += state()
        return out
    info = b"*6\r\n$5\r\nflags\r\n"
    tail = b"$8\r\nredirect\r\n%s\r\n$8\r\nprefixes\r\n"
    run(ours, theirs, scenario, [
        info + b"*1\r\n$3\r\noff\r\n" + tail % b":-1" + b"*0\r\n", b":-1\r\n", "N", "-1",
        b"+OK\r\n",
        info + b"*1\r\n$2\r\non\r\n" + tail % b":0" + b"*0\r\n", b":0\r\n", "t", "0",
        b"+OK\r\n",
        info + b"*2\r\n$2\r\non\r\n$6\r\nnoloop\r\n" + tail % b":ID" + b"*0\r\n", b":ID\r\n",
        "t", "ID",
        b"+OK\r\n", b"+OK\r\n",
        info + b"*2\r\n$2\r\non\r\n$5\r\nbcast\r\n" + tail % b":0" + keys_array(b"bar", b"foo"),
        b":0\r\n", "tB", "0",
        b"+OK\r\n", b"+OK\r\n",
        info + b"*2\r\n$2\r\non\r\n$5\r\nbcast\r\n" + tail % b":0" + keys_array(b""),
        b":0\r\n", "tB", "0",
    ])


def test_reset_turns_tracking_off(ours, theirs):
    def scenario(connect):
        c, other = connect(), connect()
        hello3(c)
        out = until_mark(c, ("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p"),
                         ("RESET",), ("CLIENT", "TRACKINGINFO"))
        out.append(info_field(other, "stats", "tracking_total_prefixes"))
        return out
    run(ours, theirs, scenario, [
        b"+OK\r\n", b"+RESET\r\n",
        b"*6\r\n$5\r\nflags\r\n*1\r\n$3\r\noff\r\n$8\r\nredirect\r\n:-1\r\n"
        b"$8\r\nprefixes\r\n*0\r\n",
        "0",
    ])


def test_redis_py_client(ours):
    """redis-py's tracking helpers against pyredis, redirected to a raw subscriber.

    (redis-py's own Pub/Sub object keeps __redis__:invalidate messages for
    its client-side cache, so the messages are read on a raw connection.)
    """
    red = ours.raw()
    rid = client_id(red)
    red.call("SUBSCRIBE", "__redis__:invalidate")
    # Tracking is a property of one connection: no pool.
    r = ours.client(decode_responses=True, single_connection_client=True)
    try:
        r.set("user:1", "ann")
        assert r.client_tracking_on(clientid=rid, bcast=True, prefix=["user:"]) == "OK"
        info = r.client_trackinginfo()
        assert info[info.index("flags") + 1] == ["on", "bcast"]
        assert info[info.index("redirect") + 1] == rid
        assert info[info.index("prefixes") + 1] == ["user:"]
        assert r.info("stats")["tracking_total_prefixes"] == 1
        assert r.info("clients")["tracking_clients"] == 1
        r.set("user:1", "bob")
        r.set("other", "x")
        r.set("user:2", "cy")
        assert red.read_reply() == resp2_msg(keys_array(b"user:1"))
        assert red.read_reply() == resp2_msg(keys_array(b"user:2"))
        assert r.client_getredir() == rid
        assert r.client_tracking_off() == "OK"
        assert r.client_getredir() == -1
        assert r.info("stats")["tracking_total_prefixes"] == 0
    finally:
        r.close()
        red.close()
