"""nbutils.widgets.base: what every widget shares (display, note, fallback, layout, a11y)."""

import ipywidgets as widgets
import pytest

from nbutils import live, palette
from nbutils.widgets import base, controls


class Tiny(base.Explorer):
    """The smallest explorer: one slider moving one point."""

    def __init__(self, note=""):
        fig = live.new_figure(3, 2)
        ax = fig.add_subplot()
        self.point, = ax.plot([0.0], [0.0], "o")
        super().__init__(fig, [self.point], alt="a point at 0", note=note)
        self.sliders = {"w": base.slider("w", 0.3, -1, 1, label="weight w")}
        self.updates = 0
        self.finish()

    def update(self):
        w = self.sliders["w"].value
        self.point.set_data([w], [w])
        self.updates += 1
        self.show(f"w = {w:.1f}", f"a point at {w:.1f}")


def test_student_or_reference_keeps_a_working_function():
    def mine(z):
        return z

    fn, note = base.student_or_reference(mine, abs, lambda: mine(1), "fails", "fallback")
    assert fn is mine and note == ""


def test_student_or_reference_falls_back_and_says_why():
    def mine(z):
        raise NotImplementedError("not yet")

    fn, note = base.student_or_reference(mine, abs, lambda: mine(1), "does not work yet",
                                         "the explorer shows the course's until it does")
    assert fn is abs
    assert note == ("Your mine does not work yet (NotImplementedError: not yet); "
                    "the explorer shows the course's until it does.")


@pytest.mark.parametrize("step, digits", [(0.1, 1), (0.01, 2), (1, 0), (0.25, 2), (0.5, 1)])
def test_decimals_of_a_step(step, digits):
    assert base.decimals(step) == digits


def test_a_slider_shows_its_name_and_a_value_without_float_noise():
    s = base.slider("w1", 0.30000000000000004, -3, 3, label="weight w1")
    assert isinstance(s, controls.Slider) and not isinstance(s, widgets.FloatSlider)
    assert s.description == "w1" and s.label == s.tooltip == "weight w1"
    assert s.readout_format == ".1f" and s.value == 0.3
    assert (s.min, s.max, s.step) == (-3, 3, 0.1)
    assert base.slider("p", 0.123, 0, 1, step=0.01).readout_format == ".2f"
    assert base.slider("p", 0.5, 0, 1).label == "p", "named after its description"


def test_an_integer_slider_holds_whole_numbers():
    s = base.slider("seed", 3, 0, 99, 1, integer=True)
    assert isinstance(s, controls.IntSlider) and s.value == 3 and isinstance(s.value, int)
    assert s.readout_format == ".0f" and s.description == "seed"


def test_a_choice_is_radio_buttons_not_a_dropdown():
    c = base.choice("parameter", ["w1", "w2"], value="w2", label="the parameter to move")
    assert isinstance(c, controls.Choice) and not isinstance(c, widgets.Dropdown)
    assert c.value == "w2" and c.description == "parameter" and c.index == 1
    assert c.label == "the parameter to move" and c.options == ("w1", "w2")
    assert base.choice("p", ["a", "b"]).value == "a"
    pairs = base.choice("lr", [("0.1", 0.1), ("1", 1.0)], 1.0)
    assert pairs.value == 1.0 and pairs._labels == ["0.1", "1"]


def test_the_explorer_draws_once_and_follows_its_slider():
    e = Tiny()
    assert e.updates == 1 and e.live.frames == 2  # background, then the first update
    e.sliders["w"].value = -0.5
    assert e.updates == 2 and e.point.get_xdata()[0] == -0.5
    assert 'alt="a point at -0.5"' in e.live.widget.value
    e.flush()  # nothing pending
    assert e.updates == 2


def test_the_readout_is_a_polite_live_region():
    e = Tiny()
    assert "aria-live='polite'" in e.readout.value and "w = 0.3" in e.readout.value
    assert f"color:{palette.TEXT}" in e.readout.value


def test_the_layout_wraps_the_controls_above_the_picture():
    e = Tiny()
    row, picture, readout = e.box.children
    assert row.layout.flex_flow == "row wrap" and e.sliders["w"] in row.children
    assert picture is e.live.widget and readout is e.readout
    assert e.live.widget.layout.max_width == "100%"
    assert "max-width:100%" in e.live.widget.value


def test_below_puts_the_controls_under_the_picture_and_extra_last():
    e = Tiny()
    extra = widgets.Button(description="Play")
    e.finish(below=True, extra=[extra])
    assert e.box.children[0] is e.live.widget and e.box.children[-1] is extra


def test_a_note_comes_first_in_a_readable_colour():
    e = Tiny(note="Your f does not work yet (ValueError: x); fallback.")
    note = e.box.children[0]
    assert "does not work yet" in note.value and palette.NOTE_TEXT in note.value
    assert base.note_html("") == "" and "&lt;b&gt;" in base.note_html("<b>")


def test_groups_are_titled_columns_of_sliders():
    e = Tiny()
    g = e.group("a <group>", ["w"])
    assert "a &lt;group&gt;" in g.children[0].value and g.children[1] is e.sliders["w"]


def test_the_explorer_displays_its_box(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    e = Tiny()
    e._ipython_display_()
    assert shown == [e.box]


def test_update_is_the_subclass_s_job():
    class Nothing(base.Explorer):
        pass

    with pytest.raises(NotImplementedError):
        Nothing(live.new_figure(1, 1), alt="x").finish()

