"""nbutils.plots.backprop: notebook 04's pictures show what the math says."""

import numpy as np
import pytest

from nbutils import data, gradients, live, network
from nbutils.activations import sigmoid_prime
from nbutils.plots import backprop as plots
from nbutils.plots import network as network_plots

ONES = network.from_named(w1=1, w2=1, w3=1, w4=1, w5=1, w6=1, b1=0, b2=0, b3=0)
X, Y, _ = data.people()


def alice_loss(params):
    return gradients.sample_loss(X[0], Y[0], params)


def slope_of(line):
    xs, ys = line.get_data()
    return (ys[1] - ys[0]) / (xs[1] - xs[0])


def test_chain_rule_drawing_highlights_the_path_and_says_so():
    fig, ax = plots.figure(7, 3.4)
    artists = plots.draw_chain_rule(ax, ONES, highlight="w1")
    plain = plots.draw_chain_rule(plots.figure(7, 3.4)[1], ONES)
    assert set(artists.edges) == set(plain.edges)
    assert "$L$" in [t.get_text() for t in ax.texts], "the loss after the output"
    alt = plots.describe_chain_rule(ONES, "w1")
    assert "w1 -> h1 -> o1 -> L" in alt and "w5 = 1" in alt and "b3 = 0" in alt
    assert "Highlighted" not in plots.describe_chain_rule(ONES)
    assert network_plots.path_to_loss("w1")[0] == ("x1", "h1")


def test_static_figures_have_text_alternatives():
    assert "f'(-3) = 0.0452" in plots.describe_sigmoid_prime(sigmoid_prime)
    alt = plots.describe_all_slices(alice_loss, ONES)
    assert f"{alice_loss(ONES):.4f}" in alt and alt.count(" from ") == 9

    def along_w1(v):
        p = network.copy_params(ONES)
        p["W1"][0, 0] = v
        return alice_loss(p)

    exact = network.named(gradients.backprop(X[0], Y[0], ONES))["w1"]
    assert "Central: smallest" in plots.describe_difference_errors(along_w1, 1.0, exact)
    fig, ax = plots.figure(4, 3)
    assert callable(plots.show) and ax.figure is fig


def test_sigmoid_prime_plot_draws_the_given_function():
    ax = live.new_figure().add_subplot()
    plots.plot_sigmoid_prime(ax, sigmoid_prime, mark=(-3.0,))
    z, fp = ax.lines[1].get_data()
    assert fp == pytest.approx(sigmoid_prime(z), rel=1e-12)
    assert ax.lines[1].get_linestyle() != ax.lines[0].get_linestyle(), "not by colour alone"
    assert ax.lines[2].get_ydata()[0] == pytest.approx(sigmoid_prime(-3.0), rel=1e-12)


def test_loss_along_holds_the_other_parameters():
    grid = np.array([0.0, 1.0, 2.0])
    along = plots.loss_along(alice_loss, ONES, "w1", grid)
    assert along[1] == alice_loss(ONES)
    p = network.copy_params(ONES)
    p["W1"][0, 0] = 2.0
    assert along[2] == pytest.approx(alice_loss(p), rel=1e-12)
    assert ONES["W1"][0, 0] == 1.0, "params are not changed"


def test_slice_artists_move_to_the_point_the_tangent_and_the_step():
    ax = live.new_figure().add_subplot()
    grid = np.linspace(-5, 5, 11)
    artists = plots.plot_loss_along(ax, grid, grid ** 2, "b3")
    assert ax.get_xlabel() == "$b_3$" and ax.get_ylim()[1] > 25
    plots.mark_slice(artists, 1.0, 1.0, 2.0, 0.8, 0.64)
    assert slope_of(artists.tangent) == pytest.approx(2.0, rel=1e-12)
    assert artists.point.get_data()[0][0] == 1.0
    assert artists.next_point.get_data()[1][0] == 0.64
    assert artists.next_point.get_markerfacecolor() == "white", "hollow: not the point"


def test_all_slices_have_the_backprop_tangents():
    fig = live.new_figure(8, 6)
    grads = gradients.backprop(X[0], Y[0], ONES)
    axes = plots.plot_all_slices(fig, alice_loss, ONES, grads)
    named = network.named(grads)
    assert axes.shape == (3, 3)
    for ax, name in zip(axes.flat, network.NAMES, strict=True):
        assert name[1] in ax.get_title()
        assert slope_of(ax.lines[2]) == pytest.approx(named[name], rel=1e-9)


def test_difference_errors_central_beats_one_sided():
    def along_w1(v):
        p = network.copy_params(ONES)
        p["W1"][0, 0] = v
        return alice_loss(p)

    exact = network.named(gradients.backprop(X[0], Y[0], ONES))["w1"]
    one, two = plots.difference_errors(along_w1, 1.0, exact, [1e-3, 1e-5])
    assert two[1] < 1e-9, "central, eps = 1e-5: about 1e-10"
    assert one[0] > 1e-4 and two[0] < 1e-6
    ax = live.new_figure().add_subplot()
    plots.plot_difference_errors(ax, along_w1, 1.0, exact)
    assert len(ax.lines) == 2
    assert ax.lines[0].get_marker() != ax.lines[1].get_marker()
