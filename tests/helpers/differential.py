"""Run the same commands against pyredis and real Redis and compare the reply bytes."""


def compare_script(pair, script):
    """Send each command of `script` to both servers; return the list of mismatches.

    A script is a list of argument tuples. Each mismatch is (command, ours,
    theirs) with the exact reply bytes, so a failing test shows what differs.
    """
    ours_conn, theirs_conn = pair
    mismatches = []
    for cmd in script:
        ours = ours_conn.call(*cmd)
        theirs = theirs_conn.call(*cmd)
        if ours != theirs:
            mismatches.append((cmd, ours, theirs))
    return mismatches


def assert_same(pair, script):
    mismatches = compare_script(pair, script)
    assert not mismatches, "\n".join(
        "%r:\n  pyredis: %r\n  redis:   %r" % m for m in mismatches)


def S(line):
    """A command written as one space-separated line, for readable scripts."""
    return tuple(line.split(" "))


def script_of(lines):
    """A script from command lines (strings are split on spaces, tuples kept)."""
    return [S(x) if isinstance(x, str) else x for x in lines]


# Commands that create a key of a non-string type, in order of preference.
OTHER_TYPE_MAKERS = [("RPUSH", "a"), ("SADD", "a"), ("HSET", "f", "v"), ("ZADD", "1", "a")]


def make_other_type(pair, key):
    """Create `key` as a non-string type on both servers, or skip the test.

    Wrong-type cases need some non-string key; the type modules land
    separately, so we use whichever type command pyredis knows already.
    """
    import pytest
    ours, theirs = pair
    for maker in OTHER_TYPE_MAKERS:
        reply = ours.call(maker[0], key, *maker[1:])
        if not reply.startswith(b"-ERR unknown command"):
            theirs.call(maker[0], key, *maker[1:])
            return
    pytest.skip("no non-string type command (RPUSH/SADD/HSET/ZADD) in pyredis yet")
