"""Notebook 04: every graded exercise fails blank, passes solved, fails when wrong."""

import re

import numpy as np
import pytest
from harness import (
    Cascade,
    Right,
    Wrong,
    cascade_tests,
    cell_by_grade_id,
    exercise_tests,
    read,
    right_answer_tests,
    source_path,
)
from test_gradient_checks import differences  # one home for the hand-made differences

from nbutils import checks, data, gradient_checks, gradients, mistakes, network
from nbutils.exercises import backprop as exercise

ANSWERS = {  # graded test cell -> the answer cell it tests
    "sigmoid_prime_values": "sigmoid_prime",
    "backprop_values": "backprop",
    "numeric_gradient_values": "numeric_gradient",
    "gradient_check_values": "gradient_check",
    "diagnosis_answer": "diagnosis",
    "backprop_fixed_values": "backprop_fixed",
}

def solution(grade_id: str) -> str:
    """The source notebook's answer cell: each wrong answer below is it with a line changed."""
    return cell_by_grade_id(read(source_path("04_backprop")), grade_id).source


BACKPROP, NUMERIC = solution("backprop"), solution("numeric_gradient")
CHECK, FIXED = solution("gradient_check"), solution("backprop_fixed")


def changed(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


def backprop_with(old: str, new: str) -> str:
    return changed(BACKPROP, old, new)


def numeric_with(old: str, new: str) -> str:
    return changed(NUMERIC, old, new)


def check_with(old: str, new: str) -> str:
    return changed(CHECK, old, new)


def fixed_with(old: str, new: str) -> str:
    return changed(FIXED, old, new)


WRONG = {
    "sigmoid_prime_values": [
        Wrong("expects the activation (the tutorials' trap)",
              "def sigmoid_prime(z):\n    return z * (1 - z)\n",
              says="sigmoid_prime takes the pre-activation z"),
        Wrong("naive formula overflows",
              "def sigmoid_prime(z):\n    return np.exp(-z) / (1 + np.exp(-z)) ** 2\n",
              says="overflow"),
        Wrong("the sigmoid itself",
              "def sigmoid_prime(z):\n    return sigmoid(z)\n",
              says="that is the sigmoid f(z) itself, not its slope."),
        Wrong("1 + f instead of 1 - f",
              "def sigmoid_prime(z):\n    s = sigmoid(z)\n    return s * (1 + s)\n",
              says="the second factor is 1 - f(z)"),
        Wrong("sigmoid_prime of the activation",
              "def sigmoid_prime(z):\n    s = sigmoid(sigmoid(z))\n    return s * (1 - s)\n",
              says="it looks like the slope at f(z), not at z"),
    ],
    "backprop_values": [
        Wrong("forgets w5, w6 in the hidden layer",
              backprop_with('d_h = params["W2"] @ d_z2', "d_h = d_z2 * np.ones(len(h))"),
              says="the hidden layer misses a factor"),
        Wrong("sigmoid_prime of the activations",
              backprop_with("sigmoid_prime(z1)", "sigmoid_prime(h)")
              .replace("sigmoid_prime(z2)", "sigmoid_prime(y_pred)"),
              says="sigmoid_prime was given an activation"),
        Wrong("sigmoid_prime of the hidden activations only",
              backprop_with("sigmoid_prime(z1)", "sigmoid_prime(h)"),
              says="first wrong partial derivative (in the order backprop computes them): "
                   "dL/dw1"),
        Wrong("sign error: dL/dy_pred = 2 (y_true - y_pred)",
              backprop_with("-2 * (y_true - y_pred)", "2 * (y_true - y_pred)"),
              says="opposite sign"),
        Wrong("forgets the 2",
              backprop_with("-2 * (y_true - y_pred)", "-(y_true - y_pred)"),
              says="half the expected one"),
        Wrong("dW1 transposed",
              backprop_with("np.outer(x, d_z1)", "np.outer(d_z1, x)"),
              says="looks transposed"),
        Wrong("W2's gradient flattened",
              backprop_with("np.outer(h, d_z2)", "h * d_z2"),
              says="grads['W2']: expected shape (2, 1), got shape (2,)"),
        Wrong("returns a tuple",
              backprop_with('return {"W1": np.outer(x, d_z1), "b1": d_z1,\n'
                            '            "W2": np.outer(h, d_z2), "b2": d_z2}',
                            "return np.outer(x, d_z1), d_z1, np.outer(h, d_z2), d_z2"),
              says="Put the 4 arrays in a dict"),
        Wrong("the tutorial's nine names",
              "def backprop(x, y_true, params):\n"
              "    return {n: 0.0 for n in network.NAMES}\n",
              says="it returned the tutorial's nine names"),
        Wrong("changes params in place",
              backprop_with("    z1 = x @", '    params["W2"] *= 1.5\n    z1 = x @'),
              says="it changed the params it was given"),
    ],
    "numeric_gradient_values": [
        Wrong("one-sided difference",
              numeric_with("g[idx] = (loss_fn(plus) - loss_fn(minus)) / (2 * eps)",
                           "g[idx] = (loss_fn(plus) - loss_fn(params)) / eps"),
              says="one-sided difference"),
        Wrong("divides by eps instead of 2 eps",
              numeric_with("/ (2 * eps)", "/ eps"),
              says="twice the expected one"),
        Wrong("shallow copies share the arrays",
              numeric_with("network.copy_params(params)", "dict(params)"),
              says="every value is 0"),
        Wrong("nudges params in place and never restores them",
              numeric_with("plus[key][idx] += eps", "params[key][idx] += eps; plus = params"),
              says="it changed the params it was given"),
        Wrong("minus before plus",
              numeric_with("loss_fn(plus) - loss_fn(minus)", "loss_fn(minus) - loss_fn(plus)"),
              says="opposite sign"),
        Wrong("ignores eps",
              numeric_with("def numeric_gradient(loss_fn, params, eps=1e-5):",
                           "def numeric_gradient(loss_fn, params, eps=1e-5):\n    eps = 1e-6"),
              says="sum of cubes"),
    ],
    "gradient_check_values": [
        Wrong("a sum instead of a mean",
              check_with("np.mean([g[k] for g in per_sample], axis=0)",
                         "np.sum([g[k] for g in per_sample], axis=0)"),
              says="SUM of the per-sample gradients"),
        Wrong("the first sample only",
              check_with("np.mean([g[k] for g in per_sample], axis=0)", "per_sample[0][k]"),
              says="first sample's gradient alone"),
        Wrong("signed relative error",
              check_with("top = np.abs(analytic[k] - numeric[k])",
                         "top = analytic[k] - numeric[k]"),
              says="some relative errors are negative"),
        Wrong("one-sided numeric gradient",
              check_with("    numeric = numeric_gradient(",
                         "    def numeric_gradient(f, p, eps):\n"
                         "        out = {}\n"
                         "        for key, value in p.items():\n"
                         "            out[key] = np.zeros(value.shape)\n"
                         "            for idx in np.ndindex(value.shape):\n"
                         "                q = network.copy_params(p)\n"
                         "                q[key][idx] += 1e-3\n"
                         "                out[key][idx] = (f(q) - f(p)) / 1e-3\n"
                         "        return out\n"
                         "    numeric = numeric_gradient("),
              says="is the numeric gradient a central difference"),
        Wrong("errors relative to the numeric value only",
              check_with("bottom = np.maximum(np.abs(analytic[k]), np.abs(numeric[k]))",
                         "bottom = np.abs(numeric[k])"),
              says="divide by |n| alone"),
    ],
    "diagnosis_answer": [
        Wrong("the first wrong one is misread",
              'def diagnosis():\n    return "w1", "C"\n',
              says="first_wrong = 'w1' is not right"),
        Wrong("the wrong letter",
              'def diagnosis():\n    return "w3", "D"\n',
              says="bug = 'D' is not right"),
        Wrong("a name that does not exist",
              'def diagnosis():\n    return "w7", "C"\n',
              says="first_wrong = 'w7' is not one of"),
        Wrong("one answer only",
              'def diagnosis():\n    return "C"\n',
              says="it should return 2 strings"),
        Wrong("the letter as a number",
              'def diagnosis():\n    return "w3", 3\n',
              says="bug should be a string"),
    ],
    "backprop_fixed_values": [
        Wrong("the bug left in",
              fixed_with("sigmoid_prime(z_h2)", "sigmoid_prime(h2)"),
              says="hidden neuron h2's slope was taken at its activation h2"),
        Wrong("the wrong line fixed: h1's slope at its activation instead",
              fixed_with("sigmoid_prime(z_h1)", "sigmoid_prime(h1)"),
              says="hidden neuron h1's slope was taken at its activation h1"),
        Wrong("h2 through w5 (the copy-paste bug)",
              fixed_with('d_L_d_h2 = d_L_d_ypred * d_ypred_d_zo1 * p["w6"]',
                         'd_L_d_h2 = d_L_d_ypred * d_ypred_d_zo1 * p["w5"]'),
              says="h2 reaches the output through w6"),
        Wrong("x2 in place of x1 for w3",
              fixed_with("d_w3 = d_L_d_h2 * d_h2_d_zh2 * x[0]",
                         "d_w3 = d_L_d_h2 * d_h2_d_zh2 * x[1]"),
              says="first wrong partial derivative (in the order backprop computes them): "
                   "dL/dw3"),
    ],
}

(kernel, test_every_graded_test_cell_is_covered, test_solution_passes, test_blank_stub_fails,
 test_wrong_answer_fails, test_hints_fire_only_for_their_mistake) = exercise_tests(
    "04_backprop", ANSWERS, WRONG)


# --- correct answers in other styles: each must pass, hidden tests included ------------

RIGHT = {
    "sigmoid_prime_values": [
        Right("e / (1 + e)^2 with e = exp(-|z|)",
              "def sigmoid_prime(z):\n"
              "    e = np.exp(-np.abs(z))\n"
              "    return e / (1 + e) ** 2\n"),
        Right("f(z) f(-z)",
              "def sigmoid_prime(z):\n"
              "    return sigmoid(z) * sigmoid(-z)\n"),
        Right("np.where, each branch on safe inputs",
              "def sigmoid_prime(z):\n"
              "    z = np.asarray(z, dtype=float)\n"
              "    up, down = np.exp(-np.maximum(z, 0)), np.exp(np.minimum(z, 0))\n"
              "    return np.where(z >= 0, up / (1 + up) ** 2, down / (1 + down) ** 2)\n"),
        Right("tutorial: deriv_sigmoid, fx * (1 - fx), with the course's sigmoid",
              "def sigmoid_prime(x):\n"
              "    fx = sigmoid(x)\n"
              "    return fx * (1 - fx)\n"),
    ],
    "backprop_values": [
        Right("tutorial: the chain rule weight by weight, d_L_d_ypred * d_ypred_d_h * d_h_d_w",
              "def backprop(x, y_true, params):\n"
              "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
              "    n_in, n_hidden = W1.shape\n"
              "    sum_h = [sum(W1[i, j] * x[i] for i in range(n_in)) + b1[j]\n"
              "             for j in range(n_hidden)]\n"
              "    h = [sigmoid(s) for s in sum_h]\n"
              "    sum_o1 = sum(W2[j, 0] * h[j] for j in range(n_hidden)) + b2[0]\n"
              "    y_pred = sigmoid(sum_o1)\n"
              "    d_L_d_ypred = -2 * (y_true - y_pred)\n"
              "    grads = {k: np.zeros(np.shape(v)) for k, v in params.items()}\n"
              "    grads['b2'][0] = d_L_d_ypred * sigmoid_prime(sum_o1)\n"
              "    for j in range(n_hidden):\n"
              "        grads['W2'][j, 0] = d_L_d_ypred * h[j] * sigmoid_prime(sum_o1)\n"
              "        d_ypred_d_h = W2[j, 0] * sigmoid_prime(sum_o1)\n"
              "        for i in range(n_in):\n"
              "            d_h_d_w = x[i] * sigmoid_prime(sum_h[j])\n"
              "            grads['W1'][i, j] = d_L_d_ypred * d_ypred_d_h * d_h_d_w\n"
              "        grads['b1'][j] = d_L_d_ypred * d_ypred_d_h * sigmoid_prime(sum_h[j])\n"
              "    return grads\n"),
        Right("outer products, d_h = d_z2 @ W2.T, np.dot",
              "def backprop(x, y_true, params):\n"
              "    z1 = np.dot(x, params['W1']) + params['b1']\n"
              "    h = sigmoid(z1)\n"
              "    z2 = np.dot(h, params['W2']) + params['b2']\n"
              "    d_z2 = 2 * (sigmoid(z2) - y_true) * sigmoid_prime(z2)\n"
              "    d_z1 = (d_z2 @ params['W2'].T) * sigmoid_prime(z1)\n"
              "    return dict(W1=np.outer(x, d_z1), b1=d_z1, W2=np.outer(h, d_z2), b2=d_z2)\n"),
        Right("a loop over the hidden units",
              "def backprop(x, y_true, params):\n"
              "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
              "    z1 = np.array([x @ W1[:, j] + b1[j] for j in range(len(b1))])\n"
              "    h = sigmoid(z1)\n"
              "    z2 = h @ W2 + b2\n"
              "    d_z2 = -2 * (y_true - sigmoid(z2)) * sigmoid_prime(z2)\n"
              "    grads = {'W1': np.zeros(W1.shape), 'b1': np.zeros(b1.shape),\n"
              "             'W2': np.zeros(W2.shape), 'b2': d_z2}\n"
              "    for j in range(len(b1)):\n"
              "        grads['W2'][j] = h[j] * d_z2\n"
              "        d_z1_j = W2[j, 0] * d_z2[0] * sigmoid_prime(z1[j])\n"
              "        grads['W1'][:, j] = x * d_z1_j\n"
              "        grads['b1'][j] = d_z1_j\n"
              "    return grads\n"),
        Right("broadcasting instead of np.outer",
              "def backprop(x, y_true, params):\n"
              "    z1 = x @ params['W1'] + params['b1']\n"
              "    h = sigmoid(z1)\n"
              "    z2 = h @ params['W2'] + params['b2']\n"
              "    d_z2 = -2 * (y_true - sigmoid(z2)) * sigmoid_prime(z2)\n"
              "    d_z1 = params['W2'][:, 0] * d_z2[0] * sigmoid_prime(z1)\n"
              "    return {'W1': x[:, None] * d_z1[None, :], 'b1': d_z1,\n"
              "            'W2': h[:, None] * d_z2[None, :], 'b2': d_z2}\n"),
    ],
    "numeric_gradient_values": [
        Right("np.nditer with multi_index, copies by a dict comprehension",
              "def numeric_gradient(loss_fn, params, eps=1e-5):\n"
              "    grads = {}\n"
              "    for key in params:\n"
              "        grads[key] = np.zeros(params[key].shape)\n"
              "        it = np.nditer(params[key], flags=['multi_index'])\n"
              "        for _ in it:\n"
              "            idx = it.multi_index\n"
              "            plus = {k: v.copy() for k, v in params.items()}\n"
              "            minus = {k: v.copy() for k, v in params.items()}\n"
              "            plus[key][idx] += eps\n"
              "            minus[key][idx] -= eps\n"
              "            grads[key][idx] = (loss_fn(plus) - loss_fn(minus)) / (2 * eps)\n"
              "    return grads\n"),
        Right("flat indexing, reshaped at the end",
              "def numeric_gradient(loss_fn, params, eps=1e-5):\n"
              "    grads = {}\n"
              "    for key, value in params.items():\n"
              "        g = np.zeros(value.size)\n"
              "        for i in range(value.size):\n"
              "            plus = network.copy_params(params)\n"
              "            minus = network.copy_params(params)\n"
              "            plus[key].flat[i] += eps\n"
              "            minus[key].flat[i] -= eps\n"
              "            g[i] = (loss_fn(plus) - loss_fn(minus)) / (2 * eps)\n"
              "        grads[key] = g.reshape(value.shape)\n"
              "    return grads\n"),
        Right("np.ndindex, one working copy nudged and put back",
              "def numeric_gradient(loss_fn, params, eps=1e-5):\n"
              "    work = {k: np.array(v, dtype=float) for k, v in params.items()}\n"
              "    grads = {k: np.zeros_like(v) for k, v in work.items()}\n"
              "    for key in work:\n"
              "        for idx in np.ndindex(work[key].shape):\n"
              "            old = work[key][idx]\n"
              "            work[key][idx] = old + eps\n"
              "            up = loss_fn(work)\n"
              "            work[key][idx] = old - eps\n"
              "            down = loss_fn(work)\n"
              "            work[key][idx] = old\n"
              "            grads[key][idx] = (up - down) / (2 * eps)\n"
              "    return grads\n"),
    ],
    "gradient_check_values": [
        Right("dict comprehensions, a lambda for the loss",
              "def gradient_check(backprop_fn, X, y, params, eps=1e-5):\n"
              "    grads = [backprop_fn(X[i], y[i], params) for i in range(len(X))]\n"
              "    analytic = {k: sum(g[k] for g in grads) / len(grads) for k in params}\n"
              "    numeric = numeric_gradient(\n"
              "        lambda p: np.mean((y - network.feedforward_batch(X, p)) ** 2),\n"
              "        params, eps)\n"
              "    scale = {k: np.maximum(np.abs(analytic[k]), np.abs(numeric[k]))\n"
              "             for k in params}\n"
              "    return {k: np.divide(np.abs(analytic[k] - numeric[k]), scale[k],\n"
              "                         out=np.zeros_like(scale[k]), where=scale[k] > 0)\n"
              "            for k in params}\n"),
        Right("loops: a running sum, the relative errors entry by entry",
              "def gradient_check(backprop_fn, X, y, params, eps=1e-5):\n"
              "    total = {k: np.zeros(np.shape(v)) for k, v in params.items()}\n"
              "    for i in range(len(X)):\n"
              "        g = backprop_fn(X[i], y[i], params)\n"
              "        for k in params:\n"
              "            total[k] = total[k] + g[k]\n"
              "    def mse(p):\n"
              "        return np.mean((y - network.feedforward_batch(X, p)) ** 2)\n"
              "    numeric = numeric_gradient(mse, params, eps=eps)\n"
              "    errors = {}\n"
              "    for k in params:\n"
              "        a, n = total[k] / len(X), numeric[k]\n"
              "        errors[k] = np.zeros(a.shape)\n"
              "        for idx in np.ndindex(a.shape):\n"
              "            bottom = max(abs(a[idx]), abs(n[idx]))\n"
              "            errors[k][idx] = abs(a[idx] - n[idx]) / bottom if bottom > 0 else 0.0\n"
              "    return errors\n"),
        Right("np.mean over a stacked list",
              "def gradient_check(backprop_fn, X, y, params, eps=1e-5):\n"
              "    per_sample = [backprop_fn(x, t, params) for x, t in zip(X, y)]\n"
              "    errors = {}\n"
              "    numeric = numeric_gradient(\n"
              "        lambda p: np.mean((y - network.feedforward_batch(X, p)) ** 2),\n"
              "        params, eps)\n"
              "    for k in params:\n"
              "        a = np.mean(np.stack([g[k] for g in per_sample]), axis=0)\n"
              "        top = np.abs(a - numeric[k])\n"
              "        bottom = np.maximum(np.abs(a), np.abs(numeric[k]))\n"
              "        safe = np.where(bottom > 0, bottom, 1.0)\n"
              "        errors[k] = np.where(bottom > 0, top / safe, 0.0)\n"
              "    return errors\n"),
    ],
    "diagnosis_answer": [
        Right("with dL/d and a small letter", 'def diagnosis():\n    return "dL/dw3", "c"\n'),
        Right("a list", 'def diagnosis():\n    return ["w3", "C"]\n'),
        Right("spaces and quotes inside", "def diagnosis():\n    return ' w3 ', \"'C'\"\n"),
    ],
    "backprop_fixed_values": [
        Right("tutorial: its train loop's lines, sum_h1 ... d_ypred_d_w5, with the fix",
              "def backprop_fixed(x, y_true, params):\n"
              "    p = network.named(params)\n"
              "    sum_h1 = p['w1'] * x[0] + p['w2'] * x[1] + p['b1']\n"
              "    h1 = sigmoid(sum_h1)\n"
              "    sum_h2 = p['w3'] * x[0] + p['w4'] * x[1] + p['b2']\n"
              "    h2 = sigmoid(sum_h2)\n"
              "    sum_o1 = p['w5'] * h1 + p['w6'] * h2 + p['b3']\n"
              "    y_pred = sigmoid(sum_o1)\n"
              "    d_L_d_ypred = -2 * (y_true - y_pred)\n"
              "    d_ypred_d_w5 = h1 * sigmoid_prime(sum_o1)\n"
              "    d_ypred_d_w6 = h2 * sigmoid_prime(sum_o1)\n"
              "    d_ypred_d_b3 = sigmoid_prime(sum_o1)\n"
              "    d_ypred_d_h1 = p['w5'] * sigmoid_prime(sum_o1)\n"
              "    d_ypred_d_h2 = p['w6'] * sigmoid_prime(sum_o1)\n"
              "    d_h1_d_w1 = x[0] * sigmoid_prime(sum_h1)\n"
              "    d_h1_d_w2 = x[1] * sigmoid_prime(sum_h1)\n"
              "    d_h1_d_b1 = sigmoid_prime(sum_h1)\n"
              "    d_h2_d_w3 = x[0] * sigmoid_prime(sum_h2)\n"
              "    d_h2_d_w4 = x[1] * sigmoid_prime(sum_h2)\n"
              "    d_h2_d_b2 = sigmoid_prime(sum_h2)\n"
              "    return network.from_named(\n"
              "        w1=d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w1,\n"
              "        w2=d_L_d_ypred * d_ypred_d_h1 * d_h1_d_w2,\n"
              "        b1=d_L_d_ypred * d_ypred_d_h1 * d_h1_d_b1,\n"
              "        w3=d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w3,\n"
              "        w4=d_L_d_ypred * d_ypred_d_h2 * d_h2_d_w4,\n"
              "        b2=d_L_d_ypred * d_ypred_d_h2 * d_h2_d_b2,\n"
              "        w5=d_L_d_ypred * d_ypred_d_w5, w6=d_L_d_ypred * d_ypred_d_w6,\n"
              "        b3=d_L_d_ypred * d_ypred_d_b3)\n"),
        Right("the fix in buggy_backprop's own lines, as plain floats",
              FIXED.replace("x[0]", "float(x[0])").replace("x[1]", "float(x[1])")),
        Right("vectorized with outer products",
              "def backprop_fixed(x, y_true, params):\n"
              "    z1 = x @ params['W1'] + params['b1']\n"
              "    h = sigmoid(z1)\n"
              "    z2 = h @ params['W2'] + params['b2']\n"
              "    d_z2 = -2 * (y_true - sigmoid(z2)) * sigmoid_prime(z2)\n"
              "    d_z1 = params['W2'] @ d_z2 * sigmoid_prime(z1)\n"
              "    return {'W1': np.outer(x, d_z1), 'b1': d_z1,\n"
              "            'W2': np.outer(h, d_z2), 'b2': d_z2}\n"),
    ],
}
test_right_answer_passes = right_answer_tests(ANSWERS, RIGHT)


# --- a bug in numeric_gradient costs only Exercise 3: gradient_check is checked with the
# course's numeric_gradient --------------------------------------------------------------

def _wrong(test_id: str, label: str) -> str:
    return next(w.source for w in WRONG[test_id] if w.label == label)


CASCADES = [Cascade(f"numeric_gradient {label}", "numeric_gradient",
                    _wrong("numeric_gradient_values", label), "gradient_check_values")
            for label in ("one-sided difference", "divides by eps instead of 2 eps",
                          "shallow copies share the arrays", "minus before plus")]
CASCADES += [Cascade(f"sigmoid_prime {label}, {later}", "sigmoid_prime",
                     _wrong("sigmoid_prime_values", label), later)
             for label in ("expects the activation (the tutorials' trap)",
                           "naive formula overflows")
             for later in ("backprop_values", "backprop_fixed_values")]
test_bug_costs_only_its_own_exercise = cascade_tests(CASCADES)


# --- the hints, without a kernel ---------------------------------------------------------

ONES = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
ALICE = (np.array([-2.0, -1.0]), 1.0)


def mine(fn):
    """``fn`` as if a student had written it (the checks refuse nbutils' own)."""
    def backprop(*args):
        return fn(*args)
    return backprop


def failure(check, fn, cases, **kw):
    """The printed message of a failing check, or None when it passed."""
    try:
        check(fn, cases, quiet=True, **kw)
    except checks.CheckFailed as exc:
        return str(exc)
    return None


def backprop_cases():
    x, t = ALICE
    p = network.init_params(np.random.default_rng(1))
    x2 = np.array([0.5, -1.5])
    return [checks.Case((x, t, ONES), gradients.backprop(x, t, ONES), label="Alice, ones"),
            checks.Case((x2, 0.0, p), gradients.backprop(x2, 0.0, p), label="random")]


@pytest.mark.parametrize("mistake,says", [
    ("sign", "opposite sign"),
    ("no_two", "half the expected one"),
    ("activation", "sigmoid_prime was given an activation"),
    ("activation_hidden", "the hidden neurons' slopes were taken at their activations"),
    ("activation_output", "the output neuron's slope was taken at its activation"),
    ("activation_h1", "hidden neuron h1's slope was taken at its activation h1"),
    ("activation_h2", "hidden neuron h2's slope was taken at its activation h2"),
    ("no_w2", "the hidden layer misses a factor"),
    ("wrong_neuron", "h2 reaches the output through w6"),
    ("no_output_prime", "f'(z2) seems to be missing"),
    ("no_hidden_prime", "f'(z1) seems to be missing"),
    ("no_x", "the input x seems to be missing"),
    ("w1_transposed", "looks transposed"),
])
def test_every_planted_mistake_is_caught_and_recognised(mistake, says):
    for check in (exercise.check_backprop, exercise.check_backprop_fixed):
        message = failure(check, mine(mistakes.with_mistake(mistake)), backprop_cases())
        assert message is not None and says in message, message
        assert message.count("hint:") == 1, message


def check_cases():
    X, y, _ = data.people()
    p = network.init_params(np.random.default_rng(3))
    fn = mistakes.with_mistake("no_w2")
    numeric = gradients.numeric_gradient(
        lambda q: float(np.mean((y - network.feedforward_batch(X, q)) ** 2)), p, 1e-5)
    mean = {k: np.mean([fn(x, t, p)[k] for x, t in zip(X, y, strict=True)], axis=0)
            for k in p}
    expected = {k: gradients.relative_error(mean[k], numeric[k]) for k in p}
    return [checks.Case((mine(gradients.backprop), X, y, p),
                        {k: np.zeros_like(v) for k, v in p.items()}, label="correct"),
            checks.Case((fn, X, y, p), expected, label="no_w2")]


def make_check(combine="mean", signed=False, scale="max", numeric_eps=1e-5, one_sided=False):
    def gradient_check(backprop_fn, X, y, params, eps=1e-5):
        per = [backprop_fn(x, t, params) for x, t in zip(X, y, strict=True)]
        if combine == "mean":
            a = {k: np.mean([g[k] for g in per], axis=0) for k in params}
        elif combine == "sum":
            a = {k: np.sum([g[k] for g in per], axis=0) for k in params}
        else:
            a = {k: per[0][k] for k in params}

        def mse(q):
            return float(np.mean((y - network.feedforward_batch(X, q)) ** 2))

        how = (lambda up, here, down, e: (up - here) / e) if one_sided else \
            (lambda up, here, down, e: (up - down) / (2 * e))
        n = differences(mse, params, numeric_eps, how)
        out = {}
        for k in params:
            top = a[k] - n[k] if signed else np.abs(a[k] - n[k])
            bottom = np.maximum(np.abs(a[k]), np.abs(n[k])) if scale == "max" else np.abs(n[k])
            out[k] = top / bottom
        return out
    return gradient_check


@pytest.mark.parametrize("kw,says", [
    (dict(combine="sum"), "SUM of the per-sample gradients"),
    (dict(combine="first"), "first sample's gradient alone"),
    (dict(signed=True), "some relative errors are negative"),
    (dict(scale="numeric"), "divide by |n| alone"),
    (dict(one_sided=True, numeric_eps=1e-4), "is the numeric gradient a central difference"),
])
def test_gradient_check_mistakes_are_recognised(kw, says):
    message = failure(exercise.check_gradient_check, make_check(**kw), check_cases())
    assert message is not None and says in message, message
    assert message.count("hint:") == 1, message


def test_a_right_gradient_check_passes():
    assert failure(exercise.check_gradient_check, make_check(), check_cases()) is None


def test_the_sigmoid_prime_hints_need_more_than_tiny_values():
    """Near z = 37 every slope is almost 0: a result of 0 there is not 'the wrong sign'."""
    def sigmoid_prime(z):
        return np.zeros_like(np.asarray(z, dtype=float))

    message = failure(exercise.check_sigmoid_prime, sigmoid_prime, [
        checks.Case((np.array([31.76, 36.8]),), [1.6099309693815034e-14, 1.04e-16])])
    assert message is not None and "hint:" not in message, message


# --- the text: every number computed, the tools shown before they are needed ---------------

def markdown() -> str:
    return "\n".join(c.source for c in read(source_path("04_backprop")).cells
                     if c.cell_type == "markdown")


def test_the_explorers_long_step_is_told_with_its_own_numbers():
    """lr = 8 on b3 for Alice: where it lands, what the tangent promised, what the loss is."""
    X, y, _ = data.people()
    slope = float(gradients.backprop(X[0], y[0], ONES)["b2"][0])
    loss = float(gradients.sample_loss(X[0], y[0], ONES))
    landing = 0.0 - 8 * slope
    after = network.named(ONES) | {"b3": landing}
    new_loss = float(gradients.sample_loss(X[0], y[0], network.from_named(**after)))
    assert new_loss < loss  # the step pays off here, and the text must say so
    text = " ".join(markdown().split())
    for value in (-slope, loss, landing, loss + slope * landing, new_loss):
        assert f"{value:.10f}" in text, value
    assert "0.2268662872" in text and "0.2376175595" in text  # REFERENCE_NUMBERS.md


def test_a_loss_function_and_a_mean_of_dicts_are_shown_before_gradient_check():
    cells = read(source_path("04_backprop")).cells
    before = cells[:[c.metadata.get("nbgrader", {}).get("grade_id") for c in cells]
                   .index("gradient_check")]
    code = "\n".join(c.source for c in before if c.cell_type == "code"
                     and not c.metadata.get("nbgrader"))
    assert re.search(r"numeric_gradient\(lambda p: ", code)
    assert re.search(r"np\.mean\(\w+, axis=0\)", code)


def test_relative_error_means_one_thing():
    """Every 'relative error' in the text is |a - n| / max(|a|, |n|), as section 5 says."""
    text = " ".join(markdown().split())
    assert r"|a - n| / \max(|a|, |n|)" in text
    X, y, _ = data.people()
    a = gradients.backprop(X[0], y[0], ONES)
    n = gradients.numeric_gradient(lambda p: gradients.sample_loss(X[0], y[0], p), ONES, 1e-5)
    table = gradient_checks.relative_errors(a, n)
    for k in a:
        assert np.allclose(table[k], gradients.relative_error(a[k], n[k]), rtol=1e-12)
