"""Client-side caching: remembering who read which key, and telling them when it changes (our tracking.c).

`CLIENT TRACKING ON` puts a client in one of two modes:

* default mode: every key a read-only command of the client names is
  remembered in TrackingTable (key -> the ids of the clients that may hold
  it in a local cache). When the key changes (signalModifiedKey), expires,
  is evicted or the table overflows tracking-table-max-keys, each of those
  clients gets one invalidation message and the key leaves the table: it
  is remembered again at the next read.
* BCAST mode: nothing is remembered per key. The client subscribes to key
  prefixes (PrefixTable, the empty prefix by default); every modified key
  that starts with a prefix is collected, and before the event loop sleeps
  each prefix's subscribers get one message listing all of them.

A message goes to the client itself as a RESP3 push (`>2 invalidate
[keys]`), or, with REDIRECT, to another connection: a RESP3 push there too,
or in RESP2 a `message` on the `__redis__:invalidate` Pub/Sub channel if
that connection is subscribed to anything. A flush invalidates everything
with a null instead of the key array.

Messages for the client whose command is running are queued in
server.tracking_pending_keys and sent once its reply is complete
(afterCommand), so a push never lands in the middle of a reply, nor of an
EXEC's array.

Like Redis, a client that turns tracking off (or disconnects) leaves its id
in the table; the entries are dropped lazily when the key is invalidated,
instead of scanning the whole table at disconnect time.
"""

import random

from .networking import addReply, addReplyErrorFormat, cstrarg, lookupClientByID
from .pubsub import addReplyPubsubMessage, pubSubType
from .server_h import (
    CLIENT_PUBSUB, CLIENT_PUSHING, CLIENT_TRACKING, CLIENT_TRACKING_BCAST,
    CLIENT_TRACKING_BROKEN_REDIR, CLIENT_TRACKING_CACHING, CLIENT_TRACKING_NOLOOP,
    CLIENT_TRACKING_OPTIN, CLIENT_TRACKING_OPTOUT, CMD_PUBSUB, server,
)

# key -> {client id: None}. Redis uses radix trees for both levels; a dict
# of dicts gives the same O(1) per-key work. These module-level tables are
# never rebound (a flush clears them in place), because db.py binds
# TrackingTable and PrefixTable by name to test them cheaply in
# signalModifiedKey.
TrackingTable = {}

# prefix -> bcastState. Redis keeps the prefixes in a radix tree, but it
# still visits every prefix for each modified key (and every prefix before
# sleeping), never using the tree to find only the matching ones; a dict
# scanned the same way does the same work, and we sort it where the order
# of the tree is visible (the order of the messages).
PrefixTable = {}

# Sum of the sizes of the id sets of TrackingTable (INFO tracking_total_items).
TrackingTableTotalItems = 0

TrackingChannelName = b"__redis__:invalidate"

# Keys of TrackingTable in a list, for picking random victims when the
# table is over tracking-table-max-keys. Redis walks its radix tree at
# random; a dict has no random access, and the alternatives (list(table)
# per eviction, or evicting from the front of the dict, which CPython
# makes quadratic after many deletes) cost O(n) per key. Entries whose key
# has since left the table are skipped when drawn, and the list is rebuilt
# when such stale entries outnumber the live ones.
tracking_keys_pool = []

# Has any prefix collected a key since the last broadcast? Spares
# beforeSleep from visiting every prefix on every event-loop iteration.
bcast_pending = False

# trackingLimitUsedSlots's effort grows while it fails to get under the limit.
timeout_counter = 0

_TRACKING_FLAGS = (CLIENT_TRACKING | CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST
                   | CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_CACHING
                   | CLIENT_TRACKING_NOLOOP)
_NULL = {2: b"$-1\r\n", 3: b"_\r\n"}
_INVALIDATE_PUSH = b">2\r\n$10\r\ninvalidate\r\n"


class bcastState:
    """One prefix of the BCAST table (bcastState).

    `keys` maps each key modified since the last broadcast to the client
    that modified it last (None outside a client), so NOLOOP clients can be
    spared their own changes; `clients` is the set of subscribers, in
    subscription order.
    """
    __slots__ = ("keys", "clients")

    def __init__(self):
        self.keys = {}
        self.clients = {}


def disableTracking(c):
    """Turn tracking off for the client (disableTracking).

    A BCAST client leaves every prefix it subscribed to (a prefix nobody
    follows any more leaves the table). Its ids in TrackingTable stay: they
    are skipped and dropped when their keys are invalidated.
    """
    if c.flags & CLIENT_TRACKING_BCAST:
        for prefix in c.client_tracking_prefixes or ():
            bs = PrefixTable[prefix]
            bs.clients.pop(c, None)
            if not bs.clients:
                del PrefixTable[prefix]
        c.client_tracking_prefixes = None
    if c.flags & CLIENT_TRACKING:
        server.tracking_clients -= 1
        c.flags &= ~_TRACKING_FLAGS


def stringCheckPrefix(s1, s2):
    """Does one of two strings start with the other (stringCheckPrefix)?"""
    n = min(len(s1), len(s2))
    return s1[:n] == s2[:n]


def checkPrefixCollisionsOrReply(c, prefixes):
    """Refuse prefixes that overlap each other or the client's own (checkPrefixCollisionsOrReply).

    Two prefixes overlap when one starts with the other: a key could then
    be reported twice. Returns nonzero when the caller may go on. The
    return value copies 7.0.15 exactly, including its slip: when the
    overlap is between two given prefixes, it returns the index of the
    first one, so for any index but 0 the caller enables tracking and
    replies +OK after the error (two replies to one command, as Redis does).
    """
    existing = sorted(c.client_tracking_prefixes) if c.client_tracking_prefixes else ()
    n = len(prefixes)
    for i in range(n):
        p = prefixes[i]
        for e in existing:       # the radix tree's order decides which is named
            if stringCheckPrefix(e, p):
                addReplyErrorFormat(c, "Prefix '%s' overlaps with an existing prefix '%s'. "
                                    "Prefixes for a single client must not overlap.",
                                    cstrarg(p), cstrarg(e))
                return 0
        for j in range(i + 1, n):
            if stringCheckPrefix(p, prefixes[j]):
                addReplyErrorFormat(c, "Prefix '%s' overlaps with another provided prefix '%s'. "
                                    "Prefixes for a single client must not overlap.",
                                    cstrarg(p), cstrarg(prefixes[j]))
                return i
    return 1


def enableBcastTrackingForPrefix(c, prefix):
    """Subscribe the client to invalidations of keys starting with `prefix` (enableBcastTrackingForPrefix)."""
    bs = PrefixTable.get(prefix)
    if bs is None:
        bs = PrefixTable[prefix] = bcastState()
    if c not in bs.clients:
        bs.clients[c] = None
        if c.client_tracking_prefixes is None:
            c.client_tracking_prefixes = {}
        c.client_tracking_prefixes[prefix] = None


def enableTracking(c, redirect_to, options, prefixes):
    """Turn tracking on for the client with the given options (enableTracking).

    `redirect_to` is the id of the connection that gets the messages (0:
    the client itself). Calling it again on a tracking client replaces the
    options; in BCAST mode the new prefixes are added to the old ones.
    """
    if not (c.flags & CLIENT_TRACKING):
        server.tracking_clients += 1
    c.flags = (c.flags | CLIENT_TRACKING) & ~(
        CLIENT_TRACKING_BROKEN_REDIR | CLIENT_TRACKING_BCAST | CLIENT_TRACKING_OPTIN
        | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP)
    c.client_tracking_redirection = redirect_to
    if options & CLIENT_TRACKING_BCAST:
        c.flags |= CLIENT_TRACKING_BCAST
        if not prefixes:
            enableBcastTrackingForPrefix(c, b"")
        for p in prefixes:
            enableBcastTrackingForPrefix(c, p)
    c.flags |= options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT | CLIENT_TRACKING_NOLOOP)


def trackingRememberKeys(c):
    """Remember the keys of the read-only command the client just ran (trackingRememberKeys).

    call() runs this for clients in default (non-BCAST) tracking mode. In
    OPTIN mode only a command preceded by CLIENT CACHING YES counts, in
    OPTOUT mode one preceded by CLIENT CACHING NO does not. Redis's
    scripting cases (EVAL_RO and friends, a script's caller) do not arise:
    pyredis has no scripting yet.
    """
    global TrackingTableTotalItems
    f = c.flags
    if f & CLIENT_TRACKING_CACHING:
        if f & CLIENT_TRACKING_OPTOUT:
            return
    elif f & CLIENT_TRACKING_OPTIN:
        return
    cmd = c.cmd
    keys = getKeysFromCommandWithSpecs(cmd, c.argv)
    if not keys:
        return
    # Shard channels are declared as keys (for cluster routing); they are
    # not data anybody caches.
    if cmd.flags & CMD_PUBSUB:
        return
    argv = c.argv
    cid = c.id
    table = TrackingTable
    for pos, _ in keys:
        key = argv[pos]
        ids = table.get(key)
        if ids is None:
            ids = table[key] = {}
            tracking_keys_pool.append(key)
            if len(tracking_keys_pool) > 2 * len(table) + 1024:
                tracking_keys_pool[:] = table
        if cid not in ids:
            ids[cid] = None
            TrackingTableTotalItems += 1
    # Redis checks the limit in processCommand, before every command of
    # every client. Checking where the table grows puts the messages at
    # the same place in each connection's stream (after this reply, before
    # any later one), without a test on the path of every command; only a
    # next command that Redis rejects before its check (unknown, wrong
    # arity...) would see the message on the other side of its error.
    max_keys = server.tracking_table_max_keys
    if max_keys and len(table) > max_keys:
        trackingLimitUsedSlots()


def sendTrackingMessage(c, keyname, proto):
    """Send one invalidation message on behalf of the tracking client `c` (sendTrackingMessage).

    `keyname` is a key, or with `proto` true, ready-made protocol for the
    value part (the BCAST key array, or the null of a flush). The message
    goes to the redirection target when there is one: as a push in RESP3,
    as a `message` on __redis__:invalidate to a RESP2 connection in Pub/Sub
    mode, and nowhere otherwise. A target that no longer exists marks the
    client's redirection as broken and, in RESP3, tells the client.
    CLIENT_PUSHING lets all of this through CLIENT REPLY OFF.
    """
    old_flags = c.flags
    c.flags = old_flags | CLIENT_PUSHING
    using_redirection = False
    if c.client_tracking_redirection:
        redir = lookupClientByID(c.client_tracking_redirection)
        if redir is None:
            c.flags |= CLIENT_TRACKING_BROKEN_REDIR
            if c.resp > 2:
                addReply(c, b">2\r\n$21\r\ntracking-redir-broken\r\n:%d\r\n"
                         % c.client_tracking_redirection)
            if not (old_flags & CLIENT_PUSHING):
                c.flags &= ~CLIENT_PUSHING
            return
        if not (old_flags & CLIENT_PUSHING):
            c.flags &= ~CLIENT_PUSHING
        c = redir
        using_redirection = True
        old_flags = c.flags
        c.flags = old_flags | CLIENT_PUSHING

    if c.resp > 2:
        addReply(c, _INVALIDATE_PUSH)
    elif using_redirection and c.flags & CLIENT_PUBSUB:
        # The channel message without its payload: the key array follows.
        addReplyPubsubMessage(c, TrackingChannelName, None, pubSubType.message_bulk)
    else:
        # RESP2 with no redirection: such a connection cannot take pushes.
        if not (old_flags & CLIENT_PUSHING):
            c.flags &= ~CLIENT_PUSHING
        return

    if proto:
        addReply(c, keyname)
    else:
        addReply(c, b"*1\r\n$%d\r\n%s\r\n" % (len(keyname), keyname))
    if not (old_flags & CLIENT_PUSHING):
        c.flags &= ~CLIENT_PUSHING


def trackingRememberKeyToBroadcast(c, keyname):
    """Collect a modified key under every BCAST prefix it starts with (trackingRememberKeyToBroadcast).

    The value is the client that made the change (None outside a client),
    so that NOLOOP subscribers are not told about their own writes. The
    messages go out in beforeSleep.
    """
    global bcast_pending
    for prefix, bs in PrefixTable.items():
        if keyname.startswith(prefix):
            bs.keys[keyname] = c
            bcast_pending = True


def _le_id(cid):
    # Redis stores ids in the radix tree as their native (little-endian)
    # bytes, so that is the order it visits the clients of a key in.
    return cid.to_bytes(8, "little")


def trackingInvalidateKey(c, key, bcast):
    """Tell every client that may cache `key` that it changed (trackingInvalidateKey).

    `c` is the client that changed it (None for expiry, eviction...).
    With `bcast` the key is also collected for the BCAST subscribers; the
    table eviction passes 0, as the key did not really change. Clients that
    turned tracking off or switched to BCAST since they read the key are
    skipped, NOLOOP clients are not told about changes made by the running
    client when it is them, and a message for the running client itself
    waits until its reply is complete. The key then leaves the table.
    """
    global TrackingTableTotalItems
    if bcast and PrefixTable:
        trackingRememberKeyToBroadcast(c, key)
    ids = TrackingTable.pop(key, None)
    if ids is None:
        return
    current = server.current_client
    clients = server.clients
    for cid in (sorted(ids, key=_le_id) if len(ids) > 1 else ids):
        target = clients.get(cid)
        if target is None:
            continue
        tflags = target.flags
        if not (tflags & CLIENT_TRACKING) or tflags & CLIENT_TRACKING_BCAST:
            continue
        if target is current:
            if tflags & CLIENT_TRACKING_NOLOOP:
                continue
            if server.fixed_time_expire:
                server.tracking_pending_keys.append(key)
                continue
        sendTrackingMessage(target, key, 0)
    TrackingTableTotalItems -= len(ids)


def trackingHandlePendingKeyInvalidations():
    """Send the running client the invalidations held back until its reply was complete.

    Mirrors trackingHandlePendingKeyInvalidations. If the client was freed
    meanwhile they are dropped.
    """
    pending = server.tracking_pending_keys
    if not pending:
        return
    server.tracking_pending_keys = []
    c = server.current_client
    if c is None:
        return
    for key in pending:
        if key is None:
            sendTrackingMessage(c, _NULL[c.resp], 1)
        else:
            sendTrackingMessage(c, key, 0)


def trackingInvalidateKeysOnFlush(async_):
    """A flush: every tracking client is told "all keys", and the table is emptied (trackingInvalidateKeysOnFlush).

    The message carries a null instead of a key array, formatted for the
    protocol of the tracking client (even when it is redirected to a
    connection using the other one, as in Redis). `async_` (FLUSHALL ASYNC)
    makes no difference here: Python frees the table's memory as it goes.
    """
    global TrackingTableTotalItems
    if server.tracking_clients:
        current = server.current_client
        for c in list(server.clients.values()):
            if c.flags & CLIENT_TRACKING:
                if c is current:
                    server.tracking_pending_keys.append(None)
                else:
                    sendTrackingMessage(c, _NULL[c.resp], 1)
    TrackingTable.clear()
    tracking_keys_pool.clear()
    TrackingTableTotalItems = 0


def _random_tracked_key():
    # Draw keys from the pool until one is still in the table.
    pool = tracking_keys_pool
    while pool:
        i = random.randrange(len(pool))
        key = pool[i]
        pool[i] = pool[-1]
        pool.pop()
        if key in TrackingTable:
            return key
    return None


def trackingLimitUsedSlots():
    """Keep TrackingTable within tracking-table-max-keys (trackingLimitUsedSlots).

    Random keys are invalidated (their clients get a message, as if the
    key had changed) until the table is back within the limit, up to an
    effort of 100 keys per call, which grows by 100 for every call that
    could not get there.
    """
    global timeout_counter
    max_keys = server.tracking_table_max_keys
    if not max_keys:
        return
    if len(TrackingTable) <= max_keys:
        timeout_counter = 0
        return
    effort = 100 * (timeout_counter + 1)
    while effort > 0:
        effort -= 1
        key = _random_tracked_key()
        if key is None:
            break
        trackingInvalidateKey(None, key, 0)
        if len(TrackingTable) <= max_keys:
            timeout_counter = 0
            return
    timeout_counter += 1


def trackingBuildBroadcastReply(c, keys):
    """The key array for one prefix's message, without the keys `c` changed itself (trackingBuildBroadcastReply).

    `c` is None for the message shared by all non-NOLOOP subscribers.
    Keys are in byte order, as Redis's radix tree lists them. Returns None
    when no key is left.
    """
    if c is None:
        names = sorted(keys)
    else:
        names = sorted([k for k, who in keys.items() if who is not c])
        if not names:
            return None
    return b"*%d\r\n" % len(names) + b"".join(
        [b"$%d\r\n%s\r\n" % (len(k), k) for k in names])


def trackingBroadcastInvalidationMessages():
    """Before sleeping, send each BCAST subscriber the keys its prefixes collected.

    Mirrors trackingBroadcastInvalidationMessages. One message per prefix, prefixes in byte order; a NOLOOP subscriber
    gets its own copy without the keys it changed, or nothing if that
    leaves none.
    """
    global bcast_pending
    if not bcast_pending or not server.tracking_clients:
        return
    bcast_pending = False
    for prefix in sorted(PrefixTable):
        bs = PrefixTable[prefix]
        if not bs.keys:
            continue
        proto = trackingBuildBroadcastReply(None, bs.keys)
        for c in list(bs.clients):
            if c.flags & CLIENT_TRACKING_NOLOOP:
                adhoc = trackingBuildBroadcastReply(c, bs.keys)
                if adhoc is not None:
                    sendTrackingMessage(c, adhoc, 1)
            else:
                sendTrackingMessage(c, proto, 1)
        bs.keys = {}


def trackingGetTotalItems():
    """Client ids stored across the tracking table (trackingGetTotalItems)."""
    return TrackingTableTotalItems


def trackingGetTotalKeys():
    """Keys in the tracking table (trackingGetTotalKeys)."""
    return len(TrackingTable)


def trackingGetTotalPrefixes():
    """BCAST prefixes with at least one subscriber (trackingGetTotalPrefixes)."""
    return len(PrefixTable)


# Bound at the bottom: tracking.py is first imported from the bottom of
# db.py, when db's functions already exist.
from .db import getKeysFromCommandWithSpecs  # noqa: E402
