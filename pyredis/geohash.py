"""52-bit interleaved geohash, mirroring Redis 7.0.15 ``geohash.c``.

A position is stored in a sorted set as the integer value of a 52-bit hash
(26 bits of latitude interleaved with 26 bits of longitude), so every step
here must produce the very same bits as Redis for GEOADD scores to agree.

The C passes results through out-pointers and returns 1/0 for success; we
keep that shape (callers pass a GeoHashBits / GeoHashArea / two-slot list to
fill) so that geo.c's callers port line by line.  The structs are slotted
classes with the C field names.
"""

GEO_STEP_MAX = 26  # 26 * 2 = 52 bits

# Web-Mercator limits (EPSG:900913): no geocoding at the poles.
GEO_LAT_MIN = -85.05112878
GEO_LAT_MAX = 85.05112878
GEO_LONG_MIN = -180
GEO_LONG_MAX = 180

# GeoDirection values (the C enum keeps the NORT_ spelling).
GEOHASH_NORTH = 0
GEOHASH_EAST = 1
GEOHASH_WEST = 2
GEOHASH_SOUTH = 3
GEOHASH_SOUTH_WEST = 4
GEOHASH_SOUTH_EAST = 5
GEOHASH_NORT_WEST = 6
GEOHASH_NORT_EAST = 7

CIRCULAR_TYPE = 1
RECTANGLE_TYPE = 2

_U64 = 0xFFFFFFFFFFFFFFFF


class GeoHashBits:
    """An interleaved hash and its precision in bits per axis."""

    __slots__ = ("bits", "step")

    def __init__(self, bits=0, step=0):
        self.bits = bits
        self.step = step

    def copy(self):
        return GeoHashBits(self.bits, self.step)

    def __eq__(self, other):
        return (isinstance(other, GeoHashBits) and self.bits == other.bits
                and self.step == other.step)

    __hash__ = None

    def __repr__(self):
        return f"GeoHashBits(bits={self.bits}, step={self.step})"


class GeoHashRange:
    """A closed interval on one axis."""

    __slots__ = ("max", "min")

    def __init__(self, min=0.0, max=0.0):
        self.min = min
        self.max = max

    def __repr__(self):
        return f"GeoHashRange(min={self.min!r}, max={self.max!r})"


class GeoHashArea:
    """The cell a hash names: the hash plus its longitude/latitude ranges."""

    __slots__ = ("hash", "latitude", "longitude")

    def __init__(self, hash=None, longitude=None, latitude=None):
        self.hash = hash if hash is not None else GeoHashBits()
        self.longitude = longitude if longitude is not None else GeoHashRange()
        self.latitude = latitude if latitude is not None else GeoHashRange()


class GeoHashNeighbors:
    """The eight cells around a hash, at the same step."""

    __slots__ = ("east", "north", "north_east", "north_west",
                 "south", "south_east", "south_west", "west")

    def __init__(self):
        for name in self.__slots__:
            setattr(self, name, GeoHashBits())


class GeoShape:
    """A search shape: circle (radius) or box (width/height), centred on
    xy = [lon, lat]; ``conversion`` turns the user's unit into meters and
    ``bounds`` receives [min_lon, min_lat, max_lon, max_lat].  The C keeps
    radius and the box in a union ``t``; we keep both as plain fields."""

    __slots__ = ("bounds", "conversion", "height", "radius", "type", "width", "xy")

    def __init__(self, type, xy, conversion=1.0, radius=0.0, width=0.0, height=0.0):
        self.type = type
        self.xy = list(xy)
        self.conversion = conversion
        self.bounds = [0.0, 0.0, 0.0, 0.0]
        self.radius = radius
        self.width = width
        self.height = height


def HASHISZERO(r):
    """True for the all-zero hash used to mean 'no cell' (macro)."""
    return not r.bits and not r.step


def RANGEISZERO(r):
    """True for an unset range (macro)."""
    return not r.max and not r.min


def RANGEPISZERO(r):
    """RANGEISZERO for a possibly missing range (macro)."""
    return r is None or RANGEISZERO(r)


# Masks and shifts for the bit-twiddling interleave (Stanford bithacks).
_IB = (0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F,
       0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF)
_IS = (1, 2, 4, 8, 16)
_DB = (0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F,
       0x00FF00FF00FF00FF, 0x0000FFFF0000FFFF, 0x00000000FFFFFFFF)
_DS = (0, 1, 2, 4, 8, 16)


def interleave64(xlo, ylo):
    """Spread the 32 bits of xlo over the even bit positions and ylo over
    the odd ones (mirrors the static interleave64)."""
    x = xlo & 0xFFFFFFFF
    y = ylo & 0xFFFFFFFF
    for i in (4, 3, 2, 1, 0):
        x = (x | (x << _IS[i])) & _IB[i]
        y = (y | (y << _IS[i])) & _IB[i]
    return x | (y << 1)


def deinterleave64(interleaved):
    """Inverse of interleave64: even bits to the low 32 bits, odd bits to
    the high 32 (mirrors the static deinterleave64)."""
    x = interleaved & _U64
    y = (interleaved >> 1) & _U64
    for i in range(6):
        x = (x | (x >> _DS[i])) & _DB[i]
        y = (y | (y >> _DS[i])) & _DB[i]
    return (x | (y << 32)) & _U64


def geohashGetCoordRange(long_range, lat_range):
    """Fill the two ranges with Redis's coordinate limits (mirrors
    geohashGetCoordRange)."""
    long_range.max = GEO_LONG_MAX
    long_range.min = GEO_LONG_MIN
    lat_range.max = GEO_LAT_MAX
    lat_range.min = GEO_LAT_MIN


def _c_double_to_uint32(v):
    """C conversion of a non-negative double to uint32_t: truncate toward
    zero; out-of-range values keep their low 32 bits, as x86-64 does."""
    return int(v) & 0xFFFFFFFF


def geohashEncode(long_range, lat_range, longitude, latitude, step, hash):
    """Encode a point into ``hash`` (a GeoHashBits) at ``step`` bits per
    axis; 1 on success, 0 for bad arguments or a point outside the limits
    (mirrors geohashEncode)."""
    if (hash is None or step > 32 or step == 0 or RANGEPISZERO(lat_range)
            or RANGEPISZERO(long_range)):
        return 0
    if (longitude > GEO_LONG_MAX or longitude < GEO_LONG_MIN
            or latitude > GEO_LAT_MAX or latitude < GEO_LAT_MIN):
        return 0
    hash.bits = 0
    hash.step = step
    if (latitude < lat_range.min or latitude > lat_range.max
            or longitude < long_range.min or longitude > long_range.max):
        return 0
    lat_offset = (latitude - lat_range.min) / (lat_range.max - lat_range.min)
    long_offset = (longitude - long_range.min) / (long_range.max - long_range.min)
    # Scale to fixed point; the multiply by a power of two is exact, so
    # doing it in Python floats matches the C bit for bit.
    lat_offset *= float(1 << step)
    long_offset *= float(1 << step)
    hash.bits = interleave64(_c_double_to_uint32(lat_offset),
                             _c_double_to_uint32(long_offset))
    return 1


def geohashEncodeType(longitude, latitude, step, hash):
    """geohashEncode with the standard limits (mirrors geohashEncodeType)."""
    long_range, lat_range = GeoHashRange(), GeoHashRange()
    geohashGetCoordRange(long_range, lat_range)
    return geohashEncode(long_range, lat_range, longitude, latitude, step, hash)


def geohashEncodeWGS84(longitude, latitude, step, hash):
    """Encode a WGS84 point (mirrors geohashEncodeWGS84)."""
    return geohashEncodeType(longitude, latitude, step, hash)


def geohashDecode(long_range, lat_range, hash, area):
    """Fill ``area`` with the cell that ``hash`` names; 1, or 0 for a zero
    hash or unset ranges (mirrors geohashDecode)."""
    if (HASHISZERO(hash) or area is None or RANGEISZERO(lat_range)
            or RANGEISZERO(long_range)):
        return 0
    area.hash = hash.copy()
    step = hash.step
    hash_sep = deinterleave64(hash.bits)  # [LAT][LONG]
    lat_scale = lat_range.max - lat_range.min
    long_scale = long_range.max - long_range.min
    ilato = hash_sep & 0xFFFFFFFF
    ilono = hash_sep >> 32
    div = float(1 << step)
    # (ilato + 1) is computed in uint32 in the C; it cannot wrap for
    # step <= 26, the only steps geo.c uses.
    area.latitude.min = lat_range.min + (ilato * 1.0 / div) * lat_scale
    area.latitude.max = lat_range.min + ((ilato + 1) * 1.0 / div) * lat_scale
    area.longitude.min = long_range.min + (ilono * 1.0 / div) * long_scale
    area.longitude.max = long_range.min + ((ilono + 1) * 1.0 / div) * long_scale
    return 1


def geohashDecodeType(hash, area):
    """geohashDecode with the standard limits (mirrors geohashDecodeType)."""
    long_range, lat_range = GeoHashRange(), GeoHashRange()
    geohashGetCoordRange(long_range, lat_range)
    return geohashDecode(long_range, lat_range, hash, area)


def geohashDecodeWGS84(hash, area):
    """Decode a WGS84 hash into its cell (mirrors geohashDecodeWGS84)."""
    return geohashDecodeType(hash, area)


def geohashDecodeAreaToLongLat(area, xy):
    """Put the centre of ``area``, clamped to the limits, into xy[0]
    (longitude) and xy[1] (latitude) (mirrors geohashDecodeAreaToLongLat)."""
    if xy is None:
        return 0
    # float() because the longitude limits are C int macros promoted to
    # double on assignment; a clamped value must still be a float here.
    x = (area.longitude.min + area.longitude.max) / 2
    x = float(max(min(x, GEO_LONG_MAX), GEO_LONG_MIN))
    y = (area.latitude.min + area.latitude.max) / 2
    y = float(max(min(y, GEO_LAT_MAX), GEO_LAT_MIN))
    xy[0] = x
    xy[1] = y
    return 1


def geohashDecodeToLongLatType(hash, xy):
    """Decode ``hash`` to the centre point of its cell (mirrors
    geohashDecodeToLongLatType)."""
    area = GeoHashArea()
    if xy is None or not geohashDecodeType(hash, area):
        return 0
    return geohashDecodeAreaToLongLat(area, xy)


def geohashDecodeToLongLatWGS84(hash, xy):
    """Decode a WGS84 hash to [lon, lat] in ``xy`` (mirrors
    geohashDecodeToLongLatWGS84)."""
    return geohashDecodeToLongLatType(hash, xy)


def geohash_move_x(hash, d):
    """Step ``hash`` one cell east (d > 0) or west (d < 0) in place,
    wrapping within the step's bits (mirrors the static geohash_move_x)."""
    if d == 0:
        return
    x = hash.bits & 0xAAAAAAAAAAAAAAAA
    y = hash.bits & 0x5555555555555555
    zz = 0x5555555555555555 >> (64 - hash.step * 2)
    if d > 0:
        x = x + (zz + 1)
    else:
        x = x | zz
        x = x - (zz + 1)
    x &= 0xAAAAAAAAAAAAAAAA >> (64 - hash.step * 2)
    hash.bits = (x | y) & _U64


def geohash_move_y(hash, d):
    """Step ``hash`` one cell north (d > 0) or south (d < 0) in place
    (mirrors the static geohash_move_y)."""
    if d == 0:
        return
    x = hash.bits & 0xAAAAAAAAAAAAAAAA
    y = hash.bits & 0x5555555555555555
    zz = 0xAAAAAAAAAAAAAAAA >> (64 - hash.step * 2)
    if d > 0:
        y = y + (zz + 1)
    else:
        y = y | zz
        y = y - (zz + 1)
    y &= 0x5555555555555555 >> (64 - hash.step * 2)
    hash.bits = (x | y) & _U64


def geohashNeighbors(hash, neighbors):
    """Fill ``neighbors`` with the eight cells around ``hash`` (mirrors
    geohashNeighbors)."""
    moves = (("east", 1, 0), ("west", -1, 0), ("south", 0, -1), ("north", 0, 1),
             ("north_west", -1, 1), ("north_east", 1, 1),
             ("south_east", 1, -1), ("south_west", -1, -1))
    for name, dx, dy in moves:
        h = hash.copy()
        geohash_move_x(h, dx)
        geohash_move_y(h, dy)
        setattr(neighbors, name, h)
