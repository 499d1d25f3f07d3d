"""Unit tests of the grading helpers that need no kernel: the tamper scan,
the sanitised feedback text and the failure signatures of the summary."""

import json

import pytest
from harness import ROOT

from nbinstructor import feedback, tamper
from nbinstructor.grade import explain_failure

MODULES = {"np", "checks", "plt", "viz"}
PROTECTED = MODULES | {"AssertionError", "isinstance"}


@pytest.mark.parametrize("src,says", [
    ("np.isclose = lambda *a, **k: True", "np.isclose"),
    ("np.testing.assert_allclose = print", "np.testing.assert_allclose"),
    ("checks.check_function = lambda *a, **k: None", "checks.check_function"),
    ("import nbutils.checks as c\nc.compare = lambda *a, **k: None", "c.compare"),
    ("from nbutils import checks as k\nk.check_value = print", "k.check_value"),
    ("setattr(np, 'allclose', lambda *a, **k: True)", "setattr"),
    ("import sys\nsys.modules['nbutils.checks'] = object()", "sys.modules"),
    ("checks = None", "rebinds `checks`"),
    ("import numpy as np2\nnp = np2", "rebinds `np`"),
    ("def isinstance(*a):\n    return True", "rebinds `isinstance`"),
    ("import importlib\nimportlib.reload(checks)", "importlib"),
    ("exec('np.all = lambda *a: True')", "exec"),
    ("vars(np)['all'] = len", "vars(np)"),
    ("import builtins\nbuiltins.AssertionError = KeyError", "builtins"),
    ("del checks.check_function", "checks.check_function"),
    ("np.__dict__.update(all=lambda *a: True)", "np.__dict__"),
    ("object.__setattr__(checks, 'compare', print)", "__setattr__"),
    ("getattr(np, '__dict__')['all'] = len", "__dict__"),
    ("def sigmoid(z):\n    np.all = lambda *a: True\n    return z", "np.all"),
    ("import sys\nsys._getframe(0).f_globals['checks'] = None", "sys._getframe"),
    ("import sys\nm = sys.modules['nbutils.checks']", "sys.modules"),
])
def test_tampering_is_found(src, says):
    found = tamper.scan_source(src, MODULES, PROTECTED)
    assert found and any(says in f for f in found), found


@pytest.mark.parametrize("src", [
    "def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n    return 1 / (1 + np.exp(-z))",
    "x = np.array([1.0, 2.0])\nx[0] = 3\nplt.rcParams.get('figure.figsize')",
    "def f(checks):\n    return checks",  # a parameter named like a module
    "params = {}\nparams['W1'] = np.zeros((2, 2))",
    "def oops(:\n",  # a syntax error is graded, not flagged
    "%matplotlib inline\nresult = sum([1, 2])",
])
def test_honest_code_is_not_flagged(src):
    assert tamper.scan_source(src, MODULES, PROTECTED) == []


def test_scan_notebook_skips_locked_cells(tmp_path):
    src = ROOT / "solutions" / "01_neuron" / "01_neuron.ipynb"
    nb = json.loads(src.read_text())
    assert tamper.scan_notebook(src, src) == []
    for cell in nb["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "sigmoid":
            cell["source"] = "np.allclose = lambda *a, **k: True\n"
    path = tmp_path / "sub.ipynb"
    path.write_text(json.dumps(nb))
    found = tamper.scan_notebook(path, src)
    assert found == ["cell 'sigmoid' replaces `np.allclose` (part of a module the tests use)"]
    (tmp_path / "bad.ipynb").write_text("{ not json")
    assert tamper.scan_notebook(tmp_path / "bad.ipynb", src) == []


def test_feedback_text_drops_tracebacks_and_clips_output():
    cell = {"outputs": [
        {"output_type": "stream", "name": "stdout", "text": "x" * 100_000},
        {"output_type": "error", "ename": "AssertionError", "evalue": "",
         "traceback": ["\x1b[0;31m----> 3 assert secret_hidden_check(sigmoid)\x1b[0m"]},
    ]}
    ok, text = feedback.cell_output(cell)
    assert not ok
    assert "secret_hidden_check" not in text
    assert "AssertionError" in text
    assert len(text) < 5000 and "100,000 characters" in text


def test_signatures_group_the_same_mistake():
    a = ("✗ f: 0 of 3 checks passed.\n  calling f(1.0)\n  expected 0.5\n  got 0.7\n"
         "  problem: the value is off by 0.2 (relative error 0.4; allowed: 1e-09).")
    b = a.replace("0.2", "0.31").replace("0.4", "0.62")
    assert feedback.signature(a) == feedback.signature(b)
    assert feedback.signature(a + "\n  hint: add the bias.") == "add the bias."
    assert "not written yet" in feedback.signature("  `f` is not written yet: replace")


def test_failure_reasons_from_nbgrader_logs():
    assert "KeyboardInterrupt" in explain_failure(
        "nbclient.exceptions.CellTimeoutError: A cell timed out")
    assert "kernel exited" in explain_failure("nbclient.exceptions.DeadKernelError: Kernel died")
    assert "not a readable notebook" in explain_failure(
        "nbformat.reader.NotJSONError: Notebook does not appear to be JSON")


def test_collect_flat_brings_downloads_into_nbgraders_layout(tmp_path):
    from nbinstructor.grade import Course, collect_flat

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    for name in ["alice_01_neuron.ipynb", "bob_attempt2.ipynb", "readme.txt"]:
        (downloads / name).write_text("{}")
    course = tmp_path / "course"
    (course / "solutions" / "01_neuron").mkdir(parents=True)
    (course / "solutions" / "01_neuron" / "01_neuron.ipynb").write_text("{}")
    assert collect_flat(course, downloads, "01_neuron") == ["alice", "bob"]
    assert Course(course).submissions() == [("alice", "01_neuron"), ("bob", "01_neuron")]
    assert (course / "submitted" / "bob" / "01_neuron" / "01_neuron.ipynb").exists()


def test_no_solution_notebook_is_flagged():
    """Every notebook's own solutions (all cells a student may edit) pass the scan."""
    from nbinstructor import assignments

    for name in assignments(ROOT):
        path = ROOT / "solutions" / name / f"{name}.ipynb"
        assert tamper.scan_notebook(path, path) == [], name


def test_progress_says_done_total_elapsed_and_time_left():
    import io

    from nbinstructor.grade import Progress, Result

    out = io.StringIO()
    p = Progress(total=4, jobs=2, stream=out, live=False)
    p.started("a/01")
    p.started("b/01")
    p.finished(Result("a", "01", outcome="graded", score=5, max_score=5, seconds=4.0))
    p.finished(Result("b", "01", outcome="timed out", reason="killed", max_score=5,
                      seconds=6.0))
    text = out.getvalue()
    assert "✓ [1/4] a" in text and "graded" in text and "5/5" in text
    assert "⏱ [2/4] b" in text and "timed out" in text and "killed" in text
    assert "[2/4]" in p.status() and "elapsed" in p.status() and "left" in p.status()
    assert p.eta() == pytest.approx(5.0)  # two left, 5 s each, on two workers
