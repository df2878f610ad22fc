#!/usr/bin/env python3
"""Sorted-set speed: pyredis beside a real redis-server, measured in one run.

1. redis-benchmark -t zadd,zpopmin -n N -c 50 -P 16 on both servers.
2. For one sorted set of 10k, 100k and 1M members (m<12 digits>, score 2i),
   redis-benchmark -c 50 -P 16 with random arguments (-r) for
   ZADD z <rand> x<rand>   (mostly new members),
   ZRANK z m<rand>,
   ZRANGEBYSCORE z <rand> +inf LIMIT 0 10,
   on both servers: requests/s and the ratio.  All three are O(log n)
   through the skiplist, so the rate should fall only slowly with n.
3. In-process, pyredis only: microseconds per call of the same three
   commands, calling the command functions directly (no sockets, no parser)
   so only the sorted-set code is timed; best of five rounds.

Knobs: BENCH_N (default 100000), BENCH_N_SIZED (default 20000),
BENCH_SIZES (default "10000,100000,1000000"), BENCH_OPS (in-process calls,
default 5000).
"""

import os
import shutil
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Proc, redis_benchmark  # noqa: E402

N = int(os.environ.get("BENCH_N", "100000"))
N_SIZED = int(os.environ.get("BENCH_N_SIZED", "20000"))
SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]
OPS = int(os.environ.get("BENCH_OPS", "5000"))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
            args += [b"%d" % (i * 2), b"m%012d" % i]
        conn.pipeline([encode(*args)])


def sized_benchmarks(port, size):
    """requests/s of ZADD/ZRANK/ZRANGEBYSCORE on a set of `size` members."""
    conn = Conn(port)
    conn.pipeline([encode("FLUSHALL")])
    fill(conn, size)
    conn.s.close()
    out = {}
    for name, r, args in (
            ("ZADD", 1000000000, ["ZADD", "z", "__rand_int__", "x__rand_int__"]),
            ("ZRANK", size, ["ZRANK", "z", "m__rand_int__"]),
            ("ZRANGEBYSCORE", size * 2,
             ["ZRANGEBYSCORE", "z", "__rand_int__", "+inf", "LIMIT", "0", "10"])):
        cmd = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-n", str(N_SIZED),
               "-c", "50", "-P", "16", "-r", str(r), "--csv"] + args
        text = subprocess.run(cmd, capture_output=True, text=True, timeout=3600).stdout
        for line in text.splitlines():
            parts = [p.strip('"') for p in line.split(",")]
            if len(parts) >= 2 and parts[0] != "test":
                out[name] = float(parts[1])
    return out


def in_process_costs(sizes):
    """Microseconds per call of the three commands, run in a child process
    that imports pyredis and calls the command functions on a fake client."""
    code = IN_PROCESS % {"sizes": sizes, "ops": OPS}
    env = dict(os.environ, PYTHONPATH=ROOT)
    text = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=3600).stdout
    return [line.split() for line in text.splitlines() if line.strip()]


IN_PROCESS = """
import gc, random, time
from pyredis.server_h import server, client
from pyredis.config import initConfigValues
initConfigValues()
from pyredis.db import initDatabases
initDatabases()
server.dup_object_hooks = {}
server.scan_item_hooks = {}
from pyredis import t_zset
gc.freeze()
c = client()
c.db = server.db[0]
def timeit(argvs, proc):
    # Best of 5 rounds: on a shared machine the minimum is the cost of the
    # code, the rest is other processes' time slices.
    best = None
    step = max(1, len(argvs) // 5)
    for r in range(0, len(argvs), step):
        chunk = argvs[r:r + step]
        t0 = time.perf_counter()
        for a in chunk:
            c.argv = a
            proc(c)
        t = (time.perf_counter() - t0) / len(chunk) * 1e6
        best = t if best is None else min(best, t)
    return best
for size in %(sizes)r:
    server.db[0].dict.clear()
    for start in range(0, size, 1000):
        argv = [b"ZADD", b"z"]
        for i in range(start, min(size, start + 1000)):
            argv += [b"%%d" %% (i * 2), b"m%%012d" %% i]
        c.argv = argv
        t_zset.zaddCommand(c)
    gc.freeze()
    rnd = random.Random(size)
    ops = %(ops)d
    adds = [[b"ZADD", b"z", b"%%d.5" %% rnd.randrange(size * 2), b"x%%d" %% i] for i in range(ops)]
    ranks = [[b"ZRANK", b"z", b"m%%012d" %% rnd.randrange(size)] for _ in range(ops)]
    ranges = [[b"ZRANGEBYSCORE", b"z", b"%%d" %% rnd.randrange(size * 2), b"+inf", b"LIMIT",
               b"0", b"10"] for _ in range(ops)]
    print(size, "%%.1f" %% timeit(adds, t_zset.zaddCommand),
          "%%.1f" %% timeit(ranks, t_zset.zrankCommand),
          "%%.1f" %% timeit(ranges, t_zset.zrangebyscoreCommand), flush=True)
"""


def main():
    if not shutil.which("redis-benchmark"):
        print("redis-benchmark not found: apt-get install redis-tools")
        return 1
    kinds = ["pyredis"] + (["redis"] if shutil.which("redis-server") else [])
    bench = {}
    sized = {}
    for kind in kinds:
        p = Proc(kind)
        try:
            bench[kind] = redis_benchmark(p.port, "set,zadd,zpopmin", N, 16)
            for size in SIZES:
                sized[(kind, size)] = sized_benchmarks(p.port, size)
        finally:
            p.stop()
    print("redis-benchmark -t set,zadd,zpopmin -n %d -c 50 -P 16 (SET for scale)" % N)
    print("%-14s %12s %12s %8s" % ("test", "pyredis", "redis", "ratio"))
    for test, v in bench["pyredis"].items():
        theirs = bench.get("redis", {}).get(test)
        ratio = "%7.2fx" % (v / theirs) if theirs else "-"
        print("%-14s %12.0f %12s %8s" % (test, v, "%.0f" % theirs if theirs else "-", ratio))
    print("\nrequests/s on one sorted set of n members (-n %d -c 50 -P 16 -r ...)" % N_SIZED)
    print("%-14s %-9s %12s %12s %8s" % ("test", "members", "pyredis", "redis", "ratio"))
    for test in ("ZADD", "ZRANK", "ZRANGEBYSCORE"):
        for size in SIZES:
            v = sized[("pyredis", size)].get(test, 0)
            theirs = sized.get(("redis", size), {}).get(test)
            ratio = "%7.2fx" % (v / theirs) if theirs and v else "-"
            print("%-14s %-9d %12.0f %12s %8s" % (test, size, v,
                                                  "%.0f" % theirs if theirs else "-", ratio))
    print("\npyredis in-process, microseconds per call")
    print("%-9s %10s %10s %15s" % ("members", "ZADD", "ZRANK", "ZRANGEBYSCORE"))
    for row in in_process_costs(SIZES):
        print("%-9s %10s %10s %15s" % tuple(row))
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--in-process"]:
        print("%-9s %10s %10s %15s" % ("members", "ZADD", "ZRANK", "ZRANGEBYSCORE"))
        for row in in_process_costs(SIZES):
            print("%-9s %10s %10s %15s" % tuple(row))
        sys.exit(0)
    sys.exit(main())
