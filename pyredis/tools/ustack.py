"""`python -m pyredis.tools.ustack FUNCTION`: the seed's bpftrace uprobe, for pyredis.

The seed article finds where SET is executed with

    bpftrace -l 'uprobe:/usr/local/redis/bin/redis-server:*' | grep setCommand
    bpftrace -e 'uprobe:...:setCommand { printf("%s\\n", ustack(perf)); }'

The same two steps against a running pyredis:

    python -m pyredis.tools.ustack -l setCommand
    python -m pyredis.tools.ustack setCommand [--port 6379] [--count N]

Each time a probed function is entered the server sends its stack and this
prints it innermost first, one frame a line, in ustack(perf)'s layout with
the line number standing in for the address: `function+offset (file:line)`,
where offset is the line's distance from the function's first line (as
bpftrace's +offset is the byte distance into the function). Like bpftrace,
which stops at __libc_start_call_main, the walk stops at pyredis's main
(use --all for the interpreter frames beyond it).

FUNCTION is a glob over function names ("*Cron", "set*Command") or
"module:function" ("t_string:setCommand"). The probe lives only as long
as this tool's connection: the server removes it when the tool exits, is
interrupted, or is killed.
"""

import argparse
import importlib
import os
import pkgutil
import signal
import socket
import sys


def read_reply(f):
    """Read one RESP2 reply from a buffered socket file; errors raise RuntimeError."""
    line = f.readline()
    if not line:
        raise EOFError("connection closed by server")
    t, rest = line[:1], line[1:-2]
    if t == b"+":
        return rest.decode()
    if t == b"-":
        raise RuntimeError(rest.decode("utf-8", "replace"))
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2].decode("utf-8", "surrogateescape")
    if t == b"*":
        n = int(rest)
        return None if n < 0 else [read_reply(f) for _ in range(n)]
    raise RuntimeError("unexpected reply %r" % line)


def encode_command(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def format_stack(frames, full=False):
    """The frames [[name, file, line, offset], ...] as ustack(perf) lines."""
    lines = []
    for name, filename, line, offset in frames:
        lines.append("    %s+%d (%s:%d)" % (name, offset, filename, line))
        if not full and name == "main" and filename.endswith(os.path.join("pyredis", "server.py")):
            break
    return "\n".join(lines)


def list_functions(pattern):
    """`bpftrace -l`: every probe-able function whose name matches, without a server."""
    import pyredis
    from pyredis.tools.probe import match_functions, probe_name
    modules = []
    for info in pkgutil.iter_modules(pyredis.__path__, "pyredis."):
        if info.name in ("pyredis.__main__", "pyredis.commands") or info.ispkg:
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except Exception:       # a module that cannot import has nothing to probe
            continue
    if not any(ch in pattern for ch in "*?["):
        # A bare word works like the seed's `| grep setCommand`.
        pattern = "*%s*" % pattern
    return ["uprobe:" + probe_name(fn) for fn in match_functions(pattern, modules)]


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m pyredis.tools.ustack",
        description="Print the stack each time a pyredis function is entered (like bpftrace's "
                    "uprobe + ustack(perf)).")
    ap.add_argument("function", nargs="*", help="function name or glob, or module:function")
    ap.add_argument("-l", "--list", metavar="PATTERN", help="list probe-able functions and exit")
    ap.add_argument("-p", "--port", type=int, default=6379)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("-a", "--password", default=None)
    ap.add_argument("-c", "--count", type=int, default=0,
                    help="exit after N stacks (default: run until interrupted)")
    ap.add_argument("--pid", action="store_true",
                    help="print the process id before each stack (a BGSAVE child has its own)")
    ap.add_argument("--all", action="store_true",
                    help="print the interpreter frames beyond pyredis's main too")
    args = ap.parse_args(argv)

    if args.list is not None:
        for line in list_functions(args.list):
            print(line)
        return 0
    if not args.function:
        ap.error("name a FUNCTION to probe, or use -l PATTERN")

    # SIGTERM ends us like Ctrl-C does; either way the socket closes and the
    # server drops the probe (it also would if we were SIGKILLed).
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    try:
        sock = socket.create_connection((args.host, args.port))
    except OSError as e:
        print("cannot connect to pyredis at %s:%d: %s" % (args.host, args.port, e),
              file=sys.stderr)
        return 1
    f = sock.makefile("rb")
    try:
        if args.password is not None:
            sock.sendall(encode_command("AUTH", args.password))
            read_reply(f)
        sock.sendall(encode_command("PYREDIS.PROBE", "ATTACH", *args.function))
        try:
            attached = read_reply(f)
        except RuntimeError as e:
            print("ustack: %s" % e, file=sys.stderr)
            return 1
        print("Attaching %d probe%s..." % (len(attached), "" if len(attached) == 1 else "s"))
        for name in attached:
            print("uprobe:%s" % name)
        sys.stdout.flush()
        seen = 0
        while not args.count or seen < args.count:
            msg = read_reply(f)
            if not isinstance(msg, list) or msg[:1] != ["ustack"]:
                continue
            frames = msg[3]     # msg: ["ustack", probe name, pid, frames]
            print()
            if args.pid:
                print("pid %d" % msg[2])
            print(format_stack(frames, args.all))
            print()
            sys.stdout.flush()
            seen += 1
    except (KeyboardInterrupt, EOFError, BrokenPipeError):
        pass
    finally:
        sock.close()
    return 0



if __name__ == "__main__":
    sys.exit(main())
