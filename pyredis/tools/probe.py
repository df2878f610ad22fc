"""The server side of `python -m pyredis.tools.ustack`: stack probes on any function.

bpftrace puts a uprobe (a breakpoint instruction) on a function's first byte
and walks the stack when it fires. The Python analogue used here is to swap
the function's code object for a three-line trampoline that reports the
stack and then runs the original code. Because every reference to a
function (the command table's `proc`, the time event that holds serverCron,
a `from .x import f` in another module) points at the same function object,
swapping `fn.__code__` catches every call, and putting the original code
object back removes the probe without a trace: while no probe is attached
the server runs exactly the code it always runs.

Alternatives not taken: sys.setprofile (what tests/unit/test_callpath.py
uses) calls a Python hook on every call of every function while active,
which slows the whole server several times over; rebinding the module
attribute (`t_string.setCommand = wrapper`) misses callers that imported the
name or stored the function (serverCron in the event loop, cmd.proc).

The tool reaches the server through a hidden command, PYREDIS.PROBE, named
like a module command so nobody mistakes it for a Redis 7.0 one. It is not in
the command table (COMMAND, COMMAND COUNT and INFO commandstats do not show
it): lookupCommand consults `hidden_commands` only after a miss, so ordinary
commands pay nothing. A probe belongs to the connection that attached it; a
free-client hook detaches it when that connection closes, so a tool that
exits or is killed leaves no probe behind.

    PYREDIS.PROBE LIST [pattern]           probe-able functions, file:function
    PYREDIS.PROBE ATTACH pattern [...]     attach; then each hit arrives as
                                           ["ustack", "file:function", pid, frames]
                                           with frames [[name, file, line, offset], ...]
    PYREDIS.PROBE DETACH                   detach this connection's probes
    PYREDIS.PROBE ACTIVE                   functions with a probe attached now
"""

import fnmatch
import os
import sys
import types

from ..server_h import (
    CMD_ADMIN,
    CMD_LOADING,
    CMD_NOSCRIPT,
    CMD_STALE,
    redisCommand,
    server,
)

# The directory holding the pyredis package: frame files are shown relative
# to it ("pyredis/t_string.py"), as bpftrace shows the object file.
PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT_DIR = os.path.dirname(PKG_DIR)

# A pattern that matches more than this many functions is refused: a probe
# on every function would bury the server under its own reports.
MAX_PROBES = 100

# Modules whose functions are never probed: the generated table has none, and
# the tools are not part of the server's call paths.
_SKIP_MODULES = ("pyredis.commands", "pyredis.tools")


def relpath(filename):
    """A frame's file as shown in reports: relative to the repo for our modules."""
    if filename.startswith(PKG_DIR):
        return os.path.relpath(filename, ROOT_DIR)
    return filename


def probeable_functions(modules=None):
    """[(module name, function)] of every module-level function a probe can attach to.

    A function qualifies when it is defined in that pyredis module (not
    imported into it) and has no closure: the trampoline reaches the original
    through the module's globals, which a closure-bound function would not
    let us swap in.
    """
    if modules is None:
        modules = [m for name, m in sorted(sys.modules.items())
                   if m is not None and (name == "pyredis" or name.startswith("pyredis."))]
    out = []
    for mod in modules:
        mname = mod.__name__
        if mname.startswith(_SKIP_MODULES):
            continue
        for name, fn in sorted(vars(mod).items()):
            if (type(fn) is types.FunctionType and fn.__module__ == mname
                    and fn.__closure__ is None and fn.__name__ == name):
                out.append((mname, fn))
    return out


def probe_name(fn):
    """"pyredis/t_string.py:setCommand", the name a probe is known by."""
    code = _orig_code.get(fn, fn.__code__)
    return "%s:%s" % (relpath(code.co_filename), fn.__name__)


def match_functions(pattern, modules=None):
    """The probe-able functions a glob names: "setCommand", "*Cron", "t_string:set*"."""
    found = []
    for mname, fn in probeable_functions(modules):
        if ":" in pattern:
            subject = "%s:%s" % (mname.rsplit(".", 1)[-1], fn.__name__)
        else:
            subject = fn.__name__
        if fnmatch.fnmatchcase(subject, pattern):
            found.append(fn)
    return found


# ---------------------------------------------------------------------------
# Attaching and detaching
# ---------------------------------------------------------------------------
_orig_code = {}     # fn -> its own code object, while a probe is attached
_listeners = {}     # fn -> set of clients to tell
_slots = {}         # fn -> name of the globals slot the trampoline reads
_in_report = False  # set while a report is being written: no probe fires inside it

_TRAMPOLINE = ("def {name}(*args, **kwargs):\n"
               "    runner, report = {slot}\n"
               "    report()\n"
               "    return runner(*args, **kwargs)\n")


def attach(fn, c):
    """Send `c` the stack at every entry of `fn` until detach(fn, c)."""
    listeners = _listeners.get(fn)
    if listeners is not None:
        listeners.add(c)
        return
    code = fn.__code__
    # The original code keeps running, inside a twin function object that
    # shares the module's globals, defaults and name.
    runner = types.FunctionType(code, fn.__globals__, fn.__name__, fn.__defaults__, None)
    runner.__kwdefaults__ = fn.__kwdefaults__
    slot = "__pyredis_probe_%s_%x" % (fn.__name__, id(fn))

    def report():
        _report(fn, sys._getframe(2))

    fn.__globals__[slot] = (runner, report)
    ns = {}
    exec(compile(_TRAMPOLINE.format(name=fn.__name__, slot=slot), code.co_filename, "exec"), ns)
    tramp = ns[fn.__name__].__code__.replace(co_qualname=code.co_qualname)
    _orig_code[fn] = code
    _listeners[fn] = {c}
    _slots[fn] = slot
    fn.__code__ = tramp


def detach(fn, c=None):
    """Stop telling `c` (everyone when None); the last one out restores the code."""
    listeners = _listeners.get(fn)
    if listeners is None:
        return
    if c is not None:
        listeners.discard(c)
        if listeners:
            return
    fn.__code__ = _orig_code.pop(fn)
    del _listeners[fn]
    fn.__globals__.pop(_slots.pop(fn), None)


def detach_client(c):
    """Remove every probe `c` attached (a free-client hook)."""
    for fn in [f for f, ls in _listeners.items() if c in ls]:
        detach(fn, c)
    _update_hook()


def _update_hook():
    # The free-client hook is installed only while some probe exists, so
    # freeing clients costs nothing extra otherwise.
    hooks = server.free_client_hooks
    if _listeners and detach_client not in hooks:
        hooks.append(detach_client)
    elif not _listeners and detach_client in hooks:
        hooks.remove(detach_client)


def stack_frames(frame):
    """[[name, file, line, offset], ...] innermost first, from `frame` outwards.

    offset is the line's distance from the function's first line: the Python
    reading of bpftrace's "+offset" (bytes into the function).
    """
    out = []
    while frame is not None:
        code = frame.f_code
        line = frame.f_lineno or code.co_firstlineno
        out.append([code.co_name, relpath(code.co_filename), line, line - code.co_firstlineno])
        frame = frame.f_back
    return out


def _encode(item):
    if isinstance(item, list):
        return b"*%d\r\n" % len(item) + b"".join(_encode(x) for x in item)
    if isinstance(item, int):
        return b":%d\r\n" % item
    s = item.encode("utf-8", "surrogateescape")
    return b"$%d\r\n%s\r\n" % (len(s), s)


def _report(fn, caller):
    """Tell every listener of `fn` the stack: fn at +0, then its callers."""
    global _in_report
    if _in_report:
        return
    _in_report = True
    try:
        code = _orig_code.get(fn)
        if code is None:
            return
        frames = [[fn.__name__, relpath(code.co_filename), code.co_firstlineno, 0]]
        frames += stack_frames(caller)
        pid = os.getpid()
        msg = _encode(["ustack", probe_name(fn), pid, frames])
        for c in list(_listeners.get(fn, ())):
            _send(c, msg, pid)
    finally:
        _in_report = False


def _send(c, msg, pid):
    if pid == server.pid:
        from ..networking import addReply
        addReply(c, msg)
        return
    # In a forked child (the BGSAVE child) there is no event loop to flush
    # the reply buffer, so write to the inherited socket directly, blocking
    # briefly if the kernel buffer is full.
    conn = c.conn
    if conn is None or conn.sock is None:
        return
    try:
        conn.sock.settimeout(1.0)
        conn.sock.sendall(msg)
    except OSError:
        pass


# ---------------------------------------------------------------------------
# The PYREDIS.PROBE command
# ---------------------------------------------------------------------------
def probe_command(c):
    """PYREDIS.PROBE LIST|ATTACH|DETACH|ACTIVE (a pyredis extension, no Redis counterpart)."""
    from ..networking import addReply, addReplyError, addReplyStatus
    argv = c.argv
    sub = argv[1].lower() if len(argv) > 1 else b""
    args = [a.decode("utf-8", "surrogateescape") for a in argv[2:]]
    if sub == b"list" and len(args) <= 1:
        pattern = args[0] if args else "*"
        addReply(c, _encode([probe_name(fn) for fn in match_functions(pattern)]))
    elif sub == b"attach" and args:
        fns = []
        for pattern in args:
            for fn in match_functions(pattern):
                if fn not in fns:
                    fns.append(fn)
        if not fns:
            addReplyError(c, "no probe-able function matches '%s'" % " ".join(args))
            return
        if len(fns) > MAX_PROBES:
            addReplyError(c, "%d functions match, more than the %d allowed"
                          % (len(fns), MAX_PROBES))
            return
        addReply(c, _encode([probe_name(fn) for fn in fns]))
        for fn in fns:
            attach(fn, c)
        _update_hook()
    elif sub == b"detach" and not args:
        detach_client(c)
        addReplyStatus(c, "OK")
    elif sub == b"active" and not args:
        addReply(c, _encode(sorted(probe_name(fn) for fn in _listeners)))
    else:
        addReplyError(c, "Unknown subcommand or wrong number of arguments for '%s'. "
                      "Try LIST [pattern], ATTACH pattern [pattern ...], DETACH, ACTIVE."
                      % (argv[1].decode("utf-8", "replace") if len(argv) > 1 else ""))


def registerProbeCommand():
    """Put PYREDIS.PROBE in server.hidden_commands (run from initServer)."""
    cmd = redisCommand()
    cmd.declared_name = cmd.fullname = "pyredis.probe"
    cmd.proc = probe_command
    cmd.arity = -2
    cmd.flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE
    cmd.group = "server"
    cmd.acl_categories = ["admin", "dangerous"]
    cmd.key_specs = []
    cmd.args = []
    cmd.firstkey = cmd.lastkey = cmd.keystep = 0
    server.hidden_commands = {b"pyredis.probe": cmd}
