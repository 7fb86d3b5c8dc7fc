"""Self-generated chapter: the IWF's "self-generated" composition, capacity, age, sex and severity, its
sextortion, Report Remove and AI series, and the chapter's key findings (``key_findings``).

NCMEC's enticement and sextortion series are in :mod:`.enticement`; police records, surveys and
prevalence studies in :mod:`.uk_series`."""
from __future__ import annotations

import pandas as pd

from .. import data
from .common import RELIABILITY_RANK, citable, period_start, preferred, yearly


def _one(rows: pd.DataFrame, measure: str, year: int) -> pd.Series | None:
    chosen = preferred(rows[(rows["measure"] == measure) & (rows["year"] == year)], ["year"])
    return None if chosen.empty else chosen.iloc[0]


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
