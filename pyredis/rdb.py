"""RDB persistence: the snapshot file format, SAVE/BGSAVE, loading (rdb.c).

An RDB file is a header, the data and a footer:

    "REDIS0010"                        magic + 4-digit version (rdbWriteRaw)
    AUX redis-ver 7.0.15 ...           rdbSaveInfoAuxFields
    SELECTDB n  RESIZEDB size expires  per non-empty db (rdbSaveDb)
    [EXPIRETIME_MS t] [IDLE s|FREQ f]  per key (rdbSaveKeyValuePair)
    <type> <key> <value>
    EOF  <crc64, 8 bytes little endian>

Every path that writes one ends in rdbSaveRio: SAVE, FLUSHALL and shutdown
call rdbSave in the server process; BGSAVE and the save points fork first
(rdbSaveBackground), and the child calls rdbSave while the parent keeps
serving; diskless replication wraps rdbSaveRio in $EOF marks
(rdbSaveRioWithEOFMark). The same object encoder serves DUMP (cluster.py).

Where this differs from C on purpose, for speed in Python:
* rdbSaveRawString and friends build the bytes of one field and hand them to
  rioWrite; rdbSaveKeyValuePair joins a key's fields into one rioWrite.
* The loader reads the whole file into memory and walks it with an offset
  (the rio buffer backend). It verifies the CRC64 of big files in a forked
  helper process while the parent parses (rdb_checksum_start/_finish),
  because the checksum costs about as much as the parse in pure Python.
* Loading fills fresh databases and swaps them in only when the file was
  read to the end and the checksum matched, so a corrupt file never leaves
  a half-loaded dataset behind (Redis reaches the same end by exiting).
"""

import gc
import os
import signal
import struct
import sys
import time
from collections import deque
from itertools import chain
from operator import itemgetter

from . import rio as _rio
from .crc64 import crc64
from .intset import intsetDecode, intsetEncode, intsetValidateIntegrity
from .listpack import lpEncode, lpValidateIntegrity, lp_encode_entry
from .lzf import lzf_compress, lzf_decompress
from .networking import (
    addReply, addReplyArrayLen, addReplyError, addReplyErrorObject, addReplyStatus,
)
from .rio import rioChecksum, rioFlush, rioInitWithBuffer, rioInitWithFile, rioWrite
from .server_h import (C_ERR, C_OK, CHILD_TYPE_RDB, LL_DEBUG, LL_NOTICE,
                       LL_WARNING, LRU_CLOCK_MAX, LRU_CLOCK_RESOLUTION,
                       MAXMEMORY_FLAG_LFU, MAXMEMORY_FLAG_LRU, MAXMEMORY_FLAG_NO_SHARED_INTEGERS,
                       OBJ_ENCODING_EMBSTR,
                       OBJ_ENCODING_HT, OBJ_ENCODING_INT, OBJ_ENCODING_INTSET,
                       OBJ_ENCODING_LISTPACK, OBJ_ENCODING_QUICKLIST, OBJ_ENCODING_RAW,
                       OBJ_ENCODING_SKIPLIST, OBJ_HASH, OBJ_LIST, OBJ_MODULE, OBJ_SET,
                       OBJ_STREAM, OBJ_STRING, OBJ_ZSET, QUICKLIST_PACKED_THRESHOLD, redisDb,
                       CLIENT_MASTER,
                       redisObject, server, shared)
from .util import c_string, d2string, getRandomHexChars, mstime, string2ll
from .ziplist import ziplist_decode_values, ziplistValidateIntegrity
from .zipmap import zipmapDecode
from .db import emptyData, forget_random_snapshot
from .evict import LFUDecrAndReturn, LFUGetTimeInMinutes
from .object import (
    LRU_CLOCK, createStringObjectEncoded, createStringObjectFromLongLongForValue,
    estimateObjectIdleTime, initObjectLRUOrLFU, unsharedObject,
)
from .server import getUsedMemory, hasActiveChildProcess, serverLog as _log, updateCachedTime
from .t_zset import c_strtod, zset, zslInsert

REDIS_VERSION = "7.0.15"
RDB_VERSION = 10

# Length encodings (the two top bits of the first byte).
RDB_6BITLEN = 0
RDB_14BITLEN = 1
RDB_32BITLEN = 0x80
RDB_64BITLEN = 0x81
RDB_ENCVAL = 3
RDB_ENC_INT8 = 0
RDB_ENC_INT16 = 1
RDB_ENC_INT32 = 2
RDB_ENC_LZF = 3

# Value types as stored on disk: fixed forever, unlike the in-memory OBJ_*.
RDB_TYPE_STRING = 0
RDB_TYPE_LIST = 1
RDB_TYPE_SET = 2
RDB_TYPE_ZSET = 3
RDB_TYPE_HASH = 4
RDB_TYPE_ZSET_2 = 5
RDB_TYPE_MODULE = 6
RDB_TYPE_MODULE_2 = 7
RDB_TYPE_HASH_ZIPMAP = 9
RDB_TYPE_LIST_ZIPLIST = 10
RDB_TYPE_SET_INTSET = 11
RDB_TYPE_ZSET_ZIPLIST = 12
RDB_TYPE_HASH_ZIPLIST = 13
RDB_TYPE_LIST_QUICKLIST = 14
RDB_TYPE_STREAM_LISTPACKS = 15
RDB_TYPE_HASH_LISTPACK = 16
RDB_TYPE_ZSET_LISTPACK = 17
RDB_TYPE_LIST_QUICKLIST_2 = 18
RDB_TYPE_STREAM_LISTPACKS_2 = 19

RDB_TYPE_NAMES = {
    0: "string", 1: "list", 2: "set", 3: "zset", 4: "hash", 5: "zset-v2", 6: "module",
    7: "module-v2", 9: "hash-zipmap", 10: "list-ziplist", 11: "set-intset",
    12: "zset-ziplist", 13: "hash-ziplist", 14: "quicklist", 15: "stream",
    16: "hash-listpack", 17: "zset-listpack", 18: "quicklist-v2", 19: "stream-v2",
}


def rdbIsObjectType(t):
    """Is `t` a value type rather than an opcode (rdbIsObjectType)?"""
    return 0 <= t <= 7 or 9 <= t <= 19


# Opcodes.
RDB_OPCODE_FUNCTION2 = 245
RDB_OPCODE_FUNCTION = 246
RDB_OPCODE_MODULE_AUX = 247
RDB_OPCODE_IDLE = 248
RDB_OPCODE_FREQ = 249
RDB_OPCODE_AUX = 250
RDB_OPCODE_RESIZEDB = 251
RDB_OPCODE_EXPIRETIME_MS = 252
RDB_OPCODE_EXPIRETIME = 253
RDB_OPCODE_SELECTDB = 254
RDB_OPCODE_EOF = 255

RDBFLAGS_NONE = 0
RDBFLAGS_AOF_PREAMBLE = 1 << 0
RDBFLAGS_REPLICATION = 1 << 1
RDBFLAGS_ALLOW_DUP = 1 << 2
RDBFLAGS_FEED_REPL = 1 << 3

RDB_LOAD_NONE = 0
RDB_LOAD_ENC = 1 << 0
RDB_LOAD_PLAIN = 1 << 1
RDB_LOAD_SDS = 1 << 2

RDB_CHILD_TYPE_NONE = 0
RDB_CHILD_TYPE_DISK = 1
RDB_CHILD_TYPE_SOCKET = 2

RDB_EOF_MARK_SIZE = 40
CONFIG_BGSAVE_RETRY_DELAY = 5
SLAVE_REQ_NONE = 0
SLAVE_REQ_RDB_EXCLUDE_DATA = 1 << 0
SLAVE_REQ_RDB_EXCLUDE_FUNCTIONS = 1 << 1

QUICKLIST_NODE_CONTAINER_PLAIN = 1
QUICKLIST_NODE_CONTAINER_PACKED = 2

# quicklist.c: the byte limits behind negative list-max-listpack-size values,
# the hard limit any count-limited node must also respect, and the
# per-entry overhead it assumes when estimating the size after an insert.
QUICKLIST_OPTIMIZATION_LEVEL = (4096, 8192, 16384, 32768, 65536)
QUICKLIST_SIZE_SAFETY_LIMIT = 8192
QUICKLIST_SIZE_ESTIMATE_OVERHEAD = 8
QUICKLIST_MIN_COMPRESS_BYTES = 48
QUICKLIST_MIN_COMPRESS_IMPROVE = 8

_BYTE = [bytes((i,)) for i in range(256)]
_pack_q = struct.Struct("<q").pack
_pack_d = struct.Struct("<d").pack
_unpack_d = struct.Struct("<d").unpack_from
_unpack_q = struct.Struct("<q").unpack_from
_unpack_i = struct.Struct("<i").unpack_from
_unpack_h = struct.Struct("<h").unpack_from
_unpack_I_be = struct.Struct(">I").unpack_from
_unpack_Q_be = struct.Struct(">Q").unpack_from


class rdbSaveInfo:
    """Replication info an RDB carries as aux fields (rdbSaveInfo)."""
    __slots__ = ("repl_stream_db", "repl_id_is_set", "repl_id", "repl_offset")

    def __init__(self):
        self.repl_stream_db = -1
        self.repl_id_is_set = 0
        self.repl_id = "0" * 40
        self.repl_offset = -1


class RdbLoadError(Exception):
    """A corrupt or truncated RDB: the offset where reading failed and why."""

    def __init__(self, offset, reason):
        super().__init__("offset %d: %s" % (offset, reason))
        self.offset = offset
        self.reason = reason


# ===========================================================================
# Low level writing: lengths, integers, strings, doubles
# ===========================================================================
def rdbWriteRaw(rdb, p):
    """Write bytes as they are; the count, or -1 on error (rdbWriteRaw).

    rdb None means "just count", which is how rdbSavedObjectLen measures.
    """
    if rdb is not None and rioWrite(rdb, p) == 0:
        return -1
    return len(p)


def rdbSaveType(rdb, type):
    """Write a one-byte type or opcode (rdbSaveType)."""
    return rdbWriteRaw(rdb, _BYTE[type])


def rdbEncodeLen(n):
    """The bytes rdbSaveLen writes for `n` (Python helper shared by the writers)."""
    if n < 64:
        return _BYTE[n]
    if n < 16384:
        return bytes(((n >> 8) | 0x40, n & 0xFF))
    if n <= 0xFFFFFFFF:
        return b"\x80" + n.to_bytes(4, "big")
    return b"\x81" + n.to_bytes(8, "big")


def rdbSaveLen(rdb, n):
    """Write a length: 1, 2, 5 or 9 bytes depending on its size (rdbSaveLen)."""
    return rdbWriteRaw(rdb, rdbEncodeLen(n))


def rdbSaveMillisecondTime(rdb, t):
    """Write a unix time in ms as 8 bytes little endian (rdbSaveMillisecondTime)."""
    return rdbWriteRaw(rdb, _pack_q(t))


def rdbEncodeInteger(value):
    """INT8/16/32 special encoding of `value`, or None when it does not fit (rdbEncodeInteger)."""
    if -128 <= value <= 127:
        return bytes((0xC0, value & 0xFF))
    if -32768 <= value <= 32767:
        return b"\xc1" + (value & 0xFFFF).to_bytes(2, "little")
    if -2147483648 <= value <= 2147483647:
        return b"\xc2" + (value & 0xFFFFFFFF).to_bytes(4, "little")
    return None


def rdbTryIntegerEncoding(s):
    """Encode a string that is the canonical form of a small integer (rdbTryIntegerEncoding)."""
    v = string2ll(s)
    if v is None:
        return None
    return rdbEncodeInteger(v)


def rdb_encode_raw_string(s):
    """The bytes rdbSaveRawString writes for `s`: integer, LZF or verbatim."""
    n = len(s)
    if n <= 11:
        # Only "0", or a digit 1-9 or '-' first, can be a canonical integer:
        # testing that first skips the parse for most strings.
        c0 = s[0] if n else 0
        if 49 <= c0 <= 57 or c0 == 45 or (c0 == 48 and n == 1):
            v = string2ll(s)
            if v is not None and -2147483648 <= v <= 2147483647:
                return rdbEncodeInteger(v)
    elif n > 20 and server.rdb_compression:
        comp = lzf_compress(s, n - 4)
        if comp is not None:
            return b"\xc3" + rdbEncodeLen(len(comp)) + rdbEncodeLen(n) + comp
    if n < 64:
        return _BYTE[n] + s
    return rdbEncodeLen(n) + s


def rdbSaveLzfBlob(rdb, data, original_len):
    """Write an already compressed blob: 0xC3 clen len data (rdbSaveLzfBlob)."""
    return rdbWriteRaw(rdb, b"\xc3" + rdbEncodeLen(len(data)) + rdbEncodeLen(original_len)
                       + data)


def rdbSaveLzfStringObject(rdb, s):
    """Write `s` LZF-compressed if that saves at least 4 bytes; 0 when it does not
    (rdbSaveLzfStringObject)."""
    n = len(s)
    if n <= 4:
        return 0
    comp = lzf_compress(s, n - 4)
    if comp is None:
        return 0
    return rdbSaveLzfBlob(rdb, comp, n)


def rdbSaveRawString(rdb, s):
    """Write a string: small integers encoded, > 20 bytes compressed when
    rdbcompression is on, else length + bytes (rdbSaveRawString)."""
    return rdbWriteRaw(rdb, rdb_encode_raw_string(bytes(s)))


def rdb_encode_long_long(v):
    """The bytes rdbSaveLongLongAsStringObject writes."""
    enc = rdbEncodeInteger(v)
    if enc is not None:
        return enc
    digits = b"%d" % v
    return _BYTE[len(digits)] + digits


def rdbSaveLongLongAsStringObject(rdb, v):
    """Write an integer as an encoded int or as its digits (rdbSaveLongLongAsStringObject)."""
    return rdbWriteRaw(rdb, rdb_encode_long_long(v))


def rdb_encode_string_object(o):
    p = o.ptr
    if o.encoding == OBJ_ENCODING_INT:
        return rdb_encode_long_long(p)
    return rdb_encode_raw_string(p if type(p) is bytes else bytes(p))


def rdbSaveStringObject(rdb, o):
    """Write a string object; int-encoded ones skip the decimal round trip (rdbSaveStringObject)."""
    return rdbWriteRaw(rdb, rdb_encode_string_object(o))


def rdb_encode_double(val):
    """The bytes of rdbSaveDoubleValue: a length byte then %.17g, or 253/254/255."""
    if val != val:
        return b"\xfd"
    if val == float("inf"):
        return b"\xfe"
    if val == float("-inf"):
        return b"\xff"
    s = b"%.17g" % val
    return _BYTE[len(s)] + s


def rdbSaveDoubleValue(rdb, val):
    """Old-style (RDB_TYPE_ZSET) double as text (rdbSaveDoubleValue)."""
    return rdbWriteRaw(rdb, rdb_encode_double(val))


def rdbSaveBinaryDoubleValue(rdb, val):
    """A double as its 8 IEEE 754 bytes, little endian (rdbSaveBinaryDoubleValue)."""
    return rdbWriteRaw(rdb, _pack_d(val))


# ===========================================================================
# Objects
# ===========================================================================
def rdbSaveObjectType(rdb, o):
    """Write the RDB type byte Redis 7.0 picks for the object's type and
    encoding (rdbSaveObjectType)."""
    return rdbWriteRaw(rdb, _BYTE[rdb_object_type(o)])


def rdb_object_type(o):
    t = o.type
    if t == OBJ_STRING:
        return RDB_TYPE_STRING
    if t == OBJ_LIST:
        return RDB_TYPE_LIST_QUICKLIST_2
    if t == OBJ_SET:
        return RDB_TYPE_SET_INTSET if o.encoding == OBJ_ENCODING_INTSET else RDB_TYPE_SET
    if t == OBJ_ZSET:
        return RDB_TYPE_ZSET_LISTPACK if o.encoding == OBJ_ENCODING_LISTPACK else RDB_TYPE_ZSET_2
    if t == OBJ_HASH:
        return RDB_TYPE_HASH_LISTPACK if o.encoding == OBJ_ENCODING_LISTPACK else RDB_TYPE_HASH
    if t == OBJ_STREAM:
        raise NotImplementedError("pyredis does not implement streams: cannot save a stream")
    if t == OBJ_MODULE:
        raise NotImplementedError("pyredis has no modules: cannot save a module value")
    raise ValueError("Unknown object type %r" % t)


def _quicklist_allow_insert(node_sz, node_count, fill, sz):
    """May an element of `sz` bytes join a node (quicklist.c _quicklistNodeAllowInsert)?

    Negative fill: a byte budget (-1 = 4 KB ... -5 = 64 KB) on the node's
    listpack, estimated as the current size + element + 8. Positive fill: an
    element count, still capped at 8 KB.
    """
    if sz >= QUICKLIST_PACKED_THRESHOLD:
        return False
    new_sz = node_sz + sz + QUICKLIST_SIZE_ESTIMATE_OVERHEAD
    if fill < 0:
        off = -fill - 1
        if off < len(QUICKLIST_OPTIMIZATION_LEVEL) and new_sz <= QUICKLIST_OPTIMIZATION_LEVEL[off]:
            return True
    if new_sz > QUICKLIST_SIZE_SAFETY_LIMIT:
        return False
    return node_count < fill


def quicklist_nodes(elements, fill):
    """Split a list into the quicklist nodes pushing each element at the tail
    would build (quicklistPushTail): a list of (container, payload bytes).

    A Python deque has no nodes, so this re-creates the node boundaries of a
    list built by RPUSH; a list grown at the head or edited in the middle has
    different boundaries in Redis (same elements, different node split).
    """
    nodes = []
    cur = []
    cur_sz = 0
    # 1 GB unless DEBUG QUICKLIST-PACKED-THRESHOLD lowered it (tests do, to
    # get plain nodes without gigabyte elements).
    plain_threshold = server.quicklist_packed_threshold
    for ele in elements:
        if type(ele) is not bytes:
            ele = bytes(ele) if not isinstance(ele, int) else b"%d" % ele
        n = len(ele)
        if n >= plain_threshold:
            if cur:
                nodes.append(cur)
                cur, cur_sz = [], 0
            nodes.append(ele)      # a plain node holds one element as is
            continue
        entry = lp_encode_entry(ele)
        if cur and _quicklist_allow_insert(cur_sz, len(cur), fill, n):
            cur.append(entry)
            cur_sz += len(entry)
        else:
            if cur:
                nodes.append(cur)
            cur = [entry]
            cur_sz = 7 + len(entry)     # header (6) + EOF (1) + the entry
    if cur:
        nodes.append(cur)
    out = []
    for node in nodes:
        if type(node) is bytes:
            out.append((QUICKLIST_NODE_CONTAINER_PLAIN, node))
        else:
            body = b"".join(node)
            total = 7 + len(body)
            out.append((QUICKLIST_NODE_CONTAINER_PACKED,
                        struct.pack("<IH", total, min(len(node), 0xFFFF)) + body + b"\xff"))
    return out


def _quicklist_node_lzf(payload):
    """LZF form of a node the way __quicklistCompressNode decides, or None."""
    if len(payload) < QUICKLIST_MIN_COMPRESS_BYTES:
        return None
    comp = lzf_compress(payload, len(payload))
    if comp is None or len(comp) + QUICKLIST_MIN_COMPRESS_IMPROVE >= len(payload):
        return None
    return comp


def zset_members_ordered(zs):
    """(member, score) pairs from the lowest to the highest score."""
    zsl = getattr(zs, "zsl", None)
    if zsl is not None:
        out = []
        x = zsl.header.level[0].forward
        while x is not None:
            out.append((x.ele, x.score))
            x = x.level[0].forward
        return out
    d = zs if isinstance(zs, dict) else zs.dict
    return sorted(((m, s) for m, s in d.items()), key=lambda e: (e[1], e[0]))


def zset_listpack_blob(zs):
    """The listpack a listpack-encoded zset holds: member, score, ... in order."""
    entries = []
    for m, s in zset_members_ordered(zs):
        entries.append(m)
        entries.append(d2string(s))
    return lpEncode(entries)


_LP_STR6 = [bytes((0x80 | n,)) for n in range(64)]


_LP_BACKLEN6 = [bytes((n + 1,)) for n in range(64)]
# Every byte value except those an integer can start with: deleting them from
# the first bytes of all elements leaves the numeric-looking ones.
_NOT_NUMERIC_START = bytes(c for c in range(256) if c not in b"0123456789-")
_first_byte = itemgetter(0)


def lp_fast_encode(elements):
    """lpEncode for the common case, with the same bytes: a short string that
    cannot be an integer (it does not start with a digit or '-') is encoded
    as <0x80|len> <bytes> <backlen = len+1>; anything else goes through
    listpack.lp_encode_entry.

    When every element is such a string (most hashes), the three parts of
    all entries are built with map() and interleaved by slice assignment,
    so no Python code runs per element.
    """
    n = len(elements)
    lens = list(map(len, elements))
    if n and max(lens) < 64 and min(lens) > 0 and set(map(type, elements)) == {bytes}:
        firsts = bytes(map(_first_byte, elements))
        if not firsts.translate(None, _NOT_NUMERIC_START):
            parts = [None] * (3 * n)
            parts[0::3] = map(_LP_STR6.__getitem__, lens)
            parts[1::3] = elements
            parts[2::3] = map(_LP_BACKLEN6.__getitem__, lens)
            body = b"".join(parts)
            return struct.pack("<IH", 7 + len(body), min(n, 0xFFFF)) + body + b"\xff"
    parts = []
    append = parts.append
    STR6, BYTE = _LP_STR6, _BYTE
    for e in elements:
        ln = len(e)
        c0 = e[0] if ln else 48
        if ln < 64 and not (48 <= c0 <= 57 or c0 == 45) and type(e) is bytes:
            append(STR6[ln] + e + BYTE[ln + 1])
        else:
            append(lp_encode_entry(e))
    body = b"".join(parts)
    return struct.pack("<IH", 7 + len(body), min(n, 0xFFFF)) + body + b"\xff"


def hash_listpack_blob(h):
    """The listpack of a listpack-encoded hash: field, value, ... in dict order."""
    return lp_fast_encode(list(chain.from_iterable(h.items())))


def rdb_encode_object(o):
    """The bytes rdbSaveObject writes for a value (without the type byte)."""
    t = o.type
    if t == OBJ_STRING:
        return rdb_encode_string_object(o)
    enc = rdb_encode_raw_string
    if t == OBJ_LIST:
        nodes = quicklist_nodes(o.ptr, server.list_max_listpack_size)
        depth = server.list_compress_depth
        parts = [rdbEncodeLen(len(nodes))]
        for i, (container, payload) in enumerate(nodes):
            parts.append(_BYTE[container])
            comp = None
            if depth and depth <= i < len(nodes) - depth:
                comp = _quicklist_node_lzf(payload)
            if comp is not None:
                parts.append(b"\xc3" + rdbEncodeLen(len(comp)) + rdbEncodeLen(len(payload)) + comp)
            else:
                parts.append(enc(payload))
        return b"".join(parts)
    if t == OBJ_SET:
        if o.encoding == OBJ_ENCODING_INTSET:
            return enc(intsetEncode([int(m) for m in o.ptr]))
        parts = [rdbEncodeLen(len(o.ptr))]
        parts.extend(enc(bytes(m)) for m in o.ptr)
        return b"".join(parts)
    if t == OBJ_ZSET:
        if o.encoding == OBJ_ENCODING_LISTPACK:
            return enc(zset_listpack_blob(o.ptr))
        members = zset_members_ordered(o.ptr)
        parts = [rdbEncodeLen(len(members))]
        # From the tail (highest score) to the head, as Redis walks
        # zsl->tail backwards: the loader then always inserts at the head.
        for m, s in reversed(members):
            parts.append(enc(m))
            parts.append(_pack_d(s))
        return b"".join(parts)
    if t == OBJ_HASH:
        if o.encoding == OBJ_ENCODING_LISTPACK:
            return enc(hash_listpack_blob(o.ptr))
        parts = [rdbEncodeLen(len(o.ptr))]
        for f, v in o.ptr.items():
            parts.append(enc(f))
            parts.append(enc(v))
        return b"".join(parts)
    rdb_object_type(o)   # raises the clear error for streams/modules
    raise ValueError("Unknown object type")


def rdbSaveObject(rdb, o, key, dbid):
    """Write a value's payload in the format its type byte announces (rdbSaveObject)."""
    return rdbWriteRaw(rdb, rdb_encode_object(o))


def rdbSavedObjectLen(o, key, dbid):
    """Bytes rdbSaveObject would write (rdbSavedObjectLen)."""
    return rdbSaveObject(None, o, key, dbid)


def rdbSaveKeyValuePair(rdb, key, val, expiretime, dbid):
    """Write one key: [EXPIRETIME_MS t] [IDLE s | FREQ f] type key value
    (rdbSaveKeyValuePair). IDLE is written under an LRU maxmemory-policy and
    FREQ under an LFU one, so the eviction data survives a restart."""
    parts = []
    if expiretime != -1:
        parts.append(b"\xfc" + _pack_q(expiretime))
    policy = server.maxmemory_policy
    if policy & MAXMEMORY_FLAG_LRU:
        parts.append(b"\xf8" + rdbEncodeLen(estimateObjectIdleTime(val) // 1000))
    if policy & MAXMEMORY_FLAG_LFU:
        parts.append(b"\xf9" + _BYTE[LFUDecrAndReturn(val)])
    parts.append(_BYTE[rdb_object_type(val)])
    parts.append(rdb_encode_raw_string(key))
    parts.append(rdb_encode_object(val))
    if rioWrite(rdb, b"".join(parts)) == 0:
        return -1
    if server.rdb_key_save_delay:
        debugDelay(server.rdb_key_save_delay)
    return 1


def debugDelay(usec):
    """Sleep `usec` microseconds; negative means a fraction of a yield (debugDelay)."""
    if usec < 0:
        time.sleep(0)
    else:
        time.sleep(usec / 1e6)


def rdbSaveAuxField(rdb, key, val):
    """Write an AUX opcode then a key/value string pair (rdbSaveAuxField)."""
    return rdbWriteRaw(rdb, b"\xfa" + rdb_encode_raw_string(key) + rdb_encode_raw_string(val))


def rdbSaveAuxFieldStrStr(rdb, key, val):
    return rdbSaveAuxField(rdb, key.encode(), val.encode())


def rdbSaveAuxFieldStrInt(rdb, key, val):
    return rdbSaveAuxField(rdb, key.encode(), b"%d" % val)


def _aux_override():
    """PYREDIS_RDB_AUX="ctime=1700000000,used-mem=1000000": fixed values for
    the two aux fields that change every run, so tests can compare our file
    with another byte for byte. Not a Redis feature."""
    spec = os.environ.get("PYREDIS_RDB_AUX")
    out = {}
    if spec:
        for item in spec.split(","):
            k, _, v = item.partition("=")
            out[k.strip()] = int(v)
    return out


def rdbSaveInfoAuxFields(rdb, rdbflags, rsi):
    """The aux fields Redis 7.0 writes after the magic (rdbSaveInfoAuxFields):
    redis-ver, redis-bits, ctime, used-mem, the repl-* trio when replication
    info is given, aof-base."""
    fixed = _aux_override()
    if rdbSaveAuxFieldStrStr(rdb, "redis-ver", REDIS_VERSION) == -1:
        return -1
    rdbSaveAuxFieldStrInt(rdb, "redis-bits", 64)
    rdbSaveAuxFieldStrInt(rdb, "ctime", fixed.get("ctime", int(time.time())))
    if "used-mem" in fixed:
        used = fixed["used-mem"]
    else:
        used = getUsedMemory()
    rdbSaveAuxFieldStrInt(rdb, "used-mem", used)
    if rsi is not None:
        rdbSaveAuxFieldStrInt(rdb, "repl-stream-db", rsi.repl_stream_db)
        rdbSaveAuxFieldStrStr(rdb, "repl-id", server.replid)
        rdbSaveAuxFieldStrInt(rdb, "repl-offset", server.master_repl_offset)
    if rdbSaveAuxFieldStrInt(rdb, "aof-base", 1 if rdbflags & RDBFLAGS_AOF_PREAMBLE else 0) == -1:
        return -1
    return 1


def rdbSaveFunctions(rdb):
    """FUNCTION libraries (rdbSaveFunctions): pyredis has no functions, nothing to write."""
    return 0


def rdbSaveDb(rdb, dbid, rdbflags, key_counter):
    """Write one database: SELECTDB, RESIZEDB, then every key (rdbSaveDb).

    The loop is the hot path of SAVE. The common case (a string key, no
    expire, no LRU/LFU opcode) is encoded inline; anything else goes through
    rdbSaveKeyValuePair. Either way the bytes are those rdbSaveKeyValuePair
    defines. `key_counter` is a one-element list (C passes a long*).
    """
    db = server.db[dbid]
    d = db.dict
    if not d:
        return 0
    expires = db.expires
    header = (b"\xfe" + rdbEncodeLen(dbid) + b"\xfb" + rdbEncodeLen(len(d))
              + rdbEncodeLen(len(expires)))
    if rioWrite(rdb, header) == 0:
        return -1
    fast = not (server.maxmemory_policy & (MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_LFU)) \
        and not server.rdb_key_save_delay
    compression = server.rdb_compression
    out = []
    append = out.append
    BYTE = _BYTE
    INT = OBJ_ENCODING_INT
    pending = 0
    for key, o in d.items():
        if fast and o.type == 0 and key not in expires:
            # type 0, key, value: rdb_encode_raw_string/rdb_encode_long_long inlined
            kl = len(key)
            if kl <= 11 or (kl > 20 and compression):
                kb = rdb_encode_raw_string(key)
            else:
                kb = (BYTE[kl] if kl < 64 else rdbEncodeLen(kl)) + key
            p = o.ptr
            if o.encoding == INT:
                if -2147483648 <= p <= 2147483647:
                    vb = rdbEncodeInteger(p)
                else:
                    vb = b"%d" % p
                    vb = BYTE[len(vb)] + vb
            else:
                vl = len(p)
                if vl <= 11 or (vl > 20 and compression):
                    vb = rdb_encode_raw_string(p if type(p) is bytes else bytes(p))
                else:
                    vb = (BYTE[vl] if vl < 64 else rdbEncodeLen(vl)) + p
            append(b"\x00" + kb + vb)
        else:
            if out:
                if rioWrite(rdb, b"".join(out)) == 0:
                    return -1
                out.clear()
            try:
                res = rdbSaveKeyValuePair(rdb, key, o, expires.get(key, -1), dbid)
            except (NotImplementedError, ValueError) as e:
                serverLog(LL_WARNING, "Can't save key '%s': %s", key.decode("latin-1"), e)
                return -1
            if res < 0:
                return -1
        pending += 1
        if pending == 1024:
            if out:
                if rioWrite(rdb, b"".join(out)) == 0:
                    return -1
                out.clear()
            key_counter[0] += pending
            pending = 0
            send_child_progress(key_counter[0])
    if out and rioWrite(rdb, b"".join(out)) == 0:
        return -1
    key_counter[0] += pending
    return 1


def rdbSaveRio(req, rdb, rdbflags, rsi):
    """Write a whole RDB to `rdb`: magic, aux fields, every db, EOF, CRC64
    (rdbSaveRio). Returns C_OK or C_ERR (C also reports errno through a
    pointer; callers here read the rio's error flag instead)."""
    if server.rdb_checksum:
        _rio.rioStartChecksum(rdb)
    stack_file = os.environ.get("PYREDIS_RDB_STACK_FILE")
    if stack_file:
        _dump_stack(stack_file)
    if rdbWriteRaw(rdb, b"REDIS%04d" % RDB_VERSION) == -1:
        return C_ERR
    if rdbSaveInfoAuxFields(rdb, rdbflags, rsi) == -1:
        return C_ERR
    if not (req & SLAVE_REQ_RDB_EXCLUDE_FUNCTIONS) and rdbSaveFunctions(rdb) == -1:
        return C_ERR
    key_counter = [0]
    if not (req & SLAVE_REQ_RDB_EXCLUDE_DATA):
        for j in range(server.dbnum):
            if rdbSaveDb(rdb, j, rdbflags, key_counter) == -1:
                return C_ERR
    if rdbSaveType(rdb, RDB_OPCODE_EOF) == -1:
        return C_ERR
    # The checksum covers everything up to and including the EOF opcode;
    # it is 0 when rdbchecksum is off, which tells the loader to skip it.
    cksum = rioChecksum(rdb) if server.rdb_checksum else 0
    if rioWrite(rdb, cksum.to_bytes(8, "little")) == 0:
        return C_ERR
    return C_OK


def _dump_stack(path):
    """Append the Python stack of this rdbSaveRio call, innermost first, to
    `path` (PYREDIS_RDB_STACK_FILE; docs/rdb.md sets it beside Redis's gdb
    stacks). Checked once per save, never per key."""
    import traceback
    frames = traceback.extract_stack()[:-1]      # drop this helper's own frame
    lines = ["# pid %d" % os.getpid()]
    for fr in reversed(frames):
        fn = fr.filename
        if "pyredis" + os.sep in fn:
            fn = "pyredis" + os.sep + fn.rsplit("pyredis" + os.sep, 1)[1]
        lines.append("    %s (%s:%d)" % (fr.name, fn, fr.lineno))
    with open(path, "a") as f:
        f.write("\n".join(lines) + "\n\n")


def rdbSaveRioWithEOFMark(req, rdb, rsi):
    """rdbSaveRio framed by "$EOF:<40 random hex>\\r\\n" ... "<same 40 chars>", so a
    replica reading a diskless transfer knows where it ends without parsing
    it (rdbSaveRioWithEOFMark)."""
    mark = getRandomHexChars(RDB_EOF_MARK_SIZE)
    mark = mark.encode() if isinstance(mark, str) else mark
    startSaving(RDBFLAGS_REPLICATION)
    if rioWrite(rdb, b"$EOF:" + mark + b"\r\n") == 0 or \
            rdbSaveRio(req, rdb, RDBFLAGS_NONE, rsi) == C_ERR or rioWrite(rdb, mark) == 0:
        stopSaving(0)
        return C_ERR
    stopSaving(1)
    return C_OK


def startSaving(rdbflags):
    """Hook point where Redis fires the persistence-start module event (startSaving)."""
    server.rdb_saving_flags = rdbflags


def stopSaving(success):
    """And where it fires the end event (stopSaving)."""
    server.rdb_saving_flags = None


def fsyncFileDir(filename):
    """fsync the directory holding `filename`, so the rename itself is durable (fsyncFileDir)."""
    dirname = os.path.dirname(filename) or "."
    try:
        fd = os.open(dirname, os.O_RDONLY)
    except OSError:
        return -1
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
    return 0


def rdbSave(req, filename, rsi):
    """Save the dataset to `filename` through temp-<pid>.rdb: write, flush,
    fsync, rename, fsync the directory (rdbSave). A crash at any point
    leaves the previous file intact."""
    tmpfile = "temp-%d.rdb" % os.getpid()
    try:
        fp = open(tmpfile, "wb")
    except OSError as e:
        serverLog(LL_WARNING, "Failed opening the temp RDB file %s (in server root dir %s) for "
                  "saving: %s", tmpfile, _cwd(), e.strerror)
        return C_ERR
    rdb = rioInitWithFile(fp)
    _rio.rioDeferChecksum(rdb)
    startSaving(RDBFLAGS_NONE)
    if server.rdb_save_incremental_fsync:
        _rio.rioSetAutoSync(rdb, _rio.REDIS_AUTOSYNC_BYTES)
    err_op = None
    err = None
    # Saving allocates short-lived lists and bytes only, no cycles: the
    # cycle collector would just rescan the whole dataset now and then.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if rdbSaveRio(req, rdb, RDBFLAGS_NONE, rsi) == C_ERR or rioFlush(rdb) == 0:
            err_op = "rdbSaveRio"
        else:
            err_op = "fsync"
            os.fsync(fp.fileno())
            err_op = "fclose"
            fp.close()
            err_op = None
    except OSError as e:
        err = e
    finally:
        if gc_was_enabled:
            gc.enable()
    if err_op is not None:
        serverLog(LL_WARNING, "Write error saving DB on disk(%s): %s", err_op,
                  err.strerror if err else "write error")
        try:
            fp.close()
        except OSError:
            pass
        try:
            os.unlink(tmpfile)
        except OSError:
            pass
        stopSaving(0)
        return C_ERR
    try:
        os.rename(tmpfile, filename)
    except OSError as e:
        serverLog(LL_WARNING, "Error moving temp DB file %s on the final destination %s (in "
                  "server root dir %s): %s", tmpfile, filename, _cwd(), e.strerror)
        try:
            os.unlink(tmpfile)
        except OSError:
            pass
        stopSaving(0)
        return C_ERR
    fsyncFileDir(filename)
    serverLog(LL_NOTICE, "DB saved on disk")
    server.dirty = 0
    server.lastsave = int(time.time())
    server.lastbgsave_status = C_OK
    stopSaving(1)
    return C_OK


def _cwd():
    try:
        return os.getcwd()
    except OSError:
        return "unknown"


def serverLog(level, fmt, *args):
    _log(level, fmt, *args)


# ---------------------------------------------------------------------------
# The child: fork, report through a pipe, reap
# ---------------------------------------------------------------------------
CHILD_INFO_TYPE_CURRENT_INFO = 0
CHILD_INFO_TYPE_AOF_COW_SIZE = 1
CHILD_INFO_TYPE_RDB_COW_SIZE = 2
_CHILD_INFO = struct.Struct("<iQQQ")   # type, keys, cow bytes, time ms


def openChildInfoPipe():
    """The pipe a child reports progress and copy-on-write size through (openChildInfoPipe)."""
    r, w = os.pipe()
    os.set_blocking(r, False)
    server.child_info_pipe = (r, w)


def closeChildInfoPipe():
    pipe = getattr(server, "child_info_pipe", None)
    if pipe:
        for fd in pipe:
            try:
                os.close(fd)
            except OSError:
                pass
    server.child_info_pipe = None


def _private_dirty():
    """Bytes of this process's pages that are private and dirty: after a fork,
    what copy-on-write has duplicated (zmalloc_get_private_dirty)."""
    try:
        with open("/proc/self/smaps_rollup") as f:
            for line in f:
                if line.startswith("Private_Dirty:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def sendChildInfo(info_type, keys, pname="RDB"):
    """Child side: write one progress record (sendChildInfoGeneric)."""
    pipe = getattr(server, "child_info_pipe", None)
    if not pipe or os.getpid() == server.pid:
        return
    cow = _private_dirty() if info_type in (CHILD_INFO_TYPE_RDB_COW_SIZE,
                                            CHILD_INFO_TYPE_AOF_COW_SIZE) else 0
    try:
        os.write(pipe[1], _CHILD_INFO.pack(info_type, keys, cow, int(time.time() * 1000)))
    except OSError:
        pass


_last_progress = [0.0]


def send_child_progress(keys):
    """Every second or so, tell the parent how many keys the child has written."""
    if os.getpid() == server.pid:
        return
    now = time.monotonic()
    if now - _last_progress[0] >= 1.0:
        _last_progress[0] = now
        sendChildInfo(CHILD_INFO_TYPE_CURRENT_INFO, keys)


def receiveChildInfo():
    """Parent side: read whatever records the child has written (receiveChildInfo)."""
    pipe = getattr(server, "child_info_pipe", None)
    if not pipe:
        return
    while True:
        try:
            data = os.read(pipe[0], _CHILD_INFO.size * 64)
        except (BlockingIOError, OSError):
            return
        if not data:
            return
        for off in range(0, len(data) - _CHILD_INFO.size + 1, _CHILD_INFO.size):
            t, keys, cow, _ms = _CHILD_INFO.unpack_from(data, off)
            if t == CHILD_INFO_TYPE_CURRENT_INFO:
                server.stat_current_save_keys_processed = keys
            elif t == CHILD_INFO_TYPE_RDB_COW_SIZE:
                server.stat_rdb_cow_bytes = cow
                server.stat_current_save_keys_processed = keys
            elif t == CHILD_INFO_TYPE_AOF_COW_SIZE:
                server.stat_aof_cow_bytes = cow
                server.stat_current_save_keys_processed = keys


def redisFork(purpose):
    """fork(), with the bookkeeping both sides need (redisFork).

    In the child: default signal handlers (so SIGUSR1 from killRDBChild or
    a SIGTERM ends it at once), the listening sockets closed, and the
    cyclic garbage collector off: a collection touches every object's
    header, which would make copy-on-write duplicate the whole heap.
    In the parent: child_pid/child_type, so checkChildrenDone reaps it.
    """
    openChildInfoPipe()
    start = time.monotonic()
    # Move every existing object to the collector's permanent generation
    # first: a collection in the parent while the child runs would otherwise
    # walk (and so write to) the whole heap, and copy-on-write would then
    # duplicate every page of it, stalling the parent and doubling memory.
    gc.freeze()
    try:
        childpid = os.fork()
    except OSError:
        closeChildInfoPipe()
        return -1
    if childpid == 0:
        gc.disable()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
            signal.signal(sig, signal.SIG_DFL)
        for s in server.listeners:
            try:
                s.close()
            except OSError:
                pass
        os.close(server.child_info_pipe[0])
        return 0
    os.close(server.child_info_pipe[1])
    server.child_info_pipe = (server.child_info_pipe[0], -1)
    server.stat_fork_time = int((time.monotonic() - start) * 1e6)
    server.stat_total_forks = getattr(server, "stat_total_forks", 0) + 1
    server.child_pid = childpid
    server.child_type = purpose
    server.stat_current_cow_bytes = 0
    server.stat_current_save_keys_processed = 0
    server.stat_current_save_keys_total = sum(len(db.dict) for db in server.db)
    return childpid


def exitFromChild(retcode):
    """End the child without running the parent's exit handlers (exitFromChild)."""
    try:
        sys.stdout.flush()
    except Exception:
        pass
    os._exit(retcode)


def rdbSaveBackground(req, filename, rsi):
    """BGSAVE: fork; the child writes the snapshot with rdbSave and exits;
    the parent returns at once and keeps serving (rdbSaveBackground).

    Copy-on-write is what makes the snapshot consistent: the child sees the
    memory as it was at fork() time, whatever the parent changes after.
    """
    if hasActiveChildProcess():
        return C_ERR
    server.stat_rdb_saves += 1
    server.dirty_before_bgsave = server.dirty
    server.lastbgsave_try = int(time.time())
    childpid = redisFork(CHILD_TYPE_RDB)
    if childpid == 0:
        # Child: same Python stack as the parent up to here, so rdbSaveRio's
        # callers read rdbSave <- rdbSaveBackground <- bgsaveCommand <- call.
        try:
            retval = rdbSave(req, filename, rsi)
            if retval == C_OK:
                sendChildInfo(CHILD_INFO_TYPE_RDB_COW_SIZE,
                              sum(len(db.dict) for db in server.db))
        except BaseException:
            retval = C_ERR
        exitFromChild(0 if retval == C_OK else 1)
    if childpid == -1:
        server.lastbgsave_status = C_ERR
        serverLog(LL_WARNING, "Can't save in background: fork: %s", "fork failed")
        return C_ERR
    serverLog(LL_NOTICE, "Background saving started by pid %d", childpid)
    server.rdb_save_time_start = int(time.time())
    server.rdb_child_pid = childpid
    server.rdb_child_type = RDB_CHILD_TYPE_DISK
    return C_OK


def rdbRemoveTempFile(childpid, from_signal):
    """Remove the temp file of a child that did not finish (rdbRemoveTempFile)."""
    try:
        os.unlink("temp-%d.rdb" % childpid)
    except OSError:
        pass


def backgroundSaveDoneHandlerDisk(exitcode, bysignal, childpid):
    """What a finished disk BGSAVE means for the parent (backgroundSaveDoneHandlerDisk)."""
    if not bysignal and exitcode == 0:
        serverLog(LL_NOTICE, "Background saving terminated with success")
        server.dirty = server.dirty - server.dirty_before_bgsave
        server.lastsave = int(time.time())
        server.lastbgsave_status = C_OK
    elif not bysignal and exitcode != 0:
        serverLog(LL_WARNING, "Background saving error")
        server.lastbgsave_status = C_ERR
    else:
        serverLog(LL_WARNING, "Background saving terminated by signal %d", bysignal)
        rdbRemoveTempFile(childpid, 0)
        # SIGUSR1 is how we kill our own child (killRDBChild): not an error.
        if bysignal != signal.SIGUSR1:
            server.lastbgsave_status = C_ERR


def backgroundSaveDoneHandler(exitcode, bysignal):
    """Called from checkChildrenDone when the RDB child exits (backgroundSaveDoneHandler)."""
    childpid = server.rdb_child_pid
    type_ = server.rdb_child_type
    receiveChildInfo()
    closeChildInfoPipe()
    if type_ == RDB_CHILD_TYPE_SOCKET:
        backgroundSaveDoneHandlerSocket(exitcode, bysignal)
    else:
        backgroundSaveDoneHandlerDisk(exitcode, bysignal, childpid)
    server.rdb_child_pid = -1
    server.rdb_child_type = RDB_CHILD_TYPE_NONE
    server.rdb_save_time_last = int(time.time()) - server.rdb_save_time_start
    server.rdb_save_time_start = -1
    server.stat_current_save_keys_processed = 0
    server.stat_current_save_keys_total = 0
    # Replicas waiting for this RDB (the first stage of their SYNC) move on.
    from .replication import updateSlavesWaitingBgsave
    updateSlavesWaitingBgsave(C_OK if not bysignal and exitcode == 0 else C_ERR, type_)


def backgroundSaveDoneHandlerSocket(exitcode, bysignal):
    """A diskless transfer's child exited (backgroundSaveDoneHandlerSocket).

    The child wrote to the replica sockets in blocking mode, and a socket's
    blocking flag is shared with the parent: make them non-blocking again
    before the event loop writes to them.
    """
    if not bysignal and exitcode == 0:
        serverLog(LL_NOTICE, "Background RDB transfer terminated with success")
    elif not bysignal and exitcode != 0:
        serverLog(LL_WARNING, "Background transfer error")
    else:
        serverLog(LL_WARNING, "Background transfer terminated by signal %d", bysignal)
    for conn in getattr(server, "rdb_pipe_conns", None) or ():
        if conn.sock is not None:
            try:
                os.set_blocking(conn.fd, False)
            except OSError:
                pass
    server.rdb_pipe_conns = None


def rdbSaveToSlavesSockets(req, rsi):
    """Diskless replication: fork a child that writes the RDB, framed by an EOF
    mark, straight to the sockets of the replicas waiting for it
    (rdbSaveToSlavesSockets).

    Each replica is told +FULLRESYNC before the fork, so the stream it
    collects from then on follows the snapshot exactly.

    Deliberate difference: the child writes to the sockets itself, in
    blocking mode with a send timeout of repl-timeout, as Redis did before
    6.0. 7.0 has the child write to a pipe and the parent copy it to the
    sockets from its event loop (needed for TLS, which pyredis lacks); here
    that would pass every byte through the Python event loop once more. One
    replica failing makes the child fail, and with it the transfer for all
    the replicas that shared it: they reconnect and sync again.
    """
    from .replication import getPsyncInitialOffset, replicationSetupSlaveForFullResync
    from .server_h import SLAVE_STATE_WAIT_BGSAVE_END, SLAVE_STATE_WAIT_BGSAVE_START
    if hasActiveChildProcess():
        return C_ERR
    conns = []
    for slave in server.slaves:
        if slave.replstate == SLAVE_STATE_WAIT_BGSAVE_START:
            if slave.slave_req != req:
                continue
            conns.append(slave.conn)
            replicationSetupSlaveForFullResync(slave, getPsyncInitialOffset())
    childpid = redisFork(CHILD_TYPE_RDB)
    if childpid == 0:
        retval = C_ERR
        try:
            import socket
            fds = []
            timeout = struct.pack("ll", server.repl_timeout, 0)
            for conn in conns:
                if conn is None or conn.sock is None:
                    continue
                os.set_blocking(conn.fd, True)
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeout)
                fds.append(conn.fd)
            rdb = _rio.rioInitWithFdset(fds)
            retval = rdbSaveRioWithEOFMark(req, rdb, rsi)
            if retval == C_OK and rioFlush(rdb) == 0:
                retval = C_ERR
            if retval == C_OK:
                sendChildInfo(CHILD_INFO_TYPE_RDB_COW_SIZE, sum(len(db.dict) for db in server.db))
        except BaseException:
            retval = C_ERR
        exitFromChild(0 if retval == C_OK else 1)
    if childpid == -1:
        serverLog(LL_WARNING, "Can't save in background: fork: %s", "fork failed")
        # The caller drops the replicas still waiting to start: put back
        # those the setup above moved on.
        for slave in server.slaves:
            if slave.replstate == SLAVE_STATE_WAIT_BGSAVE_END:
                slave.replstate = SLAVE_STATE_WAIT_BGSAVE_START
        return C_ERR
    serverLog(LL_NOTICE, "Background RDB transfer started by pid %d", childpid)
    server.rdb_save_time_start = int(time.time())
    server.rdb_child_pid = childpid
    server.rdb_child_type = RDB_CHILD_TYPE_SOCKET
    server.rdb_pipe_conns = conns
    return C_OK


def killRDBChild():
    """Ask the RDB child to stop (killRDBChild); the done handler cleans up."""
    if server.child_pid != -1:
        try:
            os.kill(server.child_pid, signal.SIGUSR1)
        except OSError:
            pass


def rdbPopulateSaveInfo():
    """Replication info to store in the RDB, or None when there is none (rdbPopulateSaveInfo)."""
    if not server.masterhost and getattr(server, "repl_backlog", None) is not None:
        rsi = rdbSaveInfo()
        rsi.repl_stream_db = getattr(server, "slaveseldb", -1)
        if rsi.repl_stream_db == -1:
            rsi.repl_stream_db = 0
        return rsi
    if server.master is not None:
        rsi = rdbSaveInfo()
        rsi.repl_stream_db = server.master.db.id
        return rsi
    return None


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
def saveCommand(c):
    """SAVE: write the snapshot now, blocking every client (saveCommand)."""
    if server.child_type == CHILD_TYPE_RDB:
        addReplyError(c, "Background save already in progress")
        return
    server.stat_rdb_saves += 1
    if rdbSave(SLAVE_REQ_NONE, server.rdb_filename, rdbPopulateSaveInfo()) == C_OK:
        addReply(c, shared.ok)
    else:
        addReplyErrorObject(c, shared.err)


def bgsaveCommand(c):
    """BGSAVE [SCHEDULE] (bgsaveCommand)."""
    schedule = False
    if len(c.argv) > 1:
        if len(c.argv) == 2 and c_string(c.argv[1]).lower() == b"schedule":
            schedule = True
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
    rsi = rdbPopulateSaveInfo()
    in_exec = getattr(server, "in_exec", 0)
    if server.child_type == CHILD_TYPE_RDB:
        addReplyError(c, "Background save already in progress")
    elif hasActiveChildProcess() or in_exec:
        if schedule or in_exec:
            server.rdb_bgsave_scheduled = 1
            addReplyStatus(c, "Background saving scheduled")
        else:
            addReplyError(c, "Another child process is active (AOF?): can't BGSAVE right now. "
                          "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
    elif rdbSaveBackground(SLAVE_REQ_NONE, server.rdb_filename, rsi) == C_OK:
        addReplyStatus(c, "Background saving started")
    else:
        addReplyErrorObject(c, shared.err)


def rdbCron():
    """serverCron's persistence duties (the part of serverCron Redis writes inline):
    read child progress; when no child runs, start a BGSAVE if a save point
    is reached ("<changes> changes in <seconds> seconds. Saving...") or one
    was scheduled. A failed BGSAVE is retried only after
    CONFIG_BGSAVE_RETRY_DELAY seconds."""
    if server.child_pid != -1:
        receiveChildInfo()
        return
    now = int(time.time())
    retry_ok = now - server.lastbgsave_try > CONFIG_BGSAVE_RETRY_DELAY or \
        server.lastbgsave_status == C_OK
    for sp in server.saveparams:
        if server.dirty >= sp.changes and now - server.lastsave > sp.seconds and retry_ok:
            serverLog(LL_NOTICE, "%d changes in %d seconds. Saving...", sp.changes, sp.seconds)
            rdbSaveBackground(SLAVE_REQ_NONE, server.rdb_filename, rdbPopulateSaveInfo())
            break
    if server.child_pid == -1 and getattr(server, "rdb_bgsave_scheduled", 0) and retry_ok:
        if rdbSaveBackground(SLAVE_REQ_NONE, server.rdb_filename, rdbPopulateSaveInfo()) == C_OK:
            server.rdb_bgsave_scheduled = 0


def rdbShutdownSave():
    """The final save of a shutdown (prepareForShutdown -> rdbSave)."""
    if server.child_type == CHILD_TYPE_RDB:
        killRDBChild()
        rdbRemoveTempFile(server.child_pid, 0)
    return rdbSave(SLAVE_REQ_NONE, server.rdb_filename, rdbPopulateSaveInfo())


# ===========================================================================
# Loading
# ===========================================================================
def rdbReportCorruptRDB(rdb, reason):
    raise RdbLoadError(rdb.pos, reason)


def _eof(rdb):
    raise RdbLoadError(len(rdb.buf), "Unexpected EOF reading RDB file")


def rdbLoadType(rdb):
    """Read one type/opcode byte (rdbLoadType)."""
    p = rdb.pos
    buf = rdb.buf
    if p >= len(buf):
        _eof(rdb)
    rdb.pos = p + 1
    return buf[p]


def rdbLoadLenByRef(rdb):
    """Read a length: (isencoded, value) (rdbLoadLenByRef)."""
    buf = rdb.buf
    p = rdb.pos
    try:
        b = buf[p]
        t = b >> 6
        if t == 0:
            rdb.pos = p + 1
            return 0, b & 0x3F
        if t == 1:
            rdb.pos = p + 2
            return 0, ((b & 0x3F) << 8) | buf[p + 1]
        if t == 3:
            rdb.pos = p + 1
            return 1, b & 0x3F
        if b == RDB_32BITLEN:
            if p + 5 > len(buf):
                _eof(rdb)
            rdb.pos = p + 5
            return 0, _unpack_I_be(buf, p + 1)[0]
        if b == RDB_64BITLEN:
            if p + 9 > len(buf):
                _eof(rdb)
            rdb.pos = p + 9
            return 0, _unpack_Q_be(buf, p + 1)[0]
    except IndexError:
        _eof(rdb)
    rdbReportCorruptRDB(rdb, "Unknown length encoding %d in rdbLoadLen()" % (b >> 6))


def rdbLoadLen(rdb):
    """Read a plain length (rdbLoadLen with isencoded NULL).

    Redis does not refuse an "encoded" first byte (11xxxxxx) here: with no
    isencoded pointer to report it through, rdbLoadLenByRef hands back its
    low 6 bits as the length. A count or container byte corrupted into
    that range therefore loads as a small length, and so it does here.
    """
    return rdbLoadLenByRef(rdb)[1]


def _need(rdb, n):
    p = rdb.pos
    if p + n > len(rdb.buf):
        _eof(rdb)
    rdb.pos = p + n
    return p


def rdbLoadIntegerObject(rdb, enctype):
    """Read an INT8/16/32 encoded string, as an int (rdbLoadIntegerObject)."""
    buf = rdb.buf
    if enctype == RDB_ENC_INT8:
        p = _need(rdb, 1)
        v = buf[p]
        return v - 256 if v > 127 else v
    if enctype == RDB_ENC_INT16:
        return _unpack_h(buf, _need(rdb, 2))[0]
    if enctype == RDB_ENC_INT32:
        return _unpack_i(buf, _need(rdb, 4))[0]
    rdbReportCorruptRDB(rdb, "Unknown RDB integer encoding type %d" % enctype)


def rdbLoadLzfStringObject(rdb):
    """Read and inflate an LZF string (rdbLoadLzfStringObject)."""
    clen = rdbLoadLen(rdb)
    ln = rdbLoadLen(rdb)
    p = _need(rdb, clen)
    if ln == 0:
        # Redis checks lzf_decompress's result against the announced
        # length, and lzf_decompress returns 0 both for an error and for an
        # empty output: with a length of 0 whatever compressed bytes follow
        # "decompress" correctly to an empty string.
        return b""
    try:
        return lzf_decompress(rdb.buf[p:p + clen], ln)
    except ValueError:
        rdb.pos = p
        rdbReportCorruptRDB(rdb, "Invalid LZF compressed string")


def rdbGenericLoadStringObject(rdb, flags=RDB_LOAD_NONE):
    """Read a string field. Integer-encoded ones come back as int with
    RDB_LOAD_ENC (the caller makes an int-encoded object), as bytes otherwise
    (rdbGenericLoadStringObject)."""
    buf = rdb.buf
    p = rdb.pos
    if p < len(buf):
        b = buf[p]
        if b < 64:         # the common case: a short verbatim string
            e = p + 1 + b
            if e > len(buf):
                _eof(rdb)
            rdb.pos = e
            return buf[p + 1:e]
    enc, n = rdbLoadLenByRef(rdb)
    if enc:
        if n <= RDB_ENC_INT32:
            v = rdbLoadIntegerObject(rdb, n)
            return v if flags & RDB_LOAD_ENC else b"%d" % v
        if n == RDB_ENC_LZF:
            return rdbLoadLzfStringObject(rdb)
        rdbReportCorruptRDB(rdb, "Unknown RDB string encoding type %d" % n)
    p = rdb.pos
    e = p + n
    if e > len(buf):
        _eof(rdb)
    rdb.pos = e
    return buf[p:e]


def rdbLoadStringObject(rdb):
    return rdbGenericLoadStringObject(rdb, RDB_LOAD_NONE)


def rdbLoadDoubleValue(rdb):
    """Read a text double (RDB_TYPE_ZSET): length byte or 253 nan/254 inf/255 -inf."""
    p = _need(rdb, 1)
    n = rdb.buf[p]
    if n == 253:
        return float("nan")
    if n == 254:
        return float("inf")
    if n == 255:
        return float("-inf")
    q = _need(rdb, n)
    v = _sscanf_lg(rdb.buf[q:q + n])
    if v is None:
        rdbReportCorruptRDB(rdb, "Invalid double value")
    return v


_C_SPACE = b" \t\n\v\f\r"
_HEX_DIGITS_OR_DOT = b"0123456789abcdefABCDEF."


def _sscanf_lg(text):
    """The double sscanf(buf, "%lg") reads from `text` made a C string, or
    None where it converts nothing (the test in rdbLoadDoubleValue).

    It reads what strtod reads: blanks skipped, the longest number prefix,
    the rest ignored, so "1.5abc" is 1.5 and "1e" is 1 (real Redis agrees).
    glibc's scanf differs from strtod only where it has gone past the
    number and cannot step back: "0x" with no hex digit or point after
    it, and "inf" followed by a partial "inity", fail instead of reading
    0 or inf.
    """
    nul = text.find(b"\x00")
    if nul >= 0:
        text = text[:nul]
    value, consumed = c_strtod(text)
    if not consumed:
        return None
    body = text.lstrip(_C_SPACE)
    if body[:1] in (b"+", b"-"):
        body = body[1:]
    head = body[:2].lower()
    if head == b"0x" and (len(body) == 2 or body[2] not in _HEX_DIGITS_OR_DOT):
        return None
    if body[:3].lower() == b"inf":
        tail = body[3:8].lower()
        k = 0
        while k < len(tail) and tail[k] == b"inity"[k]:
            k += 1
        if 0 < k < 5:
            return None
    return value


def rdbLoadBinaryDoubleValue(rdb):
    return _unpack_d(rdb.buf, _need(rdb, 8))[0]


def rdbLoadMillisecondTime(rdb, rdbver):
    return _unpack_q(rdb.buf, _need(rdb, 8))[0]


def rdbLoadTime(rdb):
    return _unpack_i(rdb.buf, _need(rdb, 4))[0]


def rdbLoadObjectType(rdb):
    """Read a value type byte; error when it is not one (rdbLoadObjectType)."""
    t = rdbLoadType(rdb)
    if not rdbIsObjectType(t):
        rdbReportCorruptRDB(rdb, "Unknown RDB object type %d" % t)
    return t


def _new(type, encoding, ptr):
    """createObject(type, ptr, encoding), inlined: it runs once per loaded key."""
    o = redisObject(type, encoding, ptr, server.lruclock)
    if server.maxmemory_policy & MAXMEMORY_FLAG_LFU:
        initObjectLRUOrLFU(o)
    return o


def _is_intset_member(m):
    return string2ll(m) is not None


def _as_member(v):
    return v if type(v) is bytes else (b"%d" % v if isinstance(v, int) else bytes(v))


def _build_set(members):
    """A set object with the encoding Redis picks for these members."""
    s = set(members)
    if len(s) <= server.set_max_intset_entries and all(_is_intset_member(m) for m in s):
        return _new(OBJ_SET, OBJ_ENCODING_INTSET, s)
    return _new(OBJ_SET, OBJ_ENCODING_HT, s)


def _build_zset(pairs, encoding):
    """A loaded sorted set as zset (dict + skiplist) labelled `encoding`.

    A listpack label means Redis converted the set (zsetConvert), writing
    each score as a string that turns -0 into 0: the same happens here.
    """
    zs = zset()
    d = zs.dict
    normalize_zero = encoding == OBJ_ENCODING_LISTPACK
    for m, sc in pairs:
        if normalize_zero and sc == 0.0:
            sc = 0.0
        d[m] = sc
        zslInsert(zs.zsl, sc, m)
    return _new(OBJ_ZSET, encoding, zs)


def lp_fast_decode(lp):
    """The elements of a listpack as bytes (integers in decimal), in one pass.

    Every length is checked against the blob, the header's total size and
    count must agree with what is found, and the last byte must be the end
    marker, so a corrupt blob raises ValueError instead of being
    misread. This is the check Redis makes when loading with
    sanitize-dump-payload no, plus the bounds checks its walk implies.
    """
    n = len(lp)
    if n < 7 or int.from_bytes(lp[0:4], "little") != n or lp[n - 1] != 0xFF:
        raise ValueError("bad listpack header")
    numele = lp[4] | (lp[5] << 8)
    out = []
    append = out.append
    p = 6
    end = n - 1
    while p < end:
        b = lp[p]
        if 0x80 <= b < 0xC0:          # short string: the common case
            size = b - 0x7F
            append(lp[p + 1:p + size])
            p += size + 1             # size <= 64: a one-byte backlen
            continue
        if b < 0x80:
            append(b"%d" % b)
            size = 1
        elif b < 0xE0:
            v = ((b & 0x1F) << 8) | lp[p + 1]
            append(b"%d" % (v - 8192 if v >= 4096 else v))
            size = 2
        elif b < 0xF0:
            ln = ((b & 0x0F) << 8) | lp[p + 1]
            size = 2 + ln
            append(lp[p + 2:p + size])
        elif b == 0xF1:
            append(b"%d" % int.from_bytes(lp[p + 1:p + 3], "little", signed=True))
            size = 3
        elif b == 0xF2:
            append(b"%d" % int.from_bytes(lp[p + 1:p + 4], "little", signed=True))
            size = 4
        elif b == 0xF3:
            append(b"%d" % int.from_bytes(lp[p + 1:p + 5], "little", signed=True))
            size = 5
        elif b == 0xF4:
            append(b"%d" % int.from_bytes(lp[p + 1:p + 9], "little", signed=True))
            size = 9
        elif b == 0xF0:
            ln = int.from_bytes(lp[p + 1:p + 5], "little")
            size = 5 + ln
            append(lp[p + 5:p + size])
        else:
            raise ValueError("bad listpack entry encoding")
        # lpEncodeBacklen's thresholds, "<" ones included.
        p += size + (1 if size < 128 else 2 if size < 16383 else 3 if size < 2097151
                     else 4 if size < 268435455 else 5)
    if p != end or (numele != 0xFFFF and numele != len(out)):
        raise ValueError("listpack entries do not match its header")
    return out


# sanitize-dump-payload's values (SANITIZE_DUMP_NO/YES/CLIENTS in server.h).
SANITIZE_DUMP_NO = 0
SANITIZE_DUMP_YES = 1
SANITIZE_DUMP_CLIENTS = 2


def rdb_deep_integrity_validation():
    """Whether this load validates listpacks and intsets entry by entry:
    the deep_integrity_validation flag computed at the top of rdbLoadObject.

    "yes" always does; "clients" does for a RESTORE from an ordinary
    client, but not while loading a file or for the master's commands.
    (Redis also exempts ACL users with skip-sanitize-payload; pyredis has
    no ACL users besides "default", which does not have that flag.)
    """
    mode = server.sanitize_dump_payload
    if mode == SANITIZE_DUMP_CLIENTS:
        c = server.current_client
        return not (server.loading or (c is not None and c.flags & CLIENT_MASTER))
    return mode == SANITIZE_DUMP_YES


def _lp_values(rdb, blob, what, deep=False):
    try:
        if deep:
            # Counted per listpack validated, as in rdbLoadObject: INFO
            # stats reports it as dump_payload_sanitizations.
            server.stat_dump_payload_sanitizations = \
                getattr(server, "stat_dump_payload_sanitizations", 0) + 1
            if not lpValidateIntegrity(blob, True):
                raise ValueError
        return lp_fast_decode(blob)
    except (ValueError, IndexError, struct.error):
        rdbReportCorruptRDB(rdb, "%s listpack integrity check failed." % what)


def _zl_values(rdb, blob, what):
    try:
        if not ziplistValidateIntegrity(blob, True):
            raise ValueError
        return [v if type(v) is bytes else b"%d" % v for v in ziplist_decode_values(blob)]
    except (ValueError, IndexError, struct.error):
        rdbReportCorruptRDB(rdb, "%s ziplist integrity check failed." % what)


def zzlStrtod(vstr):
    """The score of a ziplist/listpack zset entry (t_zset.c zzlStrtod):
    strtod on at most 127 bytes, which never fails: text that is not a
    number scores 0 and "2.5xyz" scores 2.5. Redis does not validate the
    scores of a loaded zset listpack, even with sanitize-dump-payload yes,
    so any bytes load."""
    return c_strtod(bytes(vstr[:127]))[0]


def _score(rdb, v):
    sc = zzlStrtod(v)
    if sc != sc:
        # Redis loads a "nan" score text too, and only trips over it (an
        # assertion in zslInsert) once the set is big enough to become a
        # skiplist. pyredis keeps every zset in a skiplist, so it refuses
        # the payload instead: the one place it answers "Bad data format"
        # where Redis may say OK.
        rdbReportCorruptRDB(rdb, "Zset with NAN score detected")
    return sc


def rdbLoadObject(rdbtype, rdb, key, dbid):
    """Read one value of type `rdbtype` and build the object Redis would
    have in memory afterwards, with the encoding its current config
    thresholds give (rdbLoadObject). Returns None for an empty collection
    (Redis skips those keys)."""
    deep = rdb_deep_integrity_validation()
    if rdbtype == RDB_TYPE_STRING:
        v = rdbGenericLoadStringObject(rdb, RDB_LOAD_ENC)
        if type(v) is int:
            return createStringObjectFromLongLongForValue(v)
        return createStringObjectEncoded(v)
    load = rdbGenericLoadStringObject
    if rdbtype == RDB_TYPE_LIST:
        n = rdbLoadLen(rdb)
        if n == 0:
            return None
        return _new(OBJ_LIST, OBJ_ENCODING_QUICKLIST, deque(load(rdb) for _ in range(n)))
    if rdbtype == RDB_TYPE_SET:
        n = rdbLoadLen(rdb)
        if n == 0:
            return None
        members = [load(rdb) for _ in range(n)]
        o = _build_set(members)
        if len(o.ptr) != n:
            rdbReportCorruptRDB(rdb, "Duplicate set members detected")
        return o
    if rdbtype in (RDB_TYPE_ZSET, RDB_TYPE_ZSET_2):
        n = rdbLoadLen(rdb)
        if n == 0:
            return None
        pairs = []
        maxlen = 0
        dbl = rdbLoadBinaryDoubleValue if rdbtype == RDB_TYPE_ZSET_2 else rdbLoadDoubleValue
        for _ in range(n):
            m = load(rdb)
            sc = dbl(rdb)
            if sc != sc:
                rdbReportCorruptRDB(rdb, "Zset with NAN score detected")
            maxlen = max(maxlen, len(m))
            pairs.append((m, sc))
        if len({m for m, _ in pairs}) != n:
            rdbReportCorruptRDB(rdb, "Duplicate zset fields detected")
        enc = OBJ_ENCODING_LISTPACK if (n <= server.zset_max_listpack_entries and
                                        maxlen <= server.zset_max_listpack_value) \
            else OBJ_ENCODING_SKIPLIST
        return _build_zset(pairs, enc)
    if rdbtype == RDB_TYPE_HASH:
        n = rdbLoadLen(rdb)
        if n == 0:
            return None
        h = {}
        maxlen = 0
        for _ in range(n):
            f = load(rdb)
            v = load(rdb)
            if f in h:
                rdbReportCorruptRDB(rdb, "Duplicate hash fields detected")
            h[f] = v
            maxlen = max(maxlen, len(f), len(v))
        enc = OBJ_ENCODING_LISTPACK
        if n > server.hash_max_listpack_entries or maxlen > server.hash_max_listpack_value:
            enc = OBJ_ENCODING_HT
        return _new(OBJ_HASH, enc, h)
    if rdbtype in (RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_LIST_QUICKLIST_2):
        n = rdbLoadLen(rdb)
        if n == 0:
            return None
        items = deque()
        for _ in range(n):
            container = QUICKLIST_NODE_CONTAINER_PACKED
            if rdbtype == RDB_TYPE_LIST_QUICKLIST_2:
                container = rdbLoadLen(rdb)
                if container not in (QUICKLIST_NODE_CONTAINER_PLAIN,
                                     QUICKLIST_NODE_CONTAINER_PACKED):
                    rdbReportCorruptRDB(rdb, "Quicklist integrity check failed.")
            blob = load(rdb)
            if not blob:
                # Redis refuses an empty node string outright, before
                # looking at its container: an empty plain node would be
                # an element without a node, an empty packed one no
                # listpack at all.
                rdbReportCorruptRDB(rdb, "Quicklist node of length 0")
            if container == QUICKLIST_NODE_CONTAINER_PLAIN:
                items.append(blob)
                continue
            if rdbtype == RDB_TYPE_LIST_QUICKLIST_2:
                items.extend(_lp_values(rdb, blob, "Quicklist", deep))
            else:
                items.extend(_zl_values(rdb, blob, "Quicklist"))
        if not items:
            return None
        return _new(OBJ_LIST, OBJ_ENCODING_QUICKLIST, items)
    if rdbtype in (RDB_TYPE_HASH_ZIPMAP, RDB_TYPE_LIST_ZIPLIST, RDB_TYPE_SET_INTSET,
                   RDB_TYPE_ZSET_ZIPLIST, RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_HASH_ZIPLIST,
                   RDB_TYPE_HASH_LISTPACK):
        blob = load(rdb)
        if rdbtype == RDB_TYPE_HASH_ZIPMAP:
            try:
                pairs = zipmapDecode(blob)
            except (ValueError, IndexError, struct.error):
                rdbReportCorruptRDB(rdb, "Zipmap integrity check failed.")
            if not pairs:
                return None
            h = dict(pairs)
            if len(h) != len(pairs):
                rdbReportCorruptRDB(rdb, "Duplicate hash fields detected")
            maxlen = max(max(len(f), len(v)) for f, v in pairs)
            enc = OBJ_ENCODING_LISTPACK
            if len(h) > server.hash_max_listpack_entries or maxlen > server.hash_max_listpack_value:
                enc = OBJ_ENCODING_HT
            return _new(OBJ_HASH, enc, h)
        if rdbtype == RDB_TYPE_LIST_ZIPLIST:
            vals = _zl_values(rdb, blob, "List")
            if not vals:
                return None
            return _new(OBJ_LIST, OBJ_ENCODING_QUICKLIST, deque(vals))
        if rdbtype == RDB_TYPE_SET_INTSET:
            if deep:
                server.stat_dump_payload_sanitizations = \
                    getattr(server, "stat_dump_payload_sanitizations", 0) + 1
            try:
                if not intsetValidateIntegrity(blob, True):
                    raise ValueError
                ints = intsetDecode(blob)
            except (ValueError, IndexError, struct.error):
                rdbReportCorruptRDB(rdb, "Intset integrity check failed.")
            if not ints:
                return None
            enc = OBJ_ENCODING_INTSET if len(ints) <= server.set_max_intset_entries \
                else OBJ_ENCODING_HT
            return _new(OBJ_SET, enc, {b"%d" % i for i in ints})
        if rdbtype in (RDB_TYPE_ZSET_ZIPLIST, RDB_TYPE_ZSET_LISTPACK):
            vals = _zl_values(rdb, blob, "Zset") if rdbtype == RDB_TYPE_ZSET_ZIPLIST \
                else _lp_values(rdb, blob, "Zset", deep)
            if len(vals) & 1:
                rdbReportCorruptRDB(rdb, "Zset listpack integrity check failed.")
            if not vals:
                return None
            pairs = [(vals[i], _score(rdb, vals[i + 1])) for i in range(0, len(vals), 2)]
            if len({m for m, _ in pairs}) != len(pairs):
                rdbReportCorruptRDB(rdb, "Duplicate zset fields detected")
            enc = OBJ_ENCODING_LISTPACK if len(pairs) <= server.zset_max_listpack_entries \
                else OBJ_ENCODING_SKIPLIST
            return _build_zset(pairs, enc)
        # hash ziplist / listpack
        vals = _zl_values(rdb, blob, "Hash") if rdbtype == RDB_TYPE_HASH_ZIPLIST \
            else _lp_values(rdb, blob, "Hash", deep)
        if len(vals) & 1:
            rdbReportCorruptRDB(rdb, "Hash listpack integrity check failed.")
        if not vals:
            return None
        it = iter(vals)
        h = dict(zip(it, it))
        if len(h) * 2 != len(vals):
            rdbReportCorruptRDB(rdb, "Duplicate hash fields detected")
        enc = OBJ_ENCODING_LISTPACK if len(h) <= server.hash_max_listpack_entries \
            else OBJ_ENCODING_HT
        return _new(OBJ_HASH, enc, h)
    if rdbtype in (RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2):
        rdbReportCorruptRDB(rdb, "The RDB file contains a stream (type %d), which pyredis does "
                            "not implement: can't load it" % rdbtype)
    if rdbtype in (RDB_TYPE_MODULE, RDB_TYPE_MODULE_2):
        rdbReportCorruptRDB(rdb, "The RDB file contains module data I can't load: pyredis has "
                            "no modules")
    rdbReportCorruptRDB(rdb, "Unknown RDB encoding type %d" % rdbtype)


def objectSetLRUOrLFU(val, lfu_freq, lru_idle, lru_clock, lru_multiplier):
    """Restore the LRU idle time or LFU counter saved with a key (objectSetLRUOrLFU, object.c)."""
    if server.maxmemory_policy & MAXMEMORY_FLAG_LFU:
        if lfu_freq >= 0:
            val.lru = (LFUGetTimeInMinutes() << 8) | lfu_freq
            return 1
    elif lru_idle >= 0:
        lru_idle = lru_idle * lru_multiplier // LRU_CLOCK_RESOLUTION
        lru_abs = lru_clock - lru_idle
        val.lru = lru_abs if lru_abs >= 0 else LRU_CLOCK_MAX + lru_abs
        return 1
    return 0


class rdbLoadingCtx:
    """Where loaded keys go (rdbLoadingCtx): fresh databases, swapped in on success."""
    __slots__ = ("dbarray",)

    def __init__(self, dbarray):
        self.dbarray = dbarray


def rdb_checksum_start(data):
    """Start checking the CRC64 of data[:-8] in a forked helper, or compute it
    here for small inputs. Returns a handle for rdb_checksum_finish.

    The helper runs on the other core while this process parses; both read
    the same pages (fork shares them), nothing is copied.
    """
    if len(data) < (1 << 22) or not hasattr(os, "fork"):
        return ("value", crc64(0, memoryview(data)[:-8]))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            gc.disable()
            v = crc64(0, memoryview(data)[:-8])
            os.write(w, v.to_bytes(8, "little"))
        finally:
            os._exit(0)
    os.close(w)
    return ("child", pid, r)


def rdb_checksum_finish(handle):
    if handle[0] == "value":
        return handle[1]
    _, pid, r = handle
    chunks = []
    while True:
        b = os.read(r, 8)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    os.waitpid(pid, 0)
    data = b"".join(chunks)
    if len(data) != 8:
        raise RdbLoadError(0, "checksum helper failed")
    return int.from_bytes(data, "little")


def rdb_checksum_abort(handle):
    if handle and handle[0] == "child":
        _, pid, r = handle
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
        os.waitpid(pid, 0)
        os.close(r)


def rdbLoadRio(rdb, rdbflags, rsi, dbarray=None):
    """Read a whole RDB from a buffer rio into `dbarray` (rdbLoadRioWithLoadingCtx).

    Raises RdbLoadError with the offset and reason on a corrupt or truncated
    file. Keys whose expire time has passed are dropped when we are a
    master (a replica waits for its master's DEL), as Redis does.
    """
    if dbarray is None:
        dbarray = server.db
    buf = rdb.buf
    if len(buf) < 9 or buf[:5] != b"REDIS":
        raise RdbLoadError(0, "Wrong signature trying to load DB from file")
    try:
        rdbver = int(buf[5:9])
    except ValueError:
        raise RdbLoadError(5, "Wrong signature trying to load DB from file") from None
    if rdbver < 1 or rdbver > RDB_VERSION:
        raise RdbLoadError(5, "Can't handle RDB format version %d" % rdbver)
    rdb.pos = 9
    ck = None
    if rdbver >= 5 and server.rdb_checksum and not getattr(server, "skip_checksum_validation", 0):
        if len(buf) >= 17 and buf[-8:] != b"\0" * 8:
            ck = rdb_checksum_start(buf)
    try:
        loaded, expired = _rdb_load_body(rdb, rdbver, rdbflags, rsi, dbarray)
        # The loader stores straight into the dicts; a RANDOMKEY snapshot
        # taken before (DEBUG RELOAD NOFLUSH) would miss the new keys.
        for db in dbarray:
            forget_random_snapshot(db.dict)
        if rdbver >= 5:
            p = _need(rdb, 8)
            stored = int.from_bytes(buf[p:p + 8], "little")
            if server.rdb_checksum and not getattr(server, "skip_checksum_validation", 0):
                if stored == 0:
                    serverLog(LL_WARNING, "RDB file was saved with checksum disabled: no check "
                              "performed.")
                else:
                    if ck is None:      # the trailer was not where we expected it
                        ck = ("value", crc64(0, memoryview(buf)[:p]))
                    expected = rdb_checksum_finish(ck)
                    ck = None
                    if expected != stored:
                        serverLog(LL_WARNING, "Wrong RDB checksum expected: (%x) but got (%x). "
                                  "Aborting now.", expected, stored)
                        raise RdbLoadError(p, "RDB CRC error")
    finally:
        rdb_checksum_abort(ck)
    server.rdb_last_load_keys_loaded = loaded
    server.rdb_last_load_keys_expired = expired
    serverLog(LL_NOTICE, "Done loading RDB, keys loaded: %d, keys expired: %d.", loaded, expired)
    return C_OK


def _rdb_load_body(rdb, rdbver, rdbflags, rsi, dbarray):
    buf = rdb.buf
    db = dbarray[0]
    d = db.dict
    expires = db.expires
    lru_idle = lfu_freq = expiretime = -1
    now = mstime()
    lru_clock = LRU_CLOCK()
    master = not server.masterhost
    loaded = expired = 0
    empty_skipped = 0
    allow_dup = rdbflags & RDBFLAGS_ALLOW_DUP
    lfu = server.maxmemory_policy & MAXMEMORY_FLAG_LFU
    lruclk = server.lruclock
    load_str = rdbGenericLoadStringObject
    nbuf = len(buf)
    RO = redisObject
    # Under maxmemory with an LRU/LFU policy Redis loads integers as
    # private objects, not shared ones (createStringObjectFromLongLongForValue).
    INT_RO = unsharedObject if (server.maxmemory and server.maxmemory_policy
                                & MAXMEMORY_FLAG_NO_SHARED_INTEGERS) else redisObject
    EMBSTR, RAW = OBJ_ENCODING_EMBSTR, OBJ_ENCODING_RAW
    fast_ok = not lfu and not server.key_load_delay
    sanitize = rdb_deep_integrity_validation()
    hash_entries = server.hash_max_listpack_entries
    interval = server.loading_process_events_interval_bytes or (2 << 20)
    next_check = interval
    while True:
        if rdb.pos >= next_check:
            next_check = rdb.pos + interval
            rdbLoadProgressCallback(rdb)
        if fast_ok and expiretime == -1 and lru_idle == -1 and lfu_freq == -1:
            # Fast path for the bulk of most datasets: runs of plain string
            # keys (no expire/idle/freq opcode) with short verbatim key and
            # value, decoded inline: the same steps as rdbLoadObject's
            # string case (rdbGenericLoadStringObject + tryObjectEncoding).
            # Anything else breaks out to the general code below.
            p = rdb.pos
            try:
                while p < next_check and buf[p] == 0:
                    kl = buf[p + 1]
                    if kl >= 64:
                        break
                    e = p + 2 + kl
                    vl = buf[e]
                    q = e + 1 + vl
                    if vl >= 64 or q > nbuf:
                        break
                    key = buf[p + 2:e]
                    if key in d:
                        break
                    v = buf[e + 1:q]
                    c0 = v[0] if vl else 0
                    if vl <= 20 and (49 <= c0 <= 57 or c0 == 45):
                        iv = string2ll(v)
                        if iv is not None:
                            d[key] = INT_RO(OBJ_STRING, OBJ_ENCODING_INT, iv, lruclk)
                            loaded += 1
                            p = q
                            continue
                    d[key] = RO(OBJ_STRING, EMBSTR if vl <= 44 else RAW, v, lruclk)
                    loaded += 1
                    p = q
            except IndexError:
                pass
            rdb.pos = p
        p = rdb.pos
        if p >= nbuf:
            _eof(rdb)
        t = buf[p]
        rdb.pos = p + 1
        if t == RDB_OPCODE_EXPIRETIME:
            expiretime = rdbLoadTime(rdb) * 1000
            continue
        if t == RDB_OPCODE_EXPIRETIME_MS:
            expiretime = rdbLoadMillisecondTime(rdb, rdbver)
            continue
        if t == RDB_OPCODE_FREQ:
            lfu_freq = buf[_need(rdb, 1)]
            continue
        if t == RDB_OPCODE_IDLE:
            lru_idle = rdbLoadLen(rdb)
            continue
        if t == RDB_OPCODE_EOF:
            break
        if t == RDB_OPCODE_SELECTDB:
            dbid = rdbLoadLen(rdb)
            if dbid >= server.dbnum:
                raise RdbLoadError(rdb.pos, "FATAL: Data file was created with a Redis server "
                                   "configured to handle more than %d databases." % server.dbnum)
            db = dbarray[dbid]
            d = db.dict
            expires = db.expires
            continue
        if t == RDB_OPCODE_RESIZEDB:
            rdbLoadLen(rdb)
            rdbLoadLen(rdb)
            continue
        if t == RDB_OPCODE_AUX:
            k = rdbLoadStringObject(rdb)
            v = rdbLoadStringObject(rdb)
            _load_aux(k, v, rsi)
            continue
        if t == RDB_OPCODE_MODULE_AUX:
            raise RdbLoadError(p, "The RDB file contains AUX module data I can't load: pyredis "
                               "has no modules")
        if t in (RDB_OPCODE_FUNCTION, RDB_OPCODE_FUNCTION2):
            raise RdbLoadError(p, "The RDB file contains FUNCTION libraries, which pyredis does "
                               "not implement")
        if not rdbIsObjectType(t):
            raise RdbLoadError(p, "Unknown RDB encoding type %d" % t)
        key = load_str(rdb, RDB_LOAD_NONE)
        if t == RDB_TYPE_HASH_LISTPACK and not sanitize:
            # The HASH_LISTPACK case of rdbLoadObject, inlined: small hashes
            # are the second most common value after strings.
            vals = _lp_values(rdb, load_str(rdb, RDB_LOAD_NONE), "Hash")
            n = len(vals)
            if n & 1:
                rdbReportCorruptRDB(rdb, "Hash listpack integrity check failed.")
            if n:
                it = iter(vals)
                h = dict(zip(it, it))
                if len(h) * 2 != n:
                    rdbReportCorruptRDB(rdb, "Duplicate hash fields detected")
                val = _new(OBJ_HASH, OBJ_ENCODING_LISTPACK if len(h) <= hash_entries
                           else OBJ_ENCODING_HT, h)
            else:
                val = None
        else:
            val = rdbLoadObject(t, rdb, key, db.id)
        if val is None:
            empty_skipped += 1
            if empty_skipped <= 10:
                serverLog(LL_WARNING, "rdbLoadObject skipping empty key: %s",
                          key.decode("latin-1"))
        elif master and not (rdbflags & RDBFLAGS_AOF_PREAMBLE) and expiretime != -1 \
                and expiretime < now:
            expired += 1
        else:
            if key in d:
                if not allow_dup:
                    raise RdbLoadError(rdb.pos, "Duplicated key '%s' found in RDB file"
                                       % key.decode("latin-1"))
                expires.pop(key, None)
            d[key] = val
            loaded += 1
            if expiretime != -1:
                expires[key] = expiretime
            objectSetLRUOrLFU(val, lfu_freq, lru_idle, lru_clock, 1000)
        if server.key_load_delay:
            debugDelay(server.key_load_delay)
        expiretime = lfu_freq = lru_idle = -1
    return loaded, expired


def rdbLoadProgressCallback(rdb):
    """Every loading-process-events-interval-bytes (2 MB) of file: update the
    loading progress INFO shows, and serve clients meanwhile so they get
    -LOADING (and INFO works) instead of a server that seems hung
    (rdbLoadProgressCallback -> processEventsWhileBlocked)."""
    server.loading_loaded_bytes = rdb.pos
    if getattr(server, "rdb_loading_serve_events", False) and server.el is not None:
        processEventsWhileBlocked()


def processEventsWhileBlocked():
    """Run a few non-blocking event-loop iterations from inside a long
    operation (processEventsWhileBlocked, networking.c): accept, read,
    reply; no timers."""
    from . import ae
    updateCachedTime(0)
    flags = ae.AE_FILE_EVENTS | ae.AE_DONT_WAIT | ae.AE_CALL_BEFORE_SLEEP | ae.AE_CALL_AFTER_SLEEP
    for _ in range(4):
        if not ae.aeProcessEvents(server.el, flags):
            break


def _load_aux(k, v, rsi):
    key = k.lower()
    text = v.decode("latin-1")
    if key.startswith(b"%"):
        serverLog(LL_NOTICE, "RDB '%s': %s", k.decode("latin-1"), text)
    elif key == b"repl-stream-db":
        if rsi is not None:
            rsi.repl_stream_db = int(v or 0)
    elif key == b"repl-id":
        if rsi is not None and len(v) == 40:
            rsi.repl_id = text
            rsi.repl_id_is_set = 1
    elif key == b"repl-offset":
        if rsi is not None:
            rsi.repl_offset = int(v or 0)
    elif key == b"redis-ver":
        serverLog(LL_NOTICE, "Loading RDB produced by version %s", text)
    elif key == b"ctime":
        try:
            age = max(0, int(time.time()) - int(v))
        except ValueError:
            age = 0
        serverLog(LL_NOTICE, "RDB age %d seconds", age)
    elif key == b"used-mem":
        try:
            used = int(v)
        except ValueError:
            used = 0
        serverLog(LL_NOTICE, "RDB memory usage when created %.2f Mb", used / (1024 * 1024))
        server.loading_rdb_used_mem = used
    elif key == b"aof-preamble":
        if v not in (b"0", b""):
            serverLog(LL_NOTICE, "RDB has an AOF tail")
    elif key == b"aof-base":
        if v not in (b"0", b""):
            serverLog(LL_NOTICE, "RDB is base AOF")
    elif key in (b"redis-bits", b"lua"):
        pass
    else:
        serverLog(LL_DEBUG, "Unrecognized RDB AUX field: '%s'", k.decode("latin-1"))


def startLoading(size, rdbflags, async_):
    """Enter the loading state INFO reports (startLoading)."""
    server.loading = 1
    server.loading_start_time = int(time.time())
    server.loading_loaded_bytes = 0
    server.loading_total_bytes = size
    server.loading_rdb_used_mem = 0
    server.rdb_last_load_keys_expired = 0
    server.rdb_last_load_keys_loaded = 0


def stopLoading(success):
    """Leave the loading state (stopLoading)."""
    server.loading = 0
    server.loading_loaded_bytes = server.loading_total_bytes


def rdbLoad(filename, rsi, rdbflags):
    """Load `filename` into the server (rdbLoad).

    Returns C_OK; C_ERR with errno-like `server.rdb_load_errno` 'ENOENT'
    when there is no file. A corrupt or truncated file raises RdbLoadError
    and leaves the current dataset untouched: keys are read into new
    databases that replace the current ones only at the very end.
    """
    try:
        with open(filename, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        server.rdb_load_errno = "ENOENT"
        return C_ERR
    except OSError as e:
        server.rdb_load_errno = e.strerror
        return C_ERR
    startLoading(len(data), rdbflags, 0)
    ok = False
    # Loading creates millions of objects and frees none: the cycle
    # collector would walk the growing heap again and again for nothing
    # (a collection every 700 allocations). Off while loading, as the
    # server turns it down after start-up anyway.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        rdb = rioInitWithBuffer()
        rdb.buf = data
        if rdbflags & RDBFLAGS_ALLOW_DUP:
            dbarray = server.db     # MERGE loads into the live dbs by definition
        else:
            dbarray = [redisDb(i) for i in range(server.dbnum)]
        rdbLoadRio(rdb, rdbflags, rsi, dbarray)
        if dbarray is not server.db:
            _install_dbs(dbarray)
        ok = True
    finally:
        if gc_was_enabled:
            gc.enable()
        stopLoading(ok)
    return C_OK


def _install_dbs(dbarray):
    """Make freshly loaded databases live, keeping each db object (clients
    point at them) and its blocking/watch state."""
    for new, db in zip(dbarray, server.db):
        db.dict = new.dict
        db.expires = new.expires
        db.avg_ttl = 0
        db.expires_cursor = 0


def rdbLoadOrDie(filename):
    """rdbLoad for start-up and DEBUG RELOAD: on a corrupt file, log where and
    why and exit non-zero, as Redis does (rdbReportError -> redis-check-rdb ->
    exit)."""
    try:
        return rdbLoad(filename, None, RDBFLAGS_NONE)
    except RdbLoadError as e:
        serverLog(LL_WARNING, "Internal error in RDB reading offset %d, function at rdb.py -> %s",
                  e.offset, e.reason)
        serverLog(LL_WARNING, "Terminating server after rdb file reading failure.")
        try:
            sys.stdout.flush()
        except Exception:
            pass
        os._exit(1)


def loadDataFromDisk():
    """Start-up loading (loadDataFromDisk): the RDB at dir/dbfilename, when AOF is off."""
    if server.aof_state:
        return
    start = time.time()
    # Serve clients (with -LOADING) while the file loads. Only here: DEBUG
    # RELOAD runs inside a command, where Redis protects the calling client;
    # we simply do not re-enter the event loop from a command.
    server.rdb_loading_serve_events = True
    try:
        status = rdbLoadOrDie(server.rdb_filename)
    finally:
        server.rdb_loading_serve_events = False
    if status == C_OK:
        serverLog(LL_NOTICE, "DB loaded from disk: %.3f seconds", time.time() - start)
    elif getattr(server, "rdb_load_errno", None) != "ENOENT":
        serverLog(LL_WARNING, "Fatal error loading the DB: %s. Exiting.", server.rdb_load_errno)
        os._exit(1)


# ===========================================================================
# INFO persistence, and registration with the server
# ===========================================================================
def _info_persistence():
    """The `# Persistence` section of INFO, with Redis 7.0's fields."""
    now = int(time.time())
    child_rdb = server.child_type == CHILD_TYPE_RDB
    fields = [("loading", server.loading), ("async_loading", server.async_loading)]
    fields += [
        ("current_cow_peak", getattr(server, "stat_current_cow_peak", 0)),
        ("current_cow_size", getattr(server, "stat_current_cow_bytes", 0)),
        ("current_cow_size_age", 0),
        ("current_fork_perc", "%.2f" % _fork_perc()),
        ("current_save_keys_processed", getattr(server, "stat_current_save_keys_processed", 0)),
        ("current_save_keys_total", getattr(server, "stat_current_save_keys_total", 0)),
        ("rdb_changes_since_last_save", server.dirty),
        ("rdb_bgsave_in_progress", 1 if child_rdb else 0),
        ("rdb_last_save_time", server.lastsave),
        ("rdb_last_bgsave_status", "ok" if server.lastbgsave_status == C_OK else "err"),
        ("rdb_last_bgsave_time_sec", server.rdb_save_time_last),
        ("rdb_current_bgsave_time_sec",
         now - server.rdb_save_time_start if child_rdb and server.rdb_save_time_start != -1
         else -1),
        ("rdb_saves", server.stat_rdb_saves),
        ("rdb_last_cow_size", getattr(server, "stat_rdb_cow_bytes", 0)),
        ("rdb_last_load_keys_expired", getattr(server, "rdb_last_load_keys_expired", 0)),
        ("rdb_last_load_keys_loaded", getattr(server, "rdb_last_load_keys_loaded", 0)),
    ]
    # The aof_* and module_fork_* lines, and with appendonly yes the AOF
    # size block, come from the AOF module (aof.aofInfoFields).
    from .aof import aofInfoFields
    fields += aofInfoFields()
    if server.loading:
        total = getattr(server, "loading_total_bytes", 0)
        loaded = getattr(server, "loading_loaded_bytes", 0)
        perc = loaded * 100.0 / total if total else 0.0
        elapsed = now - getattr(server, "loading_start_time", now)
        eta = 1 if elapsed == 0 or loaded == 0 else int((total - loaded) / (loaded / elapsed))
        fields += [("loading_start_time", getattr(server, "loading_start_time", now)),
                   ("loading_total_bytes", total),
                   ("loading_rdb_used_mem", getattr(server, "loading_rdb_used_mem", 0)),
                   ("loading_loaded_bytes", loaded),
                   ("loading_loaded_perc", "%.2f" % perc),
                   ("loading_eta_seconds", eta)]
    return fields


def _fork_perc():
    total = getattr(server, "stat_current_save_keys_total", 0)
    if server.child_type != CHILD_TYPE_RDB or not total:
        return 0.0
    return getattr(server, "stat_current_save_keys_processed", 0) * 100.0 / total


def _child_done(exitcode, bysignal):
    backgroundSaveDoneHandler(exitcode, bysignal)


def rdbRegister():
    """Plug the RDB duties into the server: the child-done handler, the cron
    duty, the shutdown save, start-up loading and INFO persistence."""
    server.child_done_handlers[CHILD_TYPE_RDB] = _child_done
    if rdbCron not in server.cron_hooks:
        server.cron_hooks.append(rdbCron)
    if _remember_child_pid not in server.kill_child_hooks:
        server.kill_child_hooks.append(_remember_child_pid)
    server.shutdown_save_hook = rdbShutdownSave
    server.load_data_hook = loadDataFromDisk
    for field, default in (("rdb_child_type", RDB_CHILD_TYPE_NONE), ("dirty_before_bgsave", 0),
                           ("rdb_bgsave_scheduled", 0), ("stat_rdb_cow_bytes", 0),
                           ("rdb_last_load_keys_expired", 0), ("rdb_last_load_keys_loaded", 0),
                           ("child_info_pipe", None), ("loading_rdb_used_mem", 0)):
        if not hasattr(server, field):
            setattr(server, field, default)
    sections = getattr(server, "info_sections", None)
    if sections:
        for i, (name, title, _fn) in enumerate(sections):
            if name == "persistence":
                sections[i] = (name, title, _info_persistence)


def _remember_child_pid():
    """killChildProcesses ran: the child will not finish, drop its temp file."""
    if server.child_type == CHILD_TYPE_RDB:
        rdbRemoveTempFile(server.child_pid, 0)
        server.rdb_child_type = RDB_CHILD_TYPE_NONE
        server.rdb_child_pid = -1
    closeChildInfoPipe()



# ===========================================================================
# DEBUG RELOAD / DIGEST / DIGEST-VALUE (debug.c). debug.py dispatches here.
# ===========================================================================
def xorDigest(digest, data):
    """digest ^= SHA1(data), in place on a 20-byte bytearray (xorDigest).

    XOR makes the result independent of the order elements are visited in,
    which is what a set or a hash table needs."""
    import hashlib
    h = hashlib.sha1(data).digest()
    for j in range(20):
        digest[j] ^= h[j]


def mixDigest(digest, data):
    """digest = SHA1(digest ^ SHA1(data)) (mixDigest): order-dependent, for
    sequences such as a list's elements or a key followed by its value."""
    import hashlib
    xorDigest(digest, data)
    digest[:] = hashlib.sha1(bytes(digest)).digest()


def _digest_bytes(v):
    return v if type(v) is bytes else (b"%d" % v if isinstance(v, int) else bytes(v))


def xorObjectDigest(db, key, digest, o):
    """Fold a value into `digest` the canonical way for its type (xorObjectDigest):
    the type, then a list's elements in order, a set's members XORed, each
    zset member+score and hash field+value pair hashed then XORed, then a
    marker if the key has an expire."""
    mixDigest(digest, o.type.to_bytes(4, "big"))
    t = o.type
    if t == OBJ_STRING:
        mixDigest(digest, _digest_bytes(o.ptr))
    elif t == OBJ_LIST:
        for ele in o.ptr:
            mixDigest(digest, _digest_bytes(ele))
    elif t == OBJ_SET:
        for ele in o.ptr:
            xorDigest(digest, _digest_bytes(ele))
    elif t == OBJ_ZSET:
        for m, s in zset_members_ordered(o.ptr):
            ele = bytearray(20)
            mixDigest(ele, _digest_bytes(m))
            mixDigest(ele, b"%.17g" % s)
            xorDigest(digest, ele)
    elif t == OBJ_HASH:
        for f, v in o.ptr.items():
            ele = bytearray(20)
            mixDigest(ele, _digest_bytes(f))
            mixDigest(ele, _digest_bytes(v))
            xorDigest(digest, ele)
    else:
        raise NotImplementedError("DEBUG DIGEST of this type is not implemented")
    if key in db.expires:
        xorDigest(digest, b"!!expire!!")


def computeDatasetDigest():
    """The DEBUG DIGEST value (computeDatasetDigest): per non-empty db, mix
    the db id, then XOR in SHA1-based digests of every key+value. 20 zero
    bytes for an empty dataset; equal on two servers holding equal data."""
    final = bytearray(20)
    for db in server.db:
        if not db.dict:
            continue
        mixDigest(final, db.id.to_bytes(4, "big"))
        for key, o in db.dict.items():
            digest = bytearray(20)
            mixDigest(digest, key)
            xorObjectDigest(db, key, digest, o)
            xorDigest(final, digest)
    return bytes(final)


def debugDigestValue(c):
    """DEBUG DIGEST-VALUE key...: xorObjectDigest of each value alone, without
    the key name; 40 zeros for a missing key."""
    addReplyArrayLen(c, len(c.argv) - 2)
    for key in c.argv[2:]:
        digest = bytearray(20)
        o = c.db.dict.get(key)
        if o is not None:
            xorObjectDigest(c.db, key, digest, o)
        addReplyStatus(c, bytes(digest).hex())


def debugReload(c):
    """DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load back (debug.c's reload)."""
    flush = save = True
    flags = RDBFLAGS_NONE
    for opt in c.argv[2:]:
        o = c_string(opt).lower()
        if o == b"merge":
            flags |= RDBFLAGS_ALLOW_DUP
        elif o == b"noflush":
            flush = False
        elif o == b"nosave":
            save = False
        else:
            addReplyError(c, "DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
            return
    if save and rdbSave(SLAVE_REQ_NONE, server.rdb_filename, rdbPopulateSaveInfo()) != C_OK:
        addReplyErrorObject(c, shared.err)
        return
    if flush:
        emptyData(-1, 0)
    if rdbLoadOrDie_flags(server.rdb_filename, flags) != C_OK:
        addReplyError(c, "Error trying to load the RDB dump")
        return
    serverLog(LL_WARNING, "DB reloaded by DEBUG RELOAD")
    addReply(c, shared.ok)


def rdbLoadOrDie_flags(filename, flags):
    try:
        return rdbLoad(filename, None, flags)
    except RdbLoadError as e:
        serverLog(LL_WARNING, "Internal error in RDB reading offset %d, function at rdb.py -> %s",
                  e.offset, e.reason)
        serverLog(LL_WARNING, "Terminating server after rdb file reading failure.")
        os._exit(1)
