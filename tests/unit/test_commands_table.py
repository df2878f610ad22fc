"""The command table is generated data, and must not drift from the JSON specs."""

import os
import subprocess
import sys

import pytest

from helpers.servers import ROOT



def _find_specs():
    """The specs live beside the checkout (../shared). A clean clone made
    elsewhere (CI clones main into a temp dir) finds them beside the
    repository it was cloned from."""
    roots = [ROOT]
    try:
        origin = subprocess.run(["git", "-C", ROOT, "remote", "get-url", "origin"],
                                capture_output=True, text=True).stdout.strip()
    except OSError:
        origin = ""
    if origin and os.path.isdir(origin):
        roots.append(os.path.abspath(origin))
    for root in roots:
        path = os.path.join(os.path.dirname(root), "shared", "redis-7.0.15", "commands")
        if os.path.isdir(path):
            return path
    return None


SPECS = _find_specs()


@pytest.mark.skipif(SPECS is None, reason="Redis command specs (../shared) not present")
def test_commands_py_is_fresh():
    res = subprocess.run([sys.executable, os.path.join(ROOT, "utils", "generate_commands.py"),
                          SPECS, "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_banner_says_generated():
    with open(os.path.join(ROOT, "pyredis", "commands.py")) as f:
        head = f.read(400)
    assert "DO NOT EDIT" in head


def test_lookup_is_case_insensitive_and_resolves_subcommands(server):
    r = server.client()
    assert r.execute_command("sEt", "k", "v") is True
    assert r.execute_command("CONFIG", "GET", "port")
    raw = server.raw()
    reply = raw.call("COMMAND", "INFO", "config|get")
    assert reply.startswith(b"*1\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n")
    raw.close()
