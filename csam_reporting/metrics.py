"""Computations more than one chapter needs. Chapters call these; they never re-derive them."""
from __future__ import annotations

import pandas as pd

from . import data

RELIABILITY_RANK = {"primary": 0, "secondary": 1, "derived": 2}


PROVENANCE_COLUMNS = ("source_id", "locator", "notes")


def preferred(rows: pd.DataFrame, keys: list[str], *, values: list[str] | None = None) -> pd.DataFrame:
    """One row per ``keys`` where several documents give figures for the same thing, chosen
    **per value**: each value column takes its value from the most reliable source that has one,
    then the most recently published (later reports restate earlier years). A less reliable row
    that holds the only value of a column (a share only a press report gives, say) is therefore
    kept for that column, never dropped because a better row exists for another column.

    ``values`` names the columns chosen independently (default: every column other than the keys
    and ``source_id``/``locator``/``notes``). ``source_id``, ``locator`` and ``notes`` come from
    the preferred row (the best row overall). Added columns:

    - ``reliability``: the least reliable of the sources whose values were used, so a row that
      mixes a primary count with a secondary share reads as ``secondary``;
    - ``source_ids``: a tuple of every source whose values were used, best first;
    - ``<column>_source_id`` for each column named in ``values`` (only when ``values`` is given).
    """
    rows = rows.reset_index(drop=True)
    explicit = values is not None
    if values is None:
        values = [c for c in rows.columns if c not in keys and c not in PROVENANCE_COLUMNS]
    sources = data.sources()[["reliability", "published"]].rename(columns={"reliability": "_source_reliability"})
    ranked = rows.join(sources, on="source_id")
    ranked["_rank"] = ranked["_source_reliability"].map(RELIABILITY_RANK)
    ranked = ranked.sort_values([*keys, "_rank", "published"], ascending=[True] * len(keys) + [True, False],
                                na_position="last", kind="stable")
    best = ranked.drop_duplicates(keys, keep="first").set_index(keys)
    result = best[[c for c in rows.columns if c not in keys]].copy()
    used_sources = pd.DataFrame(index=best.index)
    for column in values:
        have = ranked[ranked[column].notna()].drop_duplicates(keys, keep="first").set_index(keys)
        result[column] = have[column].reindex(best.index)
        used_sources[column] = have["source_id"].reindex(best.index)
        if explicit:
            result[f"{column}_source_id"] = used_sources[column]
    ranks = ranked.drop_duplicates("source_id").set_index("source_id")["_rank"]
    worst = used_sources.apply(lambda col: col.map(ranks)).max(axis=1)
    # A row with no value at all keeps its own source's reliability.
    worst = worst.fillna(best["_rank"])
    by_rank = {rank: name for name, rank in RELIABILITY_RANK.items()}
    result["reliability"] = worst.map(lambda r: by_rank.get(int(r)) if pd.notna(r) else pd.NA)

    def used(row) -> tuple:
        ids = [s for s in row if isinstance(s, str)]
        return tuple(sorted(dict.fromkeys(ids), key=lambda s: ranks.get(s, 99)))
    result["source_ids"] = used_sources.apply(used, axis=1) if len(values) else best["source_id"].map(lambda s: (s,))
    return result.reset_index()


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
    """NCMEC's per-ESP report counts with each label's platform and parent company
    (``parent_company`` is the company id, ``company_name`` its display name)."""
    reports = data.load("ncmec_esp_reports")
    mapping = data.load("ncmec_esp_platforms")
    platforms = data.load("platforms")
    companies = data.load("companies").rename(columns={"company_id": "parent_company", "notes": "company_notes"})
    merged = reports.merge(mapping, on="esp_label", how="left", validate="many_to_one")
    merged = merged.merge(platforms, on="platform_id", how="left", validate="many_to_one")
    # Validation guarantees every label has a mapping and every platform id exists.
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


# --- self-generated chapter ---

def second_half(full_year: int, first_half: int) -> int:
    """July–December count as the full-year count minus the January–June count (DERIVED).
    Refuses a first half larger than the year: the two figures then count different things."""
    if pd.isna(full_year) or pd.isna(first_half):
        raise ValueError("both the full-year and the first-half count are needed")
    if first_half > full_year:
        raise ValueError(f"first half {first_half:,} exceeds the full year {full_year:,}: not the same count")
    return int(full_year) - int(first_half)


def _one(rows: pd.DataFrame, measure: str, year: int) -> pd.Series | None:
    chosen = preferred(rows[(rows["measure"] == measure) & (rows["year"] == year)], ["year"])
    return None if chosen.empty else chosen.iloc[0]


def half_years(measure: str) -> pd.DataFrame:
    """One NCMEC series (``online_enticement_reports`` or ``financial_sextortion_reports``) by
    full year and by half-year, as published, with July–December derived where both the year
    and its first half are published. Columns: period, year, half ('full', 'H1', 'H2'), start,
    end, count, derived, reliability, source_ids. Rows are in time order (a full year before its halves)."""
    rows = data.load("ncmec_enticement_sextortion")
    records = []
    full = preferred(rows[rows["measure"] == measure], ["year"])
    first = preferred(rows[rows["measure"] == f"{measure}_h1"], ["year"])
    for r in full.itertuples():
        records.append(dict(period=str(r.year), year=r.year, half="full", start=pd.Timestamp(r.year, 1, 1),
                            end=pd.Timestamp(r.year, 12, 31), count=r.count, derived=False,
                            reliability=r.reliability, source_ids=r.source_ids))
    for r in first.itertuples():
        records.append(dict(period=f"Jan–Jun {r.year}", year=r.year, half="H1", start=pd.Timestamp(r.year, 1, 1),
                            end=pd.Timestamp(r.year, 6, 30), count=r.count, derived=False,
                            reliability=r.reliability, source_ids=r.source_ids))
        whole = full[full["year"] == r.year]
        if not whole.empty:
            w = whole.iloc[0]
            worst = max([w["reliability"], r.reliability], key=RELIABILITY_RANK.get)
            records.append(dict(period=f"Jul–Dec {r.year}", year=r.year, half="H2", start=pd.Timestamp(r.year, 7, 1),
                                end=pd.Timestamp(r.year, 12, 31), count=second_half(w["count"], r.count),
                                derived=True, reliability=worst,
                                source_ids=tuple(dict.fromkeys((*w["source_ids"], *r.source_ids)))))
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        return frame
    frame["count"] = frame["count"].astype("Int64")
    frame["_order"] = frame["half"].map({"full": 0, "H1": 1, "H2": 2})
    return frame.sort_values(["start", "_order"], kind="stable").drop(columns="_order").reset_index(drop=True)


def report_act_test(measure: str = "online_enticement_reports") -> dict:
    """Does the half-year series fit the claim that the REPORT Act (signed 7 May 2024; the date
    comes from ``policy_timeline``) drove the 2024 rise? If it did, reports after the Act
    (July–December 2024) should exceed reports mostly before it (January–June 2024), and the
    first half of 2024 should not already exceed the whole of 2023.

    Returns the figures and the two comparisons: ``h1_2024_vs_2023`` (January–June 2024 as a
    multiple of all of 2023), ``h2_vs_h1_2024`` (July–December over January–June 2024),
    ``h1_2025_vs_h1_2024`` and ``signed`` (the Act's date), ``days_after_signing_in_h1``
    (days of January–June 2024 on or after signing)."""
    timeline = data.load("policy_timeline").set_index("event_id")
    signed = pd.Timestamp(timeline.loc["us-report-act-signed", "date"])
    series = half_years(measure).set_index("period")

    def count(period):
        return int(series.loc[period, "count"]) if period in series.index else None

    full_2023, h1_2024, h2_2024, h1_2025 = count("2023"), count("Jan–Jun 2024"), count("Jul–Dec 2024"), count("Jan–Jun 2025")
    ratio = lambda a, b: a / b if a is not None and b else None  # noqa: E731
    return {
        "signed": signed,
        "days_after_signing_in_h1": (pd.Timestamp(2024, 6, 30) - signed).days + 1,
        "full_2023": full_2023, "h1_2024": h1_2024, "h2_2024": h2_2024, "h1_2025": h1_2025,
        "h1_2024_vs_2023": ratio(h1_2024, full_2023),
        "h2_vs_h1_2024": ratio(h2_2024, h1_2024),
        "h1_2025_vs_h1_2024": ratio(h1_2025, h1_2024),
        "series": series.reset_index(),
    }
