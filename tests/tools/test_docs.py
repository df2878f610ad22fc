"""The docs site: it builds strictly, the module map is complete, cited names exist.

The convention (docs/architecture.md): `name()` in backticks cites a function
of this repository; C-only names are written without the parentheses.
"""

import ast
import glob
import json
import os
import re
import subprocess
import sys

import pytest

from helpers.servers import ROOT

DOCS = os.path.join(ROOT, "docs")
CITED = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)\(\)`")


def pyredis_modules():
    return sorted(os.path.relpath(p, ROOT)
                  for p in glob.glob(os.path.join(ROOT, "pyredis", "**", "*.py"), recursive=True))


def defined_names():
    names = set()
    for path in pyredis_modules():
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
    return names


def doc_pages():
    return sorted(glob.glob(os.path.join(DOCS, "*.md")))


def test_module_map_lists_every_module():
    with open(os.path.join(DOCS, "architecture.md"), encoding="utf-8") as f:
        text = f.read()
    # The first column of the map's rows: | [`pyredis/x.py`](...) | or | `pyredis/x.py` |
    rows = set(re.findall(r"^\| \[?`(pyredis/[\w/]+\.py)`", text, re.M))
    missing = [m for m in pyredis_modules() if m not in rows]
    assert not missing, "add these modules to the map in docs/architecture.md: %s" % missing


def test_cited_names_exist():
    names = defined_names()
    assert "setCommand" in names and "processCommand" in names
    bad = []
    for page in doc_pages():
        with open(page, encoding="utf-8") as f:
            for cited in CITED.findall(f.read()):
                if cited not in names:
                    bad.append("%s: %s()" % (os.path.basename(page), cited))
    assert not bad, ("these `name()` citations name no function in pyredis/ (write C-only "
                     "names without the parentheses): %s" % bad)


def test_every_page_is_in_the_nav():
    with open(os.path.join(ROOT, "mkdocs.yml"), encoding="utf-8") as f:
        nav = set(re.findall(r":\s*([\w-]+\.md)\s*$", f.read(), re.M))
    pages = {os.path.basename(p) for p in doc_pages()}
    assert not pages - nav, "add these pages to the nav in mkdocs.yml: %s" % sorted(pages - nav)
    assert not nav - pages, "mkdocs.yml's nav names missing pages: %s" % sorted(nav - pages)
    assert {"getting-started.md", "architecture.md", "set-path.md", "servercron.md", "rdb.md",
            "performance.md", "compatibility.md", "debugging.md", "blocking.md",
            "transactions.md"} <= pages


def test_readme_leads_to_the_docs():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    assert "docs/getting-started.md" in readme


def test_vscode_launch_config_runs_pyredis():
    with open(os.path.join(ROOT, ".vscode", "launch.json"), encoding="utf-8") as f:
        text = re.sub(r"^\s*//.*$", "", f.read(), flags=re.M)    # VS Code allows comments
    configs = json.loads(text)["configurations"]
    main = configs[0]
    assert main["type"] == "debugpy" and main["request"] == "launch"
    assert main["module"] == "pyredis" and "--port" in main["args"]


def test_docs_build_strict(tmp_path):
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (it is in the test extras)")
    res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict",
                          "--site-dir", str(tmp_path / "site")],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    site = tmp_path / "site"
    set_path = (site / "set-path" / "index.html").read_text()
    # Frames link to the generated source pages, at the function's anchor.
    assert 'href="../source/pyredis/t_string/#setCommand"' in set_path
    source = (site / "source" / "pyredis" / "t_string" / "index.html").read_text()
    assert '<a id="setCommand"></a>def setCommand(c):' in source
    compat = (site / "compatibility" / "index.html").read_text()
    assert "<td>string</td>" in compat


def test_set_path_page_shows_the_live_stack():
    """set-path.md quotes ustack's output; its frames must be the ones ustack prints now
    (tests/tools/test_ustack.py checks those against a live server)."""
    from test_ustack import FRAME, SET_PATH
    with open(os.path.join(DOCS, "set-path.md"), encoding="utf-8") as f:
        quoted = [m.group(1) for m in map(FRAME.match, f.read().splitlines()) if m]
    assert quoted == SET_PATH
