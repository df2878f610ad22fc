"""Every module of the package can be imported on its own.

The modules import each other as Redis's C files share server.h; importing
the package loads server.py first (pyredis/__init__.py), which is the one
order in which those imports resolve. A module that adds an import cycle
shows up here as an ImportError, whichever module a user imports first.
"""

import os
import pkgutil
import subprocess
import sys

import pytest

from helpers.servers import ROOT

MODULES = sorted(
    "pyredis." + m.name for m in pkgutil.iter_modules([os.path.join(ROOT, "pyredis")])
    if m.name != "__main__")


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_first(module):
    r = subprocess.run([sys.executable, "-c", "import %s" % module], cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=ROOT), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
