"""Listpack blobs as Redis 7.0 lays them out (listpack.c).

A listpack is: <total-bytes u32 LE> <num-elements u16 LE> <entry>* <0xFF>.
Each entry is <encoding+data> <backlen>, where backlen is the size of the
encoding+data part written as 1..5 bytes of 7 bits, readable right to left.
num-elements saturates at 65535, which means "unknown: count them".

This module works on whole blobs (what RDB files and DUMP payloads carry):
lpEncode builds the blob lpAppend would, lpDecode returns the elements the
way Redis replies with them, lpValidateIntegrity checks a blob read from an
untrusted source.
"""

import struct

LP_HDR_SIZE = 6
LP_HDR_NUMELE_UNKNOWN = 0xFFFF
LP_EOF = 0xFF

LP_ENCODING_7BIT_UINT = 0x00
LP_ENCODING_6BIT_STR = 0x80
LP_ENCODING_13BIT_INT = 0xC0
LP_ENCODING_12BIT_STR = 0xE0
LP_ENCODING_16BIT_INT = 0xF1
LP_ENCODING_24BIT_INT = 0xF2
LP_ENCODING_32BIT_INT = 0xF3
LP_ENCODING_64BIT_INT = 0xF4
LP_ENCODING_32BIT_STR = 0xF0

# LONG_STR_SIZE in util.h: no int64 needs 21 characters or more.
LONG_STR_SIZE = 21
INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1

_DIGITS = b"0123456789"


def lpStringToInt64(s):
    """Parse *s* as a canonical int64, or return None (listpack.c lpStringToInt64).

    Strict like string2ll: optional '-', then no leading zeros (except "0"
    itself), digits only, no spaces or '+', and the value must fit int64.
    This decides whether a listpack stores an element as an integer, so
    e.g. b"007" and b"-0" stay strings.
    """
    slen = len(s)
    if slen == 0 or slen >= LONG_STR_SIZE:
        return None
    if s == b"0":
        return 0
    negative = s[0] == 0x2D  # '-'
    digits = s[1:] if negative else s
    if not digits or not 0x31 <= digits[0] <= 0x39:
        return None
    # int() would accept '_', '+', whitespace and non-ASCII digits, so check
    # the alphabet first.
    if digits.strip(_DIGITS):
        return None
    v = int(digits)
    if negative:
        v = -v
    if v < INT64_MIN or v > INT64_MAX:
        return None
    return v


def lpEncodeIntegerGetType(v):
    """Encoding bytes of the integer *v* (listpack.c lpEncodeIntegerGetType)."""
    if 0 <= v <= 127:
        return bytes((v,))
    if -4096 <= v <= 4095:
        if v < 0:
            v += 1 << 13
        return bytes(((v >> 8) | LP_ENCODING_13BIT_INT, v & 0xFF))
    if -32768 <= v <= 32767:
        return bytes((LP_ENCODING_16BIT_INT,)) + (v & 0xFFFF).to_bytes(2, "little")
    if -8388608 <= v <= 8388607:
        return bytes((LP_ENCODING_24BIT_INT,)) + (v & 0xFFFFFF).to_bytes(3, "little")
    if -2147483648 <= v <= 2147483647:
        return bytes((LP_ENCODING_32BIT_INT,)) + (v & 0xFFFFFFFF).to_bytes(4, "little")
    if not INT64_MIN <= v <= INT64_MAX:
        raise OverflowError("listpack integers are int64")
    return bytes((LP_ENCODING_64BIT_INT,)) + (v & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")


def lpEncodeString(s):
    """Encoding bytes of the string *s* (listpack.c lpEncodeString)."""
    n = len(s)
    if n < 64:
        return bytes((n | LP_ENCODING_6BIT_STR,)) + s
    if n < 4096:
        return bytes(((n >> 8) | LP_ENCODING_12BIT_STR, n & 0xFF)) + s
    return bytes((LP_ENCODING_32BIT_STR,)) + n.to_bytes(4, "little") + s


def lpEncodeBacklen(n):
    """Backlen bytes for an entry whose encoding+data is *n* bytes (lpEncodeBacklen).

    The thresholds are Redis's own, including the "<" (not "<=") ones, so
    sizes such as 16383 take the longer form exactly as in C.
    """
    if n <= 127:
        return bytes((n,))
    if n < 16383:
        return bytes((n >> 7, (n & 127) | 128))
    if n < 2097151:
        return bytes((n >> 14, ((n >> 7) & 127) | 128, (n & 127) | 128))
    if n < 268435455:
        return bytes((n >> 21, ((n >> 14) & 127) | 128,
                      ((n >> 7) & 127) | 128, (n & 127) | 128))
    return bytes((n >> 28, ((n >> 21) & 127) | 128, ((n >> 14) & 127) | 128,
                  ((n >> 7) & 127) | 128, (n & 127) | 128))


def lp_encode_entry(ele):
    """One complete entry (encoding, data, backlen) for a bytes or int element.

    Strings go through lpEncodeGetType's choice: anything lpStringToInt64
    accepts is stored as an integer.
    """
    if isinstance(ele, int):
        enc = lpEncodeIntegerGetType(ele)
    else:
        ele = bytes(ele)
        v = lpStringToInt64(ele)
        enc = lpEncodeString(ele) if v is None else lpEncodeIntegerGetType(v)
    return enc + lpEncodeBacklen(len(enc))


def lpEncode(entries):
    """Build the listpack blob lpNew() + lpAppend() of each entry would produce.

    Elements may be bytes (stored as integers when they look like one) or
    ints (as lpAppendInteger).  Python-only convenience over lpNew/lpAppend.
    """
    body = b"".join(lp_encode_entry(e) for e in entries)
    total = LP_HDR_SIZE + len(body) + 1
    if total > 0xFFFFFFFF:
        raise ValueError("listpack too large")
    numele = min(len(entries), LP_HDR_NUMELE_UNKNOWN)
    return struct.pack("<IH", total, numele) + body + bytes((LP_EOF,))


def lpCurrentEncodedSizeBytes(b):
    """Bytes needed to read an entry's length, from its first byte (0 = bad)."""
    if b < 0x80 or (b & 0xC0) == LP_ENCODING_6BIT_STR:
        return 1
    if (b & 0xE0) == LP_ENCODING_13BIT_INT:
        return 1
    if (b & 0xF0) == LP_ENCODING_12BIT_STR:
        return 2
    if b in (LP_ENCODING_16BIT_INT, LP_ENCODING_24BIT_INT,
             LP_ENCODING_32BIT_INT, LP_ENCODING_64BIT_INT, LP_EOF):
        return 1
    if b == LP_ENCODING_32BIT_STR:
        return 5
    return 0


def lpCurrentEncodedSizeUnsafe(lp, p):
    """Size of the entry at *p* without its backlen (0 = bad encoding)."""
    b = lp[p]
    if b < 0x80:
        return 1
    if (b & 0xC0) == LP_ENCODING_6BIT_STR:
        return 1 + (b & 0x3F)
    if (b & 0xE0) == LP_ENCODING_13BIT_INT:
        return 2
    if b == LP_ENCODING_16BIT_INT:
        return 3
    if b == LP_ENCODING_24BIT_INT:
        return 4
    if b == LP_ENCODING_32BIT_INT:
        return 5
    if b == LP_ENCODING_64BIT_INT:
        return 9
    if (b & 0xF0) == LP_ENCODING_12BIT_STR:
        return 2 + (((b & 0xF) << 8) | lp[p + 1])
    if b == LP_ENCODING_32BIT_STR:
        return 5 + int.from_bytes(lp[p + 1:p + 5], "little")
    if b == LP_EOF:
        return 1
    return 0


def lpDecodeBacklen(lp, p):
    """Read the backlen ending at *p* (its last byte); None if over 5 bytes."""
    val = 0
    shift = 0
    while True:
        b = lp[p]
        val |= (b & 127) << shift
        if not b & 128:
            return val
        shift += 7
        p -= 1
        if shift > 28 or p < 0:
            return None


def lpValidateNext(lp, p, lpbytes):
    """Validate the entry at *p*; return the next offset, -1 at EOF, None if bad.

    Mirrors lpValidateNext(): every read is range-checked against the
    header-declared size before it happens, and the trailing backlen must
    agree with the entry's own size.
    """
    def out_of_range(q):
        return q < LP_HDR_SIZE or q > lpbytes - 1

    if out_of_range(p):
        return None
    if lp[p] == LP_EOF:
        return -1
    lenbytes = lpCurrentEncodedSizeBytes(lp[p])
    if not lenbytes:
        return None
    if out_of_range(p + lenbytes):
        return None
    entrylen = lpCurrentEncodedSizeUnsafe(lp, p)
    encoded_backlen = len(lpEncodeBacklen(entrylen))
    entrylen += encoded_backlen
    if out_of_range(p + entrylen):
        return None
    p += entrylen
    prevlen = lpDecodeBacklen(lp, p - 1)
    if prevlen is None or prevlen + encoded_backlen != entrylen:
        return None
    return p


def lpValidateIntegrity(blob, deep=True):
    """True if *blob* is a well-formed listpack (listpack.c lpValidateIntegrity).

    Shallow: header size matches the blob and it ends in 0xFF.  Deep: also
    walk every entry and check the element count unless it is "unknown".
    """
    lp = bytes(blob)
    size = len(lp)
    if size < LP_HDR_SIZE + 1:
        return False
    total, numele = struct.unpack_from("<IH", lp)
    if total != size or lp[size - 1] != LP_EOF:
        return False
    if not deep:
        return True
    count = 0
    p = LP_HDR_SIZE
    while lp[p] != LP_EOF:
        p = lpValidateNext(lp, p, total)
        if p is None:
            return False
        if p == -1:  # cannot happen: the loop stops on EOF first
            break
        count += 1
    if p != size - 1:
        return False
    return numele in (LP_HDR_NUMELE_UNKNOWN, count)


def lpGetValue(lp, p):
    """Decode the entry at *p*: (bytes or int value, entry size without backlen).

    Mirrors lpGetWithSize(); integers are returned as Python ints.
    """
    b = lp[p]
    if b < 0x80:
        return b, 1
    if (b & 0xC0) == LP_ENCODING_6BIT_STR:
        n = b & 0x3F
        return lp[p + 1:p + 1 + n], 1 + n
    if (b & 0xE0) == LP_ENCODING_13BIT_INT:
        v = ((b & 0x1F) << 8) | lp[p + 1]
        return (v - (1 << 13) if v >= 1 << 12 else v), 2
    if b == LP_ENCODING_16BIT_INT:
        return int.from_bytes(lp[p + 1:p + 3], "little", signed=True), 3
    if b == LP_ENCODING_24BIT_INT:
        return int.from_bytes(lp[p + 1:p + 4], "little", signed=True), 4
    if b == LP_ENCODING_32BIT_INT:
        return int.from_bytes(lp[p + 1:p + 5], "little", signed=True), 5
    if b == LP_ENCODING_64BIT_INT:
        return int.from_bytes(lp[p + 1:p + 9], "little", signed=True), 9
    if (b & 0xF0) == LP_ENCODING_12BIT_STR:
        n = ((b & 0xF) << 8) | lp[p + 1]
        return lp[p + 2:p + 2 + n], 2 + n
    if b == LP_ENCODING_32BIT_STR:
        n = int.from_bytes(lp[p + 1:p + 5], "little")
        return lp[p + 5:p + 5 + n], 5 + n
    raise ValueError(f"listpack: bad entry encoding 0x{b:02x}")


def lp_decode_values(blob):
    """Elements of a listpack, integers as ints and strings as bytes.

    Validates the blob deeply first and raises ValueError if it is corrupt.
    """
    lp = bytes(blob)
    if not lpValidateIntegrity(lp, True):
        raise ValueError("listpack: integrity check failed")
    out = []
    p = LP_HDR_SIZE
    while lp[p] != LP_EOF:
        value, size = lpGetValue(lp, p)
        out.append(value)
        p += size + len(lpEncodeBacklen(size))
    return out


def lpDecode(blob):
    """Elements of a listpack as bytes, integers rendered in decimal (as lpGet).

    Raises ValueError on a corrupt blob.
    """
    return [v if isinstance(v, bytes) else b"%d" % v for v in lp_decode_values(blob)]
