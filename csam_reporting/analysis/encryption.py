"""Encryption chapter: Meta's reports by app and the bounds on what bundling explains."""
from __future__ import annotations

import pandas as pd

from .. import data
from .common import esp_reports_by_platform, preferred, yearly


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


def bounds_by_base_year(base_years=(2021, 2022, 2023), after: int | None = None) -> pd.DataFrame:
    """The fall in Meta's reports not explained by bundling, from each base year to the first
    bundled year, at the two extremes (none and all of bundling's compression on Meta), plus a row
    for the last base year with Instagram's excess over the year before netted out (its spike, on
    a service whose messages were not encrypted by default).

    Columns: base, base_year, meta_before, meta_after, fall, low (all compression on Meta),
    high (none on Meta). Needs NCMEC's incident count for ``after`` (raises KeyError without it)."""
    totals = yearly("total_reports").set_index("year")
    after = int(totals.index[totals["bundled"]].min()) if after is None else after
    incidents = yearly("incidents").set_index("year")["count"]
    meta = meta_total_reports()
    by_app = meta_reports_by_app().pivot(index="year", columns="platform_id", values="reports")
    reports_after, incidents_after = float(totals.loc[after, "count"]), float(incidents[after])
    rows = []
    for base in base_years:
        assert not totals.loc[base, "bundled"], "a base year is counted one report at a time"
        b = bundling_bounds(meta[base], meta[after], reports_after, incidents_after, shares=(0.0, 1.0))
        b = b.set_index("share_of_compression_on_meta")["fall_not_bundling"]
        rows.append({"base": str(base), "base_year": int(base), "meta_before": int(meta[base]),
                     "meta_after": int(meta[after]), "fall": int(meta[base] - meta[after]),
                     "low": float(b[1.0]), "high": float(b[0.0])})
    last = max(base_years)
    excess = float(by_app.loc[last, "instagram"] - by_app.loc[last - 1, "instagram"])
    spike = rows[-1]
    rows.append({**spike, "base": f"{last}, Instagram's excess over {last - 1} netted out",
                 "meta_before": int(spike["meta_before"] - excess), "fall": int(spike["fall"] - excess),
                 "low": spike["low"] - excess, "high": spike["high"] - excess})
    out = pd.DataFrame(rows)
    out.attrs.update(after=after, instagram_excess=excess, compression=incidents_after - reports_after)
    return out


@data.cached
def company_reports() -> pd.DataFrame:
    """NCMEC's per-service rows summed by company, one row per (year, company).
    Columns: year, company, company_name, reports."""
    rows = esp_reports_by_platform()
    out = rows.groupby(["year", "parent_company", "company_name"], as_index=False)["reports"].sum()
    return out.rename(columns={"parent_company": "company"})


def other_companies(before: int, after: int, largest=("bytedance", "snap"), min_reports: int = 100_000) -> pd.DataFrame:
    """Companies other than Meta across a break, company by company, on one basis: NCMEC's
    per-service rows, companies listed in both years (a company missing from a partial
    transcription is not read as a fall to zero). Companies with at least ``min_reports`` in either
    year get a row of their own; the rest are pooled. Two summary rows follow: all listed
    companies other than Meta, and the same without the ``largest`` risers.
    Columns: company, before, after, change."""
    rows = company_reports()
    rows = rows[rows["company"] != META_PARENT]
    wide = rows.pivot_table(index=["company", "company_name"], columns="year", values="reports", aggfunc="sum")
    wide = wide[[before, after]].dropna().astype(float)
    wide.columns = ["before", "after"]
    wide = wide.reset_index()
    big = wide[(wide["before"] >= min_reports) | (wide["after"] >= min_reports)].sort_values("after", ascending=False)
    small = wide.drop(big.index)
    out = [{"company": r.company_name, "key": r.company, "before": r.before, "after": r.after} for r in big.itertuples()]
    out.append({"company": f"{len(small)} other companies", "key": "rest",
                "before": small["before"].sum(), "after": small["after"].sum()})
    out.append({"company": "all companies other than Meta", "key": "all", "before": wide["before"].sum(),
                "after": wide["after"].sum()})
    rest = wide[~wide["company"].isin(largest)]
    names = " and ".join(wide.loc[wide["company"].isin(largest), "company_name"])
    out.append({"company": f"all other than Meta, {names}", "key": "without_largest",
                "before": rest["before"].sum(), "after": rest["after"].sum()})
    out = pd.DataFrame(out)
    out["change"] = out["after"] / out["before"] - 1
    return out


def other_companies_esp_total(before: int, after: int, largest=("bytedance", "snap")) -> dict:
    """The same comparison on the other basis: NCMEC's printed (or transcribed) ESP total minus
    Meta, and minus the ``largest`` risers too. Returns change_all and change_without_largest."""
    esp = yearly("esp_reports").set_index("year")["count"].astype(float)
    meta = meta_total_reports()
    firms = company_reports().pivot_table(index="year", columns="company", values="reports", aggfunc="sum")
    other = esp - meta.reindex(esp.index)
    rest = other - firms[list(largest)].sum(axis=1).reindex(esp.index)
    return {"change_all": float(other[after] / other[before] - 1),
            "change_without_largest": float(rest[after] / rest[before] - 1)}


@data.cached
def informational_split() -> pd.DataFrame:
    """Reports NCMEC made available to police, actionable against informational, per year (sums
    over recipients: one report can go to several, so the sums exceed the year's reports).
    Columns (index year): actionable, informational, informational_share, reliability."""
    rows = preferred(data.load("ncmec_report_recipients"), ["year", "recipient", "classification"])
    split = rows.groupby(["year", "classification"])["reports"].sum().unstack().astype("int64")
    assert {"actionable", "informational"} <= set(split.columns)
    split["informational_share"] = split["informational"] / (split["actionable"] + split["informational"])
    order = {"primary": 0, "secondary": 1, "derived": 2}
    split["reliability"] = rows.groupby("year")["reliability"].agg(lambda r: max(r, key=order.get))
    return split


def informational_test(before: int, after: int) -> dict | None:
    """Did bundling remove mostly informational reports? If it had, informational reports would
    fall much more than actionable ones across the break. Returns the two changes and the shares,
    or None when the split for ``after`` is not in the data."""
    split = informational_split()
    if after not in split.index or before not in split.index:
        return None
    change = split.loc[after, ["actionable", "informational"]] / split.loc[before, ["actionable", "informational"]] - 1
    return {"actionable_change": float(change["actionable"]), "informational_change": float(change["informational"]),
            "share_before": float(split.loc[before, "informational_share"]),
            "share_after": float(split.loc[after, "informational_share"]),
            "reliability_after": split.loc[after, "reliability"]}
