"""Blocking operations: our blocked.c (the hooks the core needs; BLPOP and friends come later).

A key that blocked clients wait on, once it gets data, is queued in
server.ready_keys by signalKeyAsReady; handleClientsBlockedOnKeys, called
after each command and in beforeSleep, serves the waiters.
"""

from .server_h import BLOCKED_NONE, CLIENT_BLOCKED, server


def signalKeyAsReady(db, key, type):
    """Queue `key` for the clients blocked on it (signalKeyAsReady)."""
    if key not in db.blocking_keys or key in db.ready_keys:
        return
    db.ready_keys[key] = True
    server.ready_keys.append((db, key))


def scanDatabaseForReadyKeys(db):
    """After SWAPDB, wake clients blocked on keys that now hold data (scanDatabaseForReadyKeys)."""
    for key in list(db.blocking_keys):
        o = db.dict.get(key)
        if o is not None:
            signalKeyAsReady(db, key, o.type)


def blockClient(c, btype):
    """Park the client: it reads no more commands until unblocked (blockClient)."""
    c.flags |= CLIENT_BLOCKED
    c.btype = btype
    server.blocked_clients += 1
    server.blocked_clients_by_type[btype] += 1


def unblockClient(c):
    """Undo blockClient and queue the client to process what it has buffered (unblockClient)."""
    if not (c.flags & CLIENT_BLOCKED):
        return
    server.blocked_clients -= 1
    server.blocked_clients_by_type[c.btype] -= 1
    c.flags &= ~CLIENT_BLOCKED
    c.btype = BLOCKED_NONE
    server.unblocked_clients.append(c)


def replyToBlockedClientTimedOut(c):
    """The reply a blocked command gives on timeout: a null array (replyToBlockedClientTimedOut)."""
    from .networking import addReplyNullArray
    addReplyNullArray(c)


def handleClientsBlockedOnKeys():
    """Serve clients blocked on keys that became ready (handleClientsBlockedOnKeys)."""
    server.ready_keys = []


def processUnblockedClients():
    """Run buffered commands of clients just unblocked (processUnblockedClients)."""
    from .networking import processInputBuffer
    while server.unblocked_clients:
        c = server.unblocked_clients.pop(0)
        c.flags &= ~(1 << 7)  # CLIENT_UNBLOCKED
        if not (c.flags & CLIENT_BLOCKED) and c.conn is not None and c.querybuf:
            processInputBuffer(c)
