#!/usr/bin/env python3
"""`make bench`: pyredis beside a real redis-server, measured in the same run.

For each workload, redis-benchmark runs against pyredis and, when
redis-server is installed, against real Redis started the same way, and the
table shows requests/s for both and the ratio. Then it loads 1,000,000 keys
`key:<10 digits>` -> `<10 digits>` into each and reports RSS, and measures
start-up to first PING.

Environment knobs (for a quick run): BENCH_N (pipelined requests, default
1000000), BENCH_N_UNPIPELINED (default 200000), BENCH_KEYS (default 1000000),
BENCH_TESTS (default "set,get,incr,mset"), BENCH_SKIP_MEMORY=1. After the
core figures it runs, unless skipped: the pub/sub and blocking figures
(utils/bench_events.py, BENCH_SKIP_EVENTS=1), the list/hash/set/sorted-set
tests (utils/bench_types.py, BENCH_SKIP_TYPES=1) and the RDB figures below
(BENCH_SKIP_RDB=1).

`python utils/bench.py rdb` (or BENCH_MODE=rdb) measures RDB persistence
instead: SAVE time and start-up load time ("DB loaded from disk") for
1,000,000 string keys and for 100,000 hashes of 10 fields, and whether
BGSAVE stalls the parent (the slowest PING while the child saves, and
pipelined GET throughput while it saves against without; BENCH_RDB_THROUGHPUT=0
skips that), for pyredis beside real Redis. BENCH_RDB_KEYS / BENCH_RDB_HASHES shrink it (0
skips that dataset); BENCH_RDB_ARGS passes options to both servers.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

N = int(os.environ.get("BENCH_N", "1000000"))
N_UNPIPELINED = int(os.environ.get("BENCH_N_UNPIPELINED", "200000"))
KEYS = int(os.environ.get("BENCH_KEYS", "1000000"))
TESTS = os.environ.get("BENCH_TESTS", "set,get,incr,mset")
EXTRA_ARGS = os.environ.get("BENCH_SERVER_ARGS", "").split()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    def __init__(self, kind, extra=()):
        self.kind = kind
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="bench-%s-" % kind)
        if kind == "pyredis":
            cmd = [sys.executable, "-m", "pyredis"]
        else:
            cmd = [shutil.which("redis-server")]
        cmd += ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self.dir] + list(extra)
        env = dict(os.environ, PYTHONPATH=ROOT)
        t0 = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     env=env)
        self.startup = self._wait_ping(t0)

    def _wait_ping(self, t0):
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return time.monotonic() - t0
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited" % self.kind)
            time.sleep(0.005)

    def rss(self):
        import psutil
        return psutil.Process(self.proc.pid).memory_info().rss

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def redis_benchmark(port, tests, n, pipeline, clients=50):
    """Run redis-benchmark --csv; return {test name: requests per second}."""
    cmd = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-t", tests, "-n", str(n),
           "-c", str(clients), "-P", str(pipeline), "--csv"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600).stdout
    res = {}
    for line in out.splitlines():
        parts = [p.strip('"') for p in line.split(",")]
        if len(parts) >= 2 and parts[0] != "test":
            try:
                res[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return res


def load_keys(port, count):
    """Load `count` keys key:<10 digits> -> <10 digits>, pipelined, and wait for the replies."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        batch = 1000
        for start in range(0, count, batch):
            end = min(count, start + batch)
            buf = b"".join(b"*3\r\n$3\r\nSET\r\n$14\r\nkey:%010d\r\n$10\r\n%010d\r\n" % (i, i)
                           for i in range(start, end))
            s.sendall(buf)
            want = (end - start) * 5
            got = 0
            while got < want:
                got += len(s.recv(1 << 16))


RDB_KEYS = int(os.environ.get("BENCH_RDB_KEYS", "1000000"))
RDB_HASHES = int(os.environ.get("BENCH_RDB_HASHES", "100000"))
RDB_ARGS = os.environ.get("BENCH_RDB_ARGS", "").split()   # e.g. "--rdbcompression no"


def _call(s, payload, nreplies):
    s.sendall(payload)
    buf = b""
    while buf.count(b"\r\n") < nreplies:
        buf += s.recv(1 << 16)
    return buf


def load_hashes(port, count, fields=10):
    """`count` hashes hash:<n> of `fields` fields, built with RESTORE of one
    DUMPed listpack hash so it works before HSET exists (the payload is made
    by pyredis.cluster.createDumpPayload, the same bytes Redis's DUMP gives)."""
    from pyredis.config import initConfigValues
    from pyredis.server_h import OBJ_ENCODING_LISTPACK, OBJ_HASH, redisObject, server
    if not hasattr(server, "rdb_compression"):
        initConfigValues()
    from pyredis.cluster import createDumpPayload
    h = {b"field:%d" % i: b"value:%010d" % i for i in range(fields)}
    payload = createDumpPayload(redisObject(OBJ_HASH, OBJ_ENCODING_LISTPACK, h), b"x", 0)
    with socket.create_connection(("127.0.0.1", port)) as s:
        batch = 1000
        for start in range(0, count, batch):
            end = min(count, start + batch)
            buf = b"".join(b"*4\r\n$7\r\nRESTORE\r\n$%d\r\n%s\r\n$1\r\n0\r\n$%d\r\n%s\r\n"
                           % (len(b"hash:%d" % i), b"hash:%d" % i, len(payload), payload)
                           for i in range(start, end))
            _call(s, buf, end - start)


def _timed(port, cmd):
    with socket.create_connection(("127.0.0.1", port)) as s:
        t0 = time.monotonic()
        reply = _call(s, cmd, 1)
        return time.monotonic() - t0, reply


def _loaded_seconds(proc):
    """The 'DB loaded from disk: X seconds' figure from the server's log."""
    import re
    with open(proc.logfile) as f:
        m = re.search(r"DB loaded from disk: ([0-9.]+) seconds", f.read())
    return float(m.group(1)) if m else None


class LoggedProc(Proc):
    """A Proc whose log goes to a file and which can be started on an existing dir."""

    def __init__(self, kind, dirname=None, extra=()):
        self.kind = kind
        self.port = free_port()
        self.dir = dirname or tempfile.mkdtemp(prefix="bench-%s-" % kind)
        self.logfile = os.path.join(self.dir, "log-%d.txt" % self.port)
        cmd = [sys.executable, "-m", "pyredis"] if kind == "pyredis" else \
            [shutil.which("redis-server")]
        cmd += ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self.dir] + list(extra)
        env = dict(os.environ, PYTHONPATH=ROOT)
        t0 = time.monotonic()
        self.log = open(self.logfile, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.startup = self._wait_ping(t0)

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.log.close()


def bgsave_stall(port):
    """BGSAVE, then PING in a loop until the child is done: the slowest PING."""
    worst = 0.0
    with socket.create_connection(("127.0.0.1", port)) as s:
        _call(s, b"BGSAVE\r\n", 1)
        while True:
            t0 = time.monotonic()
            _call(s, b"PING\r\n", 1)
            worst = max(worst, time.monotonic() - t0)
            info = _call(s, b"INFO persistence\r\n", 1)
            while b"rdb_bgsave_in_progress" not in info:
                info += s.recv(1 << 16)
            if b"rdb_bgsave_in_progress:0" in info:
                return worst
            time.sleep(0.01)


def _bgsave_in_progress(port):
    with socket.create_connection(("127.0.0.1", port)) as s:
        info = _call(s, b"INFO persistence\r\n", 1)
        while b"rdb_bgsave_in_progress" not in info:
            info += s.recv(1 << 16)
    return b"rdb_bgsave_in_progress:1" in info


def bgsave_get_throughput(port, seconds=2.0):
    """Pipelined GET req/s alone, then while a BGSAVE child runs.

    The loaded run is sized to last about `seconds` at the unloaded rate
    (the caller passes a part of the foreground SAVE's time, so the run ends
    before the child does) and starts right after BGSAVE; the third value says whether the child was
    still saving when the run ended (else part of the run had no child and
    the figure flatters the server).
    """
    probe = redis_benchmark(port, "get", 100000, 16).get("GET", 0.0)
    n = max(int(probe * seconds), 20000)
    alone = redis_benchmark(port, "get", n, 16).get("GET", 0.0)
    with socket.create_connection(("127.0.0.1", port)) as s:
        _call(s, b"BGSAVE\r\n", 1)
    during = redis_benchmark(port, "get", n, 16).get("GET", 0.0)
    overlapped = _bgsave_in_progress(port)
    while _bgsave_in_progress(port):
        time.sleep(0.05)
    return alone, during, overlapped


def rdb_main():
    kinds = ("pyredis", "redis") if shutil.which("redis-server") else ("pyredis",)
    rows = []
    for label, loader, n in (("%d strings" % RDB_KEYS, load_keys, RDB_KEYS),
                             ("%d hashes x 10" % RDB_HASHES, load_hashes, RDB_HASHES)):
        if not n:
            continue
        for kind in kinds:
            p = LoggedProc(kind, extra=RDB_ARGS)
            try:
                loader(p.port, n)
                save_s, reply = _timed(p.port, b"SAVE\r\n")
                assert reply.startswith(b"+OK"), reply
                size = os.path.getsize(os.path.join(p.dir, "dump.rdb"))
                stall = bgsave_stall(p.port)
                if loader is load_keys and os.environ.get("BENCH_RDB_THROUGHPUT", "1") != "0":
                    alone, during, overlapped = bgsave_get_throughput(p.port, 0.6 * save_s)
                    print("  %-18s %-8s GET -P 16: %.0f req/s alone, %.0f during BGSAVE (%.0f%%)%s"
                          % (label, kind, alone, during, 100.0 * during / max(alone, 1),
                             "" if overlapped else "  [the child finished before the run did]"),
                          flush=True)
            finally:
                p.kill()
            q = LoggedProc(kind, p.dir, extra=RDB_ARGS)
            try:
                load_s = _loaded_seconds(q)
            finally:
                q.kill()
            shutil.rmtree(p.dir, ignore_errors=True)
            rows.append((label, kind, save_s, load_s, size, stall))
            print("  %-18s %-8s SAVE %.3fs  load %.3fs  file %.1f MB  worst PING during BGSAVE %.1f ms"
                  % (label, kind, save_s, load_s or -1, size / 1e6, stall * 1000), flush=True)
    print("\n%-18s %10s %10s %7s %10s %10s %7s" % ("dataset", "SAVE py", "SAVE redis", "ratio",
                                                  "load py", "load redis", "ratio"))
    by = {(r[0], r[1]): r for r in rows}
    for label in dict.fromkeys(r[0] for r in rows):
        py, rd = by.get((label, "pyredis")), by.get((label, "redis"))
        if py and rd:
            print("%-18s %9.3fs %9.3fs %6.1fx %9.3fs %9.3fs %6.1fx" % (
                label, py[2], rd[2], py[2] / rd[2], py[3], rd[3], py[3] / max(rd[3], 1e-3)))
    return 0


def fmt(v):
    return "%10.0f" % v if v else "%10s" % "-"


def main():
    if (len(sys.argv) > 1 and sys.argv[1] == "rdb") or os.environ.get("BENCH_MODE") == "rdb":
        return rdb_main()
    if sys.argv[1:] == ["cron"]:
        import bench_cron
        return bench_cron.run()
    have_redis = shutil.which("redis-server") is not None
    if not shutil.which("redis-benchmark"):
        print("redis-benchmark not found: apt-get install redis-tools")
        return 1
    rows = []
    for label, n, pipeline in (("pipelined -P 16", N, 16), ("unpipelined", N_UNPIPELINED, 1)):
        ours = Proc("pyredis", EXTRA_ARGS)
        try:
            r_ours = redis_benchmark(ours.port, TESTS, n, pipeline)
        finally:
            ours.stop()
        r_theirs = {}
        if have_redis:
            theirs = Proc("redis")
            try:
                r_theirs = redis_benchmark(theirs.port, TESTS, n, pipeline)
            finally:
                theirs.stop()
        for test, v in r_ours.items():
            rows.append((label, test, v, r_theirs.get(test)))
    print("\n%-18s %-12s %10s %10s %7s" % ("mode", "test", "pyredis", "redis", "ratio"))
    for label, test, ours_v, theirs_v in rows:
        ratio = "%6.2fx" % (ours_v / theirs_v) if theirs_v else "      -"
        print("%-18s %-12s %s %s %s" % (label, test, fmt(ours_v), fmt(theirs_v), ratio))

    if not os.environ.get("BENCH_SKIP_MEMORY"):
        print("\nmemory after loading %d keys key:<10 digits> -> <10 digits>:" % KEYS)
        for kind in (("pyredis", "redis") if have_redis else ("pyredis",)):
            p = Proc(kind)
            try:
                before = p.rss()
                t0 = time.monotonic()
                load_keys(p.port, KEYS)
                dt = time.monotonic() - t0
                print("  %-8s start-up to PING %.3fs, RSS empty %6.1f MB, loaded %7.1f MB "
                      "(load took %.1fs)" % (kind, p.startup, before / 1e6, p.rss() / 1e6, dt))
            finally:
                p.stop()

    if not os.environ.get("BENCH_SKIP_EVENTS"):
        import bench_events
        bench_events.run_all()
    if not os.environ.get("BENCH_SKIP_TYPES"):
        import bench_types
        print()
        bench_types.main()
    if not os.environ.get("BENCH_SKIP_RDB"):
        print()
        rdb_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
