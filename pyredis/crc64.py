"""CRC-64/Jones as used by Redis for RDB files and DUMP payloads (crc64.c).

Parameters: polynomial 0xad93d23594c935a9, reflected input and output, no
final xor.  crc64(crc, data) continues a running checksum, so hashing a
stream piecewise gives the same value as hashing it at once; Redis starts
from 0 (rio.c, cluster.c DUMP/RESTORE).

Redis uses crcspeed's slicing-by-8 in C.  In pure Python a per-byte loop
is far too slow for multi-megabyte RDB files, so large inputs take a
different route that is only valid because a CRC is linear:

* the buffer is cut into W equal streams of L bytes;
* all W streams are advanced together, one byte position per step, with the
  CRC registers "byte-sliced": register byte k of every stream lives in lane
  w of one Python int.  The table lookup for all streams at once is a
  single bytes.translate() per register byte, and the xors are big-int xors,
  so each step costs a few dozen C-level calls regardless of W;
* the W partial CRCs are then folded together (Horner's rule) with a
  precomputed "append L zero bytes" operator.

Small inputs use a classic slicing-by-8 table loop.
"""

import struct

POLY = 0xAD93D23594C935A9
MASK64 = 0xFFFFFFFFFFFFFFFF


def crc_reflect(data, data_len):
    """Reverse the low *data_len* bits of *data* (crc64.c crc_reflect)."""
    ret = 0
    for _ in range(data_len):
        ret = (ret << 1) | (data & 1)
        data >>= 1
    return ret


# Reflected polynomial: with refin/refout the register shifts right.
_RPOLY = crc_reflect(POLY, 64)


def _crc64(crc, data):
    """Bit-at-a-time reference CRC (mirrors _crc64 in crc64.c).

    Only used to build tables and as an oracle in tests; it works on the
    reflected register directly rather than reflecting at the end as the C
    version does, which is the same function.
    """
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ _RPOLY if crc & 1 else crc >> 1
    return crc


def _make_tables():
    t0 = [_crc64(0, bytes([i])) for i in range(256)]
    tables = [t0]
    for _ in range(7):
        prev = tables[-1]
        tables.append([(c >> 8) ^ t0[c & 0xFF] for c in prev])
    return tables


# crcspeed-style tables: _TABLES[k][b] is the register contribution of byte b
# followed by k zero bytes.
_TABLES = _make_tables()
_T0 = _TABLES[0]

# _T0 split by register byte, as bytes.translate() tables.
_TRANSLATE = [bytes((t >> (8 * k)) & 0xFF for t in _T0) for k in range(8)]

# Below this size the plain table loop wins over the parallel method's
# fixed costs.
_PARALLEL_MIN = 16384


def _crc64_sliced(crc, data):
    """Slicing-by-8 table loop (what crcspeed64little does in C)."""
    t0, t1, t2, t3, t4, t5, t6, t7 = _TABLES
    n8 = len(data) & ~7
    for (word,) in struct.iter_unpack("<Q", data[:n8]):
        crc ^= word
        crc = (t7[crc & 0xFF] ^ t6[(crc >> 8) & 0xFF]
               ^ t5[(crc >> 16) & 0xFF] ^ t4[(crc >> 24) & 0xFF]
               ^ t3[(crc >> 32) & 0xFF] ^ t2[(crc >> 40) & 0xFF]
               ^ t1[(crc >> 48) & 0xFF] ^ t0[crc >> 56])
    for byte in data[n8:]:
        crc = t0[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc


# "Append 2**i zero bytes" operators, as 8 per-byte lookup tables each.
_SHIFT_TABLES = {}


def _apply_shift(tabs, crc):
    return (tabs[0][crc & 0xFF] ^ tabs[1][(crc >> 8) & 0xFF]
            ^ tabs[2][(crc >> 16) & 0xFF] ^ tabs[3][(crc >> 24) & 0xFF]
            ^ tabs[4][(crc >> 32) & 0xFF] ^ tabs[5][(crc >> 40) & 0xFF]
            ^ tabs[6][(crc >> 48) & 0xFF] ^ tabs[7][crc >> 56])


def _tables_from_columns(cols):
    tabs = []
    for k in range(8):
        tab = [0] * 256
        for b in range(1, 256):
            low = b & -b
            tab[b] = tab[b ^ low] ^ cols[8 * k + low.bit_length() - 1]
        tabs.append(tab)
    return tabs


def _shift_tables(nbytes):
    """Lookup tables for the linear map "feed nbytes zero bytes" (a power of 2)."""
    tabs = _SHIFT_TABLES.get(nbytes)
    if tabs is not None:
        return tabs
    if nbytes == 1:
        cols = [(1 << i >> 8) ^ _T0[(1 << i) & 0xFF] for i in range(64)]
    else:
        half = _shift_tables(nbytes // 2)
        cols = [_apply_shift(half, _apply_shift(half, 1 << i)) for i in range(64)]
    tabs = _tables_from_columns(cols)
    _SHIFT_TABLES[nbytes] = tabs
    return tabs


def _crc64_parallel(crc, data, stream_len):
    """CRC of data[:W*stream_len] by advancing W streams at once (see module doc)."""
    nstreams = len(data) // stream_len
    span = nstreams * stream_len
    from_bytes = int.from_bytes
    tr0, tr1, tr2, tr3, tr4, tr5, tr6, tr7 = _TRANSLATE
    # Stream 0 starts from the caller's register, the others from zero.
    r0, r1, r2, r3, r4, r5, r6, r7 = ((crc >> (8 * k)) & 0xFF for k in range(8))
    for j in range(stream_len):
        idx = (r0 ^ from_bytes(data[j:span:stream_len], "little")).to_bytes(
            nstreams, "little")
        r0 = r1 ^ from_bytes(idx.translate(tr0), "little")
        r1 = r2 ^ from_bytes(idx.translate(tr1), "little")
        r2 = r3 ^ from_bytes(idx.translate(tr2), "little")
        r3 = r4 ^ from_bytes(idx.translate(tr3), "little")
        r4 = r5 ^ from_bytes(idx.translate(tr4), "little")
        r5 = r6 ^ from_bytes(idx.translate(tr5), "little")
        r6 = r7 ^ from_bytes(idx.translate(tr6), "little")
        r7 = from_bytes(idx.translate(tr7), "little")
    # Re-assemble each stream's 64-bit register: interleave the 8 byte-slices.
    packed = bytearray(8 * nstreams)
    for k, reg in enumerate((r0, r1, r2, r3, r4, r5, r6, r7)):
        packed[k::8] = reg.to_bytes(nstreams, "little")
    partial = [w for (w,) in struct.iter_unpack("<Q", packed)]
    tabs = _shift_tables(stream_len)
    t0, t1, t2, t3, t4, t5, t6, t7 = tabs
    acc = partial[0]
    for part in partial[1:]:
        acc = (t0[acc & 0xFF] ^ t1[(acc >> 8) & 0xFF]
               ^ t2[(acc >> 16) & 0xFF] ^ t3[(acc >> 24) & 0xFF]
               ^ t4[(acc >> 32) & 0xFF] ^ t5[(acc >> 40) & 0xFF]
               ^ t6[(acc >> 48) & 0xFF] ^ t7[acc >> 56]) ^ part
    return acc, span


def crc64(crc, data):
    """Continue CRC-64/Jones *crc* over *data* (mirrors crc64() in crc64.c).

    crc64(0, b"123456789") == 0xe9c6d914c4b8d9ca.
    """
    data = bytes(data)
    crc &= MASK64
    while len(data) >= _PARALLEL_MIN:
        # Stream length L trades the per-step call overhead (L steps) against
        # the per-stream fold (n/L folds) and the cache cost of the strided
        # gather; these values were picked by measurement.
        size = len(data)
        if size < (1 << 20):
            stream_len = 64 if size < (1 << 16) else 256
        else:
            stream_len = 512 if size < (1 << 22) else 1024
        crc, used = _crc64_parallel(crc, data, stream_len)
        data = data[used:]
    return _crc64_sliced(crc, data)


def crc64_init():
    """Build the lookup tables (mirrors crc64_init(); tables build at import)."""


def crc64_combine(crc1, crc2, len2):
    """CRC of A||B from crc1 = CRC(A), crc2 = CRC(B) and len(B) (zlib's crc32_combine idea).

    Feeding len2 zero bytes to crc1's register is linear, so it is a product
    of the cached "shift by 2**k bytes" operators for the bits of len2.
    Lets two processes checksum two halves of a buffer at the same time.
    """
    c = crc1 & MASK64
    n = len2
    step = 1
    while n:
        if n & 1:
            c = _apply_shift(_shift_tables(step), c)
        n >>= 1
        step <<= 1
    return c ^ crc2
