"""Platforms chapter, second part: platforms' own counts audited against NCMEC's, split by period,
and UK police records set beside NCMEC's shares.

The audit compares whole calendar years only, for the same services on both sides; a platform
figure that repeats the previous period's value exactly is flagged as a suspected transcription
duplicate and kept out of the agreement count.
"""
from __future__ import annotations

import calendar

import pandas as pd

from .. import data
from .common import esp_reports_by_platform, esp_totals, last_comparable_year

TOLERANCE = 0.05  # own count within 5% of NCMEC's: "agrees"
PERIODS = {"before": "counted one by one (NCMEC's own tables)",
           "after": "bundled (transcribed tables)"}

# Which NCMEC platforms each self-disclosure covers, as the discloser describes its scope
# (platform_transparency notes). Keys are the disclosure's platform_id(s) in platform_transparency.
DISCLOSURE_SCOPES = {
    "Amazon (and subsidiaries, incl. Twitch)": {
        "disclosed": ["amazon"], "measure": "ncmec_reports",
        "ncmec": ["amazon", "amazon_photos", "amazon_games", "amazon_ai_services", "twitch"]},
    "Google and YouTube": {
        "disclosed": ["google", "youtube"], "measure": "ncmec_reports", "ncmec": ["google"]},
    "Meta: Facebook and Instagram": {
        "disclosed": ["meta"], "measure": "ncmec_reports", "ncmec": ["facebook", "instagram"]},
    "Microsoft consumer services (excl. LinkedIn, GitHub)": {
        "disclosed": ["microsoft"], "measure": "ncmec_reports",
        "ncmec": ["microsoft", "xbox", "microsoft_other_products", "bing"]},
    "Pinterest": {"disclosed": ["pinterest"], "measure": "ncmec_reports", "ncmec": ["pinterest"]},
    "Reddit": {"disclosed": ["reddit"], "measure": "ncmec_reports", "ncmec": ["reddit"]},
    "Snapchat": {"disclosed": ["snapchat"], "measure": "ncmec_reports", "ncmec": ["snapchat"]},
    "Twitch": {"disclosed": ["twitch"], "measure": "ncmec_reports", "ncmec": ["twitch"]},
    "Discord (accounts reported)": {
        "disclosed": ["discord"], "measure": "accounts_reported_to_ncmec_media", "ncmec": ["discord"]},
}


@data.cached
def self_disclosures_vs_ncmec() -> pd.DataFrame:
    """Each platform's own published count for a calendar year (summed from its periods only where
    they cover the whole year, without overlap) beside NCMEC's count for the same services and year.
    Columns: disclosure, year, disclosed, unit, ncmec_reports, ratio (disclosed / NCMEC), periods,
    source_ids, ncmec_reliability."""


    transparency = data.load("platform_transparency")
    rows = esp_reports_by_platform()
    totals = esp_totals().set_index("year")
    out = []
    for name, scope in DISCLOSURE_SCOPES.items():
        own = transparency[transparency["platform_id"].isin(scope["disclosed"])
                           & (transparency["measure"] == scope["measure"])].copy()
        own = own.assign(year=own["period_start"].dt.year)
        for year, group in own.groupby("year"):
            if (group["period_end"].dt.year != year).any():
                continue
            per_platform = [g for _, g in group.groupby("platform_id")]
            if len(per_platform) != len(scope["disclosed"]):
                continue  # e.g. Google without YouTube in a year: not the same scope
            covered = all(int(((g["period_end"] - g["period_start"]).dt.days + 1).sum())
                          == (366 if calendar.isleap(int(year)) else 365)
                          for g in per_platform)
            if not covered:
                continue
            ncmec = rows[(rows["year"] == year) & rows["platform_id"].isin(scope["ncmec"])]
            if ncmec.empty:
                continue
            disclosed = int(group["value"].sum())
            reports = int(ncmec["reports"].sum())
            out.append({"disclosure": name, "year": int(year), "disclosed": disclosed,
                        "unit": group["unit"].iloc[0], "ncmec_reports": reports,
                        "ratio": disclosed / reports, "periods": len(group),
                        "source_ids": list(dict.fromkeys(group["source_id"])),
                        "ncmec_reliability": totals.loc[year, "reliability"]})
    return pd.DataFrame(out)


@data.cached
def police_vs_ncmec_shares() -> pd.DataFrame:
    """UK police shares (offences with the platform recorded) beside the same platform's share of
    NCMEC's ESP reports in the calendar year in which the financial year starts (a financial year
    April-March has nine of its months in that year). Meta-wide rows compare with Meta's company
    share. Columns: period, offence, geography, platform_label, platform_id, police_share (0-1),
    base, base_count, ncmec_year, ncmec_share (0-1), bundled, source_id."""
    police = data.load("uk_grooming_platform_shares")
    police = police[police["share_pct"].notna() & police["platform_id"].notna()
                    & police["period"].str.fullmatch(r"\d{4}/\d{2}")].copy()
    police["ncmec_year"] = police["period"].str[:4].astype(int)
    from .platforms import esp_shares  # platforms imports this module lazily, not at import time
    platform_shares = esp_shares("platform").set_index(["year", "unit_id"])["share"]
    company_shares = esp_shares("company").set_index(["year", "unit_id"])["share"]
    bundled = esp_totals().set_index("year")["bundled"]

    def ncmec_share(row):
        year = row.ncmec_year
        if row.platform_id == "meta":
            return float(company_shares.get((year, "meta"), float("nan")))
        # No row of its own (Instagram inside 2019-2020's 'Facebook*'): not published, not zero.
        return float(platform_shares.get((year, row.platform_id), float("nan")))

    police["ncmec_share"] = [ncmec_share(r) for r in police.itertuples()]
    police["police_share"] = police["share_pct"].astype(float) / 100
    police["bundled"] = police["ncmec_year"].map(bundled)
    police = police[police["ncmec_year"].isin(bundled.index)]
    return police[["period", "offence", "geography", "platform_label", "platform_id", "police_share", "base",
                   "base_count", "ncmec_year", "ncmec_share", "bundled", "source_id"]].reset_index(drop=True)


@data.cached
def repeated_values(measure: str = "ncmec_reports") -> pd.DataFrame:
    """Platform periods whose value repeats the same platform's previous period exactly: the pattern
    of a transcription that copied a row (suspected, not proven, until checked against the
    platform's own page). A rounded value (a multiple of 1,000, as Meta publishes) can repeat by
    chance and is not flagged. Columns: platform_id, year, period_start, value, previous_start."""
    rows = data.load("platform_transparency")
    rows = rows[rows["measure"] == measure].sort_values(["platform_id", "period_start"])
    previous = rows.groupby("platform_id")[["value", "period_start"]].shift()
    same = rows["value"].notna() & (rows["value"] == previous["value"]) & (rows["value"] % 1000 != 0)
    out = rows[same].assign(previous_start=previous.loc[same, "period_start"],
                            year=rows.loc[same, "period_start"].dt.year)
    return out[["platform_id", "year", "period_start", "value", "previous_start"]].reset_index(drop=True)


@data.cached
def audit(tolerance: float = TOLERANCE) -> pd.DataFrame:
    """:func:`self_disclosures_vs_ncmec` with, per row: ``period`` ('before' bundling: NCMEC's own
    tables; 'after': bundled, transcribed), ``suspect`` (the platform's own figure for that year
    includes a period that repeats the previous one exactly, see :func:`repeated_values`) and
    ``agrees`` (own count within ``tolerance`` of NCMEC's). Rows counting accounts, not reports,
    are kept with ``agrees`` missing."""
    rows = self_disclosures_vs_ncmec()
    last = last_comparable_year()
    suspects = repeated_values()
    flagged = set(zip(suspects["platform_id"], suspects["year"]))
    rows["period"] = ["before" if y <= last else "after" for y in rows["year"]]
    rows["suspect"] = [any((p, y) in flagged for p in DISCLOSURE_SCOPES[d]["disclosed"])
                       for d, y in zip(rows["disclosure"], rows["year"])]
    reports = rows["unit"] == "CyberTipline reports"
    rows["agrees"] = ((rows["ratio"] - 1).abs() <= tolerance).where(reports).astype("boolean")
    return rows


@data.cached
def audit_by_period(tolerance: float = TOLERANCE) -> pd.DataFrame:
    """Per period ('before', 'after'): platform-years compared (CyberTipline reports only, the
    suspected duplicates left out), how many agree within ``tolerance``, the suspected duplicates
    set aside, and the years covered. Columns: period, first_year, last_year, pairs, agree,
    disagree, suspect."""
    rows = audit(tolerance)
    rows = rows[rows["unit"] == "CyberTipline reports"]
    out = []
    for period in ("before", "after"):
        sub = rows[rows["period"] == period]
        clean = sub[~sub["suspect"]]
        out.append({"period": period, "first_year": int(sub["year"].min()) if len(sub) else pd.NA,
                    "last_year": int(sub["year"].max()) if len(sub) else pd.NA,
                    "pairs": len(clean), "agree": int(clean["agrees"].sum()),
                    "disagree": int((~clean["agrees"]).sum()), "suspect": int(sub["suspect"].sum())})
    return pd.DataFrame(out)


def meta_bundled_basis(tolerance: float = TOLERANCE) -> dict:
    """Whether Meta's own quarterly CyberTipline count is on NCMEC's bundled basis, drawn from the
    same test the encryption chapter uses (:func:`.meta.cybertip_basis`, :func:`.meta.on_bundled_basis`):
    Meta's quarters summed over the first bundled year against NCMEC's bundled count for Facebook
    and Instagram. Returns year, meta (own), ncmec, gap (own / NCMEC - 1) and on_bundled_basis."""
    from .meta import cybertip_basis, on_bundled_basis
    basis = cybertip_basis()
    bundled = basis[basis["bundled"]].sort_values("year")
    if bundled.empty:
        return {"year": None, "meta": None, "ncmec": None, "gap": float("nan"), "on_bundled_basis": False}
    first = bundled.iloc[0]
    return {"year": int(first["year"]), "meta": int(first["meta_quarters_sum"]), "ncmec": int(first["ncmec_fb_ig"]),
            "gap": float(first["gap"]), "on_bundled_basis": on_bundled_basis(tolerance)}


@data.cached
def apple_police_comparison() -> pd.DataFrame:
    """The NSPCC's count of police-recorded offences in which Apple was recorded (England and
    Wales) beside Apple's worldwide CyberTipline reports in the two calendar years the police year
    touches. Columns: figure, count, unit, area, period, source_id, police_year_start."""
    nsp = data.load("uk_grooming_platform_shares").query("platform_id == 'apple' and count.notna()")
    assert len(nsp) == 1, "one NSPCC count for Apple"
    nsp = nsp.iloc[0]
    start = int(str(nsp["period"])[:4])
    rows = esp_reports_by_platform()
    apple = rows[rows["platform_id"] == "apple"].groupby("year").agg(reports=("reports", "sum"),
                                                                     source_id=("source_id", "first"))
    out = [{"figure": "offences in which police recorded Apple", "count": int(nsp["count"]),
            "unit": "police-recorded offences", "area": nsp["geography"],
            "period": f"April {start} – March {start + 1}", "source_id": nsp["source_id"]}]
    for year in (start, start + 1):
        if year in apple.index:
            out.append({"figure": "Apple's CyberTipline reports", "count": int(apple.loc[year, "reports"]),
                        "unit": "reports", "area": "worldwide", "period": f"calendar year {year}",
                        "source_id": apple.loc[year, "source_id"]})
    return pd.DataFrame(out).assign(police_year_start=start)


def audit_details(audit_rows: pd.DataFrame, suspects: list[str]) -> dict:
    """What the audit's prose names beyond the finding: Amazon's latest own count against NCMEC's,
    Discord's latest ratio (it counts accounts), the other disagreements of the bundled years (the
    suspected transcription errors and Amazon's row aside), and why a suspect is set aside."""
    amazon = audit_rows[audit_rows["disclosure"].str.startswith("Amazon")].sort_values("year").iloc[-1]
    discord = audit_rows[audit_rows["disclosure"].str.startswith("Discord")].set_index("year")
    others = audit_rows[(audit_rows["period"] == "after") & ~audit_rows["agrees"].fillna(True).astype(bool)
                        & ~audit_rows["suspect"]
                        & ~((audit_rows["disclosure"] == amazon["disclosure"]) & (audit_rows["year"] == amazon["year"]))]
    return {
        "amazon_year": int(amazon["year"]), "amazon_own_latest": int(amazon["disclosed"]),
        "amazon_ncmec_latest": int(amazon["ncmec_reports"]),
        "discord_ratio_last": float(discord["ratio"].iloc[-1]), "discord_year": int(discord.index[-1]),
        "audit_others": "; ".join(f"{d.split(' (')[0]} {y}: {r:.2f} of NCMEC's count"
                                  for d, y, r in zip(others["disclosure"], others["year"], others["ratio"])),
        "pinterest_suspect": ("Pinterest's own figure for January–June 2024 repeats its July–December 2023 figure "
                              "exactly, which is why 2024's gap is treated as a suspected transcription error, not yet "
                              "checked against Pinterest's own page, and set aside.") if "Pinterest 2024" in suspects else "",
    }
