"""nbutils: the helper package of the course "Neural networks from scratch".

One module per idea, in the order the notebooks teach them:

- ``data``: the course's data sets (the four people, XOR, study/sleep).
- ``checks``: the student-facing checks used by every exercise.
- ``activations`` (01), ``network`` (02), ``losses`` (03), ``gradients`` (04),
  ``training`` (05), ``mlp`` (06): the course's reference versions of what a
  notebook taught, for the notebooks that come after it.
- ``gradient_checks`` (04): the student-facing comparison of gradient dicts,
  naming the first wrong partial derivative in the order backprop computes it.
- ``exercises``: one module per notebook with the checks of its exercises
  (the hints and helpers a check cell calls).
- ``live``: a figure drawn once and updated in place, shown in a widget.
- ``viz``: one module per notebook with its pictures and live widgets.
- ``instructor``: release, navigation and grading tools.

Importing nbutils changes nothing: no matplotlib style, warning filter or
random state is touched. Import what you need explicitly::

    from nbutils import checks, data
"""

__version__ = "0.1.0"
