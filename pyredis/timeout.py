"""Blocking timeouts: our timeout.c (the check clientsCron runs on blocked clients)."""


def checkBlockedClientTimeout(c, now_ms):
    """Unblock c with its timeout reply if its deadline passed (checkBlockedClientTimeout)."""
    from .server_h import BLOCKED_POSTPONE
    timeout = c.bpop.timeout
    if timeout and c.btype != BLOCKED_POSTPONE and timeout < now_ms:
        from .blocked import replyToBlockedClientTimedOut, unblockClient
        replyToBlockedClientTimedOut(c)
        unblockClient(c)
        return True
    return False
