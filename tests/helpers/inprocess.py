"""Run commands through call() inside a fresh pyredis interpreter, recording
the keyspace events each one fires and the commands it propagates.

There is no replica or AOF to observe propagation from outside yet, and the
pub/sub commands land separately, so this child process hooks the two exits
directly: notify's publisher and server.propagate_hooks.
"""

import json
import os
import subprocess
import sys

from helpers.servers import ROOT

_CHILD = r'''
import json, sys
from pyredis import server as srv
from pyredis.server_h import server, client, NOTIFY_ALL, NOTIFY_KEYEVENT, CMD_CALL_FULL
server.init_hooks = []
srv.initServerConfig()
from pyredis import db
db.initDatabases()
srv.populateCommandTable()
for init in server.init_hooks:
    init()
from pyredis import pubsub
events, props = [], []
from pyredis import notify
notify.pubsubPublishMessage = pubsub.pubsubPublishMessage = lambda ch, msg, sh: events.append(ch.decode("latin-1"))
server.notify_keyspace_events = NOTIFY_ALL | NOTIFY_KEYEVENT
server.propagate_hooks.append((3, lambda dbid, argv: props.append(
    [bytes(a).decode("latin-1") for a in argv])))
c = client(); c.db = server.db[0]
out = []
for line in sys.stdin.read().strip().splitlines():
    argv = [a.encode() for a in line.split()]
    c.argv = argv; c.argc = len(argv); c.original_argv = None
    c.cmd = c.realcmd = server.commands[line.split()[0].lower()]
    del events[:], props[:]
    srv.call(c, CMD_CALL_FULL)
    c.buf.clear()
    out.append([line, [e.split(":", 1)[1] for e in events], list(props)])
print(json.dumps(out))
'''


def run_commands(text):
    """{command line: (event names, propagated argv lists)} for each line of `text`."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    env = dict(os.environ, PYTHONPATH=ROOT)
    res = subprocess.run([sys.executable, "-c", _CHILD], input="\n".join(lines),
                         capture_output=True, text=True, env=env, timeout=60, check=False)
    assert res.returncode == 0, res.stderr
    return {line: (ev, pr) for line, ev, pr in json.loads(res.stdout)}
