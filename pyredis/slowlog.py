"""The slow log: our slowlog.c.

call() hands every command slower than slowlog-log-slower-than (µs) to
slowlogPushCurrentCommand; the log keeps the newest slowlog-max-len entries.
"""

from .server_h import server

SLOWLOG_ENTRY_MAX_ARGC = 32
SLOWLOG_ENTRY_MAX_STRING = 128


class slowlogEntry:
    """One slow log entry (C's slowlogEntry)."""
    __slots__ = ("argv", "id", "duration", "time", "cname", "peerid")

    def __init__(self, argv, id, duration, t, cname, peerid):
        self.argv = argv
        self.id = id
        self.duration = duration
        self.time = t
        self.cname = cname
        self.peerid = peerid


def slowlogCreateEntry(c, argv, duration):
    """Copy the arguments, truncated as Redis truncates them (slowlogCreateEntry)."""
    from .networking import getClientPeerId
    argc = len(argv)
    slargc = min(argc, SLOWLOG_ENTRY_MAX_ARGC)
    out = []
    for j in range(slargc):
        if slargc != argc and j == slargc - 1:
            out.append(b"... (%d more arguments)" % (argc - slargc + 1))
        else:
            a = argv[j]
            if len(a) > SLOWLOG_ENTRY_MAX_STRING:
                a = a[:SLOWLOG_ENTRY_MAX_STRING] + b"... (%d more bytes)" % (
                    len(a) - SLOWLOG_ENTRY_MAX_STRING)
            out.append(a)
    entry = slowlogEntry(out, server.slowlog_entry_id, duration, server.unixtime,
                         c.name or b"", getClientPeerId(c).encode())
    server.slowlog_entry_id += 1
    return entry


def slowlogPushEntryIfNeeded(c, argv, duration):
    """Log the command if it was slow enough (slowlogPushEntryIfNeeded)."""
    if server.slowlog_log_slower_than < 0:
        return
    if duration >= server.slowlog_log_slower_than:
        server.slowlog.insert(0, slowlogCreateEntry(c, argv, duration))
    while len(server.slowlog) > server.slowlog_max_len:
        server.slowlog.pop()


def slowlogPushCurrentCommand(c, cmd, duration):
    """Log the command c just ran, unless it is exempt (slowlogPushCurrentCommand)."""
    from .server_h import CMD_SKIP_SLOWLOG
    if cmd.flags & CMD_SKIP_SLOWLOG:
        return
    argv = c.original_argv if c.original_argv else c.argv
    slowlogPushEntryIfNeeded(c, argv, duration)
