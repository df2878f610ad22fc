"""LOLWUT: our lolwut.c, lolwut5.c and lolwut6.c in one module.

LOLWUT prints a piece of computer art and the server version. Each Redis
release is meant to bring its own art; 7.0 has none of its own, so a plain
LOLWUT answers with the version line only (lolwutUnstableCommand), while
`LOLWUT VERSION 5` draws Georg Nees's "Schotter" in braille characters and
`LOLWUT VERSION 6` a city skyline in terminal colours.

The three C files share one small drawing API, the canvas (lolwut.h); it
lives here too. lolwut5.c and lolwut6.c each have a file-local function
called renderCanvas: as they share this module, they are renderCanvas5 and
renderCanvas6 here.

The art is random in Redis (rand()) and random here (the `random` module),
so only the shape of a reply can be compared with a real server, except for
Schotter with at most two rows of squares, which draws no random numbers.
The Schotter geometry is computed in C `float`; _f32 rounds every step to
single precision so the squares land on the same pixels as in Redis.
"""

import math
import random
import struct

from . import REDIS_VERSION
from .networking import addReplyVerbatim
from .object import getLongFromObjectOrReply
from .util import c_string

RAND_MAX = 0x7FFFFFFF  # glibc's: rand() returns 31 bits

_float = struct.Struct("f")
_M_PI = math.pi


def _f32(x):
    """x rounded to the nearest C float. A C expression on floats is
    computed in single precision on x86-64; doing one operation in double
    and rounding the result gives the same value (a double holds more than
    twice a float's digits), so each float step below is op-then-_f32."""
    return _float.unpack(_float.pack(x))[0]


def _c_round(x):
    """C round(): the nearest integer, halves away from zero (Python's
    round() sends halves to the even neighbour, which would move some
    square corners by a pixel)."""
    a = abs(x)
    f = math.floor(a)
    if a - f >= 0.5:
        f += 1
    return math.copysign(f, x)


def _rand():
    """C rand(): a number in [0, RAND_MAX]."""
    return random.getrandbits(31)


def _strcasecmp_eq(arg, word):
    """strcasecmp(arg, word) == 0. The C compare stops at the argument's
    first NUL byte, so `VERSION\\0junk` counts as VERSION in Redis too."""
    return c_string(arg).lower() == word


# ---------------------------------------------------------------------------
# lolwut.c: the command and the canvas
# ---------------------------------------------------------------------------
def lolwutUnstableCommand(c):
    """Reply the bare version line, the LOLWUT of a release without art of
    its own (lolwutUnstableCommand)."""
    addReplyVerbatim(c, "Redis ver. " + REDIS_VERSION + "\n", "txt")


def lolwutCommand(c):
    """LOLWUT [VERSION <n>] [art arguments...] (lolwutCommand).

    Picks the art by version string. Without VERSION that is our own
    REDIS_VERSION; with it, the number is cast to a C unsigned int and
    printed as "<n>.0.0" before the same character tests run, so
    `VERSION -1` becomes "4294967295.0.0" (no art) and
    `VERSION 4294967301` becomes "5.0.0" (Schotter). The 4.9 and 5.9
    branches can only match a release string, never a VERSION argument,
    whose third character is always '0'.
    """
    v = REDIS_VERSION
    shifted = False
    argv = c.argv
    if len(argv) >= 3 and _strcasecmp_eq(argv[1], b"version"):
        ver = getLongFromObjectOrReply(c, argv[2])
        if ver is None:
            return
        v = "%d.0.0" % (ver & 0xFFFFFFFF)
        # The per-version commands know nothing of VERSION: they are shown
        # the arguments after it, and argv[0] becomes the version number
        # (as C moves the argv pointer by two). Put back afterwards, since
        # the slow log and MONITOR read the client's argv later.
        c.argv = argv[2:]
        c.argc = len(c.argv)
        shifted = True

    try:
        if (v[0] == "5" and v[1] == "." and v[2] != "9") or \
                (v[0] == "4" and v[1] == "." and v[2] == "9"):
            lolwut5Command(c)
        elif (v[0] == "6" and v[1] == "." and v[2] != "9") or \
                (v[0] == "5" and v[1] == "." and v[2] == "9"):
            lolwut6Command(c)
        else:
            lolwutUnstableCommand(c)
    finally:
        if shifted:
            c.argv = argv
            c.argc = len(argv)


class lwCanvas:
    """A width x height grid of small colour numbers, row after row, top
    left first (lolwut.h's lwCanvas). LOLWUT 5 uses 0/1 (dot or no dot),
    LOLWUT 6 four grey levels 0..3."""
    __slots__ = ("width", "height", "pixels")

    def __init__(self, width, height, pixels):
        self.width = width
        self.height = height
        self.pixels = pixels


def lwCreateCanvas(width, height, bgcolor):
    """A new canvas with every pixel set to bgcolor (lwCreateCanvas)."""
    return lwCanvas(width, height, bytearray([bgcolor]) * (width * height))


def lwFreeCanvas(canvas):
    """Nothing to do: Python frees the canvas (lwFreeCanvas), kept so the
    drawing code reads as in C."""


def lwDrawPixel(canvas, x, y, color):
    """Set pixel x,y to color (lwDrawPixel). Points off the canvas are
    dropped silently, so shapes may run over its edges."""
    if x < 0 or x >= canvas.width or y < 0 or y >= canvas.height:
        return
    canvas.pixels[x + y * canvas.width] = color


def lwGetPixel(canvas, x, y):
    """The colour at x,y, or 0 outside the canvas (lwGetPixel)."""
    if x < 0 or x >= canvas.width or y < 0 or y >= canvas.height:
        return 0
    return canvas.pixels[x + y * canvas.width]


def lwDrawLine(canvas, x1, y1, x2, y2, color):
    """Bresenham's line from x1,y1 to x2,y2, both ends included (lwDrawLine)."""
    dx = abs(x2 - x1)
    dy = abs(y2 - y1)
    sx = 1 if x1 < x2 else -1
    sy = 1 if y1 < y2 else -1
    err = dx - dy
    while True:
        lwDrawPixel(canvas, x1, y1, color)
        if x1 == x2 and y1 == y2:
            break
        e2 = err * 2
        if e2 > -dy:
            err -= dy
            x1 += sx
        if e2 < dx:
            err += dx
            y1 += sy


def lwDrawSquare(canvas, x, y, size, angle, color):
    """Outline a square of side `size` centred on x,y and turned by `angle`
    radians (lwDrawSquare).

    The corners are four points of a circle a quarter turn apart, starting
    at 45 degrees plus the angle; the circle's radius is the half diagonal,
    side / sqrt(2). size, angle and the running angle k are C floats; sin,
    cos and the corner sums are done in double, as C promotes them.
    """
    px = [0] * 4
    py = [0] * 4
    size = _f32(size / 1.4142135623)
    size = _f32(_c_round(size))
    k = _f32(_M_PI / 4 + angle)
    for j in range(4):
        px[j] = int(_c_round(math.sin(k) * size + x))
        py[j] = int(_c_round(math.cos(k) * size + y))
        k = _f32(k + _M_PI / 2)
    for j in range(4):
        lwDrawLine(canvas, px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4], color)


# ---------------------------------------------------------------------------
# lolwut5.c: Schotter
# ---------------------------------------------------------------------------
def lwTranslatePixelsGroup(byte, output=None):
    """The UTF-8 bytes of the braille character for a 2x4 pixel group
    (lwTranslatePixelsGroup).

    Bit n of `byte` is one dot; the bits go down the left column (0, 1, 2),
    down the right one (3, 4, 5), then the bottom row (6 left, 7 right),
    which is how Unicode numbers the dots from U+2800. C writes the three
    bytes into `output`; here they are returned, and also stored into
    `output` when a bytearray is given.
    """
    code = 0x2800 + byte
    # Every braille character lies in U+0800..U+FFFF: three UTF-8 bytes.
    out = bytes((0xE0 | (code >> 12),
                 0x80 | ((code >> 6) & 0x3F),
                 0x80 | (code & 0x3F)))
    if output is not None:
        output[0:3] = out
    return out


# lwTranslatePixelsGroup for every byte, for renderCanvas5.
_BRAILLE = [lwTranslatePixelsGroup(byte) for byte in range(256)]


def lwDrawSchotter(console_cols, squares_per_row, squares_per_col):
    """Draw Georg Nees's Schotter on a new canvas (lwDrawSchotter): rows of
    squares, turned and shifted more at random the lower the row (the top
    two rows stay straight). A console column is two canvas pixels wide.

    All the geometry is in C float and truncated to int where C assigns a
    float to an int (Python's int() truncates toward zero as C does).
    """
    canvas_width = console_cols * 2
    padding = 2 if canvas_width > 4 else 0
    square_side = _f32((canvas_width - padding * 2) / squares_per_row)
    canvas_height = int(_f32(_f32(square_side * squares_per_col) + padding * 2))
    canvas = lwCreateCanvas(canvas_width, canvas_height, 0)

    half_side = _f32(square_side / 2)
    rand_max = _f32(RAND_MAX)
    for y in range(squares_per_col):
        for x in range(squares_per_row):
            sx = int(_f32(_f32(_f32(x * square_side) + half_side) + padding))
            sy = int(_f32(_f32(_f32(y * square_side) + half_side) + padding))
            angle = 0.0
            if y > 1:
                # Each of r1..r3 is a random fraction of y/squares_per_col,
                # then given a random sign: the disorder grows downwards.
                r1 = _f32(_f32(_f32(_f32(_rand()) / rand_max) / squares_per_col) * y)
                r2 = _f32(_f32(_f32(_f32(_rand()) / rand_max) / squares_per_col) * y)
                r3 = _f32(_f32(_f32(_f32(_rand()) / rand_max) / squares_per_col) * y)
                if _rand() % 2:
                    r1 = -r1
                if _rand() % 2:
                    r2 = -r2
                if _rand() % 2:
                    r3 = -r3
                angle = r1
                sx = int(_f32(sx + _f32(_f32(r2 * square_side) / 3)))
                sy = int(_f32(sy + _f32(_f32(r3 * square_side) / 3)))
            lwDrawSquare(canvas, sx, sy, square_side, angle, 1)
    return canvas


def renderCanvas5(canvas):
    """The canvas as braille text, one character per 2x4 pixels and one
    line per four pixel rows (lolwut5.c's static renderCanvas).

    A newline follows each line unless its first pixel row is the canvas's
    last one, which happens only when the height is 1 more than a multiple
    of 4; that is why Schotter usually ends with an empty line.

    C asks lwGetPixel for each of the eight pixels; here each band of four
    rows is sliced out once, with zero pixels past the right and bottom
    edges standing for lwGetPixel's 0 off the canvas, and the characters
    come from a table of lwTranslatePixelsGroup's 256 answers. Same bytes,
    but a 1000-column Schotter renders in a fraction of the time.
    """
    text = bytearray()
    braille = _BRAILLE
    width, height, pixels = canvas.width, canvas.height, canvas.pixels
    blank = bytes(width + 1)
    for y in range(0, height, 4):
        r0, r1, r2, r3 = (pixels[(y + i) * width:(y + i + 1) * width] + b"\0"
                          if y + i < height else blank for i in range(4))
        for x in range(0, width, 2):
            byte = 0
            if r0[x]:
                byte |= 1 << 0
            if r1[x]:
                byte |= 1 << 1
            if r2[x]:
                byte |= 1 << 2
            if r0[x + 1]:
                byte |= 1 << 3
            if r1[x + 1]:
                byte |= 1 << 4
            if r2[x + 1]:
                byte |= 1 << 5
            if r3[x]:
                byte |= 1 << 6
            if r3[x + 1]:
                byte |= 1 << 7
            text += braille[byte]
        if y != height - 1:
            text += b"\n"
    return text


def _parse_longs_or_reply(c, defaults):
    """The optional numeric arguments after the command name, each parsed
    as in C with getLongFromObjectOrReply, or None once one is bad (the
    error is already replied). Arguments beyond the known ones are
    ignored, as Redis ignores them."""
    values = list(defaults)
    for j in range(len(values)):
        if len(c.argv) > j + 1:
            v = getLongFromObjectOrReply(c, c.argv[j + 1])
            if v is None:
                return None
            values[j] = v
    return values


def lolwut5Command(c):
    """LOLWUT VERSION 5 [columns [squares-per-row [squares-per-col]]]
    (lolwut5Command): Schotter, 66 columns by 8 x 12 squares by default.

    Out-of-range numbers are clamped, not refused (columns to 1..1000,
    squares to 1..200), to keep the drawing cheap.
    """
    args = _parse_longs_or_reply(c, (66, 8, 12))
    if args is None:
        return
    cols, squares_per_row, squares_per_col = args
    cols = min(max(cols, 1), 1000)
    squares_per_row = min(max(squares_per_row, 1), 200)
    squares_per_col = min(max(squares_per_col, 1), 200)

    canvas = lwDrawSchotter(cols, squares_per_row, squares_per_col)
    rendered = renderCanvas5(canvas)
    rendered += b"\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. "
    rendered += REDIS_VERSION.encode() + b"\n"
    addReplyVerbatim(c, bytes(rendered), "txt")
    lwFreeCanvas(canvas)


# ---------------------------------------------------------------------------
# lolwut6.c: skyscrapers
# ---------------------------------------------------------------------------

# The four greys of LOLWUT 6, as SGR parameters setting both the foreground
# and the background: a space then shows the colour on every terminal.
_LW6_COLORS = (
    "0;30;40m",    # black
    "0;90;100m",   # dark grey
    "0;37;47m",    # light grey
    "0;97;107m",   # white
)


def renderCanvas6(canvas):
    """The canvas as coloured spaces, one per pixel, one line per row with
    no newline after the last (lolwut6.c's static renderCanvas)."""
    # One escaped space per possible pixel byte; anything outside 0..3 is
    # drawn black, as C's default case.
    cell = [b"\033[%s \033[0m" % (_LW6_COLORS[v] if v < 4 else _LW6_COLORS[0]).encode()
            for v in range(256)]
    width = canvas.width
    rows = []
    for y in range(canvas.height):
        row = canvas.pixels[y * width:(y + 1) * width]
        rows.append(b"".join([cell[color] for color in row]))
    return b"\n".join(rows)


class skyscraper:
    """One building of the skyline (lolwut6.c's struct skyscraper)."""
    __slots__ = ("xoff", "width", "height", "windows", "color")

    def __init__(self):
        self.xoff = 0      # leftmost pixel column, may be off the canvas
        self.width = 0
        self.height = 0
        self.windows = 0   # true: light up random windows
        self.color = 0


def generateSkyscraper(canvas, si):
    """Draw one building from the bottom row up (generateSkyscraper).

    The top row is two pixels narrower on each side. With si.windows, the
    inner part (two pixels in from the sides, top and bottom) gets windows
    on every other row, two pixels wide every other pair of columns, each
    one a random grey different from the wall.
    """
    starty = canvas.height - 1
    endy = starty - si.height + 1
    for y in range(starty, endy - 1, -1):
        for x in range(si.xoff, si.xoff + si.width):
            if y == endy and (x <= si.xoff + 1 or x >= si.xoff + si.width - 2):
                continue
            color = si.color
            if si.windows and si.xoff + 1 < x < si.xoff + si.width - 2 and \
                    endy + 1 < y < starty - 1:
                # Both are positive here, so // and % agree with C's / and %.
                relx = x - (si.xoff + 1)
                rely = y - (endy + 1)
                # Windows are two pixels wide but one tall: a terminal
                # character is about twice as tall as it is wide.
                if relx // 2 % 2 and rely % 2:
                    while True:
                        color = 1 + _rand() % 2
                        if color != si.color:
                            break
                    # The second pixel of a window copies the first.
                    if relx % 2:
                        color = lwGetPixel(canvas, x - 1, y)
            lwDrawPixel(canvas, x, y, color)


def generateSkyline(canvas):
    """Draw the skyline (generateSkyline): two layers of windowless
    buildings, the light grey first so it stays behind the dark grey, then
    black buildings with windows in front. Each layer walks left to right
    from x = -10 with random gaps, widths and heights."""
    si = skyscraper()
    for color in (2, 1):
        si.color = color
        offset = -10
        while offset < canvas.width:
            offset += _rand() % 8
            si.xoff = offset
            si.width = 10 + _rand() % 9
            if color == 2:
                si.height = canvas.height // 2 + _rand() % canvas.height // 2
            else:
                si.height = canvas.height // 2 + _rand() % canvas.height // 3
            si.windows = 0
            generateSkyscraper(canvas, si)
            if color == 2:
                offset += si.width // 2
            else:
                offset += si.width + 1

    si.color = 0
    offset = -10
    while offset < canvas.width:
        offset += _rand() % 8
        si.xoff = offset
        si.width = 5 + _rand() % 14
        if si.width % 4:
            si.width += si.width % 3
        si.height = canvas.height // 3 + _rand() % canvas.height // 2
        si.windows = 1
        generateSkyscraper(canvas, si)
        offset += si.width + 5


def lolwut6Command(c):
    """LOLWUT VERSION 6 [columns [rows]] (lolwut6Command): a skyline in
    four greys, 80 x 20 by default, both clamped to 1..1000."""
    args = _parse_longs_or_reply(c, (80, 20))
    if args is None:
        return
    cols, rows = args
    cols = min(max(cols, 1), 1000)
    rows = min(max(rows, 1), 1000)

    canvas = lwCreateCanvas(cols, rows, 3)
    generateSkyline(canvas)
    rendered = renderCanvas6(canvas)
    rendered += (b"\nDedicated to the 8 bit game developers of past and present.\n"
                 b"Original 8 bit image from Plaguemon by hikikomori. Redis ver. ")
    rendered += REDIS_VERSION.encode() + b"\n"
    addReplyVerbatim(c, rendered, "txt")
    lwFreeCanvas(canvas)
