"""Configuration: the parameter table, redis.conf loading, CONFIG GET/SET/REWRITE (our config.c).

Like Redis 7.0, every parameter is one row of a table: its name, alias,
type, flags, the server field it is bound to, its default and bounds. The
loader, CONFIG GET, CONFIG SET and CONFIG REWRITE are generic code over
that table, so adding a parameter is adding a row. Parameters whose value
is not a single scalar (save, bind, client-output-buffer-limit...) are
"special" rows with their own set/get functions, as in Redis.

Every 7.0 parameter name is accepted. Those that tune something pyredis
does not have (io-threads, jemalloc, TLS, cluster) are stored and reported
but change nothing.
"""

import os

from .server_h import (
    CLIENT_TYPE_NORMAL, CLIENT_TYPE_PUBSUB, CLIENT_TYPE_SLAVE, LL_DEBUG, LL_NOTICE,
    LL_VERBOSE, LL_WARNING, MAXMEMORY_ALLKEYS_LFU, MAXMEMORY_ALLKEYS_LRU,
    MAXMEMORY_ALLKEYS_RANDOM, MAXMEMORY_NO_EVICTION, MAXMEMORY_VOLATILE_LFU,
    MAXMEMORY_VOLATILE_LRU, MAXMEMORY_VOLATILE_RANDOM, MAXMEMORY_VOLATILE_TTL, SHUTDOWN_FORCE,
    SHUTDOWN_NOSAVE, SHUTDOWN_NOW, SHUTDOWN_SAVE, clientBufferLimitsConfig, saveparam, server,
    shared,
)
from .util import c_string, memtoull, sdscatrepr, sdssplitargs, string2ll, stringmatchlen
from .commands import COMMAND_TABLE
from .evict import performEvictions
from .networking import (
    acceptTcpHandler,
    addReply,
    addReplyBulkCString,
    addReplyError,
    addReplyErrorFormat,
    addReplyErrorObject,
    addReplyHelp,
    addReplyMapLen,
    redactClientCommandArgument,
)
from .notify import keyspaceEventsFlagsToString, keyspaceEventsStringToFlags
from .server import (
    allowProtectedAction,
    closeListeningSockets,
    getUsedMemory,
    listenToPort,
    lookupCommandBySds,
    resetServerStats,
    serverLog,
)

# Flags (config.c's *_CONFIG)
MODIFIABLE_CONFIG = 0
IMMUTABLE_CONFIG = 1 << 0
SENSITIVE_CONFIG = 1 << 1
DEBUG_CONFIG = 1 << 2
MULTI_ARG_CONFIG = 1 << 3
HIDDEN_CONFIG = 1 << 4
PROTECTED_CONFIG = 1 << 5
DENY_LOADING_CONFIG = 1 << 6
ALIAS_CONFIG = 1 << 7
VOLATILE_CONFIG = 1 << 9

# Numeric formats
INTEGER_CONFIG = 0
MEMORY_CONFIG = 1
PERCENT_CONFIG = 2
OCTAL_CONFIG = 4

INT_MAX = (1 << 31) - 1
INT_MIN = -(1 << 31)
UINT_MAX = (1 << 32) - 1
LONG_MAX = (1 << 63) - 1
LLONG_MAX = LONG_MAX
ULLONG_MAX = (1 << 64) - 1

LOGLEVEL_ENUM = {"debug": LL_DEBUG, "verbose": LL_VERBOSE, "notice": LL_NOTICE,
                 "warning": LL_WARNING}
MAXMEMORY_POLICY_ENUM = {
    "volatile-lru": MAXMEMORY_VOLATILE_LRU, "volatile-lfu": MAXMEMORY_VOLATILE_LFU,
    "volatile-random": MAXMEMORY_VOLATILE_RANDOM, "volatile-ttl": MAXMEMORY_VOLATILE_TTL,
    "allkeys-lru": MAXMEMORY_ALLKEYS_LRU, "allkeys-lfu": MAXMEMORY_ALLKEYS_LFU,
    "allkeys-random": MAXMEMORY_ALLKEYS_RANDOM, "noeviction": MAXMEMORY_NO_EVICTION}
SUPERVISED_ENUM = {"upstart": 1, "systemd": 2, "auto": 3, "no": 0}
SYSLOG_FACILITY_ENUM = {"user": 8, "local0": 128, "local1": 136, "local2": 144,
                        "local3": 152, "local4": 160, "local5": 168, "local6": 176,
                        "local7": 184}
AOF_FSYNC_ENUM = {"everysec": 2, "always": 1, "no": 0}
SHUTDOWN_ON_SIG_ENUM = {"default": 0, "save": SHUTDOWN_SAVE, "nosave": SHUTDOWN_NOSAVE,
                        "now": SHUTDOWN_NOW, "force": SHUTDOWN_FORCE}
REPL_DISKLESS_LOAD_ENUM = {"disabled": 0, "on-empty-db": 1, "swapdb": 2}
TLS_AUTH_CLIENTS_ENUM = {"no": 0, "yes": 1, "optional": 2}
OOM_SCORE_ADJ_ENUM = {"no": 0, "yes": 1, "relative": 1, "absolute": 2}
ACL_PUBSUB_DEFAULT_ENUM = {"allchannels": 1 << 2, "resetchannels": 0}
SANITIZE_DUMP_PAYLOAD_ENUM = {"no": 0, "yes": 1, "clients": 2}
PROTECTED_ACTION_ENUM = {"no": 0, "yes": 1, "local": 2}
CLUSTER_ENDPOINT_ENUM = {"ip": 0, "hostname": 1, "unknown-endpoint": 2}
PROPAGATION_ERROR_ENUM = {"ignore": 0, "panic": 1, "panic-on-replicas": 2}


class standardConfig:
    """One row of the configuration table (config.c's standardConfig)."""
    __slots__ = ("name", "alias", "type", "flags", "attr", "default", "lo", "hi", "fmt",
                 "enum", "validate", "apply", "special_set", "special_get")

    def __init__(self, name, alias, type, flags, attr, default, lo=None, hi=None, fmt=0,
                 enum=None, validate=None, apply=None):
        self.name = name
        self.alias = alias
        self.type = type
        self.flags = flags
        self.attr = attr
        self.default = default
        self.lo = lo
        self.hi = hi
        self.fmt = fmt
        self.enum = enum
        self.validate = validate
        self.apply = apply
        self.special_set = None
        self.special_get = None


def _b(name, alias, flags, attr, default, apply=None, validate=None):
    return standardConfig(name, alias, "bool", flags, attr, default, validate=validate, apply=apply)


def _s(name, alias, flags, attr, default, empty_is_null=True, validate=None, apply=None):
    cfg = standardConfig(name, alias, "string", flags, attr, default, validate=validate,
                         apply=apply)
    cfg.lo = empty_is_null
    return cfg


def _e(name, alias, flags, enum, attr, default, apply=None, validate=None):
    return standardConfig(name, alias, "enum", flags, attr, default, enum=enum, apply=apply,
                          validate=validate)


def _n(name, alias, flags, lo, hi, attr, default, fmt=INTEGER_CONFIG, apply=None):
    return standardConfig(name, alias, "num", flags, attr, default, lo, hi, fmt, apply=apply)


M = MODIFIABLE_CONFIG
IM = IMMUTABLE_CONFIG
DBG = DEBUG_CONFIG
MA = MULTI_ARG_CONFIG
HID = HIDDEN_CONFIG
SEN = SENSITIVE_CONFIG
PROT = PROTECTED_CONFIG
DL = DENY_LOADING_CONFIG


def _apply_hz():
    if server.config_hz < 1:
        server.config_hz = 1
    if server.config_hz > 500:
        server.config_hz = 500
    server.hz = server.config_hz
    return None


def _apply_port():
    if server.el is None:
        return None
    from . import ae
    fds = listenToPort(server.port, server.bindaddr)
    if fds is None:
        return "Unable to listen on this port. Check server logs."
    closeListeningSockets(0)
    server.listeners = fds
    server.ipfd = [s.fileno() for s in fds]
    for s in fds:
        ae.aeCreateFileEvent(server.el, s.fileno(), ae.AE_READABLE, acceptTcpHandler, s)
    return None


def _apply_maxmemory():
    if server.maxmemory and server.el is not None:
        used = getUsedMemory()
        if server.maxmemory < used:
            serverLog(LL_WARNING, "WARNING: the new maxmemory value set via CONFIG SET (%d) is "
                      "smaller than the current memory usage (%d). This will result in key "
                      "eviction and/or the inability to accept new write commands depending on "
                      "the maxmemory-policy.", server.maxmemory, used)
        performEvictions()
    return None


def _valid_dbfilename(val):
    if val is not None and "/" in val:
        return "dbfilename can't be a path, just a filename"
    return None


def _valid_aof_filename(val):
    if not val:
        return "appendfilename can't be empty"
    if "/" in val:
        return "appendfilename can't be a path, just a filename"
    return None


def _valid_aof_dirname(val):
    if not val:
        return "appenddirname can't be empty"
    if "/" in val:
        return "appenddirname can't be a path, just a dirname"
    return None


def _valid_shutdown_flags(val):
    if val & SHUTDOWN_SAVE and val & SHUTDOWN_NOSAVE:
        return "shutdown options SAVE and NOSAVE can't be used simultaneously"
    return None


def _apply_appendonly():
    hook = getattr(server, "appendonly_apply_hook", None)
    if hook is not None:
        return hook()
    return None


def _apply_tracking_table_max_keys():
    # Redis enforces a lowered limit before the next command of any client
    # (processCommand); pyredis keeps that test off the command path and
    # enforces the new limit right away instead: the messages land where
    # Redis puts them in each connection's stream (before that client's
    # next reply), unless that next command is one Redis rejects early.
    if server.tracking_clients:
        from .tracking import trackingLimitUsedSlots
        trackingLimitUsedSlots()
    return None


def _apply_requirepass():
    return None


def _apply_maxclients():
    from . import ae
    if server.el is not None:
        if ae.aeResizeSetSize(server.el, server.maxclients + 128) != ae.AE_OK:
            return ("The event loop API used by Redis is not able to handle the specified number "
                    "of clients")
    return None


DEFAULT_PROC_TITLE = "{title} {listen-addr} {server-mode}"

CONFIG_TABLE = [
    _b("rdbchecksum", None, IM, "rdb_checksum", 1),
    _b("daemonize", None, IM, "daemonize", 0),
    _b("io-threads-do-reads", None, DBG | IM, "io_threads_do_reads", 0),
    _b("always-show-logo", None, IM, "always_show_logo", 0),
    _b("protected-mode", None, M, "protected_mode", 1),
    _b("rdbcompression", None, M, "rdb_compression", 1),
    _b("rdb-del-sync-files", None, M, "rdb_del_sync_files", 0),
    _b("activerehashing", None, M, "activerehashing", 1),
    _b("stop-writes-on-bgsave-error", None, M, "stop_writes_on_bgsave_err", 1),
    _b("set-proc-title", None, IM, "set_proc_title", 1),
    _b("dynamic-hz", None, M, "dynamic_hz", 1),
    _b("lazyfree-lazy-eviction", None, DBG | M, "lazyfree_lazy_eviction", 0),
    _b("lazyfree-lazy-expire", None, DBG | M, "lazyfree_lazy_expire", 0),
    _b("lazyfree-lazy-server-del", None, DBG | M, "lazyfree_lazy_server_del", 0),
    _b("lazyfree-lazy-user-del", None, DBG | M, "lazyfree_lazy_user_del", 0),
    _b("lazyfree-lazy-user-flush", None, DBG | M, "lazyfree_lazy_user_flush", 0),
    _b("repl-disable-tcp-nodelay", None, M, "repl_disable_tcp_nodelay", 0),
    _b("repl-diskless-sync", None, DBG | M, "repl_diskless_sync", 1),
    _b("aof-rewrite-incremental-fsync", None, M, "aof_rewrite_incremental_fsync", 1),
    _b("no-appendfsync-on-rewrite", None, M, "aof_no_fsync_on_rewrite", 0),
    _b("cluster-require-full-coverage", None, M, "cluster_require_full_coverage", 1),
    _b("rdb-save-incremental-fsync", None, M, "rdb_save_incremental_fsync", 1),
    _b("aof-load-truncated", None, M, "aof_load_truncated", 1),
    _b("aof-use-rdb-preamble", None, M, "aof_use_rdb_preamble", 1),
    _b("aof-timestamp-enabled", None, M, "aof_timestamp_enabled", 0),
    _b("cluster-replica-no-failover", "cluster-slave-no-failover", M,
       "cluster_slave_no_failover", 0),
    _b("replica-lazy-flush", "slave-lazy-flush", M, "repl_slave_lazy_flush", 0),
    _b("replica-serve-stale-data", "slave-serve-stale-data", M, "repl_serve_stale_data", 1),
    _b("replica-read-only", "slave-read-only", DBG | M, "repl_slave_ro", 1),
    _b("replica-ignore-maxmemory", "slave-ignore-maxmemory", M, "repl_slave_ignore_maxmemory", 1),
    _b("jemalloc-bg-thread", None, M, "jemalloc_bg_thread", 1),
    _b("activedefrag", None, DBG | M, "active_defrag_enabled", 0),
    _b("syslog-enabled", None, IM, "syslog_enabled", 0),
    _b("cluster-enabled", None, IM, "cluster_enabled", 0),
    _b("appendonly", None, M | DL, "aof_enabled", 0, apply=_apply_appendonly),
    _b("cluster-allow-reads-when-down", None, M, "cluster_allow_reads_when_down", 0),
    _b("cluster-allow-pubsubshard-when-down", None, M, "cluster_allow_pubsubshard_when_down", 1),
    _b("crash-log-enabled", None, M, "crashlog_enabled", 1),
    _b("crash-memcheck-enabled", None, M, "memcheck_enabled", 1),
    _b("use-exit-on-panic", None, M | HID, "use_exit_on_panic", 0),
    _b("disable-thp", None, IM, "disable_thp", 1),
    _b("cluster-allow-replica-migration", None, M, "cluster_allow_replica_migration", 1),
    _b("replica-announced", None, M, "replica_announced", 1),
    _b("latency-tracking", None, M, "latency_tracking_enabled", 1),
    _b("aof-disable-auto-gc", None, M, "aof_disable_auto_gc", 0),
    _b("replica-ignore-disk-write-errors", None, M, "repl_ignore_disk_write_error", 0),
    _s("aclfile", None, IM, "acl_filename", "", empty_is_null=False),
    _s("unixsocket", None, IM, "unixsocket", None),
    _s("pidfile", None, IM, "pidfile", None),
    _s("replica-announce-ip", "slave-announce-ip", M, "slave_announce_ip", None),
    _s("masteruser", None, M | SEN, "masteruser", None),
    _s("cluster-announce-ip", None, M, "cluster_announce_ip", None),
    _s("cluster-config-file", None, IM, "cluster_configfile", "nodes.conf", empty_is_null=False),
    _s("cluster-announce-hostname", None, M, "cluster_announce_hostname", None),
    _s("syslog-ident", None, IM, "syslog_ident", "redis", empty_is_null=False),
    _s("dbfilename", None, M | PROT, "rdb_filename", "dump.rdb", empty_is_null=False,
       validate=_valid_dbfilename),
    _s("appendfilename", None, IM, "aof_filename", "appendonly.aof", empty_is_null=False,
       validate=_valid_aof_filename),
    _s("appenddirname", None, IM, "aof_dirname", "appendonlydir", empty_is_null=False,
       validate=_valid_aof_dirname),
    _s("server_cpulist", None, IM, "server_cpulist", None),
    _s("bio_cpulist", None, IM, "bio_cpulist", None),
    _s("aof_rewrite_cpulist", None, IM, "aof_rewrite_cpulist", None),
    _s("bgsave_cpulist", None, IM, "bgsave_cpulist", None),
    _s("ignore-warnings", None, M, "ignore_warnings", "", empty_is_null=False),
    _s("proc-title-template", None, M, "proc_title_template", DEFAULT_PROC_TITLE,
       empty_is_null=False),
    _s("bind-source-addr", None, M, "bind_source_addr", None),
    _s("logfile", None, IM, "logfile", "", empty_is_null=False),
    _s("masterauth", None, M | SEN, "masterauth", None),
    _s("requirepass", None, M | SEN, "requirepass", None, apply=_apply_requirepass),
    _e("supervised", None, IM, SUPERVISED_ENUM, "supervised_mode", 0),
    _e("syslog-facility", None, IM, SYSLOG_FACILITY_ENUM, "syslog_facility", 128),
    _e("repl-diskless-load", None, DBG | M | DL, REPL_DISKLESS_LOAD_ENUM, "repl_diskless_load", 0),
    _e("loglevel", None, M, LOGLEVEL_ENUM, "verbosity", LL_NOTICE),
    _e("maxmemory-policy", None, M, MAXMEMORY_POLICY_ENUM, "maxmemory_policy",
       MAXMEMORY_NO_EVICTION),
    _e("appendfsync", None, M, AOF_FSYNC_ENUM, "aof_fsync", 2),
    _e("oom-score-adj", None, M, OOM_SCORE_ADJ_ENUM, "oom_score_adj", 0),
    _e("acl-pubsub-default", None, M, ACL_PUBSUB_DEFAULT_ENUM, "acl_pubsub_default", 0),
    _e("sanitize-dump-payload", None, DBG | M, SANITIZE_DUMP_PAYLOAD_ENUM,
       "sanitize_dump_payload", 0),
    _e("enable-protected-configs", None, IM, PROTECTED_ACTION_ENUM, "enable_protected_configs", 0),
    _e("enable-debug-command", None, IM, PROTECTED_ACTION_ENUM, "enable_debug_cmd", 0),
    _e("enable-module-command", None, IM, PROTECTED_ACTION_ENUM, "enable_module_cmd", 0),
    _e("cluster-preferred-endpoint-type", None, M, CLUSTER_ENDPOINT_ENUM,
       "cluster_preferred_endpoint_type", 0),
    _e("propagation-error-behavior", None, M, PROPAGATION_ERROR_ENUM,
       "propagation_error_behavior", 0),
    _e("shutdown-on-sigint", None, M | MA, SHUTDOWN_ON_SIG_ENUM, "shutdown_on_sigint", 0,
       validate=_valid_shutdown_flags),
    _e("shutdown-on-sigterm", None, M | MA, SHUTDOWN_ON_SIG_ENUM, "shutdown_on_sigterm", 0,
       validate=_valid_shutdown_flags),
    _n("databases", None, IM, 1, INT_MAX, "dbnum", 16),
    _n("port", None, M, 0, 65535, "port", 6379, apply=_apply_port),
    _n("io-threads", None, DBG | IM, 1, 128, "io_threads_num", 1),
    _n("auto-aof-rewrite-percentage", None, M, 0, INT_MAX, "aof_rewrite_perc", 100),
    _n("cluster-replica-validity-factor", "cluster-slave-validity-factor", M, 0, INT_MAX,
       "cluster_slave_validity_factor", 10),
    _n("list-max-listpack-size", "list-max-ziplist-size", M, INT_MIN, INT_MAX,
       "list_max_listpack_size", -2),
    _n("tcp-keepalive", None, M, 0, INT_MAX, "tcpkeepalive", 300),
    _n("cluster-migration-barrier", None, M, 0, INT_MAX, "cluster_migration_barrier", 1),
    _n("active-defrag-cycle-min", None, M, 1, 99, "active_defrag_cycle_min", 1),
    _n("active-defrag-cycle-max", None, M, 1, 99, "active_defrag_cycle_max", 25),
    _n("active-defrag-threshold-lower", None, M, 0, 1000, "active_defrag_threshold_lower", 10),
    _n("active-defrag-threshold-upper", None, M, 0, 1000, "active_defrag_threshold_upper", 100),
    _n("lfu-log-factor", None, M, 0, INT_MAX, "lfu_log_factor", 10),
    _n("lfu-decay-time", None, M, 0, INT_MAX, "lfu_decay_time", 1),
    _n("replica-priority", "slave-priority", M, 0, INT_MAX, "slave_priority", 100),
    _n("repl-diskless-sync-delay", None, M, 0, INT_MAX, "repl_diskless_sync_delay", 5),
    _n("maxmemory-samples", None, M, 1, INT_MAX, "maxmemory_samples", 5),
    _n("maxmemory-eviction-tenacity", None, M, 0, 100, "maxmemory_eviction_tenacity", 10),
    _n("timeout", None, M, 0, INT_MAX, "maxidletime", 0),
    _n("replica-announce-port", "slave-announce-port", M, 0, 65535, "slave_announce_port", 0),
    _n("tcp-backlog", None, IM, 0, INT_MAX, "tcp_backlog", 511),
    _n("cluster-port", None, IM, 0, 65535, "cluster_port", 0),
    _n("cluster-announce-bus-port", None, M, 0, 65535, "cluster_announce_bus_port", 0),
    _n("cluster-announce-port", None, M, 0, 65535, "cluster_announce_port", 0),
    _n("cluster-announce-tls-port", None, M, 0, 65535, "cluster_announce_tls_port", 0),
    _n("repl-timeout", None, M, 1, INT_MAX, "repl_timeout", 60),
    _n("repl-ping-replica-period", "repl-ping-slave-period", M, 1, INT_MAX,
       "repl_ping_slave_period", 10),
    _n("list-compress-depth", None, DBG | M, 0, INT_MAX, "list_compress_depth", 0),
    _n("rdb-key-save-delay", None, M | HID, INT_MIN, INT_MAX, "rdb_key_save_delay", 0),
    _n("key-load-delay", None, M | HID, INT_MIN, INT_MAX, "key_load_delay", 0),
    _n("active-expire-effort", None, M, 1, 10, "active_expire_effort", 1),
    _n("hz", None, M, 0, INT_MAX, "config_hz", 10, apply=_apply_hz),
    _n("min-replicas-to-write", "min-slaves-to-write", M, 0, INT_MAX,
       "repl_min_slaves_to_write", 0),
    _n("min-replicas-max-lag", "min-slaves-max-lag", M, 0, INT_MAX, "repl_min_slaves_max_lag", 10),
    _n("watchdog-period", None, M | HID, 0, INT_MAX, "watchdog_period", 0),
    _n("shutdown-timeout", None, M, 0, INT_MAX, "shutdown_timeout", 10),
    _n("repl-diskless-sync-max-replicas", None, M, 0, INT_MAX,
       "repl_diskless_sync_max_replicas", 0),
    _n("maxclients", None, M, 1, UINT_MAX, "maxclients", 10000, apply=_apply_maxclients),
    _n("unixsocketperm", None, IM, 0, 0o777, "unixsocketperm", 0, OCTAL_CONFIG),
    _n("socket-mark-id", None, IM, 0, UINT_MAX, "socket_mark_id", 0),
    _n("active-defrag-max-scan-fields", None, M, 1, LONG_MAX, "active_defrag_max_scan_fields",
       1000),
    _n("slowlog-max-len", None, M, 0, LONG_MAX, "slowlog_max_len", 128),
    _n("acllog-max-len", None, M, 0, LONG_MAX, "acllog_max_len", 128),
    _n("busy-reply-threshold", "lua-time-limit", M, 0, LONG_MAX, "busy_reply_threshold", 5000),
    _n("cluster-node-timeout", None, M, 0, LLONG_MAX, "cluster_node_timeout", 15000),
    _n("slowlog-log-slower-than", None, M, -1, LLONG_MAX, "slowlog_log_slower_than", 10000),
    _n("latency-monitor-threshold", None, M, 0, LLONG_MAX, "latency_monitor_threshold", 0),
    _n("proto-max-bulk-len", None, DBG | M, 1024 * 1024, LONG_MAX, "proto_max_bulk_len",
       512 * 1024 * 1024, MEMORY_CONFIG),
    _n("stream-node-max-entries", None, M, 0, LLONG_MAX, "stream_node_max_entries", 100),
    _n("repl-backlog-size", None, M, 1, LLONG_MAX, "repl_backlog_size", 1024 * 1024,
       MEMORY_CONFIG),
    _n("maxmemory", None, M, 0, ULLONG_MAX, "maxmemory", 0, MEMORY_CONFIG,
       apply=_apply_maxmemory),
    _n("cluster-link-sendbuf-limit", None, M, 0, ULLONG_MAX, "cluster_link_sendbuf_limit_bytes",
       0, MEMORY_CONFIG),
    _n("hash-max-listpack-entries", "hash-max-ziplist-entries", M, 0, LONG_MAX,
       "hash_max_listpack_entries", 512),
    _n("set-max-intset-entries", None, M, 0, LONG_MAX, "set_max_intset_entries", 512),
    _n("zset-max-listpack-entries", "zset-max-ziplist-entries", M, 0, LONG_MAX,
       "zset_max_listpack_entries", 128),
    _n("active-defrag-ignore-bytes", None, M, 1, LLONG_MAX, "active_defrag_ignore_bytes",
       100 << 20, MEMORY_CONFIG),
    _n("hash-max-listpack-value", "hash-max-ziplist-value", M, 0, LONG_MAX,
       "hash_max_listpack_value", 64, MEMORY_CONFIG),
    _n("stream-node-max-bytes", None, M, 0, LONG_MAX, "stream_node_max_bytes", 4096,
       MEMORY_CONFIG),
    _n("zset-max-listpack-value", "zset-max-ziplist-value", M, 0, LONG_MAX,
       "zset_max_listpack_value", 64, MEMORY_CONFIG),
    _n("hll-sparse-max-bytes", None, M, 0, LONG_MAX, "hll_sparse_max_bytes", 3000, MEMORY_CONFIG),
    _n("tracking-table-max-keys", None, M, 0, LONG_MAX, "tracking_table_max_keys", 1000000,
       apply=_apply_tracking_table_max_keys),
    _n("client-query-buffer-limit", None, DBG | M, 1024 * 1024, LONG_MAX,
       "client_max_querybuf_len", 1024 * 1024 * 1024, MEMORY_CONFIG),
    _n("maxmemory-clients", None, M, -100, LONG_MAX, "maxmemory_clients", 0,
       MEMORY_CONFIG | PERCENT_CONFIG),
    _n("repl-backlog-ttl", None, M, 0, LONG_MAX, "repl_backlog_time_limit", 3600),
    _n("auto-aof-rewrite-min-size", None, M, 0, LLONG_MAX, "aof_rewrite_min_size",
       64 * 1024 * 1024, MEMORY_CONFIG),
    _n("loading-process-events-interval-bytes", None, M | HID, 1024, INT_MAX,
       "loading_process_events_interval_bytes", 2 * 1024 * 1024),
    _n("tls-port", None, M, 0, 65535, "tls_port", 0),
    _n("tls-session-cache-size", None, M, 0, INT_MAX, "tls_session_cache_size", 20 * 1024),
    _n("tls-session-cache-timeout", None, M, 0, INT_MAX, "tls_session_cache_timeout", 300),
    _b("tls-cluster", None, M, "tls_cluster", 0),
    _b("tls-replication", None, M, "tls_replication", 0),
    _e("tls-auth-clients", None, M, TLS_AUTH_CLIENTS_ENUM, "tls_auth_clients", 1),
    _b("tls-prefer-server-ciphers", None, M, "tls_prefer_server_ciphers", 0),
    _b("tls-session-caching", None, M, "tls_session_caching", 1),
    _s("tls-cert-file", None, VOLATILE_CONFIG | M, "tls_cert_file", None),
    _s("tls-key-file", None, VOLATILE_CONFIG | M, "tls_key_file", None),
    _s("tls-key-file-pass", None, M, "tls_key_file_pass", None),
    _s("tls-client-cert-file", None, VOLATILE_CONFIG | M, "tls_client_cert_file", None),
    _s("tls-client-key-file", None, VOLATILE_CONFIG | M, "tls_client_key_file", None),
    _s("tls-client-key-file-pass", None, M, "tls_client_key_file_pass", None),
    _s("tls-dh-params-file", None, VOLATILE_CONFIG | M, "tls_dh_params_file", None),
    _s("tls-ca-cert-file", None, VOLATILE_CONFIG | M, "tls_ca_cert_file", None),
    _s("tls-ca-cert-dir", None, VOLATILE_CONFIG | M, "tls_ca_cert_dir", None),
    _s("tls-protocols", None, M, "tls_protocols", None),
    _s("tls-ciphers", None, M, "tls_ciphers", None),
    _s("tls-ciphersuites", None, M, "tls_ciphersuites", None),
]


# -- special parameters ---------------------------------------------------------
def _special(name, alias, flags, setter, getter):
    cfg = standardConfig(name, alias, "special", flags, None, None)
    cfg.special_set = setter
    cfg.special_get = getter
    return cfg


def _set_dir(args, loading):
    if len(args) != 1:
        return "wrong number of arguments"
    try:
        os.chdir(args[0])
    except OSError as e:
        return e.strerror
    return None


def _get_dir():
    try:
        return os.getcwd()
    except OSError:
        return ""


def _set_save(args, loading):
    # A lone "" (or nothing) disables saving; otherwise pairs of seconds/changes.
    if len(args) == 1 and args[0] == "":
        server.saveparams = []
        return None
    if len(args) % 2:
        return "Invalid save parameters"
    params = []
    for i in range(0, len(args), 2):
        s, ch = string2ll(args[i].encode()), string2ll(args[i + 1].encode())
        if s is None or ch is None or s < 1 or ch < 0:
            return "Invalid save parameters"
        params.append(saveparam(s, ch))
    if loading and not _loading_state["save_reset"]:
        server.saveparams = []
        _loading_state["save_reset"] = True
    if loading:
        server.saveparams.extend(params)
    else:
        server.saveparams = params
    return None


def _get_save():
    return " ".join("%d %d" % (p.seconds, p.changes) for p in server.saveparams)


_CLASS_NAMES = {"normal": CLIENT_TYPE_NORMAL, "slave": CLIENT_TYPE_SLAVE,
                "replica": CLIENT_TYPE_SLAVE, "pubsub": CLIENT_TYPE_PUBSUB}


def _set_obuf_limits(args, loading):
    if len(args) % 4:
        return "Wrong number of arguments in buffer limit configuration."
    new = {}
    for i in range(0, len(args), 4):
        cls = _CLASS_NAMES.get(args[i].lower())
        if cls is None:
            return "Invalid client class specified in buffer limit configuration."
        hard, soft = memtoull(args[i + 1]), memtoull(args[i + 2])
        secs = string2ll(args[i + 3].encode())
        if hard is None or soft is None or secs is None or hard < 0 or soft < 0 or secs < 0:
            return "Error in hard, soft or soft_seconds setting in buffer limit configuration."
        new[cls] = clientBufferLimitsConfig(hard, soft, secs)
    for cls, lim in new.items():
        server.client_obuf_limits[cls] = lim
    return None


def _get_obuf_limits():
    parts = []
    for cls, name in ((CLIENT_TYPE_NORMAL, "normal"), (CLIENT_TYPE_SLAVE, "slave"),
                      (CLIENT_TYPE_PUBSUB, "pubsub")):
        lim = server.client_obuf_limits[cls]
        parts.append("%s %d %d %d" % (name, lim.hard_limit_bytes, lim.soft_limit_bytes,
                                      lim.soft_limit_seconds))
    return " ".join(parts)


def _set_oom_values(args, loading):
    if len(args) != 3:
        return "wrong number of arguments"
    vals = []
    for a in args:
        v = string2ll(a.encode())
        if v is None or v < -2000 or v > 2000:
            return "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
        vals.append(v)
    server.oom_score_adj_values = vals
    return None


def _get_oom_values():
    return " ".join(str(v) for v in server.oom_score_adj_values)


def _set_notify(args, loading):
    if len(args) != 1:
        return "wrong number of arguments"
    flags = keyspaceEventsStringToFlags(args[0])
    if flags == -1:
        return "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
    server.notify_keyspace_events = flags
    return None


def _get_notify():
    return keyspaceEventsFlagsToString(server.notify_keyspace_events)


def _set_bind(args, loading):
    if len(args) > 16:
        return "Too many bind addresses specified."
    if len(args) == 1 and args[0] == "":
        args = []
    server.bindaddr = list(args)
    if not loading and server.el is not None:
        err = _change_bind_addr()
        if err:
            return "Failed to bind to specified addresses."
    return None


def _change_bind_addr():
    """Listen on the new addresses (changeBindAddr).

    Unlike a port change, the old sockets are closed first: the new set
    usually shares an address:port with the old one, which could not be
    bound twice. On failure nothing listens; the caller restores the old
    addresses, which binds them again.
    """
    from . import ae
    closeListeningSockets(0)
    server.listeners = []
    server.ipfd = []
    fds = listenToPort(server.port, server.bindaddr) if server.port else []
    if fds is None:
        serverLog(LL_WARNING, "Failed to bind")
        return "Failed to bind"
    server.listeners = fds
    server.ipfd = [s.fileno() for s in fds]
    for s in fds:
        ae.aeCreateFileEvent(server.el, s.fileno(), ae.AE_READABLE, acceptTcpHandler, s)
    return None


def _get_bind():
    return " ".join(server.bindaddr)


def _set_replicaof(args, loading):
    if len(args) != 2:
        return "wrong number of arguments"
    if args[0].lower() == "no" and args[1].lower() == "one":
        server.masterhost = None
        return None
    port = string2ll(args[1].encode())
    if port is None or port < 0 or port > 65535:
        return "Invalid master port"
    server.masterhost = args[0]
    server.masterport = port
    server.repl_state = 1
    return None


def _get_replicaof():
    if server.masterhost:
        return "%s %d" % (server.masterhost, server.masterport)
    return ""


def _set_percentiles(args, loading):
    vals = []
    if len(args) == 1 and args[0] == "":
        server.latency_tracking_info_percentiles = []
        return None
    for a in args:
        try:
            v = float(a)
        except ValueError:
            return "Invalid latency-tracking-info-percentiles parameters"
        if v < 0 or v > 100:
            return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
        vals.append(v)
    server.latency_tracking_info_percentiles = vals
    return None


def _get_percentiles():
    return " ".join(("%f" % v).rstrip("0").rstrip(".") for v in
                    server.latency_tracking_info_percentiles)


CONFIG_TABLE += [
    _special("dir", None, M | PROT | DL, _set_dir, _get_dir),
    _special("save", None, M | MA, _set_save, _get_save),
    _special("client-output-buffer-limit", None, M | MA, _set_obuf_limits, _get_obuf_limits),
    _special("oom-score-adj-values", None, M | MA, _set_oom_values, _get_oom_values),
    _special("notify-keyspace-events", None, M, _set_notify, _get_notify),
    _special("bind", None, M | MA, _set_bind, _get_bind),
    _special("replicaof", "slaveof", IM | MA, _set_replicaof, _get_replicaof),
    _special("latency-tracking-info-percentiles", None, M | MA, _set_percentiles,
             _get_percentiles),
]

# name or alias -> row
CONFIGS = {}
for _cfg in CONFIG_TABLE:
    CONFIGS[_cfg.name] = _cfg
    if _cfg.alias:
        CONFIGS[_cfg.alias] = _cfg

_loading_state = {"save_reset": False}


def lookupConfig(name):
    """The config row for a name or alias (lookupConfig)."""
    if isinstance(name, bytes):
        name = name.decode("latin-1")
    return CONFIGS.get(name.lower())


def initConfigValues():
    """Install every parameter's default on the server object (initConfigValues)."""
    for cfg in CONFIG_TABLE:
        if cfg.attr:
            setattr(server, cfg.attr, cfg.default)
    server.saveparams = [saveparam(3600, 1), saveparam(300, 100), saveparam(60, 10000)]
    server.client_obuf_limits = [
        clientBufferLimitsConfig(0, 0, 0),
        clientBufferLimitsConfig(256 * 1024 * 1024, 64 * 1024 * 1024, 60),
        clientBufferLimitsConfig(32 * 1024 * 1024, 8 * 1024 * 1024, 60),
    ]
    server.oom_score_adj_values = [0, 200, 800]
    server.notify_keyspace_events = 0
    server.bindaddr = ["*", "-::*"]    # CONFIG_DEFAULT_BINDADDR
    server.masterhost = None
    server.masterport = 6379
    server.latency_tracking_info_percentiles = [50.0, 99.0, 99.9]


# -- value conversion -----------------------------------------------------------------
def _set_value(cfg, args, loading):
    """Parse and store one value; None on success, else the error text."""
    if cfg.type == "special":
        return cfg.special_set(args, loading)
    if cfg.type == "enum" and cfg.flags & MULTI_ARG_CONFIG:
        val = 0
        for a in args:
            v = cfg.enum.get(a.split("\0", 1)[0].lower())
            if v is None:
                return _enum_error(cfg)
            val |= v
        if cfg.validate:
            err = cfg.validate(val)
            if err:
                return err
        setattr(server, cfg.attr, val)
        return None
    if len(args) != 1:
        return "wrong number of arguments"
    arg = args[0]
    if cfg.type == "bool":
        # yesnotoi and the enum lookup compare C strings (strcasecmp): what
        # follows a NUL byte is not seen, "yes\0junk" is yes.
        a = arg.split("\0", 1)[0].lower()
        if a not in ("yes", "no"):
            return "argument must be 'yes' or 'no'"
        val = 1 if a == "yes" else 0
    elif cfg.type == "string":
        val = arg
        if cfg.lo and arg == "":
            val = None
        if cfg.validate:
            err = cfg.validate(val)
            if err:
                return err
    elif cfg.type == "enum":
        val = cfg.enum.get(arg.split("\0", 1)[0].lower())
        if val is None:
            return _enum_error(cfg)
    else:
        val = _parse_num(cfg, arg)
        if isinstance(val, str):
            return val
        if cfg.fmt & PERCENT_CONFIG and val < 0:
            pass
        elif val < cfg.lo or val > cfg.hi:
            if cfg.fmt & OCTAL_CONFIG:
                return "argument must be between %o and %o inclusive" % (cfg.lo, cfg.hi)
            return "argument must be between %d and %d inclusive" % (cfg.lo, cfg.hi)
    setattr(server, cfg.attr, val)
    return None


def _enum_error(cfg):
    return "argument(s) must be one of the following: " + ", ".join(cfg.enum)


def _parse_num(cfg, arg):
    if cfg.fmt & MEMORY_CONFIG:
        # As numericParseString: a memory amount first, then a percentage
        # (stored negated), else the error.
        v = memtoull(arg)
        if v is None and cfg.fmt & PERCENT_CONFIG and len(arg) > 1 and arg.endswith("%"):
            v = string2ll(arg[:-1].encode("utf-8", "surrogateescape"))
            if v is not None and v >= 0:
                return -v
            v = None
        if v is None:
            return ("argument must be a memory or percent value" if cfg.fmt & PERCENT_CONFIG
                    else "argument must be a memory value")
        return v
    if cfg.fmt & OCTAL_CONFIG:
        try:
            return int(arg, 8)
        except ValueError:
            return "argument couldn't be parsed as an octal number"
    # Not UTF-8 is possible (arguments are decoded with surrogates).
    v = string2ll(arg.encode("utf-8", "surrogateescape"))
    if v is None:
        return "argument couldn't be parsed into an integer"
    return v


def configGetValue(cfg):
    """The value of a parameter as CONFIG GET prints it."""
    if cfg.type == "special":
        return cfg.special_get()
    val = getattr(server, cfg.attr)
    if cfg.type == "bool":
        return "yes" if val else "no"
    if cfg.type == "string":
        return "" if val is None else val
    if cfg.type == "enum":
        if cfg.flags & MULTI_ARG_CONFIG:
            names = [n for n, v in cfg.enum.items() if v and val & v]
            return " ".join(names) if names else next(n for n, v in cfg.enum.items() if v == 0)
        for n, v in cfg.enum.items():
            if v == val:
                return n
        return ""
    if cfg.fmt & PERCENT_CONFIG and val < 0:
        return "%d%%" % -val
    if cfg.fmt & OCTAL_CONFIG:
        return "%o" % val
    return "%d" % val


# -- loading -------------------------------------------------------------------------
def loadServerConfigFromString(config):
    """Apply config text, line by line (loadServerConfigFromString)."""
    lines = config.split("\n")
    for linenum, line in enumerate(lines, 1):
        line = line.strip(" \t\r\n")
        if not line or line.startswith("#"):
            continue
        argv = sdssplitargs(line)
        if argv is None:
            _loaderr(linenum, line, "Unbalanced quotes in configuration line")
        if not argv:
            continue
        argv = [a.decode("utf-8", "surrogateescape") for a in argv]
        name = argv[0].lower()
        cfg = lookupConfig(name)
        if cfg is not None:
            if not (cfg.flags & MULTI_ARG_CONFIG) and len(argv) != 2:
                _loaderr(linenum, line, "wrong number of arguments")
            args = argv[1:]
            # A multi-word config given as one quoted word ("--save '60 5'")
            # is split again, unless it is empty ("--save ''" resets).
            if cfg.flags & MULTI_ARG_CONFIG and len(argv) == 2 and argv[1]:
                args = [a.decode("utf-8", "surrogateescape")
                        for a in sdssplitargs(argv[1].encode("utf-8", "surrogateescape")) or []]
            err = _set_value(cfg, args, True)
            if err:
                _loaderr(linenum, line, err)
            continue
        if name in _DEPRECATED_CONFIGS and len(argv) == 2:
            continue    # accepted and ignored, as 7.0 does
        if name == "include" and len(argv) == 2:
            loadServerConfig(argv[1], [])
        elif name == "rename-command" and len(argv) == 3:
            # The command table is built after the config is read, so the
            # rename is queued and applied (or reported) by applyRenameCommands.
            if not _command_exists(argv[1]):
                _loaderr(linenum, line, "No such command in rename-command")
            _rename_queue.append((linenum, line, argv[1], argv[2]))
        elif name in ("user", "loadmodule", "sentinel"):
            serverLog(LL_WARNING, "Ignoring unsupported directive '%s'", name)
        else:
            _loaderr(linenum, line, "Bad directive or wrong number of arguments")


_DEPRECATED_CONFIGS = ("list-max-ziplist-entries", "list-max-ziplist-value",
                       "lua-replicate-commands")
_rename_queue = []


def _command_exists(name):
    """Does the command table know `name` ("get", "config|get")? Checked while
    reading the file, so a bad rename stops the server before it starts."""
    parts = name.lower().split("|")
    spec = COMMAND_TABLE.get(parts[0])
    if spec is None or len(parts) > 2:
        return False
    return len(parts) == 1 or parts[1] in (spec.get("subcommands") or {})


def applyRenameCommands():
    """Apply the config's rename-command lines to server.commands.

    Redis does this while reading the file (its table exists by then); we
    build the table later, so the lines wait here. An empty new name removes
    the command. Errors are reported as config file errors, as Redis does.
    """
    while _rename_queue:
        linenum, line, old, new = _rename_queue.pop(0)
        cmd = lookupCommandBySds(old.encode("utf-8", "surrogateescape"))
        if cmd is None:
            _loaderr(linenum, line, "No such command in rename-command")
        server.commands.pop(old.lower(), None)
        if new:
            if new.lower() in server.commands:
                _loaderr(linenum, line, "Target command name already exists")
            server.commands[new.lower()] = cmd


def _loaderr(linenum, line, err):
    import sys
    sys.stderr.write("\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\n" % "7.0.15")
    sys.stderr.write("Reading the configuration file, at line %d\n" % linenum)
    sys.stderr.write(">>> '%s'\n" % line)
    sys.stderr.write("%s\n" % err)
    sys.exit(1)


def loadServerConfig(filename, options):
    """Load the config file, then the command-line options (loadServerConfig).

    `options` are (kind, words) pairs from main(); each "--name v1 v2"
    becomes the config line "name v1 v2", applied after the file, as
    redis-server does, so options win.
    """
    text = ""
    if filename:
        if filename == "-":
            import sys
            text = sys.stdin.read()
        else:
            try:
                with open(filename, encoding="utf-8", errors="surrogateescape") as f:
                    text = f.read()
            except OSError as e:
                import sys
                serverLog(LL_WARNING, "Fatal error, can't open config file '%s': %s",
                          filename, e.strerror)
                sys.exit(1)
    for kind, words in options:
        if kind == "stdin":
            import sys
            text += "\n" + sys.stdin.read()
        else:
            # As redis-server's main(): the name as given, then every value
            # quoted with sdscatrepr, so `--hz abc` reads back as `hz "abc"`
            # (and an error message shows it that way). A bare --save means
            # `save ""`.
            if len(words) == 1 and words[0].lower() == "save":
                words = words + [""]
            text += "\n" + words[0] + " " + " ".join(_quote_option(w) for w in words[1:])
    _loading_state["save_reset"] = False
    loadServerConfigFromString(text)


def _quote_option(w):
    """One command-line value as a config-line word (sdscatrepr, as main() does)."""
    return sdscatrepr(w.encode("utf-8", "surrogateescape")).decode("latin-1")


# -- CONFIG command ----------------------------------------------------------------------
CONFIG_HELP = [
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
]


def configHelpCommand(c):
    """CONFIG HELP (configHelpCommand)."""
    addReplyHelp(c, CONFIG_HELP)


def configGetCommand(c):
    """CONFIG GET pattern [pattern ...] (configGetCommand)."""
    matches = {}
    # The matches dict compares its keys without case (externalStringType):
    # a name typed in capitals is listed as typed, and is not listed again
    # when a pattern also reaches it (nor is it when it comes second).
    seen = set()
    for pat in c.argv[2:]:
        name = pat.decode("utf-8", "surrogateescape")
        # The glob test and the match read the pattern as a C string (up to
        # a NUL byte); the exact lookup hashes all of it.
        cpat = c_string(pat)
        if not any(ch in cpat for ch in b"[*?"):
            if pat.lower() in seen:
                continue
            cfg = lookupConfig(name)
            if cfg is not None:
                matches[name] = cfg
                seen.add(pat.lower())
            continue
        for key, cfg in CONFIGS.items():
            if cfg.flags & HIDDEN_CONFIG:
                continue
            # Aliases are keys of their own, and 7.0 lists them beside the
            # canonical name ("CONFIG GET *" has both hash-max-ziplist-entries
            # and hash-max-listpack-entries); only a repeated key is skipped.
            if key.encode() in seen:
                continue
            if stringmatchlen(cpat, key.encode(), True):
                matches[key] = cfg
                seen.add(key.encode())
    addReplyMapLen(c, len(matches))
    for key, cfg in matches.items():
        addReplyBulkCString(c, key)
        addReplyBulkCString(c, configGetValue(cfg))


def configSetCommand(c):
    """CONFIG SET parameter value [parameter value ...] (configSetCommand).

    All-or-nothing, as in 7.0: every value is checked and set, and on any
    failure the previous values are restored before replying the error.
    """
    argv = c.argv
    if len(argv) % 2:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    pairs = []
    seen = set()
    errstr = None
    err_arg = None
    unknown = None
    deny_loading = False
    invalid = False
    # Every pair is looked at even after an error, so that each sensitive
    # value (requirepass, masterauth ...) is redacted from MONITOR and the
    # slow log whatever the reply; only the first problem is reported.
    for i in range(2, len(argv), 2):
        name = argv[i].decode("utf-8", "surrogateescape")
        cfg = lookupConfig(name)
        if cfg is None:
            if not invalid:
                unknown = name
                invalid = True
            continue
        if cfg.flags & SENSITIVE_CONFIG:
            redactClientCommandArgument(c, i + 1)
        if invalid:
            continue
        if cfg.flags & IMMUTABLE_CONFIG or (cfg.flags & PROTECTED_CONFIG and
                                            not _protected_allowed(c)):
            errstr = ("can't set immutable config" if cfg.flags & IMMUTABLE_CONFIG
                      else "can't set protected config")
            err_arg = name
            invalid = True
            continue
        if server.loading and cfg.flags & DENY_LOADING_CONFIG:
            deny_loading = invalid = True
            continue
        # Redis's config dict holds an alias as an entry of its own, named
        # by the alias: a parameter given once by its name and once by its
        # alias is no duplicate (both are set, the last wins), and an error
        # names the entry that was looked up.
        entry = cfg.alias if cfg.alias and name.lower() == cfg.alias else cfg.name
        if (cfg, entry) in seen:
            errstr = "duplicate parameter"
            err_arg = name
            invalid = True
            continue
        seen.add((cfg, entry))
        pairs.append((cfg, entry, argv[i + 1].decode("utf-8", "surrogateescape")))
    if invalid:
        # The loading error first (clients may retry on it), then an
        # unknown name, then the rest: configSetCommand's precedence.
        if deny_loading:
            addReplyErrorObject(c, shared.loadingerr)
        elif unknown is not None:
            addReplyErrorFormat(c, "Unknown option or number of arguments for CONFIG SET - '%s'",
                                unknown)
        else:
            addReplyErrorFormat(c, "CONFIG SET failed (possibly related to argument '%s') - %s",
                                err_arg, errstr)
        return
    old = [(cfg, configGetValue(cfg)) for cfg, _, _ in pairs]
    applied = []
    applied_by = []
    for cfg, entry, val in pairs:
        args = sdssplitargs(val) if cfg.flags & MULTI_ARG_CONFIG else [val.encode(
            "utf-8", "surrogateescape")]
        if args is None:
            args = [val.encode()]
        if cfg.flags & MULTI_ARG_CONFIG and not args:
            args = [b""]
        err = _set_value(cfg, [a.decode("utf-8", "surrogateescape") for a in args], False)
        if err:
            _restore(old)
            addReplyErrorFormat(c, "CONFIG SET failed (possibly related to argument '%s') - %s",
                                entry, err)
            return
        if cfg.apply and cfg.apply not in applied:
            applied.append(cfg.apply)
            applied_by.append(entry)
    for fn, name in zip(applied, applied_by):
        err = fn()
        if err:
            _restore(old)
            for fn2 in applied:
                fn2()
            # Named after the first parameter that brought this apply step.
            addReplyErrorFormat(c, "CONFIG SET failed (possibly related to argument '%s') - %s",
                                name, err)
            return
    addReply(c, shared.ok)


def _restore(old):
    for cfg, val in old:
        args = sdssplitargs(val) if cfg.flags & MULTI_ARG_CONFIG else [val.encode()]
        if cfg.flags & MULTI_ARG_CONFIG and not args:
            args = [b""]
        _set_value(cfg, [a.decode("utf-8", "surrogateescape") for a in (args or [b""])], False)


def _protected_allowed(c):
    return allowProtectedAction(server.enable_protected_configs, c)


def configResetStatCommand(c):
    """CONFIG RESETSTAT (configResetStatCommand)."""
    resetServerStats()
    addReply(c, shared.ok)


def configRewriteCommand(c):
    """CONFIG REWRITE (configRewriteCommand)."""
    if not server.configfile:
        addReplyError(c, "The server is running without a config file")
        return
    try:
        rewriteConfig(server.configfile)
    except OSError as e:
        addReplyError(c, "Rewriting config file: %s" % e.strerror)
        return
    addReply(c, shared.ok)


REDIS_CONFIG_REWRITE_SIGNATURE = "# Generated by CONFIG REWRITE"

# Directives that are not configs but belong in a config file; their lines
# are kept (and "user" lines are rewritten from the users we have).
_REWRITE_KNOWN_DIRECTIVES = ("include", "rename-command", "user", "loadmodule", "sentinel")


class rewriteConfigState:
    """The old file's lines and where each option appears (struct rewriteConfigState)."""
    __slots__ = ("option_to_line", "rewritten", "lines", "needs_signature")

    def __init__(self):
        self.option_to_line = {}
        self.rewritten = set()
        self.lines = []
        self.needs_signature = True


def rewriteConfigReadOldFile(path):
    """Read the old file into a rewriteConfigState (rewriteConfigReadOldFile).

    Comments and blank lines are kept; a line that is neither a known
    config nor a known directive is kept commented out as "# ??? line",
    as Redis does.
    """
    state = rewriteConfigState()
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except FileNotFoundError:
        return state
    if not text:
        return state
    for raw in text.split("\n"):
        line = raw.strip("\r\n\t ")
        if not line or line[0] == "#":
            if state.needs_signature and line == REDIS_CONFIG_REWRITE_SIGNATURE:
                state.needs_signature = False
            state.lines.append(line)
            continue
        argv = sdssplitargs(line.encode("utf-8", "surrogateescape"))
        name = argv[0].decode("utf-8", "surrogateescape").lower() if argv else None
        cfg = lookupConfig(name) if name else None
        if cfg is None and name not in _REWRITE_KNOWN_DIRECTIVES:
            state.lines.append("# ??? " + line)
            continue
        state.lines.append(line)
        key = cfg.name if cfg is not None else name     # aliases count as their config
        state.option_to_line.setdefault(key, []).append(len(state.lines) - 1)
    # split("\n") gives a last empty piece for a file ending in a newline,
    # which sdssplitlen also yields; the blank-line squeezing absorbs it.
    return state


def rewriteConfigRewriteLine(state, option, line, force):
    """Put `line` where `option` was, or append it if forced (rewriteConfigRewriteLine)."""
    state.rewritten.add(option)
    where = state.option_to_line.get(option)
    if not where and not force:
        return
    if where:
        state.lines[where.pop(0)] = line
        if not where:
            del state.option_to_line[option]
    else:
        if state.needs_signature:
            state.lines.append(REDIS_CONFIG_REWRITE_SIGNATURE)
            state.needs_signature = False
        state.lines.append(line)


def rewriteConfigRemoveOrphaned(state):
    """Blank the leftover lines of rewritten options (rewriteConfigRemoveOrphaned)."""
    for option, where in state.option_to_line.items():
        if option in state.rewritten:
            for i in where:
                state.lines[i] = ""


def rewriteConfigGetContentFromState(state):
    """The new file text, runs of blank lines squeezed to one (rewriteConfigGetContentFromState)."""
    out = []
    was_empty = False
    for line in state.lines:
        if not line:
            if was_empty:
                continue
            was_empty = True
        else:
            was_empty = False
        out.append(line + "\n")
    return "".join(out)


# Options Redis always writes out, whatever their value (their rewrite
# functions pass force=1): dir has no default, save and the percentiles are
# written unconditionally.
_ALWAYS_REWRITE = ("save", "dir", "latency-tracking-info-percentiles")


def rewriteConfig(path):
    """Write the running configuration back to the file (rewriteConfig).

    Every option replaces the lines that set it in the old file (extra
    lines become blank); an option not in the file is appended, below a
    "# Generated by CONFIG REWRITE" line, only when it differs from its
    default. Comments and directives are kept. Written to a temp file,
    fsynced and renamed, so a crash never leaves a half-written config.
    """
    state = rewriteConfigReadOldFile(path)
    for cfg in CONFIG_TABLE:
        cur = configGetValue(cfg)
        force = cfg.name in _ALWAYS_REWRITE or cur != _default_string(cfg)
        for line in _rewrite_lines(cfg, cur):
            rewriteConfigRewriteLine(state, cfg.name, line, force)
        state.rewritten.add(cfg.name)
    rewriteConfigUserOption(state)
    rewriteConfigRemoveOrphaned(state)
    data = rewriteConfigGetContentFromState(state)
    tmp = "%s.tmp-%d" % (path, os.getpid())
    try:
        with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def rewriteConfigUserOption(state):
    """Write the ACL users; ours is just "default" (rewriteConfigUserOption)."""
    if server.requirepass:
        import hashlib
        pw = server.requirepass
        pw = pw.encode("utf-8", "surrogateescape") if isinstance(pw, str) else bytes(pw)
        auth = "#" + hashlib.sha256(pw).hexdigest()
    else:
        auth = "nopass"
    rewriteConfigRewriteLine(state, "user", "user default on %s ~* &* +@all" % auth, True)
    state.rewritten.add("user")


def _default_string(cfg):
    if cfg.type == "special":
        return {"dir": None, "save": "3600 1 300 100 60 10000",
                "client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 "
                                              "pubsub 33554432 8388608 60",
                "oom-score-adj-values": "0 200 800", "notify-keyspace-events": "",
                "bind": "* -::*", "replicaof": "",
                "latency-tracking-info-percentiles": "50 99 99.9"}.get(cfg.name)
    saved = getattr(server, cfg.attr)
    setattr(server, cfg.attr, cfg.default)
    d = configGetValue(cfg)
    setattr(server, cfg.attr, saved)
    return d


def _rewrite_lines(cfg, cur):
    if cfg.name == "save":
        if not server.saveparams:
            return ['save ""']
        return ["save %d %d" % (p.seconds, p.changes) for p in server.saveparams]
    if cfg.name == "client-output-buffer-limit":
        w = cur.split()
        return ["client-output-buffer-limit %s" % " ".join(w[i:i + 4]) for i in range(0, len(w), 4)]
    if cfg.name == "dir":
        return ['dir "%s"' % cur]
    if cur == "":
        return ['%s ""' % cfg.name]
    if cfg.type == "string":
        return ['%s "%s"' % (cfg.name, cur.replace("\\", "\\\\").replace('"', '\\"'))]
    return ["%s %s" % (cfg.name, cur)]
