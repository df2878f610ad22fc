"""Replication: our replication.c.

Both ends of Redis's master-replica protocol, so pyredis replicates to and
from a real Redis 7.0 (docs/replication.md walks through it):

- master side: SYNC/PSYNC (syncCommand), REPLCONF, the backlog, the
  stream fed to replicas after every command (replicationFeedSlaves, a
  PROPAGATE_REPL hook), full resync with a disk BGSAVE or a diskless one
  (rdb.rdbSaveToSlavesSockets), partial resync (+CONTINUE), WAIT;
- replica side: REPLICAOF, the non-blocking handshake (syncWithMaster),
  the RDB transfer (readSyncBulkPayload), then the master's stream read as
  a CLIENT_MASTER client through the normal read path, ACKs every second,
  and the cached master for a partial resync after a reconnect.

Deliberate differences with 7.0, each said where it is made: the backlog is
a ring buffer and every replica has its own output buffer (7.0 shares one
list of reply blocks between them), and the diskless child writes to the
replica sockets itself (7.0 pipes the RDB through the parent).
"""

import os
import time

from .server_h import (
    BLOCKED_WAIT, CHILD_TYPE_RDB, CLIENT_BLOCKED, CLIENT_CLOSE_AFTER_REPLY, CLIENT_CLOSE_ASAP,
    CLIENT_MASTER, CLIENT_MASTER_FORCE_REPLY, CLIENT_MONITOR, CLIENT_MULTI, CLIENT_PRE_PSYNC,
    CLIENT_PROTOCOL_ERROR, CLIENT_REPL_RDBONLY, CLIENT_SLAVE, C_ERR, C_OK, LL_NOTICE,
    LL_WARNING, PROPAGATE_REPL, PROTO_IOBUF_LEN, REPL_STATE_CONNECT, REPL_STATE_CONNECTED,
    REPL_STATE_CONNECTING, REPL_STATE_NONE, REPL_STATE_RECEIVE_AUTH_REPLY,
    REPL_STATE_RECEIVE_CAPA_REPLY, REPL_STATE_RECEIVE_IP_REPLY, REPL_STATE_RECEIVE_PING_REPLY,
    REPL_STATE_RECEIVE_PORT_REPLY, REPL_STATE_RECEIVE_PSYNC_REPLY, REPL_STATE_SEND_HANDSHAKE,
    REPL_STATE_SEND_PSYNC, REPL_STATE_TRANSFER, SLAVE_CAPA_EOF, SLAVE_CAPA_PSYNC2,
    SLAVE_STATE_ONLINE, SLAVE_STATE_RDB_TRANSMITTED, SLAVE_STATE_SEND_BULK,
    SLAVE_STATE_WAIT_BGSAVE_END, SLAVE_STATE_WAIT_BGSAVE_START, UNIT_MILLISECONDS, server, shared,
)
from .util import c_string, getRandomHexChars, sdscatrepr
from .networking import (addReply, addReplyArrayLen, addReplyBulkCBuffer, addReplyBulkCString,
                         addReplyBulkLongLong, addReplyError, addReplyErrorFormat,
                         addReplyErrorObject, addReplyLongLong, catClientInfoString,
                         clientHasPendingReplies, createClient, freeClient, freeClientAsync,
                         getClientPeerId, linkClient, putClientInPendingWriteQueue,
                         readQueryFromClient, resetClient, sendReplyToClient, serverLog)
from .connection import (CONN_STATE_CONNECTED, connClose, connConnect, connCreateSocket,
                         connGetLastError, connGetState, connPeerToString, connRead,
                         connSetPrivateData, connSetReadHandler, connSetWriteHandler,
                         connSyncReadLine, connSyncWrite, connWrite)
from .object import (getLongFromObjectOrReply, getLongLongFromObject,
                     getLongLongFromObjectOrReply, getRangeLongFromObjectOrReply)
from .timeout import getTimeoutFromObjectOrReply

CONFIG_RUN_ID_SIZE = 40
CONFIG_REPL_SYNCIO_TIMEOUT = 5          # seconds, for the blocking handshake reads/writes
NET_HOST_STR_LEN = 256
REPL_MAX_WRITTEN_BEFORE_FSYNC = 1024 * 1024 * 8

# slaveTryPartialResynchronization's answers
PSYNC_WRITE_ERROR = 0
PSYNC_WAIT_REPLY = 1
PSYNC_CONTINUE = 2
PSYNC_FULLRESYNC = 3
PSYNC_NOT_SUPPORTED = 4
PSYNC_TRY_LATER = 5


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
    [ip, port, acked offset] triple per online replica]; a replica answers
    ["slave", master host, master port, link state, applied offset].
    """
    if server.masterhost is None:
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
        return
    addReplyArrayLen(c, 5)
    addReplyBulkCBuffer(c, b"slave")
    addReplyBulkCString(c, server.masterhost)
    addReplyLongLong(c, server.masterport)
    if slaveIsInHandshakeState():
        state = "handshake"
    else:
        state = {REPL_STATE_NONE: "none", REPL_STATE_CONNECT: "connect",
                 REPL_STATE_CONNECTING: "connecting", REPL_STATE_TRANSFER: "sync",
                 REPL_STATE_CONNECTED: "connected"}.get(server.repl_state, "unknown")
    addReplyBulkCString(c, state)
    addReplyLongLong(c, server.master.reploff if server.master is not None else -1)


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



def processClientsWaitingReplicas():
    """Answer the WAITs that enough replicas have now acknowledged (processClientsWaitingReplicas).

    Run from beforeSleep. A client satisfied for an offset and a count lets
    the following ones asking no more be answered without counting again.
    """
    last_offset = 0
    last_numreplicas = 0
    from .blocked import unblockClient
    for c in list(server.clients_waiting_acks):
        if last_offset and last_offset >= c.bpop.reploffset and \
                last_numreplicas >= c.bpop.numreplicas:
            unblockClient(c)
            addReplyLongLong(c, last_numreplicas)
        else:
            numreplicas = replicationCountAcksByOffset(c.bpop.reploffset)
            if numreplicas >= c.bpop.numreplicas:
                last_offset = c.bpop.reploffset
                last_numreplicas = numreplicas
                unblockClient(c)
                addReplyLongLong(c, numreplicas)


# ===========================================================================
# Master side: replication IDs, the backlog, feeding replicas
# ===========================================================================
def replicationGetSlaveName(c):
    """ip:listening-port of a replica, for log lines (replicationGetSlaveName)."""
    ip = c.slave_addr
    if not ip and c.conn is not None and c.conn.sock is not None:
        ip = connPeerToString(c.conn)[0]
    if ip:
        if ":" in ip:
            ip = "[%s]" % ip
        if c.slave_listening_port:
            return "%s:%d" % (ip, c.slave_listening_port)
        return "%s:<unknown-replica-port>" % ip
    return "client id #%d" % c.id


def changeReplicationId():
    """Start a new replication history: a fresh random ID (changeReplicationId)."""
    server.replid = getRandomHexChars(CONFIG_RUN_ID_SIZE)


def clearReplicationId2():
    """Forget the secondary ID (clearReplicationId2)."""
    server.replid2 = "0" * CONFIG_RUN_ID_SIZE
    server.second_replid_offset = -1


def shiftReplicationId():
    """Keep the current history as the secondary ID, valid up to the next offset,
    and start a new one (shiftReplicationId): what a promoted replica does, so
    its former siblings can still PSYNC from it."""
    server.replid2 = server.replid
    # +1: a replica asks for the first byte it lacks.
    server.second_replid_offset = server.master_repl_offset + 1
    changeReplicationId()
    serverLog(LL_WARNING, "Setting secondary replication ID to %s, valid up to offset: %d. "
              "New replication ID is %s", server.replid2, server.second_replid_offset,
              server.replid)


class replBacklog:
    """The replication backlog (C's replBacklog): the last repl-backlog-size bytes
    of the stream, for replicas that reconnect (PSYNC).

    Deliberate difference: a fixed ring buffer, as Redis had up to 6.2. 7.0
    keeps the stream once, as a list of blocks the backlog and every
    replica's output point into; with one bytearray per replica here, the
    ring is the simpler and cheaper structure. `offset` and `histlen` mean
    what they mean in 7.0: the master offset of the first byte held, and how
    many bytes are held.
    """
    __slots__ = ("buf", "idx", "histlen", "offset")

    def __init__(self, size):
        self.buf = bytearray(size)
        self.idx = 0           # where the next byte goes
        self.histlen = 0
        self.offset = 0


def createReplicationBacklog():
    """Create the backlog, empty, starting after the current offset (createReplicationBacklog)."""
    bl = replBacklog(server.repl_backlog_size)
    # The first byte it will hold is the next one fed.
    bl.offset = server.master_repl_offset + 1
    server.repl_backlog = bl
    set_repl_propagate_hook(True)


def freeReplicationBacklog():
    """Drop the backlog (freeReplicationBacklog)."""
    server.repl_backlog = None
    set_repl_propagate_hook(False)


_REPL_HOOK = None


def set_repl_propagate_hook(on):
    """Keep replicationFeedSlaves in server.propagate_hooks exactly while there is a
    backlog (Python-only). Replicas imply a backlog, and without either the
    feed has nothing to do; an empty hook list is what lets call() skip
    propagation altogether, so a server that never had a replica pays nothing."""
    global _REPL_HOOK
    if _REPL_HOOK is None:
        _REPL_HOOK = (PROPAGATE_REPL, replicationFeedSlaves)
    hooks = server.propagate_hooks
    if on and _REPL_HOOK not in hooks:
        hooks.append(_REPL_HOOK)
    elif not on and _REPL_HOOK in hooks:
        hooks.remove(_REPL_HOOK)


def feedReplicationBacklog(data):
    """Append stream bytes to the backlog ring, advancing master_repl_offset
    (the backlog half of feedReplicationBuffer)."""
    bl = server.repl_backlog
    n = len(data)
    server.master_repl_offset += n
    buf = bl.buf
    size = len(buf)
    if n >= size:
        buf[:] = data[n - size:]
        bl.idx = 0
        bl.histlen = size
    else:
        end = bl.idx + n
        if end <= size:
            buf[bl.idx:end] = data
        else:
            first = size - bl.idx
            buf[bl.idx:] = data[:first]
            buf[:n - first] = data[first:]
        bl.idx = end % size
        bl.histlen = min(bl.histlen + n, size)
    bl.offset = server.master_repl_offset - bl.histlen + 1


def canFeedReplicaReplBuffer(replica):
    """Does this replica take the stream now (canFeedReplicaReplBuffer)? Not an
    RDB-only one, and not one whose RDB has not started yet: its stream begins
    at the offset of the RDB it will get."""
    if replica.flags & CLIENT_REPL_RDBONLY:
        return False
    return replica.replstate != SLAVE_STATE_WAIT_BGSAVE_START


def feedReplicationBuffer(data):
    """Add stream bytes to the backlog and to every replica's output (feedReplicationBuffer).

    A replica still syncing keeps them in its output buffer, unsent
    (prepareClientToWrite does not queue it), until its RDB is through.
    """
    if server.repl_backlog is None:
        return
    feedReplicationBacklog(data)
    for slave in server.slaves:
        if canFeedReplicaReplBuffer(slave):
            addReply(slave, data)


def _argbytes(a):
    if type(a) is bytes:
        return a
    if isinstance(a, (bytearray, memoryview)):
        return bytes(a)
    if isinstance(a, int):
        return b"%d" % a
    if isinstance(a, str):
        return a.encode()
    p = a.ptr                      # a string robj
    return b"%d" % p if isinstance(p, int) else p


def replicationFeedSlaves(dictid, argv):
    """Send one command to the replicas and the backlog as RESP (replicationFeedSlaves).

    The PROPAGATE_REPL hook while a backlog exists, so it runs for every command
    propagated (MULTI/EXEC wrapping done by propagatePendingCommands). A
    SELECT goes first when the database differs from the stream's last one
    (server.slaveseldb). A replica does nothing here: it passes its master's
    own bytes on instead (replicationFeedStreamFromMasterStream).

    Deliberate differences: no `slaves` argument (there is one list), and
    the client whose command this is gets its `woff` here, which 7.0 sets at
    the end of call(), so that WAIT knows which offset to wait for.
    """
    if server.masterhost is not None:
        return
    if server.repl_backlog is None and not server.slaves:
        return
    parts = []
    if server.slaveseldb != dictid:
        ds = b"%d" % dictid
        parts.append(b"*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n" % (len(ds), ds))
        server.slaveseldb = dictid
    parts.append(b"*%d\r\n" % len(argv))
    for a in argv:
        a = _argbytes(a)
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    feedReplicationBuffer(b"".join(parts))
    c = server.current_client
    if c is not None:
        c.woff = server.master_repl_offset


def replicationFeedStreamFromMasterStream(buf):
    """On a replica: pass the bytes of our master's stream we just applied on to
    our own replicas and backlog, unchanged, so offsets agree down a chain
    (replicationFeedStreamFromMasterStream)."""
    if server.repl_backlog is not None:
        feedReplicationBuffer(bytes(buf))


def addReplyReplicationBacklog(c, offset):
    """Send `c` the backlog from `offset` on; returns the byte count (addReplyReplicationBacklog)."""
    bl = server.repl_backlog
    if bl.histlen == 0:
        return 0
    skip = offset - bl.offset
    size = len(bl.buf)
    start = (bl.idx - bl.histlen + skip) % size
    length = bl.histlen - skip
    if start + length <= size:
        data = bytes(bl.buf[start:start + length])
    else:
        data = bytes(bl.buf[start:]) + bytes(bl.buf[:length - (size - start)])
    if data:
        addReply(c, data)
    return length


def getPsyncInitialOffset():
    """The offset a full resync starts from: the current one (getPsyncInitialOffset)."""
    return server.master_repl_offset


# ===========================================================================
# Master side: SYNC / PSYNC
# ===========================================================================
def replicationSetupSlaveForFullResync(slave, offset):
    """Tell a replica +FULLRESYNC <replid> <offset> and mark it waiting for the RDB
    (replicationSetupSlaveForFullResync).

    Written straight to the socket, not through the output buffer: that
    buffer now collects the stream that follows the RDB. The next command
    streamed starts with a SELECT (slaveseldb = -1), since the replica
    cannot know the database of the stream yet.
    """
    slave.psync_initial_offset = offset
    slave.replstate = SLAVE_STATE_WAIT_BGSAVE_END
    server.slaveseldb = -1
    if not slave.flags & CLIENT_PRE_PSYNC:
        buf = b"+FULLRESYNC %s %d\r\n" % (server.replid.encode(), offset)
        if connWrite(slave.conn, buf) != len(buf):
            freeClientAsync(slave)
            return C_ERR
    return C_OK


def masterTryPartialResynchronization(c, psync_offset):
    """Serve a PSYNC from the backlog if we can (masterTryPartialResynchronization).

    Possible when the replica's replication ID is ours (or our previous one,
    up to where that history ended) and the offset it asks for is still in
    the backlog. Then: +CONTINUE [<replid>], the backlog from that offset,
    and the replica is online. C_ERR means a full resync is needed.
    """
    master_replid = c_string(c.argv[1]).decode("latin-1")
    if master_replid.lower() != server.replid.lower() and (
            master_replid.lower() != server.replid2.lower() or
            psync_offset > server.second_replid_offset):
        if master_replid[:1] != "?":
            if master_replid.lower() != server.replid.lower() and \
                    master_replid.lower() != server.replid2.lower():
                serverLog(LL_NOTICE, "Partial resynchronization not accepted: Replication ID "
                          "mismatch (Replica asked for '%s', my replication IDs are '%s' and "
                          "'%s')", master_replid, server.replid, server.replid2)
            else:
                serverLog(LL_NOTICE, "Partial resynchronization not accepted: Requested offset "
                          "for second ID was %d, but I can reply up to %d", psync_offset,
                          server.second_replid_offset)
        else:
            serverLog(LL_NOTICE, "Full resync requested by replica %s", replicationGetSlaveName(c))
        return C_ERR
    bl = server.repl_backlog
    if bl is None or psync_offset < bl.offset or psync_offset > bl.offset + bl.histlen:
        serverLog(LL_NOTICE, "Unable to partial resync with replica %s for lack of backlog "
                  "(Replica request was: %d).", replicationGetSlaveName(c), psync_offset)
        if psync_offset > server.master_repl_offset:
            serverLog(LL_WARNING, "Warning: replica %s tried to PSYNC with an offset that is "
                      "greater than the master replication offset.", replicationGetSlaveName(c))
        return C_ERR
    c.flags |= CLIENT_SLAVE
    c.replstate = SLAVE_STATE_ONLINE
    c.repl_ack_time = server.unixtime
    c.repl_start_cmd_stream_on_ack = 0
    server.slaves.append(c)
    # Straight to the socket, which is empty: the output buffer is where
    # the backlog goes next.
    if c.slave_capa & SLAVE_CAPA_PSYNC2:
        buf = b"+CONTINUE %s\r\n" % server.replid.encode()
    else:
        buf = b"+CONTINUE\r\n"
    if connWrite(c.conn, buf) != len(buf):
        freeClientAsync(c)
        return C_OK
    psync_len = addReplyReplicationBacklog(c, psync_offset)
    serverLog(LL_NOTICE, "Partial resynchronization request from %s accepted. Sending %d bytes "
              "of backlog starting from offset %d.", replicationGetSlaveName(c), psync_len,
              psync_offset)
    return C_OK


def startBgsaveForReplication(mincapa, req):
    """Start the BGSAVE that feeds the waiting replicas (startBgsaveForReplication).

    Diskless (the child streams the RDB to the sockets) when
    repl-diskless-sync is on and every waiting replica understands the
    $EOF: format; to a file otherwise. If it cannot start, the waiting
    replicas get an error and are dropped.
    """
    from .rdb import rdbPopulateSaveInfo, rdbSaveBackground, rdbSaveToSlavesSockets
    socket_target = bool(server.repl_diskless_sync and mincapa & SLAVE_CAPA_EOF)
    serverLog(LL_NOTICE, "Starting BGSAVE for SYNC with target: %s",
              "replicas sockets" if socket_target else "disk")
    rsi = rdbPopulateSaveInfo()
    if rsi is not None:
        if socket_target:
            retval = rdbSaveToSlavesSockets(req, rsi)
        else:
            retval = rdbSaveBackground(req, server.rdb_filename, rsi)
    else:
        serverLog(LL_WARNING, "BGSAVE for replication: replication information not available, "
                  "can't generate the RDB file right now. Try later.")
        retval = C_ERR
    if retval == C_ERR:
        serverLog(LL_WARNING, "BGSAVE for replication failed")
        for slave in list(server.slaves):
            if slave.replstate == SLAVE_STATE_WAIT_BGSAVE_START:
                slave.replstate = REPL_STATE_NONE
                slave.flags &= ~CLIENT_SLAVE
                server.slaves.remove(slave)
                addReplyError(slave, "BGSAVE failed, replication can't continue")
                slave.flags |= CLIENT_CLOSE_AFTER_REPLY
        return retval
    # A diskless child already told its replicas +FULLRESYNC before forking.
    if not socket_target:
        for slave in server.slaves:
            if slave.replstate == SLAVE_STATE_WAIT_BGSAVE_START and slave.slave_req == req:
                replicationSetupSlaveForFullResync(slave, getPsyncInitialOffset())
    return retval


def copyReplicaOutputBuffer(dst, src):
    """Give a replica joining a running BGSAVE what the other replica of that BGSAVE
    has collected since the fork (copyReplicaOutputBuffer)."""
    dst.buf = bytearray(src.buf)
    dst.reply = [bytearray(node) for node in src.reply]
    dst.reply_bytes = src.reply_bytes


def syncCommand(c):
    """SYNC and PSYNC <replid> <offset> (syncCommand): a replica asks for the dataset.

    PSYNC is answered +CONTINUE when the backlog still has what the replica
    lacks (masterTryPartialResynchronization). Otherwise a full resync: the
    replica waits for a BGSAVE (joining one in progress to disk if it can),
    gets +FULLRESYNC <replid> <offset> when it starts, then the RDB, then the
    stream collected meanwhile.
    """
    if c.flags & CLIENT_SLAVE:
        return
    if server.masterhost and server.repl_state != REPL_STATE_CONNECTED:
        addReplyError(c, "-NOMASTERLINK Can't SYNC while not connected with my master")
        return
    if clientHasPendingReplies(c):
        addReplyError(c, "SYNC and PSYNC are invalid with pending output")
        return
    serverLog(LL_NOTICE, "Replica %s asks for synchronization", replicationGetSlaveName(c))
    if c.argv[0].lower() == b"psync":
        psync_offset = getLongLongFromObjectOrReply(c, c.argv[2])
        if psync_offset is None:
            serverLog(LL_WARNING, "Replica %s asks for synchronization but with a wrong offset",
                      replicationGetSlaveName(c))
            return
        if masterTryPartialResynchronization(c, psync_offset) == C_OK:
            server.stat_sync_partial_ok = getattr(server, "stat_sync_partial_ok", 0) + 1
            return
        if c.argv[1][:1] != b"?":
            server.stat_sync_partial_err = getattr(server, "stat_sync_partial_err", 0) + 1
    else:
        # An old replica, or redis-cli --replica: it will send no REPLCONF ACK.
        c.flags |= CLIENT_PRE_PSYNC
    server.stat_sync_full = getattr(server, "stat_sync_full", 0) + 1
    c.replstate = SLAVE_STATE_WAIT_BGSAVE_START
    c.repldbfd = None
    c.flags |= CLIENT_SLAVE
    server.slaves.append(c)
    if len(server.slaves) == 1 and server.repl_backlog is None:
        # A new backlog is a new history: no earlier offset is valid in it.
        changeReplicationId()
        clearReplicationId2()
        createReplicationBacklog()
        serverLog(LL_NOTICE, "Replication backlog created, my new replication IDs are '%s' and "
                  "'%s'", server.replid, server.replid2)
    from .rdb import RDB_CHILD_TYPE_DISK, RDB_CHILD_TYPE_SOCKET
    if server.child_type == CHILD_TYPE_RDB and server.rdb_child_type == RDB_CHILD_TYPE_DISK:
        # Another replica waiting for this BGSAVE has collected the stream
        # since the fork: this one can share the file and copy that.
        other = None
        for slave in server.slaves:
            if slave.replstate == SLAVE_STATE_WAIT_BGSAVE_END and (
                    not slave.flags & CLIENT_REPL_RDBONLY or c.flags & CLIENT_REPL_RDBONLY):
                other = slave
                break
        if other is not None and (c.slave_capa & other.slave_capa) == other.slave_capa and \
                c.slave_req == other.slave_req:
            if not c.flags & CLIENT_REPL_RDBONLY:
                copyReplicaOutputBuffer(c, other)
            replicationSetupSlaveForFullResync(c, other.psync_initial_offset)
            serverLog(LL_NOTICE, "Waiting for end of BGSAVE for SYNC")
        else:
            serverLog(LL_NOTICE, "Can't attach the replica to the current BGSAVE. Waiting for "
                      "next BGSAVE for SYNC")
    elif server.child_type == CHILD_TYPE_RDB and server.rdb_child_type == RDB_CHILD_TYPE_SOCKET:
        serverLog(LL_NOTICE, "Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC")
    else:
        if server.repl_diskless_sync and c.slave_capa & SLAVE_CAPA_EOF and \
                server.repl_diskless_sync_delay:
            # replicationCron starts it, once the delay has let more
            # replicas arrive to share the one transfer.
            serverLog(LL_NOTICE, "Delay next BGSAVE for diskless SYNC")
        else:
            from .server import hasActiveChildProcess
            if not hasActiveChildProcess():
                startBgsaveForReplication(c.slave_capa, c.slave_req)
            else:
                serverLog(LL_NOTICE, "No BGSAVE in progress, but another BG operation is active. "
                          "BGSAVE for replication delayed")


def replconfCommand(c):
    """REPLCONF <option> <value> ... (replconfCommand): what a replica tells its master.

    listening-port and ip-address (how ROLE and INFO name it), capa eof /
    psync2, and, once streaming, ACK <offset> (no reply) and GETACK (which
    makes a replica send an ACK). rdb-only asks for the RDB without the
    stream that follows (redis-cli --rdb).
    """
    argv = c.argv
    if len(argv) % 2 == 0:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    for j in range(1, len(argv), 2):
        opt = c_string(argv[j]).lower()
        if opt == b"listening-port":
            port = getLongFromObjectOrReply(c, argv[j + 1])
            if port is None:
                return
            c.slave_listening_port = port
        elif opt == b"ip-address":
            addr = argv[j + 1]
            if len(addr) < NET_HOST_STR_LEN:
                c.slave_addr = addr.decode("latin-1")
            else:
                addReplyErrorFormat(c, "REPLCONF ip-address provided by replica instance is too "
                                    "long: %d bytes", len(addr))
                return
        elif opt == b"capa":
            val = c_string(argv[j + 1]).lower()
            if val == b"eof":
                c.slave_capa |= SLAVE_CAPA_EOF
            elif val == b"psync2":
                c.slave_capa |= SLAVE_CAPA_PSYNC2
        elif opt == b"ack":
            if not c.flags & CLIENT_SLAVE:
                return
            offset = getLongLongFromObject(argv[j + 1])
            if offset is None:
                return
            if offset > c.repl_ack_off:
                c.repl_ack_off = offset
            c.repl_ack_time = server.unixtime
            # The ACK may come before the cron noticed the diskless child
            # is done: look now, so the replica goes online at once.
            if server.child_type == CHILD_TYPE_RDB and c.replstate == SLAVE_STATE_WAIT_BGSAVE_END:
                from .server import checkChildrenDone
                checkChildrenDone()
            if c.repl_start_cmd_stream_on_ack and c.replstate == SLAVE_STATE_ONLINE:
                replicaStartCommandStream(c)
            return
        elif opt == b"getack":
            if server.masterhost and server.master is not None:
                replicationSendAck()
            return
        elif opt == b"rdb-only":
            v = getRangeLongFromObjectOrReply(c, argv[j + 1], 0, 1)
            if v is None:
                return
            if v == 1:
                c.flags |= CLIENT_REPL_RDBONLY
            else:
                c.flags &= ~CLIENT_REPL_RDBONLY
        elif opt == b"rdb-filter-only":
            from .util import sdssplitargs
            filters = sdssplitargs(c_string(argv[j + 1]))
            if filters is None:
                addReplyErrorFormat(c, "Missing rdb-filter-only values")
                return
            from .rdb import SLAVE_REQ_RDB_EXCLUDE_DATA, SLAVE_REQ_RDB_EXCLUDE_FUNCTIONS
            c.slave_req |= SLAVE_REQ_RDB_EXCLUDE_DATA | SLAVE_REQ_RDB_EXCLUDE_FUNCTIONS
            for f in filters:
                if c_string(f).lower() == b"functions":
                    c.slave_req &= ~SLAVE_REQ_RDB_EXCLUDE_FUNCTIONS
                else:
                    addReplyErrorFormat(c, "Unsupported rdb-filter-only option: %s",
                                        c_string(f).decode("latin-1"))
                    return
        else:
            addReplyErrorFormat(c, "Unrecognized REPLCONF option: %s",
                                c_string(argv[j]).decode("latin-1"))
            return
    addReply(c, shared.ok)


def replicaPutOnline(slave):
    """The replica has its RDB: it is online (replicaPutOnline). An RDB-only one is
    done instead, and returns 0 to be closed."""
    if slave.flags & CLIENT_REPL_RDBONLY:
        slave.replstate = SLAVE_STATE_RDB_TRANSMITTED
        serverLog(LL_NOTICE, "RDB transfer completed, rdb only replica (%s) should be "
                  "disconnected asap", replicationGetSlaveName(slave))
        return 0
    slave.replstate = SLAVE_STATE_ONLINE
    slave.repl_ack_time = server.unixtime
    serverLog(LL_NOTICE, "Synchronization with replica %s succeeded", replicationGetSlaveName(slave))
    return 1


def replicaStartCommandStream(slave):
    """Start sending the replica the stream its output buffer collected (replicaStartCommandStream)."""
    slave.repl_start_cmd_stream_on_ack = 0
    putClientInPendingWriteQueue(slave)


def sendBulkToSlave(conn):
    """Write handler sending a replica the RDB file: "$<len>\\r\\n" then the file (sendBulkToSlave).

    Runs whenever the socket can take more, so a large file never blocks
    the event loop. When the last byte is out, the replica goes online and
    its collected stream follows. Deliberate difference: it keeps writing
    16 KB chunks while the socket takes them whole (up to
    NET_MAX_WRITES_PER_EVENT), where Redis writes one per event; one event
    loop turn costs much more here.
    """
    from .server_h import NET_MAX_WRITES_PER_EVENT
    slave = conn.private_data
    if slave.replpreamble:
        n = connWrite(conn, slave.replpreamble)
        if n == -1:
            serverLog(LL_WARNING, "Write error sending RDB preamble to replica: %s",
                      connGetLastError(conn))
            freeClient(slave)
            return
        server.stat_net_repl_output_bytes = getattr(server, "stat_net_repl_output_bytes", 0) + n
        slave.replpreamble = slave.replpreamble[n:]
        if slave.replpreamble:
            return
        slave.replpreamble = None
    total = 0
    while slave.repldboff < slave.repldbsize and total < NET_MAX_WRITES_PER_EVENT:
        f = slave.repldbfd
        f.seek(slave.repldboff)
        buf = f.read(PROTO_IOBUF_LEN)
        if not buf:
            serverLog(LL_WARNING, "Read error sending DB to replica: %s", "premature EOF")
            freeClient(slave)
            return
        n = connWrite(conn, buf)
        if n == -1:
            serverLog(LL_WARNING, "Write error sending DB to replica: %s", connGetLastError(conn))
            freeClient(slave)
            return
        slave.repldboff += n
        total += n
        server.stat_net_repl_output_bytes = getattr(server, "stat_net_repl_output_bytes", 0) + n
        if n < len(buf):
            break
    if slave.repldboff == slave.repldbsize:
        slave.repldbfd.close()
        slave.repldbfd = None
        connSetWriteHandler(slave.conn, None)
        if not replicaPutOnline(slave):
            freeClient(slave)
            return
        replicaStartCommandStream(slave)


def updateSlavesWaitingBgsave(bgsaveerr, type_):
    """A BGSAVE ended: move on the replicas that waited for it (updateSlavesWaitingBgsave).

    Disk: each replica waiting for this file starts receiving it
    (sendBulkToSlave). Diskless: the child already sent it; the replica is
    online, and its stream starts at its first REPLCONF ACK, so the stream
    never lands right after the RDB's end mark. Replicas that came too late
    for this BGSAVE get the next one, started here.
    """
    from .rdb import RDB_CHILD_TYPE_SOCKET
    startbgsave = 0
    mincapa = -1
    req = 0
    first = True
    for slave in list(server.slaves):
        if slave.replstate == SLAVE_STATE_WAIT_BGSAVE_START:
            if first:
                req = slave.slave_req
            elif req != slave.slave_req:
                continue
            startbgsave = 1
            mincapa = slave.slave_capa if first else (mincapa & slave.slave_capa)
            first = False
        elif slave.replstate == SLAVE_STATE_WAIT_BGSAVE_END:
            if type_ == RDB_CHILD_TYPE_SOCKET:
                if bgsaveerr != C_OK:
                    freeClientAsync(slave)
                    serverLog(LL_WARNING, "SYNC failed. BGSAVE child returned an error")
                    continue
                serverLog(LL_NOTICE, "Streamed RDB transfer with replica %s succeeded (socket). "
                          "Waiting for REPLCONF ACK from replica to enable streaming",
                          replicationGetSlaveName(slave))
                if not replicaPutOnline(slave):
                    freeClientAsync(slave)
                    continue
                slave.repl_start_cmd_stream_on_ack = 1
            else:
                if bgsaveerr != C_OK:
                    freeClientAsync(slave)
                    serverLog(LL_WARNING, "SYNC failed. BGSAVE child returned an error")
                    continue
                try:
                    slave.repldbfd = open(server.rdb_filename, "rb")
                    size = os.fstat(slave.repldbfd.fileno()).st_size
                except OSError as e:
                    freeClientAsync(slave)
                    serverLog(LL_WARNING, "SYNC failed. Can't open/stat DB after BGSAVE: %s",
                              e.strerror)
                    continue
                slave.repldboff = 0
                slave.repldbsize = size
                slave.replstate = SLAVE_STATE_SEND_BULK
                slave.replpreamble = b"$%d\r\n" % size
                connSetWriteHandler(slave.conn, None)
                if connSetWriteHandler(slave.conn, sendBulkToSlave) != 0:
                    freeClientAsync(slave)
                    continue
    if startbgsave:
        startBgsaveForReplication(mincapa, req)


def disconnectSlaves():
    """Close every replica's link (disconnectSlaves): they must sync again."""
    for slave in list(server.slaves):
        freeClient(slave)


def shouldStartChildForReplication():
    """Replicas wait for a BGSAVE and none runs: start one now? (shouldStartChildForReplication)

    For diskless sync only once the first waiter has waited
    repl-diskless-sync-delay seconds, or repl-diskless-sync-max-replicas
    have arrived. Returns (mincapa, req), or None.
    """
    from .server import hasActiveChildProcess
    if hasActiveChildProcess():
        return None
    waiting = 0
    mincapa = -1
    req = 0
    first = True
    max_idle = 0
    for slave in server.slaves:
        if slave.replstate != SLAVE_STATE_WAIT_BGSAVE_START:
            continue
        if first:
            req = slave.slave_req
        elif req != slave.slave_req:
            continue
        max_idle = max(max_idle, server.unixtime - slave.lastinteraction)
        waiting += 1
        mincapa = slave.slave_capa if first else (mincapa & slave.slave_capa)
        first = False
    if waiting and (not server.repl_diskless_sync or
                    (server.repl_diskless_sync_max_replicas > 0 and
                     waiting >= server.repl_diskless_sync_max_replicas) or
                    max_idle >= server.repl_diskless_sync_delay):
        return mincapa, req
    return None


def replicationStartPendingFork():
    """Start the BGSAVE replicas are waiting for, when it is time (replicationStartPendingFork)."""
    start = shouldStartChildForReplication()
    if start is not None:
        startBgsaveForReplication(*start)


def replstateToString(replstate):
    """A replica's state as INFO names it (replstateToString)."""
    if replstate in (SLAVE_STATE_WAIT_BGSAVE_START, SLAVE_STATE_WAIT_BGSAVE_END):
        return "wait_bgsave"
    if replstate == SLAVE_STATE_SEND_BULK:
        return "send_bulk"
    if replstate == SLAVE_STATE_ONLINE:
        return "online"
    return ""


# ===========================================================================
# Replica side: the link with our master
# ===========================================================================
def replicationCreateMasterClient(conn, dbid):
    """Make the connection to our master a client whose commands we apply
    (replicationCreateMasterClient).

    CLIENT_MASTER makes it special all along the normal read path: it gets
    no replies, may write on a read-only replica, and its offsets
    (`reploff` applied, `read_reploff` read) advance as its bytes do.
    With conn None it is the synthetic master of
    replicationCacheMasterUsingMyself.
    """
    from .db import selectDb
    c = createClient(conn)
    server.master = c
    c.flags |= CLIENT_MASTER
    c.authenticated = 1
    c.reploff = server.master_initial_offset
    c.read_reploff = c.reploff
    c.user = None
    c.replid = server.master_replid
    # -1: a master too old for PSYNC, which sends no offsets.
    if c.reploff == -1:
        c.flags |= CLIENT_PRE_PSYNC
    if dbid != -1:
        selectDb(c, dbid)
    return c


def replicationSendAck():
    """Tell our master how much of its stream we applied: REPLCONF ACK <offset>
    (replicationSendAck). The master's client normally gets no output; the
    flag lets this one through."""
    c = server.master
    if c is not None:
        c.flags |= CLIENT_MASTER_FORCE_REPLY
        addReplyArrayLen(c, 3)
        addReplyBulkCString(c, "REPLCONF")
        addReplyBulkCString(c, "ACK")
        addReplyBulkLongLong(c, c.reploff)
        c.flags &= ~CLIENT_MASTER_FORCE_REPLY


def slaveIsInHandshakeState():
    """Between the first PING and the PSYNC reply? (slaveIsInHandshakeState)"""
    return REPL_STATE_RECEIVE_PING_REPLY <= server.repl_state <= REPL_STATE_RECEIVE_PSYNC_REPLY


def sendCommand(conn, *args):
    """Send one command in the handshake and wait until it is written (sendCommand).
    Returns None, or the error text."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    cmd = b"".join(parts)
    if connSyncWrite(conn, cmd, CONFIG_REPL_SYNCIO_TIMEOUT * 1000) == -1:
        return "Writing to master: %s" % connGetLastError(conn)
    return None


def receiveSynchronousResponse(conn):
    """Read one reply line of the handshake (receiveSynchronousResponse), or None."""
    line = connSyncReadLine(conn, 256, CONFIG_REPL_SYNCIO_TIMEOUT * 1000)
    if line is None:
        return None
    server.repl_transfer_lastio = server.unixtime
    return line.decode("latin-1")


def slaveTryPartialResynchronization(conn, read_reply):
    """Send PSYNC, then (second call, read_reply=1) read what the master says
    (slaveTryPartialResynchronization).

    With a cached master (an earlier link, or our own history when we were
    a master) we ask for PSYNC <its replid> <its offset + 1>; otherwise
    PSYNC ? -1, a full resync. The answer is one of the PSYNC_* values.
    """
    if not read_reply:
        server.master_initial_offset = -1
        cm = server.cached_master
        if cm is not None:
            psync_replid = cm.replid
            psync_offset = "%d" % (cm.reploff + 1)
            serverLog(LL_NOTICE, "Trying a partial resynchronization (request %s:%s).",
                      psync_replid, psync_offset)
        else:
            serverLog(LL_NOTICE, "Partial resynchronization not possible (no cached master)")
            psync_replid = "?"
            psync_offset = "-1"
        err = sendCommand(conn, "PSYNC", psync_replid, psync_offset)
        if err is not None:
            serverLog(LL_WARNING, "Unable to send PSYNC to master: %s", err)
            return PSYNC_WRITE_ERROR
        return PSYNC_WAIT_REPLY
    reply = receiveSynchronousResponse(conn)
    if reply is None:
        serverLog(LL_WARNING, "Master did not reply to PSYNC, will try later")
        return PSYNC_TRY_LATER
    if reply == "":
        # A newline the master sends while it prepares the RDB: it is alive.
        return PSYNC_WAIT_REPLY
    connSetReadHandler(conn, None)
    if reply.startswith("+FULLRESYNC"):
        parts = reply.split(" ")
        if len(parts) < 3 or len(parts[1]) != CONFIG_RUN_ID_SIZE:
            serverLog(LL_WARNING, "Master replied with wrong +FULLRESYNC syntax.")
            server.master_replid = "0" * CONFIG_RUN_ID_SIZE
        else:
            server.master_replid = parts[1]
            server.master_initial_offset = int(parts[2])
            serverLog(LL_NOTICE, "Full resync from master: %s:%d", server.master_replid,
                      server.master_initial_offset)
        replicationDiscardCachedMaster()
        return PSYNC_FULLRESYNC
    if reply.startswith("+CONTINUE"):
        serverLog(LL_NOTICE, "Successful partial resynchronization with master.")
        new = reply[10:].strip()
        cm = server.cached_master
        if len(new) == CONFIG_RUN_ID_SIZE and new != cm.replid:
            # The master has a new history (it was promoted): ours is its
            # previous one up to here, still good for our own replicas.
            server.replid2 = cm.replid
            server.second_replid_offset = server.master_repl_offset + 1
            server.replid = new
            cm.replid = new
            serverLog(LL_NOTICE, "Master replication ID changed to %s", new)
            disconnectSlaves()
        replicationResurrectCachedMaster(conn)
        if server.repl_backlog is None:
            createReplicationBacklog()
        return PSYNC_CONTINUE
    if reply.startswith("-NOMASTERLINK") or reply.startswith("-LOADING"):
        serverLog(LL_NOTICE, "Master is currently unable to PSYNC but should be in the future: %s",
                  reply)
        return PSYNC_TRY_LATER
    if not reply.startswith("-ERR"):
        serverLog(LL_WARNING, "Unexpected reply to PSYNC from master: %s", reply)
    else:
        serverLog(LL_NOTICE, "Master does not support PSYNC or is in error state (reply: %s)", reply)
    replicationDiscardCachedMaster()
    return PSYNC_NOT_SUPPORTED


def syncWithMaster(conn):
    """The handshake with our master, one step per event (syncWithMaster).

    connect -> PING -> (AUTH) + REPLCONF listening-port (+ ip-address) +
    REPLCONF capa eof capa psync2, sent together, their replies read one per
    readable event -> PSYNC -> +CONTINUE (done) or +FULLRESYNC, after which
    readSyncBulkPayload reads the RDB. Every state lives in
    server.repl_state, so the event loop keeps serving clients in between;
    replicationCron times out a handshake that stalls.
    """
    if server.repl_state == REPL_STATE_NONE:
        connClose(conn)
        return
    err = None
    if connGetState(conn) != CONN_STATE_CONNECTED:
        serverLog(LL_WARNING, "Error condition on socket for SYNC: %s", connGetLastError(conn))
        return _sync_error(conn)
    st = server.repl_state
    if st == REPL_STATE_CONNECTING:
        serverLog(LL_NOTICE, "Non blocking connect for SYNC fired the event.")
        connSetReadHandler(conn, syncWithMaster)
        connSetWriteHandler(conn, None)
        server.repl_state = REPL_STATE_RECEIVE_PING_REPLY
        err = sendCommand(conn, "PING")
        if err is not None:
            return _sync_write_error(conn, err)
        return
    if st == REPL_STATE_RECEIVE_PING_REPLY:
        reply = receiveSynchronousResponse(conn)
        if reply is None:
            return _sync_no_response(conn)
        # An authentication error is fine here: AUTH comes next.
        if reply.startswith("-") and not reply.startswith("-NOAUTH") and \
                not reply.startswith("-NOPERM") and not reply.startswith("-ERR operation not permitted"):
            serverLog(LL_WARNING, "Error reply to PING from master: '%s'", reply)
            return _sync_error(conn)
        serverLog(LL_NOTICE, "Master replied to PING, replication can continue...")
        server.repl_state = st = REPL_STATE_SEND_HANDSHAKE
    if st == REPL_STATE_SEND_HANDSHAKE:
        if server.masterauth:
            args = ["AUTH"] + ([server.masteruser] if server.masteruser else []) + [server.masterauth]
            err = sendCommand(conn, *args)
            if err is not None:
                return _sync_write_error(conn, err)
        port = server.slave_announce_port or server.port
        err = sendCommand(conn, "REPLCONF", "listening-port", "%d" % port)
        if err is not None:
            return _sync_write_error(conn, err)
        if server.slave_announce_ip:
            err = sendCommand(conn, "REPLCONF", "ip-address", server.slave_announce_ip)
            if err is not None:
                return _sync_write_error(conn, err)
        err = sendCommand(conn, "REPLCONF", "capa", "eof", "capa", "psync2")
        if err is not None:
            return _sync_write_error(conn, err)
        server.repl_state = REPL_STATE_RECEIVE_AUTH_REPLY
        return
    if st == REPL_STATE_RECEIVE_AUTH_REPLY and not server.masterauth:
        server.repl_state = st = REPL_STATE_RECEIVE_PORT_REPLY
    if st == REPL_STATE_RECEIVE_AUTH_REPLY:
        reply = receiveSynchronousResponse(conn)
        if reply is None:
            return _sync_no_response(conn)
        if reply.startswith("-"):
            serverLog(LL_WARNING, "Unable to AUTH to MASTER: %s", reply)
            return _sync_error(conn)
        server.repl_state = REPL_STATE_RECEIVE_PORT_REPLY
        return
    if st == REPL_STATE_RECEIVE_PORT_REPLY:
        reply = receiveSynchronousResponse(conn)
        if reply is None:
            return _sync_no_response(conn)
        if reply.startswith("-"):
            serverLog(LL_NOTICE, "(Non critical) Master does not understand REPLCONF "
                      "listening-port: %s", reply)
        server.repl_state = REPL_STATE_RECEIVE_IP_REPLY
        return
    if st == REPL_STATE_RECEIVE_IP_REPLY and not server.slave_announce_ip:
        server.repl_state = st = REPL_STATE_RECEIVE_CAPA_REPLY
    if st == REPL_STATE_RECEIVE_IP_REPLY:
        reply = receiveSynchronousResponse(conn)
        if reply is None:
            return _sync_no_response(conn)
        if reply.startswith("-"):
            serverLog(LL_NOTICE, "(Non critical) Master does not understand REPLCONF "
                      "ip-address: %s", reply)
        server.repl_state = REPL_STATE_RECEIVE_CAPA_REPLY
        return
    if st == REPL_STATE_RECEIVE_CAPA_REPLY:
        reply = receiveSynchronousResponse(conn)
        if reply is None:
            return _sync_no_response(conn)
        if reply.startswith("-"):
            serverLog(LL_NOTICE, "(Non critical) Master does not understand REPLCONF capa: %s",
                      reply)
        server.repl_state = st = REPL_STATE_SEND_PSYNC
    if st == REPL_STATE_SEND_PSYNC:
        if slaveTryPartialResynchronization(conn, 0) == PSYNC_WRITE_ERROR:
            return _sync_write_error(conn, "Write error sending the PSYNC command.")
        server.repl_state = REPL_STATE_RECEIVE_PSYNC_REPLY
        return
    if st != REPL_STATE_RECEIVE_PSYNC_REPLY:
        serverLog(LL_WARNING, "syncWithMaster(): state machine error, state should be "
                  "RECEIVE_PSYNC but is %d", st)
        return _sync_error(conn)
    psync_result = slaveTryPartialResynchronization(conn, 1)
    if psync_result == PSYNC_WAIT_REPLY:
        return
    if psync_result == PSYNC_TRY_LATER:
        return _sync_error(conn)
    if psync_result == PSYNC_CONTINUE:
        serverLog(LL_NOTICE, "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")
        return
    if psync_result == PSYNC_NOT_SUPPORTED:
        serverLog(LL_NOTICE, "Retrying with SYNC...")
        err = sendCommand(conn, "SYNC")
        if err is not None:
            serverLog(LL_WARNING, "I/O error writing to MASTER: %s", err)
            return _sync_error(conn)
    # A full resync: the RDB goes to a temp file first.
    tmpfile = "temp-%d.%d.rdb" % (server.unixtime, os.getpid())
    try:
        dfd = os.open(tmpfile, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o644)
    except OSError as e:
        serverLog(LL_WARNING, "Opening the temp file needed for MASTER <-> REPLICA "
                  "synchronization: %s", e.strerror)
        return _sync_error(conn)
    connSetReadHandler(conn, readSyncBulkPayload)
    server.repl_state = REPL_STATE_TRANSFER
    server.repl_transfer_size = -1
    server.repl_transfer_read = 0
    server.repl_transfer_last_fsync_off = 0
    server.repl_transfer_fd = dfd
    server.repl_transfer_lastio = server.unixtime
    server.repl_transfer_tmpfile = tmpfile


def _sync_no_response(conn):
    serverLog(LL_WARNING, "Master did not respond to command during SYNC handshake")
    return _sync_error(conn)


def _sync_write_error(conn, err):
    serverLog(LL_WARNING, "Sending command to master in replication handshake: %s", err)
    return _sync_error(conn)


def _sync_error(conn):
    """syncWithMaster's `error:` label: drop the link and the temp file; the cron
    connects again."""
    connClose(conn)
    server.repl_transfer_s = None
    if server.repl_transfer_fd != -1:
        os.close(server.repl_transfer_fd)
    if server.repl_transfer_tmpfile:
        try:
            os.unlink(server.repl_transfer_tmpfile)
        except OSError:
            pass
    server.repl_transfer_tmpfile = None
    server.repl_transfer_fd = -1
    server.repl_state = REPL_STATE_CONNECT


def readSyncBulkPayload(conn):
    """Read the RDB of a full resync, then load it (readSyncBulkPayload).

    The first line says how it comes: "$<len>" (a file the master saved) or
    "$EOF:<40 chars>" (a diskless transfer, which ends with those 40 chars).
    Lines that are empty are the master's keep-alives while it saves. The
    bytes go to a temp file, fsynced every 8 MB; at the end the file is
    fsynced and renamed over dbfilename, the old dataset is flushed and the
    file loaded. Then the link becomes our master client, and our
    replication ID and offset become the master's.
    """
    if server.repl_transfer_size == -1:
        line = connSyncReadLine(conn, 1024, CONFIG_REPL_SYNCIO_TIMEOUT * 1000)
        if line is None:
            serverLog(LL_WARNING, "I/O error reading bulk count from MASTER: %s",
                      connGetLastError(conn))
            return _bulk_error()
        if line[:1] == b"-":
            serverLog(LL_WARNING, "MASTER aborted replication with an error: %s",
                      line[1:].decode("latin-1"))
            return _bulk_error()
        if line == b"":
            server.repl_transfer_lastio = server.unixtime
            return
        if line[:1] != b"$":
            serverLog(LL_WARNING, "Bad protocol from MASTER, the first byte is not '$' (we "
                      "received '%s'), are you sure the host and port are right?",
                      line.decode("latin-1"))
            return _bulk_error()
        if line[1:5] == b"EOF:" and len(line) - 5 >= CONFIG_RUN_ID_SIZE:
            server.repl_transfer_eofmark = line[5:5 + CONFIG_RUN_ID_SIZE]
            server.repl_transfer_lastbytes = b""
            server.repl_transfer_size = 0
            serverLog(LL_NOTICE, "MASTER <-> REPLICA sync: receiving streamed RDB from master "
                      "with EOF to disk")
        else:
            server.repl_transfer_eofmark = None
            server.repl_transfer_size = int(line[1:])
            serverLog(LL_NOTICE, "MASTER <-> REPLICA sync: receiving %d bytes from master to disk",
                      server.repl_transfer_size)
        return
    usemark = server.repl_transfer_eofmark is not None
    if usemark:
        readlen = PROTO_IOBUF_LEN
    else:
        readlen = min(server.repl_transfer_size - server.repl_transfer_read, PROTO_IOBUF_LEN)
    data = connRead(conn, readlen)
    if data is None:
        return
    if not data:
        serverLog(LL_WARNING, "I/O error trying to sync with MASTER: %s",
                  connGetLastError(conn) if conn.last_errno else "connection lost")
        cancelReplicationHandshake(1)
        return
    server.stat_net_repl_input_bytes = getattr(server, "stat_net_repl_input_bytes", 0) + len(data)
    eof_reached = False
    if usemark:
        # Keep the last 40 bytes seen: the transfer ends when they are the mark.
        last = (server.repl_transfer_lastbytes + data)[-CONFIG_RUN_ID_SIZE:]
        server.repl_transfer_lastbytes = last
        eof_reached = last == server.repl_transfer_eofmark
    server.repl_transfer_lastio = server.unixtime
    try:
        os.write(server.repl_transfer_fd, data)
    except OSError as e:
        serverLog(LL_WARNING, "Write error or short write writing to the DB dump file needed for "
                  "MASTER <-> REPLICA synchronization: %s", e.strerror)
        return _bulk_error()
    server.repl_transfer_read += len(data)
    if usemark and eof_reached:
        # The mark is not part of the RDB.
        os.ftruncate(server.repl_transfer_fd, server.repl_transfer_read - CONFIG_RUN_ID_SIZE)
    if server.repl_transfer_read >= server.repl_transfer_last_fsync_off + REPL_MAX_WRITTEN_BEFORE_FSYNC:
        os.fdatasync(server.repl_transfer_fd)
        server.repl_transfer_last_fsync_off = server.repl_transfer_read
    if not usemark and server.repl_transfer_read == server.repl_transfer_size:
        eof_reached = True
    if not eof_reached:
        return
    _load_transferred_rdb(conn, usemark)


def _load_transferred_rdb(conn, usemark):
    """readSyncBulkPayload's second half: the whole RDB is in the temp file."""
    from .db import emptyData
    from .rdb import RDBFLAGS_REPLICATION, RdbLoadError, fsyncFileDir, killRDBChild, rdbLoad, rdbSaveInfo
    if server.aof_state:
        aof.stopAppendOnly()
    if server.child_type == CHILD_TYPE_RDB:
        serverLog(LL_NOTICE, "Replica is about to load the RDB file received from the master, but "
                  "there is a pending RDB child running. Killing process %d and removing its temp "
                  "file to avoid any race", server.child_pid)
        killRDBChild()
    replicationAttachToNewMaster()
    serverLog(LL_NOTICE, "MASTER <-> REPLICA sync: Flushing old data")
    emptyData(-1, 0, None)
    connSetReadHandler(conn, None)
    serverLog(LL_NOTICE, "MASTER <-> REPLICA sync: Loading DB in memory")
    try:
        os.fsync(server.repl_transfer_fd)
    except OSError as e:
        serverLog(LL_WARNING, "Failed trying to sync the temp DB to disk in MASTER <-> REPLICA "
                  "synchronization: %s", e.strerror)
        cancelReplicationHandshake(1)
        return
    try:
        os.rename(server.repl_transfer_tmpfile, server.rdb_filename)
    except OSError as e:
        serverLog(LL_WARNING, "Failed trying to rename the temp DB into %s in MASTER <-> REPLICA "
                  "synchronization: %s", server.rdb_filename, e.strerror)
        cancelReplicationHandshake(1)
        return
    fsyncFileDir(server.rdb_filename)
    rsi = rdbSaveInfo()
    try:
        ok = rdbLoad(server.rdb_filename, rsi, RDBFLAGS_REPLICATION) == C_OK
    except RdbLoadError:
        ok = False
    if not ok:
        serverLog(LL_WARNING, "Failed trying to load the MASTER synchronization DB from disk, "
                  "check server logs.")
        cancelReplicationHandshake(1)
        emptyData(-1, 0, None)
        return
    os.close(server.repl_transfer_fd)
    server.repl_transfer_fd = -1
    server.repl_transfer_tmpfile = None
    replicationCreateMasterClient(server.repl_transfer_s, rsi.repl_stream_db)
    server.repl_transfer_s = None        # the master client owns the connection now
    server.repl_state = REPL_STATE_CONNECTED
    server.repl_down_since = 0
    # A full resync starts our history over as the master's.
    server.replid = server.master.replid
    server.master_repl_offset = server.master.reploff
    clearReplicationId2()
    if server.repl_backlog is None:
        createReplicationBacklog()
    serverLog(LL_NOTICE, "MASTER <-> REPLICA sync: Finished with success")
    # A diskless master starts the stream at our first ACK.
    if usemark:
        replicationSendAck()
    if server.aof_enabled:
        restartAOFAfterSYNC()


def restartAOFAfterSYNC():
    """Turn the AOF back on after a sync stopped it (restartAOFAfterSYNC): it starts
    with a rewrite of the new dataset. A replica that cannot persist what it
    replicates exits, as in Redis."""
    for _ in range(10):
        if aof.startAppendOnly() == C_OK:
            return
        serverLog(LL_WARNING, "Failed enabling the AOF after successful master synchronization! "
                  "Trying it again in one second.")
        time.sleep(1)
    serverLog(LL_WARNING, "FATAL: this replica instance finished the synchronization with its "
              "master, but the AOF can't be turned on. Exiting now.")
    os._exit(1)


def _bulk_error():
    cancelReplicationHandshake(1)


def replicationAttachToNewMaster():
    """A full sync replaces our data: forget the cached master, our replicas and
    our backlog (replicationAttachToNewMaster)."""
    replicationDiscardCachedMaster()
    disconnectSlaves()
    freeReplicationBacklog()


def connectWithMaster():
    """Start the non-blocking connect to our master (connectWithMaster)."""
    conn = connCreateSocket(server.el)
    server.repl_transfer_s = conn
    if connConnect(conn, server.masterhost, server.masterport, syncWithMaster) == -1:
        serverLog(LL_WARNING, "Unable to connect to MASTER: %s", connGetLastError(conn))
        connClose(conn)
        server.repl_transfer_s = None
        return C_ERR
    server.repl_transfer_lastio = server.unixtime
    server.repl_state = REPL_STATE_CONNECTING
    serverLog(LL_NOTICE, "MASTER <-> REPLICA sync started")
    return C_OK


def undoConnectWithMaster():
    """Close a connection to the master still in its handshake (undoConnectWithMaster)."""
    if server.repl_transfer_s is not None:
        connClose(server.repl_transfer_s)
        server.repl_transfer_s = None


def replicationAbortSyncTransfer():
    """Abandon an RDB transfer: close the link, delete the temp file (replicationAbortSyncTransfer)."""
    undoConnectWithMaster()
    if server.repl_transfer_fd != -1:
        os.close(server.repl_transfer_fd)
        server.repl_transfer_fd = -1
    if server.repl_transfer_tmpfile:
        try:
            os.unlink(server.repl_transfer_tmpfile)
        except OSError:
            pass
        server.repl_transfer_tmpfile = None


def cancelReplicationHandshake(reconnect):
    """Stop a handshake or transfer in progress; with `reconnect`, start again at once
    (cancelReplicationHandshake). Returns 1 if there was one."""
    if server.repl_state == REPL_STATE_TRANSFER:
        replicationAbortSyncTransfer()
        server.repl_state = REPL_STATE_CONNECT
    elif server.repl_state == REPL_STATE_CONNECTING or slaveIsInHandshakeState():
        undoConnectWithMaster()
        server.repl_state = REPL_STATE_CONNECT
    else:
        return 0
    if not reconnect:
        return 1
    serverLog(LL_NOTICE, "Reconnecting to MASTER %s:%d after failure", server.masterhost,
              server.masterport)
    connectWithMaster()
    return 1


def replicationSetMaster(ip, port):
    """Become a replica of ip:port (replicationSetMaster).

    Our own replicas stay connected: they may PSYNC with us once we have
    synced. If we were a master, our history becomes the cached master, so
    that we may PSYNC with the new master if it shares it.
    """
    from .blocked import disconnectAllBlockedClients
    was_master = server.masterhost is None
    server.masterhost = None
    if server.master is not None:
        freeClient(server.master)
    disconnectAllBlockedClients()
    server.masterhost = ip
    server.masterport = port
    cancelReplicationHandshake(0)
    if was_master:
        replicationDiscardCachedMaster()
        replicationCacheMasterUsingMyself()
    server.repl_state = REPL_STATE_CONNECT
    serverLog(LL_NOTICE, "Connecting to MASTER %s:%d", server.masterhost, server.masterport)
    connectWithMaster()


def replicationUnsetMaster():
    """Stop being a replica (replicationUnsetMaster): REPLICAOF NO ONE.

    The history we got from the master becomes our secondary ID, so our
    replicas (disconnected, to learn the new ID) can continue with a PSYNC.
    """
    if server.masterhost is None:
        return
    server.masterhost = None
    if server.master is not None:
        freeClient(server.master)
    replicationDiscardCachedMaster()
    cancelReplicationHandshake(0)
    shiftReplicationId()
    disconnectSlaves()
    server.repl_state = REPL_STATE_NONE
    # Our replicas' stream must start by saying which db it is in.
    server.slaveseldb = -1
    server.repl_no_slaves_since = server.unixtime
    server.repl_down_since = 0
    if server.aof_enabled and not server.aof_state:
        restartAOFAfterSYNC()


def replicationHandleMasterDisconnection():
    """The link with our master is gone: reconnect (replicationHandleMasterDisconnection)."""
    server.master = None
    server.repl_state = REPL_STATE_CONNECT
    server.repl_down_since = server.unixtime
    if server.masterhost:
        serverLog(LL_NOTICE, "Reconnecting to MASTER %s:%d", server.masterhost, server.masterport)
        connectWithMaster()


def replicationCacheMaster(c):
    """Keep the master client that just disconnected, to PSYNC from its offset
    (replicationCacheMaster).

    Called from freeClient (through free_client_hooks). Deliberate
    difference: Redis's freeClient returns early for the master and keeps
    the whole client; ours goes on to close the connection and empty the
    buffers, which is what replicationCacheMaster does to it anyway, so
    the object kept is the same.
    """
    serverLog(LL_NOTICE, "Caching the disconnected master state.")
    # What was read but not applied is dropped: the PSYNC asks for it again.
    c.qb_pos = 0
    c.repl_applied = 0
    c.read_reploff = c.reploff
    c.reqtype = 0
    c.multibulklen = 0
    c.bulklen = -1
    resetClient(c)
    c.peerid = None
    c.sockname = None
    server.cached_master = c
    replicationHandleMasterDisconnection()


def replicationCacheMasterUsingMyself():
    """A master about to become a replica keeps its own history as a cached master,
    to PSYNC from its own offset (replicationCacheMasterUsingMyself)."""
    serverLog(LL_NOTICE, "Before turning into a replica, using my own master parameters to "
              "synthesize a cached master: I may be able to synchronize with the new master with "
              "just a partial transfer.")
    server.master_initial_offset = server.master_repl_offset
    replicationCreateMasterClient(None, -1)
    server.master.replid = server.replid
    server.cached_master = server.master
    server.master = None


def replicationDiscardCachedMaster():
    """Forget the cached master (replicationDiscardCachedMaster)."""
    if server.cached_master is None:
        return
    serverLog(LL_NOTICE, "Discarding previously cached master state.")
    server.cached_master.flags &= ~CLIENT_MASTER
    server.cached_master = None


def replicationResurrectCachedMaster(conn):
    """+CONTINUE: the cached master becomes our master again, on the new
    connection (replicationResurrectCachedMaster)."""
    c = server.cached_master
    server.master = c
    server.cached_master = None
    c.conn = conn
    c.fd = conn.fd
    connSetPrivateData(conn, c)
    c.flags &= ~(CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP)
    c.authenticated = 1
    c.lastinteraction = server.unixtime
    c.querybuf = b""
    server.repl_state = REPL_STATE_CONNECTED
    server.repl_down_since = 0
    server.repl_transfer_s = None
    linkClient(c)
    connSetReadHandler(conn, readQueryFromClient)
    if clientHasPendingReplies(c):
        connSetWriteHandler(conn, sendReplyToClient)


def replicaofCommand(c):
    """REPLICAOF / SLAVEOF host port | NO ONE (replicaofCommand)."""
    if server.cluster_enabled:
        addReplyError(c, "REPLICAOF not allowed in cluster mode.")
        return
    if c_string(c.argv[1]).lower() == b"no" and c_string(c.argv[2]).lower() == b"one":
        if server.masterhost:
            replicationUnsetMaster()
            serverLog(LL_NOTICE, "MASTER MODE enabled (user request from '%s')",
                      catClientInfoString(c))
    else:
        if c.flags & CLIENT_SLAVE:
            addReplyError(c, "Command is not valid when client is a replica.")
            return
        port = getRangeLongFromObjectOrReply(c, c.argv[2], 0, 65535, "Invalid master port")
        if port is None:
            return
        host = c_string(c.argv[1]).decode("latin-1")     # strcasecmp, sdsnew: a C string
        if server.masterhost and server.masterhost.lower() == host.lower() and \
                server.masterport == port:
            serverLog(LL_NOTICE, "REPLICAOF would result into synchronization with the master we "
                      "are already connected with. No operation performed.")
            addReply(c, b"+OK Already connected to specified master\r\n")
            return
        replicationSetMaster(host, port)
        serverLog(LL_NOTICE, "REPLICAOF %s:%d enabled (user request from '%s')",
                  server.masterhost, server.masterport, catClientInfoString(c))
    addReply(c, shared.ok)


# ===========================================================================
# Cron, beforeSleep, freeClient, INFO
# ===========================================================================
def replicationCron():
    """Replication's once-a-second duties (replicationCron).

    Replica: time out a stalled handshake, transfer or master; connect when
    asked to; ACK the master. Master: PING the replicas every
    repl-ping-replica-period (it is what lets them time us out), send a
    newline to replicas still waiting for their RDB, drop replicas whose
    ACKs stopped, free the backlog after repl-backlog-ttl without replicas,
    and start a BGSAVE replicas are waiting for.
    """
    from .server import run_with_period
    if not run_with_period(1000):
        return
    now = int(time.time())
    if server.masterhost and (server.repl_state == REPL_STATE_CONNECTING or
                              slaveIsInHandshakeState()) and \
            now - server.repl_transfer_lastio > server.repl_timeout:
        serverLog(LL_WARNING, "Timeout connecting to the MASTER...")
        cancelReplicationHandshake(1)
    if server.masterhost and server.repl_state == REPL_STATE_TRANSFER and \
            now - server.repl_transfer_lastio > server.repl_timeout:
        serverLog(LL_WARNING, "Timeout receiving bulk data from MASTER... If the problem persists "
                  "try to set the 'repl-timeout' parameter in redis.conf to a larger value.")
        cancelReplicationHandshake(1)
    if server.masterhost and server.repl_state == REPL_STATE_CONNECTED and \
            now - server.master.lastinteraction > server.repl_timeout:
        serverLog(LL_WARNING, "MASTER timeout: no data nor PING received...")
        freeClient(server.master)
    if server.repl_state == REPL_STATE_CONNECT:
        serverLog(LL_NOTICE, "Connecting to MASTER %s:%d", server.masterhost, server.masterport)
        connectWithMaster()
    if server.masterhost and server.master is not None and \
            not server.master.flags & CLIENT_PRE_PSYNC:
        replicationSendAck()

    if server.repl_cron_loops % server.repl_ping_slave_period == 0 and server.slaves:
        replicationFeedSlaves(server.slaveseldb, [b"PING"])
    from .rdb import RDB_CHILD_TYPE_SOCKET
    for slave in server.slaves:
        is_presync = slave.replstate == SLAVE_STATE_WAIT_BGSAVE_START or (
            slave.replstate == SLAVE_STATE_WAIT_BGSAVE_END and
            server.rdb_child_type != RDB_CHILD_TYPE_SOCKET)
        if is_presync and slave.conn is not None:
            connWrite(slave.conn, b"\n")
    for slave in list(server.slaves):
        if slave.replstate == SLAVE_STATE_ONLINE:
            if slave.flags & CLIENT_PRE_PSYNC:
                continue
            if server.unixtime - slave.repl_ack_time > server.repl_timeout:
                serverLog(LL_WARNING, "Disconnecting timedout replica (streaming sync): %s",
                          replicationGetSlaveName(slave))
                freeClient(slave)
    if not server.slaves and server.repl_backlog_time_limit and server.repl_backlog is not None \
            and server.masterhost is None:
        idle = server.unixtime - server.repl_no_slaves_since
        if idle > server.repl_backlog_time_limit:
            # A new ID: offsets no longer advance without a backlog, so the
            # old ID would name two different histories.
            changeReplicationId()
            clearReplicationId2()
            freeReplicationBacklog()
            serverLog(LL_NOTICE, "Replication backlog freed after %d seconds without connected "
                      "replicas.", server.repl_backlog_time_limit)
    replicationStartPendingFork()
    server.repl_cron_loops += 1


def replication_before_sleep():
    """beforeSleep's replication part (inline in beforeSleep in C): ask the replicas
    for an ACK when a WAIT blocked, then answer the WAITs the ACKs satisfy."""
    if server.get_ack_from_slaves:
        from .networking import checkClientPauseTimeoutAndReturnIfPaused
        if not checkClientPauseTimeoutAndReturnIfPaused():
            replicationFeedSlaves(server.slaveseldb, [b"REPLCONF", b"GETACK", b"*"])
            server.get_ack_from_slaves = 0
    if server.clients_waiting_acks:
        processClientsWaitingReplicas()


def replication_free_client(c):
    """freeClient's replication part (inline in freeClient in C): a replica leaves
    server.slaves; our master's link is cached for a PSYNC, or dropped."""
    if c.flags & CLIENT_SLAVE and not c.flags & CLIENT_MONITOR:
        serverLog(LL_NOTICE, "Connection with replica %s lost.", replicationGetSlaveName(c))
        if c.repldbfd is not None:
            c.repldbfd.close()
            c.repldbfd = None
        if c in server.slaves:
            server.slaves.remove(c)
            if not server.slaves:
                server.repl_no_slaves_since = server.unixtime
    if c.flags & CLIENT_MASTER and c is server.master:
        serverLog(LL_WARNING, "Connection with master lost.")
        c.flags &= ~(CLIENT_CLOSE_ASAP | CLIENT_CLOSE_AFTER_REPLY)
        if not c.flags & (CLIENT_PROTOCOL_ERROR | CLIENT_BLOCKED):
            replicationCacheMaster(c)
        else:
            replicationHandleMasterDisconnection()


def genReplicationInfo():
    """INFO's `# Replication` section, with 7.0's fields in 7.0's order."""
    fields = [("role", "master" if server.masterhost is None else "slave")]
    if server.masterhost:
        slave_repl_offset = slave_read_repl_offset = 1
        m = server.master if server.master is not None else server.cached_master
        if m is not None:
            slave_repl_offset = m.reploff
            slave_read_repl_offset = m.read_reploff
        fields += [
            ("master_host", server.masterhost),
            ("master_port", server.masterport),
            ("master_link_status", "up" if server.repl_state == REPL_STATE_CONNECTED else "down"),
            ("master_last_io_seconds_ago",
             server.unixtime - server.master.lastinteraction if server.master is not None else -1),
            ("master_sync_in_progress", 1 if server.repl_state == REPL_STATE_TRANSFER else 0),
            ("slave_read_repl_offset", slave_read_repl_offset),
            ("slave_repl_offset", slave_repl_offset),
        ]
        if server.repl_state == REPL_STATE_TRANSFER:
            size = server.repl_transfer_size
            read = server.repl_transfer_read
            fields += [
                ("master_sync_total_bytes", size),
                ("master_sync_read_bytes", read),
                ("master_sync_left_bytes", size - read),
                ("master_sync_perc", "%.2f" % (read * 100.0 / size if size else 0.0)),
                ("master_sync_last_io_seconds_ago", server.unixtime - server.repl_transfer_lastio),
            ]
        if server.repl_state != REPL_STATE_CONNECTED:
            fields.append(("master_link_down_since_seconds",
                           server.unixtime - server.repl_down_since if server.repl_down_since
                           else -1))
        fields += [("slave_priority", server.slave_priority),
                   ("slave_read_only", server.repl_slave_ro),
                   ("replica_announced", server.replica_announced)]
    fields.append(("connected_slaves", len(server.slaves)))
    if server.repl_min_slaves_to_write and server.repl_min_slaves_max_lag:
        good = sum(1 for s in server.slaves if s.replstate == SLAVE_STATE_ONLINE and
                   server.unixtime - s.repl_ack_time <= server.repl_min_slaves_max_lag)
        fields.append(("min_slaves_good_slaves", good))
    slaveid = 0
    now = int(time.time())
    for s in server.slaves:
        ip = s.slave_addr
        if not ip:
            if s.conn is None or s.conn.sock is None:
                continue
            ip = connPeerToString(s.conn)[0]
        state = replstateToString(s.replstate)
        if not state:
            continue
        lag = now - s.repl_ack_time if s.replstate == SLAVE_STATE_ONLINE else 0
        fields.append(("slave%d" % slaveid, "ip=%s,port=%d,state=%s,offset=%d,lag=%d" % (
            ip, s.slave_listening_port, state, s.repl_ack_off, lag)))
        slaveid += 1
    bl = server.repl_backlog
    fields += [
        ("master_failover_state", "no-failover"),
        ("master_replid", server.replid),
        ("master_replid2", server.replid2),
        ("master_repl_offset", server.master_repl_offset),
        ("second_repl_offset", server.second_replid_offset),
        ("repl_backlog_active", 1 if bl is not None else 0),
        ("repl_backlog_size", server.repl_backlog_size),
        ("repl_backlog_first_byte_offset", bl.offset if bl is not None else 0),
        ("repl_backlog_histlen", bl.histlen if bl is not None else 0),
    ]
    return fields


def replicationRegister():
    """Plug replication into the server (Python-only; C calls these directly):
    replicationCron, the beforeSleep and freeClient parts, INFO replication,
    and the runtime fields of replication in struct redisServer. Idempotent.
    The stream feeder joins server.propagate_hooks with the backlog
    (set_repl_propagate_hook)."""
    if replicationCron not in server.cron_hooks:
        server.cron_hooks.append(replicationCron)
    if replication_before_sleep not in server.before_sleep_hooks:
        server.before_sleep_hooks.append(replication_before_sleep)
    if replication_free_client not in server.free_client_hooks:
        server.free_client_hooks.append(replication_free_client)
    server.info_replication_hook = genReplicationInfo
    for field, default in (("repl_backlog", None), ("slaveseldb", -1), ("cached_master", None),
                           ("master_initial_offset", -1), ("master_replid", "0" * 40),
                           ("second_replid_offset", -1), ("repl_transfer_s", None),
                           ("repl_transfer_fd", -1), ("repl_transfer_tmpfile", None),
                           ("repl_transfer_size", -1), ("repl_transfer_read", 0),
                           ("repl_transfer_last_fsync_off", 0), ("repl_transfer_lastio", 0),
                           ("repl_transfer_eofmark", None), ("repl_transfer_lastbytes", b""),
                           ("repl_down_since", 0), ("repl_no_slaves_since", int(time.time())),
                           ("repl_cron_loops", 0), ("stat_sync_full", 0),
                           ("stat_sync_partial_ok", 0), ("stat_sync_partial_err", 0),
                           ("stat_net_repl_input_bytes", 0), ("stat_net_repl_output_bytes", 0),
                           ("rdb_pipe_conns", None)):
        if not hasattr(server, field):
            setattr(server, field, default)


# Bound as a module at the bottom: aof.py is loaded after this file (server.py
# imports replication first), and its functions are looked up when called.
from . import aof  # noqa: E402
