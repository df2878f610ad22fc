"""Intset blobs (intset.c): a sorted array of unique integers.

Layout: <encoding u32 LE> <length u32 LE> <contents>, where encoding is the
byte width of every element (2, 4 or 8) and contents are little endian
signed integers in ascending order.  Redis only ever widens the encoding,
so a set built from scratch uses the narrowest width that fits all members.
"""

import struct
from itertools import pairwise

INTSET_ENC_INT16 = 2
INTSET_ENC_INT32 = 4
INTSET_ENC_INT64 = 8

_FORMATS = {INTSET_ENC_INT16: "h", INTSET_ENC_INT32: "i", INTSET_ENC_INT64: "q"}


def _intsetValueEncoding(v):
    """Narrowest encoding able to hold *v* (intset.c _intsetValueEncoding)."""
    if v < -(1 << 31) or v > (1 << 31) - 1:
        return INTSET_ENC_INT64
    if v < -(1 << 15) or v > (1 << 15) - 1:
        return INTSET_ENC_INT32
    return INTSET_ENC_INT16


def intsetEncode(ints):
    """Blob of the intset that adding each of *ints* to intsetNew() gives.

    Python-only builder: duplicates collapse, members are sorted, and the
    encoding is the widest any member needs (what intsetAdd's upgrades
    leave behind).
    """
    members = sorted(set(ints))
    for v in members:
        if not -(1 << 63) <= v < (1 << 63):
            raise OverflowError("intset members are int64")
    enc = max((_intsetValueEncoding(v) for v in members), default=INTSET_ENC_INT16)
    return (struct.pack("<II", enc, len(members))
            + struct.pack(f"<{len(members)}{_FORMATS[enc]}", *members))


def intsetValidateIntegrity(blob, deep=True):
    """True if *blob* is a valid, non-empty intset (intset.c intsetValidateIntegrity).

    Checks the encoding value and that the length matches the blob size;
    deep also checks members are strictly increasing (sorted, no dups).
    """
    blob = bytes(blob)
    if len(blob) < 8:
        return False
    enc, count = struct.unpack_from("<II", blob)
    if enc not in _FORMATS:
        return False
    if 8 + count * enc != len(blob):
        return False
    if count == 0:
        return False
    if not deep:
        return True
    members = struct.unpack_from(f"<{count}{_FORMATS[enc]}", blob, 8)
    return all(a < b for a, b in pairwise(members))


def intsetDecode(blob):
    """Members of an intset blob as a list of ints; ValueError if invalid."""
    blob = bytes(blob)
    if not intsetValidateIntegrity(blob, True):
        raise ValueError("intset: integrity check failed")
    enc, count = struct.unpack_from("<II", blob)
    return list(struct.unpack_from(f"<{count}{_FORMATS[enc]}", blob, 8))
