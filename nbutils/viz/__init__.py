"""The pictures and live widgets of the course, one module per notebook.

Each module holds pure plotting functions (they draw on an ``ax`` they are
given, or update artists they returned) and a thin widget class on top,
built with :mod:`nbutils.live`. Import the one a notebook needs::

    from nbutils.viz import neuron as viz
"""
