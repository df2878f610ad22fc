"""The server: start-up, the command table, processCommand/call, the cron (our server.c).

Start-up follows Redis's main(): initServerConfig (defaults), the config
file and command-line options (config.py), initServer (event loop,
databases, listening sockets, the serverCron time event), loading data
(loadDataFromDisk, once RDB lands), then aeMain.

A command's life, once networking.py has parsed it into c.argv:

    processCommand   look it up, check it may run now (arity, auth, OOM,
                     MULTI, replica state...), then
    call             run c.cmd.proc (setCommand ...), time it, count it,
                     feed the slow log and the monitors, and collect what
                     must be propagated to the AOF and replicas.

serverCron is the time event run `hz` times a second; the duties it has
in Redis live in the functions it calls, named as in Redis.
"""

import gc
import importlib
import os
import signal
import sys
import time
from time import time_ns

from . import REDIS_VERSION, ae
from .anet import anetTcpServer
from .commands import COMMAND_TABLE
from .networking import (
    acceptTcpHandler, addReply, addReplyArrayLen, addReplyBulkCBuffer, addReplyBulkCString,
    addReplyBulkLongLong, addReplyError, addReplyErrorArity, addReplyErrorFormat,
    addReplyErrorObject, addReplyHelp, addReplyLongLong, addReplyMapLen, addReplyNull,
    addReplySetLen, addReplyStatus, addReplyVerbatim, argstr, cstrarg,
    checkClientPauseTimeoutAndReturnIfPaused, closeClientOnOutputBufferLimitReached,
    flushSlavesOutputBuffers, freeClient, freeClientAsync, freeClientsInAsyncFreeQueue,
    getClientMemoryUsage, getClientType, handleClientsWithPendingWrites, islocalClient,
)
from .server_h import (
    ACTIVE_EXPIRE_CYCLE_FAST, ACTIVE_EXPIRE_CYCLE_SLOW, BLOCKED_POSTPONE, CHILD_TYPE_NONE,
    CLIENT_BLOCKED, CLIENT_CLOSE_AFTER_COMMAND, CLIENT_CLOSE_AFTER_REPLY, CLIENT_DENY_BLOCKING
    as DENY, CLIENT_FORCE_AOF, CLIENT_FORCE_REPL, CLIENT_MASTER, CLIENT_MONITOR, CLIENT_MULTI,
    CLIENT_PAUSE_ALL, CLIENT_PAUSE_OFF, CLIENT_PAUSE_WRITE, CLIENT_PREVENT_AOF_PROP,
    CLIENT_PREVENT_PROP, CLIENT_PREVENT_REPL_PROP, CLIENT_PUBSUB, CLIENT_SLAVE, CLIENT_TRACKING,
    CLIENT_TRACKING_BCAST, CMD_ADMIN,
    CMD_CALL_FULL, CMD_CALL_PROPAGATE, CMD_CALL_PROPAGATE_AOF, CMD_CALL_PROPAGATE_REPL,
    CMD_CALL_SLOWLOG, CMD_CALL_STATS, CMD_DENYOOM, CMD_FAST, CMD_LOADING, CMD_MAY_REPLICATE,
    CMD_NO_AUTH, CMD_NO_MULTI, CMD_PROTECTED, CMD_PUBSUB, CMD_READONLY, CMD_SKIP_MONITOR,
    CMD_STALE, CMD_WRITE, COMMAND_FLAG_NAMES, CONFIG_MAX_HZ, CONFIG_MIN_HZ, CONFIG_RUN_ID_SIZE,
    C_ERR, C_OK, LL_DEBUG, LL_NOTICE, LL_RAW, LL_VERBOSE, LL_WARNING, LRU_CLOCK_MAX,
    LRU_CLOCK_RESOLUTION, MAX_CLIENTS_PER_CLOCK_TICK, PROPAGATE_AOF, PROPAGATE_NONE,
    PROPAGATE_REPL, REPL_STATE_CONNECTED, SHUTDOWN_FORCE, SHUTDOWN_NOFLAGS, SHUTDOWN_NOSAVE, SHUTDOWN_NOW,
    SHUTDOWN_SAVE, STATS_METRIC_COMMAND, STATS_METRIC_COUNT, STATS_METRIC_NET_INPUT,
    STATS_METRIC_NET_OUTPUT, STATS_METRIC_SAMPLES, redisCommand, server, shared,
)
from .util import bytesToHuman as h, c_string, getRandomHexChars, mstime, stringmatchlen, ustime
from .acl import checkPasswordAndAuthenticate as check
from .object import DICT_ENTRY_SIZE, _dict_overhead, flush_memory_charges, pending_charges
from .replication import replicationFeedMonitors
from .slowlog import slowlogPushCurrentCommand
from .timeout import handleBlockedClientsTimeout

# The modules that implement commands, in the order their procs are looked
# up. Listing one that does not exist yet is fine: the commands it would
# implement are simply absent from the table (unknown command), which is
# what a later issue fills in.
COMMAND_MODULES = (
    "server", "networking", "db", "object", "t_string", "expire", "config", "acl", "debug",
    "t_list", "t_hash", "t_set", "t_zset", "bitops", "hyperloglog", "geo", "sort",
    "multi", "blocked", "pubsub", "notify", "rdb", "aof", "replication", "slowlog",
    "latency", "evict", "cluster", "sentinel", "script", "t_stream", "tracking", "lolwut",
)

_LOG_CHARS = ".-*#"


# ---------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------
def serverLogRaw(level, msg):
    """Write one log line in Redis's format (serverLogRaw).

    `pid:role day month year hh:mm:ss.mmm <level char> message`, where the
    role is M (master), S (replica), C (a forked child) or X (sentinel).
    """
    rawmode = level & LL_RAW
    level &= 0xff
    if level < server.verbosity:
        return
    if rawmode:
        line = msg
    else:
        now = time.time()
        tm = time.localtime(now)
        stamp = time.strftime("%d %b %Y %H:%M:%S", tm) + ".%03d" % int((now % 1) * 1000)
        if server.sentinel_mode:
            role = "X"
        elif os.getpid() != server.pid:
            role = "C"
        else:
            role = "S" if server.masterhost else "M"
        line = "%d:%s %s %s %s" % (os.getpid(), role, stamp, _LOG_CHARS[level], msg)
    logfile = server.logfile
    try:
        if not logfile:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
        else:
            with open(logfile, "a") as f:
                f.write(line + "\n")
    except OSError:
        pass


def serverLog(level, fmt, *args):
    """printf-style logging at `level` (serverLog)."""
    if (level & 0xff) < server.verbosity:
        return
    serverLogRaw(level, (fmt % args) if args else fmt)


# ---------------------------------------------------------------------------
# Shared objects
# ---------------------------------------------------------------------------
def createSharedObjects():
    """Build the preformatted replies every command reuses (createSharedObjects)."""
    s = shared
    s.crlf = b"\r\n"
    s.ok = b"+OK\r\n"
    s.emptybulk = b"$0\r\n\r\n"
    s.czero = b":0\r\n"
    s.cone = b":1\r\n"
    s.emptyarray = b"*0\r\n"
    s.pong = b"+PONG\r\n"
    s.queued = b"+QUEUED\r\n"
    s.wrongtypeerr = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    s.err = b"-ERR\r\n"
    s.nokeyerr = b"-ERR no such key\r\n"
    s.syntaxerr = b"-ERR syntax error\r\n"
    s.sameobjecterr = b"-ERR source and destination objects are the same\r\n"
    s.outofrangeerr = b"-ERR index out of range\r\n"
    s.noscripterr = b"-NOSCRIPT No matching script. Please use EVAL.\r\n"
    s.loadingerr = b"-LOADING Redis is loading the dataset in memory\r\n"
    s.slowevalerr = (b"-BUSY Redis is busy running a script. You can only call SCRIPT KILL "
                     b"or SHUTDOWN NOSAVE.\r\n")
    s.slowscripterr = (b"-BUSY Redis is busy running a script. You can only call FUNCTION KILL "
                       b"or SHUTDOWN NOSAVE.\r\n")
    s.slowmoduleerr = b"-BUSY Redis is busy running a module command.\r\n"
    s.masterdownerr = (b"-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is "
                       b"set to 'no'.\r\n")
    s.bgsaveerr = (b"-MISCONF Redis is configured to save RDB snapshots, but it's currently "
                   b"unable to persist to disk. Commands that may modify the data set are "
                   b"disabled, because this instance is configured to report errors during "
                   b"writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). "
                   b"Please check the Redis logs for details about the RDB error.\r\n")
    s.roslaveerr = b"-READONLY You can't write against a read only replica.\r\n"
    s.noautherr = b"-NOAUTH Authentication required.\r\n"
    s.oomerr = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    s.execaborterr = b"-EXECABORT Transaction discarded because of previous errors.\r\n"
    s.noreplicaserr = b"-NOREPLICAS Not enough good replicas to write.\r\n"
    s.busykeyerr = b"-BUSYKEY Target key name already exists.\r\n"
    s.null = {2: b"$-1\r\n", 3: b"_\r\n"}
    s.nullarray = {2: b"*-1\r\n", 3: b"_\r\n"}
    s.emptymap = {2: b"*0\r\n", 3: b"%0\r\n"}
    s.emptyset = {2: b"*0\r\n", 3: b"~0\r\n"}
    s.plus = b"+"
    s.space = b" "


# ---------------------------------------------------------------------------
# The command table
# ---------------------------------------------------------------------------
_FLAG_BITS = {name.upper(): bit for bit, name in COMMAND_FLAG_NAMES}
_FLAG_BITS.update({"MAY_REPLICATE": CMD_MAY_REPLICATE, "NO_AUTH": CMD_NO_AUTH,
                   "PROTECTED": CMD_PROTECTED, "SENTINEL": 1 << 17, "ONLY_SENTINEL": 1 << 18})


def _resolve_proc(name, modules):
    for mod in modules:
        fn = getattr(mod, name, None)
        if fn is not None:
            return fn
    return None


def _command_modules():
    # Only modules present in this package directory: an editable install of
    # another checkout could otherwise supply a missing module from elsewhere.
    here = os.path.dirname(os.path.abspath(__file__))
    mods = []
    for name in COMMAND_MODULES:
        if not os.path.exists(os.path.join(here, name + ".py")):
            continue
        full = "pyredis." + name
        try:
            mods.append(importlib.import_module(full))
        except ModuleNotFoundError as e:
            if e.name != full:
                raise
    return mods


def _is_index_range(ks):
    return "index" in ks.get("begin_search", {}) and "range" in ks.get("find_keys", {})


def populateCommandLegacyRangeSpec(spec):
    """(firstkey, lastkey, step, movable) for COMMAND INFO (populateCommandLegacyRangeSpec).

    The pre-7.0 (first, last, step) triple is folded from a leading run of
    "index + range" key specs with step 1; anything it cannot describe marks
    the command movablekeys, so clients know to ask COMMAND GETKEYS.
    """
    specs = spec.get("key_specs") or []
    if not specs:
        return 0, 0, 0, False
    if len(specs) == 1 and _is_index_range(specs[0]):
        ks = specs[0]
        pos = ks["begin_search"]["index"]["pos"]
        rng = ks["find_keys"]["range"]
        last = rng["lastkey"]
        return (pos, last + pos if last >= 0 else last, rng["step"],
                "INCOMPLETE" in ks.get("flags", []))
    movable = False
    firstkey, lastkey, prev_lastkey = None, 0, 0
    for ks in specs:
        if not _is_index_range(ks):
            movable = True
            continue
        pos = ks["begin_search"]["index"]["pos"]
        rng = ks["find_keys"]["range"]
        if rng["step"] != 1 or (prev_lastkey and prev_lastkey != pos - 1):
            movable = True
            continue
        if "INCOMPLETE" in ks.get("flags", []):
            movable = True
        firstkey = pos if firstkey is None else min(firstkey, pos)
        last_abs = rng["lastkey"]
        if last_abs >= 0:
            last_abs += pos
        # C compares as unsigned, so a negative (relative-to-end) last wins.
        lastkey = max(lastkey & 0xffffffff, last_abs & 0xffffffff)
        lastkey = lastkey - (1 << 32) if lastkey >= (1 << 31) else lastkey
        prev_lastkey = lastkey
    if firstkey is None:
        return 0, 0, 0, True
    return firstkey, lastkey, 1, movable


def _build_command(name, spec, modules, parent=None):
    cmd = redisCommand()
    cmd.declared_name = name
    cmd.fullname = name if parent is None else "%s|%s" % (parent.declared_name, name)
    cmd.parent = parent
    cmd.spec = spec
    cmd.summary = spec.get("summary")
    cmd.since = spec.get("since")
    cmd.group = spec.get("group")
    cmd.complexity = spec.get("complexity")
    cmd.doc_flags = spec.get("doc_flags", [])
    cmd.deprecated_since = spec.get("deprecated_since")
    cmd.replaced_by = spec.get("replaced_by")
    cmd.history = spec.get("history", [])
    cmd.tips = spec.get("command_tips", [])
    cmd.arity = spec["arity"]
    flags = 0
    for f in spec.get("command_flags", []):
        flags |= _FLAG_BITS.get(f, 0)
    cmd.acl_categories = spec.get("acl_categories", [])
    cmd.key_specs = spec.get("key_specs", [])
    cmd.args = spec.get("arguments", [])
    first, last, step, movable = populateCommandLegacyRangeSpec(spec)
    cmd.firstkey, cmd.lastkey, cmd.keystep = first, last, step
    # 7.0 derives movablekeys from the key specs only (a getkeys proc alone,
    # as SET's, does not make the keys movable; 7.2 changed that).
    if movable:
        flags |= 1 << 25   # CMD_MOVABLE_KEYS
    cmd.flags = flags
    fn = spec.get("function")
    cmd.proc = _resolve_proc(fn, modules) if fn else None
    gk = spec.get("get_keys_function")
    cmd.getkeys_proc = _resolve_proc(gk, modules) if gk else None
    subs = spec.get("subcommands")
    if subs:
        cmd.subcommands_dict = {}
        for sname, sspec in subs.items():
            sub = _build_command(sname, sspec, modules, cmd)
            if sub.proc is not None:
                cmd.subcommands_dict[sname] = sub
    return cmd


def populateCommandTable():
    """Build server.commands from the generated table (populateCommandTable).

    Only commands whose implementation exists are installed, so an
    unimplemented command answers "unknown command" instead of failing
    later, and COMMAND COUNT tells what this build really serves.
    """
    modules = _command_modules()
    server.commands = {}
    for name, spec in COMMAND_TABLE.items():
        cmd = _build_command(name, spec, modules)
        if cmd.subcommands_dict is not None:
            if not cmd.subcommands_dict:
                continue
        elif cmd.proc is None:
            continue
        server.commands[name] = cmd
    server.orig_commands = dict(server.commands)
    from .config import applyRenameCommands
    applyRenameCommands()
    register_module_hooks()


def register_module_hooks():
    """Plug the type and persistence modules into the server's hook tables (Python-only).

    In C, dupObject, the SCAN callbacks and the RDB duties are direct calls
    between files; here the server reaches them through tables
    (dup_object_hooks, scan_item_hooks, cron_hooks ...) that initServerConfig
    creates. Registering is done here, after the tables exist, rather than
    when each module is imported: modules are imported while the server
    module itself loads, long before initServerConfig. Idempotent.
    """
    from . import aof, rdb, t_hash, t_list, t_set, t_zset
    for module in (t_list, t_hash, t_set, t_zset):
        module._register_hooks()
    rdb.rdbRegister()
    aof.aofRegister()
    from . import replication
    replication.replicationRegister()


def isContainerCommandBySds(name):
    """Is `name` a command with subcommands (isContainerCommandBySds)?"""
    cmd = server.commands.get(name.lower().decode("latin-1"))
    return cmd is not None and cmd.subcommands_dict is not None


def lookupSubcommand(container, sub_name):
    return container.subcommands_dict.get(sub_name.lower().decode("latin-1"))


def lookupCommandLogic(commands, argv, strict):
    """Find the command for argv, descending into subcommands (lookupCommandLogic)."""
    try:
        base = commands.get(argv[0].decode("ascii").lower())
    except UnicodeDecodeError:
        return None
    if base is None:
        return None
    if base.subcommands_dict is None or len(argv) == 1:
        # Strict lookups ("object|encoding" by name) must name exactly one
        # command: extra parts after a plain command are not a match.
        if strict and len(argv) != 1:
            return None
        return base
    if strict and len(argv) != 2:
        return None
    return lookupSubcommand(base, argv[1])


_command_cache = {}


def lookupCommand(argv):
    """The command argv names, or None (lookupCommand).

    Names are matched case-insensitively; a cache maps the exact bytes a
    client sends ("SET", "set") to the command, so the common case is one
    dict lookup without lower-casing.
    """
    name = argv[0]
    cmd = _command_cache.get(name)
    if cmd is None:
        cmd = lookupCommandLogic(server.commands, argv, False)
        if cmd is None:
            # pyredis-only tools (PYREDIS.PROBE) live outside the table, so
            # COMMAND never lists them; only a miss pays for this lookup.
            return server.hidden_commands.get(name.lower())
        # Only plain commands are cached by name: for a container the
        # answer depends on argv[1] (caching "config" -> config|get would
        # turn the next CONFIG SET into a CONFIG GET).
        if cmd.subcommands_dict is not None or cmd.parent is not None:
            return cmd
        if len(_command_cache) < 4096:
            _command_cache[name] = cmd
        return cmd
    return cmd


def lookupCommandBySds(name):
    """Find a command by "name" or "container|sub" (lookupCommandBySds)."""
    parts = name.split(b"|")
    if len(parts) > 2:
        return None
    return lookupCommandLogic(server.commands, parts, True)


def lookupCommandOrOriginal(argv):
    cmd = lookupCommandLogic(server.commands, argv, False)
    if cmd is None:
        cmd = lookupCommandLogic(server.orig_commands, argv, False)
    return cmd


def resetCommandTableStats(commands=None):
    """Zero every command's statistics (resetCommandTableStats)."""
    for cmd in (commands or server.commands).values():
        cmd.microseconds = cmd.calls = cmd.rejected_calls = cmd.failed_calls = 0
        cmd.latency_histogram = None
        if cmd.subcommands_dict:
            resetCommandTableStats(cmd.subcommands_dict)


def resetErrorTableStats():
    server.errors = {}


# ---------------------------------------------------------------------------
# processCommand and call
# ---------------------------------------------------------------------------
def commandCheckExistence(c):
    """None if the command exists, else the error text (commandCheckExistence)."""
    if c.cmd is not None:
        return None
    # The arguments are printed as C strings, by "%.128s": cut at a NUL byte
    # and counted in bytes.
    if isContainerCommandBySds(c.argv[0]):
        err = "unknown subcommand '%s'. Try %s HELP." % (cstrarg(c.argv[1], 128),
                                                           argstr(c.argv[0]).upper())
    else:
        args = b""
        for a in c.argv[1:]:
            if len(args) >= 128:
                break
            args += b"'%s' " % c_string(a)[:128 - len(args)]
        err = "unknown command '%s', with args beginning with: %s" % (
            cstrarg(c.argv[0], 128), argstr(args))
    return err.replace("\r", " ").replace("\n", " ")


def commandCheckArity(c):
    """None if argc suits the command's arity, else the error (commandCheckArity)."""
    arity = c.cmd.arity
    argc = len(c.argv)
    if (arity > 0 and arity != argc) or argc < -arity:
        return "wrong number of arguments for '%s' command" % c.cmd.fullname
    return None


def rejectCommand(c, reply):
    """Refuse the command with a shared error (rejectCommand)."""
    flagTransaction(c)
    if c.cmd is not None:
        c.cmd.rejected_calls += 1
    if c.cmd is not None and c.cmd.fullname == "exec":
        from .multi import execCommandAbort
        execCommandAbort(c, reply[1:-2].decode())
    else:
        addReplyErrorObject(c, reply)


def rejectCommandStr(c, err):
    """Refuse the command with an error message (rejectCommandSds / rejectCommandFormat)."""
    flagTransaction(c)
    if c.cmd is not None:
        c.cmd.rejected_calls += 1
    if c.cmd is not None and c.cmd.fullname == "exec":
        from .multi import execCommandAbort
        execCommandAbort(c, err)
    else:
        addReplyError(c, err.replace("\r", " ").replace("\n", " "))


def flagTransaction(c):
    """An error while queueing makes EXEC abort (flagTransaction)."""
    if c.flags & CLIENT_MULTI:
        c.flags |= 1 << 12   # CLIENT_DIRTY_EXEC


def securityWarningCommand(c):
    """Close connections that look like HTTP sent to us (securityWarningCommand)."""
    serverLog(LL_WARNING, "Possible SECURITY ATTACK detected. It looks like somebody is sending "
              "POST or Host: commands to Redis. This is likely due to an attacker attempting to "
              "use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.")
    freeClientAsync(c)


def processCommand(c):
    """Check the parsed command may run now, then run or queue it (processCommand).

    The checks run in Redis's order, because the order decides which error a
    client sees when several apply: existence, arity, protected commands,
    authentication, MULTI restrictions, memory, disk errors, replica
    read-only, pub/sub context, loading. Returns C_OK when the client is
    still alive; C_ERR when it was closed.

    This runs once per command, so each check starts with the test that is
    false in the common case (a server and client state read through
    locals), and lookupCommand is only called when the name-to-command cache
    misses.
    """
    argv = c.argv
    cmd = _command_cache.get(argv[0]) or lookupCommand(argv)
    if cmd is None:
        a0 = c_string(argv[0]).lower()      # strcasecmp, not the table lookup
        if a0 == b"host:" or a0 == b"post":
            securityWarningCommand(c)
            return C_ERR
    c.cmd = c.lastcmd = c.realcmd = cmd
    if cmd is None:
        rejectCommandStr(c, commandCheckExistence(c))
        return C_OK
    arity = cmd.arity
    argc = len(argv)
    if (arity > 0 and arity != argc) or argc < -arity:
        rejectCommandStr(c, "wrong number of arguments for '%s' command" % cmd.fullname)
        return C_OK

    srv = server
    cflags = c.flags
    cmd_flags = cmd.flags
    if cmd_flags & CMD_PROTECTED:
        if cmd.fullname == "debug" and not allowProtectedAction(srv.enable_debug_cmd, c):
            rejectCommandStr(c, 'DEBUG command not allowed. If the enable-debug-command option is '
                             'set to "local", you can run it from a local connection, otherwise you '
                             'need to set this option in the configuration file, and then restart '
                             'the server.')
            return C_OK
        if cmd.fullname.startswith("module") and not allowProtectedAction(srv.enable_module_cmd, c):
            rejectCommandStr(c, 'MODULE command not allowed. If the enable-module-command option is '
                             'set to "local", you can run it from a local connection, otherwise you '
                             'need to set this option in the configuration file, and then restart '
                             'the server.')
            return C_OK

    if cflags & CLIENT_MULTI and cmd.fullname == "exec":
        cmd_flags |= c.mstate.cmd_flags

    if srv.requirepass and not c.authenticated:
        if not (cmd_flags & CMD_NO_AUTH):
            rejectCommand(c, shared.noautherr)
            return C_OK

    if cflags & CLIENT_MULTI and cmd_flags & CMD_NO_MULTI:
        rejectCommandStr(c, "Command not allowed inside a transaction")
        return C_OK

    if srv.maxmemory:
        from .evict import EVICT_FAIL, performEvictions
        out_of_memory = performEvictions() == EVICT_FAIL
        # An evicted key's invalidation belongs before this command's reply.
        if srv.tracking_pending_keys:
            trackingHandlePendingKeyInvalidations()
        if srv.current_client is None:
            return C_ERR
        reject_cmd_on_oom = cmd_flags & CMD_DENYOOM
        if cflags & CLIENT_MULTI and cmd.fullname not in ("exec", "discard", "quit", "reset"):
            reject_cmd_on_oom = True
        if out_of_memory and reject_cmd_on_oom:
            rejectCommand(c, shared.oomerr)
            return C_OK
        srv.pre_command_oom_state = out_of_memory

    # Both MISCONF checks apply to writes and PING only.
    if srv.lastbgsave_status == C_ERR and srv.stop_writes_on_bgsave_err and srv.saveparams and \
            not srv.masterhost and (cmd_flags & CMD_WRITE or cmd.fullname == "ping"):
        rejectCommand(c, shared.bgsaveerr)
        return C_OK
    if srv.aof_state and srv.aof_last_write_status == C_ERR and \
            not srv.masterhost and (cmd_flags & CMD_WRITE or cmd.fullname == "ping"):
        rejectCommandStr(c, "-MISCONF Errors writing to the AOF file: %s" % srv.aof_last_write_errno)
        return C_OK

    if srv.masterhost and srv.repl_slave_ro and not (cflags & CLIENT_MASTER) and \
            cmd_flags & CMD_WRITE:
        rejectCommand(c, shared.roslaveerr)
        return C_OK

    if cflags & CLIENT_PUBSUB and c.resp == 2 and cmd.fullname not in (
            "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe",
            "punsubscribe", "quit", "reset"):
        rejectCommandStr(c, "Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
                         "QUIT / RESET are allowed in this context" % cmd.fullname)
        return C_OK

    if srv.masterhost and srv.repl_state != REPL_STATE_CONNECTED and not srv.repl_serve_stale_data and \
            not (cmd_flags & CMD_STALE):
        rejectCommand(c, shared.masterdownerr)
        return C_OK

    if srv.loading and not srv.async_loading and not (cmd_flags & CMD_LOADING):
        rejectCommand(c, shared.loadingerr)
        return C_OK

    if cflags & CLIENT_SLAVE and cmd_flags & (CMD_WRITE | CMD_MAY_REPLICATE | CMD_READONLY):
        rejectCommandStr(c, "Replica can't interact with the keyspace")
        return C_OK

    # CLIENT PAUSE: park the client until the pause ends.
    if srv.client_pause_type != CLIENT_PAUSE_OFF and not (cflags & CLIENT_SLAVE) and (
            srv.client_pause_type == CLIENT_PAUSE_ALL or
            (srv.client_pause_type == CLIENT_PAUSE_WRITE and cmd_flags & (CMD_WRITE | CMD_MAY_REPLICATE))):
        c.bpop.timeout = 0
        blocked.blockClient(c, BLOCKED_POSTPONE)
        return C_OK

    if cflags & CLIENT_MULTI and cmd.fullname not in ("exec", "discard", "multi", "watch",
                                                      "quit", "reset"):
        from .multi import queueMultiCommand
        queueMultiCommand(c, cmd_flags)
        addReply(c, shared.queued)
    else:
        call(c, CMD_CALL_FULL)
        if srv.ready_keys:
            blocked.handleClientsBlockedOnKeys()
    return C_OK


import pyredis.networking as _networking  # noqa: E402
_networking.processCommand = processCommand


def allowProtectedAction(config, c):
    """enable-debug-command and friends: yes, no, or local (allowProtectedAction)."""
    if config == 1:     # PROTECTED_ACTION_ALLOWED_YES
        return True
    if config == 2:     # PROTECTED_ACTION_ALLOWED_LOCAL
        return islocalClient(c)
    return False


_PROP_FLAGS = CLIENT_FORCE_AOF | CLIENT_FORCE_REPL | CLIENT_PREVENT_PROP
_CLOSE_OR_TRACKING = CLIENT_CLOSE_AFTER_COMMAND | CLIENT_TRACKING


def call(c, flags):
    """Run a command and do what follows every command (call).

    Times c.cmd.proc with the wall clock (as 7.0 does with ustime()), updates
    the per-command calls/usec/failed_calls and latency histogram, feeds the
    latency monitor, the slow log and MONITOR clients, and collects what
    must be propagated. Propagation has one entry point, alsoPropagate, where
    the AOF and replication plug in. This runs once per command, so each
    optional duty is guarded by one cheap test and `server` is read through
    a local: a plain GET pays for none of them.
    """
    srv = server
    cmd = c.cmd
    real_cmd = c.realcmd
    # The force/prevent-propagation flags are per call: save and clear them.
    saved_prop = c.flags & _PROP_FLAGS
    if saved_prop:
        c.flags &= ~_PROP_FLAGS
    dirty = srv.dirty
    prev_err_count = srv.stat_total_error_replies
    # While a command runs, expiry compares with one time snapshot, so a
    # key cannot expire half way through (fixed_time_expire, as in 7.0).
    # The outermost call takes the snapshot from the same clock reading
    # that starts the timer: one clock call instead of two.
    nested = srv.fixed_time_expire
    srv.fixed_time_expire = nested + 1
    start = time_ns()
    if not nested:
        srv.cmd_time_snapshot = srv.mstime = start // 1000000
    srv.in_nested_call += 1
    try:
        cmd.proc(c)
    except Exception as e:     # a bug of ours must not take the server down
        commandRaised(c, e)
    srv.in_nested_call -= 1
    dur_ns = time_ns() - start
    if dur_ns < 0:             # the wall clock was set back meanwhile
        dur_ns = 0
    duration = dur_ns // 1000
    c.duration = duration
    if srv.stat_total_error_replies != prev_err_count:
        real_cmd.failed_calls += 1

    cflags = c.flags
    # Two rare cases behind one test, so that client tracking adds nothing
    # to the commands of other clients.
    if cflags & _CLOSE_OR_TRACKING:
        if cflags & CLIENT_CLOSE_AFTER_COMMAND:
            c.flags = cflags = (cflags & ~CLIENT_CLOSE_AFTER_COMMAND) | CLIENT_CLOSE_AFTER_REPLY
        if cflags & CLIENT_TRACKING:
            # A tracking client's read-only command has its keys remembered
            # (default mode only). Then, at the outermost call, the
            # invalidations held back for the client go out after its now
            # complete reply. Redis does both at the end of call(), after
            # propagating; no client can tell the difference.
            if cmd.flags & CMD_READONLY and not (cflags & CLIENT_TRACKING_BCAST):
                trackingRememberKeys(c)
            if srv.tracking_pending_keys and not srv.in_nested_call:
                trackingHandlePendingKeyInvalidations()

    if flags & CMD_CALL_SLOWLOG:
        if srv.latency_monitor_threshold:
            from .latency import latencyAddSampleIfNeeded
            latencyAddSampleIfNeeded("fast-command" if real_cmd.flags & CMD_FAST else "command",
                                     duration // 1000)
        if duration >= srv.slowlog_log_slower_than >= 0 and not (cflags & CLIENT_BLOCKED):
            slowlogPushCurrentCommand(c, real_cmd, duration)

    if srv.monitors and not (cmd.flags & (CMD_SKIP_MONITOR | CMD_ADMIN)):
        replicationFeedMonitors(c, srv.monitors, c.db.id,
                                c.original_argv if c.original_argv else c.argv)
    if c.original_argv is not None and not (cflags & CLIENT_BLOCKED):
        c.original_argv = None

    if flags & CMD_CALL_STATS:
        real_cmd.microseconds += duration
        real_cmd.calls += 1
        if srv.latency_tracking_enabled and not (cflags & CLIENT_BLOCKED):
            updateCommandLatencyHistogram(real_cmd, dur_ns)

    # Propagation: only when someone consumes it (AOF on, replicas).
    if srv.propagate_hooks and flags & CMD_CALL_PROPAGATE and \
            (cflags & CLIENT_PREVENT_PROP) != CLIENT_PREVENT_PROP and cmd.fullname != "exec":
        propagate_flags = PROPAGATE_NONE
        # A command that lowered dirty (DEBUG LOADAOF resets it) changed
        # nothing to propagate: C clamps the negative difference to 0.
        if srv.dirty > dirty:
            propagate_flags |= PROPAGATE_AOF | PROPAGATE_REPL
        if cflags & CLIENT_FORCE_REPL:
            propagate_flags |= PROPAGATE_REPL
        if cflags & CLIENT_FORCE_AOF:
            propagate_flags |= PROPAGATE_AOF
        if cflags & CLIENT_PREVENT_REPL_PROP or not (flags & CMD_CALL_PROPAGATE_REPL):
            propagate_flags &= ~PROPAGATE_REPL
        if cflags & CLIENT_PREVENT_AOF_PROP or not (flags & CMD_CALL_PROPAGATE_AOF):
            propagate_flags &= ~PROPAGATE_AOF
        if propagate_flags != PROPAGATE_NONE:
            alsoPropagate(c.db.id, c.argv, propagate_flags)

    if saved_prop or cflags & _PROP_FLAGS:
        c.flags = (c.flags & ~_PROP_FLAGS) | saved_prop
    srv.fixed_time_expire -= 1
    srv.stat_numcommands += 1
    if srv.also_propagate and not srv.in_nested_call:
        afterCommand(c)


def commandRaised(c, exc):
    """A command implementation raised: log it and answer an error (no C counterpart).

    Redis has no exceptions; a bug there ends in serverPanic and a crash
    report. Here a Python exception inside one command would unwind through
    aeMain and stop the whole server, so we log the traceback, reply an error
    to the one client, and keep serving everybody else.
    """
    import traceback
    serverLog(LL_WARNING, "Internal error running '%s': %s", c.cmd.fullname,
              traceback.format_exc().replace("\n", " | "))
    addReplyErrorFormat(c, "internal error in '%s': %s: %s", c.cmd.fullname,
                        type(exc).__name__, exc)


def updateCommandLatencyHistogram(cmd, duration_ns):
    """Count one run of `cmd` in its latency histogram (updateCommandLatencyHistogram).

    Redis keeps an HDR histogram per command for INFO latencystats. Ours is
    a log-linear histogram: 8 buckets per power of two of nanoseconds
    (12.5% resolution), a list of counters indexed with integer operations
    only, because this runs after every command.
    """
    h = cmd.latency_histogram
    if h is None:
        h = cmd.latency_histogram = [0] * 512
    if duration_ns < 16:
        h[duration_ns if duration_ns > 0 else 1] += 1
        return
    bl = duration_ns.bit_length()
    h[((bl - 3) << 3) | ((duration_ns >> (bl - 4)) & 7)] += 1


def afterCommand(c):
    """At the outermost call(), propagate what the command queued, then send
    the client the invalidations held back until its reply was complete (afterCommand)."""
    if server.also_propagate:
        propagatePendingCommands()
    if server.tracking_pending_keys:
        trackingHandlePendingKeyInvalidations()


def alsoPropagate(dbid, argv, target):
    """Queue a command for the AOF and/or replicas (alsoPropagate).

    Commands are queued rather than sent so that a command that causes
    others (an expired key's DEL, a MULTI's commands) propagates as one
    unit when the outermost call() returns.
    """
    if server.loading:
        return
    server.also_propagate.append((dbid, list(argv), target))


def propagate(dbid, argv, target):
    """Propagate now when outside any command, else queue (propagateNow's entry)."""
    if server.in_nested_call:
        alsoPropagate(dbid, argv, target)
    else:
        propagateNow(dbid, argv, target)


def propagateNow(dbid, argv, target):
    """Send one command to the AOF and/or the replicas (propagateNow).

    The AOF and replication issues register their feeders in
    server.propagate_hooks as (target flag, function(dbid, argv)).
    """
    if not server.propagate_hooks:
        return
    for flag, hook in server.propagate_hooks:
        if target & flag:
            hook(dbid, argv)


def propagatePendingCommands():
    """Flush the queue alsoPropagate filled, wrapping several in MULTI/EXEC (propagatePendingCommands)."""
    pending = server.also_propagate
    server.also_propagate = []
    if not server.propagate_hooks:
        return
    transaction = len(pending) > 1
    if transaction:
        dbid = pending[0][0]
        propagateNow(dbid, [b"MULTI"], PROPAGATE_AOF | PROPAGATE_REPL)
    for dbid, argv, target in pending:
        propagateNow(dbid, argv, target)
    if transaction:
        propagateNow(pending[0][0], [b"EXEC"], PROPAGATE_AOF | PROPAGATE_REPL)


def rewriteClientCommandVector(c, argv):
    """Replace the command's arguments for propagation, keeping the original for MONITOR
    and the slow log (rewriteClientCommandVector)."""
    if c.original_argv is None:
        c.original_argv = c.argv
    c.argv = list(argv)
    c.argc = len(argv)


def rewriteClientCommandArgument(c, i, newval):
    """Replace argument i, as rewriteClientCommandArgument does."""
    if c.original_argv is None:
        c.original_argv = list(c.argv)
    argv = list(c.argv)
    if i >= len(argv):
        argv.extend([b""] * (i + 1 - len(argv)))
    argv[i] = newval
    c.argv = argv
    c.argc = len(argv)


# ---------------------------------------------------------------------------
# Time and metrics
# ---------------------------------------------------------------------------
def updateCachedTimeWithUs(update_daylight_info, ustime_):
    server.ustime = ustime_
    server.mstime = ustime_ // 1000
    server.unixtime = server.mstime // 1000


def updateCachedTime(update_daylight_info):
    """Refresh server.unixtime / mstime / ustime (updateCachedTime).

    Most code reads these instead of asking the OS for the time: accurate
    to one event-loop iteration, and free.
    """
    updateCachedTimeWithUs(update_daylight_info, ustime())


def getLRUClock():
    return (mstime() // LRU_CLOCK_RESOLUTION) & LRU_CLOCK_MAX


class _instMetric:
    __slots__ = ("last_sample_time", "last_sample_count", "samples", "idx")

    def __init__(self):
        self.last_sample_time = 0
        self.last_sample_count = 0
        self.samples = [0] * STATS_METRIC_SAMPLES
        self.idx = 0


def trackInstantaneousMetric(metric, current_reading):
    """Add a per-second rate sample to a 16-slot ring (trackInstantaneousMetric)."""
    m = server.inst_metric[metric]
    now = mstime()
    t = now - m.last_sample_time
    ops = current_reading - m.last_sample_count
    ops_sec = (ops * 1000 // t) if t > 0 else 0
    m.samples[m.idx] = ops_sec
    m.idx = (m.idx + 1) % STATS_METRIC_SAMPLES
    m.last_sample_time = now
    m.last_sample_count = current_reading


def getInstantaneousMetric(metric):
    """The mean of the ring (getInstantaneousMetric)."""
    m = server.inst_metric[metric]
    return sum(m.samples) // STATS_METRIC_SAMPLES


def run_with_period(ms):
    """True when this cron tick is one where a duty of period `ms` should run.

    Redis's run_with_period macro: every tick when the period is shorter
    than the tick, else every (ms / tick length) ticks.
    """
    return ms <= 1000 // server.hz or server.cronloops % (ms // (1000 // server.hz)) == 0


def _read_statm_rss():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# used_memory at start-up: what redis-server 7.0.15 reports as
# used_memory_startup on 64-bit Linux with the default configuration (its
# own structures: the shared objects, the command table, empty dbs). A
# constant, so the model below is deterministic from one run to the next.
USED_MEMORY_STARTUP = 876024

CLIENTS_PEAK_MEM_USAGE_SLOTS = 8
CLIENTS_CRON_MIN_ITERATIONS = 5


def getUsedMemory():
    """The server's used_memory, per the memory model (zmalloc_used_memory's role).

    Redis's counter is exact because zmalloc sees every allocation. Python
    hides its allocator and never returns freed arenas, so the process RSS
    cannot tell eviction when it has freed enough. The model is:

        used_memory = USED_MEMORY_STARTUP            (constant)
                    + server.dataset_memory          (every key's charge, kept
                                                      incrementally: object.py)
                    + server.stat_clients_type_memory (client buffers, refreshed
                                                      by clientsCron)

    so reading it is three additions (after re-charging the aggregates
    written since the last read: flush_memory_charges), cheap enough to do
    before every command when maxmemory is set. docs/servercron.md explains
    the charges.
    """
    if pending_charges:
        flush_memory_charges()
    hook = server.used_memory_hook
    if hook is not None:
        return hook()
    m = server.stat_clients_type_memory
    return server.initial_memory_usage + server.dataset_memory + m[0] + m[1] + m[2] + m[3]


# ---------------------------------------------------------------------------
# The cron
# ---------------------------------------------------------------------------
def clientsCronResizeQueryBuffer(c):
    """Shrink an idle client's oversized query buffer (clientsCronResizeQueryBuffer).

    Redis reallocates the query buffer down when it is empty and its peak
    was over PROTO_RESIZE_THRESHOLD (or the client idled 2 seconds). Our
    querybuf is an immutable bytes object trimmed after every read
    (networking.py), so it never holds spare capacity to give back; what
    remains of the duty is restarting the peak window, which INFO's
    client_recent_max_input_buffer reads. Returns 0: the client lives on.
    """
    c.querybuf_peak = len(c.querybuf)
    return 0


def clientsCronResizeOutputBuffer(c, now_ms):
    """Track the static reply buffer's peak for reply_buffer_shrinks/expands
    (clientsCronResizeOutputBuffer).

    Our `buf` is a bytearray that grows and empties by itself, so there is
    nothing to reallocate; we keep Redis's 5-second peak window so `rbp` in
    CLIENT LIST means what it means in Redis.
    """
    if server.unixtime - c.buf_peak_last_reset_time >= 5:
        c.buf_peak = max(len(c.buf), 1024)
        c.buf_peak_last_reset_time = server.unixtime
    return 0


def clientsCronTrackExpansiveClients(c, time_idx):
    """Remember the biggest query/output buffers of the last seconds
    (clientsCronTrackExpansiveClients): INFO's client_recent_max_*_buffer."""
    # The query buffer, the arguments parsed so far and a big argument
    # being read (it has its own buffer here; Redis reads it into querybuf).
    big = c.bigarg
    inp = len(c.querybuf) + c.argv_len_sum + (len(big) if big is not None else 0)
    out = c.reply_bytes + len(c.buf)
    if inp > server.clients_peak_mem_input[time_idx]:
        server.clients_peak_mem_input[time_idx] = inp
    if out > server.clients_peak_mem_output[time_idx]:
        server.clients_peak_mem_output[time_idx] = out
    return 0


def getExpansiveClientsInfo():
    """The peaks over the last CLIENTS_PEAK_MEM_USAGE_SLOTS seconds (getExpansiveClientsInfo)."""
    return max(server.clients_peak_mem_input), max(server.clients_peak_mem_output)


def updateClientMemUsage(c):
    """Re-account the client's memory in its type's total (updateClientMemUsage).

    The totals feed used_memory and INFO's mem_clients_normal/slaves; a
    client's share is refreshed when clientsCron visits it, at most once a
    second per client, so the command path never pays for it.
    """
    mem, _ = getClientMemoryUsage(c)
    t = getClientType(c)
    totals = server.stat_clients_type_memory
    totals[c.last_memory_type] -= c.last_memory_usage
    totals[t] += mem
    c.last_memory_usage = mem
    c.last_memory_type = t
    return 0


def removeClientFromMemUsage(c):
    """A client is going away: take its share out of the totals (Python-only hook)."""
    server.stat_clients_type_memory[c.last_memory_type] -= c.last_memory_usage
    c.last_memory_usage = 0


def clientsCronHandleTimeout(c, now_ms):
    """Close clients idle longer than `timeout` (clientsCronHandleTimeout).

    Replicas, masters, blocked and pub/sub clients are exempt, as in Redis;
    returns 1 when the client was freed.
    """
    now = now_ms // 1000
    if server.maxidletime and not (c.flags & (CLIENT_SLAVE | CLIENT_MASTER | CLIENT_BLOCKED
                                              | CLIENT_PUBSUB)) \
            and now - c.lastinteraction > server.maxidletime:
        serverLog(LL_VERBOSE, "Closing idle client")
        freeClient(c)
        return 1
    # Blocked clients' deadlines are not checked here: 7.0 fires them from
    # the timeout table in beforeSleep (timeout.handleBlockedClientsTimeout).
    return 0


def clientsCron():
    """Per-client housekeeping, a slice of the clients per call (clientsCron).

    Processes numclients/hz clients per run (at least 5), so every client
    is visited about once a second without a long pause when there are
    many. For each: idle timeout, query buffer shrinking, output buffer
    peak, the recent-peak table, memory accounting and the output buffer
    limits (the soft limit's seconds are only seen here, not on write).
    """
    clients = server.clients
    numclients = len(clients)
    curr_slot = server.unixtime % CLIENTS_PEAK_MEM_USAGE_SLOTS
    zeroidx = (curr_slot + 1) % CLIENTS_PEAK_MEM_USAGE_SLOTS
    server.clients_peak_mem_input[zeroidx] = 0
    server.clients_peak_mem_output[zeroidx] = 0
    if not numclients:
        return
    iterations = numclients // server.hz
    if iterations < CLIENTS_CRON_MIN_ITERATIONS:
        iterations = min(numclients, CLIENTS_CRON_MIN_ITERATIONS)
    now = mstime()
    ids = server.clients_cron_order
    for _ in range(iterations):
        if not ids:
            ids = server.clients_cron_order = list(clients)
        cid = ids.pop()
        c = clients.get(cid)
        if c is None:
            continue
        if clientsCronHandleTimeout(c, now):
            continue
        if clientsCronResizeQueryBuffer(c):
            continue
        if clientsCronResizeOutputBuffer(c, now):
            continue
        if clientsCronTrackExpansiveClients(c, curr_slot):
            continue
        updateClientMemUsage(c)
        if closeClientOnOutputBufferLimitReached(c, 0):
            continue
        for hook in server.clients_cron_hooks:
            if hook(c):
                break


def databasesCron():
    """Active expiry and table maintenance (databasesCron)."""
    if server.active_expire_enabled:
        if not server.masterhost:
            from .expire import activeExpireCycle
            activeExpireCycle(ACTIVE_EXPIRE_CYCLE_SLOW)
        else:
            from .expire import expireSlaveKeys
            expireSlaveKeys()


def checkChildrenDone():
    """Reap a finished BGSAVE/BGREWRITEAOF child (checkChildrenDone).

    Redis calls wait3(WNOHANG) here; so do we (os.waitpid). The persistence
    issues register what to do when their child exits in
    server.child_done_handlers (child type -> function(exitcode, bysignal)):
    backgroundSaveDoneHandler, backgroundRewriteDoneHandler.
    """
    if server.child_pid == -1:
        return
    try:
        pid, status = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return
    if pid == 0:
        return
    exitcode = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
    bysignal = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
    if pid == server.child_pid:
        handler = server.child_done_handlers.get(server.child_type)
        child_type = server.child_type
        server.child_pid = -1
        server.child_type = CHILD_TYPE_NONE
        if handler is not None:
            handler(exitcode, bysignal)
        serverLog(LL_DEBUG, "child %d (type %d) done", pid, child_type)


def hasActiveChildProcess():
    """Is a BGSAVE/BGREWRITEAOF/module child running (hasActiveChildProcess)?"""
    return server.child_pid != -1


def _persistence_function(module, name):
    """The persistence function `name` of pyredis.<module>, or None while that
    module (written by the RDB and AOF issues) does not provide it yet."""
    import importlib
    try:
        mod = importlib.import_module("pyredis." + module)
    except ImportError:
        return None
    return getattr(mod, name, None)


def serverCronAofRewriteCheck():
    """auto-aof-rewrite-percentage/min-size: start BGREWRITEAOF when the AOF grew
    enough since the last rewrite (inline in serverCron in C)."""
    if server.aof_state != aof.AOF_ON or hasActiveChildProcess() or not server.aof_rewrite_perc:
        return      # not while waiting for the first rewrite (AOF_WAIT_REWRITE)
    cur = getattr(server, "aof_current_size", 0)
    if cur <= server.aof_rewrite_min_size:
        return
    base = getattr(server, "aof_rewrite_base_size", 0) or 1
    growth = cur * 100 // base - 100
    if growth >= server.aof_rewrite_perc and not aof.aofRewriteLimited():
        serverLog(LL_NOTICE, "Starting automatic rewriting of AOF on %d%% growth", growth)
        aof.rewriteAppendOnlyFileBackground()


def serverCronScheduledAofRewrite():
    """Run a BGREWRITEAOF that was deferred because a BGSAVE was running
    (server.aof_rewrite_scheduled; inline in serverCron in C)."""
    if hasActiveChildProcess() or not getattr(server, "aof_rewrite_scheduled", 0):
        return
    if not aof.aofRewriteLimited():
        aof.rewriteAppendOnlyFileBackground()


def serverCron(eventLoop, id, clientData):
    """The time event run `hz` times a second (serverCron).

    Each duty is the function Redis uses for it, in Redis's order; slower
    duties run every N ticks through run_with_period. docs/servercron.md
    walks through them and how to watch each happen.
    """
    # DEBUG PAUSE-CRON: skip every duty, for tests that need a frozen cron.
    if server.pause_cron:
        return 1000 // server.hz
    cron_start = time.monotonic_ns()
    updateCachedTime(1)

    # dynamic-hz: with many clients, raise hz so each tick's clientsCron
    # slice (numclients/hz) stays small; hz is back to `hz` when they leave.
    server.hz = server.config_hz
    if server.dynamic_hz:
        while len(server.clients) // server.hz > MAX_CLIENTS_PER_CLOCK_TICK:
            server.hz *= 2
            if server.hz > CONFIG_MAX_HZ:
                server.hz = CONFIG_MAX_HZ
                break
    server.hz = max(server.hz, CONFIG_MIN_HZ)

    if run_with_period(100):
        trackInstantaneousMetric(STATS_METRIC_COMMAND, server.stat_numcommands)
        trackInstantaneousMetric(STATS_METRIC_NET_INPUT, server.stat_net_input_bytes)
        trackInstantaneousMetric(STATS_METRIC_NET_OUTPUT, server.stat_net_output_bytes)

    # One clock read per tick, so key accesses can stamp objects for free.
    server.lruclock = getLRUClock()

    cronUpdateMemoryStats()

    # A signal asked us to shut down: do it here, outside any handler.
    if server.shutdown_asap and not isShutdownInitiated():
        shutdown_flags = SHUTDOWN_NOFLAGS
        if server.last_sig_received == signal.SIGINT and server.shutdown_on_sigint:
            shutdown_flags = server.shutdown_on_sigint
        elif server.last_sig_received == signal.SIGTERM and server.shutdown_on_sigterm:
            shutdown_flags = server.shutdown_on_sigterm
        if prepareForShutdown(shutdown_flags) == C_OK:
            os._exit(0)
    elif isShutdownInitiated():
        if server.mstime >= server.shutdown_mstime or isReadyToShutdown():
            if finishShutdown() == C_OK:
                os._exit(0)

    if run_with_period(5000) and server.verbosity <= LL_VERBOSE:
        for db in server.db:
            size, vkeys = len(db.dict), len(db.expires)
            if size or vkeys:
                serverLog(LL_VERBOSE, "DB %d: %d keys (%d volatile) in %d slots HT.",
                          db.id, size, vkeys, size)
    if run_with_period(5000) and server.verbosity <= LL_VERBOSE:
        serverLog(LL_VERBOSE, "%d clients connected (%d replicas), %d bytes in use",
                  len(server.clients) - len(server.slaves), len(server.slaves), getUsedMemory())

    clientsCron()
    databasesCron()

    # Persistence: a BGREWRITEAOF deferred while a BGSAVE ran; reap a
    # finished child; else the AOF growth check. The save points ("save
    # <seconds> <changes>") and BGSAVE SCHEDULE are rdb.rdbCron's, which the
    # RDB module registers in server.cron_hooks (run below).
    serverCronScheduledAofRewrite()
    if hasActiveChildProcess():
        checkChildrenDone()
    else:
        serverCronAofRewriteCheck()

    if server.aof_state and getattr(server, "aof_flush_postponed_start", 0):
        aof.flushAppendOnlyFile(0)
    if run_with_period(1000) and server.aof_state and server.aof_last_write_status == C_ERR:
        aof.flushAppendOnlyFile(0)

    checkClientPauseTimeoutAndReturnIfPaused()

    # Keep the tracking table within tracking-table-max-keys even when idle
    # (after a CONFIG SET lowered it, or when one call could not get there).
    if server.tracking_clients:
        trackingLimitUsedSlots()

    for duty in server.cron_hooks:      # rdbCron, replicationCron ... register here
        duty()

    freeClientsInAsyncFreeQueue()

    server.cronloops += 1
    # The cron's own duration feeds the latency monitor ("cron" event is
    # Python-only; Redis reports its slow duties individually), and the
    # expire budget check of docs/servercron.md.
    from .latency import latencyAddSampleIfNeeded
    server.el_cron_duration = (time.monotonic_ns() - cron_start) // 1000
    latencyAddSampleIfNeeded("cron", server.el_cron_duration // 1000)
    return 1000 // server.hz


def cronUpdateMemoryStats():
    """Track the memory peak and sample the RSS (cronUpdateMemoryStats).

    The peak is what INFO shows as used_memory_peak; the RSS (from /proc,
    the reading psutil would give) is refreshed every 100 ms because it
    costs a file read.
    """
    used = getUsedMemory()
    if used > server.stat_peak_memory:
        server.stat_peak_memory = used
    if run_with_period(100) or not server.cron_malloc_stats_process_rss:
        server.cron_malloc_stats_process_rss = _read_statm_rss()


def beforeSleep(eventLoop):
    """Work done before the event loop sleeps (beforeSleep).

    Order matters and follows Redis: blocked clients whose deadline
    passed, the fast expire cycle, clients just unblocked (they may have
    pipelined more commands), blocked clients whose keys got ready,
    propagation, then writing every pending reply, then closing the
    clients that asked to be closed.
    """
    # The memory peak is sampled here too, not only in the cron, so a peak
    # that lasts a single loop iteration is still seen (as in 7.0). Cheap:
    # getUsedMemory is a few additions.
    used = getUsedMemory()
    if used > server.stat_peak_memory:
        server.stat_peak_memory = used
    if server.clients_timeout_table:
        handleBlockedClientsTimeout()
    if server.active_expire_enabled and not server.masterhost and server.expires_pending:
        from .expire import activeExpireCycle
        activeExpireCycle(ACTIVE_EXPIRE_CYCLE_FAST)
    if server.unblocked_clients:
        blocked.processUnblockedClients()
    # Every command sends its held-back invalidations as it ends, so none
    # should be left (Redis asserts it); drop any a corner case left over
    # rather than send them to whichever client runs next.
    if server.tracking_pending_keys:
        server.tracking_pending_keys = []
    if server.tracking_clients:
        trackingBroadcastInvalidationMessages()
    if server.ready_keys:
        blocked.handleClientsBlockedOnKeys()
    for hook in server.before_sleep_hooks:
        hook()
    if server.also_propagate:
        propagatePendingCommands()
    # The AOF is written (and with appendfsync always, fsynced) before any
    # reply goes out: a client never sees a write acknowledged that a crash
    # right now would lose.
    if server.aof_state:
        aof.flushAppendOnlyFile(0)
    if server.clients_pending_write:
        handleClientsWithPendingWrites()
    if server.clients_to_close:
        freeClientsInAsyncFreeQueue()


def afterSleep(eventLoop):
    """Work done right after the poll returns (afterSleep): refresh the cached clock."""
    t = time.time_ns()
    server.ustime = t // 1000
    server.mstime = t // 1000000
    server.unixtime = t // 1000000000


# ---------------------------------------------------------------------------
# Shutdown
# ---------------------------------------------------------------------------
def isShutdownInitiated():
    return server.shutdown_mstime != 0


def isReadyToShutdown():
    """No replicas to wait for (isReadyToShutdown)."""
    return all(s.repl_ack_off == server.master_repl_offset for s in server.slaves)


def abortShutdown():
    """SHUTDOWN ABORT (abortShutdown)."""
    if isShutdownInitiated():
        cancelShutdown()
    elif server.shutdown_asap:
        server.shutdown_asap = 0
    else:
        return C_ERR
    serverLog(LL_NOTICE, "Shutdown manually aborted.")
    return C_OK


def cancelShutdown():
    server.shutdown_asap = 0
    server.shutdown_flags = 0
    server.shutdown_mstime = 0
    server.last_sig_received = 0


def prepareForShutdown(flags):
    """Start shutting down (prepareForShutdown).

    With replicas, waits up to shutdown-timeout for them to catch up
    (unless NOW); finishShutdown does the rest.
    """
    if isShutdownInitiated():
        return C_ERR
    if server.loading or server.sentinel_mode:
        flags = (flags & ~SHUTDOWN_SAVE) | SHUTDOWN_NOSAVE
    server.shutdown_flags = flags
    serverLog(LL_WARNING, "User requested shutdown...")
    if not (flags & SHUTDOWN_NOW) and server.shutdown_timeout != 0 and server.slaves:
        server.shutdown_mstime = server.mstime + server.shutdown_timeout * 1000
        serverLog(LL_NOTICE, "Waiting for replicas before shutting down.")
        return C_ERR
    return finishShutdown()


def finishShutdown():
    """Save if asked or configured, remove the pidfile, close listeners (finishShutdown)."""
    flags = server.shutdown_flags
    if server.child_type != CHILD_TYPE_NONE:
        killChildProcesses()
    for hook in server.shutdown_hooks:
        if hook(flags) == C_ERR and not (flags & SHUTDOWN_FORCE):
            serverLog(LL_WARNING, "Errors trying to shut down the server. Check the logs for more "
                      "information.")
            cancelShutdown()
            return C_ERR
    if (server.saveparams and not (flags & SHUTDOWN_NOSAVE)) or flags & SHUTDOWN_SAVE:
        save = server.shutdown_save_hook
        if save is not None:
            serverLog(LL_NOTICE, "Saving the final RDB snapshot before exiting.")
            if save() != C_OK:
                if flags & SHUTDOWN_FORCE:
                    serverLog(LL_WARNING, "Error trying to save the DB. Exit anyway.")
                else:
                    serverLog(LL_WARNING, "Error trying to save the DB, can't exit.")
                    cancelShutdown()
                    return C_ERR
    if server.pidfile:
        serverLog(LL_NOTICE, "Removing the pid file.")
        try:
            os.unlink(server.pidfile)
        except OSError:
            pass
    # Send what is pending to replicas, then close the listeners.
    flushSlavesOutputBuffers()
    closeListeningSockets(1)
    serverLog(LL_WARNING, "%s is now ready to exit, bye bye...",
              "Sentinel" if server.sentinel_mode else "Redis")
    return C_OK


def killChildProcesses():
    if server.child_pid != -1:
        try:
            os.kill(server.child_pid, signal.SIGUSR1)
            os.waitpid(server.child_pid, 0)
        except OSError:
            pass
        for hook in server.kill_child_hooks:
            hook()
        server.child_pid = -1
        server.child_type = CHILD_TYPE_NONE


def killRDBChild():
    killChildProcesses()


def closeListeningSockets(unlink_unix_socket):
    """Close every listening socket (closeListeningSockets)."""
    for s in server.listeners:
        try:
            ae.aeDeleteFileEvent(server.el, s.fileno(), ae.AE_READABLE)
        except (KeyError, ValueError, OSError):
            pass
        try:
            s.close()
        except OSError:
            pass
    server.listeners = []
    server.ipfd = []
    if unlink_unix_socket and server.unixsocket:
        try:
            os.unlink(server.unixsocket)
        except OSError:
            pass


def serverLogFromHandler(level, msg):
    """Log from a signal handler (serverLogFromHandler).

    Redis cannot format a time stamp safely inside a handler, so these lines
    have their own shape: "pid:signal-handler (unixtime) message". We keep
    the shape, as log readers see it.
    """
    if (level & 0xff) < server.verbosity:
        return
    serverLogRaw(level | LL_RAW, "%d:signal-handler (%d) %s" % (os.getpid(), int(time.time()), msg))


def sigShutdownHandler(sig, frame):
    """SIGTERM/SIGINT: ask the cron to shut down (sigShutdownHandler).

    A signal handler must not touch the data structures a command may be
    in the middle of changing; it only sets a flag. A second SIGINT while a
    shutdown is pending exits at once, as in Redis.
    """
    if server.shutdown_asap and sig == signal.SIGINT:
        serverLogFromHandler(LL_WARNING, "You insist... exiting now.")
        if server.pidfile:
            try:
                os.unlink(server.pidfile)
            except OSError:
                pass
        os._exit(1)
    elif server.loading:
        msg = "Received shutdown signal during loading, scheduling shutdown."
    else:
        msg = "Received %s scheduling shutdown..." % (
            "SIGINT" if sig == signal.SIGINT else "SIGTERM")
    serverLogFromHandler(LL_WARNING, msg)
    server.shutdown_asap = 1
    server.last_sig_received = sig


def setupSignalHandlers():
    """Install the shutdown handlers (setupSignalHandlers)."""
    signal.signal(signal.SIGTERM, sigShutdownHandler)
    signal.signal(signal.SIGINT, sigShutdownHandler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)


# ---------------------------------------------------------------------------
# Server commands (server.c)
# ---------------------------------------------------------------------------
def pingCommand(c):
    """PING [message]; in RESP2 pub/sub context replies ["pong", msg] (pingCommand)."""
    if len(c.argv) > 2:
        addReplyErrorArity(c)
        return
    if c.flags & CLIENT_PUBSUB and c.resp == 2:
        addReply(c, b"*2\r\n$4\r\npong\r\n")
        if len(c.argv) == 1:
            addReplyBulkCBuffer(c, b"")
        else:
            addReplyBulkCBuffer(c, c.argv[1])
    else:
        if len(c.argv) == 1:
            addReply(c, shared.pong)
        else:
            addReplyBulkCBuffer(c, c.argv[1])


def echoCommand(c):
    """ECHO message (echoCommand)."""
    addReplyBulkCBuffer(c, c.argv[1])


def timeCommand(c):
    """TIME: seconds and microseconds (timeCommand)."""
    t = ustime()
    addReplyArrayLen(c, 2)
    addReplyBulkLongLong(c, t // 1000000)
    addReplyBulkLongLong(c, t % 1000000)


def addReplyHelloMap(c):
    """The map HELLO replies with (part of helloCommand)."""
    addReplyMapLen(c, 6 + (0 if server.sentinel_mode else 1))
    addReplyBulkCString(c, "server")
    addReplyBulkCString(c, "redis")
    addReplyBulkCString(c, "version")
    addReplyBulkCString(c, REDIS_VERSION)
    addReplyBulkCString(c, "proto")
    addReplyLongLong(c, c.resp)
    addReplyBulkCString(c, "id")
    addReplyLongLong(c, c.id)
    addReplyBulkCString(c, "mode")
    addReplyBulkCString(c, "sentinel" if server.sentinel_mode else
                        ("cluster" if server.cluster_enabled else "standalone"))
    if not server.sentinel_mode:
        addReplyBulkCString(c, "role")
        addReplyBulkCString(c, "replica" if server.masterhost else "master")
    addReplyBulkCString(c, "modules")
    addReplyArrayLen(c, 0)


def checkPasswordAndAuthenticate(c, username, password):
    """Authenticate with requirepass for the default user (ACLAuthenticateUser's role)."""
    return check(c, username, password)


# -- COMMAND ---------------------------------------------------------------------
def addReplyFlagsForCommand(c, cmd):
    names = [name for bit, name in COMMAND_FLAG_NAMES if cmd.flags & bit]
    addReplySetLen(c, len(names))
    for n in names:
        addReplyStatus(c, n)


def addReplyCommandCategories(c, cmd):
    cats = ["@" + cat.lower() for cat in _command_acl_categories(cmd)]
    addReplySetLen(c, len(cats))
    for cat in cats:
        addReplyStatus(c, cat)


# Redis adds implicit ACL categories from the flags (setImplicitACLCategories).
def _command_acl_categories(cmd):
    cats = [a.upper() for a in cmd.acl_categories]
    extra = []
    if cmd.flags & CMD_WRITE:
        extra.append("WRITE")
    if cmd.flags & CMD_READONLY and "SCRIPTING" not in cats:
        extra.append("READ")
    if cmd.flags & CMD_ADMIN:
        extra += ["ADMIN", "DANGEROUS"]
    if cmd.flags & CMD_PUBSUB:
        extra.append("PUBSUB")
    if cmd.flags & CMD_FAST:
        extra.append("FAST")
    if cmd.flags & 1 << 8:   # CMD_BLOCKING
        extra.append("BLOCKING")
    if not (cmd.flags & CMD_FAST):
        extra.append("SLOW")
    order = ["KEYSPACE", "READ", "WRITE", "SET", "SORTEDSET", "LIST", "HASH", "STRING",
             "BITMAP", "HYPERLOGLOG", "GEO", "STREAM", "PUBSUB", "ADMIN", "FAST", "SLOW",
             "BLOCKING", "DANGEROUS", "CONNECTION", "TRANSACTION", "SCRIPTING"]
    allcats = set(cats) | set(extra)
    return [o for o in order if o in allcats]


_KEY_FLAG_NAMES = (("RO", "RO"), ("RW", "RW"), ("OW", "OW"), ("RM", "RM"),
                   ("ACCESS", "access"), ("UPDATE", "update"), ("INSERT", "insert"),
                   ("DELETE", "delete"), ("NOT_KEY", "not_key"), ("INCOMPLETE", "incomplete"),
                   ("VARIABLE_FLAGS", "variable_flags"))


def addReplyFlagsForKeyArgs(c, flags):
    names = [out for key, out in _KEY_FLAG_NAMES if key in flags]
    addReplySetLen(c, len(names))
    for n in names:
        addReplyStatus(c, n)


def addReplyCommandKeySpecs(c, cmd):
    specs = cmd.key_specs
    addReplySetLen(c, len(specs))
    for ks in specs:
        maplen = 3 + (1 if ks.get("notes") else 0)
        addReplyMapLen(c, maplen)
        if ks.get("notes"):
            addReplyBulkCString(c, "notes")
            addReplyBulkCString(c, ks["notes"])
        addReplyBulkCString(c, "flags")
        addReplyFlagsForKeyArgs(c, ks.get("flags", []))
        addReplyBulkCString(c, "begin_search")
        bs = ks.get("begin_search", {})
        addReplyMapLen(c, 2)
        addReplyBulkCString(c, "type")
        if "index" in bs:
            addReplyBulkCString(c, "index")
            addReplyBulkCString(c, "spec")
            addReplyMapLen(c, 1)
            addReplyBulkCString(c, "index")
            addReplyLongLong(c, bs["index"]["pos"])
        elif "keyword" in bs:
            addReplyBulkCString(c, "keyword")
            addReplyBulkCString(c, "spec")
            addReplyMapLen(c, 2)
            addReplyBulkCString(c, "keyword")
            addReplyBulkCString(c, bs["keyword"]["keyword"])
            addReplyBulkCString(c, "startfrom")
            addReplyLongLong(c, bs["keyword"]["startfrom"])
        else:
            addReplyBulkCString(c, "unknown")
            addReplyBulkCString(c, "spec")
            addReplyMapLen(c, 0)
        addReplyBulkCString(c, "find_keys")
        fk = ks.get("find_keys", {})
        addReplyMapLen(c, 2)
        addReplyBulkCString(c, "type")
        if "range" in fk:
            r = fk["range"]
            addReplyBulkCString(c, "range")
            addReplyBulkCString(c, "spec")
            addReplyMapLen(c, 3)
            addReplyBulkCString(c, "lastkey")
            addReplyLongLong(c, r["lastkey"])
            addReplyBulkCString(c, "keystep")
            addReplyLongLong(c, r["step"])
            addReplyBulkCString(c, "limit")
            addReplyLongLong(c, r["limit"])
        elif "keynum" in fk:
            k = fk["keynum"]
            addReplyBulkCString(c, "keynum")
            addReplyBulkCString(c, "spec")
            addReplyMapLen(c, 3)
            addReplyBulkCString(c, "keynumidx")
            addReplyLongLong(c, k["keynumidx"])
            addReplyBulkCString(c, "firstkey")
            addReplyLongLong(c, k["firstkey"])
            addReplyBulkCString(c, "keystep")
            addReplyLongLong(c, k["step"])
        else:
            addReplyBulkCString(c, "unknown")
            addReplyBulkCString(c, "spec")
            addReplyMapLen(c, 0)


def addReplyCommandInfo(c, cmd):
    """One COMMAND INFO entry (addReplyCommandInfo)."""
    if cmd is None:
        addReplyNull(c)
        return
    addReplyArrayLen(c, 10)
    addReplyBulkCString(c, cmd.fullname)
    addReplyLongLong(c, cmd.arity)
    addReplyFlagsForCommand(c, cmd)
    addReplyLongLong(c, cmd.firstkey)
    addReplyLongLong(c, cmd.lastkey)
    addReplyLongLong(c, cmd.keystep)
    addReplyCommandCategories(c, cmd)
    addReplySetLen(c, len(cmd.tips))
    for t in cmd.tips:
        addReplyBulkCString(c, t.lower())
    addReplyCommandKeySpecs(c, cmd)
    if cmd.subcommands_dict is None:
        addReplySetLen(c, 0)
    else:
        addReplyArrayLen(c, len(cmd.subcommands_dict))
        for sub in cmd.subcommands_dict.values():
            addReplyCommandInfo(c, sub)


def addReplyCommandArgList(c, args):
    """The arguments of COMMAND DOCS (addReplyCommandArgList)."""
    addReplyArrayLen(c, len(args))
    for a in args:
        flags = [f for f in ("optional", "multiple", "multiple_token") if a.get(f)]
        maplen = 2
        maplen += 1 if "key_spec_index" in a else 0
        maplen += 1 if a.get("token") else 0
        maplen += 1 if a.get("summary") else 0
        maplen += 1 if a.get("since") else 0
        maplen += 1 if a.get("deprecated_since") else 0
        maplen += 1 if flags else 0
        maplen += 1 if a["type"] in ("oneof", "block") else 0
        addReplyMapLen(c, maplen)
        addReplyBulkCString(c, "name")
        addReplyBulkCString(c, a["name"].lower())   # the generator lower-cases names
        addReplyBulkCString(c, "type")
        addReplyBulkCString(c, a["type"])
        if "key_spec_index" in a:
            addReplyBulkCString(c, "key_spec_index")
            addReplyLongLong(c, a["key_spec_index"])
        if a.get("token"):
            addReplyBulkCString(c, "token")
            # Redis's command-table generator upper-cases tokens ("normal" ->
            # "NORMAL"), so COMMAND DOCS shows them that way.
            addReplyBulkCString(c, a["token"].upper())
        if a.get("summary"):
            addReplyBulkCString(c, "summary")
            addReplyBulkCString(c, a["summary"])
        if a.get("since"):
            addReplyBulkCString(c, "since")
            addReplyBulkCString(c, a["since"])
        if a.get("deprecated_since"):
            addReplyBulkCString(c, "deprecated_since")
            addReplyBulkCString(c, a["deprecated_since"])
        if flags:
            addReplyBulkCString(c, "flags")
            addReplySetLen(c, len(flags))
            for f in flags:
                addReplyStatus(c, f)
        if a["type"] in ("oneof", "block"):
            addReplyBulkCString(c, "arguments")
            addReplyCommandArgList(c, a.get("arguments", []))


def addReplyCommandDocs(c, cmd):
    """One COMMAND DOCS entry (addReplyCommandDocs)."""
    maplen = 1
    maplen += 1 if cmd.summary else 0
    maplen += 1 if cmd.since else 0
    maplen += 1 if cmd.complexity else 0
    maplen += 1 if cmd.doc_flags else 0
    maplen += 1 if cmd.deprecated_since else 0
    maplen += 1 if cmd.replaced_by else 0
    maplen += 1 if cmd.history else 0
    maplen += 1 if cmd.args else 0
    maplen += 1 if cmd.subcommands_dict else 0
    addReplyMapLen(c, maplen)
    if cmd.summary:
        addReplyBulkCString(c, "summary")
        addReplyBulkCString(c, cmd.summary)
    if cmd.since:
        addReplyBulkCString(c, "since")
        addReplyBulkCString(c, cmd.since)
    addReplyBulkCString(c, "group")
    # The JSON says "sorted_set"; the C group name Redis replies is "sorted-set".
    addReplyBulkCString(c, cmd.group.replace("_", "-"))
    if cmd.complexity:
        addReplyBulkCString(c, "complexity")
        addReplyBulkCString(c, cmd.complexity)
    if cmd.doc_flags:
        addReplyBulkCString(c, "doc_flags")
        addReplySetLen(c, len(cmd.doc_flags))
        for f in cmd.doc_flags:
            addReplyStatus(c, f.lower())
    if cmd.deprecated_since:
        addReplyBulkCString(c, "deprecated_since")
        addReplyBulkCString(c, cmd.deprecated_since)
    if cmd.replaced_by:
        addReplyBulkCString(c, "replaced_by")
        addReplyBulkCString(c, cmd.replaced_by)
    if cmd.history:
        addReplyBulkCString(c, "history")
        addReplySetLen(c, len(cmd.history))
        for since, changes in cmd.history:
            addReplyArrayLen(c, 2)
            addReplyBulkCString(c, since)
            addReplyBulkCString(c, changes)
    if cmd.args:
        addReplyBulkCString(c, "arguments")
        addReplyCommandArgList(c, cmd.args)
    if cmd.subcommands_dict:
        addReplyBulkCString(c, "subcommands")
        addReplyMapLen(c, len(cmd.subcommands_dict))
        for sub in cmd.subcommands_dict.values():
            addReplyBulkCString(c, sub.fullname)
            addReplyCommandDocs(c, sub)


def commandCommand(c):
    """COMMAND: every command's info (commandCommand)."""
    addReplyArrayLen(c, len(server.commands))
    for cmd in server.commands.values():
        addReplyCommandInfo(c, cmd)


def commandCountCommand(c):
    """COMMAND COUNT (commandCountCommand)."""
    addReplyLongLong(c, len(server.commands))


def commandInfoCommand(c):
    """COMMAND INFO [name ...] (commandInfoCommand)."""
    if len(c.argv) == 2:
        commandCommand(c)
        return
    addReplyArrayLen(c, len(c.argv) - 2)
    for name in c.argv[2:]:
        addReplyCommandInfo(c, lookupCommandBySds(name))


def commandDocsCommand(c):
    """COMMAND DOCS [name ...] (commandDocsCommand): what redis-cli's hints read."""
    if len(c.argv) == 2:
        addReplyMapLen(c, len(server.commands))
        for cmd in server.commands.values():
            addReplyBulkCString(c, cmd.fullname)
            addReplyCommandDocs(c, cmd)
        return
    found = []
    for name in c.argv[2:]:
        cmd = lookupCommandBySds(name)
        if cmd is not None:
            found.append(cmd)
    addReplyMapLen(c, len(found))
    for cmd in found:
        addReplyBulkCString(c, cmd.fullname)
        addReplyCommandDocs(c, cmd)


def commandListCommand(c):
    """COMMAND LIST [FILTERBY MODULE m|ACLCAT cat|PATTERN p] (commandListCommand)."""
    argv = c.argv
    names = []
    for cmd in server.commands.values():
        names.append(cmd)
        if cmd.subcommands_dict:
            names.extend(cmd.subcommands_dict.values())
    if len(argv) == 2:
        out = [cmd.fullname for cmd in names]
    elif len(argv) == 5 and c_string(argv[2]).lower() == b"filterby":
        kind = c_string(argv[3]).lower()
        val = argv[4]
        if kind == b"module":
            out = []
        elif kind == b"aclcat":
            cat = c_string(val).decode("latin-1").upper()
            out = [cmd.fullname for cmd in names if cat in _command_acl_categories(cmd)]
        elif kind == b"pattern":
            out = [cmd.fullname for cmd in names if stringmatchlen(val, cmd.fullname.encode(), True)]
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
    else:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    addReplyArrayLen(c, len(out))
    for n in out:
        addReplyBulkCString(c, n)


def commandGetKeysCommand(c):
    """COMMAND GETKEYS command [args...] (commandGetKeysCommand)."""
    getKeysSubcommandImpl(c, False)


def commandGetKeysAndFlagsCommand(c):
    """COMMAND GETKEYSANDFLAGS (commandGetKeysAndFlagsCommand)."""
    getKeysSubcommandImpl(c, True)


def getKeysSubcommandImpl(c, with_flags):
    from .db import doesCommandHaveKeys, getKeysFromCommandWithSpecs
    argv = c.argv[2:]
    cmd = lookupCommand(argv)
    if cmd is None:
        addReplyError(c, "Invalid command specified")
        return
    if not doesCommandHaveKeys(cmd):
        addReplyError(c, "The command has no key arguments")
        return
    if (cmd.arity > 0 and cmd.arity != len(argv)) or len(argv) < -cmd.arity:
        addReplyError(c, "Invalid number of arguments specified for command")
        return
    keys = getKeysFromCommandWithSpecs(cmd, argv)
    if not keys:
        if cmd.flags & (1 << 19):   # CMD_NO_MANDATORY_KEYS
            addReplyArrayLen(c, 0)
        else:
            addReplyError(c, "Invalid arguments specified for command")
        return
    addReplyArrayLen(c, len(keys))
    for pos, flags in keys:
        if not with_flags:
            addReplyBulkCBuffer(c, argv[pos])
        else:
            addReplyArrayLen(c, 2)
            addReplyBulkCBuffer(c, argv[pos])
            addReplyFlagsForKeyArgs(c, flags)


COMMAND_HELP = [
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
]


def commandHelpCommand(c):
    """COMMAND HELP (commandHelpCommand)."""
    addReplyHelp(c, COMMAND_HELP)


# -- INFO --------------------------------------------------------------------------
# INFO's sections, in the order genRedisInfoString prints them. "default"
# (INFO with no argument) leaves out commandstats and latencystats; "all"
# and "everything" include them (everything would add module sections).
DEFAULT_INFO_SECTIONS = ("server", "clients", "memory", "persistence", "stats", "replication",
                         "cpu", "module_list", "errorstats", "cluster", "keyspace")


def genInfoSectionDict(args):
    """Which sections INFO was asked for: (set, all, everything) (genInfoSectionDict).

    Names are case-insensitive; "default" adds the default set, "modules"
    means the module list section, unknown names are ignored.
    """
    if not args:
        return set(DEFAULT_INFO_SECTIONS), False, False
    sections = set()
    all_ = everything = False
    for a in args:
        a = c_string(a).decode("latin-1").lower()     # strcasecmp, sdsnew: C strings
        if a == "default":
            sections.update(DEFAULT_INFO_SECTIONS)
        elif a == "all":
            all_ = True
        elif a == "everything":
            all_ = everything = True
        elif a == "modules":
            sections.add("module_list")
        else:
            sections.add(a)
    return sections, all_, everything


def genRedisInfoString(sections, all_, everything):
    """Build the INFO text for the requested sections (genRedisInfoString).

    Each section's fields are produced by a function registered in
    server.info_sections ((name, title, function returning (key, value)
    pairs)), so a module that owns a statistic can own its INFO lines.
    Sections are separated by an empty line and every line ends in CRLF;
    no section at all gives an empty string, as in Redis.
    """
    out = []
    for name, title, producer in server.info_sections:
        if not (all_ or name in sections):
            continue
        fields = producer()
        if fields is None:
            continue
        if out:
            out.append("\r\n")
        out.append("# %s\r\n" % title)
        for k, v in fields:
            out.append("%s:%s\r\n" % (k, v))
    return "".join(out)


def infoCommand(c):
    """INFO [section ...] (infoCommand)."""
    sections, all_, everything = genInfoSectionDict(c.argv[1:])
    addReplyVerbatim(c, genRedisInfoString(sections, all_, everything), "txt")


_uname = None


def _info_server():
    global _uname
    if _uname is None:
        u = os.uname()
        _uname = "%s %s %s" % (u.sysname, u.release, u.machine)
    uptime = server.unixtime - server.stat_starttime
    return [
        ("redis_version", REDIS_VERSION), ("redis_git_sha1", "00000000"),
        ("redis_git_dirty", 0), ("redis_build_id", "pyredis"),
        ("redis_mode", "cluster" if server.cluster_enabled else
         "sentinel" if server.sentinel_mode else "standalone"),
        ("os", _uname), ("arch_bits", 64),
        ("monotonic_clock", "POSIX clock_gettime"), ("multiplexing_api", ae.aeGetApiName()),
        ("atomicvar_api", "c11-builtin"), ("gcc_version", "0.0.0"),
        ("process_id", server.pid), ("process_supervised", "no"), ("run_id", server.runid),
        ("tcp_port", server.port), ("server_time_usec", ustime()),
        ("uptime_in_seconds", uptime), ("uptime_in_days", uptime // 86400),
        ("hz", server.hz), ("configured_hz", server.config_hz),
        ("lru_clock", server.lruclock), ("executable", server.executable or ""),
        ("config_file", server.configfile or ""), ("io_threads_active", 0),
    ]


def _info_clients():
    maxin, maxout = getExpansiveClientsInfo()
    return [
        ("connected_clients", len(server.clients) - len(server.slaves)),
        ("cluster_connections", 0), ("maxclients", server.maxclients),
        ("client_recent_max_input_buffer", maxin), ("client_recent_max_output_buffer", maxout),
        ("blocked_clients", server.blocked_clients), ("tracking_clients", server.tracking_clients),
        ("clients_in_timeout_table", getattr(server, "clients_timeout_live", 0)),
    ]


_total_system_memory = None


def _system_memory():
    global _total_system_memory
    if _total_system_memory is None:
        try:
            _total_system_memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError):
            _total_system_memory = 0
    return _total_system_memory


def getMemoryOverheadData():
    """The breakdown INFO memory and MEMORY STATS show (getMemoryOverheadData).

    Returns a dict with Redis's field names: overhead is start-up memory +
    client buffers + the keyspace tables (a dictEntry per key and per TTL);
    the dataset is the rest of used_memory. See getUsedMemory for the model.
    """
    used = getUsedMemory()
    m = server.stat_clients_type_memory
    mh = {
        "total_allocated": used,
        "startup_allocated": server.initial_memory_usage,
        "peak_allocated": max(server.stat_peak_memory, used),
        "repl_backlog": 0,
        "clients_slaves": m[1],
        "clients_normal": m[0] + m[2] + m[3],
        "cluster_links": 0,
        "aof_buffer": len(getattr(server, "aof_buf", b"") or b""),
        "lua_caches": 0, "functions_caches": 0,
        "db": [],
    }
    overhead = mh["startup_allocated"] + mh["repl_backlog"] + mh["clients_slaves"] + \
        mh["clients_normal"] + mh["aof_buffer"]
    total_keys = 0
    for db in server.db:
        keys = len(db.dict)
        if not keys:
            continue
        total_keys += keys
        main = keys * DICT_ENTRY_SIZE + _dict_overhead(keys)
        exp = len(db.expires) * DICT_ENTRY_SIZE + (_dict_overhead(len(db.expires))
                                                   if db.expires else 0)
        mh["db"].append((db.id, main, exp))
        overhead += keys * DICT_ENTRY_SIZE
    mh["overhead_total"] = overhead
    mh["total_keys"] = total_keys
    mh["dataset"] = max(used - overhead, 0)
    net = used - mh["startup_allocated"]
    mh["dataset_perc"] = mh["dataset"] * 100.0 / net if net > 0 else 0.0
    mh["peak_perc"] = used * 100.0 / mh["peak_allocated"] if mh["peak_allocated"] else 0.0
    mh["bytes_per_key"] = net // total_keys if total_keys else 0
    rss = server.cron_malloc_stats_process_rss or _read_statm_rss()
    mh["rss"] = rss
    mh["total_frag"] = rss / used if used else 0.0
    mh["total_frag_bytes"] = rss - used
    # No allocator between us and the OS to measure separately: its
    # fragmentation and RSS ratios are reported as neutral (1.00, 0 bytes)
    # and all the difference shows as rss-overhead.
    mh["allocator_frag"] = 1.0
    mh["allocator_frag_bytes"] = 0
    mh["allocator_rss"] = 1.0
    mh["allocator_rss_bytes"] = 0
    mh["rss_extra"] = rss / used if used else 0.0
    mh["rss_extra_bytes"] = rss - used
    return mh


def _info_memory():
    mh = getMemoryOverheadData()
    used = mh["total_allocated"]
    peak = mh["peak_allocated"]
    rss = mh["rss"]
    sysmem = _system_memory()
    from .evict import freeMemoryGetNotCountedMemory
    return [
        ("used_memory", used), ("used_memory_human", h(used)),
        ("used_memory_rss", rss), ("used_memory_rss_human", h(rss)),
        ("used_memory_peak", peak), ("used_memory_peak_human", h(peak)),
        ("used_memory_peak_perc", "%.2f%%" % mh["peak_perc"]),
        ("used_memory_overhead", mh["overhead_total"]),
        ("used_memory_startup", mh["startup_allocated"]),
        ("used_memory_dataset", mh["dataset"]),
        ("used_memory_dataset_perc", "%.2f%%" % mh["dataset_perc"]),
        ("allocator_allocated", used), ("allocator_active", used),
        ("allocator_resident", used),
        ("total_system_memory", sysmem), ("total_system_memory_human", h(sysmem)),
        ("used_memory_lua", 0), ("used_memory_vm_eval", 0), ("used_memory_lua_human", "0B"),
        ("used_memory_scripts_eval", 0), ("number_of_cached_scripts", 0),
        ("number_of_functions", 0), ("number_of_libraries", 0),
        ("used_memory_vm_functions", 0), ("used_memory_vm_total", 0),
        ("used_memory_vm_total_human", "0B"), ("used_memory_functions", 0),
        ("used_memory_scripts", 0), ("used_memory_scripts_human", "0B"),
        ("maxmemory", server.maxmemory), ("maxmemory_human", h(server.maxmemory)),
        ("maxmemory_policy", _policy_name()),
        ("allocator_frag_ratio", "%.2f" % mh["allocator_frag"]),
        ("allocator_frag_bytes", mh["allocator_frag_bytes"]),
        ("allocator_rss_ratio", "%.2f" % mh["allocator_rss"]),
        ("allocator_rss_bytes", mh["allocator_rss_bytes"]),
        ("rss_overhead_ratio", "%.2f" % mh["rss_extra"]),
        ("rss_overhead_bytes", mh["rss_extra_bytes"]),
        ("mem_fragmentation_ratio", "%.2f" % mh["total_frag"]),
        ("mem_fragmentation_bytes", mh["total_frag_bytes"]),
        ("mem_not_counted_for_evict", freeMemoryGetNotCountedMemory()),
        ("mem_replication_backlog", mh["repl_backlog"]),
        ("mem_total_replication_buffers", 0),
        ("mem_clients_slaves", mh["clients_slaves"]),
        ("mem_clients_normal", mh["clients_normal"]),
        ("mem_cluster_links", 0), ("mem_aof_buffer", mh["aof_buffer"]),
        ("mem_allocator", "libc"),
        ("active_defrag_running", 0), ("lazyfree_pending_objects", 0),
        ("lazyfreed_objects", 0),
    ]


def _policy_name():
    from .config import MAXMEMORY_POLICY_ENUM
    for k, v in MAXMEMORY_POLICY_ENUM.items():
        if v == server.maxmemory_policy:
            return k
    return "noeviction"


def _info_persistence():
    # The RDB and AOF issues keep these fields on `server` under the C
    # names; until they exist, the values a fresh Redis reports are shown.
    g = lambda name, default=0: getattr(server, name, default)  # noqa: E731
    child = server.child_type
    now = server.unixtime
    rdb_start = g("rdb_save_time_start", -1)
    aof_start = g("aof_rewrite_time_start", -1)
    return [
        ("loading", server.loading), ("async_loading", server.async_loading),
        ("current_cow_peak", g("stat_current_cow_peak")),
        ("current_cow_size", g("stat_current_cow_bytes")),
        ("current_cow_size_age", 0), ("current_fork_perc", "%.2f" % g("stat_module_progress", 0.0)),
        ("current_save_keys_processed", g("stat_current_save_keys_processed")),
        ("current_save_keys_total", g("stat_current_save_keys_total")),
        ("rdb_changes_since_last_save", server.dirty),
        ("rdb_bgsave_in_progress", 1 if child == 1 else 0),
        ("rdb_last_save_time", server.lastsave),
        ("rdb_last_bgsave_status", "ok" if server.lastbgsave_status == C_OK else "err"),
        ("rdb_last_bgsave_time_sec", server.rdb_save_time_last),
        ("rdb_current_bgsave_time_sec", now - rdb_start if child == 1 and rdb_start != -1 else -1),
        ("rdb_saves", server.stat_rdb_saves), ("rdb_last_cow_size", g("stat_rdb_cow_bytes")),
        ("rdb_last_load_keys_expired", g("rdb_last_load_keys_expired")),
        ("rdb_last_load_keys_loaded", g("rdb_last_load_keys_loaded")),
        ("aof_enabled", 1 if server.aof_state else 0),
        ("aof_rewrite_in_progress", 1 if child == 2 else 0),
        ("aof_rewrite_scheduled", g("aof_rewrite_scheduled")),
        ("aof_last_rewrite_time_sec", g("aof_rewrite_time_last", -1)),
        ("aof_current_rewrite_time_sec", now - aof_start if child == 2 and aof_start != -1 else -1),
        ("aof_last_bgrewrite_status", "ok" if g("aof_lastbgrewrite_status", C_OK) == C_OK else "err"),
        ("aof_rewrites", g("stat_aof_rewrites")),
        ("aof_rewrites_consecutive_failures", g("stat_aofrw_consecutive_failures")),
        ("aof_last_write_status", "ok" if server.aof_last_write_status == C_OK else "err"),
        ("aof_last_cow_size", g("stat_aof_cow_bytes")),
        ("module_fork_in_progress", 1 if child == 4 else 0),
        ("module_fork_last_cow_size", 0),
    ] + list(g("info_persistence_extra", []))


def _info_stats():
    def kbps(m):
        return "%.2f" % (getInstantaneousMetric(m) / 1024)
    cur_evict = 0
    if server.stat_last_eviction_exceeded_time:
        cur_evict = time.monotonic_ns() // 1000 - server.stat_last_eviction_exceeded_time
    return [
        ("total_connections_received", server.stat_numconnections),
        ("total_commands_processed", server.stat_numcommands),
        ("instantaneous_ops_per_sec", getInstantaneousMetric(STATS_METRIC_COMMAND)),
        ("total_net_input_bytes", server.stat_net_input_bytes),
        ("total_net_output_bytes", server.stat_net_output_bytes),
        ("total_net_repl_input_bytes", 0), ("total_net_repl_output_bytes", 0),
        ("instantaneous_input_kbps", kbps(STATS_METRIC_NET_INPUT)),
        ("instantaneous_output_kbps", kbps(STATS_METRIC_NET_OUTPUT)),
        ("instantaneous_input_repl_kbps", "0.00"), ("instantaneous_output_repl_kbps", "0.00"),
        ("rejected_connections", server.stat_rejected_conn),
        ("sync_full", getattr(server, "stat_sync_full", 0)),
        ("sync_partial_ok", getattr(server, "stat_sync_partial_ok", 0)),
        ("sync_partial_err", getattr(server, "stat_sync_partial_err", 0)),
        ("expired_keys", server.stat_expiredkeys),
        ("expired_stale_perc", "%.2f" % (server.stat_expired_stale_perc * 100)),
        ("expired_time_cap_reached_count", server.stat_expired_time_cap_reached_count),
        ("expire_cycle_cpu_milliseconds", server.stat_expire_cycle_time_used // 1000),
        ("evicted_keys", server.stat_evictedkeys), ("evicted_clients", server.stat_evictedclients),
        ("total_eviction_exceeded_time",
         (server.stat_total_eviction_exceeded_time + cur_evict) // 1000),
        ("current_eviction_exceeded_time", cur_evict // 1000),
        ("keyspace_hits", server.stat_keyspace_hits),
        ("keyspace_misses", server.stat_keyspace_misses),
        ("pubsub_channels", len(server.pubsub_channels)),
        ("pubsub_patterns", len(server.pubsub_patterns)),
        ("pubsubshard_channels", len(server.pubsubshard_channels)),
        ("latest_fork_usec", getattr(server, "stat_fork_time", 0)),
        ("total_forks", getattr(server, "stat_total_forks", 0)),
        ("migrate_cached_sockets", 0), ("slave_expires_tracked_keys", 0),
        ("active_defrag_hits", 0), ("active_defrag_misses", 0), ("active_defrag_key_hits", 0),
        ("active_defrag_key_misses", 0), ("total_active_defrag_time", 0),
        ("current_active_defrag_time", 0),
        ("tracking_total_keys", trackingGetTotalKeys()),
        ("tracking_total_items", trackingGetTotalItems()),
        ("tracking_total_prefixes", trackingGetTotalPrefixes()),
        ("unexpected_error_replies", server.stat_unexpected_error_replies),
        ("total_error_replies", server.stat_total_error_replies),
        ("dump_payload_sanitizations", getattr(server, "stat_dump_payload_sanitizations", 0)),
        ("total_reads_processed", server.stat_total_reads_processed),
        ("total_writes_processed", server.stat_total_writes_processed),
        ("io_threaded_reads_processed", 0), ("io_threaded_writes_processed", 0),
        ("reply_buffer_shrinks", 0), ("reply_buffer_expands", 0),
    ]


def _info_replication():
    hook = getattr(server, "info_replication_hook", None)
    if hook is not None:
        return hook()
    return [
        ("role", "slave" if server.masterhost else "master"),
        ("connected_slaves", len(server.slaves)), ("master_failover_state", "no-failover"),
        ("master_replid", server.replid), ("master_replid2", server.replid2),
        ("master_repl_offset", server.master_repl_offset), ("second_repl_offset", -1),
        ("repl_backlog_active", 0), ("repl_backlog_size", server.repl_backlog_size),
        ("repl_backlog_first_byte_offset", 0), ("repl_backlog_histlen", 0),
    ]


def _info_cpu():
    import resource
    s = resource.getrusage(resource.RUSAGE_SELF)
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        th = resource.getrusage(resource.RUSAGE_THREAD)
    except (AttributeError, ValueError):
        th = s
    return [
        ("used_cpu_sys", "%.6f" % s.ru_stime), ("used_cpu_user", "%.6f" % s.ru_utime),
        ("used_cpu_sys_children", "%.6f" % ch.ru_stime),
        ("used_cpu_user_children", "%.6f" % ch.ru_utime),
        ("used_cpu_sys_main_thread", "%.6f" % th.ru_stime),
        ("used_cpu_user_main_thread", "%.6f" % th.ru_utime),
    ]


def _info_modules():
    return []


def _info_errorstats():
    # Redis keeps these in a rax, so they list in byte order of the code.
    return [("errorstat_%s" % k, "count=%d" % server.errors[k])
            for k in sorted(server.errors, key=lambda k: k.encode("utf-8", "surrogateescape"))]


def _each_command(commands=None):
    """Every command and subcommand, in command-table order."""
    for cmd in (commands or server.commands).values():
        yield cmd
        if cmd.subcommands_dict:
            yield from _each_command(cmd.subcommands_dict)


def _info_commandstats():
    out = []
    for cmd in _each_command():
        if cmd.calls or cmd.failed_calls or cmd.rejected_calls:
            out.append(("cmdstat_%s" % cmd.fullname,
                        "calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d"
                        % (cmd.calls, cmd.microseconds,
                           cmd.microseconds / cmd.calls if cmd.calls else 0,
                           cmd.rejected_calls, cmd.failed_calls)))
    return out


def _info_latencystats():
    from .latency import commandLatencyPercentiles
    out = []
    for cmd in _each_command():
        text = commandLatencyPercentiles(cmd)
        if text is not None:
            out.append(("latency_percentiles_usec_%s" % cmd.fullname, text))
    return out


def _info_keyspace():
    out = []
    for db in server.db:
        keys = len(db.dict)
        if keys:
            out.append(("db%d" % db.id, "keys=%d,expires=%d,avg_ttl=%d"
                        % (keys, len(db.expires), db.avg_ttl)))
    return out


def _info_cluster():
    return [("cluster_enabled", server.cluster_enabled)]


def resetServerStats():
    """CONFIG RESETSTAT's work (resetServerStats)."""
    for name in ("stat_numcommands", "stat_numconnections", "stat_expiredkeys",
                 "stat_expired_time_cap_reached_count", "stat_expire_cycle_time_used",
                 "stat_evictedkeys", "stat_evictedclients", "stat_keyspace_misses",
                 "stat_keyspace_hits", "stat_rejected_conn", "stat_net_input_bytes",
                 "stat_net_output_bytes", "stat_unexpected_error_replies",
                 "stat_total_error_replies", "stat_total_reads_processed",
                 "stat_total_writes_processed", "stat_client_qbuf_limit_disconnections",
                 "stat_client_outbuf_limit_disconnections", "stat_total_eviction_exceeded_time"):
        setattr(server, name, 0)
    if server.stat_last_eviction_exceeded_time:
        server.stat_last_eviction_exceeded_time = time.monotonic_ns() // 1000
    server.stat_expired_stale_perc = 0.0
    server.stat_peak_memory = 0
    for m in range(STATS_METRIC_COUNT):
        server.inst_metric[m] = _instMetric()
        server.inst_metric[m].last_sample_time = mstime()
    resetCommandTableStats()
    resetErrorTableStats()


def registerInfoSections():
    """The INFO sections, in Redis's order; other modules may add theirs."""
    server.info_sections = [
        ("server", "Server", _info_server), ("clients", "Clients", _info_clients),
        ("memory", "Memory", _info_memory), ("persistence", "Persistence", _info_persistence),
        ("stats", "Stats", _info_stats), ("replication", "Replication", _info_replication),
        ("cpu", "CPU", _info_cpu), ("module_list", "Modules", _info_modules),
        ("commandstats", "Commandstats", _info_commandstats),
        ("errorstats", "Errorstats", _info_errorstats),
        ("latencystats", "Latencystats", _info_latencystats),
        ("cluster", "Cluster", _info_cluster),
        ("keyspace", "Keyspace", _info_keyspace),
    ]


def monitorCommand(c):
    """MONITOR: stream every command to this client (monitorCommand)."""
    if c.flags & DENY:
        addReplyError(c, "MONITOR isn't allowed for DENY BLOCKING client")
        return
    if c.flags & CLIENT_SLAVE:
        return
    c.flags |= CLIENT_SLAVE | CLIENT_MONITOR
    server.monitors.append(c)
    addReply(c, shared.ok)


# ---------------------------------------------------------------------------
# Start-up
# ---------------------------------------------------------------------------
def initServerConfig():
    """Set every configuration default and runtime field (initServerConfig)."""
    from .config import initConfigValues
    server.runid = getRandomHexChars(CONFIG_RUN_ID_SIZE)
    server.replid = getRandomHexChars(CONFIG_RUN_ID_SIZE)
    server.replid2 = "0" * CONFIG_RUN_ID_SIZE
    server.executable = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else None
    server.hz = server.config_hz = 10
    server.timezone = time.timezone
    # Extension points other modules register into (see their docstrings).
    server.free_client_hooks = []
    server.reset_client_hooks = []
    server.propagate_hooks = []
    server.cron_hooks = []
    server.before_sleep_hooks = []
    server.clients_cron_hooks = []
    server.shutdown_hooks = []
    server.kill_child_hooks = []
    server.child_done_handlers = {}
    server.dup_object_hooks = {}
    server.scan_item_hooks = {}
    server.shutdown_save_hook = None
    server.used_memory_hook = None
    server.unblocked_clients = []
    server.clients_timeout_table = []
    server.clients_timeout_live = 0
    server.in_exec = 0
    server.clients_cron_order = []
    server.expires_pending = False
    server.fixed_time_expire = 0
    server.pre_command_oom_state = 0
    server.cron_malloc_stats_process_rss = 0
    server.aof_last_write_errno = ""
    server.watchdog_period = 0
    server.stat_peak_memory = 0
    # Memory model and clientsCron state (see getUsedMemory, clientsCron).
    server.initial_memory_usage = USED_MEMORY_STARTUP
    server.dataset_memory = 0
    server.stat_clients_type_memory = [0, 0, 0, 0]
    server.clients_peak_mem_input = [0] * CLIENTS_PEAK_MEM_USAGE_SLOTS
    server.clients_peak_mem_output = [0] * CLIENTS_PEAK_MEM_USAGE_SLOTS
    server.stat_last_eviction_exceeded_time = 0
    server.stat_total_eviction_exceeded_time = 0
    server.stat_querybuf_shrinks = 0
    server.pause_cron = 0
    server.free_client_hooks.append(removeClientFromMemUsage)
    initConfigValues()
    createSharedObjects()
    registerInfoSections()


def listenToPort(port, bindaddrs):
    """Open a listening socket per bind address (listenToPort)."""
    fds = []
    # No bind address at all ("bind" with no argument) means no TCP socket.
    addrs = bindaddrs
    for addr in addrs:
        optional = addr.startswith("-")
        a = addr[1:] if optional else addr
        if a == "*":
            a = "0.0.0.0"
        elif a == "::*":
            a = "::"
        try:
            s = anetTcpServer(port, a, server.tcp_backlog)
        except OSError as e:
            if optional:
                continue
            serverLog(LL_WARNING, "Warning: Could not create server TCP listening socket %s:%d: %s",
                      a, port, e.strerror)
            for s2 in fds:
                s2.close()
            return None
        fds.append(s)
    return fds


def initServer():
    """Create the event loop, databases, listeners and the cron (initServer)."""
    from .db import initDatabases
    setupSignalHandlers()
    server.pid = os.getpid()
    server.clients = {}
    server.clients_to_close = []
    server.clients_pending_write = []
    serverLog(LL_NOTICE, "monotonic clock: POSIX clock_gettime")   # what time.monotonic uses
    server.el = ae.aeCreateEventLoop(server.maxclients + 128)
    initDatabases()
    if server.port != 0:
        fds = listenToPort(server.port, server.bindaddr)
        if fds is None:
            serverLog(LL_WARNING, "Failed listening on port %d (TCP), aborting.", server.port)
            sys.exit(1)
        server.listeners = fds
        server.ipfd = [s.fileno() for s in fds]
    if not server.listeners and not server.unixsocket:
        serverLog(LL_WARNING, "Configured to not listen anywhere, exiting.")
        sys.exit(1)
    for m in range(STATS_METRIC_COUNT):
        server.inst_metric[m] = _instMetric()
    server.stat_starttime = int(time.time())
    server.lastsave = int(time.time())
    server.lastbgsave_try = 0
    updateCachedTime(1)
    server.lruclock = getLRUClock()
    if ae.aeCreateTimeEvent(server.el, 1, serverCron, None, None) == ae.AE_ERR:
        serverLog(LL_WARNING, "Can't create event loop timers.")
        sys.exit(1)
    for s in server.listeners:
        if ae.aeCreateFileEvent(server.el, s.fileno(), ae.AE_READABLE, acceptTcpHandler,
                                s) == ae.AE_ERR:
            serverLog(LL_WARNING, "Unrecoverable error creating server.ipfd file event.")
            sys.exit(1)
    ae.aeSetBeforeSleepProc(server.el, beforeSleep)
    ae.aeSetAfterSleepProc(server.el, afterSleep)
    populateCommandTable()
    from .tools.probe import registerProbeCommand
    registerProbeCommand()
    for init in server.init_hooks:
        init()


def tuneGarbageCollector():
    """Keep Python's cycle collector off the command path (no C counterpart).

    Redis frees memory when the last reference goes, and so does CPython's
    reference counting for everything the keyspace holds: values, dicts and
    robjs form no cycles. The cycle collector still walks every tracked
    object (each robj is one) from time to time; by default its youngest
    generation runs every 700 allocations, i.e. every few hundred SETs. We
    let the young generation grow 50 times bigger, so it runs about 100
    times a second under full load instead of thousands, and freeze what
    exists once start-up and loading are done, so the loaded dataset is
    never walked by a full collection.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(35000, 10, 10)


def createPidFile():
    """Write the pid file (createPidFile)."""
    if not server.pidfile:
        return
    try:
        with open(server.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    except OSError as e:
        serverLog(LL_WARNING, "Failed to write PID file: %s", e.strerror)


def loadDataFromDisk():
    """Load the dataset at start-up: AOF if enabled, else the RDB (loadDataFromDisk)."""
    if server.aof_state == aof.AOF_ON:      # the AOF holds the dataset, not dump.rdb
        aof.loadDataFromAppendOnlyFiles()
        return
    loader = server.load_data_hook
    if loader is not None:
        loader()


def usage():
    sys.stderr.write(
        "Usage: python -m pyredis [/path/to/redis.conf] [options] [-]\n"
        "       python -m pyredis - (read config from stdin)\n"
        "       python -m pyredis -v or --version\n"
        "       python -m pyredis -h or --help\n\n"
        "Examples:\n"
        "       python -m pyredis (run the server with default conf)\n"
        "       python -m pyredis /etc/redis/6379.conf\n"
        "       python -m pyredis --port 7777\n"
        "       python -m pyredis /etc/myredis.conf --loglevel verbose -\n"
        "       python -m pyredis --save 60 1000\n")
    sys.exit(1)


def version():
    print("Redis server v=%s sha=00000000:0 malloc=libc bits=64 build=pyredis" % REDIS_VERSION)
    sys.exit(0)


def main(argv=None):
    """Start the server (main): parse arguments, init, load, run the loop."""
    from .config import loadServerConfig
    if argv is None:
        argv = sys.argv[1:]
    # server.pid stays unset until initServer, as in Redis: the lines logged
    # before it (config errors, "Redis is starting") carry the role "C".
    server.init_hooks = []
    server.load_data_hook = None
    initServerConfig()
    server.exec_argv = list(argv)
    configfile = None
    options = []
    if argv:
        if argv[0] in ("-v", "--version"):
            version()
        if argv[0] in ("-h", "--help"):
            usage()
        j = 0
        if not argv[0].startswith("-"):
            configfile = argv[0]
            server.configfile = os.path.abspath(configfile)
            j = 1
        # Options become config lines: "--port 6380 --save '' " ->
        # "port 6380\nsave ''", exactly as redis-server builds them.
        line = []
        while j < len(argv):
            a = argv[j]
            if a == "-" :
                options.append(("stdin", None))
            elif a.startswith("--"):
                if line:
                    options.append(("line", line))
                line = [a[2:]]
            else:
                line.append(a)
            j += 1
        if line:
            options.append(("line", line))
    loadServerConfig(configfile, options)
    if server.cluster_enabled:
        # Cluster mode (cluster.c's bus, slots and redirections) is not built.
        # Serving standalone while the config asks for a cluster node would
        # mislead every cluster-aware client, so refuse, as Redis refuses a
        # configuration it cannot honour.
        serverLog(LL_WARNING, "cluster-enabled yes: cluster mode is not built in pyredis; "
                  "start it without cluster-enabled (standalone mode).")
        return 1
    serverLog(LL_WARNING, "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
    serverLog(LL_WARNING, "Redis version=%s, bits=64, commit=00000000, modified=0, pid=%d, "
              "just started (pyredis)", REDIS_VERSION, os.getpid())
    if not argv:      # Redis warns only when started with no argument at all
        serverLog(LL_WARNING, "Warning: no config file specified, using the default config. In "
                  "order to specify a config file use python -m pyredis /path/to/redis.conf")
    else:
        serverLog(LL_WARNING, "Configuration loaded")
    initServer()
    createPidFile()
    serverLog(LL_NOTICE, "Running mode=standalone, port=%d.", server.port)
    serverLog(LL_WARNING, "Server initialized")
    aof.aofLoadManifestFromDisk()
    loadDataFromDisk()
    aof.aofOpenIfNeededOnServerStart()
    aof.aofDelHistoryFiles()
    tuneGarbageCollector()
    serverLog(LL_NOTICE, "Ready to accept connections")
    ae.aeMain(server.el)
    ae.aeDeleteEventLoop(server.el)
    return 0


# Bound at the bottom, as a module: server.py and blocked.py import each other, and a
# module object can be bound while the other is still loading (its
# functions are looked up when called). An import inside the function
# instead would cost ~3 us on every call.
from . import blocked  # noqa: E402
from . import aof  # noqa: E402
# Loaded by then (db.py, which blocked.py imports, imports it at its bottom).
from .tracking import (  # noqa: E402
    trackingBroadcastInvalidationMessages, trackingGetTotalItems, trackingGetTotalKeys,
    trackingGetTotalPrefixes, trackingHandlePendingKeyInvalidations, trackingLimitUsedSlots,
    trackingRememberKeys,
)
