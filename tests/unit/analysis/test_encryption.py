"""The encryption chapter's computations (csam_reporting.analysis.encryption and eu_gap)."""
import csv
import io
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from csam_reporting import data
from csam_reporting.analysis import common, encryption, eu_gap, meta, robustness

# NCMEC's labels for Meta's services in 2019-2025, as printed (2019-2023) or transcribed (2024-2025):
# an independent list, so the check below does not go through the label → platform mapping.
META_LABELS = {"Facebook*", "Facebook", "Instagram", "Instagram, Inc.", "WhatsApp", "WhatsApp Inc.",
               "Threads", "Oculus", "Meta AI"}


# --- Meta by app -------------------------------------------------------------------------------

def test_meta_total_equals_the_sum_of_its_apps_in_every_year():
    apps = encryption.meta_reports_by_app()
    total = encryption.meta_total_reports()
    by_year = apps.groupby("year")["reports"].sum()
    assert (total == by_year).all()
    for year in (2021, 2022, 2023, 2024, 2025):  # the years NCMEC lists the apps apart
        listed = apps[apps["year"] == year].set_index("platform_id")["reports"]
        assert {"facebook", "instagram", "whatsapp"} <= set(listed.index)
        assert "meta_combined" not in listed.index
        assert total[year] == listed.sum()


def test_meta_total_matches_ncmecs_own_rows_for_meta_labels():
    """Guards against the label mapping duplicating or dropping rows (e.g. when it gains a key)."""
    raw = data.load("ncmec_esp_reports")
    expected = raw[raw["esp_label"].isin(META_LABELS)].groupby("year")["reports"].sum()
    total = encryption.meta_total_reports()
    assert sorted(total.index) == sorted(expected.index)
    assert (total.sort_index() == expected.sort_index().astype("int64")).all()


def test_meta_is_combined_before_2021_and_messenger_is_never_listed():
    apps = encryption.meta_reports_by_app()
    early = apps[apps["year"] <= 2020]
    assert set(early["platform_id"]) == {"meta_combined"}
    assert "messenger" not in set(apps["platform_id"])
    assert apps.loc[apps["year"] >= 2024, "bundled"].all() and not apps.loc[apps["year"] <= 2023, "bundled"].any()


def test_mapping_merge_keeps_one_row_per_report_row():
    assert len(common.esp_reports_by_platform()) == len(data.load("ncmec_esp_reports"))


# --- EU-27 sums ------------------------------------------------------------------------------

def test_eu27_sum_equals_its_member_states():
    rows = data.load("ncmec_country_reports")
    members = rows[rows["iso3"].isin(eu_gap.EU27_ISO3)]
    # every year lists each of the 27 member states, and the eu27 flag marks exactly them
    assert (members.groupby("year")["iso3"].nunique() == 27).all()
    flagged = rows[rows["eu27"].fillna(False).astype(bool)]
    assert set(flagged["iso3"]) == set(eu_gap.EU27_ISO3)
    expected = members.groupby("year")["reports"].sum()
    assert (eu_gap.eu27_reports() == expected.astype("int64")).all()


def test_eu27_without_poland_is_the_sum_less_poland():
    rows = data.load("ncmec_country_reports")
    poland = rows[rows["iso3"] == "POL"].groupby("year")["reports"].sum()
    assert (eu_gap.eu27_reports(exclude=("POL",)) == eu_gap.eu27_reports() - poland).all()


def test_comparison_groups_cover_every_attributed_report_once():
    groups = eu_gap.group_reports().groupby("year")["reports"].sum()
    rows = data.load("ncmec_country_reports")
    attributed = rows[rows["iso3"].notna()].groupby("year")["reports"].sum()
    assert (groups == attributed).all()
    assert not (eu_gap.NON_EU_EUROPE_ISO3 & eu_gap.EU27_ISO3) and "GBR" not in eu_gap.NON_EU_EUROPE_ISO3


# --- difference-in-differences -----------------------------------------------------------------

def constructed_panel(effect: float, n_treated=30, n_control=120, noise=0.0, seed=1) -> pd.DataFrame:
    """log reports = unit effect + year effect + effect × (treated and post) + noise."""
    rng = np.random.default_rng(seed)
    years = [2019, 2020, 2021]
    year_effect = {2019: 0.0, 2020: 0.3, 2021: 0.6}
    rows = []
    for i in range(n_treated + n_control):
        unit = f"T{i}" if i < n_treated else f"C{i}"
        base = rng.uniform(5, 12)
        for year in years:
            log_value = base + year_effect[year] + (effect if unit.startswith("T") and year == 2021 else 0.0)
            log_value += rng.normal(0, noise) if noise else 0.0
            rows.append({"iso3": unit, "year": year, "reports": float(np.exp(log_value))})
    return pd.DataFrame(rows)


def treated_units(panel):
    return {u for u in panel["iso3"] if u.startswith("T")}


@pytest.mark.parametrize("aggregate", [False, True])
def test_did_recovers_a_known_effect_without_noise(aggregate):
    panel = constructed_panel(effect=-0.4)
    estimate = eu_gap.did_log(panel, treated=treated_units(panel), aggregate=aggregate)
    assert estimate == pytest.approx(-0.4, abs=1e-9)
    # the year before: no effect
    assert eu_gap.did_log(panel, treated=treated_units(panel), pre=2019, post=2020,
                           aggregate=aggregate) == pytest.approx(0.0, abs=1e-9)


def test_did_with_noise_is_close_and_its_interval_covers_the_truth():
    panel = constructed_panel(effect=-0.3, noise=0.15)
    treated = treated_units(panel)
    estimate = eu_gap.did_log(panel, treated=treated)
    assert estimate == pytest.approx(-0.3, abs=0.08)
    low, high = eu_gap.did_bootstrap(panel, treated=treated, n=1000)
    assert low < -0.3 < high and low < estimate < high
    test = eu_gap.did_permutation(panel, treated=treated, n=1000)
    assert test["estimate"] == pytest.approx(estimate)
    assert test["p_value"] < 0.01
    assert test["placebo_low"] < 0 < test["placebo_high"]


def test_no_effect_gives_an_interval_around_zero_and_a_large_p_value():
    panel = constructed_panel(effect=0.0, noise=0.15, seed=3)
    treated = treated_units(panel)
    low, high = eu_gap.did_bootstrap(panel, treated=treated, n=1000)
    assert low < 0 < high
    assert eu_gap.did_permutation(panel, treated=treated, n=1000)["p_value"] > 0.05


def test_did_leaves_out_units_without_positive_counts():
    panel = constructed_panel(effect=-0.4)
    broken = panel.copy()
    broken.loc[(broken["iso3"] == "C40") & (broken["year"] == 2021), "reports"] = 0
    assert eu_gap.did_log(broken, treated=treated_units(panel)) == pytest.approx(-0.4, abs=1e-9)
    with pytest.raises(ValueError):
        eu_gap.did_log(panel, treated={"nobody"}, control={"nobody-else"})


def test_eu_gap_panel_keeps_countries_with_counts_in_every_year():
    panel = eu_gap.eu_gap_panel(min_reports=1000)
    counts = panel.groupby("iso3")["year"].nunique()
    assert (counts == panel["year"].nunique()).all()
    assert (panel["reports"] > 0).all()
    assert {"POL", "GBR", "DEU"} <= set(panel["iso3"])


# --- bundling bounds ---------------------------------------------------------------------------

def test_bundling_bounds_span_no_and_all_compression_on_meta():
    table = encryption.bundling_bounds(meta_before=100, meta_after=40, reports_after=60, incidents_after=80,
                                    shares=(0.0, 0.5, 1.0)).set_index("share_of_compression_on_meta")
    assert table.loc[0.0, "fall_not_bundling"] == 60  # none of the 20 bundled away was Meta's
    assert table.loc[1.0, "fall_not_bundling"] == 40  # all 20 were Meta's
    assert table.loc[0.5, "meta_unbundled"] == 50
    assert (table["fall_from_bundling"] + table["fall_not_bundling"] == table["fall_total"]).all()
    with pytest.raises(ValueError):
        encryption.bundling_bounds(100, 40, 60, 50)


# --- dates as precise as they are known ----------------------------------------------------------

def test_event_dates_honour_their_precision():
    assert common.format_event_date("2024-05-07", "day") == "7 May 2024"
    assert common.format_event_date("2024-05-01", "month") == "May 2024"
    assert common.format_event_date("2024-01-01", "year") == "2024"
    with pytest.raises(ValueError):
        common.format_event_date("2024-01-01", "week")


def test_timeline_sorts_month_precision_events_after_the_dated_ones():
    events = common.timeline_events()["event_id"].tolist()
    assert events.index("facebook-eu-scanning-resumes") < events.index("meta-default-e2ee-postponed")
    dates = common.timeline_events()
    report_act = dates.set_index("event_id").loc["us-report-act"]
    assert report_act["when"] == "7 May 2024"


def test_leave_one_out_is_flat_when_every_unit_has_the_same_effect():
    panel = constructed_panel(effect=-0.25)
    loo = eu_gap.did_leave_one_out(panel, treated=treated_units(panel))
    assert len(loo) == len(treated_units(panel))
    assert np.allclose(loo.to_numpy(), -0.25)
    loo_c = eu_gap.did_leave_one_out(panel, treated=treated_units(panel), drop_from="control")
    assert np.allclose(loo_c.to_numpy(), -0.25)


def test_leave_one_out_finds_the_unit_that_drives_an_estimate():
    panel = constructed_panel(effect=0.0)
    outlier = panel["iso3"].eq("T0") & panel["year"].eq(2021)
    panel.loc[outlier, "reports"] *= np.exp(-3.0)  # one treated unit collapses in the post year
    loo = eu_gap.did_leave_one_out(panel, treated=treated_units(panel))
    assert loo.idxmax() == "T0" and loo["T0"] == pytest.approx(0.0, abs=1e-9)


def test_leave_one_out_equals_did_log_without_that_unit():
    """The fast path (the two periods tabled once) gives what did_log gives on each reduced group."""
    rng = np.random.default_rng(3)
    panel = constructed_panel(effect=-0.1)
    panel["reports"] = panel["reports"] * np.exp(rng.normal(0, 0.3, len(panel)))
    treated = treated_units(panel)
    control = set(panel["iso3"]) - set(treated)
    for aggregate in (False, True):
        loo = eu_gap.did_leave_one_out(panel, treated=treated, aggregate=aggregate)
        for unit, estimate in loo.items():
            assert estimate == pytest.approx(eu_gap.did_log(panel, treated=set(treated) - {unit},
                                                             control=control, aggregate=aggregate))
        loo_c = eu_gap.did_leave_one_out(panel, treated=treated, drop_from="control", aggregate=aggregate)
        for unit, estimate in loo_c.items():
            assert estimate == pytest.approx(eu_gap.did_log(panel, treated=treated, control=control - {unit},
                                                             aggregate=aggregate))
    with pytest.raises(TypeError):
        eu_gap.did_leave_one_out(panel, treated=treated, agregate=True)


# --- the chapter's own datasets ---------------------------------------------------------------

def test_short_window_changes_agree_with_their_counts_where_published():
    windows = data.load("eu_short_window_reports")
    with_counts = windows.dropna(subset=["reports_before", "reports_after"])
    assert len(with_counts) >= 1
    for row in with_counts.itertuples():
        computed = (row.reports_after / row.reports_before - 1) * 100
        assert round(computed) == row.change_pct_published, row.window_id


def test_each_forecast_is_a_share_or_a_number_not_both():
    forecasts = data.load("e2ee_forecasts")
    has_share = forecasts["share_lost_pct"].notna()
    has_count = forecasts["reports_lost"].notna()
    assert (has_share ^ has_count).all()
    assert (forecasts["made_precision"].isin(["day", "month", "year"])).all()


def test_statement_dates_and_precisions_come_together():
    statements = data.load("e2ee_statements")
    assert (statements["said"].isna() == statements["said_precision"].isna()).all()


# --- Meta's own quarterly count ----------------------------------------------------------------

def test_same_quarter_changes_compare_with_the_same_quarter_a_year_earlier():
    quarters = pd.date_range("2022-01-01", periods=8, freq="QS")
    series = pd.Series([10, 20, 30, 40, 5, 30, 15, 80], index=quarters, dtype=float)
    out = meta.same_quarter_changes(series).set_index("label")
    assert out.loc["Q1 2023", "change"] == pytest.approx(-0.5)    # 5 against 10, not against 40
    assert out.loc["Q4 2023", "change"] == pytest.approx(1.0)
    assert out.loc[["Q1 2022", "Q2 2022", "Q3 2022", "Q4 2022"], "change"].isna().all()
    assert meta.quarter("Q3 2024") == pd.Timestamp("2024-07-01")


def test_cybertip_basis_recomputed_from_the_raw_rows():
    raw = data.load("platform_transparency")
    tips = raw[(raw["platform_id"] == "meta") & (raw["measure"] == "ncmec_reports")]
    esp = data.load("ncmec_esp_reports")
    fb_ig = esp[esp["esp_label"].isin({"Facebook", "Instagram", "Instagram, Inc."})].groupby("year")["reports"].sum()
    basis = meta.cybertip_basis().set_index("year")
    assert len(basis) >= 1
    for year, row in basis.iterrows():
        quarters = tips[tips["period_start"].dt.year == year]
        assert len(quarters) == 4
        assert row["meta_quarters_sum"] == quarters["value"].sum()
        assert row["ncmec_fb_ig"] == fb_ig[year]
        assert row["gap"] == pytest.approx(quarters["value"].sum() / fb_ig[year] - 1)
    # Meta's 2024 count is on NCMEC's bundled basis: within a few per cent of the bundled count
    assert basis.loc[2024, "bundled"] and abs(basis.loc[2024, "gap"]) < 0.05
    assert meta.on_bundled_basis()
    assert not meta.on_bundled_basis(tolerance=abs(basis.loc[2024, "gap"]) / 2)


# --- bundling bounds by base year --------------------------------------------------------------

def test_bounds_by_base_year_recomputed_from_the_raw_rows():
    raw = data.load("ncmec_esp_reports")
    meta_by_year = raw[raw["esp_label"].isin(META_LABELS)].groupby("year")["reports"].sum()
    instagram = raw[raw["esp_label"].isin({"Instagram", "Instagram, Inc."})].groupby("year")["reports"].sum()
    yearly = data.load("cybertipline_reports_yearly")
    incidents = yearly[yearly["measure"] == "incidents"].set_index("year")["count"]
    reports = yearly[yearly["measure"] == "total_reports"].groupby("year")["count"].max()
    table = encryption.bounds_by_base_year()
    after = table.attrs["after"]
    compression = incidents[after] - reports[after]
    for row in table.iloc[:-1].itertuples():
        fall = meta_by_year[row.base_year] - meta_by_year[after]
        assert row.high == pytest.approx(fall) and row.low == pytest.approx(fall - compression)
    excess = instagram[2023] - instagram[2022]
    netted = table.iloc[-1]
    assert netted["low"] == pytest.approx(meta_by_year[2023] - meta_by_year[after] - compression - excess)
    # the spike year gives the widest bound: earlier bases give smaller ones, down to below zero
    lows = table.iloc[:-1].set_index("base_year")["low"]
    assert lows[2023] > lows[2022] > netted["low"]
    assert {2019, 2020} <= set(lows.index)        # the bases before Meta's growth are tried too
    assert lows[2020] == pytest.approx(meta_by_year[2020] - meta_by_year[after] - compression)
    bounds = {f.key: f for f in encryption.key_findings()}["bundling_bounds"]
    check = [c for c in bounds.checks if c.objection == "another base year"][0]
    assert check.survives == bool((lows > 0).all())
    if (lows <= 0).any():
        assert "bundling alone could explain" in bounds.statement


# --- other companies, company by company -------------------------------------------------------

def test_other_companies_sum_their_rows_on_one_basis():
    table = encryption.other_companies(2023, 2024).set_index("key")
    firms = encryption.company_reports()
    listed = set(firms.loc[firms["year"] == 2023, "company"]) & set(firms.loc[firms["year"] == 2024, "company"])
    listed.discard("meta")
    for year, column in ((2023, "before"), (2024, "after")):
        expected = firms[(firms["year"] == year) & firms["company"].isin(listed)]["reports"].sum()
        assert table.loc["all", column] == expected
        shown = table.drop(index=["all", "without_largest"])[column].sum()
        assert shown == expected  # the named companies and the pooled rest add up to the whole
        without = expected - table.loc[["bytedance", "snap"], column].sum()
        assert table.loc["without_largest", column] == without
    assert (table["change"] == table["after"] / table["before"] - 1).all()


def test_company_reports_keep_every_row_including_services_without_an_owner():
    """A service with no owner recorded (Imgur, Grindr, ...) is a company of its own, not dropped."""
    raw = data.load("ncmec_esp_reports")
    firms = encryption.company_reports()
    assert (firms.groupby("year")["reports"].sum() == raw.groupby("year")["reports"].sum()).all()
    # the company of each raw row, worked out independently of the analysis module
    mapping = data.load("ncmec_esp_platforms").assign(line_item=lambda d: d["line_item"].fillna(""))
    owners = data.load("platforms").set_index("platform_id")["parent_company"]
    rows = raw.assign(line_item=raw["line_item"].fillna("")).merge(mapping, on=["esp_label", "line_item"], how="left")
    rows["company"] = rows["platform_id"].map(owners).fillna("esp:" + rows["platform_id"])
    assert rows["parent_company"].isna().any() if "parent_company" in rows else owners.isna().any()
    rows = rows[rows["company"] != "meta"]
    listed = set(rows.loc[rows["year"] == 2023, "company"]) & set(rows.loc[rows["year"] == 2024, "company"])
    assert any(c.startswith("esp:") for c in listed)   # services without an owner are compared
    table = encryption.other_companies(2023, 2024)
    assert table.attrs["companies"] == len(listed)
    table = table.set_index("key")
    for year, column in ((2023, "before"), (2024, "after")):
        assert table.loc["all", column] == rows[(rows["year"] == year) & rows["company"].isin(listed)]["reports"].sum()


def test_informational_placebo_is_the_year_on_year_change_before_the_break():
    split = encryption.informational_split()
    placebo = encryption.informational_placebo(2023)
    assert placebo.index.max() == 2023 and len(placebo) == len(split[split.index <= 2023]) - 1
    for year, row in placebo.iterrows():
        assert row["informational_change"] == pytest.approx(split.loc[year, "informational"] / split.loc[year - 1, "informational"] - 1)
        assert row["share_change"] == pytest.approx(split.loc[year, "informational_share"] - split.loc[year - 1, "informational_share"])


def test_informational_split_recomputed_from_the_raw_rows():
    split = encryption.informational_split()
    raw = common.preferred(data.load("ncmec_report_recipients"), ["year", "recipient", "classification"])
    for year in split.index:
        rows = raw[raw["year"] == year]
        assert split.loc[year, "informational"] == rows.loc[rows["classification"] == "informational", "reports"].sum()
    test = encryption.informational_test(2023, 2024)
    if 2024 in split.index:
        assert test["informational_change"] == pytest.approx(split.loc[2024, "informational"] / split.loc[2023, "informational"] - 1)
    else:
        assert test is None


# --- the EU gap: comparison groups and placebo periods -----------------------------------------

def four_year_panel(effect: float, post_effect: float = 0.0, seed=2) -> pd.DataFrame:
    """log reports = unit + year effects, plus ``effect`` for treated units in 2021 and
    ``post_effect`` in 2022 (a gap whose effect persists, or not, after it closed)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(60):
        unit = f"T{i}" if i < 20 else f"C{i}"
        base = rng.uniform(6, 11)
        for year, year_effect in {2019: 0.0, 2020: 0.2, 2021: 0.5, 2022: 0.9}.items():
            extra = (effect if year == 2021 else post_effect if year == 2022 else 0.0) if unit.startswith("T") else 0.0
            rows.append({"iso3": unit, "year": year, "reports": float(np.exp(base + year_effect + extra))})
    return pd.DataFrame(rows)


def test_did_table_shows_both_placebo_periods():
    panel = four_year_panel(effect=-0.4)
    treated = {u for u in panel["iso3"] if u.startswith("T")}
    control = set(panel["iso3"]) - treated
    table = eu_gap.did_table(panel, {"T": treated}, {"C": control}, before=2020, gap=2021, n=200).iloc[0]
    assert table["relative_change"] == pytest.approx(np.expm1(-0.4))
    assert table["pre_period"] == pytest.approx(0.0, abs=1e-9)
    assert table["post_period"] == pytest.approx(0.0, abs=1e-9)   # the effect ended with the gap
    lasting = four_year_panel(effect=-0.4, post_effect=-0.4)
    row = eu_gap.did_table(lasting, {"T": treated}, {"C": control}, before=2020, gap=2021, n=200).iloc[0]
    assert row["post_period"] == pytest.approx(np.expm1(-0.4))     # a placebo that fails


def test_typical_change_is_the_mean_log_change():
    panel = four_year_panel(effect=-0.4)
    treated = {u for u in panel["iso3"] if u.startswith("T")}
    assert eu_gap.typical_change(panel, treated, 2020, 2021) == pytest.approx(np.expm1(0.3 - 0.4))
    with pytest.raises(ValueError):
        eu_gap.typical_change(panel, {"nobody"}, 2020, 2021)


def test_western_balkans_are_european_and_outside_the_eu():
    assert eu_gap.WESTERN_BALKANS_ISO3 <= eu_gap.NON_EU_EUROPE_ISO3
    assert not eu_gap.WESTERN_BALKANS_ISO3 & eu_gap.EU27_ISO3
    groups = eu_gap.comparison_groups(eu_gap.eu_gap_panel(min_reports=1000))
    assert groups["the UK"] == {"GBR"} and len(groups["the Western Balkans"]) >= 3
    assert groups["the Western Balkans"] <= groups["non-EU Europe"]


def test_half_year_referrals_sum_their_jurisdictions():
    if "ncmec_jurisdiction_referrals" not in data.resource_names():
        pytest.skip("the 2024 half-year referrals are not in data/")
    raw = data.load("ncmec_jurisdiction_referrals")
    raw = raw[raw["measure"] == "csam_referrals"]
    wide = raw.pivot_table(index=["group", "jurisdiction"], columns="period", values="value").dropna(subset=["2024-H1", "2024-H2"])
    for row in eu_gap.half_year_referrals().itertuples():
        part = wide.loc[row.group]
        assert row.h1 == part["2024-H1"].sum() and row.h2 == part["2024-H2"].sum()
        assert row.jurisdictions == len(part)


# --- key findings ----------------------------------------------------------------------------

def test_key_findings_carry_computed_checks_and_say_less_where_one_fails():
    findings = {f.key: f for f in encryption.key_findings()}
    assert {"meta_quarterly", "bundling_bounds", "other_companies", "whatsapp", "eu_gap"} <= set(findings)
    for finding in findings.values():
        assert finding.checks, finding.key
        for value in finding.values.values():
            assert not (isinstance(value, float) and np.isnan(value)), finding.key
    eu = findings["eu_gap"]
    assert not eu.survives and "no gap effect that survives" in eu.statement
    assert any(c.objection == "placebo period" and not c.survives for c in eu.checks)
    # a comparison whose placebo fails does not survive either
    uk = [c for c in eu.checks if c.result.startswith("against the UK")]
    assert uk[1].objection == "placebo period" and (uk[0].survives <= uk[1].survives)
    # Facebook's fall is tried against the year before the roll-out, up to the latest quarter published
    fb = meta.same_quarter_changes(meta.content_actioned()["facebook"].dropna()).dropna(subset=["change"])
    quarterly = findings["meta_quarterly"]
    q = quarterly.values
    assert q["fb_since_last_label"] == fb["label"].iloc[-1]
    placebo = fb[fb["quarter"].dt.year == q["fb_placebo_year"]]
    assert q["fb_placebo_falls"] == int((placebo["change"] < 0).sum())
    fb_placebo = [c for c in quarterly.checks if c.objection == "placebo period"][0]
    assert fb_placebo.survives == (q["fb_placebo_falls"] * 2 <= q["fb_placebo_quarters"])
    info = findings.get("informational")
    if info is not None:
        assert any(c.objection == "placebo period" for c in info.checks)
        assert "would look the same" in info.statement
    quarterly = findings["meta_quarterly"]
    counting = [c for c in quarterly.checks if c.objection == "change in counting"][0]
    assert not counting.survives and "bundled" in quarterly.statement
    rows = robustness.table(encryption.key_findings())
    assert len(rows) == sum(len(f.checks) for f in findings.values())


def _append_rows(path, rows):
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    buffer = io.StringIO()
    csv.DictWriter(buffer, header, lineterminator="\n").writerows(rows)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + buffer.getvalue(), encoding="utf-8")


def test_a_year_in_the_totals_only_still_gives_the_findings(tmp_path, monkeypatch):
    """NCMEC's yearly total often arrives before its per-service table: the findings must still compute."""
    folder = tmp_path / "data"
    shutil.copytree(data.data_dir(), folder)
    monkeypatch.setenv("CSAM_DATA_DIR", str(folder))
    rows = data.load("cybertipline_reports_yearly")
    latest = int(rows["year"].max())
    new = latest + 1
    base = {"year": str(new), "bundled": "true", "source_id": "ncmec-esp-2025-grimm", "locator": "synthetic row",
            "notes": "Synthetic year for a test."}
    _append_rows(folder / "cybertipline_reports_yearly.csv", [
        {**base, "measure": "total_reports", "count": "25000000"}, {**base, "measure": "esp_reports", "count": "24000000"}])
    schema_path = folder / "schemas" / "cybertipline_reports_yearly.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    for field in schema["fields"]:
        if field["name"] == "year":
            field["constraints"]["maximum"] = new
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    assert int(common.yearly("total_reports")["year"].max()) == new
    findings = {f.key: f for f in encryption.key_findings()}
    assert findings["whatsapp"].values["wa_last"] == latest       # the per-service table stops a year earlier
    assert findings["bundling_bounds"].values["after_year"] == 2024
    assert eu_gap.eu27_reports().index.max() < new
    # what the introduction's encryption cell reads besides the findings
    assert encryption.meta_total_reports().index.max() == latest
    assert common.timeline_events().set_index("event_id").loc["eu-eecc-applies-gap-starts", "when"] == "21 December 2020"


def test_the_prose_values_come_from_the_findings_and_the_timeline():
    findings = encryption.key_findings()
    values = encryption.prose_values(findings)
    events = common.timeline_events().set_index("event_id")
    assert values["gap_start"] == events.loc["eu-eecc-applies-gap-starts", "when"]
    meta = encryption.meta_total_reports()
    before = common.last_comparable_year()
    assert values["first_new"] == before + 1
    assert abs(values["meta_fall_pct"] - (1 - meta[before + 1] / meta[before])) < 1e-12
    bounds = {f.key: f for f in findings}["bundling_bounds"].values
    assert abs(values["netted_low_m"] - bounds["netted_low"] / 1e6) < 1e-12


def test_a_short_window_is_attributed_only_to_the_source_that_states_it():
    rows = data.load("eu_short_window_reports").set_index("window_id")
    table = eu_gap.window_table().set_index("source_id")
    for window_id, row in rows.iterrows():
        shown = table.loc[row["source_id"], "window"]
        if pd.isna(row["weeks_before"]):
            assert "no window stated" in shown, window_id
        else:
            assert shown.startswith(f"{row['weeks_before']} weeks before"), window_id


# --- the EU-gap finding's words follow the signs and the controls ---------------------------------

def _eu_values(**changes):
    values = {"gap_year": 2021, "before_year": 2020, "did_uk": -0.39, "did_uk_pre": 0.02, "did_uk_post": -0.49,
              "did_wb": 0.30, "did_neu": -0.10, "did_rest": -0.29, "wb_typical": -0.47, "eu_typical": -0.22}
    return {**values, **changes}


_CAVEATS = {"the UK": "that comparison fails its placebo", "the Western Balkans": "not beyond chance",
            "non-EU Europe": "not beyond chance", "the rest of the world": "it was already falling behind"}


def test_eu_wording_with_mixed_signs_and_no_survivor_says_so():
    words = eu_gap.comparison_wording(_eu_values(), dict.fromkeys(eu_gap.COMPARISONS, False), _CAVEATS)
    assert words["eu_comparisons_agree"] is False and words["eu_comparisons_surviving"] == 0
    assert "disagree in sign" in words["eu_comparisons_text"]
    assert "fell behind the UK, but that comparison fails its placebo" in words["eu_comparisons_text"]
    assert "did better than the Western Balkans" in words["eu_comparisons_text"]
    assert words["eu_verdict_sentence"] == "The comparisons disagree, even in sign, and none survives its control."
    assert "cannot be told apart from a divergence" in words["eu_uk_sentence"]
    assert "fell 39% behind it" in words["eu_uk_sentence"] and "still stood 49% behind it" in words["eu_uk_sentence"]
    assert words["eu_wb_clause"] == "fell more than the EU"
    assert words["eu_comparisons_short"].endswith("no gap effect that survives a control")
    assert words["eu_answer"] == "the EU's country counts show no effect that survives a control."


def test_eu_wording_when_every_comparison_falls_behind_and_survives():
    values = _eu_values(did_wb=-0.2, did_uk_post=-0.05)
    words = eu_gap.comparison_wording(values, dict.fromkeys(eu_gap.COMPARISONS, True), _CAVEATS)
    assert words["eu_comparisons_agree"] is True and words["eu_comparisons_surviving"] == 4
    assert "agree in sign" in words["eu_comparisons_text"] and ", but" not in words["eu_comparisons_text"]
    assert words["eu_verdict_sentence"].endswith("every one survives its control.")
    assert "the placebo holds" in words["eu_uk_sentence"] and "divergence" not in words["eu_uk_sentence"]


def test_eu_wording_when_the_eu_gains_on_the_uk():
    surviving = {**dict.fromkeys(eu_gap.COMPARISONS, False), "non-EU Europe": True}
    words = eu_gap.comparison_wording(_eu_values(did_uk=0.12, did_uk_post=0.3), surviving, _CAVEATS)
    assert "did better than the UK" in words["eu_comparisons_text"]
    assert "gained 12% on it" in words["eu_uk_sentence"] and "still stood 30% ahead of it" in words["eu_uk_sentence"]
    assert "1 of 4 comparisons survives its control" in words["eu_comparisons_text"]
    assert words["eu_verdict_sentence"].endswith("1 of 4 survives its control.")
    assert words["eu_answer"].startswith("1 of 4 comparisons") and "does not establish" in words["eu_answer"]


def test_eu_wording_when_the_uk_placebo_fails_the_other_way():
    words = eu_gap.comparison_wording(_eu_values(did_uk_post=0.45), dict.fromkeys(eu_gap.COMPARISONS, False), _CAVEATS)
    assert "stood 45% ahead of it" in words["eu_uk_sentence"] and "still" not in words["eu_uk_sentence"]
    assert "the difference reversed" in words["eu_uk_sentence"] and "divergence" not in words["eu_uk_sentence"]


def test_eu_wording_when_the_eu_gained_and_the_gain_lasted():
    words = eu_gap.comparison_wording(_eu_values(did_uk=0.3, did_uk_post=0.4), dict.fromkeys(eu_gap.COMPARISONS, False),
                                      _CAVEATS)
    assert "still stood 40% ahead of it" in words["eu_uk_sentence"] and "gain outlasted the gap" in words["eu_uk_sentence"]
    assert "shortfall" not in words["eu_uk_sentence"]


@pytest.mark.parametrize("change, base, expected", [
    (-0.47, -0.22, "fell more than the EU"), (-0.10, -0.22, "fell less than the EU"),
    (0.10, -0.22, "rose while the EU fell"), (0.30, 0.10, "rose more than the EU"),
])
def test_compare_changes_names_the_direction(change, base, expected):
    assert eu_gap.compare_changes(change, base) == expected


def test_relative_phrase():
    assert eu_gap.relative_phrase(-0.394, "the UK") == "fell 39% behind the UK"
    assert eu_gap.relative_phrase(0.12, "the UK") == "gained 12% on the UK"
    assert eu_gap.relative_phrase(0.004, "the UK") == "moved with the UK"


def test_the_eu_finding_words_match_its_checks():
    finding = eu_gap.finding()
    values = finding.values
    assert ("disagree" in finding.statement) == (not values["eu_comparisons_agree"])
    # the words count the comparisons whose rows pass: the UK, the Western Balkans and non-EU Europe
    # are "comparison group" rows; the rest of the world is judged by its placebo row
    passed = sum(check.survives for check in finding.checks if check.objection == "comparison group")
    assert passed <= values["eu_comparisons_surviving"] <= passed + 1
    assert f"{values['eu_comparisons_surviving']} of" in finding.statement or values["eu_comparisons_surviving"] in (0, 4)
