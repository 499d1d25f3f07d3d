"""Notebook 03: every graded exercise fails blank, passes solved, fails when wrong."""

from harness import Wrong, exercise_tests

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
              "    return np.sum((y_true - network.forward(X, params)) ** 2)\n",
              says="a sum of squared errors"),
        Wrong("uses the notebook's params, not the argument",
              "def network_loss(p, X, y_true):\n"
              "    return mse_loss(y_true, network.forward(X, params))\n",
              says="use the params argument"),
        Wrong("returns the predictions",
              "def network_loss(params, X, y_true):\n"
              "    return network.forward(X, params)\n",
              says="expected shape ()"),
    ],
}

(kernel, test_every_graded_test_cell_is_covered, test_solution_passes,
 test_blank_stub_fails, test_wrong_answer_fails) = exercise_tests("03_mse_loss", ANSWERS, WRONG)


def test_the_solutions_length_error_names_both_shapes(kernel):
    """A (4, 1) column against a flat (4,) array: the lengths agree, the shapes do not."""
    run = kernel.run("mse_loss(np.zeros(4), np.zeros((4, 1)))")
    assert not run.ok
    assert "y_true has shape (4,) but y_pred has shape (4, 1)" in run.output, run.output
