"""nbutils.widgets.controls: the course's accessible slider and choice, on the kernel side.

What the browser does with them (names, announced values, arrow keys, sizes)
is checked in tests/test_accessibility.py and tests/test_browser.py; here: the
traits they sync, their checks, and that the JavaScript is valid and does what
those tests rely on.
"""

import shutil
import subprocess

import pytest
import traitlets

from nbutils import live
from nbutils.widgets import controls


def test_a_slider_keeps_the_interface_of_ipywidgets_sliders():
    s = controls.Slider(0.5, -3, 3, 0.1, description="w1", label="weight w1, x1 to h1")
    assert (s.value, s.min, s.max, s.step) == (0.5, -3.0, 3.0, 0.1)
    assert s.description == "w1" and s.label == s.tooltip == "weight w1, x1 to h1"
    assert s.readout_format == ".1f"
    assert controls.Slider(0, 0, 1, 0.05).readout_format == ".2f"
    assert controls.Slider(0, 0, 1, 0.05, readout_format=".3f").readout_format == ".3f"


def test_a_slider_keeps_its_value_in_range():
    s = controls.Slider(0.0, -1, 1, 0.1, description="w")
    s.value = 5.0
    assert s.value == 1.0
    s.value = -5.0
    assert s.value == -1.0
    assert controls.Slider(9.0, 0, 2, description="start").value == 2.0, "clipped at once"


def test_an_integer_slider_takes_whole_numbers_only():
    s = controls.IntSlider(20, 0, 2000, 20, description="epoch")
    assert isinstance(s.value, int) and s.readout_format == ".0f"
    s.value = 3000
    assert s.value == 2000
    with pytest.raises(traitlets.TraitError):
        s.value = 2.5


def test_the_sliders_sync_what_the_page_shows():
    state = controls.Slider(0.5, -3, 3, 0.1, description="w1", label="weight w1").get_state()
    for key in ("value", "min", "max", "step", "description", "label", "readout_format"):
        assert key in state
    assert state["value"] == 0.5 and state["label"] == "weight w1"


def test_live_connect_follows_a_slider():
    s = controls.Slider(0.0, -1, 1, 0.1, description="w")
    seen = []
    flush = live.connect([s], lambda: seen.append(s.value))
    s.value = 0.5
    flush()
    assert seen == [0.5]


def test_a_choice_takes_labels_or_pairs():
    c = controls.Choice(["w1", "w2", "b1"], "w2", description="parameter")
    assert c.value == "w2" and c.index == 1 and c._labels == ["w1", "w2", "b1"]
    assert c.options == ("w1", "w2", "b1") and c.tooltip == c.label == "parameter"
    rates = controls.Choice([("0.01", 0.01), ("0.1", 0.1)], description="lr",
                            label="learning rate")
    assert rates.value == 0.01 and rates._options_full == (("0.01", 0.01), ("0.1", 0.1))
    assert rates.label == "learning rate"


def test_the_page_chooses_by_index_python_by_value():
    c = controls.Choice([("Alice", "Alice"), ("all four", "all")], description="data")
    changes = []
    c.observe(lambda ch: changes.append(ch["new"]), names="value")
    c.index = 1                       # what a click on the second radio sends
    assert c.value == "all" and changes == ["all"]
    c.value = "Alice"
    assert c.index == 0 and changes == ["all", "Alice"]


def test_a_choice_refuses_a_value_it_does_not_offer():
    c = controls.Choice(["a", "b"], description="p")
    with pytest.raises(traitlets.TraitError, match="not one of the options"):
        c.value = "c"
    assert c.value == "a"


def test_the_javascript_names_the_controls_and_keeps_the_arrow_keys():
    slider, choice = controls.Slider._esm, controls.Choice._esm
    assert 'range.type = "range"' in slider and '"aria-valuetext"' in slider
    assert '"aria-label"' in slider and "name.htmlFor" in slider
    assert 'type: "radio"' in choice and '"legend"' in choice and '"fieldset"' in choice
    for esm in (slider, choice):
        assert "e.stopPropagation()" in esm and '"ArrowDown"' in esm
        assert "export default { render }" in esm
    assert f"width: {controls.WIDTH}" in controls.Slider._css


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("widget", [controls.Slider, controls.Choice])
def test_the_javascript_parses(widget, tmp_path):
    path = tmp_path / "widget.mjs"
    path.write_text(widget._esm)
    done = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
