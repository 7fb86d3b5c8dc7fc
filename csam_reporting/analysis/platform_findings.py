"""Platforms chapter: its key findings, each with the objections tried against it, computed.

Each :class:`~.robustness.Finding` holds the numbers the chapter and the introduction glue, and its
:class:`~.robustness.Check` rows: the bundling break, the period split, line items against
companies, hotlines apart from companies, and the choice of denominator.
"""
from __future__ import annotations

import pandas as pd

from . import common, platform_audit, platform_rates, platforms
from .robustness import Check, Finding


STRICT_TOLERANCE = 0.02  # the stricter agreement the audit is also held to
# Reporters whose service is generative AI (a company that makes AI models, or Amazon's line item
# named "AI Services"): named together where they are among the largest reporters.
AI_UNITS = ("openai", "xai", "amazon_ai_services", "anthropic", "google_gemini", "mistral")

def _pct(x: float) -> str:
    return f"{x:.0%}"


def meta_share_finding() -> Finding:
    """Meta's share of ESP reports, on each side of the bundling break, and with Amazon's AI
    Services line item left out of the total."""
    years = platforms.chapter_years()
    series = platforms.share_series("meta").set_index("year")
    first, last, latest = years["first"], years["last"], years["latest"]
    before = series[series["period"] == "before"]
    after = series[series["period"] == "after"]
    assert not before.empty, "Meta's share is known before bundling"
    base = 2021 if 2021 in before.index else int(before.index[0])  # the first year Meta's apps are listed apart
    values = {"first": first, "last": last, "latest": latest,
              "share_first": float(before.loc[first, "share"]), "share_last": float(before.loc[last, "share"]),
              "share_base": float(before.loc[base, "share"]), "base_year": base,
              "after_years": [int(y) for y in after.index]}
    checks = []
    if not after.empty:
        first_after = int(after.index[0])
        values.update(first_after=first_after, share_first_after=float(after.loc[first_after, "share"]),
                      share_latest=float(after.loc[latest, "share"]),
                      share_latest_without=float(after.loc[latest, "share_without_excluded"]),
                      excluded_latest=int(after.loc[latest, "excluded"]))
        checks.append(Check(
            "change in counting",
            f"after the break ({first_after}–{latest}, bundled, transcribed) Meta's share is "
            f"{_pct(values['share_first_after'])} then {_pct(values['share_latest'])}: a separate series, not "
            f"set against {last}'s {_pct(values['share_last'])}; the finding is stated for the years counted one by one",
            values["share_last"] < values["share_first"]))
        checks.append(Check(
            "one outlier removed",
            f"without Amazon's AI Services line item ({values['excluded_latest']:,} reports in {latest}) Meta's "
            f"{latest} share is {_pct(values['share_latest_without'])}, not {_pct(values['share_latest'])}",
            True))
    checks.append(Check(
        "another base year",
        f"from {base} (Meta's apps listed one by one): {_pct(values['share_base'])} to "
        f"{_pct(values['share_last'])} in {last}",
        values["share_last"] < values["share_base"]))
    middle = first + (last - first) // 2
    if first < middle < last and middle in before.index:
        halves = (float(before.loc[middle, "share"]) - values["share_first"],
                  values["share_last"] - float(before.loc[middle, "share"]))
        checks.append(Check(
            "another base year",
            f"period split: {_pct(values['share_first'])} ({first}), {_pct(float(before.loc[middle, 'share']))} "
            f"({middle}), {_pct(values['share_last'])} ({last}); the share "
            + ("fell in both halves" if max(halves) < 0 else "did not fall in both halves"),
            max(halves) < 0))
    companies = platforms.esp_shares("company")
    companies = companies[companies["category"] == "company"]
    wide = companies.pivot_table(index="unit_id", columns="year", values="reports", aggfunc="sum").reindex(
        columns=[first, last]).fillna(0)
    others = wide.drop(index="meta", errors="ignore")
    grew = (others[last] - others[first]).idxmax()  # the company whose reports grew most
    without = {y: float(wide.loc["meta", y] / (wide[y].sum() - wide.loc[grew, y])) for y in (first, last)}
    grew_name = str(companies.loc[companies["unit_id"] == grew, "unit_name"].iloc[0])
    checks.append(Check(
        "one outlier removed",
        f"without {grew_name}, whose reports grew most ({int(wide.loc[grew, first]):,} to {int(wide.loc[grew, last]):,}), "
        f"Meta's share of companies' reports is {_pct(without[first])} ({first}) and {_pct(without[last])} ({last})",
        without[last] < without[first]))
    of_companies = {y: float(companies.loc[(companies["year"] == y) & (companies["unit_id"] == "meta"), "reports"].sum()
                             / companies.loc[companies["year"] == y, "reports"].sum()) for y in (first, last)}
    checks.append(Check(
        "denominator",
        f"as a share of companies' reports only (hotlines and other organisations left out): "
        f"{_pct(of_companies[first])} to {_pct(of_companies[last])}",
        of_companies[last] < of_companies[first]))
    return Finding("meta_share",
                   f"Meta's share of ESP reports fell from {_pct(values['share_first'])} ({first}) to "
                   f"{_pct(values['share_last'])} ({last}), counted one by one", values, tuple(checks))


def concentration_finding() -> Finding:
    """The five largest companies' share, with hotlines apart, and against services (line items)."""
    years = platforms.chapter_years()
    last, latest = years["last"], years["latest"]
    company = platforms.concentration("company").set_index("year")
    service = platforms.concentration("platform").set_index("year")
    shares = platforms.esp_shares("company")
    with_hotlines = shares[(shares["year"] == last) & shares["listed"]
                           & shares["category"].isin(["company", "hotline"])]["share"].nlargest(10).sum()
    values = {"last": last, "latest": latest, "top5_last": float(company.loc[last, "top_5"]),
              "top10_last": float(company.loc[last, "top_10"]), "hotline_share_last": float(company.loc[last, "hotline_share"]),
              "top10_with_hotlines": float(with_hotlines), "top5_services_last": float(service.loc[last, "top_5"]),
              "top5_latest": float(company.loc[latest, "top_5"]), "latest_lower_bound": bool(company.loc[latest, "lower_bound"]),
              "hhi_last": float(company.loc[last, "hhi"]), "hhi_latest": float(company.loc[latest, "hhi"])}
    checks = (
        Check("change in counting",
              f"hotlines apart: INHOPE's {values['hotline_share_last']:.1%} in {last} is not a company; counted as one, "
              f"the top ten would hold {values['top10_with_hotlines']:.1%} instead of {values['top10_last']:.1%}",
              True),
        Check("comparison group",
              f"line items against companies: the five largest services sent {_pct(values['top5_services_last'])} in "
              f"{last}, the five largest companies {_pct(values['top5_last'])}",
              values["top5_services_last"] > 0.5),
        Check("change in counting",
              f"after the break: the five largest companies sent at least {_pct(values['top5_latest'])} in {latest} "
              f"(bundled; a lower bound, the transcription lists only some ESPs)",
              values["top5_latest"] > 0.5),
    )
    printed = company[~company["lower_bound"]]
    lowest = printed["top_5"].idxmin()
    checks += (Check("another base year",
                     f"every year NCMEC listed in full ({int(printed.index.min())}–{int(printed.index.max())}): the five "
                     f"largest companies sent at least {_pct(float(printed.loc[lowest, 'top_5']))} ({int(lowest)})",
                     float(printed["top_5"].min()) > 0.5),)
    totals = common.yearly("total_reports").set_index("year")["count"]
    if last in totals.index:
        five = values["top5_last"] * float(platforms.esp_totals().set_index("year").loc[last, "esp_total"])
        of_all = five / float(totals[last])
        values["top5_of_all_last"] = of_all
        checks += (Check("denominator",
                         f"as a share of all CyberTipline reports in {last} (the public's reports included): "
                         f"{_pct(of_all)}", of_all > 0.5),)
    return Finding("concentration",
                   f"Five companies sent {_pct(values['top5_last'])} of ESP reports in {last}, hotlines apart",
                   values, checks)


def per_user_finding() -> Finding:
    """Meta against Apple, in reports and per user: the per-user gap is narrower, because Apple's
    denominator is the smaller one."""
    gap = platform_rates.meta_apple_gap()
    year = gap["year"]
    word = "narrower" if gap["narrower"] else "wider"
    checks = []
    other_years = [y for y in sorted(set(platform_rates.rates().query("shown == 'Apple'")["year"])
                                     & set(platform_rates.rates().query("shown == 'Meta, all apps'")["year"])) if y != year]
    if other_years:
        other = platform_rates.meta_apple_gap(other_years[-1])
        checks.append(Check("another base year",
                            f"{other['year']}: {other['report_ratio']:,.0f} times in reports, {other['rate_ratio']:,.0f} "
                            f"per user ({'narrower' if other['narrower'] else 'wider'})",
                            other["narrower"] == gap["narrower"]))
    monthly = platform_rates.reports_per_million_users(platform_rates._numerator(platform_rates.RATE_SPECS[0]),
                                                       "meta", "MAP").set_index("year")
    if year in monthly.index:
        ratio = float(monthly.loc[year, "rate_per_million"] / gap["apple_rate"])
        checks.append(Check("denominator",
                            f"per monthly (not daily) active person Meta's rate is {monthly.loc[year, 'rate_per_million']:,.0f} "
                            f"per million, {ratio:,.0f} times Apple's ({'narrower' if ratio < gap['report_ratio'] else 'wider'} "
                            f"than the {gap['report_ratio']:,.0f} times in reports)",
                            (ratio < gap["report_ratio"]) == gap["narrower"]))
    checks.append(Check("denominator",
                        f"the metrics differ (people against devices); per person Apple's rate could only be higher than "
                        f"per device, which would narrow the gap further; the gap stays above {10 ** gap['orders']:,} times",
                        gap["orders"] >= 3))
    values = {**gap, "word": word}
    return Finding("per_user",
                   f"Per user the Meta–Apple gap is {word} than in reports: {gap['rate_ratio']:,.0f} against "
                   f"{gap['report_ratio']:,.0f} times ({year})", values, tuple(checks))


def audit_finding() -> Finding:
    """Platforms' own counts against NCMEC's, by period, with the suspected duplicate set aside."""
    by_period = platform_audit.audit_by_period().set_index("period")
    rows = platform_audit.audit()
    reports = rows[rows["unit"] == "CyberTipline reports"]
    before, after = by_period.loc["before"], by_period.loc["after"]
    basis = platform_audit.meta_bundled_basis()
    strict = reports[(reports["period"] == "before") & ~reports["suspect"]]
    strict_agree = int(((strict["ratio"] - 1).abs() <= STRICT_TOLERANCE).sum())
    suspects = reports[reports["suspect"]]
    values = {"tolerance": platform_audit.TOLERANCE,
              "before_first": int(before["first_year"]), "before_last": int(before["last_year"]),
              "before_pairs": int(before["pairs"]), "before_agree": int(before["agree"]),
              "after_pairs": int(after["pairs"]), "after_agree": int(after["agree"]),
              "after_first": int(after["first_year"]) if after["pairs"] else None,
              "after_last": int(after["last_year"]) if after["pairs"] else None,
              "suspect": int(after["suspect"] + before["suspect"]),
              "suspects": [f"{d.split(' (')[0]} {y}" for d, y in zip(suspects["disclosure"], suspects["year"])],
              "strict_agree": strict_agree, "strict_tolerance": STRICT_TOLERANCE, "meta_basis": basis}
    checks = [
        Check("change in counting",
              f"bundled, transcribed years ({values['after_first']}–{values['after_last']}): {values['after_agree']} of "
              f"{values['after_pairs']} agree; the disagreements are all in these years, so the finding is stated for "
              f"{values['before_first']}–{values['before_last']} only",
              values["before_agree"] == values["before_pairs"]),
        Check("one outlier removed",
              f"with the suspected duplicate ({', '.join(values['suspects']) or 'none'}) counted, "
              f"{values['after_agree']} of {values['after_pairs'] + values['suspect']} agree after the break; the finding, "
              f"stated for {values['before_first']}–{values['before_last']}, does not rest on it",
              values["before_agree"] == values["before_pairs"]),
        Check("method change",
              f"within {STRICT_TOLERANCE:.0%} instead of {platform_audit.TOLERANCE:.0%}: {strict_agree} of {values['before_pairs']} agree "
              f"in {values['before_first']}–{values['before_last']}",
              strict_agree >= 0.8 * values["before_pairs"]),
    ]
    if basis["year"] is not None:
        checks.append(Check("derived figure",
                            f"Meta's {basis['year']} quarters sum to {basis['meta']:,}, {abs(basis['gap']):.1%} "
                            f"{'below' if basis['gap'] < 0 else 'above'} NCMEC's bundled {basis['ncmec']:,}: Meta's quarterly "
                            f"count is {'on' if basis['on_bundled_basis'] else 'not on'} the bundled basis",
                            basis["on_bundled_basis"]))
    return Finding("audit",
                   f"{values['before_agree']} of {values['before_pairs']} platform-years agree with NCMEC within "
                   f"{platform_audit.TOLERANCE:.0%} in {values['before_first']}–{values['before_last']}",
                   values, tuple(checks))


def police_finding() -> Finding:
    """Snapchat's share of UK police-recorded image offences against its share of NCMEC reports."""
    police = platform_audit.police_vs_ncmec_shares()
    police = police[police["ncmec_share"].notna()]
    snap = police[police["platform_id"] == "snapchat"].sort_values("ncmec_year")
    image = snap[snap["offence"] == "child_abuse_image"]
    assert not image.empty, "a Snapchat image-offence share with an NCMEC year"
    latest = image.iloc[-1]
    above = int((snap["police_share"] > snap["ncmec_share"]).sum())
    meta = police[police["platform_id"] == "meta"]
    reverse = int((meta["police_share"] < meta["ncmec_share"]).sum())
    values = {"period": latest["period"], "police_share": float(latest["police_share"]),
              "ncmec_share": float(latest["ncmec_share"]), "ncmec_year": int(latest["ncmec_year"]),
              "snap_pairs": len(snap), "snap_above": above, "meta_pairs": len(meta), "meta_reverse": reverse}
    checks = (
        Check("another base year", f"Snapchat's police share exceeds its NCMEC share in {above} of {len(snap)} "
              "police years and offences published", above == len(snap)),
        Check("comparison group", f"Meta's apps show the reverse in {reverse} of {len(meta)}", reverse == len(meta)),
        Check("denominator", "police shares are of offences with a platform recorded, in the forces that responded; "
              "NCMEC shares are of reports worldwide: a contrast of rankings, not of rates", True),
        Check("dependence on scanning",
              f"image offences partly start from NCMEC reports passed to UK police; for Snapchat's to come mostly from its "
              f"own reports, its share of NCMEC's UK reports would need to be about "
              f"{values['police_share'] / values['ncmec_share']:,.0f} times its worldwide share. No UK count by platform "
              "was found: the route is not known, so the contrast is stated as one of shares, not of causes", True),
    )
    return Finding("police", f"Snapchat: {_pct(values['police_share'])} of UK image offences with a known platform "
                   f"({values['period']}), {values['ncmec_share']:.1%} of NCMEC's ESP reports ({values['ncmec_year']})",
                   values, checks)


def times(ratio: float) -> str:
    """A ratio as 'N times': whole numbers from 100 up, one decimal below."""
    return f"{ratio:,.0f} times" if ratio >= 100 else f"{ratio:.1f} times"


def _risen(moves) -> "pd.DataFrame":
    """The units listed in both years whose count rose, largest rise first."""
    return moves[moves["ratio"] > 1].sort_values("ratio", ascending=False)


def movement_finding() -> Finding:
    """From the last year counted one by one to the latest: among the ten largest reporters of the
    latest year, who rose, who is new, and whether the rises survive the bundling break, another
    selection of companies and the smallest base removed."""
    years = platforms.chapter_years()
    last, latest = years["last"], years["latest"]
    moves = platforms.movement(last, latest).set_index("unit_id")
    totals = platforms.esp_totals().set_index("year")["esp_total"]
    total_ratio = float(totals[latest] / totals[last])
    both = moves[moves["start"].notna() & moves["end"].notna()]
    risen = _risen(both)
    new = moves[moves["start"].isna()]
    assert not risen.empty or len(both) > 0, "the latest year's largest reporters include some listed in both years"
    values = {"last": last, "latest": latest, "total_ratio": total_ratio, "total_change": f"{total_ratio - 1:+.0%}",
              "ranked": len(moves), "both": len(both), "risen_count": len(risen),
              "risen": [str(n) for n in risen["unit_name"]], "risen_ratios": [float(r) for r in risen["ratio"]],
              "risen_starts": [int(v) for v in risen["start"]],
              "new": [str(n) for n in new["unit_name"]],
              "new_names": " and ".join(str(n) for n in new["unit_name"]) or "none",
              "meta_ratio": float(moves.loc["meta", "ratio"]) if "meta" in both.index else float("nan")}
    top = ", ".join(f"{n} ({times(r)})" for n, r in zip(values["risen"][:3], values["risen_ratios"][:3]))
    values["top_risers"] = top
    ai = [str(moves.loc[u, "unit_name"]) for u in moves.index if u in AI_UNITS]
    values.update(ai_count=len(ai), ai_names=", ".join(ai[:-1]) + (" and " if len(ai) > 1 else "") + (ai[-1] if ai else ""))
    if not risen.empty:
        values.update(top_name=str(risen["unit_name"].iloc[0]), top_start=int(risen["start"].iloc[0]),
                      top_times=times(float(risen["ratio"].iloc[0])))
    if "amazon_ai_services" in moves.index:
        values["amazon_ai"] = int(moves.loc["amazon_ai_services", "end"])
    checks = [Check("change in counting", f"the ESP total itself changed by {total_ratio - 1:+.0%} across the "
                    "break; a company's fall can be bundling, a rise despite it is harder to explain away",
                    len(risen) > 0)]
    previous = latest - 1
    if previous > last and previous in years["partial"]:
        # Like for like: both years bundled and transcribed, so bundling cannot explain a rise between them.
        inside = platforms.movement(previous, latest, n=len(moves) + 10, rank_by="either").set_index("unit_id")
        named = [u for u in risen.index[:3] if u in inside.index]
        still = [u for u in named if inside.loc[u, "ratio"] > 1]
        values["inside_all_rose"] = bool(named) and len(still) == len(named)
        checks.append(Check(
            "change in counting",
            f"{previous} to {latest}, both bundled: " + ", ".join(
                f"{inside.loc[u, 'unit_name']} {times(float(inside.loc[u, 'ratio']))}" if pd.notna(inside.loc[u, "ratio"])
                else f"{inside.loc[u, 'unit_name']} not listed in {previous}" for u in named)
            + f"; {len(still)} of the {len(named)} largest risers rose within the bundled years too",
            bool(named) and len(still) == len(named)))
    earlier = platforms.movement(last, latest, rank_by="start")
    earlier_both = earlier[earlier["start"].notna() & earlier["end"].notna()]
    earlier_risen = _risen(earlier_both)
    checks.append(Check(
        "comparison group",
        f"the ten largest of {last} instead: {len(earlier_risen)} of the {len(earlier_both)} listed in both years rose"
        + (f", most {earlier_risen['unit_name'].iloc[0]} ({times(float(earlier_risen['ratio'].iloc[0]))})"
           if not earlier_risen.empty else "")
        + (f"; {len(earlier) - len(earlier_both)} not in the {latest} transcription" if len(earlier) > len(earlier_both)
           else ""),
        len(earlier_risen) > 0))
    if not risen.empty:
        smallest = risen.sort_values("start").iloc[0]
        rest = risen.drop(index=smallest.name)
        checks.append(Check(
            "one outlier removed",
            f"{smallest['unit_name']}'s rise is from {int(smallest['start']):,} reports; without it {len(rest)} of "
            f"{len(both) - 1} rose" + (f", most {rest['unit_name'].iloc[0]} ({times(float(rest['ratio'].iloc[0]))})"
                                       if not rest.empty else ""),
            len(rest) > 0))
    if "amazon_ai_services" in moves.index:
        rows = platforms.esp_reports_by_platform()
        amazon = rows[(rows["parent_company"] == "amazon") & (rows["platform_id"] != "amazon_ai_services")]
        amazon = amazon.groupby("year")["reports"].sum()
        checks.append(Check(
            "comparison group",
            f"line items against companies: Amazon's AI Services ({values['amazon_ai']:,} in {latest}) shown apart; the "
            f"rest of Amazon went from {int(amazon.get(last, 0)):,} to {int(amazon.get(latest, 0)):,}",
            True))
    statement = (f"From {last} to {latest}, across the bundling break, the ESP total changed by "
                 f"{total_ratio - 1:+.0%} while {len(risen)} of the {len(both)} largest reporters of {latest} "
                 f"listed in both years rose, most {top}")
    if values["new"]:
        statement += f"; {values['new_names']} {'is a new line item' if len(new) == 1 else 'are new line items'}"
    return Finding("movement", statement, values, tuple(checks))


def key_findings() -> list[Finding]:
    """The platforms chapter's key findings, in the order the chapter states them."""
    return [meta_share_finding(), concentration_finding(), per_user_finding(), audit_finding(),
            police_finding(), movement_finding()]
