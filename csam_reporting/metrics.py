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


# --- encryption chapter ---
# Computations for chapters/encryption.md: Meta's reports by app, EU-27 country sums, a
# difference-in-differences on log reports with intervals, and the bundling bounds for 2024.

def format_event_date(date, precision: str) -> str:
    """A date as precise as it is known: day → '7 May 2024', month → 'May 2024', year → '2024'."""
    date = pd.Timestamp(date)
    if precision == "day":
        return f"{date.day} {date:%B %Y}"
    if precision == "month":
        return f"{date:%B %Y}"
    if precision == "year":
        return f"{date:%Y}"
    raise ValueError(f"unknown date precision {precision!r}")


def period_end(date, precision: str) -> pd.Timestamp:
    """The last day a date of this precision can stand for (sorts 'November 2021' after 7 Nov 2021)."""
    date = pd.Timestamp(date)
    if precision == "day":
        return date
    if precision == "month":
        return date + pd.offsets.MonthEnd(0)
    if precision == "year":
        return date + pd.offsets.YearEnd(0)
    raise ValueError(f"unknown date precision {precision!r}")


def timeline_events(categories=None, platforms=None) -> pd.DataFrame:
    """Policy timeline rows in reading order, each with ``when`` (its date as precise as known) and
    the source's ``reliability``. Events of month or year precision sort after the dated events of
    that month or year (an event 'in November 2021' is not placed before 7 November 2021)."""
    rows = data.load("policy_timeline")
    if categories is not None:
        rows = rows[rows["category"].isin(list(categories))]
    if platforms is not None:
        rows = rows[rows["platform_id"].isin(list(platforms))]
    rows = rows.join(data.sources()[["reliability", "publisher"]], on="source_id")
    rows = rows.assign(
        when=[format_event_date(d, p) for d, p in zip(rows["date"], rows["date_precision"])],
        sort_key=[period_end(d, p) for d, p in zip(rows["date"], rows["date_precision"])],
    )
    return rows.sort_values(["sort_key", "date"], kind="stable").drop(columns="sort_key").reset_index(drop=True)


# The 27 member states of the EU after the UK's withdrawal, by ISO 3166-1 alpha-3 code: an
# independent list to check the data's eu27 flag against.
EU27_ISO3 = frozenset({
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
    "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
})

# European countries outside the EU other than the UK (shown on its own): EFTA, the Western
# Balkans, the eastern neighbours and the microstates. Russia and Turkey (transcontinental) and
# the Caucasus are left out of "non-EU Europe" and counted in the rest of the world.
NON_EU_EUROPE_ISO3 = frozenset({
    "NOR", "CHE", "ISL", "LIE", "ALB", "BIH", "MNE", "MKD", "SRB", "MDA", "UKR", "BLR", "AND", "MCO",
    "SMR", "VAT",
})


def country_reports() -> pd.DataFrame:
    """NCMEC's reports by country, one row per (year, iso3): labels that share a code in a year
    (spelling variants) are summed; rows without a country code (no country attributed, 'Europe',
    Kosovo) are dropped. Columns: year, iso3, eu27, reports."""
    rows = data.load("ncmec_country_reports")
    rows = rows[rows["iso3"].notna()]
    out = rows.groupby(["year", "iso3"], as_index=False).agg(reports=("reports", "sum"), eu27=("eu27", "any"))
    return out[["year", "iso3", "eu27", "reports"]]


def eu27_reports(exclude: tuple[str, ...] = ()) -> pd.Series:
    """Reports attributed to the EU-27 member states per year (index: year), optionally without
    some member states (``exclude``, ISO3 codes, e.g. ('POL',))."""
    rows = data.load("ncmec_country_reports")
    rows = rows[rows["eu27"].fillna(False).astype(bool) & ~rows["iso3"].isin(list(exclude))]
    return rows.groupby("year")["reports"].sum().astype("int64")


def country_group(iso3: str, eu27: bool, *, split_out=("POL",)) -> str:
    """The comparison group of a country for the EU gap analysis."""
    if iso3 in split_out and eu27:
        return f"EU-27: {iso3}"
    if eu27:
        return "EU-27 (others)"
    if iso3 == "GBR":
        return "UK"
    if iso3 in NON_EU_EUROPE_ISO3:
        return "non-EU Europe"
    return "rest of the world"


def group_reports() -> pd.DataFrame:
    """Reports per year and comparison group (EU-27 without Poland, Poland, UK, non-EU Europe,
    rest of the world; reports with no country attributed are left out). Columns: year, group,
    reports."""
    rows = country_reports()
    rows = rows.assign(group=[country_group(i, e) for i, e in zip(rows["iso3"], rows["eu27"])])
    return rows.groupby(["year", "group"], as_index=False)["reports"].sum()


META_PARENT = "meta"


def meta_reports_by_app() -> pd.DataFrame:
    """NCMEC's report counts for Meta's platforms, one row per (year, platform_id), selected by
    platform after the label mapping (so it stays right whatever the mapping keys on).
    Columns: year, platform_id, platform_name, reports, bundled (from 2024), reliability."""
    rows = esp_reports_by_platform()
    rows = rows[rows["parent_company"] == META_PARENT]
    sources = data.sources()["reliability"]
    rows = rows.assign(reliability=rows["source_id"].map(sources))
    out = rows.groupby(["year", "platform_id", "platform_name"], as_index=False).agg(
        reports=("reports", "sum"), reliability=("reliability", "max"))
    bundled = yearly("total_reports").set_index("year")["bundled"]
    out["bundled"] = out["year"].map(bundled).fillna(False).astype(bool)
    return out.sort_values(["year", "reports"], ascending=[True, False]).reset_index(drop=True)


def meta_total_reports() -> pd.Series:
    """Reports from all of Meta's platforms per year (index: year): the sum of its apps."""
    return meta_reports_by_app().groupby("year")["reports"].sum().astype("int64")
