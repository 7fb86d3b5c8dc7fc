"""What the built pages need that Sphinx and the theme do not give them, applied to ``_build/html``
after each build (``build.py`` calls :func:`finish`).

* a ``<meta name="description">`` on every page, from the page's question (its "**The
  question.**" paragraph) or, failing that, its first paragraph;
* one viewport tag (the theme, Sphinx and myst-nb each add one);
* the search buttons' accessible name includes their visible text (axe:
  ``label-content-name-mismatch``): the buttons are named by what they show;
* the root redirect page names the site's icon (no /favicon.ico request and 404);
* figures' SVG drawings become files beside the site (``_images/figure-<hash>.svg``) instead of
  base64 inside the page: a phone downloads only the drawing it shows, and the page is smaller;
* each chapter is offered as its executed notebook (``.ipynb``: its source with the outputs the
  execution cache holds, which the site shows) beside its source in the page's download menu.

Every step is idempotent: an incremental build runs it again over pages Sphinx did not rewrite.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path

DESCRIPTION_MAX = 160


def finish(site: Path, build_dir: Path | None = None) -> None:
    """Post-process every page of the built site in ``site`` (``_build/html``)."""
    site = Path(site)
    build_dir = Path(build_dir) if build_dir else site.parent
    notebooks = publish_executed_notebooks(build_dir / ".jupyter_cache", site / "_sources")
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site)
        if relative.parts[0] in ("_static", "_sources", "data", "_images"):
            continue
        text = page.read_text(encoding="utf-8")
        if relative.as_posix() == "index.html" and "http-equiv=\"Refresh\"" in text:
            new = redirect_page_with_icon(text)
        else:
            new = one_viewport(text)
            new = describe(new)
            new = name_search_buttons(new)
            new = externalise_figures(new, page, site)
            new = offer_notebook(new, relative, notebooks)
        if new != text:
            page.write_text(new, encoding="utf-8")


# --- head ------------------------------------------------------------------------------------
_VIEWPORT = re.compile(r'[ \t]*<meta name="viewport"[^>]*>\n?')


def one_viewport(page: str) -> str:
    """Keep the first viewport tag, drop the others."""
    tags = list(_VIEWPORT.finditer(page))
    for match in reversed(tags[1:]):
        page = page[:match.start()] + page[match.end():]
    return page


_TAGS = re.compile(r"<[^>]+>")
_QUESTION = re.compile(r"<p>\s*<strong>\s*The question\.?\s*</strong>(.*?)</p>", re.DOTALL | re.IGNORECASE)
_ARTICLE = re.compile(r'<article class="bd-article"[^>]*>(.*?)</article>', re.DOTALL)
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_HEAD_END = "</head>"


def page_description(page: str) -> str:
    """The page's question, as plain text of at most 160 characters (cut at a word)."""
    article = _ARTICLE.search(page)
    body = article.group(1) if article else page
    match = _QUESTION.search(body)
    if match:
        text = match.group(1)
    else:
        text = ""
        for paragraph in _PARAGRAPH.finditer(body):
            text = _TAGS.sub("", paragraph.group(1)).strip()
            if len(text) >= 40:
                break
    text = " ".join(html.unescape(_TAGS.sub("", text)).split())
    if len(text) > DESCRIPTION_MAX:
        text = text[:DESCRIPTION_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


def describe(page: str) -> str:
    if '<meta name="description"' in page or _HEAD_END not in page:
        return page
    text = page_description(page)
    if not text:
        return page
    tag = f'<meta name="description" content="{html.escape(text, quote=True)}" />\n'
    return page.replace(_HEAD_END, tag + _HEAD_END, 1)


def redirect_page_with_icon(page: str) -> str:
    if 'rel="icon"' in page:
        return page
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<link rel="icon" href="_static/favicon.svg" type="image/svg+xml">'
            f"{page.strip()}</head></html>\n")


# --- search buttons --------------------------------------------------------------------------
_SEARCH_BUTTON = re.compile(r'(<button class="[^"]*\bsearch-button-field\b[^"]*"[^>]*?) aria-label="[^"]*"')


def name_search_buttons(page: str) -> str:
    """Drop the buttons' aria-label ("Search"): their name then comes from what they show
    ("Search Ctrl+K"), so a speech-input user who says what they see reaches them."""
    return _SEARCH_BUTTON.sub(r"\1", page)


# --- figures ---------------------------------------------------------------------------------
_FIGURE = re.compile(r'<figure class="book-figure">.*?</figure>', re.DOTALL)
_SVG_URI = re.compile(r'(src|srcset)="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')


def externalise_figures(page: str, path: Path, site: Path) -> str:
    """Write each figure's SVG drawings to ``_images/figure-<sha256>.svg`` and point to them."""
    images = site / "_images"
    prefix = "../" * (len(path.relative_to(site).parts) - 1)

    def to_file(match: re.Match) -> str:
        svg = base64.b64decode(match.group(2))
        name = f"figure-{hashlib.sha256(svg).hexdigest()[:20]}.svg"
        images.mkdir(exist_ok=True)
        target = images / name
        if not target.exists():
            target.write_bytes(svg)
        return f'{match.group(1)}="{prefix}_images/{name}"'

    return _FIGURE.sub(lambda figure: _SVG_URI.sub(to_file, figure.group(0)), page)


# --- executed notebooks ----------------------------------------------------------------------
_MEMORY_ADDRESS = re.compile(r" at 0x[0-9a-f]{6,16}>")


def publish_executed_notebooks(cache_dir: Path, sources: Path) -> dict[str, str]:
    """Put each chapter's executed notebook beside its source in ``_sources/``: the chapter read
    as a notebook (as myst-nb reads it) with the outputs the execution cache holds for its code,
    which are the outputs the site shows. Cell ids and metadata do not change from build to build.

    Returns {page path without suffix: notebook path relative to the site}.
    """
    published = {}
    if not cache_dir.is_dir() or not sources.is_dir():
        return published
    from jupyter_cache import get_cache
    from myst_nb.core.read import myst_nb_reader_plugin

    cache = get_cache(str(cache_dir))
    for source in sorted(sources.rglob("*.md")):
        relative = source.relative_to(sources)
        try:
            notebook = myst_nb_reader_plugin(str(source))
            _, content = cache.merge_match_into_notebook(notebook)
        except (KeyError, ValueError):  # not a notebook, or not executed: nothing to offer
            continue
        for index, cell in enumerate(content.get("cells", [])):
            cell["id"] = f"cell-{index}"
            cell.get("metadata", {}).pop("execution", None)
        content.get("metadata", {}).pop("source_map", None)
        target = source.with_suffix(".ipynb")
        text = json.dumps(content, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        text = _MEMORY_ADDRESS.sub(" at 0x0>", text)  # "<Styler at 0x7feb5beb3450>" differs every run
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        published[relative.with_suffix("").as_posix()] = f"_sources/{relative.with_suffix('.ipynb').as_posix()}"
    return published


_SOURCE_ITEM = re.compile(r'<li><a href="(?P<href>[^"]*_sources/(?P<page>[^"]+)\.md)"[^>]*>.*?</li>', re.DOTALL)


def offer_notebook(page: str, relative: Path, notebooks: dict[str, str]) -> str:
    """Add "executed notebook (.ipynb)" to the page's download menu, after the source file."""
    key = relative.with_suffix("").as_posix()
    if key not in notebooks or "btn-download-notebook-button" in page:
        return page
    match = _SOURCE_ITEM.search(page)
    if not match:
        return page
    href = match.group("href")[:-len(".md")] + ".ipynb"
    item = (f'\n      <li><a href="{href}" download class="btn btn-sm btn-download-notebook-button dropdown-item" '
            'title="Download the executed notebook (rerun it from a copy of the repository)" '
            'data-bs-placement="left" data-bs-toggle="tooltip">'
            '<span class="btn__icon-container"><i class="fas fa-code"></i></span>'
            '<span class="btn__text-container">.ipynb</span></a></li>')
    return page[:match.end()] + item + page[match.end():]
