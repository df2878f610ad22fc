#!/usr/bin/env python3
"""`make bench-floor`: how fast can *any* CPython Redis server be on this machine?

pyredis's speed targets are ratios to real Redis. This measures the ceiling
the interpreter itself puts on those ratios, so that a figure like "0.10x"
can be read as "a third of what the language allows" rather than only as
"ten times slower than C".

Two floors, each beside pyredis and real Redis in the same run:

1. The network floor. `serve()` below is the least a RESP server written in
   CPython can do per command: one recv per readable socket, the whole
   buffer cut with one bytes.split, each command dispatched through one dict
   lookup to a one-line handler on a plain dict/list, the replies joined and
   sent with one send. No command table, no arity or auth checks, no
   expiry, no stats, no memory accounting, no encodings, no error replies,
   no call path that a debugger could step through. redis-benchmark drives
   it exactly as it drives pyredis and redis-server.

2. The byte-loop floor for RDB. Saving a small hash means LZF-compressing
   its listpack; loading it means decompressing and walking the listpack.
   The least LZF compression can do per input byte is roll a three-byte
   hash, look it up and store the position. `byte_floor()` times exactly
   that loop over the listpack `utils/bench.py rdb` saves 100,000 times,
   next to pyredis's own lzf_compress / lzf_decompress.

Knobs: BENCH_N (pipelined requests, default 1000000), BENCH_N_UNPIPELINED
(default 200000), BENCH_FLOOR_TESTS (default "set,get,lpush,hset").
`python utils/bench_floor.py --serve PORT` runs the floor server alone.
"""

import os
import selectors
import shutil
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, Proc, fmt, free_port, redis_benchmark  # noqa: E402

N = int(os.environ.get("BENCH_N", "1000000"))
N_UNPIPELINED = int(os.environ.get("BENCH_N_UNPIPELINED", "200000"))
TESTS = os.environ.get("BENCH_FLOOR_TESTS", "set,get,lpush,hset")


def serve(port):
    """The floor server: RESP multibulk in, the handful of replies redis-benchmark checks out."""
    sel = selectors.DefaultSelector()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(511)
    ls.setblocking(False)
    sel.register(ls, selectors.EVENT_READ)
    store = {}
    pending = {}
    ok = b"+OK\r\n"

    def set_(a):
        store[a[1]] = a[2]
        return ok

    def get(a):
        v = store.get(a[1])
        return b"$-1\r\n" if v is None else b"$%d\r\n%s\r\n" % (len(v), v)

    def lpush(a):
        lst = store.get(a[1])
        if lst is None:
            lst = store[a[1]] = []
        lst.extend(a[2:])
        return b":%d\r\n" % len(lst)

    def hset(a):
        h = store.get(a[1])
        if h is None:
            h = store[a[1]] = {}
        n = len(h)
        h.update(zip(a[2::2], a[3::2]))
        return b":%d\r\n" % (len(h) - n)

    table = {b"SET": set_, b"GET": get, b"LPUSH": lpush, b"HSET": hset}
    # redis-benchmark asks for CONFIG GET save / appendonly before it starts.
    other = b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n"
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if s is ls:
                cs, _ = ls.accept()
                cs.setblocking(False)
                cs.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sel.register(cs, selectors.EVENT_READ)
                pending[cs] = b""
                continue
            try:
                data = s.recv(65536)
            except (BlockingIOError, ConnectionError):
                data = None
            if not data:
                if data is not None or s.fileno() < 0:
                    sel.unregister(s)
                    s.close()
                    del pending[s]
                continue
            qb = pending[s] + data
            toks = qb.split(b"\r\n")
            ntoks = len(toks) - 1
            i = used = 0
            out = []
            while i < ntoks:
                end = i + 1 + 2 * int(toks[i][1:])
                if end > ntoks:
                    break
                argv = toks[i + 2:end:2]
                used += len(b"\r\n".join(toks[i:end])) + 2
                proc = table.get(argv[0].upper())
                out.append(proc(argv) if proc else other)
                i = end
            pending[s] = qb[used:]
            s.setblocking(True)
            s.sendall(b"".join(out))
            s.setblocking(False)


class FloorProc(Proc):
    """The floor server as a child process, started and stopped like bench.Proc."""

    def __init__(self):
        self.kind = "floor"
        self.port = free_port()
        self.dir = None
        t0 = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--serve",
                                      str(self.port)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.startup = self._wait_ping(t0)

    def _wait_ping(self, t0):
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return time.monotonic() - t0
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("floor server exited")
                time.sleep(0.005)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def network_floor():
    kinds = ["pyredis", "floor"] + (["redis"] if shutil.which("redis-server") else [])
    rows = {}
    for label, n, pipeline, tests in (("-P 16", N, 16, TESTS),
                                      ("unpipelined", N_UNPIPELINED, 1, "set,get")):
        for kind in kinds:
            p = FloorProc() if kind == "floor" else Proc(kind)
            try:
                for test, v in redis_benchmark(p.port, tests, n, pipeline).items():
                    rows.setdefault((label, test), {})[kind] = v
            finally:
                p.stop()
    print("%-12s %-6s %10s %10s %10s %11s %11s %11s" % (
        "mode", "test", "pyredis", "floor", "redis", "floor/redis", "ours/redis", "ours/floor"))
    for (label, test), r in rows.items():
        ours, floor, theirs = r.get("pyredis"), r.get("floor"), r.get("redis")

        def ratio(a, b):
            return "%10.2fx" % (a / b) if a and b else "%11s" % "-"
        print("%-12s %-6s %s %s %s %s %s %s" % (label, test, fmt(ours), fmt(floor), fmt(theirs),
                                                 ratio(floor, theirs), ratio(ours, theirs),
                                                 ratio(ours, floor)))


def _best(fn, reps):
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        best = min(best, (time.perf_counter() - t0) / reps)
    return best


def byte_floor():
    sys.path.insert(0, ROOT)
    from pyredis.listpack import lpEncode
    from pyredis.lzf import lzf_compress, lzf_decompress
    entries = []
    for i in range(10):          # the hash utils/bench.py rdb saves 100,000 times
        entries += [b"field:%d" % i, b"value:%010d" % i]
    blob = lpEncode(entries)
    packed = lzf_compress(blob)

    def compress_floor():
        table = {}
        h = (blob[0] << 8) | blob[1]
        for i in range(len(blob) - 2):
            h = ((h << 8) | blob[i + 2]) & 0xffffff
            table.get(h)
            table[h] = i

    def walk_floor():
        # Decompression must at least visit every control byte of the input.
        i, n = 0, len(packed)
        while i < n:
            ctrl = packed[i]
            i += ctrl + 2 if ctrl < 32 else (3 if ctrl >> 5 == 7 else 2)

    print("\nper 10-field hash listpack (%d bytes, %d compressed), x100,000 hashes:"
          % (len(blob), len(packed)))
    for label, fn in (("LZF compress floor loop", compress_floor),
                      ("pyredis lzf_compress", lambda: lzf_compress(blob)),
                      ("LZF decompress floor walk", walk_floor),
                      ("pyredis lzf_decompress", lambda: lzf_decompress(packed, len(blob)))):
        t = _best(fn, 2000)
        print("  %-28s %7.1f us   %6.2f s" % (label, t * 1e6, t * 1e5))


def main():
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]))
        return 0
    if not shutil.which("redis-benchmark"):
        print("redis-benchmark not found: apt-get install redis-tools")
        return 1
    network_floor()
    byte_floor()
    return 0


if __name__ == "__main__":
    sys.exit(main())
