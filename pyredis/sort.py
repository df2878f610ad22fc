"""SORT and SORT_RO: our sort.c.

SORT takes the elements of a list, set or sorted set, orders them by their
own value or by the value of other keys named after them (BY weight_*), and
returns them, or values fetched through more patterns (GET #, GET obj_*,
GET h_*->field), or stores the result as a list (STORE).

Redis fills a vector of redisSortObject {element, score or compare object}
and calls qsort with sortCompare, which reads the options from globals on
`server`.  We build one Python sort key per element instead and call the
built-in stable sort: the key encodes exactly sortCompare's order (numeric
score, ties broken by the element bytes; or collation order; "missing"
compare objects first), so the result is the same without a Python-level
comparison callback per pair.  glibc's qsort is a merge sort, so it is
stable too: elements that compare equal keep their input order in both.
"""

from itertools import islice
from math import isinf, isnan

from .db import dbDelete, lookupKeyRead, setKey, signalModifiedKey
from .networking import (
    addReply,
    addReplyError,
    addReplyErrorObject,
    addReplyLongLong,
)
from .notify import notifyKeyspaceEvent
from .object import getLongFromObjectOrReply
from .pqsort import pqsort
from .server_h import (
    CLIENT_SCRIPT,
    NOTIFY_GENERIC,
    NOTIFY_LIST,
    OBJ_ENCODING_INT,
    OBJ_ENCODING_INTSET,
    OBJ_ENCODING_SKIPLIST,
    OBJ_HASH,
    OBJ_LIST,
    OBJ_SET,
    OBJ_STRING,
    OBJ_ZSET,
    server,
    shared,
)
from .t_list import createQuicklistObject
from .t_zset import c_strtod, zsetConvert, zslGetElementByRank
from .util import c_string

SORT_OP_GET = 0


class redisSortOperation:
    """One GET pattern to apply to every sorted element (server.h
    redisSortOperation; GET is the only operation 7.0 has)."""

    __slots__ = ("pattern", "type")

    def __init__(self, type, pattern):
        self.type = type
        self.pattern = pattern


def createSortOperation(type, pattern):
    """Make a sort operation (mirrors createSortOperation)."""
    return redisSortOperation(type, pattern)


def _string_value(o):
    """The bytes of a string object, whatever its encoding."""
    if o.encoding == OBJ_ENCODING_INT:
        return b"%d" % o.ptr
    return bytes(o.ptr)


def lookupKeyByPattern(db, pattern, subst):
    """Resolve a BY/GET pattern for element ``subst`` (mirrors
    lookupKeyByPattern).

    "#" is the element itself.  Otherwise the first "*" is replaced by the
    element to make a key name; "->field" after the "*" reads that hash field
    instead of a string value.  Returns bytes, or None when the pattern has
    no "*", the key is missing, or it has the wrong type.
    """
    spat = c_string(pattern)
    if spat == b"#":
        return subst
    p = spat.find(b"*")
    if p < 0:
        return None
    f = spat.find(b"->", p + 1)
    if f >= 0 and f + 2 < len(spat):
        # The field runs to the end of the full pattern (sdslen), NULs and all.
        field = pattern[f + 2:]
        postfix = pattern[p + 1:f]
    else:
        field = None
        postfix = pattern[p + 1:]
    key = pattern[:p] + subst + postfix
    o = lookupKeyRead(db, key)
    if o is None:
        return None
    if field is not None:
        if o.type != OBJ_HASH:
            return None
        v = o.ptr.get(field)
        return None if v is None else bytes(v)
    if o.type != OBJ_STRING:
        return None
    return _string_value(o)


def _strtod_score(s):
    """The numeric weight of ``s`` as sortCommandGeneric computes it with
    strtod: returns (score, error).  Everything up to the first NUL must
    parse; NaN and values out of double range (ERANGE) are errors."""
    text = c_string(s)
    value, consumed = c_strtod(text)
    if consumed != len(text) or isnan(value):
        return 0.0, True
    low = text.lower()
    if isinf(value):
        # strtod sets ERANGE on overflow, not for a spelled-out infinity.
        return value, b"inf" not in low
    if value == 0.0:
        # Underflow to zero also sets ERANGE: a non-zero mantissa read as 0.
        body = low.strip().lstrip(b"+-")
        if body.startswith(b"0x"):
            digits, nonzero = body[2:].split(b"p")[0], b"123456789abcdef"
        else:
            digits, nonzero = body.split(b"e")[0], b"123456789"
        return value, any(ch in nonzero for ch in digits)
    return value, False


def _collate_key(s):
    """Sort key for strcoll in the C / C.UTF-8 locales, which is byte order
    of the C string (up to the first NUL).  Deliberate difference: other
    locales' collation rules are not applied."""
    return c_string(s)


def _set_members(o):
    """Members of a set in the order setTypeNextObject yields them: an
    intset ascending by value, a hash table in its own order."""
    members = o.ptr
    if o.encoding == OBJ_ENCODING_INTSET:
        return [m if isinstance(m, bytes) else b"%d" % m
                for m in sorted(members, key=int)]
    return [m if isinstance(m, bytes) else b"%d" % m for m in members]


def _sort_compare(keys, desc):
    """The comparison pqsort calls, over indices into `keys` (sortCompare).

    `keys` holds what the full sort orders by: (score, element) for numeric
    sorts, so equal scores fall back to the element as in C, or (0, b"") /
    (1, value) for ALPHA with BY, a missing BY key sorting first. DESC
    negates the whole result, as C does.
    """
    def cmp(i, j):
        a = keys[i]
        b = keys[j]
        r = (a > b) - (a < b)
        return -r if desc else r
    return cmp


def sortCommandGeneric(c, readonly):
    """SORT / SORT_RO (mirrors sortCommandGeneric)."""
    argv = c.argv
    argc = len(argv)
    operations = []
    desc = 0
    alpha = 0
    limit_start = 0
    limit_count = -1
    dontsort = 0
    sortby = None
    storekey = None
    j = 2
    while j < argc:
        leftargs = argc - j - 1
        opt = c_string(argv[j]).lower()
        if opt == b"asc":
            desc = 0
        elif opt == b"desc":
            desc = 1
        elif opt == b"alpha":
            alpha = 1
        elif opt == b"limit" and leftargs >= 2:
            limit_start = getLongFromObjectOrReply(c, argv[j + 1])
            if limit_start is None:
                return
            limit_count = getLongFromObjectOrReply(c, argv[j + 2])
            if limit_count is None:
                return
            j += 2
        elif not readonly and opt == b"store" and leftargs >= 1:
            storekey = argv[j + 1]
            j += 1
        elif opt == b"by" and leftargs >= 1:
            sortby = argv[j + 1]
            # A BY pattern with no "*" names one constant key: nothing to
            # sort by, so SORT keeps the container's own order.
            if b"*" not in c_string(sortby):
                dontsort = 1
            elif server.cluster_enabled:
                addReplyError(c, "BY option of SORT denied in Cluster mode.")
                return
            j += 1
        elif opt == b"get" and leftargs >= 1:
            if server.cluster_enabled:
                addReplyError(c, "GET option of SORT denied in Cluster mode.")
                return
            operations.append(createSortOperation(SORT_OP_GET, argv[j + 1]))
            j += 1
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        j += 1

    db = c.db
    sortval = lookupKeyRead(db, argv[1])
    if sortval is not None and sortval.type not in (OBJ_SET, OBJ_LIST, OBJ_ZSET):
        addReplyErrorObject(c, shared.wrongtypeerr)
        return
    if sortval is None:
        sortval = createQuicklistObject()

    # A set has no order of its own; when the result is stored or a script
    # sees it, it must not depend on hash-table layout, so sort it ALPHA.
    if dontsort and sortval.type == OBJ_SET and (storekey is not None or
                                                  c.flags & CLIENT_SCRIPT):
        dontsort = 0
        alpha = 1
        sortby = None

    # Like Redis, SORT turns a listpack sorted set into a skiplist for good.
    if sortval.type == OBJ_ZSET:
        zsetConvert(sortval, OBJ_ENCODING_SKIPLIST)

    if sortval.type == OBJ_LIST or sortval.type == OBJ_SET:
        vectorlen = len(sortval.ptr)
    else:
        vectorlen = len(sortval.ptr.dict)

    start = min(max(limit_start, 0), vectorlen)
    limit_count = min(max(limit_count, -1), vectorlen)
    end = vectorlen - 1 if limit_count < 0 else start + limit_count - 1
    if start >= vectorlen:
        start = vectorlen - 1
        end = vectorlen - 2
    if end >= vectorlen:
        end = vectorlen - 1

    if (sortval.type in (OBJ_ZSET, OBJ_LIST) and dontsort and
            (start != 0 or end != vectorlen - 1)):
        vectorlen = end - start + 1

    # Load the elements.
    if sortval.type == OBJ_LIST and dontsort:
        vector = []
        if end >= start:
            # Only the LIMIT window is read, from the head or (DESC) the tail.
            lst = sortval.ptr
            it = reversed(lst) if desc else iter(lst)
            vector = [bytes(e) for e in islice(it, start, start + vectorlen)]
            end -= start
            start = 0
    elif sortval.type == OBJ_LIST:
        vector = [bytes(e) for e in sortval.ptr]
    elif sortval.type == OBJ_SET:
        vector = _set_members(sortval)
    elif dontsort:
        zsl = sortval.ptr.zsl
        vector = []
        if vectorlen > 0:
            if desc:
                ln = zsl.tail if start == 0 else zslGetElementByRank(zsl, zsl.length - start)
            else:
                ln = (zsl.header.level[0].forward if start == 0
                      else zslGetElementByRank(zsl, start + 1))
            for _ in range(vectorlen):
                vector.append(ln.ele)
                ln = ln.backward if desc else ln.level[0].forward
        end -= start
        start = 0
    else:
        vector = list(sortval.ptr.dict)

    int_conversion_error = False
    if not dontsort:
        if alpha:
            if sortby is not None:
                keys = []
                for ele in vector:
                    byval = lookupKeyByPattern(db, sortby, ele)
                    if byval is None:
                        keys.append((0, b""))
                    else:
                        keys.append((1, byval if storekey is not None
                                     else _collate_key(byval)))
            elif storekey is not None:
                keys = vector
            else:
                keys = [_collate_key(e) for e in vector]
        else:
            keys = []
            for ele in vector:
                if sortby is not None:
                    byval = lookupKeyByPattern(db, sortby, ele)
                    if byval is None:
                        keys.append((0.0, ele))
                        continue
                else:
                    byval = ele
                score, err = _strtod_score(byval)
                if err:
                    int_conversion_error = True
                # Equal scores fall back to comparing the elements, so the
                # order is fully determined (sortCompare).
                keys.append((score, ele))
        if sortby is not None and (start != 0 or end != vectorlen - 1):
            # Only the LIMIT window is sorted, by Redis's partial quicksort:
            # elements whose BY values tie (ALPHA, or missing keys) come out
            # in the order that algorithm leaves them, which a full stable
            # sort would not reproduce.
            order = list(range(len(vector)))
            pqsort(order, _sort_compare(keys, desc), start, end)
        else:
            order = sorted(range(len(vector)), key=keys.__getitem__, reverse=bool(desc))
        vector = [vector[i] for i in order]

    getop = len(operations)
    outputlen = getop * (end - start + 1) if getop else end - start + 1
    if int_conversion_error:
        addReplyError(c, "One or more scores can't be converted into double")
        return
    if storekey is None:
        parts = [b"*%d\r\n" % outputlen]
        null = b"$-1\r\n" if c.resp == 2 else b"_\r\n"
        for j in range(start, end + 1):
            ele = vector[j]
            if not getop:
                parts.append(b"$%d\r\n%s\r\n" % (len(ele), ele))
            for sop in operations:
                val = lookupKeyByPattern(db, sop.pattern, ele)
                if val is None:
                    parts.append(null)
                else:
                    parts.append(b"$%d\r\n%s\r\n" % (len(val), val))
        addReply(c, b"".join(parts))
        return

    sobj = createQuicklistObject()
    result = sobj.ptr
    for j in range(start, end + 1):
        ele = vector[j]
        if not getop:
            result.append(ele)
        for sop in operations:
            val = lookupKeyByPattern(db, sop.pattern, ele)
            result.append(b"" if val is None else val)
    if outputlen:
        setKey(c, db, storekey, sobj, 0)
        notifyKeyspaceEvent(NOTIFY_LIST, "sortstore", storekey, db.id)
        server.dirty += outputlen
    elif dbDelete(db, storekey):
        signalModifiedKey(c, db, storekey)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", storekey, db.id)
        server.dirty += 1
    addReplyLongLong(c, outputlen)


def sortroCommand(c):
    """SORT_RO key ... : SORT without STORE (mirrors sortroCommand)."""
    sortCommandGeneric(c, 1)


def sortCommand(c):
    """SORT key [BY pattern] [LIMIT offset count] [GET pattern ...]
    [ASC|DESC] [ALPHA] [STORE destination] (mirrors sortCommand)."""
    sortCommandGeneric(c, 0)
