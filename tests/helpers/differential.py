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
