"""pyredis.zipmap: layout, validation, and RESTORE of our zipmaps in real Redis."""

import pytest
from codec_redis import make_dump, needs_redis, rdb_raw_string, start_redis, stop_redis

from pyredis.crc64 import crc64
from pyredis.zipmap import zipmapDecode, zipmapEncode, zipmapValidateIntegrity


def test_reference_layout():
    # The example in the comment at the top of zipmap.c.
    blob = zipmapEncode([(b"foo", b"bar"), (b"hello", b"world")])
    assert blob == b"\x02\x03foo\x03\x00bar\x05hello\x05\x00world\xff"
    assert zipmapDecode(blob) == [(b"foo", b"bar"), (b"hello", b"world")]


def test_big_lengths_free_space_and_count():
    pairs = [(b"k" * 300, b"v" * 254), (b"", b"x"), (b"a", b"")]
    blob = zipmapEncode(pairs, free=3)
    assert zipmapDecode(blob) == pairs
    many = [(b"%d" % i, b"v") for i in range(300)]
    blob = zipmapEncode(many)
    assert blob[0] == 254
    assert zipmapDecode(blob) == many


def test_validation():
    blob = zipmapEncode([(b"foo", b"bar")])
    assert zipmapValidateIntegrity(blob, True)
    assert not zipmapValidateIntegrity(blob[:-1], False)
    assert not zipmapValidateIntegrity(b"\x00\xff", True)       # empty
    assert not zipmapValidateIntegrity(b"\x05" + blob[1:], True)  # wrong count
    assert not zipmapValidateIntegrity(blob[:1] + b"\x09" + blob[2:], True)  # key overruns
    with pytest.raises(ValueError):
        zipmapDecode(blob[:1] + b"\x09" + blob[2:])
    # A length below 254 in the 5-byte form (key, then value) is refused:
    # zipmapNext would step over it as 1 byte.
    assert not zipmapValidateIntegrity(b"\x01\xfe\x03\x00\x00\x00foo\x03\x00bar\xff", True)
    assert not zipmapValidateIntegrity(b"\x01\x03foo\xfe\x03\x00\x00\x00\x00bar\xff", True)
    assert zipmapValidateIntegrity(zipmapEncode([(b"k" * 254, b"v" * 300)]), True)


@pytest.fixture(scope="module")
def real_redis():
    proc, client, tmp = start_redis()
    client.config_set("sanitize-dump-payload", "yes")
    yield client
    stop_redis(proc, client, tmp)


@needs_redis
@pytest.mark.parametrize("free", [0, 2])
def test_redis_loads_our_zipmap(real_redis, free):
    pairs = [(b"name", b"redis"), (b"n", b"12"), (b"long", b"L" * 300)]
    blob = zipmapEncode(pairs, free=free)
    real_redis.restore("zm", 0, make_dump(9, rdb_raw_string(blob), 9, crc64), replace=True)
    assert real_redis.hgetall("zm") == dict(pairs)
