"""PRESENTATION: how a result looks on a page. ``figures`` (plot style and the figure helper; ``phone``, its narrow redraw for phones),
``tables`` (every reader-facing table), ``glue`` (the one way a chapter puts a number in prose),
``lookup`` (the searchable list of reporting services), ``bibliography``, ``schema_docs`` (the data
dictionary) and ``version``."""
