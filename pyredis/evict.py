"""Memory limit and eviction: our evict.c (the LRU/LFU clocks now; policies come with the cron issue)."""

import random

from .server_h import LFU_INIT_VAL, server

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
    """Increment the logarithmic access counter probabilistically (LFULogIncr)."""
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
    """Decay the counter by the minutes elapsed / lfu-decay-time; return it (LFUDecrAndReturn)."""
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


def performEvictions():
    """Free memory down to maxmemory, per the policy (performEvictions).

    Returns EVICT_OK, EVICT_RUNNING or EVICT_FAIL. This first version only
    reports whether we are over the limit; the policies come with the
    housekeeping issue.
    """
    from .server import getUsedMemory
    if not server.maxmemory:
        return EVICT_OK
    if getUsedMemory() <= server.maxmemory:
        return EVICT_OK
    return EVICT_FAIL


EVICT_OK = 0
EVICT_RUNNING = 1
EVICT_FAIL = 2
