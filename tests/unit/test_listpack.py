"""pyredis.listpack: encodings, validation, and blobs taken from real Redis."""

import pytest
from codec_redis import (
    make_dump,
    needs_redis,
    rdb_load_string_raw,
    rdb_raw_string,
    split_dump,
    start_redis,
    stop_redis,
)

from pyredis.crc64 import crc64
from pyredis.listpack import (
    lp_decode_values,
    lpDecode,
    lpEncode,
    lpEncodeBacklen,
    lpEncodeIntegerGetType,
    lpStringToInt64,
    lpValidateIntegrity,
)


@pytest.mark.parametrize(("text", "value"), [
    (b"0", 0), (b"1", 1), (b"-1", -1), (b"123", 123),
    (b"9223372036854775807", 2**63 - 1), (b"-9223372036854775808", -2**63),
    (b"9223372036854775808", None), (b"-9223372036854775809", None),
    (b"", None), (b"-", None), (b"-0", None), (b"00", None), (b"01", None),
    (b"+1", None), (b" 1", None), (b"1 ", None), (b"1_0", None), (b"1a", None),
    (b"\xd9\xa1", None), (b"12345678901234567890123", None),
])
def test_string_to_int64(text, value):
    assert lpStringToInt64(text) == value


@pytest.mark.parametrize(("value", "encoded"), [
    (0, "00"), (127, "7f"), (128, "c080"), (-1, "dfff"), (4095, "cfff"), (-4096, "d000"),
    (4096, "f10010"), (-4097, "f1ffef"), (32767, "f1ff7f"), (-32768, "f10080"),
    (32768, "f2008000"), (8388607, "f2ffff7f"), (-8388608, "f2000080"),
    (8388608, "f300008000"), (2**31 - 1, "f3ffffff7f"), (-2**31, "f300000080"),
    (2**31, "f40000008000000000"), (-2**63, "f40000000000000080"),
])
def test_integer_encodings(value, encoded):
    assert lpEncodeIntegerGetType(value).hex() == encoded
    blob = lpEncode([value])
    assert lp_decode_values(blob) == [value]
    assert lpDecode(blob) == [str(value).encode()]


@pytest.mark.parametrize(("size", "nbytes"), [
    (1, 1), (127, 1), (128, 2), (16382, 2), (16383, 3), (2097150, 3),
    (2097151, 4), (268435454, 4), (268435455, 5)])
def test_backlen_thresholds(size, nbytes):
    assert len(lpEncodeBacklen(size)) == nbytes


def test_layout():
    assert lpEncode([]) == b"\x07\x00\x00\x00\x00\x00\xff"
    blob = lpEncode([b"a", b"12", 5])
    assert blob == bytes.fromhex("0e0000000300" "816102" "0c01" "0501" "ff")
    assert lpDecode(blob) == [b"a", b"12", b"5"]


def test_string_lengths_round_trip():
    entries = [b"", b"x" * 63, b"y" * 64, b"z" * 4095, b"w" * 4096, b"v" * 70000,
               b"007", b"-0", b"hello"]
    blob = lpEncode(entries)
    assert lpValidateIntegrity(blob, True)
    assert lpDecode(blob) == entries


def test_unknown_count():
    entries = [b"%d" % (i % 200) for i in range(70000)]
    blob = lpEncode(entries)
    assert blob[4:6] == b"\xff\xff"
    assert lpValidateIntegrity(blob, True)
    assert lpDecode(blob) == entries


def test_validation_rejects_corruption():
    blob = lpEncode([b"hello", 300, b"x" * 100])
    assert lpValidateIntegrity(blob, True)
    assert not lpValidateIntegrity(blob[:-1], False)             # size/terminator
    assert not lpValidateIntegrity(blob[:-1] + b"\x00", False)   # no terminator
    wrong_count = blob[:4] + b"\x02\x00" + blob[6:]
    assert lpValidateIntegrity(wrong_count, False)
    assert not lpValidateIntegrity(wrong_count, True)
    bad_backlen = bytearray(blob)
    bad_backlen[6 + 6] = 7  # backlen of "hello" entry (size 6)
    assert not lpValidateIntegrity(bytes(bad_backlen), True)
    bad_enc = bytearray(blob)
    bad_enc[6] = 0xF5  # no such encoding
    assert not lpValidateIntegrity(bytes(bad_enc), True)
    long_str = bytearray(blob)
    long_str[6] = 0xBF  # claims a 63 byte string
    assert not lpValidateIntegrity(bytes(long_str), True)
    with pytest.raises(ValueError):
        lpDecode(bytes(long_str))


@pytest.fixture(scope="module")
def real_redis():
    proc, client, tmp = start_redis()
    client.config_set("rdbcompression", "no")
    client.config_set("hash-max-listpack-value", "10000")
    client.config_set("hash-max-listpack-entries", "1000")
    client.config_set("sanitize-dump-payload", "yes")
    yield client
    stop_redis(proc, client, tmp)


def _listpack_of(client, key):
    rdb_type, body, _v, _c = split_dump(client.dump(key))
    kind, blob, end = rdb_load_string_raw(body, 0)
    assert kind == "raw" and end == len(body)
    return rdb_type, blob


HASH_FIELDS = [
    (b"f1", b"v"), (b"n0", b"0"), (b"n127", b"127"), (b"n128", b"128"), (b"neg", b"-1"),
    (b"n13", b"-4096"), (b"n16", b"32767"), (b"n24", b"-8388608"), (b"n32", b"2147483647"),
    (b"n64", b"-9223372036854775808"), (b"big", b"9223372036854775808"),
    (b"zero-pad", b"007"), (b"minus0", b"-0"), (b"plus", b"+5"), (b"12", b"s" * 63),
    (b"s64", b"s" * 64), (b"s4095", b"t" * 4095), (b"s4096", b"u" * 4096),
    (b"", b""), (b"bin", bytes(range(256))[:200]),
]


@needs_redis
def test_hash_listpack_matches_redis(real_redis):
    real_redis.delete("h")
    for field, value in HASH_FIELDS:
        real_redis.hset("h", field, value)
    assert real_redis.object("encoding", "h") == b"listpack"
    rdb_type, blob = _listpack_of(real_redis, "h")
    assert rdb_type == 16
    flat = [x for pair in HASH_FIELDS for x in pair]
    assert lpEncode(flat) == blob
    assert lpDecode(blob) == flat
    assert lpValidateIntegrity(blob, True)


@needs_redis
def test_zset_listpack_matches_redis(real_redis):
    real_redis.delete("z")
    real_redis.zadd("z", {"a": 1, "b": 2, "c": -5, "d": 100000, "e": 3})
    rdb_type, blob = _listpack_of(real_redis, "z")
    assert rdb_type == 17
    expected = [b"c", b"-5", b"a", b"1", b"b", b"2", b"e", b"3", b"d", b"100000"]
    assert lpDecode(blob) == expected
    assert lpEncode(expected) == blob


@needs_redis
def test_restore_our_listpack(real_redis):
    pairs = [(b"k%d" % i, b"%d" % (i * 1000 - 7)) for i in range(50)] + [(b"str", b"x" * 300)]
    blob = lpEncode([x for pair in pairs for x in pair])
    payload = make_dump(16, rdb_raw_string(blob), 10, crc64)
    real_redis.delete("restored")
    real_redis.restore("restored", 0, payload)
    assert real_redis.hgetall("restored") == dict(pairs)
    # A corrupt blob is rejected by Redis and by us.
    bad = bytearray(blob)
    bad[-2] ^= 0x01
    assert not lpValidateIntegrity(bytes(bad), True)
    with pytest.raises(Exception, match="Bad data format"):
        real_redis.restore("bad", 0, make_dump(16, rdb_raw_string(bytes(bad)), 10, crc64))
