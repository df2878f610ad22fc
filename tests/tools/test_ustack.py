"""python -m pyredis.tools.ustack against a live server: the seed's bpftrace probe, for pyredis."""

import inspect
import os
import re
import select
import signal
import subprocess
import sys
import time

import pytest
from helpers.servers import ROOT

SET_PATH = ["setCommand", "call", "processCommand", "processCommandAndResetClient",
            "processInputBuffer", "readQueryFromClient", "callHandler",
            "connSocketEventHandler", "aeProcessEvents", "aeMain", "main"]
CRON_PATH = ["serverCron", "processTimeEvents", "aeProcessEvents", "aeMain", "main"]
FRAME = re.compile(r"^    (\w+)\+(\d+) \((\S+):(\d+)\)$")


def _env():
    return dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))


class Tool:
    """A running ustack process whose stdout is read line by line with a deadline."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([sys.executable, "-m", "pyredis.tools.ustack", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     env=_env(), cwd=ROOT)
        self.lines = []
        self.buf = b""

    def readline(self, timeout=15.0):
        # Unbuffered reads: a buffered readline could swallow lines that
        # select() then never reports as ready.
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(left, 0))
            assert ready, "ustack printed nothing for %.0fs; so far: %r" % (timeout, self.lines)
            chunk = os.read(fd, 65536)
            assert chunk, "ustack exited; output: %r" % self.lines
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        self.lines.append(line.decode() + "\n")
        return self.lines[-1]

    def wait_attached(self):
        line = self.readline()
        assert line.startswith("Attaching"), self.lines
        for _ in range(int(line.split()[1])):      # one "uprobe:..." line per probe
            assert self.readline().startswith("uprobe:pyredis/")

    def output(self, timeout=20.0):
        out, _ = self.proc.communicate(timeout=timeout)
        return "".join(self.lines) + (self.buf + out).decode()

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def stacks(text):
    """The stacks in ustack output: lists of (name, offset, file, line)."""
    out, cur = [], []
    for line in text.splitlines():
        m = FRAME.match(line)
        if m:
            cur.append((m.group(1), int(m.group(2)), m.group(3), int(m.group(4))))
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def active(r):
    return [x.decode() for x in r.execute_command("PYREDIS.PROBE", "ACTIVE")]


def wait_no_probe(r, timeout=10.0):
    deadline = time.monotonic() + timeout
    while active(r):
        assert time.monotonic() < deadline, "probe still attached: %r" % active(r)
        r.ping()


def test_list_like_bpftrace_l():
    out = subprocess.run([sys.executable, "-m", "pyredis.tools.ustack", "-l", "setCommand"],
                         capture_output=True, text=True, env=_env(), cwd=ROOT, check=True).stdout
    lines = out.splitlines()
    assert "uprobe:pyredis/t_string.py:setCommand" in lines
    assert "uprobe:pyredis/t_string.py:getsetCommand" in lines
    assert all(line.startswith("uprobe:pyredis/") and "setCommand" in line for line in lines)
    out = subprocess.run([sys.executable, "-m", "pyredis.tools.ustack", "-l", "server:*Cron"],
                         capture_output=True, text=True, env=_env(), cwd=ROOT, check=True).stdout
    assert "uprobe:pyredis/server.py:serverCron" in out.splitlines()


def test_set_stack(server, r):
    from pyredis import t_string
    tool = Tool("setCommand", "--port", str(server.port), "--count", "2")
    try:
        tool.wait_attached()
        assert active(r) == ["pyredis/t_string.py:setCommand"]
        assert r.set("test:key:name", 10000000000) is True
        assert r.set("test:key:name", 10000000001) is True
        out = tool.output()
        assert tool.proc.returncode == 0
    finally:
        tool.kill()
    got = stacks(out)
    assert len(got) == 2, out
    for st in got:
        assert [f[0] for f in st] == SET_PATH, out
        # Frame 0 is the entry: offset 0 at the def line, like setCommand+0.
        assert st[0][1:] == (0, "pyredis/t_string.py",
                             inspect.getsourcelines(t_string.setCommand)[1])
        files = {f[0]: f[2] for f in st}
        assert files["readQueryFromClient"] == "pyredis/networking.py"
        assert files["connSocketEventHandler"] == "pyredis/connection.py"
        assert files["aeMain"] == "pyredis/ae.py"
        assert files["main"] == "pyredis/server.py"
        # Outer frames: +offset is the line's distance from the function's def line.
        assert st[1][1] == st[1][3] - st_first(st[1])
    # The tool exited: the server took the probe off again.
    wait_no_probe(r)
    assert r.get("test:key:name") == b"10000000001"


def st_first(frame):
    """The first line of the function a frame belongs to, from the source."""
    import importlib
    mod = importlib.import_module(frame[2][:-3].replace("/", "."))
    return inspect.getsourcelines(getattr(mod, frame[0]))[1]


def test_servercron_stack(server, r):
    tool = Tool("serverCron", "--port", str(server.port), "--count", "1")
    try:
        tool.wait_attached()
        out = tool.output()
    finally:
        tool.kill()
    (st,) = stacks(out)
    assert [f[0] for f in st] == CRON_PATH
    assert st[0][2] == "pyredis/server.py"
    wait_no_probe(r)


def test_probe_removed_when_tool_is_killed(server, r):
    tool = Tool("t_string:setCommand", "getCommand", "--port", str(server.port))
    try:
        tool.wait_attached()
        assert sorted(active(r)) == ["pyredis/t_string.py:getCommand",
                                     "pyredis/t_string.py:setCommand"]
        r.set("k", "v")
        assert tool.readline() == "\n"
        assert FRAME.match(tool.readline()).group(1) == "setCommand"
    finally:
        tool.kill()
    wait_no_probe(r)
    assert r.get("k") == b"v"


def test_unknown_function_fails(server):
    tool = Tool("noSuchFunctionAnywhere", "--port", str(server.port))
    out = tool.output()
    assert tool.proc.returncode == 1
    assert "no probe-able function matches 'noSuchFunctionAnywhere'" in out


def test_hidden_from_command_table(server, r):
    raw = server.raw()
    assert raw.call("COMMAND", "INFO", "pyredis.probe") == raw.call("COMMAND", "INFO", "nosuch")
    listing = raw.call("COMMAND", "LIST")
    raw.close()
    assert b"\r\nset\r\n" in listing and b"pyredis" not in listing.lower()
    with pytest.raises(Exception, match="Unknown subcommand"):
        r.execute_command("PYREDIS.PROBE", "NOPE")


def test_rdbsaverio_stack_in_save_and_bgsave_child(server, r):
    """The RDB paths of the reference data: SAVE, and the forked BGSAVE child."""
    assert "rdbSaveRio" in "".join(x.decode() for x in
                                   r.execute_command("PYREDIS.PROBE", "LIST", "rdbSaveRio"))
    r.set("hello", "world")
    tool = Tool("rdbSaveRio", "--port", str(server.port), "--count", "2", "--pid")
    try:
        tool.wait_attached()
        r.save()
        r.bgsave()
        out = tool.output(timeout=30)
    finally:
        tool.kill()
    save, child = stacks(out)
    pids = [int(line.split()[1]) for line in out.splitlines() if line.startswith("pid ")]
    assert len(pids) == 2 and pids[0] == server.pid and pids[1] != server.pid, out
    assert [f[0] for f in save][:4] == ["rdbSaveRio", "rdbSave", "saveCommand", "call"]
    names = [f[0] for f in child]
    assert names[0] == "rdbSaveRio" and "bgsaveCommand" in names and names[-1] == "main"
    wait_no_probe(r)
