"""Benchmarks for pub/sub and blocking commands, pyredis beside real Redis.

    python utils/bench_events.py            (bench.py calls run_all() too)

1. PUBLISH fan-out: one channel, 50 subscribers, a publisher pipelining
   PUBLISH; reported as messages delivered per second (publishes x 50),
   timed until every subscriber has received every byte.
2. LPUSH/BLPOP ping-pong: two clients in two processes hand one element
   back and forth through two lists (A: BLPOP q1 -> LPUSH q2; B: LPUSH q1
   -> BLPOP q2); reported as round trips per second. (Falls back to
   ZADD/BZPOPMIN when the server has no lists yet.)
3. Idle blocked clients: redis-benchmark pipelined GET throughput with and
   without 10,000 clients blocked on BLPOP; the claim is that parked
   clients cost nothing per event-loop iteration.

Environment: BENCH_PUBLISHES (default 20000), BENCH_PINGPONG (10000),
BENCH_IDLE_BLOCKED (10000), BENCH_IDLE_N (300000), BENCH_RUNS (2: each
figure is the best of that many runs). BENCH_PINGPONG_ZSET=1 forces the
ZADD/BZPOPMIN form of the ping-pong.
"""

import multiprocessing
import os
import selectors
import shutil
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench import Proc, redis_benchmark  # noqa: E402

PUBLISHES = int(os.environ.get("BENCH_PUBLISHES", "20000"))
PINGPONG = int(os.environ.get("BENCH_PINGPONG", "10000"))
IDLE_BLOCKED = int(os.environ.get("BENCH_IDLE_BLOCKED", "10000"))
IDLE_N = int(os.environ.get("BENCH_IDLE_N", "300000"))
RUNS = int(os.environ.get("BENCH_RUNS", "2"))    # best of RUNS, for a shared machine


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def call(sock, *args):
    """Send one command and read its reply, assumed to arrive in one segment (short replies)."""
    sock.sendall(encode(*args))
    data = sock.recv(65536)
    while not data.endswith(b"\r\n"):
        data += sock.recv(65536)
    return data


def read_exact(sock, n):
    """Read exactly n bytes: the ping-pong replies have known lengths."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError
        data += chunk
    return data


def has_lists(port):
    """Does the server implement lists yet? (COMMAND INFO lists every spec, so try one.)"""
    with socket.create_connection(("127.0.0.1", port)) as s:
        ok = call(s, "LPUSH", "__bench_probe", "x").startswith(b":")
        call(s, "DEL", "__bench_probe")
        return ok


# ---------------------------------------------------------------------------
# 1. PUBLISH fan-out
# ---------------------------------------------------------------------------
def _drain(port, nsubs, expected_each, ready, done):
    """Subscriber process: subscribe nsubs sockets, then read until each got expected_each bytes."""
    socks = []
    for _ in range(nsubs):
        s = socket.create_connection(("127.0.0.1", port))
        call(s, "SUBSCRIBE", "bench")
        s.setblocking(False)
        socks.append(s)
    ready.set()
    sel = selectors.DefaultSelector()
    got = {}
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
        got[s] = 0
    remaining = nsubs
    while remaining:
        for key, _ in sel.select(10):
            s = key.fileobj
            chunk = s.recv(1 << 20)
            if not chunk:
                raise ConnectionError("subscriber dropped")
            got[s] += len(chunk)
            if got[s] >= expected_each:
                sel.unregister(s)
                remaining -= 1
    done.set()
    for s in socks:
        s.close()


def bench_publish(port, nsubs=50, publishes=PUBLISHES, batch=100):
    """Messages delivered per second for PUBLISH to one channel with `nsubs` subscribers."""
    payload = b"x" * 16
    frame = b"*3\r\n$7\r\nmessage\r\n$5\r\nbench\r\n$%d\r\n%s\r\n" % (len(payload), payload)
    ctx = multiprocessing.get_context("fork")
    ready, done = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_drain, args=(port, nsubs, len(frame) * publishes, ready, done))
    p.start()
    ready.wait(30)
    pub = socket.create_connection(("127.0.0.1", port))
    cmd = encode("PUBLISH", "bench", payload)
    reply = b":%d\r\n" % nsubs
    t0 = time.monotonic()
    sent = 0
    while sent < publishes:
        n = min(batch, publishes - sent)
        pub.sendall(cmd * n)
        want = len(reply) * n
        got = 0
        while got < want:
            got += len(pub.recv(65536))
        sent += n
    done.wait(120)
    dt = time.monotonic() - t0
    p.join(10)
    pub.close()
    return publishes * nsubs / dt


# ---------------------------------------------------------------------------
# 2. Ping-pong through blocking pops
# ---------------------------------------------------------------------------
def _pingpong_side(port, rounds, first, use_lists, start):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    mine, theirs = ("q1", "q2") if first else ("q2", "q1")
    if use_lists:
        push = encode("LPUSH", theirs, "x")
        pop = encode("BLPOP", mine, "0")
        pop_len = len(b"*2\r\n$2\r\nq1\r\n$1\r\nx\r\n")
    else:
        push = encode("ZADD", theirs, "1", "x")
        pop = encode("BZPOPMIN", mine, "0")
        pop_len = len(b"*3\r\n$2\r\nq1\r\n$1\r\nx\r\n$1\r\n1\r\n")
    push_len = len(b":1\r\n")
    start.wait(30)
    for _ in range(rounds):
        if first:
            s.sendall(push)
            read_exact(s, push_len)
            s.sendall(pop)
            read_exact(s, pop_len)
        else:
            s.sendall(pop)
            read_exact(s, pop_len)
            s.sendall(push)
            read_exact(s, push_len)
    s.close()


def bench_pingpong(port, rounds=PINGPONG):
    """Round trips per second of one element bounced between two clients by push + blocking pop."""
    use_lists = has_lists(port) and not os.environ.get("BENCH_PINGPONG_ZSET")
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    procs = [ctx.Process(target=_pingpong_side, args=(port, rounds, f, use_lists, start))
             for f in (False, True)]
    for p in procs:
        p.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    start.set()
    for p in procs:
        p.join(300)
    return rounds / (time.monotonic() - t0), ("LPUSH/BLPOP" if use_lists else "ZADD/BZPOPMIN")


# ---------------------------------------------------------------------------
# 3. Idle blocked clients
# ---------------------------------------------------------------------------
def blocked_clients(port):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(encode("INFO", "clients"))
        data = b""
        while b"blocked_clients:" not in data or not data.endswith(b"\r\n"):
            data += s.recv(65536)
        for line in data.split(b"\r\n"):
            if line.startswith(b"blocked_clients:"):
                return int(line.split(b":")[1])
    return 0


def best_get(port, n, runs=3):
    """The best of a few redis-benchmark pipelined GET runs: on a shared machine
    the best run is the one least disturbed by other work."""
    return max(redis_benchmark(port, "get", n, 16).get("GET", 0.0) for _ in range(runs))


def bench_idle_blocked(port, nblocked=IDLE_BLOCKED, n=IDLE_N):
    """Pipelined GET req/s without and with `nblocked` clients parked on BLPOP."""
    use_lists = has_lists(port)
    base = best_get(port, n)
    socks = []
    try:
        for i in range(nblocked):
            s = socket.create_connection(("127.0.0.1", port))
            if use_lists:
                s.sendall(encode("BLPOP", "idle:%d" % i, "0"))
            else:
                s.sendall(encode("BZPOPMIN", "idle:%d" % i, "0"))
            socks.append(s)
        deadline = time.monotonic() + 120
        while blocked_clients(port) < nblocked and time.monotonic() < deadline:
            time.sleep(0.05)
        parked = blocked_clients(port)
        loaded = best_get(port, n)
    finally:
        for s in socks:
            s.close()
    return base, loaded, parked


def run_all():
    have_redis = shutil.which("redis-server") is not None
    kinds = ("pyredis", "redis") if have_redis else ("pyredis",)
    extra = ["--maxclients", str(IDLE_BLOCKED + 200)]
    res = {}
    for kind in kinds:
        p = Proc(kind, extra)
        try:
            res[kind] = {
                "publish": max(bench_publish(p.port) for _ in range(RUNS)),
                "pingpong": max(bench_pingpong(p.port) for _ in range(RUNS)),
                "idle": bench_idle_blocked(p.port) if shutil.which("redis-benchmark") else None,
            }
        finally:
            p.stop()

    def ratio(a, b):
        return "%6.2fx" % (a / b) if b else "      -"
    ours = res["pyredis"]
    theirs = res.get("redis")
    print("\npub/sub and blocking")
    print("%-44s %12s %12s %7s" % ("workload", "pyredis", "redis", "ratio"))
    t = theirs["publish"] if theirs else 0
    print("%-44s %12.0f %12.0f %s" % ("PUBLISH 1 channel x 50 subscribers (msg/s)",
                                       ours["publish"], t, ratio(ours["publish"], t)))
    t = theirs["pingpong"][0] if theirs else 0
    print("%-44s %12.0f %12.0f %s" % ("%s ping-pong (round trips/s)" % ours["pingpong"][1],
                                       ours["pingpong"][0], t, ratio(ours["pingpong"][0], t)))
    for kind in kinds:
        idle = res[kind]["idle"]
        if idle:
            base, loaded, parked = idle
            print("%-8s GET -P 16: %10.0f req/s alone, %10.0f with %d clients blocked (%+.1f%%)"
                  % (kind, base, loaded, parked, (loaded / base - 1) * 100 if base else 0))
    return res


if __name__ == "__main__":
    run_all()
