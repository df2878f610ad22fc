"""Memory limit and eviction: our evict.c.

When `maxmemory` is set, processCommand calls performEvictions before every
command. If used memory (the model in object.py, read by getUsedMemory) is
over the limit, keys are deleted per `maxmemory-policy` until it is not:

  - *-lru, *-lfu, volatile-ttl: evictionPoolPopulate samples
    `maxmemory-samples` keys of every db into a 16-entry pool kept sorted by
    "idleness" (LRU idle time, 255 - LFU counter, or the inverse of the
    expire time) and the best candidate of the pool is evicted. Sampling
    is what makes Redis's LRU approximate and O(1) per eviction.
  - *-random: a random key, visiting the dbs round robin.
  - noeviction: nothing is freed; write commands get the OOM error.

volatile-* only consider keys with a TTL (the db's `expires` dict).
Each eviction deletes the key, counts evicted_keys, fires the "evicted"
keyspace event and propagates a DEL (or UNLINK) to the AOF and replicas.
"""

import random
import time

from .server_h import (
    CLIENT_TYPE_SLAVE, C_ERR, C_OK, LFU_INIT_VAL, MAXMEMORY_ALLKEYS_RANDOM,
    MAXMEMORY_FLAG_ALLKEYS, MAXMEMORY_FLAG_LFU, MAXMEMORY_FLAG_LRU, MAXMEMORY_NO_EVICTION,
    MAXMEMORY_VOLATILE_RANDOM, MAXMEMORY_VOLATILE_TTL, NOTIFY_EVICTED, server,
)
from .latency import latencyAddSampleIfNeeded, latencyEndMonitor, latencyStartMonitor
from .networking import checkClientPauseTimeoutAndReturnIfPaused, flushSlavesOutputBuffers
from .notify import notifyKeyspaceEvent
from .object import estimateObjectIdleTime
from .server import getUsedMemory, propagateNow

EVICT_OK = 0
EVICT_RUNNING = 1
EVICT_FAIL = 2

EVPOOL_SIZE = 16

# ---------------------------------------------------------------------------
# LFU: a logarithmic 8-bit counter and a 16-bit "last decrement" time in
# minutes, packed in the 24 bits of robj.lru, as in Redis.
# ---------------------------------------------------------------------------
_LFU_TIME_MASK = 65535


def LFUGetTimeInMinutes():
    """Minutes since the epoch, 16 bits (LFUGetTimeInMinutes)."""
    return (server.unixtime // 60) & _LFU_TIME_MASK


def LFUTimeElapsed(ldt):
    """Minutes since `ldt`, allowing for the 16-bit wrap (LFUTimeElapsed)."""
    now = LFUGetTimeInMinutes()
    if now >= ldt:
        return now - ldt
    return 65535 - ldt + now


def LFULogIncr(counter):
    """Increment the logarithmic access counter probabilistically (LFULogIncr).

    The chance of an increment is 1/((counter-5)*lfu_log_factor+1), so the
    8-bit counter can stand for millions of hits with the default factor 10.
    """
    if counter == 255:
        return 255
    r = random.random()
    baseval = counter - LFU_INIT_VAL
    if baseval < 0:
        baseval = 0
    p = 1.0 / (baseval * server.lfu_log_factor + 1)
    if r < p:
        counter += 1
    return counter


def LFUDecrAndReturn(o):
    """Decay the counter by the minutes elapsed / lfu-decay-time; return it (LFUDecrAndReturn).

    Like Redis, it does not store the decayed value: the next access does.
    """
    ldt = o.lru >> 8
    counter = o.lru & 255
    num_periods = LFUTimeElapsed(ldt) // server.lfu_decay_time if server.lfu_decay_time else 0
    if num_periods:
        counter = 0 if num_periods > counter else counter - num_periods
    return counter


def updateLFU(val):
    """Decay then increment the LFU counter of an accessed object (db.c's updateLFU)."""
    counter = LFUDecrAndReturn(val)
    counter = LFULogIncr(counter)
    val.lru = (LFUGetTimeInMinutes() << 8) | counter


# ---------------------------------------------------------------------------
# Sampling keys. Redis's dictGetSomeKeys reads a few neighbouring buckets
# from a random position: O(count), not uniform. A Python dict has no
# random access, so we keep, per dict, a snapshot list of its keys and read
# `count` neighbours from a random index. The snapshot is rebuilt (O(N),
# amortised) when the dict has changed size by more than an eighth; keys
# deleted since are "ghosts" the caller skips, as Redis skips them in its
# pool, and keys added since are not candidates until the next rebuild,
# which is harmless: they were just written, so they are the last an LRU
# would pick. The alternative, list(d) per sample, is O(N) per eviction.
# ---------------------------------------------------------------------------
_snapshots = {}     # id(dict) -> (dict, keys list)


def dictGetSomeKeys(d, count):
    """Up to `count` keys of d, neighbours from a random point (dictGetSomeKeys)."""
    n = len(d)
    if n == 0:
        return []
    snap = _snapshots.get(id(d))
    fresh = False
    if snap is None or snap[0] is not d or abs(len(snap[1]) - n) > (n >> 3):
        snap = _snapshots[id(d)] = (d, list(d))
        fresh = True
    while True:
        keys = snap[1]
        total = len(keys)
        if count >= total:
            out = [k for k in keys if k in d]
        else:
            i = random.randrange(total)
            out = []
            tries = 0
            while len(out) < count and tries < count * 4:
                k = keys[i]
                if k in d:
                    out.append(k)
                i += 1
                if i == total:
                    i = 0
                tries += 1
        if out or fresh:
            return out
        # Only ghosts where we looked: the snapshot is too stale, retake it.
        snap = _snapshots[id(d)] = (d, list(d))
        fresh = True


def dictGetRandomKey(d):
    """One random key of d, or None (dictGetRandomKey)."""
    ks = dictGetSomeKeys(d, 1)
    return ks[0] if ks else None


class evictionPoolEntry:
    """One candidate in the eviction pool (struct evictionPoolEntry)."""
    __slots__ = ("idle", "key", "dbid")

    def __init__(self, idle, key, dbid):
        self.idle = idle
        self.key = key
        self.dbid = dbid


EvictionPoolLRU = []    # sorted by idle, ascending: the best candidate is last


def evictionPoolAlloc():
    """Empty the pool (evictionPoolAlloc; Redis allocates it once at start-up)."""
    del EvictionPoolLRU[:]


def evictionPoolPopulate(dbid, sampledict, keydict, pool):
    """Sample keys and insert the idlest into the sorted pool (evictionPoolPopulate).

    `idle` is larger for better candidates: LRU idle ms, 255 minus the LFU
    counter, or a bigger number for a sooner expire (volatile-ttl).
    """
    policy = server.maxmemory_policy
    for key in dictGetSomeKeys(sampledict, server.maxmemory_samples):
        if policy == MAXMEMORY_VOLATILE_TTL:
            idle = (1 << 64) - 1 - sampledict[key]
        else:
            o = keydict.get(key)
            if o is None:
                continue
            if policy & MAXMEMORY_FLAG_LRU:
                idle = estimateObjectIdleTime(o)
            else:
                idle = 255 - LFUDecrAndReturn(o)
        # Already pooled (sampled twice)? Keep one entry, with the new score.
        for e in pool:
            if e.key == key and e.dbid == dbid:
                pool.remove(e)
                break
        k = 0
        while k < len(pool) and pool[k].idle < idle:
            k += 1
        if k == 0 and len(pool) >= EVPOOL_SIZE:
            continue        # worse than everything in a full pool
        pool.insert(k, evictionPoolEntry(idle, key, dbid))
        if len(pool) > EVPOOL_SIZE:
            pool.pop(0)     # drop the least idle


# ---------------------------------------------------------------------------
# Memory state
# ---------------------------------------------------------------------------
def freeMemoryGetNotCountedMemory():
    """Memory not counted towards maxmemory: replica output buffers (freeMemoryGetNotCountedMemory).

    Counting them would make evictions produce DELs for the replicas, whose
    buffers grow, which causes more evictions: Redis leaves them out, and so
    do we.
    """
    mem = server.stat_clients_type_memory[CLIENT_TYPE_SLAVE]
    aof = getattr(server, "aof_buf", None)
    if aof:
        mem += len(aof)
    return mem


def getMaxmemoryState():
    """(C_OK|C_ERR, total, logical, tofree, level) (getMaxmemoryState).

    C_ERR means we are over maxmemory by `tofree` bytes.
    """
    reported = getUsedMemory()
    if not server.maxmemory:
        return C_OK, reported, reported, 0, 0.0
    overhead = freeMemoryGetNotCountedMemory()
    used = reported - overhead if reported > overhead else 0
    level = used / server.maxmemory
    if reported <= server.maxmemory or used <= server.maxmemory:
        return C_OK, reported, used, 0, level
    return C_ERR, reported, used, used - server.maxmemory, level


def overMaxmemoryAfterAlloc(moremem):
    """Would allocating `moremem` more bytes pass maxmemory (overMaxmemoryAfterAlloc)?"""
    if not server.maxmemory:
        return False
    return getUsedMemory() + moremem > server.maxmemory + freeMemoryGetNotCountedMemory()


def isSafeToPerformEvictions():
    """Not while loading, on a replica ignoring maxmemory, or under CLIENT PAUSE
    (isSafeToPerformEvictions)."""
    if server.loading:
        return False
    if server.masterhost and server.repl_slave_ignore_maxmemory:
        return False
    if checkClientPauseTimeoutAndReturnIfPaused():
        return False
    return True


def evictionTimeLimitUs():
    """How long one call may evict, from maxmemory-eviction-tenacity (evictionTimeLimitUs)."""
    t = server.maxmemory_eviction_tenacity
    if t <= 10:
        return 50 * t
    if t < 100:
        return int(500.0 * pow(1.15, t - 10.0))
    return 1 << 62


_eviction_proc_running = False


def evictionTimeProc(eventLoop, id, clientData):
    """Keep evicting from a timer while the last call ran out of time (evictionTimeProc)."""
    global _eviction_proc_running
    if performEvictions() == EVICT_RUNNING:
        return 0        # run again on the next loop iteration
    _eviction_proc_running = False
    return -1           # AE_NOMORE


def startEvictionTimeProc():
    """Schedule evictionTimeProc unless already scheduled (startEvictionTimeProc)."""
    global _eviction_proc_running
    if not _eviction_proc_running:
        from . import ae
        _eviction_proc_running = True
        ae.aeCreateTimeEvent(server.el, 0, evictionTimeProc, None, None)


def _pick_pool_key(policy):
    """Fill the pool from every db and take its best live key: (dbid, key) or None."""
    pool = EvictionPoolLRU
    allkeys = policy & MAXMEMORY_FLAG_ALLKEYS
    while True:
        total_keys = 0
        for db in server.db:
            d = db.dict if allkeys else db.expires
            if d:
                evictionPoolPopulate(db.id, d, db.dict, pool)
                total_keys += len(d)
        if not total_keys:
            return None
        while pool:
            e = pool.pop()          # the best candidate is at the end
            db = server.db[e.dbid]
            if e.key in (db.dict if allkeys else db.expires):
                return e.dbid, e.key
            # a ghost: deleted since it was sampled; try the next one
        # every pooled entry was a ghost: sample again


_next_db = 0


def _pick_random_key(policy):
    global _next_db
    for _ in range(server.dbnum):
        _next_db += 1
        db = server.db[_next_db % server.dbnum]
        d = db.dict if policy == MAXMEMORY_ALLKEYS_RANDOM else db.expires
        if d:
            key = dictGetRandomKey(d)
            if key is not None:
                return db.id, key
    return None


def performEvictions():
    """Evict keys until used memory is under maxmemory (performEvictions).

    Returns EVICT_OK (under the limit, or nothing needed), EVICT_RUNNING (the
    time budget ran out; a timer continues) or EVICT_FAIL (over the limit
    and nothing can be evicted: processCommand then refuses DENYOOM
    commands with the OOM error).
    """
    if not isSafeToPerformEvictions():
        return EVICT_OK
    state, reported, _, tofree, _ = getMaxmemoryState()
    if state == C_OK:
        result = EVICT_OK
        _update_metrics(result)
        return result
    policy = server.maxmemory_policy
    if policy == MAXMEMORY_NO_EVICTION:
        result = EVICT_FAIL
        _update_metrics(result)
        return result

    from .db import dbAsyncDelete, dbSyncDelete, propagateDeletion, signalModifiedKey
    time_limit_us = evictionTimeLimitUs()
    latency = latencyStartMonitor()
    start = time.monotonic_ns()
    mem_freed = 0
    keys_freed = 0
    result = EVICT_FAIL
    use_pool = policy & (MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_LFU) or \
        policy == MAXMEMORY_VOLATILE_TTL
    # The DELs are queued and sent together at the end, not wrapped in
    # MULTI: they are unrelated deletions, not one atomic change.
    prev_in_nested = server.in_nested_call
    server.in_nested_call += 1
    while mem_freed < tofree:
        picked = _pick_pool_key(policy) if use_pool else (
            _pick_random_key(policy) if policy in (MAXMEMORY_ALLKEYS_RANDOM,
                                                   MAXMEMORY_VOLATILE_RANDOM) else None)
        if picked is None:
            break               # nothing left to evict: cant_free
        dbid, key = picked
        db = server.db[dbid]
        delta = getUsedMemory()
        t = latencyStartMonitor()
        if server.lazyfree_lazy_eviction:
            dbAsyncDelete(db, key)
        else:
            dbSyncDelete(db, key)
        latencyAddSampleIfNeeded("eviction-del", latencyEndMonitor(t))
        delta -= getUsedMemory()
        mem_freed += delta
        server.stat_evictedkeys += 1
        signalModifiedKey(None, db, key)
        notifyKeyspaceEvent(NOTIFY_EVICTED, "evicted", key, db.id)
        propagateDeletion(db, key, server.lazyfree_lazy_eviction)
        keys_freed += 1
        if keys_freed % 16 == 0:
            if server.slaves:
                flushSlavesOutputBuffers()
            if (time.monotonic_ns() - start) // 1000 > time_limit_us:
                startEvictionTimeProc()
                result = EVICT_RUNNING
                break
    else:
        result = EVICT_RUNNING if _eviction_proc_running else EVICT_OK
    server.in_nested_call = prev_in_nested
    if server.also_propagate and not prev_in_nested:
        # Outside a command: send the DELs now, one by one (Redis sets
        # propagate_no_multi for this), instead of propagatePendingCommands's
        # MULTI/EXEC wrapping.
        pending = server.also_propagate
        server.also_propagate = []
        for dbid_, argv, target in pending:
            propagateNow(dbid_, argv, target)
    latencyAddSampleIfNeeded("eviction-cycle", latencyEndMonitor(latency))
    _update_metrics(result)
    return result


def _update_metrics(result):
    """total/current_eviction_exceeded_time bookkeeping (performEvictions's update_metrics)."""
    if result in (EVICT_RUNNING, EVICT_FAIL):
        if not server.stat_last_eviction_exceeded_time:
            server.stat_last_eviction_exceeded_time = time.monotonic_ns() // 1000
    elif server.stat_last_eviction_exceeded_time:
        server.stat_total_eviction_exceeded_time += (
            time.monotonic_ns() // 1000 - server.stat_last_eviction_exceeded_time)
        server.stat_last_eviction_exceeded_time = 0
