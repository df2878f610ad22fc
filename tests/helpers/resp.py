"""Parse RESP2/RESP3 reply bytes into Python values, and compare replies whose
order is unspecified (hashtable-encoded hashes and sets reply in hash order,
which pyredis does not reproduce).

Parsed forms: bulk/verbatim -> bytes, null -> None, integer -> int, simple
string -> ("+", text), error -> ("-", text), double -> ("," , text),
boolean -> bool, array/set/push -> list, map -> list of (key, value).
"""


def parse(data):
    value, pos = _parse(data, 0)
    if pos != len(data):
        raise ValueError(f"trailing bytes after reply: {data[pos:]!r}")
    return value


def _line(data, pos):
    end = data.index(b"\r\n", pos)
    return data[pos:end], end + 2


def _parse(data, pos):
    line, pos = _line(data, pos)
    t, rest = line[:1], line[1:]
    if t in (b"$", b"=", b"!"):
        n = int(rest)
        if n < 0:
            return None, pos
        return data[pos:pos + n], pos + n + 2
    if t == b":":
        return int(rest), pos
    if t == b"+":
        return ("+", rest), pos
    if t == b"-":
        return ("-", rest), pos
    if t == b",":
        return (",", rest), pos
    if t == b"#":
        return rest == b"t", pos
    if t == b"_":
        return None, pos
    if t in (b"*", b"~", b">"):
        n = int(rest)
        if n < 0:
            return None, pos
        out = []
        for _ in range(n):
            v, pos = _parse(data, pos)
            out.append(v)
        return out, pos
    if t == b"%":
        n = int(rest)
        out = []
        for _ in range(n):
            k, pos = _parse(data, pos)
            v, pos = _parse(data, pos)
            out.append((k, v))
        return out, pos
    raise ValueError(f"unknown RESP type {t!r}")


def _key(v):
    return repr(v)


def unordered(reply, pairs=False):
    """A reply with its (top-level) elements sorted; with `pairs`, a flat
    RESP2 field/value array is sorted pair by pair. The reply header (array,
    set or map) still counts: its type byte is kept as the first item."""
    head = reply[:1]
    v = parse(reply)
    if not isinstance(v, list):
        return (head, v)
    if pairs and v and not isinstance(v[0], (tuple, list)):
        v = list(zip(v[::2], v[1::2]))
    return (head, len(v), sorted(v, key=_key))


def assert_same_unordered(pair, cmds, pairs=False):
    """Like assert_same, but each reply's elements are compared as a multiset."""
    a, b = pair
    bad = []
    for cmd in cmds:
        x, y = a.call(*cmd), b.call(*cmd)
        if x[:1] != y[:1] or unordered(x, pairs) != unordered(y, pairs):
            bad.append((cmd, x, y))
    assert not bad, "\n".join(f"{cmd!r}:\n  pyredis: {x!r}\n  redis:   {y!r}"
                              for cmd, x, y in bad)


def shape(data):
    """A reply's type skeleton: every aggregate keeps its type byte and
    length, every scalar keeps only its type byte (bulk, integer, double,
    null...). Random replies (SPOP, SRANDMEMBER, HRANDFIELD, ZRANDMEMBER with
    a count) pick different elements on each server, but their skeleton -
    a RESP3 set or array, pairs or a flat list - must still be Redis's."""
    out = []
    pos = 0
    while pos < len(data):
        end = data.index(b"\r\n", pos)
        t, rest = data[pos:pos + 1], data[pos + 1:end]
        pos = end + 2
        if t in (b"$", b"=", b"!"):
            n = int(rest)
            if n >= 0:
                pos += n + 2
            out.append(t if n >= 0 else b"$-1")
        elif t in (b"*", b"~", b">", b"%", b"|"):
            out.append(t + rest)
        else:
            out.append(t)
    return b" ".join(out)
