"""Basic TCP socket helpers: our anet.c.

Thin wrappers over the socket module, kept as a module of their own so the
layering of Redis stays visible: anet knows sockets, connection.py knows
connections (state + handlers), networking.py knows clients.
"""

import errno
import socket

ANET_OK = 0
ANET_ERR = -1


def anetTcpServer(port, bindaddr, backlog):
    """Create a listening TCP socket on bindaddr:port (anetTcpServer / anetTcp6Server).

    Returns the socket object, or raises OSError with the reason. IPv6
    addresses are told apart by a ':' in them, as Redis does.
    """
    family = socket.AF_INET6 if bindaddr and ":" in bindaddr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    try:
        # SO_REUSEADDR so a restart does not wait for TIME_WAIT to clear
        # (anetSetReuseAddr).
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((bindaddr, port))
        s.listen(backlog)
        s.setblocking(False)
    except OSError:
        s.close()
        raise
    return s


def anetNonBlock(sock):
    """Put the socket in non-blocking mode (anetNonBlock)."""
    sock.setblocking(False)
    return ANET_OK


def anetEnableTcpNoDelay(sock):
    """Disable Nagle (anetEnableTcpNoDelay): replies are small and latency-bound."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        return ANET_ERR
    return ANET_OK


def anetKeepAlive(sock, interval):
    """Turn on TCP keepalive with `interval` seconds (anetKeepAlive)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if hasattr(socket, "TCP_KEEPIDLE"):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, interval)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, max(1, interval // 3))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    except OSError:
        return ANET_ERR
    return ANET_OK


def anetTcpAccept(sock):
    """Accept one connection; returns (socket, ip, port) or None on EAGAIN (anetTcpAccept)."""
    try:
        cs, addr = sock.accept()
    except BlockingIOError:
        return None
    except OSError as e:
        if e.errno in (errno.EINTR, errno.ECONNABORTED):
            return None
        raise
    return cs, addr[0], addr[1]


def anetFormatAddr(ip, port):
    """Format ip:port the way Redis prints addresses (anetFormatAddr): [ip]:port for IPv6."""
    if ":" in ip:
        return "[%s]:%d" % (ip, port)
    return "%s:%d" % (ip, port)


def anetFdToString(sock, remote):
    """Return (ip, port) of the peer (remote=True) or of the local end (anetFdToString)."""
    try:
        addr = sock.getpeername() if remote else sock.getsockname()
    except OSError:
        return ("?", 0)
    if isinstance(addr, str):      # unix socket
        return (addr, 0)
    return (addr[0], addr[1])


def anetIsLoopback(ip):
    """Is `ip` a loopback address? (what protected mode lets through)."""
    return ip.startswith("127.") or ip == "::1" or ip.startswith("::ffff:127.")


def anetTcpNonBlockConnect(addr, port):
    """Start a non-blocking TCP connect to addr:port (anetTcpNonBlockConnect).

    Returns the socket, its connect() in progress (EINPROGRESS), or raises
    OSError when the name does not resolve or the connect fails at once.
    Every address getaddrinfo gives is tried in turn, as anetTcpGenericConnect
    does, so "localhost" works whether it resolves to ::1 or 127.0.0.1.
    """
    last = None
    for family, type_, proto, _name, sa in socket.getaddrinfo(addr, port, 0, socket.SOCK_STREAM):
        s = socket.socket(family, type_, proto)
        s.setblocking(False)
        try:
            s.connect(sa)
        except BlockingIOError:
            return s
        except OSError as e:
            if e.errno == errno.EINPROGRESS:
                return s
            s.close()
            last = e
            continue
        return s
    raise last if last is not None else OSError(errno.EHOSTUNREACH, "no address")
