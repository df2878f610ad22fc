"""The slow log: our slowlog.c.

call() hands every command slower than slowlog-log-slower-than (µs) to
slowlogPushCurrentCommand; the log keeps the newest slowlog-max-len entries.
"""

import time

from .server_h import CMD_SKIP_SLOWLOG, LONG_MAX, server, shared
from .networking import (
    addReply,
    addReplyArrayLen,
    addReplyBulkCBuffer,
    addReplyHelp,
    addReplyLongLong,
    addReplySubcommandSyntaxError,
    getClientPeerId,
)
from .object import getRangeLongFromObjectOrReply

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
    # The entry's time is the real clock, not the cached one: the cached
    # clock is from before the slow command started.
    entry = slowlogEntry(out, server.slowlog_entry_id, duration, int(time.time()),
                         c.name or b"", getClientPeerId(c).encode())
    server.slowlog_entry_id += 1
    return entry


def slowlogPushEntryIfNeeded(c, argv, duration):
    """Log the command if it was slow enough (slowlogPushEntryIfNeeded).

    A negative slowlog-log-slower-than disables the log, and so does
    slowlog-max-len 0; 0 logs every command.
    """
    if server.slowlog_log_slower_than < 0 or server.slowlog_max_len == 0:
        return
    if duration >= server.slowlog_log_slower_than:
        server.slowlog.insert(0, slowlogCreateEntry(c, argv, duration))
    while len(server.slowlog) > server.slowlog_max_len:
        server.slowlog.pop()


def slowlogPushCurrentCommand(c, cmd, duration):
    """Log the command c just ran, unless it is exempt (slowlogPushCurrentCommand)."""
    if cmd.flags & CMD_SKIP_SLOWLOG:
        return
    argv = c.original_argv if c.original_argv else c.argv
    slowlogPushEntryIfNeeded(c, argv, duration)


def slowlogReset():
    """Drop every entry; ids keep counting (slowlogReset)."""
    server.slowlog = []


SLOWLOG_HELP = [
    "GET [<count>]",
    "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
    "    Entries are made of:",
    "    id, timestamp, time in microseconds, arguments array, client IP and port,",
    "    client name",
    "LEN",
    "    Return the length of the slowlog.",
    "RESET",
    "    Reset the slowlog.",
]


def slowlogCommand(c):
    """SLOWLOG GET [count] | LEN | RESET | HELP (slowlogCommand)."""
    argv = c.argv
    argc = len(argv)
    sub = argv[1].lower()
    if argc == 2 and sub == b"help":
        addReplyHelp(c, SLOWLOG_HELP)
    elif argc == 2 and sub == b"reset":
        slowlogReset()
        addReply(c, shared.ok)
    elif argc == 2 and sub == b"len":
        addReplyLongLong(c, len(server.slowlog))
    elif argc in (2, 3) and sub == b"get":
        count = 10
        if argc == 3:
            count = getRangeLongFromObjectOrReply(
                c, argv[2], -1, LONG_MAX, "count should be greater than or equal to -1")
            if count is None:
                return
            if count == -1:
                count = len(server.slowlog)
        entries = server.slowlog[:count]
        addReplyArrayLen(c, len(entries))
        for se in entries:
            addReplyArrayLen(c, 6)
            addReplyLongLong(c, se.id)
            addReplyLongLong(c, se.time)
            addReplyLongLong(c, se.duration)
            addReplyArrayLen(c, len(se.argv))
            for a in se.argv:
                addReplyBulkCBuffer(c, a)
            addReplyBulkCBuffer(c, se.peerid)
            addReplyBulkCBuffer(c, se.cname)
    else:
        addReplySubcommandSyntaxError(c)
