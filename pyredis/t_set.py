"""Set commands: our t_set.c.

A set value's `ptr` is a Python set of member bytes for both 7.0
encodings. The encoding follows Redis exactly:

* intset while every member is an integer in canonical form (what
  string2ll accepts: isSdsRepresentableAsLongLong) and there are at most
  set-max-intset-entries of them; an intset replies in ascending numeric
  order, which we produce by sorting on the way out;
* hashtable otherwise, for good (a set never goes back, except that a
  set rebuilt from scratch, like SPOP's "keep the survivors" case or a
  *STORE destination, starts again as an intset, as in Redis).

Hashtable sets reply in Redis's hash order, which we cannot reproduce
(ours is Python's set order): differential tests sort those replies.

Why not a sorted array for intsets, like Redis? Every membership test and
add would need a parse and a bisect in Python, slower than a set lookup;
sorting only when replying costs O(n log n) on at most 512 entries by
default.
"""

import random
from itertools import islice

from .db import (
    _RANDOM_SNAPSHOTS, dbAdd, dbDelete, dbOverwrite, forget_random_snapshot, lookupKeyRead,  # noqa: F401
    lookupKeyWrite, parseScanCursorOrReply, random_member, scanGenericCommand, setKey,
    signalModifiedKey,
)
from .networking import (
    addReply,
    addReplyBulkCBuffer,
    addReplyError,
    addReplyErrorObject,
    addReplyLongLong,
)
from .notify import notifyKeyspaceEvent
from .object import (
    createObject,
    getPositiveLongFromObjectOrReply,
    getRangeLongFromObjectOrReply,
)
from .server_h import (
    CLIENT_CLOSE_ASAP,
    CLIENT_PREVENT_PROP,
    LLONG_MAX,
    NOTIFY_GENERIC,
    NOTIFY_SET,
    OBJ_ENCODING_HT,
    OBJ_ENCODING_INTSET,
    OBJ_SET,
    PROPAGATE_AOF,
    PROPAGATE_REPL,
    server,
    shared,
)
from .t_list import bulk_items
from .util import c_string, string2ll
from .server import alsoPropagate, rewriteClientCommandVector

SET_OP_UNION = 0
SET_OP_DIFF = 1
SET_OP_INTER = 2

SPOP_MOVE_STRATEGY_MUL = 5
SRANDMEMBER_SUB_STRATEGY_MUL = 3
SRANDMEMBER_RANDOM_SAMPLE_LIMIT = 1000

EMPTY_SCAN = b"*2\r\n$1\r\n0\r\n*0\r\n"


# ---------------------------------------------------------------------------
# Set type API
# ---------------------------------------------------------------------------
def _intset_max():
    # Redis caps intsets at 1G entries whatever the configuration says.
    m = server.set_max_intset_entries
    return min(1 << 30, m)


def isSdsRepresentableAsLongLong(s):
    """Is `s` an integer in canonical form (isSdsRepresentableAsLongLong)?"""
    return string2ll(s) is not None


def createSetObject():
    """A new empty hashtable set (createSetObject)."""
    return createObject(OBJ_SET, set(), OBJ_ENCODING_HT)


def createIntsetObject():
    """A new empty intset (createIntsetObject)."""
    return createObject(OBJ_SET, set(), OBJ_ENCODING_INTSET)


def setTypeCreate(value):
    """A new empty set able to hold `value`: intset for integers (setTypeCreate)."""
    if string2ll(value) is not None:
        return createIntsetObject()
    return createSetObject()


def setTypeAdd(subject, value):
    """Add a member; 1 if added, 0 if present. Converts intsets as Redis (setTypeAdd)."""
    s = subject.ptr
    if value in s:
        return 0
    s.add(value)
    if _RANDOM_SNAPSHOTS:
        _RANDOM_SNAPSHOTS.pop(id(s), None)
    if subject.encoding == OBJ_ENCODING_INTSET and (
            string2ll(value) is None or len(s) > _intset_max()):
        subject.encoding = OBJ_ENCODING_HT
    return 1


def setTypeRemove(setobj, value):
    """Remove a member; 1 if it was there (setTypeRemove)."""
    s = setobj.ptr
    if value in s:
        s.remove(value)
        return 1
    return 0


def setTypeIsMember(subject, value):
    """Membership test (setTypeIsMember)."""
    return value in subject.ptr


def setTypeSize(subject):
    """Number of members (setTypeSize)."""
    return len(subject.ptr)


def setTypeMembers(subject):
    """The members in the order Redis iterates them (setTypeInitIterator/setTypeNext):
    ascending for an intset, the container's order for a hashtable."""
    if subject.encoding == OBJ_ENCODING_INTSET:
        return sorted(subject.ptr, key=int)
    return subject.ptr


def setTypeRandomElement(setobj):
    """A random member (setTypeRandomElement); see random_member."""
    return random_member(setobj.ptr)


def setTypeDup(o):
    """A copy with the same encoding, for COPY (setTypeDup)."""
    return createObject(OBJ_SET, set(o.ptr), o.encoding)


def set_encoding_for(members):
    """The encoding a set built member by member from an empty intset ends with:
    intset iff every member is an integer and there are few enough."""
    if len(members) > _intset_max():
        return OBJ_ENCODING_HT
    for m in members:
        if string2ll(m) is None:
            return OBJ_ENCODING_HT
    return OBJ_ENCODING_INTSET


def _reply_members(c, members, n, as_set=True):
    """Reply `n` members as a RESP3 set (an array in RESP2) or an array."""
    head = (b"~%d\r\n" if as_set and c.resp == 3 else b"*%d\r\n") % n
    addReply(c, head + bulk_items(members if type(members) is list else list(members)))


def _lookup_read_set(c, key, missing_reply):
    o = lookupKeyRead(c.db, key)
    if o is None:
        addReply(c, missing_reply)
        return None
    if o.type != OBJ_SET:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return None
    return o


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
def saddCommand(c):
    """SADD key member [member ...] (saddCommand)."""
    argv = c.argv
    key = argv[1]
    db = c.db
    setobj = lookupKeyWrite(db, key)
    if setobj is None:
        setobj = setTypeCreate(argv[2])
        dbAdd(db, key, setobj)
    elif setobj.type != OBJ_SET:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return
    s = setobj.ptr
    before = len(s)
    if setobj.encoding == OBJ_ENCODING_HT:
        s.update(islice(argv, 2, None))
    else:
        for m in islice(argv, 2, None):
            setTypeAdd(setobj, m)
    added = len(s) - before
    if added:
        if _RANDOM_SNAPSHOTS:
            _RANDOM_SNAPSHOTS.pop(id(s), None)
        signalModifiedKey(c, db, key)
        notifyKeyspaceEvent(NOTIFY_SET, "sadd", key, db.id)
    server.dirty += added
    addReply(c, b":%d\r\n" % added)


def sremCommand(c):
    """SREM key member [member ...] (sremCommand)."""
    argv = c.argv
    key = argv[1]
    db = c.db
    setobj = lookupKeyWrite(db, key)
    if setobj is None:
        addReply(c, shared.czero)
        return
    if setobj.type != OBJ_SET:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return
    s = setobj.ptr
    deleted = 0
    keyremoved = False
    for m in islice(argv, 2, None):
        if m in s:
            s.remove(m)
            deleted += 1
            if not s:
                dbDelete(db, key)
                keyremoved = True
                break
    if deleted:
        signalModifiedKey(c, db, key)
        notifyKeyspaceEvent(NOTIFY_SET, "srem", key, db.id)
        if keyremoved:
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, db.id)
        server.dirty += deleted
    addReplyLongLong(c, deleted)


def smoveCommand(c):
    """SMOVE source destination member (smoveCommand)."""
    argv = c.argv
    db = c.db
    srcset = lookupKeyWrite(db, argv[1])
    dstset = lookupKeyWrite(db, argv[2])
    ele = argv[3]
    if srcset is None:
        addReply(c, shared.czero)
        return
    if srcset.type != OBJ_SET or (dstset is not None and dstset.type != OBJ_SET):
        addReplyErrorObject(c, shared.wrongtypeerr)
        return
    if srcset is dstset:
        addReply(c, shared.cone if ele in srcset.ptr else shared.czero)
        return
    if not setTypeRemove(srcset, ele):
        addReply(c, shared.czero)
        return
    notifyKeyspaceEvent(NOTIFY_SET, "srem", argv[1], db.id)
    if not srcset.ptr:
        dbDelete(db, argv[1])
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", argv[1], db.id)
    if dstset is None:
        dstset = setTypeCreate(ele)
        dbAdd(db, argv[2], dstset)
    signalModifiedKey(c, db, argv[1])
    server.dirty += 1
    if setTypeAdd(dstset, ele):
        server.dirty += 1
        signalModifiedKey(c, db, argv[2])
        notifyKeyspaceEvent(NOTIFY_SET, "sadd", argv[2], db.id)
    addReply(c, shared.cone)


def sismemberCommand(c):
    """SISMEMBER key member (sismemberCommand)."""
    o = _lookup_read_set(c, c.argv[1], shared.czero)
    if o is not None:
        addReply(c, shared.cone if c.argv[2] in o.ptr else shared.czero)


def smismemberCommand(c):
    """SMISMEMBER key member [member ...] (smismemberCommand)."""
    argv = c.argv
    o = lookupKeyRead(c.db, argv[1])
    if o is not None and o.type != OBJ_SET:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return
    s = o.ptr if o is not None else ()
    addReply(c, b"*%d\r\n" % (len(argv) - 2) + b"".join(
        [b":1\r\n" if m in s else b":0\r\n" for m in islice(argv, 2, None)]))


def scardCommand(c):
    """SCARD key (scardCommand)."""
    o = _lookup_read_set(c, c.argv[1], shared.czero)
    if o is not None:
        addReplyLongLong(c, len(o.ptr))


def spopWithCountCommand(c):
    """SPOP key count (spopWithCountCommand).

    Replicas get SREMs (or one DEL when the whole set goes), never the SPOP
    itself, since they would pick other members.
    """
    argv = c.argv
    count = getPositiveLongFromObjectOrReply(c, argv[2], None)
    if count is None:
        return
    key = argv[1]
    db = c.db
    setobj = lookupKeyWrite(db, key)
    if setobj is None:
        addReply(c, shared.emptyset[c.resp])
        return
    if setobj.type != OBJ_SET:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return
    if count == 0:
        addReply(c, shared.emptyset[c.resp])
        return
    s = setobj.ptr
    size = len(s)
    notifyKeyspaceEvent(NOTIFY_SET, "spop", key, db.id)
    server.dirty += min(size, count)

    # CASE 1: the whole set goes; reply as SUNION of it would.
    if count >= size:
        sunionDiffGenericCommand(c, [key], None, SET_OP_UNION)
        dbDelete(db, key)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, db.id)
        rewriteClientCommandVector(c, [b"DEL", key])
        signalModifiedKey(c, db, key)
        return

    remaining = size - count
    target = PROPAGATE_AOF | PROPAGATE_REPL
    dbid = db.id
    if remaining * SPOP_MOVE_STRATEGY_MUL > count:
        # CASE 2: few members go: pick and remove them one by one.
        popped = random.sample(list(s), count)
        s.difference_update(popped)
        _reply_members(c, popped, count)
        for m in popped:
            alsoPropagate(dbid, [b"SREM", key, m], target)
    else:
        # CASE 3: most members go: pick the survivors into a new set (which
        # starts as an intset again) and reply what is left of the old one.
        keep = random.sample(list(s), remaining)
        s.difference_update(keep)
        gone = setTypeMembers(setobj)
        _reply_members(c, gone, count)
        for m in gone:
            alsoPropagate(dbid, [b"SREM", key, m], target)
        newset = createObject(OBJ_SET, set(keep), set_encoding_for(keep))
        dbOverwrite(db, key, newset)
    c.flags |= CLIENT_PREVENT_PROP
    signalModifiedKey(c, db, key)


def spopCommand(c):
    """SPOP key [count] (spopCommand)."""
    argv = c.argv
    if len(argv) == 3:
        spopWithCountCommand(c)
        return
    if len(argv) > 3:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    key = argv[1]
    db = c.db
    setobj = lookupKeyWrite(db, key)
    if setobj is None:
        addReply(c, shared.null[c.resp])
        return
    if setobj.type != OBJ_SET:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return
    s = setobj.ptr
    ele = s.pop() if len(s) == 1 else setTypeRandomElement(setobj)
    s.discard(ele)
    notifyKeyspaceEvent(NOTIFY_SET, "spop", key, db.id)
    rewriteClientCommandVector(c, [b"SREM", key, ele])
    addReply(c, b"$%d\r\n%s\r\n" % (len(ele), ele))
    if not s:
        dbDelete(db, key)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, db.id)
    signalModifiedKey(c, db, key)
    server.dirty += 1


def srandmemberWithCountCommand(c):
    """SRANDMEMBER key count (srandmemberWithCountCommand).

    Redis's four cases: repeats allowed (negative count), the whole set,
    "copy and remove" when most is wanted, "pick until enough distinct"
    otherwise. The members chosen are random; the shape matches Redis.
    """
    l = getRangeLongFromObjectOrReply(c, c.argv[2], -LLONG_MAX, LLONG_MAX, None)
    if l is None:
        return
    if l >= 0:
        count, uniq = l, True
    else:
        count, uniq = -l, False
    o = _lookup_read_set(c, c.argv[1], shared.emptyarray)
    if o is None:
        return
    s = o.ptr
    size = len(s)
    if count == 0:
        addReply(c, shared.emptyarray)
        return
    # CASE 1: independent picks, repeats allowed.
    if not uniq or count == 1:
        if count <= 16:
            addReply(c, b"*%d\r\n" % count + bulk_items([random_member(s) for _ in range(count)]))
            return
        members = list(s)
        addReply(c, b"*%d\r\n" % count)
        while count:
            n = min(count, SRANDMEMBER_RANDOM_SAMPLE_LIMIT)
            count -= n
            addReply(c, b"".join([b"$%d\r\n%s\r\n" % (len(m), m)
                                  for m in random.choices(members, k=n)]))
            if c.flags & CLIENT_CLOSE_ASAP:
                break
        return
    # CASE 2: the whole set.
    if count >= size:
        _reply_members(c, setTypeMembers(o), size, as_set=False)
        return
    if count * SRANDMEMBER_SUB_STRATEGY_MUL > size:
        # CASE 3: copy, then remove random members until `count` are left.
        members = list(setTypeMembers(o))
        tmp = dict.fromkeys(members)
        for m in random.sample(members, size - count):
            del tmp[m]
        result = list(tmp)
    else:
        # CASE 4: pick random members until `count` distinct ones.
        members = list(s)
        tmp = {}
        while len(tmp) < count:
            tmp[members[random.randrange(size)]] = None
        result = list(tmp)
    _reply_members(c, result, count, as_set=False)


def srandmemberCommand(c):
    """SRANDMEMBER key [count] (srandmemberCommand)."""
    argv = c.argv
    if len(argv) == 3:
        srandmemberWithCountCommand(c)
        return
    if len(argv) > 3:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    o = _lookup_read_set(c, argv[1], shared.null[c.resp])
    if o is None:
        return
    addReplyBulkCBuffer(c, setTypeRandomElement(o))


def sinterGenericCommand(c, setkeys, dstkey, cardinality_only, limit):
    """SINTER, SMEMBERS, SINTERSTORE and SINTERCARD (sinterGenericCommand).

    `limit` (SINTERCARD) stops counting early; 0 means no limit.
    """
    db = c.db
    sets = []
    empty = False
    for k in setkeys:
        o = lookupKeyRead(db, k)
        if o is None:
            empty = True
            continue
        if o.type != OBJ_SET:
            addReplyErrorObject(c, shared.wrongtypeerr)
            return
        sets.append(o)
    if empty:
        if dstkey is not None:
            if dbDelete(db, dstkey):
                signalModifiedKey(c, db, dstkey)
                notifyKeyspaceEvent(NOTIFY_GENERIC, "del", dstkey, db.id)
                server.dirty += 1
            addReply(c, shared.czero)
        elif cardinality_only:
            addReply(c, shared.czero)
        else:
            addReply(c, shared.emptyset[c.resp])
        return
    # Smallest first: fewest candidates to test against the others.
    sets.sort(key=lambda o: len(o.ptr))
    first = sets[0]
    others = [o.ptr for o in sets[1:] if o is not first]
    if cardinality_only:
        n = 0
        for m in first.ptr:
            for s in others:
                if m not in s:
                    break
            else:
                n += 1
                if limit and n >= limit:
                    break
        addReplyLongLong(c, n)
        return
    if len(others) == 0:
        result = list(setTypeMembers(first))
    else:
        result = [m for m in setTypeMembers(first) if all(m in s for s in others)]
    if dstkey is None:
        _reply_members(c, result, len(result))
        return
    if result:
        dstset = createObject(OBJ_SET, set(result), set_encoding_for(result))
        setKey(c, db, dstkey, dstset, 0)
        addReplyLongLong(c, len(result))
        notifyKeyspaceEvent(NOTIFY_SET, "sinterstore", dstkey, db.id)
        server.dirty += 1
    else:
        addReply(c, shared.czero)
        if dbDelete(db, dstkey):
            server.dirty += 1
            signalModifiedKey(c, db, dstkey)
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", dstkey, db.id)


def sinterCommand(c):
    """SINTER key [key ...], and SMEMBERS key (sinterCommand)."""
    sinterGenericCommand(c, c.argv[1:], None, False, 0)


def sinterCardCommand(c):
    """SINTERCARD numkeys key [key ...] [LIMIT limit] (sinterCardCommand)."""
    argv = c.argv
    argc = len(argv)
    numkeys = getRangeLongFromObjectOrReply(c, argv[1], 1, LLONG_MAX,
                                            "numkeys should be greater than 0")
    if numkeys is None:
        return
    if numkeys > argc - 2:
        addReplyError(c, "Number of keys can't be greater than number of args")
        return
    limit = 0
    j = 2 + numkeys
    while j < argc:
        moreargs = argc - 1 - j
        if c_string(argv[j]).lower() == b"limit" and moreargs:
            j += 1
            limit = getPositiveLongFromObjectOrReply(c, argv[j], "LIMIT can't be negative")
            if limit is None:
                return
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        j += 1
    sinterGenericCommand(c, argv[2:2 + numkeys], None, True, limit)


def sinterstoreCommand(c):
    """SINTERSTORE destination key [key ...] (sinterstoreCommand)."""
    sinterGenericCommand(c, c.argv[2:], c.argv[1], False, 0)


def sunionDiffGenericCommand(c, setkeys, dstkey, op):
    """SUNION, SDIFF and their STORE forms (sunionDiffGenericCommand).

    The result is built as Redis builds it, in a set that starts as an
    intset, so its encoding (and so the reply order) is the one Redis gets.
    """
    db = c.db
    sets = []
    sameset = False
    for j, k in enumerate(setkeys):
        o = lookupKeyRead(db, k)
        if o is not None and o.type != OBJ_SET:
            addReplyErrorObject(c, shared.wrongtypeerr)
            return
        sets.append(o)
        if j > 0 and o is not None and o is sets[0]:
            sameset = True

    if op == SET_OP_UNION:
        result = {}
        for o in sets:
            if o is not None:
                result.update(dict.fromkeys(setTypeMembers(o)))
        encoding = set_encoding_for(result)
    elif sameset or sets[0] is None:
        result = {}
        encoding = OBJ_ENCODING_INTSET
    else:
        first = sets[0]
        algo_one = sum(len(first.ptr) for o in sets if o is not None) // 2
        algo_two = sum(len(o.ptr) for o in sets if o is not None)
        others = [o.ptr for o in sets[1:] if o is not None]
        result = dict.fromkeys(m for m in setTypeMembers(first)
                               if not any(m in s for s in others))
        if algo_one <= algo_two:
            # Algorithm 1 adds only the survivors.
            encoding = set_encoding_for(result)
        else:
            # Algorithm 2 adds all of the first set, then removes: the
            # encoding is what the first set's members gave.
            encoding = set_encoding_for(first.ptr)

    if dstkey is None:
        members = sorted(result, key=int) if encoding == OBJ_ENCODING_INTSET else result
        _reply_members(c, members, len(result))
        return
    if result:
        dstset = createObject(OBJ_SET, set(result), encoding)
        setKey(c, db, dstkey, dstset, 0)
        addReplyLongLong(c, len(result))
        notifyKeyspaceEvent(NOTIFY_SET, "sunionstore" if op == SET_OP_UNION else "sdiffstore",
                            dstkey, db.id)
        server.dirty += 1
    else:
        addReply(c, shared.czero)
        if dbDelete(db, dstkey):
            server.dirty += 1
            signalModifiedKey(c, db, dstkey)
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", dstkey, db.id)


def sunionCommand(c):
    """SUNION key [key ...] (sunionCommand)."""
    sunionDiffGenericCommand(c, c.argv[1:], None, SET_OP_UNION)


def sunionstoreCommand(c):
    """SUNIONSTORE destination key [key ...] (sunionstoreCommand)."""
    sunionDiffGenericCommand(c, c.argv[2:], c.argv[1], SET_OP_UNION)


def sdiffCommand(c):
    """SDIFF key [key ...] (sdiffCommand)."""
    sunionDiffGenericCommand(c, c.argv[1:], None, SET_OP_DIFF)


def sdiffstoreCommand(c):
    """SDIFFSTORE destination key [key ...] (sdiffstoreCommand)."""
    sunionDiffGenericCommand(c, c.argv[2:], c.argv[1], SET_OP_DIFF)


def sscanCommand(c):
    """SSCAN key cursor [MATCH pattern] [COUNT count] (sscanCommand)."""
    cursor = parseScanCursorOrReply(c, c.argv[2])
    if cursor is None:
        return
    o = _lookup_read_set(c, c.argv[1], EMPTY_SCAN)
    if o is None:
        return
    scanGenericCommand(c, o, cursor)


def set_scan_items(o):
    """What SSCAN walks: an intset in ascending order (returned whole, as Redis
    does for small encodings), a hashtable as it is."""
    if o.encoding == OBJ_ENCODING_INTSET:
        return sorted(o.ptr, key=int)
    return o.ptr


def _register_hooks():
    """COPY duplicates sets with setTypeDup; SSCAN walks intsets in order."""
    server.dup_object_hooks[OBJ_SET] = setTypeDup
    server.scan_item_hooks[OBJ_SET] = set_scan_items

