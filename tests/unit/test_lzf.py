"""pyredis.lzf: known answers from Redis's liblzf, round trips, error
handling, and byte-for-byte comparison with what a real Redis puts in DUMP."""

import random

import pytest
from codec_redis import (
    needs_redis,
    rdb_load_string_raw,
    split_dump,
    start_redis,
    stop_redis,
)

from pyredis.crc64 import crc64
from pyredis.lzf import lzf_compress, lzf_decompress

# Produced by Redis 7.0.15's src/lzf_c.c compiled as-is (out buffer 2x input).
KNOWN = [
    (b"a" * 40, "016161e01b00016161"),
    (b"hello hello hello hello hello!", "0668656c6c6f2068e00c05016f21"),
    (b"abcabcabcabcabcabcabcabcabcabcabcabc", "0361626361e01502016263"),
    (bytes(range(50)) * 3,
     ("1f000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f12"
     "202122232425262728292a2b2c2d2e2f303100e05831013031")),
    ((b"The quick brown fox jumps over the lazy dog. "
     b"The quick brown fox jumps over the lazy dog."),
     ("1f54686520717569636b2062726f776e20666f78206a756d7073206f766572207420"
     "1e0a6c617a7920646f672e2054200de01d2c01672e")),
]


@pytest.mark.parametrize(("data", "expected"), KNOWN)
def test_known_answers(data, expected):
    assert lzf_compress(data, 2 * len(data)).hex() == expected
    assert lzf_decompress(bytes.fromhex(expected), len(data)) == data


def _samples(rnd):
    yield b""
    yield b"x"
    yield b"ab"
    yield b"abc"
    for n in (5, 31, 32, 33, 64, 300, 5000, 70000):
        yield bytes(rnd.randrange(256) for _ in range(n))
        yield bytes(rnd.choice(b"ab") for _ in range(n))
        yield b"z" * n
    words = [bytes(rnd.randrange(97, 123) for _ in range(rnd.randrange(1, 9)))
             for _ in range(40)]
    yield b" ".join(rnd.choice(words) for _ in range(20000))


def test_round_trip():
    rnd = random.Random(1234)
    for data in _samples(rnd):
        comp = lzf_compress(data, 2 * len(data) + 16)
        if not data:
            assert comp is None
            continue
        assert lzf_decompress(comp, len(data)) == data


def _reference_compress(data, out_len):
    """lzf_c.c's loop (HLOG 16, VERY_FAST) transcribed byte by byte, with C's
    output-pointer checks, as an independent oracle for lzf_compress (which
    batches the hashing and measures matches on slices). Slow; tests only."""
    n = len(data)
    if n == 0:
        return None
    htab = {}
    out = bytearray(out_len + 300)   # C's buffer; writes past out_len are refused
    op = 1                           # the header byte of the first literal run
    lit = 0
    ip = 0

    def copy_literal():
        # One byte into the current run; a full run (32) is closed and a
        # new header byte reserved.
        nonlocal op, ip, lit
        lit += 1
        out[op] = data[ip]
        op += 1
        ip += 1
        if lit == 32:
            out[op - lit - 1] = lit - 1
            lit = 0
            op += 1

    def slot(p):
        h = (data[p] << 16) | (data[p + 1] << 8) | data[p + 2]
        return ((h >> 8) - h * 5) & 0xFFFF

    while ip < n - 2:
        h = slot(ip)
        ref = htab.get(h)
        htab[h] = ip
        if (ref is not None and ref > 0 and ip - ref - 1 < 8192
                and data[ref:ref + 3] == data[ip:ip + 3]):
            length = 2
            maxlen = min(n - ip - length, 264)
            if op + 3 + 1 >= out_len and op - (lit == 0) + 3 + 1 >= out_len:
                return None
            out[op - lit - 1] = lit - 1 if lit else 0
            op -= lit == 0
            if maxlen > 16:
                # C unrolls 16 tests without looking at maxlen
                for _ in range(16):
                    length += 1
                    if data[ref + length] != data[ip + length]:
                        break
                else:
                    length += 1
                    while length < maxlen and data[ref + length] == data[ip + length]:
                        length += 1
            else:
                length += 1
                while length < maxlen and data[ref + length] == data[ip + length]:
                    length += 1
            length -= 2
            ip += 1
            off = ip - ref - 1 - 1
            if length < 7:
                out[op] = (off >> 8) + (length << 5)
                op += 1
            else:
                out[op] = (off >> 8) + (7 << 5)
                out[op + 1] = length - 7
                op += 2
            out[op] = off & 0xFF
            op += 2              # the byte, then a fresh literal header
            lit = 0
            ip += length + 1
            if ip >= n - 2:
                break
            ip -= 2
            htab[slot(ip)] = ip
            ip += 1
            htab[slot(ip)] = ip
            ip += 1
        else:
            if op >= out_len:
                return None
            copy_literal()
    if op + 3 > out_len:
        return None
    while ip < n:
        copy_literal()
    out[op - lit - 1] = lit - 1 if lit else 0
    op -= lit == 0
    return bytes(out[:op])


@pytest.mark.parametrize("data", [d for d, _ in KNOWN])
def test_reference_agrees_with_known_answers(data):
    """The oracle itself reproduces Redis's bytes."""
    expected = dict(KNOWN)[data]
    assert _reference_compress(data, 2 * len(data)).hex() == expected


def test_matches_reference_loop():
    """Random inputs, short and past a back reference's reach (8 KB), each
    with several output limits: every choice and every refusal as in C."""
    rnd = random.Random(99)
    words = [b"field:", b"value:", b"\x00" * 7, b"-12", b"abc"]
    for i in range(300):
        n = rnd.choice((3, 4, 5, 20, 21, 33, 100, 277, 1000, 4000, 9000, 20000))
        kind = i % 4
        if kind == 0:
            data = rnd.randbytes(n)
        elif kind == 1:
            data = bytes(rnd.choice(b"ab") for _ in range(n))
        elif kind == 2:
            data = b"".join(rnd.choice(words) + b"%d" % rnd.randrange(50)
                            for _ in range(n // 4 + 1))[:n]
        else:
            data = (rnd.randbytes(rnd.randint(1, 6)) * n)[:n]
        for out_len in (2 * n + 16, n - 4, n // 2, 4):
            if out_len <= 0:
                continue
            ours = lzf_compress(data, out_len)
            assert ours == _reference_compress(data, out_len), (i, len(data), out_len)
            if ours is not None:
                assert lzf_decompress(ours, len(data)) == data


def test_out_len_limit():
    # Incompressible data never fits in len-4 bytes, which is what Redis asks.
    data = random.Random(5).randbytes(1000)
    assert lzf_compress(data) is None
    assert lzf_compress(data, len(data) - 4) is None
    assert lzf_compress(b"abcd") is None  # nothing to gain below 5 bytes
    comp = lzf_compress(b"a" * 100)
    assert comp is not None and len(comp) <= 96
    # Shrinking the budget below the result flips it to None.
    assert lzf_compress(b"a" * 100, len(comp) - 1) is None


def test_decompress_errors():
    good = lzf_compress(b"hello hello hello hello hello!", 100)
    with pytest.raises(ValueError):
        lzf_decompress(good, 29)           # output would overflow
    with pytest.raises(ValueError):
        lzf_decompress(good, 31)           # too short
    with pytest.raises(ValueError):
        lzf_decompress(good[:-1], 30)      # truncated stream
    with pytest.raises(ValueError):
        lzf_decompress(b"\x05abc", 6)      # literal run past the input
    with pytest.raises(ValueError):
        lzf_decompress(b"\x00a\x20\x05", 10)  # reference before the output
    with pytest.raises(ValueError):
        lzf_decompress(b"\x00a\xe0", 10)   # long reference missing its bytes


def test_overlapping_reference():
    # One literal then a back reference of length 9 at distance 1.
    assert lzf_decompress(b"\x00q\xe0\x00\x00", 10) == b"q" * 10


@pytest.fixture(scope="module")
def real_redis():
    proc, client, tmp = start_redis()
    yield client
    stop_redis(proc, client, tmp)


def _compressible_values():
    rnd = random.Random(99)
    words = [bytes(rnd.randrange(97, 123) for _ in range(rnd.randrange(2, 10)))
             for _ in range(300)]
    yield b"a" * 25
    yield b"0123456789" * 7
    yield b"abc" * 1000 + b"tail"
    yield b" ".join(rnd.choice(words) for _ in range(3000))
    yield bytes(rnd.randrange(4) for _ in range(20000))
    yield bytes(rnd.randrange(256) for _ in range(200)) * 50
    for n in (21, 22, 40, 100, 1000):
        yield bytes(rnd.choice(b"xy") for _ in range(n))


@needs_redis
def test_matches_redis_dump(real_redis):
    real_redis.config_set("rdbcompression", "yes")
    for i, value in enumerate(_compressible_values()):
        key = f"lzf:{i}"
        real_redis.set(key, value)
        payload = real_redis.dump(key)
        rdb_type, body, _version, crc = split_dump(payload)
        assert rdb_type == 0
        assert crc64(0, payload[:-8]) == crc
        kind, obj, _ = rdb_load_string_raw(body, 0)
        ours = lzf_compress(value, len(value) - 4)
        if kind == "lzf":
            comp, ulen = obj
            assert ulen == len(value)
            assert ours == comp, f"value #{i} compressed differently"
            assert lzf_decompress(comp, ulen) == value
        else:
            assert kind == "raw" and obj == value
            assert ours is None, f"Redis stored value #{i} uncompressed"


@needs_redis
def test_incompressible_stored_raw(real_redis):
    real_redis.config_set("rdbcompression", "yes")
    value = random.Random(3).randbytes(500)
    real_redis.set("lzf:raw", value)
    _t, body, _v, _c = split_dump(real_redis.dump("lzf:raw"))
    kind, obj, _ = rdb_load_string_raw(body, 0)
    assert kind == "raw" and obj == value
    assert lzf_compress(value) is None
