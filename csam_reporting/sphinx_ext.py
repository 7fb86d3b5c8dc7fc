"""A small Sphinx extension for pages whose text is generated from the data package.

myst-nb renders a Markdown *output* of a code cell inside the output, where a heading can only
become a rubric: it never reaches the page's contents sidebar. So the data dictionary is put into
the page's own source when Sphinx reads it (the ``source-read`` event), in place of the line

    % generated: data dictionary

and its headings are real sections. It is regenerated on every read from ``data/``, and the page
is re-read whenever the schemas change (they are noted as its dependencies).

It also lets Sphinx read pages in parallel. Jupyter Book 1 loads ``sphinx_multitoc_numbering``
even when ``use_multitoc_numbering`` is false (it adds the extension before reading that setting
from ``_config.yml``), and that extension declares nothing about parallel reading, so Sphinx
falls back to a serial read with a warning. The extension keeps no state in the environment: it
replaces how section numbers are assigned, which Sphinx does in the main process after every
parallel reader's environment is merged. With continuous numbering switched off, it is declared
safe here.
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
    from . import data
    from .present import schema_docs

    for marker, function in MARKERS.items():
        if marker in text:
            text = text.replace(marker, getattr(schema_docs, function)())
    source[0] = text
    package = Path(data.data_dir())
    for path in [package / "datapackage.json", *sorted((package / "schemas").glob("*.json"))]:
        app.env.note_dependency(str(path))


def _declare_numbering_parallel_safe(app) -> None:
    extension = app.extensions.get("sphinx_multitoc_numbering")
    if extension is not None and not app.config["use_multitoc_numbering"]:
        extension.parallel_read_safe = True
        extension.parallel_write_safe = True


def setup(app):
    app.connect("source-read", _fill)
    app.connect("builder-inited", _declare_numbering_parallel_safe)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
