"""Notebook 04: every graded exercise fails blank, passes solved, fails when wrong."""

from harness import Wrong, exercise_tests

ANSWERS = {  # graded test cell -> the answer cell it tests
    "sigmoid_prime_values": "sigmoid_prime",
    "backprop_values": "backprop",
    "numeric_gradient_values": "numeric_gradient",
    "gradient_check_values": "gradient_check",
    "diagnosis_answer": "diagnosis",
    "backprop_fixed_values": "backprop_fixed",
}

# a correct backprop with one line changed, for the wrong answers of exercise 2
BACKPROP = """
def backprop(x, y_true, params):
    z1 = x @ params["W1"] + params["b1"]
    h = sigmoid(z1)
    z2 = h @ params["W2"] + params["b2"]
    y_pred = sigmoid(z2)
    d_z2 = -2 * (y_true - y_pred) * sigmoid_prime(z2)
    d_h = params["W2"] @ d_z2
    d_z1 = d_h * sigmoid_prime(z1)
    return {"W1": np.outer(x, d_z1), "b1": d_z1, "W2": np.outer(h, d_z2), "b2": d_z2}
"""


def backprop_with(old: str, new: str) -> str:
    assert old in BACKPROP, old
    return BACKPROP.replace(old, new)


NUMERIC = """
def numeric_gradient(loss_fn, params, eps=1e-5):
    grads = {}
    for key, value in params.items():
        g = np.zeros(value.shape)
        for idx in np.ndindex(value.shape):
            plus = network.copy_params(params)
            minus = network.copy_params(params)
            plus[key][idx] += eps
            minus[key][idx] -= eps
            g[idx] = (loss_fn(plus) - loss_fn(minus)) / (2 * eps)
        grads[key] = g
    return grads
"""


def numeric_with(old: str, new: str) -> str:
    assert old in NUMERIC, old
    return NUMERIC.replace(old, new)


CHECK = """
def gradient_check(backprop_fn, X, y, params, eps=1e-5):
    per_sample = [backprop_fn(x, t, params) for x, t in zip(X, y)]
    analytic = {k: np.mean([g[k] for g in per_sample], axis=0) for k in params}
    numeric = numeric_gradient(lambda p: np.mean((y - network.forward(X, p)) ** 2),
                               params, eps)
    errors = {}
    for k in params:
        top = np.abs(analytic[k] - numeric[k])
        bottom = np.maximum(np.abs(analytic[k]), np.abs(numeric[k]))
        errors[k] = np.divide(top, bottom, out=np.zeros_like(bottom), where=bottom > 0)
    return errors
"""


def check_with(old: str, new: str) -> str:
    assert old in CHECK, old
    return CHECK.replace(old, new)


FIXED = """
def backprop_fixed(x, y_true, params):
    p = network.named(params)
    z_h1 = p["w1"] * x[0] + p["w2"] * x[1] + p["b1"]
    h1 = sigmoid(z_h1)
    z_h2 = p["w3"] * x[0] + p["w4"] * x[1] + p["b2"]
    h2 = sigmoid(z_h2)
    z_o1 = p["w5"] * h1 + p["w6"] * h2 + p["b3"]
    y_pred = sigmoid(z_o1)
    d_L_d_ypred = -2 * (y_true - y_pred)
    d_ypred_d_zo1 = sigmoid_prime(z_o1)
    d_h1_d_zh1 = sigmoid_prime(z_h1)
    d_h2_d_zh2 = sigmoid_prime(z_h2)
    d_w5 = d_L_d_ypred * d_ypred_d_zo1 * h1
    d_w6 = d_L_d_ypred * d_ypred_d_zo1 * h2
    d_b3 = d_L_d_ypred * d_ypred_d_zo1
    d_L_d_h1 = d_L_d_ypred * d_ypred_d_zo1 * p["w5"]
    d_w1 = d_L_d_h1 * d_h1_d_zh1 * x[0]
    d_w2 = d_L_d_h1 * d_h1_d_zh1 * x[1]
    d_b1 = d_L_d_h1 * d_h1_d_zh1
    d_L_d_h2 = d_L_d_ypred * d_ypred_d_zo1 * p["w6"]
    d_w3 = d_L_d_h2 * d_h2_d_zh2 * x[0]
    d_w4 = d_L_d_h2 * d_h2_d_zh2 * x[1]
    d_b2 = d_L_d_h2 * d_h2_d_zh2
    return network.from_named(w1=d_w1, w2=d_w2, w3=d_w3, w4=d_w4, w5=d_w5, w6=d_w6,
                              b1=d_b1, b2=d_b2, b3=d_b3)
"""


def fixed_with(old: str, new: str) -> str:
    assert old in FIXED, old
    return FIXED.replace(old, new)


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
              says="0 of 6 checks passed"),
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
              backprop_with('return {"W1": np.outer(x, d_z1), "b1": d_z1, "W2": np.outer(h, '
                            'd_z2), "b2": d_z2}',
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
              says="sigmoid_prime was given an activation"),
        Wrong("the wrong line fixed: h1's slope at its activation instead",
              fixed_with("sigmoid_prime(z_h1)", "sigmoid_prime(h1)"),
              says="sigmoid_prime was given an activation"),
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

(kernel, test_every_graded_test_cell_is_covered, test_solution_passes,
 test_blank_stub_fails, test_wrong_answer_fails) = exercise_tests("04_backprop", ANSWERS, WRONG)
