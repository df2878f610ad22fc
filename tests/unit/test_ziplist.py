"""pyredis.ziplist: layout, validation, and loading our ziplists in real Redis
(RESTORE of old-format payloads, which Redis 7.0 still accepts)."""

import pytest
from codec_redis import make_dump, needs_redis, rdb_raw_string, start_redis, stop_redis

from pyredis.crc64 import crc64
from pyredis.ziplist import (
    ziplist_decode_values,
    ziplistDecode,
    ziplistEncode,
    ziplistValidateIntegrity,
    zipTryEncoding,
)


def test_empty_and_small_layout():
    assert ziplistEncode([]) == bytes.fromhex("0b000000" "0a000000" "0000" "ff")
    # prevlen 0 + 6-bit string "ab", then prevlen 4 + immediate 7.
    assert ziplistEncode([b"ab", b"7"]) == bytes.fromhex(
        "11000000" "0e000000" "0200" "00026162" "04f8" "ff")


@pytest.mark.parametrize(("text", "encoding"), [
    (b"0", 0xF1), (b"12", 0xFD), (b"13", 0xFE), (b"-1", 0xFE), (b"127", 0xFE),
    (b"128", 0xC0), (b"-32768", 0xC0), (b"32768", 0xF0), (b"-8388608", 0xF0),
    (b"8388608", 0xD0), (b"2147483647", 0xD0), (b"2147483648", 0xE0),
    (b"-9223372036854775808", 0xE0),
])
def test_integer_encodings(text, encoding):
    assert zipTryEncoding(text)[1] == encoding
    blob = ziplistEncode([text])
    assert blob[11] == encoding
    assert ziplistDecode(blob) == [text]
    assert ziplist_decode_values(blob) == [int(text)]


@pytest.mark.parametrize("text", [b"", b"007", b"-0", b"+1", b"1 ", b"x",
                                  b"9223372036854775808", b"1" * 32])
def test_strings_stay_strings(text):
    assert zipTryEncoding(text) is None
    assert ziplist_decode_values(ziplistEncode([text])) == [text]


def test_long_entries_and_big_prevlen():
    entries = [b"a" * 63, b"b" * 64, b"c" * 300, b"d" * 16383, b"e" * 16384, b"f", b"-77"]
    blob = ziplistEncode(entries)
    assert ziplistValidateIntegrity(blob, True)
    assert ziplistDecode(blob) == entries


def test_count_saturates():
    entries = [b"v%d" % (i % 10) for i in range(70000)]
    blob = ziplistEncode(entries)
    assert blob[8:10] == b"\xff\xff"
    assert ziplistDecode(blob) == entries


def test_validation_rejects_corruption():
    blob = ziplistEncode([b"hello", b"300", b"x" * 100])
    assert ziplistValidateIntegrity(blob, True)
    assert not ziplistValidateIntegrity(blob[:-1], False)
    bad_tail = bytearray(blob)
    bad_tail[4] += 1
    assert not ziplistValidateIntegrity(bytes(bad_tail), True)
    bad_count = bytearray(blob)
    bad_count[8] = 5
    assert ziplistValidateIntegrity(bytes(bad_count), False)
    assert not ziplistValidateIntegrity(bytes(bad_count), True)
    bad_prevlen = bytearray(blob)
    bad_prevlen[10 + 7] = 9  # prevlen of second entry should be 7
    assert not ziplistValidateIntegrity(bytes(bad_prevlen), True)
    too_long = bytearray(blob)
    too_long[11] = 0x3F  # first string claims 63 bytes
    assert not ziplistValidateIntegrity(bytes(too_long), True)
    with pytest.raises(ValueError):
        ziplistDecode(bytes(too_long))


@pytest.fixture(scope="module")
def real_redis():
    proc, client, tmp = start_redis()
    client.config_set("sanitize-dump-payload", "yes")
    yield client
    stop_redis(proc, client, tmp)


RDB_TYPE_HASH_ZIPLIST = 13
RDB_TYPE_ZSET_ZIPLIST = 12


@needs_redis
def test_redis_loads_our_hash_ziplist(real_redis):
    pairs = [(b"name", b"redis"), (b"n", b"12"), (b"big", b"-9000000000"),
             (b"long", b"L" * 60), (b"x", b"007")]
    blob = ziplistEncode([x for pair in pairs for x in pair])
    real_redis.restore("zh", 0, make_dump(RDB_TYPE_HASH_ZIPLIST, rdb_raw_string(blob), 9, crc64),
                       replace=True)
    assert real_redis.hgetall("zh") == dict(pairs)


@needs_redis
def test_redis_loads_our_zset_ziplist(real_redis):
    blob = ziplistEncode([b"a", b"1", b"b", b"2.5", b"c", b"300"])
    real_redis.restore("zz", 0, make_dump(RDB_TYPE_ZSET_ZIPLIST, rdb_raw_string(blob), 9, crc64),
                       replace=True)
    assert real_redis.zrange("zz", 0, -1, withscores=True) == [(b"a", 1.0), (b"b", 2.5),
                                                                (b"c", 300.0)]


@needs_redis
def test_redis_rejects_what_we_reject(real_redis):
    blob = bytearray(ziplistEncode([b"k", b"v", b"k2", b"v2"]))
    blob[10 + 3] = 9  # wrong prevlen on the second entry
    assert not ziplistValidateIntegrity(bytes(blob), True)
    with pytest.raises(Exception, match="Bad data format"):
        real_redis.restore("zbad", 0, make_dump(RDB_TYPE_HASH_ZIPLIST,
                                                rdb_raw_string(bytes(blob)), 9, crc64))
