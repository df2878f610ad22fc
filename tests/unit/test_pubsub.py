"""Pub/Sub (Redis's tests/unit/pubsub.tcl and pubsubshard.tcl), byte for byte against real Redis."""

import pytest

from helpers.differential import assert_same


def _two(srv):
    return srv.raw(), srv.raw()


def run_both(server, real_redis, fn):
    """Run `fn(sub, other)` on fresh connection pairs of both servers; compare what it returns."""
    results = []
    for srv in (server, real_redis):
        sub, other = _two(srv)
        other.call("FLUSHALL")
        try:
            results.append(fn(sub, other))
        finally:
            sub.close()
            other.close()
    assert results[0] == results[1], "\npyredis: %r\nredis:   %r" % tuple(results)
    return results[0]


def test_publish_and_messages(server, real_redis):
    def fn(sub, other):
        out = [sub.call("SUBSCRIBE", "chan", "other", "chan")]
        out += [sub.read_reply() for _ in range(2)]
        out.append(other.call("PUBLISH", "chan", "hello"))
        out.append(other.call("PUBLISH", "nobody", "x"))
        out.append(sub.read_reply())
        out.append(other.call("PUBSUB", "NUMSUB", "chan", "other", "none"))
        out.append(other.call("PUBSUB", "CHANNELS", "ch*"))
        out.append(sub.call("UNSUBSCRIBE", "chan"))
        out.append(sub.call("UNSUBSCRIBE"))        # the remaining one
        out.append(sub.call("UNSUBSCRIBE"))        # none left: null channel
        out.append(sub.call("GET", "x"))           # back to normal
        out.append(other.call("PUBSUB", "NUMSUB", "chan"))
        return out
    run_both(server, real_redis, fn)


def test_psubscribe_glob_patterns(server, real_redis):
    def fn(sub, other):
        out = [sub.call("PSUBSCRIBE", "news.*", "h?llo", "x[ab]y", "esc\\*")]
        out += [sub.read_reply() for _ in range(3)]
        for ch in ("news.art", "hello", "hallo", "xay", "xcy", "esc*", "escX", "news"):
            out.append(other.call("PUBLISH", ch, "m-" + ch))
        out += [sub.read_reply() for _ in range(5)]
        out.append(other.call("PUBSUB", "NUMPAT"))
        out.append(sub.call("PUNSUBSCRIBE", "h?llo", "nope"))
        out.append(sub.read_reply())
        out.append(sub.call("PUNSUBSCRIBE"))
        out += [sub.read_reply() for _ in range(2)]
        out.append(sub.call("PUNSUBSCRIBE"))
        out.append(other.call("PUBSUB", "NUMPAT"))
        return out
    run_both(server, real_redis, fn)


def test_channel_and_pattern_both_deliver(server, real_redis):
    def fn(sub, other):
        out = [sub.call("SUBSCRIBE", "a.b"), sub.call("PSUBSCRIBE", "a.*")]
        out.append(other.call("PUBLISH", "a.b", "x"))
        out += [sub.read_reply() for _ in range(2)]
        return out
    run_both(server, real_redis, fn)


def test_resp2_subscribed_context_restrictions(server, real_redis):
    def fn(sub, other):
        out = [sub.call("SUBSCRIBE", "c")]
        out.append(sub.call("GET", "k"))
        out.append(sub.call("SET", "k", "v"))
        out.append(sub.call("PING"))
        out.append(sub.call("PING", "arg"))
        out.append(sub.call("PSUBSCRIBE", "p*"))
        out.append(sub.call("SSUBSCRIBE", "s"))
        out.append(sub.call("SUNSUBSCRIBE", "s"))
        out.append(sub.call("RESET"))
        out.append(sub.call("GET", "k"))
        out.append(other.call("PUBSUB", "NUMSUB", "c"))
        return out
    run_both(server, real_redis, fn)


def test_resp3_push_and_commands_on_one_connection(server, real_redis):
    def fn(sub, other):
        sub.call("HELLO", "3")
        out = [sub.call("SUBSCRIBE", "c")]
        out.append(sub.call("SET", "k", "v"))            # allowed in RESP3
        out.append(other.call("PUBLISH", "c", "m"))
        out.append(sub.read_reply())                       # a > push frame
        out.append(sub.call("GET", "k"))
        out.append(sub.call("PSUBSCRIBE", "x*"))
        out.append(sub.call("PUNSUBSCRIBE", "x*"))
        out.append(sub.call("UNSUBSCRIBE"))
        out.append(sub.call("UNSUBSCRIBE"))
        out.append(sub.call("PING"))
        return out
    out = run_both(server, real_redis, fn)
    assert out[3].startswith(b">3\r\n$7\r\nmessage\r\n")


def test_shard_channels(server, real_redis):
    def fn(sub, other):
        out = [sub.call("SSUBSCRIBE", "s1", "s2")]
        out.append(sub.read_reply())
        out.append(other.call("SPUBLISH", "s1", "hi"))
        out.append(sub.read_reply())
        out.append(other.call("PUBLISH", "s1", "not-shard"))
        out.append(other.call("PUBSUB", "SHARDCHANNELS", "s1"))
        out.append(other.call("PUBSUB", "SHARDNUMSUB", "s1", "zz"))
        out.append(other.call("PUBSUB", "CHANNELS"))
        out.append(sub.call("SUNSUBSCRIBE", "s1"))
        out.append(sub.call("SUNSUBSCRIBE"))
        out.append(sub.call("SUNSUBSCRIBE"))
        return out
    # (SHARDCHANNELS lists in hash order in Redis: ask for one channel only.)
    run_both(server, real_redis, fn)


def test_pubsub_help_and_errors(pair):
    assert_same(pair, [
        ("PUBSUB", "HELP"), ("PUBSUB", "NUMSUB"), ("PUBSUB", "NUMPAT", "x"),
        ("PUBSUB", "CHANNELS", "a", "b"), ("PUBSUB", "FOO"), ("PUBLISH", "c"),
        ("SUBSCRIBE",), ("PUBSUB", "SHARDNUMSUB"), ("PUBSUB", "CHANNELS"),
    ])


def test_subscribe_inside_multi(server, real_redis):
    def fn(sub, other):
        out = [sub.call("MULTI"), sub.call("SUBSCRIBE", "c"), sub.call("EXEC")]
        out.append(other.call("PUBLISH", "c", "m"))
        out.append(sub.read_reply())
        return out
    run_both(server, real_redis, fn)


def test_client_list_pubsub_flags(server):
    sub, other = server.raw(), server.raw()
    sub.call("SUBSCRIBE", "a", "b")
    sub.call("PSUBSCRIBE", "p*")
    sub.call("SSUBSCRIBE", "s")
    lines = [ln for ln in other.call("CLIENT", "LIST").split(b"\n") if b"cmd=ssubscribe" in ln]
    assert len(lines) == 1
    assert b" flags=P " in lines[0] and b" sub=2 psub=1 ssub=1 " in lines[0], lines[0]
    sub.close()
    # A disconnected subscriber leaves nothing behind.
    for _ in range(100):
        if other.call("PUBSUB", "NUMSUB", "a") == b"*2\r\n$1\r\na\r\n:0\r\n":
            break
    assert other.call("PUBSUB", "NUMSUB", "a") == b"*2\r\n$1\r\na\r\n:0\r\n"
    assert other.call("PUBSUB", "NUMPAT") == b":0\r\n"
    assert other.call("PUBSUB", "SHARDNUMSUB", "s") == b"*2\r\n$1\r\ns\r\n:0\r\n"
    other.close()


def test_slow_subscriber_hits_pubsub_output_limit(fresh_server):
    """A subscriber that does not read is closed at the pubsub class's hard limit."""
    srv = fresh_server
    other = srv.raw()
    other.call("CONFIG", "SET", "client-output-buffer-limit", "pubsub 100000 0 0")
    sub = srv.raw()
    sub.sock.setsockopt(__import__("socket").SOL_SOCKET, __import__("socket").SO_RCVBUF, 4096)
    sub.call("SUBSCRIBE", "flood")
    payload = "x" * 10000
    closed = False
    for _ in range(2000):
        if other.call("PUBLISH", "flood", payload) == b":0\r\n":
            closed = True
            break
    assert closed, "the slow subscriber was never disconnected"
    info = other.call("INFO", "stats")
    assert b"client_output_buffer_limit_disconnections:1" in info or \
        b"client_output_buffer_limit_disconnections" not in info
    other.close()
    sub.close()


def test_keyspace_notification_config_roundtrip(pair):
    assert_same(pair, [
        ("CONFIG", "SET", "notify-keyspace-events", "KEA"),
        ("CONFIG", "GET", "notify-keyspace-events"),
        ("CONFIG", "SET", "notify-keyspace-events", "Kgl$shzxetmdn"),
        ("CONFIG", "GET", "notify-keyspace-events"),
        ("CONFIG", "SET", "notify-keyspace-events", "E"),
        ("CONFIG", "GET", "notify-keyspace-events"),
        ("CONFIG", "SET", "notify-keyspace-events", "Q"),
        ("CONFIG", "SET", "notify-keyspace-events", ""),
        ("CONFIG", "GET", "notify-keyspace-events"),
    ])


@pytest.mark.parametrize("resp", [2, 3])
def test_publish_many_subscribers_counts(server, resp):
    subs = [server.raw() for _ in range(20)]
    for s in subs:
        if resp == 3:
            s.call("HELLO", "3")
        s.call("SUBSCRIBE", "fan")
    p = server.raw()
    assert p.call("PUBLISH", "fan", "v") == b":20\r\n"
    head = b">3\r\n" if resp == 3 else b"*3\r\n"
    for s in subs:
        assert s.read_reply() == head + b"$7\r\nmessage\r\n$3\r\nfan\r\n$1\r\nv\r\n"
        s.close()
    p.close()


def test_client_reply_off_still_gets_messages(server, real_redis):
    def fn(sub, other):
        sub.call("HELLO", "3")
        out = [sub.call("SUBSCRIBE", "c")]
        sub.send(b"*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n")
        sub.send(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")          # muted
        for _ in range(500):             # wait until the server has run both
            if b"cmd=get" in other.call("CLIENT", "LIST"):
                break
        out.append(other.call("PUBLISH", "c", "still"))
        out.append(sub.read_reply())
        return out
    run_both(server, real_redis, fn)


def test_resp3_pattern_messages_and_keyspace_pushes(server, real_redis):
    def fn(sub, other):
        sub.call("HELLO", "3")
        other.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
        try:
            out = [sub.call("PSUBSCRIBE", "__keyspace@0__:*", "ch.*")]
            out.append(sub.read_reply())
            other.call("SET", "k", "v")
            other.call("PUBLISH", "ch.1", "m")
            out += [sub.read_reply() for _ in range(2)]
            out.append(sub.call("PUNSUBSCRIBE"))
            out.append(sub.read_reply())
            return out
        finally:
            other.call("CONFIG", "SET", "notify-keyspace-events", "")
    out = run_both(server, real_redis, fn)
    assert out[2].startswith(b">4\r\n$8\r\npmessage\r\n")
