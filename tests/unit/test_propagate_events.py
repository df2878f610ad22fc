"""What transactions and blocking commands propagate (to the AOF and replicas, once those exist).

A probe registers a propagate hook in a real server process and logs every
command it is handed; the test then checks the stream Redis 7.0 would
write: a MULTI block as MULTI ... EXEC, a served blocking pop as its
non-blocking twin, PUBLISH forced through though it changes no key.
"""

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from helpers.servers import ROOT, RawConnection, encode_command, free_port, wait_for_ping

PROBE = textwrap.dedent("""
    import json, sys
    import pyredis.server as S
    out = open(sys.argv[1], "a", buffering=1)
    orig = S.initServer
    def initServer():
        orig()
        def hook(dbid, argv):
            out.write(json.dumps([dbid] + [a.decode("latin-1") for a in argv]) + "\\n")
        S.server.propagate_hooks.append((3, hook))   # AOF | REPL
    S.initServer = initServer
    S.main(sys.argv[2:])
""")


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    d = tmp_path_factory.mktemp("prop")
    log = d / "prop.jsonl"
    port = free_port()
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen([sys.executable, "-c", PROBE, str(log), "--port", str(port),
                             "--bind", "127.0.0.1", "--save", "", "--dir", str(d)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_ping(port, proc)
    yield port, log
    proc.kill()
    proc.wait(10)


def propagated(log, after):
    lines = log.read_text().splitlines() if log.exists() else []
    return [json.loads(ln) for ln in lines[after:]]


def mark(log):
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_exec_propagates_one_multi_block(probe):
    port, log = probe
    c = RawConnection(port)
    start = mark(log)
    c.call("MULTI")
    c.call("SET", "a", "1")
    c.call("GET", "a")
    c.call("INCR", "a")
    assert c.call("EXEC") == b"*3\r\n+OK\r\n$1\r\n1\r\n:2\r\n"
    # A transaction with one write is not wrapped (7.0: one command is atomic anyway).
    c.call("MULTI")
    c.call("INCR", "a")
    c.call("GET", "a")
    c.call("EXEC")
    c.close()
    assert propagated(log, start) == [
        [0, "MULTI"], [0, "SET", "a", "1"], [0, "INCR", "a"], [0, "EXEC"],
        [0, "INCR", "a"],
    ]


def test_served_blocking_pops_propagate_their_twin(probe):
    port, log = probe
    ctl = RawConnection(port)
    ctl.call("FLUSHALL")
    start = mark(log)
    waiters = []
    for cmd in (("BLPOP", "l", "0"), ("BLMOVE", "m", "n", "LEFT", "RIGHT", "0"),
                ("BRPOPLPUSH", "p", "q", "0"), ("BZPOPMAX", "z", "0"),
                ("BLMPOP", "0", "1", "k", "RIGHT", "COUNT", "5")):
        w = RawConnection(port)
        w.send(encode_command(cmd))
        waiters.append(w)
    deadline = time.monotonic() + 5
    while b"blocked_clients:5" not in ctl.call("INFO", "clients"):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    for cmd in (("RPUSH", "l", "x"), ("RPUSH", "m", "y"), ("RPUSH", "p", "z"),
                ("ZADD", "z", "1", "a"), ("RPUSH", "k", "1", "2")):
        ctl.call(*cmd)
    for w in waiters:
        w.read_reply()
        w.close()
    ctl.call("PUBLISH", "ch", "msg")
    ctl.close()
    # (FLUSHALL's own propagation is the keyspace code's business.)
    got = [g for g in propagated(log, start) if g[1] != "FLUSHALL"]
    assert got == [
        [0, "RPUSH", "l", "x"], [0, "LPOP", "l"],
        [0, "RPUSH", "m", "y"], [0, "LMOVE", "m", "n", "left", "right"],
        [0, "RPUSH", "p", "z"], [0, "RPOPLPUSH", "p", "q"],
        [0, "ZADD", "z", "1", "a"], [0, "ZPOPMAX", "z"],
        [0, "RPUSH", "k", "1", "2"], [0, "RPOP", "k", "2"],
        [0, "PUBLISH", "ch", "msg"],
    ]
