"""Geohash search-area and distance helpers, mirroring Redis 7.0.15
``geohash_helper.c``.

Distances are haversine great-circle distances on a sphere of radius
EARTH_RADIUS_IN_METERS, computed with the same libm calls in the same order
as the C (Python's math module calls the platform libm), so GEODIST and the
radius filters agree with Redis to the last bit.
"""

import math

from pyredis.geohash import (
    CIRCULAR_TYPE,
    GeoHashArea,
    GeoHashBits,
    GeoHashNeighbors,
    GeoHashRange,
    geohashDecode,
    geohashEncode,
    geohashGetCoordRange,
    geohashNeighbors,
)

D_R = math.pi / 180.0
DEG_TO_RAD = 0.017453292519943295769236907684886
EARTH_RADIUS_IN_METERS = 6372797.560856  # quadratic mean radius of WGS-84
MERCATOR_MAX = 20037726.37
MERCATOR_MIN = -20037726.37


class GeoHashRadius:
    """The centre cell, its decoded area and its eight neighbours, some
    zeroed when they cannot intersect the search shape."""

    __slots__ = ("area", "hash", "neighbors")

    def __init__(self, hash, area, neighbors):
        self.hash = hash
        self.area = area
        self.neighbors = neighbors


def deg_rad(ang):
    """Degrees to radians (the static inline deg_rad)."""
    return ang * D_R


def rad_deg(ang):
    """Radians to degrees (the static inline rad_deg)."""
    return ang / D_R


def geohashEstimateStepsByRadius(range_meters, lat):
    """Pick the hash precision for the 9-cell search around a radius
    query, coarser near the poles (mirrors geohashEstimateStepsByRadius)."""
    if range_meters == 0:
        return 26
    step = 1
    while range_meters < MERCATOR_MAX:
        range_meters *= 2
        step += 1
    step -= 2  # keep the range inside the cells in most cases
    if lat > 66 or lat < -66:
        step -= 1
        if lat > 80 or lat < -80:
            step -= 1
    step = max(step, 1)
    return min(step, 26)


def _shape_extents(shape):
    """(height, width) half-extents of the shape in the shape's unit."""
    if shape.type == CIRCULAR_TYPE:
        return shape.radius, shape.radius
    return shape.height / 2, shape.width / 2


def _cos(x):
    """libm's cos: NaN for an infinite argument, where math.cos raises. An
    infinite radius (GEOSEARCH ... BYRADIUS inf) reaches it that way."""
    return math.cos(x) if math.isfinite(x) else math.nan


def geohashBoundingBox(shape, bounds):
    """Fill bounds = [min_lon, min_lat, max_lon, max_lat] for the shape,
    widening longitude on the side nearer the pole (mirrors
    geohashBoundingBox)."""
    if bounds is None:
        return 0
    longitude, latitude = shape.xy[0], shape.xy[1]
    h, w = _shape_extents(shape)
    height = shape.conversion * h
    width = shape.conversion * w
    lat_delta = rad_deg(height / EARTH_RADIUS_IN_METERS)
    long_delta_top = rad_deg(width / EARTH_RADIUS_IN_METERS
                             / _cos(deg_rad(latitude + lat_delta)))
    long_delta_bottom = rad_deg(width / EARTH_RADIUS_IN_METERS
                                / _cos(deg_rad(latitude - lat_delta)))
    southern_hemisphere = latitude < 0
    if southern_hemisphere:
        bounds[0] = longitude - long_delta_bottom
        bounds[2] = longitude + long_delta_bottom
    else:
        bounds[0] = longitude - long_delta_top
        bounds[2] = longitude + long_delta_top
    bounds[1] = latitude - lat_delta
    bounds[3] = latitude + lat_delta
    return 1


def geohashCalculateAreasByShapeWGS84(shape):
    """The centre cell and neighbours to scan for a radius or box search;
    also fills shape.bounds (mirrors geohashCalculateAreasByShapeWGS84)."""
    geohashBoundingBox(shape, shape.bounds)
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    longitude, latitude = shape.xy[0], shape.xy[1]
    if shape.type == CIRCULAR_TYPE:
        radius_meters = shape.radius
    else:
        # Centre-to-corner distance of the box.
        radius_meters = math.sqrt((shape.width / 2) * (shape.width / 2)
                                  + (shape.height / 2) * (shape.height / 2))
    radius_meters *= shape.conversion

    steps = geohashEstimateStepsByRadius(radius_meters, latitude)
    long_range, lat_range = GeoHashRange(), GeoHashRange()
    geohashGetCoordRange(long_range, lat_range)
    hash = GeoHashBits()
    neighbors = GeoHashNeighbors()
    area = GeoHashArea()
    geohashEncode(long_range, lat_range, longitude, latitude, steps, hash)
    geohashNeighbors(hash, neighbors)
    geohashDecode(long_range, lat_range, hash, area)

    # If a side neighbour does not reach past the bounding box, the cells
    # are too small to cover the shape: go one step coarser.
    north, south, east, west = (GeoHashArea() for _ in range(4))
    geohashDecode(long_range, lat_range, neighbors.north, north)
    geohashDecode(long_range, lat_range, neighbors.south, south)
    geohashDecode(long_range, lat_range, neighbors.east, east)
    geohashDecode(long_range, lat_range, neighbors.west, west)
    decrease_step = (north.latitude.max < max_lat or south.latitude.min > min_lat
                     or east.longitude.max < max_lon or west.longitude.min > min_lon)

    if steps > 1 and decrease_step:
        steps -= 1
        hash = GeoHashBits()
        neighbors = GeoHashNeighbors()
        area = GeoHashArea()
        geohashEncode(long_range, lat_range, longitude, latitude, steps, hash)
        geohashNeighbors(hash, neighbors)
        geohashDecode(long_range, lat_range, hash, area)

    # Drop neighbours lying wholly outside the bounding box (GZERO).
    if steps >= 2:
        zero = []
        if area.latitude.min < min_lat:
            zero += ["south", "south_west", "south_east"]
        if area.latitude.max > max_lat:
            zero += ["north", "north_east", "north_west"]
        if area.longitude.min < min_lon:
            zero += ["west", "south_west", "north_west"]
        if area.longitude.max > max_lon:
            zero += ["east", "south_east", "north_east"]
        for name in zero:
            setattr(neighbors, name, GeoHashBits(0, 0))
    return GeoHashRadius(hash, area, neighbors)


def geohashAlign52Bits(hash):
    """Left-align a hash of any step to 52 bits, the sorted-set score
    (mirrors geohashAlign52Bits)."""
    return (hash.bits << (52 - hash.step * 2)) & 0xFFFFFFFFFFFFFFFF


def geohashGetLatDistance(lat1d, lat2d):
    """Distance in meters between two latitudes on the same meridian
    (mirrors geohashGetLatDistance)."""
    return EARTH_RADIUS_IN_METERS * math.fabs(deg_rad(lat2d) - deg_rad(lat1d))


def geohashGetDistance(lon1d, lat1d, lon2d, lat2d):
    """Haversine distance in meters (mirrors geohashGetDistance, including
    its shortcut when the longitudes give a zero sine)."""
    lon1r = deg_rad(lon1d)
    lon2r = deg_rad(lon2d)
    v = math.sin((lon2r - lon1r) / 2)
    if v == 0.0:
        return geohashGetLatDistance(lat1d, lat2d)
    lat1r = deg_rad(lat1d)
    lat2r = deg_rad(lat2d)
    u = math.sin((lat2r - lat1r) / 2)
    a = u * u + math.cos(lat1r) * math.cos(lat2r) * v * v
    return 2.0 * EARTH_RADIUS_IN_METERS * math.asin(math.sqrt(a))


def geohashGetDistanceIfInRadius(x1, y1, x2, y2, radius):
    """(1, distance) when (x2, y2) is within ``radius`` meters of (x1, y1),
    else (0, distance) (mirrors geohashGetDistanceIfInRadius; the C returns
    the flag and writes the distance through a pointer)."""
    distance = geohashGetDistance(x1, y1, x2, y2)
    if distance > radius:
        return 0, distance
    return 1, distance


def geohashGetDistanceIfInRadiusWGS84(x1, y1, x2, y2, radius):
    """WGS84 alias of geohashGetDistanceIfInRadius (mirrors
    geohashGetDistanceIfInRadiusWGS84)."""
    return geohashGetDistanceIfInRadius(x1, y1, x2, y2, radius)


def geohashGetDistanceIfInRectangle(width_m, height_m, x1, y1, x2, y2):
    """(1, distance from the centre) when (x2, y2) lies in the width x
    height box centred on (x1, y1), else (0, None) (mirrors
    geohashGetDistanceIfInRectangle, which leaves the distance unset when
    the point is outside)."""
    # The latitude check is the cheap one, so it goes first.
    lat_distance = geohashGetLatDistance(y2, y1)
    if lat_distance > height_m / 2:
        return 0, None
    lon_distance = geohashGetDistance(x2, y2, x1, y2)
    if lon_distance > width_m / 2:
        return 0, None
    return 1, geohashGetDistance(x1, y1, x2, y2)
