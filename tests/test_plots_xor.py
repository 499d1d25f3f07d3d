"""nbutils.plots.xor: notebook 06's pictures draw what the math says."""

import numpy as np
import pytest

from nbutils import data, live, mlp, palette
from nbutils.activations import sigmoid
from nbutils.plots import xor as plots


def figure():
    return live.new_figure(8, 3)


def test_maps_are_images_with_x2_up():
    out, H = plots.network_maps(mlp.xor_by_hand(), resolution=31)
    grid = np.linspace(plots.LO, plots.HI, 31)
    assert out.shape == (31, 31) and H.shape == (2, 31, 31)
    i, j = 5, 20  # row i is x2 = grid[i], column j is x1 = grid[j]
    y_pred, cache = mlp.forward(np.array([[grid[j], grid[i]]]), mlp.xor_by_hand())
    assert out[i, j] == pytest.approx(y_pred[0], rel=1e-12)
    assert H[:, i, j] == pytest.approx(cache["H"][0], rel=1e-12)
    m = plots.neuron_map((1.0, -2.0), 0.5, resolution=31)
    assert m[i, j] == pytest.approx(sigmoid(grid[j] - 2 * grid[i] + 0.5), rel=1e-12)


def test_no_single_neuron_gets_four_right():
    rng = np.random.default_rng(0)
    best = max(int(plots.neuron_right(rng.normal(0, 10, 2), rng.normal(0, 10)).sum())
               for _ in range(3000))
    assert best == 3
    assert list(plots.neuron_right((10, 10), -5)) == [True, True, True, False]  # OR


def test_boundary_line_lies_on_w_dot_x_plus_b_equal_zero():
    xs, ys = plots.boundary_line((2.0, -3.0), 0.5)
    for x1, x2 in zip(xs, ys, strict=True):
        assert 2 * x1 - 3 * x2 + 0.5 == pytest.approx(0, abs=1e-12)
    assert plots.boundary_line((2.0, 0.0), -1.0) == ([0.5, 0.5], [plots.LO, plots.HI])
    assert plots.boundary_line((0.0, 0.0), 1.0) == ([], [])


def test_line_attempts_say_how_many_are_right():
    axes = plots.plot_line_attempts(figure(), [("OR", (10, 10), -5), ("AND", (10, 10), -15)],
                                    resolution=20)
    assert [ax.get_title() for ax in axes] == ["OR: 3 of 4 right", "AND: 1 of 4 right"]


def test_network_maps_show_each_hidden_unit_and_the_output():
    axes = plots.plot_network_maps(figure(), mlp.xor_by_hand(), resolution=25)
    out, H = plots.network_maps(mlp.xor_by_hand(), resolution=25)
    assert len(axes) == 3
    assert np.array_equal(axes[0].images[0].get_array(), H[0])
    assert np.array_equal(axes[2].images[0].get_array(), out)
    assert axes[2].get_title() == "output"


def test_points_differ_by_shape_as_well_as_colour():
    ax = figure().add_subplot()
    zero, one = plots.plot_points(ax)
    assert zero.get_marker() != one.get_marker()
    assert len(zero.get_xdata()) == len(one.get_xdata()) == 2


def test_hidden_space_puts_the_inputs_where_the_hidden_layer_does():
    ax = figure().add_subplot()
    plots.plot_hidden_space(ax, mlp.xor_by_hand())
    X, y = data.xor()
    _, cache = mlp.forward(X, mlp.xor_by_hand())
    drawn = np.concatenate([np.column_stack(line.get_data()) for line in ax.get_lines()
                            if line.get_marker() not in ("None", None, "")])
    assert sorted(map(tuple, drawn.round(9))) == sorted(map(tuple, cache["H"].round(9)))
    # (0, 1) and (1, 0) land on the same hidden point: one label for both
    labels = sorted(t.get_text() for t in ax.texts)
    assert "(0, 1)\n(1, 0)" in labels and len(labels) == 3


def test_run_grid_marks_each_run_by_success_with_a_sign_and_a_colour():
    X, y = data.xor()
    runs = mlp.train_many(X, y, 2, 2.0, 2000, [0, 6, 1])
    axes = plots.plot_run_grid(live.new_figure(6, 3), runs, ncols=2, resolution=10)
    assert [ax.get_title() for ax in axes[:3]] == ["seed 0 ✓", "seed 6 ✗", "seed 1 ✓"]
    assert axes[1].spines["left"].get_linestyle() != axes[0].spines["left"].get_linestyle()
    assert axes[1].title.get_color() == plots.BAD and axes[0].title.get_color() == plots.GOOD
    assert not axes[3].get_visible()


def test_success_bars_show_the_counts():
    ax = figure().add_subplot()
    plots.plot_success(ax, ["a", "b"], [77, 100], [100, 100])
    assert [p.get_width() for p in ax.patches] == [0.77, 1.0]
    assert {t.get_text() for t in ax.texts} == {"77 of 100", "100 of 100"}


def test_losses_mark_where_stuck_runs_sit():
    ax = figure().add_subplot()
    line = plots.plot_losses(ax, [0.3, 0.2, 0.125])
    assert list(line.get_xdata()) == [0, 1, 2] and ax.get_yscale() == "log"
    stuck = [t for t in ax.texts if "stuck" in t.get_text()]
    assert stuck and palette.contrast(stuck[0].get_color()) >= 4.5, "text on white: 4.5:1"


def test_neuron_line_picture_follows_w_and_b():
    ax = figure().add_subplot()
    artists = plots.plot_neuron_line(ax, resolution=20)
    right = plots.set_neuron_line(artists, (5.0, -5.0), -2.5)
    assert list(right) == list(plots.neuron_right((5.0, -5.0), -2.5))
    assert np.array_equal(artists.image.get_array(), plots.neuron_map((5, -5), -2.5, 20))
    xs, ys = artists.line.get_data()
    assert 5 * xs[0] - 5 * ys[0] - 2.5 == pytest.approx(0, abs=1e-12)


def test_trainer_picture_covers_the_hidden_panels_a_network_does_not_use():
    fig = live.new_figure(8.4, 3.5)
    artists = plots.plot_trainer(fig, max_hidden=4, resolution=10, epochs=100)
    out, H = plots.network_maps(mlp.xor_by_hand(), resolution=10)
    plots.set_trainer(artists, out, H, [0.3, 0.2], epoch=2, loss=0.1)
    assert [c.get_visible() for c in artists.covers] == [False, False, True, True]
    assert [p.get_visible() for p in artists.points] == [True] * 6 + [False] * 4
    assert np.array_equal(artists.hidden_images[1].get_array(), H[1])
    assert artists.loss_marker.get_data() == ([2], [0.1])
    fig.canvas.draw()


def test_static_figures_have_text_alternatives():
    alt = plots.describe_line_attempts([("OR", (10, 10), -5)])
    assert "OR: 3 of 4 right ((0, 0) right, (0, 1) right, (1, 0) right, (1, 1) wrong)" in alt
    X, y = data.xor()
    y_pred, cache = mlp.forward(X, mlp.xor_by_hand())
    alt = plots.describe_network_maps(mlp.xor_by_hand(), titles=["$h_1$ = OR", "b", "c"])
    assert "h_1 = OR: " + ", ".join(f"{v:.2f}" for v in cache["H"][:, 0]) in alt
    assert "c: " + ", ".join(f"{v:.2f}" for v in y_pred) in alt
    assert "puts 4 of 4 on the right side" in plots.describe_hidden_space(mlp.xor_by_hand())
    runs = mlp.train_many(X, y, 2, 2.0, 2000, [0, 6, 1])
    assert plots.describe_run_grid(runs).endswith("2 did; these did not: 6.")
    assert "b: 100 of 100" in plots.describe_success(["a", "b"], [77, 100], [100, 100])
    assert "over 3 epochs, from 0.3000" in plots.describe_losses([0.3, 0.2, 0.125])
