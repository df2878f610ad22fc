"""Value objects, their encodings, and the argument parsers: our object.c.

A string value is a redisObject whose `ptr` is `bytes` (encodings embstr
and raw) or a Python `int` (encoding int). Redis picks the encoding to
save memory; we pick the same one so OBJECT ENCODING, DEBUG OBJECT and the
RDB writer report and write what Redis would, and because an int is
smaller in Python too (a 10-digit number: 32 bytes as int, 43 as bytes).

embstr and raw hold the same Python bytes; the difference is bookkeeping
Redis exposes (a 44-byte limit, and raw after APPEND/SETRANGE), which we
track in `encoding` only.
"""

from itertools import chain, islice
from .server_h import (
    LFU_INIT_VAL, LLONG_MAX, LLONG_MIN, LOOKUP_NONOTIFY, LOOKUP_NOTOUCH, LRU_CLOCK_MAX,
    LRU_CLOCK_RESOLUTION, MAXMEMORY_FLAG_LFU, MAXMEMORY_FLAG_NO_SHARED_INTEGERS, OBJ_ENCODING_EMBSTR,
    OBJ_ENCODING_EMBSTR_SIZE_LIMIT, OBJ_ENCODING_HT, OBJ_ENCODING_INT, OBJ_ENCODING_INTSET,
    OBJ_ENCODING_LINKEDLIST, OBJ_ENCODING_LISTPACK, OBJ_ENCODING_QUICKLIST, OBJ_ENCODING_RAW,
    OBJ_ENCODING_SKIPLIST, OBJ_ENCODING_STREAM, OBJ_ENCODING_ZIPLIST, OBJ_ENCODING_ZIPMAP,
    OBJ_HASH, OBJ_LIST, OBJ_SET, OBJ_SHARED_INTEGERS, OBJ_STRING, OBJ_ZSET, redisObject, server,
    shared,
)
from .util import c_string, mstime, string2d, string2ld, string2ll

_ENCODING_NAMES = {
    OBJ_ENCODING_RAW: "raw", OBJ_ENCODING_INT: "int", OBJ_ENCODING_HT: "hashtable",
    OBJ_ENCODING_QUICKLIST: "quicklist", OBJ_ENCODING_LISTPACK: "listpack",
    OBJ_ENCODING_INTSET: "intset", OBJ_ENCODING_SKIPLIST: "skiplist",
    OBJ_ENCODING_EMBSTR: "embstr", OBJ_ENCODING_STREAM: "stream",
    OBJ_ENCODING_ZIPMAP: "zipmap", OBJ_ENCODING_LINKEDLIST: "linkedlist",
    OBJ_ENCODING_ZIPLIST: "ziplist",
}


def strEncoding(encoding):
    """The name OBJECT ENCODING prints for an encoding (strEncoding)."""
    return _ENCODING_NAMES.get(encoding, "unknown")


# ---------------------------------------------------------------------------
# LRU / LFU clocks (the object side; evict.c holds the policy)
# ---------------------------------------------------------------------------
def LRU_CLOCK():
    """The LRU clock for stamping objects (evict.c's LRU_CLOCK).

    serverCron refreshes server.lruclock at hz; with the default resolution
    (1 s) that is always fresh enough, so reading the cached value saves a
    clock syscall per key access, as Redis does.
    """
    return server.lruclock


def getLRUClock():
    """The current LRU clock: seconds, wrapped to 24 bits (evict.c's getLRUClock)."""
    return (mstime() // LRU_CLOCK_RESOLUTION) & LRU_CLOCK_MAX


def estimateObjectIdleTime(o):
    """Milliseconds since the object was last touched (estimateObjectIdleTime)."""
    lruclock = LRU_CLOCK()
    if lruclock >= o.lru:
        return (lruclock - o.lru) * LRU_CLOCK_RESOLUTION
    return (lruclock + (LRU_CLOCK_MAX - o.lru)) * LRU_CLOCK_RESOLUTION


def initObjectLRUOrLFU(o):
    """Stamp a new object with the LRU clock, or the LFU start value (initObjectLRUOrLFU)."""
    if server.maxmemory_policy & MAXMEMORY_FLAG_LFU:
        from .evict import LFUGetTimeInMinutes
        o.lru = (LFUGetTimeInMinutes() << 8) | LFU_INIT_VAL
    else:
        o.lru = server.lruclock
    return o


# ---------------------------------------------------------------------------
# Constructors
# ---------------------------------------------------------------------------
def createObject(type, ptr, encoding=OBJ_ENCODING_RAW):
    """A new object of `type` holding `ptr` (createObject)."""
    o = redisObject(type, encoding, ptr, server.lruclock)
    if server.maxmemory_policy & MAXMEMORY_FLAG_LFU:
        initObjectLRUOrLFU(o)
    return o


def createStringObject(s):
    """A string object, embstr up to 44 bytes, raw beyond (createStringObject)."""
    if len(s) <= OBJ_ENCODING_EMBSTR_SIZE_LIMIT:
        return createObject(OBJ_STRING, s, OBJ_ENCODING_EMBSTR)
    return createObject(OBJ_STRING, s, OBJ_ENCODING_RAW)


def createRawStringObject(s):
    """A string object forced to the raw encoding (createRawStringObject)."""
    return createObject(OBJ_STRING, s, OBJ_ENCODING_RAW)


def createStringObjectFromLongLong(value):
    """An int-encoded string object (createStringObjectFromLongLong)."""
    return createObject(OBJ_STRING, value, OBJ_ENCODING_INT)


class unsharedObject(redisObject):
    """An int-encoded string in the shared range (0..9999) that Redis would
    give a robj of its own instead of one of shared.integers.

    Redis shares small integers: every key set to "5" points at the same
    object, whose OBJECT REFCOUNT is INT_MAX. It makes a private one, with
    refcount 1, in two cases: a copy (COPY's dupStringObject) and any value
    created while maxmemory with an LRU or LFU policy is set (each key then
    needs its own LRU field). pyredis gives every key its own object anyway;
    this class only remembers which of the two Redis would have made. A
    subclass with no slots costs nothing to the common, shared, case: no
    extra field to fill on every SET.
    """
    __slots__ = ()


def isSharedInteger(o):
    """Whether Redis would hold this value in one of its shared integers:
    what OBJECT REFCOUNT and DEBUG OBJECT report as refcount INT_MAX.

    Decided when the value was made (unsharedObject marks the private ones,
    RDB loading included), as in Redis: an integer shared before an LRU/LFU
    policy was set stays shared while it lasts.
    """
    return (o.encoding == OBJ_ENCODING_INT and 0 <= o.ptr < OBJ_SHARED_INTEGERS
            and o.__class__ is redisObject)


def createStringObjectFromLongLongForValue(value):
    """The same, for values stored in the keyspace (createStringObjectFromLongLongForValue):
    not a shared integer when maxmemory with an LRU/LFU policy needs a
    private LRU field per key."""
    if (0 <= value < OBJ_SHARED_INTEGERS and server.maxmemory
            and server.maxmemory_policy & MAXMEMORY_FLAG_NO_SHARED_INTEGERS):
        return initObjectLRUOrLFU(unsharedObject(OBJ_STRING, OBJ_ENCODING_INT, value))
    return createObject(OBJ_STRING, value, OBJ_ENCODING_INT)


def createStringObjectFromLongDouble(value_bytes):
    """A string object for a formatted long double (createStringObjectFromLongDouble)."""
    return createStringObject(value_bytes)


def tryObjectEncoding(o):
    """Re-encode a string object in the smallest form Redis would (tryObjectEncoding).

    Strings of up to 20 characters that parse as a long long become int
    encoded; other short strings become embstr. Only raw and embstr objects
    are candidates.
    """
    if o.type != OBJ_STRING or o.encoding not in (OBJ_ENCODING_RAW, OBJ_ENCODING_EMBSTR):
        return o
    s = o.ptr
    n = len(s)
    if n <= 20:
        v = string2ll(s)
        if v is not None:
            o.ptr = v
            o.encoding = OBJ_ENCODING_INT
            return o
    if n <= OBJ_ENCODING_EMBSTR_SIZE_LIMIT:
        o.encoding = OBJ_ENCODING_EMBSTR
    return o


def createStringObjectEncoded(s):
    """createStringObject followed by tryObjectEncoding, in one step.

    This is what SET does to its value argument; doing both here skips
    building an object only to rebuild it.
    """
    n = len(s)
    # Only something starting with a digit or '-' can be an integer: test
    # that before paying for a call to string2ll.
    if n and n <= 20 and (47 < s[0] < 58 or s[0] == 45):
        v = string2ll(s)
        if v is not None:
            # One test for both rarer cases (an LFU stamp, a private
            # integer): the same cost as testing for LFU alone.
            if not (server.maxmemory_policy & MAXMEMORY_FLAG_NO_SHARED_INTEGERS):
                return redisObject(OBJ_STRING, OBJ_ENCODING_INT, v, server.lruclock)
            return createStringObjectFromLongLongForValue(v)
    enc = OBJ_ENCODING_EMBSTR if n <= OBJ_ENCODING_EMBSTR_SIZE_LIMIT else OBJ_ENCODING_RAW
    o = redisObject(OBJ_STRING, enc, s, server.lruclock)
    if server.maxmemory_policy & MAXMEMORY_FLAG_LFU:
        initObjectLRUOrLFU(o)
    return o


def dupStringObject(o):
    """A copy of a string object with the same encoding (dupStringObject).

    A new object: its LRU clock (or LFU counter) starts afresh, and an
    integer copy is never a shared one, whatever its value.
    """
    ptr = o.ptr
    if o.encoding == OBJ_ENCODING_INT:
        return initObjectLRUOrLFU(unsharedObject(OBJ_STRING, OBJ_ENCODING_INT, ptr))
    # A bytearray (a string bit commands or PFADD update in place) must
    # not be shared, or writing one key would change the other.
    if isinstance(ptr, bytearray):
        ptr = bytearray(ptr)
    return createObject(OBJ_STRING, ptr, o.encoding)


def stringObjectBytes(o):
    """The string value as bytes, whatever its encoding (getDecodedObject's job)."""
    p = o.ptr
    return b"%d" % p if o.encoding == OBJ_ENCODING_INT else p


getDecodedObject = stringObjectBytes


def stringObjectLen(o):
    """Length of the string value (stringObjectLen)."""
    p = o.ptr
    if o.encoding == OBJ_ENCODING_INT:
        return len(b"%d" % p)
    return len(p)


def checkType(c, o, type):
    """Reply WRONGTYPE and return True when o is not of `type` (checkType)."""
    if o is not None and o.type != type:
        from .networking import addReplyErrorObject
        addReplyErrorObject(c, shared.wrongtypeerr)
        return True
    return False


# ---------------------------------------------------------------------------
# Argument parsing (the *FromObjectOrReply family)
#
# C returns C_OK/C_ERR and writes through a pointer; we return the value,
# or None after replying with the error. Arguments may be raw argv bytes or
# string objects.
# ---------------------------------------------------------------------------
def _as_bytes(o):
    if isinstance(o, (bytes, bytearray)):
        return o
    if o.encoding == OBJ_ENCODING_INT:
        return None
    return o.ptr


def getLongLongFromObject(o):
    """The long long in o, or None (getLongLongFromObject)."""
    if o is None:
        return 0
    if not isinstance(o, (bytes, bytearray)):
        if o.type != OBJ_STRING:
            return None
        if o.encoding == OBJ_ENCODING_INT:
            return o.ptr
        o = o.ptr
    return string2ll(o)


def getLongLongFromObjectOrReply(c, o, msg=None):
    """Parse a long long or reply an error (getLongLongFromObjectOrReply)."""
    v = getLongLongFromObject(o)
    if v is None:
        from .networking import addReplyError
        addReplyError(c, msg if msg else "value is not an integer or out of range")
    return v


def getLongFromObjectOrReply(c, o, msg=None):
    """Parse a long or reply an error (getLongFromObjectOrReply)."""
    v = getLongLongFromObject(o)
    if v is None or v < LLONG_MIN or v > LLONG_MAX:
        from .networking import addReplyError
        addReplyError(c, msg if msg else "value is not an integer or out of range")
        return None
    return v


def getRangeLongFromObjectOrReply(c, o, min_, max_, msg=None):
    """Parse a long within [min, max] or reply an error (getRangeLongFromObjectOrReply)."""
    v = getLongFromObjectOrReply(c, o, msg)
    if v is None:
        return None
    if v < min_ or v > max_:
        from .networking import addReplyError, addReplyErrorFormat
        if msg:
            addReplyError(c, msg)
        else:
            addReplyErrorFormat(c, "value is out of range, value must between %d and %d", min_, max_)
        return None
    return v


def getPositiveLongFromObjectOrReply(c, o, msg=None):
    """Parse a long >= 0 or reply an error (getPositiveLongFromObjectOrReply)."""
    if msg:
        return getRangeLongFromObjectOrReply(c, o, 0, LLONG_MAX, msg)
    return getRangeLongFromObjectOrReply(c, o, 0, LLONG_MAX, "value is out of range, must be positive")


def getIntFromObjectOrReply(c, o, msg=None):
    """Parse a C int or reply an error (getIntFromObjectOrReply: a ranged long)."""
    return getRangeLongFromObjectOrReply(c, o, -(1 << 31), (1 << 31) - 1, msg)


def getDoubleFromObject(o):
    """The double in o, or None (getDoubleFromObject)."""
    if not isinstance(o, (bytes, bytearray)):
        if o.encoding == OBJ_ENCODING_INT:
            return float(o.ptr)
        o = o.ptr
    return string2d(bytes(o))


def getDoubleFromObjectOrReply(c, o, msg=None):
    """Parse a double or reply an error (getDoubleFromObjectOrReply)."""
    v = getDoubleFromObject(o)
    if v is None:
        from .networking import addReplyError
        addReplyError(c, msg if msg else "value is not a valid float")
    return v


def getLongDoubleFromObject(o):
    """The long double in o (a Fraction or ±inf), or None (getLongDoubleFromObject)."""
    from fractions import Fraction
    if not isinstance(o, (bytes, bytearray)):
        if o.encoding == OBJ_ENCODING_INT:
            return Fraction(o.ptr)
        o = o.ptr
    return string2ld(bytes(o))


def getLongDoubleFromObjectOrReply(c, o, msg=None):
    """Parse a long double or reply an error (getLongDoubleFromObjectOrReply)."""
    v = getLongDoubleFromObject(o)
    if v is None:
        from .networking import addReplyError
        addReplyError(c, msg if msg else "value is not a valid float")
    return v


# ---------------------------------------------------------------------------
# OBJECT
# ---------------------------------------------------------------------------
OBJECT_HELP = [
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
]


def objectCommandLookup(c, key):
    """Find a key without touching its LRU or the hit/miss stats (objectCommandLookup)."""
    from .db import lookupKeyReadWithFlags
    return lookupKeyReadWithFlags(c.db, key, LOOKUP_NOTOUCH | LOOKUP_NONOTIFY)


def objectCommand(c):
    """OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT|HELP (objectCommand)."""
    from .networking import (addReplyBulkCString, addReplyError, addReplyHelp,
                             addReplyLongLong, addReplyNull, addReplySubcommandSyntaxError)
    argv = c.argv
    sub = argv[1].lower()
    if len(argv) == 2 and sub == b"help":
        addReplyHelp(c, OBJECT_HELP)
        return
    if len(argv) != 3 or sub not in (b"refcount", b"encoding", b"idletime", b"freq"):
        addReplySubcommandSyntaxError(c)
        return
    o = objectCommandLookup(c, argv[2])
    if o is None:
        addReplyNull(c)
        return
    if sub == b"refcount":
        # Redis shares small integers (refcount INT_MAX) and otherwise
        # reports 1: every other value in the keyspace has one reference.
        if isSharedInteger(o):
            addReplyLongLong(c, 2147483647)
        else:
            addReplyLongLong(c, 1)
    elif sub == b"encoding":
        addReplyBulkCString(c, strEncoding(o.encoding))
    elif sub == b"idletime":
        if server.maxmemory_policy & MAXMEMORY_FLAG_LFU:
            addReplyError(c, "An LFU maxmemory policy is selected, idle time not tracked. Please "
                          "note that when switching between policies at runtime LRU and LFU data "
                          "will take some time to adjust.")
            return
        addReplyLongLong(c, estimateObjectIdleTime(o) // 1000)
    else:
        if not (server.maxmemory_policy & MAXMEMORY_FLAG_LFU):
            addReplyError(c, "An LFU maxmemory policy is not selected, access frequency not "
                          "tracked. Please note that when switching between policies at runtime "
                          "LRU and LFU data will take some time to adjust.")
            return
        from .evict import LFUDecrAndReturn
        addReplyLongLong(c, LFUDecrAndReturn(o))


# ---------------------------------------------------------------------------
# The memory model (object.c's objectComputeSize, zmalloc's role)
# ---------------------------------------------------------------------------
# Redis knows its memory use exactly: zmalloc adds every allocation's size
# to a counter. Python hides its allocator, and the process RSS never
# shrinks after a delete (pymalloc keeps its arenas), so RSS cannot drive
# eviction. pyredis instead charges each key what Redis 7.0 would allocate
# for it on a 64-bit jemalloc build, and keeps the sum incrementally:
#
#   key charge = dictEntry (24) + the key's sds + objectComputeSize(value)
#
# Each value remembers the charge of its key in robj.mem, and
# server.dataset_memory is the total; whoever removes a value from the
# keyspace (dbSyncDelete, dbOverwrite) takes its charge back.
# signalModifiedKey (which every write command calls) re-charges the
# key in O(1), because aggregates are sampled (OBJ_COMPUTE_SIZE_DEF_SAMPLES
# elements, the average times the length), as MEMORY USAGE does in Redis.
# The alternative, a full walk of the dataset each cron tick, is O(N) and
# would cost the cron far more than its budget with a million keys.
OBJ_COMPUTE_SIZE_DEF_SAMPLES = 5
ROBJ_SIZE = 16              # sizeof(robj)
DICT_ENTRY_SIZE = 24        # sizeof(dictEntry)
DICT_SIZE = 56              # sizeof(dict) with its two tables
QUICKLIST_SIZE = 40         # sizeof(quicklist)
QUICKLIST_NODE_SIZE = 32    # sizeof(quicklistNode)
ZSKIPLIST_SIZE = 32         # sizeof(zskiplist)
ZSKIPLIST_NODE_BASE = 32    # a zskiplistNode without its levels
ZSKIPLIST_LEVEL_AVG = 16 * 4 // 3   # one level is 16 bytes; p=1/4 gives 4/3 levels
LP_HDR_SIZE = 7             # listpack header (6) + end byte
LIST_NODE_BYTES = 8192      # list-max-listpack-size -2: 8 KiB per quicklist node


def zmalloc_size(n):
    """The jemalloc size class an allocation of n bytes lands in (zmalloc_size).

    Classes are 8, then multiples of 16 up to 128, then four classes per
    power of two (160, 192, 224, 256, 320 ...): the rounding a real
    allocation pays, which is why a 1-byte string costs more than 1 byte.
    """
    if n <= 8:
        return 8
    if n <= 128:
        return (n + 15) & ~15
    step = 1 << ((n - 1).bit_length() - 3)
    return (n + step - 1) & ~(step - 1)


def sdsZmallocSize(length):
    """Bytes an sds string of `length` bytes occupies (sdsZmallocSize).

    Header (sdshdr8/16/32 by length) + the bytes + the terminating NUL,
    rounded to the allocator's class.
    """
    hdr = 3 if length < 256 else (5 if length < 65536 else 9)
    return zmalloc_size(hdr + length + 1)


# Bytes a listpack string entry of n < 64 bytes takes: header, data, backlen.
_LP_SHORT_STR_ENTRY = [1 + n + 1 for n in range(64)]
# First bytes a canonical integer can start with.
_NUMERIC_FIRST = frozenset(b"-0123456789")


def _lp_entry_size(v):
    """Bytes one element takes in a listpack: encoding+data, then the back-length."""
    if v.__class__ is not int:
        n = len(v)
        # Only a string starting with '-' or a digit can be stored as an
        # integer: most elements skip the parse.
        if n and n <= 20 and v[0] in _NUMERIC_FIRST:
            iv = string2ll(v)
        else:
            iv = None
        if iv is None:
            if n < 64:
                return _LP_SHORT_STR_ENTRY[n]
            enc = 2 + n if n < 4096 else 5 + n
            return enc + (1 if enc < 128 else 2 if enc < 16384 else 3)
        v = iv
    if 0 <= v < 128:
        return 2
    if -4096 <= v < 4096:
        return 3
    if -32768 <= v < 32768:
        return 4
    if -(1 << 23) <= v < (1 << 23):
        return 5
    if -(1 << 31) <= v < (1 << 31):
        return 6
    return 10


class _EntrySizeCache(dict):
    """element -> _lp_entry_size(element), filled on a miss (Python-only).

    The memory model re-samples a hash's or list's first elements after
    every write, and those are nearly always the same elements as last
    time: a dict hit costs a fraction of recomputing the size. Bounded by
    clearing it when full, rather than by LRU bookkeeping that would cost
    more than the misses it saves.
    """
    __slots__ = ()

    def __missing__(self, v):
        size = _lp_entry_size(v)
        if len(self) >= _ENTRY_SIZE_CACHE_MAX:
            self.clear()
        self[v] = size
        return size


_ENTRY_SIZE_CACHE_MAX = 4096
_entry_size_cache = _EntrySizeCache()


def _lp_sizes_sum(elements):
    """The listpack entry sizes of `elements`, summed (through the cache)."""
    try:
        return sum(map(_entry_size_cache.__getitem__, elements))
    except TypeError:       # an unhashable element (bytearray): no cache
        return sum(map(_lp_entry_size, elements))


def _sample_avg(it, samples, fn):
    """The mean of fn over the first `samples` items of an iterator, and how many."""
    sizes = list(map(fn, islice(it, samples)))
    count = len(sizes)
    return (sum(sizes) / count) if count else 0, count


def _dict_overhead(n):
    """A dict of n entries: the struct plus its power-of-two bucket array."""
    buckets = 4
    while buckets < n:
        buckets <<= 1
    return DICT_SIZE + buckets * 8 if n else DICT_SIZE


def objectComputeSize(key, o, samples, dbid):
    """Estimate the bytes a value occupies in Redis 7.0 (objectComputeSize).

    Strings are exact. Aggregates sample `samples` elements and multiply
    their mean size by the element count, as Redis does, so the cost is
    O(samples) whatever the size of the value.
    """
    t = o.type
    enc = o.encoding
    ptr = o.ptr
    if t == OBJ_STRING:
        if enc == OBJ_ENCODING_INT:
            return ROBJ_SIZE
        if enc == OBJ_ENCODING_EMBSTR:
            return zmalloc_size(ROBJ_SIZE + 3 + len(ptr) + 1)
        return ROBJ_SIZE + sdsZmallocSize(len(ptr))
    if t == OBJ_LIST:
        n = len(ptr)
        if not n:
            return ROBJ_SIZE + QUICKLIST_SIZE
        sample = list(islice(ptr, samples))
        avg = _lp_sizes_sum(sample) / len(sample)
        lp_bytes = avg * n
        nodes = int(lp_bytes // LIST_NODE_BYTES) + 1
        return int(ROBJ_SIZE + QUICKLIST_SIZE + nodes * (QUICKLIST_NODE_SIZE + LP_HDR_SIZE)
                   + lp_bytes)
    if t == OBJ_SET:
        n = len(ptr)
        if enc == OBJ_ENCODING_INTSET:
            width = 2
            for m in ptr:
                v = int(m)
                if not -32768 <= v < 32768:
                    width = 4 if -2**31 <= v < 2**31 else 8
                    if width == 8:
                        break
            return ROBJ_SIZE + zmalloc_size(8 + n * width)
        avg, _ = _sample_avg(iter(ptr), samples, lambda m: sdsZmallocSize(len(m)))
        return int(ROBJ_SIZE + _dict_overhead(n) + n * (DICT_ENTRY_SIZE + avg))
    if t == OBJ_HASH:
        n = len(ptr)
        if enc == OBJ_ENCODING_LISTPACK:
            # Fields and values of the first `samples` pairs, flattened, so
            # the sizes come from one map() instead of a call per pair.
            sample = list(islice(chain.from_iterable(ptr.items()), 2 * samples))
            avg = _lp_sizes_sum(sample) / (len(sample) // 2) if sample else 0
            return int(ROBJ_SIZE + zmalloc_size(int(LP_HDR_SIZE + avg * n)))
        avg, _ = _sample_avg(iter(ptr.items()), samples,
                             lambda kv: sdsZmallocSize(len(kv[0])) + sdsZmallocSize(len(kv[1])))
        return int(ROBJ_SIZE + _dict_overhead(n) + n * (DICT_ENTRY_SIZE + avg))
    if t == OBJ_ZSET:
        d = getattr(ptr, "dict", None)
        if d is None:
            return ROBJ_SIZE
        n = len(d)
        if enc == OBJ_ENCODING_LISTPACK:
            avg, _ = _sample_avg(iter(d), samples, lambda m: _lp_entry_size(m) + 11)
            return int(ROBJ_SIZE + zmalloc_size(int(LP_HDR_SIZE + avg * n)))
        avg, _ = _sample_avg(iter(d), samples, lambda m: sdsZmallocSize(len(m)))
        return int(ROBJ_SIZE + 16 + _dict_overhead(n) + ZSKIPLIST_SIZE
                   + n * (DICT_ENTRY_SIZE + ZSKIPLIST_NODE_BASE + ZSKIPLIST_LEVEL_AVG + avg))
    # Streams and module types: their owners may register an estimator.
    est = getattr(server, "object_size_hooks", {}).get(t)
    if est is not None:
        return est(o, samples)
    try:
        return ROBJ_SIZE + 64 * len(ptr)
    except TypeError:
        return ROBJ_SIZE + 64


def keyMemoryCharge(key, o):
    """What the model charges one key: dictEntry + key sds + value (Python-only)."""
    return DICT_ENTRY_SIZE + sdsZmallocSize(len(key)) + objectComputeSize(
        key, o, OBJ_COMPUTE_SIZE_DEF_SAMPLES, 0)


_SMALL = 1024
_SDS_SIZE = [sdsZmallocSize(n) for n in range(_SMALL)]
_KEY_CHARGE = [DICT_ENTRY_SIZE + _SDS_SIZE[n] for n in range(_SMALL)]
_EMBSTR_SIZE = [zmalloc_size(ROBJ_SIZE + 4 + n) for n in range(OBJ_ENCODING_EMBSTR_SIZE_LIMIT + 1)]


def update_key_memory(db, key, defer=False):
    """Re-charge one key after it changed, or drop its charge if it is gone.

    Called from signalModifiedKey (every write path, with defer=True), setKey
    without a signal and the RDB loader; O(1). Returns nothing;
    server.dataset_memory stays the sum of every value's `mem`.

    With `defer`, a non-string value is only queued: flush_memory_charges()
    re-charges it before anyone reads the total (getUsedMemory, which runs
    before every command under maxmemory and in every beforeSleep). Sampling
    an aggregate costs several microseconds, and a pipelined burst of HSETs
    or LPUSHes to one key would otherwise pay it per command for a figure
    nobody reads in between. Strings are charged at once: a table lookup is
    cheaper than queueing.
    """
    o = db.dict.get(key)
    if o is None:
        return          # deleted: dbSyncDelete already took the charge back
    # Strings are most keys: charge them inline, from precomputed tables,
    # because this runs on every write (a SET pays two list lookups).
    enc = o.encoding
    lk = len(key)
    if o.type == OBJ_STRING:
        if enc != OBJ_ENCODING_INT and lk < _SMALL:
            n = len(o.ptr)
            if enc == OBJ_ENCODING_EMBSTR:
                new = _KEY_CHARGE[lk] + _EMBSTR_SIZE[n]
            elif n < _SMALL:
                new = _KEY_CHARGE[lk] + ROBJ_SIZE + _SDS_SIZE[n]
            else:
                new = _KEY_CHARGE[lk] + ROBJ_SIZE + sdsZmallocSize(n)
        else:
            new = keyMemoryCharge(key, o)
    elif defer:
        d = db.dict
        entry = pending_charges.get(id(d))
        if entry is None:
            pending_charges[id(d)] = (d, {key})
        else:
            entry[1].add(key)
        return
    else:
        new = keyMemoryCharge(key, o)
    server.dataset_memory += new - o.mem
    o.mem = new


# id(keyspace dict) -> (that dict, keys whose charge is out of date). Keyed
# by the dict, not the db: SWAPDB swaps dicts between dbs, and FLUSHDB or a
# load replaces a db's dict, whose queued keys then no longer matter.
pending_charges = {}


def flush_memory_charges():
    """Re-charge every key update_key_memory(defer=True) queued (Python-only).

    Only dicts still serving a db are charged: a dict dropped by FLUSHDB or
    replaced by a load had its charges taken back as a whole, stale or not.
    """
    live = {id(db.dict) for db in server.db}
    while pending_charges:
        ident, (d, keys) = pending_charges.popitem()
        if ident not in live:
            continue
        for key in keys:
            o = d.get(key)
            if o is not None:
                new = keyMemoryCharge(key, o)
                server.dataset_memory += new - o.mem
                o.mem = new


def forget_db_memory(db):
    """A db was emptied or replaced wholesale: drop all its charges (Python-only)."""
    server.dataset_memory -= sum(o.mem for o in db.dict.values())


def recount_db_memory(db):
    """Charge every key of a db from scratch (after a bulk load or a swap). O(N)."""
    forget_db_memory(db)
    for key in list(db.dict):
        update_key_memory(db, key)


# ---------------------------------------------------------------------------
# MEMORY
# ---------------------------------------------------------------------------
MEMORY_HELP = [
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
]


def getMemoryDoctorReport():
    """MEMORY DOCTOR's text, from the same figures as MEMORY STATS (getMemoryDoctorReport)."""
    from .server import getMemoryOverheadData
    mh = getMemoryOverheadData()
    reports = []
    if mh["total_allocated"] < 1024 * 1024 * 5:
        return ("Hi Sam, this instance is empty or is using very little memory, my issues "
                "detector can't be used in these conditions. Please, leave for your mission on "
                "Earth and fill it with some data. The new Sam and I will be back to our "
                "programming as soon as I finished rebooting.\n")
    if mh["peak_allocated"] / mh["total_allocated"] > 1.5:
        reports.append(
            " * Peak memory: In the past this instance used more than 150% the memory that is "
            "currently using. The allocator is normally not able to release memory after a "
            "peak, so you can expect to see a big fragmentation ratio, however this is actually "
            "harmless and is only due to the memory peak, and if the Redis instance Resident Set "
            "Size (RSS) is currently bigger than expected, the memory will be used as soon as "
            "you fill the Redis instance with more data. If the memory peak was only occasional "
            "and you want to try to reclaim memory, please try the MEMORY PURGE command, "
            "otherwise the only other option is to shutdown and restart the instance.\n\n")
    if mh["total_frag"] > 1.4 and mh["total_frag_bytes"] > 10 << 20:
        reports.append(
            " * High total RSS: This instance has a memory fragmentation and RSS overhead "
            "greater than 1.4 (this means that the Resident Set Size of the Redis process is "
            "much larger than the sum of the logical allocations Redis performed). This problem "
            "is usually due either to a large peak memory (check if there is a peak memory "
            "entry above in the report) or may result from a workload that causes the "
            "allocator to fragment memory a lot. If the problem is a large peak memory, then "
            "there is no issue. Otherwise, make sure you are using the Jemalloc allocator and "
            "not the default libc malloc. Note: The currently used allocator is \"libc\".\n\n")
    numslaves = len(server.slaves)
    numclients = max(len(server.clients) - numslaves, 1)
    if mh["clients_normal"] / numclients > 1024 * 200:
        reports.append(
            " * Big client buffers: The clients output buffers in this instance are greater "
            "than 200K per client (on average). This may result from different causes, like "
            "Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that "
            "data piles on the Redis instance output buffer, or clients sending commands with "
            "large replies or very large sequences of commands in the same pipeline. Please use "
            "the CLIENT LIST command in order to investigate the issue if it causes problems in "
            "your instance, or to understand better why certain clients are using a big amount "
            "of memory.\n\n")
    if not reports:
        return ("Hi Sam, I can't find any memory issue in your instance. I can only account for "
                "what occurs on this base.\n")
    return ("Sam, I detected a few issues in this Redis instance memory implants:\n\n"
            + "".join(reports) + "I'm here to keep you safe, Sam. I want to help you.\n")


def memoryCommand(c):
    """MEMORY USAGE|STATS|DOCTOR|MALLOC-STATS|PURGE|HELP (memoryCommand).

    The numbers are the memory model's (see getUsedMemory in server.py and
    objectComputeSize above), not the Python heap's.
    """
    from .networking import (
        addReply, addReplyBulkCString, addReplyDouble, addReplyErrorObject, addReplyHelp,
        addReplyLongLong, addReplyMapLen, addReplyNull, addReplySubcommandSyntaxError,
        addReplyVerbatim,
    )
    argv = c.argv
    argc = len(argv)
    sub = argv[1].lower()
    if sub == b"help" and argc == 2:
        addReplyHelp(c, MEMORY_HELP)
    elif sub == b"usage" and argc >= 3:
        samples = OBJ_COMPUTE_SIZE_DEF_SAMPLES
        j = 3
        while j < argc:
            if c_string(argv[j]).lower() == b"samples" and j + 1 < argc:
                samples = getLongLongFromObjectOrReply(c, argv[j + 1])
                if samples is None:
                    return
                if samples < 0:
                    addReplyErrorObject(c, shared.syntaxerr)
                    return
                if samples == 0:
                    samples = LLONG_MAX
                j += 2
            else:
                addReplyErrorObject(c, shared.syntaxerr)
                return
        key = argv[2]
        o = c.db.dict.get(key)
        if o is None:
            addReplyNull(c)
            return
        usage = objectComputeSize(key, o, samples, c.db.id)
        usage += sdsZmallocSize(len(key)) + DICT_ENTRY_SIZE
        addReplyLongLong(c, usage)
    elif sub == b"stats" and argc == 2:
        from .server import getMemoryOverheadData
        mh = getMemoryOverheadData()
        addReplyMapLen(c, 27 + len(mh["db"]))
        for name, key in (("peak.allocated", "peak_allocated"),
                          ("total.allocated", "total_allocated"),
                          ("startup.allocated", "startup_allocated"),
                          ("replication.backlog", "repl_backlog"),
                          ("clients.slaves", "clients_slaves"),
                          ("clients.normal", "clients_normal"),
                          ("cluster.links", "cluster_links"),
                          ("aof.buffer", "aof_buffer"), ("lua.caches", "lua_caches"),
                          ("functions.caches", "functions_caches")):
            addReplyBulkCString(c, name)
            addReplyLongLong(c, mh[key])
        for dbid, main, exp in mh["db"]:
            addReplyBulkCString(c, "db.%d" % dbid)
            addReplyMapLen(c, 3)
            addReplyBulkCString(c, "overhead.hashtable.main")
            addReplyLongLong(c, main)
            addReplyBulkCString(c, "overhead.hashtable.expires")
            addReplyLongLong(c, exp)
            addReplyBulkCString(c, "overhead.hashtable.slot-to-keys")
            addReplyLongLong(c, 0)
        for name, key, dbl in (("overhead.total", "overhead_total", False),
                               ("keys.count", "total_keys", False),
                               ("keys.bytes-per-key", "bytes_per_key", False),
                               ("dataset.bytes", "dataset", False),
                               ("dataset.percentage", "dataset_perc", True),
                               ("peak.percentage", "peak_perc", True),
                               ("allocator.allocated", "total_allocated", False),
                               ("allocator.active", "total_allocated", False),
                               ("allocator.resident", "total_allocated", False),
                               ("allocator-fragmentation.ratio", "allocator_frag", True),
                               ("allocator-fragmentation.bytes", "allocator_frag_bytes", False),
                               ("allocator-rss.ratio", "allocator_rss", True),
                               ("allocator-rss.bytes", "allocator_rss_bytes", False),
                               ("rss-overhead.ratio", "rss_extra", True),
                               ("rss-overhead.bytes", "rss_extra_bytes", False),
                               ("fragmentation", "total_frag", True),
                               ("fragmentation.bytes", "total_frag_bytes", False)):
            addReplyBulkCString(c, name)
            if dbl:
                addReplyDouble(c, float(mh[key]))
            else:
                addReplyLongLong(c, mh[key])
    elif sub == b"malloc-stats" and argc == 2:
        addReplyBulkCString(c, "Stats not supported for the current allocator")
    elif sub == b"doctor" and argc == 2:
        addReplyVerbatim(c, getMemoryDoctorReport(), "txt")
    elif sub == b"purge" and argc == 2:
        # jemalloc_purge's counterpart: ask Python to collect cycles.
        import gc
        gc.collect()
        addReply(c, shared.ok)
    else:
        addReplySubcommandSyntaxError(c)
