"""Shutdown: SIGTERM/SIGINT set shutdown_asap and the cron shuts down;
SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]; the final save, the pidfile,
the exit code. Each test owns its server (it ends it)."""

import os
import signal

import pytest

from helpers.servers import Server


def wait_exit(s, timeout=10):
    return s.proc.wait(timeout=timeout)


def start(tmp_path, *args, save=None):
    pidfile = str(tmp_path / "pyredis.pid")
    extra = ["--pidfile", pidfile] + list(args)
    s = Server("pyredis", args=extra)
    if save is not None:
        s.client().config_set("save", save)
    return s, pidfile


@pytest.mark.parametrize("sig,name", [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")])
def test_signal_shuts_down_cleanly(tmp_path, sig, name):
    s, pidfile = start(tmp_path)
    try:
        assert os.path.exists(pidfile)
        with open(pidfile) as f:
            assert int(f.read()) == s.pid
        os.kill(s.pid, sig)
        assert wait_exit(s) == 0
        assert not os.path.exists(pidfile)
        log = s.read_log()
        assert "Received %s scheduling shutdown..." % name in log
        assert "User requested shutdown..." in log
        assert "Redis is now ready to exit, bye bye..." in log
    finally:
        s.stop()


def test_sigterm_saves_when_save_points_are_set(tmp_path):
    s, _ = start(tmp_path, save="3600 1")
    try:
        s.client().set("k", "v")
        os.kill(s.pid, signal.SIGTERM)
        assert wait_exit(s) == 0
        assert os.path.exists(os.path.join(s.dir, "dump.rdb"))
        assert "Saving the final RDB snapshot before exiting." in s.read_log()
    finally:
        s.stop()


def test_sigterm_without_save_points_does_not_save(tmp_path):
    s, _ = start(tmp_path)
    try:
        s.client().set("k", "v")
        os.kill(s.pid, signal.SIGTERM)
        assert wait_exit(s) == 0
        assert not os.path.exists(os.path.join(s.dir, "dump.rdb"))
    finally:
        s.stop()


def test_shutdown_on_sigterm_nosave(tmp_path):
    s, _ = start(tmp_path, "--shutdown-on-sigterm", "nosave", save="3600 1")
    try:
        s.client().set("k", "v")
        os.kill(s.pid, signal.SIGTERM)
        assert wait_exit(s) == 0
        assert not os.path.exists(os.path.join(s.dir, "dump.rdb"))
    finally:
        s.stop()


def test_shutdown_command_variants(tmp_path):
    s, pidfile = start(tmp_path, save="3600 1")
    try:
        conn = s.raw()
        assert conn.call("SHUTDOWN", "ABORT") == b"-ERR No shutdown in progress.\r\n"
        assert conn.call("SHUTDOWN", "BOGUS") == b"-ERR syntax error\r\n"
        assert conn.call("SHUTDOWN", "SAVE", "NOSAVE") == b"-ERR syntax error\r\n"
        assert conn.call("SHUTDOWN", "ABORT", "NOW") == b"-ERR syntax error\r\n"
        conn.call("SET", "k", "v")
        conn.send(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
        assert conn.closed_by_peer(10)
        assert wait_exit(s) == 0
        assert not os.path.exists(os.path.join(s.dir, "dump.rdb"))
        assert not os.path.exists(pidfile)
    finally:
        s.stop()


def test_shutdown_save_without_save_points(tmp_path):
    s, _ = start(tmp_path)
    try:
        conn = s.raw()
        conn.call("SET", "k", "v")
        conn.send(b"*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n")
        assert conn.closed_by_peer(10)
        assert wait_exit(s) == 0
        assert os.path.exists(os.path.join(s.dir, "dump.rdb"))
    finally:
        s.stop()


def test_failed_save_keeps_running_unless_forced(tmp_path):
    s, _ = start(tmp_path, "--enable-protected-configs", "yes", save="3600 1")
    try:
        conn = s.raw()
        conn.call("SET", "k", "v")
        # Make the save fail, even for root: the server's working directory
        # (where the RDB is written) is removed under it.
        gone = os.path.join(s.dir, "gone")
        os.mkdir(gone)
        assert conn.call("CONFIG", "SET", "dir", gone) == b"+OK\r\n"
        os.rmdir(gone)
        assert conn.call("SHUTDOWN") == b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
        assert conn.call("PING") == b"+PONG\r\n"
        assert "Error trying to save the DB, can't exit." in s.read_log()
        conn.send(b"*2\r\n$8\r\nSHUTDOWN\r\n$5\r\nFORCE\r\n")
        assert conn.closed_by_peer(10)
        assert wait_exit(s) == 0
    finally:
        s.stop()
