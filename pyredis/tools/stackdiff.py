"""`python -m pyredis.tools.stackdiff OURS.folded THEIRS.folded`: pyredis's profile beside Redis's.

OURS is what `make flamegraph` records from pyredis with py-spy; THEIRS is a
perf profile of real Redis collapsed the same way (tests/data/profiles/*.folded).
Frames are matched by function name only: line numbers, addresses, gcc's
clone suffixes (.part.0) and py-spy's "(file:line)" are dropped.

It prints
  1. the share of samples per top-level phase of the event loop (read, parse,
     command, reply, cron, poll, other), side by side;
  2. every Redis function above --min percent of Redis's samples, with its
     inclusive share in both profiles and whether pyredis has it on the same
     path ("same path"), somewhere else ("elsewhere"), or not at all
     ("missing": libc, jemalloc, inlined helpers, or not written yet).

"The same path" means: keep only the functions both profiles contain, and
compare the chain of callers leading to the function in Redis's heaviest stack
with the chains pyredis has for it. Python-only helpers (callHandler ...) and
C-only ones (libc, inlined-away frames) therefore do not break a match.
"""

import argparse
import sys
from collections import Counter, defaultdict

from .folded import frame_name, is_kernel, read_folded

# Phases, checked in this order: the first whose function is on the stack
# claims the sample. Cron and reply come first because they run outside the
# read path; "command" is processCommand's whole subtree (lookup, checks,
# call(), the command itself); "parse" is the protocol parser without it;
# "read" is what is left of readQueryFromClient (the read(2) itself).
PHASES = [
    ("cron", ("serverCron",)),
    ("reply", ("beforeSleep", "handleClientsWithPendingWrites", "writeToClient",
               "_writeToClient", "sendReplyToClient")),
    ("command", ("processCommand",)),
    ("parse", ("processInputBuffer", "processMultibulkBuffer", "processInlineBuffer")),
    ("read", ("readQueryFromClient",)),
    ("poll", ("aeApiPoll", "epoll_wait", "select", "poll")),
]
PHASE_NAMES = [p for p, _ in PHASES] + ["other"]
# stackcollapse-perf puts the thread's name first; it is no function.
COMMS = ("redis-server", "redis-rdb-bgsave", "redis-aof-rewrite", "redis-rdb-to-slaves")


class Profile:
    """A folded profile reduced to function names."""

    def __init__(self, path):
        self.path = path
        self.stacks = []
        for frames, n in read_folded(path):
            if frames[0] in COMMS:
                frames = frames[1:]
            names = [frame_name(f) for f in frames if not is_kernel(f)]
            kernel = any(is_kernel(f) for f in frames)
            self.stacks.append((names, n, kernel))
        self.total = sum(n for _, n, _ in self.stacks)
        self.inclusive = Counter()
        for names, n, _ in self.stacks:
            for name in set(names):
                self.inclusive[name] += n
        self.names = set(self.inclusive)

    def share(self, name):
        return 100.0 * self.inclusive.get(name, 0) / self.total if self.total else 0.0

    def phases(self):
        """Samples per phase (PHASE_NAMES order)."""
        out = Counter()
        for names, n, _ in self.stacks:
            present = set(names)
            for phase, funcs in PHASES:
                if present.intersection(funcs):
                    out[phase] += n
                    break
            else:
                out["other"] += n
        return out

    def paths_to(self, name):
        """{caller chain (tuple, root first) ending just above `name`: samples}."""
        out = Counter()
        for names, n, _ in self.stacks:
            if name in names:
                out[tuple(names[:names.index(name)])] += n
        return out


def compare(ours, theirs, min_share=0.5):
    """[(name, their %, our %, status)] for Redis functions above min_share."""
    common = ours.names & theirs.names
    rows = []
    for name, n in theirs.inclusive.most_common():
        share = 100.0 * n / theirs.total
        if share < min_share:
            break
        if name not in ours.names:
            status = "missing"
        else:
            theirs_path = max(theirs.paths_to(name).items(), key=lambda kv: kv[1])[0]
            want = [f for f in theirs_path if f in common]
            ours_paths = {tuple(f for f in p if f in common) for p in ours.paths_to(name)}
            status = "same path" if tuple(want) in ours_paths else "elsewhere"
        rows.append((name, share, ours.share(name), status))
    return rows


def report(ours, theirs, min_share=0.5, out=sys.stdout):
    w = out.write
    w("ours:   %s (%d samples)\n" % (ours.path, ours.total))
    w("theirs: %s (%d samples)\n\n" % (theirs.path, theirs.total))
    op, tp = ours.phases(), theirs.phases()
    w("Share of samples per phase\n")
    w("%-10s %9s %9s\n" % ("phase", "pyredis", "redis"))
    for phase in PHASE_NAMES:
        w("%-10s %8.1f%% %8.1f%%\n" % (phase, pct(op[phase], ours.total),
                                       pct(tp[phase], theirs.total)))
    kernel = sum(n for _, n, k in theirs.stacks if k)
    w("(redis: %.1f%% of its samples were in the kernel, which py-spy cannot see in pyredis)\n\n"
      % pct(kernel, theirs.total))
    rows = compare(ours, theirs, min_share)
    w("Redis functions with at least %.1f%% of Redis's samples (inclusive)\n" % min_share)
    w("%-34s %8s %9s  %s\n" % ("function", "redis", "pyredis", "in pyredis"))
    counts = defaultdict(int)
    for name, their_share, our_share, status in rows:
        counts[status] += 1
        ours_txt = "%8.1f%%" % our_share if status != "missing" else "%9s" % "-"
        w("%-34s %7.1f%% %s  %s\n" % (name[:34], their_share, ours_txt, status))
    w("\n%d on the same path, %d elsewhere, %d missing\n"
      % (counts["same path"], counts["elsewhere"], counts["missing"]))
    return rows


def pct(n, total):
    return 100.0 * n / total if total else 0.0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m pyredis.tools.stackdiff",
                                 description="Compare pyredis's collapsed stacks with real Redis's.")
    ap.add_argument("ours", help="folded stacks of pyredis (py-spy --format raw)")
    ap.add_argument("theirs", help="folded stacks of redis-server (perf + stackcollapse)")
    ap.add_argument("--min", type=float, default=0.5, dest="min_share",
                    help="list Redis functions with at least this %% of samples (default 0.5)")
    args = ap.parse_args(argv)
    ours, theirs = Profile(args.ours), Profile(args.theirs)
    if not ours.total or not theirs.total:
        print("stackdiff: a profile has no samples", file=sys.stderr)
        return 1
    report(ours, theirs, args.min_share)
    return 0


if __name__ == "__main__":
    sys.exit(main())
