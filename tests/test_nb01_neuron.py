"""Notebook 01: every graded exercise fails blank, passes solved, fails when wrong."""

from harness import Cascade, Right, Wrong, cascade_tests, exercise_tests, right_answer_tests

ANSWERS = {  # graded test cell -> the answer cell it tests
    "sigmoid_values": "sigmoid",
    "sigmoid_extremes": "sigmoid",
    "neuron_output_values": "neuron_output",
}

WRONG = {
    "sigmoid_values": [
        Wrong("minus sign missing",
              "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n",
              says="is the minus sign in e^(-z) missing?"),
        Wrong("math.exp on arrays",
              "import math\ndef sigmoid(z):\n    return 1 / (1 + math.exp(-z))\n",
              says="takes one number (math.exp"),
        Wrong("returns e^-z",
              "def sigmoid(z):\n    return np.exp(-np.asarray(z, dtype=float))\n",
              says="without the 1 + ..."),
        Wrong("prints instead of returning",
              "def sigmoid(z):\n    print(0.5)\n",
              says="returned None"),
        Wrong("clips away the tails",
              "def sigmoid(z):\n    z = np.clip(z, -30, 30)\n    return 1 / (1 + np.exp(-z))\n",
              says="differ"),
    ],
    "sigmoid_extremes": [
        Wrong("naive formula overflows",
              "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
              says="overflow"),
        Wrong("np.where computes both forms in full",
              "def sigmoid(z):\n    return np.where(z >= 0, 1 / (1 + np.exp(-z)),\n"
              "                    np.exp(z) / (1 + np.exp(z)))\n",
              says="overflow"),
        Wrong("the second form alone: nan at +1000",
              "def sigmoid(z):\n    return np.exp(z) / (1 + np.exp(z))\n",
              says="overflow"),
    ],
    "neuron_output_values": [
        Wrong("forgets the bias",
              "def neuron_output(w, b, x):\n    return sigmoid(np.dot(w, x))\n",
              says="without the bias"),
        Wrong("returns z",
              "def neuron_output(w, b, x):\n    return np.dot(w, x) + b\n",
              says="pass it through sigmoid"),
        Wrong("no sum: element-wise product",
              "def neuron_output(w, b, x):\n    return sigmoid(w * x + b)\n",
              says="expected shape ()"),
        Wrong("bias inside the product",
              "def neuron_output(w, b, x):\n    return sigmoid(np.dot(w, x + b))\n",
              says="the bias went inside"),
    ],
}

(kernel, test_every_graded_test_cell_is_covered, test_solution_passes, test_blank_stub_fails,
 test_wrong_answer_fails, test_hints_fire_only_for_their_mistake) = exercise_tests(
    "01_neuron", ANSWERS, WRONG)

TANH = "def sigmoid(z):\n    return 0.5 * (1 + np.tanh(np.asarray(z, dtype=float) / 2))\n"
CLIP = ("def sigmoid(z):\n    z = np.clip(np.asarray(z, dtype=float), -500, 500)\n"
        "    return 1 / (1 + np.exp(-z))\n")
QUIET = ("def sigmoid(z):\n    z = np.asarray(z, dtype=float)\n"
         "    with np.errstate(over='ignore', invalid='ignore'):\n"
         "        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))\n")
NAIVE = "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"
RIGHT = {  # correct answers in other styles: full marks
    "sigmoid_values": [Right("tanh form", TANH), Right("clipped at 500", CLIP),
                       Right("np.where with the warnings silenced", QUIET),
                       # right everywhere but at the extremes: the values' 2 points
                       Right("the naive formula", NAIVE)],
    "sigmoid_extremes": [Right("tanh form", TANH), Right("clipped at 500", CLIP),
                         Right("np.where with the warnings silenced", QUIET)],
    "neuron_output_values": [
        Right("a loop over the inputs",
              "def neuron_output(w, b, x):\n    z = b\n    for wi, xi in zip(w, x):\n"
              "        z = z + wi * xi\n    return sigmoid(z)\n"),
        Right("the @ operator", "def neuron_output(w, b, x):\n    return sigmoid(w @ x + b)\n"),
        Right("tutorial: the Neuron class's feedforward",
              "def neuron_output(w, b, x):\n    total = np.dot(w, x) + b\n"
              "    return sigmoid(total)\n"),
        Right("Python floats with math.fsum",
              "import math\n\ndef neuron_output(w, b, x):\n"
              "    return float(sigmoid(math.fsum(float(wi) * float(xi) for wi, xi in zip(w, x))"
              " + b))\n"),
    ],
}
test_right_answer_passes = right_answer_tests(ANSWERS, RIGHT)

_SIGMOID_WRONG = {w.label: w.source for w in WRONG["sigmoid_values"]}
CASCADES = [  # a bug in sigmoid costs Exercise 1 only: neuron_output is checked with the course's
    Cascade(f"sigmoid {label}", "sigmoid", _SIGMOID_WRONG[label], "neuron_output_values")
    for label in list(_SIGMOID_WRONG)[:2]
]
test_bug_costs_only_its_own_exercise = cascade_tests(CASCADES)
