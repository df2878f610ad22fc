"""String commands: our t_string.c.

setCommand is where the SET call path ends:

    readQueryFromClient -> processInputBuffer -> processCommandAndResetClient
    -> processCommand -> call -> setCommand -> setGenericCommand -> setKey

A value arrives as argv bytes; createStringObjectEncoded gives it the
encoding Redis would (int for "12345", embstr up to 44 bytes, raw beyond).
"""

from .db import (dbAdd, dbDelete, dbOverwrite, lookupKeyRead, lookupKeyReadOrReply, lookupKeyWrite,
                 removeExpire, setExpire, setKey, signalModifiedKey)
from .networking import (
    addReply, addReplyArrayLen, addReplyBulk, addReplyBulkCBuffer, addReplyBulkCString,
    addReplyError, addReplyErrorArity, addReplyErrorExpireTime, addReplyErrorObject,
    addReplyLongLong, addReplyMapLen, addReplyNull,
)
from .notify import notifyKeyspaceEvent
from .object import (
    checkType, createStringObject, createStringObjectEncoded, createStringObjectFromLongLongForValue,
    getLongDoubleFromObjectOrReply, getLongLongFromObject, getLongLongFromObjectOrReply,
)
from .server_h import (
    LLONG_MAX, LLONG_MIN, NOTIFY_GENERIC, NOTIFY_STRING, OBJ_ENCODING_INT, OBJ_ENCODING_RAW,
    OBJ_SHARED_INTEGERS, OBJ_STRING, SETKEY_ALREADY_EXIST, SETKEY_DOESNT_EXIST, SETKEY_KEEPTTL,
    UNIT_MILLISECONDS, UNIT_SECONDS, redisObject, server, shared,
)
from .util import c_string, ld2string, ld_round, mstime
from .expire import checkAlreadyExpired
from .server import rewriteClientCommandVector

OBJ_NO_FLAGS = 0
OBJ_SET_NX = 1 << 0
OBJ_SET_XX = 1 << 1
OBJ_EX = 1 << 2
OBJ_PX = 1 << 3
OBJ_KEEPTTL = 1 << 4
OBJ_SET_GET = 1 << 5
OBJ_EXAT = 1 << 6
OBJ_PXAT = 1 << 7
OBJ_PERSIST = 1 << 8

COMMAND_GET = 0
COMMAND_SET = 1


def checkStringLength(c, size):
    """Refuse strings past proto-max-bulk-len (checkStringLength)."""
    if not (c.flags & 2) and size > server.proto_max_bulk_len:   # CLIENT_MASTER may exceed
        addReplyError(c, "string exceeds maximum allowed size (proto-max-bulk-len)")
        return False
    return True


def getExpireMillisecondsOrReply(c, expire, flags, unit):
    """Turn an EX/PX/EXAT/PXAT argument into absolute unix ms, or reply the error."""
    ms = getLongLongFromObjectOrReply(c, expire, None)
    if ms is None:
        return None
    if ms <= 0 or (unit == UNIT_SECONDS and ms > LLONG_MAX // 1000):
        addReplyErrorExpireTime(c)
        return None
    if unit == UNIT_SECONDS:
        ms *= 1000
    if flags & (OBJ_PX | OBJ_EX):
        ms += mstime()
    # C's signed addition would wrap past LLONG_MAX; that is its overflow check.
    if ms <= 0 or ms > LLONG_MAX:
        addReplyErrorExpireTime(c)
        return None
    return ms


def setGenericCommand(c, flags, key, val, expire, unit, ok_reply, abort_reply):
    """The body of SET, SETNX, SETEX, PSETEX (setGenericCommand)."""
    milliseconds = 0
    if expire is not None:
        milliseconds = getExpireMillisecondsOrReply(c, expire, flags, unit)
        if milliseconds is None:
            return
    if flags & OBJ_SET_GET:
        if getGenericCommand(c) is False:
            return
    db = c.db
    found = (key in db.dict) and lookupKeyWrite(db, key) is not None
    if (flags & OBJ_SET_NX and found) or (flags & OBJ_SET_XX and not found):
        if not (flags & OBJ_SET_GET):
            addReply(c, abort_reply if abort_reply is not None else shared.null[c.resp])
        return
    setkey_flags = SETKEY_KEEPTTL if flags & OBJ_KEEPTTL else 0
    setkey_flags |= SETKEY_ALREADY_EXIST if found else SETKEY_DOESNT_EXIST
    setKey(c, db, key, val, setkey_flags)
    server.dirty += 1
    if server.notify_keyspace_events:
        notifyKeyspaceEvent(NOTIFY_STRING, "set", key, db.id)
    if expire is not None:
        setExpire(c, db, key, milliseconds)
        server.expires_pending = True
        # Replicas and the AOF get an absolute time, so a replay later
        # expires the key at the same moment (7.0 rewrites to PXAT).
        rewriteClientCommandVector(c, [b"SET", key, c.argv[2], b"PXAT", b"%d" % milliseconds])
        notifyKeyspaceEvent(NOTIFY_GENERIC, "expire", key, db.id)
    if not (flags & OBJ_SET_GET):
        addReply(c, ok_reply if ok_reply is not None else shared.ok)
    if flags & OBJ_SET_GET and expire is None:
        argv = [a for j, a in enumerate(c.argv) if not (j >= 3 and c_string(a).lower() == b"get")]
        rewriteClientCommandVector(c, argv)


def parseExtendedStringArgumentsOrReply(c, command_type):
    """Parse SET's / GETEX's options; (flags, unit, expire) or None (parseExtendedStringArgumentsOrReply).

    Each option is accepted only when it does not conflict with one seen
    before, so "SET k v NX XX" or "EX 1 PX 1" are syntax errors, as in Redis.
    """
    flags = OBJ_NO_FLAGS
    unit = UNIT_SECONDS
    expire = None
    argv = c.argv
    argc = len(argv)
    j = 2 if command_type == COMMAND_GET else 3
    while j < argc:
        opt = c_string(argv[j]).lower()
        has_next = j < argc - 1
        if opt == b"nx" and not (flags & OBJ_SET_XX) and command_type == COMMAND_SET:
            flags |= OBJ_SET_NX
        elif opt == b"xx" and not (flags & OBJ_SET_NX) and command_type == COMMAND_SET:
            flags |= OBJ_SET_XX
        elif opt == b"get" and command_type == COMMAND_SET:
            flags |= OBJ_SET_GET
        elif opt == b"keepttl" and not (flags & (OBJ_PERSIST | OBJ_EX | OBJ_EXAT | OBJ_PX
                                                 | OBJ_PXAT)) and command_type == COMMAND_SET:
            flags |= OBJ_KEEPTTL
        elif opt == b"persist" and command_type == COMMAND_GET and not (
                flags & (OBJ_EX | OBJ_EXAT | OBJ_PX | OBJ_PXAT | OBJ_KEEPTTL)):
            flags |= OBJ_PERSIST
        elif opt == b"ex" and not (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EXAT | OBJ_PX
                                            | OBJ_PXAT)) and has_next:
            flags |= OBJ_EX
            expire = argv[j + 1]
            j += 1
        elif opt == b"px" and not (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_EXAT
                                            | OBJ_PXAT)) and has_next:
            flags |= OBJ_PX
            unit = UNIT_MILLISECONDS
            expire = argv[j + 1]
            j += 1
        elif opt == b"exat" and not (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_PX
                                              | OBJ_PXAT)) and has_next:
            flags |= OBJ_EXAT
            expire = argv[j + 1]
            j += 1
        elif opt == b"pxat" and not (flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_EXAT
                                              | OBJ_PX)) and has_next:
            flags |= OBJ_PXAT
            unit = UNIT_MILLISECONDS
            expire = argv[j + 1]
            j += 1
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return None
        j += 1
    return flags, unit, expire


def setCommand(c):
    """SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL] (setCommand)."""
    argv = c.argv
    if len(argv) == 3:
        # The plain "SET key value" needs no option parsing: go straight to
        # the body with no flags, which is what the parser would produce.
        setGenericCommand(c, OBJ_NO_FLAGS, argv[1], createStringObjectEncoded(argv[2]), None,
                          UNIT_SECONDS, None, None)
        return
    parsed = parseExtendedStringArgumentsOrReply(c, COMMAND_SET)
    if parsed is None:
        return
    flags, unit, expire = parsed
    setGenericCommand(c, flags, argv[1], createStringObjectEncoded(argv[2]), expire, unit,
                      None, None)


def setnxCommand(c):
    """SETNX key value (setnxCommand)."""
    setGenericCommand(c, OBJ_SET_NX, c.argv[1], createStringObjectEncoded(c.argv[2]), None,
                      UNIT_SECONDS, shared.cone, shared.czero)


def setexCommand(c):
    """SETEX key seconds value (setexCommand)."""
    setGenericCommand(c, OBJ_EX, c.argv[1], createStringObjectEncoded(c.argv[3]), c.argv[2],
                      UNIT_SECONDS, None, None)


def psetexCommand(c):
    """PSETEX key milliseconds value (psetexCommand)."""
    setGenericCommand(c, OBJ_PX, c.argv[1], createStringObjectEncoded(c.argv[3]), c.argv[2],
                      UNIT_MILLISECONDS, None, None)


def getGenericCommand(c):
    """Reply with the string at argv[1]; False after WRONGTYPE (getGenericCommand)."""
    o = lookupKeyReadOrReply(c, c.argv[1], shared.null[c.resp])
    if o is None:
        return True
    if o.type != OBJ_STRING:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return False
    addReplyBulk(c, o)
    return True


def getCommand(c):
    """GET key (getCommand)."""
    getGenericCommand(c)


def getexCommand(c):
    """GETEX key [EX|PX|EXAT|PXAT t|PERSIST] (getexCommand)."""
    parsed = parseExtendedStringArgumentsOrReply(c, COMMAND_GET)
    if parsed is None:
        return
    flags, unit, expire = parsed
    key = c.argv[1]
    o = lookupKeyReadOrReply(c, key, shared.null[c.resp])
    if o is None:
        return
    if checkType(c, o, OBJ_STRING):
        return
    milliseconds = 0
    if expire is not None:
        milliseconds = getExpireMillisecondsOrReply(c, expire, flags, unit)
        if milliseconds is None:
            return
    addReplyBulk(c, o)
    if flags & (OBJ_PXAT | OBJ_EXAT) and checkAlreadyExpired(milliseconds):
        dbDelete(c.db, key)
        rewriteClientCommandVector(c, [b"UNLINK" if server.lazyfree_lazy_expire else b"DEL", key])
        signalModifiedKey(c, c.db, key)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c.db.id)
        server.dirty += 1
    elif expire is not None:
        setExpire(c, c.db, key, milliseconds)
        server.expires_pending = True
        rewriteClientCommandVector(c, [b"PEXPIREAT", key, b"%d" % milliseconds])
        signalModifiedKey(c, c.db, key)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "expire", key, c.db.id)
        server.dirty += 1
    elif flags & OBJ_PERSIST:
        if removeExpire(c.db, key):
            signalModifiedKey(c, c.db, key)
            rewriteClientCommandVector(c, [b"PERSIST", key])
            notifyKeyspaceEvent(NOTIFY_GENERIC, "persist", key, c.db.id)
            server.dirty += 1


def getdelCommand(c):
    """GETDEL key (getdelCommand)."""
    if getGenericCommand(c) is False:
        return
    key = c.argv[1]
    if dbDelete(c.db, key):
        rewriteClientCommandVector(c, [b"DEL", key])
        signalModifiedKey(c, c.db, key)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c.db.id)
        server.dirty += 1


def getsetCommand(c):
    """GETSET key value (getsetCommand)."""
    if getGenericCommand(c) is False:
        return
    key = c.argv[1]
    setKey(c, c.db, key, createStringObjectEncoded(c.argv[2]), 0)
    notifyKeyspaceEvent(NOTIFY_STRING, "set", key, c.db.id)
    server.dirty += 1
    rewriteClientCommandVector(c, [b"SET", key, c.argv[2]])


def setrangeCommand(c):
    """SETRANGE key offset value (setrangeCommand)."""
    key = c.argv[1]
    value = c.argv[3]
    offset = getLongLongFromObjectOrReply(c, c.argv[2], None)
    if offset is None:
        return
    if offset < 0:
        addReplyError(c, "offset is out of range")
        return
    o = lookupKeyWrite(c.db, key)
    if o is None:
        if not value:
            addReply(c, shared.czero)
            return
        if not checkStringLength(c, offset + len(value)):
            return
        o = redisObject(OBJ_STRING, OBJ_ENCODING_RAW, bytes(offset) + value, server.lruclock)
        dbAdd(c.db, key, o)
    else:
        if checkType(c, o, OBJ_STRING):
            return
        cur = b"%d" % o.ptr if o.encoding == OBJ_ENCODING_INT else o.ptr
        if not value:
            addReplyLongLong(c, len(cur))
            return
        if not checkStringLength(c, offset + len(value)):
            return
        if len(cur) < offset:
            cur = cur + bytes(offset - len(cur))
        new = cur[:offset] + value + cur[offset + len(value):]
        o = redisObject(OBJ_STRING, OBJ_ENCODING_RAW, new, o.lru)
        dbOverwrite(c.db, key, o)
    signalModifiedKey(c, c.db, key)
    notifyKeyspaceEvent(NOTIFY_STRING, "setrange", key, c.db.id)
    server.dirty += 1
    addReplyLongLong(c, len(o.ptr))


def getrangeCommand(c):
    """GETRANGE key start end (getrangeCommand)."""
    start = getLongLongFromObjectOrReply(c, c.argv[2], None)
    if start is None:
        return
    end = getLongLongFromObjectOrReply(c, c.argv[3], None)
    if end is None:
        return
    o = lookupKeyReadOrReply(c, c.argv[1], shared.emptybulk)
    if o is None:
        return
    if checkType(c, o, OBJ_STRING):
        return
    s = b"%d" % o.ptr if o.encoding == OBJ_ENCODING_INT else o.ptr
    strlen = len(s)
    if start < 0 and end < 0 and start > end:
        addReply(c, shared.emptybulk)
        return
    if start < 0:
        start = strlen + start
    if end < 0:
        end = strlen + end
    if start < 0:
        start = 0
    if end < 0:
        end = 0
    if end >= strlen:
        end = strlen - 1
    if start > end or strlen == 0:
        addReply(c, shared.emptybulk)
    else:
        addReplyBulkCBuffer(c, s[start:end + 1])


def mgetCommand(c):
    """MGET key [key ...] (mgetCommand)."""
    argv = c.argv
    addReplyArrayLen(c, len(argv) - 1)
    db = c.db
    for key in argv[1:]:
        o = lookupKeyRead(db, key)
        if o is None or o.type != OBJ_STRING:
            addReplyNull(c)
        else:
            addReplyBulk(c, o)


def msetGenericCommand(c, nx):
    """MSET and MSETNX (msetGenericCommand)."""
    argv = c.argv
    if len(argv) % 2 == 0:
        addReplyErrorArity(c)
        return
    if nx:
        for j in range(1, len(argv), 2):
            if lookupKeyWrite(c.db, argv[j]) is not None:
                addReply(c, shared.czero)
                return
    for j in range(1, len(argv), 2):
        setKey(c, c.db, argv[j], createStringObjectEncoded(argv[j + 1]), 0)
        notifyKeyspaceEvent(NOTIFY_STRING, "set", argv[j], c.db.id)
    server.dirty += (len(argv) - 1) // 2
    addReply(c, shared.cone if nx else shared.ok)


def msetCommand(c):
    """MSET key value [key value ...] (msetCommand)."""
    msetGenericCommand(c, False)


def msetnxCommand(c):
    """MSETNX key value [key value ...] (msetnxCommand)."""
    msetGenericCommand(c, True)


def incrDecrCommand(c, incr):
    """INCR, DECR, INCRBY, DECRBY (incrDecrCommand)."""
    key = c.argv[1]
    db = c.db
    o = lookupKeyWrite(db, key)
    if o is not None and checkType(c, o, OBJ_STRING):
        return
    if o is None:
        value = 0
    else:
        value = getLongLongFromObject(o)
        if value is None:
            addReplyError(c, "value is not an integer or out of range")
            return
    oldvalue = value
    if (incr < 0 and oldvalue < 0 and incr < LLONG_MIN - oldvalue) or \
            (incr > 0 and oldvalue > 0 and incr > LLONG_MAX - oldvalue):
        addReplyError(c, "increment or decrement would overflow")
        return
    value += incr
    if o is not None and o.encoding == OBJ_ENCODING_INT and (
            o.__class__ is redisObject or not 0 <= value < OBJ_SHARED_INTEGERS):
        # Update in place, as Redis does for unshared int-encoded values. A
        # plain object stands for a shared integer or a private one out of
        # the shared range: updating it in place reports the same refcount
        # as Redis's fresh object would. A private copy (unsharedObject)
        # reaching the shared range becomes a shared integer in Redis.
        o.ptr = value
    else:
        new = createStringObjectFromLongLongForValue(value)
        if o is not None:
            dbOverwrite(db, key, new)
            new.lru = o.lru
        else:
            dbAdd(db, key, new)
    signalModifiedKey(c, db, key)
    notifyKeyspaceEvent(NOTIFY_STRING, "incrby", key, db.id)
    server.dirty += 1
    addReply(c, b":%d\r\n" % value)


def incrCommand(c):
    """INCR key (incrCommand)."""
    incrDecrCommand(c, 1)


def decrCommand(c):
    """DECR key (decrCommand)."""
    incrDecrCommand(c, -1)


def incrbyCommand(c):
    """INCRBY key increment (incrbyCommand)."""
    incr = getLongLongFromObjectOrReply(c, c.argv[2], None)
    if incr is None:
        return
    incrDecrCommand(c, incr)


def decrbyCommand(c):
    """DECRBY key decrement (decrbyCommand)."""
    incr = getLongLongFromObjectOrReply(c, c.argv[2], None)
    if incr is None:
        return
    if incr == LLONG_MIN:
        addReplyError(c, "decrement would overflow")
        return
    incrDecrCommand(c, -incr)


def incrbyfloatCommand(c):
    """INCRBYFLOAT key increment, in long double arithmetic (incrbyfloatCommand)."""
    key = c.argv[1]
    db = c.db
    o = lookupKeyWrite(db, key)
    if o is not None and checkType(c, o, OBJ_STRING):
        return
    from fractions import Fraction
    if o is None:
        value = Fraction(0)
    else:
        value = getLongDoubleFromObjectOrReply(c, o, None)
        if value is None:
            return
    incr = getLongDoubleFromObjectOrReply(c, c.argv[2], None)
    if incr is None:
        return
    if isinstance(value, float) or isinstance(incr, float):
        # An infinity on either side gives inf or nan: refused.
        addReplyError(c, "increment would produce NaN or Infinity")
        return
    value = ld_round(value + incr)
    if isinstance(value, float):
        addReplyError(c, "increment would produce NaN or Infinity")
        return
    s = ld2string(value)
    new = createStringObject(s)
    if o is not None:
        dbOverwrite(db, key, new)
    else:
        dbAdd(db, key, new)
    signalModifiedKey(c, db, key)
    notifyKeyspaceEvent(NOTIFY_STRING, "incrbyfloat", key, db.id)
    server.dirty += 1
    # A bulk string in RESP3 too (7.0 replies addReplyBulk, not a double).
    addReplyBulkCBuffer(c, s)
    # Replicas must not redo the float arithmetic (their result could
    # differ in the last digit): propagate the result as a SET KEEPTTL.
    rewriteClientCommandVector(c, [b"SET", key, s, b"KEEPTTL"])


def appendCommand(c):
    """APPEND key value (appendCommand)."""
    key = c.argv[1]
    db = c.db
    o = lookupKeyWrite(db, key)
    if o is None:
        o = createStringObjectEncoded(c.argv[2])
        dbAdd(db, key, o)
        totlen = len(c.argv[2])
    else:
        if checkType(c, o, OBJ_STRING):
            return
        append = c.argv[2]
        cur = b"%d" % o.ptr if o.encoding == OBJ_ENCODING_INT else o.ptr
        if not checkStringLength(c, len(cur) + len(append)):
            return
        # APPEND always leaves a raw string, as in Redis (dbUnshareStringValue).
        o = redisObject(OBJ_STRING, OBJ_ENCODING_RAW, cur + append, o.lru)
        dbOverwrite(db, key, o)
        totlen = len(o.ptr)
    signalModifiedKey(c, db, key)
    notifyKeyspaceEvent(NOTIFY_STRING, "append", key, db.id)
    server.dirty += 1
    addReplyLongLong(c, totlen)


def strlenCommand(c):
    """STRLEN key (strlenCommand)."""
    o = lookupKeyReadOrReply(c, c.argv[1], shared.czero)
    if o is None:
        return
    if checkType(c, o, OBJ_STRING):
        return
    p = o.ptr
    addReplyLongLong(c, len(b"%d" % p) if o.encoding == OBJ_ENCODING_INT else len(p))


def lcsCommand(c):
    """LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN] (lcsCommand)."""
    argv = c.argv
    getlen = getidx = withmatchlen = False
    minmatchlen = 0
    obja = lookupKeyRead(c.db, argv[1])
    objb = lookupKeyRead(c.db, argv[2])
    if (obja is not None and obja.type != OBJ_STRING) or (objb is not None and objb.type != OBJ_STRING):
        addReplyError(c, "The specified keys must contain string values")
        return
    a = b"" if obja is None else (b"%d" % obja.ptr if obja.encoding == OBJ_ENCODING_INT else obja.ptr)
    b = b"" if objb is None else (b"%d" % objb.ptr if objb.encoding == OBJ_ENCODING_INT else objb.ptr)
    j = 3
    while j < len(argv):
        opt = c_string(argv[j]).lower()
        moreargs = len(argv) - 1 - j
        if opt == b"idx":
            getidx = True
        elif opt == b"len":
            getlen = True
        elif opt == b"withmatchlen":
            withmatchlen = True
        elif opt == b"minmatchlen" and moreargs:
            v = getLongLongFromObjectOrReply(c, argv[j + 1], None)
            if v is None:
                return
            minmatchlen = max(v, 0)
            j += 1
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        j += 1
    if getidx and getlen:
        addReplyError(c, "If you want both the length and indexes, please just use IDX.")
        return
    alen, blen = len(a), len(b)
    if alen >= (1 << 32) - 1 or blen >= (1 << 32) - 1:
        addReplyError(c, "String too long for LCS")
        return
    if (alen + 1) * (blen + 1) * 4 > server.proto_max_bulk_len:
        addReplyError(c, "Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
        return
    # The dynamic-programming table, one row per prefix of a, as Redis
    # builds it; then walk back from the corner to recover the string and,
    # for IDX, the matching ranges, in the same order Redis reports them.
    w = blen + 1
    dp = [0] * ((alen + 1) * w)
    for i in range(1, alen + 1):
        ai = a[i - 1]
        row = i * w
        prev = row - w
        for jj in range(1, blen + 1):
            if ai == b[jj - 1]:
                dp[row + jj] = dp[prev + jj - 1] + 1
            else:
                x, y = dp[prev + jj], dp[row + jj - 1]
                dp[row + jj] = x if x > y else y
    idx = dp[alen * w + blen]
    result = bytearray(idx)
    matches = []
    computelcs = getidx or not getlen
    i, jj = alen, blen
    arange_start = alen
    arange_end = brange_start = brange_end = 0
    k = idx
    while computelcs and i > 0 and jj > 0:
        emit_range = False
        if a[i - 1] == b[jj - 1]:
            result[k - 1] = a[i - 1]
            if arange_start == alen:
                arange_start = i - 1
                arange_end = i - 1
                brange_start = jj - 1
                brange_end = jj - 1
            elif arange_start == i and brange_start == jj:
                arange_start -= 1
                brange_start -= 1
            else:
                emit_range = True
            if arange_start == 0 or brange_start == 0:
                emit_range = True
            k -= 1
            i -= 1
            jj -= 1
        else:
            lcs1 = dp[(i - 1) * w + jj]
            lcs2 = dp[i * w + jj - 1]
            if lcs1 > lcs2:
                i -= 1
            else:
                jj -= 1
            if arange_start != alen:
                emit_range = True
        if emit_range:
            match_len = arange_end - arange_start + 1
            if minmatchlen == 0 or match_len >= minmatchlen:
                matches.append((arange_start, arange_end, brange_start, brange_end, match_len))
            arange_start = alen
    if getidx:
        addReplyMapLen(c, 2)
        addReplyBulkCString(c, "matches")
        addReplyArrayLen(c, len(matches))
        for as_, ae_, bs, be, ml in matches:
            addReplyArrayLen(c, 3 if withmatchlen else 2)
            addReplyArrayLen(c, 2)
            addReplyLongLong(c, as_)
            addReplyLongLong(c, ae_)
            addReplyArrayLen(c, 2)
            addReplyLongLong(c, bs)
            addReplyLongLong(c, be)
            if withmatchlen:
                addReplyLongLong(c, ml)
        addReplyBulkCString(c, "len")
        addReplyLongLong(c, idx)
    elif getlen:
        addReplyLongLong(c, idx)
    else:
        addReplyBulkCBuffer(c, bytes(result))
