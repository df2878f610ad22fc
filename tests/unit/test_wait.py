"""ROLE and WAIT on a master without replicas (Redis's tests/unit/wait.tcl, the part
that needs no replica), compared byte for byte with a real Redis 7.0."""

import time

import pytest

from helpers.servers import encode_command

CASES = [
    ["ROLE"],
    ["WAIT", "0", "0"],
    ["WAIT", "1", "10"],
    ["WAIT", "-1", "0"],
    ["WAIT", "0", "-1"],
    ["WAIT", "a", "0"],
    ["WAIT", "0", "a"],
    ["WAIT", "0", "1.5"],
    ["WAIT", "99999999999999999999", "0"],
    ["WAIT", "0"],
    ["ROLE", "x"],
    ["COMMAND", "INFO", "wait", "role"],
]


@pytest.mark.parametrize("cmd", CASES, ids=[" ".join(c) for c in CASES])
def test_same_reply_as_redis(pair, protocol, cmd):
    ours, theirs = pair
    assert ours.call(*cmd) == theirs.call(*cmd)


def test_wait_in_multi_answers_at_once(pair):
    for conn in pair:
        assert conn.call("MULTI") == b"+OK\r\n"
        assert conn.call("WAIT", "5", "0") == b"+QUEUED\r\n"
    ours, theirs = pair
    assert ours.call("EXEC") == theirs.call("EXEC") == b"*1\r\n:0\r\n"


def test_wait_blocks_until_timeout(server):
    conn = server.raw()
    try:
        t0 = time.monotonic()
        assert conn.call("WAIT", "1", "150") == b":0\r\n"
        assert time.monotonic() - t0 >= 0.15
        info = conn.call("INFO", "clients")
        assert b"blocked_clients:0\r\n" in info
    finally:
        conn.close()


def _blocked(ctl):
    info = ctl.call("INFO", "clients").decode()
    return int(info.split("blocked_clients:")[1].split("\r\n")[0])


def _wait_blocked(ctl, n):
    deadline = time.monotonic() + 5
    while _blocked(ctl) != n:
        assert time.monotonic() < deadline, "WAIT did not block"
        time.sleep(0.005)


@pytest.mark.parametrize("how", ["TIMEOUT", "ERROR"])
def test_client_unblock_wait(server, real_redis, how):
    replies = []
    for srv in (server, real_redis):
        ctl, w = srv.raw(), srv.raw()
        try:
            base = _blocked(ctl)
            cid = w.call("CLIENT", "ID")[1:-2]
            w.send(encode_command(["WAIT", "1", "0"]))
            _wait_blocked(ctl, base + 1)
            assert ctl.call("CLIENT", "UNBLOCK", cid, how) == b":1\r\n"
            replies.append(w.read_reply())
            assert _blocked(ctl) == base
        finally:
            w.close()
            ctl.close()
    assert replies[0] == replies[1]


def test_disconnect_while_waiting_costs_nothing(server):
    ctl = server.raw()
    w = server.raw()
    try:
        base = _blocked(ctl)
        w.send(encode_command(["WAIT", "3", "0"]))
        _wait_blocked(ctl, base + 1)
        w.close()
        _wait_blocked(ctl, base)
        assert ctl.call("WAIT", "0", "0") == b":0\r\n"
    finally:
        ctl.close()
