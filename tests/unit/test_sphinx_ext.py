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
