"""Encryption chapter: Meta's reports by app and the bounds on what bundling explains."""
from __future__ import annotations

import pandas as pd

from .. import data
from . import eu_gap, meta
from . import common
from .common import (esp_reports_by_platform, format_event_date, last_comparable_year, period_end, preferred,
                     yearly)
from .robustness import Check, Finding


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


def bounds_by_base_year(base_years=(2019, 2020, 2021, 2022, 2023), after: int | None = None) -> pd.DataFrame:
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
    """NCMEC's per-service rows summed by company, one row per (year, company). A service with no
    owner recorded counts as a company of its own (id ``esp:<platform_id>``, its service's name),
    as in the platforms chapter, so no row is dropped for lack of an owner.
    Columns: year, company, company_name, reports."""
    rows = esp_reports_by_platform()
    linked = rows["parent_company"].notna()
    rows = rows.assign(company=rows["parent_company"].where(linked, "esp:" + rows["platform_id"]),
                       company_name=rows["company_name"].where(linked, rows["platform_name"]))
    assert rows["company"].notna().all() and rows["company_name"].notna().all(), "every row has a company"
    out = rows.groupby(["year", "company", "company_name"], as_index=False)["reports"].sum()
    assert out["reports"].sum() == rows["reports"].sum(), "no row is dropped by the grouping"
    return out


def other_companies(before: int, after: int, largest=("bytedance", "snap"), min_reports: int = 100_000) -> pd.DataFrame:
    """Companies other than Meta across a break, company by company, on one basis: NCMEC's
    per-service rows, companies listed in both years (a company missing from a partial
    transcription is not read as a fall to zero). Companies with at least ``min_reports`` in either
    year get a row of their own; the rest are pooled. Two summary rows follow: all listed
    companies other than Meta, and the same without the ``largest`` risers.
    A service with no owner recorded is a company of its own (see :func:`company_reports`).
    Columns: company, before, after, change; ``attrs['companies']``: how many companies are compared."""
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
    out.attrs["companies"] = len(wide)
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


# --- key findings ------------------------------------------------------------------------------

def _m(x) -> str:
    return f"{x / 1e6:.1f} million"


def _meta_quarterly_finding() -> Finding:
    tips = meta.meta_cybertips()
    yoy = meta.same_quarter_changes(tips).dropna(subset=["change"])
    base_q = tips.index.min()                      # the first quarter Meta published: before the spike
    spike = tips[tips.index.year == base_q.year]
    later_same = tips[(tips.index.quarter == base_q.quarter) & (tips.index > base_q)]
    since = tips[tips.index >= base_q + pd.DateOffset(years=1, months=3)]
    basis = meta.cybertip_basis()
    basis = basis[basis["bundled"]].iloc[0]
    fb = meta.content_actioned()["facebook"].dropna()
    fb_yoy = meta.same_quarter_changes(fb).dropna(subset=["change"]).set_index("quarter")
    first_yoy = yoy.iloc[0]
    fb_first = fb_yoy.loc[first_yoy["quarter"]]
    # From the first quarter of Meta's lower level to the latest quarter of Facebook's own series
    # (which may run past Meta's CyberTip count).
    fb_since = fb_yoy[fb_yoy.index >= since.index[0]]
    assert len(fb_since), "Facebook's content actioned covers the quarters since the fall"
    # Placebo: the calendar year before Messenger's default encryption began (in its last month).
    placebo_year = first_yoy["quarter"].year - 1
    fb_placebo = fb_yoy[fb_yoy.index.year == placebo_year]
    assert len(fb_placebo), "Facebook's series has year-on-year changes before the roll-out"
    label = lambda q: f"Q{q.quarter} {q.year}"
    values = {
        "mq_base_label": label(base_q), "mq_base": int(tips[base_q]),
        "mq_first_yoy_label": first_yoy["label"], "mq_first_yoy": float(first_yoy["change"]),
        "mq_later_label": label(later_same.index[-1]), "mq_later_vs_base": float(later_same.iloc[-1] / tips[base_q] - 1),
        "mq_since_label": label(since.index[0]), "mq_since_max": int(since.max()), "mq_spike_min": int(spike.min()),
        "mq_spike_quarters": len(spike), "mq_spike_year": int(base_q.year),
        "mq_latest_label": label(tips.index[-1]), "mq_spike_max": int(spike.max()),
        "basis_year": int(basis["year"]), "basis_meta": int(basis["meta_quarters_sum"]),
        "basis_ncmec": int(basis["ncmec_fb_ig"]), "basis_gap": float(basis["gap"]),
        "fb_act_label": fb_first["label"], "fb_act": float(fb_first["value"]),
        "fb_act_earlier": float(fb_first["year_earlier"]), "fb_act_change": float(fb_first["change"]),
        "fb_since_falls": int((fb_since["change"] < 0).sum()), "fb_since_quarters": len(fb_since),
        "fb_since_min": float(fb_since["change"].min()), "fb_since_max": float(fb_since["change"].max()),
        "fb_since_last_label": fb_since["label"].iloc[-1],
        "fb_latest_label": fb_yoy["label"].iloc[-1], "fb_latest_change": float(fb_yoy["change"].iloc[-1]),
        "fb_placebo_year": int(placebo_year), "fb_placebo_falls": int((fb_placebo["change"] < 0).sum()),
        "fb_placebo_quarters": len(fb_placebo), "fb_placebo_min": float(fb_placebo["change"].min()),
        "fb_placebo_max": float(fb_placebo["change"].max()),
        "fb_swing": float(fb_yoy["change"].abs().max()),
    }
    yoy_text = "; ".join(f"{r.label} {r.change:+.0%}" for r in yoy.itertuples())
    fb_text = "; ".join(f"{r.label} {r.change:+.0%}" for r in fb_since.itertuples())
    placebo_text = "; ".join(f"{r.label} {r.change:+.0%}" for r in fb_placebo.itertuples())
    placebo_fails = values["fb_placebo_falls"] * 2 > values["fb_placebo_quarters"]
    values["fb_since_phrase"] = (f"lower than a year earlier in {values['fb_since_falls']} of {values['fb_since_quarters']} "
                                 f"quarters from {values['mq_since_label']} to {values['fb_since_last_label']}"
                                 + (f", but falls this size also happened in {placebo_year}, before the roll-out"
                                    if placebo_fails else f", unlike {placebo_year}, before the roll-out"))
    statement = (f"Meta's own count of CyberTips has been lower in every quarter since {values['mq_since_label']} than "
                 f"in any of the {values['mq_spike_quarters']} quarters of {base_q.year} found. The count is on NCMEC's "
                 f"bundled basis. Facebook's content actioned, which bundling cannot touch, was below a year earlier in "
                 f"{values['fb_since_falls']} of the {values['fb_since_quarters']} quarters from {values['mq_since_label']} "
                 f"to {values['fb_since_last_label']}"
                 + (f", but falls of this size also happened in {placebo_year}, before the roll-out."
                    if placebo_fails else "."))
    checks = (
        Check("same period a year earlier", f"each quarter against the same quarter a year earlier: {yoy_text}; "
              f"every quarter since {values['mq_since_label']} (at most {_m(since.max())}) is below every quarter "
              f"of {base_q.year} found (at least {_m(spike.min())})",
              bool((since < spike.min()).all())),
        Check("one outlier removed", f"against {label(base_q)}, before the spike of the next two quarters "
              f"(up to {_m(spike.max())}): {first_yoy['label']} {first_yoy['change']:+.0%}, "
              f"{values['mq_later_label']} {values['mq_later_vs_base']:+.0%}", bool(values["mq_later_vs_base"] < 0)),
        Check("change in counting", f"Meta's four quarters of {values['basis_year']} sum to {_m(values['basis_meta'])}, "
              f"{values['basis_gap']:+.1%} against NCMEC's bundled Facebook + Instagram count ({_m(values['basis_ncmec'])}): "
              "Meta counts after bundling, so its fall includes bundling and is not a fall in detection alone", False),
        Check("comparison group", f"Facebook's content actioned for child sexual exploitation (a count bundling cannot "
              f"touch), against the same quarter a year earlier, {values['mq_since_label']} to "
              f"{values['fb_since_last_label']}: {fb_text}",
              bool(values["fb_since_falls"] * 2 > values["fb_since_quarters"])),
        Check("placebo period", f"the same comparison in {placebo_year}, before the roll-out (which began in its last month): "
              f"{placebo_text}, below a year earlier in {values['fb_placebo_falls']} of {values['fb_placebo_quarters']} "
              f"quarters; year-on-year changes reach ±{values['fb_swing']:.0%} in the series",
              not placebo_fails),
    )
    return Finding("meta_quarterly", statement, values, checks)


def _bounds_finding() -> Finding:
    b = bounds_by_base_year()
    after = b.attrs["after"]
    by = b.set_index("base")
    yearly_rows = b.iloc[:-1]
    last = str(int(b["base_year"].max()))
    netted = b.iloc[-1]
    meta = meta_total_reports()
    grew = bool((meta.loc[yearly_rows["base_year"]].diff().dropna() > 0).all())
    positive = yearly_rows[yearly_rows["low"] > 0]
    negative = yearly_rows[yearly_rows["low"] <= 0]
    values = {"after_year": after, "ig_excess": b.attrs["instagram_excess"], "netted_low": float(netted["low"]),
              "netted_high": float(netted["high"]), "nb_first_base": int(yearly_rows["base_year"].min())}
    assert len(positive), "the spike year's base leaves a positive lower bound"
    values["nb_positive_from"] = int(positive["base_year"].min())
    if len(negative):
        values["nb_negative_to"] = int(negative["base_year"].max())
    for r in yearly_rows.itertuples():
        values[f"nb_low_{r.base}"], values[f"nb_high_{r.base}"] = float(r.low), float(r.high)
    values["nb_last_low"], values["nb_last_high"] = float(by.loc[last, "low"]), float(by.loc[last, "high"])
    values["nb_early_sentence"] = (
        f"From {values['nb_negative_to']} or earlier the lower bound is below zero: bundling alone could explain the fall."
        if len(negative) else f"From every base year tried, back to {values['nb_first_base']}, some of the fall is not bundling.")
    others = "; ".join(f"{r.base}: {_m(r.low)} to {_m(r.high)}" for r in yearly_rows.itertuples() if r.base != last)
    enticement = data.load("ncmec_enticement_sextortion")
    ent = enticement[enticement["measure"] == "online_enticement_reports"].groupby("year")["count"].max()
    values["ent_before"], values["ent_after"] = int(ent[after - 1]), int(ent[after])
    statement = (f"Measured from any base year from {values['nb_positive_from']} to {last}, part of Meta's fall into "
                 f"{after} is not explained by bundling: {_m(by.loc[last, 'low'])} to {_m(by.loc[last, 'high'])} from "
                 f"{last}, a spike year; about {_m(netted['low'])} at the least once Instagram's {last} excess is "
                 "netted out.")
    if len(negative):
        statement += (f" From {values['nb_negative_to']} or earlier the lower bound is below zero: bundling alone could "
                      "explain the fall" + (f", though Meta's reports grew every year from {values['nb_first_base']} to "
                                            f"{last}, so an early base understates it." if grew else "."))
    checks = (
        Check("another base year", others, bool(yearly_rows["low"].min() > 0)),
        Check("one outlier removed", f"Instagram's {last} excess over {int(last) - 1} ({_m(values['ig_excess'])}) netted "
              f"out: {_m(netted['low'])} to {_m(netted['high'])}", bool(netted["low"] > 0)),
        Check("change in counting", f"the REPORT Act added reports in {after} (online enticement "
              f"{values['ent_before']:,} → {values['ent_after']:,} across all companies), which if anything understates "
              "the fall not explained by bundling", True),
    )
    return Finding("bundling_bounds", statement, values, checks)


def _others_finding(before: int, after: int) -> Finding:
    table = other_companies(before, after)
    companies = table.attrs["companies"]
    table = table.set_index("key")
    esp_basis = other_companies_esp_total(before, after)
    big = table.drop(index=["rest", "all", "without_largest"])
    suspect = "esp:imgur"                          # a rise too large to take on trust from a transcription
    rest = table.loc["without_largest"]
    values = {"others_all": float(table.loc["all", "change"]), "others_without": float(rest["change"]),
              "others_esp_all": esp_basis["change_all"], "others_esp_without": esp_basis["change_without_largest"],
              "others_companies": int(companies),
              "bytedance_change": float(table.loc["bytedance", "change"]), "snap_change": float(table.loc["snap", "change"])}
    if suspect in table.index:
        s = table.loc[suspect]
        values |= {"imgur_before": int(s["before"]), "imgur_after": int(s["after"]),
                   "imgur_ratio": float(s["after"] / s["before"]),
                   "others_without_imgur": float((rest["after"] - s["after"]) / (rest["before"] - s["before"]) - 1)}
    flat = abs(values["others_without"]) < 0.05
    change = values["others_without"]
    rest_text = (f"about flat ({change:+.0%})" if flat else f"{'up' if change > 0 else 'down'} {abs(change):.0%}")
    values["others_without_text"] = rest_text
    statement = (f"Reports from companies other than Meta changed by {values['others_all']:+.0%} across the {after} break "
                 f"on NCMEC's per-service rows (the {values['others_companies']} companies listed in both years), carried by "
                 f"ByteDance (TikTok) and Snap; without those two, {rest_text}.")
    if "imgur_ratio" in values:
        statement += (f" Imgur's {after} figure, {values['imgur_ratio']:.1f} times its {before} one, may be a transcription "
                      f"error; without it the rest changed {values['others_without_imgur']:+.0%}.")
    statement += " Neither figure is a bound: bundling lowered and the REPORT Act raised these counts."
    checks = [
        Check("comparison group", "company by company: " + "; ".join(
            f"{r.company} {r.change:+.0%}" for r in big.itertuples()) + f"; without ByteDance and Snap "
            f"{values['others_without']:+.0%}", flat),
        Check("derived figure", f"on NCMEC's ESP total less Meta instead: {values['others_esp_all']:+.0%}, and "
              f"{values['others_esp_without']:+.0%} without ByteDance and Snap ({after} per-service rows are a partial "
              "transcription)", bool(flat and abs(values["others_esp_without"]) < 0.05)),
    ]
    if "imgur_ratio" in values:
        checks.append(Check("one outlier removed", f"Imgur ({values['imgur_before']:,} → {values['imgur_after']:,}, "
                            f"{values['imgur_ratio']:.1f} times) left out as well: {values['others_without_imgur']:+.0%}",
                            bool(abs(values["others_without_imgur"]) < 0.05)))
    return Finding("other_companies", statement, values, tuple(checks))


def _whatsapp_finding(before: int) -> Finding:
    wa = meta_reports_by_app()
    wa = wa[wa["platform_id"] == "whatsapp"].set_index("year")["reports"]
    old = wa[wa.index <= before]
    values = {"wa_min": int(wa.min()), "wa_max": int(wa.max()), "wa_first": int(wa.index.min()),
              "wa_last": int(wa.index.max()), "wa_old_min": int(old.min()), "wa_old_max": int(old.max())}
    statement = (f"WhatsApp, encrypted by default throughout, filed {_m(values['wa_min'])} to {_m(values['wa_max'])} "
                 "reports a year: much is detected without reading messages. It does not show how much reading them "
                 "would add.")
    checks = (
        Check("change in counting", f"unbundled years only ({values['wa_first']}–{before}): {_m(values['wa_old_min'])} "
              f"to {_m(values['wa_old_max'])} a year", bool(values["wa_old_min"] > 0)),
        Check("dependence on scanning", f"NCMEC lists WhatsApp apart only from {values['wa_first']}, years after its "
              "encryption: there is no unencrypted WhatsApp to compare with", True),
    )
    return Finding("whatsapp", statement, values, checks)


def informational_placebo(before: int) -> pd.DataFrame:
    """The informational share of what NCMEC made available to police, year on year, in the years
    before the bundling break (up to ``before``): how far it moves without bundling. Columns
    (index: the later year): actionable_change, informational_change, share_change (points, as a
    share)."""
    split = informational_split()
    old = split[split.index <= before]
    assert len(old) >= 2, "at least two unbundled years to compare"
    out = pd.DataFrame({"actionable_change": old["actionable"].pct_change(),
                        "informational_change": old["informational"].pct_change(),
                        "share_change": old["informational_share"].diff()}).dropna()
    return out


def _informational_finding(before: int, after: int) -> Finding | None:
    test = informational_test(before, after)
    if test is None:
        return None
    values = {f"info_{k}": v for k, v in test.items() if k != "reliability_after"}
    split = informational_split()
    placebo = informational_placebo(before)
    biggest = placebo["share_change"].abs().idxmax()
    break_move = test["share_after"] - test["share_before"]
    values |= {"info_share_move": float(break_move), "info_placebo_max_move": float(placebo["share_change"].abs().max()),
               "info_placebo_year": int(biggest), "info_placebo_info_change": float(placebo.loc[biggest, "informational_change"]),
               "info_placebo_act_change": float(placebo.loc[biggest, "actionable_change"])}
    mostly_info = test["informational_change"] < test["actionable_change"] - 0.2
    # The break stands out only if its move in the share is well beyond what years without bundling show.
    stands_out = abs(break_move) > 2 * values["info_placebo_max_move"]
    statement = (f"Across the {after} break, reports NCMEC made available to police as informational changed "
                 f"{test['informational_change']:+.0%} and actionable ones {test['actionable_change']:+.0%}"
                 + (": consistent with bundling having merged mostly informational reports, but a change in how NCMEC "
                    "classed reports would look the same" if mostly_info else ": the fall was not mostly in informational reports")
                 + ("." if stands_out else
                    f"; and the informational share moved {values['info_placebo_max_move'] * 100:.0f} points in a year "
                    "without bundling too."))
    shares = ", ".join(f"{y}: {r:.1%}" for y, r in split["informational_share"].items() if y <= after)
    placebo_text = "; ".join(f"{y - 1}→{y}: informational {r.informational_change:+.0%}, actionable "
                             f"{r.actionable_change:+.0%}, share {r.share_change * 100:+.0f} points"
                             for y, r in placebo.iterrows())
    checks = (
        Check("change in counting", f"informational share {shares} ({test['reliability_after']} source for {after}; sums "
              "over recipients, one report can go to several); the split is by recipient, not by company, and cannot "
              "separate bundling from a change in how NCMEC classed reports", False),
        Check("placebo period", f"year on year without bundling: {placebo_text}; at the break the share moved "
              f"{break_move * 100:+.0f} points", bool(stands_out)),
    )
    return Finding("informational", statement, values, checks)


@data.cached
def key_findings() -> list[Finding]:
    """The encryption chapter's key findings, in the order the chapter gives them, each with the
    objections tried. Each computation reads the latest year of its own table, so a year that
    reaches one table first does not break the others."""
    before = last_comparable_year()
    totals = yearly("total_reports")
    after = int(totals.loc[totals["bundled"], "year"].min())
    findings = [_meta_quarterly_finding(), _bounds_finding(), _others_finding(before, after),
                _informational_finding(before, after), _whatsapp_finding(before), eu_gap.finding()]
    return [f for f in findings if f is not None]



def prose_values(findings: list[Finding]) -> dict:
    """The numbers the chapter's prose quotes beyond each finding's own values: the years either
    side of the break, dates from the timeline, and millions or percentage points derived from the
    findings (the same objects the robustness table shows)."""
    found = {f.key: f.values for f in findings}
    values = {k: v for f in findings for k, v in f.values.items()}
    events = common.timeline_events().set_index("event_id")
    meta_reports = meta_total_reports()
    last_old = last_comparable_year()
    out = {"last_old": last_old, "first_new": last_old + 1, "last_year": int(meta_reports.index.max()),
           "meta_fall_pct": 1 - meta_reports[last_old + 1] / meta_reports[last_old]}
    out.update({name: events.loc[event, "when"] for name, event in {
        "gap_start": "eu-eecc-applies-gap-starts", "gap_end": "eu-derogation-applies-gap-ends",
        "messenger_e2ee": "messenger-default-e2ee", "wa_e2ee": "whatsapp-e2ee-complete"}.items()})
    bounds = found.get("bundling_bounds", {})
    out.update({f"{k}_m": bounds[k] / 1e6 for k in bounds
                if k.startswith(("nb_low_", "nb_high_", "nb_last_")) or k in ("ig_excess", "netted_high", "netted_low")})
    if "meta_quarterly" in found:
        out["basis_gap_abs"] = abs(found["meta_quarterly"]["basis_gap"])
    if "informational" in found:
        info = found["informational"]
        out.update({"info_placebo_max_move_pts": info["info_placebo_max_move"] * 100,
                    "info_share_move_pts": abs(info["info_share_move"]) * 100,
                    "info_placebo_prev": info["info_placebo_year"] - 1})
    out.update({f"{k}_m": values[k] / 1e6 for k in ("mq_base", "mq_since_max", "mq_spike_min", "mq_spike_max", "basis_meta",
                                                    "basis_ncmec", "fb_act", "fb_act_earlier", "wa_min", "wa_max",
                                                    "wa_old_min", "wa_old_max") if k in values})
    return out

# --- the chapter's tables of quotations and forecasts ------------------------------------------

@data.cached
def statements() -> pd.DataFrame:
    """The parties' statements on default encryption, with a readable date ('undated' where the
    source gives none) and quotations reaching us through a secondary source marked."""
    rows = data.load("e2ee_statements").join(data.sources()["reliability"], on="source_id")
    rows["when"] = [format_event_date(d, p) if pd.notna(d) else "undated" for d, p in zip(rows["said"], rows["said_precision"])]
    rows["quote"] = [q + (" (quoted in a secondary source)" if r == "secondary" else "")
                     for q, r in zip(rows["quote"], rows["reliability"])]
    return rows


def _forecast_text(row) -> str:
    q = (row["qualifier"] + " ") if pd.notna(row["qualifier"]) else ""
    if pd.notna(row["share_lost_pct"]):
        return "more than half lost" if q == "more than " else f"{q}{int(row['share_lost_pct'])}% lost"
    return f"{q}{row['reports_lost'] / 1e6:.0f} million reports undetected"


def forecast_table() -> pd.DataFrame:
    """The published forecasts of reports lost to default encryption, each with what the counts
    did over the nearest comparable span (outcome), in the order they were made."""
    before = last_comparable_year()
    after = before + 1
    totals = yearly("total_reports").set_index("year")["count"]
    incidents = yearly("incidents").set_index("year")["count"]
    meta = meta_total_reports()
    by_app = meta_reports_by_app().pivot(index="year", columns="platform_id", values="reports")
    b = bounds_by_base_year().set_index("base_year")
    all_change = totals[after] / totals[before] - 1
    inc_change = incidents[after] / totals[before] - 1
    app_change = lambda app: by_app.loc[after, app] / by_app.loc[before, app] - 1
    ranges = (f"{b.loc[before, 'low'].iloc[0] / 1e6:.1f}–{b.loc[before, 'high'].iloc[0] / 1e6:.1f} million not explained by "
              f"bundling from {before}, at least {b['low'].iloc[-1] / 1e6:.1f} million with Instagram's spike netted out"
              + (f"; from a {int(b.index[b['low'] < 0].max())} base or earlier bundling alone could explain the fall"
                 if (b["low"] < 0).any() else ""))
    latest = int(totals.index.max())
    outcomes = {
        "eu-strategy-2020-more-than-half": f"all reports {all_change:+.0%} {before}→{after} (bundled); incidents {inc_change:+.0%}.",
        "ncmec-ojjdp-cy2022-up-to-80": f"all reports {all_change:+.0%} {before}→{after} (bundled); incidents {inc_change:+.0%}.",
        "ncmec-ojjdp-cy2023-up-to-80": f"as above; {latest} reports {totals[latest] / totals[after] - 1:+.0%} on {after}.",
        "nca-2023-messenger-92": (f"not measurable: NCMEC lists no Messenger row. Facebook (which includes Messenger) "
                                  f"{app_change('facebook'):+.0%} {before}→{after} worldwide (bundled)."),
        "nca-2023-instagram-85": (f"Instagram {app_change('instagram'):+.0%} {before}→{after} (bundled), on a service not "
                                  "encrypted by default, from a spike year."),
        "iwf-2023-at-least-21-million": f"Meta's reports {(meta[before] - meta[after]) / 1e6:.1f} million fewer {before}→{after} (bundled); {ranges}.",
        "c3p-ncmec-2023-70": f"Meta's reports {meta[after] / meta[before] - 1:+.0%} {before}→{after} (bundled); {ranges}.",
    }
    rows = data.load("e2ee_forecasts").join(data.sources()["reliability"], on="source_id")
    rows = rows.assign(
        when=[format_event_date(d, p) for d, p in zip(rows["made"], rows["made_precision"])],
        forecast=rows.apply(_forecast_text, axis=1), outcome=rows["forecast_id"].map(outcomes),
        order=[period_end(d, p) for d, p in zip(rows["made"], rows["made_precision"])],
        all_change=all_change, incident_change=inc_change)
    rows["forecaster"] = [f + (" (as quoted in a secondary source)" if r == "secondary" else "")
                          for f, r in zip(rows["forecaster"], rows["reliability"])]
    return rows.sort_values("order", kind="stable").reset_index(drop=True)
