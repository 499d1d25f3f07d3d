"""Find answer cells that reach into what the tests use: a report for review.

An answer cell that replaces ``numpy.isclose``,
``nbutils.checks.check_function``, ``np.testing.assert_allclose``, rebinds
``checks`` or ``np`` to a fake, edits ``sys.modules`` or shadows a builtin
the tests call would make every check pass if the tests ran in the
student's kernel. They do not (:mod:`nbinstructor.verdicts` runs them in the
grader), so such a cell changes no score; it is still worth an instructor's
look. :func:`scan_notebook` parses every cell the student could have written
(everything that is not a locked cell of the source notebook) and returns
one plain sentence per finding, which the report and the feedback show "for
review".
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from . import cell_source

# calls that reach into modules or run code the scan cannot see
_CALLS = {
    "exec": "runs code from a string with exec()",
    "eval": "runs code from a string with eval()",
    "compile": "compiles code from a string",
    "__import__": "imports a module through __import__()",
    "globals": "edits the notebook's globals()",
    "setattr": "sets an attribute with setattr()",
    "delattr": "deletes an attribute with delattr()",
}
_MODULES = {
    "importlib": "uses importlib (reloading or replacing modules)",
    "ctypes": "uses ctypes",
    "gc": "uses the garbage collector's object graph (gc)",
    "unittest": "uses unittest (mock patching)",
    "builtins": "imports builtins",
    "inspect": "uses inspect (reaching into frames)",
}
# attributes that reach into objects' internals (patching without an assignment)
_DUNDERS = {"__dict__", "__setattr__", "__delattr__", "__globals__", "__builtins__",
            "__code__", "__closure__", "__subclasses__", "__getattribute__", "__import__",
            "__loader__", "__spec__", "__defaults__", "__kwdefaults__", "__bases__", "__mro__"}
# names a test cell may use that a student must never rebind
_PROTECTED_BUILTINS = {
    "AssertionError", "Exception", "BaseException", "isinstance", "all", "any", "abs",
    "float", "int", "len", "range", "print", "bool", "round", "max", "min", "sum",
    "callable", "getattr", "hasattr", "type", "repr", "str", "list", "tuple", "dict",
    "zip", "enumerate", "sorted", "map", "__builtins__", "__import__",
}


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every parsed node
        return "an expression"


def imported_names(sources: list[str]) -> set[str]:
    """Names bound by imports in ``sources`` (the locked cells)."""
    names: set[str] = set()
    for src in sources:
        tree = _parse(src)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update((a.asname or a.name).split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                names.update(a.asname or a.name for a in node.names)
    return names


def used_names(sources: list[str]) -> set[str]:
    """Every plain name that ``sources`` (the test cells) read."""
    names: set[str] = set()
    for src in sources:
        tree = _parse(src)
        if tree is not None:
            names.update(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))
    return names


def _parse(src: str) -> ast.Module | None:
    lines = [ln for ln in src.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return None


def _bound_names(node: ast.AST) -> list[str]:
    """Names a statement binds in the cell's namespace (top level or global)."""
    out: list[str] = []
    targets: list[ast.AST] = []
    if isinstance(node, (ast.Assign,)):
        targets = list(node.targets)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
        targets = [node.target]
    elif isinstance(node, (ast.For, ast.AsyncFor)):
        targets = [node.target]
    elif isinstance(node, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
    elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        out.append(node.name)
    elif isinstance(node, ast.Import):
        out.extend((a.asname or a.name).split(".")[0] for a in node.names)
    elif isinstance(node, ast.ImportFrom):
        out.extend(a.asname or a.name for a in node.names)
    for t in targets:
        for n in ast.walk(t):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                out.append(n.id)
    return out


def scan_source(src: str, modules: set[str], protected: set[str]) -> list[str]:
    """Findings for one cell's source. ``modules``: names bound to modules by the
    locked cells and the cell itself; ``protected``: names the tests rely on."""
    tree = _parse(src)
    if tree is None:
        return []  # a syntax error is graded as one (the cell simply fails)
    modules = set(modules)
    findings: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                modules.add((a.asname or a.name).split(".")[0])
                if a.name.split(".")[0] in _MODULES:
                    findings.append(_MODULES[a.name.split(".")[0]])
        elif isinstance(node, ast.ImportFrom):
            base = (node.module or "").split(".")[0]
            if base in _MODULES:
                findings.append(_MODULES[base])
            for a in node.names:
                # `from nbutils import checks`, `from numpy import testing`: modules too
                modules.add(a.asname or a.name)
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        for t in targets:
            for sub in ast.walk(t):
                if isinstance(sub, (ast.Attribute, ast.Subscript)) and isinstance(
                        sub.ctx, (ast.Store, ast.Del)):
                    root = _root_name(sub)
                    text = _dotted(sub)
                    if root in modules or root in {"sys", "__builtins__"}:
                        findings.append(f"replaces `{text}` (part of a module the tests use)")
                    elif "__dict__" in text or "__globals__" in text or "__code__" in text:
                        findings.append(f"writes to `{text}`")
        if isinstance(node, ast.Attribute) and node.attr in _DUNDERS:
            findings.append(f"reaches into `{_dotted(node)}`")
        elif isinstance(node, ast.Attribute) and node.attr in ("_getframe", "modules") \
                and _root_name(node) == "sys" and not isinstance(node.ctx, ast.Store):
            findings.append(f"uses `{_dotted(node)}`")
        if isinstance(node, ast.Name) and node.id == "__builtins__":
            findings.append("uses `__builtins__`")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and node.value in _DUNDERS:
            findings.append(f"names `{node.value}` in a string (getattr tricks)")
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name in _CALLS:
                if name in ("setattr", "delattr"):
                    root = _root_name(node.args[0]) if node.args else None
                    if root is None or root in modules or root == "sys":
                        findings.append(f"{_CALLS[name]} on `{_dotted(node.args[0])}`"
                                        if node.args else _CALLS[name])
                else:
                    findings.append(_CALLS[name])
            elif name == "vars" and node.args and _root_name(node.args[0]) in modules:
                findings.append(f"edits `vars({_dotted(node.args[0])})`")
            func = _dotted(node.func)
            if func in ("sys.settrace", "sys.setprofile", "sys.modules.update",
                        "sys.modules.pop", "sys.modules.setdefault"):
                findings.append(f"calls `{func}`")
            if func.endswith(".reload"):
                findings.append(f"reloads a module (`{func}`)")
        if isinstance(node, ast.Global):
            # a `global x` inside a function can rebind protected names from there
            for n in node.names:
                if n in protected:
                    findings.append(f"rebinds `{n}` through `global`, which the tests rely on")
    for stmt in ast.walk(tree):
        if not isinstance(stmt, ast.stmt) and not isinstance(stmt, ast.NamedExpr):
            continue
        if _inside_function(tree, stmt):
            continue
        for name in _bound_names(stmt):
            if name in protected:
                findings.append(f"rebinds `{name}`, which the tests rely on")
    return _unique(findings)


def _inside_function(tree: ast.Module, target: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            if node is target:
                continue
            for sub in ast.walk(node):
                if sub is target and sub is not node:
                    return True
    return False


def _unique(items: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def scan_notebook(submission: Path, source: Path) -> list[str]:
    """Findings for a submitted notebook, judged against its source notebook.

    Cells the student could not edit (locked cells of the source, matched by
    grade_id) are skipped: nbgrader restores them anyway. Each finding names
    the cell. Returns [] for an unreadable file (grading reports that).
    """
    try:
        sub = json.loads(Path(submission).read_text(encoding="utf-8"))
        src = json.loads(Path(source).read_text(encoding="utf-8"))
        sub_cells = [c for c in sub["cells"] if c.get("cell_type") == "code"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    locked = {_meta(c).get("grade_id") for c in src["cells"]
              if _meta(c).get("locked") and _meta(c).get("grade_id")}
    locked_src = ["".join(c.get("source", "")) for c in src["cells"]
                  if c.get("cell_type") == "code" and _meta(c).get("locked")]
    test_src = ["".join(c.get("source", "")) for c in src["cells"]
                if c.get("cell_type") == "code" and _meta(c).get("grade")
                and not _meta(c).get("solution")]
    modules = imported_names(locked_src)
    uses = used_names(test_src)
    protected = modules | (uses & _PROTECTED_BUILTINS)
    protected -= _student_defined(src)
    findings: list[str] = []
    for i, cell in enumerate(sub_cells):
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}
        if meta.get("grade_id") in locked:
            continue
        source = cell_source(cell)
        where = f"cell {meta.get('grade_id') or cell.get('id') or i + 1!r}"
        for finding in scan_source(source, modules, protected):
            findings.append(f"{where} {finding}")
    return findings


def _student_defined(src: dict) -> set[str]:
    """Names the answer cells of the source define (the student must define them)."""
    names: set[str] = set()
    for c in src["cells"]:
        if c.get("cell_type") == "code" and _meta(c).get("solution"):
            tree = _parse("".join(c.get("source", "")))
            if tree is not None:
                for stmt in tree.body:
                    names.update(_bound_names(stmt))
    return names

