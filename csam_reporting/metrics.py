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


# --- platforms chapter ---
# Shares, concentration, counts of reporters, reports per user and the audits of the platforms
# chapter. NCMEC printed every ESP row for 2019-2023 (rows sum to the ESP total); for 2024-2025 the
# rows are R. Grimm's transcription of the ESPs he tracks (secondary), so a share of the ESP total
# is exact for a listed ESP, but counts of reporters are not known and concentration measures
# computed from the listed ESPs are lower bounds.

UNLISTED = "ESPs not listed in the transcription"


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
