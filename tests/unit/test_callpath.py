"""The call paths of the seed article, proved on a running server.

A profile hook inside the server records the Python stack the first time
setCommand (and serverCron) is entered; the frames must be Redis's call
chain, function for function, ending in main.
"""

import json
import os
import subprocess
import sys
import textwrap

import redis

from helpers.servers import ROOT, free_port, wait_for_ping

SET_PATH = ["main", "aeMain", "aeProcessEvents", "connSocketEventHandler", "callHandler",
            "readQueryFromClient", "processInputBuffer", "processCommandAndResetClient",
            "processCommand", "call", "setCommand"]
CRON_PATH = ["main", "aeMain", "aeProcessEvents", "processTimeEvents", "serverCron"]

PROBE = textwrap.dedent("""
    import json, sys
    out, targets, seen = sys.argv[1], {"setCommand", "serverCron"}, {}
    def hook(frame, event, arg):
        if event == "call" and frame.f_code.co_name in targets:
            name = frame.f_code.co_name
            if name not in seen:
                stack, f = [], frame
                while f is not None:
                    stack.append([f.f_code.co_name, f.f_code.co_filename, f.f_lineno])
                    f = f.f_back
                seen[name] = stack
                with open(out, "w") as fh:
                    json.dump(seen, fh)
    sys.setprofile(hook)
    from pyredis.server import main
    main(sys.argv[2:])
""")


def test_set_and_cron_stacks(tmp_path):
    port = free_port()
    out = tmp_path / "stacks.json"
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen([sys.executable, "-c", PROBE, str(out), "--port", str(port),
                             "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_ping(port, proc)
        r = redis.Redis(port=port)
        assert r.set("test:key:name", 10000000000) is True
        # serverCron runs every 100 ms; poll until the probe saw both.
        stacks = {}
        for _ in range(200):
            if out.exists():
                stacks = json.loads(out.read_text() or "{}")
                if "serverCron" in stacks and "setCommand" in stacks:
                    break
            r.ping()
        names = [f[0] for f in reversed(stacks["setCommand"])]
        assert names[names.index("main"):] == SET_PATH
        files = {f[0]: os.path.basename(f[1]) for f in stacks["setCommand"]}
        assert files["setCommand"] == "t_string.py"
        assert files["readQueryFromClient"] == "networking.py"
        assert files["connSocketEventHandler"] == "connection.py"
        assert files["aeProcessEvents"] == "ae.py"
        assert files["main"] == "server.py"
        cron = [f[0] for f in reversed(stacks["serverCron"])]
        assert cron[cron.index("main"):] == CRON_PATH
    finally:
        proc.kill()
        proc.wait()
