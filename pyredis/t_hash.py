"""Hash commands: our t_hash.c.

A hash value's `ptr` is a dict of field bytes -> value bytes, whatever the
encoding. The encoding is bookkeeping that mirrors Redis 7.0 exactly:

* a new hash is a listpack; it becomes a hashtable for good as soon as it
  holds more than hash-max-listpack-entries fields, or any field or value
  longer than hash-max-listpack-value bytes is written (never back);
* a listpack replies in insertion order, which a Python dict keeps (an
  update stays in place, a deleted field's slot closes up), so small
  hashes reply byte for byte like Redis;
* a hashtable replies in Redis's hash order, which we cannot reproduce;
  ours is the dict's insertion order. Differential tests sort those.

We keep one container for both encodings (instead of, say, a flat list
for listpacks) because every command would otherwise need two paths and
the listpack's memory saving does not exist in Python anyway.
"""

import random
from itertools import chain, islice

from .db import (
    dbAdd, dbDelete, lookupKeyRead, lookupKeyWrite, parseScanCursorOrReply, scanGenericCommand,
    signalModifiedKey,
)
from .networking import (
    addReply,
    addReplyArrayLen,
    addReplyBulkCBuffer,
    addReplyError,
    addReplyErrorArity,
    addReplyErrorObject,
    addReplyLongLong,
    addReplyMapLen,
    addReplyNull,
)
from .notify import notifyKeyspaceEvent
from .object import (
    createObject,
    getLongDoubleFromObjectOrReply,
    getLongLongFromObjectOrReply,
    getRangeLongFromObjectOrReply,
)
from .server_h import (
    CLIENT_CLOSE_ASAP,
    LLONG_MAX,
    LLONG_MIN,
    NOTIFY_GENERIC,
    NOTIFY_HASH,
    OBJ_ENCODING_HT,
    OBJ_ENCODING_LISTPACK,
    OBJ_HASH,
    server,
    shared,
)
from .t_list import bulk_items
from .t_set import forget_random_snapshot, random_member
from .util import c_string, ld2string, ld_round, string2ld, string2ll
from .server import rewriteClientCommandArgument

OBJ_HASH_KEY = 1
OBJ_HASH_VALUE = 2

# HRANDFIELD's strategy thresholds, as in t_hash.c.
HRANDFIELD_SUB_STRATEGY_MUL = 3
HRANDFIELD_RANDOM_SAMPLE_LIMIT = 1000

EMPTY_SCAN = b"*2\r\n$1\r\n0\r\n*0\r\n"


# ---------------------------------------------------------------------------
# Hash type API
# ---------------------------------------------------------------------------
def createHashObject():
    """A new empty hash, listpack encoded (createHashObject)."""
    return createObject(OBJ_HASH, {}, OBJ_ENCODING_LISTPACK)


def hashTypeConvert(o, enc):
    """Switch a listpack hash to a hashtable (hashTypeConvert).

    The dict stays as it is; only the encoding changes, which is what
    OBJECT ENCODING and the RDB writer look at.
    """
    if o.encoding == OBJ_ENCODING_LISTPACK and enc == OBJ_ENCODING_HT:
        o.encoding = OBJ_ENCODING_HT


def hashTypeTryConversion(o, argv, start, end):
    """Convert to a hashtable if any of argv[start..end] is too long for a listpack
    (hashTypeTryConversion)."""
    if o.encoding != OBJ_ENCODING_LISTPACK:
        return
    maxlen = server.hash_max_listpack_value
    for i in range(start, end + 1):
        if len(argv[i]) > maxlen:
            o.encoding = OBJ_ENCODING_HT
            return


def hashTypeSet(o, field, value):
    """Set a field; 1 if it was an update, 0 if new (hashTypeSet).

    The length checks cover HINCRBY*, whose arguments were not seen by
    hashTypeTryConversion.
    """
    d = o.ptr
    if o.encoding == OBJ_ENCODING_LISTPACK:
        maxlen = server.hash_max_listpack_value
        if len(field) > maxlen or len(value) > maxlen:
            o.encoding = OBJ_ENCODING_HT
    update = field in d
    d[field] = value
    if not update:
        forget_random_snapshot(d)
    if o.encoding == OBJ_ENCODING_LISTPACK and len(d) > server.hash_max_listpack_entries:
        o.encoding = OBJ_ENCODING_HT
    return 1 if update else 0


def hashTypeDelete(o, field):
    """Remove a field; True if it was there (hashTypeDelete)."""
    return o.ptr.pop(field, None) is not None


def hashTypeLength(o):
    """Number of fields (hashTypeLength)."""
    return len(o.ptr)


def hashTypeExists(o, field):
    """Is the field present (hashTypeExists)?"""
    return field in o.ptr


def hashTypeGetValue(o, field):
    """The value of a field, or None (hashTypeGetValue)."""
    return o.ptr.get(field)


def hashTypeLookupWriteOrCreate(c, key):
    """The hash at key for writing, created if missing; None after WRONGTYPE
    (hashTypeLookupWriteOrCreate)."""
    o = lookupKeyWrite(c.db, key)
    if o is None:
        o = createHashObject()
        dbAdd(c.db, key, o)
    elif o.type != OBJ_HASH:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return None
    return o


def hashTypeDup(o):
    """A copy with the same encoding, for COPY (hashTypeDup)."""
    return createObject(OBJ_HASH, dict(o.ptr), o.encoding)


def hashTypeRandomElement(o):
    """One random (field, value) pair (hashTypeRandomElement).

    Python dicts cannot pick a random entry in O(1); t_set.random_member
    draws from a snapshot of the keys, which every new field invalidates.
    """
    d = o.ptr
    k = random_member(d)
    return k, d[k]


def _lookup_read_hash(c, key, missing_reply):
    """lookupKeyReadOrReply + checkType in one step; None when a reply was sent."""
    o = lookupKeyRead(c.db, key)
    if o is None:
        addReply(c, missing_reply)
        return None
    if o.type != OBJ_HASH:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return None
    return o


def _bulk(v):
    return b"$%d\r\n%s\r\n" % (len(v), v)


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
def hsetnxCommand(c):
    """HSETNX key field value (hsetnxCommand)."""
    argv = c.argv
    o = hashTypeLookupWriteOrCreate(c, argv[1])
    if o is None:
        return
    if argv[2] in o.ptr:
        addReply(c, shared.czero)
        return
    hashTypeTryConversion(o, argv, 2, 3)
    hashTypeSet(o, argv[2], argv[3])
    addReply(c, shared.cone)
    signalModifiedKey(c, c.db, argv[1])
    notifyKeyspaceEvent(NOTIFY_HASH, "hset", argv[1], c.db.id)
    server.dirty += 1


def hsetCommand(c):
    """HSET key field value [field value ...], and HMSET (hsetCommand)."""
    argv = c.argv
    argc = len(argv)
    if argc % 2 == 1:
        addReplyErrorArity(c)
        return
    key = argv[1]
    db = c.db
    o = lookupKeyWrite(db, key)
    if o is None:
        o = createHashObject()
        dbAdd(db, key, o)
    elif o.type != OBJ_HASH:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return
    d = o.ptr
    before = len(d)
    if o.encoding == OBJ_ENCODING_LISTPACK:
        maxlen = server.hash_max_listpack_value
        for i in range(2, argc):
            if len(argv[i]) > maxlen:
                o.encoding = OBJ_ENCODING_HT
                break
    if argc == 4:
        d[argv[2]] = argv[3]
    else:
        for i in range(2, argc, 2):
            d[argv[i]] = argv[i + 1]
    if len(d) != before:
        forget_random_snapshot(d)
    # Redis checks the entry count after each pair; the hash only grows
    # here, so checking once at the end converts in the same cases.
    if o.encoding == OBJ_ENCODING_LISTPACK and len(d) > server.hash_max_listpack_entries:
        o.encoding = OBJ_ENCODING_HT
    name = argv[0]
    if name[1] in (0x73, 0x53):        # 's' or 'S': HSET, not HMSET
        addReply(c, b":%d\r\n" % (len(d) - before))
    else:
        addReply(c, shared.ok)
    signalModifiedKey(c, db, key)
    if server.notify_keyspace_events & NOTIFY_HASH:
        notifyKeyspaceEvent(NOTIFY_HASH, "hset", key, db.id)
    server.dirty += (argc - 2) // 2


def hincrbyCommand(c):
    """HINCRBY key field increment (hincrbyCommand)."""
    argv = c.argv
    incr = getLongLongFromObjectOrReply(c, argv[3], None)
    if incr is None:
        return
    o = hashTypeLookupWriteOrCreate(c, argv[1])
    if o is None:
        return
    cur = o.ptr.get(argv[2])
    if cur is not None:
        value = string2ll(cur)
        if value is None:
            addReplyError(c, "hash value is not an integer")
            return
    else:
        value = 0
    if (incr < 0 and value < 0 and incr < LLONG_MIN - value) or \
            (incr > 0 and value > 0 and incr > LLONG_MAX - value):
        addReplyError(c, "increment or decrement would overflow")
        return
    value += incr
    hashTypeSet(o, argv[2], b"%d" % value)
    addReplyLongLong(c, value)
    signalModifiedKey(c, c.db, argv[1])
    notifyKeyspaceEvent(NOTIFY_HASH, "hincrby", argv[1], c.db.id)
    server.dirty += 1


def hincrbyfloatCommand(c):
    """HINCRBYFLOAT key field increment, in long double arithmetic (hincrbyfloatCommand).

    Propagated as HSET with the resulting value, as Redis does, so replicas
    never redo the arithmetic.
    """
    argv = c.argv
    incr = getLongDoubleFromObjectOrReply(c, argv[3], None)
    if incr is None:
        return
    if isinstance(incr, float):          # string2ld gives a float only for ±inf
        addReplyError(c, "value is NaN or Infinity")
        return
    o = hashTypeLookupWriteOrCreate(c, argv[1])
    if o is None:
        return
    cur = o.ptr.get(argv[2])
    if cur is not None:
        value = string2ld(cur)
        if value is None:
            addReplyError(c, "hash value is not a float")
            return
    else:
        value = 0
    if isinstance(value, float):
        addReplyError(c, "increment would produce NaN or Infinity")
        return
    value = ld_round(value + incr)
    if isinstance(value, float):
        addReplyError(c, "increment would produce NaN or Infinity")
        return
    new = ld2string(value)
    hashTypeSet(o, argv[2], new)
    addReplyBulkCBuffer(c, new)
    signalModifiedKey(c, c.db, argv[1])
    notifyKeyspaceEvent(NOTIFY_HASH, "hincrbyfloat", argv[1], c.db.id)
    server.dirty += 1
    rewriteClientCommandArgument(c, 0, b"HSET")
    rewriteClientCommandArgument(c, 3, new)


def hgetCommand(c):
    """HGET key field (hgetCommand)."""
    o = _lookup_read_hash(c, c.argv[1], shared.null[c.resp])
    if o is None:
        return
    v = o.ptr.get(c.argv[2])
    if v is None:
        addReplyNull(c)
    else:
        addReply(c, b"$%d\r\n%s\r\n" % (len(v), v))


def hmgetCommand(c):
    """HMGET key field [field ...] (hmgetCommand)."""
    argv = c.argv
    o = lookupKeyRead(c.db, argv[1])
    if o is not None and o.type != OBJ_HASH:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return
    d = o.ptr if o is not None else {}
    null = shared.null[c.resp]
    out = [b"*%d\r\n" % (len(argv) - 2)]
    for f in islice(argv, 2, None):
        v = d.get(f)
        out.append(null if v is None else b"$%d\r\n%s\r\n" % (len(v), v))
    addReply(c, b"".join(out))


def hdelCommand(c):
    """HDEL key field [field ...] (hdelCommand)."""
    argv = c.argv
    key = argv[1]
    o = lookupKeyWrite(c.db, key)
    if o is None:
        addReply(c, shared.czero)
        return
    if o.type != OBJ_HASH:
        addReplyErrorObject(c, shared.wrongtypeerr)
        return
    d = o.ptr
    deleted = 0
    keyremoved = False
    for f in islice(argv, 2, None):
        if d.pop(f, None) is not None:
            deleted += 1
            if not d:
                dbDelete(c.db, key)
                keyremoved = True
                break
    if deleted:
        signalModifiedKey(c, c.db, key)
        notifyKeyspaceEvent(NOTIFY_HASH, "hdel", key, c.db.id)
        if keyremoved:
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c.db.id)
        server.dirty += deleted
    addReplyLongLong(c, deleted)


def hlenCommand(c):
    """HLEN key (hlenCommand)."""
    o = _lookup_read_hash(c, c.argv[1], shared.czero)
    if o is not None:
        addReplyLongLong(c, len(o.ptr))


def hstrlenCommand(c):
    """HSTRLEN key field (hstrlenCommand)."""
    o = _lookup_read_hash(c, c.argv[1], shared.czero)
    if o is not None:
        v = o.ptr.get(c.argv[2])
        addReplyLongLong(c, 0 if v is None else len(v))


def genericHgetallCommand(c, flags):
    """HKEYS, HVALS and HGETALL (genericHgetallCommand); HGETALL is a map in RESP3."""
    both = flags == OBJ_HASH_KEY | OBJ_HASH_VALUE
    o = _lookup_read_hash(c, c.argv[1], shared.emptymap[c.resp] if both else shared.emptyarray)
    if o is None:
        return
    d = o.ptr
    if both:
        addReplyMapLen(c, len(d))
        addReply(c, bulk_items(list(chain.from_iterable(d.items()))))
    else:
        items = list(d) if flags == OBJ_HASH_KEY else list(d.values())
        addReply(c, b"*%d\r\n" % len(d) + bulk_items(items))


def hkeysCommand(c):
    """HKEYS key (hkeysCommand)."""
    genericHgetallCommand(c, OBJ_HASH_KEY)


def hvalsCommand(c):
    """HVALS key (hvalsCommand)."""
    genericHgetallCommand(c, OBJ_HASH_VALUE)


def hgetallCommand(c):
    """HGETALL key (hgetallCommand)."""
    genericHgetallCommand(c, OBJ_HASH_KEY | OBJ_HASH_VALUE)


def hexistsCommand(c):
    """HEXISTS key field (hexistsCommand)."""
    o = _lookup_read_hash(c, c.argv[1], shared.czero)
    if o is not None:
        addReply(c, shared.cone if c.argv[2] in o.ptr else shared.czero)


def hscanCommand(c):
    """HSCAN key cursor [MATCH pattern] [COUNT count] (hscanCommand)."""
    cursor = parseScanCursorOrReply(c, c.argv[2])
    if cursor is None:
        return
    o = _lookup_read_hash(c, c.argv[1], EMPTY_SCAN)
    if o is None:
        return
    scanGenericCommand(c, o, cursor)


def _reply_pairs(c, pairs, withvalues):
    """Reply fields (and values): flat in RESP2, [field, value] pairs in RESP3."""
    if not withvalues:
        addReply(c, b"".join([_bulk(k) for k, _ in pairs]))
    elif c.resp > 2:
        addReply(c, b"".join([b"*2\r\n" + _bulk(k) + _bulk(v) for k, v in pairs]))
    else:
        addReply(c, b"".join([_bulk(k) + _bulk(v) for k, v in pairs]))


def hrandfieldWithCountCommand(c, l, withvalues):
    """HRANDFIELD key count [WITHVALUES] (hrandfieldWithCountCommand).

    The four cases of Redis: repeats allowed (negative count), the whole
    hash, "copy and remove" when most of the hash is wanted, and "pick until
    enough distinct" otherwise. Which fields come out is random, so only the
    shape (count, distinctness, pairing) can match Redis.
    """
    o = _lookup_read_hash(c, c.argv[1], shared.emptyarray)
    if o is None:
        return
    d = o.ptr
    size = len(d)
    if l >= 0:
        count, uniq = l, True
    else:
        count, uniq = -l, False
    if count == 0:
        addReply(c, shared.emptyarray)
        return
    flat = withvalues and c.resp == 2

    # CASE 1: independent picks (repeats allowed), in pick order.
    if not uniq or count == 1:
        addReplyArrayLen(c, count * 2 if flat else count)
        items = list(d.items())
        while count:
            n = min(count, HRANDFIELD_RANDOM_SAMPLE_LIMIT)
            count -= n
            _reply_pairs(c, random.choices(items, k=n), withvalues)
            if c.flags & CLIENT_CLOSE_ASAP:
                break
        return

    reply_size = min(count, size)
    addReplyArrayLen(c, reply_size * 2 if flat else reply_size)

    # CASE 2: asked for at least the whole hash.
    if count >= size:
        _reply_pairs(c, list(d.items()), withvalues)
        return

    # CASE 3: most of the hash is wanted: copy it, drop random entries.
    if count * HRANDFIELD_SUB_STRATEGY_MUL > size:
        tmp = dict(d)
        keys = list(tmp)
        for k in random.sample(keys, size - count):
            del tmp[k]
        _reply_pairs(c, list(tmp.items()), withvalues)
        return

    # CASE 4: a small part is wanted.
    items = list(d.items())
    if o.encoding == OBJ_ENCODING_LISTPACK:
        # Redis picks distinct listpack entries and emits them in listpack order.
        idx = sorted(random.sample(range(size), count))
        _reply_pairs(c, [items[i] for i in idx], withvalues)
        return
    # Hashtable: random picks, duplicates skipped, in pick order.
    seen = {}
    while len(seen) < count:
        k, v = items[random.randrange(size)]
        if k not in seen:
            seen[k] = v
    _reply_pairs(c, list(seen.items()), withvalues)


def hrandfieldCommand(c):
    """HRANDFIELD key [count [WITHVALUES]] (hrandfieldCommand)."""
    argv = c.argv
    argc = len(argv)
    if argc >= 3:
        l = getRangeLongFromObjectOrReply(c, argv[2], -LLONG_MAX, LLONG_MAX, None)
        if l is None:
            return
        if argc > 4 or (argc == 4 and c_string(argv[3]).lower() != b"withvalues"):
            addReplyErrorObject(c, shared.syntaxerr)
            return
        withvalues = argc == 4
        if withvalues and (l < -(LLONG_MAX // 2) or l > LLONG_MAX // 2):
            addReplyError(c, "value is out of range")
            return
        hrandfieldWithCountCommand(c, l, withvalues)
        return
    o = _lookup_read_hash(c, argv[1], shared.null[c.resp])
    if o is None:
        return
    k, _ = hashTypeRandomElement(o)
    addReplyBulkCBuffer(c, k)


def _register_hooks():
    """COPY duplicates hashes with hashTypeDup (dupObject's hash case)."""
    server.dup_object_hooks[OBJ_HASH] = hashTypeDup

