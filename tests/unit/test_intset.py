"""pyredis.intset: encodings, validation, and blobs taken from real Redis."""

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
from pyredis.intset import intsetDecode, intsetEncode, intsetValidateIntegrity


@pytest.mark.parametrize(("members", "width"), [
    ([1, 2, 3], 2), ([-32768, 32767], 2), ([32768], 4), ([-32769, 5], 4),
    ([2**31 - 1], 4), ([2**31], 8), ([-2**63, 2**63 - 1], 8)])
def test_encoding_width(members, width):
    blob = intsetEncode(members)
    assert int.from_bytes(blob[:4], "little") == width
    assert len(blob) == 8 + width * len(members)
    assert intsetDecode(blob) == sorted(members)


def test_layout_sorted_dedup():
    assert intsetEncode([3, 1, 3, 2]) == bytes.fromhex(
        "02000000" "03000000" "0100" "0200" "0300")


def test_validation():
    good = intsetEncode([1, 5, 9])
    assert intsetValidateIntegrity(good, True)
    assert not intsetValidateIntegrity(good[:-1], False)        # length mismatch
    assert not intsetValidateIntegrity(b"\x03" + good[1:], False)  # bad encoding
    assert not intsetValidateIntegrity(intsetEncode([]), False)  # empty set
    unsorted = good[:8] + b"\x05\x00\x01\x00\x09\x00"
    assert intsetValidateIntegrity(unsorted, False)
    assert not intsetValidateIntegrity(unsorted, True)
    dup = good[:8] + b"\x01\x00\x01\x00\x09\x00"
    assert not intsetValidateIntegrity(dup, True)
    with pytest.raises(ValueError):
        intsetDecode(dup)


@pytest.fixture(scope="module")
def real_redis():
    proc, client, tmp = start_redis()
    client.config_set("rdbcompression", "no")
    client.config_set("sanitize-dump-payload", "yes")
    yield client
    stop_redis(proc, client, tmp)


@needs_redis
@pytest.mark.parametrize("members", [[1, 2, 3], [-5, 40000, 7], [2**40, -1, 0],
                                     list(range(-300, 300, 7))])
def test_matches_redis(real_redis, members):
    real_redis.delete("is")
    real_redis.sadd("is", *members)
    rdb_type, body, _v, _c = split_dump(real_redis.dump("is"))
    assert rdb_type == 11
    kind, blob, _ = rdb_load_string_raw(body, 0)
    assert kind == "raw"
    assert blob == intsetEncode(members)
    assert intsetDecode(blob) == sorted(members)


@needs_redis
def test_redis_checks_like_us(real_redis):
    dup = intsetEncode([1, 5, 9])[:8] + b"\x01\x00\x01\x00\x09\x00"
    with pytest.raises(Exception, match="Bad data format"):
        real_redis.restore("isbad", 0, make_dump(11, rdb_raw_string(dup), 10, crc64))
