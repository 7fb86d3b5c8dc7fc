"""The table helper: what a reader sees in every generated table."""
from __future__ import annotations

import base64
import re

import pandas as pd
import pytest

from csam_reporting import data
from csam_reporting.present import tables


def frame() -> pd.DataFrame:
    source = data.load("sources")["source_id"].iloc[0]
    return pd.DataFrame({
        "platform": ["Facebook", "Apple"],
        "reports": pd.array([30658723, 267], dtype="Int64"),
        "share": [0.853, None],
        "combined": pd.array([True, False], dtype="boolean"),
        "source_id": [source, source],
        "url": ["https://www.missingkids.org/gethelpnow/cybertipline", ""],
    })


def test_numbers_are_right_aligned_with_separators_and_booleans_are_words():
    html = tables.show_table(frame(), caption="Reports by platform").html
    assert '<td class="num">30,658,723</td>' in html
    assert '<th scope="col" class="num">reports</th>' in html
    assert "<td>yes</td>" in html and "<td>no</td>" in html
    assert "True" not in html and "False" not in html


def test_missing_values_use_the_given_wording():
    html = tables.show_table(frame(), caption="Reports by platform", na_rep="not published").html
    assert '<td class="num">not published</td>' in html


def test_source_ids_become_linked_publisher_names_into_the_appendix():
    row = data.sources().iloc[0]
    html = tables.show_table(frame(), caption="Reports by platform").html
    assert '<th scope="col">source</th>' in html
    assert f'href="appendix-sources.html#{tables.source_anchor(row.name)}"' in html
    assert f">{row['publisher']}</a>" in html
    assert f">{row.name}<" not in html, "the internal id must not be shown"


def test_bare_urls_become_named_links():
    html = tables.show_table(frame(), caption="Reports by platform").html
    assert '<a href="https://www.missingkids.org/gethelpnow/cybertipline">www.missingkids.org</a>' in html
    assert ">https://" not in html


def test_columns_select_order_and_rename_and_formats_apply():
    html = tables.show_table(frame(), caption="Shares", columns={"share": "share of reports", "platform": "platform"},
                             formats={"share": "{:.1%}"}).html
    assert html.index("share of reports") < html.index(">platform<")
    assert "85.3%" in html and "Facebook" in html and "30,658,723" not in html


def test_links_column_targets():
    rows = pd.DataFrame({"claim": ["a", "b"], "where": ["encryption.html#the-eu-gap", ""]})
    html = tables.show_table(rows, caption="Claims", columns={"claim": "claim"}, links={"claim": "where"}).html
    assert '<td><a href="encryption.html#the-eu-gap">a</a></td>' in html
    assert "<td>b</td>" in html


def test_table_scrolls_in_its_own_focusable_region_and_is_deterministic():
    first = tables.show_table(frame(), caption="Reports by platform").html
    assert first.startswith('<div class="book-table" role="region" aria-label="Reports by platform" tabindex="0">')
    assert first == tables.show_table(frame(), caption="Reports by platform").html
    assert not re.search(r'id="T_[0-9a-f]', first), "no Styler-style random ids"


def test_download_offers_the_rows_shown_with_reader_headers():
    result = tables.show_table(frame(), caption="Reports by platform", columns={"platform": "platform", "reports": "reports"},
                               download="reports-by-platform.csv")
    assert result.csv.splitlines() == ["platform,reports", "Facebook,30658723", "Apple,267"]
    encoded = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" download="reports-by-platform.csv"',
                        result.html).group(1)
    assert base64.b64decode(encoded).decode() == result.csv


@pytest.mark.parametrize("bad", ["Reports.csv", "x.txt", "../x.csv"])
def test_download_name_must_be_a_plain_csv_name(bad):
    with pytest.raises(ValueError):
        tables.show_table(frame(), caption="Reports by platform", download=bad)


def test_unknown_column_and_missing_caption_are_refused():
    with pytest.raises(KeyError):
        tables.show_table(frame(), caption="Reports by platform", columns={"nope": "x"})
    with pytest.raises(ValueError):
        tables.show_table(frame(), caption="")


def test_every_source_has_an_anchor_in_the_sources_appendix():
    from csam_reporting.present import schema_docs
    page = schema_docs.sources_html()
    for source_id in data.load("sources")["source_id"]:
        assert f'id="{tables.source_anchor(source_id)}"' in page


def test_years_are_labels_without_thousands_separators():
    rows = pd.DataFrame({"year": pd.array([2019, 2024], dtype="Int64"), "reports": [16987361, 20512803]})
    html = tables.show_table(rows, caption="Reports by year").html
    assert '<td class="num">2019</td>' in html and "2,019" not in html
    assert '<td class="num">16,987,361</td>' in html
