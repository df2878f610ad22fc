"""Sorted-set data structures: the skiplist, range specs and range parsing.

Mirrors the first half of Redis 7.0.15 ``t_zset.c`` (the ``zsl*`` low level
API).  The listpack-encoded sorted set and the commands are not here yet; they
sit on top of this module once the keyspace exists.

Why a skiplist in Python at all: the obvious Python alternative is a sorted
list kept ordered with ``bisect``.  Its inserts and deletes are O(n) memmoves,
and it has no notion of span, so ZRANK would need a second structure.  We keep
Redis's skiplist, with the same node layout and field names, so that a person
reading ``t_zset.c`` can step through this code side by side and so that rank
queries stay O(log n) on large sets.

Parameters the C calls ``range`` are named ``spec`` here so the builtin
``range`` stays usable in the loops.

Ordering is Redis's: by score, then by the member bytes as ``sdscmp`` orders
them (memcmp over the common prefix, shorter first on a tie).  Python's
``bytes`` comparison is exactly that ordering, so members are plain ``bytes``.
"""

import math
import random
import re

ZSKIPLIST_MAXLEVEL = 32  # server.h: enough levels for 2^64 elements
ZSKIPLIST_P = 0.25       # server.h: each level holds ~1/4 of the one below

# random() in libc yields 31 random bits; Redis compares it against
# ZSKIPLIST_P*RAND_MAX truncated to an int.  We draw the same 31 bits and
# compare against the same integer threshold, rather than using
# random.random() < 0.25, so the level distribution is Redis's to the last
# bit (the threshold is one short of an exact quarter).
_RAND_MAX = 0x7FFFFFFF
_LEVEL_THRESHOLD = int(ZSKIPLIST_P * _RAND_MAX)

# A private generator so tests can make skiplist shapes reproducible with
# zsl_seed() without disturbing the global random module state.
_rng = random.Random()
_getrandbits = _rng.getrandbits


def zsl_seed(seed):
    """Seed the generator behind zslRandomLevel (Python-only, for tests)."""
    _rng.seed(seed)


class zskiplistLevel:
    """One level of a node: pointer to the next node and the rank distance
    to it (server.h ``struct zskiplistLevel``)."""

    __slots__ = ("forward", "span")

    def __init__(self, forward=None, span=0):
        self.forward = forward
        self.span = span


class zskiplistNode:
    """A skiplist node (server.h ``zskiplistNode``).

    ``level`` is a Python list of zskiplistLevel, standing in for the C
    flexible array member.  The header node has ``ele`` None.
    """

    __slots__ = ("backward", "ele", "level", "score")

    def __init__(self, ele, score, backward, level):
        self.ele = ele
        self.score = score
        self.backward = backward
        self.level = level

    def __repr__(self):
        return f"zskiplistNode({self.ele!r}, {self.score!r})"


class zskiplist:
    """The skiplist (server.h ``zskiplist``): header, tail, length, level."""

    __slots__ = ("header", "length", "level", "tail")

    def __init__(self, header, tail, length, level):
        self.header = header
        self.tail = tail
        self.length = length
        self.level = level

    def __len__(self):
        return self.length

    def __iter__(self):
        """Yield (ele, score) in order; Python-only convenience."""
        x = self.header.level[0].forward
        while x is not None:
            yield x.ele, x.score
            x = x.level[0].forward


class zset:
    """A skiplist-encoded sorted set (server.h ``zset``).

    ``dict`` maps member bytes to its float score, and ``zsl`` keeps the
    members ordered.  The C dict stores a pointer to the node's score; a
    Python float is immutable, so callers that change a score must update
    both sides (as zsetAdd will).
    """

    __slots__ = ("dict", "zsl")

    def __init__(self):
        self.dict = {}
        self.zsl = zslCreate()


class zrangespec:
    """A score interval as parsed from ZRANGEBYSCORE-style arguments
    (server.h ``zrangespec``).  ``minex``/``maxex`` true means exclusive."""

    __slots__ = ("max", "maxex", "min", "minex")

    def __init__(self, min=0.0, max=0.0, minex=0, maxex=0):
        self.min = min
        self.max = max
        self.minex = minex
        self.maxex = maxex

    def __repr__(self):
        return (f"zrangespec({self.min!r}, {self.max!r}, "
                f"minex={self.minex}, maxex={self.maxex})")


class _LexBound:
    """Type of the two lex-range sentinels below."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


# Redis uses the addresses of shared.minstring / shared.maxstring as "-" and
# "+" and compares them by pointer in sdscmplex.  We use two unique objects
# compared by identity; an empty bytes value could not play that role because
# "[" (the empty member, inclusive) is a legal, different bound.
shared_minstring = _LexBound("shared.minstring")
shared_maxstring = _LexBound("shared.maxstring")


class zlexrangespec:
    """A member interval for ZRANGEBYLEX-style arguments (server.h
    ``zlexrangespec``).  min/max are bytes or one of the two sentinels."""

    __slots__ = ("max", "maxex", "min", "minex")

    def __init__(self, min=None, max=None, minex=0, maxex=0):
        self.min = min
        self.max = max
        self.minex = minex
        self.maxex = maxex

    def __repr__(self):
        return (f"zlexrangespec({self.min!r}, {self.max!r}, "
                f"minex={self.minex}, maxex={self.maxex})")


# ---------------------------------------------------------------------------
# Skiplist core
# ---------------------------------------------------------------------------

def zslCreateNode(level, score, ele):
    """Make a node with ``level`` empty levels (mirrors zslCreateNode)."""
    return zskiplistNode(ele, score, None,
                         [zskiplistLevel() for _ in range(level)])


def zslCreate():
    """Make an empty skiplist whose header has every level (mirrors
    zslCreate)."""
    header = zslCreateNode(ZSKIPLIST_MAXLEVEL, 0.0, None)
    return zskiplist(header, None, 0, 1)


def zslRandomLevel():
    """Pick a level in [1, ZSKIPLIST_MAXLEVEL] with P(level > k) = ~1/4^k
    (mirrors zslRandomLevel: 31-bit draws against ZSKIPLIST_P*RAND_MAX)."""
    level = 1
    while _getrandbits(31) < _LEVEL_THRESHOLD:
        level += 1
    return min(ZSKIPLIST_MAXLEVEL, level)


def zslInsert(zsl, score, ele):
    """Insert a new (score, ele) node and return it (mirrors zslInsert).

    The caller guarantees ``ele`` is not already present (the dict side of
    the zset is the authority for that) and that score is not NaN.
    """
    assert not math.isnan(score), "zslInsert: NaN score"
    update = [None] * ZSKIPLIST_MAXLEVEL
    rank = [0] * ZSKIPLIST_MAXLEVEL
    x = zsl.header
    top = zsl.level - 1
    # Hot loop: the C walks x->level[i].forward; we hold the level object
    # in a local so each step costs one list index and two attribute loads.
    r = 0
    for i in range(top, -1, -1):
        lvl = x.level[i]
        nxt = lvl.forward
        while nxt is not None:
            s = nxt.score
            if s < score or (s == score and nxt.ele < ele):
                r += lvl.span
                x = nxt
                lvl = x.level[i]
                nxt = lvl.forward
            else:
                break
        rank[i] = r  # ranks accumulate downward, as rank[i] = rank[i+1]
        update[i] = x
    level = zslRandomLevel()
    if level > zsl.level:
        header = zsl.header
        for i in range(zsl.level, level):
            rank[i] = 0
            update[i] = header
            header.level[i].span = zsl.length
        zsl.level = level
    # zslCreateNode inlined: each level object is built already linked, so
    # the hot path does not first create empty levels and then fill them.
    r0 = rank[0]
    xlevel = []
    x = zskiplistNode(ele, score, None, xlevel)
    for i in range(level):
        ul = update[i].level[i]
        # The node splits the span its predecessor had at this level.
        xlevel.append(zskiplistLevel(ul.forward, ul.span - (r0 - rank[i])))
        ul.forward = x
        ul.span = (r0 - rank[i]) + 1
    # Levels above the new node's height now jump over one more element.
    for i in range(level, zsl.level):
        update[i].level[i].span += 1
    x.backward = None if update[0] is zsl.header else update[0]
    nxt = xlevel[0].forward
    if nxt is not None:
        nxt.backward = x
    else:
        zsl.tail = x
    zsl.length += 1
    return x


def zslDeleteNode(zsl, x, update):
    """Unlink node ``x`` given the per-level predecessors ``update`` (mirrors
    zslDeleteNode)."""
    for i in range(zsl.level):
        ul = update[i].level[i]
        if ul.forward is x:
            ul.span += x.level[i].span - 1
            ul.forward = x.level[i].forward
        else:
            ul.span -= 1
    nxt = x.level[0].forward
    if nxt is not None:
        nxt.backward = x.backward
    else:
        zsl.tail = x.backward
    header_levels = zsl.header.level
    while zsl.level > 1 and header_levels[zsl.level - 1].forward is None:
        zsl.level -= 1
    zsl.length -= 1


def _zsl_find_update(zsl, score, ele):
    """Fill the predecessor array for (score, ele); returns (update, x) with
    x the last node ordered before it.  Python-only helper shared by
    zslDelete and zslUpdateScore, which run the identical C loop."""
    update = [None] * ZSKIPLIST_MAXLEVEL
    x = zsl.header
    for i in range(zsl.level - 1, -1, -1):
        nxt = x.level[i].forward
        while nxt is not None and (
                nxt.score < score or (nxt.score == score and nxt.ele < ele)):
            x = nxt
            nxt = x.level[i].forward
        update[i] = x
    return update, x


def zslDelete(zsl, score, ele):
    """Remove the node with exactly (score, ele) (mirrors zslDelete).

    Returns the unlinked node, or None when not found.  The C version
    takes an optional out-pointer to decide whether to free the node; in
    Python returning it covers both uses (callers that do not need it just
    drop it).
    """
    update, x = _zsl_find_update(zsl, score, ele)
    x = x.level[0].forward
    if x is not None and score == x.score and x.ele == ele:
        zslDeleteNode(zsl, x, update)
        return x
    return None


def zslUpdateScore(zsl, curscore, ele, newscore):
    """Change the score of existing member ``ele`` from curscore to newscore
    and return its node (mirrors zslUpdateScore).

    When the node would keep its position it is updated in place; otherwise
    it is unlinked and a new node inserted.  The dict side is the caller's.
    """
    update, x = _zsl_find_update(zsl, curscore, ele)
    x = x.level[0].forward
    assert x is not None and curscore == x.score and x.ele == ele
    nxt = x.level[0].forward
    if ((x.backward is None or x.backward.score < newscore) and
            (nxt is None or nxt.score > newscore)):
        x.score = newscore
        return x
    zslDeleteNode(zsl, x, update)
    return zslInsert(zsl, newscore, x.ele)


def zslValueGteMin(value, spec):
    """True when value is on the inside of spec's lower bound (mirrors
    zslValueGteMin)."""
    return value > spec.min if spec.minex else value >= spec.min


def zslValueLteMax(value, spec):
    """True when value is on the inside of spec's upper bound (mirrors
    zslValueLteMax)."""
    return value < spec.max if spec.maxex else value <= spec.max


def zslIsInRange(zsl, spec):
    """True if some part of the skiplist can fall within the score range
    (mirrors zslIsInRange)."""
    if spec.min > spec.max or (
            spec.min == spec.max and (spec.minex or spec.maxex)):
        return False
    x = zsl.tail
    if x is None or not zslValueGteMin(x.score, spec):
        return False
    x = zsl.header.level[0].forward
    return x is not None and zslValueLteMax(x.score, spec)


def zslFirstInRange(zsl, spec):
    """First node whose score is within spec, or None (mirrors
    zslFirstInRange)."""
    if not zslIsInRange(zsl, spec):
        return None
    x = zsl.header
    for i in range(zsl.level - 1, -1, -1):
        nxt = x.level[i].forward
        while nxt is not None and not zslValueGteMin(nxt.score, spec):
            x = nxt
            nxt = x.level[i].forward
    x = x.level[0].forward
    assert x is not None
    if not zslValueLteMax(x.score, spec):
        return None
    return x


def zslLastInRange(zsl, spec):
    """Last node whose score is within spec, or None (mirrors
    zslLastInRange)."""
    if not zslIsInRange(zsl, spec):
        return None
    x = zsl.header
    for i in range(zsl.level - 1, -1, -1):
        nxt = x.level[i].forward
        while nxt is not None and zslValueLteMax(nxt.score, spec):
            x = nxt
            nxt = x.level[i].forward
    assert x is not None
    if not zslValueGteMin(x.score, spec):
        return None
    return x


def zslDeleteRangeByScore(zsl, spec, dict):
    """Remove every node with score in spec from the skiplist and from
    ``dict``; return how many (mirrors zslDeleteRangeByScore)."""
    update = [None] * ZSKIPLIST_MAXLEVEL
    x = zsl.header
    for i in range(zsl.level - 1, -1, -1):
        nxt = x.level[i].forward
        while nxt is not None and not zslValueGteMin(nxt.score, spec):
            x = nxt
            nxt = x.level[i].forward
        update[i] = x
    x = x.level[0].forward
    removed = 0
    while x is not None and zslValueLteMax(x.score, spec):
        nxt = x.level[0].forward
        zslDeleteNode(zsl, x, update)
        del dict[x.ele]
        removed += 1
        x = nxt
    return removed


def zslDeleteRangeByLex(zsl, spec, dict):
    """Remove every node whose member is in the lex range from the skiplist
    and from ``dict``; return how many (mirrors zslDeleteRangeByLex)."""
    update = [None] * ZSKIPLIST_MAXLEVEL
    x = zsl.header
    for i in range(zsl.level - 1, -1, -1):
        nxt = x.level[i].forward
        while nxt is not None and not zslLexValueGteMin(nxt.ele, spec):
            x = nxt
            nxt = x.level[i].forward
        update[i] = x
    x = x.level[0].forward
    removed = 0
    while x is not None and zslLexValueLteMax(x.ele, spec):
        nxt = x.level[0].forward
        zslDeleteNode(zsl, x, update)
        del dict[x.ele]
        removed += 1
        x = nxt
    return removed


def zslDeleteRangeByRank(zsl, start, end, dict):
    """Remove nodes with 1-based rank in [start, end] from the skiplist and
    ``dict``; return how many (mirrors zslDeleteRangeByRank)."""
    update = [None] * ZSKIPLIST_MAXLEVEL
    traversed = 0
    x = zsl.header
    for i in range(zsl.level - 1, -1, -1):
        lvl = x.level[i]
        while lvl.forward is not None and traversed + lvl.span < start:
            traversed += lvl.span
            x = lvl.forward
            lvl = x.level[i]
        update[i] = x
    traversed += 1
    x = x.level[0].forward
    removed = 0
    while x is not None and traversed <= end:
        nxt = x.level[0].forward
        zslDeleteNode(zsl, x, update)
        del dict[x.ele]
        removed += 1
        traversed += 1
        x = nxt
    return removed


def zslGetRank(zsl, score, ele):
    """1-based rank of (score, ele), or 0 when absent (mirrors zslGetRank)."""
    rank = 0
    x = zsl.header
    for i in range(zsl.level - 1, -1, -1):
        lvl = x.level[i]
        nxt = lvl.forward
        while nxt is not None and (
                nxt.score < score or (nxt.score == score and nxt.ele <= ele)):
            rank += lvl.span
            x = nxt
            lvl = x.level[i]
            nxt = lvl.forward
        # x may still be the header, whose ele is None.
        if x.ele is not None and x.score == score and x.ele == ele:
            return rank
    return 0


def zslGetElementByRank(zsl, rank):
    """Node at 1-based ``rank``, or None (mirrors zslGetElementByRank)."""
    traversed = 0
    x = zsl.header
    for i in range(zsl.level - 1, -1, -1):
        lvl = x.level[i]
        while lvl.forward is not None and traversed + lvl.span <= rank:
            traversed += lvl.span
            x = lvl.forward
            lvl = x.level[i]
        if traversed == rank:
            return x
    return None


# ---------------------------------------------------------------------------
# Score ranges
# ---------------------------------------------------------------------------

C_OK = 0
C_ERR = -1

# What glibc strtod accepts, in the C locale, as a decimal or hex number.
# We validate with these patterns and then convert with float() /
# float.fromhex(), both correctly rounded like glibc.  Calling float() alone
# would be wrong: it accepts "1_000", trailing blanks and rejects "0x1p3".
_DEC_RE = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_RE = re.compile(
    rb"[+-]?0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)"
    rb"(?:[pP][+-]?[0-9]+)?")
_INF_RE = re.compile(rb"[+-]?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)")
_NAN_RE = re.compile(rb"[+-]?[nN][aA][nN](?:\([0-9A-Za-z_]*\))?")
_C_SPACE = b" \t\n\v\f\r"


def c_strtod(buf):
    """Parse ``buf`` the way C ``strtod(buf, &end)`` would on a
    NUL-terminated copy.  Returns (value, consumed) where consumed is
    ``end - buf``; consumed is 0 when no number was recognised.

    Python-only helper standing in for libc strtod.  The C string stops at
    the first NUL byte, leading C whitespace is skipped, and the longest
    valid prefix is taken.  Overflow yields +-inf (errno is not reported;
    the callers in t_zset.c ignore it).
    """
    nul = buf.find(b"\x00")
    if nul >= 0:
        buf = buf[:nul]
    start = 0
    n = len(buf)
    while start < n and buf[start] in _C_SPACE:
        start += 1
    m = _HEX_RE.match(buf, start)
    if m:
        text = m.group()
        return float.fromhex(text.decode()), m.end()
    m = _DEC_RE.match(buf, start)
    if m:
        return float(m.group()), m.end()
    m = _INF_RE.match(buf, start)
    if m:
        return (-math.inf if buf[start] == 0x2D else math.inf), m.end()
    m = _NAN_RE.match(buf, start)
    if m:
        return math.nan, m.end()
    return 0.0, 0


def _parse_score_bound(s):
    """One bound of zslParseRange: strtod on the text, which must consume
    everything up to the (first) NUL and must not be NaN.  Returns the float
    or None."""
    nul = s.find(b"\x00")
    if nul >= 0:
        s = s[:nul]
    value, consumed = c_strtod(s)
    # strtod leaves end at the start when nothing parsed: the empty string
    # therefore "fully parses" as 0, exactly as it does in Redis.
    if consumed != len(s) or math.isnan(value):
        return None
    return value


def zslParseRange(min, max):
    """Parse ZRANGEBYSCORE-style bounds (bytes) into a zrangespec (mirrors
    zslParseRange).

    A leading "(" makes a bound exclusive.  Numbers follow strtod: "inf",
    "+inf", "-inf" (any case) and hex floats are accepted, NaN is refused.
    Returns None where the C returns C_ERR; the caller replies
    "min or max is not a float".  Deliberate difference: the C takes a fast
    path for integer-encoded argument objects; our arguments are bytes, and
    strtod gives the same value for them.
    """
    spec = zrangespec()
    if min[:1] == b"(":
        v = _parse_score_bound(min[1:])
        spec.minex = 1
    else:
        v = _parse_score_bound(min)
    if v is None:
        return None
    spec.min = v
    if max[:1] == b"(":
        v = _parse_score_bound(max[1:])
        spec.maxex = 1
    else:
        v = _parse_score_bound(max)
    if v is None:
        return None
    spec.max = v
    return spec


# ---------------------------------------------------------------------------
# Lexicographic ranges
# ---------------------------------------------------------------------------

def zslParseLexRangeItem(item):
    """Parse one ZRANGEBYLEX bound; returns (dest, ex) or None on error
    (mirrors zslParseLexRangeItem).

    "+" and "-" must stand alone (the C tests that the next char is the
    terminator, so "+" followed by a NUL byte also counts as alone).
    """
    c0 = item[:1]
    if c0 == b"+" or c0 == b"-":
        if len(item) > 1 and item[1] != 0:
            return None
        return (shared_maxstring if c0 == b"+" else shared_minstring), 1
    if c0 == b"(":
        return bytes(item[1:]), 1
    if c0 == b"[":
        return bytes(item[1:]), 0
    return None


def zslParseLexRange(min, max):
    """Parse ZRANGEBYLEX-style bounds into a zlexrangespec, or None when
    either is malformed (mirrors zslParseLexRange; nothing to free here, so
    there is no zslFreeLexRange)."""
    a = zslParseLexRangeItem(min)
    if a is None:
        return None
    b = zslParseLexRangeItem(max)
    if b is None:
        return None
    return zlexrangespec(a[0], b[0], a[1], b[1])


def sdscmplex(a, b):
    """Compare two lex bounds/members where the sentinels act as -inf and
    +inf for strings (mirrors sdscmplex in t_zset.c)."""
    if a is b:
        return 0
    if a is shared_minstring or b is shared_maxstring:
        return -1
    if a is shared_maxstring or b is shared_minstring:
        return 1
    if a == b:
        return 0
    return -1 if a < b else 1


def zslLexValueGteMin(value, spec):
    """True when value is inside spec's lower lex bound (mirrors
    zslLexValueGteMin)."""
    c = sdscmplex(value, spec.min)
    return c > 0 if spec.minex else c >= 0


def zslLexValueLteMax(value, spec):
    """True when value is inside spec's upper lex bound (mirrors
    zslLexValueLteMax)."""
    c = sdscmplex(value, spec.max)
    return c < 0 if spec.maxex else c <= 0


def zslIsInLexRange(zsl, spec):
    """True if some part of the skiplist can fall within the lex range
    (mirrors zslIsInLexRange)."""
    cmp = sdscmplex(spec.min, spec.max)
    if cmp > 0 or (cmp == 0 and (spec.minex or spec.maxex)):
        return False
    x = zsl.tail
    if x is None or not zslLexValueGteMin(x.ele, spec):
        return False
    x = zsl.header.level[0].forward
    return x is not None and zslLexValueLteMax(x.ele, spec)


def zslFirstInLexRange(zsl, spec):
    """First node whose member is within the lex range, or None (mirrors
    zslFirstInLexRange)."""
    if not zslIsInLexRange(zsl, spec):
        return None
    x = zsl.header
    for i in range(zsl.level - 1, -1, -1):
        nxt = x.level[i].forward
        while nxt is not None and not zslLexValueGteMin(nxt.ele, spec):
            x = nxt
            nxt = x.level[i].forward
    x = x.level[0].forward
    assert x is not None
    if not zslLexValueLteMax(x.ele, spec):
        return None
    return x


def zslLastInLexRange(zsl, spec):
    """Last node whose member is within the lex range, or None (mirrors
    zslLastInLexRange)."""
    if not zslIsInLexRange(zsl, spec):
        return None
    x = zsl.header
    for i in range(zsl.level - 1, -1, -1):
        nxt = x.level[i].forward
        while nxt is not None and zslLexValueLteMax(nxt.ele, spec):
            x = nxt
            nxt = x.level[i].forward
    assert x is not None
    if not zslLexValueGteMin(x.ele, spec):
        return None
    return x


# ---------------------------------------------------------------------------
# Reply formatting
# ---------------------------------------------------------------------------

def format_score(d):
    """Text of a double as ZSCORE / ZINCRBY / WITHSCORES reply it.

    Mirrors the number formatting in networking.c addReplyDouble of 7.0.15:
    infinities are spelled "inf"/"-inf" explicitly, everything else is
    printf "%.17g" (so 0.1 reads back as 0.10000000000000001; Redis 7.2
    switched to the shortest round-trip form, 7.0 did not).  Returns the
    bulk payload bytes; RESP2 wraps it in a bulk string and RESP3 in a
    ",...\r\n" double, with the same text.  Not util.c d2string, which
    prints integral values without an exponent and is used only for
    listpack storage.
    """
    if d == math.inf:
        return b"inf"
    if d == -math.inf:
        return b"-inf"
    # Python's %-formatting of 'g' is correctly rounded, as glibc's printf
    # is, and uses the same exponent style (at least two digits).
    return (b"%.17g" % d)
