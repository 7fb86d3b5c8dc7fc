"""NCMEC's online enticement and financial sextortion series: full years, half-years (with the
second half derived where both figures exist), the REPORT Act test, enticement among all reports,
and the other NCMEC categories the self-generated chapter shows (sadistic enticement, generative AI)."""
from __future__ import annotations

import pandas as pd

from .. import data
from .common import RELIABILITY_RANK, preferred, yearly


def second_half(full_year: int, first_half: int) -> int:
    """July–December count as the full-year count minus the January–June count (DERIVED).
    Refuses a first half larger than the year: the two figures then count different things."""
    if pd.isna(full_year) or pd.isna(first_half):
        raise ValueError("both the full-year and the first-half count are needed")
    if first_half > full_year:
        raise ValueError(f"first half {first_half:,} exceeds the full year {full_year:,}: not the same count")
    return int(full_year) - int(first_half)


@data.cached
def half_years(measure: str) -> pd.DataFrame:
    """One NCMEC series (``online_enticement_reports`` or ``financial_sextortion_reports``) by
    full year and by half-year, as published, with July–December derived where both the year
    and its first half are published. Columns: period, year, half ('full', 'H1', 'H2'), start,
    end, count, derived, reliability, source_ids. Rows are in time order (a full year before its halves)."""
    rows = data.load("ncmec_enticement_sextortion")
    assert (rows["count"].dropna() >= 0).all(), "report counts are never negative"
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


def _count(series: pd.DataFrame, period: str):
    """A period's count from :func:`half_years` (indexed by period), or None where not found."""
    return int(series.loc[period, "count"]) if period in series.index else None


def _ratio(a, b):
    return a / b if a is not None and b else None


@data.cached
def report_act_test(measure: str = "online_enticement_reports") -> dict:
    """Does the half-year series fit the claim that the REPORT Act drove the 2024 rise?

    The Act passed the Senate on 14 December 2023 and was signed on 7 May 2024 (both dates from
    ``policy_timeline``). If the signing drove the rise, reports after it should exceed reports
    before it, and the first half of 2024 should not already exceed the whole of 2023. Because
    providers could adapt from the Senate vote, the test can rule out the *signing*, not
    anticipation of it; the growth from 2022 to 2023, before the Senate vote, is the year-earlier
    comparison.

    Returns the figures and: ``h1_2024_vs_2023`` (January–June 2024 as a multiple of all of
    2023), ``h2_vs_h1_2024`` (July–December over January–June 2024; July–December is DERIVED from
    a transcribed, bundled full year minus a first half from a later NCMEC post), ``h1_2025_vs_h1_2024``,
    ``growth_2023`` (2023 over 2022), ``signed``, ``senate``, ``days_after_signing_in_h1`` and
    ``days_after_senate_in_h1`` (days of January–June 2024 on or after each date), ``h2_sources``."""
    timeline = data.load("policy_timeline").set_index("event_id")
    signed = pd.Timestamp(timeline.loc["us-report-act", "date"])
    senate = pd.Timestamp(timeline.loc["us-report-act-senate", "date"])
    assert senate < signed, "the Senate vote comes before the signing"
    series = half_years(measure).set_index("period")
    last_2024_h1 = pd.Timestamp(2024, 6, 30)
    start_2024 = pd.Timestamp(2024, 1, 1)
    full_2022, full_2023 = _count(series, "2022"), _count(series, "2023")
    h1_2024, h2_2024, h1_2025 = _count(series, "Jan–Jun 2024"), _count(series, "Jul–Dec 2024"), _count(series, "Jan–Jun 2025")
    return {
        "signed": signed, "senate": senate,
        "days_after_signing_in_h1": (last_2024_h1 - signed).days + 1,
        "days_after_senate_in_h1": (last_2024_h1 - max(senate, start_2024)).days + 1,
        "full_2022": full_2022, "full_2023": full_2023, "h1_2024": h1_2024, "h2_2024": h2_2024, "h1_2025": h1_2025,
        "growth_2023": _ratio(full_2023, full_2022),
        "h1_2024_vs_2023": _ratio(h1_2024, full_2023),
        "h2_vs_h1_2024": _ratio(h2_2024, h1_2024),
        "h1_2025_vs_h1_2024": _ratio(h1_2025, h1_2024),
        "h2_sources": series.loc["Jul–Dec 2024", "source_ids"] if "Jul–Dec 2024" in series.index else (),
        "series": series.reset_index(),
    }


@data.cached
def sextortion_halves() -> dict:
    """NCMEC financial sextortion: the figures the chapter compares, read from the years data/ holds.

    ``first_year`` and ``last_full_year``: the first and last years with a full-year count
    (``full_first``, ``full_last``); ``next_year``: the year after, for which only January–June is
    held (``h1_next``); ``h1_next_doubled``: that half times two, a pace that assumes the year is
    evenly spread, set beside ``full_last``; ``h1_same_before``: January–June of the last full year
    (None where not found: then a rise on the same half a year earlier cannot be ruled out);
    ``h1_next_bundled``: whether NCMEC bundled related reports in ``next_year`` (bundling can only
    lower a count), ``last_full_bundled`` the same for ``last_full_year``, ``bundled_from`` the first
    bundled year (None before any); ``latest_h1_year`` and
    ``latest_h1_vs_prior``: the latest January–June over the
    one before it; ``missing_full_years``: years after the last full year with only a half-year."""
    series = half_years("financial_sextortion_reports")
    full = series[series["half"] == "full"].set_index("year")["count"]
    h1 = series[series["half"] == "H1"].set_index("year")["count"]
    assert len(full) >= 2, "at least two full years of financial sextortion reports"
    first_year, last_full_year = int(full.index.min()), int(full.index.max())
    later = sorted(int(y) for y in h1.index if y > last_full_year)
    next_year = later[0] if later else None
    h1_next = int(h1[next_year]) if next_year is not None else None
    latest = int(h1.index.max()) if len(h1) else None
    prior = latest - 1 if latest is not None and latest - 1 in h1.index else None
    totals = yearly("total_reports").set_index("year")["bundled"]
    return {
        "first_year": first_year, "last_full_year": last_full_year, "next_year": next_year,
        "full_first": int(full[first_year]), "full_last": int(full[last_full_year]),
        "h1_next": h1_next, "h1_next_doubled": None if h1_next is None else 2 * h1_next,
        "h1_same_before": int(h1[last_full_year]) if last_full_year in h1.index else None,
        "h1_next_bundled": bool(totals.get(next_year, False)) if next_year is not None else False,
        "last_full_bundled": bool(totals.get(last_full_year, False)),
        "bundled_from": int(totals[totals].index.min()) if totals.any() else None,
        "latest_h1_year": latest, "latest_h1": None if latest is None else int(h1[latest]),
        "prior_h1": None if prior is None else int(h1[prior]),
        "latest_h1_vs_prior": None if prior is None else _ratio(int(h1[latest]), int(h1[prior])),
        "missing_full_years": [y for y in range(last_full_year + 1, (latest or last_full_year) + 1) if y not in full.index],
        "series": series,
    }


@data.cached
def ncmec_category_h1(measure: str) -> pd.Series:
    """A January–June NCMEC category count by year (``sadistic_online_enticement_reports_h1``,
    ``generative_ai_reports_h1``), preferred row per year."""
    rows = data.load("ncmec_enticement_sextortion")
    chosen = preferred(rows[rows["measure"] == measure], ["year"])
    assert not chosen.empty, f"no rows for {measure}"
    return chosen.set_index("year")["count"].astype(int)


@data.cached
def enticement_among_reports() -> pd.DataFrame:
    """Online enticement reports beside all CyberTipline reports, for every year with a total:
    year, enticement (reports in NCMEC's enticement category, missing where not found), total,
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


@data.cached
def uk_enticement_referrals(year: int = 2024) -> dict | None:
    """NCMEC's online enticement *referrals* to the United Kingdom for January–June and July–December
    of ``year``: one source and one counting basis for both halves (rounded by NCMEC to two
    significant figures). None where either half is not in data/."""
    try:
        rows = data.load("ncmec_jurisdiction_referrals")
    except KeyError:
        return None
    rows = rows[(rows["iso3"] == "GBR") & (rows["measure"] == "online_enticement_referrals")].set_index("period")
    h1, h2 = f"{year}-H1", f"{year}-H2"
    if h1 not in rows.index or h2 not in rows.index:
        return None
    first, second = int(rows.loc[h1, "value"]), int(rows.loc[h2, "value"])
    assert first > 0 and second > 0
    return {"h1": first, "h2": second, "change": second / first - 1,
            "source_ids": tuple(dict.fromkeys([rows.loc[h1, "source_id"], rows.loc[h2, "source_id"]]))}


def _thousands(x) -> str:
    return f"{int(x):,}"


def sextortion_wording(s: dict) -> dict:
    """The sextortion paragraph's words that depend on which counts ``sextortion_halves`` found, so
    that full-year counts arriving for a year now held only as January–June change the text rather
    than stop the build: the bullet's verb and second sentence, the paragraph on the half-year, the
    finding's closing sentence, the later pair of the same months and what was not found. Bundling
    is named as a bias only where the later count is bundled and the earlier one is not."""
    y0, y1, y2 = s["first_year"], s["last_full_year"], s["next_year"]
    first_bundled = s["bundled_from"]

    def crosses(later: int, earlier: int) -> bool:
        return first_bundled is not None and earlier < first_bundled <= later

    bundling = f"NCMEC began bundling related reports in {first_bundled}, which can only lower a count"
    verb = "rose" if s["full_last"] > s["full_first"] else "fell"
    words = {"fs_verb": verb}
    same = s["h1_same_before"]
    if s["h1_next"] is None:
        full = s["series"].query("half == 'full'").set_index("year")["count"]
        change = full[y1] / full[y1 - 1] - 1 if y1 - 1 in full.index else None
        lowered = change is not None and crosses(y1, y1 - 1)
        words["fs_bullet_text"] = ((f"{y1} was {change:+.0%} on {y1 - 1}"
                                    + (f"; bundling from {first_bundled} can only have lowered it" if lowered else "")
                                    + "; the series is young") if change is not None else "The series is young")
        words["fs_halves_text"] = (f"{y1} is the latest full year found"
                                   + (f" ({change:+.0%} on {y1 - 1})" if change is not None else "")
                                   + (f"; {bundling}." if lowered else "."))
        words["fs_statement_tail"] = f" {y1} was {change:+.0%} on {y1 - 1}." if change is not None else ""
    elif same is not None:
        change = s["h1_next"] / same - 1
        lowered = crosses(y2, y1)
        words["fs_bullet_text"] = (f"January–June {y2} was {change:+.0%} on the same months of {y1}"
                                   + (f"; bundling from {first_bundled} can only have lowered it" if lowered else "")
                                   + "; the series is young")
        words["fs_halves_text"] = (f"January–June {y2} ({_thousands(s['h1_next'])}) was {change:+.0%} on January–June {y1} "
                                   f"({_thousands(same)})" + (f"; {bundling}." if lowered else "."))
        words["fs_statement_tail"] = f" January–June {y2} was {change:+.0%} on the same months of {y1}."
    else:
        below = s["h1_next_doubled"] < s["full_last"]
        side = "below" if below else "above"
        reasons = [f"doubling assumes {y1} was spread evenly over the year",
                   f"a January–June {y1} figure was not found"]
        if crosses(y2, y1):
            reasons.append(bundling)
        listed = ", ".join(reasons[:-1]) + (", and " if len(reasons) > 2 else " and ") + reasons[-1]
        opening = (f"January–June {y2} ({_thousands(s['h1_next'])}), doubled, comes to "
                   f"{_thousands(s['h1_next_doubled'])}, {side} all of {y1}. ")
        if below:
            words["fs_bullet_text"] = (f"January–June {y2}, doubled, is below {y1}'s total, but a rise on the same "
                                       f"months of {y1} cannot be ruled out; the series is young")
            words["fs_halves_text"] = opening + (f"That does not show that reports stopped rising: {listed}. So a rise on "
                                                 f"the same months of {y1} cannot be ruled out.")
            words["fs_statement_tail"] = (f" January–June {y2}, doubled, is below {y1}'s total; a rise on January–June "
                                          f"{y1} cannot be ruled out.")
        else:
            words["fs_bullet_text"] = (f"January–June {y2}, doubled, is above {y1}'s total, a rough sign that reports "
                                       "kept rising; the series is young")
            words["fs_halves_text"] = opening + (f"That is a rough sign that reports kept rising: doubling assumes {y1} "
                                                 f"was spread evenly over the year, and a January–June {y1} figure was not "
                                                 "found" + (f"; {bundling}, so bundling does not explain the rise"
                                                            if crosses(y2, y1) else "") + ".")
            words["fs_statement_tail"] = f" January–June {y2}, doubled, is above {y1}'s total."
    missing = s["missing_full_years"]
    if missing:
        pending = " and ".join(map(str, missing))
        extra = f", and a January–June {y1} count," if s["h1_next"] is not None and same is None else ""
        words["fs_missing_text"] = f"Full-year counts for {pending} were not found."
        words["fs_not_found_sentence"] = (f"NCMEC's full-year sextortion counts for {pending}{extra} were searched "
                                          "for and not found too.")
    else:
        words["fs_missing_text"] = f"Full-year counts were found for every year from {y0} to {y1}."
        words["fs_not_found_sentence"] = f"NCMEC's full-year sextortion counts were found for every year from {y0} to {y1}."
    if s["latest_h1_vs_prior"] is not None and s["latest_h1_year"] != y2:
        change = s["latest_h1_vs_prior"] - 1
        words["fs_latest_text"] = (f"The latest pair of the same months shows a {'rise' if change > 0 else 'fall'}: "
                                   f"January–June {s['latest_h1_year']} ({_thousands(s['latest_h1'])}) was {change:+.0%} on the "
                                   "year before.")
    else:
        words["fs_latest_text"] = "No later pair of the same months was found."
    return words
