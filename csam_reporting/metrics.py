"""Computations more than one chapter needs. Chapters call these; they never re-derive them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import data

RELIABILITY_RANK = {"primary": 0, "secondary": 1, "derived": 2}


def preferred(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Keep one row per ``keys`` where several documents give the same figure: the most reliable
    source, then the most recently published (later reports restate earlier years). Adds the
    source's ``reliability`` column so a chapter can show which rows are secondary."""
    sources = data.sources()[["reliability", "published"]]
    rows = rows.join(sources, on="source_id")
    rows["rank"] = rows["reliability"].map(RELIABILITY_RANK)
    rows = rows.sort_values([*keys, "rank", "published"], ascending=[True] * len(keys) + [True, False],
                            na_position="last")
    return rows.drop_duplicates(keys, keep="first").drop(columns=["rank", "published"]).reset_index(drop=True)


def yearly(measure: str) -> pd.DataFrame:
    """One row per year for a CyberTipline ``measure`` (total_reports, esp_reports, ...).
    Columns: year, count, bundled, source_id, locator, reliability."""
    rows = data.load("cybertipline_reports_yearly")
    rows = preferred(rows[rows["measure"] == measure], ["year"])
    return rows[["year", "count", "bundled", "source_id", "locator", "reliability"]]


def last_comparable_year() -> int:
    """The last year NCMEC counted every report separately (before bundling began in 2024)."""
    totals = yearly("total_reports")
    return int(totals.loc[~totals["bundled"], "year"].max())


def esp_reports_by_platform() -> pd.DataFrame:
    """NCMEC's per-ESP report counts with each label's platform and parent company
    (``parent_company`` is the company id, ``company_name`` its display name)."""
    reports = data.load("ncmec_esp_reports")
    mapping = data.load("ncmec_esp_platforms")
    platforms = data.load("platforms")
    companies = data.load("companies").rename(columns={"company_id": "parent_company", "notes": "company_notes"})
    merged = reports.merge(mapping, on="esp_label", how="left", validate="many_to_one")
    merged = merged.merge(platforms, on="platform_id", how="left", validate="many_to_one")
    # Validation guarantees every label has a mapping and every platform id exists.
    return merged.merge(companies, on="parent_company", how="left", validate="many_to_one")


def parent_share(year: int, parent: str) -> float:
    """Share (0–1) of a year's ESP reports that came from one parent company's platforms."""
    rows = esp_reports_by_platform()
    rows = rows[rows["year"] == year]
    return float(rows.loc[rows["parent_company"] == parent, "reports"].sum() / rows["reports"].sum())


UNIT_FACTORS = {"millions": 1_000_000, "billions": 1_000_000_000}


def user_base(platform_id: str, metric: str, geography: str = "global") -> pd.DataFrame:
    """One platform's user base over time, in one metric only, as a count of users (or devices).

    Metrics (MAU, DAU, DAP, devices, ...) measure different things and are never combined: asking
    for a metric the data does not hold for that platform raises instead of falling back to
    another. Columns: as_of, period_label, users, estimate, source_id, locator, reliability.
    """
    rows = data.load("platform_user_bases")
    rows = rows[(rows["platform_id"] == platform_id) & (rows["geography"] == geography)]
    available = sorted(rows["metric"].unique())
    rows = rows[rows["metric"] == metric]
    if rows.empty:
        raise KeyError(f"no {metric!r} figures for {platform_id!r} ({geography}); available: {available}")
    rows = preferred(rows, ["as_of"])
    rows = rows.assign(users=(rows["value"] * rows["unit"].map(UNIT_FACTORS)).round().astype("Int64"))
    return rows[["as_of", "period_label", "users", "estimate", "source_id", "locator", "reliability"]]


# --- encryption chapter ---
# Computations for chapters/encryption.md: Meta's reports by app, EU-27 country sums, a
# difference-in-differences on log reports with intervals, and the bundling bounds for 2024.

def format_event_date(date, precision: str) -> str:
    """A date as precise as it is known: day → '7 May 2024', month → 'May 2024', year → '2024'."""
    date = pd.Timestamp(date)
    if precision == "day":
        return f"{date.day} {date:%B %Y}"
    if precision == "month":
        return f"{date:%B %Y}"
    if precision == "year":
        return f"{date:%Y}"
    raise ValueError(f"unknown date precision {precision!r}")


def period_end(date, precision: str) -> pd.Timestamp:
    """The last day a date of this precision can stand for (sorts 'November 2021' after 7 Nov 2021)."""
    date = pd.Timestamp(date)
    if precision == "day":
        return date
    if precision == "month":
        return date + pd.offsets.MonthEnd(0)
    if precision == "year":
        return date + pd.offsets.YearEnd(0)
    raise ValueError(f"unknown date precision {precision!r}")


def timeline_events(categories=None, platforms=None) -> pd.DataFrame:
    """Policy timeline rows in reading order, each with ``when`` (its date as precise as known) and
    the source's ``reliability``. Events of month or year precision sort after the dated events of
    that month or year (an event 'in November 2021' is not placed before 7 November 2021)."""
    rows = data.load("policy_timeline")
    if categories is not None:
        rows = rows[rows["category"].isin(list(categories))]
    if platforms is not None:
        rows = rows[rows["platform_id"].isin(list(platforms))]
    rows = rows.join(data.sources()[["reliability", "publisher"]], on="source_id")
    rows = rows.assign(
        when=[format_event_date(d, p) for d, p in zip(rows["date"], rows["date_precision"])],
        sort_key=[period_end(d, p) for d, p in zip(rows["date"], rows["date_precision"])],
    )
    return rows.sort_values(["sort_key", "date"], kind="stable").drop(columns="sort_key").reset_index(drop=True)


# The 27 member states of the EU after the UK's withdrawal, by ISO 3166-1 alpha-3 code: an
# independent list to check the data's eu27 flag against.
EU27_ISO3 = frozenset({
    "AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
    "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
})

# European countries outside the EU other than the UK (shown on its own): EFTA, the Western
# Balkans, the eastern neighbours and the microstates. Russia and Turkey (transcontinental) and
# the Caucasus are left out of "non-EU Europe" and counted in the rest of the world.
NON_EU_EUROPE_ISO3 = frozenset({
    "NOR", "CHE", "ISL", "LIE", "ALB", "BIH", "MNE", "MKD", "SRB", "MDA", "UKR", "BLR", "AND", "MCO",
    "SMR", "VAT",
})


def country_reports() -> pd.DataFrame:
    """NCMEC's reports by country, one row per (year, iso3): labels that share a code in a year
    (spelling variants) are summed; rows without a country code (no country attributed, 'Europe',
    Kosovo) are dropped. Columns: year, iso3, eu27, reports."""
    rows = data.load("ncmec_country_reports")
    rows = rows[rows["iso3"].notna()]
    out = rows.groupby(["year", "iso3"], as_index=False).agg(reports=("reports", "sum"), eu27=("eu27", "any"))
    return out[["year", "iso3", "eu27", "reports"]]


def eu27_reports(exclude: tuple[str, ...] = ()) -> pd.Series:
    """Reports attributed to the EU-27 member states per year (index: year), optionally without
    some member states (``exclude``, ISO3 codes, e.g. ('POL',))."""
    rows = data.load("ncmec_country_reports")
    rows = rows[rows["eu27"].fillna(False).astype(bool) & ~rows["iso3"].isin(list(exclude))]
    return rows.groupby("year")["reports"].sum().astype("int64")


def country_group(iso3: str, eu27: bool, *, split_out=("POL",)) -> str:
    """The comparison group of a country for the EU gap analysis."""
    if iso3 in split_out and eu27:
        return f"EU-27: {iso3}"
    if eu27:
        return "EU-27 (others)"
    if iso3 == "GBR":
        return "UK"
    if iso3 in NON_EU_EUROPE_ISO3:
        return "non-EU Europe"
    return "rest of the world"


def group_reports() -> pd.DataFrame:
    """Reports per year and comparison group (EU-27 without Poland, Poland, UK, non-EU Europe,
    rest of the world; reports with no country attributed are left out). Columns: year, group,
    reports."""
    rows = country_reports()
    rows = rows.assign(group=[country_group(i, e) for i, e in zip(rows["iso3"], rows["eu27"])])
    return rows.groupby(["year", "group"], as_index=False)["reports"].sum()


META_PARENT = "meta"


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


def meta_total_reports() -> pd.Series:
    """Reports from all of Meta's platforms per year (index: year): the sum of its apps."""
    return meta_reports_by_app().groupby("year")["reports"].sum().astype("int64")


def eu_gap_panel(min_reports: int = 1000, base_year: int = 2020) -> pd.DataFrame:
    """Country-level panel for the EU gap analysis: one row per (year, iso3) with eu27, group and
    reports, keeping countries with at least ``min_reports`` reports in ``base_year`` and a positive
    count in every year (log changes of a handful of reports are noise, and log 0 is undefined)."""
    rows = country_reports()
    rows = rows.assign(group=[country_group(i, e) for i, e in zip(rows["iso3"], rows["eu27"])])
    years = rows["year"].nunique()
    counts = rows.pivot(index="iso3", columns="year", values="reports")
    keep = counts.index[(counts[base_year] >= min_reports) & (counts > 0).all(axis=1) & (counts.notna().sum(axis=1) == years)]
    return rows[rows["iso3"].isin(keep)].reset_index(drop=True)


def _pre_post(panel: pd.DataFrame, unit: str, time: str, value: str, pre, post) -> pd.DataFrame:
    """Each unit's value in the two periods (columns 'pre' and 'post'), units positive in both."""
    wide = panel.pivot_table(index=unit, columns=time, values=value, aggfunc="sum")
    wide = wide[[pre, post]].astype(float)
    wide.columns = ["pre", "post"]
    return wide[(wide > 0).all(axis=1)]


def _did_from_arrays(t_pre, t_post, c_pre, c_post, aggregate: bool):
    """Difference-in-differences of log values; arrays may carry a leading axis of draws."""
    if aggregate:
        t = np.log(t_post.sum(axis=-1)) - np.log(t_pre.sum(axis=-1))
        c = np.log(c_post.sum(axis=-1)) - np.log(c_pre.sum(axis=-1))
        return t - c
    return (np.log(t_post) - np.log(t_pre)).mean(axis=-1) - (np.log(c_post) - np.log(c_pre)).mean(axis=-1)


def _groups(panel, treated, control, unit, time, value, pre, post):
    wide = _pre_post(panel, unit, time, value, pre, post)
    treated = set(treated)
    control = (set(wide.index) - treated) if control is None else set(control)
    t = wide[wide.index.isin(treated)]
    c = wide[wide.index.isin(control)]
    if t.empty or c.empty:
        raise ValueError("both the treated and the control group need at least one unit with data in both periods")
    return t, c


def did_log(panel: pd.DataFrame, *, treated, control=None, unit: str = "iso3", time: str = "year",
            value: str = "reports", pre=2020, post=2021, aggregate: bool = False) -> float:
    """Difference-in-differences on log reports between two periods.

    ``treated`` and ``control`` are collections of unit ids (default control: every other unit).
    With ``aggregate=False`` (default) each unit counts once: the mean change in log reports of the
    treated units minus that of the control units. With ``aggregate=True`` units are summed within
    each group first, so large units weigh more: log(T_post/T_pre) − log(C_post/C_pre).
    Units without a positive value in both periods are left out. A value of d means the treated
    group changed by exp(d) − 1 relative to the control group."""
    t, c = _groups(panel, treated, control, unit, time, value, pre, post)
    return float(_did_from_arrays(t["pre"].to_numpy(), t["post"].to_numpy(),
                                  c["pre"].to_numpy(), c["post"].to_numpy(), aggregate))


def did_bootstrap(panel: pd.DataFrame, *, treated, control=None, n: int = 4000, seed: int = 0,
                  level: float = 0.95, unit: str = "iso3", time: str = "year", value: str = "reports",
                  pre=2020, post=2021, aggregate: bool = False) -> tuple[float, float]:
    """Percentile interval for :func:`did_log` from resampling units with replacement, separately
    within the treated and the control group (a bootstrap over countries). A group of one unit
    does not vary, so the interval then reflects the other group's spread only."""
    t, c = _groups(panel, treated, control, unit, time, value, pre, post)
    rng = np.random.default_rng(seed)
    ti = rng.integers(0, len(t), size=(n, len(t)))
    ci = rng.integers(0, len(c), size=(n, len(c)))
    draws = _did_from_arrays(t["pre"].to_numpy()[ti], t["post"].to_numpy()[ti],
                             c["pre"].to_numpy()[ci], c["post"].to_numpy()[ci], aggregate)
    alpha = (1 - level) / 2
    return float(np.quantile(draws, alpha)), float(np.quantile(draws, 1 - alpha))


def did_permutation(panel: pd.DataFrame, *, treated, control=None, n: int = 4000, seed: int = 0,
                    unit: str = "iso3", time: str = "year", value: str = "reports", pre=2020, post=2021,
                    aggregate: bool = False) -> dict:
    """Permutation (placebo) test for :func:`did_log`: the treatment label is given at random to as
    many units as were treated, drawn from the treated and control units together, ``n`` times.
    Returns the estimate, the two-sided p-value (share of placebo estimates at least as far from
    zero, counting the actual assignment) and the central 95% range of the placebo estimates."""
    t, c = _groups(panel, treated, control, unit, time, value, pre, post)
    pool = pd.concat([t, c])
    pre_v, post_v = pool["pre"].to_numpy(), pool["post"].to_numpy()
    k = len(t)
    estimate = float(_did_from_arrays(pre_v[:k], post_v[:k], pre_v[k:], post_v[k:], aggregate))
    rng = np.random.default_rng(seed)
    order = np.argsort(rng.random((n, len(pool))), axis=1)
    ti, ci = order[:, :k], order[:, k:]
    placebo = _did_from_arrays(pre_v[ti], post_v[ti], pre_v[ci], post_v[ci], aggregate)
    p = (1 + int((np.abs(placebo) >= abs(estimate) - 1e-12).sum())) / (n + 1)
    return {"estimate": estimate, "p_value": float(p),
            "placebo_low": float(np.quantile(placebo, 0.025)), "placebo_high": float(np.quantile(placebo, 0.975))}


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


def did_leave_one_out(panel: pd.DataFrame, *, treated, control=None, drop_from: str = "treated",
                      **kwargs) -> pd.Series:
    """:func:`did_log` recomputed with each unit of one group left out in turn (``drop_from`` is
    'treated' or 'control'), to see whether one country drives the estimate. Index: the unit left
    out; values: the estimate without it."""
    unit = kwargs.get("unit", "iso3")
    treated = set(treated)
    control = (set(panel[unit]) - treated) if control is None else set(control)
    group = treated if drop_from == "treated" else control
    if len(group) < 2:
        raise ValueError("leaving one out needs at least two units in the group")
    out = {}
    for left_out in sorted(group):
        t = treated - {left_out} if drop_from == "treated" else treated
        c = control - {left_out} if drop_from == "control" else control
        out[left_out] = did_log(panel, treated=t, control=c, **kwargs)
    return pd.Series(out, name="estimate")
