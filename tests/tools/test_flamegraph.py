"""Flame graphs and stack diffs: the renderer, stackdiff on the real Redis data, and a
short `make flamegraph`-style recording of a live pyredis under py-spy."""

import os
import shutil
import subprocess
import sys
import xml.dom.minidom

import pytest

from helpers.servers import ROOT
from pyredis.tools import flamegraph, stackdiff
from pyredis.tools.folded import frame_name, read_folded

PROFILES = os.path.join(ROOT, "tests", "data", "profiles")


def ref(name):
    return os.path.join(PROFILES, name)


def test_frame_names_match_across_profilers():
    assert frame_name("aeProcessEvents.part.0") == "aeProcessEvents"
    assert frame_name("setCommand (pyredis/t_string.py:167)") == "setCommand"
    assert frame_name("setCommand (pyredis/t_string.py)") == "setCommand"
    assert frame_name("finish_task_switch.isra.0") == "finish_task_switch"


def test_render_real_redis_profile(tmp_path):
    stacks = read_folded(ref("set-pipelined.folded"))
    assert sum(n for _, n in stacks) == 2769          # the README's sample count
    svg = flamegraph.render(stacks, "redis SET -P 16")
    doc = xml.dom.minidom.parseString(svg)
    titles = [t.firstChild.data for t in doc.getElementsByTagName("title")]
    assert titles[0] == "all (2769 samples, 100.00%)"
    set_cmd = [t for t in titles if t.startswith("setCommand ")]
    # README: 39.1%; one more sample sits on an incomplete stack of its own.
    assert "setCommand (1083 samples, 39.11%)" in set_cmd
    out = tmp_path / "x.svg"
    res = subprocess.run([sys.executable, "-m", "pyredis.tools.flamegraph",
                          ref("seed-workload.folded"), "-o", str(out), "--title", "seed"],
                         cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "<svg" in out.read_text()


def test_stackdiff_on_reference_profiles():
    ours = stackdiff.Profile(ref("set-pipelined.folded"))
    theirs = stackdiff.Profile(ref("seed-workload.folded"))
    phases = theirs.phases()
    # The README: beforeSleep 55.8% (reply), serverCron 0.2% of the seed load.
    assert round(100.0 * phases["reply"] / theirs.total, 1) == 55.8
    assert round(100.0 * phases["cron"] / theirs.total, 1) == 0.2
    rows = {name: (share, status) for name, share, _, status in stackdiff.compare(ours, theirs)}
    assert rows["setCommand"] == (pytest.approx(3.06, abs=0.01), "same path")
    assert rows["readQueryFromClient"][1] == "same path"
    assert "redis-server" not in rows                # the comm frame is not a function


def test_stackdiff_cli():
    res = subprocess.run([sys.executable, "-m", "pyredis.tools.stackdiff",
                          ref("set-unpipelined.folded"), ref("set-pipelined.folded"),
                          "--min", "5"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert "Share of samples per phase" in lines
    assert any(line.split()[:1] == ["command"] for line in lines)
    assert any(line.startswith("setCommand ") and line.endswith("same path") for line in lines)


@pytest.mark.skipif(shutil.which("py-spy") is None, reason="py-spy is not installed "
                    "(pip install py-spy; it is in the test extras)")
def test_record_small_seed_workload(tmp_path):
    """make flamegraph's pipeline on 2,000 SETs: py-spy stacks, two SVGs, the diff."""
    res = subprocess.run([sys.executable, "-m", "pyredis.tools.record", "-n", "2000",
                          "--rate", "1000", "-o", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    folded = read_folded(tmp_path / "pyredis-seed.folded")
    names = {frame_name(f) for frames, _ in folded for f in frames}
    assert {"main", "aeMain", "aeProcessEvents", "readQueryFromClient",
            "processCommand", "call", "setCommand"} <= names
    # Start-up is not in the profile: py-spy attaches to a running server.
    assert "initServer" not in names
    for svg in ("pyredis-seed.svg", "redis-seed.svg"):
        xml.dom.minidom.parse(str(tmp_path / svg))
    diff = (tmp_path / "stackdiff-seed.txt").read_text()
    assert any(line.startswith("setCommand ") and line.endswith("same path")
               for line in diff.splitlines())
    assert "2000 SETs (seed)" in res.stdout
