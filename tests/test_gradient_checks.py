"""nbutils.gradient_checks: the first wrong partial derivative, plain messages, no crash."""

import numpy as np
import pytest

from nbutils import checks, gradient_checks, gradients, mistakes, network

ONES = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
ALICE = (np.array([-2.0, -1.0]), 1.0)


def random_params(seed=0, n_inputs=2, n_hidden=2):
    return network.init_params(np.random.default_rng(seed), n_inputs, n_hidden)


def cases():
    x, t = ALICE
    p = random_params(1)
    x2 = np.array([0.5, -1.5])
    return [checks.Case((x, t, ONES), gradients.backprop(x, t, ONES), label="Alice, ones"),
            checks.Case((x2, 0.0, p), gradients.backprop(x2, 0.0, p), label="random")]


def mine(fn):
    """``fn`` as if a student had written it (the checks refuse nbutils' own)."""
    def backprop(*args):
        return fn(*args)
    return backprop


def run(fn, case_list=None, **kw):
    """The printed message of a failing check, or None when it passed."""
    try:
        gradient_checks.check_gradients(fn, case_list or cases(), quiet=True, **kw)
    except checks.CheckFailed as exc:
        return str(exc)
    return None


def test_order_is_the_chain_rules():
    labels = [label for _, _, label in gradient_checks.entries(ONES)]
    assert labels == [f"dL/d{n}" for n in gradient_checks.ORDER]
    assert gradient_checks.ORDER == ("w5", "w6", "b3", "w1", "w2", "b1", "w3", "w4", "b2")
    where = {label: (key, idx) for key, idx, label in gradient_checks.entries(ONES)}
    for name in network.NAMES:
        assert where[f"dL/d{name}"] == network.WHERE[name]


def test_order_for_other_sizes_and_other_dicts():
    p = random_params(0, 3, 2)
    labels = [label for _, _, label in gradient_checks.entries(p)]
    assert labels[:3] == ["dL/dW2[0, 0]", "dL/dW2[1, 0]", "dL/db2[0]"]
    assert labels[3:7] == ["dL/dW1[0, 0]", "dL/dW1[1, 0]", "dL/dW1[2, 0]", "dL/db1[0]"]
    assert len(labels) == 3 * 2 + 2 + 2 + 1
    other = gradient_checks.entries({"a": np.zeros(2), "b": np.zeros(())})
    assert [label for _, _, label in other] == ["dL/da[0]", "dL/da[1]", "dL/db"]


def test_the_right_gradients_pass(capsys):
    assert gradient_checks.check_gradients(mine(gradients.backprop), cases(),
                                           name="backprop") is None
    assert "✓ backprop: all 2 checks passed (18 partial derivatives)." in \
        capsys.readouterr().out


def test_the_first_wrong_one_is_named_with_expected_and_got():
    def backprop(x, y_true, params):
        g = gradients.backprop(x, y_true, params)
        g["b1"] = g["b1"] * np.array([1.0, 3.0])   # only dL/db2 is wrong
        g["W1"] = g["W1"] * np.array([[1.0, 1.0], [2.0, 1.0]])  # and dL/dw2
        return g

    message = run(backprop)
    want = network.named(gradients.backprop(*ALICE, ONES))
    assert "0 of 2 checks passed" in message and "calling backprop for Alice, ones" in message
    assert "first wrong partial derivative (in the order backprop computes them): dL/dw2, " \
           "which is grads['W1'][1, 0]" in message
    assert f"expected {want['w2']!r}" in message
    assert f"got      {2 * want['w2']!r}" in message
    assert "right before it: dL/dw5, dL/dw6, dL/db3, dL/dw1" in message
    assert "also wrong: dL/db2" in message


def test_a_lone_wrong_value_says_the_rest_is_right():
    def backprop(x, y_true, params):
        g = gradients.backprop(x, y_true, params)
        g["b2"] = g["b2"] + 1.0
        return g

    message = run(backprop)
    assert "dL/db3" in message and "every other partial derivative is right." in message
    assert "right before it: dL/dw5, dL/dw6\n" in message


K = checks.Kind


def failure(fn, case_list=None, **kw) -> checks.Failure:
    """The failure of a gradient check that must fail, as data."""
    with pytest.raises(checks.CheckFailed) as failed:
        gradient_checks.check_gradients(fn, case_list or cases(), quiet=True, **kw)
    return failed.value.failure


@pytest.mark.parametrize("fn,says,kind", [
    (lambda x, t, p: None, "it returned None", K.RETURNED_NONE),
    (lambda x, t, p: 3.0, "it returned a float (3.0); a dict with the keys 'W1', 'b1', 'W2'",
     K.WRONG_TYPE),
    (lambda x, t, p: (p["W1"], p["b1"], p["W2"], p["b2"]), "Put the 4 arrays in a dict",
     K.WRONG_TYPE),
    (lambda x, t, p: {"W1": p["W1"], "b1": p["b1"], "W2": p["W2"]}, "has no key 'b2'",
     K.WRONG_KEYS),
    (lambda x, t, p: network.named(p), "it returned the tutorial's nine names", K.WRONG_KEYS),
    (lambda x, t, p: dict(gradients.backprop(x, t, p), W2=np.zeros(2)),
     "grads['W2']: expected shape (2, 1), got shape (2,)", K.WRONG_SHAPE),
    (lambda x, t, p: dict(gradients.backprop(x, t, p), W1=np.zeros((2, 3))),
     "grads['W1'] like params['W1'], which is (2, 2)", K.WRONG_SHAPE),
    (lambda x, t, p: dict(gradients.backprop(x, t, p), b1=np.array([np.nan, 0.0])),
     "grads['b1']: it returned NaN at index 0", K.NOT_FINITE),
    (lambda x, t, p: dict(gradients.backprop(x, t, p), b2=np.array([np.inf])),
     "grads['b2']: it returned an infinite value", K.NOT_FINITE),
    (lambda x, t, p: dict(gradients.backprop(x, t, p), b2="0.1"),
     "grads['b2']: it returned a string", K.WRONG_TYPE),
    (lambda x, t, p: p["w1"], "raised KeyError: 'w1'", K.RAISED),
    (lambda x, t, p: p["W1"] @ np.ones(3), "raised ValueError", K.RAISED),
    (lambda x, t, p: np.exp(np.array([1000.0])), "raised RuntimeWarning: overflow", K.RAISED),
])
def test_wrong_returns_get_plain_messages(fn, says, kind):
    message = run(mine(fn))
    assert message is not None and says in message, message
    found = failure(mine(fn))
    assert found.kind is kind
    assert all(f"  hint: {h}" in message for h in found.hints)  # its hints, as printed


def test_hints_are_for_wrong_values_only():
    """A hint that matches anything shows for a wrong value and for no other kind."""
    always = [checks.Hint("always", lambda *a: True)]
    wrong = failure(mine(mistakes.with_mistake("sign")), hints=always)
    assert wrong.kind is K.WRONG_VALUE and wrong.hints == ("always",)
    shape = failure(mine(lambda x, t, p: dict(gradients.backprop(x, t, p), W2=np.zeros(2))),
                    hints=always)
    assert shape.kind is K.WRONG_SHAPE and "always" not in shape.hints
    assert failure(mine(lambda x, t, p: None), hints=always).hints == ()


def test_key_error_hint_names_the_convention():
    message = run(mine(lambda x, t, p: p["w1"]))
    assert "the tutorial's names w1 ... b3 are positions in them" in message


def test_not_written_not_callable_and_the_library_itself():
    def backprop(x, y_true, params):
        raise NotImplementedError()

    assert "not written yet" in run(backprop)
    assert "is a int, not a function" in run(3)
    assert "the course library's own version" in run(gradients.backprop)


def test_changing_params_in_place_fails_and_cases_stay_intact():
    def backprop(x, y_true, params):
        params["W1"][0, 0] += 1.0
        return gradients.backprop(x, y_true, params)

    case_list = cases()
    before = {k: v.copy() for k, v in case_list[0].args[2].items()}
    assert "it changed the params it was given" in run(backprop, case_list)
    assert failure(backprop, cases()).kind is K.CHANGED_INPUT
    for k, v in before.items():
        assert np.array_equal(case_list[0].args[2][k], v)


def test_a_broken_hint_is_skipped():
    def boom(got, expected, *args):
        raise RuntimeError("hint bug")

    hints = [checks.Hint("never shown", boom), checks.Hint("shown", lambda *a: True)]
    message = run(mine(mistakes.with_mistake("sign")), hints=hints)
    assert "hint: shown" in message and "never shown" not in message


def test_tolerances():
    exact = cases()

    def close(x, t, p):
        return {k: v * (1 + 1e-9) for k, v in gradients.backprop(x, t, p).items()}

    assert run(close, exact) is None
    assert run(close, exact, rtol=1e-12) is not None


def test_where_each_mistake_shows_first():
    first = {}
    for mistake in mistakes.MISTAKES:
        message = run(mine(mistakes.with_mistake(mistake)))
        first[mistake] = message.split("them): ")[1].split(",")[0]
    assert first["sign"] == first["activation_output"] == "dL/dw5"
    assert first["no_w2"] == first["activation_h1"] == first["no_x"] == "dL/dw1"
    assert first["activation_h2"] == first["wrong_neuron"] == "dL/dw3"


def test_the_wrong_neuron_bug_hides_at_all_weights_one():
    x, t = ALICE
    hidden = mistakes.with_mistake("wrong_neuron")(x, t, ONES)
    right = gradients.backprop(x, t, ONES)
    for k in right:
        assert np.array_equal(hidden[k], right[k])


# --- the numeric gradient -------------------------------------------------------------------


def alice_loss(p):
    return gradients.sample_loss(*ALICE, p)


def numeric_cases():
    return [checks.Case((alice_loss, ONES, 1e-3),
                        gradients.numeric_gradient(alice_loss, ONES, 1e-3), label="Alice")]


def numeric_message(fn):
    try:
        gradient_checks.check_gradients(fn, numeric_cases(), name="numeric_gradient",
                                        rtol=1e-8, quiet=True,
                                        hints=gradient_checks.numeric_hints())
    except checks.CheckFailed as exc:
        return str(exc)
    return None


def differences(loss_fn, params, eps, how):
    out = {}
    for key, value in params.items():
        out[key] = np.zeros(value.shape)
        for idx in np.ndindex(value.shape):
            plus, minus = network.copy_params(params), network.copy_params(params)
            plus[key][idx] += eps
            minus[key][idx] -= eps
            out[key][idx] = how(loss_fn(plus), loss_fn(params), loss_fn(minus), eps)
    return out


@pytest.mark.parametrize("how,says", [
    (lambda up, here, down, eps: (up - down) / eps, "twice the expected one"),
    (lambda up, here, down, eps: (down - up) / (2 * eps), "opposite sign"),
    (lambda up, here, down, eps: 0.0 * up, "every value is 0"),
    (lambda up, here, down, eps: (up - here) / eps, "one-sided difference"),
    (lambda up, here, down, eps: (here - down) / eps, "one-sided difference"),
])
def test_numeric_gradient_mistakes_are_recognised(how, says):
    def numeric_gradient(loss_fn, params, eps):
        return differences(loss_fn, params, eps, how)

    message = numeric_message(numeric_gradient)
    assert message is not None and says in message, message


def test_a_right_numeric_gradient_passes():
    def numeric_gradient(loss_fn, params, eps):
        return differences(loss_fn, params, eps,
                           lambda up, here, down, e: (up - down) / (2 * e))

    assert numeric_message(numeric_gradient) is None


# --- printing a gradient check --------------------------------------------------------------


def test_relative_errors_and_the_table(capsys):
    a = gradients.backprop(*ALICE, ONES)
    n = gradients.numeric_gradient(alice_loss, ONES, 1e-5)
    errors = gradient_checks.relative_errors(a, n)
    assert max(float(e.max()) for e in errors.values()) < 1e-8
    zero = gradient_checks.relative_errors({"b": np.zeros(2)}, {"b": np.zeros(2)})
    assert np.array_equal(zero["b"], [0.0, 0.0])
    assert gradient_checks.print_table(a, n) is None
    rows = capsys.readouterr().out.strip().splitlines()
    assert len(rows) == 10 and "backprop" in rows[0] and "numeric" in rows[0]
    assert [r.split()[0] for r in rows[1:]] == [f"dL/d{n}" for n in gradient_checks.ORDER]
    assert all(r.endswith("ok") for r in rows[1:])
    assert "0.021469535265811" in rows[4]
    gradient_checks.print_table(mistakes.with_mistake("activation_h2")(*ALICE, ONES), n)
    rows = capsys.readouterr().out.strip().splitlines()
    marks = [r.split()[-1] for r in rows[1:]]
    assert marks == ["ok"] * 6 + ["WRONG"] * 3


# --- multiple choice ------------------------------------------------------------------------

CHOICES = {"first_wrong": network.NAMES, "bug": "ABCDE"}


def choice_message(fn, **kw):
    try:
        gradient_checks.check_choices(fn, CHOICES, quiet=True, **kw)
    except checks.CheckFailed as exc:
        return str(exc)
    return None


def test_choices_pass_in_any_reasonable_spelling(capsys):
    for answer in [("w3", "C"), (" dL/dw3 ", "c"), ("'W3'", " C")]:
        assert choice_message(lambda a=answer: a, expected={"first_wrong": "w3",
                                                            "bug": "C"}) is None
    gradient_checks.check_choices(lambda: ("b1", "E"), CHOICES, name="diagnosis")
    assert "have an allowed form" in capsys.readouterr().out


@pytest.mark.parametrize("fn,says", [
    (lambda: ("w7", "C"), "first_wrong = 'w7' is not one of: w1, w2"),
    (lambda: ("w3", "F"), "bug = 'F' is not one of: A, B, C, D, E"),
    (lambda: ("w3",), "it should return 2 strings: `return first_wrong, bug`"),
    (lambda: None, "it should return 2 strings"),
    (lambda: ("w3", 3), "bug should be a string"),
    (lambda: ("w1", "C"), "first_wrong = 'w1' is not right"),
    (lambda: ("w3", "D"), "bug = 'D' is not right.\n  hint: look again"),
])
def test_wrong_choices_get_plain_messages(fn, says):
    message = choice_message(fn, expected={"first_wrong": "w3", "bug": "C"},
                             hints={"bug": "look again"})
    assert message is not None and says in message, message


def test_choices_not_written_or_raising():
    def diagnosis():
        raise NotImplementedError()

    assert "not written yet" in choice_message(diagnosis)
    assert "raised ZeroDivisionError" in choice_message(lambda: 1 / 0)
    assert "not a function" in choice_message("w3")


def test_a_wrong_choice_is_a_wrong_value_with_its_hint():
    with pytest.raises(checks.CheckFailed) as failed:
        gradient_checks.check_choices(lambda: ("w3", "D"), CHOICES, quiet=True,
                                      expected={"first_wrong": "w3", "bug": "C"},
                                      hints={"bug": "look again"})
    assert failed.value.failure.kind is checks.Kind.WRONG_VALUE
    assert failed.value.failure.hints == ("look again",)
    with pytest.raises(checks.CheckFailed) as failed:
        gradient_checks.check_choices(lambda: ("w3", 3), CHOICES, quiet=True)
    assert failed.value.failure.kind is checks.Kind.WRONG_TYPE
