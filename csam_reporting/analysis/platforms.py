"""Platforms chapter: shares, concentration, reports per user, the self-disclosure audit, police against NCMEC, movers and the lookup of every reporting service."""
from __future__ import annotations

import pandas as pd

from .. import data
from .common import esp_reports_by_platform, esp_totals, last_comparable_year


UNLISTED = "ESPs not listed in the transcription"


CATEGORY_OF_KIND = {"hotline": "hotline", "organisation": "organisation"}
CATEGORY_NAMES = {"company": "companies", "service": "services", "hotline": "hotlines",
                  "organisation": "other organisations", "unlisted": UNLISTED}


def _units(rows: pd.DataFrame, level: str) -> pd.DataFrame:
    """Label each row with the unit it counts for: the platform, or the parent company (an ESP with no
    parent company recorded counts as a company of its own), and its ``category``: 'company' (or
    'service' at platform level) for a service provider, 'hotline' or 'organisation' where
    ``platforms.reporter_kind`` says the reporter is not a provider (INHOPE forwards hotline reports)."""
    kind = rows["reporter_kind"] if "reporter_kind" in rows else pd.Series(pd.NA, index=rows.index)
    provider = "service" if level == "platform" else "company"
    category = kind.map(CATEGORY_OF_KIND).fillna(provider)
    if level == "platform":
        return rows.assign(unit_id=rows["platform_id"], unit_name=rows["platform_name"], category=category)
    if level == "company":
        linked = rows["parent_company"].notna()
        return rows.assign(unit_id=rows["parent_company"].where(linked, "esp:" + rows["platform_id"]),
                           unit_name=rows["company_name"].where(linked, rows["platform_name"]), category=category)
    raise ValueError(f"level must be 'platform' or 'company', not {level!r}")


@data.cached
def esp_shares(level: str = "platform") -> pd.DataFrame:
    """Each unit's share (0-1) of the year's ESP total. ``level``: 'platform' (one service, as mapped
    from NCMEC's rows) or 'company' (parent company; an ESP with no recorded parent is its own).

    Where the rows do not cover the ESP total (2024-2025), one more row per year, ``listed`` false
    and named :data:`UNLISTED`, holds the remainder, so every year's shares sum to 1. ``category``
    sets hotlines and other organisations apart from providers (see :func:`_units`).
    Columns: year, unit_id, unit_name, category, reports, esp_total, share, listed, combined, bundled, reliability.
    """
    rows = _units(esp_reports_by_platform(), level)
    assert rows.groupby("unit_id")["category"].nunique().max() == 1, "a unit has one category"
    grouped = (rows.groupby(["year", "unit_id", "unit_name", "category"], as_index=False)
               .agg(reports=("reports", "sum"), combined=("combined", "any")))
    totals = esp_totals().set_index("year")
    grouped = grouped.join(totals[["esp_total", "bundled", "reliability"]], on="year")
    grouped["listed"] = True
    listed_sum = grouped.groupby("year")["reports"].sum()
    remainder = (totals["esp_total"] - listed_sum.reindex(totals.index)).dropna()
    if (remainder < 0).any():
        raise ValueError(f"ESP rows exceed the ESP total in {list(remainder[remainder < 0].index)}")
    extra = pd.DataFrame({"year": remainder.index, "unit_id": pd.NA, "unit_name": UNLISTED, "category": "unlisted",
                          "reports": remainder.values, "combined": False, "listed": False})
    extra = extra[extra["reports"] > 0].join(totals[["esp_total", "bundled", "reliability"]], on="year")
    out = pd.concat([grouped, extra], ignore_index=True)
    out["reports"] = out["reports"].astype("Int64")
    out["share"] = (out["reports"] / out["esp_total"]).astype(float)
    return out.sort_values(["year", "reports"], ascending=[True, False]).reset_index(drop=True)[
        ["year", "unit_id", "unit_name", "category", "reports", "esp_total", "share", "listed", "combined", "bundled",
         "reliability"]]


def herfindahl(shares) -> float:
    """Herfindahl-Hirschman index of shares given as fractions of one whole: the sum of squared
    shares, from 1/n (n equal reporters) to 1 (one reporter). Multiply by 10,000 for the usual scale."""
    values = pd.Series(shares, dtype=float).dropna()
    if (values < 0).any() or values.sum() > 1 + 1e-9:
        raise ValueError("shares must be non-negative fractions of one whole")
    return float((values ** 2).sum())


def _known_share(apart: pd.DataFrame, year: int, category: str, listed_in_full: bool) -> float:
    """A category's share of the year's ESP total: zero where absent from a full list, not known
    (NaN) where absent from a partial one (the 2024-2025 transcription lists no hotline)."""
    value = float(apart.loc[year].get(category, 0.0))
    return value if (value > 0 or listed_in_full) else float("nan")


@data.cached
def concentration(level: str = "company", ks=(1, 5, 10)) -> pd.DataFrame:
    """Per year: the top-k shares of the ESP total and the Herfindahl index (0-10,000) across units.
    ``lower_bound`` is true where not every ESP row is known (2024-2025): the true top-k shares and
    index can only be higher than those computed from the listed ESPs.
    Only providers are ranked (companies, or services at platform level): hotlines and other
    organisations are not companies, and their shares are given apart (``hotline_share``,
    ``organisation_share``). Shares are of NCMEC's whole ESP total, which includes them.
    Columns: year, top_1, top_5, top_10 (per ``ks``), hhi, equivalent_reporters, hotline_share,
    organisation_share, lower_bound, bundled."""
    shares = esp_shares(level)
    apart = shares.pivot_table(index="year", columns="category", values="share", aggfunc="sum").fillna(0.0)
    listed = shares[shares["listed"] & shares["category"].isin(["company", "service"])]
    full = esp_totals().set_index("year")["listed_in_full"]
    out = []
    for year, group in listed.groupby("year"):
        ordered = group["share"].sort_values(ascending=False)
        row = {"year": int(year)}
        for k in ks:
            row[f"top_{k}"] = float(ordered.head(k).sum())
        hhi = herfindahl(ordered)
        row.update(hhi=hhi * 10_000, equivalent_reporters=1 / hhi,
                   # Known to be zero only where every ESP row is known; else not known (NaN).
                   hotline_share=_known_share(apart, year, "hotline", bool(full[year])),
                   organisation_share=_known_share(apart, year, "organisation", bool(full[year])),
                   lower_bound=not bool(full[year]),
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
    kind of reporter ('service provider', 'hotline', 'organisation'), whether the row combines services, and its yearly report counts (one column per year; missing
    where the label has no row that year). 2024-2025 labels are the transcriber's keys."""
    rows = esp_reports_by_platform()
    key = ["esp_label", "line_item"]
    rows = rows.assign(line_item=rows["line_item"].fillna(""))
    wide = rows.pivot_table(index=key, columns="year", values="reports", aggfunc="sum")
    wide.columns = [int(c) for c in wide.columns]
    rows = rows.assign(reporter_kind=rows["reporter_kind"].fillna("service provider"))
    info = (rows.drop_duplicates(key).set_index(key)
            [["platform_name", "company_name", "reporter_kind", "combined"]])
    out = info.join(wide.astype("Int64")).reset_index()
    out["line_item"] = out["line_item"].replace("", pd.NA)
    out["combined"] = out["combined"].fillna(False).astype(bool)
    return out.sort_values(["esp_label", "line_item"], key=lambda s: s.str.lower(), na_position="first"
                           ).reset_index(drop=True)


# --- the chapter's years, the break, and shares either side of it -----------------------------------

@data.cached
def chapter_years() -> dict:
    """The years the chapter speaks of, each from the table it reads: ``first`` and ``latest``
    (first and latest year with per-ESP rows), ``last`` (the last year counted one by one),
    ``latest_total`` (the latest NCMEC total, which may be a year ahead of the per-ESP rows),
    ``printed`` (years NCMEC's own tables list in full) and ``partial`` (years known only from the
    transcription, bundled)."""
    totals = esp_totals().set_index("year")
    rows = esp_reports_by_platform()
    listed_years = sorted(int(y) for y in rows["year"].unique())
    assert listed_years, "per-ESP rows exist"
    with_rows = totals.loc[totals.index.isin(listed_years)]
    return {"first": listed_years[0], "latest": listed_years[-1], "last": last_comparable_year(),
            "latest_total": int(totals.index.max()),
            "printed": [int(y) for y in with_rows.index[with_rows["listed_in_full"]]],
            "partial": [int(y) for y in with_rows.index[~with_rows["listed_in_full"]]]}


@data.cached
def share_series(unit_id: str = "meta", level: str = "company",
                 exclude_line_items: tuple = ("amazon_ai_services",)) -> pd.DataFrame:
    """A unit's share of the ESP total per year, as two series that are never joined: 'before'
    (counted one by one, NCMEC's own tables) and 'after' (bundled, transcribed). Also the share
    of the ESP total less ``exclude_line_items`` (Amazon's AI Services line item, 1.1 million
    reports in 2025, is most of Amazon's rise). Columns: year, period, reports, esp_total, share,
    excluded, share_without_excluded."""
    shares = esp_shares(level)
    mine = shares[shares["unit_id"] == unit_id].set_index("year")
    rows = esp_reports_by_platform()
    excluded = rows[rows["platform_id"].isin(exclude_line_items)].groupby("year")["reports"].sum()
    last = last_comparable_year()
    out = mine[["reports", "esp_total", "share"]].copy()
    out["excluded"] = excluded.reindex(out.index).fillna(0).astype(int)
    out["share_without_excluded"] = out["reports"].astype(float) / (out["esp_total"] - out["excluded"])
    out["period"] = ["before" if y <= last else "after" for y in out.index]
    assert (out["share_without_excluded"] >= out["share"]).all(), "removing reports of others raises a share"
    return out.reset_index()[["year", "period", "reports", "esp_total", "share", "excluded", "share_without_excluded"]]


@data.cached
def top_companies(year: int, later: int, n: int = 10) -> pd.DataFrame:
    """The ``n`` companies that sent most reports in ``year`` (providers only), the same companies
    in ``later``, then one row per other category (hotlines, other organisations, ESPs the
    transcription does not list), so the table sums to the ESP total. Columns: unit_id, unit_name,
    category, reports, share, later_reports, later_share."""
    shares = esp_shares("company")
    this, that = shares[shares["year"] == year], shares[shares["year"] == later]
    companies = this[this["category"] == "company"].head(n)
    rest = this[this["category"] == "company"].iloc[n:]
    by_category = this.groupby("category")[["reports", "share"]].sum()
    others = [{"unit_id": pd.NA, "unit_name": f"other companies ({len(rest)})", "category": "company",
               "reports": rest["reports"].sum(), "share": rest["share"].sum()}]
    for category in ("hotline", "organisation", "unlisted"):
        if category in by_category.index:
            names = ", ".join(this.loc[this["category"] == category, "unit_name"])
            label = f"{CATEGORY_NAMES[category]} ({names})" if category != "unlisted" else UNLISTED
            others.append({"unit_id": pd.NA, "unit_name": label, "category": category,
                           "reports": by_category.loc[category, "reports"], "share": by_category.loc[category, "share"]})
    out = pd.concat([companies[["unit_id", "unit_name", "category", "reports", "share"]], pd.DataFrame(others)],
                    ignore_index=True)
    later_of = that.set_index("unit_id")
    out["later_reports"] = out["unit_id"].map(later_of["reports"])
    out["later_share"] = out["unit_id"].map(later_of["share"])
    assert abs(out["share"].sum() - 1) < 1e-9, "the table covers the whole ESP total"
    return out


@data.cached
def movement(start: int, end: int, n: int = 10, split: tuple = ("amazon_ai_services",),
             rank_by: str = "end") -> pd.DataFrame:
    """Reports by company in ``start`` and ``end`` for the ``n`` companies with most reports in the
    year ``rank_by`` names ('end', the default: the largest reporters of the later year, so a
    service that has closed does not take a place; 'start'; or 'either': the larger of the two
    years), providers only, with the line items in ``split`` shown as rows of their own (Amazon's
    AI Services), so one new line item does not pass for a company-wide change. ``ratio`` is
    end / start (missing for a unit with no row in ``start``: a new line item).
    Columns: unit_id, unit_name, start, end, ratio."""
    if rank_by not in ("start", "end", "either"):
        raise ValueError(f"rank_by must be 'start', 'end' or 'either', not {rank_by!r}")
    rows = _units(esp_reports_by_platform(), "company")
    rows = rows[rows["year"].isin([start, end]) & (rows["category"] == "company")].copy()
    names = dict(zip(rows["platform_id"], rows["platform_name"]))
    moved = rows["platform_id"].isin(split)
    rows.loc[moved, "unit_id"] = rows.loc[moved, "platform_id"]
    rows.loc[moved, "unit_name"] = rows.loc[moved, "platform_id"].map(names)
    wide = rows.pivot_table(index=["unit_id", "unit_name"], columns="year", values="reports", aggfunc="sum")
    wide = wide.reindex(columns=[start, end])
    size = {"start": wide[start], "end": wide[end], "either": wide.max(axis=1)}[rank_by]
    wide = wide.loc[size.dropna().sort_values(ascending=False).index[:n]]
    out = wide.reset_index().rename(columns={start: "start", end: "end"})
    out["ratio"] = out["end"] / out["start"]
    return out.sort_values("end", ascending=False).reset_index(drop=True)



def esp_source_line() -> str:
    """One source line for the per-ESP series: NCMEC's own tables, then the transcription."""
    years = chapter_years()
    printed, partial = years["printed"], years["partial"]
    line = f"NCMEC: CyberTipline Reports by Electronic Service Providers (ESP), {printed[0]}–{printed[-1]}"
    if partial:
        line += (f"; {partial[0]}–{partial[-1]} as transcribed by R. Grimm, https://github.com/apparebit/diaphanous")
    return line


def break_note() -> str:
    """The caveat every figure crossing the bundling break carries."""
    partial = chapter_years()["partial"]
    if not partial:
        return ""
    return (f"{partial[0]}–{partial[-1]}: bundled (NCMEC merges related reports) and transcribed (secondary), "
            "not comparable with earlier years.")
