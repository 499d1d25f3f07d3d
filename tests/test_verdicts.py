"""The pieces of grading outside the kernel: the plain-data codec, the names a
test reads, and the copy of nbutils whose references are switched off.
(The whole of it, against hostile answers, is graded in test_grade_attacks.)"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from harness import ROOT

from nbinstructor import verdicts
from nbinstructor.kernel_calls import NotPlain, decode, encode, exception_class


def _roundtrip(value):
    return decode(json.loads(json.dumps(encode(value))))


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, float("nan"), float("inf"), "text", 1 + 2j,
    np.float64(0.25), np.int64(7), np.bool_(True),
    np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([1, 2], dtype=np.int32),
    np.array(["a", "b"]), np.zeros((0, 3)), np.array(0.5), np.asfortranarray(np.eye(3)[:, :2]),
    [1, [2.0, "x"]], (1, (2, 3)), {"W1": np.ones((2, 2)), "b1": np.zeros(2), 3: None},
])
def test_plain_data_crosses_unchanged(value):
    back = _roundtrip(value)
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape
        assert np.array_equal(back, value)
    elif isinstance(value, dict):
        assert back.keys() == value.keys()
        for k in value:
            assert np.array_equal(back[k], value[k]) if value[k] is not None else back[k] is None
    elif value == value:  # not nan
        assert back == value
    else:
        assert back != back


def test_a_generator_crosses_with_its_state():
    rng = np.random.default_rng(5)
    rng.normal(size=3)
    back = _roundtrip(rng)
    assert np.array_equal(back.normal(size=4), rng.normal(size=4))


class AlwaysEqual(float):
    def __eq__(self, other):
        return True


class LyingArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), bool)


def test_what_is_not_plain_data_does_not_cross():
    for value in (AlwaysEqual(1.0), object(), {1, 2}, np.array([object()]), lambda: 0,
                  {(1, 2): 3}):
        with pytest.raises(NotPlain):
            encode(value)
    # an ndarray subclass crosses as a plain array: its behaviour stays behind
    back = _roundtrip(np.zeros(3).view(LyingArray))
    assert type(back) is np.ndarray and not np.array_equal(back, np.ones(3))


def test_decode_reads_nothing_but_data():
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()]), allow_pickle=True)
    pickled = {"t": "array", "npy": base64.b64encode(buffer.getvalue()).decode()}
    for data in (pickled, {"t": "callback", "id": 0}, {"t": "kernel", "name": "x"},
                 {"t": "rng", "bit_generator": "os", "state": {}}, [1, 2], {"no": "tag"}):
        with pytest.raises((NotPlain, ValueError)):
            decode(data)
    deep = 1
    for _ in range(60):
        deep = {"t": "list", "v": [deep]}
    with pytest.raises(NotPlain):
        decode(deep)


def test_exceptions_keep_builtin_classes_and_never_become_other_things():
    assert exception_class("ValueError") is ValueError
    assert exception_class("KeyboardInterrupt").__mro__[1] is Exception  # not a BaseException
    made = exception_class("print")
    assert issubclass(made, Exception) and made is not print
    assert exception_class("not an identifier").__name__ == "Error"


def test_a_students_own_exception_keeps_its_built_in_base():
    from nbinstructor.kernel_calls import raised

    class LengthError(ValueError):
        pass

    name, message, base = raised(LengthError("y_true has 3 entries"))
    made = exception_class(name, base)
    assert (name, message, base) == ("LengthError", "y_true has 3 entries", "ValueError")
    assert made.__name__ == "LengthError" and issubclass(made, ValueError)
    assert exception_class("Sneaky", "SystemExit").__mro__[1] is Exception


def test_names_read_include_those_of_lambdas_and_functions_inside():
    code = compile("f = lambda z: sigmoid(z) + np.pi\ndef g():\n    return other(x)\n",
                   "<t>", "exec")
    assert {"sigmoid", "np", "other", "x"} <= verdicts.names_read(code)


def test_the_switched_off_copy_raises_for_the_notebooks_exercises_only(tmp_path):
    from nbutils import activations

    package = ROOT / "nbutils"
    names = verdicts.exercises(ROOT / "solutions" / "01_neuron" / "01_neuron.ipynb")
    assert names == ["sigmoid", "neuron_output"]
    copy = verdicts.switched_off_copy(package, names, tmp_path)
    assert copy.name == "nbutils" and verdicts.switched_off_copy(package, names, tmp_path) == copy
    code = ("import nbutils, numpy as np\n"
            "from nbutils import activations, network, losses\n"
            "assert nbutils.__file__.startswith(%r)\n"
            "print(losses.mse_loss(np.ones(2), np.zeros(2)))\n"
            "try:\n    activations.sigmoid(0.0)\n"
            "except activations.ReferenceSwitchedOff as e:\n    print('OFF', e)\n"
            % str(copy))
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, env={"PYTHONPATH": str(copy.parent)}, check=True).stdout
    assert out.splitlines()[0] == "1.0"
    assert "OFF while grading, the course's own nbutils.activations.sigmoid is switched off" in out
    assert "exercise sigmoid" in out
    assert activations.sigmoid(0.0) == 0.5  # the real one is untouched


def _course_step_elsewhere(params, grads, lr):
    return params


def test_the_courses_function_stands_in_inside_a_real_kernel(tmp_path):
    """What `checks.standing_in` does when grading: the kernel's train calls the
    course's sgd_step (sent as source) inside the block, the student's own after it."""
    from jupyter_client.manager import start_new_kernel

    from nbutils import checks, training

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    calls = None
    try:
        kc.execute_interactive(
            "import numpy as np\n"
            "def sgd_step(params, grads, lr):\n"
            "    return {k: params[k] + lr * grads[k] for k in params}  # uphill: the bug\n"
            "def train(params, grads):\n"
            "    return sgd_step(params, grads, 0.5)\n", timeout=30)
        calls = verdicts.KernelCalls(km.get_connection_info(), 30)
        train = verdicts.Proxy(calls, "train")
        start, grads = {"w": np.array([1.0, 2.0])}, {"w": np.array([2.0, 2.0])}
        with checks.standing_in(train, quiet=True, sgd_step=training.sgd_step):
            assert np.array_equal(train(start, grads)["w"], [0.0, 1.0])
        assert np.array_equal(train(start, grads)["w"], [2.0, 3.0])  # the student's again
        with pytest.raises(verdicts.KernelCallError, match="its source cannot be read"):
            with checks.standing_in(train, quiet=True, sgd_step=print):
                pass
        # a module the kernel cannot import: refused there, and nothing is left swapped
        with pytest.raises(verdicts.KernelCallError, match="could not be put in place"):
            with checks.standing_in(train, quiet=True, sgd_step=_course_step_elsewhere):
                pass
        assert np.array_equal(train(start, grads)["w"], [2.0, 3.0])
    finally:
        if calls is not None:
            calls.close()
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_the_courses_function_stands_in_where_its_helpers_are_switched_off(tmp_path):
    """Notebook 01's kernel has the course's sigmoid and sigmoid_array switched off; the
    course's sigmoid still stands in for neuron_output's check: its helpers go with it."""
    from jupyter_client.manager import start_new_kernel

    from nbutils import activations, checks

    copy = verdicts.switched_off_copy(ROOT / "nbutils", ["sigmoid", "neuron_output"], tmp_path)
    env = {**os.environ, "PYTHONPATH": str(copy.parent)}
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path), env=env)
    calls = None
    try:
        seen = []
        kc.execute_interactive(
            "import numpy as np, nbutils\n"
            "from nbutils import activations\n"
            f"assert nbutils.__file__.startswith({str(copy)!r})\n"
            "def sigmoid(z):\n    return 1 / (1 + np.exp(z))  # the bug: no minus\n"
            "def neuron_output(w, b, x):\n    return sigmoid(np.dot(w, x) + b)\n"
            "try:\n    activations.sigmoid_array(np.zeros(1))\n"
            "except activations.ReferenceSwitchedOff:\n    print('OFF')\n",
            timeout=30, output_hook=seen.append)
        assert any(m["content"].get("text") == "OFF\n" for m in seen), seen
        calls = verdicts.KernelCalls(km.get_connection_info(), 30)
        neuron_output = verdicts.Proxy(calls, "neuron_output")
        w, b, x = np.array([0.0, 1.0]), 4.0, np.array([2.0, 3.0])
        with checks.standing_in(neuron_output, quiet=True, sigmoid=activations.sigmoid):
            assert neuron_output(w, b, x) == pytest.approx(0.9990889488055994, rel=1e-12)
        assert neuron_output(w, b, x) == pytest.approx(1 - 0.9990889488055994, rel=1e-9)
    finally:
        if calls is not None:
            calls.close()
        kc.stop_channels()
        km.shutdown_kernel(now=True)
