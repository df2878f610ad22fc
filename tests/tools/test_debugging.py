"""docs/debugging.md's pdb session, run for real: `python -m pdb -m pyredis`, a breakpoint
in setCommand, a SET from a client, then where / up / p / display as the page shows."""

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time

from helpers.servers import ROOT, encode_command, free_port

SET_FRAMES = ["main()", "aeMain()", "aeProcessEvents()", "connSocketEventHandler()",
              "callHandler()", "readQueryFromClient()", "processInputBuffer()",
              "processCommandAndResetClient()", "processCommand()", "call()", "setCommand()"]


class Pdb:
    def __init__(self, port, cwd):
        # -u: pdb's prompt must reach the pipe without waiting for a full buffer.
        self.proc = subprocess.Popen(
            [sys.executable, "-u", "-m", "pdb", "-m", "pyredis", "--port", str(port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", cwd],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")))
        self.buf = b""

    def until(self, token, timeout=30.0):
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while token not in self.buf:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            assert ready, "pdb did not print %r; output so far: %r" % (token, self.buf[-3000:])
            chunk = os.read(fd, 65536)
            assert chunk, "pdb exited: %r" % self.buf[-3000:]
            self.buf += chunk
        i = self.buf.index(token) + len(token)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out.decode()

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def cmd(self, line):
        self.send(line)
        return self.until(b"(Pdb) ")

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


def send_set(port, value, replies):
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(encode_command(("SET", "hello", value)))
        replies.append(s.recv(64))


def test_pdb_breakpoint_in_setcommand(tmp_path):
    port = free_port()
    pdb = Pdb(port, str(tmp_path))
    try:
        pdb.until(b"(Pdb) ")
        pdb.cmd("import pyredis.t_string")
        out = pdb.cmd("break pyredis.t_string.setCommand")
        assert "Breakpoint 1 at" in out and "pyredis/t_string.py:" in out
        pdb.send("continue")
        pdb.until(b"Ready to accept connections")

        replies = []
        client = threading.Thread(target=send_set, args=(port, "world", replies))
        client.start()
        stop = pdb.until(b"(Pdb) ")
        assert "pyredis/t_string.py(" in stop and ")setCommand()" in stop

        where = pdb.cmd("where")
        frames = [line.split(")", 1)[1] for line in where.splitlines()
                  if "/pyredis/" in line and line.strip().startswith(("/", ">"))]
        assert frames[frames.index("main()"):] == SET_FRAMES, where

        assert "[b'SET', b'hello', b'world']" in pdb.cmd("p c.argv")
        qb = pdb.cmd("p c.querybuf, c.qb_pos")
        assert "(b'*3\\r\\n$3\\r\\nSET\\r\\n$5\\r\\nhello\\r\\n$5\\r\\nworld\\r\\n', 35)" in qb, qb

        up = pdb.cmd("up")
        assert "pyredis/server.py(" in up and ")call()" in up and "cmd.proc(c)" in up
        assert "'set'" in pdb.cmd("p c.cmd.fullname")
        assert ")processCommand()" in pdb.cmd("up")
        assert ")call()" in pdb.cmd("down")
        assert ")setCommand()" in pdb.cmd("down")

        assert "(0, 1)" in pdb.cmd("p server.stat_numcommands, len(server.clients)")
        # Commands for breakpoint 1: printed at each later stop, so changes show.
        pdb.send("commands 1")
        pdb.until(b"(com) ")
        pdb.send("p server.stat_numcommands, c.argv")
        pdb.until(b"(com) ")
        pdb.send("end")
        pdb.until(b"(Pdb) ")
        pdb.send("continue")
        client.join(30)
        assert replies == [b"+OK\r\n"]

        client = threading.Thread(target=send_set, args=(port, "again", replies))
        client.start()
        second = pdb.until(b"(Pdb) ")
        assert "(1, [b'SET', b'hello', b'again'])" in second
        pdb.cmd("clear 1")
        pdb.send("continue")
        client.join(30)
        assert replies == [b"+OK\r\n", b"+OK\r\n"]
    finally:
        pdb.kill()
