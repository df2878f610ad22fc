"""MULTI/EXEC/DISCARD and WATCH/UNWATCH: our multi.c.

A transaction has two halves that live in different places:

- queueing: processCommand (server.py) sees CLIENT_MULTI and, for any
  command but EXEC/DISCARD/MULTI/WATCH/QUIT/RESET, calls queueMultiCommand
  and answers +QUEUED. A command rejected while queueing (unknown, wrong
  arity, OOM...) goes through flagTransaction, which sets CLIENT_DIRTY_EXEC
  so the later EXEC answers EXECABORT instead of running half a batch.
- running: execCommand replays the queue through call(), one reply per
  command. Errors at run time do not roll anything back, as in Redis.
  Each call() queues its own propagation (alsoPropagate); because the EXEC
  itself is the outermost call, propagatePendingCommands sees all of them
  at once and wraps them in one MULTI ... EXEC block.

WATCH is optimistic locking. db.watched_keys maps key -> [watchedKey] and
c.watched_keys lists the same watchedKey records from the client's side,
so both "who watches this key" (on every write) and "what does this
client watch" (on UNWATCH/EXEC/disconnect) are direct look-ups. Any
write reaches touchWatchedKey through signalModifiedKey; flushes and
SWAPDB reach touchAllWatchedKeysInDb; either marks the watcher
CLIENT_DIRTY_CAS and its EXEC answers a null array.
"""

from .server_h import (
    CLIENT_DENY_BLOCKING, CLIENT_DIRTY_CAS, CLIENT_DIRTY_EXEC, CLIENT_MULTI, CLIENT_TRACKING,
    CMD_CALL_FULL, server, shared,
)
from .networking import addReply, addReplyArrayLen, addReplyError, addReplyErrorFormat, addReplyErrorObject
from .replication import replicationFeedMonitors
from .server import call


class multiCmd:
    """One queued command: its table entry and arguments (multiCmd)."""
    __slots__ = ("cmd", "argv", "argc")

    def __init__(self, cmd, argv):
        self.cmd = cmd
        self.argv = argv
        self.argc = len(argv)


class watchedKey:
    """One WATCH of one key by one client (watchedKey).

    `expired` records that the key was already logically expired when
    WATCH ran: its later deletion by expiry is then not a change, as 7.0
    decides (otherwise watching an expired key would always fail).
    """
    __slots__ = ("key", "db", "client", "expired")

    def __init__(self, key, db, client, expired):
        self.key = key
        self.db = db
        self.client = client
        self.expired = expired


# ---------------------------------------------------------------------------
# Client MULTI state
# ---------------------------------------------------------------------------
def initClientMultiState(c):
    """Empty the client's transaction queue (initClientMultiState)."""
    ms = c.mstate
    ms.commands = []
    ms.count = 0
    ms.cmd_flags = 0
    ms.cmd_inv_flags = 0
    ms.argv_len_sums = 0
    ms.alloc_count = 0


def freeClientMultiState(c):
    """Drop the queued commands (freeClientMultiState); Python frees the memory."""
    c.mstate.commands = []


def queueMultiCommand(c, cmd_flags):
    """Add the current command to the MULTI queue (queueMultiCommand).

    An already doomed transaction (dirty CAS or a queue-time error) keeps
    answering +QUEUED but stores nothing: EXEC will discard it anyway, and a
    pipelining client may send a lot before it reads the first error.
    """
    if c.flags & (CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC):
        return
    ms = c.mstate
    ms.commands.append(multiCmd(c.cmd, c.argv))
    ms.count += 1
    ms.alloc_count = len(ms.commands)
    ms.cmd_flags |= cmd_flags
    ms.cmd_inv_flags |= ~cmd_flags
    ms.argv_len_sums += sum(len(a) for a in c.argv) + 8 * len(c.argv)
    # The queue owns the arguments now; resetClient must not see them as
    # the client's current command.
    c.argv = []
    c.argc = 0
    c.argv_len_sum = 0


def discardTransaction(c):
    """Forget the queue, leave MULTI, drop every WATCH (discardTransaction)."""
    freeClientMultiState(c)
    initClientMultiState(c)
    c.flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC)
    unwatchAllKeys(c)


def flagTransaction(c):
    """A queue-time error dooms the transaction (flagTransaction)."""
    if c.flags & CLIENT_MULTI:
        c.flags |= CLIENT_DIRTY_EXEC


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
def multiCommand(c):
    """MULTI: start queueing (multiCommand)."""
    if c.flags & CLIENT_MULTI:
        addReplyError(c, "MULTI calls can not be nested")
        return
    c.flags |= CLIENT_MULTI
    addReply(c, shared.ok)


def discardCommand(c):
    """DISCARD: drop the queue and the WATCHes (discardCommand)."""
    if not (c.flags & CLIENT_MULTI):
        addReplyError(c, "DISCARD without MULTI")
        return
    discardTransaction(c)
    addReply(c, shared.ok)


def execCommandAbort(c, error):
    """EXEC itself was rejected (OOM, NOAUTH, MISCONF...): discard and say why (execCommandAbort).

    `error` is the rejection's message, with or without its leading '-'.
    """
    discardTransaction(c)
    if error.startswith("-"):
        error = error[1:]
    addReplyErrorFormat(c, "-EXECABORT Transaction discarded because of: %s", error)
    # MONITOR saw MULTI; show it the EXEC so the transaction visibly ends.
    if server.monitors:
        replicationFeedMonitors(c, server.monitors, c.db.id, c.argv)


def execCommand(c):
    """EXEC: run the queue and reply with an array of its replies (execCommand).

    A dirty CAS (a WATCHed key changed, or expired since WATCH) answers a
    null array; a queue-time error answers EXECABORT. Otherwise every
    command runs through call() even if an earlier one failed: Redis has no
    rollback. Blocking commands inside see CLIENT_DENY_BLOCKING and act as
    if their timeout expired at once.
    """
    if not (c.flags & CLIENT_MULTI):
        addReplyError(c, "EXEC without MULTI")
        return
    if isWatchedKeyExpired(c):
        c.flags |= CLIENT_DIRTY_CAS
    if c.flags & (CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC):
        if c.flags & CLIENT_DIRTY_EXEC:
            addReplyErrorObject(c, shared.execaborterr)
        else:
            addReply(c, b"*-1\r\n" if c.resp == 2 else b"_\r\n")
        discardTransaction(c)
        return

    old_flags = c.flags
    c.flags |= CLIENT_DENY_BLOCKING
    # Nothing can dirty us any more; stop paying for every write to our keys.
    unwatchAllKeys(c)
    server.in_exec = 1
    orig_argv, orig_cmd = c.argv, c.cmd
    commands = c.mstate.commands
    addReplyArrayLen(c, len(commands))
    for mc in commands:
        c.argv = mc.argv
        c.argc = mc.argc
        c.cmd = c.realcmd = mc.cmd
        call(c, CMD_CALL_FULL)
        # A command may rewrite its own argv for propagation; keep that.
        mc.argv = c.argv
        mc.argc = len(c.argv)
        mc.cmd = c.cmd
    if not (old_flags & CLIENT_DENY_BLOCKING):
        c.flags &= ~CLIENT_DENY_BLOCKING
    c.argv = orig_argv
    c.argc = len(orig_argv)
    c.cmd = c.realcmd = orig_cmd
    discardTransaction(c)
    server.in_exec = 0
    # A transaction that turned tracking off after changing a key the client
    # had read still owes it that invalidation, after this (complete) reply;
    # call() only looks for held-back invalidations on tracking clients.
    if server.tracking_pending_keys and not (c.flags & CLIENT_TRACKING) and \
            server.in_nested_call <= 1:
        from .tracking import trackingHandlePendingKeyInvalidations
        trackingHandlePendingKeyInvalidations()


# ---------------------------------------------------------------------------
# WATCH
# ---------------------------------------------------------------------------
def watchForKey(c, key):
    """Start watching `key` in the client's current db (watchForKey)."""
    db = c.db
    for wk in c.watched_keys:
        if wk.db is db and wk.key == key:
            return
    from .db import keyIsExpired
    wk = watchedKey(key, db, c, keyIsExpired(db, key))
    lst = db.watched_keys.get(key)
    if lst is None:
        db.watched_keys[key] = [wk]
    else:
        lst.append(wk)
    c.watched_keys.append(wk)


def unwatchAllKeys(c):
    """Stop watching every key (unwatchAllKeys)."""
    if not c.watched_keys:
        return
    for wk in c.watched_keys:
        wkeys = wk.db.watched_keys
        lst = wkeys.get(wk.key)
        if lst is not None:
            try:
                lst.remove(wk)
            except ValueError:
                pass
            if not lst:
                del wkeys[wk.key]
    c.watched_keys = []


def isWatchedKeyExpired(c):
    """Has a key that was alive at WATCH time expired since (isWatchedKeyExpired)?"""
    if not c.watched_keys:
        return False
    from .db import keyIsExpired
    for wk in c.watched_keys:
        if wk.expired:
            continue
        if keyIsExpired(wk.db, wk.key):
            return True
    return False


def touchWatchedKey(db, key):
    """A write to `key`: every client watching it gets CLIENT_DIRTY_CAS (touchWatchedKey).

    A dirty client's EXEC will fail whatever happens next, so its WATCHes
    are dropped at once instead of costing more on later writes.
    """
    lst = db.watched_keys.get(key)
    if not lst:
        return
    for wk in list(lst):
        if wk.expired:
            # Watched while already expired: the key's removal is no
            # change. 7.0 stops scanning the list here when the key is still
            # there (a `break`, not a `continue`); we keep that behaviour.
            if key not in db.dict:
                wk.expired = False
                continue
            break
        c = wk.client
        c.flags |= CLIENT_DIRTY_CAS
        unwatchAllKeys(c)


def touchAllWatchedKeysInDb(emptied, replaced_with):
    """After FLUSHDB/FLUSHALL/SWAPDB, dirty the watchers of keys that changed (touchAllWatchedKeysInDb).

    `emptied` is the db whose contents go away (before the flush runs), and
    `replaced_with` the db whose contents take their place (SWAPDB), or
    None for a flush. A key that exists on neither side did not change.
    """
    if not emptied.watched_keys:
        return
    from .db import keyIsExpired
    for key, lst in list(emptied.watched_keys.items()):
        exists_in_emptied = key in emptied.dict
        in_replacement = replaced_with is not None and key in replaced_with.dict
        if not (exists_in_emptied or in_replacement):
            continue
        for wk in list(lst):
            if wk.expired:
                if not in_replacement:
                    wk.expired = False
                    continue
                if keyIsExpired(replaced_with, key):
                    continue
            elif not exists_in_emptied and keyIsExpired(replaced_with, key):
                wk.expired = True
                continue
            wk.client.flags |= CLIENT_DIRTY_CAS


def watchCommand(c):
    """WATCH key [key ...] (watchCommand)."""
    if c.flags & CLIENT_MULTI:
        addReplyError(c, "WATCH inside MULTI is not allowed")
        return
    if c.flags & CLIENT_DIRTY_CAS:
        addReply(c, shared.ok)
        return
    for key in c.argv[1:]:
        watchForKey(c, key)
    addReply(c, shared.ok)


def unwatchCommand(c):
    """UNWATCH (unwatchCommand)."""
    unwatchAllKeys(c)
    c.flags &= ~CLIENT_DIRTY_CAS
    addReply(c, shared.ok)


# ---------------------------------------------------------------------------
# Client lifecycle hooks: freeClient and RESET release the transaction.
# ---------------------------------------------------------------------------
def _free_client_multi(c):
    if c.flags & CLIENT_MULTI or c.watched_keys:
        discardTransaction(c)


server.in_exec = 0
