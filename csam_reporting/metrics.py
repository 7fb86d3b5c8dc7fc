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


def last_comparable_year() -> int:
    """The last year NCMEC counted every report separately (before bundling began in 2024)."""
    totals = yearly("total_reports")
    return int(totals.loc[~totals["bundled"], "year"].max())


def esp_reports_by_platform() -> pd.DataFrame:
    """NCMEC's per-ESP report counts with each row's platform and parent company
    (``parent_company`` is the company id, ``company_name`` its display name). Each row maps by its
    (``esp_label``, ``line_item``) pair, so a platform's series means the same service in every year."""
    reports = data.load("ncmec_esp_reports")
    mapping = data.load("ncmec_esp_platforms")
    platforms = data.load("platforms")
    companies = data.load("companies").rename(columns={"company_id": "parent_company", "notes": "company_notes"})
    # The mapping keys on (label, line item): in the 2024-2025 transcription one label carries several
    # services as line items (Amazon Photos, Xbox, Pornhub, ...), each mapped like its own 2021-2023 row.
    key = ["esp_label", "line_item"]
    reports = reports.assign(line_item=reports["line_item"].fillna(""))
    mapping = mapping.assign(line_item=mapping["line_item"].fillna(""))
    merged = reports.merge(mapping, on=key, how="left", validate="many_to_one")
    merged["line_item"] = merged["line_item"].replace("", pd.NA)
    merged = merged.merge(platforms, on="platform_id", how="left", validate="many_to_one")
    # Validation guarantees every (label, line item) has a mapping and every platform id exists.
    return merged.merge(companies, on="parent_company", how="left", validate="many_to_one")


def parent_share(year: int, parent: str) -> float:
    """Share (0–1) of a year's ESP reports that came from one parent company's platforms."""
    rows = esp_reports_by_platform()
    rows = rows[rows["year"] == year]
    return float(rows.loc[rows["parent_company"] == parent, "reports"].sum() / rows["reports"].sum())


UNIT_FACTORS = {"millions": 1_000_000, "billions": 1_000_000_000}


def user_base(platform_id: str, metric: str, geography: str = "global") -> pd.DataFrame:
    """One platform's user base over time, in one metric only, as a count of users (or devices).

    Metrics (MAU, DAU, DAP, devices, ...) measure different things and are never combined: asking
    for a metric the data does not hold for that platform raises instead of falling back to
    another. Columns: as_of, period_label, users, estimate, source_id, locator, reliability.
    """
    rows = data.load("platform_user_bases")
    rows = rows[(rows["platform_id"] == platform_id) & (rows["geography"] == geography)]
    available = sorted(rows["metric"].unique())
    rows = rows[rows["metric"] == metric]
    if rows.empty:
        raise KeyError(f"no {metric!r} figures for {platform_id!r} ({geography}); available: {available}")
    rows = preferred(rows, ["as_of"])
    rows = rows.assign(users=(rows["value"] * rows["unit"].map(UNIT_FACTORS)).round().astype("Int64"))
    return rows[["as_of", "period_label", "users", "estimate", "source_id", "locator", "reliability"]]
