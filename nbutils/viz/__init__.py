"""The pictures and live widgets of the course, one module per notebook.

Each module holds pure plotting functions (they draw on an ``ax`` they are
given, or update artists they returned) and a thin widget class on top,
built with :mod:`nbutils.live`. Import the one a notebook needs::

    from nbutils.viz import neuron as viz
"""

from typing import Callable


def student_or_reference(fn: Callable, reference: Callable, probe: Callable[[], object],
                         problem: str, fallback: str) -> tuple[Callable, str]:
    """The student's ``fn`` if ``probe()`` runs without raising, else ``reference``.

    A widget draws with the student's own function; while that is not
    written yet or is broken, it draws with the course's version and says so.
    Returns the function to use and the note to show ("" when it is the
    student's): "Your <name> <problem> (<error>); <fallback>."
    """
    try:
        probe()
        return fn, ""
    except Exception as exc:
        name = getattr(fn, "__name__", "your function")
        return reference, f"Your {name} {problem} ({type(exc).__name__}: {exc}); {fallback}."
