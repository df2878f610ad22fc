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
