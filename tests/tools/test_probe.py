"""The probe mechanism in-process: catches every caller, and leaves no trace when removed."""

from pyredis import t_string, util
from pyredis.server_h import server
from pyredis.tools import probe


class FakeConn:
    sock = None


class FakeClient:
    """Collects what the probe would send to the ustack tool."""
    conn = FakeConn()


def test_attach_catches_stored_references_and_detach_restores_code(monkeypatch):
    sent = []
    monkeypatch.setattr(probe, "_send", lambda c, msg, pid: sent.append(msg))
    monkeypatch.setattr(server, "free_client_hooks", [], raising=False)
    fn = util.string2ll
    original = fn.__code__
    held = {"proc": fn}                 # like cmd.proc in the command table
    c = FakeClient()
    probe.attach(fn, c)
    probe._update_hook()
    assert fn.__code__ is not original
    assert server.free_client_hooks == [probe.detach_client]
    assert probe.probe_name(fn) == "pyredis/util.py:string2ll"

    def caller():
        return held["proc"](b"-42")
    assert caller() == -42          # the original code still runs and returns
    assert len(sent) == 1
    assert sent[0].startswith(b"*4\r\n$6\r\nustack\r\n$25\r\npyredis/util.py:string2ll")
    assert b"$6\r\ncaller\r\n" in sent[0]
    # The connection goes away: the function gets its own code object back.
    probe.detach_client(c)
    assert fn.__code__ is original
    assert server.free_client_hooks == []
    assert not [k for k in vars(util) if k.startswith("__pyredis_probe")]


def test_match_functions():
    assert t_string.setCommand in probe.match_functions("setCommand")
    names = {f.__name__ for f in probe.match_functions("set*Command")}
    assert {"setCommand", "setnxCommand", "setexCommand"} <= names
    assert [f.__name__ for f in probe.match_functions("t_string:setCommand")] == ["setCommand"]
    assert probe.match_functions("no_such_*_function") == []
