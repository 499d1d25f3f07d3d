"""Notebook 06: every graded exercise fails blank, passes solved, fails when wrong."""

from harness import Wrong, exercise_tests

ANSWERS = {  # graded test cell -> the answer cell it tests
    "forward_batch_values": "forward",
    "backward_batch_gradients": "backward",
    "train_xor_learns": "train_xor",
    "why_some_seeds_fail_answer": "why_some_seeds_fail",
}


def _forward(z1="X @ params['W1'] + params['b1']", h="sigmoid(Z1)",
             z2="H @ params['W2'] + params['b2']", y_pred="sigmoid(Z2)[:, 0]",
             ret="y_pred, {'Z1': Z1, 'H': H, 'Z2': Z2, 'y_pred': y_pred}"):
    """A forward with one line changed."""
    return (f"def forward(X, params):\n    Z1 = {z1}\n    H = {h}\n    Z2 = {z2}\n"
            f"    y_pred = {y_pred}\n    return {ret}\n")


def _backward(dy="-2 * (y - cache['y_pred']) / n",
              dz2="dy_pred[:, None] * sigmoid_prime(cache['Z2'])",
              dh="dZ2 @ params['W2'].T", dz1="dH * sigmoid_prime(cache['Z1'])",
              ret="{'W1': X.T @ dZ1, 'b1': dZ1.sum(axis=0), "
                  "'W2': cache['H'].T @ dZ2, 'b2': dZ2.sum(axis=0)}"):
    """A backward with one line changed."""
    return (f"def backward(X, y, params, cache):\n    n = X.shape[0]\n"
            f"    dy_pred = {dy}\n    dZ2 = {dz2}\n    dH = {dh}\n    dZ1 = {dz1}\n"
            f"    return {ret}\n")


def _train(init="init_params(rng, X.shape[1], n_hidden)",
           update="params[key] = params[key] - lr * grads[key]", keys="params",
           record_after=False, ret="params, losses"):
    """A train_xor with one line changed."""
    loss = "        losses[epoch] = np.mean((y - forward(X, params)[0]) ** 2)\n"
    return (f"def train_xor(X, y, n_hidden, lr, epochs, rng):\n"
            f"    params = {init}\n    losses = np.zeros(epochs)\n"
            f"    for epoch in range(epochs):\n"
            f"        y_pred, cache = forward(X, params)\n"
            + ("" if record_after else
               "        losses[epoch] = np.mean((y - y_pred) ** 2)\n")
            + "        grads = backward(X, y, params, cache)\n"
            f"        for key in {keys}:\n            {update}\n"
            + (loss if record_after else "")
            + f"    return {ret}\n")


def _choice(letter):
    return f"def why_some_seeds_fail():\n    return {letter!r}\n"


WRONG = {
    "forward_batch_values": [
        Wrong("forgets both biases", _forward(z1="X @ params['W1']", z2="H @ params['W2']"),
              says="the biases are missing"),
        Wrong("transposes W1", _forward(z1="X @ params['W1'].T + params['b1']"),
              says="X @ W1.T"),
        Wrong("y_pred keeps its column", _forward(y_pred="sigmoid(Z2)"),
              says="expected shape (4,), got shape (4, 1)"),
        Wrong("no sigmoid on the output", _forward(y_pred="Z2[:, 0]"),
              says="this is Z2 itself"),
        Wrong("no sigmoid in the hidden layer", _forward(h="Z1"),
              says="the hidden layer needs its sigmoid too"),
        Wrong("cache without Z1", _forward(ret="y_pred, {'H': H, 'Z2': Z2, 'y_pred': y_pred}"),
              says="with the key 'Z1'"),
        Wrong("cache['H'] holds Z1",
              _forward(ret="y_pred, {'Z1': Z1, 'H': Z1, 'Z2': Z2, 'y_pred': y_pred}"),
              says="cache['H'] holds Z1"),
        Wrong("returns only y_pred", _forward(ret="y_pred"), says="should return two things"),
    ],
    "backward_batch_gradients": [
        Wrong("forgets the transpose of W2", _backward(dh="dZ2 @ params['W2']"),
              says="or a missing `.T`"),
        Wrong("dW1 the wrong way round",
              _backward(ret="{'W1': dZ1.T @ X, 'b1': dZ1.sum(axis=0), "
                            "'W2': cache['H'].T @ dZ2, 'b2': dZ2.sum(axis=0)}"),
              says="the expected shape transposed"),
        Wrong("update direction: sign flipped", _backward(dy="2 * (y - cache['y_pred']) / n"),
              says="the sign is flipped"),
        Wrong("sum, not mean, over the batch", _backward(dy="-2 * (y - cache['y_pred'])"),
              says="n times too big"),
        Wrong("no factor 2", _backward(dy="-(y - cache['y_pred']) / n"),
              says="exactly half"),
        Wrong("no bias gradients",
              _backward(ret="{'W1': X.T @ dZ1, 'W2': cache['H'].T @ dZ2}"),
              says="no gradient for 'b2'"),
        Wrong("bias gradient not summed over the batch",
              _backward(ret="{'W1': X.T @ dZ1, 'b1': dZ1, "
                            "'W2': cache['H'].T @ dZ2, 'b2': dZ2.sum(axis=0)}"),
              says="expected shape (3,), got shape (3, 3)"),
        Wrong("sigmoid_prime of the hidden activation",
              _backward(dz1="dH * sigmoid_prime(cache['H'])"),
              says="takes the pre-activation"),
        Wrong("sigmoid_prime of y_pred",
              _backward(dz2="dy_pred[:, None] * sigmoid_prime(cache['y_pred'][:, None])"),
              says="takes the pre-activation"),
    ],
    "train_xor_learns": [
        Wrong("update with the wrong sign",
              _train(update="params[key] = params[key] + lr * grads[key]"),
              says="step against the gradient"),
        Wrong("biases never updated", _train(keys="('W1', 'W2')"),
              says="is every parameter (W1, b1, W2 and b2) updated"),
        Wrong("ignores the rng it is given",
              _train(init="init_params(np.random.default_rng(), X.shape[1], n_hidden)"),
              says="from the rng you are given"),
        Wrong("records the loss after the update", _train(record_after=True),
              says="one epoch late"),
        Wrong("ignores n_hidden", _train(init="init_params(rng, X.shape[1], 2)"),
              says="use n_hidden"),
        Wrong("returns only the params", _train(ret="params"),
              says="should return two things"),
    ],
    "why_some_seeds_fail_answer": [
        Wrong("chooses a", _choice("a"), says="not a: the hand-set weights"),
        Wrong("chooses b", _choice("b"), says="not b: section 8"),
        Wrong("chooses d", _choice("d"), says="not d: section 8"),
        Wrong("returns a number", "def why_some_seeds_fail():\n    return 3\n",
              says="return one letter"),
    ],
}

(kernel, test_every_graded_test_cell_is_covered, test_solution_passes,
 test_blank_stub_fails, test_wrong_answer_fails) = exercise_tests("06_xor", ANSWERS, WRONG)
