"""The memory model's running total stays equal to a recount from scratch.

used_memory is kept incrementally: every write re-charges one key
(robj.mem), deletes and overwrites take the charge back. Commands that move
a value between keys (RENAME, MOVE, SWAPDB, COPY) or replace it (SET over
an existing key, APPEND, INCR, SETRANGE) are where a running total drifts;
after each of them the total must equal a full recount.
"""

import os
import subprocess
import sys
import textwrap

from helpers.servers import ROOT

CHILD = textwrap.dedent(r'''
    import sys
    from pyredis import server as srv
    from pyredis.server_h import server, client, CMD_CALL_FULL
    server.init_hooks = []
    srv.initServerConfig()
    from pyredis import db
    db.initDatabases()
    srv.populateCommandTable()
    for init in server.init_hooks:
        init()
    server.saveparams = []
    from pyredis.object import flush_memory_charges, keyMemoryCharge
    c = client(); c.db = server.db[0]
    bad = []
    for line in sys.stdin.read().strip().splitlines():
        argv = [a.encode() for a in line.split()]
        c.argv = argv; c.argc = len(argv); c.original_argv = None
        base = server.commands[line.split()[0].lower()]
        if base.subcommands_dict:
            base = base.subcommands_dict[line.split()[1].lower()]
        c.cmd = c.realcmd = base
        srv.call(c, CMD_CALL_FULL)
        c.buf.clear()
        # Aggregates are re-charged lazily, before the total is read.
        flush_memory_charges()
        recount = sum(keyMemoryCharge(k, o) for d in server.db for k, o in d.dict.items())
        if recount != server.dataset_memory:
            bad.append("%s: running %d, recount %d" % (line, server.dataset_memory, recount))
    print("\n".join(bad))
''')

SCRIPT = """
SET a hello
SET a 12345
SET a somewhat-longer-string-than-embstr-allows-in-redis-seven
APPEND a more
SETRANGE a 3 xyz
SET n 10
INCR n
INCRBY n 100000000000
INCRBYFLOAT n 1.5
RENAME a b
RENAMENX b c
MOVE c 1
SELECT 1
COPY c d
SWAPDB 0 1
RPUSH l x y z
LPOP l
HSET h f v g w
SADD s 1 2 3
ZADD z 1 m 2 n
COPY h h2
RENAME z z2
DEL l h s
GETDEL n
SET x 1 EX 100
GETSET x 2
MSET p 1 q 2
UNLINK p q
FLUSHDB
FLUSHALL
"""


def test_running_total_equals_recount(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT)
    res = subprocess.run([sys.executable, "-c", CHILD], input=SCRIPT, capture_output=True,
                         text=True, env=env, timeout=120, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "", res.stdout
