"""Self-generated chapter: the IWF's "self-generated" composition, capacity, age, sex and severity, its
sextortion, Report Remove and AI series, and the chapter's key findings (``key_findings``).

NCMEC's enticement and sextortion series are in :mod:`.enticement`; police records, surveys and
prevalence studies in :mod:`.uk_series`."""
from __future__ import annotations

import pandas as pd

from .. import data
from .common import RELIABILITY_RANK, citable, preferred
from .enticement import (enticement_among_reports, report_act_test, sextortion_halves, sextortion_wording,
                         uk_enticement_referrals)
from .robustness import Check, Finding
from .uk_series import (THORN_BREAKS, detection_tools, like_for_like_changes, ons_sexual_messages, prevalence,
                        repeated_prevalence_measures, thorn_waves, uk_reports_beside_police)


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
    share_published (percent, as the IWF states it; NA where not found), share_computed
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


@data.cached
def self_generated_by_age(years: range = range(2019, 2025)) -> pd.DataFrame:
    """Full-year IWF "self-generated" webpages by age of the youngest child, one row per age band
    and year (NA where the cell was not found). Age bands: 7–10, 11–13 (all sexes),
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
def share_2022_implied() -> dict | None:
    """The 2022 "self-generated" share the IWF's 2023 report implies: the 2023 share it publishes
    minus the rise in percentage points it gives (``self_generated_share_rise_pp``), beside the
    share computed from the 2022 counts. None where the published rise is not in data/."""
    rows = iwf_rows()
    rise = rows[rows["measure"] == "self_generated_share_rise_pp"]
    if rise.empty:
        return None
    rise = rise.iloc[0]
    comp = self_generated_composition().set_index("year")
    year = int(rise["year"])
    published = comp.loc[year, "share_published"]
    return {"year": year - 1, "rise_pp": float(rise["share_pct"]), "implied": (published - rise["share_pct"]) / 100,
            "computed": float(comp.loc[year - 1, "share_computed"]), "source_id": rise["source_id"]}


@data.cached
def capacity_context() -> dict:
    """What the IWF says about how it finds what it actions: the share of January–November 2014
    actioned webpages found by its own searching, the share of a later year's actioned reports that
    came from the public, Report Remove reports actioned by year, and the actioned share of
    assessed reports in its first and last years."""
    rows = iwf_rows()
    cap = iwf_capacity().dropna(subset=["assessed"]).set_index("year")
    both = cap.dropna(subset=["actioned"])
    proactive = rows[rows["measure"] == "reports_actioned_proactive_jan_nov"].iloc[0]
    public = rows[rows["measure"] == "reports_actioned_from_public"].iloc[0]
    rr = rows[(rows["measure"] == "report_remove_reports_actioned") & (rows["age_group"] == "all")]
    rr = preferred(rr, ["year"])
    assert (cap["assessed"] > 0).all()
    return {
        "first_year": int(cap.index.min()), "last_year": int(cap.index.max()),
        "growth": float(cap["assessed"].iloc[-1] / cap["assessed"].iloc[0]),
        "growth_from_2014": float(cap["assessed"].iloc[-1] / cap.loc[2014, "assessed"]) if 2014 in cap.index else None,
        "share_first_year": int(both.index.min()), "share_first": float(both["actioned_share"].iloc[0]),
        "share_last": float(both["actioned_share"].iloc[-1]),
        "proactive_2014_share": proactive["share_pct"] / 100,
        "public_share": public["share_pct"] / 100, "public_year": int(public["year"]),
        "report_remove": rr[["year", "count", "reliability", "source_ids"]].reset_index(drop=True),
    }


@data.cached
def iwf_sextortion() -> pd.DataFrame:
    """IWF sextortion reports: confirmed (actioned) for full years, 'dealt with' for half-years.
    Columns: period, year, measure, count, half (bool), source_ids."""
    rows = iwf_rows()
    rows = rows[(rows["age_group"] == "all") & (rows["sex"] == "all")
                & rows["measure"].isin(["sextortion_reports_actioned", "sextortion_reports_dealt_with_h1"])]
    rows = preferred(rows, ["year", "measure"])
    rows["half"] = rows["measure"].str.endswith("_h1")
    rows["period"] = [f"Jan–Jun {y}" if h else str(y) for y, h in zip(rows["year"], rows["half"])]
    return rows[["period", "year", "measure", "count", "half", "source_ids"]].reset_index(drop=True)


@data.cached
def severity() -> pd.DataFrame:
    """The most severe imagery (Category A) in the IWF's webpage series, as a share: of all
    actioned webpages by year (published, or computed from the count over the year's actioned
    webpages where only a count exists), of boys-only and girls-only webpages, and of
    "self-generated" webpages. Columns: series, year, share (0–1), basis, source_ids."""
    rows = iwf_rows()
    actioned = self_generated_composition().set_index("year")["actioned"]
    records = []
    cat_a = rows[(rows["measure"] == "reports_actioned_category_a") & (rows["age_group"] == "all")]
    for (sex, year), group in cat_a.groupby(["sex", "year"]):
        published = group.dropna(subset=["share_pct"])
        label = {"all": "all actioned webpages", "boys_only": "boys only", "girls_only": "girls only"}[sex]
        if not published.empty:
            r = published.iloc[0]
            records.append(dict(series=label, year=int(year), share=r["share_pct"] / 100, basis="published",
                                source_ids=(r["source_id"],)))
        elif sex == "all" and year in actioned.index:
            r = group.dropna(subset=["count"]).iloc[0]
            records.append(dict(series=label, year=int(year), share=r["count"] / actioned[year],
                                basis="computed from counts", source_ids=(r["source_id"],)))
    sg = rows[(rows["measure"] == "self_generated_reports_category_a") & rows["share_pct"].notna()]
    for r in sg.itertuples():
        label = '"self-generated" webpages' + ("" if r.age_group == "all" else f", ages {r.age_group.replace('-', '–')}")
        records.append(dict(series=label, year=int(r.year), share=r.share_pct / 100, basis="published",
                            source_ids=(r.source_id,)))
    frame = pd.DataFrame.from_records(records, columns=["series", "year", "share", "basis", "source_ids"])
    assert frame["share"].between(0, 1).all()
    return frame.sort_values(["series", "year"]).reset_index(drop=True)


@data.cached
def boys_only() -> pd.DataFrame:
    """Actioned webpages showing boys only, by year (year, count, source_ids): all actioned
    webpages, not only "self-generated" ones."""
    rows = iwf_rows()
    rows = rows[(rows["measure"] == "reports_actioned") & (rows["age_group"] == "all") & (rows["sex"] == "boys_only")]
    return preferred(rows, ["year"])[["year", "count", "source_ids"]].reset_index(drop=True)


@data.cached
def ai_reports() -> pd.DataFrame:
    """IWF reports with AI-generated CSAM by year (year, count, reliability, source_ids)."""
    rows = iwf_rows()
    return preferred(rows[rows["measure"] == "ai_csam_reports_actioned"], ["year"])[
        ["year", "count", "reliability", "source_ids"]].reset_index(drop=True)


# --- key findings ---------------------------------------------------------------------------------

def _pct(x: float) -> str:
    return f"{x:.0%}"


def _n(x) -> str:
    return f"{int(x):,}"


def _share_finding() -> Finding:
    comp = self_generated_composition()
    tagged = comp.dropna(subset=["self_generated"]).set_index("year")
    first, last = tagged.iloc[0], tagged.iloc[-1]
    y0, y1 = int(tagged.index[0]), int(tagged.index[-1])
    fell = last["not_self_generated"] < first["not_self_generated"]
    published = tagged.dropna(subset=["share_published"])
    gap = float((published["share_computed"] * 100 - published["share_published"]).abs().max())
    later = tagged.index[tagged.index > y0 + 1]
    base = int(later[0]) if len(later) else y0
    rest_from_base = tagged.loc[base, "not_self_generated"]
    before_last = tagged.iloc[-2]
    context = capacity_context()
    values = {"sg_first_year": y0, "sg_last_year": y1, "sg_first_count": _n(first["self_generated"]),
              "sg_last_count": _n(last["self_generated"]), "nsg_first_count": _n(first["not_self_generated"]),
              "nsg_last_count": _n(last["not_self_generated"]), "sg_first_share": float(first["share_computed"]),
              "sg_last_share": float(last["share_computed"]),
              "sg_count_multiple": float(last["self_generated"] / first["self_generated"])}
    checks = (
        Check("denominator", f"share = self-generated ÷ all actioned webpages; the rest went from "
              f"{_n(first['not_self_generated'])} to {_n(last['not_self_generated'])}; computed shares are within "
              f"{gap:.1f} points of the IWF's published ones", bool(fell and gap <= 1)),
        Check("another base year", f"from {base} instead of {y0}: the rest went from {_n(rest_from_base)} to "
              f"{_n(last['not_self_generated'])}", bool(last["not_self_generated"] < rest_from_base)),
        Check("one outlier removed", f"ending in {int(tagged.index[-2])} instead of {y1}: the rest went from "
              f"{_n(first['not_self_generated'])} to {_n(before_last['not_self_generated'])}",
              bool(before_last["not_self_generated"] < first["not_self_generated"])),
        Check("dependence on scanning", f"in {context['public_year']} only {_pct(context['public_share'])} of what the "
              "IWF actioned came from the public: the counts measure what the IWF searches for and is sent, so the "
              "finding is about its webpages, not about how much abuse there is", True),
        Check("method change", f"the webpage split stops at {y1}; the IWF's 2024 detail is an image-level dataset, "
              "which cannot be joined to webpages, so no later year is added", True),
    )
    return Finding("share", f"The IWF's \"self-generated\" share rose from {_pct(first['share_computed'])} ({y0}) to "
                   f"{_pct(last['share_computed'])} ({y1}) partly because the other webpages fell.", values, checks)


def _capacity_finding() -> Finding:
    c = capacity_context()
    values = {"cap_first_year": c["first_year"], "cap_last_year": c["last_year"], "cap_growth": f"{c['growth']:.0f}",
              "cap_growth_2014": f"{c['growth_from_2014']:.0f}"}
    checks = (
        Check("another base year", f"from 2014, the first year of proactive searching, assessed reports still grew "
              f"{c['growth_from_2014']:.1f} times to {c['last_year']}", c["growth_from_2014"] > 2),
        Check("change in counting", f"the actioned share of assessed reports went from {_pct(c['share_first'])} "
              f"({c['share_first_year']}) to {_pct(c['share_last'])} ({c['last_year']}): what is assessed changed too, "
              "so the growth is in the IWF's workload, not a measure of abuse", True),
    )
    return Finding("capacity", f"The IWF assessed about {c['growth']:.0f} times as many reports in {c['last_year']} "
                   f"as in {c['first_year']}.", values, checks)


def _report_act_finding() -> Finding:
    act = report_act_test()
    among = enticement_among_reports().dropna(subset=["enticement"])
    unbundled = among[~among["bundled"]]
    senate = act["senate"]
    values = {"act_h1_vs_2023": f"{act['h1_2024_vs_2023']:.1f}", "act_days_after": act["days_after_signing_in_h1"],
              "act_growth_2023": f"{act['growth_2023']:.1f}", "act_senate_month": f"{senate:%B %Y}",
              "act_h2_vs_h1": act["h2_vs_h1_2024"] - 1, "act_year": act["signed"].year,
              "act_prev_year": act["signed"].year - 1}
    checks = (
        Check("same period a year earlier", f"2023, before the Senate vote: {_n(act['full_2023'])} reports, "
              f"{act['growth_2023']:.1f} times 2022; the rise began before the Act", act["growth_2023"] > 1),
        Check("another start date", f"taking the Senate vote ({senate.day} {senate:%B %Y}) as the start instead of the "
              f"signing, all {act['days_after_senate_in_h1']} days of January–June 2024 come after it: the figures "
              "cannot rule out providers adapting early, only the signing itself",
              act["days_after_senate_in_h1"] > act["days_after_signing_in_h1"]),
        Check("derived figure", f"July–December 2024 ({_n(act['h2_2024'])}, {act['h2_vs_h1_2024'] - 1:+.0%} on the first "
              "half) is a transcribed, bundled full year minus a first half from a later NCMEC post, of different "
              "vintage and counting basis: shown, not relied on", True),
        Check("change in counting", "NCMEC bundles related reports from 2024; bundling can only lower a count, so a "
              "bundled January–June 2024 would understate the jump", True),
        Check("denominator", f"per 1,000 CyberTipline reports, enticement went from "
              f"{unbundled['per_thousand'].iloc[0]:.1f} ({int(unbundled['year'].iloc[0])}) to "
              f"{unbundled['per_thousand'].iloc[-1]:.1f} ({int(unbundled['year'].iloc[-1])}): not only more reporting "
              "overall", bool(unbundled["per_thousand"].iloc[-1] > unbundled["per_thousand"].iloc[0])),
    )
    uk = uk_enticement_referrals()
    if uk is not None:
        # a jump like January–June 2024's: that half was this many times 2023's half-year pace
        pace = 2 * act["h1_2024_vs_2023"]
        values.update(uk_ent_h1=_n(uk["h1"]), uk_ent_h2=_n(uk["h2"]), uk_ent_change=uk["change"])
        checks = checks + (Check("comparison group", f"NCMEC's enticement referrals to the UK, one source and one "
                                 f"counting basis for both halves: {_n(uk['h1'])} (January–June 2024) and {_n(uk['h2'])} "
                                 f"(July–December), {uk['change']:+.0%}, rounded by NCMEC; no jump after the signing like "
                                 f"the {pace:.1f}-fold pace of January–June 2024 over 2023's half-year average",
                                 uk["h2"] / uk["h1"] < pace),)
    return Finding("report_act", f"Enticement reports in January–June 2024 were already {act['h1_2024_vs_2023']:.1f} "
                   "times all of 2023, so the REPORT Act's signing alone cannot explain the rise; early adaptation "
                   "after the Senate vote cannot be ruled out.", values, checks)


def _sextortion_finding() -> Finding:
    s = sextortion_halves()
    y0, y1, y2 = s["first_year"], s["last_full_year"], s["next_year"]
    # The chapter glues the years and counts every data state has, and words computed for the state
    # the data is in (sextortion_wording); a half-year's own figures appear only inside those words.
    values = {"fs_first_year": y0, "fs_last_full_year": y1, "fs_first": _n(s["full_first"]),
              "fs_last": _n(s["full_last"]), **sextortion_wording(s)}
    checks = [Check("change in counting", f"financial sextortion is a category NCMEC published separately only from "
                    f"{y0}; no earlier year can be compared", True)]
    statement = (f"NCMEC's financial sextortion reports {values['fs_verb']} from {_n(s['full_first'])} ({y0}) to "
                 f"{_n(s['full_last'])} ({y1})." + values["fs_statement_tail"])
    if s["h1_next"] is not None:
        below = s["h1_next_doubled"] < s["full_last"]
        values.update(fs_h1_next_below=bool(below), fs_h1_next_side="below" if below else "above")
        same = s["h1_same_before"]
        if same is None:  # with the same months a year earlier known, no doubling is needed
            checks.append(Check(
                "derived figure", f"January–June {y2} doubled is {_n(s['h1_next_doubled'])}, "
                f"{'below' if below else 'above'} all of {y1} ({_n(s['full_last'])}); doubling assumes {y1} was evenly "
                f"spread over the year, and a January–June {y1} figure was not found, so a rise on the same half of "
                f"{y1} cannot be ruled out", bool(below)))
            checks.append(Check(
                "same period a year earlier", f"January–June {y1} was not found, so January–June {y2} cannot be set "
                f"beside the same months a year earlier", False))
        if s["h1_next_bundled"] and not s["last_full_bundled"]:
            checks.append(Check(
                "change in counting", f"January–June {y2} is counted after NCMEC began bundling related reports, which "
                f"can only lower a count: the comparison with the unbundled {y1} leans towards finding no rise; an "
                f"unbundled January–June {y2} count was not found", False))
    if s["latest_h1_vs_prior"] is not None and s["latest_h1_year"] != y2:  # y2's own pair is the statement's
        latest = s["latest_h1_year"]
        change = s["latest_h1_vs_prior"] - 1
        both_bundled = s["bundled_from"] is not None and latest - 1 >= s["bundled_from"]
        checks.append(Check(
            "same period a year earlier", f"the latest pair of the same months{', both after bundling' if both_bundled else ''}: "
            f"January–June {latest} ({_n(s['latest_h1'])}) was {change:+.0%} on January–June {latest - 1} "
            f"({_n(s['prior_h1'])}): the reports {'kept rising' if change > 0 else 'fell'} into {latest}", bool(change > 0)))
    return Finding("sextortion", statement, values, tuple(checks))


def _police_finding() -> Finding:
    beside = uk_reports_beside_police().dropna(subset=["ncmec_uk_reports"]).set_index("year")
    changes = like_for_like_changes()
    changes = changes[changes["comparison"].str.startswith("forces that supplied")]  # like-for-like only
    period = changes["period"].max()
    latest = changes[changes["period"] == period]
    long_base = latest["base_period"].min()
    short_base = latest[latest["offence"] == "child_abuse_image"]["base_period"].max()
    lfl = latest.set_index(["offence", "base_period"])["change"]
    image = lfl.get(("child_abuse_image", long_base))
    image_short = lfl.get(("child_abuse_image", short_base))
    scwc = lfl.get(("sexual_communication_with_a_child", long_base))
    assert image is not None and scwc is not None, "like-for-like changes for both offences on one base"
    tools = detection_tools()
    y0, peak = int(beside.index[0]), int(beside["ncmec_uk_reports"].astype(float).idxmax())
    y1 = int(beside.index[-1])
    ncmec_multiple = beside.loc[peak, "ncmec_uk_reports"] / beside.loc[y0, "ncmec_uk_reports"]
    ncmec_change_last = beside.loc[y1, "ncmec_uk_reports"] / beside.loc[peak, "ncmec_uk_reports"] - 1 if y1 > peak else 0.0
    values = {"police_image_lfl": float(image), "police_scwc_lfl": float(scwc), "police_image_lfl_short": float(image_short),
              "lfl_period": period, "lfl_base": long_base, "lfl_short_base": short_base,
              "uk_first_year": y0, "uk_peak_year": peak, "uk_last_year": y1,
              "uk_first": _n(beside.loc[y0, "ncmec_uk_reports"]),
              "uk_peak": _n(beside.loc[peak, "ncmec_uk_reports"]), "uk_last": _n(beside.loc[y1, "ncmec_uk_reports"]),
              "uk_multiple": f"{ncmec_multiple:.1f}", "tools_hash": tools["hash_matching"],
              "tools_grooming": tools["grooming_detection"], "uk_change_last": float(ncmec_change_last)}
    checks = (
        Check("dependence on scanning", f"image offences are fed partly by platform reports that reach police through "
              f"NCMEC and the NCA. NCMEC's UK reports went from {values['uk_first']} ({y0}) to {values['uk_peak']} "
              f"({peak}), then {ncmec_change_last:+.0%} ({y1}), by calendar year; police years run April to March, and "
              f"police totals come from different forces and sources, so they are not set against NCMEC's year by year. "
              f"Like-for-like, image offences changed {image_short:+.0%} in {period} on {short_base} and {image:+.0%} on "
              f"{long_base}", True),
        Check("comparison group", f"sexual communication with a child, which platforms detect far less "
              f"({_pct(tools['grooming_detection'])} of surveyed companies used grooming detection, "
              f"{_pct(tools['hash_matching'])} image hash-matching), changed {scwc:+.0%} like-for-like from {long_base} to "
              f"{period}, image offences {image:+.0%}", bool(scwc > 0)),
        Check("change in counting", "forces answering differ by year, coverage moves from England and Wales to the "
              "UK, and the one Home Office figure covers England and Wales only: only the NSPCC's like-for-like "
              "changes are compared, never the totals", True),
    )
    return Finding("police", f"UK police records of sexual communication with a child changed {scwc:+.0%} and of image "
                   f"offences {image:+.0%} (like-for-like, {long_base} to {period}); the grooming offence depends least "
                   "on platform scanning.", values, checks)


def _survey_finding() -> Finding:
    thorn = thorn_waves()
    ons = ons_sexual_messages()
    comp = self_generated_composition().dropna(subset=["self_generated"]).set_index("year")
    same = thorn[thorn["wave"].isin(comp.index)]
    before_break = thorn[~thorn["wave"].isin(THORN_BREAKS)]
    lo, hi = float(thorn["share"].min()), float(thorn["share"].max())
    w0, w1 = int(before_break["wave"].iloc[0]), int(before_break["wave"].iloc[-1])
    thorn_multiple = before_break["share"].iloc[-1] / before_break["share"].iloc[0]
    iwf_multiple = comp.loc[w1, "self_generated"] / comp.loc[w0, "self_generated"]
    values = {"thorn_low": lo / 100, "thorn_high": hi / 100, "thorn_waves": len(thorn),
              "ons_first": ons["as_published"].iloc[0], "ons_last": ons["as_published"].iloc[-1],
              "thorn_multiple": f"{thorn_multiple:.1f}", "iwf_multiple": f"{iwf_multiple:.1f}",
              "survey_w0": w0, "survey_w1": w1, "ons_w0": ons["wave"].iloc[0], "ons_w1": ons["wave"].iloc[-1]}
    first_shares = same.set_index("wave")["share"]
    checks = (
        Check("method change", f"leaving out the 2022 wave (a possible break), Thorn's share went {thorn_multiple:.1f} "
              f"times from {w0} to {w1}, the IWF's \"self-generated\" count {iwf_multiple:.1f} times",
              bool(iwf_multiple > 2 * thorn_multiple)),
        Check("another base year", f"from {int(first_shares.index[0])} Thorn's share rose, from its "
              f"{int(first_shares.astype(float).idxmax())} peak it fell: the surveys show no steady direction", True),
        Check("comparison group", f"the ONS survey of 13- to 15-year-olds in England and Wales: {ons['as_published'].iloc[0]} "
              f"({ons['wave'].iloc[0]}) and {ons['as_published'].iloc[-1]} ({ons['wave'].iloc[-1]}), a difference the "
              "ONS reports as not significant", True),
    )
    return Finding("surveys", f"Surveys repeated over the same years ({len(thorn)} Thorn waves, {len(ons)} ONS waves) "
                   "show nothing like the multiple by which the hotline counts rose.", values, checks)


def _prevalence_finding() -> Finding | None:
    studies = prevalence()
    if studies is None:
        return None
    thorn, ons = thorn_waves(), ons_sexual_messages()
    n_studies = studies["study_id"].nunique()
    repeated = repeated_prevalence_measures(studies)
    values = {"prev_studies": n_studies, "prev_measures": len(studies), "prev_repeated": repeated}
    checks = (
        Check("method change", f"{repeated} of the {len(studies)} measures in the {n_studies} prevalence studies were "
              "taken more than once: each gives one level, for one population, with its own definition and recall "
              "period, and levels from different studies cannot be chained into a trend", repeated == 0),
        Check("comparison group", f"the only repeated measures are Thorn's ({len(thorn)} waves, with a possible break) and "
              f"the ONS's ({len(ons)} waves, no significant change): too few and too different to divide the counts' "
              "rise between more harm and more looking", True),
    )
    return Finding("prevalence", "The public evidence cannot say how much of the rise is more harm rather than more "
                   "looking: no prevalence measure is repeated, on one definition, over the years the counts rose.",
                   values, checks)


@data.cached
def key_findings() -> list[Finding]:
    """The chapter's key findings, each with its computed checks (see :mod:`.robustness`), in the
    order the chapter states them. The introduction glues from the same objects."""
    findings = [_share_finding(), _capacity_finding(), _report_act_finding(), _sextortion_finding(),
                _police_finding(), _survey_finding(), _prevalence_finding()]
    return [f for f in findings if f is not None]
