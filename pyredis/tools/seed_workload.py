"""`python -m pyredis.tools.seed_workload prepare`: the seed article's SET loop.

The article drives Redis with a redis-py client that sets one key a million
times, each to the next number from 10000000000 on, one command per round
trip. Its script calls `r.add(...)`, which redis-py does not have: `r.set` is
what it means, and what this runs. --count makes the run shorter (the tests
use a few thousand; `make flamegraph` the article's 1,000,000).

redis-py is needed (`pip install redis`, part of the test extras).
"""

import argparse
import sys
import time


def prepare_env(host="127.0.0.1", port=6379, db=0, count=1000000, progress=0):
    """SET test:key:name <n> `count` times; returns the number of SETs done."""
    import redis
    done = 0
    with redis.Redis(host=host, port=port, db=db) as r:
        for number in range(10000000000, 10000000000 + count):
            r.set("test:key:name", number)
            done += 1
            if progress and done % progress == 0:
                print("current counter = %d" % done, file=sys.stderr)
    return done


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m pyredis.tools.seed_workload",
                                 description="The seed article's workload: one client, "
                                             "SET test:key:name <n>, n from 10000000000 on.")
    ap.add_argument("action", nargs="?", default="prepare", choices=["prepare"])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("-p", "--port", type=int, default=6379)
    ap.add_argument("-n", "--count", type=int, default=1000000)
    ap.add_argument("--progress", type=int, default=0, help="report every N SETs")
    args = ap.parse_args(argv)
    start = time.monotonic()
    done = prepare_env(args.host, args.port, 0, args.count, args.progress)
    secs = time.monotonic() - start
    print("%d SETs in %.2f s (%.0f SET/s)" % (done, secs, done / secs if secs else 0.0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
