"""Platforms chapter: shares, concentration, reports per user, the self-disclosure audit, police against NCMEC, movers and the lookup of every reporting service."""
from __future__ import annotations

import pandas as pd

from .. import data
from .common import esp_reports_by_platform, esp_totals, user_base


UNLISTED = "ESPs not listed in the transcription"


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
