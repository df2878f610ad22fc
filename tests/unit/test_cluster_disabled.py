"""A standalone server's answers to cluster commands (cluster.c with
cluster_enabled 0), compared with Redis 7.0 byte for byte, and the refusal to
start with cluster-enabled yes, which pyredis does not build."""

import os
import subprocess
import sys

import pytest

from helpers.servers import ROOT, free_port

CASES = [
    ["CLUSTER", "INFO"],
    ["CLUSTER", "HELP"],
    ["CLUSTER", "KEYSLOT", "foo"],
    ["CLUSTER", "NODES"],
    ["CLUSTER", "SLOTS"],
    ["CLUSTER", "SHARDS"],
    ["CLUSTER", "MYID"],
    ["CLUSTER", "COUNTKEYSINSLOT", "1"],
    ["CLUSTER", "KEYSLOT"],
    ["CLUSTER", "INFO", "extra"],
    ["CLUSTER", "foo"],
    ["CLUSTER"],
    ["READONLY"],
    ["READWRITE"],
    ["ASKING"],
    ["READONLY", "x"],
]


@pytest.mark.parametrize("cmd", CASES, ids=[" ".join(c) or "bare" for c in CASES])
def test_same_reply_as_redis(pair, protocol, cmd):
    ours, theirs = pair
    assert ours.call(*cmd) == theirs.call(*cmd)


def test_refuses_cluster_enabled(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT)
    res = subprocess.run([sys.executable, "-m", "pyredis", "--port", str(free_port()),
                          "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--dir", str(tmp_path)],
                         env=env, capture_output=True, timeout=30)
    assert res.returncode == 1
    assert b"cluster mode is not built in pyredis" in res.stdout + res.stderr
