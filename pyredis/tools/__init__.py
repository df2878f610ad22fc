"""Tools for looking inside a running pyredis: stack probes, flame graphs, stack diffs.

    python -m pyredis.tools.ustack setCommand      # bpftrace-style stack at each entry
    python -m pyredis.tools.ustack -l 'set*'       # list probe-able functions
    python -m pyredis.tools.stackdiff OURS THEIRS  # compare collapsed stacks with real Redis
    python -m pyredis.tools.flamegraph IN.folded -o OUT.svg
    python -m pyredis.tools.seed_workload --count N  # the seed article's SET loop

`probe` is the only one the server itself imports: it adds the hidden
PYREDIS.PROBE command the ustack tool talks to.
"""
