"""Tests for pyredis.geohash / geohash_helper, bit for bit against a real
Redis 7.0 server (GEOADD scores, GEOPOS, GEODIST, GEOHASH, GEOSEARCH)."""

import math
import random
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from pyredis.geohash import (
    CIRCULAR_TYPE,
    GEO_LAT_MAX,
    GEO_LAT_MIN,
    GEO_STEP_MAX,
    RECTANGLE_TYPE,
    GeoHashArea,
    GeoHashBits,
    GeoHashNeighbors,
    GeoHashRange,
    GeoShape,
    deinterleave64,
    geohashDecodeToLongLatWGS84,
    geohashDecodeWGS84,
    geohashEncode,
    geohashEncodeWGS84,
    geohashNeighbors,
    interleave64,
)
from pyredis.geohash_helper import (
    geohashAlign52Bits,
    geohashCalculateAreasByShapeWGS84,
    geohashEstimateStepsByRadius,
    geohashGetDistance,
    geohashGetDistanceIfInRadiusWGS84,
    geohashGetDistanceIfInRectangle,
)

PALERMO = (13.361389, 38.115556)
CATANIA = (15.087269, 37.502669)


def score_of(lon, lat):
    """What GEOADD stores: geohashEncodeWGS84 at 26 steps, aligned."""
    h = GeoHashBits()
    assert geohashEncodeWGS84(lon, lat, GEO_STEP_MAX, h) == 1
    return geohashAlign52Bits(h)


def decode_score(score):
    """geo.c decodeGeohash."""
    xy = [0.0, 0.0]
    assert geohashDecodeToLongLatWGS84(GeoHashBits(int(score), GEO_STEP_MAX), xy)
    return xy


def human_long_double(d):
    """GEOPOS text: ld2string LD_STR_HUMAN, i.e. "%.17Lf" with trailing
    zeros (and a bare dot) removed.  Decimal(d) is exact, like the long
    double the C prints."""
    text = str(Decimal(d).quantize(Decimal("1e-17"), rounding=ROUND_HALF_EVEN))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def fixedpoint4(d):
    """GEODIST text: util.c fixedpoint_d2string(d, 4) = llrint(d*1e4)."""
    if d == 0:
        return "0.0000"
    v = round(d * 10000.0)
    sign = "-" if v < 0 else ""
    v = abs(v)
    return f"{sign}{v // 10000}.{v % 10000:04d}"


def geohash_string(score):
    """geo.c geohashCommand: decode, re-encode with lat range -90..90,
    base32 the 52 bits plus a final '0'."""
    alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
    xy = decode_score(score)
    h = GeoHashBits()
    geohashEncode(GeoHashRange(-180, 180), GeoHashRange(-90, 90), xy[0], xy[1], 26, h)
    out = [alphabet[(h.bits >> (52 - (i + 1) * 5)) & 0x1F] for i in range(10)]
    return "".join(out) + alphabet[0]


def random_points(seed, n):
    rnd = random.Random(seed)
    pts = [PALERMO, CATANIA, (0.0, 0.0), (-180.0, GEO_LAT_MIN), (180.0, GEO_LAT_MAX),
           (179.9999999, 85.0), (-0.0001, -0.0001), (1e-9, -1e-9)]
    while len(pts) < n:
        pts.append((round(rnd.uniform(-180, 180), rnd.randint(0, 8)),
                    round(rnd.uniform(GEO_LAT_MIN, GEO_LAT_MAX), rnd.randint(0, 8))))
    return pts


def test_known_vectors():
    assert score_of(*PALERMO) == 3479099956230698
    assert score_of(*CATANIA) == 3479447370796909
    # The GEODIST docs example: distance between the *stored* positions.
    a, b = decode_score(3479099956230698), decode_score(3479447370796909)
    assert fixedpoint4(geohashGetDistance(*a, *b)) == "166274.1516"
    lon, lat = decode_score(3479099956230698)
    assert abs(lon - PALERMO[0]) < 1e-5 and abs(lat - PALERMO[1]) < 1e-5


def test_interleave_round_trip():
    rnd = random.Random(1)
    for _ in range(1000):
        x, y = rnd.getrandbits(32), rnd.getrandbits(32)
        assert deinterleave64(interleave64(x, y)) == x | (y << 32)


def test_encode_rejects_out_of_range():
    h = GeoHashBits()
    assert geohashEncodeWGS84(181, 0, 26, h) == 0
    assert geohashEncodeWGS84(0, 85.06, 26, h) == 0
    assert geohashEncodeWGS84(0, 0, 0, h) == 0
    assert geohashEncodeWGS84(0, 0, 33, h) == 0


def test_neighbors_are_adjacent():
    h = GeoHashBits()
    geohashEncodeWGS84(*PALERMO, 10, h)
    n = GeoHashNeighbors()
    geohashNeighbors(h, n)
    centre, east, north = GeoHashArea(), GeoHashArea(), GeoHashArea()
    geohashDecodeWGS84(h, centre)
    geohashDecodeWGS84(n.east, east)
    geohashDecodeWGS84(n.north, north)
    assert east.longitude.min == pytest.approx(centre.longitude.max)
    assert north.latitude.min == pytest.approx(centre.latitude.max)
    assert east.latitude.min == centre.latitude.min


def test_steps_by_radius():
    assert geohashEstimateStepsByRadius(0, 0) == 26
    assert geohashEstimateStepsByRadius(1, 0) == 24
    assert geohashEstimateStepsByRadius(1000, 0) == 14
    assert geohashEstimateStepsByRadius(1000, 70) == 13
    assert geohashEstimateStepsByRadius(1000, -85) == 12
    assert geohashEstimateStepsByRadius(5e7, 0) == 1


def test_against_redis(raw):
    r = raw
    pts = random_points(7, 300)
    args = []
    for i, (lon, lat) in enumerate(pts):
        args += [repr(lon), repr(lat), f"p{i}"]
    assert r.execute_command("GEOADD", "g", *args) == len(pts)
    names = [f"p{i}" for i in range(len(pts))]
    scores = [int(r.execute_command("ZSCORE", "g", n)) for n in names]
    assert scores == [score_of(lon, lat) for lon, lat in pts]
    positions = r.execute_command("GEOPOS", "g", *names)
    for s, (lon_txt, lat_txt) in zip(scores, positions):
        xy = decode_score(s)
        assert lon_txt.decode() == human_long_double(xy[0])
        assert lat_txt.decode() == human_long_double(xy[1])
    hashes = r.execute_command("GEOHASH", "g", *names)
    assert [h.decode() for h in hashes] == [geohash_string(s) for s in scores]
    rnd = random.Random(8)
    for _ in range(200):
        i, j = rnd.randrange(len(pts)), rnd.randrange(len(pts))
        real = r.execute_command("GEODIST", "g", f"p{i}", f"p{j}")
        a, b = decode_score(scores[i]), decode_score(scores[j])
        assert real.decode() == fixedpoint4(geohashGetDistance(a[0], a[1], b[0], b[1]))


def geosearch_model(points_scores, shape):
    """The member set geo.c would return: members whose score lies in one
    of the 9 cells (as [min, max) score ranges), filtered by the shape."""
    radius = geohashCalculateAreasByShapeWGS84(shape)
    n = radius.neighbors
    cells = [radius.hash, n.north, n.south, n.east, n.west,
             n.north_east, n.north_west, n.south_east, n.south_west]
    ranges = []
    for c in cells:
        if not c.bits and not c.step:
            continue
        lo = geohashAlign52Bits(c)
        hi = geohashAlign52Bits(GeoHashBits(c.bits + 1, c.step))
        ranges.append((lo, hi))
    found = {}
    for name, s in points_scores.items():
        if not any(lo <= s < hi for lo, hi in ranges):
            continue
        x, y = decode_score(s)
        if shape.type == CIRCULAR_TYPE:
            ok, dist = geohashGetDistanceIfInRadiusWGS84(
                shape.xy[0], shape.xy[1], x, y, shape.radius * shape.conversion)
        else:
            ok, dist = geohashGetDistanceIfInRectangle(
                shape.width * shape.conversion, shape.height * shape.conversion,
                shape.xy[0], shape.xy[1], x, y)
        if ok:
            found[name] = dist
    return found


def test_geosearch_matches_redis(raw):
    r = raw
    rnd = random.Random(11)
    # Clusters so that searches find something at many radii.
    pts = {}
    for c in range(6):
        clon, clat = rnd.uniform(-170, 170), rnd.uniform(-80, 80)
        for k in range(120):
            spread = 10 ** rnd.uniform(-4, 1)
            lon = max(-180, min(180, clon + rnd.gauss(0, spread)))
            lat = max(GEO_LAT_MIN, min(GEO_LAT_MAX, clat + rnd.gauss(0, spread)))
            pts[f"c{c}k{k}"] = (lon, lat)
    args = []
    for name, (lon, lat) in pts.items():
        args += [repr(lon), repr(lat), name]
    r.execute_command("GEOADD", "s", *args)
    scores = {name: score_of(*p) for name, p in pts.items()}
    checked = 0
    for _ in range(80):
        name = rnd.choice(list(pts))
        lon, lat = pts[name]
        lon += rnd.uniform(-0.01, 0.01)
        lat = max(GEO_LAT_MIN, min(GEO_LAT_MAX, lat + rnd.uniform(-0.01, 0.01)))
        if rnd.random() < 0.5:
            rad = 10 ** rnd.uniform(0, 6.5)
            shape = GeoShape(CIRCULAR_TYPE, (lon, lat), 1.0, radius=rad)
            reply = r.execute_command("GEOSEARCH", "s", "FROMLONLAT", repr(lon), repr(lat),
                                      "BYRADIUS", repr(rad), "m", "WITHDIST")
        else:
            w, h = 10 ** rnd.uniform(0, 6.5), 10 ** rnd.uniform(0, 6.5)
            shape = GeoShape(RECTANGLE_TYPE, (lon, lat), 1.0, width=w, height=h)
            reply = r.execute_command("GEOSEARCH", "s", "FROMLONLAT", repr(lon), repr(lat),
                                      "BYBOX", repr(w), repr(h), "m", "WITHDIST")
        real = {m.decode(): d.decode() for m, d in reply}
        model = geosearch_model(scores, shape)
        assert set(real) == set(model)
        for m, d in model.items():
            assert real[m] == fixedpoint4(d)
        checked += len(real)
    assert checked > 100


def test_rectangle_outside_has_no_distance():
    assert geohashGetDistanceIfInRectangle(1000, 1000, 0, 0, 1, 1) == (0, None)
    ok, d = geohashGetDistanceIfInRectangle(1000, 1000, 0, 0, 0.001, 0.001)
    assert ok == 1 and d == pytest.approx(157.4, rel=1e-2)
    assert math.isclose(geohashGetDistance(0, 0, 0, 1), geohashGetDistance(5, 0, 5, 1))
