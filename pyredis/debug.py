"""DEBUG: our debug.c.

DEBUG is a protected command: processCommand refuses it unless
enable-debug-command is "yes" (or "local" and the client is local), with
Redis's exact message; tests start the server with
`--enable-debug-command yes`.

Each subcommand is a small function; debugCommand dispatches on the name,
first through DEBUG_SUBCOMMANDS (name -> (arity, function)), where any part
of the server can register its own, then through the built-in ones below.
The persistence subcommands (RELOAD, LOADAOF, DIGEST, DIGEST-VALUE) belong
to the RDB/AOF issues: they are registered here and call into
pyredis.rdb / pyredis.aof, which do the work.
"""

import os
import signal
import time

from .networking import (
    addReply, addReplyArrayLen, addReplyAttributeLen, addReplyBigNum, addReplyBool,
    addReplyBulkCBuffer, addReplyBulkCString, addReplyDouble, addReplyError, addReplyErrorFormat,
    addReplyErrorObject, addReplyHelp, addReplyLongLong, addReplyMapLen, addReplyNull,
    addReplyPushLen, addReplySetLen, addReplyStatus, addReplySubcommandSyntaxError,
    addReplyVerbatim,
)
from .server_h import (
    CLIENT_PUSHING, LL_WARNING, OBJ_ENCODING_HT, OBJ_ENCODING_INT, OBJ_ENCODING_LISTPACK,
    OBJ_ENCODING_QUICKLIST, OBJ_ENCODING_SKIPLIST, OBJ_STRING, PROPAGATE_REPL,
    QUICKLIST_PACKED_THRESHOLD, server, shared,
)
from .config import rewriteConfig
from .db import dbAdd, lookupKeyWrite, signalModifiedKey
from .object import (
    _lp_entry_size,
    createStringObject,
    estimateObjectIdleTime,
    getLongFromObjectOrReply,
    getPositiveLongFromObjectOrReply,
    isSharedInteger,
    objectCommandLookup,
    objectComputeSize,
    sdsZmallocSize,
    strEncoding,
)
from .server import _persistence_function, propagateNow, serverLog
from .util import c_string, getRandomHexChars, memtoull

DEBUG_HELP = [
    "AOF-FLUSH-SLEEP <microsec>",
    "    Server will sleep before flushing the AOF, this is used for testing.",
    "ASSERT",
    "    Crash by assertion failed.",
    "CHANGE-REPL-ID",
    "    Change the replication IDs of the instance.",
    "    Dangerous: should be used only for testing the replication subsystem.",
    "CONFIG-REWRITE-FORCE-ALL",
    "    Like CONFIG REWRITE but writes all configuration options, including",
    "    keywords not listed in original configuration file or default values.",
    "CRASH-AND-RECOVER [<milliseconds>]",
    "    Hard crash and restart after a <milliseconds> delay (default 0).",
    "DIGEST",
    "    Output a hex signature representing the current DB content.",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Output a hex signature of the values of all the specified keys.",
    "ERROR <string>",
    "    Return a Redis protocol error with <string> as message. Useful for clients",
    "    unit tests to simulate Redis errors.",
    "LEAK <string>",
    "    Create a memory leak of the input string.",
    "LOG <message>",
    "    Write <message> to the server log.",
    "HTSTATS <dbid>",
    "    Return hash table statistics of the specified Redis database.",
    "HTSTATS-KEY <key>",
    "    Like HTSTATS but for the hash table stored at <key>'s value.",
    "LOADAOF",
    "    Flush the AOF buffers on disk and reload the AOF in memory.",
    "REPLICATE <string>",
    "    Replicates the provided string to replicas, allowing data divergence.",
    "OBJECT <key>",
    "    Show low level info about `key` and associated value.",
    "DROP-CLUSTER-PACKET-FILTER <packet-type>",
    "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
    "OOM",
    "    Crash the server simulating an out-of-memory error.",
    "PANIC",
    "    Crash the server simulating a panic.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create <count> string keys named key:<num>. If <prefix> is specified then",
    "    it is used instead of the 'key' prefix. These are not propagated to",
    "    replicas. Cluster slots are not respected so keys not belonging to the",
    "    current node can be created in cluster mode.",
    "PROTOCOL <type>",
    "    Reply with a test value of the specified type. <type> can be: string,",
    "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
    "    true, false.",
    "RELOAD [option ...]",
    "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
    "    * MERGE: conflicting keys will be loaded from RDB.",
    "    * NOFLUSH: the existing database will not be removed before load, but",
    "      conflicting keys will generate an exception and kill the server.",
    "    * NOSAVE: the database will be loaded from an existing RDB file.",
    "    Examples:",
    "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
    "      the database.",
    "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
    "      existing RDB file.",
    "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
    "      file to the database.",
    "RESTART [<milliseconds>]",
    "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
    "SDSLEN <key>",
    "    Show low level SDS string info representing `key` and value.",
    "SEGFAULT",
    "    Crash the server with sigsegv.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Setting it to 0 disables expiring keys in background when they are not",
    "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
    "    default.",
    "QUICKLIST-PACKED-THRESHOLD <size>",
    "    Sets the threshold for elements to be inserted as plain vs packed nodes",
    "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
    "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
    "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
    "SLEEP <seconds>",
    "    Stop the server for <seconds>. Decimals allowed.",
    "STRINGMATCH-TEST",
    "    Run a fuzz tester against the stringmatchlen() function.",
    "STRUCTSIZE",
    "    Return the size of different Redis core C structures.",
    "LISTPACK <key>",
    "    Show low level info about the listpack encoding of <key>.",
    "QUICKLIST <key> [<0|1>]",
    "    Show low level info about the quicklist encoding of <key>.",
    "    The optional argument (0 by default) sets the level of detail",
    "CLIENT-EVICTION",
    "    Show low level client eviction pools info (maxmemory-clients).",
    "PAUSE-CRON <0|1>",
    "    Stop periodic cron job processing.",
    "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
    "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
    "    In case NEVER is provided the last observed peak will never be reset",
    "    In case RESET is provided the peak reset time will be restored to the default value",
    "REPLYBUFFER RESIZING <0|1>",
    "    Enable or disable the reply buffer resize cron job",
    "CLUSTERLINK KILL <to|from|all> <node-id>",
    "    Kills the link based on the direction to/from (both) with the provided node.",
]

DEBUG_SUBCOMMANDS = {}

REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME = 5000


def _atoi(b):
    """C's atoi: leading digits, 0 when there are none."""
    import re
    m = re.match(rb"\s*([+-]?\d+)", b)
    return int(m.group(1)) if m else 0


def _strtod(b):
    """C's strtod on a whole argument, 0.0 for garbage (DEBUG SLEEP's parsing)."""
    import re
    m = re.match(rb"\s*([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)", b)
    return float(m.group(1)) if m else 0.0


def _lookup_or_nokey(c, key):
    o = objectCommandLookup(c, key)
    if o is None:
        addReplyErrorObject(c, shared.nokeyerr)
    return o


# ---------------------------------------------------------------------------
# The persistence subcommands: the RDB and AOF issues fill these in.
# ---------------------------------------------------------------------------
def _persistence(module, name):
    return _persistence_function(module, name)


def debugReload(c):
    """DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, flush, load the RDB again.

    RDB issue: provide rdb.debugReload(c) (or fill in this body with
    rdbSave / emptyData / rdbLoad, as debug.c does).
    """
    for opt in c.argv[2:]:
        if c_string(opt).lower() not in (b"merge", b"noflush", b"nosave"):
            addReplyError(c, "DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
            return
    fn = _persistence("rdb", "debugReload")
    if fn is None:
        addReplyError(c, "DEBUG RELOAD needs the RDB module")
        return
    fn(c)


def debugLoadaof(c):
    """DEBUG LOADAOF: flush the AOF and load it back (the AOF issue's aof.debugLoadaof)."""
    fn = _persistence("aof", "debugLoadaof")
    if fn is None:
        addReplyError(c, "DEBUG LOADAOF needs the AOF module")
        return
    fn(c)


def debugDigest(c):
    """DEBUG DIGEST: a hex signature of the dataset (computeDatasetDigest; RDB issue)."""
    fn = _persistence("rdb", "computeDatasetDigest") or globals().get("computeDatasetDigest")
    if fn is None:
        addReplyError(c, "DEBUG DIGEST is not implemented yet")
        return
    d = fn()
    addReplyStatus(c, d.hex() if isinstance(d, bytes) else d)


def debugDigestValue(c):
    """DEBUG DIGEST-VALUE key...: per-key signatures (xorObjectDigest; RDB issue)."""
    fn = _persistence("rdb", "debugDigestValue") or globals().get("xorObjectDigest")
    if fn is None:
        addReplyError(c, "DEBUG DIGEST-VALUE is not implemented yet")
        return
    fn(c)


DEBUG_SUBCOMMANDS.update({
    b"digest": (2, debugDigest),
    b"digest-value": (-2, debugDigestValue),
    b"reload": (-2, debugReload),
    b"loadaof": (2, debugLoadaof),
})


# ---------------------------------------------------------------------------
# Introspection
# ---------------------------------------------------------------------------
def _serialized_length(c, key, o):
    """rdbSavedObjectLen: the value's size in an RDB file, when the RDB module can say."""
    fn = _persistence("rdb", "rdbSavedObjectLen")
    if fn is not None:
        return fn(o, key, c.db.id)
    # An estimate until then: the string, or the sum of the elements.
    if o.type == OBJ_STRING:
        if o.encoding == OBJ_ENCODING_INT:
            v = o.ptr
            return 2 if -128 <= v < 128 else 3 if -32768 <= v < 32768 else 5 \
                if -2**31 <= v < 2**31 else len(b"%d" % v) + 1
        return len(o.ptr) + (1 if len(o.ptr) < 64 else 2 if len(o.ptr) < 16384 else 5)
    return objectComputeSize(key, o, 5, c.db.id)


def _quicklist_info(o):
    """(nodes, avg per node, fill, compressed, bytes) modelled from a list value."""
    items = o.ptr
    fill = server.list_max_listpack_size
    total_bytes = 0
    nodes = 1 if len(items) else 0
    node_bytes = 0
    node_count = 0
    limit = {-1: 4096, -2: 8192, -3: 16384, -4: 32768, -5: 65536}.get(fill, 8192)
    for e in items:
        sz = _lp_entry_size(e)
        if node_count and ((fill < 0 and node_bytes + sz > limit) or
                           (fill > 0 and node_count >= fill)):
            nodes += 1
            node_bytes = node_count = 0
        node_bytes += sz
        node_count += 1
        total_bytes += sz
    total_bytes += 7 * nodes
    return nodes, fill, 1 if server.list_compress_depth else 0, total_bytes


def debugObject(c):
    """DEBUG OBJECT key: address, refcount, encoding, serialized length, LRU."""
    key = c.argv[2]
    o = c.db.dict.get(key)
    if o is None:
        addReplyErrorObject(c, shared.nokeyerr)
        return
    extra = ""
    if o.encoding == OBJ_ENCODING_QUICKLIST:
        nodes, fill, compressed, size = _quicklist_info(o)
        avg = len(o.ptr) / nodes if nodes else 0.0
        extra = " ql_nodes:%d ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d " \
                "ql_uncompressed_size:%d" % (nodes, avg, fill, compressed, size)
    refcount = 2147483647 if isSharedInteger(o) else 1
    addReplyStatus(c, "Value at:0x%x refcount:%d encoding:%s serializedlength:%d lru:%d "
                      "lru_seconds_idle:%d%s" % (
                          id(o), refcount, strEncoding(o.encoding),
                          _serialized_length(c, key, o), o.lru,
                          estimateObjectIdleTime(o) // 1000, extra))


def debugSdslen(c):
    """DEBUG SDSLEN key: the model's sds sizes for the key and a string value."""
    key = c.argv[2]
    o = c.db.dict.get(key)
    if o is None:
        addReplyErrorObject(c, shared.nokeyerr)
        return
    if o.type != OBJ_STRING or o.encoding == OBJ_ENCODING_INT:
        addReplyError(c, "Not an sds encoded string.")
        return
    n = len(o.ptr)
    addReplyStatus(c, "key_sds_len:%d, key_sds_avail:0, key_zmalloc: %d, val_sds_len:%d, "
                      "val_sds_avail:0, val_zmalloc: %d" % (
                          len(key), sdsZmallocSize(len(key)), n, sdsZmallocSize(n)))


def debugListpack(c):
    """DEBUG LISTPACK key: print the listpack to stdout (lpRepr)."""
    o = _lookup_or_nokey(c, c.argv[2])
    if o is None:
        return
    if o.encoding != OBJ_ENCODING_LISTPACK:
        addReplyError(c, "Not a listpack encoded object.")
        return
    ptr = o.ptr
    items = list(ptr.items()) if isinstance(ptr, dict) else list(getattr(ptr, "dict", ptr))
    print("{listpack %d entries} %r" % (len(items), items), flush=True)
    addReplyStatus(c, "Listpack structure printed on stdout")


def debugQuicklist(c):
    """DEBUG QUICKLIST key [0|1]: print the quicklist to stdout (quicklistRepr)."""
    o = _lookup_or_nokey(c, c.argv[2])
    if o is None:
        return
    if o.encoding != OBJ_ENCODING_QUICKLIST:
        addReplyError(c, "Not a quicklist encoded object.")
        return
    nodes, fill, compressed, size = _quicklist_info(o)
    print("{quicklist count %d nodes %d fill %d compressed %d bytes %d}"
          % (len(o.ptr), nodes, fill, compressed, size), flush=True)
    addReplyStatus(c, "Quicklist structure printed on stdout")


def debugPopulate(c):
    """DEBUG POPULATE count [prefix] [size]: create string keys fast (not propagated)."""
    argv = c.argv
    keys = getPositiveLongFromObjectOrReply(c, argv[2])
    if keys is None:
        return
    valsize = 0
    if len(argv) == 5:
        valsize = getPositiveLongFromObjectOrReply(c, argv[4])
        if valsize is None:
            return
    prefix = argv[3] if len(argv) >= 4 else b"key"
    db = c.db
    for j in range(keys):
        key = b"%s:%d" % (prefix, j)
        if lookupKeyWrite(db, key) is not None:
            continue
        val = b"value:%d" % j
        if valsize:
            val = val[:valsize] + bytes(max(0, valsize - len(val)))
        dbAdd(db, key, createStringObject(val))
        signalModifiedKey(c, db, key)
    addReply(c, shared.ok)


def debugProtocol(c):
    """DEBUG PROTOCOL type: a sample reply of each RESP type."""
    name = c_string(c.argv[2]).lower()
    if name == b"string":
        addReplyBulkCString(c, "Hello World")
    elif name == b"integer":
        addReplyLongLong(c, 12345)
    elif name == b"double":
        addReplyDouble(c, 3.141)
    elif name == b"bignum":
        addReplyBigNum(c, b"1234567999999999999999999999999999999")
    elif name == b"null":
        addReplyNull(c)
    elif name == b"array":
        addReplyArrayLen(c, 3)
        for j in range(3):
            addReplyLongLong(c, j)
    elif name == b"set":
        addReplySetLen(c, 3)
        for j in range(3):
            addReplyLongLong(c, j)
    elif name == b"map":
        addReplyMapLen(c, 3)
        for j in range(3):
            addReplyLongLong(c, j)
            addReplyBool(c, j == 1)
    elif name == b"attrib":
        if c.resp >= 3:
            addReplyAttributeLen(c, 1)
            addReplyBulkCString(c, "key-popularity")
            addReplyArrayLen(c, 2)
            addReplyBulkCString(c, "key:123")
            addReplyLongLong(c, 90)
        addReplyBulkCString(c, "Some real reply following the attribute")
    elif name == b"push":
        if c.resp < 3:
            addReplyError(c, "RESP2 is not supported by this command")
            return
        old = c.flags
        c.flags |= CLIENT_PUSHING
        addReplyPushLen(c, 2)
        addReplyBulkCString(c, "server-cpu-usage")
        addReplyLongLong(c, 42)
        if not (old & CLIENT_PUSHING):
            c.flags &= ~CLIENT_PUSHING
        addReplyBulkCString(c, "Some real reply following the push reply")
    elif name == b"true":
        addReplyBool(c, 1)
    elif name == b"false":
        addReplyBool(c, 0)
    elif name == b"verbatim":
        addReplyVerbatim(c, "This is a verbatim\nstring", "txt")
    else:
        addReplyError(c, "Wrong protocol type name. Please use one of the following: "
                         "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|"
                         "true|false")


def _dict_stats(name, d):
    """dictGetStats's text for a Python dict, with the numbers a C dict of that size shows."""
    n = len(d)
    if n == 0:
        return "No stats available for empty dictionaries\n"
    size = 4
    while size < n:
        size <<= 1
    return ("Hash table 0 stats (main hash table):\n"
            " table size: %d\n"
            " number of elements: %d\n" % (size, n))


def debugHtstats(c):
    """DEBUG HTSTATS dbid: the keyspace and expires tables' sizes."""
    dbid = getLongFromObjectOrReply(c, c.argv[2])
    if dbid is None:
        return
    if dbid < 0 or dbid >= server.dbnum:
        addReplyError(c, "Out of range database")
        return
    db = server.db[dbid]
    addReplyVerbatim(c, "[Dictionary HT]\n" + _dict_stats("main", db.dict) +
                     "[Expires HT]\n" + _dict_stats("expires", db.expires), "txt")


def debugHtstatsKey(c):
    """DEBUG HTSTATS-KEY key: stats of a hashtable-encoded value."""
    o = _lookup_or_nokey(c, c.argv[2])
    if o is None:
        return
    if o.encoding == OBJ_ENCODING_SKIPLIST:
        ht = o.ptr.dict
    elif o.encoding == OBJ_ENCODING_HT:
        ht = o.ptr
    else:
        addReplyError(c, "The value stored at the specified key is not represented using an "
                         "hash table")
        return
    addReplyVerbatim(c, _dict_stats("value", ht), "txt")


def debugCommand(c):
    """DEBUG <subcommand> (debugCommand): test and introspection helpers."""
    argv = c.argv
    argc = len(argv)
    sub = c_string(argv[1]).lower()
    entry = DEBUG_SUBCOMMANDS.get(sub)
    if entry is not None and ((entry[0] > 0 and argc == entry[0]) or
                              (entry[0] < 0 and argc >= -entry[0])):
        entry[1](c)
        return
    if argc == 2 and sub == b"help":
        addReplyHelp(c, DEBUG_HELP)
    elif sub == b"segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif sub in (b"panic", b"assert"):
        serverLog(LL_WARNING, "------------------------------------------------")
        serverLog(LL_WARNING, "!!! Software Failure. Press left mouse button to continue")
        serverLog(LL_WARNING, "Guru Meditation: DEBUG %s called at Unix time %d",
                  sub.decode().upper(), int(time.time()))
        os.abort()
    elif sub == b"oom":
        serverLog(LL_WARNING, "Out Of Memory allocating %d bytes!", (1 << 63) - 1)
        os.abort()
    elif sub in (b"restart", b"crash-and-recover"):
        addReplyError(c, "failed to restart the server. Check server logs.")
    elif sub == b"log" and argc == 3:
        serverLog(LL_WARNING, "DEBUG LOG: %s", argv[2].decode("utf-8", "replace"))
        addReply(c, shared.ok)
    elif sub == b"leak" and argc == 3:
        addReply(c, shared.ok)
    elif sub == b"reload":
        debugReload(c)
    elif sub == b"loadaof":
        debugLoadaof(c)
    elif sub == b"drop-cluster-packet-filter" and argc == 3:
        addReply(c, shared.ok)
    elif sub == b"object" and argc == 3:
        debugObject(c)
    elif sub == b"sdslen" and argc == 3:
        debugSdslen(c)
    elif sub == b"listpack" and argc == 3:
        debugListpack(c)
    elif sub == b"quicklist" and argc in (3, 4):
        debugQuicklist(c)
    elif sub == b"populate" and 3 <= argc <= 5:
        debugPopulate(c)
    elif sub == b"digest" and argc == 2:
        debugDigest(c)
    elif sub == b"digest-value" and argc >= 2:
        debugDigestValue(c)
    elif sub == b"protocol" and argc == 3:
        debugProtocol(c)
    elif sub == b"sleep" and argc == 3:
        # Blocks the whole server on purpose: that is what the tests of the
        # slow log, the latency monitor and client timeouts need.
        t = _strtod(argv[2])
        if t > 0:
            time.sleep(t)
        addReply(c, shared.ok)
    elif sub == b"set-active-expire" and argc == 3:
        server.active_expire_enabled = _atoi(argv[2])
        addReply(c, shared.ok)
    elif sub == b"quicklist-packed-threshold" and argc == 3:
        sz = memtoull(argv[2])
        if sz is None or sz < 0 or sz > (1 << 32) - (1 << 20):
            addReplyError(c, "argument must be a memory value bigger than 1 and smaller than 4gb")
            return
        server.quicklist_packed_threshold = sz or QUICKLIST_PACKED_THRESHOLD
        addReply(c, shared.ok)
    elif sub == b"set-skip-checksum-validation" and argc == 3:
        server.skip_checksum_validation = _atoi(argv[2])
        addReply(c, shared.ok)
    elif sub == b"aof-flush-sleep" and argc == 3:
        server.aof_flush_sleep = _atoi(argv[2])
        addReply(c, shared.ok)
    elif sub == b"replicate" and argc >= 3:
        propagateNow(c.db.id, list(argv[2:]), PROPAGATE_REPL)
        addReply(c, shared.ok)
    elif sub == b"error" and argc == 3:
        msg = argv[2].replace(b"\r", b" ").replace(b"\n", b" ")
        # Written as raw protocol, as debug.c does with addReplySds: it is
        # not counted in errorstats.
        addReply(c, b"-" + msg + b"\r\n")
    elif sub == b"structsize" and argc == 2:
        addReplyBulkCBuffer(c, b"bits:64 robj:16 dictentry:24 sdshdr5:1 sdshdr8:3 sdshdr16:5 "
                               b"sdshdr32:9 sdshdr64:17 ")
    elif sub == b"htstats" and argc == 3:
        debugHtstats(c)
    elif sub == b"htstats-key" and argc == 3:
        debugHtstatsKey(c)
    elif sub == b"change-repl-id" and argc == 2:
        serverLog(LL_WARNING, "Changing replication IDs after receiving DEBUG change-repl-id")
        server.replid = getRandomHexChars(40)
        server.replid2 = "0" * 40
        server.second_replid_offset = -1
        addReply(c, shared.ok)
    elif sub == b"stringmatch-test" and argc == 2:
        addReplyStatus(c, "Apparently Redis did not crash: test passed")
    elif sub == b"set-disable-deny-scripts" and argc == 3:
        server.script_disable_deny_script = _atoi(argv[2])
        addReply(c, shared.ok)
    elif sub == b"config-rewrite-force-all" and argc == 2:
        if not server.configfile or rewriteConfig(server.configfile) == -1:
            addReplyErrorFormat(c, "CONFIG-REWRITE-FORCE-ALL failed: %s", "error")
        else:
            addReply(c, shared.ok)
    elif sub == b"client-eviction" and argc == 2:
        addReplyError(c, "maxmemory-clients is disabled.")
    elif sub == b"pause-cron" and argc == 3:
        server.pause_cron = _atoi(argv[2])
        addReply(c, shared.ok)
    elif sub == b"replybuffer" and argc == 4:
        what = c_string(argv[2]).lower()
        if what == b"peak-reset-time":
            v = c_string(argv[3]).lower()
            if v == b"never":
                server.reply_buffer_peak_reset_time = -1
            elif v == b"reset":
                server.reply_buffer_peak_reset_time = REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME
            else:
                t = getLongFromObjectOrReply(c, argv[3])
                if t is None:
                    return
                server.reply_buffer_peak_reset_time = t
        elif what == b"resizing":
            server.reply_buffer_resizing_enabled = _atoi(argv[3])
        else:
            addReplySubcommandSyntaxError(c)
            return
        addReply(c, shared.ok)
    elif sub == b"clusterlink" and argc == 5 and c_string(argv[2]).lower() == b"kill":
        addReplyError(c, "Debug option only available for cluster mode enabled setup!")
    else:
        addReplySubcommandSyntaxError(c)
