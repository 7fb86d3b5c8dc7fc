"""The post-processing of built pages (csam_reporting.pages), on small hand-made pages."""
from __future__ import annotations

import base64
import json

from csam_reporting import pages

PAGE = """<!DOCTYPE html><html><head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>T</title>
</head><body>
<button class="btn search-button-field search-button__button pst-js-only" title="Search" aria-label="Search" data-bs-toggle="tooltip">
 <span class="search-button__default-text">Search</span></button>
<ul class="dropdown-menu">
      <li><a href="../_sources/chapters/x.md" target="_blank"
   class="btn btn-sm btn-download-source-button dropdown-item">.md</a>
</li></ul>
<article class="bd-article" role="main">
<h1>Title</h1>
<p><strong>The question.</strong> Who reports how much, relative to how many <em>people</em> use each
service &amp; why?</p>
<figure class="book-figure"><picture><source media="(max-width: 600px)" srcset="data:image/svg+xml;base64,{narrow}">
<img src="data:image/svg+xml;base64,{wide}" alt="a chart"></picture></figure>
</article></body></html>"""


def _page(narrow=b"<svg>narrow</svg>", wide=b"<svg>wide</svg>"):
    return PAGE.replace("{narrow}", base64.b64encode(narrow).decode()).replace("{wide}", base64.b64encode(wide).decode())


def test_one_viewport_tag_is_kept():
    assert pages.one_viewport(_page()).count('name="viewport"') == 1


def test_description_comes_from_the_question_as_plain_text():
    described = pages.describe(_page())
    assert ('<meta name="description" content="Who reports how much, relative to how many people use each '
            'service &amp; why?" />') in described
    assert pages.describe(described) == described


def test_long_description_is_cut_at_a_word():
    text = pages.page_description("<p><strong>The question.</strong> " + "word " * 60 + "</p>")
    assert len(text) <= pages.DESCRIPTION_MAX and text.endswith("word…")


def test_search_buttons_are_named_by_what_they_show():
    named = pages.name_search_buttons(_page())
    assert 'aria-label="Search"' not in named and 'title="Search"' in named


def test_redirect_page_gets_the_icon_once():
    redirect = '<meta http-equiv="Refresh" content="0; url=chapters/intro.html" />'
    once = pages.redirect_page_with_icon(redirect)
    assert 'rel="icon" href="_static/favicon.svg"' in once and 'http-equiv="Refresh"' in once
    assert pages.redirect_page_with_icon(once) == once


def test_figures_become_files_named_by_their_content(tmp_path):
    page = tmp_path / "chapters" / "x.html"
    page.parent.mkdir()
    out = pages.externalise_figures(_page(), page, tmp_path)
    assert "data:image/svg+xml" not in out
    files = sorted((tmp_path / "_images").glob("figure-*.svg"))
    assert {f.read_bytes() for f in files} == {b"<svg>narrow</svg>", b"<svg>wide</svg>"}
    assert f'srcset="../_images/{files[0].name}"' in out or f'srcset="../_images/{files[1].name}"' in out
    assert pages.externalise_figures(out, page, tmp_path) == out


def test_executed_notebooks_are_published_with_stable_ids_and_offered(tmp_path):
    from pathlib import Path

    from jupyter_cache import get_cache
    from myst_nb.core.read import myst_nb_reader_plugin

    sources = tmp_path / "html" / "_sources" / "chapters"
    sources.mkdir(parents=True)
    chapter = sources / "x.md"
    chapter.write_text("---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n"
                       "  display_name: Python 3\n  language: python\n  name: python3\n---\n\n# X\n\n"
                       "```{code-cell} ipython3\n1 + 1\n```\n")
    executed = myst_nb_reader_plugin(str(chapter))
    code_cell = [cell for cell in executed.cells if cell.cell_type == "code"][0]
    code_cell.execution_count = 1
    import nbformat
    code_cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)]
    cache = get_cache(str(tmp_path / "cache"))
    cache.cache_notebook_bundle(__import__("jupyter_cache.base", fromlist=["CacheBundleIn"]).CacheBundleIn(executed, "x"),
                                check_validity=False)
    published = pages.publish_executed_notebooks(tmp_path / "cache", tmp_path / "html" / "_sources")
    assert published == {"chapters/x": "_sources/chapters/x.ipynb"}
    written = json.loads((sources / "x.ipynb").read_text())
    code = [cell for cell in written["cells"] if cell["cell_type"] == "code"]
    assert code[0]["outputs"][0]["data"]["text/plain"] == "2" and code[0]["id"].startswith("cell-")
    offered = pages.offer_notebook(_page(), Path("chapters/x.html"), published)
    assert 'href="../_sources/chapters/x.ipynb" download' in offered
    assert pages.offer_notebook(offered, Path("chapters/x.html"), published) == offered
