"""The keyspace: lookups, writes, deletes, and the generic key commands (our db.c).

Each database is a redisDb with two Python dicts: `dict` (key -> robj) and
`expires` (key -> unix ms). Redis's dict.c exists to give C an
incrementally rehashed hash table; Python's dict is already one (it
resizes all at once, which costs a pause on huge tables but nothing per
lookup), so we use it as it is.

Every read goes through lookupKeyRead*/lookupKeyWrite*, which apply lazy
expiry (expireIfNeeded), touch the LRU/LFU clock and count hits and
misses, exactly where Redis does; every write ends in signalModifiedKey,
the hook WATCH and client tracking hang on.
"""

import random
from itertools import islice

from .server_h import (
    BLOCKED_SHUTDOWN, CLIENT_DENY_BLOCKING, C_ERR, C_OK, LOOKUP_NONE, LOOKUP_NONOTIFY,
    LOOKUP_NOSTATS, LOOKUP_NOTOUCH, LOOKUP_WRITE, MAXMEMORY_FLAG_LFU, NOTIFY_GENERIC,
    NOTIFY_KEY_MISS, OBJ_ENCODING_HT, OBJ_ENCODING_INT, OBJ_ENCODING_LISTPACK,
    OBJ_ENCODING_SKIPLIST, OBJ_HASH, OBJ_LIST, OBJ_SET, OBJ_STREAM, OBJ_STRING, OBJ_ZSET,
    PROPAGATE_AOF, PROPAGATE_REPL, SETKEY_ALREADY_EXIST, SETKEY_DOESNT_EXIST, SETKEY_KEEPTTL,
    SETKEY_NO_SIGNAL, SHUTDOWN_FORCE, SHUTDOWN_NOSAVE, SHUTDOWN_NOW, SHUTDOWN_SAVE, redisDb,
    server, shared,
)
from .networking import (
    addReply, addReplyArrayLen, addReplyBulkCBuffer, addReplyError, addReplyErrorObject,
    addReplyLongLong, addReplyNull, addReplyStatus, checkClientPauseTimeoutAndReturnIfPaused,
)
from .notify import notifyKeyspaceEvent
from .object import (
    createObject, createRawStringObject, dupStringObject, forget_db_memory,
    getIntFromObjectOrReply, getLongFromObjectOrReply, initObjectLRUOrLFU, update_key_memory,
)
from .util import c_string, d2string, fmt_double_g17, mstime, string2ll, stringmatchlen
from .evict import updateLFU
from .latency import latencyAddSampleIfNeeded, latencyEndMonitor, latencyStartMonitor
from .multi import touchAllWatchedKeysInDb, touchWatchedKey
from .server import abortShutdown, isShutdownInitiated, killRDBChild, prepareForShutdown, propagate

EXPIRE_FORCE_DELETE_EXPIRED = 1
EXPIRE_AVOID_DELETE_EXPIRED = 2


# Random picks, for RANDOMKEY here and for SPOP, SRANDMEMBER and HRANDFIELD
# (t_set.py, t_hash.py). Redis draws from the hash table's buckets in O(1)
# (dictGetFairRandomKey); a Python set or dict cannot be indexed, so a pick
# would cost O(n). We keep a tuple snapshot of the members of the few containers picked from lately and draw
# from it, rejecting members removed since: uniform over the live members as
# long as none was added, which is why every add forgets the snapshot. It is
# rebuilt when fewer than half of its entries are still live, so a loop of
# SPOPs costs O(1) amortized per pop instead of O(n) (the alternative, an
# index kept beside every set, would cost memory and time on every SADD).
# The cache holds its containers (sets and dicts cannot be weakly referenced),
# so a deleted key's members live on until a few other big containers have
# been picked from: hence the small bound.
_RANDOM_SNAPSHOTS = {}       # id(container) -> [container, members tuple]
_RANDOM_SNAPSHOTS_MAX = 4


def forget_random_snapshot(container):
    """Drop the pick snapshot of a container that gained members."""
    if _RANDOM_SNAPSHOTS:
        _RANDOM_SNAPSHOTS.pop(id(container), None)


def random_member(container):
    """A uniformly random member (or key) of a non-empty set or dict."""
    n = len(container)
    if n < 64:
        # Small: a direct skip is as cheap as the bookkeeping.
        return next(islice(container, random.randrange(n), None))
    entry = _RANDOM_SNAPSHOTS.get(id(container))
    if entry is None or entry[0] is not container or n * 2 < len(entry[1]):
        if entry is None and len(_RANDOM_SNAPSHOTS) >= _RANDOM_SNAPSHOTS_MAX:
            _RANDOM_SNAPSHOTS.pop(next(iter(_RANDOM_SNAPSHOTS)))
        entry = [container, tuple(container)]
        _RANDOM_SNAPSHOTS[id(container)] = entry
    snap = entry[1]
    size = len(snap)
    for _ in range(64):
        m = snap[random.randrange(size)]
        if m in container:
            return m
    # Unreachable while every add forgets the snapshot (at least half of it
    # is live); if some path added members behind our back, start afresh.
    _RANDOM_SNAPSHOTS.pop(id(container), None)
    return next(islice(container, random.randrange(n), None))


# ---------------------------------------------------------------------------
# Lookups
# ---------------------------------------------------------------------------
def lookupKey(db, key, flags):
    """Find a key, applying lazy expiry and access bookkeeping (lookupKey).

    The flags say what bookkeeping to skip: LOOKUP_NOTOUCH keeps the LRU,
    LOOKUP_NOSTATS and LOOKUP_WRITE skip hit/miss counting, LOOKUP_NONOTIFY
    skips the keymiss event.
    """
    val = db.dict.get(key)
    if val is not None and db.expires and key in db.expires:
        eflags = EXPIRE_FORCE_DELETE_EXPIRED if (
            flags & LOOKUP_WRITE and not (server.masterhost and server.repl_slave_ro)) else 0
        if expireIfNeeded(db, key, eflags):
            val = None
    if val is not None:
        if not (flags & LOOKUP_NOTOUCH) and server.child_type == 0:
            if server.maxmemory_policy & MAXMEMORY_FLAG_LFU:
                updateLFU(val)
            else:
                val.lru = server.lruclock
        if not (flags & (LOOKUP_NOSTATS | LOOKUP_WRITE)):
            server.stat_keyspace_hits += 1
    else:
        if not (flags & (LOOKUP_NONOTIFY | LOOKUP_WRITE)):
            notifyKeyspaceEvent(NOTIFY_KEY_MISS, "keymiss", key, db.id)
        if not (flags & (LOOKUP_NOSTATS | LOOKUP_WRITE)):
            server.stat_keyspace_misses += 1
    return val


def lookupKeyReadWithFlags(db, key, flags):
    """Lookup for reading (lookupKeyReadWithFlags)."""
    return lookupKey(db, key, flags)


def lookupKeyRead(db, key):
    """Lookup for reading with default flags (lookupKeyRead)."""
    return lookupKey(db, key, LOOKUP_NONE)


def lookupKeyWriteWithFlags(db, key, flags):
    """Lookup for writing: expired keys are deleted even on replicas' masters (lookupKeyWriteWithFlags)."""
    return lookupKey(db, key, flags | LOOKUP_WRITE)


def lookupKeyWrite(db, key):
    """Lookup for writing (lookupKeyWrite)."""
    return lookupKey(db, key, LOOKUP_WRITE)


def lookupKeyReadOrReply(c, key, reply):
    """Lookup for reading; on a miss send `reply` (lookupKeyReadOrReply)."""
    o = lookupKey(c.db, key, LOOKUP_NONE)
    if o is None:
        addReply(c, reply)
    return o


def lookupKeyWriteOrReply(c, key, reply):
    """Lookup for writing; on a miss send `reply` (lookupKeyWriteOrReply)."""
    o = lookupKey(c.db, key, LOOKUP_WRITE)
    if o is None:
        addReply(c, reply)
    return o


# ---------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------
def dbAdd(db, key, val):
    """Add a key that must not exist (dbAdd); wakes clients blocked on it."""
    d = db.dict
    d[key] = val
    if _RANDOM_SNAPSHOTS:       # RANDOMKEY's snapshot no longer covers every key
        _RANDOM_SNAPSHOTS.pop(id(d), None)
    if val.type in (OBJ_LIST, OBJ_ZSET, OBJ_STREAM) and db.blocking_keys:
        signalKeyAsReady(db, key, val.type)
    notifyKeyspaceEvent(NOTIFY_NEW, "new", key, db.id)


def dbAddRDBLoad(db, key, val):
    """Add a key while loading: no notifications, reports duplicates (dbAddRDBLoad)."""
    d = db.dict
    if key in d:
        return 0
    d[key] = val
    if _RANDOM_SNAPSHOTS:
        _RANDOM_SNAPSHOTS.pop(id(d), None)
    update_key_memory(db, key)
    return 1


def dbOverwrite(db, key, val):
    """Replace the value of an existing key (dbOverwrite)."""
    old = db.dict[key]
    if server.maxmemory_policy & MAXMEMORY_FLAG_LFU:
        val.lru = old.lru
    if old is not val:
        server.dataset_memory -= old.mem
        old.mem = 0
    db.dict[key] = val


def setKey(c, db, key, val, flags):
    """High-level set: add or overwrite, drop the TTL unless kept, signal (setKey).

    This is the one path SET, GETSET, SETEX, MSET ... store through, so
    WATCH sees every one of them.
    """
    d = db.dict
    if flags & SETKEY_ALREADY_EXIST:
        keyfound = True
    elif flags & SETKEY_DOESNT_EXIST:
        keyfound = False
    else:
        keyfound = lookupKeyWrite(db, key) is not None
    if not keyfound:
        d[key] = val
        if _RANDOM_SNAPSHOTS:
            _RANDOM_SNAPSHOTS.pop(id(d), None)
        if server.notify_keyspace_events & NOTIFY_NEW:
            notifyKeyspaceEvent(NOTIFY_NEW, "new", key, db.id)
        if db.blocking_keys and val.type in (OBJ_LIST, OBJ_ZSET, OBJ_STREAM):
            signalKeyAsReady(db, key, val.type)
    else:
        dbOverwrite(db, key, val)
    if not (flags & SETKEY_KEEPTTL) and db.expires:
        db.expires.pop(key, None)
    if not (flags & SETKEY_NO_SIGNAL):
        signalModifiedKey(c, db, key)
    else:
        update_key_memory(db, key)


def dbExists(db, key):
    """Does the key exist (no expiry check) (dbExists)?"""
    return key in db.dict


def dbRandomKey(db):
    """A random key that is not expired, or None (dbRandomKey).

    Like Redis, it deletes expired keys it happens to pick, and gives up the
    expiry check after 100 tries when every key is volatile on a replica.
    The pick is random_member's: amortized O(1) while no key is added, where
    copying the key list for each call would cost O(n).
    """
    d = db.dict
    maxtries = 100
    allvolatile = len(d) == len(db.expires)
    while True:
        if not d:
            return None
        key = random_member(d)
        if key in db.expires:
            if allvolatile and server.masterhost:
                maxtries -= 1
                if maxtries == 0:
                    return key
            if expireIfNeeded(db, key, 0):
                continue
        return key


def dbSyncDelete(db, key):
    """Delete a key, its expire, and what hangs on it (dbSyncDelete)."""
    val = db.dict.pop(key, None)
    if val is None:
        return 0
    if db.expires:
        db.expires.pop(key, None)
    # Take the key's charge back; zero it, because RENAME and MOVE add the
    # same value under its new key before deleting the old one.
    server.dataset_memory -= val.mem
    val.mem = 0
    return 1


def dbAsyncDelete(db, key):
    """UNLINK's delete (dbAsyncDelete).

    Redis hands big values to a background thread to free. Python frees a
    value when its last reference goes, and we keep no threads on the data
    path, so this is dbSyncDelete; the command and its reply are the same.
    """
    return dbSyncDelete(db, key)


def dbDelete(db, key):
    """Delete honouring lazyfree-lazy-server-del (dbDelete)."""
    return dbSyncDelete(db, key)


def dbUnshareStringValue(db, key, o):
    """Make a string value safe to modify in place (dbUnshareStringValue).

    Our string objects are never shared, but int-encoded ones hold a Python
    int: callers that append or set ranges need raw bytes, so convert.
    """
    if o.encoding == OBJ_ENCODING_INT:
        o = createRawStringObject(b"%d" % o.ptr)
        dbOverwrite(db, key, o)
    return o


def emptyDbStructure(dbarray, dbnum):
    """Empty one database or all (-1); returns the number of keys removed."""
    removed = 0
    targets = dbarray if dbnum == -1 else [dbarray[dbnum]]
    for db in targets:
        removed += len(db.dict)
        forget_db_memory(db)
        db.dict = {}
        db.expires = {}
        db.avg_ttl = 0
        db.expires_cursor = 0
    return removed


def emptyData(dbnum, flags, callback=None):
    """Remove all keys of one db or all dbs (emptyData)."""
    if dbnum < -1 or dbnum >= server.dbnum:
        return -1
    signalFlushedDb(dbnum, 0)
    return emptyDbStructure(server.db, dbnum)


def selectDb(c, id):
    """Switch the client to database `id` (selectDb)."""
    if id < 0 or id >= server.dbnum:
        return C_ERR
    c.db = server.db[id]
    return C_OK


def initDatabases():
    """Create server.dbnum empty databases (the part of initServer that does it)."""
    server.db = [redisDb(j) for j in range(server.dbnum)]


# ---------------------------------------------------------------------------
# Hooks: modified keys, flushes, ready keys
# ---------------------------------------------------------------------------
def signalModifiedKey(c, db, key):
    """A key changed: invalidate WATCHes and tracking (signalModifiedKey).

    It also re-charges the key in the memory model (object.py): every write
    path calls this, so used_memory stays current at O(1) per write.
    """
    update_key_memory(db, key, True)
    if db.watched_keys:
        touchWatchedKey(db, key)
    # Tracking has work only while some key is remembered or some BCAST
    # prefix is followed (the tables may outlive tracking_clients: ids are
    # dropped lazily); two empty-dict tests keep the common case cheap.
    if TrackingTable or PrefixTable:
        trackingInvalidateKey(c, key, 1)


def signalFlushedDb(dbid, async_):
    """A db was flushed: every WATCH on it fails, tracking clients are told (signalFlushedDb)."""
    if dbid == -1:
        for db in server.db:
            touchAllWatchedKeysInDb(db, None)
    else:
        touchAllWatchedKeysInDb(server.db[dbid], None)
    trackingInvalidateKeysOnFlush(async_)


def signalKeyAsReady(db, key, type):
    """A key clients may block on got data: queue it for them (signalKeyAsReady)."""
    blocked.signalKeyAsReady(db, key, type)


# ---------------------------------------------------------------------------
# Expires
# ---------------------------------------------------------------------------
def removeExpire(db, key):
    """Make a key persistent; True if it had a TTL (removeExpire)."""
    return db.expires.pop(key, None) is not None


def setExpire(c, db, key, when):
    """Set the absolute unix-ms expire of an existing key (setExpire)."""
    db.expires[key] = when
    writable_slave = server.masterhost and not server.repl_slave_ro
    if c is not None and writable_slave and not (c.flags & 2):
        from .expire import rememberSlaveKeyWithExpire
        rememberSlaveKeyWithExpire(db, key)


def getExpire(db, key):
    """The key's absolute unix-ms expire, or -1 (getExpire)."""
    return db.expires.get(key, -1)


def keyIsExpired(db, key):
    """Is the key logically expired now (keyIsExpired)?

    While a command runs we compare with the time it started
    (server.cmd_time_snapshot), so a key cannot expire half way through a
    MULTI block or a script, as in 7.0.
    """
    when = db.expires.get(key)
    if when is None or server.loading:
        return False
    if server.fixed_time_expire > 0:
        now = server.mstime
    else:
        now = mstime()
    return now > when


def expireIfNeeded(db, key, flags):
    """Delete the key if it is expired; True when it is logically gone (expireIfNeeded).

    On a replica, keys expire only when the master says so (a DEL in the
    stream); until then a read reports them missing but they stay.
    """
    if not keyIsExpired(db, key):
        return False
    if server.masterhost is not None:
        if server.current_client is not None and server.current_client is server.master:
            return False
        if not (flags & EXPIRE_FORCE_DELETE_EXPIRED):
            return True
    if flags & EXPIRE_AVOID_DELETE_EXPIRED:
        return True
    if server.client_pause_type == 1 and checkClientPauseTimeoutAndReturnIfPaused():
        return True
    deleteExpiredKeyAndPropagate(db, key)
    return True


def deleteExpiredKeyAndPropagate(db, key):
    """Delete an expired key, notify, and propagate a DEL (deleteExpiredKeyAndPropagate)."""
    t = latencyStartMonitor()
    dbSyncDelete(db, key)
    latencyAddSampleIfNeeded("expire-del", latencyEndMonitor(t))
    notifyKeyspaceEvent(NOTIFY_EXPIRED, "expired", key, db.id)
    signalModifiedKey(None, db, key)
    propagateDeletion(db, key, server.lazyfree_lazy_expire)
    server.stat_expiredkeys += 1


def propagateDeletion(db, key, lazy):
    """Send DEL/UNLINK for an expired or evicted key to AOF and replicas (propagateDeletion)."""
    propagate(db.id, [b"UNLINK" if lazy else b"DEL", key], PROPAGATE_AOF | PROPAGATE_REPL)


# Imported late: these constants are used above only at call time.
from .server_h import NOTIFY_EXPIRED, NOTIFY_NEW  # noqa: E402


# ---------------------------------------------------------------------------
# Generic key commands
# ---------------------------------------------------------------------------
def delGenericCommand(c, lazy):
    """DEL and UNLINK (delGenericCommand)."""
    numdel = 0
    db = c.db
    for key in c.argv[1:]:
        if db.expires and key in db.expires:
            expireIfNeeded(db, key, 0)
        deleted = dbAsyncDelete(db, key) if lazy else dbSyncDelete(db, key)
        if deleted:
            signalModifiedKey(c, db, key)
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, db.id)
            server.dirty += 1
            numdel += 1
    addReplyLongLong(c, numdel)


def delCommand(c):
    """DEL key [key ...] (delCommand)."""
    delGenericCommand(c, server.lazyfree_lazy_user_del)


def unlinkCommand(c):
    """UNLINK key [key ...] (unlinkCommand)."""
    delGenericCommand(c, 1)


def existsCommand(c):
    """EXISTS key [key ...]: counts repeated keys again, as Redis (existsCommand)."""
    count = 0
    for key in c.argv[1:]:
        if lookupKeyReadWithFlags(c.db, key, LOOKUP_NOTOUCH) is not None:
            count += 1
    addReplyLongLong(c, count)


def selectCommand(c):
    """SELECT index (selectCommand)."""
    id = getIntFromObjectOrReply(c, c.argv[1], None)
    if id is None:
        return
    if server.cluster_enabled and id != 0:
        addReplyError(c, "SELECT is not allowed in cluster mode")
        return
    if selectDb(c, id) == C_ERR:
        addReplyError(c, "DB index is out of range")
    else:
        addReply(c, shared.ok)


def randomkeyCommand(c):
    """RANDOMKEY (randomkeyCommand)."""
    key = dbRandomKey(c.db)
    if key is None:
        addReplyNull(c)
    else:
        addReplyBulkCBuffer(c, key)


def keysCommand(c):
    """KEYS pattern (keysCommand)."""
    pattern = c.argv[1]
    allkeys = pattern == b"*"
    db = c.db
    out = []
    for key in list(db.dict):
        if allkeys or stringmatchlen(pattern, key):
            if db.expires and key in db.expires and keyIsExpired(db, key):
                continue
            out.append(key)
    addReplyArrayLen(c, len(out))
    for key in out:
        addReplyBulkCBuffer(c, key)


# -- SCAN ----------------------------------------------------------------------
# Redis's SCAN cursor walks the buckets of its hash table in reverse-binary
# order, which survives rehashing. Python's dict exposes no buckets, so we
# take the other classic route: the first call (cursor 0) snapshots the key
# order, and the cursor encodes which snapshot and how far into it we are.
# A key present for the whole scan is in the snapshot, so it is returned;
# keys deleted meanwhile are skipped when reached; a key may be returned
# twice only if it was deleted and re-added, which Redis allows too. The
# snapshot holds references, not copies, and a small table keeps the most
# recent ones, so an abandoned scan costs nothing for long.
_SCAN_SNAPSHOTS = {}
_SCAN_MAX_SNAPSHOTS = 64
_SCAN_POS_BITS = 40
_scan_next_id = [1]


def _scan_snapshot(cursor, container_keys):
    """Return (keys, start, snapshot id) for a cursor, making a snapshot at 0."""
    if cursor == 0:
        sid = _scan_next_id[0]
        _scan_next_id[0] = sid + 1 if sid < (1 << 23) else 1
        keys = list(container_keys())
        _SCAN_SNAPSHOTS[sid] = keys
        while len(_SCAN_SNAPSHOTS) > _SCAN_MAX_SNAPSHOTS:
            _SCAN_SNAPSHOTS.pop(next(iter(_SCAN_SNAPSHOTS)))
        return keys, 0, sid
    sid = cursor >> _SCAN_POS_BITS
    pos = cursor & ((1 << _SCAN_POS_BITS) - 1)
    keys = _SCAN_SNAPSHOTS.get(sid)
    if keys is None:
        # An unknown cursor (from before a restart, or long abandoned):
        # start a fresh snapshot at the same position so the scan still ends.
        keys = list(container_keys())
        _SCAN_SNAPSHOTS[sid] = keys
    return keys, pos, sid


def parseScanCursorOrReply(c, o):
    """Parse an unsigned cursor or reply "invalid cursor" (parseScanCursorOrReply).

    Redis parses with strtoul, so we accept what it accepts: an optional
    sign ("-1" wraps to 2**64-1), an empty string (0), but no leading space,
    no trailing junk and nothing past 2**64-1.
    """
    # strtoul reads a C string: a NUL byte ends the cursor ("\0junk" is 0).
    o = c_string(o)
    if o[:1].isspace():
        v = None
    else:
        body = o[1:] if o[:1] in (b"-", b"+") else o
        if body == b"" and o != b"":
            v = None        # a lone sign: strtoul parses nothing, eptr is at the sign
        elif body != b"" and not body.isdigit():
            v = None
        else:
            # Past 20 significant digits it is out of range: tested before
            # int(), which refuses more than 4300 digits.
            digits = body.lstrip(b"0")
            v = int(digits) if digits and len(digits) <= 20 else (None if digits else 0)
            if v is None or v > 0xFFFFFFFFFFFFFFFF:
                v = None
            elif o[:1] == b"-":
                v = (-v) & 0xFFFFFFFFFFFFFFFF
    if v is None:
        addReplyError(c, "invalid cursor")
    return v


def scanGenericCommand(c, o, cursor):
    """SCAN, SSCAN, HSCAN and ZSCAN share this (scanGenericCommand).

    `o` is None for SCAN (the keyspace) or the value object for the others.
    """
    argv = c.argv
    i = 2 if o is None else 3
    count = 10
    pat = None
    typename = None
    while i < len(argv):
        j = len(argv) - i
        opt = c_string(argv[i]).lower()
        if opt == b"count" and j >= 2:
            count = getLongFromObjectOrReply(c, argv[i + 1], None)
            if count is None:
                return
            if count < 1:
                addReplyErrorObject(c, shared.syntaxerr)
                return
            i += 2
        elif opt == b"match" and j >= 2:
            pat = argv[i + 1]
            if pat == b"*":
                pat = None
            i += 2
        elif opt == b"type" and o is None and j >= 2:
            typename = c_string(argv[i + 1]).decode("latin-1").lower()
            i += 2
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return

    db = c.db
    if o is None:
        container = db.dict
    else:
        container = scan_items(o)
        if container is None:
            return
        # Small encodings are returned whole, with cursor 0, in one call, as
        # Redis does for listpacks and intsets.
        if o.encoding not in (OBJ_ENCODING_HT, OBJ_ENCODING_SKIPLIST):
            _reply_scan(c, 0, list(container), container, pat, o)
            return

    keys, pos, sid = _scan_snapshot(cursor, container.__iter__)
    out = []
    n = len(keys)
    # Redis visits about `count` buckets per call; we visit `count` live keys,
    # skipping those gone since the snapshot.
    budget = count
    while pos < n and budget > 0:
        k = keys[pos]
        pos += 1
        if k in container:
            out.append(k)
            budget -= 1
    next_cursor = 0 if pos >= n else (sid << _SCAN_POS_BITS) | pos
    if next_cursor == 0:
        _SCAN_SNAPSHOTS.pop(sid, None)

    if o is not None:
        _reply_scan(c, next_cursor, out, container, pat, o)
        return
    result = []
    for k in out:
        if pat is not None and not stringmatchlen(pat, k):
            continue
        if db.expires and k in db.expires and expireIfNeeded(db, k, 0):
            continue
        if typename is not None:
            v = db.dict.get(k)
            if v is None or typeName(v) != typename:
                continue
        result.append(k)
    addReplyArrayLen(c, 2)
    addReplyBulkCBuffer(c, b"%d" % next_cursor)
    addReplyArrayLen(c, len(result))
    for k in result:
        addReplyBulkCBuffer(c, k)


def scan_items(o):
    """What SSCAN/HSCAN/ZSCAN walk: a container of members (a dict for hashes and zsets).

    The type modules keep their values in Python containers; a module whose
    value is not directly iterable registers a view in server.scan_item_hooks.
    """
    hook = server.scan_item_hooks.get(o.type)
    if hook is not None:
        return hook(o)
    return o.ptr


def _reply_scan(c, cursor, members, container, pat, o):
    """Reply [cursor, elements]; hashes and zsets send member/value pairs."""
    out = [k for k in members if pat is None or stringmatchlen(
        pat, k if isinstance(k, bytes) else b"%d" % k)]
    addReplyArrayLen(c, 2)
    addReplyBulkCBuffer(c, b"%d" % cursor)
    if o.type == OBJ_SET:
        addReplyArrayLen(c, len(out))
        for k in out:
            addReplyBulkCBuffer(c, k if isinstance(k, bytes) else b"%d" % k)
        return
    # A listpack zset holds its scores as d2string text, and that text is
    # what ZSCAN returns; a skiplist zset's scores go through %.17g.
    if o.type == OBJ_ZSET:
        fmt = d2string if o.encoding == OBJ_ENCODING_LISTPACK else fmt_double_g17
    addReplyArrayLen(c, len(out) * 2)
    for k in out:
        addReplyBulkCBuffer(c, k)
        v = container[k]
        addReplyBulkCBuffer(c, fmt(v) if o.type == OBJ_ZSET else v)


def scanCommand(c):
    """SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] (scanCommand)."""
    cursor = parseScanCursorOrReply(c, c.argv[1])
    if cursor is None:
        return
    scanGenericCommand(c, None, cursor)


def dbsizeCommand(c):
    """DBSIZE (dbsizeCommand)."""
    addReplyLongLong(c, len(c.db.dict))


def lastsaveCommand(c):
    """LASTSAVE (lastsaveCommand)."""
    addReplyLongLong(c, server.lastsave)


_TYPE_NAMES = {OBJ_STRING: "string", OBJ_LIST: "list", OBJ_SET: "set", OBJ_ZSET: "zset",
               OBJ_HASH: "hash", OBJ_STREAM: "stream"}


def typeName(o):
    """The name TYPE reports for a value."""
    return _TYPE_NAMES.get(o.type, "unknown")


def typeCommand(c):
    """TYPE key (typeCommand)."""
    o = lookupKeyReadWithFlags(c.db, c.argv[1], LOOKUP_NOTOUCH)
    addReplyStatus(c, "none" if o is None else typeName(o))


def getFlushCommandFlags(c):
    """Parse FLUSHALL/FLUSHDB's optional ASYNC|SYNC; None after a syntax error (getFlushCommandFlags)."""
    if len(c.argv) > 2:
        addReplyErrorObject(c, shared.syntaxerr)
        return None
    if len(c.argv) == 2:
        opt = c_string(c.argv[1]).lower()
        if opt == b"sync":
            return 0
        if opt == b"async":
            return 1
        addReplyErrorObject(c, shared.syntaxerr)
        return None
    return 1 if server.lazyfree_lazy_user_flush else 0


def flushdbCommand(c):
    """FLUSHDB [ASYNC|SYNC] (flushdbCommand)."""
    flags = getFlushCommandFlags(c)
    if flags is None:
        return
    server.dirty += emptyData(c.db.id, flags)
    addReply(c, shared.ok)


def flushAllDataAndResetRDB(flags):
    """Empty every db; with save points, write an empty RDB at once (flushAllDataAndResetRDB)."""
    server.dirty += emptyData(-1, flags)
    if server.child_type == 1:   # CHILD_TYPE_RDB
        killRDBChild()
    if server.saveparams:
        try:
            from .rdb import rdbSave, rdbPopulateSaveInfo
        except ImportError:
            rdbSave = None
        if rdbSave is not None:
            saved_dirty = server.dirty
            rdbSave(0, server.rdb_filename, rdbPopulateSaveInfo())
            server.dirty = saved_dirty
    server.dirty += 1


def flushallCommand(c):
    """FLUSHALL [ASYNC|SYNC] (flushallCommand)."""
    flags = getFlushCommandFlags(c)
    if flags is None:
        return
    flushAllDataAndResetRDB(flags)
    addReply(c, shared.ok)


def renameGenericCommand(c, nx):
    """RENAME and RENAMENX (renameGenericCommand)."""
    src, dst = c.argv[1], c.argv[2]
    samekey = src == dst
    o = lookupKeyWriteOrReply(c, src, shared.nokeyerr)
    if o is None:
        return
    if samekey:
        addReply(c, shared.czero if nx else shared.ok)
        return
    expire = getExpire(c.db, src)
    if lookupKeyWrite(c.db, dst) is not None:
        if nx:
            addReply(c, shared.czero)
            return
        dbDelete(c.db, dst)
    dbAdd(c.db, dst, o)
    if expire != -1:
        setExpire(c, c.db, dst, expire)
    dbDelete(c.db, src)
    signalModifiedKey(c, c.db, src)
    signalModifiedKey(c, c.db, dst)
    notifyKeyspaceEvent(NOTIFY_GENERIC, "rename_from", src, c.db.id)
    notifyKeyspaceEvent(NOTIFY_GENERIC, "rename_to", dst, c.db.id)
    server.dirty += 1
    addReply(c, shared.cone if nx else shared.ok)


def renameCommand(c):
    """RENAME key newkey (renameCommand)."""
    renameGenericCommand(c, 0)


def renamenxCommand(c):
    """RENAMENX key newkey (renamenxCommand)."""
    renameGenericCommand(c, 1)


def moveCommand(c):
    """MOVE key db (moveCommand)."""
    if server.cluster_enabled:
        addReplyError(c, "MOVE is not allowed in cluster mode")
        return
    src = c.db
    srcid = src.id
    dbid = getIntFromObjectOrReply(c, c.argv[2], None)
    if dbid is None:
        return
    if dbid < 0 or dbid >= server.dbnum:
        addReplyError(c, "DB index is out of range")
        return
    dst = server.db[dbid]
    if srcid == dbid:
        addReplyErrorObject(c, shared.sameobjecterr)
        return
    key = c.argv[1]
    o = lookupKeyWrite(src, key)
    if o is None:
        addReply(c, shared.czero)
        return
    expire = getExpire(src, key)
    if lookupKeyWrite(dst, key) is not None:
        addReply(c, shared.czero)
        return
    dbAdd(dst, key, o)
    if expire != -1:
        setExpire(c, dst, key, expire)
    dbDelete(src, key)
    server.dirty += 1
    signalModifiedKey(c, src, key)
    signalModifiedKey(c, dst, key)
    notifyKeyspaceEvent(NOTIFY_GENERIC, "move_from", key, srcid)
    notifyKeyspaceEvent(NOTIFY_GENERIC, "move_to", key, dbid)
    addReply(c, shared.cone)


def copyCommand(c):
    """COPY source destination [DB destination-db] [REPLACE] (copyCommand)."""
    src = c.db
    dst = c.db
    replace = False
    argv = c.argv
    j = 3
    while j < len(argv):
        opt = c_string(argv[j]).lower()
        if opt == b"replace":
            replace = True
        elif opt == b"db" and j + 1 < len(argv):
            dbid = getIntFromObjectOrReply(c, argv[j + 1], None)
            if dbid is None:
                return
            if dbid < 0 or dbid >= server.dbnum:
                addReplyError(c, "DB index is out of range")
                return
            dst = server.db[dbid]
            j += 1
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        j += 1
    if server.cluster_enabled and src is not dst:
        addReplyError(c, "Copying to another database is not allowed in cluster mode")
        return
    key, newkey = argv[1], argv[2]
    if src is dst and key == newkey:
        addReplyErrorObject(c, shared.sameobjecterr)
        return
    o = lookupKeyRead(src, key)
    if o is None:
        addReply(c, shared.czero)
        return
    expire = getExpire(src, key)
    if lookupKeyWrite(dst, newkey) is not None:
        if not replace:
            addReply(c, shared.czero)
            return
        dbDelete(dst, newkey)
    newobj = dupObject(o)
    if newobj is None:
        addReplyError(c, "unknown type object")
        return
    dbAdd(dst, newkey, newobj)
    if expire != -1:
        setExpire(c, dst, newkey, expire)
    signalModifiedKey(c, dst, newkey)
    notifyKeyspaceEvent(NOTIFY_GENERIC, "copy_to", newkey, dst.id)
    server.dirty += 1
    addReply(c, shared.cone)


def dupObject(o):
    """A deep copy of a value, as COPY needs (the dup*Object family of object.c).

    Each type module may register a duplicator in server.dup_object_hooks
    keyed by type; strings are immutable bytes, so they share the buffer.
    Like Redis's, a copy is a new object: its LRU clock or LFU counter starts
    afresh (OBJECT IDLETIME 0), and a small integer copy is not shared.
    """
    if o.type == OBJ_STRING:
        return dupStringObject(o)
    dup = server.dup_object_hooks.get(o.type)
    if dup is None:
        import copy
        return createObject(o.type, copy.deepcopy(o.ptr), o.encoding)
    # Stamped here rather than trusted to each hook: a copy's LFU counter
    # restarts at LFU_INIT_VAL even when the source's is high.
    return initObjectLRUOrLFU(dup(o))


def dbSwapDatabases(id1, id2):
    """Swap the contents of two databases; clients stay on their ids (dbSwapDatabases)."""
    if id1 < 0 or id1 >= server.dbnum or id2 < 0 or id2 >= server.dbnum:
        return C_ERR
    if id1 == id2:
        return C_OK
    a, b = server.db[id1], server.db[id2]
    # WATCHes are judged on the contents before the swap: each side's keys
    # are "emptied" and replaced by the other side's.
    touchAllWatchedKeysInDb(a, b)
    touchAllWatchedKeysInDb(b, a)
    a.dict, b.dict = b.dict, a.dict
    a.expires, b.expires = b.expires, a.expires
    a.avg_ttl, b.avg_ttl = b.avg_ttl, a.avg_ttl
    a.expires_cursor, b.expires_cursor = b.expires_cursor, a.expires_cursor
    # Clients blocked on keys that now exist in the swapped-in data wake up.
    from .blocked import scanDatabaseForReadyKeys
    scanDatabaseForReadyKeys(a)
    scanDatabaseForReadyKeys(b)
    return C_OK


def swapdbCommand(c):
    """SWAPDB index1 index2 (swapdbCommand)."""
    if server.cluster_enabled:
        addReplyError(c, "SWAPDB is not allowed in cluster mode")
        return
    id1 = getIntFromObjectOrReply(c, c.argv[1], "invalid first DB index")
    if id1 is None:
        return
    id2 = getIntFromObjectOrReply(c, c.argv[2], "invalid second DB index")
    if id2 is None:
        return
    if dbSwapDatabases(id1, id2) == C_ERR:
        addReplyError(c, "DB index is out of range")
        return
    server.dirty += 1
    addReply(c, shared.ok)


def shutdownCommand(c):
    """SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT] (shutdownCommand)."""
    flags = 0
    abort = False
    for opt in c.argv[1:]:
        o = c_string(opt).lower()
        if o == b"nosave":
            flags |= SHUTDOWN_NOSAVE
        elif o == b"save":
            flags |= SHUTDOWN_SAVE
        elif o == b"now":
            flags |= SHUTDOWN_NOW
        elif o == b"force":
            flags |= SHUTDOWN_FORCE
        elif o == b"abort":
            abort = True
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
    if (abort and flags != 0) or (flags & SHUTDOWN_NOSAVE and flags & SHUTDOWN_SAVE):
        addReplyErrorObject(c, shared.syntaxerr)
        return
    if abort:
        if abortShutdown() == C_OK:
            addReply(c, shared.ok)
        else:
            addReplyError(c, "No shutdown in progress.")
        return
    if not (flags & SHUTDOWN_NOW) and c.flags & CLIENT_DENY_BLOCKING:
        addReplyError(c, "SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client")
        return
    if not (flags & SHUTDOWN_NOSAVE) and server.loading:
        # Saving while loading would write a partial dataset.
        flags = (flags & ~SHUTDOWN_SAVE) | SHUTDOWN_NOSAVE
    if prepareForShutdown(flags) == C_OK:
        import os
        os._exit(0)
    elif isShutdownInitiated():
        # Waiting for replicas: the reply comes when shutdown finishes or aborts.
        from .blocked import blockClient
        blockClient(c, BLOCKED_SHUTDOWN)
    else:
        addReplyError(c, "Errors trying to SHUTDOWN. Check logs.")


# ---------------------------------------------------------------------------
# Finding the key arguments of a command (db.c's key-spec walker and the
# getkeys procs of the commands whose specs cannot say it all).
#
# A result is a list of (argv index, flags) where flags is a list of key-spec
# flag names ("RW", "ACCESS", ...), the form the command table keeps them in.
# The C code works on bit masks; names keep COMMAND INFO and GETKEYSANDFLAGS
# on one representation.
# ---------------------------------------------------------------------------

GET_KEYSPEC_DEFAULT = 0
GET_KEYSPEC_INCLUDE_NOT_KEYS = 1 << 0
GET_KEYSPEC_RETURN_PARTIAL = 1 << 1


def getKeysUsingKeySpecs(cmd, argv, search_flags=GET_KEYSPEC_DEFAULT):
    """Walk the command's key specs over argv (getKeysUsingKeySpecs).

    Returns the key positions, or None when a spec cannot be followed
    (unknown/incomplete spec, bad numkeys, keys out of range) and the caller
    did not ask for a partial answer.
    """
    argc = len(argv)
    keys = []
    for spec in cmd.key_specs:
        flags = spec.get("flags", [])
        if "NOT_KEY" in flags and not search_flags & GET_KEYSPEC_INCLUDE_NOT_KEYS:
            continue
        bs = spec.get("begin_search") or {}
        fk = spec.get("find_keys") or {}
        ok = True
        first = 0
        if "index" in bs:
            first = bs["index"]["pos"]
        elif "keyword" in bs:
            kw = bs["keyword"]["keyword"].lower().encode()
            startfrom = bs["keyword"]["startfrom"]
            # Search forward from a positive start, backward from a negative
            # one (counted from the end), never looking at argv[0].
            if startfrom > 0:
                positions = range(startfrom, argc - 1)
            else:
                positions = range(argc + startfrom, 1, -1)
            for i in positions:
                if i >= argc or i < 1:
                    break
                if c_string(argv[i]).lower() == kw:
                    first = i + 1
                    break
            if not first:
                continue
        else:
            ok = False
        if ok and "range" in fk:
            r = fk["range"]
            step = r["step"]
            if r["lastkey"] >= 0:
                last = first + r["lastkey"]
            elif not r["limit"]:
                last = argc + r["lastkey"]
            else:
                last = first + ((argc - first) // r["limit"] + r["lastkey"])
        elif ok and "keynum" in fk:
            kn = fk["keynum"]
            step = kn["step"]
            idx = first + kn["keynumidx"]
            numkeys = None
            if kn["keynumidx"] < argc and idx < argc:
                numkeys = string2ll(argv[idx])
            if numkeys is None or numkeys < 0:
                ok = False
            else:
                first += kn["firstkey"]
                last = first + numkeys - 1
        else:
            ok = False
        if ok and (last >= argc or last < first or first >= argc):
            ok = False
        if ok:
            for i in range(first, last + 1, step):
                keys.append((i, flags))
            if "INCOMPLETE" in flags:
                ok = False
        if not ok:
            if search_flags & GET_KEYSPEC_RETURN_PARTIAL:
                continue
            return None
    return keys


def getKeysFromCommandWithSpecs(cmd, argv, search_flags=GET_KEYSPEC_DEFAULT):
    """The key positions of argv for cmd (getKeysFromCommandWithSpecs).

    The key specs are trusted when at least one names real keys and none has
    VARIABLE_FLAGS; otherwise, or when they fail on this argv, the command's
    getkeys proc decides. Returns a list of (index, flags), possibly empty.
    """
    specs = cmd.key_specs
    has_keyspec = any("NOT_KEY" not in s.get("flags", []) for s in specs)
    has_varflags = any("VARIABLE_FLAGS" in s.get("flags", []) for s in specs)
    if has_keyspec and not has_varflags:
        keys = getKeysUsingKeySpecs(cmd, argv, search_flags)
        if keys is not None:
            return keys
    if cmd.getkeys_proc is not None:
        return cmd.getkeys_proc(cmd, argv)
    return []


def doesCommandHaveKeys(cmd):
    """Can this command name keys at all (server.c's doesCommandHaveKeys)?"""
    return (cmd.getkeys_proc is not None
            or any("NOT_KEY" not in s.get("flags", []) for s in cmd.key_specs))


def genericGetKeys(storeKeyOfs, keyCountOfs, firstKeyOfs, keyStep, argv):
    """Keys of "[dest] numkeys key [key ...] options" commands (genericGetKeys).

    numkeys is read with atoi, as in C: leading digits count, junk is 0.
    """
    num = _atoi(argv[keyCountOfs])
    if num < 1 or num > (len(argv) - firstKeyOfs) // keyStep:
        return []
    keys = [(firstKeyOfs + i * keyStep, []) for i in range(num)]
    if storeKeyOfs:
        keys.append((storeKeyOfs, []))
    return keys


def _atoi(b):
    """C atoi: optional spaces and sign, then the leading digits (0 if none)."""
    s = bytes(b).lstrip(b" \t\n\r\v\f")
    sign = 1
    if s[:1] in (b"-", b"+"):
        sign = -1 if s[:1] == b"-" else 1
        s = s[1:]
    n = 0
    for ch in s:
        if not 48 <= ch <= 57:
            break
        n = n * 10 + ch - 48
    n *= sign
    # atoi returns an int: keep the low 32 bits, signed.
    n &= 0xFFFFFFFF
    return n - (1 << 32) if n >= 1 << 31 else n


def sintercardGetKeys(cmd, argv):
    """SINTERCARD numkeys key ... (sintercardGetKeys)."""
    return genericGetKeys(0, 1, 2, 1, argv)


def zunionInterDiffStoreGetKeys(cmd, argv):
    """Z*STORE dest numkeys key ... (zunionInterDiffStoreGetKeys)."""
    return genericGetKeys(1, 2, 3, 1, argv)


def zunionInterDiffGetKeys(cmd, argv):
    """ZUNION/ZINTER/ZDIFF numkeys key ... (zunionInterDiffGetKeys)."""
    return genericGetKeys(0, 1, 2, 1, argv)


def evalGetKeys(cmd, argv):
    """EVAL script numkeys key ... (evalGetKeys)."""
    return genericGetKeys(0, 2, 3, 1, argv)


def functionGetKeys(cmd, argv):
    """FCALL function numkeys key ... (functionGetKeys)."""
    return genericGetKeys(0, 2, 3, 1, argv)


def lmpopGetKeys(cmd, argv):
    """LMPOP numkeys key ... (lmpopGetKeys)."""
    return genericGetKeys(0, 1, 2, 1, argv)


def blmpopGetKeys(cmd, argv):
    """BLMPOP timeout numkeys key ... (blmpopGetKeys)."""
    return genericGetKeys(0, 2, 3, 1, argv)


def zmpopGetKeys(cmd, argv):
    """ZMPOP numkeys key ... (zmpopGetKeys)."""
    return genericGetKeys(0, 1, 2, 1, argv)


def bzmpopGetKeys(cmd, argv):
    """BZMPOP timeout numkeys key ... (bzmpopGetKeys)."""
    return genericGetKeys(0, 2, 3, 1, argv)


def sortROGetKeys(cmd, argv):
    """SORT_RO key ...: only the sorted key is known (sortROGetKeys)."""
    return [(1, ["RO", "ACCESS"])]


def sortGetKeys(cmd, argv):
    """SORT key ... [STORE dest] (sortGetKeys).

    Options are skipped with their argument counts so a "store" that is an
    argument of LIMIT/GET/BY is not taken for the option; the last STORE
    wins, as in SORT itself.
    """
    keys = [(1, ["RO", "ACCESS"])]
    store = None
    skips = ((b"limit", 2), (b"get", 1), (b"by", 1))
    i = 2
    argc = len(argv)
    while i < argc:
        arg = c_string(argv[i]).lower()
        for name, skip in skips:
            if arg == name:
                i += skip
                break
            if arg == b"store" and i + 1 < argc:
                store = i + 1
                break
        i += 1
    if store is not None:
        keys.append((store, ["OW", "UPDATE"]))
    return keys


def migrateGetKeys(cmd, argv):
    """MIGRATE host port key|"" db timeout [...] [KEYS k ...] (migrateGetKeys)."""
    first, num = 3, 1
    argc = len(argv)
    skips = {b"copy": 0, b"replace": 0, b"auth": 1, b"auth2": 2}
    if argc > 6:
        i = 6
        while i < argc:
            arg = c_string(argv[i]).lower()
            if arg == b"keys":
                if len(argv[3]) > 0:
                    num = 0     # a key and KEYS both: MIGRATE replies the syntax error
                else:
                    first = i + 1
                    num = argc - first
                break
            i += skips.get(arg, 0) + 1
    return [(first + i, ["RW", "ACCESS", "DELETE"]) for i in range(num)]


def georadiusGetKeys(cmd, argv):
    """GEORADIUS[BYMEMBER] key ... [STORE|STOREDIST key] (georadiusGetKeys)."""
    stored = None
    i = 5
    argc = len(argv)
    while i < argc:
        arg = c_string(argv[i]).lower()
        if arg in (b"store", b"storedist") and i + 1 < argc:
            stored = i + 1
            i += 1
        i += 1
    keys = [(1, [])]
    if stored is not None:
        keys.append((stored, []))
    return keys


def xreadGetKeys(cmd, argv):
    """XREAD/XREADGROUP ... STREAMS key ... id ... (xreadGetKeys)."""
    streams_pos = -1
    i = 1
    argc = len(argv)
    while i < argc:
        arg = c_string(argv[i]).lower()
        if arg in (b"block", b"count"):
            i += 1
        elif arg == b"group":
            i += 2
        elif arg == b"noack":
            pass
        elif arg == b"streams":
            streams_pos = i
            break
        else:
            break
        i += 1
    num = argc - streams_pos - 1 if streams_pos != -1 else 0
    if streams_pos == -1 or num == 0 or num % 2:
        return []
    num //= 2
    return [(i, []) for i in range(streams_pos + 1, argc - num)]


def setGetKeys(cmd, argv):
    """SET key: read-write when GET is among the options (setGetKeys)."""
    for arg in argv[3:]:
        if c_string(arg).lower() == b"get":
            return [(1, ["RW", "ACCESS", "UPDATE"])]
    return [(1, ["OW", "UPDATE"])]


def bitfieldGetKeys(cmd, argv):
    """BITFIELD key: read-only when only GET/OVERFLOW are used (bitfieldGetKeys)."""
    readonly = True
    i = 2
    argc = len(argv)
    while i < argc:
        remargs = argc - i - 1
        arg = c_string(argv[i]).lower()
        if arg == b"get" and remargs >= 2:
            i += 2
        elif arg in (b"set", b"incrby") and remargs >= 3:
            readonly = False
            break
        elif arg == b"overflow" and remargs >= 1:
            i += 1
        else:
            readonly = False
            break
        i += 1
    return [(1, ["RO", "ACCESS"] if readonly else ["RW", "ACCESS", "UPDATE"])]


# Bound at the bottom, as a module: db.py and blocked.py import each other, and a
# module object can be bound while the other is still loading (its
# functions are looked up when called). An import inside the function
# instead costs ~3 us on every call.
from . import blocked  # noqa: E402
# tracking.py needs getKeysFromCommandWithSpecs from here, so it is loaded
# once this module's functions exist. Its two tables are never rebound.
from .tracking import (  # noqa: E402
    PrefixTable, TrackingTable, trackingInvalidateKey, trackingInvalidateKeysOnFlush,
)
