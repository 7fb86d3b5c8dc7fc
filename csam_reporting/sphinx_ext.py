"""A small Sphinx extension for pages whose text is generated from the data package.

myst-nb renders a Markdown *output* of a code cell inside the output, where a heading can only
become a rubric: it never reaches the page's contents sidebar. So the data dictionary is put into
the page's own source when Sphinx reads it (the ``source-read`` event), in place of the line

    % generated: data dictionary

and its headings are real sections. It is regenerated on every read from ``data/``, and the page
is re-read whenever the schemas change (they are noted as its dependencies).
"""
from __future__ import annotations

from pathlib import Path

MARKERS = {
    "% generated: data dictionary": "data_dictionary_markdown",
}


def _fill(app, docname: str, source: list[str]) -> None:
    text = source[0]
    if not any(marker in text for marker in MARKERS):
        return
    from . import data, schema_docs

    for marker, function in MARKERS.items():
        if marker in text:
            text = text.replace(marker, getattr(schema_docs, function)())
    source[0] = text
    package = Path(data.data_dir())
    for path in [package / "datapackage.json", *sorted((package / "schemas").glob("*.json"))]:
        app.env.note_dependency(str(path))


def setup(app):
    app.connect("source-read", _fill)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
