"""Collapsed ("folded") stacks: the text format flamegraph.pl, perf and py-spy share.

One line per distinct stack, root first, frames joined by ';', then a space
and the number of samples:

    redis-server;main;aeMain;aeProcessEvents.part.0;...;setCommand 12
    <module> (pyredis/__main__.py);main (pyredis/server.py);...;setCommand (pyredis/t_string.py) 7

py-spy writes the second form (`py-spy record --format raw`); the real Redis
profiles in tests/data/profiles/ are the first. frame_name() reduces both to
the bare function name so they can be compared.
"""

import re

# py-spy: "name (file:line)" or "name (file)"; gcc clones: "name.part.0",
# "name.isra.0", "name.constprop.0", "name.cold".
_PYSPY_SUFFIX = re.compile(r" \([^()]*\)$")
_GCC_CLONE = re.compile(r"(\.(part|isra|constprop|cold|lto_priv)(\.\d+)?)+$")


def read_folded(path):
    """[(frames list root first, samples)] from a folded file."""
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            stack, _, count = line.rpartition(" ")
            try:
                n = int(count)
            except ValueError:
                continue
            if stack and n > 0:
                out.append((stack.split(";"), n))
    return out


def frame_name(frame):
    """The bare function name of a frame, as both profilers would agree on it."""
    frame = _PYSPY_SUFFIX.sub("", frame)
    return _GCC_CLONE.sub("", frame)


def is_kernel(frame):
    """A kernel frame in stackcollapse-perf --kernel style ("..._[k]")."""
    return frame.endswith("_[k]")
