"""The course's files are in step: student versions, navigation, dependencies, notebooks."""

import ast
import os
import re
import shutil
import subprocess
import symtable
import sys
import tomllib

import pytest
from harness import (
    ROOT,
    answer_cells,
    assignments,
    graded_test_cells,
    nbgrader_meta,
    read,
    source_path,
    student_path,
)

from nbinstructor import navigation, release

ALL = assignments()


def test_there_are_notebooks():
    assert ALL and ALL[0] == "01_neuron"
    assert all(re.fullmatch(r"\d\d_[a-z0-9_]+", a) for a in ALL)


@pytest.mark.slow
def test_student_versions_are_what_release_generates(tmp_path):
    """notebooks/ must be exactly what `make release` makes from solutions/."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    assert release.release(tmp_path) == []
    stale = []
    for a in ALL:
        fresh = (tmp_path / "notebooks" / a / f"{a}.ipynb").read_bytes()
        if not student_path(a).exists() or student_path(a).read_bytes() != fresh:
            stale.append(a)
    assert not stale, f"stale student versions (run `make release`): {stale}"
    committed = sorted(p.name for p in (ROOT / "notebooks").iterdir() if p.is_dir())
    assert committed == ALL, "notebooks/ has folders that solutions/ does not"


def test_navigation_is_up_to_date():
    assert navigation.stale(ROOT) == [], "run `make nav` (then `make release`)"


def test_navigation_links_point_at_real_notebooks():
    for a in ALL:
        nb = read(source_path(a))
        top, bottom = nb.cells[0], nb.cells[-1]
        assert "navigation" in top.metadata["tags"] and top.source == bottom.source
        for target in re.findall(r"\]\(\.\./([^)]+)\)", top.source):
            assert (ROOT / "solutions" / target).exists(), target
            assert (ROOT / "notebooks" / target).exists(), target


def test_every_notebook_link_resolves_from_the_notebooks_own_folder():
    """Relative links as JupyterLab follows them: from the folder of the file they are in
    (the index once linked one folder too high, and worked only as the server's root)."""
    files = [*(ROOT / "notebooks").rglob("*.ipynb"), *(ROOT / "solutions").rglob("*.ipynb")]
    checked = 0
    for path in files:
        if ".ipynb_checkpoints" in path.parts:
            continue
        for cell in read(path).cells:
            if cell.cell_type != "markdown":
                continue
            for target in re.findall(r"\]\(([^)#:]+\.ipynb)\)", cell.source):
                assert (path.parent / target).resolve().is_file(), (path, target)
                checked += 1
    assert checked >= 2 * (len(ALL) + 2 * len(ALL) - 2)  # the index's and every nav cell's


@pytest.mark.parametrize("name", ALL)
def test_source_notebook_structure(name):
    """The skeleton every notebook follows, and nbgrader's metadata rules."""
    nb = read(source_path(name))
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids)), "cell ids must be unique"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert navigation.title(nb)
    assert "## Summary" in text, "every notebook ends with a summary"
    assert "You will learn" in text, "every notebook says what it teaches"
    grade_ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c)]
    assert len(grade_ids) == len(set(grade_ids)), "grade_ids must be unique"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{cell.id}: source notebooks are stored without outputs"
        meta = nbgrader_meta(cell)
        if meta.get("grade"):
            assert meta["points"] > 0 and meta["locked"], cell.id
    answers = answer_cells(nb)
    graded = graded_test_cells(nb)
    assert answers and graded, "every notebook has graded exercises"
    for cell in answers:
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
    for cell in graded:
        assert cell.source.lstrip().startswith('"""'), \
            f"{cell.id}: a test cell starts with a docstring saying what it checks"
    # the exercise heading states the points of its test cell
    for cell in graded:
        points = nbgrader_meta(cell)["points"]
        unit = "point" if points == 1 else "points"
        assert f"({points} {unit})" in text, f"{cell.id}: heading with ({points} {unit})"


CHECK_CELL_LINES = 25


def _visible_check(cell) -> str:
    return cell.source.split("### BEGIN HIDDEN TESTS")[0]


def _top_level_names(source: str) -> set[str]:
    """Names the cell itself binds: assignments, imports, defs, loop variables (not in
    functions or comprehensions)."""
    code = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                     for ln in source.splitlines())
    table = symtable.symtable(code, "<cell>", "exec")
    return {s.get_name() for s in table.get_symbols()
            if s.is_assigned() or s.is_imported() or s.is_namespace()}


@pytest.mark.parametrize("name", ALL)
def test_check_cells_are_as_short_as_their_spec(name):
    """A visible check is its docstring, its cases and a call; helpers live in nbutils."""
    long = {nbgrader_meta(c)["grade_id"]: len(_visible_check(c).strip().splitlines())
            for c in graded_test_cells(read(source_path(name)))}
    assert {k: n for k, n in long.items() if n > CHECK_CELL_LINES} == {}


@pytest.mark.parametrize("name", ALL)
def test_check_cells_bind_no_public_name(name):
    """Running a check again must not change what a later cell reads."""
    bound = {}
    for cell in graded_test_cells(read(source_path(name))):
        public = sorted(n for n in _top_level_names(cell.source) if not n.startswith("_"))
        if public:
            bound[nbgrader_meta(cell)["grade_id"]] = public
    assert bound == {}


def test_the_name_finder_sees_what_a_cell_binds():
    names = _top_level_names("import numpy as np\nfrom a import b as _c\nx, (y, z) = 1, (2, 3)\n"
                             "for k in range(2): pass\ndef f(q): w = q\n"
                             "s = sum(t for t in range(3))\n%matplotlib inline\n")
    assert names == {"np", "_c", "x", "y", "z", "k", "f", "s"}


@pytest.mark.parametrize("name", ALL)
def test_student_version_hides_solutions_and_hidden_tests(name):
    nb = read(student_path(name))
    for cell in nb.cells:
        assert "BEGIN SOLUTION" not in cell.source
        assert "HIDDEN TESTS" not in cell.source
    for cell in answer_cells(nb):
        assert "raise NotImplementedError()" in cell.source


def _deps_pyproject():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = data["project"]["dependencies"] + data["project"]["optional-dependencies"]["dev"]
    return {re.split(r"[<>=!~ ]", d, maxsplit=1)[0].lower(): d.replace(" ", "")
            for d in deps}


def _deps_environment():
    deps = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"\s+- ([A-Za-z0-9_.\-]+)([<>=!~][^#]*)?(#.*)?$", line)
        if m and m.group(1) not in ("python", "pip"):
            deps[m.group(1).lower()] = (m.group(1) + (m.group(2) or "")).replace(" ", "")
    return deps


def test_environment_yml_lists_what_pyproject_lists():
    assert _deps_environment() == _deps_pyproject()


def test_importing_nbformat_builds_no_iri_parser():
    """jsonschema 4.25 and later import rfc3987-syntax, which builds an Earley parser (lark)
    for IRIs: 1.5 s more in every nbgrader command, Jupyter server and grader here, for a
    format no notebook uses. pyproject.toml keeps jsonschema below 4.25."""
    code = ("import sys, nbformat, jsonschema\n"
            "print(sorted(m for m in ('rfc3987_syntax', 'lark') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_nbutils_import_has_no_side_effects():
    code = (
        "import matplotlib, warnings, numpy as np\n"
        "before = (dict(matplotlib.rcParams), list(warnings.filters),"
        " np.random.get_state()[1].tolist())\n"
        "import nbutils, nbutils.checks, nbutils.data, nbutils.activations,"
        " nbutils.live, nbutils.plots, nbutils.widgets\n"
        "after = (dict(matplotlib.rcParams), list(warnings.filters),"
        " np.random.get_state()[1].tolist())\n"
        "assert before == after\n"
        "import sys; assert 'ipywidgets' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ci_runs_make_test():
    lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
             if line and not line.startswith("#")]
    assert "make test" in lines


def test_ruff_is_clean():
    """Lint the package, the tests and the source notebooks (`make lint`)."""
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "nbutils", "nbinstructor",
                           "tests", "solutions"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


# import name -> distribution name, where the two differ
_DIST = {"jupyter_client": "jupyter_client", "jupyter_core": "jupyter_core",
         "ipykernel_launcher": "ipykernel", "yaml": "pyyaml", "zmq": "pyzmq"}


def test_instructor_tools_declare_every_third_party_import():
    """nbinstructor's imports are all in pyproject.toml (a plain `pip install .` has them)."""
    import ast

    declared = {name.replace("-", "_") for name in _deps_pyproject()}
    local = {"nbutils", "nbinstructor"}
    missing = set()
    for path in (ROOT / "nbinstructor").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in local:
                    continue
                if _DIST.get(top, top).lower() not in declared:
                    missing.add(top)
    assert not missing, f"imported by nbinstructor but not declared: {sorted(missing)}"


def test_nothing_a_student_runs_imports_the_instructor_tools():
    code = ("import sys, nbutils, nbutils.checks, nbutils.plots, nbutils.widgets, nbutils.live\n"
            "assert not [m for m in sys.modules if m.startswith('nbinstructor')]\n")
    subprocess.run([sys.executable, "-c", code], check=True)
    for path in (ROOT / "nbutils").rglob("*.py"):
        assert "nbinstructor" not in path.read_text(), path


@pytest.mark.slow
def test_instructor_tools_work_from_a_plain_install(tmp_path):
    """Installed without -e, the tools find the course from --course or the working directory."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(ROOT)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target)}
    check = [sys.executable, "-m", "nbinstructor.navigation", "--check"]
    for cmd, cwd in ((check + ["--course", str(ROOT)], tmp_path), (check, ROOT)):
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    code = "import nbinstructor; print(nbinstructor.__file__)"
    where = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert where.stdout.startswith(str(target)), where.stdout
    proc = subprocess.run(check, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode != 0 and "not a course directory" in proc.stderr


def test_no_function_in_nbutils_is_longer_than_a_screen():
    """Sixty lines at most, docstring included: one idea a function."""
    long = []
    for path in sorted((ROOT / "nbutils").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > 60:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert not long, long
