"""Meta's own quarterly counts: CyberTips sent and content actioned, dated against the same quarter a
year earlier, and the basis (bundled or not) of Meta's CyberTip count."""
from __future__ import annotations

import pandas as pd

from .. import data
from .common import esp_reports_by_platform, yearly

CSE_POLICY = "Child Endangerment: Sexual Exploitation"
# The NCMEC services Meta's quarterly CyberTip count covers, as Meta's Q2 2023 page describes it.
CYBERTIP_SCOPE = ("facebook", "instagram")


@data.cached
def meta_cybertips() -> pd.Series:
    """CyberTips Meta says it sent to NCMEC per quarter (index: quarter start), rounded as Meta
    publishes them (to 0.1 million)."""
    pt = data.load("platform_transparency")
    rows = pt[(pt["platform_id"] == "meta") & (pt["measure"] == "ncmec_reports")]
    assert (rows["period_end"] - rows["period_start"]).dt.days.between(88, 92).all(), "Meta's count is quarterly"
    assert rows["period_start"].is_unique, "one row per quarter"
    return rows.set_index("period_start")["value"].sort_index().astype("int64").rename("cybertips")


@data.cached
def content_actioned() -> pd.DataFrame:
    """Pieces of content Facebook and Instagram actioned for child sexual exploitation per quarter,
    in Meta's latest restatement (index: quarter start; one column per app). A count of content,
    not of reports: bundling at NCMEC cannot touch it."""
    pt = data.load("platform_transparency")
    rows = pt[pt["platform_id"].isin(CYBERTIP_SCOPE) & (pt["measure"] == "content_actioned")
              & (pt["policy_area"] == CSE_POLICY)]
    rows = rows[rows["vintage"] == rows["vintage"].max()]
    out = rows.pivot(index="period_start", columns="platform_id", values="value").sort_index()
    return out.astype("float64")


def same_quarter_changes(series: pd.Series) -> pd.DataFrame:
    """Each quarter against the same quarter a year earlier (never against the quarter before, so
    a season or a spike is not read as a change). Columns: quarter (start), label ('Q2 2024'),
    value, year_earlier, change (a share, NaN where the year-earlier quarter is missing)."""
    series = series.sort_index()
    assert series.index.is_unique
    earlier = series.reindex(series.index - pd.DateOffset(years=1)).to_numpy()
    out = pd.DataFrame({"quarter": series.index, "value": series.to_numpy(), "year_earlier": earlier})
    out["label"] = [f"Q{q.quarter} {q.year}" for q in out["quarter"]]
    out["change"] = out["value"] / out["year_earlier"] - 1
    return out[["quarter", "label", "value", "year_earlier", "change"]]


def quarter(label: str) -> pd.Timestamp:
    """'Q2 2024' → the quarter's first day."""
    q, year = label.split()
    return pd.Timestamp(int(year), 3 * int(q[1]) - 2, 1)


@data.cached
def cybertip_basis() -> pd.DataFrame:
    """Meta's own CyberTip count for each full calendar year it publishes (four quarters), beside
    NCMEC's count for Facebook and Instagram in that year: if the two agree in a bundled year,
    Meta's quarterly count is on NCMEC's bundled basis, and a fall in it includes bundling.
    Columns: year, meta_quarters_sum, ncmec_fb_ig, ratio (Meta / NCMEC), gap (ratio − 1),
    bundled (NCMEC's count that year bundles related reports), ncmec_reliability.

    Used by the encryption and the platforms chapters, so both draw the same inference."""
    tips = meta_cybertips()
    by_year = tips.groupby(tips.index.year).agg(["sum", "count"])
    full = by_year[by_year["count"] == 4]["sum"]
    rows = esp_reports_by_platform()
    ncmec = rows[rows["platform_id"].isin(CYBERTIP_SCOPE)]
    counts = ncmec.groupby("year")["reports"].sum()
    listed = ncmec.groupby("year")["platform_id"].nunique()
    totals = yearly("total_reports").set_index("year")
    out = []
    for year, value in full.items():
        if listed.get(year, 0) != len(CYBERTIP_SCOPE):
            continue  # NCMEC does not list both apps that year
        out.append({"year": int(year), "meta_quarters_sum": int(value), "ncmec_fb_ig": int(counts[year]),
                    "ratio": value / counts[year], "bundled": bool(totals["bundled"].get(year, False)),
                    "ncmec_reliability": totals["reliability"].get(year, pd.NA)})
    out = pd.DataFrame(out, columns=["year", "meta_quarters_sum", "ncmec_fb_ig", "ratio", "bundled",
                                     "ncmec_reliability"])
    out["gap"] = out["ratio"] - 1
    return out


def on_bundled_basis(tolerance: float = 0.05) -> bool:
    """True when, in every bundled year with four quarters, Meta's own count is within
    ``tolerance`` of NCMEC's bundled Facebook + Instagram count (rounding to 0.1 million a
    quarter alone allows about ±2% on a year of 11 million)."""
    basis = cybertip_basis()
    bundled = basis[basis["bundled"]]
    return bool(len(bundled)) and bool((bundled["gap"].abs() <= tolerance).all())
