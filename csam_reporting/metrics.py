"""Computations more than one chapter needs. Chapters call these; they never re-derive them."""
from __future__ import annotations

import numpy as np
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


def parent_share(year: int, parent: str) -> float:
    """Share (0–1) of a year's ESP reports that came from one parent company's platforms."""
    rows = esp_reports_by_platform()
    rows = rows[rows["year"] == year]
    return float(rows.loc[rows["parent_company"] == parent, "reports"].sum() / rows["reports"].sum())


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


# --- platforms chapter ---
# Shares, concentration, counts of reporters, reports per user and the audits of the platforms
# chapter. NCMEC printed every ESP row for 2019-2023 (rows sum to the ESP total); for 2024-2025 the
# rows are R. Grimm's transcription of the ESPs he tracks (secondary), so a share of the ESP total
# is exact for a listed ESP, but counts of reporters are not known and concentration measures
# computed from the listed ESPs are lower bounds.

UNLISTED = "ESPs not listed in the transcription"


@data.cached
def esp_totals() -> pd.DataFrame:
    """The ESP total per year (NCMEC's printed total; for 2024-2025 the transcribed total).
    Columns: year, esp_total, bundled, reliability, source_id, listed_in_full (every ESP row known)."""
    totals = yearly("esp_reports").rename(columns={"count": "esp_total"})
    rows = esp_reports_by_platform().groupby("year")["reports"].sum()
    totals["listed_in_full"] = totals["year"].map(rows).eq(totals["esp_total"]).fillna(False).astype(bool)
    return totals[["year", "esp_total", "bundled", "reliability", "source_id", "listed_in_full"]]


def _units(rows: pd.DataFrame, level: str) -> pd.DataFrame:
    """Label each row with the unit it counts for: the platform, or the parent company (an ESP with no
    parent company recorded counts as a company of its own)."""
    if level == "platform":
        return rows.assign(unit_id=rows["platform_id"], unit_name=rows["platform_name"])
    if level == "company":
        linked = rows["parent_company"].notna()
        return rows.assign(unit_id=rows["parent_company"].where(linked, "esp:" + rows["platform_id"]),
                           unit_name=rows["company_name"].where(linked, rows["platform_name"]))
    raise ValueError(f"level must be 'platform' or 'company', not {level!r}")


@data.cached
def esp_shares(level: str = "platform") -> pd.DataFrame:
    """Each unit's share (0-1) of the year's ESP total. ``level``: 'platform' (one service, as mapped
    from NCMEC's rows) or 'company' (parent company; an ESP with no recorded parent is its own).

    Where the rows do not cover the ESP total (2024-2025), one more row per year, ``listed`` false
    and named :data:`UNLISTED`, holds the remainder, so every year's shares sum to 1.
    Columns: year, unit_id, unit_name, reports, esp_total, share, listed, combined, bundled, reliability.
    """
    rows = _units(esp_reports_by_platform(), level)
    grouped = (rows.groupby(["year", "unit_id", "unit_name"], as_index=False)
               .agg(reports=("reports", "sum"), combined=("combined", "any")))
    totals = esp_totals().set_index("year")
    grouped = grouped.join(totals[["esp_total", "bundled", "reliability"]], on="year")
    grouped["listed"] = True
    listed_sum = grouped.groupby("year")["reports"].sum()
    remainder = (totals["esp_total"] - listed_sum.reindex(totals.index)).dropna()
    if (remainder < 0).any():
        raise ValueError(f"ESP rows exceed the ESP total in {list(remainder[remainder < 0].index)}")
    extra = pd.DataFrame({"year": remainder.index, "unit_id": pd.NA, "unit_name": UNLISTED,
                          "reports": remainder.values, "combined": False, "listed": False})
    extra = extra[extra["reports"] > 0].join(totals[["esp_total", "bundled", "reliability"]], on="year")
    out = pd.concat([grouped, extra], ignore_index=True)
    out["reports"] = out["reports"].astype("Int64")
    out["share"] = (out["reports"] / out["esp_total"]).astype(float)
    return out.sort_values(["year", "reports"], ascending=[True, False]).reset_index(drop=True)[
        ["year", "unit_id", "unit_name", "reports", "esp_total", "share", "listed", "combined", "bundled", "reliability"]]


def herfindahl(shares) -> float:
    """Herfindahl-Hirschman index of shares given as fractions of one whole: the sum of squared
    shares, from 1/n (n equal reporters) to 1 (one reporter). Multiply by 10,000 for the usual scale."""
    values = pd.Series(shares, dtype=float).dropna()
    if (values < 0).any() or values.sum() > 1 + 1e-9:
        raise ValueError("shares must be non-negative fractions of one whole")
    return float((values ** 2).sum())


@data.cached
def concentration(level: str = "company", ks=(1, 5, 10)) -> pd.DataFrame:
    """Per year: the top-k shares of the ESP total and the Herfindahl index (0-10,000) across units.
    ``lower_bound`` is true where not every ESP row is known (2024-2025): the true top-k shares and
    index can only be higher than those computed from the listed ESPs.
    Columns: year, top_1, top_5, top_10 (per ``ks``), hhi, equivalent_reporters, lower_bound, bundled."""
    shares = esp_shares(level)
    listed = shares[shares["listed"]]
    full = esp_totals().set_index("year")["listed_in_full"]
    out = []
    for year, group in listed.groupby("year"):
        ordered = group["share"].sort_values(ascending=False)
        row = {"year": int(year)}
        for k in ks:
            row[f"top_{k}"] = float(ordered.head(k).sum())
        hhi = herfindahl(ordered)
        row.update(hhi=hhi * 10_000, equivalent_reporters=1 / hhi, lower_bound=not bool(full[year]),
                   bundled=bool(group["bundled"].iloc[0]))
        out.append(row)
    return pd.DataFrame(out)


@data.cached
def reporter_counts() -> pd.DataFrame:
    """Per year, how many reporters NCMEC listed, each counted as named: ``esp_rows`` (rows NCMEC
    printed, one per ESP label), ``services`` (distinct platforms after merging spelling variants)
    and ``companies`` (distinct parent companies, an ESP with no recorded parent counted as its own:
    an upper bound, since ownership the data do not record would merge some). Counts are missing
    (<NA>) for years whose list is not known in full (2024-2025)."""
    rows = esp_reports_by_platform()
    full = esp_totals().set_index("year")["listed_in_full"]
    companies = _units(rows, "company")
    out = pd.DataFrame({
        "esp_rows": rows.groupby("year").size(),
        "services": rows.groupby("year")["platform_id"].nunique(),
        "companies": companies.groupby("year")["unit_id"].nunique(),
    }).astype("Int64")
    out.loc[~out.index.map(lambda y: bool(full.get(y, False))), :] = pd.NA
    return out.rename_axis("year").reset_index()


@data.cached
def reports_per_million_users(platforms: list[str], user_platform: str, metric: str,
                              geography: str = "global") -> pd.DataFrame:
    """Reports from ``platforms`` (NCMEC rows, summed) per million of ``user_platform``'s users in
    one named ``metric`` (see :func:`user_base`; another metric is never substituted). A year gets a
    rate only where a user figure dated in that calendar year exists (the latest in the year) and
    where no report row combines services beyond ``platforms`` (the 2019-2020 'Facebook*' row is not
    Facebook alone). Columns: year, reports, users, metric, as_of, period_label, estimate,
    rate_per_million, bundled, reliability, user_source_id."""
    users = user_base(user_platform, metric, geography)
    users = (users.assign(year=users["as_of"].dt.year).sort_values("as_of")
             .drop_duplicates("year", keep="last").set_index("year"))
    rows = esp_reports_by_platform()
    rows = rows[rows["platform_id"].isin(platforms)]
    counts = rows.groupby("year").agg(reports=("reports", "sum"))
    totals = esp_totals().set_index("year")
    out = counts.join(users[["users", "as_of", "period_label", "estimate", "source_id"]], how="inner")
    out = out.join(totals[["bundled", "reliability"]])
    out["metric"] = metric
    out["rate_per_million"] = (out["reports"].astype(float) / out["users"].astype(float) * 1_000_000)
    return (out.rename(columns={"source_id": "user_source_id"}).rename_axis("year").reset_index()
            [["year", "reports", "users", "metric", "as_of", "period_label", "estimate", "rate_per_million",
              "bundled", "reliability", "user_source_id"]])


# Which NCMEC platforms each self-disclosure covers, as the discloser describes its scope
# (platform_transparency notes). Keys are the disclosure's platform_id(s) in platform_transparency.
DISCLOSURE_SCOPES = {
    "Amazon (and subsidiaries, incl. Twitch)": {
        "disclosed": ["amazon"], "measure": "ncmec_reports",
        "ncmec": ["amazon", "amazon_photos", "amazon_games", "amazon_ai_services", "twitch"]},
    "Google and YouTube": {
        "disclosed": ["google", "youtube"], "measure": "ncmec_reports", "ncmec": ["google"]},
    "Meta: Facebook and Instagram": {
        "disclosed": ["meta"], "measure": "ncmec_reports", "ncmec": ["facebook", "instagram"]},
    "Microsoft consumer services (excl. LinkedIn, GitHub)": {
        "disclosed": ["microsoft"], "measure": "ncmec_reports",
        "ncmec": ["microsoft", "xbox", "microsoft_other_products", "bing"]},
    "Pinterest": {"disclosed": ["pinterest"], "measure": "ncmec_reports", "ncmec": ["pinterest"]},
    "Reddit": {"disclosed": ["reddit"], "measure": "ncmec_reports", "ncmec": ["reddit"]},
    "Snapchat": {"disclosed": ["snapchat"], "measure": "ncmec_reports", "ncmec": ["snapchat"]},
    "Twitch": {"disclosed": ["twitch"], "measure": "ncmec_reports", "ncmec": ["twitch"]},
    "Discord (accounts reported)": {
        "disclosed": ["discord"], "measure": "accounts_reported_to_ncmec_media", "ncmec": ["discord"]},
}


@data.cached
def self_disclosures_vs_ncmec() -> pd.DataFrame:
    """Each platform's own published count for a calendar year (summed from its periods only where
    they cover the whole year, without overlap) beside NCMEC's count for the same services and year.
    Columns: disclosure, year, disclosed, unit, ncmec_reports, ratio (disclosed / NCMEC), periods,
    source_ids, ncmec_reliability."""
    import calendar

    transparency = data.load("platform_transparency")
    rows = esp_reports_by_platform()
    totals = esp_totals().set_index("year")
    out = []
    for name, scope in DISCLOSURE_SCOPES.items():
        own = transparency[transparency["platform_id"].isin(scope["disclosed"])
                           & (transparency["measure"] == scope["measure"])].copy()
        own = own.assign(year=own["period_start"].dt.year)
        for year, group in own.groupby("year"):
            if (group["period_end"].dt.year != year).any():
                continue
            per_platform = [g for _, g in group.groupby("platform_id")]
            if len(per_platform) != len(scope["disclosed"]):
                continue  # e.g. Google without YouTube in a year: not the same scope
            covered = all(int(((g["period_end"] - g["period_start"]).dt.days + 1).sum())
                          == (366 if calendar.isleap(int(year)) else 365)
                          for g in per_platform)
            if not covered:
                continue
            ncmec = rows[(rows["year"] == year) & rows["platform_id"].isin(scope["ncmec"])]
            if ncmec.empty:
                continue
            disclosed = int(group["value"].sum())
            reports = int(ncmec["reports"].sum())
            out.append({"disclosure": name, "year": int(year), "disclosed": disclosed,
                        "unit": group["unit"].iloc[0], "ncmec_reports": reports,
                        "ratio": disclosed / reports, "periods": len(group),
                        "source_ids": list(dict.fromkeys(group["source_id"])),
                        "ncmec_reliability": totals.loc[year, "reliability"]})
    return pd.DataFrame(out)


@data.cached
def police_vs_ncmec_shares() -> pd.DataFrame:
    """UK police shares (offences with the platform recorded) beside the same platform's share of
    NCMEC's ESP reports in the calendar year in which the financial year starts (a financial year
    April-March has nine of its months in that year). Meta-wide rows compare with Meta's company
    share. Columns: period, offence, geography, platform_label, platform_id, police_share (0-1),
    base, base_count, ncmec_year, ncmec_share (0-1), bundled, source_id."""
    police = data.load("uk_grooming_platform_shares")
    police = police[police["share_pct"].notna() & police["platform_id"].notna()
                    & police["period"].str.fullmatch(r"\d{4}/\d{2}")].copy()
    police["ncmec_year"] = police["period"].str[:4].astype(int)
    platform_shares = esp_shares("platform").set_index(["year", "unit_id"])["share"]
    company_shares = esp_shares("company").set_index(["year", "unit_id"])["share"]
    bundled = esp_totals().set_index("year")["bundled"]

    def ncmec_share(row):
        year = row.ncmec_year
        if row.platform_id == "meta":
            return float(company_shares.get((year, "meta"), float("nan")))
        # No row of its own (Instagram inside 2019-2020's 'Facebook*'): not published, not zero.
        return float(platform_shares.get((year, row.platform_id), float("nan")))

    police["ncmec_share"] = [ncmec_share(r) for r in police.itertuples()]
    police["police_share"] = police["share_pct"].astype(float) / 100
    police["bundled"] = police["ncmec_year"].map(bundled)
    police = police[police["ncmec_year"].isin(bundled.index)]
    return police[["period", "offence", "geography", "platform_label", "platform_id", "police_share", "base",
                   "base_count", "ncmec_year", "ncmec_share", "bundled", "source_id"]].reset_index(drop=True)
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


@data.cached
def country_reports() -> pd.DataFrame:
    """NCMEC's reports by country, one row per (year, iso3): labels that share a code in a year
    (spelling variants) are summed; rows without a country code (no country attributed, 'Europe',
    Kosovo) are dropped. Columns: year, iso3, eu27, reports."""
    rows = data.load("ncmec_country_reports")
    rows = rows[rows["iso3"].notna()]
    out = rows.groupby(["year", "iso3"], as_index=False).agg(reports=("reports", "sum"), eu27=("eu27", "any"))
    return out[["year", "iso3", "eu27", "reports"]]


@data.cached
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


@data.cached
def group_reports() -> pd.DataFrame:
    """Reports per year and comparison group (EU-27 without Poland, Poland, UK, non-EU Europe,
    rest of the world; reports with no country attributed are left out). Columns: year, group,
    reports."""
    rows = country_reports()
    rows = rows.assign(group=[country_group(i, e) for i, e in zip(rows["iso3"], rows["eu27"])])
    return rows.groupby(["year", "group"], as_index=False)["reports"].sum()


META_PARENT = "meta"


@data.cached
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


@data.cached
def meta_total_reports() -> pd.Series:
    """Reports from all of Meta's platforms per year (index: year): the sum of its apps."""
    return meta_reports_by_app().groupby("year")["reports"].sum().astype("int64")


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


@data.cached
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


@data.cached
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
    signed = pd.Timestamp(timeline.loc["us-report-act", "date"])
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


def citable(rows: pd.DataFrame) -> pd.DataFrame:
    """Drop rows whose source is a staging copy (an ``uat.`` host): such pages are leads, not
    citations, until the same page is confirmed on the publisher's live site."""
    urls = data.sources()["url"]
    staging = rows["source_id"].map(urls).fillna("").str.contains(r"//uat\.", regex=True)
    return rows[~staging.astype(bool)]


@data.cached
def iwf_rows() -> pd.DataFrame:
    """The IWF dataset without rows that cite a staging copy (see :func:`citable`)."""
    return citable(data.load("iwf_reports"))


@data.cached
def _iwf_all(measure: str, *, age_group: str = "all", sex: str = "all") -> pd.DataFrame:
    rows = iwf_rows()
    rows = rows[(rows["measure"] == measure) & (rows["age_group"] == age_group) & (rows["sex"] == sex)]
    return preferred(rows, ["year"], values=["count", "share_pct"])


@data.cached
def self_generated_composition() -> pd.DataFrame:
    """The IWF's actioned webpages split into "self-generated" and the rest, by year.

    Columns: year, actioned, self_generated, not_self_generated (actioned − self_generated),
    share_published (percent, as the IWF states it; NA where unpublished), share_computed
    (self_generated / actioned, 0–1), self_generated_rounded (the IWF rounded the count),
    reliability (least reliable source used), source_ids. Years: from the first full year of
    tagging (2019) to the last year with an actioned total; a year without a self-generated
    count keeps NA rather than a guess."""
    actioned = _iwf_all("reports_actioned").set_index("year")
    tagged = _iwf_all("self_generated_reports").set_index("year")
    years = [y for y in actioned.index if y >= 2019]
    out = pd.DataFrame(index=pd.Index(years, name="year"))
    out["actioned"] = actioned["count"].reindex(out.index).astype("Int64")
    out["self_generated"] = tagged["count"].reindex(out.index).astype("Int64")
    out["not_self_generated"] = (out["actioned"] - out["self_generated"]).astype("Int64")
    out["share_published"] = tagged["share_pct"].reindex(out.index).astype("Float64")
    out["share_computed"] = (out["self_generated"].astype("Float64") / out["actioned"].astype("Float64"))
    notes = tagged["notes"].reindex(out.index).fillna("")
    out["self_generated_rounded"] = notes.str.contains("rounded", case=False).astype(bool)
    rel = pd.concat([actioned["reliability"].reindex(out.index), tagged["reliability"].reindex(out.index)], axis=1)
    out["reliability"] = rel.apply(lambda r: max([v for v in r if isinstance(v, str)], key=RELIABILITY_RANK.get,
                                                 default=pd.NA), axis=1)
    ids = pd.concat([actioned["source_ids"].reindex(out.index), tagged["source_ids"].reindex(out.index)], axis=1)
    out["source_ids"] = ids.apply(lambda r: tuple(dict.fromkeys(s for t in r if isinstance(t, tuple) for s in t)), axis=1)
    return out.reset_index()


@data.cached
def iwf_capacity() -> pd.DataFrame:
    """Reports the IWF assessed (processed) and actioned each year, and the actioned share of
    those assessed. Columns: year, assessed, actioned, actioned_share (0–1), source_ids."""
    assessed = _iwf_all("reports_assessed").set_index("year")
    actioned = _iwf_all("reports_actioned").set_index("year")
    years = sorted(set(assessed.index) | set(actioned.index))
    out = pd.DataFrame(index=pd.Index(years, name="year"))
    out["assessed"] = assessed["count"].reindex(out.index).astype("Int64")
    out["actioned"] = actioned["count"].reindex(out.index).astype("Int64")
    out["actioned_share"] = out["actioned"].astype("Float64") / out["assessed"].astype("Float64")
    ids = pd.concat([assessed["source_ids"].reindex(out.index), actioned["source_ids"].reindex(out.index)], axis=1)
    out["source_ids"] = ids.apply(lambda r: tuple(dict.fromkeys(s for t in r if isinstance(t, tuple) for s in t)), axis=1)
    return out.reset_index()


def share_from_ratio_text(text: str) -> float | None:
    """'1 in 6' → 16.67 (percent). None for anything else: only an 'N in M' wording is converted."""
    import re
    match = re.fullmatch(r"\s*(\d+)\s+in\s+(\d+)\s*", str(text))
    if not match or int(match.group(2)) == 0:
        return None
    return 100 * int(match.group(1)) / int(match.group(2))


@data.cached
def self_generated_by_age(years: range = range(2019, 2025)) -> pd.DataFrame:
    """Full-year IWF "self-generated" webpages by age of the youngest child, one row per age band
    and year (NA where the IWF has not published the cell). Age bands: 7–10, 11–13 (all sexes),
    '11–13, girls' (published alone for 2021), 14–15, 16–17. Columns: age_band, year, count,
    share_of_self_generated (0–1, computed from the year's self-generated count), source_ids."""
    rows = iwf_rows()
    rows = rows[rows["measure"] == "self_generated_reports"]
    totals = self_generated_composition().set_index("year")["self_generated"]
    bands = [("7–10", "7-10", "all"), ("11–13", "11-13", "all"), ("11–13, girls", "11-13", "girls"),
             ("14–15", "14-15", "all"), ("16–17", "16-17", "all")]
    records = []
    for label, age, sex in bands:
        chosen = preferred(rows[(rows["age_group"] == age) & (rows["sex"] == sex)], ["year"]).set_index("year")
        for year in years:
            count = chosen["count"].get(year, pd.NA) if year in chosen.index else pd.NA
            total = totals.get(year, pd.NA)
            share = (count / total) if pd.notna(count) and pd.notna(total) else pd.NA
            records.append(dict(age_band=label, year=year, count=count, share_of_self_generated=share,
                                source_ids=chosen["source_ids"].get(year, ()) if year in chosen.index else ()))
    frame = pd.DataFrame.from_records(records)
    frame["count"] = frame["count"].astype("Int64")
    frame["share_of_self_generated"] = frame["share_of_self_generated"].astype("Float64")
    return frame


@data.cached
def shares_by_sex() -> pd.DataFrame:
    """Girls' and boys' shares in the IWF's series, as published or computed from published
    counts (never both for one cell). Columns: series, period, year, sex ('girls', 'boys'),
    share (0–1), basis ('published' or 'computed from counts'), base (what it is a share of),
    reliability, source_ids."""
    rows = iwf_rows()
    sources = data.sources()
    records = []

    def add(series, period, year, sex, share, basis, base, source_ids):
        worst = max((sources.loc[s, "reliability"] for s in source_ids), key=RELIABILITY_RANK.get)
        records.append(dict(series=series, period=period, year=year, sex=sex, share=share, basis=basis,
                            base=base, reliability=worst, source_ids=tuple(source_ids)))

    actioned = rows[(rows["measure"] == "reports_actioned") & (rows["age_group"] == "all") & (rows["sex"] != "all")]
    for r in actioned.itertuples():
        if pd.notna(r.share_pct):
            sex = "girls" if r.sex.startswith("girls") else "boys"
            base = "all actioned webpages" + (f" ({r.sex.replace('_', ' ')})" if r.sex.endswith("only") else "")
            add("all actioned webpages", str(r.year), r.year, sex, r.share_pct / 100, "published", base, [r.source_id])
    # sextortion: published shares, or counts over the year's total
    sext = rows[(rows["age_group"] == "all") & rows["measure"].isin(["sextortion_reports_actioned",
                                                                       "sextortion_reports_dealt_with_h1"])]
    for (measure, year), group in sext.groupby(["measure", "year"]):
        total = group[group["sex"] == "all"]
        total_count = total["count"].dropna()
        period = f"Jan–Jun {year}" if measure.endswith("_h1") else str(year)
        for r in group[group["sex"] != "all"].itertuples():
            if pd.notna(r.share_pct):
                add("sextortion reports", period, year, r.sex, r.share_pct / 100, "published",
                    "sextortion reports", [r.source_id])
            elif pd.notna(r.count) and len(total_count):
                already = any(x["series"] == "sextortion reports" and x["period"] == period and x["sex"] == r.sex
                              for x in records)
                if not already:
                    add("sextortion reports", period, year, r.sex, r.count / total_count.iloc[0], "computed from counts",
                        "sextortion reports", [r.source_id, total.loc[total_count.index[0], "source_id"]])
    sg = rows[rows["measure"].isin(["self_generated_reports", "self_generated_reports_h1"]) & (rows["age_group"] == "all")
              & (rows["sex"] != "all") & rows["share_pct"].notna()]
    for r in sg.itertuples():
        period = f"Jan–Jun {r.year}" if r.measure.endswith("_h1") else str(r.year)
        add("self-generated webpages", period, r.year, r.sex, r.share_pct / 100, "published",
            "self-generated webpages", [r.source_id])
    frame = pd.DataFrame.from_records(records)
    return frame.sort_values(["series", "year", "period", "sex"]).reset_index(drop=True)


# --- encryption chapter (continued): the EU gap's difference-in-differences, bundling bounds ---

@data.cached
def eu_gap_panel(min_reports: int = 1000, base_year: int = 2020) -> pd.DataFrame:
    """Country-level panel for the EU gap analysis: one row per (year, iso3) with eu27, group and
    reports, keeping countries with at least ``min_reports`` reports in ``base_year`` and a positive
    count in every year (log changes of a handful of reports are noise, and log 0 is undefined)."""
    rows = country_reports()
    rows = rows.assign(group=[country_group(i, e) for i, e in zip(rows["iso3"], rows["eu27"])])
    years = rows["year"].nunique()
    counts = rows.pivot(index="iso3", columns="year", values="reports")
    keep = counts.index[(counts[base_year] >= min_reports) & (counts > 0).all(axis=1) & (counts.notna().sum(axis=1) == years)]
    return rows[rows["iso3"].isin(keep)].reset_index(drop=True)


def _pre_post(panel: pd.DataFrame, unit: str, time: str, value: str, pre, post) -> pd.DataFrame:
    """Each unit's value in the two periods (columns 'pre' and 'post'), units positive in both."""
    wide = panel.pivot_table(index=unit, columns=time, values=value, aggfunc="sum")
    wide = wide[[pre, post]].astype(float)
    wide.columns = ["pre", "post"]
    return wide[(wide > 0).all(axis=1)]


def _did_from_arrays(t_pre, t_post, c_pre, c_post, aggregate: bool):
    """Difference-in-differences of log values; arrays may carry a leading axis of draws."""
    if aggregate:
        t = np.log(t_post.sum(axis=-1)) - np.log(t_pre.sum(axis=-1))
        c = np.log(c_post.sum(axis=-1)) - np.log(c_pre.sum(axis=-1))
        return t - c
    return (np.log(t_post) - np.log(t_pre)).mean(axis=-1) - (np.log(c_post) - np.log(c_pre)).mean(axis=-1)


def _groups(panel, treated, control, unit, time, value, pre, post):
    return _split(_pre_post(panel, unit, time, value, pre, post), treated, control)


def _split(wide: pd.DataFrame, treated, control):
    """The treated and the control units' rows of a :func:`_pre_post` table."""
    treated = set(treated)
    control = (set(wide.index) - treated) if control is None else set(control)
    t = wide[wide.index.isin(treated)]
    c = wide[wide.index.isin(control)]
    if t.empty or c.empty:
        raise ValueError("both the treated and the control group need at least one unit with data in both periods")
    return t, c


def did_log(panel: pd.DataFrame, *, treated, control=None, unit: str = "iso3", time: str = "year",
            value: str = "reports", pre=2020, post=2021, aggregate: bool = False) -> float:
    """Difference-in-differences on log reports between two periods.

    ``treated`` and ``control`` are collections of unit ids (default control: every other unit).
    With ``aggregate=False`` (default) each unit counts once: the mean change in log reports of the
    treated units minus that of the control units. With ``aggregate=True`` units are summed within
    each group first, so large units weigh more: log(T_post/T_pre) − log(C_post/C_pre).
    Units without a positive value in both periods are left out. A value of d means the treated
    group changed by exp(d) − 1 relative to the control group."""
    t, c = _groups(panel, treated, control, unit, time, value, pre, post)
    return float(_did_from_arrays(t["pre"].to_numpy(), t["post"].to_numpy(),
                                  c["pre"].to_numpy(), c["post"].to_numpy(), aggregate))


def did_bootstrap(panel: pd.DataFrame, *, treated, control=None, n: int = 4000, seed: int = 0,
                  level: float = 0.95, unit: str = "iso3", time: str = "year", value: str = "reports",
                  pre=2020, post=2021, aggregate: bool = False) -> tuple[float, float]:
    """Percentile interval for :func:`did_log` from resampling units with replacement, separately
    within the treated and the control group (a bootstrap over countries). A group of one unit
    does not vary, so the interval then reflects the other group's spread only."""
    t, c = _groups(panel, treated, control, unit, time, value, pre, post)
    rng = np.random.default_rng(seed)
    ti = rng.integers(0, len(t), size=(n, len(t)))
    ci = rng.integers(0, len(c), size=(n, len(c)))
    draws = _did_from_arrays(t["pre"].to_numpy()[ti], t["post"].to_numpy()[ti],
                             c["pre"].to_numpy()[ci], c["post"].to_numpy()[ci], aggregate)
    alpha = (1 - level) / 2
    return float(np.quantile(draws, alpha)), float(np.quantile(draws, 1 - alpha))


def did_permutation(panel: pd.DataFrame, *, treated, control=None, n: int = 4000, seed: int = 0,
                    unit: str = "iso3", time: str = "year", value: str = "reports", pre=2020, post=2021,
                    aggregate: bool = False) -> dict:
    """Permutation (placebo) test for :func:`did_log`: the treatment label is given at random to as
    many units as were treated, drawn from the treated and control units together, ``n`` times.
    Returns the estimate, the two-sided p-value (share of placebo estimates at least as far from
    zero, counting the actual assignment) and the central 95% range of the placebo estimates."""
    t, c = _groups(panel, treated, control, unit, time, value, pre, post)
    pool = pd.concat([t, c])
    pre_v, post_v = pool["pre"].to_numpy(), pool["post"].to_numpy()
    k = len(t)
    estimate = float(_did_from_arrays(pre_v[:k], post_v[:k], pre_v[k:], post_v[k:], aggregate))
    rng = np.random.default_rng(seed)
    order = np.argsort(rng.random((n, len(pool))), axis=1)
    ti, ci = order[:, :k], order[:, k:]
    placebo = _did_from_arrays(pre_v[ti], post_v[ti], pre_v[ci], post_v[ci], aggregate)
    p = (1 + int((np.abs(placebo) >= abs(estimate) - 1e-12).sum())) / (n + 1)
    return {"estimate": estimate, "p_value": float(p),
            "placebo_low": float(np.quantile(placebo, 0.025)), "placebo_high": float(np.quantile(placebo, 0.975))}


def bundling_bounds(meta_before: float, meta_after: float, reports_after: float, incidents_after: float,
                    shares=(0.0, 0.25, 0.5, 0.75, 1.0)) -> pd.DataFrame:
    """How much of a fall in Meta's reports across the bundling break is not explained by bundling.

    Assumes the year's incident count is what the report count would have been without bundling,
    so bundling removed ``incidents_after − reports_after`` reports across all reporters, and that a
    share ``s`` of that compression fell on Meta. Meta's unbundled count is then
    ``meta_after + s × compression``; the rest of the fall (``meta_before`` minus that) is not
    attributable to bundling. One row per share: share_of_compression_on_meta, meta_unbundled,
    fall_total, fall_from_bundling, fall_not_bundling, fall_not_bundling_pct (of meta_before)."""
    compression = incidents_after - reports_after
    if compression < 0:
        raise ValueError("incidents should not be fewer than reports")
    rows = []
    for s in shares:
        if not 0 <= s <= 1:
            raise ValueError("a share of the compression must lie between 0 and 1")
        unbundled = meta_after + s * compression
        rows.append({
            "share_of_compression_on_meta": float(s),
            "meta_unbundled": float(unbundled),
            "fall_total": float(meta_before - meta_after),
            "fall_from_bundling": float(s * compression),
            "fall_not_bundling": float(meta_before - unbundled),
            "fall_not_bundling_pct": float((meta_before - unbundled) / meta_before),
        })
    return pd.DataFrame(rows)


# --- platforms chapter (continued): movers and the lookup of every reporting service ---

@data.cached
def risers_and_fallers(start: int, end: int, n: int = 4, min_reports: int = 10_000) -> dict[str, list[str]]:
    """The ``n`` platforms whose report counts rose most and fell most from ``start`` to ``end``
    (ratio of the two years' counts), among platforms with at least ``min_reports`` in one of the
    two years and no combined row in either. A platform absent in ``start`` (a new line item) counts
    as rising from zero and ranks first; one absent in ``end`` as falling to zero, except in a year
    whose list is partial (2024-2025), where an absent platform is left out. Returns
    {'risers': [...], 'fallers': [...]} of platform ids, largest change first."""
    rows = esp_reports_by_platform()
    rows = rows[rows["year"].isin([start, end])]
    combined = set(rows.loc[rows["combined"].fillna(False), "platform_id"])
    wide = rows.pivot_table(index="platform_id", columns="year", values="reports", aggfunc="sum")
    wide = wide.reindex(columns=[start, end]).fillna(0).astype(float)
    wide = wide[(wide.max(axis=1) >= min_reports) & ~wide.index.isin(combined)]
    full = esp_totals().set_index("year")["listed_in_full"]
    for year in (start, end):
        if not bool(full.get(year, False)):
            # A partial list (the 2024-2025 transcription): absence there is "not listed", not zero.
            wide = wide[wide[year] > 0]
    ratio = (wide[end] + 1) / (wide[start] + 1)  # +1: a zero count still ranks, by its size
    order = ratio.sort_values(ascending=False, kind="stable")
    return {"risers": list(order.index[:n]), "fallers": list(order.index[::-1][:n])}


@data.cached
def reporting_services() -> pd.DataFrame:
    """Every (ESP label, line item) NCMEC published, 2019-2025, with its platform, parent company,
    whether the row combines services, and its yearly report counts (one column per year; missing
    where the label has no row that year). 2024-2025 labels are the transcriber's keys."""
    rows = esp_reports_by_platform()
    key = ["esp_label", "line_item"]
    rows = rows.assign(line_item=rows["line_item"].fillna(""))
    wide = rows.pivot_table(index=key, columns="year", values="reports", aggfunc="sum")
    wide.columns = [int(c) for c in wide.columns]
    info = (rows.drop_duplicates(key).set_index(key)
            [["platform_name", "company_name", "combined"]])
    out = info.join(wide.astype("Int64")).reset_index()
    out["line_item"] = out["line_item"].replace("", pd.NA)
    out["combined"] = out["combined"].fillna(False).astype(bool)
    return out.sort_values(["esp_label", "line_item"], key=lambda s: s.str.lower(), na_position="first"
                           ).reset_index(drop=True)


# --- encryption chapter (continued) ---

def did_leave_one_out(panel: pd.DataFrame, *, treated, control=None, drop_from: str = "treated",
                      **kwargs) -> pd.Series:
    """:func:`did_log` recomputed with each unit of one group left out in turn (``drop_from`` is
    'treated' or 'control'), to see whether one country drives the estimate. Index: the unit left
    out; values: the estimate without it."""
    unit = kwargs.get("unit", "iso3")
    treated = set(treated)
    control = (set(panel[unit]) - treated) if control is None else set(control)
    group = treated if drop_from == "treated" else control
    if len(group) < 2:
        raise ValueError("leaving one out needs at least two units in the group")
    # The two periods' values are tabled once; each estimate then only picks its units.
    wide = _pre_post(panel, unit, kwargs.get("time", "year"), kwargs.get("value", "reports"),
                     kwargs.get("pre", 2020), kwargs.get("post", 2021))
    unknown = set(kwargs) - {"unit", "time", "value", "pre", "post", "aggregate"}
    if unknown:
        raise TypeError(f"did_leave_one_out() got unexpected arguments: {sorted(unknown)}")
    out = {}
    for left_out in sorted(group):
        t, c = _split(wide, treated - {left_out} if drop_from == "treated" else treated,
                      control - {left_out} if drop_from == "control" else control)
        out[left_out] = float(_did_from_arrays(t["pre"].to_numpy(), t["post"].to_numpy(), c["pre"].to_numpy(),
                                               c["post"].to_numpy(), kwargs.get("aggregate", False)))
    return pd.Series(out, name="estimate")


def period_start(period: str) -> pd.Timestamp:
    """Start of a police period: '2017/18' and '2017/18-2019/20' start on 1 April 2017;
    '2013-01/2013-12' starts on 1 January 2013."""
    first = period.split("/")[0] if "-" in period.split("/")[0] else period[:4]
    if "-" in first:
        return pd.Timestamp(first + "-01")
    return pd.Timestamp(int(first), 4, 1)


@data.cached
def police_annual(offence: str) -> pd.DataFrame:
    """One offence's UK police counts for whole years only (financial years, or calendar years
    from the 2016 FOI exercise), in time order, with:

    - ``area``: 'England and Wales', 'UK', 'Northern Ireland', 'Scotland' or 'not stated';
    - ``segment``: a number that changes at every series break, so that a chart never joins
      counts across a break (image offences: the 2016/17 FOI series, the 2022/23 partial
      return, the 2023/24 Home Office figure);
    - ``start``: the period's first day.

    Where two rows give the same count for the same period, the one that states its area wins
    (the other says 'not stated')."""
    rows = data.load("uk_police_offences")
    rows = rows[rows["offence"] == offence].copy()
    single = rows["period"].str.fullmatch(r"\d{4}/\d{2}") | rows["period"].str.fullmatch(r"(\d{4})-01/\1-12")
    rows = rows[single].copy()
    rows["start"] = rows["period"].map(period_start)
    rows["area"] = rows["geography"].map(
        lambda g: "England and Wales" if g.startswith("England and Wales") else "UK" if g.startswith("UK") else g)
    stated = rows[rows["area"] != "not stated"].set_index(["period", "count"]).index
    duplicate = (rows["area"] == "not stated") & rows.set_index(["period", "count"]).index.isin(stated)
    rows = rows[~duplicate]
    rows = rows.sort_values(["start", "area"], kind="stable").reset_index(drop=True)
    main = ~rows["area"].isin(["Northern Ireland", "Scotland"])
    rows["segment"] = pd.NA
    rows.loc[main, "segment"] = rows.loc[main, "series_break"].astype(int).cumsum()
    return rows


@data.cached
def shares_by_age() -> pd.DataFrame:
    """Age bands' shares in the IWF's series, as published or computed from published counts.
    Columns: series, period, year, age_band, share (0–1), basis, base, reliability, source_ids.
    "Self-generated" webpages: the 7–10 share computed from full-year counts, and the published
    shares for 11–13 (part-years) and for girls aged 11–13 (base: all "self-generated" webpages);
    sextortion and Report Remove: published shares."""
    rows = iwf_rows()
    sources = data.sources()
    records = []

    def add(series, period, year, band, share, basis, base, source_ids):
        worst = max((sources.loc[s, "reliability"] for s in source_ids), key=RELIABILITY_RANK.get)
        records.append(dict(series=series, period=period, year=year, age_band=band, share=share, basis=basis,
                            base=base, reliability=worst, source_ids=tuple(source_ids)))

    ages = self_generated_by_age()
    for r in ages[(ages["age_band"] == "7–10") & ages["share_of_self_generated"].notna()].itertuples():
        total_ids = self_generated_composition().set_index("year").loc[r.year, "source_ids"]
        add('"self-generated" webpages', str(r.year), r.year, "7–10", float(r.share_of_self_generated),
            "computed from counts", '"self-generated" webpages', [*r.source_ids, *total_ids])
    periods = {"self_generated_reports": "{y}", "self_generated_reports_h1": "Jan–Jun {y}",
               "self_generated_reports_jan_nov": "Jan–Nov {y}"}
    published = rows[rows["measure"].isin(periods) & (rows["age_group"] == "11-13") & rows["share_pct"].notna()]
    # the base of a girls-only share must be all "self-generated" webpages (not those showing girls)
    published = published[~published["locator"].str.contains("featuring girls", na=False)]
    for r in published.itertuples():
        band = "11–13" + (", girls" if r.sex == "girls" else "")
        add('"self-generated" webpages', periods[r.measure].format(y=r.year), r.year, band, r.share_pct / 100,
            "published", '"self-generated" webpages', [r.source_id])
    other = {"sextortion_reports_actioned": "sextortion reports", "report_remove_reports_actioned": "Report Remove (actioned)"}
    for r in rows[rows["measure"].isin(other) & (rows["age_group"] != "all") & rows["share_pct"].notna()].itertuples():
        add(other[r.measure], str(r.year), r.year, r.age_group.replace("-", "–"), r.share_pct / 100, "published",
            other[r.measure], [r.source_id])
    return pd.DataFrame.from_records(records).sort_values(["series", "year", "period", "age_band"]).reset_index(drop=True)


@data.cached
def enticement_among_reports() -> pd.DataFrame:
    """Online enticement reports beside all CyberTipline reports, for every year with a total:
    year, enticement (reports in NCMEC's enticement category, missing where not published), total,
    per_thousand (enticement per 1,000 reports), bundled (the total counts bundled reports)."""
    totals = yearly("total_reports")
    enticement = half_years("online_enticement_reports")
    enticement = enticement[enticement["half"] == "full"][["year", "count"]].rename(columns={"count": "enticement"})
    first = int(enticement["year"].min())
    rows = totals[totals["year"] >= first][["year", "count", "bundled"]].rename(columns={"count": "total"})
    rows = rows.merge(enticement, on="year", how="left")
    rows["enticement"] = rows["enticement"].astype("Int64")
    rows["per_thousand"] = (rows["enticement"].astype("Float64") / rows["total"].astype("Float64") * 1000).round(2)
    return rows[["year", "enticement", "total", "per_thousand", "bundled"]].reset_index(drop=True)
