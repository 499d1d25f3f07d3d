"""Notebook 01: every graded exercise fails blank, passes solved, fails when wrong."""

from harness import Wrong, exercise_tests

ANSWERS = {  # graded test cell -> the answer cell it tests
    "sigmoid_values": "sigmoid",
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
        Wrong("naive formula overflows",
              "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
              says="overflow"),
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

(kernel, test_every_graded_test_cell_is_covered, test_solution_passes,
 test_blank_stub_fails, test_wrong_answer_fails) = exercise_tests("01_neuron", ANSWERS, WRONG)
