"""LOLWUT (pyredis/lolwut.py): replies compared with a real Redis 7.0, and the
canvas and braille helpers checked in-process on cases worked out by hand.

Only part of LOLWUT is deterministic: the version line, the errors, and
Schotter (VERSION 5) with at most two rows of squares, since only the rows
below the second are moved at random. Those are compared byte for byte. For
random art the reply's shape is compared instead: the number of lines, the
width of each line in characters, and the text lines at the end.
"""

import random
import re

import pytest

from pyredis import REDIS_VERSION
from pyredis.lolwut import (
    _c_round,
    generateSkyscraper,
    lwCanvas,
    lwCreateCanvas,
    lwDrawLine,
    lwDrawPixel,
    lwDrawSchotter,
    lwDrawSquare,
    lwGetPixel,
    lwTranslatePixelsGroup,
    renderCanvas5,
    renderCanvas6,
    skyscraper,
)

# Replies that do not depend on rand(): byte for byte.
SAME_BYTES = [
    ["LOLWUT"],
    ["LOLWUT", "VERSION"],                       # no number: not the option
    ["LOLWUT", "foo", "bar"],
    ["LOLWUT", "5", "10", "2"],                  # art arguments without VERSION
    ["LOLWUT", "VERSION", "7"],
    ["LOLWUT", "version", "7"],
    ["LOLWUT", "VERSION", "4"],
    ["LOLWUT", "VERSION", "0"],
    ["LOLWUT", "VERSION", "49"],                 # "49.0.0": not 4.9
    ["LOLWUT", "VERSION", "59"],
    ["LOLWUT", "VERSION", "-1"],                 # (unsigned)-1 = 4294967295
    ["LOLWUT", "VERSION", "4294967296"],         # wraps to 0
    ["LOLWUT", "VERSION", "9223372036854775807"],
    ["LOLWUT", "VERSION", "abc"],
    ["LOLWUT", "VERSION", "1.5"],
    ["LOLWUT", "VERSION", ""],
    ["LOLWUT", "VERSION", "99999999999999999999"],
    ["LOLWUT", "VERSION", "5", "abc"],
    ["LOLWUT", "VERSION", "5", "10", "x"],
    ["LOLWUT", "VERSION", "5", "10", "8", "1e3"],
    ["LOLWUT", "VERSION", "5", "99999999999999999999"],
    ["LOLWUT", "VERSION", "6", "x"],
    ["LOLWUT", "VERSION", "6", "80", "twenty"],
    ["LOLWUT", "VERSION", "6", "80", " 20"],
    # Schotter with one or two rows of squares draws no random numbers.
    ["LOLWUT", "VERSION", "5", "2", "1", "1"],
    ["LOLWUT", "VERSION", "5", "3", "1", "1"],
    ["LOLWUT", "VERSION", "5", "1", "1", "1"],
    ["LOLWUT", "VERSION", "5", "66", "8", "2"],
    ["LOLWUT", "VERSION", "5", "40", "7", "1"],
    ["LOLWUT", "VERSION", "5", "33", "3", "2"],
    ["LOLWUT", "VERSION", "5", "0", "0", "-5"],   # clamped to 1, 1, 1
    ["LOLWUT", "VERSION", "5", "5000", "200", "2"],
    ["LOLWUT", "VERSION", "5", "17", "1000", "1"],
    ["LOLWUT", "VERSION", "5", "2", "1", "1", "ignored"],
    # Sizes where computing the geometry in double instead of C float moves
    # a square by a pixel.
    ["LOLWUT", "VERSION", "5", "8", "7", "1"],
    ["LOLWUT", "VERSION", "5", "21", "7", "2"],
    ["LOLWUT", "VERSION", "5", "35", "13", "2"],
    ["LOLWUT", "VERSION", "5", "28", "31", "2"],
    # Versions reaching Schotter through the unsigned cast or the NUL that
    # ends strcasecmp's compare.
    ["LOLWUT", "VERSION", "4294967301", "2", "1", "1"],
    ["LOLWUT", "VERSION", "-4294967291", "66", "8", "2"],
    ["LOLWUT", "VERSION\0junk", "5", "2", "1", "1"],
]


@pytest.mark.parametrize("cmd", SAME_BYTES,
                         ids=[" ".join(c).replace("\0", "\\0") for c in SAME_BYTES])
def test_same_reply_as_redis(pair, protocol, cmd):
    ours, theirs = pair
    assert ours.call(*cmd) == theirs.call(*cmd)


def test_schotter_without_randomness_sweep(pair):
    """Every Schotter of one or two rows is fully determined: many sizes,
    byte for byte."""
    ours, theirs = pair
    for cols in list(range(1, 41)) + [66, 257, 1000]:
        for per_row in (1, 3, 7, 8, 13, 31, 200):
            for per_col in (1, 2):
                cmd = ["LOLWUT", "VERSION", "5", cols, per_row, per_col]
                assert ours.call(*cmd) == theirs.call(*cmd), cmd


def test_plain_lolwut_is_the_version_line(pair, protocol):
    ours, _ = pair
    line = b"Redis ver. %s\n" % REDIS_VERSION.encode()
    if protocol == "2":
        assert ours.call("LOLWUT") == b"$%d\r\n%s\r\n" % (len(line), line)
    else:
        assert ours.call("LOLWUT") == b"=%d\r\ntxt:%s\r\n" % (len(line) + 4, line)


def verbatim_text(reply, protocol):
    """The text of a bulk (RESP2) or verbatim "txt" (RESP3) reply."""
    header, rest = reply.split(b"\r\n", 1)
    assert rest.endswith(b"\r\n")
    body = rest[:-2]
    if protocol == "2":
        assert header == b"$%d" % len(body)
        return body.decode()
    assert header == b"=%d" % len(body) and body.startswith(b"txt:")
    return body[4:].decode()


_ESCAPE = re.compile("\033\\[[0-9;]*m")


def shape(text):
    """Lines as (width in characters, escapes removed) for the art, and the
    text lines verbatim: the art is the part before the first line of prose."""
    lines = text.split("\n")
    out = []
    for line in lines:
        plain = _ESCAPE.sub("", line)
        if re.search("[A-Za-z]", plain):
            out.append(plain)
        else:
            out.append(len(plain))
    return out


SCHOTTER = [[], ["66"], ["20"], ["80", "4"], ["30", "3", "5"], ["66", "8", "12"], ["10", "1", "3"],
            ["7", "2", "9"], ["150", "20", "20"]]


@pytest.mark.parametrize("args", SCHOTTER, ids=[" ".join(a) or "default" for a in SCHOTTER])
def test_schotter_same_shape_as_redis(pair, protocol, args):
    ours, theirs = pair
    cmd = ["LOLWUT", "VERSION", "5"] + args
    mine = verbatim_text(ours.call(*cmd), protocol)
    real = verbatim_text(theirs.call(*cmd), protocol)
    assert shape(mine) == shape(real)
    assert mine.endswith("\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. %s\n"
                         % REDIS_VERSION)
    # Braille only, every character one UTF-8 sequence of three bytes.
    art = mine.split("\nGeorg")[0]
    assert set(art) <= {chr(0x2800 + b) for b in range(256)} | {"\n"}
    # Same canvas size, so a reply exactly as long as Redis's.
    assert len(mine.encode()) == len(real.encode())


SKYLINE = [[], ["80"], ["40", "10"], ["1", "1"], ["3", "7"], ["100", "30"], ["0", "-3"],
           ["25", "1"]]


@pytest.mark.parametrize("args", SKYLINE, ids=[" ".join(a) or "default" for a in SKYLINE])
def test_skyline_same_shape_as_redis(pair, protocol, args):
    ours, theirs = pair
    cmd = ["LOLWUT", "VERSION", "6"] + args
    mine = verbatim_text(ours.call(*cmd), protocol)
    real = verbatim_text(theirs.call(*cmd), protocol)
    assert shape(mine) == shape(real)
    assert mine.endswith("\nDedicated to the 8 bit game developers of past and present.\n"
                         "Original 8 bit image from Plaguemon by hikikomori. Redis ver. %s\n"
                         % REDIS_VERSION)
    # Every pixel is one of the four grey escapes around a space.
    art = mine.split("\nDedicated")[0]
    cells = re.findall("\033\\[([0-9;]*m) \033\\[0m", art)
    assert set(cells) <= {"0;30;40m", "0;90;100m", "0;37;47m", "0;97;107m"}
    assert len(cells) == sum(n for n in shape(art) if isinstance(n, int))


def test_version_through_unsigned_cast_reaches_skyline(pair, protocol):
    ours, theirs = pair
    cmd = ["LOLWUT", "VERSION", "4294967302", "20", "5"]
    assert shape(verbatim_text(ours.call(*cmd), protocol)) == \
        shape(verbatim_text(theirs.call(*cmd), protocol))


def test_argv_is_restored_after_version(pair):
    """The slow log records the command as sent, VERSION included, though
    the art code was shown only the arguments after it."""
    cmd = ["LOLWUT", "VERSION", "5", "2", "1", "1"]
    logged = b"*6\r\n" + b"".join(b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in cmd)
    for conn in pair:
        conn.call("CONFIG", "SET", "slowlog-log-slower-than", "0")
        try:
            conn.call("SLOWLOG", "RESET")
            conn.call(*cmd)
            assert logged in conn.call("SLOWLOG", "GET", "1")
        finally:
            conn.call("CONFIG", "SET", "slowlog-log-slower-than", "10000")


# ---------------------------------------------------------------------------
# In-process: the canvas, lines, squares and braille
# ---------------------------------------------------------------------------
def test_canvas_basics():
    cv = lwCreateCanvas(3, 2, 7)
    assert isinstance(cv, lwCanvas) and (cv.width, cv.height) == (3, 2)
    assert cv.pixels == bytearray([7] * 6)
    assert not hasattr(cv, "__dict__")
    lwDrawPixel(cv, 2, 1, 1)
    assert cv.pixels[2 + 1 * 3] == 1 and lwGetPixel(cv, 2, 1) == 1
    # Off the canvas: writes are dropped, reads are 0.
    for x, y in ((-1, 0), (3, 0), (0, -1), (0, 2)):
        lwDrawPixel(cv, x, y, 0)
        assert lwGetPixel(cv, x, y) == 0
    assert cv.pixels == bytearray([7, 7, 7, 7, 7, 1])


def test_braille_bytes():
    assert lwTranslatePixelsGroup(0) == "\u2800".encode()
    assert lwTranslatePixelsGroup(0xFF) == "\u28ff".encode()
    for bit in range(8):
        assert lwTranslatePixelsGroup(1 << bit) == chr(0x2800 + (1 << bit)).encode()
    out = bytearray(3)
    assert lwTranslatePixelsGroup(0x4F, out) == bytes(out) == b"\xe2\xa1\x8f"


# Where each pixel of a 2x4 cell goes in the braille byte: the left column's
# top three dots are bits 0-2, the right column's bits 3-5, the bottom row 6-7.
DOT_BITS = {(0, 0): 0, (0, 1): 1, (0, 2): 2, (1, 0): 3, (1, 1): 4, (1, 2): 5, (0, 3): 6, (1, 3): 7}


@pytest.mark.parametrize("xy", sorted(DOT_BITS))
def test_single_pixel_renders_its_braille_dot(xy):
    cv = lwCreateCanvas(2, 4, 0)
    lwDrawPixel(cv, *xy, 1)
    # Height 4: the only band starts at row 0, not the last row, so a
    # newline follows it.
    assert renderCanvas5(cv) == chr(0x2800 + (1 << DOT_BITS[xy])).encode() + b"\n"


def test_render_braille_bands_and_edges():
    # 3x5: the second band holds one row, the right cell one column; the
    # band starting on the last row gets no newline.
    cv = lwCreateCanvas(3, 5, 1)
    assert renderCanvas5(cv) == ("\u28ff\u2847\n\u2809\u2801").encode()
    cv = lwCreateCanvas(4, 1, 0)
    lwDrawPixel(cv, 3, 0, 1)
    assert renderCanvas5(cv) == "\u2800\u2808".encode()


def test_render_skyline_colors():
    cv = lwCanvas(2, 2, bytearray([0, 1, 2, 9]))
    assert renderCanvas6(cv) == (b"\033[0;30;40m \033[0m\033[0;90;100m \033[0m\n"
                                 b"\033[0;37;47m \033[0m\033[0;30;40m \033[0m")


def pixels_set(cv):
    return {(x, y) for y in range(cv.height) for x in range(cv.width) if lwGetPixel(cv, x, y)}


def test_draw_line():
    cv = lwCreateCanvas(6, 4, 0)
    lwDrawLine(cv, 0, 0, 4, 2, 1)
    assert pixels_set(cv) == {(0, 0), (1, 0), (2, 1), (3, 1), (4, 2)}
    cv = lwCreateCanvas(6, 4, 0)
    lwDrawLine(cv, 4, 2, 0, 0, 1)         # backwards: the other rounding
    assert pixels_set(cv) == {(4, 2), (3, 2), (2, 1), (1, 1), (0, 0)}
    cv = lwCreateCanvas(3, 3, 0)
    lwDrawLine(cv, 1, -5, 1, 9, 1)        # clipped to the canvas
    assert pixels_set(cv) == {(1, 0), (1, 1), (1, 2)}
    cv = lwCreateCanvas(3, 3, 0)
    lwDrawLine(cv, 2, 2, 2, 2, 1)
    assert pixels_set(cv) == {(2, 2)}


def test_draw_square():
    # Side 4: half diagonal 4/sqrt(2) = 2.83, rounded to 3; the corners at
    # 45 + 90k degrees are 3*0.707 = 2.12 from the centre, rounded to 2.
    cv = lwCreateCanvas(10, 10, 0)
    lwDrawSquare(cv, 5, 5, 4.0, 0.0, 1)
    outline = {(x, y) for x in range(3, 8) for y in range(3, 8) if x in (3, 7) or y in (3, 7)}
    assert pixels_set(cv) == outline
    # A quarter turn (up to float rounding) gives the same square.
    cv2 = lwCreateCanvas(10, 10, 0)
    lwDrawSquare(cv2, 5, 5, 4.0, 1.5707963705062866, 1)
    assert pixels_set(cv2) == outline
    # Turned by 45 degrees: a diamond with corners 3 from the centre.
    cv3 = lwCreateCanvas(10, 10, 0)
    lwDrawSquare(cv3, 5, 5, 4.0, 0.7853981852531433, 1)
    assert {(2, 5), (8, 5), (5, 2), (5, 8)} <= pixels_set(cv3)
    assert lwGetPixel(cv3, 5, 5) == 0


def test_c_round_halves_away_from_zero():
    assert [_c_round(v) for v in (2.5, -2.5, 0.5, -0.5, 1.4999999, 0.49999999999999994)] == \
        [3, -3, 1, -1, 1, 0]


def test_schotter_without_randomness():
    # 2 columns = 4x4 pixels, no padding, one square of side 4 centred at
    # 2,2: its corners land at 0 and 4, so only the top and left edges are
    # on the canvas: U+284F then U+2809, as Redis draws it.
    cv = lwDrawSchotter(2, 1, 1)
    assert (cv.width, cv.height) == (4, 4)
    assert pixels_set(cv) == {(0, 0), (1, 0), (2, 0), (3, 0), (0, 1), (0, 2), (0, 3)}
    assert renderCanvas5(cv) == "\u284f\u2809\n".encode()
    # Default size: 132 x (16 * 12 + 4) pixels.
    cv = lwDrawSchotter(66, 8, 12)
    assert (cv.width, cv.height) == (132, 196)


def test_schotter_follows_the_random_module():
    random.seed(5)
    a = lwDrawSchotter(40, 5, 8).pixels
    random.seed(5)
    b = lwDrawSchotter(40, 5, 8).pixels
    assert a == b


def test_skyscraper_without_windows():
    cv = lwCreateCanvas(6, 4, 3)
    si = skyscraper()
    si.xoff, si.width, si.height, si.windows, si.color = 0, 6, 3, 0, 1
    generateSkyscraper(cv, si)
    # Row 0 untouched, the roof (row 1) two pixels in from each side.
    assert bytes(cv.pixels) == bytes([3, 3, 3, 3, 3, 3,
                                      3, 3, 1, 1, 3, 3,
                                      1, 1, 1, 1, 1, 1,
                                      1, 1, 1, 1, 1, 1])


def test_skyscraper_windows():
    cv = lwCreateCanvas(12, 10, 3)
    si = skyscraper()
    si.xoff, si.width, si.height, si.windows, si.color = 0, 12, 10, 1, 0
    generateSkyscraper(cv, si)
    # Windows: even rows 2..6 inside the walls; column pairs (3,4) and (7,8)
    # where (x - 1) // 2 is odd; each pair one grey.
    for y in range(10):
        for x in range(12):
            p = lwGetPixel(cv, x, y)
            window = 1 < x < 10 and 1 < y < 8 and (x - 1) // 2 % 2 and (y - 1) % 2
            if window:
                assert p in (1, 2)
                if (x - 1) % 2:
                    assert p == lwGetPixel(cv, x - 1, y)
            elif y == 0 and (x <= 1 or x >= 10):
                assert p == 3
            else:
                assert p == 0
