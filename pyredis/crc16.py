"""CRC-16/XMODEM as used by Redis Cluster to map keys to hash slots (crc16.c),
plus keyHashSlot() from cluster.c.

Parameters: polynomial 0x1021, init 0, no reflection, no final xor.  That is
exactly the CRC binascii.crc_hqx computes in C, so we use it instead of a
Python table loop; _crc16_bitwise is kept as an independent oracle.
"""

import binascii

CLUSTER_SLOTS = 16384


def crc16(data):
    """CRC-16/XMODEM of *data* (mirrors crc16() in crc16.c).

    crc16(b"123456789") == 0x31c3.
    """
    return binascii.crc_hqx(data, 0)


def _crc16_bitwise(data):
    """Bit-at-a-time CRC-16/XMODEM, used only to cross-check crc16()."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def keyHashSlot(key):
    """Hash slot (0..16383) of *key*, honouring {hash tags} (cluster.c keyHashSlot).

    Only the part between the first '{' and the first '}' after it is
    hashed, and only when that part is non-empty; otherwise the whole key is.
    """
    key = bytes(key)
    s = key.find(b"{")
    if s != -1:
        e = key.find(b"}", s + 1)
        if e != -1 and e != s + 1:
            return crc16(key[s + 1:e]) & 0x3FFF
    return crc16(key) & 0x3FFF
