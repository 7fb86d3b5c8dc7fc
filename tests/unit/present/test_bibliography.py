"""The bibliography is generated from sources.csv: one entry per source, each linking to the
publisher's page (where known) and to the source's row in the sources appendix."""
from __future__ import annotations

import re

from csam_reporting import data
from csam_reporting.present import bibliography
from csam_reporting.present.tables import SOURCES_PAGE, source_anchor


def test_one_entry_per_source_with_a_link_to_its_appendix_row():
    html = bibliography.references_html()
    sources = data.load("sources")
    assert html.count("<li ") == len(sources)
    for source_id in sources["source_id"]:
        assert f'href="{SOURCES_PAGE}#{source_anchor(source_id)}"' in html


def test_entries_link_the_original_url_and_say_when_it_is_not_known():
    sources = data.load("sources").set_index("source_id")
    for source_id, row in sources.iterrows():
        entry = bibliography.reference({**row.to_dict(), "source_id": source_id})
        if isinstance(row["url"], str) and row["url"]:
            assert re.search(r'<a href="https?://', entry), source_id
        else:
            assert "Original URL not known" in entry, source_id
        if row["reliability"] == "secondary":
            assert "Secondary source" in entry, source_id


def test_sorted_by_publisher_and_never_invents_a_date():
    refs = bibliography.references()
    publishers = list(refs["publisher"].str.lower())
    assert publishers == sorted(publishers)
    undated = data.load("sources").query("published.isna()", engine="python")
    if len(undated):
        row = undated.iloc[0].to_dict()
        assert "(n.d.)" in bibliography.reference(row)


def test_the_pieces_under_check_are_marked_and_cited_by_no_data_row():
    """The bibliography's statement about the coverage pieces is true: each is marked as a piece
    under check, and no table other than the claims table cites it as evidence."""
    pieces = bibliography.pieces_under_check()
    assert pieces
    assert bibliography.evidence_citing(pieces) == {p: [] for p in pieces}
    html = bibliography.references_html()
    assert html.count("A piece whose claims are checked") == len(pieces)


def test_the_check_sees_a_piece_cited_as_evidence():
    """A source that some table does cite is reported with that table."""
    cited = bibliography.evidence_citing({"ncmec-esp-2019"})
    assert "ncmec_esp_reports" in cited["ncmec-esp-2019"]
