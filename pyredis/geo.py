"""Geospatial commands on top of sorted sets: our geo.c.

A geo set is an ordinary sorted set whose scores are 52-bit interleaved
geohashes (geohash.py): GEOADD turns each longitude/latitude into a score
and hands the work to ZADD, so ZRANGE, ZREM, ZCARD... work on geo sets, and
a search becomes a handful of score-range scans of the skiplist, one for
the cell holding the centre and one for each of its eight neighbours,
followed by an exact distance check of each candidate.

What this module needs from t_zset is kept small: zaddCommand (GEOADD),
zsetScore (positions of members), createZsetObject /
zsetConvertToListpackIfNeeded (the STORE variants), and the skiplist
range walk (zslFirstInRange + level[0] forward links). A pyredis sorted set
keeps its skiplist in both encodings, so the walk needs no listpack branch.

Numbers are formatted as Redis formats them: distances with exactly four
decimals (fixedpoint_d2string), coordinates through the long double
"human" format (ld2string), geohash strings in the standard base32
alphabet.
"""

import math

from .db import dbDelete, lookupKeyRead, lookupKeyReadOrReply, setKey, signalModifiedKey
from .geohash import (
    CIRCULAR_TYPE,
    GEO_LAT_MAX,
    GEO_LAT_MIN,
    GEO_LONG_MAX,
    GEO_LONG_MIN,
    GEO_STEP_MAX,
    HASHISZERO,
    RECTANGLE_TYPE,
    GeoHashBits,
    GeoHashRange,
    GeoShape,
    geohashDecodeToLongLatWGS84,
    geohashEncode,
    geohashEncodeWGS84,
)
from .geohash_helper import (
    geohashAlign52Bits,
    geohashCalculateAreasByShapeWGS84,
    geohashGetDistance,
    geohashGetDistanceIfInRadiusWGS84,
    geohashGetDistanceIfInRectangle,
)
from .networking import (
    addReply,
    addReplyArrayLen,
    addReplyBulkCBuffer,
    addReplyError,
    addReplyErrorFormat,
    addReplyErrorObject,
    addReplyHumanLongDouble,
    addReplyLongLong,
    addReplyNull,
    addReplyNullArray,
    argstr,
)
from .notify import notifyKeyspaceEvent
from .object import checkType, getDoubleFromObjectOrReply, getLongLongFromObjectOrReply
from .pqsort import pqsort
from .server_h import NOTIFY_GENERIC, NOTIFY_ZSET, OBJ_ZSET, server, shared
from .t_zset import (
    createZsetObject,
    zaddCommand,
    zrangespec,
    zsetConvertToListpackIfNeeded,
    zsetScore,
    zslFirstInRange,
    zslInsert,
    zslValueLteMax,
)
from .util import c_string, ld2string
from .server import rewriteClientCommandVector

SORT_NONE = 0
SORT_ASC = 1
SORT_DESC = 2

RADIUS_COORDS = 1 << 0      # search around a longitude/latitude
RADIUS_MEMBER = 1 << 1      # search around a member
RADIUS_NOSTORE = 1 << 2     # the _RO variants: no STORE / STOREDIST
GEOSEARCH = 1 << 3          # GEOSEARCH-style arguments
GEOSEARCHSTORE = 1 << 4     # GEOSEARCHSTORE: only STOREDIST as a flag

_GEOALPHABET = b"0123456789bcdefghjkmnpqrstuvwxyz"


class geoPoint:
    """One search result (geo.h geoPoint)."""

    __slots__ = ("dist", "latitude", "longitude", "member", "score")

    def __init__(self, longitude, latitude, dist, score, member):
        self.longitude = longitude
        self.latitude = latitude
        self.dist = dist
        self.score = score
        self.member = member


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def _double_to_uint64(d):
    """What the C cast (uint64_t)d gives on x86-64, for any double score.

    Geo scores are below 2^52, but the set may hold anything ZADD put
    there. The compiled cast converts values below 2^63 as signed (so
    negatives wrap, and what int64 cannot hold becomes 2^63), and values
    from 2^63 up by subtracting 2^63 first and flipping the top bit back,
    which turns 2^64 and beyond, +inf included, into 0.
    """
    if math.isnan(d):
        return 1 << 63
    if d >= 9223372036854775808.0:
        return int(d) if d < 18446744073709551616.0 else 0
    if d < -9223372036854775808.0:
        return 1 << 63
    return int(d) & 0xFFFFFFFFFFFFFFFF


# Even and odd bits of every 16-bit value, packed: the deinterleave step of
# decoding done 16 bits per table lookup instead of geohash.py's
# six-round mask-and-shift (which builds two objects per call as well).
# Built from an 8-bit table (256 x 4 bit steps) rather than bit by bit for
# all 65536 values: the same tables, but module import (paid by every server
# start) costs about 15 ms instead of half a second of CPU.
_EVEN8 = [0] * 256
for _v in range(256):
    _EVEN8[_v] = (_v & 1) | ((_v >> 1) & 2) | ((_v >> 2) & 4) | ((_v >> 3) & 8)
_EVEN16 = [_EVEN8[_v & 0xFF] | (_EVEN8[_v >> 8] << 4) for _v in range(65536)]
_ODD16 = [_EVEN8[(_v >> 1) & 0x55] | (_EVEN8[(_v >> 9) & 0x55] << 4) for _v in range(65536)]
del _v, _EVEN8

_LAT_SCALE = GEO_LAT_MAX - GEO_LAT_MIN
_LONG_SCALE = GEO_LONG_MAX - GEO_LONG_MIN
_STEP_DIV = float(1 << GEO_STEP_MAX)


def decodeGeohash(bits):
    """The [longitude, latitude] a score stands for (decodeGeohash).

    This is geohashDecodeToLongLatWGS84 at GEO_STEP_MAX unrolled: the same
    double operations in the same order (cell bounds from the integer
    cell coordinates, centre, clamp), so the result is bit-identical; the
    C can fail only for a zero step, which GEO_STEP_MAX is not. Searches
    call this once per candidate, which is why it is worth the unrolling.
    """
    h = _double_to_uint64(bits)
    even, odd = _EVEN16, _ODD16
    c0, c1, c2, c3 = h & 0xFFFF, (h >> 16) & 0xFFFF, (h >> 32) & 0xFFFF, h >> 48
    ilato = even[c0] | (even[c1] << 8) | (even[c2] << 16) | (even[c3] << 24)
    ilono = odd[c0] | (odd[c1] << 8) | (odd[c2] << 16) | (odd[c3] << 24)
    lat_min = GEO_LAT_MIN + (ilato * 1.0 / _STEP_DIV) * _LAT_SCALE
    lat_max = GEO_LAT_MIN + ((ilato + 1) * 1.0 / _STEP_DIV) * _LAT_SCALE
    long_min = GEO_LONG_MIN + (ilono * 1.0 / _STEP_DIV) * _LONG_SCALE
    long_max = GEO_LONG_MIN + ((ilono + 1) * 1.0 / _STEP_DIV) * _LONG_SCALE
    x = (long_min + long_max) / 2
    x = float(max(min(x, GEO_LONG_MAX), GEO_LONG_MIN))
    y = (lat_min + lat_max) / 2
    y = float(max(min(y, GEO_LAT_MAX), GEO_LAT_MIN))
    return [x, y]


# Each 16-bit value with its bits spread to the even positions of 32 bits:
# the interleave step of encoding, two lookups per coordinate. Built, like
# the tables above, from an 8-bit table: spreading all 65536 values bit by
# bit is a million interpreted steps, a third of a second on every start.
_SPREAD8 = [0] * 256
for _v in range(256):
    for _k in range(8):
        _SPREAD8[_v] |= ((_v >> _k) & 1) << (2 * _k)
_SPREAD16 = [_SPREAD8[_v & 0xFF] | (_SPREAD8[_v >> 8] << 16) for _v in range(65536)]
del _v, _k, _SPREAD8


def geo_score(longitude, latitude):
    """The GEOADD score of a validated point: geohashEncodeWGS84 at GEO_STEP_MAX, aligned to 52 bits.

    Python-only fast path of geohashEncode + geohashAlign52Bits (the same
    double operations, then interleaving by table lookup); at 26 steps the
    52-bit alignment shifts by nothing.
    """
    lat_offset = (latitude - GEO_LAT_MIN) / _LAT_SCALE * _STEP_DIV
    long_offset = (longitude - GEO_LONG_MIN) / _LONG_SCALE * _STEP_DIV
    lat = int(lat_offset) & 0xFFFFFFFF
    lon = int(long_offset) & 0xFFFFFFFF
    sp = _SPREAD16
    return (sp[lat & 0xFFFF] | (sp[lat >> 16] << 32)
            | ((sp[lon & 0xFFFF] | (sp[lon >> 16] << 32)) << 1))


def geo_score_reference(longitude, latitude):
    """geo_score through geohash.py's encoder (Python-only, for tests)."""
    hash = GeoHashBits()
    geohashEncodeWGS84(longitude, latitude, GEO_STEP_MAX, hash)
    return geohashAlign52Bits(hash)


def decodeGeohash_reference(bits):
    """decodeGeohash through geohash.py's general decoder (Python-only, for tests)."""
    xy = [0.0, 0.0]
    if not geohashDecodeToLongLatWGS84(GeoHashBits(_double_to_uint64(bits), GEO_STEP_MAX), xy):
        return None
    return xy


def extractLongLatOrReply(c, args):
    """Parse a longitude and latitude; [lon, lat] or None after an error (extractLongLatOrReply)."""
    xy = [0.0, 0.0]
    for i in range(2):
        v = getDoubleFromObjectOrReply(c, args[i], None)
        if v is None:
            return None
        xy[i] = v
    if xy[0] < GEO_LONG_MIN or xy[0] > GEO_LONG_MAX or xy[1] < GEO_LAT_MIN or xy[1] > GEO_LAT_MAX:
        addReplyErrorFormat(c, "-ERR invalid longitude,latitude pair %f,%f\r\n", xy[0], xy[1])
        return None
    return xy


def longLatFromMember(zobj, member):
    """[lon, lat] of a member of the geo set, or None when absent (longLatFromMember)."""
    score = zsetScore(zobj, member)
    if score is None:
        return None
    return decodeGeohash(score)


def extractUnitOrReply(c, unit):
    """Meters per unit for m, km, ft, mi; -1 after an error (extractUnitOrReply)."""
    u = c_string(unit).lower()
    if u == b"m":
        return 1.0
    if u == b"km":
        return 1000.0
    if u == b"ft":
        return 0.3048
    if u == b"mi":
        return 1609.34
    addReplyError(c, "unsupported unit provided. please use M, KM, FT, MI")
    return -1


def extractDistanceOrReply(c, args):
    """Parse "<radius> <unit>" into (conversion, radius), or None after an error (extractDistanceOrReply)."""
    distance = getDoubleFromObjectOrReply(c, args[0], "need numeric radius")
    if distance is None:
        return None
    if distance < 0:
        addReplyError(c, "radius cannot be negative")
        return None
    to_meters = extractUnitOrReply(c, args[1])
    if to_meters < 0:
        return None
    return to_meters, distance


def extractBoxOrReply(c, args):
    """Parse "<width> <height> <unit>" into (conversion, width, height), or None (extractBoxOrReply)."""
    w = getDoubleFromObjectOrReply(c, args[0], "need numeric width")
    if w is None:
        return None
    h = getDoubleFromObjectOrReply(c, args[1], "need numeric height")
    if h is None:
        return None
    if h < 0 or w < 0:
        addReplyError(c, "height or width cannot be negative")
        return None
    to_meters = extractUnitOrReply(c, args[2])
    if to_meters < 0:
        return None
    return to_meters, w, h


def fixedpoint_d2string(d, fractional_digits):
    """d with exactly `fractional_digits` decimals, rounded half-even (util.c fixedpoint_d2string).

    Redis scales by a power of ten in double arithmetic and rounds with
    llrint; Python's float multiply and round() do the same two steps, so
    the digits match, including the rare cases where %.4f would differ.
    """
    if d == 0:
        return b"0." + b"0" * fractional_digits
    v = round(d * (10.0 ** fractional_digits))
    sign = b"-" if v < 0 else b""
    v = abs(v)
    scale = 10 ** fractional_digits
    return b"%s%d.%0*d" % (sign, v // scale, fractional_digits, v % scale)


def addReplyDoubleDistance(c, d):
    """Reply a distance with four decimals, as a bulk string in both protocols (addReplyDoubleDistance)."""
    addReplyBulkCBuffer(c, fixedpoint_d2string(d, 4))


def addReplyCoordinate(c, d):
    """A longitude or latitude, through the long double human format (addReplyHumanLongDouble)."""
    addReplyHumanLongDouble(c, ld2string(d))


def geoWithinShape(shape, score):
    """(xy, distance) of a candidate inside the shape, or None (geoWithinShape)."""
    xy = decodeGeohash(score)
    if xy is None:
        return None
    if shape.type == CIRCULAR_TYPE:
        ok, distance = geohashGetDistanceIfInRadiusWGS84(
            shape.xy[0], shape.xy[1], xy[0], xy[1], shape.radius * shape.conversion)
    else:
        ok, distance = geohashGetDistanceIfInRectangle(
            shape.width * shape.conversion, shape.height * shape.conversion,
            shape.xy[0], shape.xy[1], xy[0], xy[1])
    if not ok:
        return None
    return xy, distance


def geoGetPointsInRange(zobj, min_, max_, shape, ga, limit):
    """Append the members with min <= score < max that fall in the shape (geoGetPointsInRange).

    Stops early once `ga` holds `limit` points (COUNT ... ANY). Returns the
    number appended.
    """
    spec = zrangespec(min_, max_, 0, 1)
    origincount = len(ga)
    ln = zslFirstInRange(zobj.ptr.zsl, spec)
    while ln is not None:
        score = ln.score
        if not zslValueLteMax(score, spec):
            break
        found = geoWithinShape(shape, score)
        if found is not None:
            xy, distance = found
            ga.append(geoPoint(xy[0], xy[1], distance, score, ln.ele))
        if ga and limit and len(ga) >= limit:
            break
        ln = ln.level[0].forward
    return len(ga) - origincount


def scoresOfGeoHashBox(hash):
    """The [min, max) score range of every point inside cell `hash` (scoresOfGeoHashBox)."""
    lo = geohashAlign52Bits(hash)
    hi = geohashAlign52Bits(GeoHashBits(hash.bits + 1, hash.step))
    return lo, hi


def membersOfGeoHashBox(zobj, hash, ga, shape, limit):
    """Collect the points of one cell (membersOfGeoHashBox)."""
    lo, hi = scoresOfGeoHashBox(hash)
    return geoGetPointsInRange(zobj, float(lo), float(hi), shape, ga, limit)


def membersOfAllNeighbors(zobj, n, shape, ga, limit):
    """Collect the points of the centre cell and its eight neighbours (membersOfAllNeighbors).

    Empty neighbours are skipped, and so is a neighbour equal to the one
    scanned just before it (with huge radii adjacent cells coincide and
    would report members twice).
    """
    nb = n.neighbors
    neighbors = (n.hash, nb.north, nb.south, nb.east, nb.west, nb.north_east, nb.north_west,
                 nb.south_east, nb.south_west)
    count = 0
    last_processed = 0
    for i, cell in enumerate(neighbors):
        if HASHISZERO(cell):
            continue
        if last_processed:
            prev = neighbors[last_processed]
            if cell.bits == prev.bits and cell.step == prev.step:
                continue
        if ga and limit and len(ga) >= limit:
            break
        count += membersOfGeoHashBox(zobj, cell, ga, shape, limit)
        last_processed = i
    return count


def sort_gp_asc(a, b):
    """Order points by distance (sort_gp_asc)."""
    if a.dist > b.dist:
        return 1
    if a.dist == b.dist:
        return 0
    return -1


def sort_gp_desc(a, b):
    """Order points by distance, farthest first (sort_gp_desc)."""
    return -sort_gp_asc(a, b)


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
def geoaddCommand(c):
    """GEOADD key [NX|XX] [CH] lon lat member [...]: ZADD with geohash scores (geoaddCommand).

    As in Redis the command is rewritten into a ZADD and zaddCommand does
    the work, so replies, keyspace events ("zadd") and what replicas and
    the AOF receive are ZADD's.
    """
    argv = c.argv
    argc = len(argv)
    xx = nx = False
    longidx = 2
    while longidx < argc:
        opt = c_string(argv[longidx]).lower()
        if opt == b"nx":
            nx = True
        elif opt == b"xx":
            xx = True
        elif opt != b"ch":      # CH is left for ZADD to handle
            break
        longidx += 1
    if (argc - longidx) % 3 or (xx and nx):
        addReplyErrorObject(c, shared.syntaxerr)
        return
    newargv = [b"zadd"] + argv[1:longidx]
    for i in range(longidx, argc, 3):
        xy = extractLongLatOrReply(c, argv[i:i + 2])
        if xy is None:
            return
        newargv.append(b"%d" % geo_score(xy[0], xy[1]))
        newargv.append(argv[i + 2])
    rewriteClientCommandVector(c, newargv)
    zaddCommand(c)


def georadiusGeneric(c, srcKeyIndex, flags):
    """GEORADIUS[_RO], GEORADIUSBYMEMBER[_RO], GEOSEARCH and GEOSEARCHSTORE (georadiusGeneric)."""
    argv = c.argv
    argc = len(argv)
    storekey = None
    storedist = False
    zobj = lookupKeyRead(c.db, argv[srcKeyIndex])
    if checkType(c, zobj, OBJ_ZSET):
        return

    shape = GeoShape(CIRCULAR_TYPE, (0.0, 0.0))
    shape.type = 0
    if flags & RADIUS_COORDS:
        base_args = 6
        shape.type = CIRCULAR_TYPE
        xy = extractLongLatOrReply(c, argv[2:4])
        if xy is None:
            return
        shape.xy = xy
        dist = extractDistanceOrReply(c, argv[base_args - 2:base_args])
        if dist is None:
            return
        shape.conversion, shape.radius = dist
    elif flags & RADIUS_MEMBER and zobj is None:
        # Still parse the options: whether STORE was given decides the reply.
        base_args = 5
    elif flags & RADIUS_MEMBER:
        base_args = 5
        shape.type = CIRCULAR_TYPE
        xy = longLatFromMember(zobj, argv[2])
        if xy is None:
            addReplyError(c, "could not decode requested zset member")
            return
        shape.xy = xy
        dist = extractDistanceOrReply(c, argv[base_args - 2:base_args])
        if dist is None:
            return
        shape.conversion, shape.radius = dist
    elif flags & GEOSEARCH:
        base_args = 2
        if flags & GEOSEARCHSTORE:
            base_args = 3
            storekey = argv[1]
    else:
        addReplyError(c, "Unknown georadius search type")
        return

    withdist = withhash = withcoords = False
    frommember = fromloc = byradius = bybox = False
    sort = SORT_NONE
    any_ = False
    count = 0
    remaining = argc - base_args
    i = 0
    while i < remaining:
        arg = c_string(argv[base_args + i]).lower()
        if arg == b"withdist":
            withdist = True
        elif arg == b"withhash":
            withhash = True
        elif arg == b"withcoord":
            withcoords = True
        elif arg == b"any":
            any_ = True
        elif arg == b"asc":
            sort = SORT_ASC
        elif arg == b"desc":
            sort = SORT_DESC
        elif arg == b"count" and i + 1 < remaining:
            count = getLongLongFromObjectOrReply(c, argv[base_args + i + 1], None)
            if count is None:
                return
            if count <= 0:
                addReplyError(c, "COUNT must be > 0")
                return
            i += 1
        elif arg in (b"store", b"storedist") and i + 1 < remaining and \
                not (flags & RADIUS_NOSTORE) and not (flags & GEOSEARCH):
            storekey = argv[base_args + i + 1]
            storedist = arg == b"storedist"
            i += 1
        elif arg == b"storedist" and flags & GEOSEARCH and flags & GEOSEARCHSTORE:
            storedist = True
        elif arg == b"frommember" and i + 1 < remaining and flags & GEOSEARCH and not fromloc:
            # Without a source key, keep parsing and fail at the end.
            if zobj is not None:
                xy = longLatFromMember(zobj, argv[base_args + i + 1])
                if xy is None:
                    addReplyError(c, "could not decode requested zset member")
                    return
                shape.xy = xy
            frommember = True
            i += 1
        elif arg == b"fromlonlat" and i + 2 < remaining and flags & GEOSEARCH and not frommember:
            xy = extractLongLatOrReply(c, argv[base_args + i + 1:base_args + i + 3])
            if xy is None:
                return
            shape.xy = xy
            fromloc = True
            i += 2
        elif arg == b"byradius" and i + 2 < remaining and flags & GEOSEARCH and not bybox:
            dist = extractDistanceOrReply(c, argv[base_args + i + 1:base_args + i + 3])
            if dist is None:
                return
            shape.conversion, shape.radius = dist
            shape.type = CIRCULAR_TYPE
            byradius = True
            i += 2
        elif arg == b"bybox" and i + 3 < remaining and flags & GEOSEARCH and not byradius:
            box = extractBoxOrReply(c, argv[base_args + i + 1:base_args + i + 4])
            if box is None:
                return
            shape.conversion, shape.width, shape.height = box
            shape.type = RECTANGLE_TYPE
            bybox = True
            i += 3
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        i += 1

    if storekey is not None and (withdist or withhash or withcoords):
        addReplyErrorFormat(c, "%s is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
                            "GEOSEARCHSTORE" if flags & GEOSEARCHSTORE
                            else "STORE option in GEORADIUS")
        return
    if flags & GEOSEARCH and not (frommember or fromloc):
        addReplyErrorFormat(c, "exactly one of FROMMEMBER or FROMLONLAT can be specified for %s",
                            argstr(argv[0]))
        return
    if flags & GEOSEARCH and not (byradius or bybox):
        addReplyErrorFormat(c, "exactly one of BYRADIUS and BYBOX can be specified for %s",
                            argstr(argv[0]))
        return
    if any_ and not count:
        addReplyError(c, "the ANY argument requires COUNT argument")
        return

    if zobj is None:
        if storekey is not None:
            if dbDelete(c.db, storekey):
                signalModifiedKey(c, c.db, storekey)
                notifyKeyspaceEvent(NOTIFY_GENERIC, "del", storekey, c.db.id)
                server.dirty += 1
            addReply(c, shared.czero)
        else:
            addReply(c, shared.emptyarray)
        return

    # COUNT wants the nearest N, so it implies ASC unless ANY said any N will do.
    if count != 0 and sort == SORT_NONE and not any_:
        sort = SORT_ASC

    georadius = geohashCalculateAreasByShapeWGS84(shape)
    ga = []
    membersOfAllNeighbors(zobj, georadius, shape, ga, count if any_ else 0)

    if not ga and storekey is None:
        addReply(c, shared.emptyarray)
        return

    result_length = len(ga)
    returned_items = result_length if (count == 0 or result_length < count) else count
    if sort != SORT_NONE:
        if returned_items == result_length:
            ga.sort(key=_point_dist, reverse=(sort == SORT_DESC))
        else:
            pqsort(ga, sort_gp_asc if sort == SORT_ASC else sort_gp_desc, 0, returned_items - 1)

    conversion = shape.conversion
    if storekey is None:
        option_length = withdist + withcoords + withhash
        addReplyArrayLen(c, returned_items)
        for gp in ga[:returned_items]:
            gp.dist /= conversion
            if option_length:
                addReplyArrayLen(c, option_length + 1)
            addReplyBulkCBuffer(c, gp.member)
            if withdist:
                addReplyDoubleDistance(c, gp.dist)
            if withhash:
                addReplyLongLong(c, int(gp.score))
            if withcoords:
                addReplyArrayLen(c, 2)
                addReplyCoordinate(c, gp.longitude)
                addReplyCoordinate(c, gp.latitude)
        return

    if returned_items:
        dst = createZsetObject()
        zs = dst.ptr
        maxelelen = totelelen = 0
        for gp in ga[:returned_items]:
            gp.dist /= conversion
            score = gp.dist if storedist else gp.score
            elelen = len(gp.member)
            maxelelen = max(maxelelen, elelen)
            totelelen += elelen
            zslInsert(zs.zsl, score, gp.member)
            zs.dict[gp.member] = score
        zsetConvertToListpackIfNeeded(dst, maxelelen, totelelen)
        setKey(c, c.db, storekey, dst, 0)
        notifyKeyspaceEvent(NOTIFY_ZSET, "geosearchstore" if flags & GEOSEARCH else "georadiusstore",
                            storekey, c.db.id)
        server.dirty += returned_items
    elif dbDelete(c.db, storekey):
        signalModifiedKey(c, c.db, storekey)
        notifyKeyspaceEvent(NOTIFY_GENERIC, "del", storekey, c.db.id)
        server.dirty += 1
    addReplyLongLong(c, returned_items)


def _point_dist(gp):
    return gp.dist


def georadiusCommand(c):
    """GEORADIUS key lon lat radius unit [options] [STORE|STOREDIST key] (georadiusCommand)."""
    georadiusGeneric(c, 1, RADIUS_COORDS)


def georadiusbymemberCommand(c):
    """GEORADIUSBYMEMBER key member radius unit [options] (georadiusbymemberCommand)."""
    georadiusGeneric(c, 1, RADIUS_MEMBER)


def georadiusroCommand(c):
    """GEORADIUS_RO: GEORADIUS without the store options (georadiusroCommand)."""
    georadiusGeneric(c, 1, RADIUS_COORDS | RADIUS_NOSTORE)


def georadiusbymemberroCommand(c):
    """GEORADIUSBYMEMBER_RO: GEORADIUSBYMEMBER without the store options (georadiusbymemberroCommand)."""
    georadiusGeneric(c, 1, RADIUS_MEMBER | RADIUS_NOSTORE)


def geosearchCommand(c):
    """GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r u|BYBOX w h u [options] (geosearchCommand)."""
    georadiusGeneric(c, 1, GEOSEARCH)


def geosearchstoreCommand(c):
    """GEOSEARCHSTORE dst src ... [STOREDIST] (geosearchstoreCommand)."""
    georadiusGeneric(c, 2, GEOSEARCH | GEOSEARCHSTORE)


def geohashCommand(c):
    """GEOHASH key member [...]: standard 11-character geohash strings (geohashCommand).

    Redis encodes latitudes over -85..85 (the Web Mercator limits), while
    the usual geohash spans -90..90, so each position is decoded and
    encoded again over the standard ranges. Ten base32 characters take
    the top 50 of the 52 bits (the last two are dropped); the eleventh
    character is always '0'.
    """
    argv = c.argv
    zobj = lookupKeyRead(c.db, argv[1])
    if checkType(c, zobj, OBJ_ZSET):
        return
    addReplyArrayLen(c, len(argv) - 2)
    for member in argv[2:]:
        score = zsetScore(zobj, member) if zobj is not None else None
        xy = decodeGeohash(score) if score is not None else None
        if xy is None:
            addReplyNull(c)
            continue
        hash = GeoHashBits()
        geohashEncode(GeoHashRange(-180, 180), GeoHashRange(-90, 90), xy[0], xy[1], 26, hash)
        buf = bytearray(11)
        for i in range(10):
            buf[i] = _GEOALPHABET[(hash.bits >> (52 - (i + 1) * 5)) & 0x1F]
        buf[10] = _GEOALPHABET[0]
        addReplyBulkCBuffer(c, bytes(buf))


def geoposCommand(c):
    """GEOPOS key member [...]: [lon, lat] of each member, null for missing ones (geoposCommand)."""
    argv = c.argv
    zobj = lookupKeyRead(c.db, argv[1])
    if checkType(c, zobj, OBJ_ZSET):
        return
    addReplyArrayLen(c, len(argv) - 2)
    for member in argv[2:]:
        score = zsetScore(zobj, member) if zobj is not None else None
        xy = decodeGeohash(score) if score is not None else None
        if xy is None:
            addReplyNullArray(c)
            continue
        addReplyArrayLen(c, 2)
        addReplyCoordinate(c, xy[0])
        addReplyCoordinate(c, xy[1])


def geodistCommand(c):
    """GEODIST key member1 member2 [M|KM|FT|MI] (geodistCommand)."""
    argv = c.argv
    to_meter = 1.0
    if len(argv) == 5:
        to_meter = extractUnitOrReply(c, argv[4])
        if to_meter < 0:
            return
    elif len(argv) > 5:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    zobj = lookupKeyReadOrReply(c, argv[1], shared.null[c.resp])
    if zobj is None or checkType(c, zobj, OBJ_ZSET):
        return
    score1 = zsetScore(zobj, argv[2])
    score2 = zsetScore(zobj, argv[3])
    if score1 is None or score2 is None:
        addReplyNull(c)
        return
    a = decodeGeohash(score1)
    b = decodeGeohash(score2)
    if a is None or b is None:
        addReplyNull(c)
        return
    addReplyDoubleDistance(c, geohashGetDistance(a[0], a[1], b[0], b[1]) / to_meter)
