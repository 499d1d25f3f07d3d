"""Regenerate the student versions in notebooks/ from solutions/ (``make release``).

Runs the real ``nbgrader generate_assignment ID --force --no-db`` for each
assignment, two at a time. Usage: ``python -m nbutils.instructor.release
[--course-dir DIR] [ID ...]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import ROOT, assignments


def generate(course_dir: Path, assignment: str) -> subprocess.CompletedProcess:
    """Run nbgrader's generate_assignment for one assignment in ``course_dir``."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment,
         "--force", "--no-db", "--log-level=WARN"],
        cwd=course_dir, capture_output=True, text=True,
    )


def release(course_dir: Path = ROOT, ids: list[str] | None = None) -> list[str]:
    """Generate every (or the named) assignment; returns the ones that failed."""
    ids = ids or assignments(course_dir)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda a: (a, generate(course_dir, a)), ids))
    failed = []
    for assignment, proc in results:
        if proc.returncode != 0:
            failed.append(assignment)
            print(f"✗ {assignment}: nbgrader failed\n{proc.stdout}{proc.stderr}")
        else:
            print(f"✓ {assignment}: notebooks/{assignment}/ regenerated")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="assignments (default: all)")
    parser.add_argument("--course-dir", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    return 1 if release(args.course_dir, args.ids) else 0


if __name__ == "__main__":
    sys.exit(main())
