"""Expiry: the EXPIRE family, TTL queries, and the active expire cycle (our expire.c).

Keys expire two ways, as in Redis. Lazily: every lookup checks the key's
expire time (db.py's expireIfNeeded). Actively: activeExpireCycle samples
keys with a TTL and deletes the expired ones, in a slow form from
serverCron (up to 25% of CPU time) and a fast form from beforeSleep (at
most 1 ms, only when the last cycles found many stale keys).

Redis walks the expires hash table with a bucket cursor. A Python dict has
no buckets, so each db keeps a snapshot of its expiring keys
(db.expires_scan) that the cursor (db.expires_cursor) walks; when the
cursor reaches its end a new snapshot is taken. Every key with a TTL is
visited once per pass, as with Redis's cursor; keys added meanwhile wait for
the next pass.
"""


from .db import (
    dbDelete, deleteExpiredKeyAndPropagate, getExpire, lookupKeyRead, lookupKeyReadWithFlags,
    lookupKeyWrite, removeExpire, setExpire, signalModifiedKey,
)
from .networking import (
    addReply, addReplyError, addReplyErrorExpireTime, addReplyErrorFormat, addReplyLongLong,
    checkClientPauseTimeoutAndReturnIfPaused,
)
from .notify import notifyKeyspaceEvent
from .object import getLongLongFromObjectOrReply
from .server_h import (
    ACTIVE_EXPIRE_CYCLE_FAST, LLONG_MAX, LOOKUP_NOTOUCH, NOTIFY_GENERIC, UNIT_MILLISECONDS,
    UNIT_SECONDS, server, shared,
)
from .util import c_string, mstime, ustime
from .latency import latencyAddSampleIfNeeded
from .server import propagatePendingCommands, rewriteClientCommandVector

ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP = 20
ACTIVE_EXPIRE_CYCLE_FAST_DURATION = 1000
ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC = 25
ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE = 10
CRON_DBS_PER_CALL = 16

EXPIRE_NX = 1 << 0
EXPIRE_XX = 1 << 1
EXPIRE_GT = 1 << 2
EXPIRE_LT = 1 << 3

# activeExpireCycle's static variables in C.
_cycle_state = {"current_db": 0, "timelimit_exit": 0, "last_fast_cycle": 0}


def activeExpireCycleTryExpire(db, key, when, now):
    """Delete the key if its time has come; True if it did (activeExpireCycleTryExpire)."""
    if now > when:
        deleteExpiredKeyAndPropagate(db, key)
        return True
    return False


def activeExpireCycle(type):
    """Sample keys with a TTL and delete the expired ones, within a time budget (activeExpireCycle).

    The slow cycle may use ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC percent of
    each cron period; the fast one at most ACTIVE_EXPIRE_CYCLE_FAST_DURATION
    microseconds, and runs only when the slow ones report many stale keys.
    A db is sampled again and again while more than 10% of its samples were
    expired, since then many more probably are.
    """
    effort = server.active_expire_effort - 1
    keys_per_loop = ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP + ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP // 4 * effort
    fast_duration = ACTIVE_EXPIRE_CYCLE_FAST_DURATION + ACTIVE_EXPIRE_CYCLE_FAST_DURATION // 4 * effort
    slow_time_perc = ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC + 2 * effort
    acceptable_stale = ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE - effort
    st = _cycle_state
    start = ustime()
    if server.client_pause_type and checkClientPauseTimeoutAndReturnIfPaused():
        return
    if type == ACTIVE_EXPIRE_CYCLE_FAST:
        if not st["timelimit_exit"] and server.stat_expired_stale_perc < acceptable_stale:
            server.expires_pending = False
            return
        if start < st["last_fast_cycle"] + fast_duration * 2:
            return
        st["last_fast_cycle"] = start
    dbs_per_call = CRON_DBS_PER_CALL
    if dbs_per_call > server.dbnum or st["timelimit_exit"]:
        dbs_per_call = server.dbnum
    timelimit = slow_time_perc * 1000000 // server.hz // 100
    st["timelimit_exit"] = 0
    if timelimit <= 0:
        timelimit = 1
    if type == ACTIVE_EXPIRE_CYCLE_FAST:
        timelimit = fast_duration
    total_sampled = 0
    total_expired = 0
    iteration = 0
    j = 0
    while j < dbs_per_call and not st["timelimit_exit"]:
        db = server.db[st["current_db"] % server.dbnum]
        st["current_db"] += 1
        j += 1
        while True:
            iteration += 1
            expires = db.expires
            num = len(expires)
            if num == 0:
                db.avg_ttl = 0
                db.expires_scan = []
                db.expires_cursor = 0
                break
            now = mstime()
            expired = sampled = ttl_sum = ttl_samples = 0
            if num > keys_per_loop:
                num = keys_per_loop
            scan = db.expires_scan
            pos = db.expires_cursor
            checked = 0
            max_checked = num * 20
            while sampled < num and checked < max_checked:
                if pos >= len(scan):
                    scan = db.expires_scan = list(expires)
                    pos = 0
                    if not scan:
                        break
                key = scan[pos]
                pos += 1
                checked += 1
                when = expires.get(key)
                if when is None:
                    continue          # gone since the snapshot: an empty bucket
                ttl = when - now
                if activeExpireCycleTryExpire(db, key, when, now):
                    expired += 1
                if ttl > 0:
                    ttl_sum += ttl
                    ttl_samples += 1
                sampled += 1
            db.expires_cursor = pos
            total_expired += expired
            total_sampled += sampled
            if ttl_samples:
                avg_ttl = ttl_sum // ttl_samples
                if db.avg_ttl == 0:
                    db.avg_ttl = avg_ttl
                db.avg_ttl = (db.avg_ttl // 50) * 49 + (avg_ttl // 50)
            # Redis reads the clock every 16 loops because a C loop (20 keys)
            # takes microseconds; a Python one takes a few hundred, so 16 of
            # them overshoot the 25 ms slice several times over. One clock
            # read per loop is noise next to the 20 keys it samples.
            if ustime() - start > timelimit:
                st["timelimit_exit"] = 1
                server.stat_expired_time_cap_reached_count += 1
                break
            if not (sampled == 0 or (expired * 100 // sampled) > acceptable_stale):
                break
            if sampled == 0:
                break
    propagatePendingCommands()
    elapsed = ustime() - start
    server.stat_expire_cycle_time_used += elapsed
    latencyAddSampleIfNeeded("expire-cycle", elapsed // 1000)
    current_perc = (total_expired / total_sampled) if total_sampled else 0.0
    server.stat_expired_stale_perc = current_perc * 0.05 + server.stat_expired_stale_perc * 0.95


# -- writable replicas ---------------------------------------------------------------
_slave_keys_with_expire = {}


def rememberSlaveKeyWithExpire(db, key):
    """A writable replica tracks the TTL keys it set itself (rememberSlaveKeyWithExpire)."""
    _slave_keys_with_expire.setdefault(key, set()).add(db.id)


def expireSlaveKeys():
    """Expire keys a writable replica set itself (expireSlaveKeys)."""
    now = mstime()
    for key, dbids in list(_slave_keys_with_expire.items()):
        for dbid in list(dbids):
            db = server.db[dbid]
            when = db.expires.get(key)
            if when is None:
                dbids.discard(dbid)
            elif when < now:
                deleteExpiredKeyAndPropagate(db, key)
                dbids.discard(dbid)
        if not dbids:
            del _slave_keys_with_expire[key]


# -- commands ---------------------------------------------------------------------------
def checkAlreadyExpired(when):
    """Would a key with this expire time be deleted at once (checkAlreadyExpired)?

    Not while loading or on a replica: there the master decides.
    """
    return when <= mstime() and not server.loading and not server.masterhost


def parseExtendedExpireArgumentsOrReply(c):
    """Parse NX/XX/GT/LT; the flags or None (parseExtendedExpireArgumentsOrReply)."""
    flags = 0
    for opt in c.argv[3:]:
        o = c_string(opt).lower()
        if o == b"nx":
            flags |= EXPIRE_NX
        elif o == b"xx":
            flags |= EXPIRE_XX
        elif o == b"gt":
            flags |= EXPIRE_GT
        elif o == b"lt":
            flags |= EXPIRE_LT
        else:
            addReplyErrorFormat(c, "Unsupported option %s",
                                c_string(opt).decode("utf-8", "surrogateescape"))
            return None
    if flags & EXPIRE_NX and flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT):
        addReplyError(c, "NX and XX, GT or LT options at the same time are not compatible")
        return None
    if flags & EXPIRE_GT and flags & EXPIRE_LT:
        addReplyError(c, "GT and LT options at the same time are not compatible")
        return None
    return flags


def expireGenericCommand(c, basetime, unit):
    """EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (expireGenericCommand)."""
    key = c.argv[1]
    flag = parseExtendedExpireArgumentsOrReply(c)
    if flag is None:
        return
    when = getLongLongFromObjectOrReply(c, c.argv[2], None)
    if when is None:
        return
    # Overflow checks mirror C's signed arithmetic: refuse what would wrap.
    if unit == UNIT_SECONDS:
        if when > LLONG_MAX // 1000 or when < -(LLONG_MAX // 1000):
            addReplyErrorExpireTime(c)
            return
        when *= 1000
    if when > LLONG_MAX - basetime:
        addReplyErrorExpireTime(c)
        return
    when += basetime
    if lookupKeyWrite(c.db, key) is None:
        addReply(c, shared.czero)
        return
    if flag:
        current = getExpire(c.db, key)
        if flag & EXPIRE_NX and current != -1:
            addReply(c, shared.czero)
            return
        if flag & EXPIRE_XX and current == -1:
            addReply(c, shared.czero)
            return
        if flag & EXPIRE_GT:
            # A key with no TTL counts as an infinite TTL.
            if when <= current or current == -1:
                addReply(c, shared.czero)
                return
        if flag & EXPIRE_LT:
            if current != -1 and when >= current:
                addReply(c, shared.czero)
                return
    if checkAlreadyExpired(when):
        dbDelete(c.db, key)
        rewriteClientCommandVector(c, [b"UNLINK" if server.lazyfree_lazy_expire else b"DEL", key])
        signalModifiedKey(c, c.db, key)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c.db.id)
        addReply(c, shared.cone)
        server.dirty += 1
        return
    setExpire(c, c.db, key, when)
    server.expires_pending = True
    addReply(c, shared.cone)
    # Propagate an absolute time, so a replica applies the same deadline.
    if c.argv[0].lower() != b"pexpireat":
        rewriteClientCommandVector(c, [b"PEXPIREAT", key, b"%d" % when] + list(c.argv[3:]))
    signalModifiedKey(c, c.db, key)
    notifyKeyspaceEvent(NOTIFY_GENERIC, "expire", key, c.db.id)
    server.dirty += 1


def expireCommand(c):
    """EXPIRE key seconds [NX|XX|GT|LT] (expireCommand)."""
    expireGenericCommand(c, mstime(), UNIT_SECONDS)


def expireatCommand(c):
    """EXPIREAT key unix-time-seconds [NX|XX|GT|LT] (expireatCommand)."""
    expireGenericCommand(c, 0, UNIT_SECONDS)


def pexpireCommand(c):
    """PEXPIRE key milliseconds [NX|XX|GT|LT] (pexpireCommand)."""
    expireGenericCommand(c, mstime(), UNIT_MILLISECONDS)


def pexpireatCommand(c):
    """PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT] (pexpireatCommand)."""
    expireGenericCommand(c, 0, UNIT_MILLISECONDS)


def ttlGenericCommand(c, output_ms, output_abs):
    """TTL, PTTL, EXPIRETIME, PEXPIRETIME (ttlGenericCommand)."""
    key = c.argv[1]
    if lookupKeyReadWithFlags(c.db, key, LOOKUP_NOTOUCH) is None:
        addReplyLongLong(c, -2)
        return
    expire = getExpire(c.db, key)
    if expire == -1:
        addReplyLongLong(c, -1)
        return
    ttl = expire if output_abs else expire - mstime()
    if ttl < 0:
        ttl = 0
    addReplyLongLong(c, ttl if output_ms else (ttl + 500) // 1000)


def ttlCommand(c):
    """TTL key (ttlCommand)."""
    ttlGenericCommand(c, False, False)


def pttlCommand(c):
    """PTTL key (pttlCommand)."""
    ttlGenericCommand(c, True, False)


def expiretimeCommand(c):
    """EXPIRETIME key (expiretimeCommand)."""
    ttlGenericCommand(c, False, True)


def pexpiretimeCommand(c):
    """PEXPIRETIME key (pexpiretimeCommand)."""
    ttlGenericCommand(c, True, True)


def persistCommand(c):
    """PERSIST key (persistCommand)."""
    key = c.argv[1]
    if lookupKeyWrite(c.db, key) is not None:
        if removeExpire(c.db, key):
            signalModifiedKey(c, c.db, key)
            notifyKeyspaceEvent(NOTIFY_GENERIC, "persist", key, c.db.id)
            addReply(c, shared.cone)
            server.dirty += 1
        else:
            addReply(c, shared.czero)
    else:
        addReply(c, shared.czero)


def touchCommand(c):
    """TOUCH key [key ...] (touchCommand)."""
    touched = 0
    for key in c.argv[1:]:
        if lookupKeyRead(c.db, key) is not None:
            touched += 1
    addReplyLongLong(c, touched)
