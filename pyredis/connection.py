"""The connection abstraction: our connection.c and connhelpers.h.

A `connection` wraps a socket with a state and two handlers, so the client
code in networking.py never touches sockets or the event loop directly.
Redis keeps this layer so TLS (tls.c) can plug in behind the same calls;
we have only the plain socket type, but keep the layer because it is where
the stack goes `aeProcessEvents -> connSocketEventHandler -> callHandler ->
readQueryFromClient`, the path this project exists to show.

The reference count (`refs`) and CONN_FLAG_CLOSE_SCHEDULED make it safe for
a handler to close its own connection: while a handler runs, connClose only
schedules the close, and callHandler performs it when the handler returns.
"""

import errno

from . import ae
from .anet import anetEnableTcpNoDelay, anetFdToString, anetNonBlock
from .server_h import LL_WARNING

CONN_STATE_NONE = 0
CONN_STATE_CONNECTING = 1
CONN_STATE_ACCEPTING = 2
CONN_STATE_CONNECTED = 3
CONN_STATE_CLOSED = 4
CONN_STATE_ERROR = 5

CONN_FLAG_CLOSE_SCHEDULED = 1 << 0
CONN_FLAG_WRITE_BARRIER = 1 << 1

CONN_TYPE_SOCKET = 1


class connection:
    """A socket plus its state and handlers (C's struct connection)."""
    __slots__ = ("type", "state", "flags", "refs", "last_errno", "private_data",
                 "conn_handler", "write_handler", "read_handler", "fd", "sock", "el")

    def __init__(self, sock, el):
        self.type = CONN_TYPE_SOCKET
        self.state = CONN_STATE_NONE
        self.flags = 0
        self.refs = 0
        self.last_errno = 0
        self.private_data = None
        self.conn_handler = None
        self.write_handler = None
        self.read_handler = None
        self.sock = sock
        self.fd = sock.fileno() if sock is not None else -1
        self.el = el


def connCreateSocket(el):
    """A connection with no socket yet (connCreateSocket)."""
    conn = connection(None, el)
    return conn


def connCreateAcceptedSocket(el, sock):
    """Wrap a socket returned by accept() (connCreateAcceptedSocket)."""
    conn = connection(sock, el)
    conn.state = CONN_STATE_ACCEPTING
    anetNonBlock(sock)
    anetEnableTcpNoDelay(sock)
    return conn


def connIncrRefs(conn):
    conn.refs += 1


def connDecrRefs(conn):
    conn.refs -= 1


def connHasRefs(conn):
    return conn.refs


def callHandler(conn, handler):
    """Run a connection handler, then a close it scheduled (connhelpers.h's callHandler).

    Returns 0 when the connection was closed, so the caller must not touch
    it any more; 1 otherwise.
    """
    connIncrRefs(conn)
    if handler:
        try:
            handler(conn)
        except Exception:
            # A bug while serving one connection closes that connection
            # only; the event loop and every other client carry on.
            handlerRaised(conn)
    connDecrRefs(conn)
    if conn.flags & CONN_FLAG_CLOSE_SCHEDULED:
        if not connHasRefs(conn):
            connClose(conn)
        return 0
    return 1


def handlerRaised(conn):
    """Log a handler's exception and schedule the connection's client to be freed."""
    import traceback
    from .server import serverLog
    serverLog(LL_WARNING, "Internal error serving a connection, closing it: %s",
              traceback.format_exc().replace("\n", " | "))
    c = conn.private_data
    if c is not None:
        from .networking import freeClientAsync
        freeClientAsync(c)
    else:
        conn.flags |= CONN_FLAG_CLOSE_SCHEDULED


def connAccept(conn, accept_handler):
    """Finish accepting: mark connected and call the accept handler (connSocketAccept)."""
    if conn.state != CONN_STATE_ACCEPTING:
        return -1
    conn.state = CONN_STATE_CONNECTED
    if not callHandler(conn, accept_handler):
        return -1
    return 0


def connSetReadHandler(conn, func):
    """Install (or with None remove) the read handler (connSocketSetReadHandler)."""
    if func is conn.read_handler:
        return 0
    conn.read_handler = func
    if not func:
        ae.aeDeleteFileEvent(conn.el, conn.fd, ae.AE_READABLE)
    else:
        if ae.aeCreateFileEvent(conn.el, conn.fd, ae.AE_READABLE,
                                connSocketEventHandler, conn) == ae.AE_ERR:
            return -1
    return 0


def connSetWriteHandlerWithBarrier(conn, func, barrier):
    """Install (or remove) the write handler, optionally with AE_BARRIER."""
    if func is conn.write_handler:
        return 0
    conn.write_handler = func
    if barrier:
        conn.flags |= CONN_FLAG_WRITE_BARRIER
    else:
        conn.flags &= ~CONN_FLAG_WRITE_BARRIER
    if not func:
        ae.aeDeleteFileEvent(conn.el, conn.fd, ae.AE_WRITABLE)
    else:
        mask = ae.AE_WRITABLE
        if barrier:
            mask |= ae.AE_BARRIER
        if ae.aeCreateFileEvent(conn.el, conn.fd, mask, connSocketEventHandler, conn) == ae.AE_ERR:
            return -1
    return 0


def connSetWriteHandler(conn, func):
    """Install (or remove) the write handler (connSetWriteHandler)."""
    return connSetWriteHandlerWithBarrier(conn, func, 0)


def connHasWriteHandler(conn):
    return conn.write_handler is not None


def connHasReadHandler(conn):
    return conn.read_handler is not None


def connSetPrivateData(conn, data):
    conn.private_data = data


def connGetPrivateData(conn):
    return conn.private_data


def connGetState(conn):
    return conn.state


def connRead(conn, readlen):
    """Read up to `readlen` bytes (connSocketRead).

    Returns the bytes read; b"" when the peer closed; None when nothing is
    available now (EAGAIN). Errors mark the connection CONN_STATE_ERROR and
    return b"" after recording `last_errno`, so the caller frees the client.
    """
    try:
        data = conn.sock.recv(readlen)
    except BlockingIOError:
        return None
    except InterruptedError:
        return None
    except OSError as e:
        conn.last_errno = e.errno or errno.EIO
        conn.state = CONN_STATE_ERROR
        return b""
    if not data:
        conn.state = CONN_STATE_CLOSED
    return data


def connWrite(conn, data):
    """Write what the socket takes now; returns the byte count, or -1 (connSocketWrite)."""
    try:
        return conn.sock.send(data)
    except (BlockingIOError, InterruptedError):
        return 0
    except OSError as e:
        conn.last_errno = e.errno or errno.EIO
        conn.state = CONN_STATE_ERROR
        return -1


def connWritev(conn, buffers):
    """Gathering write of several buffers in one syscall (connSocketWritev)."""
    try:
        return conn.sock.sendmsg(buffers)
    except (BlockingIOError, InterruptedError):
        return 0
    except OSError as e:
        conn.last_errno = e.errno or errno.EIO
        conn.state = CONN_STATE_ERROR
        return -1


def connClose(conn):
    """Close the connection, or schedule it when a handler is running (connSocketClose)."""
    if conn.sock is not None and conn.fd != -1:
        ae.aeDeleteFileEvent(conn.el, conn.fd, ae.AE_READABLE | ae.AE_WRITABLE)
    # A handler up the stack still holds the connection: defer the close
    # until callHandler unwinds, so it never touches a closed socket.
    if connHasRefs(conn):
        conn.flags |= CONN_FLAG_CLOSE_SCHEDULED
        return
    if conn.sock is not None:
        try:
            conn.sock.close()
        except OSError:
            pass
        conn.sock = None
    conn.fd = -1
    conn.state = CONN_STATE_CLOSED


def connSocketEventHandler(el, fd, clientData, mask):
    """The one file-event handler of every socket connection (connSocketEventHandler).

    ae calls it for readable and writable events; it dispatches to the
    connection's read and write handlers through callHandler, honouring
    the write barrier the same way ae does.
    """
    conn = clientData
    if conn.state == CONN_STATE_CONNECTING and (mask & ae.AE_WRITABLE) and conn.conn_handler:
        conn.state = CONN_STATE_CONNECTED
        handler = conn.conn_handler
        conn.conn_handler = None
        if not callHandler(conn, handler):
            return
    invert = conn.flags & CONN_FLAG_WRITE_BARRIER
    call_write = (mask & ae.AE_WRITABLE) and conn.write_handler
    call_read = (mask & ae.AE_READABLE) and conn.read_handler
    if not invert and call_read:
        if not callHandler(conn, conn.read_handler):
            return
    if call_write:
        if not callHandler(conn, conn.write_handler):
            return
    if invert and call_read:
        if not callHandler(conn, conn.read_handler):
            return


def connPeerToString(conn):
    """Return (ip, port) of the peer (connPeerToString)."""
    return anetFdToString(conn.sock, True)


def connSockName(conn):
    """Return (ip, port) of our end (connSockName)."""
    return anetFdToString(conn.sock, False)


def connConnect(conn, addr, port, connect_handler):
    """Start a non-blocking connect; `connect_handler` runs when it completes or fails
    (connSocketConnect). Returns 0, or -1 with conn.last_errno set."""
    from .anet import anetTcpNonBlockConnect
    try:
        sock = anetTcpNonBlockConnect(addr, port)
    except OSError as e:
        conn.state = CONN_STATE_ERROR
        conn.last_errno = e.errno or errno.EHOSTUNREACH
        return -1
    conn.sock = sock
    conn.fd = sock.fileno()
    conn.state = CONN_STATE_CONNECTING
    conn.conn_handler = connect_handler
    ae.aeCreateFileEvent(conn.el, conn.fd, ae.AE_WRITABLE, _connConnectDone, conn)
    return 0


def _connConnectDone(el, fd, clientData, mask):
    """The writable event of a connect in progress: read SO_ERROR to learn how it ended,
    then let connSocketEventHandler call the connect handler (Python-only split of
    connSocketEventHandler's CONN_STATE_CONNECTING branch)."""
    import socket as _socket
    conn = clientData
    if conn.state == CONN_STATE_CONNECTING:
        err = conn.sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_ERROR)
        if err:
            conn.last_errno = err
            # The handler sees the error state and closes the connection.
            conn.state = CONN_STATE_ERROR
            ae.aeDeleteFileEvent(conn.el, conn.fd, ae.AE_WRITABLE)
            handler = conn.conn_handler
            conn.conn_handler = None
            callHandler(conn, handler)
            return
        anetEnableTcpNoDelay(conn.sock)
    # Leave only the handlers the connect handler installs: the writable
    # event was ours, registered for the connect alone.
    ae.aeDeleteFileEvent(conn.el, conn.fd, ae.AE_WRITABLE)
    connSocketEventHandler(el, fd, conn, ae.AE_WRITABLE)


def connGetLastError(conn):
    """The text of the connection's last error (connSocketGetLastError)."""
    import os
    return os.strerror(conn.last_errno) if conn.last_errno else "no error"


def connSyncWrite(conn, data, timeout_ms):
    """Write all of `data`, waiting at most `timeout_ms` for the socket (connSyncWrite,
    i.e. syncio.c's syncWrite). Returns the bytes written, or -1 on error or timeout."""
    import select
    import time as _time
    view = memoryview(data)
    deadline = _time.monotonic() + timeout_ms / 1000.0
    total = 0
    while view:
        try:
            n = conn.sock.send(view)
        except (BlockingIOError, InterruptedError):
            n = 0
        except OSError as e:
            conn.last_errno = e.errno or errno.EIO
            return -1
        total += n
        view = view[n:]
        if not view:
            break
        left = deadline - _time.monotonic()
        if left <= 0:
            conn.last_errno = errno.ETIMEDOUT
            return -1
        select.select([], [conn.sock], [], left)
    return total


def connSyncReadLine(conn, maxlen, timeout_ms):
    """Read one line ending in \\n, waiting at most `timeout_ms` (connSyncReadLine, i.e.
    syncio.c's syncReadLine). Reads byte by byte, as syncReadLine does, so nothing
    past the line is consumed: the RDB payload follows right after. Returns the
    line without its CR LF, or None on error or timeout."""
    import select
    import time as _time
    deadline = _time.monotonic() + timeout_ms / 1000.0
    line = bytearray()
    while len(line) < maxlen:
        try:
            ch = conn.sock.recv(1)
        except (BlockingIOError, InterruptedError):
            left = deadline - _time.monotonic()
            if left <= 0:
                conn.last_errno = errno.ETIMEDOUT
                return None
            select.select([conn.sock], [], [], left)
            continue
        except OSError as e:
            conn.last_errno = e.errno or errno.EIO
            return None
        if not ch:
            conn.last_errno = errno.ECONNRESET
            return None
        if ch == b"\n":
            if line and line[-1] == 13:
                del line[-1]
            return bytes(line)
        line += ch
    return bytes(line)
