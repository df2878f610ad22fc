"""Tests for pyredis.hyperloglog: byte-for-byte against a real Redis 7.0."""

import random
import time

import pytest

from pyredis.hyperloglog import (
    HLL_DENSE,
    HLL_DENSE_GET_REGISTER,
    HLL_DENSE_SET_REGISTER,
    HLL_DENSE_SIZE,
    HLL_HDR_SIZE,
    HLL_INVALIDATE_CACHE,
    HLL_RAW,
    HLL_REGISTERS,
    HLL_SPARSE,
    HLL_VALID_CACHE,
    MurmurHash64A,
    hll_create,
    hll_dense_to_raw,
    hll_get_cached_card,
    hll_is_valid,
    hll_raw_to_dense_registers,
    hll_set_cached_card,
    hllAdd,
    hllCount,
    hllMerge,
    hllPatLen,
    hllSparseSet,
    hllSparseToDense,
)


def pfadd(o, elements, sparse_max_bytes=3000):
    """What pfaddCommand does around hllAdd; returns (o, updated)."""
    updated = 0
    if o is None:
        o = hll_create()
        updated += 1
    for e in elements:
        rv = hllAdd(o, e, sparse_max_bytes)
        assert rv != -1
        updated += rv
    if updated:
        HLL_INVALIDATE_CACHE(o)
    return o, updated


def pfcount(o):
    """What pfcountCommand does for one key, including the cache write."""
    if HLL_VALID_CACHE(o):
        return hll_get_cached_card(o)
    card, invalid = hllCount(o)
    assert not invalid
    hll_set_cached_card(o, card)
    return card


def elements(prefix, n):
    return [b"%s:%d" % (prefix, i) for i in range(n)]


# --- in-process -------------------------------------------------------------

def test_create_is_single_xzero():
    o = hll_create()
    assert bytes(o) == b"HYLL\x01\x00\x00\x00" + b"\x00" * 8 + b"\x7f\xff"
    assert hll_is_valid(o)
    assert hllCount(o) == (0, False)


def test_dense_register_packing_round_trip():
    rnd = random.Random(3)
    o = bytearray(HLL_DENSE_SIZE)
    o[0:4] = b"HYLL"
    values = [rnd.randrange(64) for _ in range(HLL_REGISTERS)]
    for i, v in enumerate(values):
        HLL_DENSE_SET_REGISTER(o, i, v)
    assert [HLL_DENSE_GET_REGISTER(o, i) for i in range(HLL_REGISTERS)] == values
    assert list(hll_dense_to_raw(o)) == values
    assert hll_raw_to_dense_registers(bytes(values)) == o[HLL_HDR_SIZE:]


def test_murmur_tails_and_blocks():
    # Every tail length 0..7 on top of 0..2 full blocks, checked against an
    # independent straight transcription of the C loop.
    def ref(key, seed):
        m, r, mask = 0xC6A4A7935BD1E995, 47, (1 << 64) - 1
        h = (seed ^ (len(key) * m)) & mask
        n8 = len(key) - len(key) % 8
        for i in range(0, n8, 8):
            k = sum(key[i + j] << (8 * j) for j in range(8))
            k = (k * m) & mask
            k ^= k >> r
            k = (k * m) & mask
            h ^= k
            h = (h * m) & mask
        tail = key[n8:]
        for j in range(len(tail) - 1, -1, -1):
            h ^= tail[j] << (8 * j)
        if tail:
            h = (h * m) & mask
        h ^= h >> r
        h = (h * m) & mask
        h ^= h >> r
        return h
    for n in range(24):
        key = bytes(range(1, n + 1))
        assert MurmurHash64A(key, 0xADC83B19) == ref(key, 0xADC83B19)


def test_patlen_range():
    for e in elements(b"x", 2000):
        count, index = hllPatLen(e)
        assert 1 <= count <= 51 and 0 <= index < HLL_REGISTERS


def test_sparse_promotes_on_big_value():
    o = hll_create()
    assert hllSparseSet(o, 100, 5) == 1
    assert hllSparseSet(o, 100, 5) == 0
    assert hllSparseSet(o, 200, 33) == 1  # 33 does not fit a VAL opcode
    assert o[4] == HLL_DENSE and len(o) == HLL_DENSE_SIZE
    assert HLL_DENSE_GET_REGISTER(o, 100) == 5
    assert HLL_DENSE_GET_REGISTER(o, 200) == 33


def test_sparse_matches_dense_model():
    rnd = random.Random(5)
    for _ in range(20):
        o = hll_create()
        model = [0] * HLL_REGISTERS
        for _ in range(rnd.randint(1, 400)):
            idx = rnd.randrange(HLL_REGISTERS) if rnd.random() < 0.5 else rnd.randrange(40)
            val = rnd.randint(1, 32)
            rv = hllSparseSet(o, idx, val, 10_000)
            assert rv == (1 if val > model[idx] else 0)
            model[idx] = max(model[idx], val)
        assert o[4] == HLL_SPARSE
        raw = bytearray(HLL_REGISTERS)
        assert hllMerge(raw, o) == 0
        assert list(raw) == model
        d = bytearray(o)
        assert hllSparseToDense(d) == 0
        assert list(hll_dense_to_raw(d)) == model
        assert hllCount(d)[0] == hllCount(o)[0]


def test_corrupt_sparse_detected():
    o = hll_create()
    o[-1] = 0x00  # XZERO now covers 16129 registers, not 16384
    assert hllCount(o)[1] is True
    assert hllSparseSet(o, 16383, 3) == -1
    assert hllSparseToDense(bytearray(o)) == -1
    assert hllMerge(bytearray(HLL_REGISTERS), o) == -1
    assert not hll_is_valid(b"HYLL\x02" + b"\x00" * 11)
    assert not hll_is_valid(b"HYLL\x00" + b"\x00" * 11 + b"\x00" * 10)
    assert not hll_is_valid(b"HYLX\x01" + b"\x00" * 11 + b"\x7f\xff")
    assert not hll_is_valid(b"HYLL")


# --- against real Redis -----------------------------------------------------

def test_empty_pfadd_bytes(r):
    # createHLLObject leaves a valid cached 0; PFADD then counts the
    # creation as an update and marks the cache stale.
    r.pfadd("k")
    o, updated = pfadd(None, [])
    assert updated == 1
    assert r.get("k") == bytes(o)
    assert bytes(o) == bytes(hll_create())[:15] + b"\x80" + b"\x7f\xff"


def test_sparse_bytes_match_step_by_step(r):
    o = None
    els = elements(b"sparse", 400)
    for i, e in enumerate(els):
        o, upd = pfadd(o, [e])
        assert r.pfadd("k", e) == (1 if upd else 0)
        if i % 7 == 0 or i > 390:
            assert r.get("k") == bytes(o), i
    assert o[4] == HLL_SPARSE
    assert r.pfcount("k") == pfcount(o)
    # PFCOUNT wrote the cached cardinality into both values.
    assert r.get("k") == bytes(o)


@pytest.mark.parametrize("max_bytes", [3000, 400])
def test_promotion_to_dense_matches(r, max_bytes):
    r.config_set("hll-sparse-max-bytes", max_bytes)
    try:
        o = None
        els = elements(b"grow%d" % max_bytes, 6000)
        promoted_at = None
        for i in range(0, len(els), 50):
            batch = els[i:i + 50]
            o, _ = pfadd(o, batch, max_bytes)
            r.pfadd("k", *batch)
            assert r.get("k") == bytes(o), i
            if promoted_at is None and o[4] == HLL_DENSE:
                promoted_at = i
        assert promoted_at is not None
        assert r.pfcount("k") == pfcount(o)
        assert r.get("k") == bytes(o)
    finally:
        r.config_set("hll-sparse-max-bytes", 3000)


@pytest.mark.parametrize("n", [0, 1, 10, 100, 1000, 5000, 20000, 100000])
def test_pfcount_matches(r, n):
    els = elements(b"card%d" % n, n)
    o = hll_create()
    for e in els:
        hllAdd(o, e)
    HLL_INVALIDATE_CACHE(o)
    pipe = r.pipeline(transaction=False)
    pipe.pfadd("k")
    for i in range(0, n, 1000):
        pipe.pfadd("k", *els[i:i + 1000])
    pipe.execute()
    blob = r.get("k")
    assert blob == bytes(o)
    real = r.pfcount("k")
    assert pfcount(o) == real
    # A Redis-made blob loaded straight into our estimator.
    assert hllCount(bytearray(blob))[0] == real


def test_pfcount_union_and_merge(r):
    a, b = elements(b"ua", 3000), elements(b"ub", 500) + elements(b"ua", 200)
    r.pfadd("a", *a)
    r.pfadd("b", *b)
    regs = bytearray(HLL_REGISTERS)
    for key in ("a", "b"):
        assert hllMerge(regs, bytearray(r.get(key))) == 0
    raw_hdr = bytearray(HLL_HDR_SIZE) + regs
    raw_hdr[4] = HLL_RAW
    assert hllCount(raw_hdr)[0] == r.pfcount("a", "b")
    # PFMERGE into a new key: dense inputs make a dense target whose
    # registers are the merged maxima.
    r.pfmerge("m", "a", "b")
    blob = bytearray(r.get("m"))
    assert blob[4] == HLL_DENSE
    assert hll_dense_to_raw(blob) == regs


def test_redis_rejects_what_we_reject(r):
    import redis
    bad = hll_create()
    bad[-1] = 0
    HLL_INVALIDATE_CACHE(bad)  # else PFCOUNT answers from the cache
    r.set("bad", bytes(bad))
    with pytest.raises(redis.ResponseError, match="INVALIDOBJ"):
        r.pfcount("bad")
    assert hllCount(bad)[1]
    r.set("notype", b"HYLL\x05" + b"\x00" * 20)
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.pfcount("notype")
    assert not hll_is_valid(b"HYLL\x05" + b"\x00" * 20)


def test_pfadd_speed(capsys):
    els = elements(b"speed", 60000)
    o = hll_create()
    t0 = time.perf_counter()
    i = 0
    while o[4] == HLL_SPARSE:
        hllAdd(o, els[i])
        i += 1
    sparse_n, sparse_t = i, time.perf_counter() - t0
    t0 = time.perf_counter()
    for e in els[i:]:
        hllAdd(o, e)
    dense_n, dense_t = len(els) - i, time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(20):
        hllCount(o)
    count_t = (time.perf_counter() - t0) / 20
    with capsys.disabled():
        print(f"\n[hll] sparse add: {sparse_t / sparse_n * 1e6:.1f}us/elem over {sparse_n} "
              f"(until promotion); dense add: {dense_t / dense_n * 1e6:.2f}us/elem; "
              f"dense hllCount: {count_t * 1000:.2f}ms")
