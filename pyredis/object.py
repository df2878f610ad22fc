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

from .server_h import (
    LFU_INIT_VAL, LLONG_MAX, LLONG_MIN, LRU_CLOCK_MAX, LRU_CLOCK_RESOLUTION,
    MAXMEMORY_FLAG_LFU, OBJ_ENCODING_EMBSTR, OBJ_ENCODING_EMBSTR_SIZE_LIMIT, OBJ_ENCODING_HT,
    OBJ_ENCODING_INT, OBJ_ENCODING_INTSET, OBJ_ENCODING_LINKEDLIST, OBJ_ENCODING_LISTPACK,
    OBJ_ENCODING_QUICKLIST, OBJ_ENCODING_RAW, OBJ_ENCODING_SKIPLIST, OBJ_ENCODING_STREAM,
    OBJ_ENCODING_ZIPLIST, OBJ_ENCODING_ZIPMAP, OBJ_STRING, redisObject, server, shared,
)
from .util import string2d, string2ld, string2ll

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
    from .util import mstime
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


def createStringObjectFromLongLongForValue(value):
    """The same, for values stored in the keyspace (createStringObjectFromLongLongForValue)."""
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
    if n <= 20:
        v = string2ll(s)
        if v is not None:
            return redisObject(OBJ_STRING, OBJ_ENCODING_INT, v, server.lruclock) \
                if not (server.maxmemory_policy & MAXMEMORY_FLAG_LFU) \
                else initObjectLRUOrLFU(redisObject(OBJ_STRING, OBJ_ENCODING_INT, v))
    enc = OBJ_ENCODING_EMBSTR if n <= OBJ_ENCODING_EMBSTR_SIZE_LIMIT else OBJ_ENCODING_RAW
    o = redisObject(OBJ_STRING, enc, s, server.lruclock)
    if server.maxmemory_policy & MAXMEMORY_FLAG_LFU:
        initObjectLRUOrLFU(o)
    return o


def dupStringObject(o):
    """A copy of a string object with the same encoding (dupStringObject)."""
    return redisObject(OBJ_STRING, o.encoding, o.ptr, o.lru)


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
    from .server_h import LOOKUP_NONOTIFY, LOOKUP_NOTOUCH
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
        # reports 1; we have no sharing to show, so report what an unshared
        # value shows.
        if o.encoding == OBJ_ENCODING_INT and 0 <= o.ptr < 10000 and \
                not (server.maxmemory and server.maxmemory_policy & (MAXMEMORY_FLAG_LFU | 1)):
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
