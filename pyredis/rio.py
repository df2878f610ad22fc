"""Redis I/O: one stream interface over a file, a memory buffer or a set of fds (rio.c).

The RDB writer and loader never call write() or read() themselves; they call
rioWrite/rioRead on a `rio`, and the backend decides where the bytes go. That
is what lets one rdbSaveRio produce a dump.rdb (file backend), a DUMP payload
(buffer backend) or a diskless replication stream (fdset backend).

Deliberate difference from C, for speed: C updates the running CRC64 inside
every rioWrite (a few bytes at a time, which is cheap in C). A per-call
checksum update in Python would cost more than the whole save, so the file
and fdset backends collect writes in a pending bytearray and update the
checksum when that chunk is handed to the OS (every `RIO_CHUNK` bytes and on
rioFlush). A CRC is a stream function, so checksumming the same bytes in
bigger pieces gives the same value; `rio.cksum` is exact whenever the
pending chunk has been flushed, which rdbSaveRio does before reading it.
The buffer backend checksums at the end (rioBufferChecksum) for the same
reason.
"""

import gc
import os

from .crc64 import crc64, crc64_combine

RIO_FLAG_READ_ERROR = 1 << 0
RIO_FLAG_WRITE_ERROR = 1 << 1

# Writes are handed to the OS (and checksummed) in chunks of this size.
RIO_CHUNK = 1 << 22
REDIS_AUTOSYNC_BYTES = 1024 * 1024 * 4

RIO_BACKEND_BUFFER = 0
RIO_BACKEND_FILE = 1
RIO_BACKEND_FDSET = 2


class rio:
    """A stream (struct _rio): backend, checksum state, byte counters.

    `buf` is the pending output (file/fdset) or the whole buffer (buffer
    backend); `pos` is the read position for the buffer backend.
    """
    __slots__ = ("backend", "update_cksum", "cksum", "flags", "processed_bytes",
                 "max_processing_chunk", "buf", "pos", "fp", "buffered", "autosync",
                 "fds", "cksum_done", "deferred")

    def __init__(self, backend):
        self.backend = backend
        self.update_cksum = False
        self.cksum = 0
        self.flags = 0
        self.processed_bytes = 0
        self.max_processing_chunk = 0
        self.buf = bytearray()
        self.pos = 0
        self.fp = None
        self.buffered = 0
        self.autosync = 0
        self.fds = None
        self.cksum_done = 0   # how many bytes of the stream the checksum covers
        self.deferred = None  # chunks handed off but not yet checksummed (file backend)


def rioInitWithBuffer(s=b""):
    """A rio reading from / appending to a memory buffer (rioInitWithBuffer)."""
    r = rio(RIO_BACKEND_BUFFER)
    r.buf = bytearray(s)
    return r


def rioInitWithFile(fp):
    """A rio writing to an open binary file object (rioInitWithFile)."""
    r = rio(RIO_BACKEND_FILE)
    r.fp = fp
    return r


def rioInitWithFdset(fds):
    """A rio writing the same bytes to several fds, e.g. replica sockets (rioInitWithFdset)."""
    r = rio(RIO_BACKEND_FDSET)
    r.fds = list(fds)
    return r


def rioSetAutoSync(r, nbytes):
    """fsync the file every `nbytes` written, so the kernel never holds a huge dirty tail
    (rioSetAutoSync; rdb-save-incremental-fsync)."""
    r.autosync = nbytes


def _rio_hand_off(r):
    """Checksum the pending chunk and give it to the backend."""
    data = r.buf
    if not data:
        return True
    if r.update_cksum:
        if r.deferred is not None:
            r.deferred.append(bytes(data))
        else:
            r.cksum = crc64(r.cksum, data)
    try:
        if r.backend == RIO_BACKEND_FILE:
            r.fp.write(data)
            if r.autosync:
                r.buffered += len(data)
                if r.buffered >= r.autosync:
                    r.fp.flush()
                    os.fsync(r.fp.fileno())
                    r.buffered = 0
        else:
            for fd in r.fds:
                view = memoryview(data)
                while view:
                    n = os.write(fd, view)
                    view = view[n:]
    except OSError:
        r.flags |= RIO_FLAG_WRITE_ERROR
        return False
    r.buf = bytearray()
    return True


def rioWrite(r, data):
    """Append `data` to the stream; 1 on success, 0 on error (rioWrite)."""
    if r.flags & RIO_FLAG_WRITE_ERROR:
        return 0
    r.buf += data
    r.processed_bytes += len(data)
    if r.backend != RIO_BACKEND_BUFFER and len(r.buf) >= RIO_CHUNK:
        return 1 if _rio_hand_off(r) else 0
    return 1


def rioRead(r, n):
    """Read exactly `n` bytes (buffer backend), or None on a short read (rioRead)."""
    if r.flags & RIO_FLAG_READ_ERROR:
        return None
    p = r.pos
    if p + n > len(r.buf):
        r.flags |= RIO_FLAG_READ_ERROR
        return None
    r.pos = p + n
    r.processed_bytes += n
    return bytes(r.buf[p:p + n])


def rioWriteBulkCount(r, prefix, count):
    """Write "<prefix><count>\r\n", a RESP array or bulk header; its length, or 0 on
    error (rioWriteBulkCount). The AOF rewrite builds its commands from these."""
    data = b"%c%d\r\n" % (prefix, count)
    return len(data) if rioWrite(r, data) else 0


def rioWriteBulkString(r, buf):
    """Write `buf` as a RESP bulk string; bytes written, or 0 on error (rioWriteBulkString)."""
    data = b"$%d\r\n%s\r\n" % (len(buf), buf)
    return len(data) if rioWrite(r, data) else 0


def rioWriteBulkLongLong(r, value):
    """Write an integer as a bulk string of its decimal digits (rioWriteBulkLongLong)."""
    return rioWriteBulkString(r, b"%d" % value)


def rioWriteBulkDouble(r, d):
    """Write a double as a bulk string, printed as C's "%.17g" does (rioWriteBulkDouble):
    Python's %-formatting gives the same digits, and "inf"/"-inf" as glibc."""
    return rioWriteBulkString(r, b"%.17g" % d)


def rioTell(r):
    """Bytes read or written so far (rioTell)."""
    if r.backend == RIO_BACKEND_BUFFER and r.pos:
        return r.pos
    return r.processed_bytes


def rioFlush(r):
    """Push pending bytes to the backend; checksum them (rioFlush)."""
    if r.backend == RIO_BACKEND_BUFFER:
        return 1
    if not _rio_hand_off(r):
        return 0
    if r.backend == RIO_BACKEND_FILE:
        try:
            r.fp.flush()
        except OSError:
            r.flags |= RIO_FLAG_WRITE_ERROR
            return 0
    return 1


def rioChecksum(r):
    """The running checksum of everything written so far (reading `r->cksum` in C).

    For the file/fdset backends this hands off the pending chunk first; for
    the buffer backend it checksums the part of the buffer not yet covered.
    """
    if r.backend == RIO_BACKEND_BUFFER:
        if r.update_cksum and r.cksum_done < len(r.buf):
            r.cksum = crc64(r.cksum, memoryview(r.buf)[r.cksum_done:])
            r.cksum_done = len(r.buf)
        return r.cksum
    _rio_hand_off(r)
    if r.deferred:
        r.cksum = crc64_parallel(r.cksum, b"".join(r.deferred))
        r.deferred = []
    return r.cksum


def rioStartChecksum(r):
    """Checksum what is written from now on (C sets r->update_cksum): bytes
    already written, such as a $EOF: prefix, stay outside the checksum."""
    if r.backend == RIO_BACKEND_BUFFER:
        r.cksum_done = len(r.buf)
    else:
        _rio_hand_off(r)
    r.update_cksum = True


def rioDeferChecksum(r):
    """Checksum the whole stream at the end, on two cores, instead of chunk by
    chunk (Python-only; used by rdbSave, which has the file's bytes at hand)."""
    r.deferred = []


# Below this size a second process costs more than it saves.
CRC_PARALLEL_MIN = 1 << 22


def crc64_parallel(crc, data):
    """crc64(crc, data), with the second half computed by a forked helper.

    The CRC is the one part of writing an RDB that does not depend on the
    objects, so it can run beside the parent: the helper checksums
    data[half:] while we checksum data[:half], and crc64_combine joins them.
    """
    n = len(data)
    if n < CRC_PARALLEL_MIN or not hasattr(os, "fork"):
        return crc64(crc, data)
    half = n // 2
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(rfd)
            gc.disable()
            os.write(wfd, crc64(0, memoryview(data)[half:]).to_bytes(8, "little"))
        finally:
            os._exit(0)
    os.close(wfd)
    try:
        first = crc64(crc, memoryview(data)[:half])
        got = b""
        while len(got) < 8:
            chunk = os.read(rfd, 8 - len(got))
            if not chunk:
                break
            got += chunk
    finally:
        os.close(rfd)
        os.waitpid(pid, 0)
    if len(got) != 8:
        return crc64(crc, data)          # the helper died: do it here
    return crc64_combine(first, int.from_bytes(got, "little"), n - half)


def rioGetReadError(r):
    return (r.flags & RIO_FLAG_READ_ERROR) != 0


def rioGetWriteError(r):
    return (r.flags & RIO_FLAG_WRITE_ERROR) != 0


def rioClearErrors(r):
    r.flags &= ~(RIO_FLAG_READ_ERROR | RIO_FLAG_WRITE_ERROR)
