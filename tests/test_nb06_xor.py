"""Notebook 06: every graded exercise fails blank, passes solved, fails when wrong."""

import re

from harness import Cascade, Right, Wrong, cascade_tests, exercise_tests, right_answer_tests

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
           record_after=False, ret="params, losses", mse="np.mean((y - y_pred) ** 2)"):
    """A train_xor with one line changed."""
    loss = "        losses[epoch] = np.mean((y - forward(X, params)[0]) ** 2)\n"
    return (f"def train_xor(X, y, n_hidden, lr, epochs, rng):\n"
            f"    params = {init}\n    losses = np.zeros(epochs)\n"
            f"    for epoch in range(epochs):\n"
            f"        y_pred, cache = forward(X, params)\n"
            + ("" if record_after else f"        losses[epoch] = {mse}\n")
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
        Wrong("a fixed seed in place of the rng it is given",
              _train(init="init_params(np.random.default_rng(0), X.shape[1], n_hidden)"),
              says="from the rng you are given"),
        Wrong("the loss summed over the batch", _train(mse="np.sum((y - y_pred) ** 2)"),
              says="n times the MSE"),
        Wrong("only the biases updated", _train(keys="('b1', 'b2')"),
              says="is every parameter (W1, b1, W2 and b2) updated"),
    ],
    "why_some_seeds_fail_answer": [
        Wrong("chooses a", _choice("a"), says="not a: the hand-set weights"),
        Wrong("chooses b", _choice("b"), says="not b: section 8"),
        Wrong("chooses d", _choice("d"), says="not d: section 8"),
        Wrong("returns a number", "def why_some_seeds_fail():\n    return 3\n",
              says="return one letter"),
    ],
}

(kernel, test_every_graded_test_cell_is_covered, test_solution_passes, test_blank_stub_fails,
 test_wrong_answer_fails, test_hints_fire_only_for_their_mistake) = exercise_tests(
    "06_xor", ANSWERS, WRONG)


RIGHT = {  # correct answers in other styles: full marks
    "why_some_seeds_fail_answer": [
        Right("a capital letter", _choice("C")),
        Right("spaces around it", _choice(" c ")),
        Right("a variable", "def why_some_seeds_fail():\n    answer = 'c'\n    return answer\n"),
    ],
    "forward_batch_values": [
        Right("tutorial: np.dot, as its forward_propagation",
              "def forward(X, params):\n"
              "    z1 = np.dot(X, params['W1']) + params['b1']\n"
              "    a1 = sigmoid(z1)\n"
              "    z2 = np.dot(a1, params['W2']) + params['b2']\n"
              "    a2 = sigmoid(z2)\n"
              "    return a2[:, 0], {'Z1': z1, 'H': a1, 'Z2': z2, 'y_pred': a2[:, 0]}\n"),
        Right("einsum, ravel, dict(...)",
              "def forward(X, params):\n"
              "    Z1 = np.einsum('ni,ih->nh', X, params['W1']) + params['b1']\n"
              "    H = sigmoid(Z1)\n"
              "    Z2 = np.einsum('nh,ho->no', H, params['W2']) + params['b2']\n"
              "    y_pred = sigmoid(Z2).ravel()\n"
              "    return y_pred, dict(Z1=Z1, H=H, Z2=Z2, y_pred=y_pred)\n"),
        Right("@, its own sigmoid, a cache with an extra key",
              "def forward(X, params):\n"
              "    cache = {'X': X}\n"
              "    cache['Z1'] = X @ params['W1'] + params['b1']\n"
              "    cache['H'] = 1 / (1 + np.exp(-cache['Z1']))\n"
              "    cache['Z2'] = cache['H'] @ params['W2'] + params['b2']\n"
              "    cache['y_pred'] = (1 / (1 + np.exp(-cache['Z2']))).reshape(-1)\n"
              "    return cache['y_pred'], cache\n"),
        Right("a loop over the samples",
              "def forward(X, params):\n"
              "    Z1 = np.array([x @ params['W1'] + params['b1'] for x in X])\n"
              "    H = sigmoid(Z1)\n"
              "    Z2 = np.array([h @ params['W2'] + params['b2'] for h in H])\n"
              "    y_pred = np.array([sigmoid(z[0]) for z in Z2])\n"
              "    return y_pred, {'Z1': Z1, 'H': H, 'Z2': Z2, 'y_pred': y_pred}\n"),
    ],
    "backward_batch_gradients": [
        Right("einsum",
              "def backward(X, y, params, cache):\n"
              "    n = len(y)\n"
              "    dy = 2 * (cache['y_pred'] - y) / n\n"
              "    dZ2 = dy[:, None] * sigmoid_prime(cache['Z2'])\n"
              "    dZ1 = np.einsum('no,ho->nh', dZ2, params['W2']) * sigmoid_prime(cache['Z1'])\n"
              "    return {'W1': np.einsum('ni,nh->ih', X, dZ1), 'b1': np.einsum('nh->h', dZ1),\n"
              "            'W2': np.einsum('nh,no->ho', cache['H'], dZ2),\n"
              "            'b2': np.einsum('no->o', dZ2)}\n"),
        Right("tutorial: np.dot, f'(z) as a (1 - a), keepdims, with the MSE's factor 2",
              "def backward(X, y, params, cache):\n"
              "    m = X.shape[0]\n"
              "    a1, a2 = cache['H'], cache['y_pred'][:, None]\n"
              "    error_output = a2 - y[:, None]\n"
              "    delta2 = 2 * error_output * a2 * (1 - a2) / m\n"
              "    dW2 = np.dot(a1.T, delta2)\n"
              "    db2 = np.sum(delta2, axis=0, keepdims=True)[0]\n"
              "    error_hidden = np.dot(delta2, params['W2'].T)\n"
              "    delta1 = error_hidden * a1 * (1 - a1)\n"
              "    dW1 = np.dot(X.T, delta1)\n"
              "    db1 = np.sum(delta1, axis=0, keepdims=True).ravel()\n"
              "    return {'W1': dW1, 'b1': db1, 'W2': dW2, 'b2': db2}\n"),
        Right("@, keepdims reshaped to the bias's shape",
              "def backward(X, y, params, cache):\n"
              "    dZ2 = (-2 / X.shape[0] * (y - cache['y_pred'])).reshape(-1, 1) \\\n"
              "        * sigmoid_prime(cache['Z2'])\n"
              "    dZ1 = (dZ2 @ params['W2'].T) * sigmoid_prime(cache['Z1'])\n"
              "    return {'W2': cache['H'].T @ dZ2,\n"
              "            'b2': dZ2.sum(axis=0, keepdims=True).reshape(params['b2'].shape),\n"
              "            'W1': X.T @ dZ1,\n"
              "            'b1': dZ1.sum(axis=0, keepdims=True).reshape(params['b1'].shape)}\n"),
        Right("a loop over the samples, one sample's gradient at a time",
              "def backward(X, y, params, cache):\n"
              "    n = X.shape[0]\n"
              "    grads = {key: np.zeros_like(value) for key, value in params.items()}\n"
              "    for i in range(n):\n"
              "        dz2 = -2 / n * (y[i] - cache['y_pred'][i]) * sigmoid_prime(cache['Z2'][i])\n"
              "        dz1 = (params['W2'] @ dz2) * sigmoid_prime(cache['Z1'][i])\n"
              "        grads['W2'] += np.outer(cache['H'][i], dz2)\n"
              "        grads['b2'] += dz2\n"
              "        grads['W1'] += np.outer(X[i], dz1)\n"
              "        grads['b1'] += dz1\n"
              "    return grads\n"),
    ],
    "train_xor_learns": [
        Right("params updated with a dict comprehension, losses in a list",
              "def train_xor(X, y, n_hidden, lr, epochs, rng):\n"
              "    params = init_params(rng, X.shape[1], n_hidden)\n"
              "    losses = []\n"
              "    for _ in range(epochs):\n"
              "        y_pred, cache = forward(X, params)\n"
              "        losses.append(np.mean((y - y_pred) ** 2))\n"
              "        grads = backward(X, y, params, cache)\n"
              "        params = {key: value - lr * grads[key] for key, value in params.items()}\n"
              "    return params, np.array(losses)\n"),
        Right("the parameters in four separate arrays",
              "def train_xor(X, y, n_hidden, lr, epochs, rng):\n"
              "    start = init_params(rng, X.shape[1], n_hidden)\n"
              "    W1, b1, W2, b2 = start['W1'], start['b1'], start['W2'], start['b2']\n"
              "    losses = np.empty(epochs)\n"
              "    for epoch in range(epochs):\n"
              "        params = {'W1': W1, 'b1': b1, 'W2': W2, 'b2': b2}\n"
              "        y_pred, cache = forward(X, params)\n"
              "        losses[epoch] = np.mean((y - y_pred) ** 2)\n"
              "        g = backward(X, y, params, cache)\n"
              "        W1, b1 = W1 - lr * g['W1'], b1 - lr * g['b1']\n"
              "        W2, b2 = W2 - lr * g['W2'], b2 - lr * g['b2']\n"
              "    return {'W1': W1, 'b1': b1, 'W2': W2, 'b2': b2}, losses\n"),
        Right("the start drawn with rng.normal, in init_params's order",
              "def train_xor(X, y, n_hidden, lr, epochs, rng):\n"
              "    n_inputs = X.shape[1]\n"
              "    params = {'W1': rng.normal(size=(n_inputs, n_hidden)),\n"
              "              'b1': rng.normal(size=n_hidden),\n"
              "              'W2': rng.normal(size=(n_hidden, 1)), 'b2': rng.normal(size=1)}\n"
              "    losses = np.zeros(epochs)\n"
              "    for epoch in range(epochs):\n"
              "        y_pred, cache = forward(X, params)\n"
              "        losses[epoch] = np.mean((y - y_pred) ** 2)\n"
              "        grads = backward(X, y, params, cache)\n"
              "        for key in params:\n"
              "            params[key] = params[key] - lr * grads[key]\n"
              "    return params, losses\n"),
        Right("one loop, no forward or backward: the derivatives as a (1 - a)",
              "def train_xor(X, y, n_hidden, lr, epochs, rng):\n"
              "    p = init_params(rng, X.shape[1], n_hidden)\n"
              "    losses = np.zeros(epochs)\n"
              "    for epoch in range(epochs):\n"
              "        H = sigmoid(X @ p['W1'] + p['b1'])\n"
              "        out = sigmoid(H @ p['W2'] + p['b2'])\n"
              "        losses[epoch] = np.mean((y - out[:, 0]) ** 2)\n"
              "        dZ2 = -2 / len(X) * (y - out[:, 0])[:, None] * out * (1 - out)\n"
              "        dZ1 = dZ2 @ p['W2'].T * H * (1 - H)\n"
              "        p['W2'] = p['W2'] - lr * H.T @ dZ2\n"
              "        p['b2'] = p['b2'] - lr * dZ2.sum(axis=0)\n"
              "        p['W1'] = p['W1'] - lr * X.T @ dZ1\n"
              "        p['b1'] = p['b1'] - lr * dZ1.sum(axis=0)\n"
              "    return p, losses\n"),
        Right("tutorial: forward, step in place, then the loss of the forward pass",
              "def train_xor(X, y, n_hidden, lr, epochs, rng):\n"
              "    params = init_params(rng, X.shape[1], n_hidden)\n"
              "    losses = np.zeros(epochs)\n"
              "    for epoch in range(epochs):\n"
              "        a2, cache = forward(X, params)\n"
              "        grads = backward(X, y, params, cache)\n"
              "        for key in params:\n"
              "            params[key] -= lr * grads[key]\n"
              "        losses[epoch] = np.mean(np.square(a2 - y))\n"
              "    return params, losses\n"),
    ],
}
test_right_answer_passes = right_answer_tests(ANSWERS, RIGHT)


def _wrong(test_id, label):
    return next(w for w in WRONG[test_id] if w.label == label)


CASCADES = [  # a bug in forward or backward costs train_xor nothing
    Cascade(f"train_xor, {answer} with a bug: {label}", answer,
            _wrong(f"{answer}_{test}", label).source, "train_xor_learns")
    for answer, test, label in [
        ("backward", "batch_gradients", "no factor 2"),
        ("backward", "batch_gradients", "forgets the transpose of W2"),
        ("backward", "batch_gradients", "sigmoid_prime of the hidden activation"),
        ("forward", "batch_values", "no sigmoid in the hidden layer"),
        ("forward", "batch_values", "returns only y_pred"),
    ]
]
test_bug_costs_only_its_own_exercise = cascade_tests(CASCADES)


def test_gradient_check_prints_what_the_text_says(kernel):
    """The text promises relative errors of 1e-8 or smaller for a correct backward."""
    text = next(c for c in kernel.nb.cells if c.id == "cell-35").source
    assert "about $10^{-8}$ or smaller mean the two agree" in text
    code = next(c for c in kernel.nb.cells if c.id == "cell-36").source
    run = kernel.run(f"exec({code!r}, dict(globals()))")
    assert run.ok, run.output
    errors = [float(e) for e in re.findall(r"largest relative error (\S+)", run.output)]
    assert len(errors) == 4 and max(errors) <= 2e-8, run.output
