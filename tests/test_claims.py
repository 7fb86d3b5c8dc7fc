"""The claims check: every claim in data/claims.csv has a function in csam_reporting.analysis.claims that
computes the book's figure from data/; the figure each verdict was reviewed against is stored here,
so a change in data/ that moves a figure fails until someone re-reads the claim, confirms or changes
its verdict, and updates REVIEWED.

To review: run `python -m pytest tests/test_claims.py -q`, read each failing claim in
chapters/claims-check.md (or `claims.figure(claim_id)`), fix the verdict/reason in data/claims.csv if
it no longer holds, then store the new figure below.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from csam_reporting import data
from csam_reporting.analysis import claims

# claim_id -> the computed figure its verdict was reviewed against (None: the claim has no number
# the book can compute, e.g. a forecast or a figure not in any published source). Claims whose
# verdict is pending_data are absent: their data are not in data/ yet.
REVIEWED = {
    "fb94-headline-69m-in-2020": 69100000,
    "sun-94pct-of-images": 94.344596,
    "sun-69m-images-2019": 69100000,
    "sun-nca-thousands-of-arrests": None,
    "sun-nca-6000-children": None,
    "sun-nca-drop-to-zero": None,
    "sun-seven-countries": None,
    "fb94-headline-52pct-of-all-crimes": 52.0,
    "rt-52pct-of-all-crimes": 52.0,
    "rt-9400-instances": 9477,
    "rt-instagram-over-a-third": 33.892582,
    "nspcc-tweet-52pct-of-instances": 52.0,
    "inhope-almost-17m-esp-reports": 16836694,
    "inhope-facebook-almost-16m": 15884511,
    "inhope-facebook-94pct-of-reports": 94.344596,
    "inhope-others-fewer-than-1000": 123,
    "inhope-some-fewer-than-10": 60,
    "inhope-e2ee-more-than-half": None,
    "inhope-amazon-8": 8,
    "inhope-apple-205": 205,
    "inhope-facebook-15884511": 15884511,
    "inhope-google-449283": 449283,
    "inhope-snapchat-82030": 82030,
    "protocol-exploding": 27.387158,
    "protocol-nearly-100-governments": None,
    "protocol-32-companies": 32.0,
    "protocol-ncmec-106pct": 27.387158,
    "protocol-forums-two-thirds": None,
    "protocol-iwf-77pct": 76.972725,
    "protocol-87pct-hash-matching": 87.0,
    "protocol-26pct-share-classifiers": None,
    "protocol-30pct-video-classifiers": None,
    "protocol-22pct-livestream": None,
    "nspcc-25pct-rise": 25.0,
    "nspcc-33000-offences": 33000,
    "nspcc-79pct-five-years": 79.0,
    "nspcc-snapchat-44pct": 44.0,
    "nspcc-meta-a-quarter": None,
    "nspcc-online-abuse-continues-to-rise": 25.0,
    "apple-337-offences": 337,
    "apple-267-reports": 267,
    "apple-hundreds-more-than-reported": 70,
    "apple-google-1-47m": 1470958,
    "apple-meta-30-6m": 30658723,
    "apple-discord-339412": 339412,
    "apple-pinterest-52356": 52356,
    "apple-4chan-1657": 1657,
    "apple-whatsapp-1-4m": 1389618,
}

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
    if row["verdict"] == "pending_data":
        assert result is None, (f"{claim_id}: its data have landed in data/ (figure {result.value!r}); "
                                "compute it, review the verdict in data/claims.csv and add it to REVIEWED")
        assert claim_id not in REVIEWED
        assert isinstance(row["needs"], str) and row["needs"], f"{claim_id}: say what data it needs"
        return
    assert result is not None, f"{claim_id}: verdict {row['verdict']!r} but its data are missing"
    assert claim_id in REVIEWED, f"{claim_id}: no reviewed figure stored; review the verdict and add {result.value!r}"
    reviewed = REVIEWED[claim_id]
    if reviewed is None or result.value is None:
        assert reviewed is result.value, f"{claim_id}: figure {result.value!r}, reviewed {reviewed!r}"
    else:
        assert math.isclose(result.value, reviewed, rel_tol=1e-6), (
            f"{claim_id}: the computed figure changed from {reviewed!r} to {result.value!r}; "
            "re-read the claim, confirm or change its verdict in data/claims.csv, then update REVIEWED")


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
        quoted = CLAIMS.loc[CLAIMS["piece_id"] == row["piece_id"], "original_source_id"].dropna()
        dates = [d for d in sources.loc[list(quoted), "published"] if isinstance(d, str)]
        assert dates, f"{claim_id}: neither the piece nor the documents it quotes have a date"
        piece = max(dates)
    for source_id in result.sources:
        published = sources.loc[source_id, "published"]
        if isinstance(published, str):
            assert published[:4] <= piece[:4], f"{claim_id}: {source_id} ({published}) is later than the piece ({piece})"


def test_cannot_be_checked_and_pending_claims_say_why():
    for row in CLAIMS.itertuples():
        assert isinstance(row.reason, str) and len(row.reason) > 30, row.claim_id
    pending = CLAIMS[CLAIMS["verdict"] == "pending_data"]
    assert pending["needs"].notna().all()


def test_the_claimed_number_check():
    assert claims.agrees(94, "about", 0.5, 94.34)
    assert not claims.agrees(94, "about", 0.5, 94.6)
    assert claims.agrees(17_000_000, "almost", 1_000_000, 16_836_694)
    assert not claims.agrees(17_000_000, "almost", 1_000_000, 17_000_001)
    assert claims.agrees(9_400, "more_than", None, 9_477)
    assert not claims.agrees(33_000, "more_than", None, 33_000)
    assert claims.agrees(33_000, "at_least", None, 33_000)
    assert claims.agrees(267, "exactly", None, 267)


def test_a_share_of_reports_presented_as_images_is_accurate_but_misleading():
    row = _row("sun-94pct-of-images")
    assert row["verdict"] == "accurate_but_misleading"
    result = claims.figure("sun-94pct-of-images")
    assert "reports, not images" in result.arithmetic


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
