"""redis-cli, unchanged, against pyredis: commands, and the interactive hints.

redis-cli builds its argument hints from COMMAND DOCS at start-up; seeing
the hint for SET in a real terminal (tmux) proves the whole chain works.
"""

import shutil
import subprocess
import time

import pytest

REDIS_CLI = shutil.which("redis-cli")
TMUX = shutil.which("tmux")

pytestmark = pytest.mark.skipif(not REDIS_CLI, reason="redis-cli is not installed (redis-tools)")


def cli(server, *args):
    return subprocess.run([REDIS_CLI, "-p", str(server.port), *args], capture_output=True,
                          text=True, timeout=30).stdout


def test_cli_commands(server):
    assert cli(server, "set", "hello", "redis").strip() == "OK"
    assert cli(server, "get", "hello").strip() == "redis"
    assert cli(server, "incrby", "n", "5").strip() == "5"
    assert "redis_version:7.0.15" in cli(server, "info", "server")


def test_cli_docs_match_real_redis(server, real_redis):
    ours = subprocess.run([REDIS_CLI, "-p", str(server.port), "--no-raw", "COMMAND", "DOCS",
                           "set", "get", "config|get"], capture_output=True).stdout
    theirs = subprocess.run([REDIS_CLI, "-p", str(real_redis.port), "--no-raw", "COMMAND",
                             "DOCS", "set", "get", "config|get"], capture_output=True).stdout
    assert ours == theirs


@pytest.mark.skipif(not TMUX, reason="tmux is not installed: cannot drive interactive redis-cli")
def test_interactive_hints(server):
    session = "pyredis-cli-%d" % server.port
    subprocess.run([TMUX, "new-session", "-d", "-s", session, "-x", "200", "-y", "10",
                    "%s -p %d" % (REDIS_CLI, server.port)], check=True)
    try:
        want = "value [NX|XX] [GET] [EX seconds|PX milliseconds"
        screen = ""
        deadline = time.monotonic() + 20
        typed = False
        while time.monotonic() < deadline:
            screen = subprocess.run([TMUX, "capture-pane", "-t", session, "-p"],
                                    capture_output=True, text=True).stdout
            if not typed and "%d>" % server.port in screen:
                subprocess.run([TMUX, "send-keys", "-t", session, "set foo "], check=True)
                typed = True
            if typed and want in screen:
                break
            time.sleep(0.05)
        assert want in screen, screen
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session])
