"""Option words with a NUL byte inside, compared with real Redis 7.0.

Redis matches option words with strcasecmp/strcmp on the argument's C
string, so the compare stops at the first NUL: `SET k v NX\\0junk` is NX,
`ZADD z CH\\0 1 a` is CH (pyredis.util.c_string models it). Keys, values,
numbers and command names keep all their bytes. In the scripts below "~"
stands for "\\0junk" and "^" for a bare "\\0".
"""

import pytest

from helpers.differential import assert_same, script_of


def _nul(line):
    return line.replace("~", "\x00junk").replace("^", "\x00")


SCRIPTS = {
    "strings": [
        "SET k v NX~", "GET k", "SET k v2 nx^", "GET k", "SET k v3 XX~ GET~", "GET k",
        "SET k v4 EX~ 100", "TTL k", "SET k v5 px^ 100000", "TTL k",
        "SET k v6 KEEPTTL~", "TTL k", "SET k v7 EXAT~ 32503680000", "EXPIRETIME k",
        "SET k v8 PXAT~ 32503680000123", "PEXPIRETIME k", "SET k v9 GET^", "GET k",
        "SET k v NXjunk", "SET k v ^NX", "SET k v ^", "SET k v N^X",
        "GETEX k PERSIST~", "TTL k", "GETEX k EX~ 100", "TTL k", "GETEX k persist^junk",
        "SET a ohmytext", "SET b mynewtext", "LCS a b LEN~", "LCS a b IDX~ MINMATCHLEN~ 4",
        "LCS a b idx^ WITHMATCHLEN~", "LCS a b LEN~ IDX~", "LCS a b ^LEN",
    ],
    "expire": [
        "SET k v", "EXPIRE k 100 nx~", "TTL k", "EXPIRE k 200 XX^", "TTL k",
        "EXPIRE k 50 GT~", "TTL k", "EXPIRE k 50 LT^", "TTL k", "PEXPIRE k 100000 NX~",
        "EXPIREAT k 32503680000 gt~", "EXPIRE k 100 FOO~", "EXPIRE k 100 ^NX",
        "EXPIRE k 100 NX~ XX~",
    ],
    "keyspace": [
        "SET s:1 a", "RPUSH l a", "SCAN 0 COUNT~ 100 MATCH^ s:*",
        "SCAN 0 count^ 100 TYPE~ string", "SCAN 0 TYPE string~", "SCAN 0 TYPE list^x",
        "SCAN 0 COUNTjunk 10", "FLUSHDB ASYNC~", "DBSIZE", "SET k v", "FLUSHALL sync^",
        "DBSIZE", "SET k v", "COPY k k2 REPLACE~", "GET k2", "COPY k k2 replace^ DB~ 0",
        "COPY k k3 DB^ 1", "COPY k k2 REPLACEjunk",
    ],
    "lists": [
        "RPUSH l a b c a b", "LINSERT l BEFORE~ b x", "LINSERT l after^ c y",
        "LRANGE l 0 -1", "LINSERT l ^AFTER c z", "LPOS l a RANK~ 2", "LPOS l a COUNT~ 0",
        "LPOS l a MAXLEN^ 3 rank~ -1", "LPOS l a RANKjunk 1", "LMOVE l l2 LEFT~ RIGHT^",
        "LRANGE l2 0 -1", "LMPOP 1 l LEFT~ COUNT~ 2", "LMPOP 1 l right^ count^ 1",
        "LMPOP 1 l ^LEFT", "LRANGE l 0 -1", "BLMOVE l l2 RIGHT~ LEFT~ 0.01",
        "BLMPOP 0.01 1 l LEFT~ COUNT~ 1",
    ],
    "hash_set": [
        "HSET h f v f2 v2", "HRANDFIELD h 2 WITHVALUES~", "HSET h1 f v",
        "HRANDFIELD h1 1 withvalues^", "HRANDFIELD h 1 ^WITHVALUES", "SADD s1 a b c", "SADD s2 b c d",
        "SINTERCARD 2 s1 s2 LIMIT~ 1", "SINTERCARD 2 s1 s2 limit^ 0",
        "SINTERCARD 2 s1 s2 LIMITjunk 1",
    ],
    "zsets": [
        "ZADD z CH^ 1 a", "ZADD z NX~ CH~ 2 a 3 b", "ZADD z xx~ ch^ 5 a", "ZRANGE z 0 -1 WITHSCORES~",
        "ZADD z INCR~ 1 a", "ZADD z GT~ 1 a", "ZADD z LT^ 1 a", "ZADD z ^CH 1 a",
        "ZRANGE z 0 -1 withscores^", "ZRANGE z (1 +inf BYSCORE~ LIMIT~ 0 1 WITHSCORES~",
        "ZRANGE z +inf -inf BYSCORE^ REV^", "ZRANGE z [a [z BYLEX~",
        "ZRANGESTORE dst z 0 -1 REV~", "ZRANGE dst 0 -1 WITHSCORES",
        "ZRANDMEMBER z 2 WITHSCORES~", "ZRANDMEMBER z 1 ^WITHSCORES",
        "ZADD z2 1 a 10 c", "ZUNION 2 z z2 WEIGHTS~ 1 2 AGGREGATE~ MAX~ WITHSCORES~",
        "ZINTER 2 z z2 aggregate^ min^ withscores^", "ZUNIONSTORE u 2 z z2 AGGREGATE SUM~",
        "ZRANGE u 0 -1 WITHSCORES", "ZINTERCARD 2 z z2 LIMIT~ 1", "ZDIFF 2 z z2 WITHSCORES~",
        "ZMPOP 1 z MIN~ COUNT~ 2", "ZMPOP 1 z max^ count^ 1", "ZMPOP 1 z ^MIN",
        "BZMPOP 0.01 1 z2 MAX~ COUNT~ 1", "ZADD z 1 a", "ZRANGEBYSCORE z -inf +inf WITHSCORES~",
        "ZREVRANGEBYSCORE z +inf -inf withscores^ LIMIT~ 0 1", "ZRANGEBYLEX z - + LIMIT~ 0 1",
    ],
    "geo": [
        "GEOADD g NX~ 13.361389 38.115556 Palermo", "GEOADD g XX^ CH~ 13.4 38.1 Palermo",
        "GEOADD g ^NX 15.087269 37.502669 Catania", "GEOADD g 15.087269 37.502669 Catania",
        "GEODIST g Palermo Catania km~", "GEODIST g Palermo Catania MI^", "GEODIST g Palermo Catania ^km",
        "GEORADIUS g 15 37 200 km~ WITHDIST~ ASC~", "GEORADIUS g 15 37 200 KM WITHCOORD^ COUNT~ 1 ANY~",
        "GEORADIUSBYMEMBER g Palermo 200 ft~ WITHHASH~ DESC^",
        "GEOSEARCH g FROMMEMBER~ Palermo BYRADIUS~ 200 km~ ASC~ WITHDIST~",
        "GEOSEARCH g FROMLONLAT^ 15 37 BYBOX^ 400 400 km^ WITHCOORD~",
        "GEOSEARCHSTORE dst g FROMMEMBER Palermo BYRADIUS 200 km STOREDIST~", "ZRANGE dst 0 -1 WITHSCORES",
        "GEORADIUS g 15 37 200 km STORE~ dst2", "ZRANGE dst2 0 -1",
    ],
    "bitops": [
        "SET b foobar", "BITCOUNT b 0 1 bit~", "BITCOUNT b 0 1 BYTE^", "BITCOUNT b 0 1 ^BIT",
        "BITPOS b 1 0 -1 BIT~", "BITPOS b 0 2 -1 byte^", "SET b2 abc", "BITOP AND~ d b b2",
        "GET d", "BITOP xor^ d b b2", "GET d", "BITOP not~ d b", "GET d", "BITOP ^OR d b b2",
        "BITFIELD bf SET~ u8 0 255 GET^ u8 0 INCRBY~ u8 0 10", "BITFIELD bf OVERFLOW~ SAT~ INCRBY u8 0 500",
        "BITFIELD bf OVERFLOW fail^ INCRBY u8 0 500", "BITFIELD bf OVERFLOW ^WRAP",
        "BITFIELD_RO bf GET~ u8 0",
    ],
    "sort": [
        "RPUSH sl 3 1 2", "SORT sl DESC~", "SORT sl ASC^ LIMIT~ 0 2", "SORT sl ALPHA~ desc^",
        "SORT sl BY~ nosort", "SET w_1 3", "SET w_2 2", "SET w_3 1", "SORT sl BY^ w_* GET~ #",
        "SORT sl STORE~ dst", "LRANGE dst 0 -1", "SORT_RO sl DESC~", "SORT sl ^DESC",
    ],
    "introspection": [
        "SET k v", "COMMAND GETKEYS SET k v GET~", "COMMAND GETKEYSANDFLAGS SET k v GET~",
        "COMMAND GETKEYSANDFLAGS SET k v get^", "COMMAND GETKEYS SORT k STORE~ dst",
        "COMMAND GETKEYS ZUNIONSTORE d 2 a b WEIGHTS~ 1 2", "COMMAND GETKEYS GEORADIUS g 1 1 1 km STORE~ x",
        "COMMAND GETKEYS LMPOP 1 l LEFT", "COMMAND GETKEYSANDFLAGS BITFIELD bf GET~ u8 0",
        "COMMAND GETKEYSANDFLAGS BITFIELD bf SET^ u8 0 1", "MEMORY USAGE k SAMPLES~ 5",
    ],
    "connection": [
        "HELLO 2 AUTH~ nouser wrong", "HELLO 2 FOO~", "HELLO 2 ^SETNAME x",
        "CLIENT NO-EVICT on~", "CLIENT NO-EVICT OFF^", "CLIENT NO-EVICT ^on",
        "CLIENT TRACKING on^ BCAST~ NOLOOP~ PREFIX~ a", "CLIENT TRACKING off~",
        "CLIENT TRACKING on OPTIN~", "CLIENT CACHING yes~", "CLIENT CACHING ^yes",
        "CLIENT TRACKING OFF", "CLIENT TRACKING on^ FOO~", "CLIENT CACHING no~",
        "CLIENT PAUSE 10 WRITE~", "CLIENT UNPAUSE", "CLIENT PAUSE 10 all^", "CLIENT UNPAUSE",
        "CLIENT PAUSE 10 ^ALL", "CLIENT UNBLOCK 999999 ERROR~", "CLIENT UNBLOCK 999999 timeout^",
        "CLIENT UNBLOCK 999999 ^error", "CLIENT LIST TYPE~ pubsub", "CLIENT LIST TYPE pubsub~",
        "CLIENT LIST TYPE foo~", "CLIENT LIST ID~ 999999", "CLIENT KILL ADDR~ 1.2.3.4:5 SKIPME~ yes~",
        "CLIENT KILL TYPE~ pubsub~", "CLIENT KILL TYPE foo~", "CLIENT KILL ADDR ^ SKIPME yes",
        "CLIENT KILL LADDR~ 1.2.3.4:5", "CLIENT KILL SKIPME ^yes", "CLIENT KILL 1.2.3.4:5~",
        "CLIENT REPLY on~",
    ],
    "server": [
        "REPLICAOF NO~ ONE^", "REPLICAOF ^NO ONE", "REPLCONF listening-port~ 6380",
        "REPLCONF capa~ eof~ CAPA psync2^", "REPLCONF foo~ 1", "REPLCONF ^ack 1",
        "COMMAND LIST FILTERBY~ PATTERN~ get", "COMMAND LIST FILTERBY ^PATTERN get",
        "SHUTDOWN ABORT~", "SHUTDOWN ^ABORT", "DEBUG PROTOCOL~ integer^", "DEBUG protocol^ true~",
        "DEBUG SLEEP~ 0", "DEBUG ^SLEEP 0", "PFADD hll a b c", "PFDEBUG ENCODING~ hll",
        "PFDEBUG todense^ hll", "PFDEBUG ENCODING hll", "PFDEBUG FOO~ hll", "PFDEBUG ^GETREG hll",
        "LATENCY HISTORY command~", "LATENCY RESET command~ fork^", "LATENCY GRAPH foo~",
        "LOLWUT VERSION~ 5 1 1 1", "FLUSHDB ^ASYNC",
        "CONFIG SET notify-keyspace-events ^xyz", "CONFIG GET notify-keyspace-events",
        "CONFIG SET notify-keyspace-events KEA~", "CONFIG GET notify-keyspace-events",
        "CONFIG SET notify-keyspace-events Kx^y", "CONFIG GET notify-keyspace-events",
        "CONFIG SET notify-keyspace-events ~", "CONFIG GET notify-keyspace-events",
    ],
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_nul_in_option_words(pair, name):
    assert_same(pair, script_of([_nul(line) for line in SCRIPTS[name]]))


def test_nul_in_restore_options(pair):
    """RESTORE's REPLACE/ABSTTL/IDLETIME/FREQ words, with a payload from real Redis."""
    ours, theirs = pair
    for conn in pair:
        conn.call("SET", "k", "value")
    from helpers.resp import parse
    payload = parse(theirs.call("DUMP", "k"))
    script = [("RESTORE", "k", "0", payload, "REPLACE\x00junk"),
              ("RESTORE", "k", "0", payload, "replace\x00", "IDLETIME\x00", "5"),
              ("RESTORE", "k", "0", payload, "\x00REPLACE"),
              ("RESTORE", "k2", "0", payload, "ABSTTL\x00", "FREQ\x00x", "3"),
              ("OBJECT", "ENCODING", "k2"), ("GET", "k")]
    assert_same(pair, script)
