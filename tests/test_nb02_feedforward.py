"""Notebook 02: every graded exercise fails blank, passes solved, fails when wrong."""

from harness import Right, Wrong, exercise_tests, right_answer_tests

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
        Wrong("squeeze() turns one sample into a number",
              MANY + "    H = sigmoid(X @ W1 + b1)\n"
                     "    return sigmoid(H @ W2 + b2).squeeze()\n",
              says="for 1 sample it returned shape ()"),
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

(kernel, test_every_graded_test_cell_is_covered, test_solution_passes, test_blank_stub_fails,
 test_wrong_answer_fails, test_hints_fire_only_for_their_mistake) = exercise_tests(
    "02_feedforward", ANSWERS, WRONG)

RIGHT = {  # correct answers in other styles: full marks
    "feedforward_values": [
        Right("tutorial: per-neuron sums with the nine names (h1 = sigmoid(w1*x[0] + ...))",
              "def feedforward(x, params):\n"
              "    w = network.named(params)\n"
              "    h1 = sigmoid(w['w1'] * x[0] + w['w2'] * x[1] + w['b1'])\n"
              "    h2 = sigmoid(w['w3'] * x[0] + w['w4'] * x[1] + w['b2'])\n"
              "    o1 = sigmoid(w['w5'] * h1 + w['w6'] * h2 + w['b3'])\n"
              "    return o1\n"),
        Right("per-neuron sums indexing W1[i, j]",
              ONE + "    h1 = sigmoid(W1[0, 0] * x[0] + W1[1, 0] * x[1] + b1[0])\n"
                    "    h2 = sigmoid(W1[0, 1] * x[0] + W1[1, 1] * x[1] + b1[1])\n"
                    "    return sigmoid(W2[0, 0] * h1 + W2[1, 0] * h2 + b2[0])\n"),
        Right("tutorial: a Neuron class with np.dot, one object per neuron",
              "class Neuron:\n"
              "    def __init__(self, weights, bias):\n"
              "        self.weights, self.bias = weights, bias\n\n"
              "    def feedforward(self, inputs):\n"
              "        return sigmoid(np.dot(self.weights, inputs) + self.bias)\n\n\n"
              + ONE + "    h1 = Neuron(W1[:, 0], b1[0]).feedforward(x)\n"
                      "    h2 = Neuron(W1[:, 1], b1[1]).feedforward(x)\n"
                      "    return Neuron(W2[:, 0], b2[0]).feedforward(np.array([h1, h2]))\n"),
        Right("the @ operator on a whole layer, then [0]",
              ONE + "    h = sigmoid(x @ W1 + b1)\n"
                    "    return sigmoid(h @ W2 + b2)[0]\n"),
        Right("np.dot per layer, .item() at the end",
              ONE + "    h = sigmoid(np.dot(x, W1) + b1)\n"
                    "    return sigmoid(np.dot(h, W2) + b2).item()\n"),
        Right("a 0-d array: the layer's (1,) output squeezed",
              ONE + "    h = sigmoid(x @ W1 + b1)\n"
                    "    return sigmoid(h @ W2 + b2).squeeze()\n"),
        Right("einsum",
              ONE + "    h = sigmoid(np.einsum('i,ij->j', x, W1) + b1)\n"
                    "    return float(sigmoid(np.einsum('j,jk->k', h, W2) + b2)[0])\n"),
        Right("plain Python floats with math.exp",
              "import math\n\n\n" + ONE
              + "    f = lambda z: 1 / (1 + math.exp(-z))\n"
                "    h = [f(float(W1[0, j] * x[0] + W1[1, j] * x[1] + b1[j])) for j in range(2)]\n"
                "    return f(float(W2[0, 0] * h[0] + W2[1, 0] * h[1] + b2[0]))\n"),
    ],
    "feedforward_batch_values": [
        Right("tutorial: the XOR tutorial's forward_propagation (np.dot), flattened",
              MANY + "    z1 = np.dot(X, W1) + b1\n"
                     "    a1 = sigmoid(z1)\n"
                     "    z2 = np.dot(a1, W2) + b2\n"
                     "    a2 = sigmoid(z2)\n"
                     "    return a2.flatten()\n"),
        Right("@ with the output weights as a vector, W2[:, 0]",
              MANY + "    H = sigmoid(X @ W1 + b1)\n"
                     "    return sigmoid(H @ W2[:, 0] + b2[0])\n"),
        Right("einsum",
              MANY + "    H = sigmoid(np.einsum('ni,ih->nh', X, W1) + b1)\n"
                     "    return sigmoid(np.einsum('nh,ho->no', H, W2) + b2)[:, 0]\n"),
        Right("np.matmul on np.asarray(X), reshape(-1)",
              MANY + "    X = np.asarray(X, dtype=float)\n"
                     "    H = sigmoid(np.matmul(X, W1) + b1)\n"
                     "    return sigmoid(np.matmul(H, W2) + b2).reshape(-1)\n"),
        Right("a loop over the hidden neurons (not the samples)",
              MANY + "    H = np.column_stack([sigmoid(X @ W1[:, j] + b1[j])\n"
                     "                         for j in range(W1.shape[1])])\n"
                     "    return sigmoid(H @ W2 + b2).ravel()\n"),
    ],
}
test_right_answer_passes = right_answer_tests(ANSWERS, RIGHT)
