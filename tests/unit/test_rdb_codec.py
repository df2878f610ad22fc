"""In-process checks of the RDB encoders and helpers (no server needed)."""

import os
import random

import pytest

from pyredis.config import initConfigValues
from pyredis.crc64 import crc64, crc64_combine
from pyredis.listpack import lpDecode, lpEncode
from pyredis.server_h import server


@pytest.fixture(autouse=True, scope="module")
def config():
    if not hasattr(server, "rdb_compression"):
        initConfigValues()


def test_lengths_and_integers():
    from pyredis.rdb import rdb_encode_raw_string, rdbEncodeLen
    assert rdbEncodeLen(63) == b"\x3f"
    assert rdbEncodeLen(64) == b"\x40\x40"
    assert rdbEncodeLen(16383) == b"\x7f\xff"
    assert rdbEncodeLen(16384) == b"\x80\x00\x00\x40\x00"
    assert rdbEncodeLen(1 << 32) == b"\x81" + (1 << 32).to_bytes(8, "big")
    assert rdb_encode_raw_string(b"64") == b"\xc0\x40"
    assert rdb_encode_raw_string(b"-129") == b"\xc1\x7f\xff"
    assert rdb_encode_raw_string(b"2147483647") == b"\xc2\xff\xff\xff\x7f"
    assert rdb_encode_raw_string(b"2147483648") == b"\x0a2147483648"    # too big: verbatim
    assert rdb_encode_raw_string(b"007") == b"\x03007"                  # not canonical
    assert rdb_encode_raw_string(b"") == b"\x00"
    assert rdb_encode_raw_string(b"a" * 30)[:1] == b"\xc3"               # LZF
    assert rdb_encode_raw_string(os.urandom(30))[:1] == b"\x1e"          # incompressible


def test_listpack_fast_paths_match_the_codec():
    from pyredis.rdb import lp_fast_decode, lp_fast_encode
    rnd = random.Random(5)
    for _ in range(500):
        els = [rnd.choice([b"%d" % rnd.randint(-10 ** 12, 10 ** 12), b"x" * rnd.randint(0, 70),
                           b"-", b"0", b"01", os.urandom(rnd.randint(0, 5))])
               for _ in range(rnd.randint(0, 15))]
        blob = lpEncode(els)
        assert lp_fast_encode(els) == blob
        assert lp_fast_decode(blob) == lpDecode(blob)
    bad = bytearray(lpEncode([b"abc", b"def"]))
    bad[6] = 0x85                                     # claims 5 bytes: overruns
    with pytest.raises(ValueError):
        lp_fast_decode(bytes(bad))


def test_quicklist_nodes_follow_the_size_limit():
    from pyredis.rdb import quicklist_nodes
    nodes = quicklist_nodes([b"e%d" % i for i in range(2000)], -2)
    assert len(nodes) > 1
    assert all(c == 2 for c, _ in nodes)
    assert all(len(p) <= 8192 for _, p in nodes)
    assert sum(len(lpDecode(p)) for _, p in nodes) == 2000
    # A positive fill is a count limit.
    assert [len(lpDecode(p)) for _, p in quicklist_nodes([b"a"] * 10, 4)] == [4, 4, 2]


def test_crc64_combine_and_parallel():
    from pyredis.rio import crc64_parallel
    a, b = os.urandom(1000), os.urandom(777)
    assert crc64_combine(crc64(0, a), crc64(0, b), len(b)) == crc64(0, a + b)
    big = os.urandom((1 << 22) + 12345)
    assert crc64_parallel(0, big) == crc64(0, big)


def test_eof_mark_framing(monkeypatch):
    from pyredis.rdb import C_OK, rdbSaveRioWithEOFMark
    from pyredis.rio import rioInitWithBuffer
    monkeypatch.setattr(server, "db", [], raising=False)
    monkeypatch.setattr(server, "dbnum", 0, raising=False)
    monkeypatch.setenv("PYREDIS_RDB_AUX", "ctime=1700000000,used-mem=1000000")
    r = rioInitWithBuffer()
    assert rdbSaveRioWithEOFMark(0, r, None) == C_OK
    data = bytes(r.buf)
    assert data.startswith(b"$EOF:") and data[45:47] == b"\r\n"
    mark = data[5:45]
    assert data.endswith(mark)
    body = data[47:-40]
    assert body.startswith(b"REDIS0010")
    assert crc64(0, body[:-8]) == int.from_bytes(body[-8:], "little")
