"""`make test` runs on two xdist workers with ``--dist loadgroup``: tests that share a
costly module fixture (a hub, a graded class) must run on one worker, or the fixture
runs twice at once. pytest 9 with xdist 3.8 drops the groups without a word; this
runs a small suite the way the Makefile does and checks that they hold."""

import json
import subprocess
import sys
import textwrap

from harness import ROOT

RECORD = '''
import json, os


def record(group):
    with open(os.environ["RECORD"], "a") as f:
        f.write(json.dumps([group, os.environ["PYTEST_XDIST_WORKER"]]) + "\\n")
'''
MARKED = '''
import pytest
from record import record

pytestmark = pytest.mark.xdist_group("marked")


@pytest.mark.parametrize("i", range(8))
def test_marked(i):
    record("marked")
'''
BY_PARAM = '''
import pytest
from record import record

GROUP_BY_PARAM = "course"


@pytest.fixture(scope="module", params=["warm", "cold"])
def course(request):
    return request.param


@pytest.mark.parametrize("i", range(8))
def test_by_param(i, course):
    record(course)
'''
BY_FIXTURE = '''
import pytest
from record import record

GROUP_BY_FIXTURE = "graded"


@pytest.fixture(scope="module")
def graded():
    return "graded"


@pytest.mark.parametrize("i", range(8))
def test_uses_it(i, graded):
    record(graded)
'''


def test_each_group_runs_on_one_worker(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from xdist_groups import pytest_itemcollected  # noqa: F401
    """))
    (tmp_path / "record.py").write_text(RECORD)
    (tmp_path / "test_marked.py").write_text(MARKED)
    (tmp_path / "test_by_param.py").write_text(BY_PARAM)
    (tmp_path / "test_by_fixture.py").write_text(BY_FIXTURE)
    record = tmp_path / "record.jsonl"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-n", "2", "--dist", "loadgroup", "."],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "RECORD": str(record)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    workers: dict[str, set[str]] = {}
    for line in record.read_text().splitlines():
        group, worker = json.loads(line)
        workers.setdefault(group, set()).add(worker)
    assert sorted(workers) == ["cold", "graded", "marked", "warm"]
    assert all(len(w) == 1 for w in workers.values()), workers
