"""The claims check: every claim in data/claims.csv has a function in csam_reporting.analysis.claims that
computes the book's figure from data/; the figure each verdict was reviewed against is the claim's
``reviewed_figure`` column, so a change in data/ that moves a figure fails until someone re-reads
the claim, confirms or changes its verdict, and updates ``reviewed_figure``.

To review: run `python -m pytest tests/unit/analysis/test_claims.py -q`, read each failing claim on the claims-check
page (or `claims.figure(claim_id)`), fix the verdict and reason in data/claims.csv if they no longer
hold, then store the new figure in its reviewed_figure.
"""
from __future__ import annotations

import pandas as pd
import pytest

from csam_reporting import data
from csam_reporting.analysis import claims

CLAIMS = data.load("claims")
IDS = list(CLAIMS["claim_id"])


def _row(claim_id: str) -> pd.Series:
    return CLAIMS.set_index("claim_id").loc[claim_id].rename(claim_id).to_frame().T.reset_index(
        names="claim_id").iloc[0]


def _computed(claim_id: str):
    try:
        return claims.figure(claim_id)
    except claims.DataPending:
        return None


def test_every_claim_has_a_named_function_and_every_function_a_claim():
    assert set(IDS) == set(claims.FIGURES)
    for claim_id, function in claims.FIGURES.items():
        assert function.__name__ and not function.__name__.startswith("<"), claim_id


def test_about_forty_claims_from_all_five_pieces():
    assert len(IDS) >= 40
    assert set(CLAIMS["piece_id"]) == set(claims.PIECE_ORDER)


@pytest.mark.parametrize("claim_id", IDS)
def test_figure_unchanged_since_its_verdict_was_reviewed(claim_id):
    row = _row(claim_id)
    result = _computed(claim_id)
    assert result is not None, f"{claim_id}: verdict {row['verdict']!r} but its data are missing from data/"
    assert claims.review_problems(row, result) == []


def test_a_moved_figure_fails_until_reviewed():
    """The check is real: the same claim with a different reviewed figure is reported, and with none."""
    row = _row("inhope-google-449283").copy()
    result = claims.figure("inhope-google-449283")
    assert claims.review_problems(row, result) == []
    row["reviewed_figure"] = float(row["reviewed_figure"]) + 1
    assert claims.review_problems(row, result)
    row["reviewed_figure"] = float("nan")
    assert claims.review_problems(row, result)


def test_every_verdict_is_in_the_rubric():
    assert set(CLAIMS["verdict"]) <= set(claims.VERDICT_RULES)
    assert list(claims.VERDICT_RULES) == list(claims.VERDICT_LABELS)


@pytest.mark.parametrize("claim_id", IDS)
def test_verdict_follows_from_the_figure(claim_id):
    assert claims.verdict_problems(_row(claim_id), _computed(claim_id)) == []


@pytest.mark.parametrize("claim_id", IDS)
def test_judged_on_what_was_published_when_the_piece_appeared(claim_id):
    """The sources a verdict rests on were published no later than the piece (later data are kept
    apart in Figure.later). Where the piece's date is not known, the latest document it quotes
    bounds it from below: what had appeared by then was certainly available to it."""
    result = _computed(claim_id)
    if result is None:
        return
    sources = data.sources()
    row = _row(claim_id)
    piece = sources.loc[row["piece_source_id"], "published"]
    if not isinstance(piece, str):
        quoted = set(CLAIMS.loc[CLAIMS["piece_id"] == row["piece_id"], "original_source_id"].dropna())
        dates = [d for d in sources.loc[list(quoted), "published"] if isinstance(d, str)]
        # an undated document the piece relies on is dated by the event it records, where the timeline has it
        events = data.load("policy_timeline")
        dates += [str(d) for d in events.loc[events["source_id"].isin(quoted), "date"]]
        assert dates, f"{claim_id}: neither the piece nor the documents it quotes have a date"
        piece = max(dates)
    for source_id in result.sources:
        published = sources.loc[source_id, "published"]
        if isinstance(published, str):
            assert published[:4] <= piece[:4], f"{claim_id}: {source_id} ({published}) is later than the piece ({piece})"


def test_open_claims_say_what_would_settle_them():
    for row in CLAIMS.itertuples():
        assert isinstance(row.reason, str) and len(row.reason) > 30, row.claim_id
    open_claims = CLAIMS[CLAIMS["verdict"].isin(["not_checked_yet", "cannot_be_checked"])]
    assert open_claims["needs"].notna().all()


def test_the_pieces_under_check_are_never_evidence_for_a_figure():
    """The bibliography says so: no table other than the claims table cites a piece under check."""
    pieces = set(CLAIMS["piece_source_id"])
    for name in data.resource_names():
        if name in ("claims", "sources"):
            continue
        table = data.load(name)
        if "source_id" in table.columns:
            assert not pieces & set(table["source_id"].dropna()), name


def test_the_claimed_number_check():
    assert claims.agrees(94, "about", 0.5, 94.34)
    assert not claims.agrees(94, "about", 0.5, 94.6)
    assert claims.agrees(17_000_000, "almost", 1_000_000, 16_836_694)
    assert not claims.agrees(17_000_000, "almost", 1_000_000, 17_000_001)
    assert claims.agrees(9_400, "more_than", None, 9_477)
    assert not claims.agrees(33_000, "more_than", None, 33_000)
    assert claims.agrees(33_000, "at_least", None, 33_000)
    assert claims.agrees(267, "exactly", None, 267)


def test_reasons_speak_of_evidence_not_of_the_book():
    for row in CLAIMS.itertuples():
        for phrase in ("the book's data", "in the book", "not in data", "research notes", "the notes"):
            assert phrase not in row.reason, (row.claim_id, phrase)


def test_a_share_of_reports_presented_as_images_is_wrong_in_its_unit():
    """One rule for a number attached to a different unit: wrong, saying what fails, even where the
    number is right for what it counts (the NSPCC's 52% called a share of all crimes)."""
    row = _row("sun-94pct-of-images")
    assert (row["verdict"], row["fails_on"]) == ("wrong", "unit")
    result = claims.figure("sun-94pct-of-images")
    assert "of reports, not images" in result.arithmetic
    for claim_id in ("fb94-headline-52pct-of-all-crimes", "rt-52pct-of-all-crimes"):
        row = _row(claim_id)
        assert (row["verdict"], row["fails_on"]) == ("wrong", "unit")
        assert claims.agrees(float(row["claimed_value"]), row["claimed_relation"], row["claimed_tolerance"],
                             claims.figure(claim_id).value)  # the number itself holds
    changed = _row("sun-94pct-of-images").copy()
    changed["fails_on"] = float("nan")
    assert claims.verdict_problems(changed, result)  # a wrong claim must say what fails


def test_images_in_2019_recomputed_from_files_less_videos():
    files = data.load("ncmec_files")
    files = files[(files["year"] == 2019) & (files["file_type"] == "total")]["files"].iloc[0]
    evidence = data.load("claim_evidence").set_index("evidence_id")
    videos = evidence.loc["ncmec-videos-2019", "value"]
    assert claims.figure("sun-69m-images-2019").value == files - videos
    assert files - videos < files / 2  # most files were videos: "69 million images" fails in its unit


def test_companies_sending_1000_or_more_leave_out_the_inhope_hotline_line():
    rows = data.load("ncmec_esp_reports")
    rows = rows[(rows["year"] == 2019) & (rows["reports"] >= 1000)]
    labels = set(rows["esp_label"])
    assert "INHOPE" in labels and "Facebook*" in labels
    assert claims.figure("inhope-others-fewer-than-1000").value == len(labels) - 2


def test_claims_no_chapter_discusses_link_nowhere_and_say_so():
    table = claims.table()
    only = table[table["chapter"] == claims.ONLY_HERE]
    assert len(only) > 0 and (only["explained_link"] == "").all()
    assert only["chapter_title"].str.contains("only here").all()


def test_the_table_has_a_figure_or_a_reason_for_every_claim():
    table = claims.table()
    assert len(table) == len(CLAIMS)
    assert table["book_figure"].str.len().gt(10).all()
    counts = claims.verdict_counts()
    assert sum(counts.values()) == len(CLAIMS)


def test_every_named_section_exists_in_its_chapter():
    """A claim links to the section that explains it; a heading renamed in a chapter must be renamed
    in data/claims.csv too (the page would otherwise link to the chapter only)."""
    unresolved = []
    for row in CLAIMS.itertuples():
        link, _ = claims.section_link(row.chapter, row.section)
        if isinstance(row.section, str) and row.section and "#" not in link:
            unresolved.append((row.claim_id, row.chapter, row.section))
    assert unresolved == []


def test_section_ids_match_docutils():
    from docutils.nodes import make_id  # docutils comes with Sphinx; only the test imports it

    for heading in ["Where police find offences, against who reports", 'The "self-generated" share, with its denominator',
                    "Apple's reports against the offences police recorded", "2024: a break — Meta’s apps"]:
        assert claims.make_id(heading) == make_id(heading)


def test_the_table_of_claims_fits_the_pages_word_budget():
    """The claims-check page holds at most 5,000 words, most of them in its one table of every claim:
    with the page's prose and the table's labels, 3,750 words of claim text (quote, reason, what would
    settle it, evidence) come to about 5,000."""
    table = claims.table()
    words = sum(len(str(text).split()) for column in ("quote", "reason", "book_figure", "later")
                for text in table[column].fillna(""))
    open_claims = table["verdict"].isin(["not_checked_yet", "cannot_be_checked"])
    words += sum(len(str(text).split()) for text in table.loc[open_claims, "needs"].fillna(""))
    assert words <= 3750, words


def test_the_claims_table_offers_select_filters_only_through_its_script():
    """Piece, theme and verdict get select filters; the selects are built by the script, so without
    JavaScript the page shows the full table and no dead control."""
    from csam_reporting.present import lookup, tables

    table = claims.table()
    shown = tables.show_table(table, caption="Every claim checked",
                              columns={"quote": "claim", "piece_label": "piece", "theme_short": "theme",
                                       "verdict_label": "verdict"})
    html = lookup.searchable(shown, element_id="claims-lookup", label="Filter", facets=("piece", "theme", "verdict"))._repr_html_()
    assert 'data-facets="piece|theme|verdict"' in html and '<p class="lookup-facets"></p>' in html
    assert "<select" not in html.split("<script>")[0]
    plain = lookup.searchable(shown, element_id="other", label="Filter")._repr_html_()
    assert "lookup-facets" not in plain.split("<script>")[0]
    assert html.count("<tr>") == len(table) + 1  # every claim is in the static table
