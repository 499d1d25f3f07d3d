"""Regenerate the student versions in notebooks/ from solutions/ (``make release``).

Runs the real ``nbgrader generate_assignment ID --force --no-db`` for each
assignment, two at a time. Usage: ``python -m nbinstructor.release
[--course-dir DIR] [ID ...]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import add_course_option, assignments, course_root


def generate(course_dir: Path, assignment: str) -> subprocess.CompletedProcess:
    """Run nbgrader's generate_assignment for one assignment in ``course_dir``."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", assignment,
         "--force", "--no-db", "--log-level=WARN"],
        cwd=course_dir, capture_output=True, text=True,
    )


def release(course_dir: Path, ids: list[str] | None = None) -> list[str]:
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
    add_course_option(parser)
    args = parser.parse_args(argv)
    args.course_dir = course_root(args.course_dir)
    return 1 if release(args.course_dir, args.ids) else 0


if __name__ == "__main__":
    sys.exit(main())
