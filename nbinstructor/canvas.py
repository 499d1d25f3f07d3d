"""Grades for Canvas: nbgrader's ``grades.csv`` as a gradebook file Canvas imports as it is.

Canvas imports the file its own gradebook export writes (Grades > Export, then
Grades > Import): the columns ``Student, ID, SIS User ID, SIS Login ID,
Section``, then one column per assignment, and a second row
``Points Possible``. An assignment column named like an existing assignment,
``01_neuron (4711)`` with Canvas's id, updates that assignment; a column named
``01_neuron`` alone creates it (with the points possible of that row).

The roster is that export itself: it says who is in the class and under which
Canvas ids. A student is matched to nbgrader's student id (the JupyterHub user
name) by one roster column, ``SIS Login ID`` unless told otherwise. A student
on the roster without a submission gets 0; a submission from someone not on
the roster is never dropped: it is listed in the report and in
``canvas-not-on-roster.csv`` beside the gradebook file, for the instructor to
resolve.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"
MATCH_BY = {"sis_login_id": "SIS Login ID", "sis_user_id": "SIS User ID", "id": "ID"}
# "01_neuron (4711)": an assignment column of a Canvas export, with Canvas's id
_WITH_ID = re.compile(r"^(?P<name>.*\S)\s+\((?P<id>\d+)\)$")


class RosterError(ValueError):
    """A roster file that is not a Canvas gradebook export."""


@dataclass
class Export:
    """What :func:`write_gradebook` wrote, and whom it could not place."""

    path: Path
    students: int
    assignments: list[str]
    no_submission: dict[str, list[str]] = field(default_factory=dict)  # login -> assignments
    not_on_roster: list[dict] = field(default_factory=list)  # grades.csv rows

    def lines(self) -> list[str]:
        out = [f"Canvas gradebook: {self.path} ({self.students} students, "
               f"{len(self.assignments)} assignments; import it with Grades > Import)"]
        if self.no_submission:
            out.append(f"  {len(self.no_submission)} on the roster with no submission for "
                       "some assignment: 0 there (" + ", ".join(sorted(self.no_submission))
                       + ")")
        if self.not_on_roster:
            names = sorted({r["student_id"] for r in self.not_on_roster})
            out.append(f"  ✗ {len(names)} graded but not on the roster, left out of the "
                       f"Canvas file and listed in {self.path.parent / 'canvas-not-on-roster.csv'}"
                       ": " + ", ".join(names))
        return out


def read_roster(path: Path) -> tuple[list[dict], list[str]]:
    """The students of a Canvas gradebook export, and its header.

    Skips the ``Points Possible`` row (and any other row with no student id).
    """
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    if not rows or any(col not in rows[0] for col in IDENTITY):
        raise RosterError(f"{path}: not a Canvas gradebook export; its first row must have "
                          f"the columns {', '.join(IDENTITY)}")
    header = rows[0]
    students = [dict(zip(header, row, strict=False)) for row in rows[1:]]
    students = [s for s in students
                if s.get("ID", "").strip() and s.get("Student", "").strip() != POINTS_POSSIBLE]
    return students, header


def _column_names(assignments: list[str], header: list[str]) -> dict[str, str]:
    """Each assignment's column: the roster's own ``name (id)`` when it has one."""
    existing = {}
    for col in header[len(IDENTITY):]:
        m = _WITH_ID.match(col)
        if m:
            existing[m["name"]] = col
    return {a: existing.get(a, a) for a in assignments}


def _number(text: str) -> str:
    value = float(text or 0)
    return f"{value:g}"


def write_gradebook(grades_csv: Path, roster_csv: Path, out: Path,
                    match_by: str = "sis_login_id",
                    submitted: set[tuple[str, str]] | None = None) -> Export:
    """Write ``out``, a Canvas gradebook CSV, from nbgrader's export and a roster.

    ``submitted``: the (student id, assignment) pairs that were handed in, when
    the caller knows them; else a row of the export with a timestamp counts.
    """
    key = MATCH_BY[match_by]
    roster, header = read_roster(roster_csv)
    with open(grades_csv, newline="") as f:
        grades = list(csv.DictReader(f))
    assignments = sorted({r["assignment"] for r in grades})
    points = {r["assignment"]: _number(r["max_score"]) for r in grades}
    scores = {(r["student_id"], r["assignment"]): r for r in grades}
    on_roster = {s[key].strip() for s in roster}
    columns = _column_names(assignments, header)
    export = Export(Path(out), len(roster), assignments)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*IDENTITY, *(columns[a] for a in assignments)])
        writer.writerow([POINTS_POSSIBLE, "", "", "", "", *(points[a] for a in assignments)])
        for student in roster:
            login = student[key].strip()
            row = [student.get(col, "") for col in IDENTITY]
            missing = [a for a in assignments
                       if not _submitted(scores.get((login, a)), submitted)]
            if missing:
                export.no_submission[login] = missing
            writer.writerow(row + [_number(scores[(login, a)]["score"])
                                   if (login, a) in scores else "0" for a in assignments])
    # everyone in nbgrader's gradebook is there because they were graded or added
    export.not_on_roster = [r for r in grades if r["student_id"] not in on_roster]
    _write_strays(export)
    return export


def _submitted(row: dict | None, submitted: set | None) -> bool:
    """Whether nbgrader's export row stands for a submission."""
    if row is None:
        return False
    if submitted is not None:
        return (row["student_id"], row["assignment"]) in submitted
    return row.get("timestamp", "").strip() not in ("", "None")


def _write_strays(export: Export) -> None:
    path = export.path.parent / "canvas-not-on-roster.csv"
    if not export.not_on_roster:
        path.unlink(missing_ok=True)
        return
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(export.not_on_roster[0]))
        writer.writeheader()
        writer.writerows(export.not_on_roster)
