"""HyperLogLog representation, byte-compatible with Redis 7.0.15.

Mirrors the data-structure half of ``hyperloglog.c``: the 16-byte ``HYLL``
header, the dense (6-bit registers) and sparse (ZERO/XZERO/VAL opcodes)
encodings, MurmurHash64A, adding elements with sparse-to-dense promotion,
merging, and the cardinality estimator; then the PF* commands on top of it
(PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST).

Representation choice: an HLL value is a ``bytearray`` holding exactly the
bytes Redis keeps in its string value, so what GET returns on a real server
is what we hold, and PFADD can update it in place (including growing it, or
replacing its contents when it is promoted to dense).  The C functions take
``robj*`` or a pointer to the registers; ours take the whole bytearray and
add the header offset themselves.  We avoid handing out ``memoryview``
slices of the registers: a live view would forbid the in-place resize that
sparse updates and promotion need.
"""

import math
import random
import re
import struct
from bisect import bisect_right
from itertools import accumulate

from .db import dbAdd, lookupKeyRead, lookupKeyWrite, signalModifiedKey
from .networking import (
    addReply,
    addReplyArrayLen,
    addReplyBulkCBuffer,
    addReplyError,
    addReplyErrorFormat,
    addReplyLongLong,
    addReplyStatus,
    argstr,
)
from .notify import notifyKeyspaceEvent
from .object import checkType, createRawStringObject
from .server_h import (
    NOTIFY_STRING,
    OBJ_ENCODING_INT,
    OBJ_ENCODING_RAW,
    OBJ_STRING,
    server,
    shared,
)
from .util import c_string

C_OK = 0
C_ERR = -1

HLL_P = 14                      # index bits; more bits, smaller error
HLL_Q = 64 - HLL_P              # hash bits left for the zero-run count
HLL_REGISTERS = 1 << HLL_P      # 16384
HLL_P_MASK = HLL_REGISTERS - 1
HLL_BITS = 6                    # bits per dense register
HLL_REGISTER_MAX = (1 << HLL_BITS) - 1
HLL_HDR_SIZE = 16               # magic(4) encoding(1) notused(3) card(8)
HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * HLL_BITS + 7) // 8
HLL_DENSE = 0
HLL_SPARSE = 1
HLL_RAW = 255                   # internal only: one byte per register
HLL_MAX_ENCODING = 1

HLL_SPARSE_XZERO_BIT = 0x40
HLL_SPARSE_VAL_BIT = 0x80
HLL_SPARSE_VAL_MAX_VALUE = 32
HLL_SPARSE_VAL_MAX_LEN = 4
HLL_SPARSE_ZERO_MAX_LEN = 64
HLL_SPARSE_XZERO_MAX_LEN = 16384
HLL_ALPHA_INF = 0.721347520444481703680  # 0.5/ln(2)

# Default of the hll-sparse-max-bytes config. The low-level functions take
# the limit as an argument (the commands pass server.hll_sparse_max_bytes),
# so they can be exercised in-process with any limit.
HLL_SPARSE_MAX_BYTES_DEFAULT = 3000

HLL_MAGIC = b"HYLL"

_U64 = 0xFFFFFFFFFFFFFFFF


# ---------------------------------------------------------------------------
# Header helpers (the C uses macros and inline code in pfcountCommand)
# ---------------------------------------------------------------------------

def HLL_INVALIDATE_CACHE(hdr):
    """Mark the cached cardinality stale by setting the MSB of its last
    byte (mirrors the HLL_INVALIDATE_CACHE macro)."""
    hdr[15] |= 0x80


def HLL_VALID_CACHE(hdr):
    """True when the cached cardinality may be used (mirrors the
    HLL_VALID_CACHE macro)."""
    return (hdr[15] & 0x80) == 0


def hll_get_cached_card(hdr):
    """The little-endian cached cardinality in header bytes 8..15 (the
    inline read in pfcountCommand).  Only meaningful when HLL_VALID_CACHE."""
    return int.from_bytes(hdr[8:16], "little")


def hll_set_cached_card(hdr, card):
    """Store ``card`` as the cached cardinality, which also clears the
    invalid bit (the inline write in pfcountCommand)."""
    hdr[8:16] = card.to_bytes(8, "little")


# ---------------------------------------------------------------------------
# Hashing
# ---------------------------------------------------------------------------

_MURMUR_M = 0xC6A4A7935BD1E995
_MURMUR_R = 47


def MurmurHash64A(key, seed):
    """64-bit MurmurHash2 over ``key`` bytes, reading 8-byte blocks as
    little-endian on every platform, as Redis's endian-neutral variant does
    (mirrors MurmurHash64A).  Python ints are unbounded, so every multiply
    is masked back to 64 bits."""
    m = _MURMUR_M
    length = len(key)
    h = (seed ^ (length * m)) & _U64
    nblocks = length >> 3
    if nblocks:
        for (k,) in struct.iter_unpack("<Q", key[:nblocks << 3]):
            k = (k * m) & _U64
            k ^= k >> _MURMUR_R
            k = (k * m) & _U64
            h ^= k
            h = (h * m) & _U64
    if length & 7:
        # The C switch XORs the 1..7 tail bytes in at shifts 0..48, which
        # is the tail read as a little-endian integer.
        h ^= int.from_bytes(key[nblocks << 3:], "little")
        h = (h * m) & _U64
    h ^= h >> _MURMUR_R
    h = (h * m) & _U64
    h ^= h >> _MURMUR_R
    return h


def hllPatLen(ele):
    """Hash ``ele`` and return (count, index): the register index from the
    low HLL_P bits and the length of the "000..1" run in the rest, counting
    the final 1 (mirrors hllPatLen, which returns the count and passes the
    index through a pointer)."""
    h = MurmurHash64A(ele, 0xADC83B19)
    index = h & HLL_P_MASK
    h >>= HLL_P
    h |= 1 << HLL_Q  # the run stops at Q+1 at most
    # Position of the lowest set bit, 1-based: the same number the C finds
    # by shifting a probe bit left until it hits a 1.
    return (h & -h).bit_length(), index


# ---------------------------------------------------------------------------
# Dense representation
# ---------------------------------------------------------------------------

def HLL_DENSE_GET_REGISTER(hdr, regnum):
    """Value of dense register ``regnum`` in HLL ``hdr`` (mirrors the
    HLL_DENSE_GET_REGISTER macro).  The C may read one byte past the last
    register, the sds terminator, which is zero; we read zero there too."""
    byte = HLL_HDR_SIZE + (regnum * HLL_BITS >> 3)
    fb = regnum * HLL_BITS & 7
    b0 = hdr[byte]
    b1 = hdr[byte + 1] if byte + 1 < len(hdr) else 0
    return ((b0 >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX


def HLL_DENSE_SET_REGISTER(hdr, regnum, val):
    """Store ``val`` into dense register ``regnum`` (mirrors the
    HLL_DENSE_SET_REGISTER macro); neighbouring registers keep their bits."""
    byte = HLL_HDR_SIZE + (regnum * HLL_BITS >> 3)
    fb = regnum * HLL_BITS & 7
    fb8 = 8 - fb
    hdr[byte] = (hdr[byte] & ~(HLL_REGISTER_MAX << fb) | (val << fb)) & 0xFF
    if byte + 1 < len(hdr):
        hdr[byte + 1] = (hdr[byte + 1] & ~(HLL_REGISTER_MAX >> fb8)
                         | (val >> fb8)) & 0xFF


def hllDenseSet(hdr, index, count):
    """Raise dense register ``index`` to ``count`` if it is lower; 1 when
    it changed, else 0 (mirrors hllDenseSet)."""
    if count > HLL_DENSE_GET_REGISTER(hdr, index):
        HLL_DENSE_SET_REGISTER(hdr, index, count)
        return 1
    return 0


def hllDenseAdd(hdr, ele):
    """Add element bytes to a dense HLL; 1 if a register grew (mirrors
    hllDenseAdd)."""
    count, index = hllPatLen(ele)
    return hllDenseSet(hdr, index, count)


# Per-byte tables and 4096-byte masks for the whole-array conversions below.
_T_AND63 = bytes(b & 63 for b in range(256))
_T_SHR2 = bytes(b >> 2 for b in range(256))
_T_SHR4 = bytes(b >> 4 for b in range(256))
_T_SHL6 = bytes((b << 6) & 0xFF for b in range(256))
_T_SHL4 = bytes((b << 4) & 0xFF for b in range(256))
_T_SHL2 = bytes((b << 2) & 0xFF for b in range(256))
_GROUPS = HLL_REGISTERS // 4          # 4 registers live in 3 bytes
_M03 = int.from_bytes(b"\x03" * _GROUPS, "little")
_M3C = int.from_bytes(b"\x3c" * _GROUPS, "little")
_M0F = int.from_bytes(b"\x0f" * _GROUPS, "little")
_M30 = int.from_bytes(b"\x30" * _GROUPS, "little")


def hll_dense_to_raw(hdr):
    """Unpack all 16384 dense registers of ``hdr`` into one byte each.

    Python-only helper.  A per-register loop is ~16k interpreted steps;
    instead we split the 3-byte groups into three byte strings and rebuild
    each of the four register lanes with bytes.translate or with shifts and
    per-byte masks on big integers, all of which run in C.
    """
    regs = bytes(hdr[HLL_HDR_SIZE:HLL_DENSE_SIZE])
    b0, b1, b2 = regs[0::3], regs[1::3], regs[2::3]
    x0 = int.from_bytes(b0, "little")
    x1 = int.from_bytes(b1, "little")
    x2 = int.from_bytes(b2, "little")
    raw = bytearray(HLL_REGISTERS)
    raw[0::4] = b0.translate(_T_AND63)
    raw[1::4] = (((x0 >> 6) & _M03) | ((x1 << 2) & _M3C)).to_bytes(_GROUPS, "little")
    raw[2::4] = (((x1 >> 4) & _M0F) | ((x2 << 4) & _M30)).to_bytes(_GROUPS, "little")
    raw[3::4] = b2.translate(_T_SHR2)
    return raw


def hll_raw_to_dense_registers(raw):
    """Pack 16384 one-byte register values (each < 64) into the 12288
    dense register bytes.  Python-only inverse of hll_dense_to_raw, built
    the same way; ORing byte strings as big integers cannot carry."""
    raw = bytes(raw)
    r0, r1, r2, r3 = raw[0::4], raw[1::4], raw[2::4], raw[3::4]

    def num(b):
        return int.from_bytes(b, "little")

    out = bytearray(HLL_REGISTERS * HLL_BITS // 8)
    out[0::3] = (num(r0) | num(r1.translate(_T_SHL6))).to_bytes(_GROUPS, "little")
    out[1::3] = (num(r1.translate(_T_SHR2)) |
                 num(r2.translate(_T_SHL4))).to_bytes(_GROUPS, "little")
    out[2::3] = (num(r2.translate(_T_SHR4)) |
                 num(r3.translate(_T_SHL2))).to_bytes(_GROUPS, "little")
    return out


def hllDenseRegHisto(hdr, reghisto):
    """Add the histogram of dense register values into ``reghisto`` (a list
    of 64 ints) (mirrors hllDenseRegHisto; unpacks via hll_dense_to_raw
    rather than the C's unrolled 16-register loop)."""
    raw = hll_dense_to_raw(hdr)
    for v in range(HLL_REGISTER_MAX + 1):
        reghisto[v] += raw.count(v)


# ---------------------------------------------------------------------------
# Sparse representation
# ---------------------------------------------------------------------------

def _xzero_len(o, p, end):
    """Run length of the XZERO opcode at p; the second byte is read as 0
    when it lies past the end, like the C reading the sds terminator."""
    return (((o[p] & 0x3F) << 8) | (o[p + 1] if p + 1 < end else 0)) + 1


def hllSparseToDense(o):
    """Convert sparse HLL ``o`` to dense in place; C_OK, or C_ERR when the
    sparse data does not describe exactly HLL_REGISTERS registers, in which
    case ``o`` is left untouched (mirrors hllSparseToDense).  The header,
    including the cached cardinality, is carried over."""
    if o[4] == HLL_DENSE:
        return C_OK
    dense = bytearray(HLL_DENSE_SIZE)
    dense[0:HLL_HDR_SIZE] = o[0:HLL_HDR_SIZE]
    dense[4] = HLL_DENSE
    idx = 0
    p = HLL_HDR_SIZE
    end = len(o)
    while p < end:
        b = o[p]
        if b & 0xC0 == 0:
            idx += (b & 0x3F) + 1
            p += 1
        elif b & 0xC0 == HLL_SPARSE_XZERO_BIT:
            idx += _xzero_len(o, p, end)
            p += 2
        else:
            runlen = (b & 0x3) + 1
            regval = ((b >> 2) & 0x1F) + 1
            if runlen + idx > HLL_REGISTERS:
                # A run past the last register is corruption even when the
                # registers before it were complete. Redis 7.0.15 as
                # shipped by distributions carries the CVE-2025-32023 fix,
                # which made this an error; unpatched 7.0.15 stopped here
                # and accepted idx == HLL_REGISTERS. We follow the fix.
                return C_ERR
            for i in range(idx, idx + runlen):
                HLL_DENSE_SET_REGISTER(dense, i, regval)
            idx += runlen
            p += 1
    if idx != HLL_REGISTERS:
        return C_ERR
    o[:] = dense
    return C_OK


def _val_op(val, length):
    """Byte of a VAL opcode (the HLL_SPARSE_VAL_SET macro)."""
    return ((val - 1) << 2 | (length - 1)) | HLL_SPARSE_VAL_BIT


def _zero_ops(length):
    """Bytes of the ZERO or XZERO opcode for a zero run, as the split in
    hllSparseSet picks them (XZERO only above the ZERO maximum)."""
    if length > HLL_SPARSE_ZERO_MAX_LEN:
        n = length - 1
        return bytes(((n >> 8) | HLL_SPARSE_XZERO_BIT, n & 0xFF))
    return bytes((length - 1,))


# Span of each one-byte opcode (ZERO or VAL), indexed by the opcode byte.
# XZERO first bytes (01xxxxxx) map to 0; _sparse_seek never applies the
# table to them.
_T_SPAN = bytes(
    (b & 0x3F) + 1 if b & 0xC0 == 0 else (b & 0x3) + 1 if b & 0x80 else 0
    for b in range(256))
_XZERO_RE = re.compile(rb"[\x40-\x7f]")


def _sparse_seek(o, index, end):
    """Step 1 of hllSparseSet: locate the opcode covering register
    ``index``.  Returns (p, first, span, prev): its offset (``end`` when
    not found), the first register it covers, its span and the offset of
    the opcode before it (-1 for none).

    The C walks opcode by opcode; in Python that loop dominated PFADD (a
    near-full 3000-byte sparse HLL is ~2000 opcodes).  Here the runs of
    one-byte opcodes between XZEROs are summed with bytes.translate and
    sum(), and only the run holding the register is walked with
    itertools.accumulate, so the interpreted work is per XZERO, not per
    opcode.  Searching for the next 01xxxxxx byte from an opcode boundary
    always lands on an XZERO opcode start, because one-byte opcodes never
    have that bit pattern.  Same answers as the C loop.
    """
    pos = HLL_HDR_SIZE
    first = 0
    prev = -1
    span = 0
    while pos < end:
        m = _XZERO_RE.search(o, pos, end)
        seg_end = m.start() if m else end
        if seg_end > pos:
            spans = o[pos:seg_end].translate(_T_SPAN)
            total = sum(spans)
            if index < first + total:
                acc = list(accumulate(spans))
                k = bisect_right(acc, index - first)
                if k:
                    first += acc[k - 1]
                    prev = pos + k - 1
                return pos + k, first, spans[k], prev
            first += total
            prev = seg_end - 1
        if m is None:
            return end, first, span, prev
        span = _xzero_len(o, seg_end, end)
        if index <= first + span - 1:
            return seg_end, first, span, prev
        prev = seg_end
        first += span
        pos = seg_end + 2
    return end, first, span, prev


def hllSparseSet(o, index, count, sparse_max_bytes=HLL_SPARSE_MAX_BYTES_DEFAULT):
    """Raise register ``index`` of sparse HLL ``o`` to ``count`` if lower.

    Returns 1 if the register changed, 0 if not, -1 if the sparse data is
    corrupt (mirrors hllSparseSet).  ``o`` is edited in place; it is
    promoted to dense when ``count`` does not fit a VAL opcode (> 32) or the
    edit would grow it past ``sparse_max_bytes`` (server.hll_sparse_max_bytes
    in the C).  The opcode split and the merging of equal neighbouring VAL
    opcodes follow the C step by step, so the bytes match Redis exactly.
    """
    if count > HLL_SPARSE_VAL_MAX_VALUE:
        return _hll_promote(o, index, count)

    # Step 1: find the opcode covering register 'index'.
    sparse = HLL_HDR_SIZE
    end = len(o)
    p, first, span, prev = _sparse_seek(o, index, end)
    if span == 0 or p >= end:
        return -1

    b = o[p]
    is_zero = is_xzero = is_val = False
    if b & 0xC0 == 0:
        is_zero = True
        runlen = (b & 0x3F) + 1
    elif b & 0xC0 == HLL_SPARSE_XZERO_BIT:
        is_xzero = True
        runlen = _xzero_len(o, p, end)
    else:
        is_val = True
        runlen = (b & 0x3) + 1

    # Step 2: the cheap cases that rewrite a single byte.
    done = False
    if is_val:
        oldcount = ((b >> 2) & 0x1F) + 1
        if oldcount >= count:
            return 0
        if runlen == 1:
            o[p] = _val_op(count, 1)
            done = True
    if not done and is_zero and runlen == 1:
        o[p] = _val_op(count, 1)
        done = True

    if not done:
        # General case: split the opcode into up to three (worst case
        # XZERO-VAL-XZERO, 5 bytes) around the register being set.
        last = first + span - 1
        if is_zero or is_xzero:
            seq = bytearray()
            if index != first:
                seq += _zero_ops(index - first)
            seq.append(_val_op(count, 1))
            if index != last:
                seq += _zero_ops(last - index)
        else:
            curval = ((b >> 2) & 0x1F) + 1
            seq = bytearray()
            if index != first:
                seq.append(_val_op(curval, index - first))
            seq.append(_val_op(count, 1))
            if index != last:
                seq.append(_val_op(curval, last - index))

        # Step 3: splice the new opcodes over the old one.
        oldlen = 2 if is_xzero else 1
        deltalen = len(seq) - oldlen
        if deltalen > 0 and len(o) + deltalen > sparse_max_bytes:
            return _hll_promote(o, index, count)
        o[p:p + oldlen] = seq
        end += deltalen

    # Step 4: merge adjacent VAL opcodes with the same value, scanning at
    # most 5 opcodes from the one before the edit.
    p = prev if prev >= 0 else sparse
    scanlen = 5
    while p < end and scanlen:
        scanlen -= 1
        b = o[p]
        if b & 0xC0 == HLL_SPARSE_XZERO_BIT:
            p += 2
            continue
        if b & 0xC0 == 0:
            p += 1
            continue
        if p + 1 < end and o[p + 1] & HLL_SPARSE_VAL_BIT:
            b1 = o[p + 1]
            v1 = ((b >> 2) & 0x1F) + 1
            v2 = ((b1 >> 2) & 0x1F) + 1
            if v1 == v2:
                length = (b & 0x3) + 1 + (b1 & 0x3) + 1
                if length <= HLL_SPARSE_VAL_MAX_LEN:
                    o[p + 1] = _val_op(v1, length)
                    del o[p]
                    end -= 1
                    # Stay on p: the merged opcode may merge again.
                    continue
        p += 1

    HLL_INVALIDATE_CACHE(o)
    return 1


def _hll_promote(o, index, count):
    """The ``promote:`` tail of hllSparseSet: go dense, then set the
    register, which must change (it could not be stored sparsely)."""
    if hllSparseToDense(o) == C_ERR:
        return -1
    dense_retval = hllDenseSet(o, index, count)
    assert dense_retval == 1
    return dense_retval


def hllSparseAdd(o, ele, sparse_max_bytes=HLL_SPARSE_MAX_BYTES_DEFAULT):
    """Add element bytes to a sparse HLL, possibly promoting it; 1/0/-1 as
    hllSparseSet (mirrors hllSparseAdd)."""
    count, index = hllPatLen(ele)
    return hllSparseSet(o, index, count, sparse_max_bytes)


def hllSparseRegHisto(o, reghisto):
    """Add the register histogram of sparse HLL ``o`` into ``reghisto``;
    returns True when the opcodes do not cover exactly HLL_REGISTERS
    registers (mirrors hllSparseRegHisto, whose 'invalid' out-flag this
    return value replaces)."""
    idx = 0
    p = HLL_HDR_SIZE
    end = len(o)
    while p < end:
        b = o[p]
        if b & 0xC0 == 0:
            runlen = (b & 0x3F) + 1
            reghisto[0] += runlen
            p += 1
        elif b & 0xC0 == HLL_SPARSE_XZERO_BIT:
            runlen = _xzero_len(o, p, end)
            reghisto[0] += runlen
            p += 2
        else:
            runlen = (b & 0x3) + 1
            reghisto[((b >> 2) & 0x1F) + 1] += runlen
            p += 1
        idx += runlen
    return idx != HLL_REGISTERS


def hllRawRegHisto(registers, reghisto):
    """Add the histogram of one-byte-per-register values into ``reghisto``
    (mirrors hllRawRegHisto; counts each distinct value with bytes.count
    instead of the C's word-at-a-time loop).  Raw registers come from
    merging valid HLLs, so every value indexes the 64-slot histogram."""
    for v in set(registers):
        reghisto[v] += registers.count(v)


# ---------------------------------------------------------------------------
# Estimator
# ---------------------------------------------------------------------------

def hllSigma(x):
    """Ertl's sigma series, summed until it stops changing (mirrors
    hllSigma)."""
    if x == 1.0:
        return math.inf
    y = 1.0
    z = x
    while True:
        x *= x
        z_prime = z
        z += x * y
        y += y
        if z_prime == z:
            return z


def hllTau(x):
    """Ertl's tau series, summed until it stops changing (mirrors hllTau).
    The C writes pow(1 - x, 2); compilers turn that into a plain square,
    which is also what we compute."""
    if x == 0.0 or x == 1.0:
        return 0.0
    y = 1.0
    z = 1 - x
    while True:
        x = math.sqrt(x)
        z_prime = z
        y *= 0.5
        t = 1 - x
        z -= t * t * y
        if z_prime == z:
            return z / 3


def _llround(x):
    """C llroundl for a non-negative value: nearest, halves away from 0."""
    f = math.floor(x)
    return f + 1 if x - f >= 0.5 else f


def hllCount(hdr):
    """Estimated cardinality of HLL ``hdr`` (dense, sparse or the internal
    HLL_RAW layout), using the 7.0 estimator from Ertl's "New cardinality
    estimation algorithms for HyperLogLog sketches".

    Returns (card, invalid); invalid is True when sparse data is corrupt
    (mirrors hllCount, which reports that through an out-pointer).
    """
    m = float(HLL_REGISTERS)
    reghisto = [0] * 64
    invalid = False
    encoding = hdr[4]
    if encoding == HLL_DENSE:
        hllDenseRegHisto(hdr, reghisto)
    elif encoding == HLL_SPARSE:
        invalid = hllSparseRegHisto(hdr, reghisto)
    elif encoding == HLL_RAW:
        hllRawRegHisto(hdr[HLL_HDR_SIZE:HLL_HDR_SIZE + HLL_REGISTERS], reghisto)
    else:
        raise ValueError("Unknown HyperLogLog encoding in hllCount()")

    z = m * hllTau((m - reghisto[HLL_Q + 1]) / m)
    for j in range(HLL_Q, 0, -1):
        z += reghisto[j]
        z *= 0.5
    z += m * hllSigma(reghisto[0] / m)
    return _llround(HLL_ALPHA_INF * m * m / z), invalid


def hllAdd(o, ele, sparse_max_bytes=HLL_SPARSE_MAX_BYTES_DEFAULT):
    """Add element bytes to HLL ``o`` in whichever encoding it has; 1 if
    it changed, 0 if not, -1 on an unknown encoding or corrupt sparse data
    (mirrors hllAdd)."""
    encoding = o[4]
    if encoding == HLL_DENSE:
        return hllDenseAdd(o, ele)
    if encoding == HLL_SPARSE:
        return hllSparseAdd(o, ele, sparse_max_bytes)
    return -1


_M80 = int.from_bytes(b"\x80" * HLL_REGISTERS, "little")
_MFF = (1 << (8 * HLL_REGISTERS)) - 1


def _bytewise_max(a, b):
    """Per-byte max of two HLL_REGISTERS-byte register arrays (values < 128).

    Python-only helper; a map(max, ...) over 16384 pairs costs ~10 ms. As
    big integers, (a | 0x80..) - b leaves the 0x80 bit of each byte set
    exactly where a >= b (the guard bit absorbs the borrow, so bytes do not
    interact); that bit, spread to a 0xFF byte mask, selects a or b.
    """
    x = int.from_bytes(a, "little")
    y = int.from_bytes(b, "little")
    ge = (((x | _M80) - y) & _M80) >> 7
    mask = ge * 0xFF
    return ((x & mask) | (y & (mask ^ _MFF))).to_bytes(HLL_REGISTERS, "little")


def hllMerge(max_regs, hll):
    """Fold HLL ``hll`` into ``max_regs`` (a bytearray of HLL_REGISTERS
    one-byte registers; ``max`` in the C, renamed to keep the builtin) by
    per-register maximum; C_OK, or C_ERR for corrupt sparse data (mirrors
    hllMerge).  ``hll`` must already pass hll_is_valid."""
    if hll[4] == HLL_DENSE:
        max_regs[:] = _bytewise_max(max_regs, hll_dense_to_raw(hll))
        return C_OK
    p = HLL_HDR_SIZE
    end = len(hll)
    i = 0
    while p < end:
        b = hll[p]
        if b & 0xC0 == 0:
            i += (b & 0x3F) + 1
            p += 1
        elif b & 0xC0 == HLL_SPARSE_XZERO_BIT:
            i += _xzero_len(hll, p, end)
            p += 2
        else:
            runlen = (b & 0x3) + 1
            regval = ((b >> 2) & 0x1F) + 1
            if runlen + i > HLL_REGISTERS:
                return C_ERR   # as hllSparseToDense: the CVE-2025-32023 rule
            for k in range(i, i + runlen):
                max_regs[k] = max(max_regs[k], regval)
            i += runlen
            p += 1
    return C_OK if i == HLL_REGISTERS else C_ERR


# ---------------------------------------------------------------------------
# Object-level helpers
# ---------------------------------------------------------------------------

def hll_create():
    """A new empty HLL exactly as Redis creates one: sparse, all registers
    covered by XZERO opcodes (a single XZERO:16384), cached cardinality 0
    and valid (mirrors createHLLObject, minus the robj wrapper)."""
    o = bytearray(HLL_HDR_SIZE)
    o[0:4] = HLL_MAGIC
    o[4] = HLL_SPARSE
    aux = HLL_REGISTERS
    while aux:
        xzero = min(HLL_SPARSE_XZERO_MAX_LEN, aux)
        o += _xzero_bytes(xzero)
        aux -= xzero
    return o


def _xzero_bytes(length):
    n = length - 1
    return bytes(((n >> 8) | HLL_SPARSE_XZERO_BIT, n & 0xFF))


def hll_is_valid(blob):
    """True when a string value looks like an HLL: at least a header, the
    HYLL magic, a known encoding and, for dense, the exact dense size
    (mirrors the checks of isHLLObjectOrReply; the caller sends the
    "-WRONGTYPE Key is not a valid HyperLogLog string value." error and
    does the type check).  Sparse opcodes are not walked here; corruption
    there is found later and reported as INVALIDOBJ."""
    if len(blob) < HLL_HDR_SIZE:
        return False
    if bytes(blob[0:4]) != HLL_MAGIC:
        return False
    if blob[4] > HLL_MAX_ENCODING:
        return False
    return not (blob[4] == HLL_DENSE and len(blob) != HLL_DENSE_SIZE)


# ---------------------------------------------------------------------------
# The PF* commands (the second half of hyperloglog.c)
#
# An HLL key is an ordinary string value, so GET, DUMP and replication see
# the very bytes Redis would hold. We keep it as a raw-encoded robj whose
# ptr is the bytearray the functions above edit in place.
# ---------------------------------------------------------------------------

invalid_hll_err = "-INVALIDOBJ Corrupted HLL object detected"


def createHLLObject():
    """A new empty HLL string value, raw encoded (createHLLObject)."""
    return createRawStringObject(hll_create())


def isHLLObjectOrReply(c, o):
    """C_OK if o is a string that looks like an HLL, else reply the error (isHLLObjectOrReply).

    A non-string gets the usual WRONGTYPE; a string that is not an HLL
    gets a WRONGTYPE with its own message. An int-encoded string cannot be
    an HLL (it is shorter than the header anyway).
    """
    if checkType(c, o, OBJ_STRING):
        return C_ERR
    if o.encoding == OBJ_ENCODING_INT or not hll_is_valid(o.ptr):
        addReplyError(c, "-WRONGTYPE Key is not a valid HyperLogLog string value.")
        return C_ERR
    return C_OK


def hll_unshare(o):
    """Make an HLL value writable in place (the dbUnshareStringValue step of the PF commands).

    An embstr or bytes value (say, one restored with SET) becomes raw with
    a bytearray of the same bytes, which is also the encoding change
    OBJECT ENCODING shows after a PF command on such a key in Redis.
    """
    if o.encoding != OBJ_ENCODING_RAW or not isinstance(o.ptr, bytearray):
        o.ptr = bytearray(o.ptr)
        o.encoding = OBJ_ENCODING_RAW
    return o


def pfaddCommand(c):
    """PFADD key [element ...]: 1 if an estimate register changed or the key was created (pfaddCommand)."""
    argv = c.argv
    db = c.db
    o = lookupKeyWrite(db, argv[1])
    updated = 0
    if o is None:
        o = createHLLObject()
        dbAdd(db, argv[1], o)
        updated += 1
    else:
        if isHLLObjectOrReply(c, o) != C_OK:
            return
        hll_unshare(o)
    hll = o.ptr
    maxbytes = server.hll_sparse_max_bytes
    for ele in argv[2:]:
        retval = hllAdd(hll, ele, maxbytes)
        if retval == 1:
            updated += 1
        elif retval == -1:
            addReplyError(c, invalid_hll_err)
            return
    if updated:
        signalModifiedKey(c, db, argv[1])
        notifyKeyspaceEvent(NOTIFY_STRING, "pfadd", argv[1], db.id)
        server.dirty += updated
        HLL_INVALIDATE_CACHE(hll)
    addReply(c, shared.cone if updated else shared.czero)


def pfcountCommand(c):
    """PFCOUNT key [key ...]: the estimate for one HLL, or for the union of several (pfcountCommand).

    With one key the estimate is cached in the header; refreshing the
    cache changes the value, so although PFCOUNT is a read command it then
    bumps server.dirty (and the command is propagated), as in Redis. The
    union of several keys is computed in a scratch HLL_RAW buffer and
    never cached.
    """
    argv = c.argv
    if len(argv) > 2:
        max_regs = bytearray(HLL_REGISTERS)
        for key in argv[1:]:
            o = lookupKeyRead(c.db, key)
            if o is None:
                continue
            if isHLLObjectOrReply(c, o) != C_OK:
                return
            if hllMerge(max_regs, o.ptr) == C_ERR:
                addReplyError(c, invalid_hll_err)
                return
        hdr = bytearray(HLL_HDR_SIZE)
        hdr[4] = HLL_RAW
        card, _ = hllCount(hdr + max_regs)
        addReplyLongLong(c, card)
        return
    o = lookupKeyRead(c.db, argv[1])
    if o is None:
        addReply(c, shared.czero)
        return
    if isHLLObjectOrReply(c, o) != C_OK:
        return
    hll = hll_unshare(o).ptr
    if HLL_VALID_CACHE(hll):
        card = hll_get_cached_card(hll)
    else:
        card, invalid = hllCount(hll)
        if invalid:
            addReplyError(c, invalid_hll_err)
            return
        hll_set_cached_card(hll, card)
        signalModifiedKey(c, c.db, argv[1])
        server.dirty += 1
    addReplyLongLong(c, card)


def pfmergeCommand(c):
    """PFMERGE destkey [sourcekey ...]: destkey becomes the union, itself included (pfmergeCommand)."""
    argv = c.argv
    max_regs = bytearray(HLL_REGISTERS)
    use_dense = False
    for key in argv[1:]:
        o = lookupKeyRead(c.db, key)
        if o is None:
            continue
        if isHLLObjectOrReply(c, o) != C_OK:
            return
        if o.ptr[4] == HLL_DENSE:
            use_dense = True
        if hllMerge(max_regs, o.ptr) == C_ERR:
            addReplyError(c, invalid_hll_err)
            return
    o = lookupKeyWrite(c.db, argv[1])
    if o is None:
        o = createHLLObject()
        dbAdd(c.db, argv[1], o)
    else:
        hll_unshare(o)
    hll = o.ptr
    if use_dense and hllSparseToDense(hll) == C_ERR:
        addReplyError(c, invalid_hll_err)
        return
    if hll[4] == HLL_DENSE:
        # Setting every register to the larger of the two values in one
        # pass gives the same bytes as the C's per-register hllDenseSet
        # (a dense HLL has exactly one byte layout), without 16384 calls.
        cur = hll_dense_to_raw(hll)
        hll[HLL_HDR_SIZE:HLL_DENSE_SIZE] = hll_raw_to_dense_registers(
            _bytewise_max(cur, max_regs))
    else:
        # Sparse bytes depend on the order of the edits, so follow the C
        # register by register; the set may go dense part way through.
        maxbytes = server.hll_sparse_max_bytes
        for j, v in enumerate(max_regs):
            if v == 0:
                continue
            if hll[4] == HLL_DENSE:
                hllDenseSet(hll, j, v)
            else:
                hllSparseSet(hll, j, v, maxbytes)
    HLL_INVALIDATE_CACHE(hll)
    signalModifiedKey(c, c.db, argv[1])
    # Redis announces a merge as "pfadd": it is many adds at once.
    notifyKeyspaceEvent(NOTIFY_STRING, "pfadd", argv[1], c.db.id)
    server.dirty += 1
    addReply(c, shared.ok)


HLL_TEST_CYCLES = 1000


def pfselftestCommand(c):
    """PFSELFTEST: check register access and the estimator's error (pfselftestCommand).

    Deliberate difference: the C runs 1000 rounds of random register
    writes and adds 10 million elements, a few seconds of C but many
    minutes of Python, during which the server would not answer. We run
    the same two checks smaller: 5 rounds of register writes (through the
    per-register macros and through the whole-array conversions), and
    100000 elements with checkpoints at 1, 10, ..., 100000.
    """

    rnd = random.Random()
    hdr = bytearray(HLL_DENSE_SIZE)
    for _ in range(5):
        values = bytes(rnd.getrandbits(6) for _ in range(HLL_REGISTERS))
        for i, r in enumerate(values):
            HLL_DENSE_SET_REGISTER(hdr, i, r)
        for i, r in enumerate(values):
            val = HLL_DENSE_GET_REGISTER(hdr, i)
            if val != r:
                addReplyErrorFormat(c, "TESTFAILED Register %d should be %d but is %d", i, r, val)
                return
        if hll_dense_to_raw(hdr) != values or \
                hll_raw_to_dense_registers(values) != hdr[HLL_HDR_SIZE:]:
            addReplyError(c, "TESTFAILED bulk register conversion")
            return
    hdr = bytearray(HLL_DENSE_SIZE)
    hdr[0:4] = HLL_MAGIC
    o = hll_create()
    relerr = 1.04 / math.sqrt(HLL_REGISTERS)
    checkpoint = 1
    seed = rnd.getrandbits(64)
    maxbytes = server.hll_sparse_max_bytes
    for j in range(1, 100001):
        ele = struct.pack("<Q", j ^ seed)
        hllDenseAdd(hdr, ele)
        hllAdd(o, ele, maxbytes)
        if j != checkpoint:
            continue
        if j < maxbytes / 2 and o[4] != HLL_SPARSE:
            addReplyError(c, "TESTFAILED sparse encoding not used")
            return
        card = hllCount(hdr)[0]
        if card != hllCount(o)[0]:
            addReplyError(c, "TESTFAILED dense/sparse disagree")
            return
        abserr = abs(checkpoint - card)
        maxerr = 1 if j == 10 else math.ceil(relerr * 6 * checkpoint)
        if abserr > maxerr:
            addReplyErrorFormat(c, "TESTFAILED Too big error. card:%d abserr:%d",
                                checkpoint, abserr)
            return
        checkpoint *= 10
    addReply(c, shared.ok)


def pfdebugCommand(c):
    """PFDEBUG GETREG|DECODE|ENCODING|TODENSE key (pfdebugCommand)."""
    argv = c.argv
    cmd = argstr(c_string(argv[1]))            # strcasecmp'd and printed as a C string
    o = lookupKeyWrite(c.db, argv[2])
    if o is None:
        addReplyError(c, "The specified key does not exist")
        return
    if isHLLObjectOrReply(c, o) != C_OK:
        return
    hll = hll_unshare(o).ptr
    sub = c_string(argv[1]).lower()
    if sub not in (b"getreg", b"decode", b"encoding", b"todense"):
        addReplyErrorFormat(c, "Unknown PFDEBUG subcommand '%s'", cmd)
        return
    if len(argv) != 3:
        addReplyErrorFormat(c, "Wrong number of arguments for the '%s' subcommand", cmd)
        return
    if sub == b"getreg":
        if hll[4] == HLL_SPARSE:
            if hllSparseToDense(hll) == C_ERR:
                addReplyError(c, invalid_hll_err)
                return
            server.dirty += 1   # the encoding changed: propagate
        raw = hll_dense_to_raw(hll)
        addReplyArrayLen(c, HLL_REGISTERS)
        addReply(c, b"".join(b":%d\r\n" % v for v in raw))
    elif sub == b"decode":
        if hll[4] != HLL_SPARSE:
            addReplyError(c, "HLL encoding is not sparse")
            return
        parts = []
        p = HLL_HDR_SIZE
        end = len(hll)
        while p < end:
            b = hll[p]
            if b & 0xC0 == 0:
                parts.append(b"z:%d" % ((b & 0x3F) + 1))
                p += 1
            elif b & 0xC0 == HLL_SPARSE_XZERO_BIT:
                parts.append(b"Z:%d" % _xzero_len(hll, p, end))
                p += 2
            else:
                parts.append(b"v:%d,%d" % (((b >> 2) & 0x1F) + 1, (b & 0x3) + 1))
                p += 1
        addReplyBulkCBuffer(c, b" ".join(parts))
    elif sub == b"encoding":
        addReplyStatus(c, "dense" if hll[4] == HLL_DENSE else "sparse")
    else:
        conv = False
        if hll[4] == HLL_SPARSE:
            if hllSparseToDense(hll) == C_ERR:
                addReplyError(c, invalid_hll_err)
                return
            conv = True
            server.dirty += 1
        addReply(c, shared.cone if conv else shared.czero)

