"""The course's colours, named by what they mean in a picture (every notebook).

One palette, Okabe and Ito's eight colours, which stay distinct for the
common colour-vision deficiencies. A picture asks for a *role*
(``palette.POSITIVE``, ``palette.TARGET``), never for a hex code, so the
same idea has the same colour in every notebook. Colour is never the only
cue: pictures add a line style, a marker or a +/- sign beside it.

Text on white uses the ``*_TEXT`` colours, each with a contrast of at least
4.5:1 (WCAG AA for text; the ratio is in the comment, checked by
``tests/test_palette.py``). The plain colours are for lines, fills and
markers (3:1 is enough for those, and the lighter ones sit next to a dark
outline or line).
"""

from __future__ import annotations

# Okabe & Ito (2008), "Color Universal Design"; contrast on white in brackets
OKABE_ITO = {
    "black": "#000000",           # 21.0:1
    "orange": "#E69F00",          # 2.25:1 (fills and wide lines only)
    "sky_blue": "#56B4E9",        # 2.31:1 (fills and wide lines only)
    "bluish_green": "#009E73",    # 3.42:1
    "yellow": "#F0E442",          # 1.32:1 (fills only)
    "blue": "#0072B2",            # 5.19:1
    "vermillion": "#D55E00",      # 3.87:1
    "reddish_purple": "#CC79A7",  # 3.06:1
}

# ---- roles: lines, markers and fills
POSITIVE = OKABE_ITO["blue"]           # a positive weight (drawn solid, labelled +)
NEGATIVE = OKABE_ITO["vermillion"]     # a negative weight (drawn dashed, labelled −)
ZERO = "#999999"                       # a weight of (nearly) zero (thin, dotted)
INPUT = OKABE_ITO["sky_blue"]          # an input neuron's outline
INPUT_FILL = "#DDEFFA"                 # an input neuron's fill (light sky blue)
NEURON = OKABE_ITO["orange"]           # a hidden or output neuron's outline
NEURON_FILL = "#FBEBC7"                # a neuron's fill when no activation is shown
HIDDEN = NEURON                        # a hidden neuron (same family as the output)
OUTPUT = NEURON                        # the output neuron
CURVE = OKABE_ITO["blue"]              # a function drawn over its range (f(z), a loss curve)
PREDICTION = OKABE_ITO["blue"]         # a prediction y_pred (bars, points)
TARGET = OKABE_ITO["black"]            # the truth y_true
LOSS = OKABE_ITO["vermillion"]         # a loss or a squared error
GRADIENT = OKABE_ITO["reddish_purple"]  # a gradient, a slope, a tangent
POINT = OKABE_ITO["vermillion"]        # the current point a widget marks
STEP = OKABE_ITO["bluish_green"]       # where a gradient step goes next
CLASS_1 = OKABE_ITO["vermillion"]      # label y = 1 (drawn as circles)
CLASS_0 = OKABE_ITO["blue"]            # label y = 0 (drawn as squares)
AXIS = "#999999"                       # zero lines, reference lines (not text)
ARROW = "#555555"                      # arrows between parts of a diagram

PAPER = "#FFFFFF"                      # the background: figures, label boxes, bar edges

# ---- roles: text on white (contrast >= 4.5:1)
TEXT = "#1A1A1A"                       # 17.4:1, ordinary text
MUTED_TEXT = "#555555"                 # 7.46:1, titles of diagram parts, secondary text
POSITIVE_TEXT = OKABE_ITO["blue"]      # 5.19:1, a weight's value beside a blue edge
NEGATIVE_TEXT = "#A64B00"              # 5.79:1, a dark vermillion for text
BIAS_TEXT = "#A64B00"                  # 5.79:1, a bias written beside its neuron
NOTE_TEXT = "#A64B00"                  # 5.79:1, a widget's note ("your sigmoid ...")
GRADIENT_TEXT = "#8F3F72"              # 6.73:1, a dark reddish purple for text
STEP_TEXT = "#006B54"                  # 6.50:1, a dark bluish green for text

# ---- colour maps (names for matplotlib)
DIVERGING = "RdBu"     # signed values, 0 in the middle: negative red, positive blue
SEQUENTIAL = "cividis"  # one-signed values (an activation in [0, 1], a loss)

# which role a weight's sign takes, and its second cue
SIGN_STYLE = {1: (POSITIVE, "-", "+"), -1: (NEGATIVE, "--", "\u2212"), 0: (ZERO, ":", "")}


def _luminance(colour: str) -> float:
    """The relative luminance of ``"#RRGGBB"`` (WCAG 2.x), in [0, 1]."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(fg: str, bg: str = PAPER) -> float:
    """The WCAG contrast ratio of two ``"#RRGGBB"`` colours, from 1 to 21.

    Text needs at least 4.5, lines and controls at least 3.
    """
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_on(fill) -> str:
    """``TEXT`` or ``PAPER`` (white), whichever reads better on ``fill`` (hex or RGBA)."""
    if not isinstance(fill, str):
        fill = "#" + "".join(f"{round(255 * float(c)):02X}" for c in fill[:3])
    return TEXT if contrast(TEXT, fill) >= contrast(PAPER, fill) else PAPER


def sign_style(w: float, zero: float = 0.05) -> tuple[str, str, str]:
    """Colour, line style and sign label of an edge with weight ``w`` (notebook 02).

    Positive: blue, solid, "+"; negative: vermillion, dashed, "−"; with
    ``|w| < zero``: grey, dotted, no sign.
    """
    return SIGN_STYLE[0 if abs(w) < zero else (1 if w > 0 else -1)]
