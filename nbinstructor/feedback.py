"""Feedback for each student and a summary for the class, from nbgrader's results.

Feedback (``feedback/<student>/<assignment>/<nb>.html``) lists every graded
check: points, passed or failed, and the message the check printed. It never
shows the hidden tests: a test cell is shown as the student's version (hidden
part removed by nbgrader), and of an error only its name and message are kept,
never the traceback (IPython tracebacks quote the source lines).

The summary (``grading/summary.md``, ``.html`` and ``.png``) gives for every
exercise the score distribution and the most common failures.

What went wrong is read as data, never from the wording: a failed check leaves
in its cell, beside the error, a record (:data:`nbutils.checks.RECORD_MIME`:
the check, the kind of problem, the hints shown). The page names the kind; the
summary counts a failure by its first hint, else by its kind. Only an error
that is not a check's (a name left undefined, a test cell's own assert) is
counted by its text (:func:`signature`).
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections import Counter
from pathlib import Path

from nbutils.checks import RECORD_MIME

from . import cell_source, nbgrader_meta

MAX_TEXT = 3000  # characters of output kept per cell (a cell may print megabytes)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... ({len(text) - limit:,} more characters not shown)"


def cell_output(cell: dict) -> tuple[bool, str]:
    """(ran without error, sanitized text) of an executed code cell."""
    texts: list[str] = []
    error = None
    size = 0
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            t = out.get("text", "")
            t = "".join(t) if isinstance(t, list) else t
        elif kind in ("execute_result", "display_data"):
            t = out.get("data", {}).get("text/plain", "")
            t = ("".join(t) if isinstance(t, list) else t) + "\n"
        elif kind == "error":
            error = (out.get("ename", "Error"), str(out.get("evalue", "")))
            continue
        else:
            continue
        if size < MAX_TEXT * 2:  # never join megabytes
            texts.append(t[: MAX_TEXT * 2])
        size += len(t)
    text = _clip(_ANSI.sub("", "".join(texts)).strip(), MAX_TEXT)
    if size > MAX_TEXT * 2:
        text += f"\n... (the cell printed {size:,} characters in all)"
    if error is not None:
        ename, evalue = error
        evalue = _ANSI.sub("", evalue).strip()
        if ename == "CellTimeoutError":
            text += "\nthe cell ran longer than the time limit and was interrupted"
        elif evalue and evalue not in text:
            text += f"\n{ename}: {_clip(evalue, 1000)}"
        elif not evalue:
            text += f"\n{ename} (a check failed)"
    return error is None, text.strip()


def check_record(cell: dict) -> dict | None:
    """The record a failed check left in an executed cell (kind, hints, ...), or None."""
    for out in cell.get("outputs", []):
        record = out.get("data", {}).get(RECORD_MIME) if isinstance(out, dict) else None
        if isinstance(record, dict):
            return record
    return None


def _notebooks(folder: Path) -> dict[str, dict]:
    out = {}
    for path in sorted(folder.glob("*.ipynb")):
        try:
            out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return out


def annotate(course, result) -> dict[str, dict]:
    """Add ``ok`` and ``message`` to each of ``result.cells`` (from the autograded
    notebooks); returns the autograded notebooks by name."""
    graded = _notebooks(course.autograded / result.student / result.assignment)
    hidden = hidden_lines(course.source(result.assignment))
    by_id = {}
    for name, nb in graded.items():
        for cell in nb.get("cells", []):
            m = nbgrader_meta(cell)
            if cell.get("cell_type") == "code" and m.get("grade") and not m.get("solution"):
                by_id[(name, m.get("grade_id"))] = cell
    for c in result.cells:
        cell = by_id.get((c["notebook"], c["id"]))
        if result.outcome in ("failed", "timed out") or cell is None:
            c["ok"], c["message"] = False, f"not graded: {result.reason}"
            continue
        ok, text = cell_output(cell)
        c["ok"] = ok and c["score"] >= c["max"]
        record = check_record(cell) if not ok else None
        if record is not None:
            c["kind"] = str(record.get("label") or record.get("kind") or "")
            c["detail"] = str(record.get("detail") or "")
            c["check"] = str(record.get("check") or "")
            c["hints"] = [withhold(str(h), hidden) for h in record.get("hints", [])]
        if not ok and result.left_out:
            hint = _left_out_hint(text, result.left_out)
            if hint:
                text += f"\nhint: {hint}"
                c["hints"] = [hint] + c.get("hints", [])
        c["message"] = withhold(text, hidden)
    return graded


WITHHELD = "[line withheld: it quotes a hidden test]"


def hidden_lines(source_notebook: Path) -> list[str]:
    """The lines of the source notebook's hidden tests that are not also in its
    visible part (what no feedback may show).

    The tests run in the grader and the sandbox keeps the files out of a
    kernel's reach; this is the last net: the feedback drops any line that
    quotes one.
    """
    try:
        cells = json.loads(Path(source_notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return []
    lines, visible = set(), set()
    for cell in cells:
        source = cell_source(cell)
        if "### BEGIN HIDDEN TESTS" in source:
            lines |= {"### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"}
        parts = source.split("### BEGIN HIDDEN TESTS")
        visible |= {ln.strip() for ln in parts[0].splitlines()}
        for part in parts[1:]:
            body, _, after = part.partition("### END HIDDEN TESTS")
            lines |= {ln.strip() for ln in body.splitlines() if len(ln.strip()) >= 6}
            visible |= {ln.strip() for ln in after.splitlines()}
    return sorted(lines - visible, key=len, reverse=True)


def withhold(text: str, hidden: list[str]) -> str:
    """``text`` with every line that contains a hidden test's line replaced."""
    if not hidden:
        return text
    return "\n".join(WITHHELD if any(h in ln for h in hidden) else ln
                     for ln in text.splitlines())


CSS = """body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;color:#222}
pre{background:#f6f6f6;padding:.6em;overflow-x:auto;white-space:pre-wrap}
.ok{color:#17702a}.bad{color:#b3261e}.box{border:1px solid #ddd;border-radius:6px;
padding:.2em 1em;margin:1em 0}.note{background:#fff4e5;border-left:4px solid #e8a13a;
padding:.5em 1em}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.3em .6em}"""


def write_feedback(course, result) -> list[Path]:
    """Write the HTML feedback of one submission; returns the files written."""
    graded = annotate(course, result)
    release = {}
    rel_path = course.release_copy(result.assignment)
    if rel_path.exists():
        release = json.loads(rel_path.read_text(encoding="utf-8"))
    visible = {nbgrader_meta(c).get("grade_id"): cell_source(c) for c in release.get("cells", [])}
    names = sorted({c["notebook"] for c in result.cells}) or [result.assignment]
    written = []
    for name in names:
        e = html.escape
        parts = [f"<!doctype html><meta charset=utf-8><title>{e(result.assignment)}: "
                 f"{e(result.student)}</title><style>{CSS}</style>",
                 f"<h1>{e(name)}</h1><p>Student <b>{e(result.student)}</b>: "
                 f"<b>{result.score:g} of {result.max_score:g} points</b>.</p>"]
        if result.outcome != "graded" or result.reason:
            parts.append(f"<p class=note><b>{e(result.outcome)}</b>: {e(result.reason)}</p>")
        parts.append("<table><tr><th>exercise</th><th>points</th><th></th>"
                     "<th>what went wrong</th></tr>")
        cells = [c for c in result.cells if c["notebook"] == name]
        for c in cells:
            mark = "<span class=ok>✓ passed</span>" if c.get("ok") else \
                "<span class=bad>✗ failed</span>"
            parts.append(f"<tr><td><a href='#{e(c['id'])}'>{e(c['id'])}</a></td>"
                         f"<td>{c['score']:g} / {c['max']:g}</td><td>{mark}</td>"
                         f"<td>{e(_kind_text(c))}</td></tr>")
        parts.append("</table>")
        answers = [c for c in graded.get(name, {}).get("cells", [])
                   if nbgrader_meta(c).get("solution") and not nbgrader_meta(c).get("grade")]
        own = _left_out_answers(course, result, name)
        for c in cells:
            mark = "✓" if c.get("ok") else "✗"
            kind = f" — {e(_kind_text(c))}" if _kind_text(c) else ""
            parts.append(f"<div class=box id='{e(c['id'])}'><h3>{mark} {e(c['id'])}: "
                         f"{c['score']:g} of {c['max']:g} points{kind}</h3>")
            parts.append(f"<pre>{e(c.get('message') or '(no output)')}</pre>")
            if c["id"] in visible:
                parts.append("<details><summary>the visible checks of this exercise "
                             "(more checks ran, hidden)</summary>"
                             f"<pre>{e(visible[c['id']])}</pre></details>")
            parts.append("</div>")
        if answers:
            parts.append("<h2>Your answers</h2>")
            for cell in answers:
                gid = nbgrader_meta(cell).get("grade_id")
                if gid in own:  # graded without it: show what the student wrote
                    why = own[gid][1]
                    parts.append(f"<p class=note>Your <b>{e(gid)}</b> cell, as you handed "
                                 f"it in. It was left out when grading: {e(why)}.</p>")
                    parts.append(f"<pre>{e(_clip(own[gid][0], 6000))}</pre>")
                else:
                    parts.append(f"<pre>{e(_clip(cell_source(cell), 6000))}</pre>")
        path = course.feedback / result.student / result.assignment / f"{name}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(parts), encoding="utf-8")
        written.append(path)
    _copy_timestamp(course, result)
    return written


def _copy_timestamp(course, result) -> None:
    """The hand-in's timestamp.txt and submission_secret.txt beside its feedback, as
    nbgrader's generate_feedback leaves them: ``nbgrader release_feedback`` reads both
    to tell which hand-in the feedback answers (and the secret makes its file name)."""
    for name in ("timestamp.txt", "submission_secret.txt"):
        src = course.submitted / result.student / result.assignment / name
        if src.is_file():
            dest = course.feedback / result.student / result.assignment / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)


_NOT_DEFINED = re.compile(r"NameError: name '(\w+)' is not defined")


def _left_out_hint(message: str, left_out: list) -> str:
    """A hint when a test failed only because a left-out cell defined what it calls
    (read from Python's NameError, not from a check's words)."""
    for name in _NOT_DEFINED.findall(message):
        for c in left_out:
            if name in c.get("defines", ()):
                return (f"{name} was not defined because {c['cell']} was left out "
                        "when grading (it stopped the kernel or never finished)")
    return ""


def _left_out_answers(course, result, name: str) -> dict[str, tuple[str, str]]:
    """{grade_id: (the student's source, why it was left out)} for the answer cells
    of notebook ``name`` that were graded as a placeholder (``result.left_out``)."""
    left = [c for c in result.left_out if c.get("notebook") == name and c.get("grade_id")]
    if not left:
        return {}
    path = course.submitted / result.student / result.assignment / f"{name}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return {}
    sources = {nbgrader_meta(c).get("grade_id"): cell_source(c)
               for c in cells if isinstance(c, dict)}
    return {c["grade_id"]: (sources[c["grade_id"]], c["why"])
            for c in left if c["grade_id"] in sources}


def _kind_text(cell: dict) -> str:
    """The kind of problem a failed cell's check recorded, with its detail ("" if none)."""
    kind = str(cell.get("kind") or "")
    detail = str(cell.get("detail") or "")
    return f"{kind} ({detail})" if kind and detail else kind


# ------------------------------------------------------------------ summary


def failure_label(cell: dict) -> str:
    """What a failed cell counts as in the summary, read from its check's record: the
    first hint shown, else the kind of problem and the check that found it. Only a
    failure no check recorded (an error of Python's, a test cell's own assert) is
    counted by its text."""
    if cell.get("hints"):
        return str(cell["hints"][0])
    if cell.get("kind"):
        check = cell.get("check") or ""
        return f"{check}: {_kind_text(cell)}" if check else _kind_text(cell)
    return signature(cell.get("message", ""))


def signature(message: str) -> str:
    """The gist of a failure message that carries no check record, with its numbers
    taken out, for counting."""
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith("hint:"):
            return ln[5:].strip()
    if "not written yet" in message:
        return "not written yet (the stub was left in place)"
    if message.startswith("not graded:"):
        return message.split(":", 2)[1].strip() if "scored" in message else message
    for key in ("problem:", "raised ", "is a ", "Error:", "Error"):
        for ln in lines:
            if key in ln:
                return _normalise(ln.split("problem:", 1)[-1])
    return _normalise(lines[-1]) if lines else "(no message)"


def _normalise(text: str) -> str:
    text = re.sub(r"array\(.*?\) with shape", "array(...) with shape", text)
    text = re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "#", text)
    return text[:100]


def summarise(results: list) -> list[dict]:
    """Per exercise: points, distribution of scores, counts, top failure messages."""
    rows: dict[tuple, dict] = {}
    for r in results:
        if r.outcome == "pending":
            continue
        for c in r.cells:
            key = (r.assignment, c["id"])
            row = rows.setdefault(key, {"assignment": r.assignment, "exercise": c["id"],
                                        "max": c["max"], "scores": [], "failures": Counter()})
            row["scores"].append(c["score"])
            if c["score"] < c["max"]:
                if r.outcome in ("failed", "timed out"):
                    row["failures"][f"{r.outcome}: {r.reason.split(':')[0]}"] += 1
                else:
                    row["failures"][failure_label(c)] += 1
    out = []
    for (_a, _e), row in sorted(rows.items()):
        s = row["scores"]
        row["n"] = len(s)
        row["mean"] = sum(s) / len(s) if s else 0.0
        row["full"] = sum(1 for v in s if v >= row["max"])
        row["zero"] = sum(1 for v in s if v <= 0)
        row["partial"] = row["n"] - row["full"] - row["zero"]
        row["distribution"] = dict(sorted(Counter(s).items()))
        row["top"] = row["failures"].most_common(3)
        out.append(row)
    return out


def write_summary(course, results: list) -> list[Path]:
    rows = summarise(results)
    out = course.grading
    out.mkdir(parents=True, exist_ok=True)
    md = ["# Class summary", "",
          f"{len({r.student for r in results})} students, "
          f"{sum(1 for r in results if r.outcome != 'pending')} submissions graded.", "",
          "| exercise | points | mean | full | partial | zero | scores (score: students) "
          "| most common failures |",
          "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        dist = ", ".join(f"{k:g}: {v}" for k, v in row["distribution"].items())
        top = "; ".join(f"{m} ({n})" for m, n in row["top"]) or "-"
        md.append(f"| {row['assignment']}: {row['exercise']} | {row['max']:g} | "
                  f"{row['mean']:.2f} | {row['full']} | {row['partial']} | {row['zero']} | "
                  f"{dist} | {top.replace('|', '/')} |")
    special = [r for r in results if r.outcome not in ("graded", "pending")]
    if special:
        md += ["", "## Submissions that were not graded normally", "",
               "| student | assignment | what happened |", "| --- | --- | --- |"]
        for r in sorted(special, key=lambda r: (r.assignment, r.student)):
            md.append(f"| {r.student} | {r.assignment} | {r.outcome}: "
                      f"{r.reason.replace('|', '/')} |")
    md_path = out / "summary.md"
    md_path.write_text("\n".join(md) + "\n", encoding="utf-8")
    (out / "summary.json").write_text(json.dumps(
        [{k: (v if k != "failures" else dict(v)) for k, v in row.items()} for row in rows],
        indent=1, default=str))
    png = plot_summary(rows, out / "summary.png")
    html_path = out / "summary.html"
    body = [f"<!doctype html><meta charset=utf-8><title>Class summary</title>"
            f"<style>{CSS}</style><h1>Class summary</h1><img src='summary.png' "
            "style='max-width:100%'><table><tr><th>exercise</th><th>points</th><th>mean</th>"
            "<th>full</th><th>partial</th><th>zero</th><th>most common failures</th></tr>"]
    for row in rows:
        top = "<br>".join(f"{html.escape(m)} ({n})" for m, n in row["top"]) or "-"
        body.append(f"<tr><td>{html.escape(row['assignment'])}: "
                    f"{html.escape(row['exercise'])}</td><td>{row['max']:g}</td>"
                    f"<td>{row['mean']:.2f}</td><td>{row['full']}</td><td>{row['partial']}</td>"
                    f"<td>{row['zero']}</td><td>{top}</td></tr>")
    body.append("</table>")
    html_path.write_text("\n".join(body), encoding="utf-8")
    return [md_path, html_path, png]


def plot_summary(rows: list[dict], path: Path) -> Path:
    """One bar per exercise: share of the class with full, partial and zero marks,
    and the most common failure message beside it."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    n = max(1, len(rows))
    fig = Figure(figsize=(12, 1.0 + 0.55 * n), layout="constrained")
    ax = fig.add_subplot()
    labels = [f"{r['assignment']}: {r['exercise']} ({r['max']:g} pt)" for r in rows]
    ys = list(range(len(rows)))[::-1]
    left = [0.0] * len(rows)
    for key, color, name in [("full", "#2e8540", "full marks"), ("partial", "#f0a030", "partial"),
                             ("zero", "#c0392b", "zero")]:
        vals = [r[key] / r["n"] if r["n"] else 0 for r in rows]
        ax.barh(ys, vals, left=left, color=color, label=name, height=0.6)
        for y, l0, v, r in zip(ys, left, vals, rows, strict=True):
            if v > 0.06:
                ax.text(l0 + v / 2, y, str(r[key]), ha="center", va="center", color="white",
                        fontsize=9, fontweight="bold")
        left = [a + b for a, b in zip(left, vals, strict=True)]
    for y, r in zip(ys, rows, strict=True):
        if r["top"]:
            msg, count = r["top"][0]
            msg = msg if len(msg) <= 70 else msg[:67] + "..."
            ax.text(1.02, y, f"{count}x {msg}", va="center", fontsize=8.5, color="#444")
    ax.set_yticks(ys, labels, fontsize=9)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the class")
    ax.set_title("Scores per exercise, and the most common failure")
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.35 / max(1, n) ** 0.5 - 0.12), ncols=3,
              fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return Path(path)
