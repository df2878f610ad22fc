"""The server as a process: config file and options, defaults, signals, pidfile,
protected mode. Compared with redis-server where the output is observable."""

import os
import signal
import subprocess
import sys

import pytest

from helpers.servers import REDIS_SERVER, ROOT, Server, free_port, wait_for_ping

PYREDIS = [sys.executable, "-m", "pyredis"]


def _run(cmd, cwd, timeout=30):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=timeout)


def _config_error_text(res):
    """The FATAL CONFIG FILE ERROR block (stdout+stderr), without log lines."""
    out = (res.stdout + res.stderr).decode("utf-8", "replace")
    return "\n".join(line for line in out.splitlines() if line.strip())


BAD_CONFIGS = [
    "nosuchdirective yes\n",
    "hz abc\n",
    "maxmemory-policy foo\n",
    "save 100\n",
    "databases 0\n",
    'port "unbalanced\n',
    "hz 10 20\n",
    "maxmemory 1xb\n",
    "appendonly maybe\n",
    "# fine\nport 7001\n\nrequirepass\n",
    "rename-command NOSUCHCMD foo\n",
    "rename-command GET\n",
]


@pytest.mark.skipif(not REDIS_SERVER, reason="redis-server is not installed")
@pytest.mark.parametrize("text", BAD_CONFIGS)
def test_bad_config_file_is_fatal_like_redis(tmp_path, text):
    conf = tmp_path / "bad.conf"
    conf.write_text(text)
    port = str(free_port())
    ours = _run(PYREDIS + [str(conf), "--port", port], tmp_path)
    theirs = _run([REDIS_SERVER, str(conf), "--port", port], tmp_path)
    assert ours.returncode == theirs.returncode == 1
    assert _config_error_text(ours) == _config_error_text(theirs)


@pytest.mark.skipif(not REDIS_SERVER, reason="redis-server is not installed")
@pytest.mark.parametrize("args", [["--nosuch", "1"], ["--hz", "abc"], ["--port"],
                                  ["--save", "1"]])
def test_bad_command_line_option_like_redis(tmp_path, args):
    ours = _run(PYREDIS + args, tmp_path)
    theirs = _run([REDIS_SERVER] + args, tmp_path)
    assert ours.returncode == theirs.returncode == 1
    assert _config_error_text(ours) == _config_error_text(theirs)


CONF = """# A comment line
   # an indented comment
hz 15
save 900 1
save 300 10
maxmemory-policy "allkeys-lru"
notify-keyspace-events 'KEA'
"""


def test_config_file_and_options(tmp_path):
    conf = CONF + "hash-max-ziplist-entries 64\ndatabases 4\n"
    s = Server("pyredis", args=["--hz", "20", "--save", "60 5"], config_text=conf,
               dir=str(tmp_path))
    try:
        r = s.client()
        assert r.config_get("hz") == {"hz": "20"}                # options win over the file
        assert r.config_get("save") == {"save": "60 5"}          # last --save replaces
        assert r.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
        assert r.config_get("notify-keyspace-events") == {"notify-keyspace-events": "AKE"}
        assert r.config_get("hash-max-listpack-entries") == {"hash-max-listpack-entries": "64"}
        assert r.config_get("databases") == {"databases": "4"}
        with pytest.raises(Exception, match="DB index is out of range"):
            r.execute_command("SELECT", 4)
    finally:
        s.stop()


def test_defaults_without_config_file(tmp_path):
    port = free_port()
    env = dict(os.environ, PYTHONPATH=ROOT)
    # Only the port (and, to stay on loopback, the bind address) is given.
    proc = subprocess.Popen(PYREDIS + ["--port", str(port), "--bind", "127.0.0.1"],
                            cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for_ping(port, proc)
        import redis
        r = redis.Redis(port=port)
        cfg = r.config_get("*")
        assert cfg["databases"] == "16"
        assert cfg["save"] == "3600 1 300 100 60 10000"
        assert cfg["bind"] == "127.0.0.1"
        assert cfg["protected-mode"] == "yes"
        assert cfg["appendonly"] == "no"
        assert cfg["maxmemory-policy"] == "noeviction"
        assert cfg["hz"] == "10"
        assert cfg["timeout"] == "0"
        assert cfg["requirepass"] == ""
        assert cfg["dbfilename"] == "dump.rdb"
        r.close()
    finally:
        proc.kill()
        out = proc.communicate(timeout=10)[0].decode()
    # With arguments but no file, Redis says "Configuration loaded" (the
    # no-config warning is for a bare start, which would bind 6379).
    assert "Configuration loaded" in out
    assert "no config file specified" not in out


def test_default_bind_in_process():
    """The default bind ("* -::*"), checked without listening on every interface."""
    import pyredis.server as srv
    from pyredis.config import configGetValue, lookupConfig
    srv.initServerConfig()
    assert configGetValue(lookupConfig("bind")) == "* -::*"
    assert configGetValue(lookupConfig("port")) == "6379"
    assert configGetValue(lookupConfig("protected-mode")) == "yes"


def _start(tmp_path, extra=()):
    port = free_port()
    env = dict(os.environ, PYTHONPATH=ROOT)
    log = open(tmp_path / "out.log", "wb")
    proc = subprocess.Popen(PYREDIS + ["--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                       "--dir", str(tmp_path)] + list(extra),
                            cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_for_ping(port, proc)
    return proc, port, log


@pytest.mark.parametrize("sig,name", [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")])
def test_signal_shutdown_and_pidfile(tmp_path, sig, name):
    pidfile = tmp_path / "p.pid"
    proc, port, log = _start(tmp_path, ["--pidfile", str(pidfile)])
    try:
        assert pidfile.read_text().strip() == str(proc.pid)
        os.kill(proc.pid, sig)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    text = (tmp_path / "out.log").read_text()
    assert "Received %s scheduling shutdown..." % name in text
    assert "Redis is now ready to exit, bye bye..." in text
    assert not pidfile.exists()


def test_shutdown_command_removes_pidfile(tmp_path):
    pidfile = tmp_path / "p.pid"
    proc, port, log = _start(tmp_path, ["--pidfile", str(pidfile)])
    try:
        import redis
        r = redis.Redis(port=port)
        try:
            r.shutdown(nosave=True)
        except redis.ConnectionError:
            pass
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    assert not pidfile.exists()


def test_bind_nothing_exits(tmp_path):
    res = _run(PYREDIS + ["--port", str(free_port()), "--bind", ""], tmp_path)
    assert res.returncode == 1
    assert b"Configured to not listen anywhere, exiting." in res.stdout + res.stderr


def test_config_rewrite_keeps_comments_and_unknown_lines(tmp_path):
    conf = "# my header comment\nhz 15\n# keep me\nsave 900 1\nmaxmemory-policy allkeys-lru\n"
    s = Server("pyredis", config_text=conf, dir=str(tmp_path))
    try:
        raw = s.raw()
        assert raw.call("CONFIG", "SET", "hz", "33", "maxclients", "1234") == b"+OK\r\n"
        assert raw.call("CONFIG", "REWRITE") == b"+OK\r\n"
        text = (tmp_path / "redis.conf").read_text()
        assert "# my header comment" in text and "# keep me" in text
        assert "hz 33" in text and "hz 15" not in text
        assert "maxclients 1234" in text
        assert "maxmemory-policy allkeys-lru" in text
        # No temp file is left behind.
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("redis.conf")] == \
            ["redis.conf"]
        raw.close()
    finally:
        s.stop()
    # The rewritten file starts the server with the same settings.
    s2 = Server("pyredis", config_text=text, dir=str(tmp_path))
    try:
        assert s2.client().config_get("hz") == {"hz": "33"}
    finally:
        s2.stop()


@pytest.mark.skipif(not REDIS_SERVER, reason="redis-server is not installed")
def test_config_rewrite_same_file_as_redis(tmp_path):
    conf = ("# header\nhz 15\nsave 900 1\nsave 300 10\n# trailing\n"
            "maxmemory-policy allkeys-lru\nrename-command KEYS \"\"\n")
    results = []
    for kind in ("pyredis", "redis"):
        d = tmp_path / kind
        d.mkdir()
        s = Server(kind, config_text=conf, dir=str(d))
        try:
            raw = s.raw()
            assert raw.call("KEYS", "*").startswith(b"-ERR unknown command 'KEYS'")
            # A line added by hand after startup is kept, commented out.
            with open(d / "redis.conf", "a") as f:
                f.write("foo bar\n")
            raw.call("CONFIG", "SET", "hz", "33", "save", "100 1", "maxmemory-policy", "noeviction",
                     "timeout", "50")
            assert raw.call("CONFIG", "REWRITE") == b"+OK\r\n"
            raw.close()
        finally:
            s.stop()
        text = (d / "redis.conf").read_text()
        # Options are appended in hash-table order by Redis: compare that
        # tail as a set, without the lines naming per-test ports and dirs.
        head, _, tail = text.partition("# Generated by CONFIG REWRITE\n")
        tail = {ln for ln in tail.splitlines()
                if not ln.startswith(("port ", "dir ", "bind ", "appendonly "))}
        results.append((head, tail))
    assert results[0] == results[1]
    assert "# ??? foo bar" in results[0][0] and "\n\n" in results[0][0]


def test_protected_mode_refuses_remote_peers(monkeypatch):
    """clientAcceptHandler with a fake peer: non-loopback is DENIED, loopback passes."""
    from pyredis import networking
    from pyredis.connection import CONN_STATE_CONNECTED
    from pyredis.server_h import server

    class FakeConn:
        state = CONN_STATE_CONNECTED

    class FakeClient:
        flags = 0

    written, freed = [], []
    monkeypatch.setattr(networking, "connWrite", lambda conn, data: written.append(data))
    monkeypatch.setattr(networking, "freeClientAsync", lambda c: freed.append(c))
    monkeypatch.setattr(server, "protected_mode", 1, raising=False)
    monkeypatch.setattr(server, "requirepass", None, raising=False)
    monkeypatch.setattr(server, "stat_rejected_conn", 0, raising=False)
    monkeypatch.setattr(server, "stat_numconnections", 0, raising=False)

    def accept(ip):
        monkeypatch.setattr(networking, "connPeerToString", lambda conn: (ip, 5555))
        conn, c = FakeConn(), FakeClient()
        conn.private_data = c
        c.conn = conn
        networking.clientAcceptHandler(conn)
        return c

    for ip in ("10.1.2.3", "192.168.0.7", "::ffff:10.0.0.1", "127.0.0.2"):
        c = accept(ip)
        assert written.pop().startswith(b"-DENIED Redis is running in protected mode")
        assert freed.pop() is c
    assert server.stat_rejected_conn == 4
    for ip in ("127.0.0.1", "::1"):
        accept(ip)
        assert not written and not freed
    assert server.stat_numconnections == 2
    # A password, or protected-mode off, lets remote peers in.
    monkeypatch.setattr(server, "requirepass", "secret", raising=False)
    accept("10.1.2.3")
    monkeypatch.setattr(server, "requirepass", None, raising=False)
    monkeypatch.setattr(server, "protected_mode", 0, raising=False)
    accept("10.1.2.3")
    assert not written and not freed


def _masked_log(text):
    import re
    out = []
    for line in text.splitlines():
        if "overcommit" in line or not line.strip():
            continue
        line = re.sub(r"^\d+:", "P:", line)
        line = re.sub(r"\d\d \w{3} \d{4} [\d:.]+", "DATE", line)
        line = re.sub(r"signal-handler \(\d+\)", "signal-handler (T)", line)
        line = re.sub(r"pid=\d+, just started.*", "pid=N, just started", line)
        line = re.sub(r"port=\d+", "port=N", line)
        out.append(line)
    return out


@pytest.mark.skipif(not REDIS_SERVER, reason="redis-server is not installed")
def test_startup_and_sigterm_log_like_redis(tmp_path):
    logs = []
    for name, exe in (("ours", PYREDIS), ("redis", [REDIS_SERVER])):
        d = tmp_path / name
        d.mkdir()
        port = free_port()
        env = dict(os.environ, PYTHONPATH=ROOT)
        with open(d / "log", "wb") as log:
            proc = subprocess.Popen(exe + ["--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                           "--dir", str(d)], cwd=d, env=env, stdout=log,
                                    stderr=subprocess.STDOUT)
            try:
                wait_for_ping(port, proc)
                os.kill(proc.pid, signal.SIGTERM)
                assert proc.wait(timeout=20) == 0
            finally:
                if proc.poll() is None:
                    proc.kill()
        logs.append(_masked_log((d / "log").read_text()))
    assert logs[0] == logs[1]
