"""Replication: our replication.c.

What is here is the part a server without replicas still has: feeding
MONITOR clients, ROLE, and WAIT, whose answer on a master with no replicas
is always 0. The replication protocol itself (REPLICAOF, SYNC/PSYNC,
REPLCONF, the backlog) is not built yet; `server.slaves` stays empty, and
the functions below already walk it the way replication.c does, so they
keep their meaning when replicas arrive.
"""

import time

from .server_h import BLOCKED_WAIT, CLIENT_MULTI, SLAVE_STATE_ONLINE, UNIT_MILLISECONDS, server
from .util import sdscatrepr
from .networking import (addReply, addReplyArrayLen, addReplyBulkCBuffer, addReplyError,
                         addReplyLongLong, getClientPeerId)
from .object import getLongFromObjectOrReply
from .timeout import getTimeoutFromObjectOrReply


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


def roleCommand(c):
    """ROLE (roleCommand): this server's part in replication.

    A master answers ["master", its replication offset, one
    [ip, port, acked offset] triple per online replica]. Only the master
    shape can occur until replicas exist.
    """
    addReplyArrayLen(c, 3)
    addReplyBulkCBuffer(c, b"master")
    addReplyLongLong(c, server.master_repl_offset)
    online = [s for s in server.slaves if s.replstate == SLAVE_STATE_ONLINE]
    addReplyArrayLen(c, len(online))
    for s in online:
        addReplyArrayLen(c, 3)
        addReplyBulkCBuffer(c, (s.slave_addr or getClientPeerId(s).rsplit(":", 1)[0]).encode())
        addReplyBulkCBuffer(c, b"%d" % s.slave_listening_port)
        addReplyBulkCBuffer(c, b"%d" % s.repl_ack_off)


def replicationCountAcksByOffset(offset):
    """How many online replicas acknowledged `offset` or later (replicationCountAcksByOffset)."""
    return sum(1 for s in server.slaves
               if s.replstate == SLAVE_STATE_ONLINE and s.repl_ack_off >= offset)


def replicationRequestAckFromSlaves():
    """Ask every replica for a REPLCONF ACK before the next sleep (replicationRequestAckFromSlaves).

    Only the flag: beforeSleep sends the GETACK when there are replicas.
    """
    server.get_ack_from_slaves = 1


def waitCommand(c):
    """WAIT numreplicas timeout (waitCommand).

    Answers at once when enough replicas already acknowledged this client's
    last write (c.woff), or inside MULTI; otherwise blocks until they do or
    the timeout (milliseconds, 0 = forever) passes, and then answers how
    many did. With no replicas, "WAIT 0 t" answers 0 at once and "WAIT 1 t"
    answers 0 after t, as on a real master that has none.
    """
    if server.masterhost:
        addReplyError(c, "WAIT cannot be used with replica instances. Please also note that "
                         "since Redis 4.0 if a replica is configured to be writable (which is "
                         "not the default) writes to replicas are just local and are not "
                         "propagated.")
        return
    numreplicas = getLongFromObjectOrReply(c, c.argv[1])
    if numreplicas is None:
        return
    timeout = getTimeoutFromObjectOrReply(c, c.argv[2], UNIT_MILLISECONDS)
    if timeout is None:
        return
    ackreplicas = replicationCountAcksByOffset(c.woff)
    if ackreplicas >= numreplicas or c.flags & CLIENT_MULTI:
        addReplyLongLong(c, ackreplicas)
        return
    c.bpop.timeout = timeout
    c.bpop.reploffset = c.woff
    c.bpop.numreplicas = numreplicas
    server.clients_waiting_acks.insert(0, c)
    # Imported here: server.py loads this module before blocked.py's own
    # imports can resolve, and WAIT is far from the hot path.
    from .blocked import blockClient
    blockClient(c, BLOCKED_WAIT)
    replicationRequestAckFromSlaves()


def unblockClientWaitingReplicas(c):
    """unblockClient's part for WAIT: leave the waiting list (unblockClientWaitingReplicas)."""
    server.clients_waiting_acks.remove(c)

