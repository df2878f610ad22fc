"""Sorted-set data structures: the skiplist, range specs and range parsing.

Mirrors Redis 7.0.15 ``t_zset.c``: first the ``zsl*`` low level API, then the
sorted-set type API (``zsetAdd``, ``zsetDel``, ``zsetRank`` ...) and the
commands (ZADD ... ZSCAN).

Encodings.  Redis keeps a small sorted set in a listpack (a flat byte array of
member/score pairs in order) and converts it to dict+skiplist once it holds
more than zset-max-listpack-entries members or a member longer than
zset-max-listpack-value bytes.  Here ``ptr`` is a ``zset`` (dict + skiplist)
in both cases and ``encoding`` is the label Redis would report.  We do not
build a byte-level listpack because in Python it would be slower than the
skiplist for every operation and would teach less than the skiplist does;
what we keep is every place where Redis converts (ZADD, ZRANGESTORE,
ZUNIONSTORE, SORT ...), so OBJECT ENCODING answers as Redis does, and the
places where the listpack shows through to clients:

- ZSCAN replies scores the way the listpack stores them (util.c d2string)
  and returns the whole small set in one call, in order;
- a listpack stores an integral score as an integer, so -0 becomes 0;
- lex ranges over members with different scores scan the listpack from one
  end (the zzl*LexRange functions below), which gives a different, but
  deterministic, answer from the skiplist walk.

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

from .db import (
    dbAdd,
    dbDelete,
    lookupKeyRead,
    lookupKeyReadOrReply,
    lookupKeyWrite,
    lookupKeyWriteOrReply,
    parseScanCursorOrReply,
    scanGenericCommand,
    setKey,
    signalModifiedKey,
)
from .networking import (
    addReply,
    addReplyBulkCBuffer,
    addReplyError,
    addReplyErrorFormat,
    addReplyErrorObject,
    addReplyLongLong,
    addReplyNull,
    addReplyNullArray,
)
from .notify import notifyKeyspaceEvent
from .object import (
    checkType,
    getDoubleFromObjectOrReply,
    getLongFromObjectOrReply,
    getPositiveLongFromObjectOrReply,
    getRangeLongFromObjectOrReply,
)
from .server_h import (
    BLOCKED_ZSET, CLIENT_CLOSE_ASAP, CLIENT_DENY_BLOCKING, LONG_MAX, NOTIFY_GENERIC,
    NOTIFY_ZSET, OBJ_ENCODING_LISTPACK, OBJ_ENCODING_SKIPLIST, OBJ_SET, OBJ_ZSET, PROPAGATE_AOF,
    PROPAGATE_REPL, UNIT_SECONDS, redisObject, server, shared,
)
from .util import c_string, string2d
from .server import alsoPropagate, rewriteClientCommandVector
from .timeout import getTimeoutFromObjectOrReply

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
    mn = spec.min
    # zslValueGteMin inlined: this loop is the whole cost of a range query.
    if spec.minex:
        for i in range(zsl.level - 1, -1, -1):
            nxt = x.level[i].forward
            while nxt is not None and nxt.score <= mn:
                x = nxt
                nxt = x.level[i].forward
    else:
        for i in range(zsl.level - 1, -1, -1):
            nxt = x.level[i].forward
            while nxt is not None and nxt.score < mn:
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
    mx = spec.max
    # zslValueLteMax inlined, as in zslFirstInRange.
    if spec.maxex:
        for i in range(zsl.level - 1, -1, -1):
            nxt = x.level[i].forward
            while nxt is not None and nxt.score < mx:
                x = nxt
                nxt = x.level[i].forward
    else:
        for i in range(zsl.level - 1, -1, -1):
            nxt = x.level[i].forward
            while nxt is not None and nxt.score <= mx:
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
# A plain decimal short enough that it can neither overflow nor underflow.
_PLAIN_DEC_RE = re.compile(rb"-?[0-9]+(?:\.[0-9]*)?\Z")


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
    if len(s) <= 30 and (s.isdigit() or _PLAIN_DEC_RE.match(s)):
        return float(s)  # plain decimal: float() rounds exactly as strtod
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


# ===========================================================================
# Second half of t_zset.c: the sorted-set type and its commands
# ===========================================================================

# zsetAdd input flags (server.h ZADD_IN_*).
ZADD_IN_NONE = 0
ZADD_IN_INCR = 1 << 0
ZADD_IN_NX = 1 << 1
ZADD_IN_XX = 1 << 2
ZADD_IN_GT = 1 << 3
ZADD_IN_LT = 1 << 4

# zsetAdd output flags (server.h ZADD_OUT_*).
ZADD_OUT_NOP = 1 << 0
ZADD_OUT_NAN = 1 << 1
ZADD_OUT_ADDED = 1 << 2
ZADD_OUT_UPDATED = 1 << 3

# Which end genericZpopCommand pops from (server.h).
ZSET_MIN = 0
ZSET_MAX = 1

# zrange_type and zrange_direction (t_zset.c enums).
ZRANGE_AUTO = 0
ZRANGE_RANK = 1
ZRANGE_SCORE = 2
ZRANGE_LEX = 3
ZRANGE_DIRECTION_AUTO = 0
ZRANGE_DIRECTION_FORWARD = 1
ZRANGE_DIRECTION_REVERSE = 2

# Set operations (server.h SET_OP_*), shared with t_set.
SET_OP_UNION = 0
SET_OP_DIFF = 1
SET_OP_INTER = 2

REDIS_AGGR_SUM = 1
REDIS_AGGR_MIN = 2
REDIS_AGGR_MAX = 3

# listpack.c refuses to grow a listpack past 1 GiB (lpSafeToAdd).
LISTPACK_MAX_SAFETY_SIZE = 1 << 30

_NANERR = "resulting score is not a number (NaN)"
_SCORE_FIRST_BYTES = frozenset(b"%c" % ch for ch in b"0123456789-+.")
_INF = math.inf
isnan = math.isnan
_NINF = -math.inf


# ---------------------------------------------------------------------------
# Objects and encodings
# ---------------------------------------------------------------------------

def createZsetObject():
    """A new, empty skiplist-encoded sorted set (mirrors object.c
    createZsetObject)."""
    return redisObject(OBJ_ZSET, OBJ_ENCODING_SKIPLIST, zset(), server.lruclock)


def createZsetListpackObject():
    """A new, empty sorted set labelled listpack (mirrors object.c
    createZsetListpackObject; the data structure is the same zset, see the
    module docstring)."""
    return redisObject(OBJ_ZSET, OBJ_ENCODING_LISTPACK, zset(), server.lruclock)


def zsetLength(zobj):
    """Number of members (mirrors zsetLength)."""
    return len(zobj.ptr.dict)


def zsetConvert(zobj, encoding):
    """Switch the encoding (mirrors zsetConvert).

    In C this rebuilds the value as the other structure; ours is the same
    zset in both encodings, so only the label changes (and -0 scores become
    0 on the way into a listpack, as they do in Redis).
    """
    if encoding not in (OBJ_ENCODING_LISTPACK, OBJ_ENCODING_SKIPLIST):
        raise ValueError("Unknown target encoding")
    if encoding == OBJ_ENCODING_LISTPACK and zobj.encoding != encoding:
        # zzlInsertAt writes integral scores as listpack integers, which
        # turns -0 into 0: the one value a listpack cannot keep.
        zs = zobj.ptr
        x = zs.zsl.header.level[0].forward
        while x is not None:
            if x.score == 0.0:
                x.score = 0.0
                zs.dict[x.ele] = 0.0
            x = x.level[0].forward
    zobj.encoding = encoding


def zsetConvertToListpackIfNeeded(zobj, maxelelen, totelelen):
    """Relabel a skiplist set as listpack when it is small enough: no more
    than zset-max-listpack-entries members, none longer than
    zset-max-listpack-value, all of them fitting a listpack (mirrors
    zsetConvertToListpackIfNeeded; only store commands call it)."""
    if zobj.encoding == OBJ_ENCODING_LISTPACK:
        return
    if (len(zobj.ptr.dict) <= server.zset_max_listpack_entries and
            maxelelen <= server.zset_max_listpack_value and
            totelelen <= LISTPACK_MAX_SAFETY_SIZE):
        zsetConvert(zobj, OBJ_ENCODING_LISTPACK)


def zsetScore(zobj, member):
    """Score of ``member`` or None when absent or when zobj is None
    (mirrors zsetScore, which returns C_ERR in those cases)."""
    if zobj is None or member is None:
        return None
    return zobj.ptr.dict.get(member)


def zsetAdd(zobj, score, ele, in_flags):
    """Add ``ele`` or update its score (mirrors zsetAdd).

    Returns (ok, out_flags, newscore): ok is 0 only when the score is NaN or
    an INCR makes it NaN; out_flags holds ZADD_OUT_ADDED / UPDATED / NOP /
    NAN; newscore is the member's score after the call (meaningful unless
    NOP).  The C returns the last two through pointers.  Adding a member
    converts a listpack set to a skiplist when it would break either limit,
    checked before inserting, as Redis does.
    """
    if isnan(score):
        return 0, ZADD_OUT_NAN, score
    zs = zobj.ptr
    d = zs.dict
    curscore = d.get(ele)
    if curscore is not None:
        if in_flags:
            if in_flags & ZADD_IN_NX:
                return 1, ZADD_OUT_NOP, curscore
            if in_flags & ZADD_IN_INCR:
                score += curscore
                if isnan(score):
                    return 0, ZADD_OUT_NAN, score
            if ((in_flags & ZADD_IN_LT and score >= curscore) or
                    (in_flags & ZADD_IN_GT and score <= curscore)):
                return 1, ZADD_OUT_NOP, curscore
        # 0.0 and -0.0 compare equal, so re-adding -0 keeps the stored zero,
        # exactly as the C comparison does.
        if score != curscore:
            # A listpack stores an integral score as an integer, so -0 is
            # kept as 0 there; the reply still shows the score computed.
            stored = 0.0 if score == 0.0 and zobj.encoding == OBJ_ENCODING_LISTPACK else score
            zslUpdateScore(zs.zsl, curscore, ele, stored)
            d[ele] = stored
            return 1, ZADD_OUT_UPDATED, score
        return 1, 0, score
    if in_flags & ZADD_IN_XX:
        return 1, ZADD_OUT_NOP, score
    stored = score
    if zobj.encoding == OBJ_ENCODING_LISTPACK:
        if (len(d) + 1 > server.zset_max_listpack_entries or
                len(ele) > server.zset_max_listpack_value):
            zsetConvert(zobj, OBJ_ENCODING_SKIPLIST)
        elif score == 0.0:
            stored = 0.0
    zslInsert(zs.zsl, stored, ele)
    d[ele] = stored
    return 1, ZADD_OUT_ADDED, score


def zsetRemoveFromSkiplist(zs, ele):
    """Drop ``ele`` from both halves of a zset; 1 if it was there (mirrors
    zsetRemoveFromSkiplist)."""
    score = zs.dict.pop(ele, None)
    if score is None:
        return 0
    zslDelete(zs.zsl, score, ele)
    return 1


def zsetDel(zobj, ele):
    """Remove a member whatever the encoding; 1 if removed (mirrors
    zsetDel)."""
    return zsetRemoveFromSkiplist(zobj.ptr, ele)


def zsetRank(zobj, ele, reverse):
    """0-based rank of ``ele`` (from the highest score when reverse), or -1
    when absent (mirrors zsetRank).  O(log n) through the span counts."""
    zs = zobj.ptr
    score = zs.dict.get(ele)
    if score is None:
        return -1
    rank = zslGetRank(zs.zsl, score, ele)
    assert rank != 0
    return len(zs.dict) - rank if reverse else rank - 1


def zsetDup(o):
    """A copy of a sorted set with the same encoding, for COPY (mirrors
    zsetDup).  Like the C we insert from the tail backwards so that every
    zslInsert stops right at the header: O(1) per member."""
    src = o.ptr
    new = zset()
    zsl = new.zsl
    d = new.dict
    x = src.zsl.tail
    while x is not None:
        zslInsert(zsl, x.score, x.ele)
        d[x.ele] = x.score
        x = x.backward
    return redisObject(OBJ_ZSET, o.encoding, new, o.lru)


def zsetTypeRandomElement(zobj, size):
    """A uniformly random (member, score) of a non-empty set (mirrors
    zsetTypeRandomElement).  The C draws from the dict (dictGetFairRandomKey)
    or the listpack; a Python dict has no random access, so we pick a random
    rank and walk the skiplist to it, O(log n)."""
    x = zslGetElementByRank(zobj.ptr.zsl, random.randint(1, size))
    return x.ele, x.score


def zset_scan_items(o):
    """What ZSCAN walks (registered in server.scan_item_hooks): the member
    dict for a skiplist set; for a listpack set a dict built in set order,
    since Redis returns a listpack whole and in order."""
    zs = o.ptr
    if o.encoding == OBJ_ENCODING_LISTPACK:
        return dict(zs.zsl)
    return zs.dict


def _register_hooks():
    """COPY and ZSCAN hooks for sorted sets (Python-only; the C calls
    zsetDup and the scan callback directly)."""
    server.dup_object_hooks[OBJ_ZSET] = zsetDup
    server.scan_item_hooks[OBJ_ZSET] = zset_scan_items



# ---------------------------------------------------------------------------
# Reply helpers
# ---------------------------------------------------------------------------

def _fmt_double_reply(c, d):
    """The bytes addReplyDouble would send for ``d``."""
    if c.resp == 2:
        s = format_score(d)
        return b"$%d\r\n%s\r\n" % (len(s), s)
    return b",%s\r\n" % format_score(d)


def zset_reply_items(c, items, withscores, header=True):
    """Send a list of (member, score) the way the ZRANGE family does: one
    flat array in RESP2, and with WITHSCORES in RESP3 an array of [member,
    score] pairs (Python-only helper playing the role of the client-side
    zrange_result_handler; the whole reply is joined before it is queued,
    which is the cheap way to emit many small strings in Python)."""
    n = len(items)
    parts = []
    if withscores:
        if c.resp == 2:
            if header:
                parts.append(b"*%d\r\n" % (2 * n))
            for ele, score in items:
                if score == _INF:
                    s = b"inf"
                elif score == _NINF:
                    s = b"-inf"
                else:
                    s = b"%.17g" % score
                parts.append(b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(ele), ele, len(s), s))
        else:
            if header:
                parts.append(b"*%d\r\n" % n)
            for ele, score in items:
                parts.append(b"*2\r\n$%d\r\n%s\r\n,%s\r\n" % (len(ele), ele, format_score(score)))
    else:
        if header:
            parts.append(b"*%d\r\n" % n)
        for ele, _ in items:
            parts.append(b"$%d\r\n%s\r\n" % (len(ele), ele))
    addReply(c, b"".join(parts))


# ---------------------------------------------------------------------------
# ZADD, ZINCRBY, ZREM, ZREMRANGEBY*
# ---------------------------------------------------------------------------

def zaddGenericCommand(c, flags):
    """ZADD and ZINCRBY (mirrors zaddGenericCommand).

    Options are parsed, incompatibilities refused and every score parsed
    before anything changes, so the command applies fully or not at all.
    """
    argv = c.argv
    argc = len(argv)
    key = argv[1]
    ch = 0
    scoreidx = 2
    while scoreidx < argc:
        opt = argv[scoreidx]
        # Hot path: a score (digit, sign, dot) can never be an option, so
        # the usual "ZADD key 1 member" skips the lowercasing.
        if opt[:1] in _SCORE_FIRST_BYTES:
            break
        opt = c_string(opt).lower()
        if opt == b"nx":
            flags |= ZADD_IN_NX
        elif opt == b"xx":
            flags |= ZADD_IN_XX
        elif opt == b"ch":
            ch = 1
        elif opt == b"incr":
            flags |= ZADD_IN_INCR
        elif opt == b"gt":
            flags |= ZADD_IN_GT
        elif opt == b"lt":
            flags |= ZADD_IN_LT
        else:
            break
        scoreidx += 1
    incr = flags & ZADD_IN_INCR
    nx = flags & ZADD_IN_NX
    xx = flags & ZADD_IN_XX
    gt = flags & ZADD_IN_GT
    lt = flags & ZADD_IN_LT

    elements = argc - scoreidx
    if elements % 2 or not elements:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    elements //= 2
    if nx and xx:
        addReplyError(c, "XX and NX options at the same time are not compatible")
        return
    if (gt and nx) or (lt and nx) or (gt and lt):
        addReplyError(c, "GT, LT, and/or NX options at the same time are not compatible")
        return
    if incr and elements > 1:
        addReplyError(c, "INCR option supports a single increment-element pair")
        return

    scores = []
    for j in range(scoreidx, argc, 2):
        v = string2d(argv[j])
        if v is None:
            addReplyError(c, "value is not a valid float")
            return
        scores.append(v)

    db = c.db
    zobj = lookupKeyWrite(db, key)
    if checkType(c, zobj, OBJ_ZSET):
        return
    added = updated = processed = 0
    score = 0.0
    if zobj is None:
        if xx:
            _zadd_reply(c, incr, ch, processed, score, added, updated)
            return
        if (server.zset_max_listpack_entries == 0 or
                server.zset_max_listpack_value < len(argv[scoreidx + 1])):
            zobj = createZsetObject()
        else:
            zobj = createZsetListpackObject()
        dbAdd(db, key, zobj)

    for j in range(elements):
        ok, retflags, newscore = zsetAdd(zobj, scores[j], argv[scoreidx + 1 + 2 * j], flags)
        if not ok:
            addReplyError(c, _NANERR)
            break
        if retflags & ZADD_OUT_ADDED:
            added += 1
        elif retflags & ZADD_OUT_UPDATED:
            updated += 1
        if not retflags & ZADD_OUT_NOP:
            processed += 1
        score = newscore
    else:
        server.dirty += added + updated
        if incr:
            _zadd_reply(c, incr, ch, processed, score, added, updated)
        else:
            addReplyLongLong(c, added + updated if ch else added)
    if added or updated:
        signalModifiedKey(c, db, key)
        notifyKeyspaceEvent(NOTIFY_ZSET, "zincr" if incr else "zadd", key, db.id)


def _zadd_reply(c, incr, ch, processed, score, added, updated):
    """The reply_to_client label of zaddGenericCommand."""
    if incr:
        if processed:
            addReply(c, _fmt_double_reply(c, score))
        else:
            addReplyNull(c)
    else:
        addReplyLongLong(c, added + updated if ch else added)


def zaddCommand(c):
    """ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ... (mirrors
    zaddCommand)."""
    zaddGenericCommand(c, ZADD_IN_NONE)


def zincrbyCommand(c):
    """ZINCRBY key increment member (mirrors zincrbyCommand)."""
    zaddGenericCommand(c, ZADD_IN_INCR)


def zremCommand(c):
    """ZREM key member ... (mirrors zremCommand); deletes the key when it
    empties, and stops looking at further members then, as Redis does."""
    key = c.argv[1]
    zobj = lookupKeyWriteOrReply(c, key, shared.czero)
    if zobj is None or checkType(c, zobj, OBJ_ZSET):
        return
    zs = zobj.ptr
    deleted = 0
    keyremoved = False
    db = c.db
    for ele in c.argv[2:]:
        deleted += zsetRemoveFromSkiplist(zs, ele)
        if not zs.dict:
            dbDelete(db, key)
            keyremoved = True
            break
    if deleted:
        notifyKeyspaceEvent(NOTIFY_ZSET, "zrem", key, db.id)
        if keyremoved:
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, db.id)
        signalModifiedKey(c, db, key)
        server.dirty += deleted
    addReplyLongLong(c, deleted)


def zremrangeGenericCommand(c, rangetype):
    """ZREMRANGEBYRANK / BYSCORE / BYLEX (mirrors zremrangeGenericCommand)."""
    argv = c.argv
    key = argv[1]
    if rangetype == ZRANGE_RANK:
        notify_type = "zremrangebyrank"
        start = getLongFromObjectOrReply(c, argv[2])
        if start is None:
            return
        end = getLongFromObjectOrReply(c, argv[3])
        if end is None:
            return
    elif rangetype == ZRANGE_SCORE:
        notify_type = "zremrangebyscore"
        spec = zslParseRange(argv[2], argv[3])
        if spec is None:
            addReplyError(c, "min or max is not a float")
            return
    else:
        notify_type = "zremrangebylex"
        spec = zslParseLexRange(argv[2], argv[3])
        if spec is None:
            addReplyError(c, "min or max not valid string range item")
            return

    zobj = lookupKeyWriteOrReply(c, key, shared.czero)
    if zobj is None or checkType(c, zobj, OBJ_ZSET):
        return
    zs = zobj.ptr
    if rangetype == ZRANGE_RANK:
        llen = len(zs.dict)
        if start < 0:
            start += llen
        if end < 0:
            end += llen
        start = max(start, 0)
        if start > end or start >= llen:
            addReply(c, shared.czero)
            return
        if end >= llen:
            end = llen - 1
        deleted = zslDeleteRangeByRank(zs.zsl, start + 1, end + 1, zs.dict)
    elif rangetype == ZRANGE_SCORE:
        deleted = zslDeleteRangeByScore(zs.zsl, spec, zs.dict)
    elif zobj.encoding == OBJ_ENCODING_LISTPACK:
        deleted = zzlDeleteRangeByLex(zs, spec)
    else:
        deleted = zslDeleteRangeByLex(zs.zsl, spec, zs.dict)
    db = c.db
    keyremoved = False
    if not zs.dict:
        dbDelete(db, key)
        keyremoved = True
    if deleted:
        signalModifiedKey(c, db, key)
        notifyKeyspaceEvent(NOTIFY_ZSET, notify_type, key, db.id)
        if keyremoved:
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, db.id)
    server.dirty += deleted
    addReplyLongLong(c, deleted)


def zremrangebyrankCommand(c):
    """ZREMRANGEBYRANK key start stop (mirrors zremrangebyrankCommand)."""
    zremrangeGenericCommand(c, ZRANGE_RANK)


def zremrangebyscoreCommand(c):
    """ZREMRANGEBYSCORE key min max (mirrors zremrangebyscoreCommand)."""
    zremrangeGenericCommand(c, ZRANGE_SCORE)


def zremrangebylexCommand(c):
    """ZREMRANGEBYLEX key min max (mirrors zremrangebylexCommand)."""
    zremrangeGenericCommand(c, ZRANGE_LEX)


# ---------------------------------------------------------------------------
# Listpack lex walks
#
# Lex ranges are only meaningful when all members share one score; with mixed
# scores Redis still answers, and the answer depends on how it walks.  A
# skiplist walk depends on the random node levels, so no two servers agree;
# a listpack is scanned linearly from one end, which is deterministic.  For
# listpack-labelled sets we therefore walk level 0 the way the listpack scan
# goes, so even those answers match Redis.
# ---------------------------------------------------------------------------

def zzlIsInLexRange(zsl, spec):
    """Cheap rejection of lex ranges by the first and last members (mirrors
    zzlIsInLexRange; identical in outcome to zslIsInLexRange)."""
    return zslIsInLexRange(zsl, spec)


def zzlFirstInLexRange(zsl, spec):
    """Scan from the head for the first member >= min; it must also be <=
    max (mirrors zzlFirstInLexRange)."""
    if not zzlIsInLexRange(zsl, spec):
        return None
    x = zsl.header.level[0].forward
    while x is not None:
        if zslLexValueGteMin(x.ele, spec):
            return x if zslLexValueLteMax(x.ele, spec) else None
        x = x.level[0].forward
    return None


def zzlLastInLexRange(zsl, spec):
    """Scan from the tail for the last member <= max; it must also be >=
    min (mirrors zzlLastInLexRange)."""
    if not zzlIsInLexRange(zsl, spec):
        return None
    x = zsl.tail
    while x is not None:
        if zslLexValueLteMax(x.ele, spec):
            return x if zslLexValueGteMin(x.ele, spec) else None
        x = x.backward
    return None


def zzlDeleteRangeByLex(zs, spec):
    """Delete from the first member in range onwards while members stay <=
    max; return how many (mirrors zzlDeleteRangeByLex)."""
    x = zzlFirstInLexRange(zs.zsl, spec)
    removed = 0
    while x is not None and zslLexValueLteMax(x.ele, spec):
        nxt = x.level[0].forward
        zsetRemoveFromSkiplist(zs, x.ele)
        removed += 1
        x = nxt
    return removed


# ---------------------------------------------------------------------------
# ZRANGE family: the range walkers and the result handler
# ---------------------------------------------------------------------------

class zrange_result_handler:
    """Where a ZRANGE-style result goes: to the client, or into a new sorted
    set stored at ``dstkey`` (ZRANGESTORE) (t_zset.c zrange_result_handler).

    The C handler is a table of begin/emit/finalize callbacks so the walkers
    can stream one element at a time.  Our walkers instead collect the list
    of (member, score) pairs and hand it to zrangeResultFinalize in one go:
    a Python function call per element costs more than building the list,
    and the client reply is then one joined buffer.  The length the C passes
    to "begin" survives as zrangeResultFinalize's ``begin_length``, because
    it is what picks the encoding of a stored result.
    """

    __slots__ = ("client", "dstkey", "store", "withscores")

    def __init__(self, client, store=0, dstkey=None):
        self.client = client
        self.store = store
        self.dstkey = dstkey
        self.withscores = 0


def zrangeResultFinalize(handler, items, begin_length):
    """Emit the result (mirrors zrangeResultBeginClient/Store +
    zrangeResultFinalizeClient/Store).

    For the client: the array of members (and scores).  For ZRANGESTORE: the
    destination starts as listpack unless the known length already exceeds
    zset-max-listpack-entries (score and lex ranges do not know theirs and
    pass -1), members are added with zsetAdd so the usual conversion rules
    apply, and an empty result deletes the destination.
    """
    c = handler.client
    if not handler.store:
        zset_reply_items(c, items, handler.withscores)
        return
    dstkey = handler.dstkey
    db = c.db
    if items:
        if begin_length > server.zset_max_listpack_entries:
            dstobj = createZsetObject()
        else:
            dstobj = createZsetListpackObject()
        for ele, score in items:
            zsetAdd(dstobj, score, ele, ZADD_IN_NONE)
        setKey(c, db, dstkey, dstobj, 0)
        addReplyLongLong(c, len(items))
        notifyKeyspaceEvent(NOTIFY_ZSET, "zrangestore", dstkey, db.id)
        server.dirty += 1
    else:
        addReply(c, shared.czero)
        if dbDelete(db, dstkey):
            signalModifiedKey(c, db, dstkey)
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", dstkey, db.id)
            server.dirty += 1


def genericZrangebyrankCommand(handler, zobj, start, end, withscores, reverse):
    """ZRANGE by index (mirrors genericZrangebyrankCommand): negative
    indexes count from the end, out of range ends are clamped."""
    zsl = zobj.ptr.zsl
    llen = zsl.length
    if start < 0:
        start += llen
    if end < 0:
        end += llen
    start = max(start, 0)
    if start > end or start >= llen:
        zrangeResultFinalize(handler, [], 0)
        return
    if end >= llen:
        end = llen - 1
    rangelen = end - start + 1
    items = []
    append = items.append
    # Start at an end when we can, saving the O(log n) rank lookup.
    if reverse:
        ln = zsl.tail if start == 0 else zslGetElementByRank(zsl, llen - start)
        while rangelen:
            append((ln.ele, ln.score))
            ln = ln.backward
            rangelen -= 1
    else:
        ln = (zsl.header.level[0].forward if start == 0
              else zslGetElementByRank(zsl, start + 1))
        while rangelen:
            append((ln.ele, ln.score))
            ln = ln.level[0].forward
            rangelen -= 1
    zrangeResultFinalize(handler, items, len(items))


def genericZrangebyscoreCommand(handler, spec, zobj, offset, limit, reverse):
    """ZRANGE BYSCORE (mirrors genericZrangebyscoreCommand).

    Like the C: an offset at or past the length gives nothing at once; a
    negative offset walks off the end (so also nothing); a negative limit
    means no limit.
    """
    zsl = zobj.ptr.zsl
    items = []
    if offset > 0 and offset >= zsl.length:
        zrangeResultFinalize(handler, items, -1)
        return
    if offset < 0:
        zrangeResultFinalize(handler, items, -1)
        return
    append = items.append
    if reverse:
        ln = zslLastInRange(zsl, spec)
        while ln is not None and offset:
            ln = ln.backward
            offset -= 1
        mn, minex = spec.min, spec.minex
        while ln is not None and limit:
            s = ln.score
            if s < mn or (minex and s == mn):
                break
            append((ln.ele, s))
            ln = ln.backward
            limit -= 1
    else:
        ln = zslFirstInRange(zsl, spec)
        while ln is not None and offset:
            ln = ln.level[0].forward
            offset -= 1
        mx, maxex = spec.max, spec.maxex
        while ln is not None and limit:
            s = ln.score
            if s > mx or (maxex and s == mx):
                break
            append((ln.ele, s))
            ln = ln.level[0].forward
            limit -= 1
    zrangeResultFinalize(handler, items, -1)


def genericZrangebylexCommand(handler, spec, zobj, withscores, offset, limit, reverse):
    """ZRANGE BYLEX (mirrors genericZrangebylexCommand); offset and limit
    behave as in the score version."""
    zsl = zobj.ptr.zsl
    items = []
    if offset < 0:
        zrangeResultFinalize(handler, items, -1)
        return
    append = items.append
    listpack = zobj.encoding == OBJ_ENCODING_LISTPACK
    if reverse:
        ln = (zzlLastInLexRange if listpack else zslLastInLexRange)(zsl, spec)
        while ln is not None and offset:
            ln = ln.backward
            offset -= 1
        while ln is not None and limit:
            if not zslLexValueGteMin(ln.ele, spec):
                break
            append((ln.ele, ln.score))
            ln = ln.backward
            limit -= 1
    else:
        ln = (zzlFirstInLexRange if listpack else zslFirstInLexRange)(zsl, spec)
        while ln is not None and offset:
            ln = ln.level[0].forward
            offset -= 1
        while ln is not None and limit:
            if not zslLexValueLteMax(ln.ele, spec):
                break
            append((ln.ele, ln.score))
            ln = ln.level[0].forward
            limit -= 1
    zrangeResultFinalize(handler, items, -1)


def zrangeGenericCommand(handler, argc_start, store, rangetype, direction):
    """ZRANGE, ZRANGESTORE and the older ZREVRANGE / Z[REV]RANGEBY{SCORE,LEX}
    (mirrors zrangeGenericCommand).  ``argc_start`` indexes the source key;
    options follow <src> <min> <max>."""
    c = handler.client
    argv = c.argv
    argc = len(argv)
    key = argv[argc_start]
    minidx = argc_start + 1
    maxidx = argc_start + 2
    opt_withscores = 0
    opt_offset = 0
    opt_limit = -1
    j = argc_start + 3
    while j < argc:
        leftargs = argc - j - 1
        opt = c_string(argv[j]).lower()
        if not store and opt == b"withscores":
            opt_withscores = 1
        elif opt == b"limit" and leftargs >= 2:
            opt_offset = getLongFromObjectOrReply(c, argv[j + 1])
            if opt_offset is None:
                return
            opt_limit = getLongFromObjectOrReply(c, argv[j + 2])
            if opt_limit is None:
                return
            j += 2
        elif direction == ZRANGE_DIRECTION_AUTO and opt == b"rev":
            direction = ZRANGE_DIRECTION_REVERSE
        elif rangetype == ZRANGE_AUTO and opt == b"bylex":
            rangetype = ZRANGE_LEX
        elif rangetype == ZRANGE_AUTO and opt == b"byscore":
            rangetype = ZRANGE_SCORE
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        j += 1
    if direction == ZRANGE_DIRECTION_AUTO:
        direction = ZRANGE_DIRECTION_FORWARD
    if rangetype == ZRANGE_AUTO:
        rangetype = ZRANGE_RANK

    if opt_limit != -1 and rangetype == ZRANGE_RANK:
        addReplyError(c, "syntax error, LIMIT is only supported in combination "
                         "with either BYSCORE or BYLEX")
        return
    if opt_withscores and rangetype == ZRANGE_LEX:
        addReplyError(c, "syntax error, WITHSCORES not supported in combination with BYLEX")
        return
    reverse = direction == ZRANGE_DIRECTION_REVERSE
    if reverse and rangetype != ZRANGE_RANK:
        # The reverse forms take the range as max, min.
        minidx, maxidx = maxidx, minidx

    if rangetype == ZRANGE_RANK:
        opt_start = getLongFromObjectOrReply(c, argv[minidx])
        if opt_start is None:
            return
        opt_end = getLongFromObjectOrReply(c, argv[maxidx])
        if opt_end is None:
            return
    elif rangetype == ZRANGE_SCORE:
        spec = zslParseRange(argv[minidx], argv[maxidx])
        if spec is None:
            addReplyError(c, "min or max is not a float")
            return
    else:
        spec = zslParseLexRange(argv[minidx], argv[maxidx])
        if spec is None:
            addReplyError(c, "min or max not valid string range item")
            return

    if opt_withscores or store:
        handler.withscores = 1

    zobj = lookupKeyRead(c.db, key)
    if zobj is None:
        if store:
            zrangeResultFinalize(handler, [], -1)
        else:
            addReply(c, shared.emptyarray)
        return
    if checkType(c, zobj, OBJ_ZSET):
        return
    if rangetype == ZRANGE_RANK:
        genericZrangebyrankCommand(handler, zobj, opt_start, opt_end,
                                   opt_withscores or store, reverse)
    elif rangetype == ZRANGE_SCORE:
        genericZrangebyscoreCommand(handler, spec, zobj, opt_offset, opt_limit, reverse)
    else:
        genericZrangebylexCommand(handler, spec, zobj, opt_withscores or store,
                                  opt_offset, opt_limit, reverse)


def zrangestoreCommand(c):
    """ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
    (mirrors zrangestoreCommand)."""
    handler = zrange_result_handler(c, 1, c.argv[1])
    zrangeGenericCommand(handler, 2, 1, ZRANGE_AUTO, ZRANGE_DIRECTION_AUTO)


def zrangeCommand(c):
    """ZRANGE key min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
    [WITHSCORES] (mirrors zrangeCommand)."""
    zrangeGenericCommand(zrange_result_handler(c), 1, 0, ZRANGE_AUTO, ZRANGE_DIRECTION_AUTO)


def zrevrangeCommand(c):
    """ZREVRANGE key start stop [WITHSCORES] (mirrors zrevrangeCommand)."""
    zrangeGenericCommand(zrange_result_handler(c), 1, 0, ZRANGE_RANK, ZRANGE_DIRECTION_REVERSE)


def zrangebyscoreCommand(c):
    """ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] (mirrors
    zrangebyscoreCommand)."""
    zrangeGenericCommand(zrange_result_handler(c), 1, 0, ZRANGE_SCORE, ZRANGE_DIRECTION_FORWARD)


def zrevrangebyscoreCommand(c):
    """ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
    (mirrors zrevrangebyscoreCommand)."""
    zrangeGenericCommand(zrange_result_handler(c), 1, 0, ZRANGE_SCORE, ZRANGE_DIRECTION_REVERSE)


def zrangebylexCommand(c):
    """ZRANGEBYLEX key min max [LIMIT offset count] (mirrors
    zrangebylexCommand)."""
    zrangeGenericCommand(zrange_result_handler(c), 1, 0, ZRANGE_LEX, ZRANGE_DIRECTION_FORWARD)


def zrevrangebylexCommand(c):
    """ZREVRANGEBYLEX key max min [LIMIT offset count] (mirrors
    zrevrangebylexCommand)."""
    zrangeGenericCommand(zrange_result_handler(c), 1, 0, ZRANGE_LEX, ZRANGE_DIRECTION_REVERSE)


# ---------------------------------------------------------------------------
# Counting and point lookups
# ---------------------------------------------------------------------------

def zcountCommand(c):
    """ZCOUNT key min max (mirrors zcountCommand): two rank lookups, so
    O(log n) whatever the size of the range."""
    key = c.argv[1]
    spec = zslParseRange(c.argv[2], c.argv[3])
    if spec is None:
        addReplyError(c, "min or max is not a float")
        return
    zobj = lookupKeyReadOrReply(c, key, shared.czero)
    if zobj is None or checkType(c, zobj, OBJ_ZSET):
        return
    zsl = zobj.ptr.zsl
    count = 0
    zn = zslFirstInRange(zsl, spec)
    if zn is not None:
        llen = zsl.length
        rank = zslGetRank(zsl, zn.score, zn.ele)
        count = llen - (rank - 1)
        zn = zslLastInRange(zsl, spec)
        if zn is not None:
            rank = zslGetRank(zsl, zn.score, zn.ele)
            count -= llen - rank
    addReplyLongLong(c, count)


def zlexcountCommand(c):
    """ZLEXCOUNT key min max (mirrors zlexcountCommand)."""
    key = c.argv[1]
    spec = zslParseLexRange(c.argv[2], c.argv[3])
    if spec is None:
        addReplyError(c, "min or max not valid string range item")
        return
    zobj = lookupKeyReadOrReply(c, key, shared.czero)
    if zobj is None or checkType(c, zobj, OBJ_ZSET):
        return
    zsl = zobj.ptr.zsl
    count = 0
    if zobj.encoding == OBJ_ENCODING_LISTPACK:
        # The listpack form counts forward from the first member in range.
        zn = zzlFirstInLexRange(zsl, spec)
        while zn is not None and zslLexValueLteMax(zn.ele, spec):
            count += 1
            zn = zn.level[0].forward
        addReplyLongLong(c, count)
        return
    zn = zslFirstInLexRange(zsl, spec)
    if zn is not None:
        llen = zsl.length
        rank = zslGetRank(zsl, zn.score, zn.ele)
        count = llen - (rank - 1)
        zn = zslLastInLexRange(zsl, spec)
        if zn is not None:
            rank = zslGetRank(zsl, zn.score, zn.ele)
            count -= llen - rank
    addReplyLongLong(c, count)


def zcardCommand(c):
    """ZCARD key (mirrors zcardCommand)."""
    zobj = lookupKeyReadOrReply(c, c.argv[1], shared.czero)
    if zobj is None or checkType(c, zobj, OBJ_ZSET):
        return
    addReplyLongLong(c, len(zobj.ptr.dict))


def _null_reply(c):
    return b"$-1\r\n" if c.resp == 2 else b"_\r\n"


def zscoreCommand(c):
    """ZSCORE key member (mirrors zscoreCommand)."""
    zobj = lookupKeyReadOrReply(c, c.argv[1], _null_reply(c))
    if zobj is None or checkType(c, zobj, OBJ_ZSET):
        return
    score = zobj.ptr.dict.get(c.argv[2])
    if score is None:
        addReplyNull(c)
    else:
        addReply(c, _fmt_double_reply(c, score))


def zmscoreCommand(c):
    """ZMSCORE key member ... (mirrors zmscoreCommand); a missing key
    answers like an empty set."""
    zobj = lookupKeyRead(c.db, c.argv[1])
    if checkType(c, zobj, OBJ_ZSET):
        return
    d = zobj.ptr.dict if zobj is not None else {}
    null = _null_reply(c)
    parts = [b"*%d\r\n" % (len(c.argv) - 2)]
    for member in c.argv[2:]:
        score = d.get(member)
        parts.append(null if score is None else _fmt_double_reply(c, score))
    addReply(c, b"".join(parts))


def zrankGenericCommand(c, reverse):
    """ZRANK / ZREVRANK (mirrors zrankGenericCommand)."""
    zobj = lookupKeyReadOrReply(c, c.argv[1], _null_reply(c))
    if zobj is None or checkType(c, zobj, OBJ_ZSET):
        return
    rank = zsetRank(zobj, c.argv[2], reverse)
    if rank >= 0:
        addReplyLongLong(c, rank)
    else:
        addReplyNull(c)


def zrankCommand(c):
    """ZRANK key member (mirrors zrankCommand)."""
    zrankGenericCommand(c, 0)


def zrevrankCommand(c):
    """ZREVRANK key member (mirrors zrevrankCommand)."""
    zrankGenericCommand(c, 1)


_EMPTYSCAN = b"*2\r\n$1\r\n0\r\n*0\r\n"


def zscanCommand(c):
    """ZSCAN key cursor [MATCH pattern] [COUNT count] (mirrors
    zscanCommand; the walk itself is db.scanGenericCommand)."""
    cursor = parseScanCursorOrReply(c, c.argv[2])
    if cursor is None:
        return
    o = lookupKeyReadOrReply(c, c.argv[1], _EMPTYSCAN)
    if o is None or checkType(c, o, OBJ_ZSET):
        return
    scanGenericCommand(c, o, cursor)


# ---------------------------------------------------------------------------
# ZPOPMIN / ZPOPMAX / ZMPOP (the blocking forms build on genericZpopCommand)
# ---------------------------------------------------------------------------

def genericZpopCommand(c, keyv, keyc, where, emitkey, count, use_nested_array,
                       reply_nil_when_empty):
    """Pop up to ``count`` members from the first non-empty sorted set among
    ``keyv[:keyc]`` (mirrors genericZpopCommand).

    count -1 means the plain single pop.  ``emitkey`` puts the key name in
    the reply (BZPOP*, ZMPOP), ``use_nested_array`` nests [member, score]
    pairs, ``reply_nil_when_empty`` answers a null array rather than an
    empty one.  Returns 1 when the key was deleted (the C's ``deleted``
    out-argument), which the blocked-client path uses.
    """
    key = None
    zobj = None
    db = c.db
    for idx in range(keyc):
        key = keyv[idx]
        zobj = lookupKeyWrite(db, key)
        if zobj is None:
            continue
        if checkType(c, zobj, OBJ_ZSET):
            return 0
        break
    if zobj is None:
        if reply_nil_when_empty:
            addReplyNullArray(c)
        else:
            addReply(c, shared.emptyarray)
        return 0
    if count == 0:
        addReply(c, shared.emptyarray)
        return 0
    if count == -1:
        count = 1
    zs = zobj.ptr
    zsl = zs.zsl
    d = zs.dict
    llen = len(d)
    rangelen = min(llen, count)
    parts = []
    if not use_nested_array and not emitkey:
        parts.append(b"*%d\r\n" % (rangelen * 2))
    elif use_nested_array and not emitkey:
        parts.append(b"*%d\r\n" % rangelen)
    elif not use_nested_array and emitkey:
        parts.append(b"*%d\r\n$%d\r\n%s\r\n" % (rangelen * 2 + 1, len(key), key))
    else:
        parts.append(b"*2\r\n$%d\r\n%s\r\n*%d\r\n" % (len(key), key, rangelen))
    resp2 = c.resp == 2
    for _ in range(rangelen):
        x = zsl.tail if where == ZSET_MAX else zsl.header.level[0].forward
        ele = x.ele
        score = x.score
        del d[ele]
        zslDelete(zsl, score, ele)
        if use_nested_array:
            parts.append(b"*2\r\n")
        s = format_score(score)
        if resp2:
            parts.append(b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(ele), ele, len(s), s))
        else:
            parts.append(b"$%d\r\n%s\r\n,%s\r\n" % (len(ele), ele, s))
    server.dirty += rangelen
    notifyKeyspaceEvent(NOTIFY_ZSET, "zpopmax" if where == ZSET_MAX else "zpopmin", key, db.id)
    signalModifiedKey(c, db, key)
    addReply(c, b"".join(parts))
    deleted = 0
    if not d:
        deleted = 1
        dbDelete(db, key)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, db.id)
    if c.cmd is not None and c.cmd.proc is zmpopCommand:
        # Replicas and the AOF see the deterministic ZPOPMIN/ZPOPMAX form.
        rewriteClientCommandVector(c, [b"ZPOPMAX" if where == ZSET_MAX else b"ZPOPMIN",
                                       key, b"%d" % rangelen])
    return deleted


def zpopMinMaxCommand(c, where):
    """ZPOPMIN / ZPOPMAX key [count] (mirrors zpopMinMaxCommand)."""
    if len(c.argv) > 3:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    count = -1
    if len(c.argv) == 3:
        count = getPositiveLongFromObjectOrReply(c, c.argv[2])
        if count is None:
            return
    use_nested_array = c.resp > 2 and count != -1
    genericZpopCommand(c, c.argv[1:2], 1, where, 0, count, use_nested_array, 0)


def zpopminCommand(c):
    """ZPOPMIN key [count] (mirrors zpopminCommand)."""
    zpopMinMaxCommand(c, ZSET_MIN)


def zpopmaxCommand(c):
    """ZPOPMAX key [count] (mirrors zpopmaxCommand)."""
    zpopMinMaxCommand(c, ZSET_MAX)


def zmpopGenericCommand(c, numkeys_idx, is_block):
    """ZMPOP / BZMPOP argument parsing (mirrors zmpopGenericCommand).
    Returns (keys, where, count) for the blocking caller, after handling the
    non-blocking form itself; None after an error reply."""
    argv = c.argv
    argc = len(argv)
    numkeys = getRangeLongFromObjectOrReply(c, argv[numkeys_idx], 1, LONG_MAX,
                                            "numkeys should be greater than 0")
    if numkeys is None:
        return None
    where_idx = numkeys_idx + numkeys + 1
    if where_idx >= argc:
        addReplyErrorObject(c, shared.syntaxerr)
        return None
    w = c_string(argv[where_idx]).lower()
    if w == b"min":
        where = ZSET_MIN
    elif w == b"max":
        where = ZSET_MAX
    else:
        addReplyErrorObject(c, shared.syntaxerr)
        return None
    count = -1
    j = where_idx + 1
    while j < argc:
        moreargs = argc - 1 - j
        if count == -1 and c_string(argv[j]).lower() == b"count" and moreargs:
            j += 1
            count = getRangeLongFromObjectOrReply(c, argv[j], 1, LONG_MAX,
                                                  "count should be greater than 0")
            if count is None:
                return None
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return None
        j += 1
    if count == -1:
        count = 1
    keys = argv[numkeys_idx + 1:numkeys_idx + 1 + numkeys]
    if not is_block:
        genericZpopCommand(c, keys, numkeys, where, 1, count, 1, 1)
    return keys, where, count


def zmpopCommand(c):
    """ZMPOP numkeys key ... MIN|MAX [COUNT count] (mirrors zmpopCommand)."""
    zmpopGenericCommand(c, 1, 0)


# ---------------------------------------------------------------------------
# ZUNION / ZINTER / ZDIFF (+STORE), ZINTERCARD
# ---------------------------------------------------------------------------

class zsetopsrc:
    """One input of a set operation: the value (None for a missing key),
    its type and encoding, and its weight (t_zset.c zsetopsrc).  Plain sets
    take part with score 1 for every member."""

    __slots__ = ("encoding", "subject", "type", "weight")

    def __init__(self, subject):
        self.subject = subject
        self.type = subject.type if subject is not None else None
        self.encoding = subject.encoding if subject is not None else None
        self.weight = 1.0


def zuiLength(op):
    """Cardinality of an input; 0 when the key is missing (mirrors
    zuiLength)."""
    o = op.subject
    if o is None:
        return 0
    if op.type == OBJ_ZSET:
        return len(o.ptr.dict)
    return len(o.ptr)


def zui_iter(op):
    """Yield (member, score) of an input, the way zuiInitIterator/zuiNext
    walk it: sorted sets from the highest score down (so a skiplist built
    from them gets its cheapest inserts), set members with score 1.0.
    Python-only generator replacing the C iterator state machine."""
    o = op.subject
    if o is None:
        return
    if op.type == OBJ_ZSET:
        x = o.ptr.zsl.tail
        while x is not None:
            yield x.ele, x.score
            x = x.backward
    else:
        for ele in o.ptr:
            yield (ele if isinstance(ele, bytes) else b"%d" % ele), 1.0


def zuiFind(op, ele):
    """Score of ``ele`` in an input, or None (mirrors zuiFind)."""
    o = op.subject
    if o is None:
        return None
    if op.type == OBJ_ZSET:
        return o.ptr.dict.get(ele)
    return 1.0 if ele in o.ptr else None


def zunionInterAggregate(target, val, aggregate):
    """Fold ``val`` into ``target`` and return it (mirrors
    zunionInterAggregate).  A SUM of +inf and -inf is NaN in IEEE arithmetic;
    Redis defines it as 0."""
    if aggregate == REDIS_AGGR_SUM:
        target = target + val
        if isnan(target):
            target = 0.0
        return target
    if aggregate == REDIS_AGGR_MIN:
        return min(target, val)
    return max(target, val)


def zdiffAlgorithm1(src, setnum, result):
    """ZDIFF by probing: for each member of the first input, look it up in
    every other input (mirrors zdiffAlgorithm1).  O(N*M) with N the first
    set's size and M the number of inputs; the others are probed biggest
    first so a member that exists is found early."""
    others = sorted(src[1:setnum], key=zuiLength, reverse=True)
    first = src[0]
    for ele, score in zui_iter(first):
        for op in others:
            if op.subject is first.subject or zuiFind(op, ele) is not None:
                break
        else:
            result[ele] = score


def zdiffAlgorithm2(src, setnum, result):
    """ZDIFF by subtraction: copy the first input, then remove every member
    of the others (mirrors zdiffAlgorithm2).  O(L) with L the total size of
    all inputs; stops early once nothing is left."""
    for ele, score in zui_iter(src[0]):
        result[ele] = score
    for j in range(1, setnum):
        if not result:
            break
        for ele, _ in zui_iter(src[j]):
            result.pop(ele, None)
            if not result:
                break


def zsetChooseDiffAlgorithm(src, setnum):
    """Pick the cheaper ZDIFF algorithm for these inputs (mirrors
    zsetChooseDiffAlgorithm): 0 when an input is the first set itself (the
    result is empty), else 1 or 2 by estimated work, with algorithm 1
    favoured 2:1 for its better constants."""
    algo_one_work = 0
    algo_two_work = 0
    first_len = zuiLength(src[0])
    for j in range(setnum):
        if j > 0 and src[0].subject is src[j].subject:
            return 0
        algo_one_work += first_len
        algo_two_work += zuiLength(src[j])
    algo_one_work //= 2
    return 1 if algo_one_work <= algo_two_work else 2


def zdiff(src, setnum, result):
    """Fill ``result`` (member -> score) with the first input minus the
    others (mirrors zdiff)."""
    if zuiLength(src[0]) > 0:
        algo = zsetChooseDiffAlgorithm(src, setnum)
        if algo == 1:
            zdiffAlgorithm1(src, setnum, result)
        elif algo == 2:
            zdiffAlgorithm2(src, setnum, result)


def zset_from_dict(result):
    """Build a skiplist-encoded zset object from member -> score (Python-only
    helper).  The C inserts as it goes; we sort once at C speed and insert
    from the top score down, so every zslInsert stops at the header."""
    dstobj = createZsetObject()
    zs = dstobj.ptr
    zsl = zs.zsl
    d = zs.dict
    for ele, score in sorted(result.items(), key=_by_score_then_member, reverse=True):
        zslInsert(zsl, score, ele)
        d[ele] = score
    return dstobj


def _by_score_then_member(item):
    return item[1], item[0]


def zunionInterDiffGenericCommand(c, dstkey, numkeysIndex, op, cardinality_only):
    """ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD (mirrors
    zunionInterDiffGenericCommand).  Inputs may be sorted sets or plain
    sets; missing keys are empty sets."""
    argv = c.argv
    argc = len(argv)
    setnum = getLongFromObjectOrReply(c, argv[numkeysIndex])
    if setnum is None:
        return
    if setnum < 1:
        addReplyErrorFormat(c, "at least 1 input key is needed for '%s' command",
                            c.cmd.fullname)
        return
    if setnum > argc - (numkeysIndex + 1):
        addReplyErrorObject(c, shared.syntaxerr)
        return
    db = c.db
    src = []
    j = numkeysIndex + 1
    for _ in range(setnum):
        obj = lookupKeyRead(db, argv[j])
        if obj is not None and obj.type != OBJ_ZSET and obj.type != OBJ_SET:
            addReplyErrorObject(c, shared.wrongtypeerr)
            return
        src.append(zsetopsrc(obj))
        j += 1

    aggregate = REDIS_AGGR_SUM
    withscores = 0
    limit = 0
    remaining = argc - j
    while remaining:
        opt = c_string(argv[j]).lower()
        if (op != SET_OP_DIFF and not cardinality_only and remaining >= setnum + 1 and
                opt == b"weights"):
            j += 1
            remaining -= 1
            for i in range(setnum):
                w = getDoubleFromObjectOrReply(c, argv[j], "weight value is not a float")
                if w is None:
                    return
                src[i].weight = w
                j += 1
                remaining -= 1
        elif (op != SET_OP_DIFF and not cardinality_only and remaining >= 2 and
              opt == b"aggregate"):
            j += 1
            remaining -= 1
            a = c_string(argv[j]).lower()
            if a == b"sum":
                aggregate = REDIS_AGGR_SUM
            elif a == b"min":
                aggregate = REDIS_AGGR_MIN
            elif a == b"max":
                aggregate = REDIS_AGGR_MAX
            else:
                addReplyErrorObject(c, shared.syntaxerr)
                return
            j += 1
            remaining -= 1
        elif remaining >= 1 and dstkey is None and not cardinality_only and opt == b"withscores":
            j += 1
            remaining -= 1
            withscores = 1
        elif cardinality_only and remaining >= 2 and opt == b"limit":
            j += 1
            remaining -= 1
            limit = getPositiveLongFromObjectOrReply(c, argv[j], "LIMIT can't be negative")
            if limit is None:
                return
            j += 1
            remaining -= 1
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return

    if op != SET_OP_DIFF:
        # Smallest input first (a stable sort, as glibc's qsort is in
        # practice): INTER then probes the fewest members, and the order in
        # which SUM adds up floats is the one Redis uses.
        src.sort(key=zuiLength)

    result = {}
    cardinality = 0
    if op == SET_OP_INTER:
        if zuiLength(src[0]) > 0:
            first = src[0]
            rest = src[1:]
            w0 = first.weight
            for ele, zscore in zui_iter(first):
                score = w0 * zscore
                if isnan(score):
                    score = 0.0
                for other in rest:
                    if other.subject is first.subject:
                        value = zscore * other.weight
                    else:
                        value = zuiFind(other, ele)
                        if value is None:
                            break
                        value *= other.weight
                    score = zunionInterAggregate(score, value, aggregate)
                else:
                    if cardinality_only:
                        cardinality += 1
                        if limit and cardinality >= limit:
                            break
                    else:
                        result[ele] = score
    elif op == SET_OP_UNION:
        for srcop in src:
            w = srcop.weight
            for ele, zscore in zui_iter(srcop):
                score = w * zscore
                if isnan(score):
                    score = 0.0
                cur = result.get(ele)
                if cur is None:
                    result[ele] = score
                else:
                    result[ele] = zunionInterAggregate(cur, score, aggregate)
    else:
        zdiff(src, setnum, result)

    if dstkey is not None:
        if result:
            dstobj = zset_from_dict(result)
            maxelelen = max(map(len, result))
            totelelen = sum(map(len, result))
            zsetConvertToListpackIfNeeded(dstobj, maxelelen, totelelen)
            setKey(c, db, dstkey, dstobj, 0)
            addReplyLongLong(c, len(result))
            notifyKeyspaceEvent(NOTIFY_ZSET,
                                "zunionstore" if op == SET_OP_UNION else
                                ("zinterstore" if op == SET_OP_INTER else "zdiffstore"),
                                dstkey, db.id)
            server.dirty += 1
        else:
            addReply(c, shared.czero)
            if dbDelete(db, dstkey):
                signalModifiedKey(c, db, dstkey)
                notifyKeyspaceEvent(NOTIFY_GENERIC, "del", dstkey, db.id)
                server.dirty += 1
    elif cardinality_only:
        addReplyLongLong(c, cardinality)
    else:
        items = sorted(result.items(), key=_by_score_then_member)
        zset_reply_items(c, items, withscores)


def zunionstoreCommand(c):
    """ZUNIONSTORE dst numkeys key ... [WEIGHTS ...] [AGGREGATE ...]
    (mirrors zunionstoreCommand)."""
    zunionInterDiffGenericCommand(c, c.argv[1], 2, SET_OP_UNION, 0)


def zinterstoreCommand(c):
    """ZINTERSTORE dst numkeys key ... [WEIGHTS ...] [AGGREGATE ...]
    (mirrors zinterstoreCommand)."""
    zunionInterDiffGenericCommand(c, c.argv[1], 2, SET_OP_INTER, 0)


def zdiffstoreCommand(c):
    """ZDIFFSTORE dst numkeys key ... (mirrors zdiffstoreCommand)."""
    zunionInterDiffGenericCommand(c, c.argv[1], 2, SET_OP_DIFF, 0)


def zunionCommand(c):
    """ZUNION numkeys key ... [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES]
    (mirrors zunionCommand)."""
    zunionInterDiffGenericCommand(c, None, 1, SET_OP_UNION, 0)


def zinterCommand(c):
    """ZINTER numkeys key ... [WEIGHTS ...] [AGGREGATE ...] [WITHSCORES]
    (mirrors zinterCommand)."""
    zunionInterDiffGenericCommand(c, None, 1, SET_OP_INTER, 0)


def zinterCardCommand(c):
    """ZINTERCARD numkeys key ... [LIMIT limit] (mirrors zinterCardCommand)."""
    zunionInterDiffGenericCommand(c, None, 1, SET_OP_INTER, 1)


def zdiffCommand(c):
    """ZDIFF numkeys key ... [WITHSCORES] (mirrors zdiffCommand)."""
    zunionInterDiffGenericCommand(c, None, 1, SET_OP_DIFF, 0)


# ---------------------------------------------------------------------------
# ZRANDMEMBER
# ---------------------------------------------------------------------------

# When the set is at most this many times the requested count, copying it
# and removing random members beats drawing random members until enough are
# distinct (ZRANDMEMBER_SUB_STRATEGY_MUL in t_zset.c).
ZRANDMEMBER_SUB_STRATEGY_MUL = 3


def zrandmemberWithCountCommand(c, l, withscores):
    """ZRANDMEMBER key count [WITHSCORES] (mirrors
    zrandmemberWithCountCommand): a negative count may repeat members and
    returns exactly |count|; a positive one returns distinct members, at
    most the whole set."""
    zobj = lookupKeyReadOrReply(c, c.argv[1], shared.emptyarray)
    if zobj is None or checkType(c, zobj, OBJ_ZSET):
        return
    zs = zobj.ptr
    size = len(zs.dict)
    if l >= 0:
        count = l
        uniq = True
    else:
        count = -l
        uniq = False
    if count == 0:
        addReply(c, shared.emptyarray)
        return

    # CASE 1: repeats allowed (or a single member): independent draws.
    if not uniq or count == 1:
        zsl = zs.zsl
        rand = _rng.randint
        header = b"*%d\r\n" % (count * 2 if withscores and c.resp == 2 else count)
        addReply(c, header)
        # Chunked so a huge count streams out instead of building one giant
        # list first (the C samples in batches of 1000 for the same reason).
        while count:
            n = min(count, 1000)
            count -= n
            items = []
            for _ in range(n):
                x = zslGetElementByRank(zsl, rand(1, size))
                items.append((x.ele, x.score))
            zset_reply_items(c, items, withscores, header=False)
            if c.flags & CLIENT_CLOSE_ASAP:
                break  # the output buffer limit gave up on this client
        return

    # CASE 2: the count covers the whole set: all of it, in iteration
    # order (highest score first, as zuiNext walks).
    if count >= size:
        items = list(zui_iter(zsetopsrc(zobj)))
    elif count * ZRANDMEMBER_SUB_STRATEGY_MUL > size:
        # CASE 3: copy everything, then drop random members.
        items = list(zui_iter(zsetopsrc(zobj)))
        while len(items) > count:
            i = _rng.randrange(len(items))
            items[i] = items[-1]
            items.pop()
    elif zobj.encoding == OBJ_ENCODING_LISTPACK:
        # CASE 4, listpack: distinct positions chosen in one pass, replied in
        # set order (lpRandomPairsUnique).
        picks = sorted(_rng.sample(range(size), count))
        allitems = list(zs.zsl)
        items = [allitems[i] for i in picks]
    else:
        # CASE 4: draw until we have enough distinct members.
        seen = set()
        items = []
        zsl = zs.zsl
        while len(items) < count:
            x = zslGetElementByRank(zsl, _rng.randint(1, size))
            if x.ele in seen:
                continue
            seen.add(x.ele)
            items.append((x.ele, x.score))
    zset_reply_items(c, items, withscores)


def zrandmemberCommand(c):
    """ZRANDMEMBER key [count [WITHSCORES]] (mirrors zrandmemberCommand)."""
    argv = c.argv
    if len(argv) >= 3:
        l = getRangeLongFromObjectOrReply(c, argv[2], -LONG_MAX, LONG_MAX)
        if l is None:
            return
        if len(argv) > 4 or (len(argv) == 4 and c_string(argv[3]).lower() != b"withscores"):
            addReplyErrorObject(c, shared.syntaxerr)
            return
        withscores = 0
        if len(argv) == 4:
            withscores = 1
            if l < -LONG_MAX // 2 or l > LONG_MAX // 2:
                addReplyError(c, "value is out of range")
                return
        zrandmemberWithCountCommand(c, l, withscores)
        return
    zobj = lookupKeyReadOrReply(c, argv[1], _null_reply(c))
    if zobj is None or checkType(c, zobj, OBJ_ZSET):
        return
    ele, _ = zsetTypeRandomElement(zobj, len(zobj.ptr.dict))
    addReplyBulkCBuffer(c, ele)


# ---------------------------------------------------------------------------
# BZPOPMIN / BZPOPMAX / BZMPOP: the blocking pops (blocked.py parks and wakes)
# ---------------------------------------------------------------------------

def blockingGenericZpopCommand(c, keys, numkeys, where, timeout_idx, count, use_nested_array,
                               reply_nil_when_empty):
    """Pop from the first non-empty sorted set of ``keys``, or block (mirrors blockingGenericZpopCommand).

    With data this is the plain pop, propagated as ZPOPMIN/ZPOPMAX (with the
    COUNT actually popped) so replicas never see a blocking command. Without
    data the client is parked by blockForKeys; inside MULTI/EXEC (or any
    CLIENT_DENY_BLOCKING context) it answers at once as if it timed out.
    """
    from .blocked import blockForKeys
    timeout = getTimeoutFromObjectOrReply(c, c.argv[timeout_idx], UNIT_SECONDS)
    if timeout is None:
        return
    db = c.db
    for key in keys[:numkeys]:
        o = lookupKeyWrite(db, key)
        if o is None:
            continue
        if checkType(c, o, OBJ_ZSET):
            return
        llen = zsetLength(o)
        if llen == 0:
            continue
        genericZpopCommand(c, [key], 1, where, 1, count, use_nested_array, reply_nil_when_empty)
        name = b"ZPOPMAX" if where == ZSET_MAX else b"ZPOPMIN"
        if count == -1:
            rewriteClientCommandVector(c, [name, key])
        else:
            rewriteClientCommandVector(c, [name, key, b"%d" % min(count, llen)])
        return
    if c.flags & CLIENT_DENY_BLOCKING:
        addReplyNullArray(c)
        return
    blockForKeys(c, BLOCKED_ZSET, keys[:numkeys], count, timeout, None, (where, 0))


def bzpopminCommand(c):
    """BZPOPMIN key [key ...] timeout (mirrors bzpopminCommand)."""
    blockingGenericZpopCommand(c, c.argv[1:-1], len(c.argv) - 2, ZSET_MIN, len(c.argv) - 1,
                               -1, 0, 0)


def bzpopmaxCommand(c):
    """BZPOPMAX key [key ...] timeout (mirrors bzpopmaxCommand)."""
    blockingGenericZpopCommand(c, c.argv[1:-1], len(c.argv) - 2, ZSET_MAX, len(c.argv) - 1,
                               -1, 0, 0)


def bzmpopCommand(c):
    """BZMPOP timeout numkeys key ... MIN|MAX [COUNT count] (mirrors bzmpopCommand)."""
    parsed = zmpopGenericCommand(c, 2, 1)
    if parsed is None:
        return
    keys, where, count = parsed
    blockingGenericZpopCommand(c, keys, len(keys), where, 1, count, 1, 1)


def serveClientBlockedOnSortedSet(receiver, o, key, db):
    """Pop for one client blocked on ``key`` and propagate it (the body of
    blocked.c's serveClientsBlockedOnSortedSetKey loop).

    Returns 1 when the pop emptied (deleted) the key, so the caller stops
    serving further clients from it.
    """
    llen = zsetLength(o)
    count = receiver.bpop.count
    where = receiver.bpop.blockpos[0]
    use_nested_array = 1 if (receiver.lastcmd is not None
                             and receiver.lastcmd.proc is bzmpopCommand) else 0
    deleted = genericZpopCommand(receiver, [key], 1, where, 1, count, use_nested_array,
                                 use_nested_array)
    argv = [b"ZPOPMIN" if where == ZSET_MIN else b"ZPOPMAX", key]
    if count != -1:
        argv.append(b"%d" % min(count, llen))
    alsoPropagate(receiver.db.id, argv, PROPAGATE_AOF | PROPAGATE_REPL)
    return deleted
