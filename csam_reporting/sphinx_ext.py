"""A small Sphinx extension for pages whose text is generated from the data package.

myst-nb renders a Markdown *output* of a code cell inside the output, where a heading can only
become a rubric: it never reaches the page's contents sidebar. So the data dictionary is put into
the page's own source when Sphinx reads it (the ``source-read`` event), in place of the line

    % generated: data dictionary

and its headings are real sections. It is regenerated on every read from ``data/``, and the page
is re-read whenever the schemas change (they are noted as its dependencies).

Through Sphinx's ``html-page-context`` event (documented for changing a page's context before it is
rendered), each page also

* has one viewport tag (docutils' writer adds a second to the metatags: it is left out);
* is described: a ``<meta name="description">`` from the page's question (its "**The question.**"
  paragraph) or, failing that, its first paragraph of some length (added to ``metatags``);
* loads only the stylesheets and scripts it uses: code highlighting and the copy button only with a
  highlighted code block, sphinx-togglebutton only with a toggle or dropdown, sphinx-design only with
  a design element (the assets are left out of this page's ``css_files`` and ``script_files``,
  which Sphinx restores for the next page);
* is offered as its executed notebook (``.ipynb``) in the theme's download menu: the notebook
  myst-nb wrote for the page (``_build/jupyter_execute``), copied beside its source in
  ``_sources/`` with cell ids numbered, so that two builds give the same file, and named in the
  ``ipynb_source`` context value the theme reads.

Figure drawings and the tables' and figures' CSV downloads are served as files
(``doctree-resolved``, on the book's own outputs): the figure and table helpers embed them in their
output as ``data:`` URIs, so that a notebook carries them; on the site each becomes a file named by
its content (drawings in ``_images/``, CSVs in ``_tables/``), which the browser fetches only when a
figure nears the screen (``loading="lazy"``) or a reader asks for the numbers, and the page's own
download stays small.

Glued numbers are written with a true minus sign (``doctree-resolved``, on the book's own text):
myst-nb formats a glued number with Python's format spec, which writes a hyphen-minus.

The search index and its scripts load only on ``search.html``: ``_templates/layout.html`` leaves
out the theme's ``extrahead`` block (Sphinx's documented template inheritance).
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from docutils import nodes

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


DESCRIPTION_MAX = 160


def page_description(doctree) -> str:
    """The page's question, as plain text of at most 160 characters (cut at a word)."""
    if doctree is None:
        return ""
    paragraphs = [p for p in doctree.findall(nodes.paragraph)
                  if not any(isinstance(a, (nodes.Admonition, nodes.container, nodes.table)) for a in _ancestors(p))]
    text = ""
    for paragraph in paragraphs:
        first = paragraph.children[0] if paragraph.children else None
        if isinstance(first, nodes.strong) and first.astext().strip().rstrip(".").lower() == "the question":
            text = paragraph.astext()[len(first.astext()):]
            break
    else:
        for paragraph in paragraphs:
            text = paragraph.astext()
            if len(text) >= 40:
                break
    return shorten(text)


def shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > DESCRIPTION_MAX:
        text = text[:DESCRIPTION_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


# Assets of extensions a page may not use, with what the page's body shows when it does use them.
OPTIONAL_ASSETS = {
    ("pygments.css", "copybutton.css", "copybutton.js", "clipboard.min.js"): ('class="highlight',),
    ("togglebutton.css", "togglebutton.js", "toggleHint", "toggleOpenOnPrint", "togglebuttonSelector"):
        ("toggle", "dropdown"),
    ("sphinx-design.min.css", "design-tabs.js"): ('class="sd-', ' sd-'),
}


def _asset_name(asset) -> str:
    """A stylesheet's or script's file name, or for an inline script its text."""
    name = getattr(asset, "filename", None)
    if name:
        return str(name)
    attributes = getattr(asset, "attributes", {}) or {}
    return str(attributes.get("body", "")) or str(asset)


def unused_assets(assets, body: str) -> list:
    """Those of ``assets`` that belong to an extension the page's ``body`` does not use."""
    unused = []
    for markers, uses in OPTIONAL_ASSETS.items():
        if any(use in body for use in uses):
            continue
        unused += [asset for asset in assets if any(marker in _asset_name(asset) for marker in markers)]
    return unused


def _page_context(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body", "")
    if templatename == "page.html" and body:
        for key in ("css_files", "script_files"):
            assets = context.get(key)
            if isinstance(assets, list):
                for asset in unused_assets(assets, body):
                    assets.remove(asset)
    # docutils' HTML writer puts a viewport tag in the page's metatags; Sphinx's layout has its own.
    context["metatags"] = _VIEWPORT.sub("", context.get("metatags", ""))
    description = page_description(doctree)
    if description:
        escaped = description.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
        context["metatags"] = context.get("metatags", "") + f'\n<meta name="description" content="{escaped}" />'
    notebook = publish_notebook(app, pagename)
    if notebook:
        context["ipynb_source"] = notebook


_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>\n?')
_MEMORY_ADDRESS = re.compile(r" at 0x[0-9a-f]{6,16}>")


def publish_notebook(app, pagename: str) -> str:
    """Copy the executed notebook myst-nb wrote for ``pagename`` into ``_sources/``, with stable
    cell ids; return its path under ``_sources`` (or "" if the page is not a notebook)."""
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return ""
    content = json.loads(executed.read_text(encoding="utf-8"))
    for index, cell in enumerate(content.get("cells", [])):
        cell["id"] = f"cell-{index}"
        cell.get("metadata", {}).pop("execution", None)
    content.get("metadata", {}).pop("source_map", None)
    text = json.dumps(content, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    text = _MEMORY_ADDRESS.sub(" at 0x0>", text)  # "<Styler at 0x7feb5beb3450>" differs every run
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return f"{pagename}.ipynb"


def true_minus_in_glued_text(app, doctree, docname: str) -> None:
    """Each glued value (an inline node of class ``pasted-text``) reads "−24%", not "-24%"."""
    from .present.typography import true_minus

    for inline in doctree.findall(nodes.inline):
        if "pasted-text" not in inline.get("classes", []):
            continue
        for text in list(inline.findall(nodes.Text)):
            written = true_minus(str(text))
            if written != str(text):
                text.parent.replace(text, nodes.Text(written))


_EMBEDDED = re.compile(r"data:(image/svg\+xml|text/csv;charset=utf-8);base64,([A-Za-z0-9+/=]+)")
_FOLDERS = {"image/svg+xml": ("_images", "figure", ".svg"), "text/csv;charset=utf-8": ("_tables", "table", ".csv")}


def figure_files(html: str, outdir: Path, prefix: str) -> str:
    """``html`` with each embedded SVG drawing and CSV written to a file under ``outdir`` (named by
    its content) and referred to by ``prefix`` + its path."""
    def to_file(match) -> str:
        folder, stem, suffix = _FOLDERS[match.group(1)]
        content = base64.b64decode(match.group(2))
        name = f"{stem}-{hashlib.sha256(content).hexdigest()[:20]}{suffix}"
        path = outdir / folder / name
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        return f"{prefix}{folder}/{name}"
    return _EMBEDDED.sub(to_file, html)


def figures_as_files(app, doctree, docname: str) -> None:
    """Each drawing or CSV embedded in one of the book's HTML outputs is served as a file."""
    if app.builder.format != "html":
        return
    prefix = "../" * docname.count("/")
    for raw in list(doctree.findall(nodes.raw)):
        text = raw.astext()
        if "html" in raw.get("format", "").split() and _EMBEDDED.search(text):
            raw.replace_self(nodes.raw("", figure_files(text, Path(app.outdir), prefix), format=raw["format"]))


def setup(app):
    app.connect("source-read", _fill)
    app.connect("doctree-resolved", figures_as_files)
    app.connect("doctree-resolved", true_minus_in_glued_text)
    # Before the theme builds its header buttons (priority 501), which read ``ipynb_source``.
    app.connect("html-page-context", _page_context, priority=500)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
