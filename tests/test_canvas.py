"""The Canvas gradebook file: the export's columns, the roster's students, nobody dropped."""

import csv

import pytest

from nbinstructor import canvas

# a roster as Canvas's gradebook export writes it: a BOM, the identity columns,
# an assignment that already exists in Canvas (with its id), the points row,
# and the test student Canvas adds to every course
ROSTER = ("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,01_neuron (4711),"
          "Current Score\n"
          "    Points Possible,,,,,12,(read only)\n"
          '"Lovelace, Ada",101,S-101,ada,NN 2026,,\n'
          '"Turing, Alan",102,S-102,alan,NN 2026,,\n'
          '"Hopper, Grace",103,S-103,grace,NN 2026,,\n'
          '"Student, Test",999,,test_student,NN 2026,,\n')
HEADER = ("assignment,duedate,timestamp,student_id,last_name,first_name,email,raw_score,"
          "late_submission_penalty,score,max_score\n")


def nbgrader_row(assignment, student, score, max_score, timestamp="2026-12-07 10:00:00"):
    """One row as `nbgrader export` writes it (a missing submission: empty timestamp)."""
    return (f"{assignment},,{timestamp},{student},,,,{score},0.0,{score},{max_score}\n")


@pytest.fixture
def files(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    grades = tmp_path / "grades.csv"
    grades.write_text(HEADER
                      + nbgrader_row("01_neuron", "ada", 12.0, 12.0)
                      + nbgrader_row("01_neuron", "alan", 7.5, 12.0)
                      + nbgrader_row("01_neuron", "grace", 0.0, 12.0, timestamp="")
                      + nbgrader_row("01_neuron", "mallory", 3.0, 12.0)
                      + nbgrader_row("02_feedforward", "ada", 10.0, 14.0)
                      + nbgrader_row("02_feedforward", "alan", 0.0, 14.0, timestamp="")
                      + nbgrader_row("02_feedforward", "grace", 0.0, 14.0, timestamp="")
                      + nbgrader_row("02_feedforward", "mallory", 0.0, 14.0, timestamp=""))
    return grades, roster, tmp_path / "canvas.csv"


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_the_file_has_canvas_columns_and_the_points_row(files):
    grades, roster, out = files
    canvas.write_gradebook(grades, roster, out)
    rows = read(out)
    # the existing assignment keeps Canvas's id, so the import updates it;
    # the new one is created by name; read-only columns are not written back
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "01_neuron (4711)", "02_feedforward"]
    assert rows[1] == ["Points Possible", "", "", "", "", "12", "14"]


def test_every_roster_student_gets_a_score_and_no_submission_is_zero(files):
    grades, roster, out = files
    export = canvas.write_gradebook(grades, roster, out)
    by_login = {r[3]: r for r in read(out)[2:]}
    assert set(by_login) == {"ada", "alan", "grace", "test_student"}
    assert by_login["ada"][:5] == ["Lovelace, Ada", "101", "S-101", "ada", "NN 2026"]
    assert by_login["ada"][5:] == ["12", "10"]
    assert by_login["alan"][5:] == ["7.5", "0"]
    assert by_login["grace"][5:] == ["0", "0"]
    assert by_login["test_student"][5:] == ["0", "0"]  # not in nbgrader's gradebook at all
    assert export.no_submission == {"alan": ["02_feedforward"],
                                    "grace": ["01_neuron", "02_feedforward"],
                                    "test_student": ["01_neuron", "02_feedforward"]}


def test_a_submission_from_someone_not_on_the_roster_is_reported_not_dropped(files):
    grades, roster, out = files
    export = canvas.write_gradebook(grades, roster, out)
    assert "mallory" not in {r[3] for r in read(out)}
    strays = list(csv.DictReader(open(out.parent / "canvas-not-on-roster.csv")))
    assert {(r["student_id"], r["assignment"], r["score"]) for r in strays} == {
        ("mallory", "01_neuron", "3.0"), ("mallory", "02_feedforward", "0.0")}
    report = "\n".join(export.lines())
    assert "not on the roster" in report and "mallory" in report


def test_students_can_be_matched_by_another_roster_column(files, tmp_path):
    grades, roster, out = files
    text = grades.read_text().replace(",ada,", ",S-101,").replace(",alan,", ",S-102,")
    grades.write_text(text)
    canvas.write_gradebook(grades, roster, out, match_by="sis_user_id")
    by_login = {r[3]: r[5:] for r in read(out)[2:]}
    assert by_login["ada"] == ["12", "10"] and by_login["alan"] == ["7.5", "0"]


def test_the_caller_may_say_what_was_handed_in(files):
    grades, roster, out = files
    export = canvas.write_gradebook(grades, roster, out,
                                    submitted={("ada", "01_neuron"), ("alan", "01_neuron")})
    assert export.no_submission["ada"] == ["02_feedforward"]


def test_a_file_that_is_not_a_canvas_export_is_refused_in_plain_words(tmp_path, files):
    grades, _roster, out = files
    bad = tmp_path / "names.csv"
    bad.write_text("name,email\nAda,ada@example.org\n")
    with pytest.raises(canvas.RosterError, match="not a Canvas gradebook export"):
        canvas.write_gradebook(grades, bad, out)
    assert not out.exists()


def canvas_would_read(rows):
    """The rules of Canvas's gradebook importer (GradebookImporter in canvas-lms):
    a header with Student, ID, SIS User ID, SIS Login ID and then Section as the
    fifth column; a row whose first cell holds "Points Possible"; student rows
    matched by their Canvas ID (second column). Returns {ID: {column: grade}}."""
    header = rows[0]
    assert header[0].find("Student") >= 0 and "ID" in header[1]
    assert header[2] == "SIS User ID" and header[3] == "SIS Login ID"
    assert "Section" in header[4], "the fifth column must be the Section"
    students = {}
    for row in rows[1:]:
        assert len(row) == len(header), "every row has every column"
        if "Points Possible" in row[0]:
            assert all(float(p) > 0 for p in row[5:])
            continue
        assert row[1].isdigit(), "a student row carries the student's Canvas ID"
        students[row[1]] = {col: float(g) for col, g in zip(header[5:], row[5:], strict=True)}
    return students


def test_canvas_importer_rules_accept_the_file(files):
    grades, roster, out = files
    canvas.write_gradebook(grades, roster, out)
    students = canvas_would_read(read(out))
    assert students["101"] == {"01_neuron (4711)": 12.0, "02_feedforward": 10.0}
    assert set(students) == {"101", "102", "103", "999"}
