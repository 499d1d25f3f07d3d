"""Notebook 02: every graded exercise fails blank, passes solved, fails when wrong."""

from harness import Wrong, exercise_tests

ANSWERS = {  # graded test cell -> the answer cell it tests
    "feedforward_values": "feedforward",
    "feedforward_batch_values": "feedforward_batch",
}

UNPACK = "    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']\n"
ONE = "def feedforward(x, params):\n" + UNPACK
MANY = "def feedforward_batch(X, params):\n" + UNPACK

WRONG = {
    "feedforward_values": [
        Wrong("rows of W1 instead of columns (transposed)",
              ONE + "    h1 = neuron_output(W1[0], b1[0], x)\n"
                    "    h2 = neuron_output(W1[1], b1[1], x)\n"
                    "    return float(neuron_output(W2[:, 0], b2[0], np.array([h1, h2])))\n",
              says="W1 is transposed"),
        Wrong("no hidden biases",
              ONE + "    h1 = neuron_output(W1[:, 0], 0.0, x)\n"
                    "    h2 = neuron_output(W1[:, 1], 0.0, x)\n"
                    "    return float(neuron_output(W2[:, 0], b2[0], np.array([h1, h2])))\n",
              says="without the hidden biases b1"),
        Wrong("no output bias",
              ONE + "    h1 = neuron_output(W1[:, 0], b1[0], x)\n"
                    "    h2 = neuron_output(W1[:, 1], b1[1], x)\n"
                    "    return float(sigmoid(np.dot(W2[:, 0], [h1, h2])))\n",
              says="without the output bias b2"),
        Wrong("forgot the output sigmoid",
              ONE + "    h1 = neuron_output(W1[:, 0], b1[0], x)\n"
                    "    h2 = neuron_output(W1[:, 1], b1[1], x)\n"
                    "    return float(np.dot(W2[:, 0], [h1, h2]) + b2[0])\n",
              says="still has to go through the sigmoid"),
        Wrong("fed the hidden pre-activations to o1",
              ONE + "    z1 = np.dot(W1[:, 0], x) + b1[0]\n"
                    "    z2 = np.dot(W1[:, 1], x) + b1[1]\n"
                    "    return float(neuron_output(W2[:, 0], b2[0], np.array([z1, z2])))\n",
              says="Its inputs are their activations"),
        Wrong("returns an array of one element",
              ONE + "    h = sigmoid(x @ W1 + b1)\n"
                    "    return sigmoid(h @ W2 + b2)\n",
              says="a single number was expected"),
        Wrong("the tutorial's fixed weights, ignoring params",
              ONE + "    h = neuron_output(np.array([0.0, 1.0]), 0.0, x)\n"
                    "    return neuron_output(np.array([0.0, 1.0]), 0.0, np.array([h, h]))\n",
              says="the value is off"),
        Wrong("the course library's own version",
              "feedforward = network.feedforward\n",
              says="course library's own version"),
    ],
    "feedforward_batch_values": [
        Wrong("transposed W1",
              MANY + "    H = sigmoid(X @ W1.T + b1)\n"
                     "    return sigmoid(H @ W2 + b2)[:, 0]\n",
              says="W1 is transposed"),
        Wrong("no hidden biases",
              MANY + "    H = sigmoid(X @ W1)\n"
                     "    return sigmoid(H @ W2 + b2)[:, 0]\n",
              says="without the hidden biases b1"),
        Wrong("no output bias",
              MANY + "    H = sigmoid(X @ W1 + b1)\n"
                     "    return sigmoid(H @ W2)[:, 0]\n",
              says="without the output bias b2"),
        Wrong("forgot the output sigmoid",
              MANY + "    H = sigmoid(X @ W1 + b1)\n"
                     "    return (H @ W2 + b2)[:, 0]\n",
              says="still have to go through the sigmoid"),
        Wrong("hidden pre-activations instead of activations",
              MANY + "    Z = X @ W1 + b1\n"
                     "    return sigmoid(Z @ W2 + b2)[:, 0]\n",
              says="Its inputs are the hidden activations"),
        Wrong("returns an (n, 1) column",
              MANY + "    H = sigmoid(X @ W1 + b1)\n"
                     "    return sigmoid(H @ W2 + b2)\n",
              says="returned shape (4, 1)"),
        Wrong("loop that keeps only the last sample",
              MANY + "    for x in X:\n"
                     "        y_pred = sigmoid(sigmoid(x @ W1 + b1) @ W2 + b2)[0]\n"
                     "    return y_pred\n",
              says="expected shape (4,), got shape ()"),
        Wrong("loop over a hard-coded two samples",
              MANY + "    return np.array([sigmoid(sigmoid(X[i] @ W1 + b1) @ W2 + b2)[0]\n"
                     "                     for i in range(2)])\n",
              says="expected shape (4,), got shape (2,)"),
        Wrong("loop over two hidden neurons only",
              MANY + "    H = np.stack([sigmoid(X @ W1[:, j] + b1[j]) for j in range(2)], axis=1)\n"
                     "    return sigmoid(H @ W2[:2] + b2)[:, 0]\n",
              says="assume there are exactly 2"),
    ],
}

(kernel, test_every_graded_test_cell_is_covered, test_solution_passes,
 test_blank_stub_fails, test_wrong_answer_fails) = exercise_tests("02_feedforward", ANSWERS, WRONG)
