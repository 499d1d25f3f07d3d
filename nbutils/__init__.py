"""nbutils: the helper package of the course "Neural networks from scratch".

One module per idea; the README's "The helper package" maps each notebook to
its reference module, its checks (``exercises.<topic>``), its pictures
(``plots.<topic>``) and its widget (``widgets.<topic>``). Importing nbutils
changes nothing: no matplotlib style, warning filter or random state is
touched. Import what you need explicitly::

    from nbutils import checks, data
"""

__version__ = "0.1.0"
