"""The book's Sphinx extension, on small hand-made pages (no build): what a page loads and how it
is described."""
from __future__ import annotations

from types import SimpleNamespace

from docutils.core import publish_doctree

from csam_reporting import sphinx_ext


def _asset(filename=None, body=""):
    return SimpleNamespace(filename=filename, attributes={"body": body} if body else {})


ASSETS = [_asset("pygments.css"), _asset("copybutton.js"), _asset("clipboard.min.js"), _asset("togglebutton.js"),
          _asset(body="let toggleHintShow = 'Click to show';"), _asset("sphinx-design.min.css"),
          _asset("design-tabs.js"), _asset("mystnb.css"), _asset("book.css"), _asset("doctools.js")]


def names(assets) -> set[str]:
    return {a.filename or a.attributes["body"] for a in assets}


def test_a_page_without_code_toggles_or_design_elements_drops_their_assets():
    unused = names(sphinx_ext.unused_assets(ASSETS, "<p>Plain prose.</p>"))
    assert unused == names(ASSETS) - {"mystnb.css", "book.css", "doctools.js"}


def test_a_page_keeps_the_assets_of_what_it_shows():
    body = '<div class="highlight"><pre>x</pre></div><details class="sd-dropdown toggle">x</details>'
    assert sphinx_ext.unused_assets(ASSETS, body) == []


def test_the_description_is_the_pages_question_as_plain_text():
    doctree = publish_doctree("Title\n=====\n\nA first paragraph that is long enough to be chosen otherwise.\n\n"
                              "**The question.** Who reports how much, relative to how many *people* use each "
                              "service & why?\n")
    assert sphinx_ext.page_description(doctree) == ("Who reports how much, relative to how many people use each "
                                                    "service & why?")


def test_without_a_question_the_first_paragraph_of_some_length_describes_the_page():
    doctree = publish_doctree("Short.\n\nThis paragraph is long enough to describe the page on its own.\n")
    assert sphinx_ext.page_description(doctree) == "This paragraph is long enough to describe the page on its own."


def test_a_long_description_is_cut_at_a_word():
    text = sphinx_ext.shorten("word " * 60)
    assert len(text) <= sphinx_ext.DESCRIPTION_MAX and text.endswith("word…")


def test_glued_numbers_get_a_true_minus_and_other_text_is_left_alone():
    from docutils import nodes

    from csam_reporting.sphinx_ext import true_minus_in_glued_text

    doc = nodes.document(None, None)
    para = nodes.paragraph()
    para += nodes.Text("from 2019-2023 ")
    para += nodes.inline("", "-24%", classes=["pasted-text"])
    para += nodes.Text(" and -5 outside")
    doc += para
    true_minus_in_glued_text(None, doc, "page")
    assert para.astext() == "from 2019-2023 \u221224% and -5 outside"


def test_an_embedded_drawing_becomes_a_file_named_by_its_content(tmp_path):
    import base64

    from csam_reporting.sphinx_ext import figure_files

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10pt" height="10pt"></svg>'
    uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    csv = "data:text/csv;charset=utf-8;base64," + base64.b64encode(b"year,reports\n2023,1\n").decode()
    html = (f'<picture><source srcset="{uri}"><img src="{uri}" alt="a chart"></picture>'
            f'<a href="{csv}" download="reports.csv">numbers</a><a href="data:text/plain;base64,eA==">other</a>')
    out = figure_files(html, tmp_path, "../")
    drawings, tables = list((tmp_path / "_images").iterdir()), list((tmp_path / "_tables").iterdir())
    assert len(drawings) == 1 and drawings[0].read_bytes() == svg
    assert len(tables) == 1 and tables[0].read_bytes() == b"year,reports\n2023,1\n"
    assert out.count(f"../_images/{drawings[0].name}") == 2 and "data:image/svg" not in out
    assert f'href="../_tables/{tables[0].name}" download="reports.csv"' in out
    assert "data:text/plain;base64,eA==" in out  # nothing else is touched
    assert figure_files(html, tmp_path, "") == out.replace("../_", "_")
