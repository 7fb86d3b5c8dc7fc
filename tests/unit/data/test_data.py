"""The data agree with themselves beyond what validation checks: provenance, and the analysis layer's view of
the tables (the cross-table sums are validation rules: csam_reporting/data/rules.py, tested in test_validate.py)."""
from __future__ import annotations

import pandas as pd
import pytest

from csam_reporting import data
from csam_reporting.analysis import common












def test_combined_meta_rows_are_flagged_for_2019_and_2020():
    rows = common.esp_reports_by_platform()
    facebook_star = rows[rows["esp_label"] == "Facebook*"]
    assert set(facebook_star["year"]) == {2019, 2020}
    assert facebook_star["combined"].all() and (facebook_star["platform_id"] == "meta_combined").all()
    assert not ((rows["platform_id"] == "instagram") & (rows["year"] < 2021)).any()


def test_every_source_without_url_or_date_says_why():
    sources = data.load("sources")
    unexplained = sources[(sources["url"].isna() | sources["published"].isna()) & sources["notes"].isna()]
    assert unexplained.empty, list(unexplained["source_id"])


def test_every_source_is_cited_by_some_row():
    cited = set()
    for name in data.resource_names():
        frame = data.load(name)
        if name == "sources":
            continue
        # source_id, and the claims table's piece_source_id / original_source_id
        for column in [c for c in frame.columns if c == "source_id" or c.endswith("_source_id")]:
            cited |= set(frame[column].dropna())
    unused = set(data.load("sources")["source_id"]) - cited
    assert not unused, sorted(unused)


@pytest.mark.parametrize("name", ["iwf_reports", "uk_grooming_platform_shares", "platform_transparency"])
def test_shares_are_percentages(name):
    frame = data.load(name)
    shares = frame[[c for c in frame.columns if c.endswith("_pct")]]
    assert ((shares.stack() >= 0) & (shares.stack() <= 100)).all()


def test_cite_groups_by_publisher_and_never_prints_missing_dates():
    line = data.cite(["ncmec-esp-2023", "ncmec-esp-2024-grimm"])
    assert line.count("National Center for Missing") == 1
    assert "<NA>" not in line and "nan" not in line


def test_enticement_series_matches_ncmecs_incident_table():
    incidents = data.load("ncmec_incident_types")
    enticement = data.load("ncmec_enticement_sextortion")
    left = incidents[incidents["incident_type"] == "online_enticement"].set_index(["year", "source_id"])["reports"]
    right = enticement[enticement["measure"] == "online_enticement_reports"].set_index(["year", "source_id"])["count"]
    shared = left.index.intersection(right.index)
    assert len(shared) == len(left) >= 6
    assert (left[shared] == right[shared]).all()


def test_user_base_converts_units_and_never_substitutes_another_metric():
    raw = data.load("platform_user_bases")
    row = raw[(raw["platform_id"] == "facebook") & (raw["metric"] == "MAU") & (raw["geography"] == "global")].iloc[0]
    series = common.user_base("facebook", "MAU")
    match = series[series["as_of"] == row["as_of"]]
    assert int(match["users"].iloc[0]) == round(row["value"] * common.UNIT_FACTORS[row["unit"]])
    assert series["users"].min() > 1_000_000_000
    with pytest.raises(KeyError, match="available"):
        common.user_base("facebook", "DAP")  # Meta reports DAP for its family of apps, not for Facebook

