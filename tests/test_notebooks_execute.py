"""Every solution notebook executes cleanly under nbval, one notebook per run.

nbval is started on one notebook's path at a time (a bare `pytest --nbval`
would collect every notebook in the tree) with a cell timeout.
"""

import subprocess
import sys

import pytest
from harness import ROOT, assignments, isolated_env, source_path

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", assignments())
def test_notebook_runs_under_nbval(tmp_path, name):
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
         "--nbval-current-env", "--nbval-cell-timeout=120", "-o", "addopts=",
         "--rootdir", str(source_path(name).parent), str(source_path(name))],
        cwd=ROOT, env=isolated_env(tmp_path), capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and " failed" not in proc.stdout
