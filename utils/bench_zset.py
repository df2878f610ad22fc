#!/usr/bin/env python3
"""Sorted-set speed: pyredis beside a real redis-server, measured in one run.

1. redis-benchmark -t zadd,zpopmin -n N -c 50 -P 16 on both servers.
2. Per-call cost of ZADD (a new member), ZRANK and ZRANGEBYSCORE ... LIMIT 0 10
   on one sorted set of 10k, 100k and 1M members, over TCP with 100-command
   pipelines so the network round trip is amortised.  The cost should grow
   like log(n): the skiplist makes all three O(log n).

Knobs: BENCH_N (default 100000), BENCH_SIZES (default "10000,100000,1000000"),
BENCH_OPS (calls per measurement, default 2000).
"""

import os
import random
import shutil
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Proc, redis_benchmark  # noqa: E402

N = int(os.environ.get("BENCH_N", "100000"))
SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]
OPS = int(os.environ.get("BENCH_OPS", "2000"))


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """Pipelined raw RESP: send a batch, then read exactly that many replies."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(1 << 20)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _skip_reply(self):
        line = self._line()
        t = line[:1]
        if t == b"$":
            n = int(line[1:])
            if n >= 0:
                while len(self.buf) < n + 2:
                    self.buf += self.s.recv(1 << 20)
                self.buf = self.buf[n + 2:]
        elif t == b"*":
            for _ in range(max(0, int(line[1:]))):
                self._skip_reply()
        elif t == b"-":
            raise RuntimeError(line.decode())

    def pipeline(self, cmds):
        self.s.sendall(b"".join(cmds))
        for _ in cmds:
            self._skip_reply()


def fill(conn, size):
    batch = 1000
    for start in range(0, size, batch):
        args = [b"ZADD", b"z"]
        for i in range(start, min(size, start + batch)):
            args += [b"%d" % (i * 2), b"m%d" % i]
        conn.pipeline([encode(*args)])


def timed(conn, cmds):
    t0 = time.perf_counter()
    for i in range(0, len(cmds), 100):
        conn.pipeline(cmds[i:i + 100])
    return (time.perf_counter() - t0) / len(cmds) * 1e6


def per_call_costs(port, size):
    conn = Conn(port)
    conn.pipeline([encode("FLUSHALL")])
    fill(conn, size)
    rnd = random.Random(size)
    adds = [encode("ZADD", "z", rnd.randrange(size * 2) + 0.5, "new%d" % i) for i in range(OPS)]
    ranks = [encode("ZRANK", "z", "m%d" % rnd.randrange(size)) for _ in range(OPS)]
    ranges = [encode("ZRANGEBYSCORE", "z", s, "+inf", "LIMIT", 0, 10)
              for s in (rnd.randrange(size * 2) for _ in range(OPS))]
    res = (timed(conn, adds), timed(conn, ranks), timed(conn, ranges))
    conn.s.close()
    return res


def main():
    if not shutil.which("redis-benchmark"):
        print("redis-benchmark not found: apt-get install redis-tools")
        return 1
    kinds = ["pyredis"] + (["redis"] if shutil.which("redis-server") else [])
    bench = {}
    costs = {}
    for kind in kinds:
        p = Proc(kind)
        try:
            bench[kind] = redis_benchmark(p.port, "zadd,zpopmin", N, 16)
            for size in SIZES:
                costs[(kind, size)] = per_call_costs(p.port, size)
        finally:
            p.stop()
    print("redis-benchmark -t zadd,zpopmin -n %d -c 50 -P 16" % N)
    print("%-10s %12s %12s %8s" % ("test", "pyredis", "redis", "ratio"))
    for test, v in bench["pyredis"].items():
        theirs = bench.get("redis", {}).get(test)
        ratio = "%7.2fx" % (v / theirs) if theirs else "-"
        print("%-10s %12.0f %12s %8s" % (test, v, "%.0f" % theirs if theirs else "-", ratio))
    print("\nper call, microseconds (100-command pipelines)")
    print("%-8s %-9s %10s %10s %15s" % ("server", "members", "ZADD", "ZRANK", "ZRANGEBYSCORE"))
    for (kind, size), (a, r, g) in costs.items():
        print("%-8s %-9d %10.1f %10.1f %15.1f" % (kind, size, a, r, g))
    return 0


if __name__ == "__main__":
    sys.exit(main())
