"""Shared pieces every chapter builds on: preferred rows, yearly CyberTipline series, per-service reports, user bases, the policy timeline."""
from __future__ import annotations

import pandas as pd

from .. import data


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


@data.cached
def yearly(measure: str) -> pd.DataFrame:
    """One row per year for a CyberTipline ``measure`` (total_reports, esp_reports, ...).
    Columns: year, count, bundled, source_id, locator, reliability."""
    rows = data.load("cybertipline_reports_yearly")
    rows = preferred(rows[rows["measure"] == measure], ["year"])
    return rows[["year", "count", "bundled", "source_id", "locator", "reliability"]]


@data.cached
def last_comparable_year() -> int:
    """The last year NCMEC counted every report separately (before bundling began in 2024)."""
    totals = yearly("total_reports")
    return int(totals.loc[~totals["bundled"], "year"].max())


@data.cached
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


UNIT_FACTORS = {"millions": 1_000_000, "billions": 1_000_000_000}


@data.cached
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


@data.cached
def esp_totals() -> pd.DataFrame:
    """The ESP total per year (NCMEC's printed total; for 2024-2025 the transcribed total).
    Columns: year, esp_total, bundled, reliability, source_id, listed_in_full (every ESP row known)."""
    totals = yearly("esp_reports").rename(columns={"count": "esp_total"})
    rows = esp_reports_by_platform().groupby("year")["reports"].sum()
    totals["listed_in_full"] = totals["year"].map(rows).eq(totals["esp_total"]).fillna(False).astype(bool)
    return totals[["year", "esp_total", "bundled", "reliability", "source_id", "listed_in_full"]]


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


@data.cached
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


def citable(rows: pd.DataFrame) -> pd.DataFrame:
    """Drop rows whose source is a staging copy (an ``uat.`` host): such pages are leads, not
    citations, until the same page is confirmed on the publisher's live site."""
    urls = data.sources()["url"]
    staging = rows["source_id"].map(urls).fillna("").str.contains(r"//uat\.", regex=True)
    return rows[~staging.astype(bool)]


def period_start(period: str) -> pd.Timestamp:
    """Start of a police period: '2017/18' and '2017/18-2019/20' start on 1 April 2017;
    '2013-01/2013-12' starts on 1 January 2013."""
    first = period.split("/")[0] if "-" in period.split("/")[0] else period[:4]
    if "-" in first:
        return pd.Timestamp(first + "-01")
    return pd.Timestamp(int(first), 4, 1)
