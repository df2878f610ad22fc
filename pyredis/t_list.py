"""List commands: our t_list.c.

Redis 7.0 stores every list as a quicklist (a linked list of listpacks)
and OBJECT ENCODING always answers "quicklist". The quicklist exists to
give C cheap pushes and pops at both ends with compact nodes; Python's
collections.deque is a linked list of fixed-size blocks with exactly that
profile, so `o.ptr` is a deque of element bytes. We do not model the
listpack nodes inside (list-max-listpack-size, list-compress-depth): they
change memory use, never a reply.

The pop/push/serve helpers keep Redis's names and argument order
(listTypePush, listTypePop, listPopRangeAndReplyWithKey, lmoveHandlePush,
listElementsRemoved ...) so that the blocking variants (BLPOP, BRPOP,
BLMOVE, BRPOPLPUSH, BLMPOP) can call them exactly as t_list.c does.
"""

from collections import deque
from itertools import islice

from .db import dbAdd, dbDelete, lookupKeyRead, lookupKeyWrite, signalModifiedKey
from .networking import (
    addReply,
    addReplyArrayLen,
    addReplyBulkCBuffer,
    addReplyError,
    addReplyErrorArity,
    addReplyErrorObject,
    addReplyLongLong,
    addReplyNull,
    addReplyNullArray,
)
from .notify import notifyKeyspaceEvent
from .object import (
    createObject,
    getLongFromObjectOrReply,
    getPositiveLongFromObjectOrReply,
    getRangeLongFromObjectOrReply,
)
from .server_h import (
    BLOCKED_LIST, CLIENT_DENY_BLOCKING, LLONG_MAX, NOTIFY_GENERIC, NOTIFY_LIST,
    OBJ_ENCODING_QUICKLIST, OBJ_LIST, PROPAGATE_AOF, PROPAGATE_REPL, UNIT_SECONDS, server,
    shared,
)
from .server import alsoPropagate, rewriteClientCommandVector
from .timeout import getTimeoutFromObjectOrReply
from .util import c_string

LIST_HEAD = 0
LIST_TAIL = 1

# ---------------------------------------------------------------------------
# Reply helpers (Python-only). Formatting "$<len>\r\n<elem>\r\n" with one
# bytes % per element is most of LRANGE's cost in pure Python; instead the
# "$<len>" headers come from a cache through map() (C speed), headers and
# elements are interleaved by slice assignment and glued by one join.
# ---------------------------------------------------------------------------
class _BulkHeaders(dict):
    """len -> b"$<len>", filled on demand (small lengths only, to bound it)."""
    __slots__ = ()

    def __missing__(self, n):
        h = b"$%d" % n
        if n < 65536:
            self[n] = h
        return h


_BULK_HDR = _BulkHeaders()
_hdr = _BULK_HDR.__getitem__
_CHUNK = 4096


def bulk_items(items):
    """Protocol for a sequence of bulk strings (no array header), or b"" if empty."""
    n = len(items)
    if not n:
        return b""
    parts = [None] * (2 * n)
    parts[::2] = list(map(_hdr, map(len, items)))
    parts[1::2] = items
    parts.append(b"")
    return b"\r\n".join(parts)


def reply_bulk_array(c, items, n):
    """Reply an array header for `n` and the bulk strings from the iterable `items`.

    Huge ranges are sent in chunks so no single giant bytes object is built.
    """
    if n <= _CHUNK:
        if type(items) is not list:
            items = list(items)
        addReply(c, b"*%d\r\n" % n + bulk_items(items))
        return
    addReply(c, b"*%d\r\n" % n)
    it = iter(items)
    while True:
        part = list(islice(it, _CHUNK))
        if not part:
            break
        addReply(c, bulk_items(part))


def reply_wrongtype(c):
    addReplyErrorObject(c, shared.wrongtypeerr)


# ---------------------------------------------------------------------------
# List type API
# ---------------------------------------------------------------------------
def createQuicklistObject():
    """A new empty list value (createQuicklistObject).

    C also applies list-max-listpack-size and list-compress-depth to the new
    quicklist here; a deque has no node size to configure.
    """
    return createObject(OBJ_LIST, deque(), OBJ_ENCODING_QUICKLIST)


def listTypePush(subject, value, where):
    """Push one element at the head or tail (listTypePush)."""
    if where == LIST_HEAD:
        subject.ptr.appendleft(value)
    else:
        subject.ptr.append(value)


def listTypePop(subject, where):
    """Pop one element from the head or tail; None when empty (listTypePop)."""
    ql = subject.ptr
    if not ql:
        return None
    return ql.popleft() if where == LIST_HEAD else ql.pop()


def listTypeLength(subject):
    """Number of elements (listTypeLength)."""
    return len(subject.ptr)


def listTypeDup(o):
    """A copy of a list with the same encoding, for COPY (listTypeDup)."""
    return createObject(OBJ_LIST, deque(o.ptr), o.encoding)


def listTypeDelRange(subject, start, count):
    """Delete `count` elements from index `start` (negative counts from the tail) (listTypeDelRange)."""
    ql = subject.ptr
    llen = len(ql)
    if start < 0:
        start += llen
    start = max(start, 0)
    if count <= 0 or start >= llen:
        return 0
    end = min(llen, start + count)
    n = end - start
    if start == 0:
        for _ in range(n):
            ql.popleft()
    elif end == llen:
        for _ in range(n):
            ql.pop()
    else:
        subject.ptr = deque(islice(ql, 0, start))
        subject.ptr.extend(islice(ql, end, None))
    return n


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
def pushGenericCommand(c, where, xx):
    """LPUSH/RPUSH/LPUSHX/RPUSHX; `xx` pushes only onto an existing list (pushGenericCommand)."""
    argv = c.argv
    key = argv[1]
    db = c.db
    lobj = lookupKeyWrite(db, key)
    if lobj is None:
        if xx:
            addReply(c, shared.czero)
            return
        lobj = createQuicklistObject()
        # As in Redis the key is added (and clients blocked on it signalled)
        # before the push; they are served after this command returns.
        dbAdd(db, key, lobj)
    elif lobj.type != OBJ_LIST:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return
    ql = lobj.ptr
    # extendleft pushes one by one at the head, so "LPUSH k a b c" leaves
    # c b a, the same order as Redis's loop of listTypePush calls.
    if where == LIST_HEAD:
        ql.extendleft(islice(argv, 2, None))
    else:
        ql.extend(islice(argv, 2, None))
    server.dirty += len(argv) - 2
    addReply(c, b":%d\r\n" % len(ql))
    signalModifiedKey(c, db, key)
    if server.notify_keyspace_events & NOTIFY_LIST:
        notifyKeyspaceEvent(NOTIFY_LIST, "lpush" if where == LIST_HEAD else "rpush", key, db.id)


def lpushCommand(c):
    """LPUSH key element [element ...] (lpushCommand)."""
    pushGenericCommand(c, LIST_HEAD, 0)


def rpushCommand(c):
    """RPUSH key element [element ...] (rpushCommand)."""
    pushGenericCommand(c, LIST_TAIL, 0)


def lpushxCommand(c):
    """LPUSHX key element [element ...] (lpushxCommand)."""
    pushGenericCommand(c, LIST_HEAD, 1)


def rpushxCommand(c):
    """RPUSHX key element [element ...] (rpushxCommand)."""
    pushGenericCommand(c, LIST_TAIL, 1)


def linsertCommand(c):
    """LINSERT key BEFORE|AFTER pivot element (linsertCommand)."""
    argv = c.argv
    opt = c_string(argv[2]).lower()
    if opt == b"after":
        where = LIST_TAIL
    elif opt == b"before":
        where = LIST_HEAD
    else:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    subject = lookupKeyWrite(c.db, argv[1])
    if subject is None:
        addReply(c, shared.czero)
        return
    if subject.type != OBJ_LIST:
        reply_wrongtype(c)
        return
    ql = subject.ptr
    try:
        idx = ql.index(argv[3])
    except ValueError:
        addReplyLongLong(c, -1)
        return
    ql.insert(idx + 1 if where == LIST_TAIL else idx, argv[4])
    signalModifiedKey(c, c.db, argv[1])
    notifyKeyspaceEvent(NOTIFY_LIST, "linsert", argv[1], c.db.id)
    server.dirty += 1
    addReplyLongLong(c, len(ql))


def llenCommand(c):
    """LLEN key (llenCommand)."""
    o = lookupKeyRead(c.db, c.argv[1])
    if o is None:
        addReply(c, shared.czero)
    elif o.type != OBJ_LIST:
        reply_wrongtype(c)
    else:
        addReplyLongLong(c, len(o.ptr))


def lindexCommand(c):
    """LINDEX key index (lindexCommand)."""
    o = lookupKeyRead(c.db, c.argv[1])
    if o is None:
        addReplyNull(c)
        return
    if o.type != OBJ_LIST:
        reply_wrongtype(c)
        return
    index = getLongFromObjectOrReply(c, c.argv[2], None)
    if index is None:
        return
    ql = o.ptr
    n = len(ql)
    if index < 0:
        index += n
    if 0 <= index < n:
        addReplyBulkCBuffer(c, ql[index])
    else:
        addReplyNull(c)


def lsetCommand(c):
    """LSET key index element (lsetCommand)."""
    o = lookupKeyWrite(c.db, c.argv[1])
    if o is None:
        addReplyErrorObject(c, shared.nokeyerr)
        return
    if o.type != OBJ_LIST:
        reply_wrongtype(c)
        return
    index = getLongFromObjectOrReply(c, c.argv[2], None)
    if index is None:
        return
    ql = o.ptr
    n = len(ql)
    if index < 0:
        index += n
    if not 0 <= index < n:
        addReplyErrorObject(c, shared.outofrangeerr)
        return
    ql[index] = c.argv[3]
    addReply(c, shared.ok)
    signalModifiedKey(c, c.db, c.argv[1])
    notifyKeyspaceEvent(NOTIFY_LIST, "lset", c.argv[1], c.db.id)
    server.dirty += 1


def addListRangeReply(c, o, start, end, reverse):
    """Reply the elements from `start` to `end` inclusive, negative indexes
    allowed, tail-to-head when `reverse` (addListRangeReply)."""
    ql = o.ptr
    llen = len(ql)
    if start < 0:
        start += llen
    if end < 0:
        end += llen
    start = max(start, 0)
    if start > end or start >= llen:
        addReply(c, shared.emptyarray)
        return
    if end >= llen:
        end = llen - 1
    rangelen = end - start + 1
    if rangelen == llen:
        items = reversed(ql) if reverse else ql
    elif reverse or start > llen - end:
        # Walk from the nearer end, as the quicklist iterator would.
        items = islice(reversed(ql), llen - 1 - end, llen - start)
        if not reverse:
            items = list(items)
            items.reverse()
    else:
        items = islice(ql, start, end + 1)
    reply_bulk_array(c, items, rangelen)


def listElementsRemoved(c, key, where, o, count, deleted=None):
    """After a pop: notify, delete the emptied key, signal, count dirty (listElementsRemoved).

    Returns True when the key was deleted (C's `deleted` out argument).
    """
    db = c.db
    notifyKeyspaceEvent(NOTIFY_LIST, "lpop" if where == LIST_HEAD else "rpop", key, db.id)
    removed = False
    if not o.ptr:
        dbDelete(db, key)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, db.id)
        removed = True
    signalModifiedKey(c, db, key)
    server.dirty += count
    return removed


def _pop_range(o, where, count):
    """Pop up to `count` elements from one end, in the order Redis replies them."""
    ql = o.ptr
    n = min(count, len(ql))
    if where == LIST_HEAD:
        pop = ql.popleft
    else:
        pop = ql.pop
    return [pop() for _ in range(n)]


def listPopRangeAndReplyWithKey(c, o, key, where, count):
    """Pop up to `count` elements and reply [key, [elements]] (listPopRangeAndReplyWithKey).

    This is LMPOP's and BLMPOP's reply. Returns True when the key got deleted.
    """
    items = _pop_range(o, where, count)
    addReplyArrayLen(c, 2)
    addReplyBulkCBuffer(c, key)
    reply_bulk_array(c, items, len(items))
    return listElementsRemoved(c, key, where, o, len(items))


def popGenericCommand(c, where):
    """LPOP/RPOP key [count] (popGenericCommand)."""
    argv = c.argv
    argc = len(argv)
    hascount = argc == 3
    count = 0
    if argc > 3:
        addReplyErrorArity(c)
        return
    elif hascount:
        count = getPositiveLongFromObjectOrReply(c, argv[2], None)
        if count is None:
            return
    key = argv[1]
    o = lookupKeyWrite(c.db, key)
    if o is None:
        if hascount:
            addReplyNullArray(c)
        else:
            addReplyNull(c)
        return
    if o.type != OBJ_LIST:
        reply_wrongtype(c)
        return
    if hascount and not count:
        addReply(c, shared.emptyarray)
        return
    if not count:
        ql = o.ptr
        value = ql.popleft() if where == LIST_HEAD else ql.pop()
        addReply(c, b"$%d\r\n%s\r\n" % (len(value), value))
        listElementsRemoved(c, key, where, o, 1)
    else:
        items = _pop_range(o, where, count)
        reply_bulk_array(c, items, len(items))
        listElementsRemoved(c, key, where, o, len(items))


def mpopGenericCommand(c, keys, where, count):
    """LMPOP's body: pop from the first non-empty list of `keys` (mpopGenericCommand)."""
    db = c.db
    for key in keys:
        o = lookupKeyWrite(db, key)
        if o is None:
            continue
        if o.type != OBJ_LIST:
            reply_wrongtype(c)
            return
        llen = len(o.ptr)
        if llen == 0:
            continue
        listPopRangeAndReplyWithKey(c, o, key, where, count)
        # Replicas and the AOF see a plain [LR]POP key count.
        rewriteClientCommandVector(c, [b"LPOP" if where == LIST_HEAD else b"RPOP", key,
                                       b"%d" % min(count, llen)])
        return
    addReplyNullArray(c)


def lpopCommand(c):
    """LPOP key [count] (lpopCommand)."""
    popGenericCommand(c, LIST_HEAD)


def rpopCommand(c):
    """RPOP key [count] (rpopCommand)."""
    popGenericCommand(c, LIST_TAIL)


def lrangeCommand(c):
    """LRANGE key start stop (lrangeCommand)."""
    argv = c.argv
    start = getLongFromObjectOrReply(c, argv[2], None)
    if start is None:
        return
    end = getLongFromObjectOrReply(c, argv[3], None)
    if end is None:
        return
    o = lookupKeyRead(c.db, argv[1])
    if o is None:
        addReply(c, shared.emptyarray)
        return
    if o.type != OBJ_LIST:
        reply_wrongtype(c)
        return
    addListRangeReply(c, o, start, end, 0)


def ltrimCommand(c):
    """LTRIM key start stop (ltrimCommand)."""
    argv = c.argv
    start = getLongFromObjectOrReply(c, argv[2], None)
    if start is None:
        return
    end = getLongFromObjectOrReply(c, argv[3], None)
    if end is None:
        return
    key = argv[1]
    o = lookupKeyWrite(c.db, key)
    if o is None:
        addReply(c, shared.ok)
        return
    if o.type != OBJ_LIST:
        reply_wrongtype(c)
        return
    ql = o.ptr
    llen = len(ql)
    if start < 0:
        start += llen
    if end < 0:
        end += llen
    start = max(start, 0)
    if start > end or start >= llen:
        ltrim, rtrim = llen, 0
    else:
        if end >= llen:
            end = llen - 1
        ltrim, rtrim = start, llen - end - 1
    if ltrim + rtrim >= llen:
        ql.clear()
    elif ltrim + rtrim < (llen >> 1):
        # Few elements go: pop them off the ends.
        for _ in range(ltrim):
            ql.popleft()
        for _ in range(rtrim):
            ql.pop()
    else:
        # Most elements go: copying the survivors is cheaper.
        o.ptr = deque(islice(ql, ltrim, llen - rtrim))
    db = c.db
    notifyKeyspaceEvent(NOTIFY_LIST, "ltrim", key, db.id)
    if not o.ptr:
        dbDelete(db, key)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, db.id)
    signalModifiedKey(c, db, key)
    server.dirty += ltrim + rtrim
    addReply(c, shared.ok)


def lposCommand(c):
    """LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] (lposCommand)."""
    argv = c.argv
    argc = len(argv)
    ele = argv[2]
    direction = LIST_TAIL
    rank, count, maxlen = 1, -1, 0
    j = 3
    while j < argc:
        opt = c_string(argv[j]).lower()
        moreargs = argc - 1 - j
        if opt == b"rank" and moreargs:
            j += 1
            rank = getLongFromObjectOrReply(c, argv[j], None)
            if rank is None:
                return
            if rank == 0:
                addReplyError(c, "RANK can't be zero: use 1 to start from the first match, 2 "
                                 "from the second ... or use negative to start from the end of "
                                 "the list")
                return
        elif opt == b"count" and moreargs:
            j += 1
            count = getPositiveLongFromObjectOrReply(c, argv[j], "COUNT can't be negative")
            if count is None:
                return
        elif opt == b"maxlen" and moreargs:
            j += 1
            maxlen = getPositiveLongFromObjectOrReply(c, argv[j], "MAXLEN can't be negative")
            if maxlen is None:
                return
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        j += 1
    if rank < 0:
        rank = -rank
        direction = LIST_HEAD
        if rank > LLONG_MAX:
            # C negates LLONG_MIN into itself: the rank stays negative, so
            # every match qualifies (and the COUNT test below wraps too).
            rank = -rank
    o = lookupKeyRead(c.db, argv[1])
    if o is None:
        addReply(c, shared.emptyarray if count != -1 else shared.null[c.resp])
        return
    if o.type != OBJ_LIST:
        reply_wrongtype(c)
        return
    ql = o.ptr
    llen = len(ql)
    seq = ql if direction == LIST_TAIL else reversed(ql)
    if maxlen:
        seq = islice(seq, maxlen)
    matches = 0
    found = []
    for index, e in enumerate(seq):
        if e == ele:
            matches += 1
            if matches >= rank:
                found.append(index if direction == LIST_TAIL else llen - index - 1)
                if count == -1:
                    break
                if count:
                    seen = matches - rank + 1
                    if seen > LLONG_MAX:
                        seen -= 1 << 64          # C's signed wrap-around
                    if seen >= count:
                        break
    if count != -1:
        addReply(c, b"*%d\r\n" % len(found) + b"".join([b":%d\r\n" % i for i in found]))
    elif found:
        addReplyLongLong(c, found[0])
    else:
        addReply(c, shared.null[c.resp])


def lremCommand(c):
    """LREM key count element (lremCommand)."""
    argv = c.argv
    toremove = getLongFromObjectOrReply(c, argv[2], None)
    if toremove is None:
        return
    key = argv[1]
    subject = lookupKeyWrite(c.db, key)
    if subject is None:
        addReply(c, shared.czero)
        return
    if subject.type != OBJ_LIST:
        reply_wrongtype(c)
        return
    obj = argv[3]
    ql = subject.ptr
    llen = len(ql)
    if toremove == 0:
        kept = deque([e for e in ql if e != obj])
        removed = llen - len(kept)
    else:
        fromtail = toremove < 0
        limit = -toremove if fromtail else toremove
        removed = 0
        kept = []
        for e in (reversed(ql) if fromtail else ql):
            if removed < limit and e == obj:
                removed += 1
            else:
                kept.append(e)
        if fromtail:
            kept.reverse()
        kept = deque(kept)
    db = c.db
    if removed:
        subject.ptr = kept
        server.dirty += removed
        signalModifiedKey(c, db, key)
        notifyKeyspaceEvent(NOTIFY_LIST, "lrem", key, db.id)
    if not subject.ptr:
        dbDelete(db, key)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, db.id)
    addReplyLongLong(c, removed)


def lmoveHandlePush(c, dstkey, dstobj, value, where):
    """The push half of LMOVE/BLMOVE: create the target if needed, push, reply the value
    (lmoveHandlePush)."""
    db = c.db
    if dstobj is None:
        dstobj = createQuicklistObject()
        dbAdd(db, dstkey, dstobj)
    signalModifiedKey(c, db, dstkey)
    listTypePush(dstobj, value, where)
    notifyKeyspaceEvent(NOTIFY_LIST, "lpush" if where == LIST_HEAD else "rpush", dstkey, db.id)
    addReplyBulkCBuffer(c, value)


def getListPositionFromObjectOrReply(c, arg):
    """LEFT -> LIST_HEAD, RIGHT -> LIST_TAIL, else a syntax error and None
    (getListPositionFromObjectOrReply)."""
    a = c_string(arg).lower()
    if a == b"right":
        return LIST_TAIL
    if a == b"left":
        return LIST_HEAD
    addReplyErrorObject(c, shared.syntaxerr)
    return None


def getStringObjectFromListPosition(position):
    """The LEFT/RIGHT argument for a position, when propagating (getStringObjectFromListPosition)."""
    return b"left" if position == LIST_HEAD else b"right"


def lmoveGenericCommand(c, wherefrom, whereto):
    """LMOVE/RPOPLPUSH (and BLMOVE when the source has data) (lmoveGenericCommand)."""
    argv = c.argv
    db = c.db
    srckey = argv[1]
    sobj = lookupKeyWrite(db, srckey)
    if sobj is None:
        addReplyNull(c)
        return
    if sobj.type != OBJ_LIST:
        reply_wrongtype(c)
        return
    if not sobj.ptr:
        # Only possible with data loaded from very old RDB files.
        addReplyNull(c)
        return
    dobj = lookupKeyWrite(db, argv[2])
    if dobj is not None and dobj.type != OBJ_LIST:
        reply_wrongtype(c)
        return
    value = listTypePop(sobj, wherefrom)
    lmoveHandlePush(c, argv[2], dobj, value, whereto)
    notifyKeyspaceEvent(NOTIFY_LIST, "lpop" if wherefrom == LIST_HEAD else "rpop", srckey, db.id)
    if not sobj.ptr:
        dbDelete(db, srckey)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", srckey, db.id)
    signalModifiedKey(c, db, srckey)
    server.dirty += 1
    # The blocking forms propagate as their non-blocking twin.
    name = c.cmd.fullname if c.cmd is not None else ""
    if name == "blmove":
        rewriteClientCommandVector(c, [b"LMOVE", argv[1], argv[2], argv[3], argv[4]])
    elif name == "brpoplpush":
        rewriteClientCommandVector(c, [b"RPOPLPUSH", argv[1], argv[2]])


def lmoveCommand(c):
    """LMOVE source destination LEFT|RIGHT LEFT|RIGHT (lmoveCommand)."""
    wherefrom = getListPositionFromObjectOrReply(c, c.argv[3])
    if wherefrom is None:
        return
    whereto = getListPositionFromObjectOrReply(c, c.argv[4])
    if whereto is None:
        return
    lmoveGenericCommand(c, wherefrom, whereto)


def rpoplpushCommand(c):
    """RPOPLPUSH source destination (rpoplpushCommand)."""
    lmoveGenericCommand(c, LIST_TAIL, LIST_HEAD)


def lmpopGenericCommand(c, numkeys_idx, is_block):
    """Parse LMPOP/BLMPOP and run the non-blocking or blocking pop (lmpopGenericCommand).

    argv[numkeys_idx] is numkeys; the keys, LEFT|RIGHT and COUNT follow.
    """
    argv = c.argv
    argc = len(argv)
    numkeys = getRangeLongFromObjectOrReply(c, argv[numkeys_idx], 1, LLONG_MAX,
                                            "numkeys should be greater than 0")
    if numkeys is None:
        return
    where_idx = numkeys_idx + numkeys + 1
    if where_idx >= argc:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    where = getListPositionFromObjectOrReply(c, argv[where_idx])
    if where is None:
        return
    count = -1
    j = where_idx + 1
    while j < argc:
        moreargs = argc - 1 - j
        if count == -1 and c_string(argv[j]).lower() == b"count" and moreargs:
            j += 1
            count = getRangeLongFromObjectOrReply(c, argv[j], 1, LLONG_MAX,
                                                  "count should be greater than 0")
            if count is None:
                return
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        j += 1
    if count == -1:
        count = 1
    keys = argv[numkeys_idx + 1:numkeys_idx + 1 + numkeys]
    if is_block:
        # BLMPOP: the blocking pop lives with the other blocking commands and
        # is looked up at call time so this module does not depend on it.
        globals()["blockingPopGenericCommand"](c, keys, numkeys, where, 1, count)
    else:
        mpopGenericCommand(c, keys, where, count)


def lmpopCommand(c):
    """LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] (lmpopCommand)."""
    lmpopGenericCommand(c, 1, 0)


# ---------------------------------------------------------------------------
# Blocking commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP (blocked.py parks
# and wakes the clients; serveClientBlockedOnList is the wake-up half)
# ---------------------------------------------------------------------------
def blockingPopGenericCommand(c, keys, numkeys, where, timeout_idx, count):
    """BLPOP/BRPOP/BLMPOP: pop from the first non-empty list, else block (blockingPopGenericCommand).

    `count` is -1 for BLPOP/BRPOP (reply [key, element]) and the COUNT for
    BLMPOP (reply [key, [elements]]). With data, this is the plain pop and
    it propagates as LPOP/RPOP, so replicas and the AOF never see a
    blocking command. Where blocking is not allowed (inside MULTI/EXEC) an
    empty result answers at once, as a timeout would.
    """
    timeout = getTimeoutFromObjectOrReply(c, c.argv[timeout_idx], UNIT_SECONDS)
    if timeout is None:
        return
    db = c.db
    for key in keys[:numkeys]:
        o = lookupKeyWrite(db, key)
        if o is None:
            continue
        if o.type != OBJ_LIST:
            reply_wrongtype(c)
            return
        llen = len(o.ptr)
        if llen == 0:
            continue
        if count != -1:
            listPopRangeAndReplyWithKey(c, o, key, where, count)
            rewriteClientCommandVector(c, [b"LPOP" if where == LIST_HEAD else b"RPOP", key,
                                           b"%d" % min(count, llen)])
            return
        value = listTypePop(o, where)
        addReply(c, b"*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value))
        listElementsRemoved(c, key, where, o, 1)
        rewriteClientCommandVector(c, [b"LPOP" if where == LIST_HEAD else b"RPOP", key])
        return
    if c.flags & CLIENT_DENY_BLOCKING:
        addReplyNullArray(c)
        return
    blocked.blockForKeys(c, BLOCKED_LIST, keys[:numkeys], count, timeout, None, (where, LIST_HEAD))


def blpopCommand(c):
    """BLPOP key [key ...] timeout (blpopCommand)."""
    argv = c.argv
    blockingPopGenericCommand(c, argv[1:-1], len(argv) - 2, LIST_HEAD, len(argv) - 1, -1)


def brpopCommand(c):
    """BRPOP key [key ...] timeout (brpopCommand)."""
    argv = c.argv
    blockingPopGenericCommand(c, argv[1:-1], len(argv) - 2, LIST_TAIL, len(argv) - 1, -1)


def blmoveGenericCommand(c, wherefrom, whereto, timeout):
    """BLMOVE/BRPOPLPUSH once the arguments are parsed (blmoveGenericCommand).

    A source with data is a plain LMOVE; an absent one parks the client
    with the destination in bpop.target.
    """
    key = lookupKeyWrite(c.db, c.argv[1])
    if key is not None and key.type != OBJ_LIST:
        reply_wrongtype(c)
        return
    if key is None:
        if c.flags & CLIENT_DENY_BLOCKING:
            addReplyNull(c)
        else:
            from .blocked import blockForKeys
            blockForKeys(c, BLOCKED_LIST, c.argv[1:2], -1, timeout, c.argv[2], (wherefrom, whereto))
    else:
        lmoveGenericCommand(c, wherefrom, whereto)


def blmoveCommand(c):
    """BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout (blmoveCommand)."""
    wherefrom = getListPositionFromObjectOrReply(c, c.argv[3])
    if wherefrom is None:
        return
    whereto = getListPositionFromObjectOrReply(c, c.argv[4])
    if whereto is None:
        return
    timeout = getTimeoutFromObjectOrReply(c, c.argv[5], UNIT_SECONDS)
    if timeout is None:
        return
    blmoveGenericCommand(c, wherefrom, whereto, timeout)


def brpoplpushCommand(c):
    """BRPOPLPUSH source destination timeout (brpoplpushCommand)."""
    timeout = getTimeoutFromObjectOrReply(c, c.argv[3], UNIT_SECONDS)
    if timeout is None:
        return
    blmoveGenericCommand(c, LIST_TAIL, LIST_HEAD, timeout)


def blmpopCommand(c):
    """BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] (blmpopCommand)."""
    lmpopGenericCommand(c, 2, 1)


def serveClientBlockedOnList(receiver, o, key, dstkey, db, wherefrom, whereto):
    """Hand one element (or COUNT of them) of the ready list `key` to a blocked client
    (serveClientBlockedOnList).

    Replies to the receiver, propagates the non-blocking equivalent (LPOP,
    RPOP, LPOP key n, LMOVE, RPOPLPUSH), fires the pop events, and deletes
    the list when it is used up. Returns True when it did, so blocked.py
    stops serving this key. No signalModifiedKey here: the push that
    readied the key already did it, as in Redis.
    """
    target = PROPAGATE_AOF | PROPAGATE_REPL
    ql = o.ptr
    if dstkey is None:
        pop = b"LPOP" if wherefrom == LIST_HEAD else b"RPOP"
        if receiver.lastcmd is not None and receiver.lastcmd.proc is blmpopCommand:
            count = receiver.bpop.count
            alsoPropagate(db.id, [pop, key, b"%d" % min(count, len(ql))], target)
            return listPopRangeAndReplyWithKey(receiver, o, key, wherefrom, count)
        alsoPropagate(db.id, [pop, key], target)
        value = listTypePop(o, wherefrom)
        addReply(receiver, b"*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
            len(key), key, len(value), value))
        notifyKeyspaceEvent(NOTIFY_LIST, "lpop" if wherefrom == LIST_HEAD else "rpop", key,
                            receiver.db.id)
    else:
        dstobj = lookupKeyWrite(receiver.db, dstkey)
        if dstobj is not None and dstobj.type != OBJ_LIST:
            reply_wrongtype(receiver)
        else:
            value = listTypePop(o, wherefrom)
            lmoveHandlePush(receiver, dstkey, dstobj, value, whereto)
            if receiver.lastcmd is not None and receiver.lastcmd.proc is brpoplpushCommand:
                argv = [b"RPOPLPUSH", key, dstkey]
            else:
                argv = [b"LMOVE", key, dstkey, getStringObjectFromListPosition(wherefrom),
                        getStringObjectFromListPosition(whereto)]
            alsoPropagate(db.id, argv, target)
            notifyKeyspaceEvent(NOTIFY_LIST, "rpop" if wherefrom == LIST_TAIL else "lpop", key,
                                receiver.db.id)
    if not ql:
        dbDelete(receiver.db, key)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, receiver.db.id)
        return True
    return False


def _register_hooks():
    """COPY duplicates lists with listTypeDup (dupObject's list case)."""
    server.dup_object_hooks[OBJ_LIST] = listTypeDup


# Bound at the bottom, as a module: t_list.py and blocked.py import each other, and a
# module object can be bound while the other is still loading (its
# functions are looked up when called). An import inside the function
# instead costs ~3 us on every call.
from . import blocked  # noqa: E402
