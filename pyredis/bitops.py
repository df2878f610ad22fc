"""Bit operations on string values: our bitops.c.

SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO treat a
string as an array of bits, bit 0 being the most significant bit of the
first byte (so "\\x80" has bit 0 set), as Redis does.

Representation: a string that a bit command writes becomes a raw string
whose ptr is a ``bytearray``, updated in place. The alternative, rebuilding
an immutable ``bytes`` on every SETBIT, would make each write O(length) and
a bitmap grown bit by bit quadratic; bytearray.extend grows amortized O(1),
which is what sdsgrowzero gives C.

Speed: the C counts bits with lookup tables and word-at-a-time loops. A
per-byte Python loop would be ~100x slower, so the bulk work is handed to
operations that run in C: ``int.from_bytes(...).bit_count()`` for
popcounts, ``bit_length()`` of the range read as one big-endian integer
for BITPOS, and big-integer AND/OR/XOR for BITOP.
"""

from .db import (
    dbAdd,
    dbDelete,
    lookupKeyRead,
    lookupKeyReadOrReply,
    lookupKeyWrite,
    setKey,
    signalModifiedKey,
)
from .networking import (
    addReply,
    addReplyArrayLen,
    addReplyError,
    addReplyErrorObject,
    addReplyLongLong,
    addReplyNull,
)
from .notify import notifyKeyspaceEvent
from .object import (
    checkType,
    createRawStringObject,
    getLongFromObjectOrReply,
    getLongLongFromObjectOrReply,
)
from .server_h import (
    CLIENT_MASTER,
    NOTIFY_GENERIC,
    NOTIFY_STRING,
    OBJ_ENCODING_INT,
    OBJ_ENCODING_RAW,
    OBJ_STRING,
    server,
    shared,
)
from .util import c_string, string2ll

BITOP_AND = 0
BITOP_OR = 1
BITOP_XOR = 2
BITOP_NOT = 3

BITFIELDOP_GET = 0
BITFIELDOP_SET = 1
BITFIELDOP_INCRBY = 2

BFOVERFLOW_WRAP = 0
BFOVERFLOW_SAT = 1
BFOVERFLOW_FAIL = 2

BITFIELD_FLAG_NONE = 0
BITFIELD_FLAG_READONLY = 1 << 0

_U64 = (1 << 64) - 1
_I64_MAX = (1 << 63) - 1

# Popcounts go through big integers one chunk at a time, so a 512 MB
# bitmap never needs a second 512 MB integer alive at once; 1 MB keeps the
# number of interpreted iterations tiny for common sizes.
_POPCOUNT_CHUNK = 1 << 20

# Complement of every byte, to look for a 0 bit as if it were a 1.
_INVERT = bytes(255 - i for i in range(256))


def _to_i64(v):
    """Reinterpret the low 64 bits of v as a signed C int64_t."""
    v &= _U64
    return v - (1 << 64) if v > _I64_MAX else v


def mustObeyClient(c):
    """True for the master link and the AOF loader, whose writes are never refused (mustObeyClient).

    pyredis's AOF loader replays through a client with the master flag, so
    the flag is the whole test here.
    """
    return bool(c.flags & CLIENT_MASTER)


# ---------------------------------------------------------------------------
# Low level bit helpers
# ---------------------------------------------------------------------------
def redisPopcount(s, start, count):
    """Number of set bits in s[start:start+count] (redisPopcount).

    The C takes a pointer and a length; we take the buffer and a start, so
    callers need not slice (and copy) a big bitmap first.
    """
    total = 0
    end = start + count
    while start < end:
        stop = min(end, start + _POPCOUNT_CHUNK)
        total += int.from_bytes(s[start:stop], "little").bit_count()
        start = stop
    return total


def redisBitpos(s, start, count, bit):
    """Position of the first bit `bit` in s[start:start+count], from start (redisBitpos).

    When looking for a 0 and none is found, the string is taken as padded
    with zeros on the right, so the answer is count*8; when looking for a 1
    and none is found, -1.

    The C skips whole words of 0x00 (or 0xff) before looking at bits. We
    read the range as big-endian integers, in chunks that start small (an
    early hit costs little) and grow to 1 MB: the first set bit is then
    given by bit_length(); for a 0 the chunk is complemented first.
    """
    pos = start
    end = start + count
    chunk = 4096
    while pos < end:
        stop = min(end, pos + chunk)
        piece = s[pos:stop]
        if not bit:
            piece = piece.translate(_INVERT)
        v = int.from_bytes(piece, "big")
        if v:
            return (pos - start) * 8 + (stop - pos) * 8 - v.bit_length()
        pos = stop
        chunk = min(chunk * 4, _POPCOUNT_CHUNK)
    return -1 if bit else count * 8


def getUnsignedBitfield(p, offset, bits):
    """Read an unsigned integer of `bits` bits at bit `offset` (getUnsignedBitfield).

    Bytes past the end of p read as zeros, which is what the C gets from
    the zero-padded copy it makes for GET.
    """
    first = offset >> 3
    nbytes = ((offset + bits - 1) >> 3) - first + 1
    chunk = p[first:first + nbytes]
    v = int.from_bytes(chunk, "big") << (8 * (nbytes - len(chunk)))
    shift = nbytes * 8 - (offset & 7) - bits
    return (v >> shift) & ((1 << bits) - 1)


def getSignedBitfield(p, offset, bits):
    """Read a two's complement integer of `bits` bits at bit `offset` (getSignedBitfield)."""
    v = getUnsignedBitfield(p, offset, bits)
    if v >> (bits - 1):
        v -= 1 << bits
    return v


def setUnsignedBitfield(p, offset, bits, value):
    """Write the low `bits` bits of value at bit `offset` of bytearray p (setUnsignedBitfield).

    p must already be long enough (lookupStringForBitCommand saw to it).
    """
    first = offset >> 3
    nbytes = ((offset + bits - 1) >> 3) - first + 1
    shift = nbytes * 8 - (offset & 7) - bits
    mask = ((1 << bits) - 1) << shift
    cur = int.from_bytes(p[first:first + nbytes], "big")
    cur = (cur & ~mask) | ((value << shift) & mask)
    p[first:first + nbytes] = cur.to_bytes(nbytes, "big")


def setSignedBitfield(p, offset, bits, value):
    """Write a signed value; its two's complement low bits are the same (setSignedBitfield)."""
    setUnsignedBitfield(p, offset, bits, value & _U64)


def checkUnsignedBitfieldOverflow(value, incr, bits, owtype):
    """Would value+incr leave the u<bits> range? (checkUnsignedBitfieldOverflow)

    Returns (overflow, limit): overflow is 1 (too big), -1 (below zero) or
    0; limit is the value to store for WRAP or SAT (None for FAIL). `value`
    is a uint64 and `incr` an int64, and the comparisons are done the way
    the C's typed arithmetic does them, wrap-arounds included.
    """
    max_ = (1 << bits) - 1
    maxincr = _to_i64(max_ - value)
    minincr = _to_i64(-value)
    if value > max_ or (incr > 0 and incr > maxincr):
        overflow = 1
        limit = max_ if owtype == BFOVERFLOW_SAT else None
    elif incr < 0 and incr < minincr:
        overflow = -1
        limit = 0 if owtype == BFOVERFLOW_SAT else None
    else:
        return 0, None
    if owtype == BFOVERFLOW_WRAP:
        limit = (value + incr) & max_
    return overflow, limit


def checkSignedBitfieldOverflow(value, incr, bits, owtype):
    """Would value+incr leave the i<bits> range? (checkSignedBitfieldOverflow)

    Same contract as the unsigned version. The C computes max-value and
    min-value in 64-bit arithmetic, which wraps for extreme SET values;
    we wrap the same way so a SAT of such a value saturates to the same
    side as Redis.
    """
    max_ = _I64_MAX if bits == 64 else (1 << (bits - 1)) - 1
    min_ = -max_ - 1
    maxincr = _to_i64(max_ - value)
    minincr = _to_i64(min_ - value)
    if value > max_ or (bits != 64 and incr > maxincr) or \
            (value >= 0 and incr > 0 and incr > maxincr):
        overflow = 1
        limit = max_ if owtype == BFOVERFLOW_SAT else None
    elif value < min_ or (bits != 64 and incr < minincr) or \
            (value < 0 and incr < 0 and incr < minincr):
        overflow = -1
        limit = min_ if owtype == BFOVERFLOW_SAT else None
    else:
        return 0, None
    if owtype == BFOVERFLOW_WRAP:
        # Keep the low bits and extend the field's sign bit upwards.
        res = (value + incr) & ((1 << bits) - 1)
        if res >> (bits - 1):
            res -= 1 << bits
        limit = res
    return overflow, limit


# ---------------------------------------------------------------------------
# Argument parsing and string access shared by the commands
# ---------------------------------------------------------------------------
def getBitOffsetFromArgument(c, o, hash, bits):
    """Parse a bit offset, "#n" meaning n*bits when `hash`; None after an error (getBitOffsetFromArgument).

    Offsets are refused when negative or when the byte they address lies
    past proto-max-bulk-len, so a typo cannot allocate 512 MB.
    """
    err = "bit offset is not an integer or out of range"
    usehash = 1 if (o[:1] == b"#" and hash and bits > 0) else 0
    loffset = string2ll(o[usehash:])
    if loffset is None:
        addReplyError(c, err)
        return None
    if usehash:
        loffset = _to_i64(loffset * bits)   # C multiplies in 64 bits
    if loffset < 0 or (not mustObeyClient(c) and (loffset >> 3) >= server.proto_max_bulk_len):
        addReplyError(c, err)
        return None
    return loffset


def getBitfieldTypeFromArgument(c, o):
    """Parse "i<bits>" / "u<bits>" into (sign, bits); None after an error (getBitfieldTypeFromArgument).

    u64 is refused because its values could not be sent as RESP integers.
    """
    err = "Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
    head = o[:1]
    if head == b"i":
        sign = 1
    elif head == b"u":
        sign = 0
    else:
        addReplyError(c, err)
        return None
    # The C parses up to the first NUL byte (strlen), so "u8\0junk" is u8.
    rest = c_string(o[1:])
    llbits = string2ll(rest)
    if llbits is None or llbits < 1 or (sign == 1 and llbits > 64) or (sign == 0 and llbits > 63):
        addReplyError(c, err)
        return None
    return sign, llbits


def lookupStringForBitCommand(c, maxbit):
    """Find or create the string at argv[1], long enough to hold bit `maxbit` (lookupStringForBitCommand).

    Returns (o, dirty), dirty meaning created or lengthened, or None after
    a WRONGTYPE reply. The value comes back raw-encoded with a bytearray
    ptr that the caller may modify in place (the dbUnshareStringValue step:
    int and embstr values are converted, as Redis converts them to raw).
    """
    byte = maxbit >> 3
    db = c.db
    key = c.argv[1]
    o = lookupKeyWrite(db, key)
    if checkType(c, o, OBJ_STRING):
        return None
    if o is None:
        o = createRawStringObject(bytearray(byte + 1))
        dbAdd(db, key, o)
        return o, True
    p = o.ptr
    if o.encoding != OBJ_ENCODING_RAW or not isinstance(p, bytearray):
        # A fresh buffer in the same object: Redis makes a new object here,
        # but nothing else holds ours, so updating it in place is the same.
        o.ptr = p = bytearray(b"%d" % p if o.encoding == OBJ_ENCODING_INT else p)
        o.encoding = OBJ_ENCODING_RAW
    dirty = False
    if len(p) < byte + 1:
        p.extend(bytes(byte + 1 - len(p)))
        dirty = True
    return o, dirty


def getObjectReadOnlyString(o):
    """The bytes of a string object, an int-encoded one as its decimal text (getObjectReadOnlyString)."""
    if o is None:
        return b""
    p = o.ptr
    return b"%d" % p if o.encoding == OBJ_ENCODING_INT else p


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
def setbitCommand(c):
    """SETBIT key offset 0|1: set or clear one bit, reply the old bit (setbitCommand)."""
    err = "bit is not an integer or out of range"
    argv = c.argv
    bitoffset = getBitOffsetFromArgument(c, argv[2], False, 0)
    if bitoffset is None:
        return
    on = getLongFromObjectOrReply(c, argv[3], err)
    if on is None:
        return
    if on & ~1:
        addReplyError(c, err)
        return
    found = lookupStringForBitCommand(c, bitoffset)
    if found is None:
        return
    o, dirty = found
    p = o.ptr
    byte = bitoffset >> 3
    byteval = p[byte]
    bit = 7 - (bitoffset & 7)
    bitval = (byteval >> bit) & 1
    if dirty or bitval != on:
        p[byte] = (byteval & ~(1 << bit)) | (on << bit)
        signalModifiedKey(c, c.db, argv[1])
        notifyKeyspaceEvent(NOTIFY_STRING, "setbit", argv[1], c.db.id)
        server.dirty += 1
    addReply(c, shared.cone if bitval else shared.czero)


def getbitCommand(c):
    """GETBIT key offset (getbitCommand); bits past the end read as 0."""
    bitoffset = getBitOffsetFromArgument(c, c.argv[2], False, 0)
    if bitoffset is None:
        return
    o = lookupKeyReadOrReply(c, c.argv[1], shared.czero)
    if o is None or checkType(c, o, OBJ_STRING):
        return
    p = getObjectReadOnlyString(o)
    byte = bitoffset >> 3
    bitval = 0
    if byte < len(p):
        bitval = (p[byte] >> (7 - (bitoffset & 7))) & 1
    addReply(c, shared.cone if bitval else shared.czero)


def bitopCommand(c):
    """BITOP AND|OR|XOR|NOT destkey srckey [srckey ...] (bitopCommand).

    Missing keys are empty strings and shorter strings are padded with
    zeros to the longest. Each source becomes one big integer (most
    significant byte first, zero bytes appended by shifting), so the whole
    operation is a handful of C-speed integer operations instead of the
    C's word loop.
    """
    argv = c.argv
    opname = c_string(argv[1]).lower()
    if opname == b"and":
        op = BITOP_AND
    elif opname == b"or":
        op = BITOP_OR
    elif opname == b"xor":
        op = BITOP_XOR
    elif opname == b"not":
        op = BITOP_NOT
    else:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    if op == BITOP_NOT and len(argv) != 4:
        addReplyError(c, "BITOP NOT must be called with a single source key.")
        return
    targetkey = argv[2]
    srcs = []
    maxlen = 0
    for key in argv[3:]:
        o = lookupKeyRead(c.db, key)
        if o is None:
            srcs.append(b"")
            continue
        if checkType(c, o, OBJ_STRING):
            return
        s = getObjectReadOnlyString(o)
        srcs.append(s)
        maxlen = max(maxlen, len(s))
    if maxlen:
        def num(s):
            return int.from_bytes(s, "big") << (8 * (maxlen - len(s)))
        acc = num(srcs[0])
        if op == BITOP_NOT:
            acc ^= (1 << (8 * maxlen)) - 1
        elif op == BITOP_AND:
            for s in srcs[1:]:
                acc &= num(s)
        elif op == BITOP_OR:
            for s in srcs[1:]:
                acc |= num(s)
        else:
            for s in srcs[1:]:
                acc ^= num(s)
        res = acc.to_bytes(maxlen, "big")
        setKey(c, c.db, targetkey, createRawStringObject(res), 0)
        notifyKeyspaceEvent(NOTIFY_STRING, "set", targetkey, c.db.id)
        server.dirty += 1
    elif dbDelete(c.db, targetkey):
        signalModifiedKey(c, c.db, targetkey)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", targetkey, c.db.id)
        server.dirty += 1
    addReplyLongLong(c, maxlen)


def _parse_bit_or_byte(c, arg):
    """The optional BIT|BYTE unit word: 1 for BIT, 0 for BYTE, None after a syntax error."""
    unit = c_string(arg).lower()
    if unit == b"bit":
        return 1
    if unit == b"byte":
        return 0
    addReplyErrorObject(c, shared.syntaxerr)
    return None


def bitcountCommand(c):
    """BITCOUNT key [start end [BYTE|BIT]] (bitcountCommand)."""
    argv = c.argv
    argc = len(argv)
    o = lookupKeyReadOrReply(c, argv[1], shared.czero)
    if o is None or checkType(c, o, OBJ_STRING):
        return
    p = getObjectReadOnlyString(o)
    strlen = len(p)
    isbit = 0
    first_mask = last_mask = 0
    if argc == 4 or argc == 5:
        totlen = strlen
        start = getLongLongFromObjectOrReply(c, argv[2], None)
        if start is None:
            return
        end = getLongLongFromObjectOrReply(c, argv[3], None)
        if end is None:
            return
        if start < 0 and end < 0 and start > end:
            addReply(c, shared.czero)
            return
        if argc == 5:
            isbit = _parse_bit_or_byte(c, argv[4])
            if isbit is None:
                return
        if isbit:
            totlen <<= 3
        if start < 0:
            start = totlen + start
        if end < 0:
            end = totlen + end
        start = max(start, 0)
        end = max(end, 0)
        if end >= totlen:
            end = totlen - 1
        if isbit and start <= end:
            # Masks of the bits outside the range in the first and last byte.
            first_mask = ~((1 << (8 - (start & 7))) - 1) & 0xFF
            last_mask = (1 << (7 - (end & 7))) - 1
            start >>= 3
            end >>= 3
    elif argc == 2:
        start = 0
        end = strlen - 1
    else:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    if start > end:
        addReply(c, shared.czero)
        return
    count = redisPopcount(p, start, end - start + 1)
    if first_mask:
        count -= (p[start] & first_mask).bit_count()
    if last_mask:
        count -= (p[end] & last_mask).bit_count()
    addReplyLongLong(c, count)


def bitposCommand(c):
    """BITPOS key 0|1 [start [end [BYTE|BIT]]] (bitposCommand)."""
    argv = c.argv
    argc = len(argv)
    bit = getLongFromObjectOrReply(c, argv[2], None)
    if bit is None:
        return
    if bit != 0 and bit != 1:
        addReplyError(c, "The bit argument must be 1 or 0.")
        return
    o = lookupKeyRead(c.db, argv[1])
    if o is None:
        # A missing key is an endless run of zeros.
        addReplyLongLong(c, -1 if bit else 0)
        return
    if checkType(c, o, OBJ_STRING):
        return
    p = getObjectReadOnlyString(o)
    strlen = len(p)
    isbit = 0
    end_given = False
    first_mask = last_mask = 0
    if 4 <= argc <= 6:
        totlen = strlen
        start = getLongLongFromObjectOrReply(c, argv[3], None)
        if start is None:
            return
        if argc == 6:
            isbit = _parse_bit_or_byte(c, argv[5])
            if isbit is None:
                return
        if argc >= 5:
            end = getLongLongFromObjectOrReply(c, argv[4], None)
            if end is None:
                return
            end_given = True
        else:
            end = (totlen << 3) + 7 if isbit else totlen - 1
        if isbit:
            totlen <<= 3
        if start < 0:
            start = totlen + start
        if end < 0:
            end = totlen + end
        start = max(start, 0)
        end = max(end, 0)
        if end >= totlen:
            end = totlen - 1
        if isbit and start <= end:
            first_mask = ~((1 << (8 - (start & 7))) - 1) & 0xFF
            last_mask = (1 << (7 - (end & 7))) - 1
            start >>= 3
            end >>= 3
    elif argc == 3:
        start = 0
        end = strlen - 1
    else:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    if start > end:
        addReplyLongLong(c, -1)
        return
    nbytes = end - start + 1
    pos = _bitpos_in_range(p, start, end, nbytes, bit, first_mask, last_mask)
    pos, start, nbytes = pos
    if end_given and bit == 0 and pos == nbytes << 3:
        # With an explicit end the bits past the range are not zeros we
        # may report: no clear bit inside the range means -1.
        addReplyLongLong(c, -1)
        return
    if pos != -1:
        pos += start << 3
    addReplyLongLong(c, pos)


def _bitpos_in_range(p, start, end, nbytes, bit, first_mask, last_mask):
    """The search part of bitposCommand, returning (pos, start, nbytes) as they
    stand at the C's `result:` label: a partial first byte (BIT ranges),
    the whole bytes, then a partial last byte, stopping at the first hit."""
    if first_mask:
        tmp = (p[start] & ~first_mask & 0xFF) if bit else (p[start] | first_mask)
        if last_mask and nbytes == 1:
            tmp = (tmp & ~last_mask & 0xFF) if bit else (tmp | last_mask)
        pos = redisBitpos(bytes((tmp,)), 0, 1, bit)
        if nbytes == 1 or (pos != -1 and pos != 8):
            return pos, start, nbytes
        start += 1
        nbytes -= 1
    curbytes = nbytes - (1 if last_mask else 0)
    if curbytes > 0:
        pos = redisBitpos(p, start, curbytes, bit)
        if nbytes == curbytes or (pos != -1 and pos != curbytes << 3):
            return pos, start, nbytes
        start += curbytes
        nbytes -= curbytes
    tmp = (p[end] & ~last_mask & 0xFF) if bit else (p[end] | last_mask)
    return redisBitpos(bytes((tmp,)), 0, 1, bit), start, nbytes


class bitfieldOp:
    """One parsed BITFIELD operation (struct bitfieldOp)."""

    __slots__ = ("bits", "i64", "offset", "opcode", "owtype", "sign")

    def __init__(self, offset, i64, opcode, owtype, bits, sign):
        self.offset = offset
        self.i64 = i64
        self.opcode = opcode
        self.owtype = owtype
        self.bits = bits
        self.sign = sign


def bitfieldGeneric(c, flags):
    """BITFIELD and BITFIELD_RO (bitfieldGeneric).

    All operations are parsed first, so a bad argument anywhere runs none
    of them; then the key is looked up once, grown to the farthest bit any
    write touches, and the operations run in order. OVERFLOW applies to the
    operations after it.
    """
    argv = c.argv
    argc = len(argv)
    ops = []
    owtype = BFOVERFLOW_WRAP
    readonly = True
    highest_write_offset = 0
    j = 2
    while j < argc:
        remargs = argc - j - 1
        subcmd = c_string(argv[j]).lower()
        if subcmd == b"get" and remargs >= 2:
            opcode = BITFIELDOP_GET
        elif subcmd == b"set" and remargs >= 3:
            opcode = BITFIELDOP_SET
        elif subcmd == b"incrby" and remargs >= 3:
            opcode = BITFIELDOP_INCRBY
        elif subcmd == b"overflow" and remargs >= 1:
            name = c_string(argv[j + 1]).lower()
            j += 2
            if name == b"wrap":
                owtype = BFOVERFLOW_WRAP
            elif name == b"sat":
                owtype = BFOVERFLOW_SAT
            elif name == b"fail":
                owtype = BFOVERFLOW_FAIL
            else:
                addReplyError(c, "Invalid OVERFLOW type specified")
                return
            continue
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        t = getBitfieldTypeFromArgument(c, argv[j + 1])
        if t is None:
            return
        sign, bits = t
        bitoffset = getBitOffsetFromArgument(c, argv[j + 2], True, bits)
        if bitoffset is None:
            return
        i64 = 0
        if opcode != BITFIELDOP_GET:
            readonly = False
            highest_write_offset = max(highest_write_offset, bitoffset + bits - 1)
            i64 = getLongLongFromObjectOrReply(c, argv[j + 3], None)
            if i64 is None:
                return
        ops.append(bitfieldOp(bitoffset, i64, opcode, owtype, bits, sign))
        j += 4 if opcode != BITFIELDOP_GET else 3

    dirty = False
    if readonly:
        o = lookupKeyRead(c.db, argv[1])
        if o is not None and checkType(c, o, OBJ_STRING):
            return
    else:
        if flags & BITFIELD_FLAG_READONLY:
            addReplyError(c, "BITFIELD_RO only supports the GET subcommand")
            return
        found = lookupStringForBitCommand(c, highest_write_offset)
        if found is None:
            return
        o, dirty = found

    addReplyArrayLen(c, len(ops))
    changes = 0
    for op in ops:
        if op.opcode == BITFIELDOP_GET:
            src = getObjectReadOnlyString(o)
            if op.sign:
                addReplyLongLong(c, getSignedBitfield(src, op.offset, op.bits))
            else:
                addReplyLongLong(c, getUnsignedBitfield(src, op.offset, op.bits))
            continue
        p = o.ptr
        if op.sign:
            oldval = getSignedBitfield(p, op.offset, op.bits)
            if op.opcode == BITFIELDOP_INCRBY:
                overflow, wrapped = checkSignedBitfieldOverflow(oldval, op.i64, op.bits, op.owtype)
                newval = wrapped if overflow else oldval + op.i64
                retval = newval
            else:
                newval = op.i64
                overflow, wrapped = checkSignedBitfieldOverflow(newval, 0, op.bits, op.owtype)
                if overflow:
                    newval = wrapped
                retval = oldval
        else:
            oldval = getUnsignedBitfield(p, op.offset, op.bits)
            if op.opcode == BITFIELDOP_INCRBY:
                newval = (oldval + op.i64) & _U64
                overflow, wrapped = checkUnsignedBitfieldOverflow(oldval, op.i64, op.bits,
                                                                  op.owtype)
                if overflow:
                    newval = wrapped
                retval = newval
            else:
                newval = op.i64 & _U64   # the C stores the argument in a uint64_t
                overflow, wrapped = checkUnsignedBitfieldOverflow(newval, 0, op.bits, op.owtype)
                if overflow:
                    newval = wrapped
                retval = oldval
        if overflow and op.owtype == BFOVERFLOW_FAIL:
            addReplyNull(c)
            continue
        addReplyLongLong(c, _to_i64(retval))
        setUnsignedBitfield(p, op.offset, op.bits, newval & _U64)
        if dirty or oldval != newval:
            changes += 1

    if changes:
        signalModifiedKey(c, c.db, argv[1])
        notifyKeyspaceEvent(NOTIFY_STRING, "setbit", argv[1], c.db.id)
        server.dirty += changes


def bitfieldCommand(c):
    """BITFIELD key [GET t off] [SET t off v] [INCRBY t off n] [OVERFLOW WRAP|SAT|FAIL] ... (bitfieldCommand)."""
    bitfieldGeneric(c, BITFIELD_FLAG_NONE)


def bitfieldroCommand(c):
    """BITFIELD_RO key [GET t off ...]: the read-only form, safe on replicas (bitfieldroCommand)."""
    bitfieldGeneric(c, BITFIELD_FLAG_READONLY)
