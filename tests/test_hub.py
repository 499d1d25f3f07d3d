"""A class on the course's JupyterHub, end to end, in a real browser.

``tools/hub/setup`` makes a hub environment, an instructor and three students
(real accounts of this machine, with names of their own so a real class is
never touched); ``tools/hub/start`` runs JupyterHub and its proxy on loopback.
Then: the instructor releases 01; student A logs in, fetches it from the
Assignments tab, writes correct answers, validates and submits; student B
submits a wrong answer; student C submits nothing; the instructor collects,
grades with the sandboxed grader and releases feedback; A and B fetch their
feedback in the browser and see their scores; the export holds all three.
A student cannot read another's home, the others' submissions or the
instructor's course. At the end the hub is stopped and the accounts removed.

Answers reach the notebook through Jupyter's contents API in the student's
own browser session (what a save from the editor does), not by typing.
Needs root and useradd; without them the tests skip and say why.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from browser_support import CHROMIUM_ARGS, free_port, require_chromium
from harness import ROOT, answer_cells, cell_by_grade_id, nbgrader_meta, read

# one worker runs the whole module, in order: its tests are the steps of one round
# trip, and a second copy of the fixture would create and delete the same accounts
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("hub")]
NAME = "01_neuron"
COURSE_ID = "nn-from-scratch"
HUB_ROOT = Path("/opt/nn-hub-test")
INSTRUCTOR = "nnt-instructor"
STUDENTS = ["nnt-student-a", "nnt-student-b", "nnt-student-c"]
# the screenshots go with the test's artifacts; NN_UPDATE_SCREENSHOTS=1 writes the
# README's copies in docs/screenshots instead (a test run leaves the checkout as it was)
SHOTS = ROOT / ("docs/screenshots" if os.environ.get("NN_UPDATE_SCREENSHOTS") == "1"
                else "test-artifacts/hub")
WRONG_SIGMOID = "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n"


def _why_not() -> str:
    if os.geteuid() != 0:
        return "the hub test creates accounts: it needs root"
    if not shutil.which("useradd") or not shutil.which("chpasswd"):
        return "the hub test creates accounts: useradd/chpasswd are missing"
    return ""


def as_user(user: str, command: str, check: bool = True) -> subprocess.CompletedProcess:
    """``command`` in a login shell of ``user``, with the hub's environment first on PATH."""
    path = f"{HUB_ROOT}/venv/bin:/usr/bin:/bin"
    proc = subprocess.run(["su", "-", user, "-c", f"export PATH={path}; {command}"],
                          capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def remove_accounts() -> None:
    for user in [INSTRUCTOR, *STUDENTS]:
        subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
        subprocess.run(["userdel", "--remove", user], capture_output=True)


@pytest.fixture(scope="module")
def hub():
    why = _why_not()
    if why:
        pytest.skip(why)
    require_chromium()
    HUB_ROOT.mkdir(parents=True, exist_ok=True)
    lock = open(HUB_ROOT / ".test-lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)  # another pytest run on this machine waits its turn
    env = dict(os.environ, NN_HUB_ROOT=str(HUB_ROOT), NN_HUB_INSTRUCTOR=INSTRUCTOR,
               NN_HUB_STUDENTS=" ".join(STUDENTS), NN_HUB_PORT=str(free_port()),
               NN_HUB_API_PORT=str(free_port()), NN_HUB_PROXY_PORT=str(free_port()))
    remove_accounts()
    for stale in ("state", "exchange"):
        shutil.rmtree(HUB_ROOT / stale, ignore_errors=True)
    setup = subprocess.run([str(ROOT / "tools" / "hub" / "setup")], env=env,
                           capture_output=True, text=True, timeout=900)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    log = open(HUB_ROOT / "state" / "test-hub.log", "w")
    proc = subprocess.Popen([str(ROOT / "tools" / "hub" / "start")], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{env['NN_HUB_PORT']}"
    passwords = dict(line.split(":", 1) for line in
                     (HUB_ROOT / "state" / "passwords").read_text().split())
    try:
        _wait_for(url + "/hub/login", proc)
        yield {"url": url, "passwords": passwords, "env": env}
    finally:
        stop = subprocess.run([str(ROOT / "tools" / "hub" / "stop")], env=env,
                              capture_output=True, text=True, timeout=120)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        left = subprocess.run(["pgrep", "-f", f"{HUB_ROOT}/"], capture_output=True, text=True)
        remove_accounts()
        lock.close()
        assert "stopped" in stop.stdout, stop.stdout + stop.stderr
        assert not left.stdout.strip(), f"still running after make hub-stop: {left.stdout}"


def _wait_for(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            assert proc.poll() is None, (HUB_ROOT / "state" / "test-hub.log").read_text()
            assert time.monotonic() < deadline, "the hub did not answer in time"
            time.sleep(0.5)


class Student:
    """One person's browser session on the hub."""

    def __init__(self, browser, hub, user: str):
        self.user, self.hub = user, hub
        self.context = browser.new_context(viewport={"width": 1366, "height": 900})
        self.page = self.context.new_page()
        self.base = f"{hub['url']}/user/{user}"

    def log_in(self) -> None:
        page = self.page
        page.goto(self.hub["url"] + "/hub/login")
        page.fill("#username_input", self.user)
        page.fill("#password_input", self.hub["passwords"][self.user])
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{self.user}/lab**", timeout=120_000)
        page.wait_for_selector(".jp-LabShell", timeout=60_000)

    def assignments_tab(self) -> None:
        self.page.get_by_text("Nbgrader", exact=True).click()
        self.page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
        self.page.wait_for_selector("#released_assignments_list", timeout=30_000)

    def menu_items(self) -> list[str]:
        self.page.get_by_text("Nbgrader", exact=True).click()
        items = [t for t in self.page.locator(".lm-Menu-itemLabel").all_inner_texts() if t]
        self.page.keyboard.press("Escape")
        return items

    def fetch(self) -> None:
        self.page.locator("#released_assignments_list button", has_text="Fetch").click()
        self.page.wait_for_selector("#fetched_assignments_list .list_item", timeout=60_000)

    def save_answers(self, nb) -> None:
        """Write the notebook as the editor's save does: PUT to the contents API."""
        xsrf = next(c["value"] for c in self.context.cookies() if c["name"] == "_xsrf")
        reply = self.page.request.put(
            f"{self.base}/api/contents/{NAME}/{NAME}.ipynb",
            data=json.dumps({"type": "notebook", "format": "json", "content": nb}),
            headers={"X-XSRFToken": xsrf, "Content-Type": "application/json"})
        assert reply.ok, reply.text()

    def validate(self) -> str:
        self.page.locator("#fetched_assignments_list a.assignment-notebooks-link").click()
        self.page.locator("#fetched_assignments_list button", has_text="Validate").click()
        dialog = self.page.locator(".jp-Dialog")
        dialog.wait_for(timeout=180_000)
        text = dialog.inner_text()
        dialog.locator("button").last.click()
        return text

    def submit(self) -> None:
        self.page.locator("#fetched_assignments_list button", has_text="Submit").click()
        self.page.wait_for_selector("#submitted_assignments_list .list_item", timeout=60_000)

    def fetch_feedback(self) -> str:
        self.page.locator("#refresh_assignments_list").click()
        button = self.page.locator("#submitted_assignments_list button",
                                   has_text="Fetch Feedback")
        button.wait_for(timeout=60_000)
        button.click()
        link = self.page.locator("#submitted_assignments_list a", has_text="view feedback")
        link.first.wait_for(timeout=60_000)
        folder = Path(f"/home/{self.user}/{NAME}/feedback")
        page_path = next(folder.rglob(f"{NAME}.html")).relative_to(f"/home/{self.user}")
        feedback = self.context.new_page()
        feedback.goto(f"{self.base}/files/{page_path}")
        self.feedback_page = feedback
        return feedback.inner_text("body")


def answered(wrong: bool = False):
    """The fetched student notebook with the solutions written in (or a wrong sigmoid)."""
    nb = read(ROOT / "notebooks" / NAME / f"{NAME}.ipynb")
    src = read(ROOT / "solutions" / NAME / f"{NAME}.ipynb")
    for cell in answer_cells(nb):
        solution = cell_by_grade_id(src, nbgrader_meta(cell)["grade_id"]).source
        cell.source = "\n".join(line for line in solution.splitlines()
                                if "### BEGIN SOLUTION" not in line
                                and "### END SOLUTION" not in line) + "\n"
        if wrong and "def sigmoid" in cell.source:
            cell.source = WRONG_SIGMOID
    return nb


@pytest.fixture(scope="module")
def round_trip(hub):
    from playwright.sync_api import sync_playwright

    course = f"/home/{INSTRUCTOR}/{COURSE_ID}"
    as_user(INSTRUCTOR, f"cd {course} && nbgrader generate_assignment {NAME} --force "
                        f"&& nbgrader release_assignment {NAME} --force"
                        + "".join(f" && nbgrader db student add {s}" for s in STUDENTS))
    seen = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        a, b = Student(browser, hub, STUDENTS[0]), Student(browser, hub, STUDENTS[1])
        for student, wrong in ((a, False), (b, True)):
            student.log_in()
            seen[student.user] = {"menu": student.menu_items()}
            student.assignments_tab()
            student.fetch()
            student.save_answers(answered(wrong))
            seen[student.user]["validate"] = student.validate()
            student.submit()
            if student is a:
                SHOTS.mkdir(parents=True, exist_ok=True)
                student.page.screenshot(path=str(SHOTS / "student-assignments-tab.png"))
        as_user(INSTRUCTOR, f"cd {course} && nbgrader collect {NAME}")
        grade = subprocess.run([f"{HUB_ROOT}/venv/bin/nbutils-grade", "--course-dir", course],
                               capture_output=True, text=True, timeout=900)
        assert grade.returncode == 0, grade.stdout[-3000:] + grade.stderr[-3000:]
        subprocess.run(["chown", "-R", f"{INSTRUCTOR}:{INSTRUCTOR}", course], check=True)
        as_user(INSTRUCTOR, f"cd {course} && nbgrader release_feedback {NAME}")
        for student in (a, b):
            seen[student.user]["feedback"] = student.fetch_feedback()
        a.feedback_page.screenshot(path=str(SHOTS / "student-feedback.png"), full_page=False)
        browser.close()
    seen["grades"] = {r["student_id"]: r for r in csv.DictReader(open(f"{course}/grades.csv"))}
    seen["grader"] = grade.stdout
    return seen


def test_students_see_the_assignments_tab_and_not_the_formgrader(round_trip):
    for student in STUDENTS[:2]:
        menu = round_trip[student]["menu"]
        assert "Assignment List" in menu
        assert "Formgrader" not in menu


def test_validate_tells_each_student_where_they_stand(round_trip):
    assert "Success" in round_trip[STUDENTS[0]]["validate"]
    assert "Success" not in round_trip[STUDENTS[1]]["validate"]


def test_the_export_holds_all_three_with_their_scores(round_trip):
    grades = round_trip["grades"]
    assert set(grades) == set(STUDENTS)
    full = float(grades[STUDENTS[0]]["max_score"])
    assert float(grades[STUDENTS[0]]["score"]) == full
    assert 0 < float(grades[STUDENTS[1]]["score"]) < full  # its sigmoid's points lost only
    assert float(grades[STUDENTS[2]]["score"]) == 0
    assert grades[STUDENTS[2]]["timestamp"] == ""  # nothing handed in


def test_each_student_fetches_feedback_with_their_score(round_trip):
    grades = round_trip["grades"]
    for student in STUDENTS[:2]:
        text = round_trip[student]["feedback"]
        score, full = float(grades[student]["score"]), float(grades[student]["max_score"])
        assert f"{score:g} of {full:g} points" in text, text[:2000]
        assert "BEGIN HIDDEN TESTS" not in text


def test_a_student_cannot_read_others_or_the_course(round_trip):
    """B cannot read A's home, list the exchange's inbound (so cannot learn the names of
    others' hand-ins, which end in a random token), or read the instructor's course."""
    other, course = STUDENTS[0], f"/home/{INSTRUCTOR}/{COURSE_ID}"
    inbound = HUB_ROOT / "exchange" / COURSE_ID / "inbound"
    assert any(p.name.startswith(f"{other}+{NAME}+") for p in inbound.iterdir())
    for target in (f"/home/{other}", f"/home/{other}/{NAME}/{NAME}.ipynb", str(inbound),
                   course, f"{course}/gradebook.db", f"{course}/solutions/{NAME}/{NAME}.ipynb",
                   f"{course}/submitted/{other}/{NAME}/{NAME}.ipynb"):
        proc = as_user(STUDENTS[1], f"cat '{target}' || ls '{target}'", check=False)
        assert proc.returncode != 0 and "Permission denied" in proc.stderr, (target, proc)
