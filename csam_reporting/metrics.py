"""Computations more than one chapter needs. Chapters call these; they never re-derive them."""
from __future__ import annotations

import pandas as pd

from . import data

RELIABILITY_RANK = {"primary": 0, "secondary": 1, "derived": 2}


def preferred(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Keep one row per ``keys`` where several documents give the same figure: the most reliable
    source, then the most recently published (later reports restate earlier years). Adds the
    source's ``reliability`` column so a chapter can show which rows are secondary."""
    sources = data.sources()[["reliability", "published"]]
    rows = rows.join(sources, on="source_id")
    rows["rank"] = rows["reliability"].map(RELIABILITY_RANK)
    rows = rows.sort_values([*keys, "rank", "published"], ascending=[True] * len(keys) + [True, False],
                            na_position="last")
    return rows.drop_duplicates(keys, keep="first").drop(columns=["rank", "published"]).reset_index(drop=True)


def yearly(measure: str) -> pd.DataFrame:
    """One row per year for a CyberTipline ``measure`` (total_reports, esp_reports, ...).
    Columns: year, count, bundled, source_id, locator, reliability."""
    rows = data.load("cybertipline_reports_yearly")
    rows = preferred(rows[rows["measure"] == measure], ["year"])
    return rows[["year", "count", "bundled", "source_id", "locator", "reliability"]]


def esp_reports_by_platform() -> pd.DataFrame:
    """NCMEC's per-ESP report counts with each label's platform and parent company
    (``parent_company`` is the company id, ``company_name`` its display name)."""
    reports = data.load("ncmec_esp_reports")
    mapping = data.load("ncmec_esp_platforms")
    platforms = data.load("platforms")
    companies = data.load("companies").rename(columns={"company_id": "parent_company", "notes": "company_notes"})
    merged = reports.merge(mapping, on="esp_label", how="left", validate="many_to_one")
    merged = merged.merge(platforms, on="platform_id", how="left", validate="many_to_one")
    merged = merged.merge(companies, on="parent_company", how="left", validate="many_to_one")
    missing = merged[merged["platform_id"].isna()]["esp_label"].unique()
    if len(missing):
        raise ValueError(f"ESP labels without a platform mapping: {sorted(missing)[:10]}")
    return merged


def parent_share(year: int, parent: str) -> float:
    """Share (0–1) of a year's ESP reports that came from one parent company's platforms."""
    rows = esp_reports_by_platform()
    rows = rows[rows["year"] == year]
    return float(rows.loc[rows["parent_company"] == parent, "reports"].sum() / rows["reports"].sum())
