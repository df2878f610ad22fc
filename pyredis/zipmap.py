"""Zipmap blobs (zipmap.c), the hash encoding of very old (pre-2.6) RDB files.

Layout: <zmlen u8> then per pair <len>key<len><free>value<free bytes>, then
0xFF.  A <len> is one byte when below 254, otherwise 254 followed by a u32
in little endian.  <free> counts unused bytes left after a value shrank.
zmlen stops counting at 254 ("walk the map to count").
"""

import struct

ZIPMAP_BIGLEN = 254
ZIPMAP_END = 255


def zipmapEncodeLength(length):
    """Encoded <len> field for *length* (zipmap.c zipmapEncodeLength)."""
    if length < ZIPMAP_BIGLEN:
        return bytes((length,))
    return bytes((ZIPMAP_BIGLEN,)) + struct.pack("<I", length)


def zipmapEncode(pairs, free=0):
    """Blob zipmapNew() + zipmapSet() of each new (key, value) pair builds.

    Python-only fixture helper.  *free* pads every value with that many
    unused bytes (0..255) to imitate maps whose values were shrunk in place.
    """
    parts = []
    for key, value in pairs:
        key, value = bytes(key), bytes(value)
        parts.append(zipmapEncodeLength(len(key)) + key
                     + zipmapEncodeLength(len(value)) + bytes((free,))
                     + value + bytes(free))
    return bytes((min(len(pairs), ZIPMAP_BIGLEN),)) + b"".join(parts) + bytes((ZIPMAP_END,))


def zipmapDecodeLength(zm, p):
    """Decode the <len> field at offset *p* (zipmap.c zipmapDecodeLength)."""
    if zm[p] < ZIPMAP_BIGLEN:
        return zm[p]
    return struct.unpack_from("<I", zm, p + 1)[0]


def zipmapGetEncodedLengthSize(b):
    """Size of a <len> field from its first byte."""
    return 1 if b < ZIPMAP_BIGLEN else 5


def zipmapValidateIntegrity(blob, deep=True):
    """True if *blob* is a valid non-empty zipmap (zipmap.c zipmapValidateIntegrity)."""
    zm = bytes(blob)
    size = len(zm)
    if size < 2 or zm[size - 1] != ZIPMAP_END:
        return False
    if not deep:
        return True

    def out_of_range(q):
        return q < 2 or q > size - 1

    # zipmapNext, which reads the map afterwards, steps over a <len> field
    # by the size the length needs (1 byte below 254), not by the size it
    # was written with. A length below 254 in the 5-byte form would make
    # the two walks part ways (reads outside the map, CVE-2026-25243), so
    # the Redis 7.0.15 builds carrying that fix refuse such a field, and
    # so does this check.
    def overlong(s, length):
        return s != 1 and length < ZIPMAP_BIGLEN

    count = 0
    p = 1
    while zm[p] != ZIPMAP_END:
        s = zipmapGetEncodedLengthSize(zm[p])
        if out_of_range(p + s):
            return False
        length = zipmapDecodeLength(zm, p)
        if overlong(s, length):
            return False
        p += s + length
        if out_of_range(p):
            return False
        s = zipmapGetEncodedLengthSize(zm[p])
        if out_of_range(p + s):
            return False
        length = zipmapDecodeLength(zm, p)
        if overlong(s, length):
            return False
        p += s
        free = zm[p]
        p += 1 + length + free
        count += 1
        if out_of_range(p):
            return False
    if count == 0:
        return False
    return zm[0] in (ZIPMAP_BIGLEN, count)


def zipmapDecode(blob):
    """(key, value) pairs of a zipmap, in order (as zipmapNext walks them).

    Validates deeply first and raises ValueError if the blob is corrupt.
    """
    zm = bytes(blob)
    if not zipmapValidateIntegrity(zm, True):
        raise ValueError("zipmap: integrity check failed")
    pairs = []
    p = 1
    while zm[p] != ZIPMAP_END:
        klen = zipmapDecodeLength(zm, p)
        p += zipmapGetEncodedLengthSize(zm[p])
        key = zm[p:p + klen]
        p += klen
        vlen = zipmapDecodeLength(zm, p)
        p += zipmapGetEncodedLengthSize(zm[p])
        free = zm[p]
        p += 1
        pairs.append((key, zm[p:p + vlen]))
        p += vlen + free
    return pairs
