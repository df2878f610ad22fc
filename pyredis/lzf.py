"""LZF compression, byte-compatible with the liblzf copy Redis 7.0 ships
(src/lzf_c.c, src/lzf_d.c, src/lzfP.h).

Redis builds liblzf with its defaults: HLOG=16, VERY_FAST=1, ULTRA_FAST=0,
INIT_HTAB=0, CHECK_INPUT=1.  The compressed stream format is:

    000LLLLL <L+1 bytes>            literal run of 1..32 bytes
    LLLooooo oooooooo               back reference, length L+2 (L in 1..6)
    111ooooo LLLLLLLL oooooooo      back reference, length L+9

with the offset o+1 counting back from the current output position.

The encoder here makes exactly the choices the C encoder makes (same hash,
same slot table, same match-length quirks, same re-hashing after a match), so
an RDB we write compares equal to one Redis writes.  The only theoretical
divergence: C leaves its hash table uninitialised (INIT_HTAB=0), so a stale
stack pointer could in principle produce a different (still valid) match; we
start from an empty table, which is what that code yields whenever the stale
pointers do not happen to land inside the new input.

Speed notes: the per-position hash is computed for the whole input up front
with big-integer "lane" arithmetic (C speed), the literal branch of the main
loop only bumps an index, and match lengths are measured by XOR-ing two
slices as integers instead of comparing byte by byte (a 24-byte window
first: most matches are short).  The slot table is a per-call dict:
cheaper than preparing 65536 slots for the short inputs an RDB is mostly
made of (one per listpack or quicklist node).  The tests check every choice
against a byte-by-byte transcription of the C loop.
"""

import sys
from array import array

# lzfP.h / lzf_c.c constants (HLOG=16 -> 65536 slots).
HLOG = 16
HSIZE = 1 << HLOG
MAX_LIT = 1 << 5
MAX_OFF = 1 << 13
MAX_REF = (1 << 8) + (1 << 3)

# How many input positions get their hash computed per big-int batch.  Keeps
# the temporary integers small enough to stay cache friendly.
_HASH_BATCH = 1 << 16
_BIAS_LANE = (0x80000).to_bytes(4, "little")
_MASK_LANE = (0xFFFF).to_bytes(4, "little")


def lzf_hash_positions(data):
    """Return an array('H') with the slot index of every position 0..len-3.

    The C IDX() macro for VERY_FAST is ((h >> 8) - h*5) & 0xffff where h
    holds the last bytes read; only the three bytes at the position matter,
    so the slot is ((b0<<8|b1) - 5*(b1<<8|b2)) & 0xffff.  We evaluate that for
    every position at once by packing the 16-bit words into 32-bit lanes of a
    Python int: a bias of 0x80000 per lane keeps each lane positive, so no
    borrow crosses lanes, and a final mask keeps the low 16 bits.
    """
    n = len(data) - 2
    out = array("H")
    if n <= 0:
        return out
    mv = memoryview(data)
    pos = 0
    while pos < n:
        cnt = min(_HASH_BATCH, n - pos)
        w0 = bytearray(4 * cnt)
        w0[1::4] = mv[pos:pos + cnt]
        w0[0::4] = mv[pos + 1:pos + 1 + cnt]
        w1 = bytearray(4 * cnt)
        w1[1::4] = mv[pos + 1:pos + 1 + cnt]
        w1[0::4] = mv[pos + 2:pos + 2 + cnt]
        x = (int.from_bytes(w0, "little")
             + int.from_bytes(_BIAS_LANE * cnt, "little")
             - 5 * int.from_bytes(w1, "little"))
        x &= int.from_bytes(_MASK_LANE * cnt, "little")
        xb = x.to_bytes(4 * cnt, "little")
        hb = bytearray(2 * cnt)
        hb[0::2] = xb[0::4]
        hb[1::2] = xb[1::4]
        chunk = array("H", bytes(hb))
        if sys.byteorder != "little":
            chunk.byteswap()
        out.extend(chunk)
        pos += cnt
    return out


# Below this size the slots are computed in one piece (_slots_and_words).
_SMALL_INPUT = 4096


def _emit_literals(out, data, start, end):
    """Append data[start:end] as literal runs of at most MAX_LIT bytes."""
    while start < end:
        run = min(MAX_LIT, end - start)
        out.append(run - 1)
        out += data[start:start + run]
        start += run


def lzf_compress(data, out_len=None):
    """Compress *data*; return the LZF stream, or None when it does not fit.

    Mirrors lzf_compress() in lzf_c.c, including its output-size limit:
    *out_len* is the size of the C output buffer and the result is None
    exactly when the C function would return 0 (its checks are slightly
    conservative, so a stream that would just fit can still be refused).
    Redis's rdbSaveLzfStringObject passes len-4, so that is the default
    here: None means "not worth compressing".  Empty input gives None, as C
    returns 0 for it.  Pass a large out_len to always get a stream back.
    """
    data = bytes(data)
    in_len = len(data)
    if out_len is None:
        out_len = in_len - 4
    if in_len == 0 or out_len <= 0:
        return None
    return _lzf_compress(data, in_len, out_len)


# Bytes compared before a match's full possible length (see the match loops).
_FIRST_WINDOW = 24

# Per input length: the lane constants of _slots_and_words (bias, mask).
_LANE_CONSTANTS = {}


def _slots_and_words(data, cnt):
    """The slot of every position 0..cnt-1 (as lzf_hash_positions), and each
    position's first two bytes as one number (b0 << 8 | b1): two arrays.

    A short input (the common case: one listpack) is done in one lane
    computation whose two constants depend only on the length, so they are
    kept per length. A long one goes through lzf_hash_positions' batches.
    """
    w = bytearray(2 * cnt)
    w[1::2] = data[:cnt]
    w[0::2] = data[1:cnt + 1]
    words = array("H", w)
    if cnt >= _SMALL_INPUT:
        slots = lzf_hash_positions(data)
    else:
        consts = _LANE_CONSTANTS.get(cnt)
        if consts is None:
            consts = _LANE_CONSTANTS[cnt] = (int.from_bytes(_BIAS_LANE * cnt, "little"),
                                             int.from_bytes(_MASK_LANE * cnt, "little"))
        w0 = bytearray(4 * cnt)
        w0[1::4] = data[:cnt]
        w0[0::4] = data[1:cnt + 1]
        w1 = bytearray(4 * cnt)
        w1[1::4] = data[1:cnt + 1]
        w1[0::4] = data[2:cnt + 2]
        x = (int.from_bytes(w0, "little") + consts[0]
             - 5 * int.from_bytes(w1, "little")) & consts[1]
        slots = array("I", x.to_bytes(4 * cnt, "little"))
        if sys.byteorder != "little":
            slots.byteswap()
    if sys.byteorder != "little":
        words.byteswap()
    return slots, words


def _lzf_compress(data, in_len, out_len):
    """The main loop of lzf_compress (see there).

    The slot table is a dict local to the call (a missing slot is C's empty
    slot; C's uninitialised table is discussed in the module docstring):
    cheaper than building, or cleaning, 65536 slots when the input is a
    few hundred bytes, as most are. The distance test only matters when
    the input is longer than the reach of a back reference. The loop is a
    `while` over positions so that a match skips what it covered by moving
    the index. The C output pointer is never kept: the size checks
    recompute it from len(out) and the pending literal stretch.
    """
    end2 = in_len - 2
    if end2 <= 0:
        # One or two bytes: no position has three bytes to hash, and C's
        # final bound check (room for the run header and up to three
        # trailing bytes) is the only one reached.
        out = bytearray()
        if 4 > out_len:
            return None
        _emit_literals(out, data, 0, in_len)
        return bytes(out)
    slots, words = _slots_and_words(data, end2)
    far = in_len > MAX_OFF
    table = {}
    get = table.get
    out = bytearray()
    append = out.append
    from_bytes = int.from_bytes
    lit_start = 0   # first byte of the pending literal stretch
    ip = 1          # position 0 can never be referenced (see lzf_compress)
    while ip < end2:
        h = slots[ip]
        ref = get(h)
        table[h] = ip
        # Same slot and same first two bytes implies the same third byte:
        # the slot is (w0 - 5*w1) mod 2**16 and 5 is invertible mod 2**16.
        if ref is None or words[ref] != words[ip] or (far and ip - ref > MAX_OFF):
            ip += 1
            continue
        nlit = ip - lit_start
        if nlit:
            # lzf checks "op >= out_end" before every literal byte; the
            # last byte of the stretch is the tightest of those checks.
            if len(out) + nlit + (nlit - 1) // MAX_LIT >= out_len:
                return None
            if nlit <= MAX_LIT:
                append(nlit - 1)
                out += data[lit_start:ip]
            else:
                _emit_literals(out, data, lit_start, ip)
        if len(out) + 4 >= out_len:
            return None
        # Match length, reproducing the C loop exactly: when more than 16
        # bytes could match it tests 16 bytes unconditionally (so it may
        # overshoot maxlen up to 19), otherwise it stops at maxlen. Most
        # matches are short: a small window is compared first, so the
        # usual case never turns a long slice into an integer.
        maxlen = in_len - ip - 2
        if maxlen > 16:
            lim = MAX_REF if maxlen > MAX_REF else (maxlen if maxlen > 19 else 19)
        else:
            lim = maxlen if maxlen > 3 else 3
        w = lim if lim < _FIRST_WINDOW else _FIRST_WINDOW
        a = data[ref:ref + w]
        b = data[ip:ip + w]
        if a != b:
            count = w - (((from_bytes(a, "big") ^ from_bytes(b, "big")).bit_length() + 7) >> 3)
        elif w == lim:
            count = lim
        else:
            a = data[ref:ref + lim]
            b = data[ip:ip + lim]
            if a == b:
                count = lim
            else:
                count = lim - (((from_bytes(a, "big") ^ from_bytes(b, "big")).bit_length() + 7) >> 3)
        ln = count - 2
        off = ip - ref - 1
        if ln < 7:
            append((off >> 8) + (ln << 5))
        else:
            append((off >> 8) + (7 << 5))
            append(ln - 7)
        append(off & 0xFF)
        ip += count
        lit_start = ip
        if ip >= end2:
            break
        # VERY_FAST: only the last two positions of the match are hashed.
        table[slots[ip - 2]] = ip - 2
        table[slots[ip - 1]] = ip - 1
    # The loop stopped at end2, or past it after a final match. Literal
    # bytes met inside the loop are each bounds-checked in C ...
    nlit = ip - lit_start
    if nlit > 0 and len(out) + nlit + (nlit - 1) // MAX_LIT >= out_len:
        return None
    # ... then one check covers the (at most three) trailing bytes.
    if len(out) + nlit + nlit // MAX_LIT + 1 + 3 > out_len:
        return None
    _emit_literals(out, data, lit_start, in_len)
    return bytes(out)


def lzf_decompress(data, expected_len):
    """Decompress an LZF stream that must expand to exactly *expected_len*.

    Mirrors lzf_decompress() in lzf_d.c with CHECK_INPUT on, plus the check
    its caller rdbLoadLzfStringObject makes (result length == expected).
    Raises ValueError on truncated input, a reference before the start of
    the output, output overflow or a length mismatch.
    """
    if type(data) is not bytes:
        data = bytes(data)
    in_len = len(data)
    out = bytearray()
    olen = 0        # len(out), tracked to save a call per item
    ip = 0
    while ip < in_len:
        ctrl = data[ip]
        ip += 1
        if ctrl < MAX_LIT:
            ctrl += 1
            end = ip + ctrl
            if olen + ctrl > expected_len:
                raise ValueError("lzf: output overflow")
            if end > in_len:
                raise ValueError("lzf: truncated literal run")
            out += data[ip:end]
            olen += ctrl
            ip = end
        else:
            ln = ctrl >> 5
            if ip >= in_len:
                raise ValueError("lzf: truncated back reference")
            if ln == 7:
                ln += data[ip]
                ip += 1
                if ip >= in_len:
                    raise ValueError("lzf: truncated back reference")
            dist = ((ctrl & 0x1F) << 8) + data[ip] + 1
            ip += 1
            ln += 2
            if olen + ln > expected_len:
                raise ValueError("lzf: output overflow")
            if dist > olen:
                raise ValueError("lzf: back reference before start of output")
            start = olen - dist
            if dist >= ln:
                out += out[start:start + ln]
            else:
                # Overlapping copy repeats the last `dist` bytes.
                pattern = bytes(out[start:])
                reps, rem = divmod(ln, dist)
                out += pattern * reps + pattern[:rem]
            olen += ln
    if olen != expected_len:
        raise ValueError("lzf: decompressed length mismatch")
    return bytes(out)
