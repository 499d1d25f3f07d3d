"""The live widgets of the course, one module per notebook (thin: controls and a call to
``nbutils.plots``); :mod:`.base` holds what they share, :mod:`.examples` each widget
exactly as its notebook shows it::

    from nbutils.widgets import neuron as widgets
"""
