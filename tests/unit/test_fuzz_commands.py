"""A differential fuzzer over every implemented command, driven by the command table.

For each command pyredis serves (pyredis/commands.py, generated from Redis's
JSON specs), seeded-random argument lists are built from the command's own
argument spec - its tokens, optional and repeated arguments, blocks and
one-ofs - and then often broken on purpose: an argument dropped, duplicated,
swapped or replaced, an unknown token inserted, the list cut short or
extended. Values come from pools chosen to sit on parsing edges (LLONG_MAX
and one past it, "+1", " 1", "1.5", "inf", "nan", "1e400", "-0", "", binary
and long strings) and from keys of every type and encoding.

Each invocation runs on a freshly built copy of the same small dataset on
both servers (FLUSHALL then the same setup commands, pipelined), and the
reply bytes are compared. After a command that may write, the datasets are
compared too (DEBUG DIGEST, the key names and each key's OBJECT ENCODING),
so a write that replies alike but stores something else is caught.

What cannot be compared byte for byte is normalised per command: replies in
hash order (SMEMBERS, HGETALL, KEYS, SUNION... on hashtable encodings) as
multisets, random replies (SPOP, SRANDMEMBER...) by shape with exact error
text, SCAN cursors only when both servers finished the scan, TTLs by sign.
Commands that cannot be deterministic or that would harm the servers or the
connection are excluded (see EXCLUDED).

Environment (for deep local runs; the defaults keep the test fast):
  FUZZ_ITERATIONS  invocations per command (default 40)
  FUZZ_SEED        base seed (default 7015)
  FUZZ_COMMANDS    comma-separated command names to restrict the run
Every mismatch prints the command, both replies and the seed and iteration
that rebuild it: _argv_for(name, seed, i) gives the same argument list.
"""

import functools
import os
import random

import pytest
from helpers.differential import clock_free, mask_hello_id
from helpers.resp import parse, shape, unordered
from helpers.servers import encode_command

from pyredis.commands import COMMAND_TABLE

ITERATIONS = int(os.environ.get("FUZZ_ITERATIONS", "40"))
BASE_SEED = int(os.environ.get("FUZZ_SEED", "7015"))
ONLY = {c.strip().lower() for c in os.environ.get("FUZZ_COMMANDS", "").split(",") if c.strip()}

# ---------------------------------------------------------------------------
# What is fuzzed
# ---------------------------------------------------------------------------
# Commands (or container|subcommand) left out, with the reason.
EXCLUDED = {
    "randomkey": "random reply",
    "time": "clock", "lastsave": "clock",
    "info": "server-specific figures",
    "client": "connection ids, addresses and ages differ",
    "debug": "debugging and crash commands",
    "shutdown": "stops the server", "save": "writes to disk", "bgsave": "forks",
    "bgrewriteaof": "forks", "monitor": "turns the connection into a monitor",
    "subscribe": "subscribed mode", "psubscribe": "subscribed mode",
    "ssubscribe": "subscribed mode",
    "sync": "replication", "psync": "replication", "replicaof": "replication",
    "slaveof": "replication", "failover": "replication", "wait": "replication",
    "migrate": "network", "dump": "fuzzed separately", "restore": "fuzzed separately",
    "restore-asking": "fuzzed separately",
    "object|idletime": "clock", "object|freq": "LFU counter decays with the clock",
    "latency": "clock", "slowlog": "clock", "memory": "allocator-specific",
    "script": "scripting", "eval": "scripting", "eval_ro": "scripting",
    "evalsha": "scripting", "evalsha_ro": "scripting", "function": "scripting",
    "fcall": "scripting", "fcall_ro": "scripting", "acl": "ACL",
    "quit": "closes the connection",
    "pfselftest": "a long self test",
    "lolwut": "random art",
    # pyredis serves a subset of the table by design: whole-table listings differ.
    "command": "whole command table", "command|count": "whole command table",
    "command|list": "whole command table",
}

# Commands whose reply order is unspecified (hash order of a hashtable).
UNORDERED = {"smembers", "sinter", "sunion", "sdiff", "hkeys", "hvals", "keys"}
UNORDERED_PAIRS = {"hgetall", "config|get"}
# Random replies: only their shape is compared (errors in full).
RANDOM = {"spop", "srandmember", "hrandfield", "zrandmember"}
SCANS = {"scan", "sscan", "hscan", "zscan"}
# Not subscribed, these reply at once (one reply per channel named).
UNSUBSCRIBES = {"unsubscribe", "punsubscribe", "sunsubscribe"}
# Commands that change the connection (db, protocol, transaction state).
CONN_STATE = {"select", "hello", "reset", "multi", "watch", "exec", "discard", "auth"}
# Where a blocking command reads its timeout.
TIMEOUT_POS = {"blpop": -1, "brpop": -1, "bzpopmin": -1, "bzpopmax": -1,
               "brpoplpush": 3, "blmove": 5, "blmpop": 1, "bzmpop": 1}
SERVER_SPECIFIC_CONFIGS = {b"dir", b"port", b"pidfile", b"logfile"}
# Settings CONFIG SET may change, with the defaults put back after it.
CONFIG_DEFAULTS = {
    "hash-max-listpack-entries": "512", "hash-max-listpack-value": "64",
    "zset-max-listpack-entries": "128", "zset-max-listpack-value": "64",
    "set-max-intset-entries": "512", "list-max-listpack-size": "-2",
    "list-compress-depth": "0", "notify-keyspace-events": "",
}


@functools.lru_cache(maxsize=None)
def _implemented():
    """The command table entries pyredis serves, as populateCommandTable picks them."""
    from pyredis.server import _command_modules, _resolve_proc
    modules = _command_modules()
    names = []
    for name, spec in COMMAND_TABLE.items():
        if spec.get("function") and _resolve_proc(spec["function"], modules):
            names.append(name)
        for sub, sspec in (spec.get("subcommands") or {}).items():
            if _resolve_proc(sspec["function"], modules):
                names.append(name + "|" + sub)
    return tuple(names)


def _fuzzed():
    out = []
    for name in _implemented():
        if name in EXCLUDED or name.split("|")[0] in EXCLUDED:
            continue
        if ONLY and name not in ONLY and name.split("|")[0] not in ONLY:
            continue
        out.append(name)
    return out


def _spec(name):
    if "|" in name:
        parent, sub = name.split("|")
        return COMMAND_TABLE[parent]["subcommands"][sub]
    return COMMAND_TABLE[name]


# ---------------------------------------------------------------------------
# The dataset rebuilt before each invocation
# ---------------------------------------------------------------------------
LONG_FIELD_VALUE = "h" * 70      # over hash-max-listpack-value: a hashtable
LONG_MEMBER = "m" * 70           # over zset-max-listpack-value: a skiplist
SETUP = [
    ("SET", "s:int", "12345"),
    ("SET", "s:emb", "hello"),
    ("SET", "s:raw", "r" * 50),                              # raw encoding
    ("SET", "s:ttl", "v", "PXAT", "32503680000123"),         # far-future expire
    ("SET", "bits", b"\xff\xf0\x00\x01"),
    ("RPUSH", "l", "a", "b", "c", "1", "2", "3", "a"),
    ("HSET", "h:lp", "f1", "v1", "f2", "2", "f3", "1.5"),
    ("HSET", "h:ht", "f1", "v1", "f2", LONG_FIELD_VALUE),
    ("SADD", "st:int", "1", "2", "3", "-5"),
    ("SADD", "st:ht", "a", "b", "c", "1"),
    ("ZADD", "z:lp", "1", "a", "2", "b", "2.5", "c", "-1", "d"),
    ("ZADD", "z:sl", "1", "a", "2", "b", "3", LONG_MEMBER),
    ("PFADD", "hll", "a", "b", "c"),
    ("GEOADD", "geo", "13.361389", "38.115556", "Palermo",
     "15.087269", "37.502669", "Catania"),
    ("SET", "w_a", "3"), ("SET", "w_b", "1"), ("SET", "w_1", "-2"),
]
FIXTURE_KEYS = sorted({c[1] for c in SETUP})
KEYS = FIXTURE_KEYS + ["missing", "dest", "{t}new"]

# ---------------------------------------------------------------------------
# Value pools
# ---------------------------------------------------------------------------
LLONG_MAX, LLONG_MIN = "9223372036854775807", "-9223372036854775808"
SMALL_INTS = ["0", "1", "2", "3", "-1", "-2", "5", "10", "100"]
EDGE_INTS = [LLONG_MAX, LLONG_MIN, "9223372036854775808", "-9223372036854775809",
             "18446744073709551615", "4294967296", "2147483648", "536870912", "-2147483649", "+1", " 1", "1 ",
             "1.5", "01", "-0", "0x10", "1e3", "", "abc", "-", "1000000"]
SMALL_FLOATS = ["0", "1", "-1", "1.5", "2.5", "-2.5", "0.5", "3", "10"]
EDGE_FLOATS = ["inf", "-inf", "+inf", "nan", "-nan", "1e400", "-1e400", "1e-400", "-0",
               "+0", "1.7976931348623157e308", "5e-324", ".5", "5.", "1e", " 1", "1 ",
               "0x1p3", "(1", "(1.5", "[1", "(inf", "(-inf", "", "abc", "Infinity"]
STRINGS = ["a", "b", "c", "d", "1", "2", "3", "-5", "f1", "f2", "f3", "v1", "x",
           "hello", "Palermo", "Catania", LONG_MEMBER, "", b"\x00\xff\r\nbin", "A" * 5000,
           b"a\x00b", "\u00e9" * 70,
           "-", "+", "[a", "(a", "[", "(", "(b", "[c", "-inf", "+inf", "*", "nil"]
PATTERNS = ["*", "s:*", "*:*", "h?lp", "[a-z]*", "[", "\\", "*int*", "x", "", "st:[hi]*",
            "*\\", "[^a]*", "?"]
SORT_PATTERNS = ["w_*", "nosort", "#", "h:*->f1", "*->f2", "w_", "*", "s:*", "h:lp->f*"]
UNIX_TIMES = ["32503680000", "4102444800", "0", "-1", "1", LLONG_MAX, "abc",
              "4102444800000", "32503680000123", "9223372036854775", "-9223372036854775"]
TOKENS = sorted({"NX", "XX", "GT", "LT", "CH", "INCR", "LIMIT", "WITHSCORES", "COUNT",
                 "MATCH", "TYPE", "BYSCORE", "BYLEX", "REV", "WEIGHTS", "AGGREGATE",
                 "SUM", "MIN", "MAX", "LEFT", "RIGHT", "BEFORE", "AFTER", "EX", "PX",
                 "EXAT", "PXAT", "KEEPTTL", "GET", "PERSIST", "RANK", "MAXLEN", "BYTE",
                 "BIT", "STORE", "STOREDIST", "ASC", "DESC", "ALPHA", "BY", "WITHCOORD",
                 "WITHDIST", "WITHHASH", "ANY", "FROMMEMBER", "FROMLONLAT", "BYRADIUS",
                 "BYBOX", "m", "km", "ft", "mi", "IDX", "LEN", "MINMATCHLEN",
                 "WITHMATCHLEN", "DB", "REPLACE", "OVERFLOW", "WRAP", "SAT", "FAIL",
                 "INCRBY", "SET", "ASYNC", "SYNC", "AND", "OR", "XOR", "NOT", "HELP",
                 "WITHVALUES", "NOVALUES", "FOO", "NXX", "WITHSCORE", "LIMITS", "AUTH",
                 "SETNAME", "FILTERBY", "MODULE", "ACLCAT", "PATTERN", "SCHEDULE"})
NAMED_POOLS = {
    "cursor": ["0", "1", "5", "-1", "abc", "18446744073709551615", "18446744073709551616",
               "1" * 30],
    "encoding": ["i8", "u8", "i5", "u1", "i64", "u63", "u64", "i0", "u0", "i65", "I8",
                 "x8", "i", "#", "i-1"],
    "protover": ["2", "3", "1", "4", "abc", "-1", "3.0"],
    "operation": ["AND", "OR", "XOR", "NOT", "and", "not", "foo", "AND\0", "xor\0junk"],
    "subcommand": ["GETREG", "DECODE", "ENCODING", "TODENSE", "getreg", "foo"],
    "longitude": ["13.361389", "15.087269", "0", "180", "-180", "180.1", "-181", "abc"],
    "latitude": ["38.115556", "37.502669", "0", "85.05112878", "85.06", "-85.1", "abc"],
    "radius": ["1", "100", "200", "500", "0", "-1", "abc", "1000000000"],
    "width": ["400", "1", "0", "-1", "abc"], "height": ["400", "1", "0", "-1", "abc"],
    "parameter": list(CONFIG_DEFAULTS) + ["*max-listpack*", "hash-*", "maxmemory",
                                          "nonexistent", "HASH-MAX-ZIPLIST-ENTRIES",
                                          "appendonly", "*-max-intset-*"],
    "command-name": ["get", "SET", "zadd", "object", "nosuch", "config|get", "object|encoding",
                     "get|x", ""],
    "db": ["0", "1", "15", "16", "-1", "abc"],
    "index1": ["0", "1", "15", "16", "-1", "abc"],
    "index2": ["0", "1", "15", "16", "-1", "abc"],
    "channel": ["ch", "news.*", "", "*"], "shardchannel": ["ch", ""],
}
VALUE_POOL = STRINGS + SMALL_INTS + EDGE_INTS[:12] + EDGE_FLOATS[:10] + KEYS


def _token_case(rng, token):
    r = rng.random()
    if r < 0.7:
        return token
    if r < 0.85:
        return token.lower()
    return "".join(ch.upper() if rng.random() < 0.5 else ch.lower() for ch in token)


def _option_token(rng, token):
    """An option word as _token_case writes it, and now and then with a NUL
    and junk after it: Redis compares option words as C strings (strcasecmp
    stops at the NUL), so "NX\\0junk" is NX there. Not for command names,
    which Redis looks up over all their bytes."""
    word = _token_case(rng, token)
    if rng.random() < 0.08:
        word += rng.choice(["\0", "\0junk", "\0\0"])
    return word


class ArgvBuilder:
    """Builds one argument list from a command's argument spec."""

    def __init__(self, rng, name):
        self.rng = rng
        self.name = name
        self.out = []
        self.numkeys_at = None
        self.last_keys = None

    def value(self, arg):
        rng, t, name = self.rng, arg["type"], arg["name"]
        if name == "timeout" and self.name.split("|")[0] in TIMEOUT_POS:
            return rng.choice(["0.01", "0.01", "0.02", "-1", "abc", "1e400", "inf", "nan",
                               "-0.5", " 0.01", LLONG_MAX])
        if name in NAMED_POOLS and rng.random() < 0.85:
            return rng.choice(NAMED_POOLS[name])
        if self.name in ("sort", "sort_ro") and t == "pattern" and rng.random() < 0.9:
            return rng.choice(SORT_PATTERNS)
        r = rng.random()
        if t == "key":
            return rng.choice(KEYS) if r < 0.9 else rng.choice(VALUE_POOL)
        if t == "integer":
            if r < 0.65:
                return rng.choice(SMALL_INTS)
            return rng.choice(EDGE_INTS) if r < 0.9 else rng.choice(VALUE_POOL)
        if t == "double":
            if r < 0.6:
                return rng.choice(SMALL_FLOATS)
            return rng.choice(EDGE_FLOATS) if r < 0.9 else rng.choice(VALUE_POOL)
        if t == "pattern":
            return rng.choice(PATTERNS) if r < 0.85 else rng.choice(VALUE_POOL)
        if t == "unix-time":
            return rng.choice(UNIX_TIMES) if r < 0.85 else rng.choice(EDGE_INTS)
        return rng.choice(STRINGS) if r < 0.7 else rng.choice(VALUE_POOL)

    def gen(self, arg, force=False):
        rng = self.rng
        if arg.get("optional") and not force and rng.random() < 0.55:
            return
        reps = 1
        if arg.get("multiple"):
            reps = rng.choice([1, 1, 1, 2, 2, 3, 4])
            if arg["name"] == "weight" and self.last_keys and rng.random() < 0.8:
                reps = self.last_keys
        if arg["name"] == "numkeys":
            self.numkeys_at = len(self.out)
        for i in range(reps):
            if arg.get("token") and (i == 0 or arg.get("multiple_token")):
                self.out.append(_option_token(rng, arg["token"]))
            self.gen_value(arg)
        if arg.get("multiple") and arg["type"] == "key":
            self.last_keys = reps
            if self.numkeys_at is not None:
                if rng.random() < 0.8:
                    self.out[self.numkeys_at] = str(reps)
                self.numkeys_at = None

    def gen_value(self, arg):
        t = arg["type"]
        if t == "pure-token":
            return
        if t == "oneof":
            self.gen(self.rng.choice(arg["arguments"]), force=True)
        elif t == "block":
            for sub in arg["arguments"]:
                self.gen(sub)
        else:
            self.out.append(self.value(arg))


def _mutate(rng, args):
    """One deliberate breakage of an argument list (not of the command name)."""
    kind = rng.randrange(8)
    n = len(args)
    if kind == 0 and n:                                   # drop one
        del args[rng.randrange(n)]
    elif kind == 1 and n:                                 # duplicate one
        i = rng.randrange(n)
        args.insert(rng.randrange(i, n + 1), args[i])
    elif kind == 2 and n >= 2:                            # swap two
        i, j = rng.sample(range(n), 2)
        args[i], args[j] = args[j], args[i]
    elif kind == 3:                                       # insert a token
        args.insert(rng.randrange(n + 1), _option_token(rng, rng.choice(TOKENS)))
    elif kind == 4:                                       # cut short
        del args[rng.randrange(n + 1):]
    elif kind == 5:                                       # extra arguments
        for _ in range(rng.randrange(1, 4)):
            args.append(rng.choice(VALUE_POOL + TOKENS))
    elif kind == 6 and n:                                 # replace one
        args[rng.randrange(n)] = rng.choice(VALUE_POOL + TOKENS)
    elif kind == 7 and n:                                 # shuffle all
        rng.shuffle(args)


def _float_parse(s):
    """A value as Redis's string2ld would read it, or None when it refuses it."""
    if isinstance(s, bytes) or s != s.strip() or not s:
        return None
    try:
        return float(s)
    except ValueError:
        pass
    if "x" not in s.lower():         # strtold reads hex only after 0x
        return None
    try:
        return float.fromhex(s)
    except OverflowError:
        return float("inf")
    except ValueError:
        return None


def _safe_timeout(name, argv):
    """Keep a blocking command from blocking for long: a timeout Redis would
    read as 0 (block forever: anything in (-1 ms, 0]) or as more than a few
    milliseconds becomes 0.01. Values Redis refuses, or whose conversion to
    milliseconds overflows (negative on x86), are left to be compared."""
    pos = TIMEOUT_POS.get(name)
    if pos is None or len(argv) <= (pos if pos >= 0 else -pos):
        return
    v = _float_parse(argv[pos])
    if v is None or v != v:
        return
    ms = v * 1000.0
    if -1.0 < ms <= 0.0 or 20.0 < ms < 9.2e18:
        argv[pos] = "0.01"


def _safe_count(name, argv):
    """SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a negative count reply
    that many elements (repetitions allowed): keep it small enough to read."""
    if name in ("srandmember", "hrandfield", "zrandmember") and len(argv) > 2:
        try:
            if -(1 << 63) < int(argv[2]) < -1000:
                argv[2] = "-7"
        except ValueError:
            pass


def _argv_for(name, seed, i):
    """The argument list of invocation `i` of `name` under `seed` (command name first)."""
    rng = random.Random("%s:%d:%d" % (name, seed, i))
    parent, _, sub = name.partition("|")
    spec = _spec(name)
    head = [_token_case(rng, parent.upper())]
    if sub:
        head.append(_token_case(rng, sub.upper()))
    if name in ("command|getkeys", "command|getkeysandflags"):
        # The argument is a whole command line: fuzz another command's.
        target = rng.choice([n for n in _implemented() if n not in EXCLUDED and
                             "|" not in n and not COMMAND_TABLE[n].get("subcommands")]
                            + ["nosuch"])
        inner = _argv_for(target, seed, i + 100000) if target != "nosuch" else ["nosuch", "a"]
        args = inner
    elif spec.get("subcommands") is not None:
        # A container alone: unknown or missing subcommands, HELP.
        args = [rng.choice(VALUE_POOL + ["HELP", "help"]) for _ in range(rng.randrange(3))]
    else:
        b = ArgvBuilder(rng, name)
        for arg in spec.get("arguments") or []:
            b.gen(arg)
        args = b.out
    if rng.random() < 0.55:
        for _ in range(rng.choice([1, 1, 2])):
            _mutate(rng, args)
    argv = head + args
    _safe_timeout(parent, argv)
    _safe_count(parent, argv)
    return argv


# ---------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------
def _word(a):
    """An argument as an option word, the way Redis reads it (strcasecmp on
    the C string: upper-cased, cut at the first NUL)."""
    return a.split("\0", 1)[0].upper() if isinstance(a, str) else a


def _sort_order_unspecified(argv):
    """Does this SORT reply (or store) elements in the order of a hash table?

    - BY <pattern without '*'> (no sorting) of the hashtable set without
      STORE: sortCommand forces a sort only for STORE and scripts;
    - ALPHA with a BY pattern over a set or a sorted set: elements are
      loaded in dict order, and equal (or missing) weights compare equal
      with no tie-break in the ALPHA case, unlike the numeric one."""
    if len(argv) < 2 or argv[1] not in ("st:ht", "z:lp", "z:sl", "geo"):
        return False
    up = [_word(a) for a in argv]
    by = [argv[j + 1] for j in range(2, len(argv) - 1) if up[j] == "BY"]
    if not by or not isinstance(by[-1], str):
        return False
    if "*" not in by[-1]:
        return argv[1] == "st:ht" and "STORE" not in up
    return "ALPHA" in up


def _scan_view(name, argv, reply):
    """A SCAN-family success compared as a whole only when it is a whole scan:
    started at cursor 0 and ended in one call (cursor 0) on both servers.
    Where a scan resumes or stops depends on the hash table's layout."""
    cursor, items = parse(reply)
    start = argv[1] if name == "scan" else argv[2]
    if cursor != b"0" or start != "0":
        return "partial scan"
    if name in ("hscan", "zscan"):
        items = list(zip(items[::2], items[1::2]))
    return (cursor, sorted(items, key=repr))


def normalize(name, argv, reply):
    """`reply` with what may legitimately differ between the servers taken out."""
    if reply[:1] == b"-":
        return reply
    if name == "hello":
        return mask_hello_id(reply)
    if name in UNORDERED:
        return unordered(reply)
    if name == "config|get":
        # Where each server runs (its port, its directory) is no behaviour.
        head, n, items = unordered(reply, pairs=True)
        return head, [kv for kv in items if kv[0] not in SERVER_SPECIFIC_CONFIGS]
    if name in UNORDERED_PAIRS:
        return unordered(reply, pairs=True)
    if name in RANDOM:
        return shape(reply)
    if name in SCANS:
        return _scan_view(name, argv, reply)
    if name in ("sort", "sort_ro") and _sort_order_unspecified(argv):
        return shape(reply) if "LIMIT" in [_word(a) for a in argv] else unordered(reply)
    if name in ("command|docs", "command|info") and len(argv) == 2:
        return "whole command table"
    return clock_free(tuple(argv), reply)


def _needs_exact(name):
    return (name not in UNSUBSCRIBES and name not in UNORDERED and name not in UNORDERED_PAIRS and name not in RANDOM
            and name not in SCANS and name not in ("sort", "sort_ro", "hello", "command|docs",
                                                   "command|info", "ttl", "pttl",
                                                   "expiretime", "pexpiretime"))


def _pipeline(conns, cmds):
    """Send `cmds` to every connection first, then read; return replies per connection."""
    data = b"".join(encode_command(c) for c in cmds)
    for c in conns:
        c.send(data)
    return [[c.read_reply() for _ in cmds] for c in conns]


class Fuzz:
    """Two connections per server (RESP2 and RESP3) and the comparison loop."""

    def __init__(self, server, real_redis):
        self.conns = {"2": (server.raw(), real_redis.raw()),
                      "3": (server.raw(), real_redis.raw())}
        for conn in self.conns["3"]:
            conn.call("HELLO", "3")
        self.mismatches = []

    def close(self):
        for pair in self.conns.values():
            for c in pair:
                c.close()

    def reset(self, proto):
        ours, theirs = _pipeline(self.conns[proto], [("FLUSHALL",)] + SETUP)
        assert ours == theirs, "setup differs:\n  pyredis: %r\n  redis:   %r" % (ours, theirs)

    def restore_connection(self, proto):
        cmds = [("RESET",)] + ([("HELLO", "3")] if proto == "3" else [])
        _pipeline(self.conns[proto], cmds)

    def restore_config(self, proto):
        cmds = [("CONFIG", "SET", k, v) for k, v in CONFIG_DEFAULTS.items()]
        _pipeline(self.conns[proto], cmds)

    def state(self, conn):
        """What a write may have changed: DEBUG DIGEST over all databases, the
        key names of db 0, each key's encoding (expire times left out: a
        relative expire lands on a different millisecond on each server)."""
        conn.send(encode_command(("KEYS", "*")))
        keys = sorted(parse(conn.read_reply()))
        cmds = [("OBJECT", "ENCODING", k) for k in keys]
        cmds += [("DEBUG", "DIGEST-VALUE", k) for k in keys]
        cmds += [("PTTL", k) for k in keys]
        # DBSIZE counts keys that expired but were not reclaimed yet, so db 0
        # (where the command may have set a short expire) is compared by its
        # KEYS above; the others only receive keys from MOVE, COPY, SWAPDB.
        cmds += [c for db in range(1, 16)
                 for c in (("SELECT", str(db)), ("DBSIZE",))] + [("SELECT", "0")]
        conn.send(b"".join(encode_command(c) for c in cmds))
        replies = [conn.read_reply() for _ in cmds]
        n = len(keys)
        pttl = [parse(r) for r in replies[2 * n:3 * n]]
        per_key = {}
        for i, k in enumerate(keys):
            # A key about to expire may be gone on one server only.
            if -2 == pttl[i] or 0 <= pttl[i] <= 2000:
                continue
            per_key[k] = (replies[i], replies[n + i], "ttl" if pttl[i] > 0 else "no ttl")
        dbsizes = replies[3 * n:]
        return per_key, dbsizes, {k for i, k in enumerate(keys)
                                  if not (0 <= pttl[i] <= 2000 or pttl[i] == -2)}

    def compare_state(self, proto, where):
        a, b = self.conns[proto]
        sa, sb = self.state(a), self.state(b)
        if sa[2] != sb[2] or sa[0] != sb[0]:
            diff = {k: (sa[0].get(k), sb[0].get(k)) for k in sa[2] | sb[2]
                    if sa[0].get(k) != sb[0].get(k)}
            self.mismatches.append((where, "dataset after the command", diff, ""))
        elif [x for x in sa[1] if x[:1] == b":"] != [x for x in sb[1] if x[:1] == b":"]:
            self.mismatches.append((where, "DBSIZE per db", sa[1], sb[1]))

    def run(self, name, seed, i):
        rng = random.Random("proto:%s:%d:%d" % (name, seed, i))
        proto = rng.choice("23")
        argv = _argv_for(name, seed, i)
        where = "seed=%d iteration=%d RESP%s %r" % (seed, i, proto, argv)
        self.reset(proto)
        a, b = self.conns[proto]
        base = name.split("|")[0]
        wrap = _needs_exact(name) and rng.random() < 0.12
        cmds = [("MULTI",), tuple(argv), ("EXEC",)] if wrap else [tuple(argv)]
        ours, theirs = _pipeline((a, b), cmds)
        if base in UNSUBSCRIBES:
            # One reply per channel named (one when none is).
            for conn, out in ((a, ours), (b, theirs)):
                out[0] = b"".join([out[0]] + [conn.read_reply() for _ in argv[2:]])
        if wrap:
            if ours != theirs:
                self.mismatches.append((where + " inside MULTI", "", ours, theirs))
        else:
            x, y = normalize(name, argv, ours[0]), normalize(name, argv, theirs[0])
            if name in SCANS and "partial scan" in (x, y) and x[:1] != b"-" and y[:1] != b"-":
                # One server finished the scan in one call and the other did
                # not: with COUNT over a hash table, where a call stops depends
                # on the table's layout (Redis seeds its hash per process).
                x = y
            if x != y:
                self.mismatches.append((where, "", ours[0], theirs[0]))
        flags = _spec(name).get("command_flags", [])
        writes = "WRITE" in flags or "MAY_REPLICATE" in flags or base in CONN_STATE
        if base in CONN_STATE or wrap:
            self.restore_connection(proto)
        if writes and name not in RANDOM and not (base == "sort" and _sort_order_unspecified(argv)):
            self.compare_state(proto, where)
        if name == "config|set":
            self.restore_config(proto)


def _report(name, mismatches):
    lines = ["%d mismatch(es) fuzzing %s (FUZZ_SEED=%d):" % (len(mismatches), name, BASE_SEED)]
    for where, what, ours, theirs in mismatches[:12]:
        lines.append("%s %s\n  pyredis: %r\n  redis:   %r" % (where, what, ours, theirs))
    return "\n".join(lines)


@pytest.fixture
def fuzz(server, real_redis):
    f = Fuzz(server, real_redis)
    yield f
    f.close()


@pytest.mark.parametrize("name", _fuzzed())
def test_fuzz_command(fuzz, name):
    fuzz.mismatches = []
    for i in range(ITERATIONS):
        fuzz.run(name, BASE_SEED, i)
    assert not fuzz.mismatches, _report(name, fuzz.mismatches)



# ---------------------------------------------------------------------------
# Regressions: what the fuzzer found, as fixed cases
# ---------------------------------------------------------------------------
def _same(pair, *cmds):
    a, b = pair
    bad = []
    for cmd in cmds:
        x, y = a.call(*cmd), b.call(*cmd)
        if x != y:
            bad.append("%r:\n  pyredis: %r\n  redis:   %r" % (cmd, x, y))
    assert not bad, "\n".join(bad)


@pytest.fixture
def config_pair(pair):
    yield pair
    for conn in pair:
        conn.call("CONFIG", "SET", "hash-max-listpack-entries", "512",
                  "lazyfree-lazy-user-del", "no", "maxmemory-policy", "noeviction",
                  "maxmemory", "0")


def test_config_set_alias_is_an_entry_of_its_own(config_pair):
    """An alias is its own entry of Redis's config dict: errors name it as
    looked up, and a name given beside its alias is no duplicate."""
    _same(config_pair,
          ("CONFIG", "SET", "HASH-MAX-ZIPLIST-ENTRIES", "-inf"),
          ("CONFIG", "SET", "hash-max-listpack-entries", "1", "hash-max-ziplist-entries", "2"),
          ("CONFIG", "GET", "hash-max-listpack-entries"),
          ("CONFIG", "SET", "hash-max-ziplist-entries", "3", "hash-max-ziplist-entries", "4"),
          ("CONFIG", "GET", "hash-max-listpack-entries"))


def test_config_get_names_compare_without_case(config_pair):
    a, b = config_pair
    cmd = ("CONFIG", "GET", "hash-*", "HASH-MAX-ZIPLIST-ENTRIES", "MAXMEMORY", "maxmemory")
    assert unordered(a.call(*cmd), pairs=True) == unordered(b.call(*cmd), pairs=True)
    _same(config_pair, ("CONFIG", "GET", "HASH-MAX-ZIPLIST-ENTRIES", "hash-max-ziplist-entries"))


def test_config_values_and_names_read_as_c_strings(config_pair):
    """Memory values, booleans, enums and glob patterns stop at a NUL byte;
    integers do not; a non-UTF-8 value is refused, not an internal error."""
    a, b = config_pair
    _same(config_pair,
          ("CONFIG", "SET", "maxmemory", b"\x00\xff"),
          ("CONFIG", "SET", "lazyfree-lazy-user-del", b"yes\x00x"),
          ("CONFIG", "GET", "lazyfree-lazy-user-del"),
          ("CONFIG", "SET", "maxmemory-policy", b"allkeys-lru\x00x"),
          ("CONFIG", "GET", "maxmemory-policy"),
          ("CONFIG", "SET", "hz", b"\x00\xff"),
          ("CONFIG", "SET", "hz", b"5\x00"),
          ("CONFIG", "SET", "set-max-intset-entries", b"\xff"),
          ("CONFIG", "GET", b"maxmem\x00*"))
    # Not compared: a name with a NUL after a real name ("maxmemory\0junk").
    # Redis hashes all its bytes but compares up to the NUL, so it finds the
    # parameter only when both hash to the same bucket, by its random seed.
    cmd = ("CONFIG", "GET", b"maxmem*\x00junk")
    assert unordered(a.call(*cmd), pairs=True) == unordered(b.call(*cmd), pairs=True)


def test_error_messages_print_arguments_as_c_strings(pair):
    """Arguments quoted in errors go through C's %s / %.128s: cut at a NUL
    byte, and 128 bytes (not characters) at most."""
    e = "\u00e9" * 100        # 200 bytes of UTF-8
    _same(pair,
          (b"\x00abc", "x"), ("nosuch", "x\x00y", "z"), ("nosuch", "\x00" * 5, "abc"),
          (e, "x"), ("nosuch", e, e), ("OBJECT", b"\x00x"), ("OBJECT", e),
          ("CONFIG", e), ("CONFIG", "SET", b"nosuch\x00x", "1"), ("HELLO", "3", "foo\x00bar"),
          ("PUBSUB", e, "x"), ("PUBSUB", b"a\x00b", "x"))


def test_geo_search_with_an_infinite_radius_or_box(pair):
    """An infinite radius or box side makes libm's cos() return NaN in
    geohashBoundingBox; the search then still runs (every member is in)."""
    _same(pair,
          ("GEOADD", "geo", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"),
          ("GEOSEARCH", "geo", "FROMLONLAT", "-180", "0", "BYRADIUS", "Infinity", "km", "WITHDIST"),
          ("GEOSEARCH", "geo", "FROMLONLAT", "10", "80", "BYRADIUS", "inf", "m", "WITHDIST", "ASC"),
          ("GEOSEARCH", "geo", "FROMLONLAT", "10", "-85", "BYBOX", "inf", "inf", "m", "ASC"),
          ("GEOSEARCH", "geo", "FROMLONLAT", "10", "-85", "BYBOX", "inf", "1", "m"),
          ("GEORADIUS", "geo", "15", "37", "inf", "km", "WITHDIST", "WITHHASH", "WITHCOORD"),
          ("GEOSEARCHSTORE", "y", "geo", "FROMMEMBER", "Palermo", "BYBOX", "inf", "inf", "km",
           "STOREDIST"),
          ("ZRANGE", "y", "0", "-1", "WITHSCORES"))


def test_scan_cursor_is_read_as_a_c_string(pair):
    """strtoul stops at a NUL byte: "\\0junk" is cursor 0, "5\\0x" cursor 5."""
    for conn in pair:
        conn.call("HSET", "h", "f", "v")
        conn.call("SADD", "s", "a")
        conn.call("ZADD", "z", "1", "a")
    _same(pair,
          ("HSCAN", "missing", b"\x00\xff\r\nbin", "COUNT", "10"),
          ("HSCAN", "h", b"\x00junk"), ("SSCAN", "s", b"\x00"), ("ZSCAN", "z", b"0\x00x"),
          ("SCAN", b"\x00\xff", "-1", "TYPE"), ("SCAN", b"5\x00x", "COUNT", "x"),
          ("SCAN", b" \x00"), ("HSCAN", "h", b"-\x001"))
