"""Utility functions: our util.c, plus the parsing helpers of sds.c we need.

Number parsing is where Redis is strictest and Python most forgiving:
`int()` takes "+5", " 5", "0_5" and "05", and `float()` takes "1_0" and
surrounding spaces; Redis rejects all of them. Every command that parses a
number goes through the functions here so the replies match Redis's.

INCRBYFLOAT and HINCRBYFLOAT compute in C's `long double`, which on x86-64
is the 80-bit x87 format (64-bit significand). A Python float would print
`0.1` as 0.10000000000000001 where Redis prints 0.1, so we emulate the
format exactly with `fractions.Fraction`: parse exactly, round to a 64-bit
significand after every operation, print with `%.17Lf` semantics.
"""

import os
import re
import sys
import time
from fractions import Fraction

LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)
ULLONG_MAX = (1 << 64) - 1
MAX_LONG_DOUBLE_CHARS = 5 * 1024


def ustime():
    """Unix time in microseconds (server.c's ustime)."""
    return time.time_ns() // 1000


def mstime():
    """Unix time in milliseconds (server.c's mstime)."""
    return time.time_ns() // 1000000


# ---------------------------------------------------------------------------
# Integers
# ---------------------------------------------------------------------------
def string2ll(s):
    """Parse a strict decimal long long (util.c's string2ll); None when invalid.

    Accepted: "0", or an optional '-' then a digit 1-9 and more digits,
    within the signed 64-bit range. Rejected, as in Redis: empty strings,
    '+', spaces, leading zeros, anything past 20 characters.
    """
    n = len(s)
    if n == 0 or n > 20:
        return None
    if s.isdigit():
        if s[0] == 48 and n != 1:
            return None
        v = int(s)
        return v if v <= LLONG_MAX else None
    if s[0] == 45 and n > 1:
        t = s[1:]
        if t.isdigit() and t[0] != 48:
            v = -int(t)
            return v if v >= LLONG_MIN else None
    return None


string2l = string2ll  # long is 64 bits on the platforms Redis 7 targets


def string2ull(s):
    """Parse an unsigned long long as strtoull would for Redis (util.c's string2ull)."""
    if s[:1] == b"-":
        v = string2ll(s)
        return None if v is None else v & ULLONG_MAX
    if not s or not s.isdigit() or len(s) > 20:
        return None
    v = int(s)
    return v if v <= ULLONG_MAX else None


def ll2string(v):
    """Format an integer as Redis does (util.c's ll2string)."""
    return b"%d" % v


# ---------------------------------------------------------------------------
# Floating point
# ---------------------------------------------------------------------------
# What strtod/strtold accept as a whole string (Redis demands that the whole
# input is consumed). The exponent is only part of the number when digits
# follow it, so "1e" fails the full match, as it fails Redis's end check.
_DEC_RE = re.compile(rb"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_HEX_RE = re.compile(rb"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?\Z")
_INF_RE = re.compile(rb"[+-]?(?:inf|infinity)\Z", re.I)
_NAN_RE = re.compile(rb"[+-]?nan(?:\([0-9A-Za-z_]*\))?\Z", re.I)
_PLAIN_DEC_RE = re.compile(rb"-?[0-9]+(?:\.[0-9]*)?\Z")


def _strtod_exact(s):
    """Parse like strtod over the whole string: ('num', Fraction) | ('inf', sign) | ('nan',) | None."""
    if _DEC_RE.match(s):
        return ("num", _decimal_fraction(s))
    if _HEX_RE.match(s):
        return ("num", _hex_fraction(s))
    if _INF_RE.match(s):
        return ("inf", -1 if s[:1] == b"-" else 1)
    if _NAN_RE.match(s):
        return ("nan",)
    return None


# The exact value is what strtod/strtold round, but building it can cost
# more than the answer is worth: "1e999999999" is a 10**999999999, minutes
# of work for Python, where strtold says "overflow" at once. Values past a
# long double's range (largest 1.19e4932 < 2**16384, smallest denormal
# 2**-16445 = 3.6e-4951) are all alike to the callers, so they get a cheap
# stand-in just out of range, with the right sign.
_OUT_OF_RANGE_BIG = Fraction(10) ** 5000
_OUT_OF_RANGE_TINY = 1 / _OUT_OF_RANGE_BIG
# Significant digits a decimal can need to round correctly to a long double:
# a halfway point between two denormals has about 11,500. Beyond these,
# digits only tell which side of such a point the value lies on, which one
# nonzero "sticky" digit in their place preserves.
_MAX_SIG_DIGITS = 12000
_DEC_PARTS_RE = re.compile(rb"([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?)(\d+))?\Z")
_HEX_PARTS_RE = re.compile(rb"([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?)(\d+))?\Z")


def _exponent(sign, digits):
    """An exponent's value; past 18 digits, any value far out of range does."""
    digits = digits.lstrip(b"0")
    e = int(digits or b"0") if len(digits) <= 18 else 10 ** 18
    return -e if sign == b"-" else e


class _no_int_digit_limit:
    """Lift Python's 4300-digit guard on int <-> str for a block: long
    doubles reach ~4933 digits and Redis accepts such arguments (the
    callers bound the length)."""

    def __enter__(self):
        self.old = sys.get_int_max_str_digits()
        sys.set_int_max_str_digits(0)

    def __exit__(self, *exc):
        sys.set_int_max_str_digits(self.old)


def _int_nolimit(digits, base=10):
    """int(digits) without Python's 4300-digit guard."""
    if len(digits) < 4300 or base != 10:
        return int(digits, base)
    with _no_int_digit_limit():
        return int(digits)


def _decimal_fraction(s):
    """Exact value of a decimal literal that matched _DEC_RE (bounded cost, see above)."""
    sign, ip, fp, esign, edigits = _DEC_PARTS_RE.match(s).groups()
    digits = (ip + fp).lstrip(b"0")
    if not digits:
        return Fraction(0)
    sig = digits.rstrip(b"0")
    scale = len(digits) - len(sig) - len(fp)
    if edigits:
        scale += _exponent(esign, edigits)
    neg = sign == b"-"
    # The value lies in [10**(top-1), 10**top).
    top = len(sig) + scale
    if top - 1 >= 4933:
        return -_OUT_OF_RANGE_BIG if neg else _OUT_OF_RANGE_BIG
    if top < -4952:
        return -_OUT_OF_RANGE_TINY if neg else _OUT_OF_RANGE_TINY
    if len(sig) > _MAX_SIG_DIGITS:
        scale += len(sig) - _MAX_SIG_DIGITS - 1
        sig = sig[:_MAX_SIG_DIGITS] + b"1"
    n = _int_nolimit(sig)
    v = Fraction(n * 10 ** scale) if scale >= 0 else Fraction(n, 10 ** -scale)
    return -v if neg else v


def _hex_fraction(s):
    """Exact value of a C hex float literal that matched _HEX_RE: long ones
    exceed a double's precision, and a long double's exponents a double's range."""
    sign, ip, fp, esign, edigits = _HEX_PARTS_RE.match(s).groups()
    mant = int((ip + fp) or b"0", 16)
    if not mant:
        return Fraction(0)
    scale = (_exponent(esign, edigits) if edigits else 0) - 4 * len(fp)
    neg = sign == b"-"
    # The value lies in [2**(top-1), 2**top).
    top = mant.bit_length() + scale
    if top - 1 >= 16384:
        return -_OUT_OF_RANGE_BIG if neg else _OUT_OF_RANGE_BIG
    if top < -16447:
        return -_OUT_OF_RANGE_TINY if neg else _OUT_OF_RANGE_TINY
    v = Fraction(mant << scale) if scale >= 0 else Fraction(mant, 1 << -scale)
    return -v if neg else v


def string2d(s):
    """Parse a strict double (util.c's string2d); None when invalid.

    Rejects leading spaces, trailing garbage, NaN, and overflow/underflow to
    ±HUGE_VAL or zero; accepts "inf"/"-inf", as strtod does.
    """
    # Fast path for the common plain decimals ("3", "-1.5"): short enough
    # that they cannot overflow or underflow, and float() rounds correctly
    # like strtod.  Everything else takes the exact route below.
    if len(s) <= 30 and (s.isdigit() or _PLAIN_DEC_RE.match(s)):
        return float(s)
    if not s or s[:1].isspace():
        return None
    p = _strtod_exact(s)
    if p is None or p[0] == "nan":
        return None
    if p[0] == "inf":
        return float("inf") * p[1]
    try:
        v = float(p[1])
    except OverflowError:
        return None
    if v == 0.0 and s[:1] == b"-":
        v = -0.0         # a Fraction has no signed zero; strtod keeps the sign
    if v == 0.0 and p[1] != 0:
        return None      # underflowed to zero: ERANGE in C ("0e99999" is a plain zero)
    return v


# The x87 extended format: 64-bit significand, exponents down to -16382.
_LD_MANT_BITS = 64
_LD_MAX_EXP = 16384
_LD_MIN_EXP = -16382


def ld_round(q):
    """Round an exact Fraction to the nearest x87 long double (ties to even).

    Returns the rounded Fraction, or a float infinity on overflow. Python
    has no long double; this keeps INCRBYFLOAT's results bit-identical to
    Redis on x86-64. The work is done on the numerator and denominator as
    integers: Fraction arithmetic (powers of two, multiplications that
    renormalise) cost ~80 us per call, integer shifts a few.
    """
    if not isinstance(q, Fraction) or q == 0:
        return q
    n = q.numerator
    d = q.denominator
    sign = 1
    if n < 0:
        sign = -1
        n = -n
    # e = floor(log2(n / d)), from the bit lengths, corrected by one.
    e = n.bit_length() - d.bit_length()
    if (d << e if e >= 0 else d) > (n if e >= 0 else n << -e):
        e -= 1
    if e >= _LD_MAX_EXP:
        return sign * float("inf")
    # Denormals keep fewer significand bits: fix the scale at the minimum.
    shift = _LD_MANT_BITS - 1 - max(e, _LD_MIN_EXP)
    if shift >= 0:
        m, rem = divmod(n << shift, d)
        den = d
    else:
        den = d << -shift
        m, rem = divmod(n, den)
    twice = rem << 1
    if twice > den or (twice == den and m & 1):
        m += 1
    if shift >= 0:
        r = Fraction(m, 1 << shift)
    else:
        r = Fraction(m << -shift)
    if r.numerator >= (r.denominator << _LD_MAX_EXP):
        return sign * float("inf")
    return sign * r


def string2ld(s):
    """Parse a strict long double (util.c's string2ld); a Fraction, ±inf, or None."""
    if not s or len(s) >= MAX_LONG_DOUBLE_CHARS or s[:1].isspace():
        return None
    p = _strtod_exact(s)
    if p is None or p[0] == "nan":
        return None
    if p[0] == "inf":
        return float("inf") * p[1]
    v = ld_round(p[1])
    if isinstance(v, float):
        return None           # overflow: ERANGE with HUGE_VAL
    if v == 0 and p[1] != 0:
        return None           # underflow to zero
    return v


LD_STR_AUTO = 0
LD_STR_HUMAN = 1
LD_STR_HEX = 2


def _int_str(n):
    """str(n) without Python's 4300-digit guard."""
    try:
        return str(n)
    except ValueError:
        with _no_int_digit_limit():
            return str(n)


def ld2string(value, mode=LD_STR_HUMAN):
    """Format a long double (a Fraction from string2ld/ld_round) as Redis does (ld2string).

    LD_STR_HUMAN is `%.17Lf` with trailing zeros and a trailing dot removed,
    and "-0" turned into "0"; LD_STR_AUTO is `%.17Lg`.
    """
    if isinstance(value, float):
        if value == float("inf"):
            return b"inf"
        if value == float("-inf"):
            return b"-inf"
        value = Fraction(value)
    if mode == LD_STR_HUMAN:
        neg = value < 0
        n = round(abs(value) * 10 ** 17)
        digits = _int_str(n).rjust(18, "0")
        s = digits[:-17] + "." + digits[-17:]
        s = s.rstrip("0")
        if s.endswith("."):
            s = s[:-1]
        if neg and s != "0":
            s = "-" + s
        return s.encode()
    return _format_g(value, 17).encode()


def _format_g(value, prec):
    """`%.<prec>g` of an exact Fraction (glibc rounds the exact binary value)."""
    if value == 0:
        return "0"
    neg = value < 0
    a = abs(value)
    # Exponent in base 10 of the rounded value.
    e = len(_int_str(a.numerator)) - len(_int_str(a.denominator))
    if Fraction(10) ** e > a:
        e -= 1
    if Fraction(10) ** (e + 1) <= a:
        e += 1
    m = round(a / Fraction(10) ** (e - prec + 1))
    if m >= 10 ** prec:
        m //= 10
        e += 1
    digits = _int_str(m)
    if -4 <= e < prec:
        if e >= 0:
            s = digits[:e + 1] + "." + digits[e + 1:]
        else:
            s = "0." + "0" * (-e - 1) + digits
        if "." in s:
            s = s.rstrip("0").rstrip(".")
    else:
        mant = digits[0] + "." + digits[1:]
        mant = mant.rstrip("0").rstrip(".")
        s = "%se%s%02d" % (mant, "-" if e < 0 else "+", abs(e))
    return ("-" if neg else "") + s


def double2ll(d):
    """The long long equal to d when it converts without loss, else None (double2ll)."""
    if d != d or d < -(LLONG_MAX // 2) or d > LLONG_MAX // 2:
        return None
    ll = int(d)
    return ll if ll == d else None


def d2string(value):
    """Format a double so strtod reads it back exactly (util.c's d2string)."""
    if value != value:
        return b"nan"
    if value == float("inf"):
        return b"inf"
    if value == float("-inf"):
        return b"-inf"
    if value == 0:
        return b"-0" if str(value).startswith("-") else b"0"
    ll = double2ll(value)
    if ll is not None:
        return b"%d" % ll
    return b"%.17g" % value


def fmt_double_g17(d):
    """`%.17g` of a double, with inf spelled as Redis spells it (addReplyDouble)."""
    if d == float("inf"):
        return b"inf"
    if d == float("-inf"):
        return b"-inf"
    return b"%.17g" % d


# ---------------------------------------------------------------------------
# Option words
# ---------------------------------------------------------------------------
def c_string(arg):
    """The argument as C code sees it through `argv[j]->ptr`: the bytes
    before its first NUL.

    Redis matches option words with `strcasecmp(c->argv[j]->ptr, "nx")`
    (or strcmp), and the C compare ends at the argument's first NUL byte, so
    `NX\0junk` is NX there. Option parsers compare `c_string(arg).lower()`
    to the word to reply the same. One helper, rather than slicing at each
    call site, keeps the rule in one place and the hot path cheap: an
    argument without a NUL (all real traffic) comes back unchanged after a
    single `in` test. Only for strcasecmp/strcmp sites: command and
    subcommand lookup, keys, values and numbers read all the bytes.
    """
    if b"\0" not in arg:
        return arg
    return arg[:arg.index(b"\0")]


# ---------------------------------------------------------------------------
# Glob matching (util.c's stringmatchlen)
# ---------------------------------------------------------------------------
def _lower(c):
    return c + 32 if 65 <= c <= 90 else c


def _stringmatch_impl(p, pi, plen, s, si, slen, nocase, skip):
    # p is padded with NUL bytes so reads one past the pattern behave like
    # C reading the sds terminator.
    while plen and slen:
        c = p[pi]
        if c == 42:          # '*'
            while plen and p[pi + 1] == 42:
                pi += 1
                plen -= 1
            if plen == 1:
                return True
            while slen:
                if _stringmatch_impl(p, pi + 1, plen - 1, s, si, slen, nocase, skip):
                    return True
                if skip[0]:
                    return False
                si += 1
                slen -= 1
            skip[0] = True
            return False
        elif c == 63:        # '?'
            si += 1
            slen -= 1
        elif c == 91:        # '['
            pi += 1
            plen -= 1
            neg = p[pi] == 94
            if neg:
                pi += 1
                plen -= 1
            match = False
            sc = s[si]
            while True:
                pc = p[pi]
                if pc == 92 and plen >= 2:
                    pi += 1
                    plen -= 1
                    if p[pi] == sc:
                        match = True
                elif pc == 93:
                    break
                elif plen == 0:
                    pi -= 1
                    plen += 1
                    break
                elif plen >= 3 and p[pi + 1] == 45:
                    start, end, ch = pc, p[pi + 2], sc
                    if start > end:
                        start, end = end, start
                    if nocase:
                        start, end, ch = _lower(start), _lower(end), _lower(ch)
                    pi += 2
                    plen -= 2
                    if start <= ch <= end:
                        match = True
                else:
                    if not nocase:
                        if pc == sc:
                            match = True
                    elif _lower(pc) == _lower(sc):
                        match = True
                pi += 1
                plen -= 1
            if neg:
                match = not match
            if not match:
                return False
            si += 1
            slen -= 1
        else:
            if c == 92 and plen >= 2:   # '\\' escapes the next byte
                pi += 1
                plen -= 1
                c = p[pi]
            if not nocase:
                if c != s[si]:
                    return False
            elif _lower(c) != _lower(s[si]):
                return False
            si += 1
            slen -= 1
        pi += 1
        plen -= 1
        if slen == 0:
            while p[pi] == 42:
                pi += 1
                plen -= 1
            break
    return plen == 0 and slen == 0


def stringmatchlen(pattern, string, nocase=False):
    """Redis's glob match of `string` against `pattern` (util.c's stringmatchlen).

    `*`, `?`, `[abc]`, `[^a-z]` and backslash escapes, byte by byte; the
    skip flag prunes the exponential backtracking of patterns like
    "a*a*a*a*b", as Redis does.
    """
    if pattern == b"*":
        return True
    p = pattern + b"\0\0\0"
    return _stringmatch_impl(p, 0, len(pattern), string, 0, len(string), nocase, [False])


def stringmatch(pattern, string, nocase=False):
    return stringmatchlen(pattern, string, nocase)


# ---------------------------------------------------------------------------
# sds.c helpers that are really parsers
# ---------------------------------------------------------------------------
_HEXDIGITS = b"0123456789abcdefABCDEF"


def _is_hex_digit(c):
    return c in _HEXDIGITS


def sdssplitargs(line):
    """Split a line into arguments like a shell would (sds.c's sdssplitargs).

    Used for inline commands and config files: spaces separate arguments,
    "double quotes" understand \\n \\r \\t \\b \\a and \\xHH escapes, 'single
    quotes' only \\'. Returns a list of bytes, or None on unbalanced quotes
    or a closing quote not followed by a space.
    """
    if isinstance(line, str):
        line = line.encode()
    p = 0
    n = len(line)
    out = []
    while True:
        while p < n and line[p] in b" \n\r\t\f\v":
            p += 1
        if p >= n:
            return out
        inq = insq = False
        done = False
        cur = bytearray()
        while not done:
            if inq:
                if p >= n:
                    return None
                c = line[p]
                if (c == 92 and p + 3 < n and line[p + 1] == 120
                        and _is_hex_digit(line[p + 2]) and _is_hex_digit(line[p + 3])):
                    cur.append(int(line[p + 2:p + 4], 16))
                    p += 3
                elif c == 92 and p + 1 < n:
                    p += 1
                    e = line[p]
                    cur.append({110: 10, 114: 13, 116: 9, 98: 8, 97: 7}.get(e, e))
                elif c == 34:
                    # A closing quote must be followed by a space or the end.
                    if p + 1 < n and line[p + 1] not in b" \n\r\t\f\v":
                        return None
                    done = True
                else:
                    cur.append(c)
            elif insq:
                if p >= n:
                    return None
                c = line[p]
                if c == 92 and p + 1 < n and line[p + 1] == 39:
                    p += 1
                    cur.append(39)
                elif c == 39:
                    if p + 1 < n and line[p + 1] not in b" \n\r\t\f\v":
                        return None
                    done = True
                else:
                    cur.append(c)
            else:
                if p >= n:
                    done = True
                    break
                c = line[p]
                if c in b" \n\r\t":
                    done = True
                elif c == 34:
                    inq = True
                elif c == 39:
                    insq = True
                else:
                    cur.append(c)
            if p < n:
                p += 1
        out.append(bytes(cur))


def sdscatrepr(s):
    """Quote bytes the way Redis logs and MONITOR show them (sds.c's sdscatrepr)."""
    out = bytearray(b'"')
    for c in s:
        if c == 92 or c == 34:
            out += b"\\" + bytes((c,))
        elif c == 10:
            out += b"\\n"
        elif c == 13:
            out += b"\\r"
        elif c == 9:
            out += b"\\t"
        elif c == 7:
            out += b"\\a"
        elif c == 8:
            out += b"\\b"
        elif 32 <= c < 127:
            out.append(c)
        else:
            out += b"\\x%02x" % c
    out += b'"'
    return bytes(out)


def sdsneedsrepr(s):
    """Would `s` need quoting to be read back as one token (sds.c's sdsneedsrepr)?
    True for a backslash, a quote, control or non-printable bytes and spaces."""
    for c in s.encode("utf-8", "surrogateescape") if isinstance(s, str) else s:
        if c in (92, 34) or c < 33 or c > 126:
            return True
    return False


def makePath(path, filename):
    """`path/filename` (util.c's makePath)."""
    return "%s/%s" % (path, filename)


def pathIsBaseName(path):
    """True when `path` names a file with no directory part (util.c's pathIsBaseName)."""
    return "/" not in path and "\\" not in path


def dirExists(dname):
    """Is `dname` an existing directory (util.c's dirExists)?"""
    return os.path.isdir(dname)


def fileExist(filename):
    """Is `filename` an existing regular file (util.c's fileExist)?"""
    return os.path.isfile(filename)


def dirCreateIfMissing(dname):
    """mkdir `dname` (mode 0755) unless it exists: 0, or -1 with the OSError
    raised by mkdir returned as second value (util.c's dirCreateIfMissing sets errno)."""
    try:
        os.mkdir(dname, 0o755)
    except FileExistsError:
        return 0, None
    except OSError as e:
        return -1, e
    return 0, None


def memtoull(s):
    """Parse a memory amount with an optional unit (util.c's memtoull); None when invalid.

    Digits then b/k/kb/m/mb/g/gb (case-insensitive; k=1000, kb=1024). Like
    the C code: no sign, no spaces, "" means 0, a digit run past 2**64-1
    saturates (strtoull's ERANGE is not checked) and the product wraps.
    """
    if isinstance(s, (bytes, bytearray)):
        s = bytes(s).decode("latin-1")
    # The C code reads a NUL-terminated string: whatever follows a NUL byte
    # is not seen ("\0junk" is "", which is 0).
    s = s.split("\0", 1)[0]
    if s[:1] == "-":
        return None
    i = 0
    while i < len(s) and "0" <= s[i] <= "9":
        i += 1
    mul = _MEM_UNITS.get(s[i:].lower())
    if mul is None or i >= 128:
        return None
    val = min(int(s[:i]), 0xFFFFFFFFFFFFFFFF) if i else 0
    return (val * mul) & 0xFFFFFFFFFFFFFFFF


_MEM_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1000 * 1000, "mb": 1024 * 1024,
              "g": 1000 ** 3, "gb": 1024 ** 3}


def getRandomHexChars(n):
    """n random hex characters (util.c's getRandomHexChars), as str."""
    return os.urandom((n + 1) // 2).hex()[:n]


def bytesToHuman(n):
    """Human-readable memory size, as INFO prints it (server.c's bytesToHuman)."""
    n = float(n)
    if n < 1024:
        return "%dB" % n
    for unit, div in (("K", 1024), ("M", 1024 ** 2), ("G", 1024 ** 3), ("T", 1024 ** 4),
                      ("P", 1024 ** 5)):
        if n < div * 1024 or unit == "P":
            return "%.2f%s" % (n / div, unit)
    return "%dB" % n
