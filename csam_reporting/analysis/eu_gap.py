"""The EU ePrivacy gap: country panels, the comparison with countries that had no gap (difference-in-differences), intervals, permutations and leave-one-out."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import data
from .common import timeline_events
from .robustness import Check, Finding


# The 27 member states of the EU after the UK's withdrawal, by ISO 3166-1 alpha-3 code: an
# independent list to check the data's eu27 flag against.
DRAWS = 4000  # bootstrap and permutation draws
LEVEL = 0.95  # the interval's coverage

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

# The Western Balkans with an ISO code (Kosovo has none in NCMEC's lists): European countries
# outside the EU, with no ePrivacy gap, and a second European comparison beside the UK.
WESTERN_BALKANS_ISO3 = frozenset({"ALB", "BIH", "MNE", "MKD", "SRB"})


@data.cached
def country_reports() -> pd.DataFrame:
    """NCMEC's reports by country, one row per (year, iso3): labels that share a code in a year
    (spelling variants) are summed; rows without a country code (no country attributed, 'Europe',
    Kosovo) are dropped. Columns: year, iso3, eu27, reports."""
    rows = data.load("ncmec_country_reports")
    rows = rows[rows["iso3"].notna()]
    out = rows.groupby(["year", "iso3"], as_index=False).agg(reports=("reports", "sum"), eu27=("eu27", "any"))
    return out[["year", "iso3", "eu27", "reports"]]


@data.cached
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


@data.cached
def group_reports() -> pd.DataFrame:
    """Reports per year and comparison group (EU-27 without Poland, Poland, UK, non-EU Europe,
    rest of the world; reports with no country attributed are left out). Columns: year, group,
    reports."""
    rows = country_reports()
    rows = rows.assign(group=[country_group(i, e) for i, e in zip(rows["iso3"], rows["eu27"])])
    return rows.groupby(["year", "group"], as_index=False)["reports"].sum()


@data.cached
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
    return _split(_pre_post(panel, unit, time, value, pre, post), treated, control)


def _split(wide: pd.DataFrame, treated, control):
    """The treated and the control units' rows of a :func:`_pre_post` table."""
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


def did_bootstrap(panel: pd.DataFrame, *, treated, control=None, n: int = DRAWS, seed: int = 0,
                  level: float = LEVEL, unit: str = "iso3", time: str = "year", value: str = "reports",
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


def did_permutation(panel: pd.DataFrame, *, treated, control=None, n: int = DRAWS, seed: int = 0,
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
    # The two periods' values are tabled once; each estimate then only picks its units.
    wide = _pre_post(panel, unit, kwargs.get("time", "year"), kwargs.get("value", "reports"),
                     kwargs.get("pre", 2020), kwargs.get("post", 2021))
    unknown = set(kwargs) - {"unit", "time", "value", "pre", "post", "aggregate"}
    if unknown:
        raise TypeError(f"did_leave_one_out() got unexpected arguments: {sorted(unknown)}")
    out = {}
    for left_out in sorted(group):
        t, c = _split(wide, treated - {left_out} if drop_from == "treated" else treated,
                      control - {left_out} if drop_from == "control" else control)
        out[left_out] = float(_did_from_arrays(t["pre"].to_numpy(), t["post"].to_numpy(), c["pre"].to_numpy(),
                                               c["post"].to_numpy(), kwargs.get("aggregate", False)))
    return pd.Series(out, name="estimate")


def comparison_groups(panel: pd.DataFrame) -> dict[str, set]:
    """The comparison countries of a panel, by group: the UK, the Western Balkans, non-EU Europe
    (which includes the Western Balkans) and the rest of the world."""
    assert WESTERN_BALKANS_ISO3 <= NON_EU_EUROPE_ISO3
    return {
        "the UK": set(panel.loc[panel["group"] == "UK", "iso3"]),
        "the Western Balkans": set(panel.loc[panel["iso3"].isin(WESTERN_BALKANS_ISO3), "iso3"]),
        "non-EU Europe": set(panel.loc[panel["group"] == "non-EU Europe", "iso3"]),
        "rest of the world": set(panel.loc[panel["group"] == "rest of the world", "iso3"]),
    }


def typical_change(panel: pd.DataFrame, units, pre, post, *, unit="iso3", time="year", value="reports") -> float:
    """The typical change of a group of units from ``pre`` to ``post``: exp(mean change in log) − 1."""
    wide = _pre_post(panel, unit, time, value, pre, post)
    wide = wide[wide.index.isin(set(units))]
    if wide.empty:
        raise ValueError("no unit of the group has data in both periods")
    return float(np.expm1((np.log(wide["post"]) - np.log(wide["pre"])).mean()))


def did_table(panel: pd.DataFrame, treated: dict, groups: dict, *, before: int, gap: int, n: int = DRAWS,
              seed: int = 1) -> pd.DataFrame:
    """The difference-in-differences of each treated group against each comparison group, from
    ``before`` to ``gap``, with its two placebo periods: the year before (``before`` − 1 to
    ``before``) and the year after the gap closed (``before`` to ``gap`` + 1, when no gap remained:
    a comparison that still shows the treated group far behind measures a difference in trend).
    Columns: treated, comparison, countries, relative_change, low, high (95% bootstrap interval),
    p_value (permutation; NaN with one comparison country), pre_period, post_period, totals
    (on group totals), all as relative changes (exp(d) − 1)."""
    rows = []
    for t_name, t_ids in treated.items():
        for c_name, c_ids in groups.items():
            if not c_ids:
                continue
            kw = dict(treated=t_ids, control=c_ids, pre=before, post=gap)
            low, high = did_bootstrap(panel, **kw, n=n, seed=seed)
            perm = did_permutation(panel, **kw, n=n, seed=seed + 1) if len(c_ids) > 1 else None
            rows.append({
                "treated": t_name, "comparison": c_name, "countries": len(c_ids),
                "relative_change": np.expm1(did_log(panel, **kw)), "low": np.expm1(low), "high": np.expm1(high),
                "p_value": perm["p_value"] if perm else np.nan,
                "pre_period": np.expm1(did_log(panel, treated=t_ids, control=c_ids, pre=before - 1, post=before)),
                "post_period": np.expm1(did_log(panel, treated=t_ids, control=c_ids, pre=before, post=gap + 1)),
                "totals": np.expm1(did_log(panel, **kw, aggregate=True)),
            })
    return pd.DataFrame(rows)


def threshold_grid(*, before: int, gap: int, thresholds=(100, 1000, 10000), exclude=("POL",)) -> pd.DataFrame:
    """The EU-27 (without ``exclude``) against each comparison group at several inclusion
    thresholds, with the range of the estimate when one member state at a time is left out.
    Columns: comparison, threshold, eu_countries, comparison_countries, relative_change, loo_low,
    loo_high, most_influential (the member state whose removal moves it most, by NCMEC's label)."""
    labels = data.load("ncmec_country_reports").dropna(subset=["iso3"]).drop_duplicates("iso3", keep="last")
    names = labels.set_index("iso3")["country_label"].to_dict()
    rows = []
    for threshold in thresholds:
        p_t = eu_gap_panel(min_reports=threshold, base_year=before)
        eu_t = set(p_t.loc[p_t["eu27"].astype(bool), "iso3"]) - set(exclude)
        for name, control in comparison_groups(p_t).items():
            if not control:
                continue
            est = did_log(p_t, treated=eu_t, control=control, pre=before, post=gap)
            loo = did_leave_one_out(p_t, treated=eu_t, control=control, pre=before, post=gap)
            rows.append({"comparison": name, "threshold": threshold, "eu_countries": len(eu_t),
                         "comparison_countries": len(control), "relative_change": np.expm1(est),
                         "loo_low": np.expm1(loo.min()), "loo_high": np.expm1(loo.max()),
                         "most_influential": names.get(loo.sub(est).abs().idxmax(), loo.sub(est).abs().idxmax())})
    return pd.DataFrame(rows)


def event_study(panel: pd.DataFrame, treated, groups: dict, *, before: int, n: int = 2000, seed: int = 3) -> pd.DataFrame:
    """The treated group against each comparison group in every year, relative to ``before``
    (0 by construction), with 95% bootstrap intervals. Columns: comparison, year, estimate, low,
    high (relative changes)."""
    rows = []
    for name, control in groups.items():
        if not control:
            continue
        for year in sorted(panel["year"].unique()):
            if year == before:
                rows.append({"comparison": name, "year": int(year), "estimate": 0.0, "low": 0.0, "high": 0.0})
                continue
            kw = dict(treated=treated, control=control, pre=before, post=year)
            low, high = did_bootstrap(panel, **kw, n=n, seed=seed)
            rows.append({"comparison": name, "year": int(year), "estimate": np.expm1(did_log(panel, **kw)),
                         "low": np.expm1(low), "high": np.expm1(high)})
    return pd.DataFrame(rows)


@data.cached
def half_year_referrals(measure: str = "csam_referrals") -> pd.DataFrame:
    """NCMEC's referrals by jurisdiction for the two halves of 2024, summed by group over the
    jurisdictions with a value in both halves. Columns: group, jurisdictions, h1, h2, change,
    missing (jurisdictions of the group with the first half only). Referrals are not reports by
    location: never compared with the country counts."""
    rows = data.load("ncmec_jurisdiction_referrals")
    rows = rows[rows["measure"] == measure]
    wide = rows.pivot_table(index=["group", "jurisdiction"], columns="period", values="value", aggfunc="sum")
    assert {"2024-H1", "2024-H2"} <= set(wide.columns), "both halves of 2024"
    both = wide.dropna(subset=["2024-H1", "2024-H2"])
    out = both.groupby(level="group").agg(jurisdictions=("2024-H1", "size"), h1=("2024-H1", "sum"), h2=("2024-H2", "sum"))
    out["change"] = out["h2"] / out["h1"] - 1
    out["missing"] = wide.groupby(level="group").size().reindex(out.index) - out["jurisdictions"]
    return out.reset_index()


def world_half_year_change() -> float | None:
    """NCMEC's own published change in CSAM referrals from the first half of 2024 to the second,
    for all identified jurisdictions (a share), or None when not in the data."""
    rows = data.load("ncmec_jurisdiction_referrals")
    rows = rows[rows["measure"] == "csam_referrals_change_pct"]
    return float(rows["value"].iloc[0]) / 100 if len(rows) else None


@data.cached
def gap_years() -> tuple[int, int]:
    """(the year before the gap, the gap year): the gap began in the last days of one year and
    closed in August of the next, so the gap year is the calendar year after the one it began in,
    the only calendar year in which it was in force for months (not a full year of gap)."""
    events = data.load("policy_timeline").set_index("event_id")
    gap = int(events.loc["eu-eecc-applies-gap-starts", "date"].year) + 1
    return gap - 1, gap


@data.cached
def did_results(min_reports: int = 1000, n: int = DRAWS) -> pd.DataFrame:
    """:func:`did_table` for the EU-27 and the EU-27 without Poland against every comparison
    group, around the gap year, on the panel of countries with at least ``min_reports`` reports."""
    before, gap = gap_years()
    panel = eu_gap_panel(min_reports=min_reports, base_year=before)
    eu = set(panel.loc[panel["eu27"].astype(bool), "iso3"])
    return did_table(panel, {"EU-27": eu, "EU-27 without Poland": eu - {"POL"}}, comparison_groups(panel),
                     before=before, gap=gap, n=n)


def window_table() -> pd.DataFrame:
    """The published short-window figures for the fall in EU-related reports around the start of
    the gap, each with the change computed from its counts where they are published, and the
    calendar-year comparison from NCMEC's country lists as a last row."""
    before, gap = gap_years()
    eu = eu27_reports()
    rows = data.load("eu_short_window_reports").join(data.sources()["reliability"], on="source_id")
    start = timeline_events().set_index("event_id").loc["eu-eecc-applies-gap-starts", "when"]
    rows = rows.assign(
        scope=[sc + (" (secondary source)" if r == "secondary" else "") for sc, r in zip(rows["scope"], rows["reliability"])],
        change_computed=rows["reports_after"] / rows["reports_before"] - 1,
        change_published=rows["change_pct_published"] / 100,
        window=[f"{b} weeks before and {a} after" if pd.notna(b) and pd.notna(a) else f"since {start} (no window stated)"
                for b, a in zip(rows["weeks_before"], rows["weeks_after"])])
    calendar = pd.DataFrame([{"window": f"calendar {before} against calendar {gap}", "scope": "reports NCMEC attributes to the EU-27",
                              "reports_before": eu[before], "reports_after": eu[gap],
                              "change_computed": eu[gap] / eu[before] - 1, "source_id": f"ncmec-country-{gap}"}])
    out = pd.concat([rows, calendar], ignore_index=True)
    return out.astype({"reports_before": "Int64", "reports_after": "Int64"})


# --- the key finding and the words that depend on its signs --------------------------------------

COMPARISONS = ("the UK", "the Western Balkans", "non-EU Europe", "the rest of the world")


def relative_phrase(change: float, other: str) -> str:
    """How the typical member state moved against ``other``: 'fell 39% behind the UK', 'gained 12% on
    the UK', or 'moved with the UK' (within half a percentage point)."""
    if abs(change) < 0.005:
        return f"moved with {other}"
    return f"fell {abs(change):.0%} behind {other}" if change < 0 else f"gained {change:.0%} on {other}"


def compare_changes(change: float, base: float, base_name: str = "the EU") -> str:
    """A group's change set beside ``base``'s, in words: 'fell more than the EU', 'rose less than the
    EU', 'rose while the EU fell'."""
    if (change < 0) == (base < 0):
        verb = "fell" if change < 0 else "rose"
        more = abs(change) > abs(base)
        return f"{verb} {'more' if more else 'less'} than {base_name}"
    return f"{'fell' if change < 0 else 'rose'} while {base_name} {'fell' if base < 0 else 'rose'}"


def comparison_wording(values: dict, surviving: dict, caveats: dict) -> dict:
    """The words of the EU-gap finding that depend on the data, so that a new year cannot leave the
    prose saying 'fell behind' beside a positive number or 'none survives' beside a survivor.

    ``values`` holds the relative changes (``did_uk``, ``did_wb``, ``did_neu``, ``did_rest``), the
    UK's year after the gap (``did_uk_post``, ``did_uk_pre``) and the two groups' typical changes
    (``wb_typical``, ``eu_typical``); ``surviving`` maps each of COMPARISONS to whether it supports
    a gap effect and survives its control; ``caveats`` maps a comparison to why it does not (used
    where the EU fell behind it but the control fails)."""
    keys = dict(zip(COMPARISONS, ("did_uk", "did_wb", "did_neu", "did_rest")))
    agree = len({values[k] < 0 for k in keys.values()}) == 1
    n_surviving, n = sum(bool(surviving[c]) for c in COMPARISONS), len(COMPARISONS)
    clauses = []
    for name, key in keys.items():
        clause = ("fell behind " if values[key] < 0 else "did better than ") + name
        if values[key] < 0 and not surviving[name]:
            clause += f", but {caveats[name]}"
        clauses.append(clause)
    if n_surviving == 0:
        conclusion = "The country counts show no gap effect that survives a control."
    elif n_surviving == n:
        conclusion = "Every comparison survives its control."
    else:
        agreeing = "survives its control" if n_surviving == 1 else "survive their control"
        conclusion = (f"{n_surviving} of {n} comparisons {agreeing}; the country counts do not establish a gap "
                      "effect.")
    uk_placebo_holds = abs(values["did_uk_post"]) < abs(values["did_uk"]) / 2
    pre, post = values["did_uk_pre"], values["did_uk_post"]
    before_phrase = (f"moving with it the year before ({pre:+.0%})" if abs(pre) < 0.05 else
                     f"{'falling' if pre < 0 else 'gaining'} {abs(pre):.0%} {'behind' if pre < 0 else 'on'} it the year before")
    persists = not uk_placebo_holds and (post < 0) == (values["did_uk"] < 0)
    uk = (f"Against the UK the typical member state (Poland aside) {relative_phrase(values['did_uk'], 'it')} in "
          f"{values['gap_year']}, after {before_phrase}; in {values['gap_year'] + 1}, after the gap had closed, it "
          f"{'still ' if persists else ''}stood {abs(post):.0%} {'behind' if post < 0 else 'ahead of'} it "
          f"(against {values['before_year']})"
          + (": the placebo holds." if uk_placebo_holds else
             (", so the gap-year shortfall cannot be told apart from a divergence that went on after the gap closed."
              if values["did_uk"] < 0 else ", so the gain outlasted the gap and cannot be put down to it.")
             if persists else ": the difference reversed once the gap had closed, so the placebo fails."))
    return {
        "eu_comparisons_agree": agree,
        "eu_comparisons_surviving": n_surviving,
        "eu_comparisons_text": (f"Compared with countries that had no gap, the results {'agree' if agree else 'disagree'} "
                                f"in sign: the EU {'; '.join(clauses)}. {conclusion[:-1]}"),  # no full stop: a link follows
        "eu_comparisons_short": (f"compared with countries that had no gap, the results {'agree' if agree else 'disagree'} "
                                 f"in sign, and {conclusion[0].lower()}{conclusion[1:-1]}"),
        "eu_answer": ("the EU's country counts show no effect that survives a control." if n_surviving == 0 else
                      "the EU's country counts fall behind in every comparison, and each survives its control."
                      if n_surviving == n else
                      f"{n_surviving} of {n} comparisons with the EU's country counts "
                      f"{'survives' if n_surviving == 1 else 'survive'} a control, which does not establish an effect."),
        "eu_verdict_sentence": (f"The comparisons {'agree in sign' if agree else 'disagree, even in sign'}, and "
                                + ("none survives its control." if n_surviving == 0 else
                                   "every one survives its control." if n_surviving == n else
                                   f"{n_surviving} of {n} {'survives its' if n_surviving == 1 else 'survive their'} "
                                   "control.")),
        "eu_uk_sentence": uk,
        "eu_wb_clause": compare_changes(values["wb_typical"], values["eu_typical"]),
        "eu_conclusion": conclusion,
    }


def finding():
    """The encryption chapter's key finding on the EU gap: the EU-27's change in the gap year, and
    each comparison group with the control it must survive."""
    before, gap = gap_years()
    eu, eu_no_pl = eu27_reports(), eu27_reports(exclude=("POL",))
    did = did_results().set_index(["treated", "comparison"]).loc["EU-27 without Poland"]
    panel = eu_gap_panel(min_reports=1000, base_year=before)
    groups = comparison_groups(panel)
    eu_ids = set(panel.loc[panel["eu27"].astype(bool), "iso3"]) - {"POL"}
    values = {
        "gap_year": gap, "before_year": before,
        "eu_change": float(eu[gap] / eu[before] - 1), "eu_no_pl_change": float(eu_no_pl[gap] / eu_no_pl[before] - 1),
        "eu_typical": typical_change(panel, eu_ids, before, gap),
        "wb_typical": typical_change(panel, groups["the Western Balkans"], before, gap),
        "did_uk": float(did.loc["the UK", "relative_change"]), "did_uk_pre": float(did.loc["the UK", "pre_period"]),
        "did_uk_post": float(did.loc["the UK", "post_period"]),
        "did_wb": float(did.loc["the Western Balkans", "relative_change"]),
        "did_wb_p": float(did.loc["the Western Balkans", "p_value"]),
        "did_neu": float(did.loc["non-EU Europe", "relative_change"]), "did_neu_p": float(did.loc["non-EU Europe", "p_value"]),
        "did_rest": float(did.loc["rest of the world", "relative_change"]),
        "did_rest_pre": float(did.loc["rest of the world", "pre_period"]),
    }
    grid = threshold_grid(before=before, gap=gap, thresholds=(1000,))
    grid = grid.assign(spread=(grid[["loo_low", "loo_high"]].sub(grid["relative_change"], axis=0)).abs().max(axis=1))
    values["loo_max_points"] = float(grid["spread"].max() * 100)
    uk_placebo_ok = abs(values["did_uk_post"]) < abs(values["did_uk"]) / 2
    rest_placebo_ok = abs(values["did_rest_pre"]) < abs(values["did_rest"]) / 2
    surviving = {
        "the UK": values["did_uk"] < 0 and uk_placebo_ok,
        "the Western Balkans": values["did_wb"] < 0 and values["did_wb_p"] < 0.05,
        "non-EU Europe": values["did_neu"] < 0 and values["did_neu_p"] < 0.05,
        "the rest of the world": values["did_rest"] < 0 and rest_placebo_ok,
    }
    caveats = {
        "the UK": "that comparison fails its placebo",
        "the Western Balkans": f"not beyond chance (permutation p = {values['did_wb_p']:.2f})",
        "non-EU Europe": f"not beyond chance (permutation p = {values['did_neu_p']:.2f})",
        "the rest of the world": ("it was already falling behind the year before" if values["did_rest_pre"] < 0 else
                                  "it was moving the other way the year before, so that comparison fails its placebo"),
    }
    values.update(comparison_wording(values, surviving, caveats))
    gap_end = timeline_events().set_index("event_id").loc["eu-derogation-applies-gap-ends", "when"]
    values["gap_end_when"] = gap_end
    statement = (f"In {gap}, the calendar year in which the ePrivacy gap was in force (until {gap_end}), "
                 f"reports attributed to the EU-27 changed {values['eu_change']:+.0%} "
                 f"({values['eu_no_pl_change']:+.0%} without Poland). Compared with countries that had no gap, "
                 f"the results {'agree' if values['eu_comparisons_agree'] else 'disagree'} in sign: "
                 + values["eu_conclusion"][0].lower() + values["eu_conclusion"][1:])
    checks = (
        Check("one outlier removed", f"without Poland, whose {before} count was a spike: EU-27 "
              f"{values['eu_no_pl_change']:+.0%}; leaving out any other member state moves the country-level "
              f"estimate by at most {values['loo_max_points']:.0f} points", bool(values["eu_no_pl_change"] < 0)),
        Check("comparison group", f"against the UK: {values['did_uk']:+.0%} for the typical member state (one "
              f"comparison country; {values['did_uk_pre']:+.0%} the year before)"
              + ("; its placebo in the next row fails" if not uk_placebo_ok else ""), bool(surviving["the UK"])),
        Check("placebo period", f"against the UK, {before}→{gap + 1}, after the gap had closed: "
              f"{values['did_uk_post']:+.0%}"
              + ((", still behind: the gap-year shortfall cannot be told apart from a divergence that went on"
                  if values["did_uk"] < 0 else ", still ahead: the gain outlasted the gap")
                 if not uk_placebo_ok and (values["did_uk_post"] < 0) == (values["did_uk"] < 0) else
                 ": the difference reversed once the gap had closed, so the placebo fails" if not uk_placebo_ok else ""),
              bool(uk_placebo_ok)),
        Check("comparison group", f"against the Western Balkans, which had no gap: their typical country "
              f"{values['wb_typical']:+.0%}, the typical member state {values['eu_typical']:+.0%} "
              f"(EU {values['did_wb']:+.0%} relative, permutation p = {values['did_wb_p']:.2f})",
              bool(surviving["the Western Balkans"])),
        Check("comparison group", f"against non-EU Europe: {values['did_neu']:+.0%}, permutation p = "
              f"{values['did_neu_p']:.2f}", bool(values["did_neu"] < 0 and values["did_neu_p"] < 0.05)),
        Check("placebo period", f"against the rest of the world: {values['did_rest']:+.0%} in {gap}, and "
              f"{values['did_rest_pre']:+.0%} in {before - 1}→{before}, with no gap"
              + ((": already moving the same way" if (values["did_rest_pre"] < 0) == (values["did_rest"] < 0) else
                  ": the other way") if not rest_placebo_ok else ""), bool(rest_placebo_ok)),
    )
    return Finding("eu_gap", statement, values, checks)
