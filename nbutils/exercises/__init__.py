"""The checks of each notebook's exercises: one module per notebook.

``neuron`` (01), ``feedforward`` (02), ``mse_loss`` (03), ``backprop`` (04),
``sgd`` (05), ``xor`` (06). A notebook's check cell shows its cases and calls
one function here, which runs them through :mod:`nbutils.checks` with the
hints for the mistakes students make. Importing a module computes nothing.
"""
