"""Constants and structs shared by the whole server: our server.h.

C splits declarations (server.h) from definitions (server.c). Python has no
headers, but the split still pays off: this module imports nothing from the
package, so every other module can import it without import cycles, and a
reader finds every flag, limit and struct in one place, under its C name.

The structs are slotted classes whose fields keep the C names, so
`c.querybuf`, `c.argv` or `server.stat_numcommands` read the same in a
debugger here as in gdb on redis-server. Only the fields that something in
pyredis reads or writes are declared; C's bookkeeping for memory we do not
manage by hand (sds headers, list nodes, refcounts) is left out on purpose.

`server` and `shared` are the two singletons, as in C (`struct redisServer
server;` and `struct sharedObjectsStruct shared;`).
"""

import time

# ---------------------------------------------------------------------------
# Error codes and generic limits
# ---------------------------------------------------------------------------
C_OK = 0
C_ERR = -1

CONFIG_DEFAULT_HZ = 10
CONFIG_MIN_HZ = 1
CONFIG_MAX_HZ = 500
MAX_CLIENTS_PER_CLOCK_TICK = 200
CONFIG_RUN_ID_SIZE = 40
CONFIG_BINDADDR_MAX = 16
CONFIG_DEFAULT_DBNUM = 16
NET_IP_STR_LEN = 46

# Protocol and I/O related limits (networking.c reads these).
PROTO_IOBUF_LEN = 1024 * 16          # generic I/O buffer size
PROTO_REPLY_CHUNK_BYTES = 16 * 1024  # the client's static output buffer
PROTO_INLINE_MAX_SIZE = 1024 * 64    # max size of an inline request
PROTO_MBULK_BIG_ARG = 1024 * 32      # bulk arguments this big are read whole
PROTO_RESIZE_THRESHOLD = 1024 * 32   # querybuf shrinking threshold
PROTO_REPLY_MIN_BYTES = 1024
NET_MAX_WRITES_PER_EVENT = 1024 * 64
LONG_STR_SIZE = 21
LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)
LONG_MAX = LLONG_MAX
LONG_MIN = LLONG_MIN

# Request types (client.reqtype)
PROTO_REQ_INLINE = 1
PROTO_REQ_MULTIBULK = 2

# ---------------------------------------------------------------------------
# Object types and encodings (robj.type / robj.encoding)
# ---------------------------------------------------------------------------
OBJ_STRING = 0
OBJ_LIST = 1
OBJ_SET = 2
OBJ_ZSET = 3
OBJ_HASH = 4
OBJ_MODULE = 5
OBJ_STREAM = 6

OBJ_ENCODING_RAW = 0
OBJ_ENCODING_INT = 1
OBJ_ENCODING_HT = 2
OBJ_ENCODING_ZIPMAP = 3
OBJ_ENCODING_LINKEDLIST = 4
OBJ_ENCODING_ZIPLIST = 5
OBJ_ENCODING_INTSET = 6
OBJ_ENCODING_SKIPLIST = 7
OBJ_ENCODING_EMBSTR = 8
OBJ_ENCODING_QUICKLIST = 9
OBJ_ENCODING_STREAM = 10
OBJ_ENCODING_LISTPACK = 11

OBJ_ENCODING_EMBSTR_SIZE_LIMIT = 44
OBJ_SHARED_INTEGERS = 10000

# ---------------------------------------------------------------------------
# Command flags (redisCommand.flags). Bit values follow server.h so a flags
# word printed from here reads like one printed from redis-server.
# ---------------------------------------------------------------------------
CMD_WRITE = 1 << 0
CMD_READONLY = 1 << 1
CMD_DENYOOM = 1 << 2
CMD_MODULE = 1 << 3
CMD_ADMIN = 1 << 4
CMD_PUBSUB = 1 << 5
CMD_NOSCRIPT = 1 << 6
CMD_BLOCKING = 1 << 8
CMD_LOADING = 1 << 9
CMD_STALE = 1 << 10
CMD_SKIP_MONITOR = 1 << 11
CMD_SKIP_SLOWLOG = 1 << 12
CMD_ASKING = 1 << 13
CMD_FAST = 1 << 14
CMD_NO_AUTH = 1 << 15
CMD_MAY_REPLICATE = 1 << 16
CMD_SENTINEL = 1 << 17
CMD_ONLY_SENTINEL = 1 << 18
CMD_NO_MANDATORY_KEYS = 1 << 19
CMD_PROTECTED = 1 << 20
CMD_MODULE_GETKEYS = 1 << 21
CMD_MODULE_NO_CLUSTER = 1 << 22
CMD_NO_ASYNC_LOADING = 1 << 23
CMD_NO_MULTI = 1 << 24
CMD_MOVABLE_KEYS = 1 << 25
CMD_ALLOW_BUSY = 1 << 26
CMD_MODULE_GETCHANNELS = 1 << 27

# The JSON specs name flags in upper case; the reply of COMMAND INFO uses
# these lower-case names, in this order (server.c's addReplyCommandFlags).
COMMAND_FLAG_NAMES = (
    (CMD_WRITE, "write"), (CMD_READONLY, "readonly"), (CMD_DENYOOM, "denyoom"),
    (CMD_MODULE, "module"), (CMD_ADMIN, "admin"), (CMD_PUBSUB, "pubsub"),
    (CMD_NOSCRIPT, "noscript"), (CMD_BLOCKING, "blocking"),
    (CMD_LOADING, "loading"), (CMD_STALE, "stale"),
    (CMD_SKIP_MONITOR, "skip_monitor"), (CMD_SKIP_SLOWLOG, "skip_slowlog"),
    (CMD_ASKING, "asking"), (CMD_FAST, "fast"), (CMD_NO_AUTH, "no_auth"),
    # may_replicate (like sentinel and protected) is never shown by 7.0.
    (CMD_NO_MANDATORY_KEYS, "no_mandatory_keys"),
    (CMD_NO_ASYNC_LOADING, "no_async_loading"), (CMD_NO_MULTI, "no_multi"),
    (CMD_MOVABLE_KEYS, "movablekeys"), (CMD_ALLOW_BUSY, "allow_busy"),
)

# Command doc flags
CMD_DOC_DEPRECATED = 1 << 0
CMD_DOC_SYSCMD = 1 << 1

# call() flags
CMD_CALL_NONE = 0
CMD_CALL_SLOWLOG = 1 << 0
CMD_CALL_STATS = 1 << 1
CMD_CALL_PROPAGATE_AOF = 1 << 2
CMD_CALL_PROPAGATE_REPL = 1 << 3
CMD_CALL_PROPAGATE = CMD_CALL_PROPAGATE_AOF | CMD_CALL_PROPAGATE_REPL
CMD_CALL_FULL = CMD_CALL_SLOWLOG | CMD_CALL_STATS | CMD_CALL_PROPAGATE
CMD_CALL_FROM_MODULE = 1 << 4

PROPAGATE_NONE = 0
PROPAGATE_AOF = 1
PROPAGATE_REPL = 2

# ---------------------------------------------------------------------------
# Client flags (client.flags)
# ---------------------------------------------------------------------------
CLIENT_SLAVE = 1 << 0
CLIENT_MASTER = 1 << 1
CLIENT_MONITOR = 1 << 2
CLIENT_MULTI = 1 << 3
CLIENT_BLOCKED = 1 << 4
CLIENT_DIRTY_CAS = 1 << 5
CLIENT_CLOSE_AFTER_REPLY = 1 << 6
CLIENT_UNBLOCKED = 1 << 7
CLIENT_SCRIPT = 1 << 8
CLIENT_ASKING = 1 << 9
CLIENT_CLOSE_ASAP = 1 << 10
CLIENT_UNIX_SOCKET = 1 << 11
CLIENT_DIRTY_EXEC = 1 << 12
CLIENT_MASTER_FORCE_REPLY = 1 << 13
CLIENT_FORCE_AOF = 1 << 14
CLIENT_FORCE_REPL = 1 << 15
CLIENT_PRE_PSYNC = 1 << 16
CLIENT_READONLY = 1 << 17
CLIENT_PUBSUB = 1 << 18
CLIENT_PREVENT_AOF_PROP = 1 << 19
CLIENT_PREVENT_REPL_PROP = 1 << 20
CLIENT_PREVENT_PROP = CLIENT_PREVENT_AOF_PROP | CLIENT_PREVENT_REPL_PROP
CLIENT_PENDING_WRITE = 1 << 21
CLIENT_REPLY_OFF = 1 << 22
CLIENT_REPLY_SKIP_NEXT = 1 << 23
CLIENT_REPLY_SKIP = 1 << 24
CLIENT_LUA_DEBUG = 1 << 25
CLIENT_LUA_DEBUG_SYNC = 1 << 26
CLIENT_MODULE = 1 << 27
CLIENT_PROTECTED = 1 << 28
CLIENT_PENDING_COMMAND = 1 << 30
CLIENT_TRACKING = 1 << 31
CLIENT_TRACKING_BROKEN_REDIR = 1 << 32
CLIENT_TRACKING_BCAST = 1 << 33
CLIENT_TRACKING_OPTIN = 1 << 34
CLIENT_TRACKING_OPTOUT = 1 << 35
CLIENT_TRACKING_CACHING = 1 << 36
CLIENT_TRACKING_NOLOOP = 1 << 37
CLIENT_IN_TO_TABLE = 1 << 38
CLIENT_PROTOCOL_ERROR = 1 << 39
CLIENT_CLOSE_AFTER_COMMAND = 1 << 40
CLIENT_DENY_BLOCKING = 1 << 41
CLIENT_REPL_RDBONLY = 1 << 42
CLIENT_NO_EVICT = 1 << 43
CLIENT_ALLOW_OOM = 1 << 44
CLIENT_NO_TOUCH = 1 << 45
CLIENT_PUSHING = 1 << 46

# Client types, for output buffer limits and CLIENT LIST/KILL TYPE.
CLIENT_TYPE_NORMAL = 0
CLIENT_TYPE_SLAVE = 1
CLIENT_TYPE_PUBSUB = 2
CLIENT_TYPE_MASTER = 3
CLIENT_TYPE_COUNT = 4
CLIENT_TYPE_OBUF_COUNT = 3

# Blocking types (client.btype)
BLOCKED_NONE = 0
BLOCKED_LIST = 1
BLOCKED_WAIT = 2
BLOCKED_MODULE = 3
BLOCKED_STREAM = 4
BLOCKED_ZSET = 5
BLOCKED_POSTPONE = 6
BLOCKED_SHUTDOWN = 7
BLOCKED_PAUSE = BLOCKED_SHUTDOWN   # old name; 7.0 calls state 7 BLOCKED_SHUTDOWN

# Client pause
CLIENT_PAUSE_OFF = 0
CLIENT_PAUSE_WRITE = 1
CLIENT_PAUSE_ALL = 2

# Replication: a replica's link with its master (server.repl_state), in
# 7.0's order; the handshake states run from RECEIVE_PING_REPLY to
# RECEIVE_PSYNC_REPLY (slaveIsInHandshakeState relies on that).
REPL_STATE_NONE = 0
REPL_STATE_CONNECT = 1
REPL_STATE_CONNECTING = 2
REPL_STATE_RECEIVE_PING_REPLY = 3
REPL_STATE_SEND_HANDSHAKE = 4
REPL_STATE_RECEIVE_AUTH_REPLY = 5
REPL_STATE_RECEIVE_PORT_REPLY = 6
REPL_STATE_RECEIVE_IP_REPLY = 7
REPL_STATE_RECEIVE_CAPA_REPLY = 8
REPL_STATE_SEND_PSYNC = 9
REPL_STATE_RECEIVE_PSYNC_REPLY = 10
REPL_STATE_TRANSFER = 11
REPL_STATE_CONNECTED = 12
# A replica as its master sees it (client.replstate).
SLAVE_STATE_WAIT_BGSAVE_START = 6
SLAVE_STATE_WAIT_BGSAVE_END = 7
SLAVE_STATE_SEND_BULK = 8
SLAVE_STATE_ONLINE = 9
SLAVE_STATE_RDB_TRANSMITTED = 10
# Capabilities a replica announces with REPLCONF capa (client.slave_capa).
SLAVE_CAPA_NONE = 0
SLAVE_CAPA_EOF = 1 << 0
SLAVE_CAPA_PSYNC2 = 1 << 1

# Log levels
LL_DEBUG = 0
LL_VERBOSE = 1
LL_NOTICE = 2
LL_WARNING = 3
LL_RAW = 1 << 10

# Key-space notification classes (notify.c)
NOTIFY_KEYSPACE = 1 << 0
NOTIFY_KEYEVENT = 1 << 1
NOTIFY_GENERIC = 1 << 2
NOTIFY_STRING = 1 << 3
NOTIFY_LIST = 1 << 4
NOTIFY_SET = 1 << 5
NOTIFY_HASH = 1 << 6
NOTIFY_ZSET = 1 << 7
NOTIFY_EXPIRED = 1 << 8
NOTIFY_EVICTED = 1 << 9
NOTIFY_STREAM = 1 << 10
NOTIFY_KEY_MISS = 1 << 11
NOTIFY_LOADED = 1 << 12
NOTIFY_MODULE = 1 << 13
NOTIFY_NEW = 1 << 14
NOTIFY_ALL = (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH
              | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE)

# Expiry
ACTIVE_EXPIRE_CYCLE_SLOW = 0
ACTIVE_EXPIRE_CYCLE_FAST = 1

# Shutdown flags
SHUTDOWN_NOFLAGS = 0
SHUTDOWN_SAVE = 1
SHUTDOWN_NOSAVE = 2
SHUTDOWN_NOW = 4
SHUTDOWN_FORCE = 8

# Child types
CHILD_TYPE_NONE = 0
CHILD_TYPE_RDB = 1
CHILD_TYPE_AOF = 2
CHILD_TYPE_LDB = 3
CHILD_TYPE_MODULE = 4

# maxmemory policies (evict.c). The bits tell the eviction pool how to
# sample: LRU, LFU or TTL, and whether only volatile keys qualify.
# A list element this big or bigger gets a plain quicklist node of its own
# (quicklist.c's packed_threshold; DEBUG QUICKLIST-PACKED-THRESHOLD lowers it).
QUICKLIST_PACKED_THRESHOLD = 1 << 30

MAXMEMORY_FLAG_LRU = 1 << 0
MAXMEMORY_FLAG_LFU = 1 << 1
MAXMEMORY_FLAG_ALLKEYS = 1 << 2
MAXMEMORY_FLAG_NO_SHARED_INTEGERS = MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_LFU
MAXMEMORY_VOLATILE_LRU = (0 << 8) | MAXMEMORY_FLAG_LRU
MAXMEMORY_VOLATILE_LFU = (1 << 8) | MAXMEMORY_FLAG_LFU
MAXMEMORY_VOLATILE_TTL = 2 << 8
MAXMEMORY_VOLATILE_RANDOM = 3 << 8
MAXMEMORY_ALLKEYS_LRU = (4 << 8) | MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_ALLKEYS
MAXMEMORY_ALLKEYS_LFU = (5 << 8) | MAXMEMORY_FLAG_LFU | MAXMEMORY_FLAG_ALLKEYS
MAXMEMORY_ALLKEYS_RANDOM = (6 << 8) | MAXMEMORY_FLAG_ALLKEYS
MAXMEMORY_NO_EVICTION = 7 << 8

# LRU clock (evict.c): seconds resolution, 24 bits, as in Redis.
LRU_BITS = 24
LRU_CLOCK_MAX = (1 << LRU_BITS) - 1
LRU_CLOCK_RESOLUTION = 1000
LFU_INIT_VAL = 5

# Key lookup flags (db.c)
LOOKUP_NONE = 0
LOOKUP_NOTOUCH = 1 << 0
LOOKUP_NONOTIFY = 1 << 1
LOOKUP_NOSTATS = 1 << 2
LOOKUP_WRITE = 1 << 3

# setKey flags
SETKEY_KEEPTTL = 1
SETKEY_NO_SIGNAL = 2
SETKEY_ALREADY_EXIST = 4
SETKEY_DOESNT_EXIST = 8

# Units for expire commands
UNIT_SECONDS = 0
UNIT_MILLISECONDS = 1

# Latency tracking for INFO latencystats is 7.0's; the percentiles list.
STATS_METRIC_SAMPLES = 16
STATS_METRIC_COMMAND = 0
STATS_METRIC_NET_INPUT = 1
STATS_METRIC_NET_OUTPUT = 2
STATS_METRIC_COUNT = 3

# RESP3 reply building (networking.c)
RESP2 = 2
RESP3 = 3


# ---------------------------------------------------------------------------
# Structs
# ---------------------------------------------------------------------------
class redisObject:
    """A value in the keyspace: C's `robj`.

    `type` and `encoding` are what TYPE and OBJECT ENCODING report; `ptr`
    holds the Python value (bytes or int for strings, containers for the
    aggregate types); `lru` is the LRU clock at last access, or the LFU
    counter and decrement time packed in 24 bits, as in Redis. There is no
    refcount: Python counts references for us. `mem` (Python-only) is what
    the memory model last charged for the key holding this value (object.py):
    kept on the value, not in a side table keyed by key, because a side
    dict costs ~40 bytes per key and a slot 8.
    """
    __slots__ = ("type", "encoding", "lru", "ptr", "mem")

    def __init__(self, type, encoding, ptr, lru=0):
        self.type = type
        self.encoding = encoding
        self.ptr = ptr
        self.lru = lru
        self.mem = 0

    def __repr__(self):
        return "robj(type=%d, encoding=%d, ptr=%r)" % (self.type, self.encoding, self.ptr)


robj = redisObject


class redisDb:
    """One logical database: the keyspace dict and the expires dict.

    `dict` maps key bytes to a redisObject; `expires` maps key bytes to the
    absolute expire time in unix milliseconds. `avg_ttl` and
    `expires_cursor` are kept for INFO and the active expire cycle, as in C.
    """
    __slots__ = ("dict", "expires", "blocking_keys", "ready_keys", "watched_keys",
                 "id", "avg_ttl", "expires_cursor", "expires_scan", "defrag_later")

    def __init__(self, id):
        self.dict = {}
        self.expires = {}
        self.blocking_keys = {}
        self.ready_keys = {}
        self.watched_keys = {}
        self.id = id
        self.avg_ttl = 0
        self.expires_cursor = 0
        self.expires_scan = []
        self.defrag_later = None


class redisCommand:
    """An entry of the command table, built from pyredis/commands.py.

    `proc` is the Python function implementing it (`setCommand` ...), found
    by the name the JSON spec gives; the rest is the spec as data, kept for
    COMMAND INFO/DOCS, and the per-command statistics INFO commandstats shows.
    """
    __slots__ = ("declared_name", "fullname", "summary", "since", "group", "complexity",
                 "doc_flags", "deprecated_since", "replaced_by", "history", "tips",
                 "proc", "arity", "flags", "acl_categories", "key_specs", "args",
                 "getkeys_proc", "subcommands", "subcommands_dict", "parent",
                 "firstkey", "lastkey", "keystep", "microseconds", "calls",
                 "rejected_calls", "failed_calls", "id", "spec", "latency_histogram")

    def __init__(self):
        self.latency_histogram = None
        self.microseconds = 0
        self.calls = 0
        self.rejected_calls = 0
        self.failed_calls = 0
        self.parent = None
        self.subcommands_dict = None
        self.getkeys_proc = None

    def __repr__(self):
        return "<redisCommand %s>" % self.fullname


class multiState:
    """MULTI/EXEC state: the queued commands and their union of flags."""
    __slots__ = ("commands", "count", "cmd_flags", "cmd_inv_flags", "argv_len_sums", "alloc_count")

    def __init__(self):
        self.commands = []
        self.count = 0
        self.cmd_flags = 0
        self.cmd_inv_flags = 0
        self.argv_len_sums = 0
        self.alloc_count = 0


class blockingState:
    """What a blocked client waits for (blocked.c fills it in)."""
    __slots__ = ("timeout", "keys", "target", "blockpos", "xread_count", "xread_group",
                 "xread_consumer", "xread_group_noack", "numreplicas", "reploffset",
                 "module_blocked_handle", "unblock_on_nokey", "cmd", "count")

    def __init__(self):
        self.timeout = 0
        self.keys = {}
        self.target = None
        self.blockpos = None
        self.count = 0
        self.xread_group = None
        self.xread_consumer = None
        self.numreplicas = 0
        self.reploffset = 0
        self.unblock_on_nokey = 0
        self.cmd = None


class client:
    """A connected client: C's `struct client`, with the fields we use.

    The query-buffer state machine lives in `querybuf` (bytes: what was read
    and not yet parsed), `qb_pos`, `reqtype`, `multibulklen` and `bulklen`,
    plus `bigarg` while a 32 KiB+ argument is being read; replies go to `buf` (the 16 KiB static
    buffer, here a bytearray) and spill to the `reply` list; `sentlen` says how
    much of the head of that pending output has been written.
    """
    __slots__ = (
        "id", "flags", "conn", "resp", "db", "name", "querybuf", "qb_pos", "querybuf_peak",
        "argc", "argv", "argv_len_sum", "original_argv", "cmd", "lastcmd", "realcmd", "user",
        "reqtype", "multibulklen", "bulklen", "reply", "reply_bytes", "sentlen", "ctime",
        "duration", "lastinteraction", "obuf_soft_limit_reached_time", "authenticated",
        "replstate", "mstate", "btype", "bpop", "woff", "watched_keys",
        "pubsub_channels", "pubsub_patterns", "pubsubshard_channels", "peerid", "sockname",
        "buf", "buf_peak", "buf_peak_last_reset_time", "last_memory_usage",
        "last_memory_type", "client_tracking_redirection", "slot", "fd",
        "reploff", "read_reploff", "repl_ack_off", "repl_ack_time", "replid",
        "slave_listening_port", "slave_addr", "slave_capa", "cur_script", "paused_ops",
        "bufpos", "in_pending_writes", "last_cmd_name", "bigarg", "bigarg_len",
        "client_tracking_prefixes",
        # replication.py: a replica's full sync and its master's stream
        "repldbfd", "repldboff", "repldbsize", "replpreamble", "psync_initial_offset",
        "slave_req", "repl_start_cmd_stream_on_ack", "repl_applied", "repl_last_partial_write",
    )

    def __init__(self):
        self.id = 0
        self.flags = 0
        self.conn = None
        self.fd = -1
        self.resp = 2
        self.db = None
        self.name = None
        self.querybuf = b""
        self.bigarg = None
        self.bigarg_len = 0
        self.qb_pos = 0
        self.querybuf_peak = 0
        self.argc = 0
        self.argv = []
        self.argv_len_sum = 0
        self.original_argv = None
        self.cmd = None
        self.lastcmd = None
        self.realcmd = None
        self.user = None
        self.reqtype = 0
        self.multibulklen = 0
        self.bulklen = -1
        self.buf = bytearray()
        self.bufpos = 0
        self.reply = []
        self.reply_bytes = 0
        self.sentlen = 0
        self.ctime = 0
        self.duration = 0
        self.lastinteraction = 0
        self.obuf_soft_limit_reached_time = 0
        self.authenticated = 0
        self.replstate = REPL_STATE_NONE
        self.mstate = multiState()
        self.btype = BLOCKED_NONE
        self.bpop = blockingState()
        self.woff = 0
        self.watched_keys = []
        self.pubsub_channels = {}
        self.pubsub_patterns = {}
        self.pubsubshard_channels = {}
        self.peerid = None
        self.sockname = None
        self.buf_peak = PROTO_REPLY_CHUNK_BYTES
        self.buf_peak_last_reset_time = 0
        self.last_memory_usage = 0
        self.last_memory_type = CLIENT_TYPE_NORMAL
        self.client_tracking_redirection = 0
        # BCAST prefixes this client subscribed to ({prefix: None}), None
        # until the first one (tracking.py).
        self.client_tracking_prefixes = None
        self.slot = -1
        self.reploff = 0
        self.read_reploff = 0
        self.repl_ack_off = 0
        self.repl_ack_time = 0
        self.replid = None
        self.slave_listening_port = 0
        self.slave_addr = None
        self.slave_capa = 0
        self.cur_script = None
        self.paused_ops = 0
        self.in_pending_writes = False
        self.last_cmd_name = None
        self.repldbfd = None
        self.repldboff = 0
        self.repldbsize = 0
        self.replpreamble = None
        self.psync_initial_offset = 0
        self.slave_req = 0
        self.repl_start_cmd_stream_on_ack = 0
        self.repl_applied = 0
        self.repl_last_partial_write = 0

    def __repr__(self):
        return "<client id=%d fd=%d>" % (self.id, self.fd)


class clientBufferLimitsConfig:
    """One class's `client-output-buffer-limit` (hard, soft, soft seconds)."""
    __slots__ = ("hard_limit_bytes", "soft_limit_bytes", "soft_limit_seconds")

    def __init__(self, hard, soft, seconds):
        self.hard_limit_bytes = hard
        self.soft_limit_bytes = soft
        self.soft_limit_seconds = seconds


class saveparam:
    """One `save <seconds> <changes>` point."""
    __slots__ = ("seconds", "changes")

    def __init__(self, seconds, changes):
        self.seconds = seconds
        self.changes = changes


class redisServer:
    """The server's global state: C's `struct redisServer`.

    Configuration values live here under the C field names config.c binds
    them to (`server.hz`, `server.maxmemory`, ...), next to the runtime state
    and statistics. config.py installs every parameter's default at start-up,
    so this constructor only sets the runtime fields.
    """

    # Not slotted on purpose: the config table binds about two hundred
    # parameters to attributes of this object by name, and a future issue
    # may add more; a plain instance dict keeps that open. It is a single
    # object, so the per-instance cost slots save does not matter here.

    def __init__(self):
        self.pid = 0
        self.hidden_commands = {}   # pyredis-only commands outside the table (tools/probe.py)
        self.executable = None
        self.exec_argv = None
        self.configfile = None
        self.el = None
        self.hz = CONFIG_DEFAULT_HZ
        self.db = []
        self.commands = {}
        self.orig_commands = {}
        self.clients = {}                 # id -> client, in creation order
        self.clients_to_close = []
        self.clients_pending_write = []
        self.clients_index = {}
        self.current_client = None
        self.executing_client = None
        self.next_client_id = 1
        self.unixtime = int(time.time())
        self.mstime = int(time.time() * 1000)
        self.ustime = int(time.time() * 1000000)
        self.cmd_time_snapshot = self.mstime
        self.lruclock = 0
        self.cronloops = 0
        self.shutdown_asap = 0
        self.shutdown_flags = 0
        self.shutdown_mstime = 0
        self.last_sig_received = 0
        self.in_nested_call = 0
        self.also_propagate = []
        self.dirty = 0
        self.stat_starttime = 0
        self.stat_numcommands = 0
        self.stat_numconnections = 0
        self.stat_rejected_conn = 0
        self.stat_expiredkeys = 0
        self.stat_expired_stale_perc = 0.0
        self.stat_expired_time_cap_reached_count = 0
        self.stat_expire_cycle_time_used = 0
        self.stat_evictedkeys = 0
        self.stat_evictedclients = 0
        self.stat_keyspace_hits = 0
        self.stat_keyspace_misses = 0
        self.stat_net_input_bytes = 0
        self.stat_net_output_bytes = 0
        self.stat_unexpected_error_replies = 0
        self.stat_total_error_replies = 0
        self.stat_io_reads_processed = 0
        self.stat_io_writes_processed = 0
        self.stat_total_reads_processed = 0
        self.stat_total_writes_processed = 0
        self.stat_client_qbuf_limit_disconnections = 0
        self.stat_client_outbuf_limit_disconnections = 0
        self.stat_peak_memory = 0
        self.dataset_memory = 0           # sum of every value's `mem` charge (object.py)
        self.quicklist_packed_threshold = QUICKLIST_PACKED_THRESHOLD
        self.errors = {}                  # error code -> count, INFO errorstats
        self.inst_metric = [None] * STATS_METRIC_COUNT
        self.ipfd = []
        self.listeners = []
        self.protected_mode = 1
        self.requirepass = None
        self.monitors = []
        self.slaves = []
        self.masterhost = None
        self.master = None
        self.repl_state = REPL_STATE_NONE
        self.repl_slave_ro = 1
        self.loading = 0
        self.async_loading = 0
        self.child_type = CHILD_TYPE_NONE
        self.child_pid = -1
        self.rdb_child_pid = -1
        self.aof_child_pid = -1
        self.client_pause_type = CLIENT_PAUSE_OFF
        self.client_pause_end_time = 0
        self.paused_clients = []
        self.blocked_clients = 0
        self.blocked_clients_by_type = [0] * 8
        self.ready_keys = []
        self.tracking_clients = 0
        # Invalidations for the running client, sent after its reply
        # (tracking.py); None stands for "all keys" (a flush).
        self.tracking_pending_keys = []
        self.pubsub_channels = {}
        self.pubsub_patterns = {}
        self.pubsubshard_channels = {}
        self.notify_keyspace_events = 0
        self.active_expire_enabled = 1
        self.lazyfree_lazy_user_flush = 0
        self.saveparams = []
        self.lastsave = 0
        self.lastbgsave_try = 0
        self.lastbgsave_status = C_OK
        self.stat_rdb_saves = 0
        self.rdb_save_time_last = -1
        self.rdb_save_time_start = -1
        self.stop_writes_on_bgsave_err = 1
        self.aof_enabled = 0
        self.aof_state = 0
        self.aof_last_write_status = C_OK
        self.client_mem_usage_buckets = None
        self.busy_module_yield_flags = 0
        self.slowlog = []
        self.slowlog_entry_id = 0
        self.latency_events = {}
        self.cluster_enabled = 0
        self.el_cron_duration = 0
        self.el_cmd_cnt_start = 0
        self.initial_memory_usage = 0
        self.runid = ""
        self.replid = ""
        self.master_repl_offset = 0
        self.clients_waiting_acks = []    # clients blocked in WAIT, newest first
        self.get_ack_from_slaves = 0
        self.arch_bits = 64
        self.sentinel_mode = 0
        self.port = 6379
        self.bindaddr = []
        self.unixsocket = None
        self.pidfile = None
        self.shutdown_timeout = 10
        self.stat_active_defrag_running = 0


class sharedObjectsStruct:
    """Preformatted replies and errors, built once: C's `shared`.

    In C these are robj so they can be refcounted into replies; here they
    are bytes ready to append to an output buffer.
    """
    __slots__ = (
        "crlf", "ok", "err", "emptybulk", "czero", "cone", "pong", "space", "queued",
        "null", "nullarray", "emptymap", "emptyset", "emptyarray", "wrongtypeerr",
        "nokeyerr", "syntaxerr", "sameobjecterr", "outofrangeerr", "noscripterr",
        "loadingerr", "slowevalerr", "slowscripterr", "slowmoduleerr", "bgsaveerr",
        "masterdownerr", "roslaveerr", "execaborterr", "noautherr", "noreplicaserr",
        "busykeyerr", "oomerr", "plus", "messagebulk", "pmessagebulk", "subscribebulk",
        "unsubscribebulk", "psubscribebulk", "punsubscribebulk", "del", "unlink", "rpop",
        "lpop", "lpush", "rpoplpush", "lmove", "blmove", "zpopmin", "zpopmax", "multi",
        "exec", "left", "right", "hset", "srem", "xgroup", "xclaim", "script", "replconf",
        "eval", "persist", "set", "pexpireat", "pexpire", "time", "pxat", "absttl",
        "retrycount", "force", "justid", "lastid", "ping", "setid", "keepttl", "load",
        "createconsumer", "getack", "special_asterick", "special_equals", "default_username",
        "redacted", "ssubscribebulk", "sunsubscribebulk", "integers", "mbulkhdr", "bulkhdr",
        "maphdr", "sethdr", "minstring", "maxstring",
    )


server = redisServer()
shared = sharedObjectsStruct()
