#!/usr/bin/env python3
"""List, hash, set and sorted-set speed: pyredis beside a real redis-server, in one run.

redis-benchmark -t lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100 -n N -c 50 -P 16
against both servers (each started on a free loopback port and stopped by
PID), printed side by side with the ratio. Both are measured in the same run
so the ratio holds even when the machine's load moves the absolute figures.

Knobs: BENCH_N (default 100000), BENCH_TESTS (default the list above).
"""

import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import Proc, redis_benchmark  # noqa: E402

N = int(os.environ.get("BENCH_N", "100000"))
TESTS = os.environ.get("BENCH_TESTS", "lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100")


def main():
    if not shutil.which("redis-benchmark"):
        print("redis-benchmark not found: apt-get install redis-tools")
        return 1
    kinds = ["pyredis"] + (["redis"] if shutil.which("redis-server") else [])
    res = {}
    for kind in kinds:
        p = Proc(kind)
        try:
            res[kind] = redis_benchmark(p.port, TESTS, N, 16)
        finally:
            p.stop()
    print("redis-benchmark -t %s -n %d -c 50 -P 16" % (TESTS, N))
    print("%-36s %12s %12s %8s" % ("test", "pyredis", "redis", "ratio"))
    for test, v in res["pyredis"].items():
        theirs = res.get("redis", {}).get(test)
        ratio = "%7.2fx" % (v / theirs) if theirs else "-"
        print("%-36s %12.0f %12s %8s" % (test, v, "%.0f" % theirs if theirs else "-", ratio))
    return 0


if __name__ == "__main__":
    sys.exit(main())
