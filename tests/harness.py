"""Shared machinery for the tests: find cells, run notebooks in a real kernel.

``NotebookKernel`` starts a real IPython kernel in a notebook's folder, runs
the solution notebook's code cells in order, and then lets a test put any
source in place of an answer cell and run that exercise's test cell, as
nbgrader would. ``exercise_tests`` turns a table of known wrong answers into
the four tests every graded exercise must pass (see tests/test_nb01_neuron.py).
"""

from __future__ import annotations

import json
import os
import queue
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"


def assignments() -> list[str]:
    from nbinstructor import assignments as _assignments

    return _assignments(ROOT)


def source_path(name: str) -> Path:
    return SOLUTIONS / name / f"{name}.ipynb"


def student_path(name: str) -> Path:
    return NOTEBOOKS / name / f"{name}.ipynb"


def read(path: Path):
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def cell_by_grade_id(nb, grade_id: str):
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == grade_id:
            return cell
    raise KeyError(f"no cell with grade_id {grade_id!r}")


def answer_cells(nb) -> list:
    """Autograded answer cells: solution, not graded."""
    return [c for c in nb.cells if c.cell_type == "code"
            and nbgrader_meta(c).get("solution") and not nbgrader_meta(c).get("grade")]


def graded_test_cells(nb) -> list:
    """Autograder test cells: graded code cells that are not answers."""
    return [c for c in nb.cells if c.cell_type == "code"
            and nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")]


def filled_in(name: str):
    """The student version with every answer cell replaced by the solution's code:
    what a student who solved every exercise hands in."""
    nb = read(student_path(name))
    src = read(source_path(name))
    for cell in answer_cells(nb):
        cell.source = cell_by_grade_id(src, nbgrader_meta(cell)["grade_id"]).source
    return nb


def bench_module(name: str):
    """``benchmarks/bench_<name>.py``, imported (beside the modules it imports)."""
    import importlib.util

    sys.path.insert(0, str(ROOT / "benchmarks"))
    path = ROOT / "benchmarks" / f"bench_{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def isolated_env(tmp: Path) -> dict:
    """An environment whose Jupyter, IPython and matplotlib state lives in ``tmp``."""
    env = dict(os.environ)
    for var, sub in [("JUPYTER_CONFIG_DIR", "jupyter-config"),
                     ("JUPYTER_DATA_DIR", "jupyter-data"),
                     ("JUPYTER_RUNTIME_DIR", "jupyter-runtime"),
                     ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "mpl")]:
        path = tmp / sub
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    # nbgrader runs `alembic` by name: the venv's bin must come first on PATH
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    return env


@dataclass
class Run:
    ok: bool
    output: str
    record: dict | None = None  # a failed check's record (kind, hints: nbutils.checks.Failure)


# the record of the check that failed last in the kernel (IPython keeps the last error)
LAST_RECORD = ("print(__import__('json').dumps(getattr(getattr(__import__('sys'), "
               "'last_value', None), 'record', None)))")


class Kernel:
    """A real IPython kernel started in ``folder``, with Jupyter state of its own."""

    def __init__(self, folder: Path, timeout: float = 60):
        from jupyter_client.manager import start_new_kernel

        self.timeout = timeout
        self._tmp = tempfile.TemporaryDirectory(prefix="nbkernel-")
        env = isolated_env(Path(self._tmp.name))
        self.km, self.kc = start_new_kernel(kernel_name="python3", cwd=str(folder), env=env)

    def run(self, source: str) -> Run:
        """Execute ``source``; ok is False when it raised. Output is all text seen."""
        texts: list[str] = []
        status = {"ok": True}

        def hook(msg):
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                texts.append(content["text"])
            elif kind == "error":
                status["ok"] = False
                texts.append(f"{content['ename']}: {content['evalue']}")
            elif kind in ("execute_result", "display_data"):
                texts.append(content["data"].get("text/plain", ""))

        try:
            reply = self.kc.execute_interactive(source, timeout=self.timeout,
                                                output_hook=hook, allow_stdin=False)
        except (TimeoutError, queue.Empty):
            self.km.interrupt_kernel()
            return Run(False, "timed out")
        if reply["content"]["status"] != "ok":
            status["ok"] = False
        return Run(status["ok"], "".join(texts))

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
        self._tmp.cleanup()


class NotebookKernel(Kernel):
    """A real kernel that has run one solution notebook, ready for experiments."""

    def __init__(self, name: str, timeout: float = 60):
        self.name = name
        self.nb = read(source_path(name))
        super().__init__(source_path(name).parent, timeout)
        for cell in self.nb.cells:
            if cell.cell_type == "code":
                run = self.run(cell.source)
                if not run.ok:
                    self.close()
                    raise RuntimeError(
                        f"{name}: cell {cell.id} failed while setting up:\n{run.output}")

    def exercise(self, answer_id: str, test_id: str, answer_source: str) -> Run:
        """Run ``answer_source`` in place of an answer cell, then a test cell.

        The solution's answer cell is run again afterwards, so that one
        experiment never leaks into the next.
        """
        solution = cell_by_grade_id(self.nb, answer_id).source
        test = cell_by_grade_id(self.nb, test_id).source
        try:
            setup = self.run(answer_source)
            if not setup.ok:
                return setup
            run = self.run(test)
            if not run.ok:
                run.record = self.last_record()
            return run
        finally:
            restored = self.run(solution)
            assert restored.ok, f"restoring {answer_id} failed: {restored.output}"

    def last_record(self) -> dict | None:
        """The record of the check that failed last here, or None (another error)."""
        found = self.run(LAST_RECORD)
        return json.loads(found.output) if found.ok else None


@dataclass(frozen=True)
class Wrong:
    """A known wrong answer: the answer cell's ``source`` and a phrase the check
    must print for it (the specific message a student would see)."""

    label: str
    source: str
    says: str = ""


def exercise_tests(notebook: str, answers: dict[str, str],
                   wrong: dict[str, list[Wrong]]):
    """The tests every graded exercise of ``notebook`` must pass.

    ``answers`` maps each graded test cell's grade_id to the grade_id of the
    answer cell it tests; ``wrong`` maps it to at least two known wrong
    answers. Returns four test functions for the calling module.
    """
    test_ids = list(answers)

    @pytest.fixture(scope="module")
    def kernel():
        k = NotebookKernel(notebook)
        yield k
        k.close()

    def test_every_graded_test_cell_is_covered():
        nb = read(source_path(notebook))
        graded = [nbgrader_meta(c)["grade_id"] for c in graded_test_cells(nb)]
        assert sorted(graded) == sorted(test_ids), "every graded test cell needs an entry"
        for test_id in test_ids:
            assert len(wrong.get(test_id, [])) >= 2, f"{test_id}: two wrong answers at least"

    @pytest.mark.parametrize("test_id", test_ids)
    def test_solution_passes(kernel, test_id):
        answer = cell_by_grade_id(kernel.nb, answers[test_id]).source
        run = kernel.exercise(answers[test_id], test_id, answer)
        assert run.ok, run.output

    @pytest.mark.parametrize("test_id", test_ids)
    def test_blank_stub_fails(kernel, test_id):
        stub = cell_by_grade_id(read(student_path(notebook)), answers[test_id]).source
        assert "NotImplementedError" in stub
        run = kernel.exercise(answers[test_id], test_id, stub)
        assert not run.ok
        assert "not written yet" in run.output, run.output

    cases = [(t, w) for t in test_ids for w in wrong.get(t, [])]

    outputs: dict[str, dict[Wrong, Run]] = {t: {} for t in test_ids}

    def wrong_output(kernel, test_id, case) -> Run:
        run = kernel.exercise(answers[test_id], test_id, case.source)
        outputs[test_id][case] = run
        return run

    @pytest.mark.parametrize("test_id,case", cases,
                             ids=[f"{t}-{w.label}" for t, w in cases])
    def test_wrong_answer_fails(kernel, test_id, case):
        run = wrong_output(kernel, test_id, case)
        assert not run.ok, f"the wrong answer {case.label!r} passed:\n{run.output}"
        assert case.says in run.output, (
            f"expected the message to say {case.says!r}; it said:\n{run.output}")
        if run.record is not None:  # the hints it printed are the ones its record names
            assert set(run.record["hints"]) == hint_lines(run.output), run.output

    @pytest.mark.parametrize("test_id", test_ids)
    def test_hints_fire_only_for_their_mistake(kernel, test_id):
        for case in wrong.get(test_id, []):
            if case not in outputs[test_id]:  # run alone, not after the table
                wrong_output(kernel, test_id, case)
        hints = {case: run_hints(run) for case, run in outputs[test_id].items()}
        assert not misplaced_hints(hints), "\n".join(misplaced_hints(hints))

    return (kernel, test_every_graded_test_cell_is_covered, test_solution_passes,
            test_blank_stub_fails, test_wrong_answer_fails, test_hints_fire_only_for_their_mistake)


def hint_lines(output: str) -> set[str]:
    """The hints a check printed (the text after ``  hint: ``)."""
    return {line.strip()[5:].strip() for line in output.splitlines()
            if line.strip().startswith("hint:")}


def run_hints(run: Run) -> list[str]:
    """The hints a failed run showed: from its check's record, as data (none for an
    error that is not a check's)."""
    return list(run.record["hints"]) if run.record else []


def misplaced_hints(hints: dict[Wrong, list[str]]) -> list[str]:
    """Hints that fired for a wrong answer they were not written for.

    ``hints``: the hints each wrong answer got. A hint belongs to the wrong
    answers whose ``says`` it contains. It must not fire for a wrong answer of
    another mistake: one whose ``says`` it does not contain, when it does contain
    some other answer's.
    """
    found = []
    for wrong, shown in hints.items():
        for hint in shown:
            if wrong.says and wrong.says in hint:
                continue
            owners = [w.label for w in hints if w.says and w.says in hint]
            if owners:
                found.append(f"{wrong.label!r} got the hint meant for {owners}: {hint}")
    return found


@dataclass(frozen=True)
class Cascade:
    """A bug in an earlier exercise (answer cell ``answer_id`` replaced by
    ``source``) that must not cost the later exercise whose test cell is
    ``test_id``: that cell checks with the course's version in its place."""

    label: str
    answer_id: str
    source: str
    test_id: str


def cascade_tests(cascades: list[Cascade]):
    """A test that each one-bug earlier answer of ``cascades`` leaves the later
    exercise's check passing, and says so; uses the module's ``kernel``."""

    @pytest.mark.parametrize("case", cascades, ids=[c.label for c in cascades])
    def test_bug_costs_only_its_own_exercise(kernel, case):
        run = kernel.exercise(case.answer_id, case.test_id, case.source)
        assert run.ok, f"{case.label}: the later check failed too:\n{run.output}"
        assert "is checked with the course's" in run.output, run.output

    return test_bug_costs_only_its_own_exercise


@dataclass
class Right:
    """A correct answer in another style than the solution's: it must pass."""

    label: str
    source: str


def right_answer_tests(answers: dict[str, str], right: dict[str, list[Right]]):
    """A test that each correct answer of ``right`` (test cell grade_id -> answers)
    passes its test cell, hidden tests included; uses the module's ``kernel``."""
    cases = [(t, r) for t, rs in right.items() for r in rs]

    @pytest.mark.parametrize("test_id,case", cases, ids=[f"{t}-{r.label}" for t, r in cases])
    def test_right_answer_passes(kernel, test_id, case):
        run = kernel.exercise(answers[test_id], test_id, case.source)
        assert run.ok, f"the correct answer {case.label!r} failed:\n{run.output}"

    return test_right_answer_passes
