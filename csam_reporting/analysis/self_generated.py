"""Self-generated chapter: IWF composition, capacity, age and sex, half-years and the REPORT Act test, police series, enticement among reports."""
from __future__ import annotations

import pandas as pd

from .. import data
from .common import RELIABILITY_RANK, citable, period_start, preferred, yearly


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
