"""The book's code, in three layers that follow the data:

- ``data``: load, validate and re-extract the published tables (no analysis, no HTML);
- ``analysis``: pure functions from data to numbers and tables, one module per theme chapter;
- ``present``: how a result looks on a page (figures, tables, glue, bibliography, data dictionary).

The build (``build``, ``sphinx_ext``) sits beside them.
"""
