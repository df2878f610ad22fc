"""pyredis.crc64 and pyredis.crc16: Redis's self-test vectors, agreement
of the fast paths with bit-by-bit references, and DUMP checksums."""

import os
import random

import pytest
from codec_redis import needs_redis, split_dump, start_redis, stop_redis

from pyredis.crc16 import _crc16_bitwise, crc16, keyHashSlot
from pyredis.crc64 import _crc64, _crc64_sliced, crc64

LOREM = (b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed "
         b"do eiusmod tempor incididunt ut labore et dolore magna "
         b"aliqua. Ut enim ad minim veniam, quis nostrud exercitation "
         b"ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis "
         b"aute irure dolor in reprehenderit in voluptate velit esse "
         b"cillum dolore eu fugiat nulla pariatur. Excepteur sint "
         b"occaecat cupidatat non proident, sunt in culpa qui officia "
         b"deserunt mollit anim id est laborum.")


def test_redis_selftest_vectors():
    assert crc64(0, b"123456789") == 0xE9C6D914C4B8D9CA
    # crc64Test hashes sizeof(li), which includes the C string terminator.
    assert crc64(0, LOREM + b"\0") == 0xC7794709E69683B3
    assert _crc64(0, b"123456789") == 0xE9C6D914C4B8D9CA
    assert crc64(0, b"") == 0


@pytest.mark.parametrize("size", [1, 7, 8, 9, 1000, 16383, 16384, 16385,
                                  65536 + 3, 300_001, 1_100_000])
def test_fast_paths_agree(size):
    rnd = random.Random(size)
    data = os.urandom(size)
    start = rnd.getrandbits(64)
    expect = _crc64_sliced(start, data)
    assert crc64(start, data) == expect
    if size <= 20000:
        assert _crc64(start, data) == expect


def test_incremental():
    data = os.urandom(100_000)
    whole = crc64(0, data)
    crc = 0
    for i in range(0, len(data), 7777):
        crc = crc64(crc, data[i:i + 7777])
    assert crc == whole
    assert crc64(0, bytearray(data)) == crc64(0, memoryview(data)) == whole


def test_crc16():
    assert crc16(b"123456789") == 0x31C3
    data = os.urandom(3000)
    assert crc16(data) == _crc16_bitwise(data)


def test_key_hash_slot():
    assert keyHashSlot(b"foo") == 12182
    assert keyHashSlot(b"{user1000}.following") == keyHashSlot(b"user1000")
    assert keyHashSlot(b"foo{}{bar}") == crc16(b"foo{}{bar}") & 0x3FFF
    assert keyHashSlot(b"foo{{bar}}zap") == crc16(b"{bar") & 0x3FFF
    assert keyHashSlot(b"foo{bar}{zap}") == crc16(b"bar") & 0x3FFF
    assert keyHashSlot(b"{") == crc16(b"{") & 0x3FFF
    assert keyHashSlot(b"") == 0


@pytest.fixture(scope="module")
def real_redis():
    proc, client, tmp = start_redis()
    yield client
    stop_redis(proc, client, tmp)


@needs_redis
def test_dump_checksums(real_redis):
    real_redis.set("s", "hello")
    real_redis.set("big", os.urandom(200_000))
    real_redis.hset("h", mapping={"a": "1", "b": "two"})
    real_redis.rpush("l", *[str(i) for i in range(100)])
    for key in ("s", "big", "h", "l"):
        payload = real_redis.dump(key)
        _t, _body, version, crc = split_dump(payload)
        assert version == 10
        assert crc64(0, payload[:-8]) == crc
