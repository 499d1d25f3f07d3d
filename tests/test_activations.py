"""nbutils.activations (notebooks 01 and 04): the sigmoid and its slope, to the last bits."""

import numpy as np
import pytest

from nbutils import activations


def rel(a, b, rtol=1e-12):
    return np.allclose(a, b, rtol=rtol, atol=0)


@pytest.mark.parametrize("z,expected", [
    (7.0, 0.9990889488055994), (3.0, 0.9525741268224334),
    (-3.0, 0.04742587317756678), (0.0, 0.5),
])
def test_sigmoid_reference_values(z, expected):
    assert rel(activations.sigmoid(z), expected)


def test_sigmoid_is_stable_and_shape_preserving():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = activations.sigmoid(np.array([[-1000.0, 1000.0], [-1e308, 0.0]]))
    assert out.shape == (2, 2) and out.tolist() == [[0.0, 1.0], [0.0, 0.5]]
    assert isinstance(activations.sigmoid(1.0), float)


def test_sigmoid_is_the_two_textbook_forms_to_the_last_bit():
    """One division, where(z >= 0, 1, e) / (1 + e), is 1 / (1 + e^-z) for z >= 0 and
    e^z / (1 + e^z) for z < 0, bit for bit (the hidden tests' numbers rest on it)."""
    rng = np.random.default_rng(5)
    z = np.concatenate([rng.normal(size=200_000) * scale for scale in (1e-3, 1, 10, 100, 800)]
                       + [[0.0, -0.0, 1e-320, -1e-320, 709.8, -709.8, 745.2, -745.2]])
    with np.errstate(over="ignore", invalid="ignore"):  # each form where it is not used
        positive = 1.0 / (1.0 + np.exp(-z))
        negative = np.exp(z) / (1.0 + np.exp(z))
    expected = np.where(z >= 0, positive, negative)
    assert np.array_equal(activations.sigmoid(z), expected)
    assert np.array_equal(activations.sigmoid_array(z), expected)
    special = activations.sigmoid(np.array([np.inf, -np.inf, np.nan]))
    assert special[0] == 1.0 and special[1] == 0.0 and np.isnan(special[2])


def test_sigmoid_prime():
    assert activations.sigmoid_prime(0.0) == 0.25
    z = np.linspace(-5, 5, 11)
    numeric = (activations.sigmoid(z + 1e-6) - activations.sigmoid(z - 1e-6)) / 2e-6
    assert rel(activations.sigmoid_prime(z), numeric, rtol=1e-8)
    assert np.all(activations.sigmoid_prime(z[z != 0]) < 0.25)


def _exact(z: float, prime: bool) -> float:
    """f(z) or f'(z) in 60-digit decimal arithmetic, rounded once to a float."""
    from decimal import Decimal, localcontext

    with localcontext() as context:
        context.prec = 60
        e = (-Decimal(z)).exp()  # the float's own value, not the decimal it prints as
        return float(e / (1 + e) ** 2 if prime else 1 / (1 + e))


@pytest.mark.parametrize("z", [-745.2, -708.0, -36.8, -31.76, -3.0, -1e-8, 0.0, 0.5,
                               7.0, 31.76, 36.8, 100.0, 708.0])
def test_the_references_are_right_to_the_last_bits(z):
    """Expected values come from these: within 4 ulp of the exact value, where
    f(z) (1 - f(z)) is off by 4.5e-3 (z = 31.76) or gives 0.0 (z = 36.8)."""
    for prime, fn in ((False, activations.sigmoid), (True, activations.sigmoid_prime)):
        want, got = _exact(z, prime), fn(z)
        assert abs(got - want) <= 4 * np.spacing(want) or want == got == 0.0, (prime, z)
    s = activations.sigmoid(36.8)
    assert s * (1 - s) == 0.0 and activations.sigmoid_prime(36.8) > 1e-16
