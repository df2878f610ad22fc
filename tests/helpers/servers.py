"""Start pyredis and real redis-server processes for tests, and talk RESP to them.

Every test server listens on 127.0.0.1 on a free port, runs in its own
temporary directory, and is stopped by its PID when the test is done.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REDIS_SERVER = shutil.which("redis-server")


def free_port():
    """A TCP port nobody listens on right now (bind to 0 and give it back)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# 30 s, not less: on a busy 2-core machine (several suites at once) a
# cold interpreter start plus imports has been seen to take over 10 s.
def wait_for_ping(port, proc, timeout=30.0):
    """Poll until the server answers PING; raise if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(64).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError("server on port %d did not answer PING in %.0fs" % (port, timeout))


class Server:
    """A running server process: port, pid, directory, log, and helpers."""

    def __init__(self, kind, args=(), config_text=None, dir=None):
        self.kind = kind
        self.port = free_port()
        self.dir = dir or tempfile.mkdtemp(prefix="pyredis-test-")
        self._own_dir = dir is None
        self.logfile = os.path.join(self.dir, "server.log")
        cmd = []
        if kind == "pyredis":
            cmd = [sys.executable, "-m", "pyredis"]
        else:
            cmd = [REDIS_SERVER]
        if config_text is not None:
            conf = os.path.join(self.dir, "redis.conf")
            with open(conf, "w") as f:
                f.write(config_text)
            cmd.append(conf)
        cmd += ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                "--save", "", "--appendonly", "no"]
        cmd += list(args)
        env = dict(os.environ)
        env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
        self.log = open(self.logfile, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=self.dir, env=env)
        self.pid = self.proc.pid
        try:
            wait_for_ping(self.port, self.proc)
        except Exception:
            self.stop()
            raise RuntimeError("could not start %s: %s" % (kind, self.read_log()[-2000:]))

    def client(self, **kw):
        import redis
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def raw(self):
        return RawConnection(self.port)

    def read_log(self):
        try:
            with open(self.logfile, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        self.log.close()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)


class RawConnection:
    """A plain socket speaking RESP, for byte-exact comparisons."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_reply(self):
        """Read one whole reply and return its exact bytes."""
        out = bytearray()
        self._read_into(out)
        return bytes(out)

    def _read_into(self, out):
        line = self._line()
        out += line + b"\r\n"
        t = line[:1]
        if t in (b"$", b"=", b"!"):
            n = int(line[1:])
            if n >= 0:
                while len(self.buf) < n + 2:
                    self._fill()
                out += self.buf[:n + 2]
                self.buf = self.buf[n + 2:]
        elif t in (b"*", b"~", b">"):
            n = int(line[1:])
            for _ in range(max(n, 0)):
                self._read_into(out)
        elif t in (b"%", b"|"):
            n = int(line[1:])
            for _ in range(n * 2):
                self._read_into(out)
            if t == b"|":
                self._read_into(out)

    def call(self, *args):
        """Send a command (multibulk) and return the raw reply bytes."""
        self.send(encode_command(args))
        return self.read_reply()

    def closed_by_peer(self, timeout=5.0):
        """True if the server closes the connection (EOF) within `timeout`."""
        self.sock.settimeout(timeout)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
                self.buf += data
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


def encode_command(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = b"%d" % a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)
