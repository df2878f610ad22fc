"""Ziplist blobs (ziplist.c), the compact encoding Redis used before 7.0.

Redis 7.0 never writes ziplists but must load them from older RDB files
(and converts them to listpacks).  Layout:

    <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> <entry>* <0xFF>
    entry = <prevlen: 1 byte if < 254, else 0xFE + u32 LE> <encoding> <data>

String encodings carry their length: 00pppppp (6 bit), 01pppppp qqqqqqqq
(14 bit, big endian), 10______ + u32 big endian.  Integer encodings are one
byte: 0xC0 int16, 0xD0 int32, 0xE0 int64, 0xF0 int24, 0xFE int8 and
0xF1..0xFD holding 0..12 in the low nibble.  zllen saturates at 65535.
"""

import struct

ZIPLIST_HEADER_SIZE = 10
ZIPLIST_END_SIZE = 1
ZIP_END = 0xFF
ZIP_BIG_PREVLEN = 254

ZIP_STR_MASK = 0xC0
ZIP_STR_06B = 0 << 6
ZIP_STR_14B = 1 << 6
ZIP_STR_32B = 2 << 6
ZIP_INT_16B = 0xC0 | 0 << 4
ZIP_INT_32B = 0xC0 | 1 << 4
ZIP_INT_64B = 0xC0 | 2 << 4
ZIP_INT_24B = 0xC0 | 3 << 4
ZIP_INT_8B = 0xFE
ZIP_INT_IMM_MIN = 0xF1
ZIP_INT_IMM_MAX = 0xFD

# Data size of each integer encoding.
_INT_SIZES = {ZIP_INT_8B: 1, ZIP_INT_16B: 2, ZIP_INT_24B: 3,
              ZIP_INT_32B: 4, ZIP_INT_64B: 8}

LONG_STR_SIZE = 21
_DIGITS = b"0123456789"


def string2ll(s):
    """Parse *s* as a canonical int64 or return None (util.c string2ll).

    Same strictness as listpack's lpStringToInt64; duplicated so the codec
    modules stay independent of each other.
    """
    if not s or len(s) >= LONG_STR_SIZE:
        return None
    if s == b"0":
        return 0
    digits = s[1:] if s[0] == 0x2D else s
    if not digits or not 0x31 <= digits[0] <= 0x39 or digits.strip(_DIGITS):
        return None
    v = -int(digits) if s[0] == 0x2D else int(digits)
    if not -(1 << 63) <= v < (1 << 63):
        return None
    return v


def zipTryEncoding(entry):
    """(value, encoding byte) if *entry* is stored as an integer, else None.

    Mirrors zipTryEncoding(): only strings shorter than 32 bytes that parse
    strictly as int64 qualify, and the smallest encoding is chosen.
    """
    if len(entry) >= 32 or not entry:
        return None
    value = string2ll(entry)
    if value is None:
        return None
    if 0 <= value <= 12:
        return value, ZIP_INT_IMM_MIN + value
    if -128 <= value <= 127:
        return value, ZIP_INT_8B
    if -32768 <= value <= 32767:
        return value, ZIP_INT_16B
    if -8388608 <= value <= 8388607:
        return value, ZIP_INT_24B
    if -2147483648 <= value <= 2147483647:
        return value, ZIP_INT_32B
    return value, ZIP_INT_64B


def zipStorePrevEntryLength(prevlen):
    """Encoded prevlen field for a previous entry of *prevlen* bytes."""
    if prevlen < ZIP_BIG_PREVLEN:
        return bytes((prevlen,))
    return bytes((ZIP_BIG_PREVLEN,)) + struct.pack("<I", prevlen)


def zipStoreEntryEncoding(length):
    """Encoding header for a string of *length* bytes."""
    if length <= 0x3F:
        return bytes((ZIP_STR_06B | length,))
    if length <= 0x3FFF:
        return bytes((ZIP_STR_14B | (length >> 8), length & 0xFF))
    return bytes((ZIP_STR_32B,)) + struct.pack(">I", length)


def zip_encode_payload(ele):
    """Encoding header plus data for one element (bytes or int)."""
    if isinstance(ele, int):
        # ziplistPush only takes strings; an int is stored as its decimal
        # form would be.
        ele = b"%d" % ele
    ele = bytes(ele)
    enc = zipTryEncoding(ele)
    if enc is None:
        return zipStoreEntryEncoding(len(ele)) + ele
    value, encoding = enc
    if encoding >= ZIP_INT_IMM_MIN and encoding <= ZIP_INT_IMM_MAX:
        return bytes((encoding,))
    size = _INT_SIZES[encoding]
    return bytes((encoding,)) + value.to_bytes(size, "little", signed=True)


def ziplistEncode(entries):
    """Build the ziplist ziplistNew() + ziplistPush(TAIL) of each entry makes.

    Python-only helper, mainly for fixtures that imitate old RDB files.
    """
    parts = []
    prevlen = 0
    tail = ZIPLIST_HEADER_SIZE
    offset = ZIPLIST_HEADER_SIZE
    for ele in entries:
        raw = zipStorePrevEntryLength(prevlen) + zip_encode_payload(ele)
        parts.append(raw)
        tail = offset
        offset += len(raw)
        prevlen = len(raw)
    body = b"".join(parts)
    total = ZIPLIST_HEADER_SIZE + len(body) + ZIPLIST_END_SIZE
    return (struct.pack("<IIH", total, tail, min(len(entries), 0xFFFF))
            + body + bytes((ZIP_END,)))


def zipEncodingLenSize(encoding):
    """Bytes of the encoding header, or 0 when the encoding is invalid."""
    if encoding in _INT_SIZES or ZIP_INT_IMM_MIN <= encoding <= ZIP_INT_IMM_MAX:
        return 1
    if encoding == ZIP_STR_06B:
        return 1
    if encoding == ZIP_STR_14B:
        return 2
    if encoding == ZIP_STR_32B:
        return 5
    return 0


def zipEntrySafe(zl, zlbytes, p, validate_prevlen):
    """Decode the entry header at *p* with bounds checks (ziplist.c zipEntrySafe).

    Returns (prevrawlen, headersize, encoding, datalen) or None when the
    entry is malformed or reaches outside the ziplist.
    """
    zlfirst = ZIPLIST_HEADER_SIZE
    zllast = zlbytes - ZIPLIST_END_SIZE

    def out_of_range(q):
        return q < zlfirst or q > zllast

    if out_of_range(p):
        return None
    prevrawlensize = 1 if zl[p] < ZIP_BIG_PREVLEN else 5
    if out_of_range(p + prevrawlensize):
        return None
    encoding = zl[p + prevrawlensize]
    if encoding < ZIP_STR_MASK:
        encoding &= ZIP_STR_MASK
    lensize = zipEncodingLenSize(encoding)
    if not lensize:
        return None
    if out_of_range(p + prevrawlensize + lensize):
        return None
    if prevrawlensize == 1:
        prevrawlen = zl[p]
    else:
        prevrawlen = struct.unpack_from("<I", zl, p + 1)[0]
    q = p + prevrawlensize
    if encoding == ZIP_STR_06B:
        datalen = zl[q] & 0x3F
    elif encoding == ZIP_STR_14B:
        datalen = ((zl[q] & 0x3F) << 8) | zl[q + 1]
    elif encoding == ZIP_STR_32B:
        datalen = struct.unpack_from(">I", zl, q + 1)[0]
    else:
        datalen = _INT_SIZES.get(encoding, 0)
    headersize = prevrawlensize + lensize
    if out_of_range(p + headersize + datalen):
        return None
    if validate_prevlen and out_of_range(p - prevrawlen):
        return None
    return prevrawlen, headersize, encoding, datalen


def ziplistValidateIntegrity(blob, deep=True):
    """True if *blob* is a well-formed ziplist (ziplist.c ziplistValidateIntegrity).

    Shallow: header size, terminator and tail offset.  Deep: every entry
    header, every prevlen, the tail offset and the element count.
    """
    zl = bytes(blob)
    size = len(zl)
    if size < ZIPLIST_HEADER_SIZE + ZIPLIST_END_SIZE:
        return False
    zlbytes, zltail, zllen = struct.unpack_from("<IIH", zl)
    if zlbytes != size or zl[size - 1] != ZIP_END:
        return False
    if zltail > size - ZIPLIST_END_SIZE:
        return False
    if not deep:
        return True
    count = 0
    p = ZIPLIST_HEADER_SIZE
    prev = None
    prev_raw_size = 0
    while zl[p] != ZIP_END:
        e = zipEntrySafe(zl, size, p, True)
        if e is None:
            return False
        prevrawlen, headersize, _encoding, datalen = e
        if prevrawlen != prev_raw_size:
            return False
        prev_raw_size = headersize + datalen
        prev = p
        p += prev_raw_size
        count += 1
    if p != size - ZIPLIST_END_SIZE:
        return False
    if prev is not None and prev != zltail:
        return False
    return zllen in (0xFFFF, count)


def ziplist_decode_values(blob):
    """Elements of a ziplist, integers as ints and strings as bytes.

    Validates deeply first; raises ValueError if the blob is corrupt.
    """
    zl = bytes(blob)
    if not ziplistValidateIntegrity(zl, True):
        raise ValueError("ziplist: integrity check failed")
    out = []
    p = ZIPLIST_HEADER_SIZE
    size = len(zl)
    while zl[p] != ZIP_END:
        _prevrawlen, headersize, encoding, datalen = zipEntrySafe(zl, size, p, False)
        q = p + headersize
        if encoding in (ZIP_STR_06B, ZIP_STR_14B, ZIP_STR_32B):
            out.append(zl[q:q + datalen])
        elif ZIP_INT_IMM_MIN <= encoding <= ZIP_INT_IMM_MAX:
            out.append((encoding & 0x0F) - 1)
        else:
            out.append(int.from_bytes(zl[q:q + datalen], "little", signed=True))
        p = q + datalen
    return out


def ziplistDecode(blob):
    """Elements of a ziplist as bytes, integers in decimal (as ziplistGet + render).

    Raises ValueError on a corrupt blob.
    """
    return [v if isinstance(v, bytes) else b"%d" % v for v in ziplist_decode_values(blob)]
