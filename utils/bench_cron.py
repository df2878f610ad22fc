#!/usr/bin/env python3
"""`make bench-cron` (or `python utils/bench.py cron`): what the housekeeping costs.

1. Pipelined SET/GET with hz 10 and hz 100 on the same server, rounds
   alternated so machine noise hits both alike; the medians should be
   within 5% (nothing the cron does is on the command path).
2. BENCH_CRON_KEYS keys (default 1,000,000), half of them with a TTL that
   expires during the measurement: the active expire cycle's share of the
   time (INFO expire_cycle_cpu_milliseconds over the wall clock) and its
   longest run (LATENCY HISTORY expire-cycle, cron), against Redis's budget
   of 25% of each tick (25 ms at hz 10).

Knobs: BENCH_CRON_N (requests per redis-benchmark run, default 200000),
BENCH_CRON_ROUNDS (default 3), BENCH_CRON_KEYS, BENCH_CRON_SECONDS (how long
to watch the expiry, default 20).
"""

import os
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Proc, redis_benchmark  # noqa: E402

N = int(os.environ.get("BENCH_CRON_N", "200000"))
ROUNDS = int(os.environ.get("BENCH_CRON_ROUNDS", "3"))
KEYS = int(os.environ.get("BENCH_CRON_KEYS", "1000000"))
SECONDS = float(os.environ.get("BENCH_CRON_SECONDS", "20"))


def call(port, *args):
    import redis
    r = redis.Redis(port=port, decode_responses=True)
    try:
        return r.execute_command(*args)
    finally:
        r.close()


def stat(port, name):
    """One INFO stats field, as an int."""
    import redis
    r = redis.Redis(port=port)
    try:
        return int(r.info("stats")[name])
    finally:
        r.close()


def hz_comparison():
    p = Proc("pyredis")
    try:
        res = {10: {"SET": [], "GET": []}, 100: {"SET": [], "GET": []}}
        for _ in range(ROUNDS):
            for hz in (10, 100):
                call(p.port, "CONFIG", "SET", "hz", hz)
                out = redis_benchmark(p.port, "set,get", N, 16)
                for t in ("SET", "GET"):
                    res[hz][t].append(out.get(t, 0.0))
    finally:
        p.stop()
    print("\npipelined (-P 16, 50 clients), %d rounds of %d requests, medians:" % (ROUNDS, N))
    print("%-5s %12s %12s %8s" % ("test", "hz 10", "hz 100", "diff"))
    for t in ("SET", "GET"):
        a, b = statistics.median(res[10][t]), statistics.median(res[100][t])
        print("%-5s %12.0f %12.0f %7.1f%%" % (t, a, b, (b - a) * 100.0 / a if a else 0))
        print("      rounds hz10 %s / hz100 %s" % (
            ", ".join("%.0f" % v for v in res[10][t]), ", ".join("%.0f" % v for v in res[100][t])))


def load(port, count, ttl_from_ms, ttl_spread_ms):
    """count keys, every other one with a TTL of ttl_from .. ttl_from+spread ms."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        batch = 2000
        for start in range(0, count, batch):
            end = min(count, start + batch)
            parts = []
            for i in range(start, end):
                if i & 1:
                    ms = b"%d" % (ttl_from_ms + (i * 7919) % ttl_spread_ms)
                    parts.append(b"*5\r\n$3\r\nSET\r\n$14\r\nkey:%010d\r\n$10\r\n%010d\r\n"
                                 b"$2\r\nPX\r\n$%d\r\n%s\r\n" % (i, i, len(ms), ms))
                else:
                    parts.append(b"*3\r\n$3\r\nSET\r\n$14\r\nkey:%010d\r\n$10\r\n%010d\r\n"
                                 % (i, i))
            s.sendall(b"".join(parts))
            want = (end - start) * 5
            got = 0
            while got < want:
                got += len(s.recv(1 << 16))


def expire_budget():
    """The worst case for the slow cycle: half the keys expired at once.

    Keys are loaded with active expiry off (DEBUG SET-ACTIVE-EXPIRE 0), the
    volatile half with a 1 ms TTL; then expiry is turned on and we watch
    the cycle delete them within its per-tick budget.
    """
    p = Proc("pyredis", ["--latency-monitor-threshold", "1", "--enable-debug-command", "yes"])
    try:
        call(p.port, "DEBUG", "SET-ACTIVE-EXPIRE", "0")
        t0 = time.monotonic()
        load(p.port, KEYS, 1, 1)
        print("\n%d keys (%d with a TTL, all of those already past it) loaded in %.1fs"
              % (KEYS, KEYS // 2, time.monotonic() - t0))
        call(p.port, "LATENCY", "RESET")
        call(p.port, "CONFIG", "RESETSTAT")
        start = time.monotonic()
        call(p.port, "DEBUG", "SET-ACTIVE-EXPIRE", "1")
        while time.monotonic() - start < SECONDS * 30:
            time.sleep(0.5)
            if stat(p.port, "expired_keys") >= KEYS // 2:
                break
        wall_ms = (time.monotonic() - start) * 1000
        cpu = stat(p.port, "expire_cycle_cpu_milliseconds")
        expired = stat(p.port, "expired_keys")
        capped = stat(p.port, "expired_time_cap_reached_count")
        print("expired %d keys in %.1fs; active expire cycle CPU %d ms = %.1f%% of the wall "
              "clock (budget 25%% of each tick); time cap reached %d times"
              % (expired, wall_ms / 1000, cpu, cpu * 100.0 / wall_ms, capped))
        for ev in ("expire-cycle", "cron", "command", "fast-command"):
            hist = call(p.port, "LATENCY", "HISTORY", ev)
            if hist:
                vals = [v for _, v in hist]
                print("LATENCY %-13s samples %3d  max %3d ms  median %3d ms"
                      % (ev, len(vals), max(vals), statistics.median(vals)))
        print("(at hz 10 one tick is 100 ms; 25%% of it is 25 ms)")
    finally:
        p.stop()


def run():
    if not os.environ.get("BENCH_CRON_SKIP_HZ"):
        hz_comparison()
    expire_budget()
    return 0


if __name__ == "__main__":
    sys.exit(run())
