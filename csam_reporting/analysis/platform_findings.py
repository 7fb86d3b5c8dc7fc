"""Platforms chapter: its key findings, each with the objections tried against it, computed.

Each :class:`~.robustness.Finding` holds the numbers the chapter and the introduction glue, and its
:class:`~.robustness.Check` rows: the bundling break, the period split, line items against
companies, hotlines apart from companies, and the choice of denominator.
"""
from __future__ import annotations

from . import platform_audit, platform_rates, platforms
from .robustness import Check, Finding


STRICT_TOLERANCE = 0.02  # the stricter agreement the audit is also held to

def _pct(x: float) -> str:
    return f"{x:.0%}"


def signed_pct(x: float) -> str:
    """A change as a signed percentage with a true minus sign: '+12%', '−41%'."""
    return f"{x:+.0%}".replace("-", "\u2212")


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
            f"set against {last}'s {_pct(values['share_last'])}",
            True))
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
              f"{values['after_pairs']} agree; the disagreements are all in these years",
              True),
        Check("one outlier removed",
              f"with the suspected duplicate ({', '.join(values['suspects']) or 'none'}) counted, "
              f"{values['after_agree']} of {values['after_pairs'] + values['suspect']} agree after the break",
              True),
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
    )
    return Finding("police", f"Snapchat: {_pct(values['police_share'])} of UK image offences with a known platform "
                   f"({values['period']}), {values['ncmec_share']:.1%} of NCMEC's ESP reports ({values['ncmec_year']})",
                   values, checks)


def movement_finding() -> Finding:
    """From the last year counted one by one to the latest: who rose, who fell, and why that
    crosses the break."""
    years = platforms.chapter_years()
    last, latest = years["last"], years["latest"]
    moves = platforms.movement(last, latest).set_index("unit_id")
    totals = platforms.esp_totals().set_index("year")["esp_total"]
    total_ratio = float(totals[latest] / totals[last])
    risen = moves[moves["ratio"] > 1].sort_values("ratio", ascending=False)
    values = {"last": last, "latest": latest, "total_ratio": total_ratio, "total_change": signed_pct(total_ratio - 1),
              "risen": [str(n) for n in risen["unit_name"]],
              "risen_ratios": [float(r) for r in risen["ratio"]], "meta_ratio": float(moves.loc["meta", "ratio"])}
    if "amazon_ai_services" in moves.index:
        values["amazon_ai"] = int(moves.loc["amazon_ai_services", "end"])
    checks = (
        Check("change in counting", f"the ESP total itself changed by {signed_pct(total_ratio - 1)} across the break; a company's "
              "fall can be bundling, a rise despite it is harder to explain away", len(risen) > 0),
        Check("one outlier removed", "Amazon's AI Services line item is shown apart from Amazon, so a new line item does not "
              "pass for a company-wide change", True),
    )
    top = ", ".join(f"{n} ({r:.1f} times)" for n, r in zip(values["risen"][:2], values["risen_ratios"][:2]))
    return Finding("movement", f"From {last} to {latest}, across the bundling break, the ESP total changed by "
                   f"{signed_pct(total_ratio - 1)} while {len(risen)} of the ten largest reporters rose, most {top}",
                   values, checks)


def key_findings() -> list[Finding]:
    """The platforms chapter's key findings, in the order the chapter states them."""
    return [meta_share_finding(), concentration_finding(), per_user_finding(), audit_finding(),
            police_finding(), movement_finding()]
