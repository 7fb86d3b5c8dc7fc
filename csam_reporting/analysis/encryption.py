"""Encryption chapter: Meta's reports by app and the bounds on what bundling explains."""
from __future__ import annotations

import pandas as pd

from .. import data
from .common import esp_reports_by_platform, yearly


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
