"""`python -m pyredis.tools.record`: what `make flamegraph` runs.

1. starts pyredis on a free port and attaches py-spy to it
   (`py-spy record --pid PID --format raw`);
2. runs a load against it: the seed article's redis-py loop (`seed`), or
   redis-benchmark's SET with 16-command pipelines (`pipelined`) or without
   (`unpipelined`), the same loads as the real Redis profiles;
3. stops py-spy (SIGINT: it writes the collapsed stacks) and shuts pyredis down;
4. draws ours and the matching real Redis 7.0.15 profile as two SVGs with
   the same renderer, and writes the stackdiff report between them.

Outputs, in --out (build/ by default):
    pyredis-<load>.folded   pyredis-<load>.svg
    redis-<load>.svg        stackdiff-<load>.txt

py-spy samples pyredis from outside the process, so the profile costs the
server little; --rate raises the sampling rate for short runs.
"""

import argparse
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from . import flamegraph, stackdiff
from .folded import read_folded

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROFILES = os.path.join(ROOT, "tests", "data", "profiles")
# Load name -> the real Redis profile taken under the same load.
REFERENCE = {"seed": "seed-workload.folded", "pipelined": "set-pipelined.folded",
             "unpipelined": "set-unpipelined.folded"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, proc, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("py-spy/pyredis exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("pyredis did not answer PING on port %d" % port)


def run_load(load, port, count):
    if load == "seed":
        from .seed_workload import prepare_env
        prepare_env(port=port, count=count)
        return
    bench = shutil.which("redis-benchmark")
    if bench is None:
        raise SystemExit("redis-benchmark is not installed (apt-get install redis-tools)")
    cmd = [bench, "-h", "127.0.0.1", "-p", str(port), "-t", "set", "-n", str(count),
           "-c", "50", "-r", "1000000", "-q"]
    if load == "pipelined":
        cmd += ["-P", "16"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def wait_sampling(spy, timeout=30.0):
    """Wait for py-spy's "Sampling process ..." line (it prints it on stdout)."""
    deadline = time.monotonic() + timeout
    seen = b""
    fd = spy.stdout.fileno()
    while b"Sampling process" not in seen:
        if time.monotonic() > deadline or spy.poll() is not None:
            raise SystemExit("py-spy did not start sampling: %s" % seen.decode()[-2000:])
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            seen += os.read(fd, 4096)


def shutdown(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n")
            s.recv(16)
    except OSError:
        pass


def record(load="seed", count=1000000, out="build", rate=100, pyspy=None):
    """Profile pyredis under `load`; returns the paths written."""
    pyspy = pyspy or shutil.which("py-spy")
    if pyspy is None:
        raise SystemExit("py-spy is not installed (pip install py-spy; it is in the test extras)")
    os.makedirs(out, exist_ok=True)
    folded = os.path.join(out, "pyredis-%s.folded" % load)
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="pyredis-flame-")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    server = subprocess.Popen([sys.executable, "-m", "pyredis", "--port", str(port),
                               "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", workdir, "--logfile", os.path.join(workdir, "pyredis.log")],
                              cwd=ROOT, env=env)
    spy = None
    try:
        wait_ready(port, server)
        # Attach once the server is up, so start-up (imports, initServer)
        # is not in the profile: perf in the reference data also began
        # sampling a running server.
        spy = subprocess.Popen([pyspy, "record", "--pid", str(server.pid), "--format", "raw",
                                "--nolineno", "--rate", str(rate), "-o", folded],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_sampling(spy)
        start = time.monotonic()
        run_load(load, port, count)
        secs = time.monotonic() - start
        spy.send_signal(signal.SIGINT)     # py-spy writes its output on Ctrl-C
        said, _ = spy.communicate(timeout=120)
        if not os.path.exists(folded):
            raise SystemExit("py-spy wrote no profile: %s" % said.decode()[-2000:])
    finally:
        for p in (spy, server):
            if p is not None and p.poll() is None:
                if p is server:
                    shutdown(port)
                    try:
                        p.wait(timeout=10)
                        continue
                    except subprocess.TimeoutExpired:
                        pass
                p.kill()
                p.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    paths = {"folded": folded}
    ours = read_folded(folded)
    title = "pyredis: %d x SET (%s load), %.1f s, py-spy" % (count, load, secs)
    paths["svg"] = os.path.join(out, "pyredis-%s.svg" % load)
    with open(paths["svg"], "w") as f:
        f.write(flamegraph.render(ours, title))
    theirs_path = os.path.join(PROFILES, REFERENCE[load])
    if os.path.exists(theirs_path):
        paths["redis_svg"] = os.path.join(out, "redis-%s.svg" % load)
        with open(paths["redis_svg"], "w") as f:
            f.write(flamegraph.render(read_folded(theirs_path),
                                      "Redis 7.0.15: %s (perf, tests/data/profiles/%s)"
                                      % (load, REFERENCE[load])))
        paths["stackdiff"] = os.path.join(out, "stackdiff-%s.txt" % load)
        with open(paths["stackdiff"], "w") as f:
            stackdiff.report(stackdiff.Profile(folded), stackdiff.Profile(theirs_path), out=f)
    paths["seconds"] = secs
    return paths


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m pyredis.tools.record",
                                 description="Flame graph of pyredis under the seed's SET load, "
                                             "beside real Redis 7.0.15's.")
    ap.add_argument("--load", choices=sorted(REFERENCE), default="seed")
    ap.add_argument("-n", "--count", type=int, default=1000000, help="number of SETs")
    ap.add_argument("-o", "--out", default="build", help="output directory (default build/)")
    ap.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    args = ap.parse_args(argv)
    paths = record(args.load, args.count, args.out, args.rate)
    print("%d SETs (%s) in %.1f s" % (args.count, args.load, paths["seconds"]))
    for key in ("folded", "svg", "redis_svg", "stackdiff"):
        if key in paths:
            print("  %-9s %s" % (key, paths[key]))
    if "stackdiff" in paths:
        with open(paths["stackdiff"]) as f:
            sys.stdout.write("\n" + f.read())
    return 0


if __name__ == "__main__":
    sys.exit(main())
