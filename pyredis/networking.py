"""Clients, the protocol parser and the reply buffers: our networking.c.

The read path of every command starts here:

    readQueryFromClient        append what the socket has to c.querybuf
      processInputBuffer       cut the buffer into commands, one at a time
        processMultibulkBuffer / processInlineBuffer   fill c.argv
        processCommandAndResetClient -> processCommand (server.py) -> call

and the write path ends here: reply functions append protocol to the
client's output buffer and queue the client in server.clients_pending_write;
beforeSleep calls handleClientsWithPendingWrites, which writes each client
once per event-loop iteration, and only installs a write handler
(sendReplyToClient) when the socket could not take everything.

Arguments are kept as `bytes` in c.argv. C wraps each in a robj; we do not,
because most arguments are only compared or hashed, and a wrapper per
argument would cost an allocation per argument on the hot path. Commands
that store an argument build the robj themselves (createStringObject).
"""


from .anet import anetFormatAddr, anetTcpAccept
from .connection import (CONN_STATE_CONNECTED, connAccept,
                         connClose, connCreateAcceptedSocket, connGetPrivateData,
                         connHasWriteHandler, connPeerToString, connRead, connSetPrivateData,
                         connSetReadHandler, connSetWriteHandler,
                         connSetWriteHandlerWithBarrier, connSockName, connWrite, connWritev,
                         connHasReadHandler)
from .server_h import (
    BLOCKED_NONE, BLOCKED_POSTPONE, BLOCKED_SHUTDOWN, CLIENT_ASKING, CLIENT_BLOCKED,
    CLIENT_CLOSE_AFTER_REPLY, CLIENT_CLOSE_ASAP, CLIENT_DIRTY_CAS, CLIENT_MASTER,
    CLIENT_MASTER_FORCE_REPLY, CLIENT_MONITOR, CLIENT_MULTI, CLIENT_NO_EVICT, CLIENT_PAUSE_ALL, CLIENT_PAUSE_OFF,
    CLIENT_PAUSE_WRITE, CLIENT_PENDING_COMMAND, CLIENT_PENDING_WRITE, CLIENT_PROTECTED,
    CLIENT_PROTOCOL_ERROR, CLIENT_PUBSUB, CLIENT_PUSHING, CLIENT_READONLY, CLIENT_REPLY_OFF,
    CLIENT_REPLY_SKIP, CLIENT_REPLY_SKIP_NEXT, CLIENT_SLAVE, CLIENT_TRACKING,
    CLIENT_TRACKING_BCAST, CLIENT_TRACKING_BROKEN_REDIR, CLIENT_TRACKING_CACHING,
    CLIENT_TRACKING_NOLOOP, CLIENT_TRACKING_OPTIN, CLIENT_TRACKING_OPTOUT, CLIENT_TYPE_MASTER,
    CLIENT_TYPE_NORMAL, CLIENT_TYPE_PUBSUB, CLIENT_TYPE_SLAVE, CLIENT_UNBLOCKED,
    CLIENT_UNIX_SOCKET, C_ERR, C_OK, LL_VERBOSE, LL_WARNING, NET_MAX_WRITES_PER_EVENT,
    OBJ_ENCODING_INT, PROTO_INLINE_MAX_SIZE, PROTO_IOBUF_LEN, PROTO_MBULK_BIG_ARG,
    PROTO_REPLY_CHUNK_BYTES, PROTO_REQ_INLINE, PROTO_REQ_MULTIBULK, SLAVE_STATE_ONLINE,
    UNIT_MILLISECONDS, client, server, shared,
)
from .util import c_string, sdscatrepr, sdssplitargs, string2ll
from .object import getLongLongFromObjectOrReply
from .timeout import getTimeoutFromObjectOrReply

MAX_ACCEPTS_PER_CALL = 1000
INT_MAX = (1 << 31) - 1


def serverLog(level, fmt, *args):
    # Imported lazily: server.py imports this module.
    from .server import serverLog as _log
    _log(level, fmt, *args)


# ---------------------------------------------------------------------------
# Client creation and destruction
# ---------------------------------------------------------------------------
def createClient(conn):
    """Create a client for `conn`, or a fake client when conn is None (createClient).

    A real client gets the read handler installed at once, so the next
    readable event on its socket lands in readQueryFromClient.
    """
    c = client()
    if conn is not None:
        connSetReadHandler(conn, readQueryFromClient)
        connSetPrivateData(conn, c)
        c.fd = conn.fd
    from .db import selectDb
    selectDb(c, 0)
    c.id = server.next_client_id
    server.next_client_id += 1
    c.conn = conn
    c.ctime = c.lastinteraction = server.unixtime
    c.buf_peak_last_reset_time = server.unixtime
    c.authenticated = 0 if server.requirepass else 1
    if conn is not None:
        linkClient(c)
    return c


def linkClient(c):
    """Add the client to the global client table (linkClient)."""
    server.clients[c.id] = c


def unlinkClient(c):
    """Detach the client from the event loop and the global tables (unlinkClient).

    After this the client receives nothing and sends nothing; freeClient
    releases the rest. Safe to call twice.
    """
    if server.current_client is c:
        server.current_client = None
    if c.conn is not None:
        server.clients.pop(c.id, None)
        connClose(c.conn)
        c.conn = None
    if c.flags & CLIENT_PENDING_WRITE:
        c.flags &= ~CLIENT_PENDING_WRITE
        try:
            server.clients_pending_write.remove(c)
        except ValueError:
            pass
    if c.flags & CLIENT_TRACKING:
        # Only tracking clients pay for this import; see clientTrackingCommand.
        from .tracking import disableTracking
        disableTracking(c)


def freeClient(c):
    """Release everything the client holds (freeClient).

    Called when the peer closes, on protocol errors, CLIENT KILL, timeouts
    and output buffer limits. A client whose command is still running on
    the stack is freed asynchronously instead (freeClientAsync).
    """
    if c.flags & CLIENT_PROTECTED:
        freeClientAsync(c)
        return
    if server.current_client is c:
        server.current_client = None
    # What blocked.c, multi.c and pubsub.c hold for this client, released
    # in freeClient's order: blocked state, WATCHes, subscriptions, queue.
    if c.flags & (CLIENT_BLOCKED | CLIENT_UNBLOCKED):
        from .blocked import blocked_free_client
        blocked_free_client(c)
    if c.watched_keys or c.flags & CLIENT_MULTI:
        from .multi import discardTransaction
        discardTransaction(c)
    if c.pubsub_channels or c.pubsub_patterns or c.pubsubshard_channels:
        from .pubsub import pubsub_free_client
        pubsub_free_client(c)
    hooks = server.free_client_hooks
    for hook in hooks:
        hook(c)
    c.querybuf = b""
    c.bigarg = None
    c.argv = []
    unlinkClient(c)
    if c.flags & CLIENT_MONITOR:
        try:
            server.monitors.remove(c)
        except ValueError:
            pass
    if c.flags & CLIENT_CLOSE_ASAP:
        try:
            server.clients_to_close.remove(c)
        except ValueError:
            pass
    c.buf = bytearray()
    c.reply = []
    c.reply_bytes = 0


def freeClientAsync(c):
    """Schedule the client to be freed at a safe point (freeClientAsync).

    The close happens in beforeSleep (freeClientsInAsyncFreeQueue), outside
    any handler that may still be using the client.
    """
    if c.flags & CLIENT_CLOSE_ASAP:
        return
    c.flags |= CLIENT_CLOSE_ASAP
    server.clients_to_close.append(c)


def freeClientsInAsyncFreeQueue():
    """Free the clients queued by freeClientAsync (freeClientsInAsyncFreeQueue)."""
    freed = 0
    if not server.clients_to_close:
        return 0
    pending = server.clients_to_close
    server.clients_to_close = []
    for c in pending:
        if c.flags & CLIENT_PROTECTED:
            server.clients_to_close.append(c)
            continue
        c.flags &= ~CLIENT_CLOSE_ASAP
        freeClient(c)
        freed += 1
    return freed


def freeClientArgv(c):
    """Drop the current command's arguments (freeClientArgv)."""
    c.argv = []
    c.argc = 0
    c.cmd = None
    c.argv_len_sum = 0
    c.original_argv = None


# ---------------------------------------------------------------------------
# Accepting connections
# ---------------------------------------------------------------------------
def acceptTcpHandler(el, fd, privdata, mask):
    """Accept up to MAX_ACCEPTS_PER_CALL pending connections (acceptTcpHandler)."""
    lsock = privdata
    for _ in range(MAX_ACCEPTS_PER_CALL):
        try:
            res = anetTcpAccept(lsock)
        except OSError as e:
            serverLog(LL_WARNING, "Accepting client connection: %s", e.strerror)
            return
        if res is None:
            return
        cs, cip, cport = res
        serverLog(LL_VERBOSE, "Accepted %s", anetFormatAddr(cip, cport))
        acceptCommonHandler(connCreateAcceptedSocket(el, cs), 0, cip)


def acceptCommonHandler(conn, flags, ip):
    """Create the client for a new connection, or refuse it (acceptCommonHandler)."""
    if len(server.clients) + 1 > server.maxclients:
        # Written straight to the socket: the client does not exist yet.
        connWrite(conn, b"-ERR max number of clients reached\r\n")
        server.stat_rejected_conn += 1
        connClose(conn)
        return
    c = createClient(conn)
    c.flags |= flags
    if connAccept(conn, clientAcceptHandler) == C_ERR:
        if conn.state == 5:  # CONN_STATE_ERROR
            serverLog(LL_WARNING, "Error accepting a client connection")
        freeClient(c)


def islocalClient(c):
    """Is the peer on the loopback interface (islocalClient)?"""
    if c.flags & CLIENT_UNIX_SOCKET:
        return True
    ip, _ = connPeerToString(c.conn)
    # Exactly these two strings, as Redis compares them: 127.0.0.2 or an
    # IPv4-mapped ::ffff:127.0.0.1 peer is not "local" for protected mode.
    return ip == "127.0.0.1" or ip == "::1"


PROTECTED_MODE_ERROR = (
    b"-DENIED Redis is running in protected mode because protected "
    b"mode is enabled and no password is set for the default user. "
    b"In this mode connections are only accepted from the loopback interface. "
    b"If you want to connect from external computers to Redis you "
    b"may adopt one of the following solutions: "
    b"1) Just disable protected mode sending the command "
    b"'CONFIG SET protected-mode no' from the loopback interface "
    b"by connecting to Redis from the same host the server is "
    b"running, however MAKE SURE Redis is not publicly accessible "
    b"from internet if you do so. Use CONFIG REWRITE to make this "
    b"change permanent. "
    b"2) Alternatively you can just disable the protected mode by "
    b"editing the Redis configuration file, and setting the protected "
    b"mode option to 'no', and then restarting the server. "
    b"3) If you started the server manually just for testing, restart "
    b"it with the '--protected-mode no' option. "
    b"4) Setup a an authentication password for the default user. "
    b"NOTE: You only need to do one of the above things in order for "
    b"the server to start accepting connections from the outside.\r\n")


def clientAcceptHandler(conn):
    """Last step of accepting: protected mode, then count the connection (clientAcceptHandler)."""
    c = connGetPrivateData(conn)
    if conn.state != CONN_STATE_CONNECTED:
        serverLog(LL_WARNING, "Error accepting a client connection")
        freeClientAsync(c)
        return
    # Protected mode: with no password, only loopback peers may talk to us.
    if server.protected_mode and not server.requirepass:
        if not islocalClient(c):
            connWrite(c.conn, PROTECTED_MODE_ERROR)
            server.stat_rejected_conn += 1
            freeClientAsync(c)
            return
    server.stat_numconnections += 1


# ---------------------------------------------------------------------------
# Reading and parsing
# ---------------------------------------------------------------------------
def readQueryFromClient(conn):
    """Read what the socket has into c.querybuf and process it (readQueryFromClient).

    The read size is PROTO_IOBUF_LEN. While a big bulk argument (32 KiB or
    more) is being read, the bytes go straight into a buffer sized for that
    argument (c.bigarg), asking the socket for exactly what is missing, as
    Redis reads big arguments into a query buffer made room for in advance:
    that keeps a 100 MB value from being copied once per read.
    """
    c = conn.private_data
    big = c.bigarg
    if big is not None:
        view = memoryview(big)[c.bigarg_len:]
        try:
            nread = conn.sock.recv_into(view)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            nread = 0
        if nread == 0:
            serverLog(LL_VERBOSE, "Client closed connection id=%d addr=%s", c.id, getClientPeerId(c))
            freeClientAsync(c)
            return
        c.bigarg_len += nread
        server.stat_net_input_bytes += nread
        c.lastinteraction = server.unixtime
        # In Redis this argument sits in the query buffer, so the query
        # buffer limit applies to what of it has arrived so far.
        if not c.flags & CLIENT_MASTER and c.bigarg_len > server.client_max_querybuf_len:
            serverLog(LL_WARNING, "Closing client that reached max query buffer length: %s "
                      "(qbuf initial bytes: %s)", catClientInfoString(c),
                      sdscatrepr(bytes(view.obj[:64])).decode("latin-1"))
            server.stat_client_qbuf_limit_disconnections += 1
            freeClientAsync(c)
            return
        if c.bigarg_len < len(big):
            return
        # The argument is complete (its trailing CRLF included).
        c.argv.append(bytes(view.obj[:len(big) - 2]))
        c.bigarg = None
        c.bigarg_len = 0
        c.bulklen = -1
        c.multibulklen -= 1
        if c.multibulklen == 0:
            c.argc = len(c.argv)
            if processCommandAndResetClient(c) == C_ERR:
                return
        processInputBuffer(c)
        return
    data = connRead(conn, PROTO_IOBUF_LEN)
    if data is None:
        return
    if not data:
        serverLog(LL_VERBOSE, "Client closed connection id=%d addr=%s", c.id, getClientPeerId(c))
        freeClientAsync(c)
        return
    qb = c.querybuf
    c.querybuf = qb + data if qb else data
    nread = len(data)
    c.lastinteraction = server.unixtime
    server.stat_net_input_bytes += nread
    if c.flags & CLIENT_MASTER:
        c.read_reploff += nread
    elif len(c.querybuf) > server.client_max_querybuf_len:
        serverLog(LL_WARNING, "Closing client that reached max query buffer length: %s "
                  "(qbuf initial bytes: %s)", catClientInfoString(c),
                  sdscatrepr(bytes(c.querybuf[:64])).decode("latin-1"))
        server.stat_client_qbuf_limit_disconnections += 1
        freeClientAsync(c)
        return
    processInputBuffer(c)


def processInputBuffer(c):
    """Run every complete command in the query buffer (processInputBuffer).

    Stops at an incomplete command (the rest arrives with the next read), when
    the client is blocked, or when it is to be closed. What was consumed is
    dropped once at the end, not after every command, so a pipeline of N
    commands costs one trim.

    Deliberate difference: at the start of a burst of multibulk commands we
    first cut out every command that is plainly well formed in one pass
    (split_multibulk_batch) and run them one by one; the per-command parser
    (processMultibulkBuffer, which Redis's -O2 build inlines here) takes
    over at the first command the batch did not take, and stays the
    authority for every odd case and every protocol error.
    """
    batch_ok = True
    while c.qb_pos < len(c.querybuf):
        if c.flags & _STOP_PROCESSING:
            break
        if not c.reqtype:
            if batch_ok and c.querybuf[c.qb_pos] == 42 and not c.flags & CLIENT_MASTER:
                # Whatever stops the batch (an argument holding CRLF, a big
                # or partial command, a blocked client) is the per-command
                # parser's business: trying the batch again on the same
                # bytes would only split them again.
                batch_ok = False
                for argv, end in split_multibulk_batch(c):
                    # qb_pos moves past each command before it runs, as in
                    # Redis: at a breakpoint in setCommand it points at the
                    # next command.
                    c.qb_pos = end
                    c.argv = argv
                    c.argc = len(argv)
                    if processCommandAndResetClient(c) == C_ERR:
                        return C_ERR     # the client was freed by its command
                    if c.flags & _STOP_PROCESSING:
                        break
                continue
            c.reqtype = PROTO_REQ_MULTIBULK if c.querybuf[c.qb_pos] == 42 else PROTO_REQ_INLINE
        if c.reqtype == PROTO_REQ_MULTIBULK:
            if processMultibulkBuffer(c) != C_OK:
                break
        elif processInlineBuffer(c) != C_OK:
            break
        if not c.argv:
            resetClient(c)
        else:
            c.argc = len(c.argv)
            if processCommandAndResetClient(c) == C_ERR:
                # The client was freed while running its command.
                return C_ERR
    if c.flags & CLIENT_MASTER:
        # Our master's bytes are kept up to what has been applied and
        # proxied to our own replicas (repl_applied), not up to what has been
        # parsed: a MULTI block is passed on only once its EXEC has run.
        if c.repl_applied:
            c.querybuf = c.querybuf[c.repl_applied:]
            c.qb_pos -= c.repl_applied
            c.repl_applied = 0
    elif c.qb_pos:
        c.querybuf = c.querybuf[c.qb_pos:]
        c.qb_pos = 0
    return C_OK


_STOP_PROCESSING = CLIENT_BLOCKED | CLIENT_PENDING_COMMAND | CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP


def split_multibulk_batch(c):
    """Cut the plainly well-formed multibulk commands at c.qb_pos out in one pass.

    No C counterpart. Redis parses one command at a time with strchr and
    pointer arithmetic, which is cheap in C; in Python each find() and slice
    is an interpreter round trip (about three times the cost per command of
    what follows). So bytes.split cuts the whole buffer at every CRLF in one
    C call, and a command is taken from the pieces only when it checks out
    exactly: "*<argc>" with a small count, then for each argument "$<len>"
    followed by a piece of exactly that length. An argument containing CRLF,
    a length outside the small range, a non-canonical or malformed header
    and a partial command all fail that check; the batch ends there and
    processMultibulkBuffer parses on from that command, as Redis would.

    Returns [(argv, offset in querybuf just past the command), ...].
    Parsing ahead of execution changes nothing a command could observe: the
    lengths taken here are valid under any proto-max-bulk-len and need no
    authentication, and a master's stream (whose offsets count per command)
    never comes here.
    """
    qb = c.querybuf
    start = c.qb_pos
    toks = (qb[start:] if start else qb).split(b"\r\n")
    # The last piece is what follows the final CRLF: empty, or the start of
    # a command not complete yet. It is never part of a command here.
    ntoks = len(toks) - 1
    counts = _mbulk_count
    lens = _bulk_len
    cmds = []
    pos = start
    i = 0
    while i < ntoks:
        argc = counts.get(toks[i])
        if argc is None:                 # not "*<small count>"
            break
        end = i + 1 + 2 * argc
        if end > ntoks:
            break
        # Each "$<len>" must be followed by a piece of exactly that length.
        # Spelled out for the common argument counts: a generic loop, or
        # map(), costs several times more per command in CPython.
        if argc == 3:
            if lens.get(toks[i + 1]) != len(toks[i + 2]) or lens.get(toks[i + 3]) != len(toks[i + 4]) \
                    or lens.get(toks[i + 5]) != len(toks[i + 6]):
                break
        elif argc == 2:
            if lens.get(toks[i + 1]) != len(toks[i + 2]) or lens.get(toks[i + 3]) != len(toks[i + 4]):
                break
        else:
            k = i + 1
            while k < end and lens.get(toks[k]) == len(toks[k + 1]):
                k += 2
            if k < end:
                break
        # The command's bytes: its pieces and the CRLF each was cut at.
        pos += len(b"\r\n".join(toks[i:end])) + 2
        cmds.append((toks[i + 2:end:2], pos))
        i = end
    return cmds


def processInlineBuffer(c):
    """Parse one telnet-style inline command (processInlineBuffer)."""
    qb = c.querybuf
    newline = qb.find(b"\n", c.qb_pos)
    # Redis looks for the newline with strchr, which stops at a NUL byte:
    # a NUL before the newline means "no full line yet", until the buffer
    # passes the inline limit. We do the same rather than accept the line.
    if newline > 0 and qb.find(b"\0", c.qb_pos, newline) >= 0:
        newline = -1
    if newline < 0:
        if len(qb) - c.qb_pos > PROTO_INLINE_MAX_SIZE:
            addReplyError(c, "Protocol error: too big inline request")
            setProtocolError("too big inline request", c)
        return C_ERR
    linefeed_chars = 1
    if newline != c.qb_pos and qb[newline - 1] == 13:
        newline -= 1
        linefeed_chars += 1
    line = qb[c.qb_pos:newline]
    argv = sdssplitargs(line)
    if argv is None:
        addReplyError(c, "Protocol error: unbalanced quotes in request")
        setProtocolError("unbalanced quotes in inline protocol", c)
        return C_ERR
    # An empty line from a replica is its way to say it is alive.
    if not line and getClientType(c) == CLIENT_TYPE_SLAVE:
        c.repl_ack_time = server.unixtime
    if linefeed_chars == 1 and c.flags & CLIENT_MASTER:
        serverLog(LL_WARNING, "WARNING: Receiving inline protocol from master, master stream "
                  "corruption? Closing the master connection and discarding the cached master.")
        setProtocolError("Master using the inline protocol. Desync?", c)
        return C_ERR
    c.qb_pos = newline + linefeed_chars
    c.argv = argv
    return C_OK


# Bulk and multibulk headers are tiny decimal strings, mostly the same few
# ("$3", "$5", "*3"...): remember their values instead of parsing them
# again. Only lengths that need no further check are cached (0..16384: no
# auth limit, no big-argument handling, below any proto-max-bulk-len), so a
# cache hit skips all the validation below.
_len_cache = {}
_CACHEABLE_MAX = 16384

# The batch parser's tables: a header piece as it appears on the wire ->
# its value, for the canonical spellings only (no sign, no leading zero),
# so that anything else falls through to the full parser and its errors.
# Counts start at 1: "*0" and "*-1" are empty commands, which the full
# parser skips.
_mbulk_count = {b"*%d" % n: n for n in range(1, 1025)}
_bulk_len = {b"$%d" % n: n for n in range(_CACHEABLE_MAX + 1)}


def _parse_len(s):
    v = string2ll(s)
    if v is not None and 0 <= v <= _CACHEABLE_MAX and len(_len_cache) < 4096:
        _len_cache[s] = v
    return v


def processMultibulkBuffer(c):
    """Parse a RESP multibulk command, resuming where the last call stopped (processMultibulkBuffer).

    The parser state lives in the client (multibulklen: arguments still to
    read; bulklen: length of the one being read, -1 before its header), so a
    command split across any number of reads is parsed incrementally without
    rescanning. Returns C_OK when c.argv holds a whole command.
    """
    qb = c.querybuf
    pos = c.qb_pos
    qlen = len(qb)
    if c.multibulklen == 0:
        newline = qb.find(b"\r", pos)
        if newline < 0:
            if qlen - pos > PROTO_INLINE_MAX_SIZE:
                addReplyError(c, "Protocol error: too big mbulk count string")
                setProtocolError("too big mbulk count string", c)
            return C_ERR
        if newline > qlen - 2:       # need the \n as well
            return C_ERR
        hdr = qb[pos + 1:newline]
        ll = _len_cache.get(hdr)
        if ll is None:
            ll = _parse_len(hdr)
            if ll is None or ll > INT_MAX:
                addReplyError(c, "Protocol error: invalid multibulk length")
                setProtocolError("invalid mbulk count", c)
                return C_ERR
            if ll > 1024 * 1024 and authRequired(c):
                addReplyError(c, "Protocol error: unauthenticated multibulk length")
                setProtocolError("unauth mbulk count", c)
                return C_ERR
        pos = newline + 2
        if ll <= 0:
            c.qb_pos = pos
            return C_OK
        c.multibulklen = ll
        c.argv = []
    argv = c.argv
    mbl = c.multibulklen
    bl = c.bulklen
    while mbl:
        if bl == -1:
            newline = qb.find(b"\r", pos)
            if newline < 0:
                if qlen - pos > PROTO_INLINE_MAX_SIZE:
                    addReplyError(c, "Protocol error: too big bulk count string")
                    setProtocolError("too big bulk count string", c)
                    c.multibulklen = mbl
                    return C_ERR
                break
            if newline > qlen - 2:
                break
            if qb[pos] != 36:   # '$'
                addReplyError(c, "Protocol error: expected '$', got '%s'" % chr(qb[pos]))
                setProtocolError("expected $ but got something else", c)
                c.multibulklen = mbl
                return C_ERR
            hdr = qb[pos + 1:newline]
            bl = _len_cache.get(hdr)
            pos = newline + 2
            if bl is None:
                bl = _parse_len(hdr)
                if bl is None or bl < 0 or (bl > server.proto_max_bulk_len
                                            and not (c.flags & CLIENT_MASTER)):
                    addReplyError(c, "Protocol error: invalid bulk length")
                    setProtocolError("invalid bulk length", c)
                    c.multibulklen = mbl
                    return C_ERR
                if bl > 16384 and authRequired(c):
                    addReplyError(c, "Protocol error: unauthenticated bulk length")
                    setProtocolError("unauth bulk length", c)
                    c.multibulklen = mbl
                    return C_ERR
                # Not for our master: its stream must stay whole in the
                # query buffer, which is what commandProcessed proxies on.
                if bl >= PROTO_MBULK_BIG_ARG and qlen - pos < bl + 2 and \
                        not c.flags & CLIENT_MASTER:
                    # A big argument not all here yet: give it a buffer of its
                    # own and let readQueryFromClient fill it (see there).
                    have = qb[pos:]
                    big = bytearray(bl + 2)
                    big[:len(have)] = have
                    c.bigarg = big
                    c.bigarg_len = len(have)
                    c.bulklen = bl
                    c.multibulklen = mbl
                    c.qb_pos = qlen
                    return C_ERR
        if qlen - pos < bl + 2:
            break
        argv.append(qb[pos:pos + bl])
        pos += bl + 2
        bl = -1
        mbl -= 1
    c.qb_pos = pos
    c.multibulklen = mbl
    c.bulklen = bl
    if mbl == 0:
        return C_OK
    return C_ERR


def setProtocolError(errstr, c):
    """Log a protocol error and close the client after its reply (setProtocolError)."""
    if server.verbosity <= LL_VERBOSE or c.flags & CLIENT_MASTER:
        buf = c.querybuf[c.qb_pos:c.qb_pos + 128]
        serverLog(LL_VERBOSE, "Protocol error (%s) from client: %s. Query buffer during protocol "
                  "error: '%s'", errstr, catClientInfoString(c),
                  buf.decode("latin-1").replace("\r", "\\r").replace("\n", "\\n"))
    c.flags |= CLIENT_CLOSE_AFTER_REPLY | CLIENT_PROTOCOL_ERROR


# server.py binds this when it is imported: server imports networking, so
# networking cannot import server at the top (the C files just share a header).
processCommand = None


def processCommandAndResetClient(c):
    """Run the parsed command, then reset the client for the next one (processCommandAndResetClient).

    Returns C_ERR when the client was freed while its command ran, so the
    caller stops touching it.
    """
    srv = server
    old_client = srv.current_client
    srv.current_client = c
    if processCommand(c) == C_OK:
        commandProcessed(c)
    # freeClient clears server.current_client when it frees the client that
    # is running: that is how we learn the client is gone.
    dead = srv.current_client is None
    srv.current_client = old_client
    return C_ERR if dead else C_OK


def commandProcessed(c):
    """Bookkeeping after a command ran (commandProcessed): reset unless it blocked;
    for our master's link, advance the applied offset and pass what was applied
    on to our own replicas and backlog (replicationFeedStreamFromMasterStream)."""
    if c.flags & CLIENT_BLOCKED:
        return
    resetClient(c)
    if c.flags & CLIENT_MASTER:
        prev_offset = c.reploff
        if not c.flags & CLIENT_MULTI:
            c.reploff = c.read_reploff - len(c.querybuf) + c.qb_pos
        applied = c.reploff - prev_offset
        if applied:
            from .replication import replicationFeedStreamFromMasterStream
            replicationFeedStreamFromMasterStream(
                c.querybuf[c.repl_applied:c.repl_applied + applied])
            c.repl_applied += applied


_RESET_CLIENT_FLAGS = (CLIENT_ASKING | CLIENT_REPLY_SKIP | CLIENT_REPLY_SKIP_NEXT
                       | CLIENT_TRACKING_CACHING)


def resetClient(c):
    """Prepare the client for its next command (resetClient).

    multibulklen and bulklen are already back at 0 and -1 when a command
    was parsed completely, so only what a command leaves behind is reset.
    """
    c.argv = []
    c.argc = 0
    c.cmd = None
    c.reqtype = 0
    flags = c.flags
    if flags & _RESET_CLIENT_FLAGS:
        prevcmd = c.lastcmd
        if not (flags & CLIENT_MULTI) and prevcmd is not None and prevcmd.fullname != "asking":
            flags &= ~CLIENT_ASKING
        # CLIENT CACHING yes|no is for the next command (or the next
        # transaction as a whole); any CLIENT subcommand keeps it, as in
        # Redis, where they all share clientCommand.
        if not (flags & CLIENT_MULTI) and (prevcmd is None or prevcmd.proc is not clientCommand):
            flags &= ~CLIENT_TRACKING_CACHING
        flags &= ~CLIENT_REPLY_SKIP
        if flags & CLIENT_REPLY_SKIP_NEXT:
            flags = (flags | CLIENT_REPLY_SKIP) & ~CLIENT_REPLY_SKIP_NEXT
        c.flags = flags


# ---------------------------------------------------------------------------
# Output buffers
# ---------------------------------------------------------------------------
def clientHasPendingReplies(c):
    """Is there output not yet written (clientHasPendingReplies)?"""
    return bool(c.buf) or bool(c.reply)


def putClientInPendingWriteQueue(c):
    """Queue the client so beforeSleep writes its output (putClientInPendingWriteQueue)."""
    if not (c.flags & CLIENT_PENDING_WRITE):
        c.flags |= CLIENT_PENDING_WRITE
        server.clients_pending_write.append(c)


def prepareClientToWrite(c):
    """May we add output for this client? Queue it for writing if so (prepareClientToWrite).

    Returns C_ERR for clients that must not get output: fake clients (no
    connection), clients about to close, CLIENT REPLY OFF/SKIP, and our
    master's link.
    """
    flags = c.flags
    if flags & CLIENT_CLOSE_ASAP:
        return C_ERR
    if flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP) and not (flags & CLIENT_PUSHING):
        return C_ERR
    if flags & CLIENT_MASTER and not (flags & CLIENT_MASTER_FORCE_REPLY):
        return C_ERR
    if c.conn is None:
        return C_ERR
    # A replica still in its full sync keeps what it is fed in its output
    # buffer, unsent, until the RDB is through (putClientInPendingWriteQueue).
    if not (flags & CLIENT_PENDING_WRITE) and (c.replstate == 0 or (
            c.replstate == SLAVE_STATE_ONLINE and not c.repl_start_cmd_stream_on_ack)):
        c.flags = flags | CLIENT_PENDING_WRITE
        server.clients_pending_write.append(c)
    return C_OK


_NO_DIRECT_REPLY = (CLIENT_CLOSE_ASAP | CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_MASTER)


def _addReplyToBufferOrList(c, s):
    """Append protocol bytes to the static buffer, or the reply list when full (_addReplyToBufferOrList)."""
    if not c.reply and len(c.buf) + len(s) <= PROTO_REPLY_CHUNK_BYTES:
        c.buf += s
        return
    _addReplyProtoToList(c, s)


def _addReplyProtoToList(c, s):
    """Append to the reply list, filling its last node first (_addReplyProtoToList)."""
    reply = c.reply
    if reply:
        tail = reply[-1]
        if len(tail) + len(s) <= PROTO_REPLY_CHUNK_BYTES and type(tail) is bytearray:
            tail += s
            c.reply_bytes += len(s)
            return
    node = bytearray(s)
    reply.append(node)
    c.reply_bytes += len(s)
    closeClientOnOutputBufferLimitReached(c, 1)


def addReply(c, s):
    """Add raw protocol bytes to the client's output (addReply / addReplyProto).

    In C addReply takes a robj holding protocol (the shared replies); here
    the shared replies are bytes, so both functions are this one. The
    common case of prepareClientToWrite (a normal client already queued for
    writing) is tested inline: this runs once per reply.
    """
    flags = c.flags
    if flags & _NO_DIRECT_REPLY or not (flags & CLIENT_PENDING_WRITE):
        if prepareClientToWrite(c) != C_OK:
            return
    if not c.reply and len(c.buf) + len(s) <= PROTO_REPLY_CHUNK_BYTES:
        c.buf += s
    else:
        _addReplyProtoToList(c, s)


addReplyProto = addReply


def addReplyBulk(c, obj):
    """Reply with a string object as a bulk string (addReplyBulk)."""
    ptr = obj.ptr
    if obj.encoding == OBJ_ENCODING_INT:
        ptr = b"%d" % ptr
    addReply(c, b"$%d\r\n%s\r\n" % (len(ptr), ptr))


def addReplyBulkCBuffer(c, p):
    """Reply with bytes as a bulk string (addReplyBulkCBuffer / addReplyBulkSds)."""
    addReply(c, b"$%d\r\n%s\r\n" % (len(p), p))


addReplyBulkSds = addReplyBulkCBuffer


def addReplyBulkCString(c, s):
    """Reply with a C string as a bulk (addReplyBulkCString); None gives a null."""
    if s is None:
        addReplyNull(c)
        return
    if isinstance(s, str):
        s = s.encode()
    addReply(c, b"$%d\r\n%s\r\n" % (len(s), s))


def addReplyBulkLongLong(c, ll):
    """Reply with an integer formatted as a bulk string (addReplyBulkLongLong)."""
    s = b"%d" % ll
    addReply(c, b"$%d\r\n%s\r\n" % (len(s), s))


def addReplyLongLong(c, ll):
    """Reply with a RESP integer (addReplyLongLong)."""
    if ll == 0:
        addReply(c, b":0\r\n")
    elif ll == 1:
        addReply(c, b":1\r\n")
    else:
        addReply(c, b":%d\r\n" % ll)


def addReplyLongLongWithPrefix(c, ll, prefix):
    addReply(c, b"%s%d\r\n" % (prefix, ll))


def addReplyStatus(c, status):
    """Reply with a status (simple string) (addReplyStatus)."""
    if isinstance(status, str):
        status = status.encode()
    addReply(c, b"+" + status + b"\r\n")


def addReplyStatusFormat(c, fmt, *args):
    s = (fmt % args) if args else fmt
    s = s.replace("\r", " ").replace("\n", " ")
    addReplyStatus(c, s)


def addReplyNull(c):
    """The null reply: $-1 in RESP2, _ in RESP3 (addReplyNull)."""
    addReply(c, b"$-1\r\n" if c.resp == 2 else b"_\r\n")


def addReplyNullArray(c):
    """The null array: *-1 in RESP2, _ in RESP3 (addReplyNullArray)."""
    addReply(c, b"*-1\r\n" if c.resp == 2 else b"_\r\n")


def addReplyArrayLen(c, length):
    addReply(c, b"*%d\r\n" % length)


def addReplyMapLen(c, length):
    """A map header: %n in RESP3, an array of 2n in RESP2 (addReplyMapLen)."""
    if c.resp == 2:
        addReply(c, b"*%d\r\n" % (length * 2))
    else:
        addReply(c, b"%%%d\r\n" % length)


def addReplySetLen(c, length):
    addReply(c, (b"*%d\r\n" if c.resp == 2 else b"~%d\r\n") % length)


def addReplyAttributeLen(c, length):
    addReply(c, b"|%d\r\n" % length)


def addReplyPushLen(c, length):
    """A push header (>n in RESP3; an array in RESP2) (addReplyPushLen)."""
    addReply(c, (b"*%d\r\n" if c.resp == 2 else b">%d\r\n") % length)


def addReplyBool(c, b):
    if c.resp == 2:
        addReply(c, b":1\r\n" if b else b":0\r\n")
    else:
        addReply(c, b"#t\r\n" if b else b"#f\r\n")


def addReplyDouble(c, d):
    """Reply with a double: `%.17g`, inf spelled out (addReplyDouble)."""
    if d == float("inf") or d == float("-inf"):
        s = b"inf" if d > 0 else b"-inf"
    else:
        s = b"%.17g" % d
    if c.resp == 2:
        addReply(c, b"$%d\r\n%s\r\n" % (len(s), s))
    else:
        addReply(c, b",%s\r\n" % s)


def addReplyHumanLongDouble(c, s):
    """Reply with a long double already formatted by ld2string (addReplyHumanLongDouble)."""
    if c.resp == 2:
        addReplyBulkCBuffer(c, s)
    else:
        addReply(c, b",%s\r\n" % s)


def addReplyBigNum(c, num):
    if c.resp == 2:
        addReplyBulkCBuffer(c, num)
    else:
        addReply(c, b"(%s\r\n" % num)


def addReplyVerbatim(c, s, ext="txt"):
    """Verbatim text: =len\\r\\ntxt:... in RESP3, a bulk in RESP2 (addReplyVerbatim)."""
    if isinstance(s, str):
        s = s.encode()
    if c.resp == 2:
        addReplyBulkCBuffer(c, s)
    else:
        addReply(c, b"=%d\r\n%s:%s\r\n" % (len(s) + 4, ext.encode(), s))


def addReplyDeferredLen(c):
    """Reserve room for a length not known yet (addReplyDeferredLen).

    Returns a placeholder node in the reply list; setDeferredReply fills
    it. Everything added after goes to the list behind it, so order holds.
    """
    if prepareClientToWrite(c) != C_OK:
        return None
    node = bytearray()
    c.reply.append(node)
    # A fresh tail so later replies never land inside the placeholder.
    c.reply.append(bytearray())
    return node


def setDeferredReply(c, node, s):
    if node is None:
        return
    node[:] = s
    c.reply_bytes += len(s)


def setDeferredArrayLen(c, node, length):
    setDeferredReply(c, node, b"*%d\r\n" % length)


def setDeferredMapLen(c, node, length):
    if c.resp == 2:
        setDeferredReply(c, node, b"*%d\r\n" % (length * 2))
    else:
        setDeferredReply(c, node, b"%%%d\r\n" % length)


def setDeferredSetLen(c, node, length):
    setDeferredReply(c, node, (b"*%d\r\n" if c.resp == 2 else b"~%d\r\n") % length)


def setDeferredAttributeLen(c, node, length):
    setDeferredReply(c, node, b"|%d\r\n" % length)


# -- errors ------------------------------------------------------------------
def afterErrorReply(c, s):
    """Count an error reply for INFO errorstats (afterErrorReply).

    `s` is the error text without the leading '-' when it came with its own
    code, e.g. "WRONGTYPE Operation...", or a plain message counted as ERR.
    """
    server.stat_total_error_replies += 1
    if s[:1] != "-":
        code = "ERR"
    else:
        sp = s.find(" ", 0, 32)
        code = s[1:sp] if sp > 0 else "ERR"
    incrementErrorCount(code)
    # An error that a master or a replica link produced is worth a log line:
    # it means the replication stream and our dataset disagree.
    if c.flags & (CLIENT_MASTER | CLIENT_SLAVE) and not (c.flags & CLIENT_MONITOR):
        serverLog(LL_WARNING, "== CRITICAL == This %s is sending an error to its %s: '%s'",
                  "master" if c.flags & CLIENT_SLAVE else "replica",
                  "replica" if c.flags & CLIENT_SLAVE else "master", s)


def incrementErrorCount(code):
    """Bump the per-error-code counter INFO errorstats shows (incrementErrorCount)."""
    errors = server.errors
    if code in errors:
        errors[code] += 1
    elif len(errors) < 128:
        errors[code] = 1


def addReplyError(c, err):
    """Reply with an error; "-CODE msg" keeps its code, anything else is ERR (addReplyError)."""
    err = err.replace("\r\n", "  ") if "\r" in err or "\n" in err else err
    if err[:1] == "-":
        addReply(c, err.encode("utf-8", "surrogateescape") + b"\r\n")
    else:
        addReply(c, b"-ERR " + err.encode("utf-8", "surrogateescape") + b"\r\n")
    afterErrorReply(c, err)


def addReplyErrorFormat(c, fmt, *args):
    """addReplyError with printf-style formatting, newlines turned to spaces (addReplyErrorFormat)."""
    if args:
        # C's %s stops at a NUL byte: an argument with one is printed cut there.
        args = tuple(a.split("\0", 1)[0] if isinstance(a, str) else a for a in args)
    s = (fmt % args) if args else fmt
    s = s.strip("\r\n").replace("\r", " ").replace("\n", " ")
    addReplyError(c, s)


def addReplyErrorSds(c, s):
    addReplyError(c, s)


def addReplyErrorObject(c, err):
    """Reply with a shared error (bytes protocol, "-CODE ...\\r\\n") (addReplyErrorObject)."""
    addReply(c, err)
    afterErrorReply(c, err[:-2].decode("utf-8", "surrogateescape"))


def addReplyErrorArity(c):
    addReplyErrorFormat(c, "wrong number of arguments for '%s' command", c.cmd.fullname)


def addReplyErrorExpireTime(c):
    addReplyErrorFormat(c, "invalid expire time in '%s' command", c.cmd.fullname)


def addReplySubcommandSyntaxError(c):
    """The error for an unknown subcommand (addReplySubcommandSyntaxError)."""
    cmd = argstr(c.argv[0]).upper()
    addReplyErrorFormat(c, "unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
                        cstrarg(c.argv[1], 128), cmd)


def addReplyHelp(c, help_lines):
    """The HELP reply every container command gives (addReplyHelp)."""
    cmd = argstr(c.argv[0]).upper()
    addReplyArrayLen(c, len(help_lines) + 3)
    addReplyStatus(c, "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" % cmd)
    for line in help_lines:
        addReplyStatus(c, line)
    addReplyStatus(c, "HELP")
    addReplyStatus(c, "    Prints this help.")


def argstr(b):
    """An argument as text for error messages: bytes kept as they are, via surrogates."""
    return b.decode("utf-8", "surrogateescape")


def cstrarg(b, precision=None):
    """An argument as C's "%s" (or "%.<precision>s") prints it, as text: cut
    at its first NUL byte, then to at most `precision` bytes - bytes, not
    characters, so a multi-byte UTF-8 character may be cut in half."""
    b = c_string(b)
    if precision is not None:
        b = b[:precision]
    return b.decode("utf-8", "surrogateescape")


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
def _writeToClient(c):
    """Write as much pending output as the socket takes (_writeToClient).

    With only the static buffer in use, one send(); with a reply list, one
    sendmsg() gathering the buffer and the list nodes, as 7.0's
    _writevToClient does with writev. Returns bytes written, or -1.
    """
    if not c.reply:
        buf = c.buf
        if c.sentlen:
            n = connWrite(c.conn, memoryview(buf)[c.sentlen:])
        else:
            n = connWrite(c.conn, buf)
        if n <= 0:
            return n
        c.sentlen += n
        if c.sentlen == len(buf):
            c.buf = bytearray()
            c.sentlen = 0
        return n
    bufs = []
    if c.buf:
        bufs.append(memoryview(c.buf)[c.sentlen:])
        first = c.reply
    else:
        first = c.reply
    skip = 0 if c.buf else c.sentlen
    total = 0
    for i, node in enumerate(first[:64]):
        if i == 0 and skip:
            bufs.append(memoryview(node)[skip:])
        else:
            bufs.append(node)
        total += len(node)
        if total > NET_MAX_WRITES_PER_EVENT:
            break
    n = connWritev(c.conn, bufs)
    if n <= 0:
        return n
    left = n
    if c.buf:
        avail = len(c.buf) - c.sentlen
        if left >= avail:
            left -= avail
            c.buf = bytearray()
            c.sentlen = 0
        else:
            c.sentlen += left
            return n
    while left and c.reply:
        node = c.reply[0]
        avail = len(node) - c.sentlen
        if left >= avail:
            left -= avail
            c.reply.pop(0)
            c.reply_bytes -= len(node)
            c.sentlen = 0
        else:
            c.sentlen += left
            left = 0
    # Drop empty nodes (filled placeholders or fresh tails) at the head.
    while c.reply and not c.reply[0] and c.sentlen == 0:
        c.reply.pop(0)
    return n


def writeToClient(c, handler_installed):
    """Write pending output; free or keep the client accordingly (writeToClient).

    Returns C_ERR when the client was freed (write error, or everything sent
    to a client marked close-after-reply).
    """
    totwritten = 0
    while clientHasPendingReplies(c):
        n = _writeToClient(c)
        if n <= 0:
            if n < 0:
                serverLog(LL_VERBOSE, "Error writing to client")
                freeClientAsync(c)
                return C_ERR
            break
        totwritten += n
        # Fairness: don't let one client with a huge reply starve the rest,
        # unless memory is short and sending is how we free it.
        if totwritten > NET_MAX_WRITES_PER_EVENT and not (c.flags & CLIENT_SLAVE):
            break
    server.stat_net_output_bytes += totwritten
    server.stat_total_writes_processed += 1
    if totwritten > 0 and not (c.flags & CLIENT_MASTER):
        c.lastinteraction = server.unixtime
    if not clientHasPendingReplies(c):
        c.sentlen = 0
        c.reply_bytes = 0
        c.reply = []
        if handler_installed:
            connSetWriteHandler(c.conn, None)
        if c.flags & CLIENT_CLOSE_AFTER_REPLY:
            freeClientAsync(c)
            return C_ERR
    return C_OK


def sendReplyToClient(conn):
    """The write handler, installed only when a write could not finish (sendReplyToClient)."""
    c = connGetPrivateData(conn)
    writeToClient(c, 1)


def handleClientsWithPendingWrites():
    """Write to every client that got output this iteration (handleClientsWithPendingWrites).

    Called from beforeSleep. Writing here, instead of in the command, lets
    a pipeline of N commands leave in one write instead of N, and saves
    installing a write handler (two epoll_ctl calls) for the common case
    where the socket takes everything at once.
    """
    pending = server.clients_pending_write
    if not pending:
        return 0
    processed = len(pending)
    server.clients_pending_write = []
    for c in pending:
        c.flags &= ~CLIENT_PENDING_WRITE
        if c.flags & CLIENT_PROTECTED or c.conn is None:
            continue
        if c.flags & CLIENT_CLOSE_ASAP:
            continue
        if writeToClient(c, 0) == C_ERR:
            continue
        if clientHasPendingReplies(c):
            # The socket is full: let the event loop tell us when it drains.
            # With appendfsync always, a barrier makes sure the AOF is
            # fsynced before a reply is sent.
            barrier = server.aof_state and server.aof_fsync == 1
            connSetWriteHandlerWithBarrier(c.conn, sendReplyToClient, barrier)
    return processed


# ---------------------------------------------------------------------------
# Output buffer limits (client-output-buffer-limit)
# ---------------------------------------------------------------------------
def getClientOutputBufferMemoryUsage(c):
    """Bytes of output waiting in the reply list (getClientOutputBufferMemoryUsage)."""
    return c.reply_bytes


def getClientType(c):
    """The client's class for output limits and CLIENT LIST TYPE (getClientType)."""
    if c.flags & CLIENT_MASTER:
        return CLIENT_TYPE_MASTER
    if c.flags & CLIENT_SLAVE and not (c.flags & CLIENT_MONITOR):
        return CLIENT_TYPE_SLAVE
    if c.flags & CLIENT_PUBSUB:
        return CLIENT_TYPE_PUBSUB
    return CLIENT_TYPE_NORMAL


def getClientTypeByName(name):
    name = name.split("\0", 1)[0].lower()      # strcasecmp: a C string
    return {"normal": CLIENT_TYPE_NORMAL, "slave": CLIENT_TYPE_SLAVE,
            "replica": CLIENT_TYPE_SLAVE, "pubsub": CLIENT_TYPE_PUBSUB,
            "master": CLIENT_TYPE_MASTER}.get(name, -1)


def getClientTypeName(t):
    return {CLIENT_TYPE_NORMAL: "normal", CLIENT_TYPE_SLAVE: "slave",
            CLIENT_TYPE_PUBSUB: "pubsub", CLIENT_TYPE_MASTER: "master"}.get(t)


def checkClientOutputBufferLimits(c):
    """Is the client over its class's hard limit, or the soft one for too long?"""
    cls = getClientType(c)
    if cls == CLIENT_TYPE_MASTER:
        cls = CLIENT_TYPE_NORMAL
    limits = server.client_obuf_limits[cls]
    used = getClientOutputBufferMemoryUsage(c)
    hard = limits.hard_limit_bytes and used >= limits.hard_limit_bytes
    soft = limits.soft_limit_bytes and used >= limits.soft_limit_bytes
    if soft:
        if c.obuf_soft_limit_reached_time == 0:
            c.obuf_soft_limit_reached_time = server.unixtime
            soft = False
        else:
            elapsed = server.unixtime - c.obuf_soft_limit_reached_time
            if elapsed <= limits.soft_limit_seconds:
                soft = False
    else:
        c.obuf_soft_limit_reached_time = 0
    return bool(hard or soft)


def closeClientOnOutputBufferLimitReached(c, async_):
    """Close a client whose output passed its limits (closeClientOnOutputBufferLimitReached)."""
    if c.conn is None or c.reply_bytes == 0 or c.flags & CLIENT_CLOSE_ASAP:
        return 0
    if checkClientOutputBufferLimits(c):
        serverLog(LL_WARNING, "Client %s scheduled to be closed ASAP for overcoming of output "
                  "buffer limits.", catClientInfoString(c))
        server.stat_client_outbuf_limit_disconnections += 1
        if async_:
            freeClientAsync(c)
        else:
            freeClient(c)
        return 1
    return 0


# ---------------------------------------------------------------------------
# Client introspection
# ---------------------------------------------------------------------------
def getClientPeerId(c):
    """ip:port of the peer, cached (getClientPeerId)."""
    if c.peerid is None:
        if c.conn is None:
            return ""
        ip, port = connPeerToString(c.conn)
        c.peerid = anetFormatAddr(ip, port)
    return c.peerid


def getClientSockname(c):
    if c.sockname is None:
        if c.conn is None:
            return ""
        ip, port = connSockName(c.conn)
        c.sockname = anetFormatAddr(ip, port)
    return c.sockname


def getClientMemoryUsage(c):
    """(total, output) bytes a client holds, for CLIENT LIST and INFO (getClientMemoryUsage)."""
    obuf = c.reply_bytes
    total = obuf + len(c.querybuf) + sum(map(len, c.argv)) + c.mstate.argv_len_sums + \
        len(c.buf) + 1024
    return total, obuf


def catClientInfoString(c):
    """One CLIENT LIST line for this client (catClientInfoString)."""
    flags = ""
    f = c.flags
    if f & CLIENT_SLAVE:
        flags += "O" if f & CLIENT_MONITOR else "S"
    if f & CLIENT_MASTER:
        flags += "M"
    if f & CLIENT_PUBSUB:
        flags += "P"
    if f & CLIENT_MULTI:
        flags += "x"
    if f & CLIENT_BLOCKED:
        flags += "b"
    if f & CLIENT_TRACKING:
        flags += "t"
    if f & CLIENT_TRACKING_BROKEN_REDIR:
        flags += "R"
    if f & CLIENT_TRACKING_BCAST:
        flags += "B"
    if f & CLIENT_DIRTY_CAS:
        flags += "d"
    if f & CLIENT_CLOSE_AFTER_REPLY:
        flags += "c"
    if f & CLIENT_UNBLOCKED:
        flags += "u"
    if f & CLIENT_CLOSE_ASAP:
        flags += "A"
    if f & CLIENT_UNIX_SOCKET:
        flags += "U"
    if f & CLIENT_READONLY:
        flags += "r"
    if f & CLIENT_NO_EVICT:
        flags += "e"
    if not flags:
        flags = "N"
    events = ""
    if c.conn is not None:
        if connHasReadHandler(c.conn):
            events += "r"
        if connHasWriteHandler(c.conn):
            events += "w"
    total_mem, obufmem = getClientMemoryUsage(c)
    name = c.name.decode("utf-8", "surrogateescape") if c.name else ""
    return ("id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d "
            "ssub=%d multi=%d qbuf=%d qbuf-free=%d argv-mem=%d multi-mem=%d rbs=%d rbp=%d obl=%d "
            "oll=%d omem=%d tot-mem=%d events=%s cmd=%s user=%s redir=%d resp=%d") % (
        c.id, getClientPeerId(c), getClientSockname(c), c.conn.fd if c.conn else -1, name,
        server.unixtime - c.ctime, server.unixtime - c.lastinteraction, flags, c.db.id,
        len(c.pubsub_channels), len(c.pubsub_patterns), len(c.pubsubshard_channels),
        c.mstate.count if f & CLIENT_MULTI else -1, len(c.querybuf), 0, sum(map(len, c.argv)),
        c.mstate.argv_len_sums, PROTO_REPLY_CHUNK_BYTES, c.buf_peak, len(c.buf), len(c.reply),
        obufmem, total_mem, events, c.lastcmd.fullname if c.lastcmd else "NULL", "default",
        c.client_tracking_redirection if f & CLIENT_TRACKING else -1, c.resp)


def getAllClientsInfoString(type_):
    """CLIENT LIST's text for all clients, or those of one type (getAllClientsInfoString)."""
    out = []
    for c in list(server.clients.values()):
        if type_ != -1 and getClientType(c) != type_:
            continue
        out.append(catClientInfoString(c) + "\n")
    return "".join(out)


def lookupClientByID(id):
    return server.clients.get(id)


def validateClientName(name):
    """Names may not hold spaces or control characters (validateClientName)."""
    return all(33 <= ch <= 126 for ch in name)


def clientSetNameOrReply(c, name):
    """Set the connection name for CLIENT SETNAME / HELLO SETNAME (clientSetNameOrReply)."""
    if not name:
        c.name = None
        return C_OK
    if not validateClientName(name):
        addReplyError(c, "Client names cannot contain spaces, newlines or special characters.")
        return C_ERR
    c.name = name
    return C_OK


def authRequired(c):
    """Must this client authenticate before anything else (authRequired)?"""
    return bool(server.requirepass) and not c.authenticated


# ---------------------------------------------------------------------------
# Commands implemented in networking.c
# ---------------------------------------------------------------------------
CLIENT_HELP = [
    "CACHING (YES|NO)",
    "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
    "GETREDIR",
    "    Return the client ID we are redirecting to when tracking is enabled.",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Unblock the specified blocked client.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Control server assisted client side caching.",
    "TRACKINGINFO",
    "    Report tracking status for the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
]


def clientCommand(c):
    """CLIENT and its subcommands (clientCommand)."""
    argv = c.argv
    argc = len(argv)
    sub = argv[1].lower()
    if argc == 2 and sub == b"help":
        addReplyHelp(c, CLIENT_HELP)
    elif sub == b"id" and argc == 2:
        addReplyLongLong(c, c.id)
    elif sub == b"info" and argc == 2:
        addReplyVerbatim(c, catClientInfoString(c) + "\n", "txt")
    elif sub == b"list":
        type_ = -1
        o = None
        if argc == 4 and c_string(argv[2]).lower() == b"type":
            type_ = getClientTypeByName(argstr(argv[3]))
            if type_ == -1:
                addReplyErrorFormat(c, "Unknown client type '%s'", cstrarg(argv[3]))
                return
        elif argc > 3 and c_string(argv[2]).lower() == b"id":
            o = []
            for a in argv[3:]:
                cid = getLongLongFromObjectOrReply(c, a, "Invalid client ID")
                if cid is None:
                    return
                cl = lookupClientByID(cid)
                if cl is not None:
                    o.append(catClientInfoString(cl) + "\n")
            o = "".join(o)
        elif argc != 2:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        if o is None:
            o = getAllClientsInfoString(type_)
        addReplyVerbatim(c, o, "txt")
    elif sub == b"reply" and argc == 3:
        mode = c_string(argv[2]).lower()
        if mode == b"on":
            c.flags &= ~(CLIENT_REPLY_SKIP | CLIENT_REPLY_OFF)
            addReply(c, shared.ok)
        elif mode == b"off":
            c.flags |= CLIENT_REPLY_OFF
        elif mode == b"skip":
            if not (c.flags & CLIENT_REPLY_OFF):
                c.flags |= CLIENT_REPLY_SKIP_NEXT
        else:
            addReplyErrorObject(c, shared.syntaxerr)
    elif sub == b"no-evict" and argc == 3:
        mode = c_string(argv[2]).lower()
        if mode == b"on":
            c.flags |= CLIENT_NO_EVICT
            addReply(c, shared.ok)
        elif mode == b"off":
            c.flags &= ~CLIENT_NO_EVICT
            addReply(c, shared.ok)
        else:
            addReplyErrorObject(c, shared.syntaxerr)
    elif sub == b"kill":
        clientKillCommand(c)
    elif sub == b"unblock" and (argc == 3 or argc == 4):
        clientUnblockCommand(c)
    elif sub == b"setname" and argc == 3:
        if clientSetNameOrReply(c, argv[2]) == C_OK:
            addReply(c, shared.ok)
    elif sub == b"getname" and argc == 2:
        if c.name:
            addReplyBulkCBuffer(c, c.name)
        else:
            addReplyNull(c)
    elif sub == b"unpause" and argc == 2:
        unpauseClients()
        addReply(c, shared.ok)
    elif sub == b"pause" and (argc == 3 or argc == 4):
        pause_type = CLIENT_PAUSE_ALL
        if argc == 4:
            mode = c_string(argv[3]).lower()
            if mode == b"write":
                pause_type = CLIENT_PAUSE_WRITE
            elif mode != b"all":
                addReplyError(c, "CLIENT PAUSE mode must be WRITE or ALL")
                return
        end = getTimeoutFromObjectOrReply(c, argv[2], UNIT_MILLISECONDS)
        if end is None:
            return
        pauseClients(end, pause_type)
        addReply(c, shared.ok)
    elif sub == b"tracking" and argc >= 3:
        clientTrackingCommand(c)
    elif sub == b"caching" and argc >= 3:
        clientCachingCommand(c)
    elif sub == b"trackinginfo" and argc == 2:
        clientTrackingInfo(c)
    elif sub == b"getredir" and argc == 2:
        addReplyLongLong(c, c.client_tracking_redirection if c.flags & CLIENT_TRACKING else -1)
    else:
        addReplySubcommandSyntaxError(c)


def clientTrackingCommand(c):
    """CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP] (clientCommand).

    Every option is parsed (and REDIRECT's client looked up) before ON or
    OFF is even read, then the combination is checked against itself and
    against the client's current mode, in Redis's order, which decides the
    error a client sees when several apply.
    """
    # tracking.py can only be loaded once db.py is (it uses its key
    # extraction), which is after this module: import it where it is used,
    # off the path of ordinary commands.
    from .tracking import (
        checkPrefixCollisionsOrReply, disableTracking, enableTracking,
    )
    argv = c.argv
    argc = len(argv)
    redir = 0
    options = 0
    prefixes = []
    j = 3
    while j < argc:
        moreargs = argc - 1 - j
        opt = c_string(argv[j]).lower()
        if opt == b"redirect" and moreargs:
            j += 1
            if redir != 0:
                addReplyError(c, "A client can only redirect to a single other client")
                return
            redir = getLongLongFromObjectOrReply(c, argv[j], None)
            if redir is None:
                return
            # The target must exist now; it may go away later, which the
            # messages then report (tracking-redir-broken).
            if lookupClientByID(redir) is None:
                addReplyError(c, "The client ID you want redirect to does not exist")
                return
        elif opt == b"bcast":
            options |= CLIENT_TRACKING_BCAST
        elif opt == b"optin":
            options |= CLIENT_TRACKING_OPTIN
        elif opt == b"optout":
            options |= CLIENT_TRACKING_OPTOUT
        elif opt == b"noloop":
            options |= CLIENT_TRACKING_NOLOOP
        elif opt == b"prefix" and moreargs:
            j += 1
            prefixes.append(argv[j])
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        j += 1

    mode = c_string(argv[2]).lower()
    if mode == b"on":
        if not (options & CLIENT_TRACKING_BCAST) and prefixes:
            addReplyError(c, "PREFIX option requires BCAST mode to be enabled")
            return
        if c.flags & CLIENT_TRACKING:
            if bool(c.flags & CLIENT_TRACKING_BCAST) != bool(options & CLIENT_TRACKING_BCAST):
                addReplyError(c, "You can't switch BCAST mode on/off before disabling tracking "
                              "for this client, and then re-enabling it with a different mode.")
                return
        if options & CLIENT_TRACKING_BCAST and \
                options & (CLIENT_TRACKING_OPTIN | CLIENT_TRACKING_OPTOUT):
            addReplyError(c, "OPTIN and OPTOUT are not compatible with BCAST")
            return
        if options & CLIENT_TRACKING_OPTIN and options & CLIENT_TRACKING_OPTOUT:
            addReplyError(c, "You can't specify both OPTIN mode and OPTOUT mode")
            return
        if (options & CLIENT_TRACKING_OPTIN and c.flags & CLIENT_TRACKING_OPTOUT) or \
                (options & CLIENT_TRACKING_OPTOUT and c.flags & CLIENT_TRACKING_OPTIN):
            addReplyError(c, "You can't switch OPTIN/OPTOUT mode before disabling tracking for "
                          "this client, and then re-enabling it with a different mode.")
            return
        if options & CLIENT_TRACKING_BCAST:
            if not checkPrefixCollisionsOrReply(c, prefixes):
                return
        enableTracking(c, redir, options, prefixes)
    elif mode == b"off":
        disableTracking(c)
    else:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    addReply(c, shared.ok)


def clientCachingCommand(c):
    """CLIENT CACHING yes|no: the next command's keys are (not) tracked (clientCommand)."""
    if not c.flags & CLIENT_TRACKING:
        addReplyError(c, "CLIENT CACHING can be called only when the client is in tracking mode "
                      "with OPTIN or OPTOUT mode enabled")
        return
    opt = c_string(c.argv[2]).lower()
    if opt == b"yes":
        if not c.flags & CLIENT_TRACKING_OPTIN:
            addReplyError(c, "CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
            return
    elif opt == b"no":
        if not c.flags & CLIENT_TRACKING_OPTOUT:
            addReplyError(c, "CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
            return
    else:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    c.flags |= CLIENT_TRACKING_CACHING
    addReply(c, shared.ok)


def clientTrackingInfo(c):
    """CLIENT TRACKINGINFO: flags, redirect and prefixes as a map (clientCommand)."""
    f = c.flags
    flags = [b"on" if f & CLIENT_TRACKING else b"off"]
    if f & CLIENT_TRACKING_BCAST:
        flags.append(b"bcast")
    if f & CLIENT_TRACKING_OPTIN:
        flags.append(b"optin")
        if f & CLIENT_TRACKING_CACHING:
            flags.append(b"caching-yes")
    if f & CLIENT_TRACKING_OPTOUT:
        flags.append(b"optout")
        if f & CLIENT_TRACKING_CACHING:
            flags.append(b"caching-no")
    if f & CLIENT_TRACKING_NOLOOP:
        flags.append(b"noloop")
    if f & CLIENT_TRACKING_BROKEN_REDIR:
        flags.append(b"broken_redirect")
    addReplyMapLen(c, 3)
    addReplyBulkCString(c, "flags")
    addReplySetLen(c, len(flags))
    for name in flags:
        addReplyBulkCBuffer(c, name)
    addReplyBulkCString(c, "redirect")
    addReplyLongLong(c, c.client_tracking_redirection if f & CLIENT_TRACKING else -1)
    addReplyBulkCString(c, "prefixes")
    prefixes = c.client_tracking_prefixes or ()
    addReplyArrayLen(c, len(prefixes))
    for p in sorted(prefixes):      # a rax iterates in byte order
        addReplyBulkCBuffer(c, p)


def clientUnblockCommand(c):
    """CLIENT UNBLOCK id [TIMEOUT|ERROR]: wake a blocked client.

    The reason is checked before the id, as Redis does. Clients parked by
    CLIENT PAUSE or SHUTDOWN are not blocked on anything a timeout could
    answer, so they are left alone (0).
    """
    unblock_error = False
    if len(c.argv) == 4:
        mode = c_string(c.argv[3]).lower()
        if mode == b"timeout":
            unblock_error = False
        elif mode == b"error":
            unblock_error = True
        else:
            addReplyError(c, "CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
            return
    id = getLongLongFromObjectOrReply(c, c.argv[2], None)
    if id is None:
        return
    target = lookupClientByID(id)
    if target is not None and target.flags & CLIENT_BLOCKED and \
            target.btype not in (BLOCKED_NONE, BLOCKED_POSTPONE, BLOCKED_SHUTDOWN):
        from .blocked import replyToBlockedClientTimedOut, unblockClient, updateStatsOnUnblock
        if unblock_error:
            addReplyError(target, "-UNBLOCKED client unblocked via CLIENT UNBLOCK")
        else:
            replyToBlockedClientTimedOut(target)
        updateStatsOnUnblock(target, 0, 0, unblock_error)
        unblockClient(target)
        addReply(c, shared.cone)
    else:
        addReply(c, shared.czero)


def clientKillCommand(c):
    """CLIENT KILL, old form (addr) and new form (filters)."""
    argv = c.argv
    argc = len(argv)
    addr = laddr = None
    user = None
    type_ = -1
    id = 0
    skipme = True
    if argc == 3:
        addr = argstr(c_string(argv[2]))
        skipme = False
    elif argc > 3:
        i = 2
        while i < argc:
            moreargs = argc > i + 1
            opt = c_string(argv[i]).lower()
            if opt == b"id" and moreargs:
                tmp = getLongLongFromObjectOrReply(c, argv[i + 1], "client-id should be greater than 0")
                if tmp is None:
                    return
                if tmp <= 0:
                    addReplyError(c, "client-id should be greater than 0")
                    return
                id = tmp
            elif opt == b"type" and moreargs:
                type_ = getClientTypeByName(argstr(argv[i + 1]))
                if type_ == -1:
                    addReplyErrorFormat(c, "Unknown client type '%s'", cstrarg(argv[i + 1]))
                    return
            elif opt == b"addr" and moreargs:
                addr = argstr(c_string(argv[i + 1]))
            elif opt == b"laddr" and moreargs:
                laddr = argstr(c_string(argv[i + 1]))
            elif opt == b"user" and moreargs:
                user = argstr(argv[i + 1])
                if user != "default":
                    addReplyErrorFormat(c, "No such user '%s'", user)
                    return
            elif opt == b"skipme" and moreargs:
                v = c_string(argv[i + 1]).lower()
                if v == b"yes":
                    skipme = True
                elif v == b"no":
                    skipme = False
                else:
                    addReplyErrorObject(c, shared.syntaxerr)
                    return
            else:
                addReplyErrorObject(c, shared.syntaxerr)
                return
            i += 2
    else:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    killed = 0
    close_this_client = False
    for client_ in list(server.clients.values()):
        # strcmp on C strings; an empty ADDR matches no client, as in Redis.
        if addr is not None and getClientPeerId(client_) != addr:
            continue
        if laddr is not None and getClientSockname(client_) != laddr:
            continue
        if type_ != -1 and getClientType(client_) != type_:
            continue
        if id != 0 and client_.id != id:
            continue
        if c is client_ and skipme:
            continue
        if c is client_:
            close_this_client = True
        else:
            freeClientAsync(client_)
        killed += 1
    if argc == 3:
        if killed == 0:
            addReplyError(c, "No such client")
        else:
            addReply(c, shared.ok)
    else:
        addReplyLongLong(c, killed)
    if close_this_client:
        c.flags |= CLIENT_CLOSE_AFTER_REPLY


def pauseClients(end, type_):
    """Pause clients until `end` (ms) (pauseClients); CLIENT PAUSE."""
    if type_ > server.client_pause_type or end > server.client_pause_end_time:
        server.client_pause_type = max(server.client_pause_type, type_)
        server.client_pause_end_time = max(server.client_pause_end_time, end)


def unpauseClients():
    """End a client pause and let the paused clients run (unpauseClients)."""
    server.client_pause_type = CLIENT_PAUSE_OFF
    server.client_pause_end_time = 0
    from .blocked import unblockClient
    for c in list(server.paused_clients):
        unblockClient(c)


def checkClientPauseTimeoutAndReturnIfPaused():
    """Unpause when the pause timed out; True while still paused."""
    if server.client_pause_type == CLIENT_PAUSE_OFF:
        return False
    if server.client_pause_end_time < server.mstime:
        unpauseClients()
    return server.client_pause_type != CLIENT_PAUSE_OFF


def redactClientCommandArgument(c, i):
    """Hide argument i from MONITOR and the slow log (redactClientCommandArgument).

    Those show c.original_argv when set, so the secret is replaced there;
    c.argv keeps the real value for the command itself.
    """
    if c.original_argv is None:
        c.original_argv = list(c.argv)
    c.original_argv[i] = b"(redacted)"


def helloCommand(c):
    """HELLO [protover [AUTH user pass] [SETNAME name]] (helloCommand)."""
    from .server import addReplyHelloMap
    argv = c.argv
    ver = 0
    nextarg = 1
    if len(argv) >= 2:
        v = string2ll(argv[1])
        if v is None:
            addReplyError(c, "Protocol version is not an integer or out of range")
            return
        ver = v
        nextarg += 1
        if ver < 2 or ver > 3:
            addReplyError(c, "-NOPROTO unsupported protocol version")
            return
    j = nextarg
    setname = None
    while j < len(argv):
        moreargs = len(argv) - 1 - j
        opt = c_string(argv[j]).lower()
        if opt == b"auth" and moreargs >= 2:
            redactClientCommandArgument(c, j + 1)
            redactClientCommandArgument(c, j + 2)
            username, password = argv[j + 1], argv[j + 2]
            from .server import checkPasswordAndAuthenticate
            if not checkPasswordAndAuthenticate(c, username, password):
                return
            j += 3
        elif opt == b"setname" and moreargs:
            setname = argv[j + 1]
            if not validateClientName(setname):
                addReplyError(c, "Client names cannot contain spaces, newlines or special characters.")
                return
            j += 2
        else:
            addReplyErrorFormat(c, "Syntax error in HELLO option '%s'", cstrarg(argv[j]))
            return
    if authRequired(c):
        addReplyError(c, "-NOAUTH HELLO must be called with the client already authenticated, "
                      "otherwise the HELLO AUTH <user> <pass> option can be used to "
                      "authenticate the client and select the RESP protocol version at the same time")
        return
    if setname is not None:
        clientSetNameOrReply(c, setname)
    if ver:
        c.resp = ver
    addReplyHelloMap(c)


def quitCommand(c):
    """QUIT: reply OK, then close after the reply is written (quitCommand)."""
    addReply(c, shared.ok)
    c.flags |= CLIENT_CLOSE_AFTER_REPLY


def resetCommand(c):
    """RESET: back to a fresh connection's state (resetCommand / clearClientConnectionState)."""
    for hook in server.reset_client_hooks:
        hook(c)
    if c.flags & CLIENT_TRACKING:
        from .tracking import disableTracking
        disableTracking(c)
    from .multi import discardTransaction
    from .pubsub import pubsub_free_client
    discardTransaction(c)
    pubsub_free_client(c)
    from .db import selectDb
    selectDb(c, 0)
    c.resp = 2
    c.name = None
    c.authenticated = 0 if server.requirepass else 1
    c.flags &= ~(CLIENT_ASKING | CLIENT_READONLY | CLIENT_PUBSUB | CLIENT_REPLY_OFF
                 | CLIENT_REPLY_SKIP_NEXT | CLIENT_NO_EVICT)
    addReplyStatus(c, "RESET")


def monitor_repr_args(argv):
    return " ".join(sdscatrepr(a).decode("latin-1") for a in argv)


def flushSlavesOutputBuffers():
    """Write what is pending to replicas before a blocking operation (flushSlavesOutputBuffers)."""
    for slave in server.slaves:
        if slave.conn is not None and clientHasPendingReplies(slave):
            writeToClient(slave, 0)
