"""Blocking timeouts: our timeout.c.

Redis keeps blocked clients with a deadline in a radix tree sorted by
(deadline, client) and, in beforeSleep, pops the expired head
(handleBlockedClientsTimeout): the cost per loop iteration is one look at
the smallest deadline, however many clients are blocked. We keep the same
contract with a binary heap of (deadline, seq, client).

A heap cannot delete from the middle cheaply, so removal is lazy:
removeClientFromTimeoutTable only clears CLIENT_IN_TO_TABLE, and a popped
entry counts only if the client still carries the flag with the same
deadline. Entries of clients served before their deadline are garbage;
when they outnumber the live ones the heap is rebuilt, so memory stays
proportional to the clients actually waiting. (The alternative, a sorted
container with real deletion, costs O(log n) per block *and* unblock in
Python-level code; the heap is C-level heapq.)
"""

import heapq
import itertools
import math

from .server_h import CLIENT_BLOCKED, CLIENT_IN_TO_TABLE, UNIT_SECONDS, server
from .object import getLongDoubleFromObjectOrReply, getLongLongFromObjectOrReply
from .util import ld_round, mstime

_seq = itertools.count()
server.clients_timeout_table = []
server.clients_timeout_live = 0


def checkBlockedClientTimeout(c, now):
    """If c is blocked and its deadline passed, answer the timeout reply and unblock it (checkBlockedClientTimeout)."""
    if c.flags & CLIENT_BLOCKED and c.bpop.timeout != 0 and c.bpop.timeout < now:
        from .blocked import replyToBlockedClientTimedOut, unblockClient
        replyToBlockedClientTimedOut(c)
        unblockClient(c)
        return 1
    return 0


def addClientToTimeoutTable(c):
    """Enter a just-blocked client with a deadline in the table (addClientToTimeoutTable)."""
    timeout = c.bpop.timeout
    if timeout == 0:
        return
    table = server.clients_timeout_table
    heapq.heappush(table, (timeout, next(_seq), c))
    c.flags |= CLIENT_IN_TO_TABLE
    server.clients_timeout_live += 1


def removeClientFromTimeoutTable(c):
    """Forget the client's deadline (removeClientFromTimeoutTable); its heap entry goes stale."""
    if not (c.flags & CLIENT_IN_TO_TABLE):
        return
    c.flags &= ~CLIENT_IN_TO_TABLE
    server.clients_timeout_live -= 1
    table = server.clients_timeout_table
    if len(table) > 1024 and len(table) > 4 * server.clients_timeout_live:
        table[:] = [e for e in table if e[2].flags & CLIENT_IN_TO_TABLE
                    and e[2].bpop.timeout == e[0]]
        heapq.heapify(table)


def handleBlockedClientsTimeout():
    """Time out every blocked client whose deadline passed; called from beforeSleep (handleBlockedClientsTimeout)."""
    table = server.clients_timeout_table
    if not table:
        return
    now = mstime()
    while table and table[0][0] < now:
        timeout, _, c = heapq.heappop(table)
        if not (c.flags & CLIENT_IN_TO_TABLE) or c.bpop.timeout != timeout:
            continue        # a stale entry: that wait already ended
        c.flags &= ~CLIENT_IN_TO_TABLE
        server.clients_timeout_live -= 1
        checkBlockedClientTimeout(c, now)


def getTimeoutFromObjectOrReply(c, object, unit):
    """Parse a blocking timeout into an absolute unix-ms deadline, 0 for none (getTimeoutFromObjectOrReply).

    Seconds may be fractional (BLPOP k 0.25), parsed as a long double and
    rounded up to the millisecond, as Redis does; milliseconds must be an
    integer. Returns None after replying an error.
    """
    if unit == UNIT_SECONDS and type(object) is bytes and object.isdigit() and len(object) <= 15:
        # Whole seconds, the usual case (BLPOP k 0, BLPOP k 5): the long
        # double route below gives exactly n * 1000 for these, without
        # building Fractions on every blocking call.
        tval = int(object) * 1000
    elif unit == UNIT_SECONDS:
        ftval = getLongDoubleFromObjectOrReply(c, object, "timeout is not a float or out of range")
        if ftval is None:
            return None
        if isinstance(ftval, float) and (math.isinf(ftval) or math.isnan(ftval)):
            # C converts an infinite long double to LLONG_MIN (x86), which
            # then fails the sign check below.
            tval = -1
        else:
            # The product is itself a long double, rounded, before ceill:
            # that is why "-0.001" means "forever" (-0.99999... -> 0).
            prod = ld_round(ftval * 1000)
            tval = -1 if isinstance(prod, float) else math.ceil(prod)
            if tval >= (1 << 63) or tval < -(1 << 63):
                tval = -1
    else:
        tval = getLongLongFromObjectOrReply(c, object, "timeout is not an integer or out of range")
        if tval is None:
            return None
    if tval < 0:
        networking.addReplyError(c, "timeout is negative")
        return None
    if tval > 0:
        tval += mstime()
    return tval


# Bound at the bottom, as a module: timeout.py and networking.py import each other, and a
# module object can be bound while the other is still loading (its
# functions are looked up when called). An import inside the function
# instead costs ~3 us on every call.
from . import networking  # noqa: E402
