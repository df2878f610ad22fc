"""GEO* commands against real Redis, reply byte for byte (RESP2 and RESP3).

Themes follow Redis's geo.tcl (written anew), plus seeded random searches
over clustered points, with ties in distance so the COUNT ordering (Redis's
partial quicksort) is exercised.
"""

import os
import random

from helpers.differential import assert_same as _assert_same
from helpers.differential import compare_script
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def assert_same(pair, script):
    """assert_same, with floats sent as their repr (the shortest exact text)."""
    _assert_same(pair, [tuple(repr(a) if isinstance(a, float) else a for a in cmd)
                        for cmd in script])

NYC = [
    ("GEOADD", "nyc", -73.9454966, 40.747533, "lic market"),
    ("GEOADD", "nyc", -73.9733487, 40.7648057, "central park n/q/r", -73.9903085, 40.7362513,
     "union square", -74.0131604, 40.7126674, "wtc one", -73.7858139, 40.6428986, "jfk",
     -73.9375699, 40.7498929, "q4", -73.9564142, 40.7480973, 4545),
]


def test_geoadd_and_options(pair):
    assert_same(pair, NYC + [
        ("ZRANGE", "nyc", 0, -1, "WITHSCORES"), ("OBJECT", "ENCODING", "nyc"),
        ("GEOADD", "nyc", -73.9454966, 40.747533, "lic market"),
        ("GEOADD", "nyc", "CH", -73.9454966, 40.7475, "lic market"),
        ("GEOADD", "nyc", "NX", -73.9, 40.7, "lic market", -73.9, 40.7, "new"),
        ("GEOADD", "nyc", "XX", -73.9, 40.7, "lic market", -73.9, 40.7, "new2"),
        ("GEOADD", "nyc", "CH", "NX", -73.9, 40.7, "lic market", -73.8, 40.7, "new3"),
        ("GEOADD", "nyc", "XX", "CH", -73.91, 40.7, "lic market", -73.8, 40.7, "new4"),
        ("GEOADD", "nyc", "XX", "NX", -73.9, 40.7, "x"),
        ("GEOADD", "nyc", "GT", -73.9, 40.7, "x"), ("GEOADD", "nyc", -73.9, 40.7),
        ("GEOADD", "nyc", 200, 100, "x"), ("GEOADD", "nyc", -180.0000001, 0, "x"),
        ("GEOADD", "nyc", 0, 85.06, "x"), ("GEOADD", "nyc", "abc", 0, "x"),
        ("GEOADD", "nyc", 0, "nan", "x"), ("GEOADD", "nyc", "inf", 0, "x"),
        ("GEOADD", "nyc", 180, 85.05112878, "corner", -180, -85.05112878, "corner2"),
        ("GEOPOS", "nyc", "corner", "corner2"), ("ZCARD", "nyc"),
        ("GEOADD", "nyc", 1, 1, "ok", 500, 1, "bad"), ("ZSCORE", "nyc", "ok"),
        ("SET", "str", "x"), ("GEOADD", "str", 1, 1, "m"), ("GEOADD", "k"),
    ])


def test_geoadd_listpack_to_skiplist(pair):
    script = [("CONFIG", "SET", "zset-max-listpack-entries", "4")]
    for i in range(6):
        script += [("GEOADD", "g", i, i, f"m{i}"), ("OBJECT", "ENCODING", "g")]
    script += [("GEOADD", "g2", 1, 1, "x" * 65), ("OBJECT", "ENCODING", "g2"),
               ("CONFIG", "SET", "zset-max-listpack-entries", "128")]
    assert_same(pair, script)


def test_geopos_geohash_geodist(pair):
    assert_same(pair, NYC + [
        ("GEOPOS", "nyc", "wtc one", "nope", "jfk", "4545"), ("GEOPOS", "nyc"),
        ("GEOPOS", "missing", "a", "b"), ("GEOHASH", "nyc", "wtc one", "jfk", "nope"),
        ("GEOHASH", "missing", "a"), ("GEOHASH", "nyc"),
        ("GEODIST", "nyc", "wtc one", "jfk"), ("GEODIST", "nyc", "wtc one", "jfk", "km"),
        ("GEODIST", "nyc", "wtc one", "jfk", "MI"), ("GEODIST", "nyc", "wtc one", "jfk", "ft"),
        ("GEODIST", "nyc", "wtc one", "jfk", "yards"), ("GEODIST", "nyc", "wtc one", "jfk", "m", "x"),
        ("GEODIST", "nyc", "wtc one", "wtc one"), ("GEODIST", "nyc", "wtc one", "nope"),
        ("GEODIST", "missing", "a", "b"), ("GEODIST", "missing", "a", "b", "parsec"),
        ("ZADD", "odd", -5, "neg", 1e300, "huge", 0, "zero", "inf", "inf"),
        ("GEOPOS", "odd", "neg", "huge", "zero", "inf"), ("GEOHASH", "odd", "neg", "zero"),
        ("GEODIST", "odd", "zero", "neg"),
        ("SET", "str", "x"), ("GEOPOS", "str", "a"), ("GEOHASH", "str", "a"),
        ("GEODIST", "str", "a", "b"),
    ])


def test_search_basics(pair):
    assert_same(pair, NYC + [
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 3, "km", "asc"),
        ("GEOSEARCH", "nyc", "fromlonlat", -73.9798091, 40.7598464, "bybox", 6, 6, "km", "asc"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "wtc one", "BYBOX", 14, 14, "km"),
        ("GEORADIUSBYMEMBER", "nyc", "wtc one", 7, "km"),
        ("GEORADIUSBYMEMBER", "nyc", "wtc one", 7, "km", "WITHDIST", "WITHCOORD", "WITHHASH"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "WITHDIST", "DESC"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "COUNT", 3),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "COUNT", 3, "DESC"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "COUNT", 2, "ANY"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "COUNT", 2, "ANY", "ASC"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "ANY"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "COUNT"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "COUNT", 0),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "COUNT", "x"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "furlong"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, -10, "km"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, "ten", "km"),
        ("GEORADIUS", "nyc", -73.9798091, 91, 10, "km"),
        ("GEORADIUS", "nyc", 0, 0, 50000, "km", "WITHCOORD"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "BOGUS"),
        ("GEORADIUS_RO", "nyc", -73.9798091, 40.7598464, 10, "km", "WITHDIST"),
        ("GEORADIUS_RO", "nyc", -73.9798091, 40.7598464, 10, "km", "STORE", "x"),
        ("GEORADIUSBYMEMBER_RO", "nyc", "jfk", 30, "km", "WITHDIST", "ASC"),
        ("GEORADIUSBYMEMBER", "nyc", "nope", 7, "km"),
        ("GEORADIUSBYMEMBER", "missing", "nope", 7, "km"),
        ("GEORADIUSBYMEMBER", "missing", "nope", 7, "km", "STORE", "dst"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "nope", "BYRADIUS", 7, "km"),
        ("GEOSEARCH", "missing", "FROMMEMBER", "nope", "BYRADIUS", 7, "km"),
        ("GEOSEARCH", "nyc", "FROMLONLAT", 0, 0, "FROMMEMBER", "jfk", "BYBOX", 1, 1, "km"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "jfk", "FROMLONLAT", 0, 0, "BYBOX", 1, 1, "km"),
        ("GEOSEARCH", "nyc", "BYBOX", 1, 1, "km"),
        ("geosearch", "nyc", "FROMMEMBER", "jfk"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "jfk", "BYRADIUS", 1, "km", "BYBOX", 1, 1, "km"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "jfk", "BYBOX", -1, 1, "km"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "jfk", "BYBOX", "w", 1, "km"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "jfk", "BYBOX", 1, "h", "km"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "jfk", "BYBOX", 1, 1, "cubit"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "jfk", "BYRADIUS", 100, "km", "STORE", "x"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "jfk", "BYRADIUS", 100, "km", "STOREDIST"),
        ("GEOSEARCH", "nyc", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km"),
        ("SET", "str", "x"), ("GEOSEARCH", "str", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km"),
        ("GEORADIUS", "str", 0, 0, 1, "km"), ("GEOSEARCHSTORE", "dst", "str", "FROMLONLAT", 0, 0,
                                              "BYRADIUS", 1, "km"),
    ])


def test_search_resp3(pair):
    a, b = pair
    a.call("HELLO", "3")
    b.call("HELLO", "3")
    assert_same(pair, NYC + [
        ("GEORADIUSBYMEMBER", "nyc", "wtc one", 7, "km", "WITHDIST", "WITHCOORD", "WITHHASH"),
        ("GEOPOS", "nyc", "jfk", "nope"), ("GEODIST", "nyc", "jfk", "q4"),
        ("GEODIST", "nyc", "jfk", "nope"), ("GEOHASH", "nyc", "jfk", "nope"),
        ("GEOSEARCH", "nope", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km"),
    ])


def test_every_command(protocol_pair):
    """Every GEO command, in RESP2 and after HELLO 3: coordinates
    (GEOPOS, WITHCOORD) become doubles, while distances (GEODIST, WITHDIST)
    stay bulk strings (addReplyDoubleDistance); a missing member is `_`
    in GEODIST and GEOHASH, and a null array in GEOPOS's list. Errors and
    missing keys included."""
    pair = protocol_pair
    here = (-73.9798091, 40.7598464)
    assert_same(pair, NYC + [
        ("GEOADD", "nyc", "CH", -73.9454966, 40.7475, "lic market", 10, 20, "far"),
        ("GEOADD", "nyc", "NX", "XX", 0, 0, "x"), ("GEOADD", "nyc", 0, 91, "x"),
        ("GEOADD", "empty", "XX", 0, 0, "x"), ("EXISTS", "empty"),
        ("GEOPOS", "nyc", "jfk", "nope", "far"), ("GEOPOS", "nyc"), ("GEOPOS", "missing", "a"),
        ("GEOHASH", "nyc", "jfk", "nope"), ("GEOHASH", "missing", "a", "b"),
        ("GEODIST", "nyc", "jfk", "q4"), ("GEODIST", "nyc", "jfk", "q4", "mi"),
        ("GEODIST", "nyc", "jfk", "nope"), ("GEODIST", "missing", "a", "b"),
        ("GEODIST", "nyc", "jfk", "q4", "parsec"),
        ("GEORADIUS", "nyc") + here + (10, "km", "WITHDIST", "WITHCOORD", "WITHHASH", "ASC"),
        ("GEORADIUS", "nyc") + here + (10, "km", "COUNT", 2, "DESC", "WITHCOORD"),
        ("GEORADIUS", "nyc", 0, 0, 1, "km", "WITHDIST"),
        ("GEORADIUS", "missing", 0, 0, 1, "km", "WITHDIST"),
        ("GEORADIUS", "nyc") + here + (10, "km", "STORE", "s1"), ("ZRANGE", "s1", 0, -1),
        ("GEORADIUS", "nyc") + here + (10, "km", "COUNT", 0),
        ("GEORADIUS_RO", "nyc") + here + (10, "km", "WITHDIST", "WITHCOORD", "ASC"),
        ("GEORADIUS_RO", "missing", 0, 0, 1, "km"),
        ("GEORADIUS_RO", "nyc") + here + (10, "km", "STORE", "s1"),
        ("GEORADIUSBYMEMBER", "nyc", "wtc one", 7, "km", "WITHDIST", "WITHCOORD", "WITHHASH"),
        ("GEORADIUSBYMEMBER", "nyc", "nope", 7, "km"),
        ("GEORADIUSBYMEMBER", "missing", "nope", 7, "km", "WITHDIST"),
        ("GEORADIUSBYMEMBER", "nyc", "jfk", 30, "km", "STOREDIST", "s2"),
        ("ZRANGE", "s2", 0, -1, "WITHSCORES"),
        ("GEORADIUSBYMEMBER_RO", "nyc", "jfk", 30, "km", "WITHCOORD", "DESC", "COUNT", 3),
        ("GEORADIUSBYMEMBER_RO", "nyc", "nope", 30, "km"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "jfk", "BYBOX", 40, 40, "km", "ASC", "WITHCOORD",
         "WITHDIST", "WITHHASH"),
        ("GEOSEARCH", "nyc", "FROMLONLAT") + here + ("BYRADIUS", 5, "km", "COUNT", 2, "ANY"),
        ("GEOSEARCH", "missing", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km", "WITHDIST"),
        ("GEOSEARCH", "nyc", "FROMMEMBER", "nope", "BYRADIUS", 1, "km"),
        ("GEOSEARCH", "nyc", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km", "WITHCOORD"),
        ("GEOSEARCH", "nyc", "BYRADIUS", 1, "km"),
        ("GEOSEARCHSTORE", "s3", "nyc", "FROMMEMBER", "jfk", "BYBOX", 40, 40, "km", "STOREDIST",
         "COUNT", 3), ("ZRANGE", "s3", 0, -1, "WITHSCORES"),
        ("GEOSEARCHSTORE", "s3", "missing", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km"),
        ("EXISTS", "s3"),
        ("GEOSEARCHSTORE", "s3", "nyc", "FROMMEMBER", "jfk", "BYBOX", 40, 40, "km", "WITHDIST"),
        ("SET", "str", "x"), ("GEOADD", "str", 0, 0, "m"), ("GEOPOS", "str", "a"),
        ("GEOHASH", "str", "a"), ("GEODIST", "str", "a", "b"),
        ("GEORADIUS", "str", 0, 0, 1, "km"), ("GEORADIUSBYMEMBER_RO", "str", "a", 1, "km"),
        ("GEOSEARCH", "str", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km"),
        ("GEOSEARCHSTORE", "d", "str", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km"),
    ])


def test_store_variants(pair):
    assert_same(pair, NYC + [
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "STORE", "s1"),
        ("ZRANGE", "s1", 0, -1, "WITHSCORES"), ("OBJECT", "ENCODING", "s1"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "STOREDIST", "s2"),
        ("ZRANGE", "s2", 0, -1, "WITHSCORES"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "STOREDIST", "s3", "COUNT", 2,
         "DESC"),
        ("ZRANGE", "s3", 0, -1, "WITHSCORES"),
        ("GEORADIUSBYMEMBER", "nyc", "jfk", 20, "km", "STORE", "s4"), ("ZRANGE", "s4", 0, -1),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "STORE", "s1", "WITHDIST"),
        ("GEORADIUS", "nyc", 0, 0, 1, "km", "STORE", "s1"), ("EXISTS", "s1"),
        ("GEOSEARCHSTORE", "s5", "nyc", "FROMMEMBER", "jfk", "BYBOX", 40, 40, "km"),
        ("ZRANGE", "s5", 0, -1, "WITHSCORES"),
        ("GEOSEARCHSTORE", "s6", "nyc", "FROMMEMBER", "jfk", "BYBOX", 40, 40, "km", "STOREDIST",
         "COUNT", 3),
        ("ZRANGE", "s6", 0, -1, "WITHSCORES"),
        ("GEOSEARCHSTORE", "s6", "nyc", "FROMMEMBER", "jfk", "BYBOX", 40, 40, "km", "WITHDIST"),
        ("GEOSEARCHSTORE", "s6", "nyc", "FROMMEMBER", "jfk", "BYBOX", 40, 40, "km", "STORE", "x"),
        ("GEOSEARCHSTORE", "s6", "missing", "FROMLONLAT", 0, 0, "BYBOX", 40, 40, "km"),
        ("EXISTS", "s6"),
        ("GEOSEARCHSTORE", "s5", "nyc", "FROMLONLAT", 0, 0, "BYBOX", 1, 1, "km"), ("EXISTS", "s5"),
        ("CONFIG", "SET", "zset-max-listpack-entries", "2"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "STORE", "s7"),
        ("OBJECT", "ENCODING", "s7"),
        ("GEORADIUS", "nyc", -73.9798091, 40.7598464, 10, "km", "STORE", "s8", "COUNT", 2),
        ("OBJECT", "ENCODING", "s8"),
        ("CONFIG", "SET", "zset-max-listpack-entries", "128"),
    ])


def test_geo_tcl_edge_cases(pair):
    assert_same(pair, [
        ("GEOADD", "k1", "-0.15307903289794921875", 85, "n1", "0.3515625", "85.00019260486917005437",
         "n2"),
        ("GEORADIUSBYMEMBER", "k1", "n1", "4891.94", "m"),
        ("GEOADD", "k2", "-4.95211958885192871094", 85, "n3", "11.25", "85.0511", "n4"),
        ("GEORADIUSBYMEMBER", "k2", "n3", "156544", "m"),
        ("GEOADD", "k3", -45, "65.50900022111811438208", "n5", 90, "85.0511", "n6"),
        ("GEORADIUSBYMEMBER", "k3", "n5", "5009431", "m"),
        ("GEOADD", "k4", 45, 65, "n1", -135, "85.05", "n2"),
        ("GEORADIUSBYMEMBER", "k4", "n1", "5009431", "m"),
        ("GEOADD", "points", "179.5", 36, "point1", "-179.5", 36, "point2"),
        ("GEOSEARCH", "points", "FROMLONLAT", 179, 37, "BYBOX", 400, 400, "km", "ASC"),
        ("GEOSEARCH", "points", "FROMLONLAT", -179, 37, "BYBOX", 400, 400, "km", "ASC"),
        ("GEOADD", "sp", "-122.407107", "37.794300", 1, "-122.227336", "37.794300", 2),
        ("GEORADIUS", "sp", "-122.407107", "37.794300", 30, "mi", "ASC", "WITHDIST"),
        ("GEOADD", "Sicily", "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2",
         "17.250000", "35.202000", "edge3", "12.750000", "35.202000", "edge4",
         "12.748489955781654", 37, "edge5", 15, "38.798135872540925", "edge6",
         "17.251510044218346", 37, "edge7", 15, "35.201864127459075", "edge8",
         "12.692799634687903", "38.798135872540925", "corner1", "12.692799634687903",
         "38.798135872540925", "corner2", "17.200560937451133", "35.201864127459075", "corner3",
         "12.799439062548865", "35.201864127459075", "corner4"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYBOX", 400, 400, "km", "ASC", "WITHDIST"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYBOX", 3000, 2, "km", "ASC"),
        ("GEOSEARCH", "Sicily", "FROMLONLAT", 15, 37, "BYRADIUS", 200, "km", "DESC", "WITHHASH"),
    ])


def test_count_with_ties_uses_redis_partial_sort(pair):
    """Many members at the same few spots: equal distances, so COUNT's partial
    quicksort decides the order, and it must be Redis's."""
    rnd = random.Random(21)
    args = []
    spots = [(rnd.uniform(-0.05, 0.05), rnd.uniform(-0.05, 0.05)) for _ in range(6)]
    for i in range(300):
        lon, lat = rnd.choice(spots)
        args += [repr(lon), repr(lat), f"m{i}"]
    script = [("GEOADD", "t", *args)]
    for count in (1, 2, 5, 7, 8, 13, 41, 100, 299, 300, 301):
        for order in ("ASC", "DESC"):
            script.append(("GEOSEARCH", "t", "FROMLONLAT", 0, 0, "BYRADIUS", 50, "km",
                           "COUNT", count, order, "WITHDIST"))
        script.append(("GEOSEARCH", "t", "FROMLONLAT", 0, 0, "BYRADIUS", 50, "km", "COUNT",
                       count, "ANY"))
    script.append(("GEOSEARCH", "t", "FROMLONLAT", 0, 0, "BYRADIUS", 50, "km", "DESC"))
    script.append(("GEOSEARCHSTORE", "d", "t", "FROMLONLAT", 0, 0, "BYRADIUS", 50, "km",
                   "COUNT", 50, "STOREDIST"))
    script.append(("ZRANGE", "d", 0, -1, "WITHSCORES"))
    assert_same(pair, script)


def test_random_searches(pair):
    """Clustered random points, random centres, radii, boxes, units and options."""
    rnd = random.Random(5)
    args = []
    names = []
    for cl in range(5):
        clon, clat = rnd.uniform(-175, 175), rnd.uniform(-80, 80)
        for k in range(60):
            spread = 10 ** rnd.uniform(-3, 0.5)
            lon = max(-180, min(180, clon + rnd.gauss(0, spread)))
            lat = max(-85.05, min(85.05, clat + rnd.gauss(0, spread)))
            name = f"c{cl}k{k}"
            names.append(name)
            args += [repr(lon), repr(lat), name]
    script = [("GEOADD", "s", *args)]
    for _ in range(60):
        unit, scale = rnd.choice((("m", 1), ("km", 1e-3), ("mi", 1 / 1609.34), ("ft", 3.28)))
        opts = [o for o in ("WITHDIST", "WITHCOORD", "WITHHASH") if rnd.random() < 0.5]
        if rnd.random() < 0.5:
            opts.append(rnd.choice(("ASC", "DESC")))
        if rnd.random() < 0.3:
            opts += ["COUNT", rnd.randrange(1, 40)]
            if rnd.random() < 0.3:
                opts.append("ANY")
        if rnd.random() < 0.5:
            frm = ["FROMMEMBER", rnd.choice(names)]
        else:
            frm = ["FROMLONLAT", repr(rnd.uniform(-180, 180)), repr(rnd.uniform(-85, 85))]
        dist = 10 ** rnd.uniform(2, 6.5) * scale
        if rnd.random() < 0.5:
            by = ["BYRADIUS", repr(dist), unit]
        else:
            by = ["BYBOX", repr(dist), repr(dist * rnd.uniform(0.2, 5)), unit]
        script.append(("GEOSEARCH", "s", *frm, *by, *opts))
        if rnd.random() < 0.3:
            a, b = rnd.choice(names), rnd.choice(names)
            script.append(("GEODIST", "s", a, b, unit))
    assert_same(pair, script)


def test_geoadd_is_a_zadd_for_keyspace_events(server):
    """GEOADD reports "zadd" (it runs ZADD), GEOSEARCHSTORE its own event name."""
    c = server.client()
    p = c.pubsub()
    try:
        c.config_set("notify-keyspace-events", "Ez")
        p.psubscribe("__keyevent@0__:*")
        p.get_message(timeout=2)
        c.geoadd("g", (1, 1, "a"))
        c.execute_command("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", 1, 1, "BYRADIUS", 1, "km")
        c.execute_command("GEORADIUS", "g", 1, 1, 1, "km", "STORE", "d2")
        got = []
        while len(got) < 3:
            m = p.get_message(timeout=2)
            assert m is not None, got
            got.append((m["channel"], m["data"]))
        assert got == [(b"__keyevent@0__:zadd", b"g"), (b"__keyevent@0__:geosearchstore", b"d"),
                       (b"__keyevent@0__:georadiusstore", b"d2")]
    finally:
        c.config_set("notify-keyspace-events", "")
        p.close()
        c.close()


def test_unrolled_decode_matches_geohash_decoder():
    """geo.decodeGeohash (table-driven) gives the very same doubles as geohash.py's decoder."""
    from pyredis.geo import decodeGeohash, decodeGeohash_reference
    rnd = random.Random(3)
    vals = [0.0, 1.0, float((1 << 52) - 1), float(1 << 52), -5.0, 1e300, float("inf"),
            float(2 ** 63), -1e30]
    vals += [float(rnd.randrange(1 << 52)) for _ in range(20000)]
    vals += [rnd.uniform(-1e20, 1e20) for _ in range(2000)]
    for v in vals:
        a, b = decodeGeohash(v), decodeGeohash_reference(v)
        assert [x.hex() for x in a] == [x.hex() for x in b], v


def test_fast_encode_matches_geohash_encoder():
    """geo.geo_score (table-driven) gives GEOADD the very score geohash.py's encoder gives."""
    from pyredis.geo import geo_score, geo_score_reference
    rnd = random.Random(2)
    pts = [(-180.0, -85.05112878), (180.0, 85.05112878), (0.0, 0.0), (-0.0, -0.0),
           (179.99999999, 85.0511287799), (1e-300, -1e-300)]
    pts += [(rnd.uniform(-180, 180), rnd.uniform(-85.05112878, 85.05112878)) for _ in range(20000)]
    pts += [(round(rnd.uniform(-180, 180), rnd.randrange(8)),
             round(rnd.uniform(-85.05, 85.05), rnd.randrange(8))) for _ in range(5000)]
    for lon, lat in pts:
        assert geo_score(lon, lat) == geo_score_reference(lon, lat), (lon, lat)


# ---------------------------------------------------------------------------
# Property test: random GEOADD / GEOSEARCH / ... sequences on both servers
# ---------------------------------------------------------------------------
# Replies are compared exactly, also without ASC/DESC: Redis then replies in
# the order it scanned the nine geohash cells (each cell in score order), and
# COUNT without ANY sorts ascending; both are deterministic, and pyredis
# walks the same cells in the same order.
# Each runs twice (`protocol_pair`): in RESP2, and in RESP3 with client-side
# caching on, so replies are compared with the invalidation pushes they bring.
_EXAMPLES = int(os.environ.get("PYREDIS_HYPOTHESIS_EXAMPLES", "50"))
_LAT_MAX = 85.05112878


def _rarely(common, rare, one_in=8):
    """`rare` about once in `one_in` draws, else `common`. The trigger is a
    middle value: Hypothesis favours the ends of a range, and shrinks to 0."""
    return st.tuples(st.integers(0, one_in - 1), common, rare).map(
        lambda t: t[2] if t[0] == one_in // 2 else t[1])


def _clamp(lon, lat):
    return (repr(max(-180.0, min(180.0, lon))), repr(max(-_LAT_MAX, min(_LAT_MAX, lat))))


_gmember = st.sampled_from(["m%d" % i for i in range(10)] + ["", "x y"])
# One centre per example (the date line, the edge of the Mercator square,
# the equator, mid latitudes); points scatter around it at a spread from
# metres to hundreds of kilometres, so searches find some of them.
_CENTRES = [(0.0, 0.0), (179.9, 30.0), (-179.95, -10.0), (13.36, 38.11), (-73.98, 40.75),
            (45.0, 84.9), (-120.0, -85.0)]
_fraction = st.floats(min_value=-1, max_value=1, allow_nan=False)
_BAD_COORDS = st.sampled_from([("180.0001", "0"), ("0", "85.06"), ("-181", "0"), ("0", "-90"),
                               ("nan", "0"), ("0", "x"), ("inf", "0")])
_gunit = st.sampled_from(["m", "km", "mi", "ft"])
_SCALE = {"m": 1.0, "km": 1e-3, "mi": 1 / 1609.34, "ft": 3.28084}
# Distances in metres, from under a metre to thousands of kilometres.
_metres = st.tuples(st.sampled_from([0.5, 10, 100, 1000, 10000, 100000, 1000000, 5000000]),
                    st.floats(min_value=0.5, max_value=2, allow_nan=False)).map(
    lambda t: t[0] * t[1])
_geoshape = _rarely(st.one_of(
    st.tuples(_metres, _gunit).map(lambda t: ("BYRADIUS", repr(t[0] * _SCALE[t[1]]), t[1])),
    st.tuples(_metres, _metres, _gunit).map(
        lambda t: ("BYBOX", repr(t[0] * _SCALE[t[2]]), repr(t[1] * _SCALE[t[2]]), t[2])),
), st.sampled_from([("BYRADIUS", "-1", "m"), ("BYRADIUS", "1", "parsec"),
                    ("BYBOX", "1", "x", "km")]), one_in=15)
_geocount = st.one_of(
    st.just(()),
    st.tuples(_rarely(st.sampled_from(["1", "2", "3", "5", "20"]), st.just("0"), one_in=15),
              st.sampled_from([(), (), ("ANY",)])).map(lambda t: ("COUNT", t[0]) + t[1]),
)
_geosort = st.sampled_from([(), (), ("ASC",), ("DESC",)])
_geowith = st.lists(st.sampled_from(["WITHCOORD", "WITHDIST", "WITHHASH"]), unique=True,
                    max_size=3).map(tuple)
_gkey = st.sampled_from(["g", "g", "g", "d"])
_gunit_opt = _rarely(st.sampled_from([(), ("m",), ("km",), ("mi",), ("ft",)]), st.just(("yd",)))


def _geo_strategies(centre):
    """(seed points, command) strategies for points scattered around `centre`."""
    valid = st.tuples(st.sampled_from([1e-4, 1e-2, 0.3, 3.0]), _fraction, _fraction).map(
        lambda t: _clamp(centre[0] + t[0] * t[1], centre[1] + t[0] * t[2]))
    coord = _rarely(valid, _BAD_COORDS, one_in=12)
    geofrom = st.one_of(_gmember.map(lambda m: ("FROMMEMBER", m)),
                        coord.map(lambda c: ("FROMLONLAT",) + c))
    ops = st.one_of(
        st.tuples(_gkey, st.sampled_from([(), (), ("NX",), ("XX",), ("CH",), ("XX", "CH")]),
                  st.lists(st.tuples(coord, _gmember), min_size=1, max_size=3)).map(
            lambda t: ("GEOADD", t[0]) + t[1] + tuple(x for c, m in t[2] for x in c + (m,))),
        st.tuples(_gkey, st.lists(_gmember, min_size=1, max_size=3)).map(
            lambda t: ("GEOPOS", t[0], *t[1])),
        st.tuples(_gkey, _gmember, _gmember, _gunit_opt).map(
            lambda t: ("GEODIST",) + t[:3] + t[3]),
        st.tuples(_gkey, st.lists(_gmember, max_size=3)).map(
            lambda t: ("GEOHASH", t[0], *t[1])),
        st.tuples(_gkey, geofrom, _geoshape, _geosort, _geocount, _geowith).map(
            lambda t: ("GEOSEARCH", t[0]) + t[1] + t[2] + t[3] + t[4] + t[5]),
        st.tuples(_gkey, geofrom, _geoshape, _geosort, _geocount, _geowith).map(
            lambda t: ("GEOSEARCH", t[0]) + t[1] + t[2] + t[3] + t[4] + t[5]),
        st.tuples(st.sampled_from(["d", "d", "g"]), _gkey, geofrom, _geoshape, _geosort,
                  _geocount, st.sampled_from([(), ("STOREDIST",)])).map(
            lambda t: ("GEOSEARCHSTORE", t[0], t[1]) + t[2] + t[3] + t[4] + t[5] + t[6]),
        st.tuples(_gkey, _gmember).map(lambda t: ("ZREM",) + t),
        # The older forms share the search code, but parse their own arguments.
        st.tuples(_gkey, valid, _metres, _gunit, _geosort, _geocount, _geowith).map(
            lambda t: ("GEORADIUS", t[0]) + t[1] + (repr(t[2] * _SCALE[t[3]]), t[3])
            + t[4] + t[5] + t[6]),
        st.tuples(_gkey, _gmember, _metres, _gunit, _geosort, _geocount,
                  st.sampled_from([(), ("STORE", "d"), ("STOREDIST", "d")])).map(
            lambda t: ("GEORADIUSBYMEMBER", t[0], t[1], repr(t[2] * _SCALE[t[3]]), t[3])
            + t[4] + t[5] + t[6]),
    )
    return st.tuples(st.lists(st.tuples(valid, _gmember), min_size=2, max_size=12),
                     st.lists(ops, min_size=1, max_size=20))


_GEO_FINAL = [c for k in ("g", "d") for c in
              (("ZRANGE", k, "0", "-1", "WITHSCORES"), ("OBJECT", "ENCODING", k))]


@settings(max_examples=_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(_CENTRES).flatmap(_geo_strategies))
def test_random_sequences_match_redis(protocol_pair, seed_and_ops):
    pair = protocol_pair
    seed, ops = seed_and_ops
    for conn in pair:
        conn.call("DEL", "g", "d")
    start = [("GEOADD", "g") + tuple(x for c, m in seed for x in c + (m,))] if seed else []
    mismatches = compare_script(pair, start + ops + _GEO_FINAL)
    assert not mismatches, "\n".join(
        "%r:\n  pyredis: %r\n  redis:   %r" % m for m in mismatches)
