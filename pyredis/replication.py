"""Replication: our replication.c (MONITOR feeding now; replicas come later)."""

import time

from .server_h import server
from .util import sdscatrepr
from .networking import addReply, getClientPeerId


def replicationFeedMonitors(c, monitors, dictid, argv):
    """Send the command to every MONITOR client (replicationFeedMonitors).

    Format: +<unix time with µs> [<db> <addr>] "arg" "arg"..., with the
    arguments quoted by sdscatrepr.
    """
    if not monitors:
        return
    t = time.time()
    line = b"+%d.%06d " % (int(t), int((t % 1) * 1000000))
    if c.flags & (1 << 8):        # CLIENT_SCRIPT
        line += b"[%d lua] " % dictid
    elif c.flags & (1 << 11):     # CLIENT_UNIX_SOCKET
        line += b"[%d unix:%s] " % (dictid, (server.unixsocket or "").encode())
    else:
        line += b"[%d %s] " % (dictid, getClientPeerId(c).encode())
    line += b" ".join(sdscatrepr(a) for a in argv) + b"\r\n"
    for m in list(monitors):
        addReply(m, line)
