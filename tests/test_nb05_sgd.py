"""Notebook 05: every graded exercise fails blank, passes solved, fails when wrong."""

from harness import Wrong, exercise_tests

ANSWERS = {  # graded test cell -> the answer cell it tests
    "sgd_step_values": "sgd_step",
    "train_learns": "train",
}


def _train(body: str) -> str:
    """A train answer whose epoch loop is ``body`` (indented for the function)."""
    return ("def train(X, y, params, lr, epochs, rng):\n"
            "    history = []\n"
            "    for epoch in range(epochs):\n" + body +
            "    return params, np.array(history)\n")


LOSS = "        history.append(losses.mse_loss(y, network.forward(X, params)))\n"
STEP = "            params = sgd_step(params, backprop(X[i], y[i], params), lr)\n"

WRONG = {
    "sgd_step_values": [
        Wrong("wrong sign",
              "def sgd_step(params, grads, lr):\n"
              "    return {k: params[k] + lr * grads[k] for k in params}\n",
              says="moved uphill"),
        Wrong("forgets lr",
              "def sgd_step(params, grads, lr):\n"
              "    return {k: params[k] - grads[k] for k in params}\n",
              says="the learning rate lr is missing"),
        Wrong("biases not updated",
              "def sgd_step(params, grads, lr):\n"
              "    return {k: params[k] - lr * grads[k] if k.startswith('W') else params[k]\n"
              "            for k in params}\n",
              says="b1, b2 (params['b1']) did not move"),
        Wrong("output layer not updated",
              "def sgd_step(params, grads, lr):\n"
              "    return {'W1': params['W1'] - lr * grads['W1'],\n"
              "            'b1': params['b1'] - lr * grads['b1'],\n"
              "            'W2': params['W2'], 'b2': params['b2']}\n",
              says="w5, w6 (params['W2']) did not move"),
        Wrong("updates in place",
              "def sgd_step(params, grads, lr):\n"
              "    for k in params:\n"
              "        params[k] -= lr * grads[k]\n"
              "    return params\n",
              says="changed the arrays it was given"),
        Wrong("shallow copy of the dict",
              "def sgd_step(params, grads, lr):\n"
              "    new = params.copy()\n"
              "    for k in new:\n"
              "        new[k] -= lr * grads[k]\n"
              "    return new\n",
              says="changed the arrays it was given"),
        Wrong("returns a list",
              "def sgd_step(params, grads, lr):\n"
              "    return [params[k] - lr * grads[k] for k in params]\n",
              says="should return a dict of params"),
    ],
    "train_learns": [
        Wrong("wrong sign",
              _train("        for i in rng.permutation(len(X)):\n"
                     "            g = backprop(X[i], y[i], params)\n"
                     "            params = {k: params[k] + lr * g[k] for k in params}\n" + LOSS),
              says="steps that go uphill"),
        Wrong("forgets lr",
              _train("        for i in rng.permutation(len(X)):\n"
                     "            g = backprop(X[i], y[i], params)\n"
                     "            params = {k: params[k] - g[k] for k in params}\n" + LOSS),
              says="steps without the learning rate"),
        Wrong("biases not updated",
              _train("        for i in rng.permutation(len(X)):\n"
                     "            g = backprop(X[i], y[i], params)\n"
                     "            params = {k: params[k] - lr * g[k] if k[0] == 'W'\n"
                     "                      else params[k] for k in params}\n" + LOSS),
              says="compare your loop with the exercise's list"),
        Wrong("history every 10 epochs",
              _train("        for i in rng.permutation(len(X)):\n" + STEP +
                     "        if epoch % 10 == 0:\n    " + LOSS),
              says="the loss history has length 1 for 5 epochs"),
        Wrong("history per sample",
              _train("        for i in rng.permutation(len(X)):\n" + STEP + "    " + LOSS),
              says="has length 20 for 5 epochs"),
        Wrong("only the first sample, X[0] every step",
              _train("        for i in rng.permutation(len(X)):\n"
                     "            params = sgd_step(params, backprop(X[0], y[0], params), lr)\n"
                     + LOSS),
              says="steps that all use the first sample"),
        Wrong("only the first sample, return inside the loop",
              "def train(X, y, params, lr, epochs, rng):\n"
              "    history = []\n"
              "    for epoch in range(epochs):\n"
              "        for i in rng.permutation(len(X)):\n" + STEP + "    " + LOSS +
              "            return params, np.array(history)\n",
              says="is a `return` or the `append` in the wrong loop?"),
        Wrong("same order every epoch",
              _train("        for i in range(len(X)):\n" + STEP + LOSS),
              says="same order every epoch"),
        Wrong("order drawn once for all epochs",
              "def train(X, y, params, lr, epochs, rng):\n"
              "    history = []\n"
              "    order = rng.permutation(len(X))\n"
              "    for epoch in range(epochs):\n"
              "        for i in order:\n" + STEP + LOSS +
              "    return params, np.array(history)\n",
              says="one rng.permutation per epoch"),
        Wrong("loss recorded before the epoch",
              _train(LOSS + "        for i in rng.permutation(len(X)):\n" + STEP),
              says="record the loss after the epoch's steps"),
        Wrong("full-batch mean step",
              _train("        gs = [backprop(x, t, params) for x, t in zip(X, y)]\n"
                     "        mean = {k: np.mean([g[k] for g in gs], axis=0) for k in params}\n"
                     "        rng.permutation(len(X))\n"
                     "        params = sgd_step(params, mean, lr)\n" + LOSS),
              says="one full-batch step per epoch"),
        Wrong("returns only the params",
              "def train(X, y, params, lr, epochs, rng):\n"
              "    for epoch in range(epochs):\n"
              "        for i in rng.permutation(len(X)):\n" + STEP +
              "    return params\n",
              says="should return a pair"),
        Wrong("changes the params it was given",
              _train("        for i in rng.permutation(len(X)):\n"
                     "            g = backprop(X[i], y[i], params)\n"
                     "            for k in params:\n"
                     "                params[k] -= lr * g[k]\n" + LOSS),
              says="train changed the params it was given"),
    ],
}

(kernel, test_every_graded_test_cell_is_covered, test_solution_passes,
 test_blank_stub_fails, test_wrong_answer_fails) = exercise_tests("05_sgd", ANSWERS, WRONG)
