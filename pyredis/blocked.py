"""Blocking operations: our blocked.c.

How a client is parked (BLPOP k 5 with k empty):

1. blpopCommand (t_list.py) finds no data and calls blockForKeys, which
   records what the client waits for in c.bpop (keys, timeout, target,
   blockpos, count) and appends the client to db.blocking_keys[key], one
   ordered set of clients per key: arrival order is serving order.
2. blockClient sets CLIENT_BLOCKED (processInputBuffer stops reading this
   client's pipeline), counts it, and puts the deadline in the timeout
   table (timeout.py). Nothing else: an idle blocked client is not
   visited by the event loop at all.

How it is woken:

3. Whatever creates or refills the key (dbAdd for a new key, a push to a
   list that exists) calls signalKeyAsReady, which queues (db, key) in
   server.ready_keys once per key, and only if somebody blocks on it.
4. processCommand, right after the command that did it (after EXEC for a
   MULTI, after each command of a pipeline), and beforeSleep call
   handleClientsBlockedOnKeys. For each ready key it serves the blocked
   clients in order (serveClientsBlockedOnListKey ->
   t_list.serveClientBlockedOnList, or the sorted-set twin) until the value
   is used up, each one: reply, propagate the non-blocking equivalent,
   updateStatsOnUnblock, unblockClient.
5. unblockClient removes the client from every blocking_keys set and from
   the timeout table, resets it for its next command, and queues it in
   server.unblocked_clients; processUnblockedClients (beforeSleep) then
   runs whatever it had pipelined behind the blocking command.

The other ways out all end in unblockClient too: the timeout table
(handleBlockedClientsTimeout -> replyToBlockedClientTimedOut), CLIENT
UNBLOCK, and freeClient for a disconnect or CLIENT KILL.
"""

import time

from .server_h import (
    BLOCKED_LIST, BLOCKED_MODULE, BLOCKED_NONE, BLOCKED_POSTPONE, BLOCKED_SHUTDOWN,
    BLOCKED_STREAM, BLOCKED_WAIT, BLOCKED_ZSET, CLIENT_BLOCKED, CLIENT_CLOSE_AFTER_REPLY,
    CLIENT_PENDING_COMMAND, CLIENT_UNBLOCKED, LOOKUP_NONOTIFY, LOOKUP_NOSTATS, OBJ_LIST,
    OBJ_MODULE, OBJ_STREAM, OBJ_ZSET, server,
)
from .timeout import addClientToTimeoutTable, removeClientFromTimeoutTable
from .db import lookupKeyReadWithFlags
from .latency import latencyAddSampleIfNeeded
from .networking import (
    addReplyError,
    addReplyLongLong,
    addReplyNullArray,
    processCommandAndResetClient,
    processInputBuffer,
    resetClient,
)
from .server import afterCommand, propagatePendingCommands, updateCachedTime
from .slowlog import slowlogPushCurrentCommand
from .t_list import serveClientBlockedOnList
from .t_zset import serveClientBlockedOnSortedSet

# Which blocked type a value type can wake (getBlockedTypeByType).
_BTYPE_OF = {OBJ_LIST: BLOCKED_LIST, OBJ_ZSET: BLOCKED_ZSET, OBJ_STREAM: BLOCKED_STREAM,
             OBJ_MODULE: BLOCKED_MODULE}


def blockClient(c, btype):
    """Mark the client blocked: it reads no more commands until unblocked (blockClient)."""
    c.flags |= CLIENT_BLOCKED
    c.btype = btype
    server.blocked_clients += 1
    server.blocked_clients_by_type[btype] += 1
    addClientToTimeoutTable(c)
    if btype == BLOCKED_POSTPONE:
        # The command was not run: it stays in c.argv and runs when the
        # pause ends (processUnblockedClients sees CLIENT_PENDING_COMMAND).
        server.paused_clients.append(c)
        c.flags |= CLIENT_PENDING_COMMAND


def updateStatsOnUnblock(c, blocked_us, reply_us, had_errors):
    """Charge a served blocking command its time, for INFO and the slow log (updateStatsOnUnblock)."""
    cmd = c.lastcmd
    if cmd is None:
        return
    total = c.duration + blocked_us + reply_us
    cmd.microseconds += total
    if had_errors:
        cmd.failed_calls += 1
    if server.slowlog_log_slower_than >= 0 and total > server.slowlog_log_slower_than:
        slowlogPushCurrentCommand(c, cmd, total)
    if server.latency_monitor_threshold:
        latencyAddSampleIfNeeded("command-unblocking", reply_us // 1000)


def processUnblockedClients():
    """Let clients just unblocked run what they pipelined meanwhile (processUnblockedClients)."""
    # Take the whole queue at once (popping its head one by one is O(n) per
    # client); clients queued while we work are handled by the next round.
    while server.unblocked_clients:
        batch = server.unblocked_clients
        server.unblocked_clients = []
        for c in batch:
            if not (c.flags & CLIENT_UNBLOCKED):
                continue          # freed meanwhile (blocked_free_client cleared it)
            c.flags &= ~CLIENT_UNBLOCKED
            if c.flags & CLIENT_BLOCKED or c.conn is None:
                continue
            # processPendingCommandAndInputBuffer: a postponed command first.
            if c.flags & CLIENT_PENDING_COMMAND:
                c.flags &= ~CLIENT_PENDING_COMMAND
                if processCommandAndResetClient(c) != 0:
                    continue
            if c.querybuf and not (c.flags & CLIENT_BLOCKED):
                processInputBuffer(c)


def queueClientForReprocessing(c):
    """Put the client on the unblocked list once (queueClientForReprocessing)."""
    if not (c.flags & CLIENT_UNBLOCKED):
        c.flags |= CLIENT_UNBLOCKED
        server.unblocked_clients.append(c)


def unblockClient(c):
    """Undo the block, whatever its kind, and queue the client to go on (unblockClient)."""
    btype = c.btype
    if btype in (BLOCKED_LIST, BLOCKED_ZSET, BLOCKED_STREAM):
        unblockClientWaitingData(c)
    elif btype == BLOCKED_WAIT:
        from . import replication
        fn = getattr(replication, "unblockClientWaitingReplicas", None)
        if fn is not None:
            fn(c)
    elif btype == BLOCKED_POSTPONE:
        try:
            server.paused_clients.remove(c)
        except ValueError:
            pass
    # For a real blocking command the reset was put off while it waited (the
    # arguments were still needed to serve it); do it now.
    if btype != BLOCKED_POSTPONE and btype != BLOCKED_SHUTDOWN:
        c.original_argv = None
        resetClient(c)
    server.blocked_clients -= 1
    server.blocked_clients_by_type[btype] -= 1
    c.flags &= ~CLIENT_BLOCKED
    c.btype = BLOCKED_NONE
    removeClientFromTimeoutTable(c)
    queueClientForReprocessing(c)


def replyToBlockedClientTimedOut(c):
    """What a blocked command answers when its time is up (replyToBlockedClientTimedOut)."""
    if c.btype in (BLOCKED_LIST, BLOCKED_ZSET, BLOCKED_STREAM):
        addReplyNullArray(c)
    elif c.btype == BLOCKED_WAIT:
        from . import replication
        fn = getattr(replication, "replicationCountAcksByOffset", None)
        addReplyLongLong(c, fn(c.bpop.reploffset) if fn else 0)


def replyToClientsBlockedOnShutdown():
    """A failed SHUTDOWN releases the clients that waited for it (replyToClientsBlockedOnShutdown)."""
    if not server.blocked_clients_by_type[BLOCKED_SHUTDOWN]:
        return
    for c in list(server.clients.values()):
        if c.flags & CLIENT_BLOCKED and c.btype == BLOCKED_SHUTDOWN:
            addReplyError(c, "Errors trying to SHUTDOWN. Check logs.")
            unblockClient(c)


def disconnectAllBlockedClients():
    """On becoming a replica, blocked clients get an error and are closed (disconnectAllBlockedClients)."""
    for c in list(server.clients.values()):
        if c.flags & CLIENT_BLOCKED:
            if c.btype == BLOCKED_POSTPONE:
                continue
            addReplyError(c, "-UNBLOCKED force unblock from blocking operation, "
                          "instance state changed (master -> replica?)")
            unblockClient(c)
            c.flags |= CLIENT_CLOSE_AFTER_REPLY


# ---------------------------------------------------------------------------
# Serving clients blocked on keys
# ---------------------------------------------------------------------------
def _serve_one(receiver, serve):
    """Run `serve()` as if `receiver` were executing, then unblock it.

    The shared tail of every serveClientsBlockedOn*Key loop in blocked.c:
    current_client points at the receiver (so propagation and keyspace
    hooks see it), the time is charged, and what it propagated goes out
    as one unit (afterCommand).
    """
    prev_errors = server.stat_total_error_replies
    old_client = server.current_client
    server.current_client = receiver
    start = time.perf_counter_ns()
    deleted = serve()
    updateStatsOnUnblock(receiver, 0, (time.perf_counter_ns() - start) // 1000,
                         server.stat_total_error_replies != prev_errors)
    unblockClient(receiver)
    afterCommand(receiver)
    server.current_client = old_client
    return deleted


def serveClientsBlockedOnListKey(o, db, key):
    """Serve the clients blocked on a list that got elements, oldest first (serveClientsBlockedOnListKey)."""
    if not server.blocked_clients_by_type[BLOCKED_LIST]:
        return
    waiting = db.blocking_keys.get(key)
    if not waiting:
        return
    for receiver in list(waiting):
        if receiver.btype != BLOCKED_LIST or key not in db.blocking_keys \
                or receiver not in db.blocking_keys[key]:
            continue
        bpop = receiver.bpop
        dstkey = bpop.target
        wherefrom, whereto = bpop.blockpos

        def serve():
            return serveClientBlockedOnList(receiver, o, key, dstkey, db, wherefrom, whereto)
        if _serve_one(receiver, serve):
            break


def serveClientsBlockedOnSortedSetKey(o, db, key):
    """Serve the clients blocked on a sorted set that got members, oldest first (serveClientsBlockedOnSortedSetKey)."""
    if not server.blocked_clients_by_type[BLOCKED_ZSET]:
        return
    waiting = db.blocking_keys.get(key)
    if not waiting:
        return
    for receiver in list(waiting):
        if receiver.btype != BLOCKED_ZSET or key not in db.blocking_keys \
                or receiver not in db.blocking_keys[key]:
            continue

        def serve():
            return serveClientBlockedOnSortedSet(receiver, o, key, db)
        if _serve_one(receiver, serve):
            break


# Serving for value types whose module is not written yet (streams, module
# types) plugs in here: type -> fn(o, db, key).
serve_blocked_by_type = {
    OBJ_LIST: serveClientsBlockedOnListKey,
    OBJ_ZSET: serveClientsBlockedOnSortedSetKey,
}


def handleClientsBlockedOnKeys():
    """Serve the clients waiting on every key made ready since the last call (handleClientsBlockedOnKeys).

    Runs after each command in processCommand (so a push, or a MULTI that
    pushes, serves waiters before the next command runs) and in beforeSleep
    (keys readied outside a command). Serving can ready more keys (BLMOVE
    pushes to its destination), so the list is swapped out and re-checked
    until it stays empty.
    """
    while server.ready_keys:
        batch = server.ready_keys
        server.ready_keys = []
        for db, key in batch:
            db.ready_keys.pop(key, None)
            # Like call(): a fixed clock while serving, so a key cannot
            # expire between two look-ups of one BLMOVE.
            server.fixed_time_expire += 1
            updateCachedTime(0)
            o = lookupKeyReadWithFlags(db, key, LOOKUP_NONOTIFY | LOOKUP_NOSTATS)
            if o is not None:
                serve = serve_blocked_by_type.get(o.type)
                if serve is not None:
                    serve(o, db, key)
            elif server.also_propagate:
                # The look-up expired the key: its DEL must still go out.
                propagatePendingCommands()
            server.fixed_time_expire -= 1


def blockForKeys(c, btype, keys, count, timeout, target, blockpos):
    """Park the client on `keys` until one gets data or `timeout` (absolute ms, 0 = forever) passes (blockForKeys).

    `target` is BLMOVE's destination, `blockpos` the (wherefrom, whereto)
    ends, `count` the COUNT of BLMPOP/BZMPOP (-1 when none). The same key
    given twice counts once.
    """
    bpop = c.bpop
    bpop.count = count
    bpop.timeout = timeout
    bpop.target = target
    if blockpos is not None:
        bpop.blockpos = blockpos
    mine = bpop.keys
    blocking = c.db.blocking_keys
    for key in keys:
        if key in mine:
            continue
        mine[key] = None
        waiting = blocking.get(key)
        if waiting is None:
            blocking[key] = {c: None}
        else:
            waiting[c] = None
    blockClient(c, btype)


def unblockClientWaitingData(c):
    """Take the client off every key it waits on (unblockClientWaitingData)."""
    bpop = c.bpop
    blocking = c.db.blocking_keys
    for key in bpop.keys:
        waiting = blocking.get(key)
        if waiting is not None:
            waiting.pop(c, None)
            if not waiting:
                del blocking[key]
    bpop.keys = {}
    bpop.target = None
    bpop.xread_group = None
    bpop.xread_consumer = None


def signalKeyAsReady(db, key, type):
    """Queue `key` for the clients blocked on it, once (signalKeyAsReady).

    Cheap when nobody blocks: a type check and a counter, no look-up.
    """
    btype = _BTYPE_OF.get(type)
    if btype is None:
        return
    counts = server.blocked_clients_by_type
    if not counts[btype] and not counts[BLOCKED_MODULE]:
        return
    if key not in db.blocking_keys or key in db.ready_keys:
        return
    db.ready_keys[key] = None
    server.ready_keys.append((db, key))


def scanDatabaseForReadyKeys(db):
    """After SWAPDB, wake clients blocked on keys that now hold data (scanDatabaseForReadyKeys)."""
    for key in list(db.blocking_keys):
        o = db.dict.get(key)
        if o is not None:
            signalKeyAsReady(db, key, o.type)


def blocked_free_client(c):
    """freeClient's share: unblock, and leave no trace in the unblocked queue (freeClient/unlinkClient)."""
    if c.flags & CLIENT_BLOCKED:
        unblockClient(c)
    if c.flags & CLIENT_UNBLOCKED:
        c.flags &= ~CLIENT_UNBLOCKED
        try:
            server.unblocked_clients.remove(c)
        except ValueError:
            pass
