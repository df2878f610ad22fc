"""Run the same commands against pyredis and real Redis and compare the reply bytes."""


def compare_script(pair, script, normalize=None):
    """Send each command of `script` to both servers; return the list of mismatches.

    A script is a list of argument tuples. Each mismatch is (command, ours,
    theirs) with the exact reply bytes, so a failing test shows what differs.
    """
    ours_conn, theirs_conn = pair
    mismatches = []
    for cmd in script:
        ours = ours_conn.call(*cmd)
        theirs = theirs_conn.call(*cmd)
        if normalize is not None:
            ours, theirs = normalize(ours), normalize(theirs)
        if ours != theirs:
            mismatches.append((cmd, ours, theirs))
    return mismatches


def assert_same(pair, script, normalize=None):
    mismatches = compare_script(pair, script, normalize)
    assert not mismatches, "\n".join(
        "%r:\n  pyredis: %r\n  redis:   %r" % m for m in mismatches)


def S(line):
    """A command written as one space-separated line, for readable scripts."""
    return tuple(line.split(" "))


def script_of(lines):
    """A script from command lines (strings are split on spaces, tuples kept)."""
    return [S(x) if isinstance(x, str) else x for x in lines]


def make_other_type(pair, key):
    """Create `key` as a list on both servers: the wrong-type cases need some
    non-string key."""
    for conn in pair:
        conn.call("RPUSH", key, "a")


def mask_hello_id(reply):
    """Replace the client id in a HELLO reply: ids count connections, not behaviour."""
    import re
    return re.sub(rb"(\$2\r\nid\r\n):\d+", rb"\1:ID", reply)


def parse_resp(data):
    """Parse one reply's bytes into Python values (type tags kept for simple types)."""
    def parse(i):
        end = data.index(b"\r\n", i)
        t, line = data[i:i + 1], data[i + 1:end]
        i = end + 2
        if t in b"$=!":
            n = int(line)
            if n < 0:
                return None, i
            return (t, data[i:i + n]), i + n + 2
        if t in b"*~>%|":
            n = int(line)
            if n < 0:
                return None, i
            if t in b"%|":
                n *= 2
            items = []
            for _ in range(n):
                v, i = parse(i)
                items.append(v)
            if t == b"|":
                v, i = parse(i)
            return (t, items), i
        return (t, line), i
    value, _ = parse(0)
    return value


def keyevent_stream(conn_factory, pair_conn, commands):
    """Run `commands` on `pair_conn` and return the __keyevent@*__ messages a subscriber got.

    A PUBLISH on the channel "end" marks the end of the stream, so no wait
    or timeout is needed to know every event has arrived.
    """
    sub = conn_factory()
    sub.call("PSUBSCRIBE", "__keyevent@*__:*", "end")
    sub.read_reply()
    for cmd in commands:
        pair_conn.call(*cmd)
    pair_conn.call("PUBLISH", "end", "x")
    events = []
    while True:
        msg = sub.read_reply()
        if b"\r\nend\r\n" in msg and b"__keyevent" not in msg:
            break
        events.append(msg)
    sub.close()
    return events


# ---------------------------------------------------------------------------
# Comparing scripts whose replies depend on the wall clock or on hash order
# ---------------------------------------------------------------------------
# Absolute expire times far in the future (2100-01-01, one second later, and
# 3000-01-01): an EXPIRETIME of a key set with these is the same on both
# servers, whatever the time. Relative times (EX 100) are not: the two
# servers read their clocks a few milliseconds apart.
FAR_FUTURE_S = ("4102444800", "4102444801", "32503680000")
FAR_FUTURE_MS = ("4102444800000", "4102444800500", "4102444801000", "32503680000123")


def _known_times():
    secs = {int(s) for s in FAR_FUTURE_S} | {(int(ms) + 500) // 1000 for ms in FAR_FUTURE_MS}
    msecs = {int(s) * 1000 for s in FAR_FUTURE_S} | {int(ms) for ms in FAR_FUTURE_MS}
    return secs, msecs


_KNOWN_S, _KNOWN_MS = _known_times()


def _int_reply(reply):
    if reply[:1] == b":":
        return int(reply[1:-2])
    return None


def _name(cmd):
    name = cmd[0]
    return (name if isinstance(name, bytes) else name.encode()).upper()


def clock_free(cmd, reply):
    """`reply` with what depends on the clock or on hash order taken out.

    TTL/PTTL keep only their sign (-2 no key, -1 no expire, "positive"):
    the remaining time is read at a different millisecond on each server.
    EXPIRETIME/PEXPIRETIME keep their value when it is one of the far-future
    absolute times above, else only their sign (a relative EX gives
    now + seconds). KEYS and SCAN replies are sorted: Redis lists keys in its
    dict's bucket order, which pyredis does not reproduce; with fewer keys
    than SCAN's COUNT one call still returns the whole (small) keyspace and
    cursor 0 on both servers, so the cursor is compared as it is.
    """
    name = _name(cmd)
    if name in (b"TTL", b"PTTL", b"EXPIRETIME", b"PEXPIRETIME"):
        n = _int_reply(reply)
        if n is None or n <= 0:
            return reply
        if name == b"EXPIRETIME" and n in _KNOWN_S or name == b"PEXPIRETIME" and n in _KNOWN_MS:
            return reply
        return b"positive"
    if name == b"KEYS" and reply[:1] == b"*":
        from helpers.resp import unordered
        return unordered(reply)
    if name == b"SCAN" and reply[:1] == b"*":
        from helpers.resp import parse
        cursor, keys = parse(reply)
        return (cursor, sorted(keys))
    return reply


def compare_clock_free(pair, script):
    """compare_script with clock_free applied to each reply; also checks
    RANDOMKEY loosely: both null, or each server names one of its own keys.

    A script with logically expired keys (SET k v PXAT 1) stays
    deterministic only with active expiry off on both servers
    (DEBUG SET-ACTIVE-EXPIRE 0): otherwise DBSIZE depends on whether a
    cron cycle ran between two commands.
    """
    ours_conn, theirs_conn = pair
    mismatches = []
    for cmd in script:
        ours = ours_conn.call(*cmd)
        theirs = theirs_conn.call(*cmd)
        if _name(cmd) == b"RANDOMKEY" and ours[:1] == theirs[:1] == b"$" \
                and len(cmd) == 1 and not ours.startswith(b"$-1") \
                and not theirs.startswith(b"$-1"):
            from helpers.resp import parse
            ours = ours_conn.call("EXISTS", parse(ours))
            theirs = theirs_conn.call("EXISTS", parse(theirs))
        if _name(cmd) == b"RANDOMKEY":
            # RANDOMKEY deletes the logically expired keys it happens to
            # draw, so DBSIZE would differ next: a SCAN deletes them all
            # on both servers, leaving the same keyspace.
            for conn in pair:
                conn.call("SCAN", "0", "COUNT", "1000")
        ours, theirs = clock_free(cmd, ours), clock_free(cmd, theirs)
        if ours != theirs:
            mismatches.append((cmd, ours, theirs))
    return mismatches
