"""Notebook 03: every graded exercise fails blank, passes solved, fails when wrong."""

from harness import (
    Cascade,
    Right,
    Wrong,
    cascade_tests,
    cell_by_grade_id,
    exercise_tests,
    right_answer_tests,
)

ANSWERS = {  # graded test cell -> the answer cell it tests
    "mse_loss_values": "mse_loss",
    "network_loss_values": "network_loss",
}

_CHECKED = (
    "def mse_loss(y_true, y_pred):\n"
    "    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)\n"
    "    if len(y_true) != len(y_pred):\n"
    "        raise ValueError(f'length {len(y_true)} vs length {len(y_pred)}')\n"
)

WRONG = {
    "mse_loss_values": [
        Wrong("sum instead of mean",
              _CHECKED + "    return np.sum((y_true - y_pred) ** 2)\n",
              says="the sum of the squared errors"),
        Wrong("root of the mean (RMSE)",
              _CHECKED + "    return np.sqrt(np.mean((y_true - y_pred) ** 2))\n",
              says="root mean squared error"),
        Wrong("absolute error instead of squared",
              _CHECKED + "    return np.mean(np.abs(y_true - y_pred))\n",
              says="mean absolute error"),
        Wrong("no square",
              _CHECKED + "    return np.mean(y_true - y_pred)\n",
              says="positive and negative errors cancel"),
        Wrong("square of the mean error",
              _CHECKED + "    return np.mean(y_true - y_pred) ** 2\n",
              says="square each error first"),
        Wrong("no mean: returns the squared errors",
              _CHECKED + "    return (y_true - y_pred) ** 2\n",
              says="expected shape ()"),
        Wrong("no length check (NumPy's broadcast error)",
              "def mse_loss(y_true, y_pred):\n"
              "    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)\n"
              "    return np.mean((y_true - y_pred) ** 2)\n",
              says="that is NumPy's own error"),
        Wrong("no length check, a loop over zip (silently truncates)",
              "def mse_loss(y_true, y_pred):\n"
              "    total = sum((t - p) ** 2 for t, p in zip(y_true, y_pred))\n"
              "    return total / len(y_true)\n",
              says="expected it to raise ValueError"),
        Wrong("length check with a bare assert",
              "def mse_loss(y_true, y_pred):\n"
              "    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)\n"
              "    assert len(y_true) == len(y_pred), 'length differs'\n"
              "    return np.mean((y_true - y_pred) ** 2)\n",
              says="it raised AssertionError"),
        Wrong("lists not turned into arrays",
              "def mse_loss(y_true, y_pred):\n"
              "    if len(y_true) != len(y_pred):\n"
              "        raise ValueError('length differs')\n"
              "    return np.mean((y_true - y_pred) ** 2)\n",
              says="unsupported operand type"),
    ],
    "network_loss_values": [
        Wrong("the first sample only",
              "def network_loss(params, X, y_true):\n"
              "    return (y_true[0] - network.feedforward(X[0], params)) ** 2\n",
              says="the loss of the first sample alone"),
        Wrong("sum instead of mean",
              "def network_loss(params, X, y_true):\n"
              "    return np.sum((y_true - network.feedforward_batch(X, params)) ** 2)\n",
              says="a sum of squared errors"),
        Wrong("uses the notebook's params, not the argument",
              "def network_loss(p, X, y_true):\n"
              "    return mse_loss(y_true, network.feedforward_batch(X, params))\n",
              says="use the params argument"),
        Wrong("returns the predictions",
              "def network_loss(params, X, y_true):\n"
              "    return network.feedforward_batch(X, params)\n",
              says="expected shape ()"),
    ],
}

(kernel, test_every_graded_test_cell_is_covered, test_solution_passes, test_blank_stub_fails,
 test_wrong_answer_fails, test_hints_fire_only_for_their_mistake) = exercise_tests(
    "03_mse_loss", ANSWERS, WRONG)

_MSE_WRONG = {w.label: w.source for w in WRONG["mse_loss_values"]}
CASCADES = [  # a bug in mse_loss costs Exercise 1 only: network_loss is checked with the course's
    Cascade(f"mse_loss: {label}", "mse_loss", _MSE_WRONG[label], "network_loss_values")
    for label in ("sum instead of mean", "root of the mean (RMSE)",
                  "no length check, a loop over zip (silently truncates)",
                  "lists not turned into arrays")
] + [Cascade("mse_loss not written yet", "mse_loss",
             "def mse_loss(y_true, y_pred):\n    raise NotImplementedError()\n",
             "network_loss_values")]
test_bug_costs_only_its_own_exercise = cascade_tests(CASCADES)


def test_the_student_mse_loss_is_back_after_the_check(kernel):
    """The stand-in lasts for the check only: later cells use the student's mse_loss."""
    check = cell_by_grade_id(kernel.nb, "network_loss_values").source
    try:
        run = kernel.run("def mse_loss(y_true, y_pred):\n    return -1.0\n")
        run = kernel.run(check)
        assert run.ok and "in place of yours" in run.output, run.output
        run = kernel.run("assert network_loss(params, X, y) == -1.0")
        assert run.ok, run.output
    finally:
        kernel.run(cell_by_grade_id(kernel.nb, "mse_loss").source)


def test_the_solutions_length_error_names_both_shapes(kernel):
    """A (4, 1) column against a flat (4,) array: the lengths agree, the shapes do not."""
    run = kernel.run("mse_loss(np.zeros(4), np.zeros((4, 1)))")
    assert not run.ok
    assert "y_true has shape (4,) but y_pred has shape (4, 1)" in run.output, run.output


_LENGTHS = ("    if len(y_true) != len(y_pred):\n"
            "        raise ValueError(f'y_true has length {len(y_true)} but y_pred has length '\n"
            "                         f'{len(y_pred)}')\n")
RIGHT = {  # correct answers in other styles: full marks
    "mse_loss_values": [
        Right("tutorial: ((y_true - y_pred) ** 2).mean(), with np.asarray and a length check",
              "def mse_loss(y_true, y_pred):\n" + _LENGTHS
              + "    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)\n"
                "    return ((y_true - y_pred) ** 2).mean()\n"),
        Right("np.mean, lengths compared after np.asarray",
              "def mse_loss(y_true, y_pred):\n"
              "    y_true = np.asarray(y_true, dtype=float)\n"
              "    y_pred = np.asarray(y_pred, dtype=float)\n"
              + _LENGTHS + "    return np.mean((y_true - y_pred) ** 2)\n"),
        Right("a Python loop, then sum / len (plain floats for lists)",
              "def mse_loss(y_true, y_pred):\n" + _LENGTHS
              + "    total = 0.0\n"
                "    for t, p in zip(y_true, y_pred):\n"
                "        total += (t - p) ** 2\n"
                "    return total / len(y_true)\n"),
        Right("((a - b) ** 2).sum() / len",
              "def mse_loss(y_true, y_pred):\n" + _LENGTHS
              + "    a, b = np.array(y_true, dtype=float), np.array(y_pred, dtype=float)\n"
                "    return ((a - b) ** 2).sum() / len(a)\n"),
        Right("lists: sum of a list comprehension over zip",
              "def mse_loss(y_true, y_pred):\n" + _LENGTHS
              + "    return sum([(t - p) ** 2 for t, p in zip(list(y_true), list(y_pred))]) / "
                "len(y_true)\n"),
        Right("float32 arrays",
              "def mse_loss(y_true, y_pred):\n" + _LENGTHS
              + "    y_true = np.asarray(y_true, dtype=np.float32)\n"
                "    y_pred = np.asarray(y_pred, dtype=np.float32)\n"
                "    return float(np.mean((y_true - y_pred) ** 2))\n"),
    ],
    "network_loss_values": [
        Right("vectorized, without mse_loss",
              "def network_loss(params, X, y_true):\n"
              "    return np.mean((y_true - network.feedforward_batch(X, params)) ** 2)\n"),
        Right("a loop over the people with network.feedforward, then mse_loss",
              "def network_loss(params, X, y_true):\n"
              "    y_pred = [network.feedforward(x, params) for x in X]\n"
              "    return mse_loss(y_true, y_pred)\n"),
        Right("a loop over the people, summing squared errors",
              "def network_loss(params, X, y_true):\n"
              "    total = 0.0\n"
              "    for x, t in zip(X, y_true):\n"
              "        total += (t - network.feedforward(x, params)) ** 2\n"
              "    return total / len(X)\n"),
    ],
}
test_right_answer_passes = right_answer_tests(ANSWERS, RIGHT)
