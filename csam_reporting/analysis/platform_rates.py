"""Platforms chapter, per-user rates: NCMEC's reports per million of a platform's own user count,
one metric at a time, for every large reporter with a published user figure, and the Meta-Apple
comparison stated both ways (reports, and reports per user).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import data
from .common import esp_reports_by_platform, esp_totals, user_base


@data.cached
def reports_per_million_users(platforms: list[str], user_platform: str, metric: str,
                              geography: str = "global") -> pd.DataFrame:
    """Reports from ``platforms`` (NCMEC rows, summed) per million of ``user_platform``'s users in
    one named ``metric`` (see :func:`user_base`; another metric is never substituted). A year gets a
    rate only where a user figure dated in that calendar year exists (the latest in the year) and
    where no report row combines services beyond ``platforms`` (the 2019-2020 'Facebook*' row is not
    Facebook alone). ``reliability`` is that of NCMEC's count, ``user_reliability`` that of the
    user figure (a press report of a company figure is secondary). Columns: year, reports, users,
    metric, as_of, period_label, estimate, rate_per_million, bundled, reliability, user_source_id,
    user_reliability."""
    users = user_base(user_platform, metric, geography)
    users = (users.assign(year=users["as_of"].dt.year).sort_values("as_of")
             .drop_duplicates("year", keep="last").set_index("year"))
    rows = esp_reports_by_platform()
    rows = rows[rows["platform_id"].isin(platforms)]
    counts = rows.groupby("year").agg(reports=("reports", "sum"))
    totals = esp_totals().set_index("year")
    out = counts.join(users[["users", "as_of", "period_label", "estimate", "source_id", "reliability"]], how="inner")
    out = out.join(totals[["bundled"]])
    out["metric"] = metric
    out["rate_per_million"] = (out["reports"].astype(float) / out["users"].astype(float) * 1_000_000)
    out = out.rename(columns={"source_id": "user_source_id", "reliability": "user_reliability"})
    return (out.join(totals[["reliability"]]).rename_axis("year").reset_index()
            [["year", "reports", "users", "metric", "as_of", "period_label", "estimate", "rate_per_million",
              "bundled", "reliability", "user_source_id", "user_reliability"]])



# One rate series per (platform shown, NCMEC platforms in the numerator, user-base platform, metric):
# the metric as its publisher names it. Rates in different metrics are never compared as like for like.
RATE_SPECS = [
    {"shown": "Meta, all apps", "company": "meta", "numerator": "meta", "users": "meta", "metric": "DAP",
     "named": "daily active people"},
    {"shown": "Facebook", "company": "meta", "numerator": ["facebook"], "users": "facebook", "metric": "MAU",
     "named": "monthly active users"},
    {"shown": "Snapchat", "company": "snap", "numerator": ["snapchat"], "users": "snapchat", "metric": "DAU",
     "named": "daily active users"},
    {"shown": "Roblox", "company": "roblox", "numerator": ["roblox"], "users": "roblox", "metric": "DAU",
     "named": "daily active users"},
    {"shown": "Reddit", "company": "reddit", "numerator": ["reddit"], "users": "reddit", "metric": "DAUq",
     "named": "daily active uniques"},
    {"shown": "X (Twitter)", "company": "x_corp", "numerator": ["x_twitter"], "users": "x_twitter", "metric": "mDAU",
     "named": "monetizable daily active users"},
    {"shown": "X (company claims)", "company": "x_corp", "numerator": ["x_twitter"], "users": "x_twitter",
     "metric": "DAU", "named": "daily active users (unaudited claims)"},
    {"shown": "TikTok", "company": "bytedance", "numerator": ["tiktok"], "users": "tiktok", "metric": "MAU",
     "named": "monthly active users (milestone)"},
    {"shown": "Discord", "company": "discord", "numerator": ["discord"], "users": "discord", "metric": "MAU",
     "named": "monthly active users (company statement)"},
    {"shown": "Pinterest", "company": "pinterest", "numerator": ["pinterest"], "users": "pinterest", "metric": "MAU",
     "named": "monthly active users"},
    {"shown": "Apple", "company": "apple", "numerator": ["apple"], "users": "apple",
     "metric": "installed_base_active_devices", "named": "active devices"},
    {"shown": "Dropbox", "company": "dropbox", "numerator": ["dropbox"], "users": "dropbox", "metric": "paying_users",
     "named": "paying users"},
]


METRIC_NAMES = {"DAP": "daily active people", "MAP": "monthly active people", "DAU": "daily active users",
                "MAU": "monthly active users", "mDAU": "monetizable daily active users",
                "DAUq": "daily active uniques", "logged_in_monthly_viewers": "logged-in monthly viewers",
                "registered_users": "registered users", "paying_users": "paying users", "users": "users",
                "daily_users": "daily users", "monthly_users": "monthly users",
                "installed_base_active_devices": "active devices"}


def _numerator(spec) -> list[str]:
    """The NCMEC platforms a rate counts: a list, or every platform of a parent company."""
    if isinstance(spec["numerator"], list):
        return spec["numerator"]
    platforms = data.load("platforms")
    return sorted(platforms.loc[platforms["parent_company"] == spec["numerator"], "platform_id"])


@data.cached
def rates() -> pd.DataFrame:
    """Every rate of :data:`RATE_SPECS` that has a same-year user figure, one row per platform and
    year. Columns as :func:`reports_per_million_users`, plus shown, company, metric_named, per
    ('per million <metric>')."""
    out = []
    for spec in RATE_SPECS:
        r = reports_per_million_users(_numerator(spec), spec["users"], spec["metric"])
        out.append(r.assign(shown=spec["shown"], company=spec["company"], metric_named=spec["named"]))
    out = pd.concat(out, ignore_index=True)
    out["per"] = "per million " + out["metric_named"].str.replace(r" \(.*\)$", "", regex=True)
    assert (out["rate_per_million"] > 0).all(), "a listed platform with a user figure has a positive rate"
    return out


def meta_apple_gap(year: int | None = None) -> dict:
    """Meta against Apple, stated both ways for one ``year`` (default: the latest year with a rate
    for both): reports (Meta's apps / Apple) and reports per million users (per daily active person
    / per active device). ``narrower`` is True where the per-user ratio is smaller than the report
    ratio, which happens exactly when Apple's denominator is smaller than Meta's."""
    r = rates()
    meta = r[r["shown"] == "Meta, all apps"].set_index("year")
    apple = r[r["shown"] == "Apple"].set_index("year")
    both = sorted(set(meta.index) & set(apple.index))
    assert both, "Meta and Apple need a user figure in a common year"
    year = int(both[-1] if year is None else year)
    report_ratio = float(meta.loc[year, "reports"] / apple.loc[year, "reports"])
    rate_ratio = float(meta.loc[year, "rate_per_million"] / apple.loc[year, "rate_per_million"])
    return {"year": year, "meta_reports": int(meta.loc[year, "reports"]), "apple_reports": int(apple.loc[year, "reports"]),
            "meta_users": int(meta.loc[year, "users"]), "apple_devices": int(apple.loc[year, "users"]),
            "meta_rate": float(meta.loc[year, "rate_per_million"]), "apple_rate": float(apple.loc[year, "rate_per_million"]),
            "report_ratio": report_ratio, "rate_ratio": rate_ratio, "narrower": rate_ratio < report_ratio,
            "orders": int(np.floor(np.log10(rate_ratio)))}


@data.cached
def large_reporter_rates(year: int, n: int = 10) -> pd.DataFrame:
    """The ``n`` companies that sent most reports in ``year`` (hotlines and other organisations
    excluded), each with its rates in that year, or why it has none: 'no user figure found' (none in
    the data), or the metrics and years of the figures that exist when none is dated in ``year``.
    Columns: company, company_name, reports, shown, metric_named, rate_per_million, user_year,
    estimate, user_reliability, status."""
    from .platforms import esp_shares  # platforms imports this module's functions lazily
    top = esp_shares("company").query("year == @year and category == 'company' and listed").head(n)
    r = rates()
    users = data.load("platform_user_bases")
    platforms = data.load("platforms")
    out = []
    for row in top.itertuples():
        mine = r[(r["company"] == row.unit_id) & (r["year"] == year)]
        if not mine.empty:
            for m in mine.itertuples():
                out.append({"company": row.unit_id, "company_name": row.unit_name, "reports": int(row.reports),
                            "shown": m.shown, "metric_named": m.metric_named, "rate_per_million": m.rate_per_million,
                            "user_year": int(m.as_of.year), "estimate": bool(m.estimate),
                            "user_reliability": m.user_reliability, "status": "rate"})
            continue
        owned = set(platforms.loc[platforms["parent_company"] == row.unit_id, "platform_id"]) | {row.unit_id}
        held = users[users["platform_id"].isin(owned)]
        if held.empty:
            status = "no user figure found"
        else:
            spans = held.groupby("metric")["as_of"].agg(lambda d: sorted({int(x.year) for x in d}))
            status = "user figures for other years only: " + "; ".join(
                f"{METRIC_NAMES.get(metric, metric)} ({', '.join(str(y) for y in years)})"
                for metric, years in spans.items())
        out.append({"company": row.unit_id, "company_name": row.unit_name, "reports": int(row.reports), "shown": pd.NA,
                    "metric_named": pd.NA, "rate_per_million": float("nan"), "user_year": pd.NA, "estimate": pd.NA,
                    "user_reliability": pd.NA, "status": status})
    return pd.DataFrame(out)


@data.cached
def never_listed() -> dict:
    """Services with a user figure that never appear in NCMEC's per-ESP rows (Meta the company and
    YouTube, which NCMEC's Google row may include, aside), and Telegram's latest user figure.
    Returns names (list) and telegram (the row, or None)."""
    users = data.load("platform_user_bases")
    listed = set(esp_reports_by_platform()["platform_id"])
    latest = users.sort_values("as_of").drop_duplicates("platform_id", keep="last")
    names = data.load("platforms").set_index("platform_id")["platform_name"]
    never = latest[~latest["platform_id"].isin(listed | {"meta", "youtube"})]
    telegram = latest[latest["platform_id"] == "telegram"]
    return {"names": [names[p] for p in never["platform_id"]], "telegram_listed": "telegram" in listed,
            "telegram": telegram.iloc[0] if len(telegram) else None}
