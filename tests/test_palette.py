"""nbutils.palette: one colour-blind-safe palette, named by role, readable text colours."""

import re

import pytest
from matplotlib import colormaps

from nbutils import palette

TEXT_ROLES = [n for n in dir(palette) if n.endswith("TEXT") and n.isupper()]


def test_contrast_matches_the_wcag_examples():
    assert palette.contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert palette.contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert palette.contrast("#767676") == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert palette.contrast("#FFFFFF", "#767676") == palette.contrast("#767676")


@pytest.mark.parametrize("role", TEXT_ROLES)
def test_every_text_colour_reads_on_white(role):
    assert palette.contrast(getattr(palette, role)) >= 4.5


def test_the_ratios_in_the_comments_are_true():
    source = open(palette.__file__, encoding="utf-8").read()
    stated = re.findall(r'"(#[0-9A-Fa-f]{6})"[^\n#]*#\s*([0-9.]+):1', source)
    stated += re.findall(r'= (OKABE_ITO\["\w+"\])\s*#\s*([0-9.]+):1', source)
    assert len(stated) >= 10
    for colour, ratio in stated:
        if colour.startswith("OKABE_ITO"):
            colour = palette.OKABE_ITO[colour.split('"')[1]]
        assert palette.contrast(colour) == pytest.approx(float(ratio), abs=0.01), colour


def test_roles_are_okabe_ito_or_greys():
    okabe = {c.upper() for c in palette.OKABE_ITO.values()}
    for role in ("POSITIVE", "NEGATIVE", "INPUT", "NEURON", "PREDICTION", "TARGET", "LOSS",
                 "GRADIENT", "POINT", "STEP", "CLASS_0", "CLASS_1", "CURVE"):
        assert getattr(palette, role).upper() in okabe, role
    assert palette.POSITIVE != palette.NEGATIVE and palette.CLASS_0 != palette.CLASS_1


def test_maps_exist_in_matplotlib():
    for name in (palette.DIVERGING, palette.SEQUENTIAL):
        assert name in colormaps


def test_text_on_picks_the_readable_one():
    assert palette.text_on("#FFFFFF") == palette.TEXT
    assert palette.text_on("#000000") == "#FFFFFF"
    assert palette.text_on((0.0, 0.13, 0.3, 1.0)) == "#FFFFFF"  # dark cividis blue
    assert palette.text_on((1.0, 0.91, 0.27, 1.0)) == palette.TEXT  # pale cividis yellow


def test_a_weights_sign_has_a_second_cue_beside_colour():
    pos, neg, zero = palette.sign_style(1.0), palette.sign_style(-1.0), palette.sign_style(0.0)
    assert len({pos[1], neg[1], zero[1]}) == 3, "line styles differ"
    assert (pos[2], neg[2]) == ("+", "\u2212")
    assert palette.sign_style(0.01) == zero
