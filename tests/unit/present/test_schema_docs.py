"""The generated appendices: one section per dataset in the data dictionary, every source anchored."""
from __future__ import annotations

import re

from csam_reporting import data, sphinx_ext
from csam_reporting.present import schema_docs


def test_data_dictionary_has_one_heading_per_dataset_and_every_column():
    markdown = schema_docs.data_dictionary_markdown()
    headings = re.findall(r"^## `([^`]+)`$", markdown, re.MULTILINE)
    assert len(headings) == len(data.resource_names())
    assert "`source_id` · string; required; unique" in markdown


def test_markdown_text_is_escaped():
    assert schema_docs._md("a_b *c* <d> | e") == r"a\_b \*c\* \<d\> \| e"
    assert schema_docs._md_code("x`y") == "``x`y``"


def test_the_page_marker_is_replaced_when_sphinx_reads_the_page():
    class Env:
        def __init__(self):
            self.dependencies = []

        def note_dependency(self, path):
            self.dependencies.append(path)

    class App:
        env = Env()

    source = ["# Title\n\n% generated: data dictionary\n"]
    sphinx_ext._fill(App(), "chapters/appendix-data-dictionary", source)
    assert "% generated" not in source[0] and "## `sources.csv`" in source[0]
    assert any(path.endswith("datapackage.json") for path in App.env.dependencies)


def test_sources_list_names_no_id_breaking_mid_word():
    page = schema_docs.sources_html()
    assert page.count("<li id=\"source-") == len(data.load("sources"))
    assert "<wbr>" in page and not re.search(r"[a-z0-9]<wbr>[a-z0-9]", page)
