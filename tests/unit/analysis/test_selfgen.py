"""Self-generated chapter: per-value preference, shares recomputed from counts, half-year
arithmetic, and the data the chapter relies on."""
from __future__ import annotations

import pandas as pd
import pytest

from csam_reporting import data
from csam_reporting.analysis import common, enticement, robustness, self_generated, uk_series

PRIMARY, PRIMARY_LATER, SECONDARY = "hotline-report-2020", "hotline-report-2024", "press-2025"


@pytest.fixture
def fake_sources(monkeypatch):
    """preferred() ranks rows by the sources table; these tests use a small one of their own."""
    table = pd.DataFrame({
        "source_id": [PRIMARY, PRIMARY_LATER, SECONDARY],
        "reliability": ["primary", "primary", "secondary"],
        "published": ["2020-04", "2024-04", "2025-01"],
    }).set_index("source_id")
    monkeypatch.setattr(data, "sources", lambda: table)


def rows(*records):
    return pd.DataFrame.from_records(
        records, columns=["year", "count", "share_pct", "source_id"]
    ).astype({"year": "Int64", "count": "Int64", "share_pct": "Float64", "source_id": "string"})


# --- common.preferred: per value, not per row ------------------------------------------------

@pytest.mark.usefixtures("fake_sources")
def test_a_secondary_row_holding_the_only_value_of_a_column_is_kept_for_that_column():
    chosen = common.preferred(rows((2019, 38424, None, PRIMARY), (2019, None, 29.0, SECONDARY)), ["year"])
    assert len(chosen) == 1
    assert chosen.loc[0, "count"] == 38424
    assert chosen.loc[0, "share_pct"] == 29.0


@pytest.mark.usefixtures("fake_sources")
def test_the_primary_value_wins_where_both_rows_have_one():
    chosen = common.preferred(rows((2019, 38424, 29.0, PRIMARY), (2019, 99999, 30.0, SECONDARY)), ["year"])
    assert chosen.loc[0, "count"] == 38424
    assert chosen.loc[0, "share_pct"] == 29.0
    assert chosen.loc[0, "reliability"] == "primary"
    assert chosen.loc[0, "source_ids"] == (PRIMARY,)


@pytest.mark.usefixtures("fake_sources")
def test_a_mixed_row_reads_as_its_least_reliable_source_and_names_every_source():
    chosen = common.preferred(rows((2019, 38424, None, PRIMARY), (2019, None, 29.0, SECONDARY)), ["year"])
    assert chosen.loc[0, "reliability"] == "secondary"
    assert chosen.loc[0, "source_ids"] == (PRIMARY, SECONDARY)
    assert chosen.loc[0, "source_id"] == PRIMARY  # row-level provenance from the best row


@pytest.mark.usefixtures("fake_sources")
def test_named_values_get_their_own_source_columns():
    chosen = common.preferred(rows((2019, 38424, None, PRIMARY), (2019, None, 29.0, SECONDARY)), ["year"],
                               values=["count", "share_pct"])
    assert chosen.loc[0, "count_source_id"] == PRIMARY
    assert chosen.loc[0, "share_pct_source_id"] == SECONDARY


@pytest.mark.usefixtures("fake_sources")
def test_among_equally_reliable_sources_the_later_publication_wins():
    chosen = common.preferred(rows((2023, 1, None, PRIMARY), (2023, 2, None, PRIMARY_LATER)), ["year"])
    assert chosen.loc[0, "count"] == 2


@pytest.mark.usefixtures("fake_sources")
def test_reliability_outranks_recency():
    chosen = common.preferred(rows((2023, 1, None, PRIMARY), (2023, 3, None, SECONDARY)), ["year"])
    assert chosen.loc[0, "count"] == 1


@pytest.mark.usefixtures("fake_sources")
def test_a_value_missing_everywhere_stays_missing():
    chosen = common.preferred(rows((2022, 199363, None, PRIMARY)), ["year"])
    assert pd.isna(chosen.loc[0, "share_pct"])


@pytest.mark.usefixtures("fake_sources")
def test_groups_stay_separate_and_sorted():
    chosen = common.preferred(rows((2020, 5, None, PRIMARY), (2019, 4, None, SECONDARY), (2019, None, 1.0, PRIMARY)),
                               ["year"])
    assert chosen["year"].tolist() == [2019, 2020]
    assert chosen["count"].tolist() == [4, 5]


@pytest.mark.usefixtures("fake_sources")
def test_no_rows_gives_no_rows():
    chosen = common.preferred(rows(), ["year"])
    assert chosen.empty
    assert {"reliability", "source_ids"} <= set(chosen.columns)


def test_the_iwf_table_has_the_2019_share_and_the_2023_count_that_data_holds():
    iwf = data.load("iwf_reports")
    sg = iwf[(iwf["measure"] == "self_generated_reports") & (iwf["age_group"] == "all") & (iwf["sex"] == "all")]
    chosen = common.preferred(sg, ["year"]).set_index("year")
    assert chosen.loc[2019, "count"] == 38424 and chosen.loc[2019, "share_pct"] == 29
    assert pd.notna(chosen.loc[2023, "count"]) and chosen.loc[2023, "share_pct"] == 92


# --- half-year arithmetic and the REPORT Act test --------------------------------------------

def test_second_half_is_the_year_minus_its_first_half():
    assert enticement.second_half(546_333, 292_951) == 253_382


def test_second_half_refuses_a_first_half_larger_than_the_year():
    with pytest.raises(ValueError):
        enticement.second_half(100, 101)
    with pytest.raises(ValueError):
        enticement.second_half(pd.NA, 5)


def test_half_years_derive_july_to_december_and_mark_it():
    series = enticement.half_years("online_enticement_reports").set_index("period")
    h2 = series.loc["Jul–Dec 2024"]
    assert bool(h2["derived"]) and h2["count"] == series.loc["2024", "count"] - series.loc["Jan–Jun 2024", "count"]
    assert not series.loc["Jan–Jun 2024", "derived"]
    # a derived figure is only as reliable as its least reliable input (2024 full year is a transcription)
    assert h2["reliability"] == "secondary"
    assert list(series["start"]) == sorted(series["start"])


def test_report_act_test_compares_the_halves_around_the_signing():
    test = enticement.report_act_test()
    assert test["signed"] == pd.Timestamp(2024, 5, 7)
    assert test["days_after_signing_in_h1"] == 55  # 7 May to 30 June inclusive
    assert test["h1_2024_vs_2023"] == pytest.approx(test["h1_2024"] / test["full_2023"])
    assert test["h2_vs_h1_2024"] == pytest.approx(test["h2_2024"] / test["h1_2024"])
    # What the issue found against data/: the first half of 2024 already exceeded all of 2023,
    # and the second half (after the Act) was lower than the first.
    assert test["h1_2024_vs_2023"] > 1
    assert test["h2_vs_h1_2024"] < 1


# --- shares recomputed from counts ------------------------------------------------------------

def test_composition_splits_actioned_webpages_into_self_generated_and_the_rest():
    comp = self_generated.self_generated_composition().set_index("year")
    known = comp.dropna(subset=["self_generated"])
    assert (known["self_generated"] + known["not_self_generated"] == known["actioned"]).all()
    assert ((known["share_computed"] - known["self_generated"] / known["actioned"]).abs() < 1e-12).all()


def test_computed_shares_agree_with_the_iwfs_published_shares_to_rounding():
    comp = self_generated.self_generated_composition().dropna(subset=["share_published", "share_computed"])
    assert len(comp) >= 4
    assert ((comp["share_computed"] * 100 - comp["share_published"]).abs() <= 1).all()


def test_2022_share_is_computed_not_published_and_2024_is_missing_not_guessed():
    comp = self_generated.self_generated_composition().set_index("year")
    assert pd.isna(comp.loc[2022, "share_published"]) and comp.loc[2022, "share_computed"] == pytest.approx(199363 / 255588)
    assert pd.isna(comp.loc[2024, "self_generated"]) and pd.isna(comp.loc[2024, "share_computed"])


def test_the_77_percent_is_a_rise_in_the_count_not_the_share():
    comp = self_generated.self_generated_composition().set_index("year")
    count_rise = comp.loc[2020, "self_generated"] / comp.loc[2019, "self_generated"] - 1
    share_rise = comp.loc[2020, "share_published"] / comp.loc[2019, "share_published"] - 1
    assert round(count_rise, 2) == 0.77
    assert abs(share_rise - 0.77) > 0.2


def test_capacity_share_is_actioned_over_assessed():
    cap = self_generated.iwf_capacity().dropna(subset=["assessed", "actioned"])
    assert ((cap["actioned_share"] - cap["actioned"] / cap["assessed"]).abs() < 1e-12).all()
    assert (cap["actioned"] <= cap["assessed"]).all()


def test_ratio_text_converts_only_n_in_m():
    assert uk_series.share_from_ratio_text("1 in 6") == pytest.approx(100 / 6)
    assert uk_series.share_from_ratio_text("17%") is None
    assert uk_series.share_from_ratio_text("1 in 0") is None


def test_age_shares_use_the_years_self_generated_count_and_leave_gaps_empty():
    ages = self_generated.self_generated_by_age()
    comp = self_generated.self_generated_composition().set_index("year")["self_generated"]
    row = ages[(ages["age_band"] == "7–10") & (ages["year"] == 2023)].iloc[0]
    assert row["share_of_self_generated"] == pytest.approx(row["count"] / comp[2023])
    assert ages.loc[ages["age_band"] == "14–15", "count"].isna().all()


def test_sex_shares_are_fractions_and_never_doubled_per_cell():
    sexes = self_generated.shares_by_sex()
    assert sexes["share"].between(0, 1).all()
    assert not sexes.duplicated(["series", "period", "sex"]).any()


def test_staging_copies_are_not_cited():
    urls = data.sources()["url"].fillna("")
    for frame in (self_generated.iwf_rows(),):
        assert not frame["source_id"].map(urls).str.contains("//uat.").any()
    for ids in self_generated.shares_by_sex()["source_ids"]:
        assert not any("//uat." in str(urls[s]) for s in ids)


# --- UK police series ----------------------------------------------------------------------------

def test_police_periods_start_in_april_or_january():
    assert common.period_start("2017/18") == pd.Timestamp(2017, 4, 1)
    assert common.period_start("2013-01/2013-12") == pd.Timestamp(2013, 1, 1)


def test_image_offence_segments_change_at_every_break_and_exclude_part_years():
    rows = uk_series.police_annual("child_abuse_image")
    main = rows[rows["segment"].notna()]
    assert list(main["start"]) == sorted(main["start"])
    breaks = main[main["series_break"]]
    assert main["segment"].nunique() == len(breaks) + (0 if main["series_break"].iloc[0] else 1)
    assert not rows["period"].str.contains("-20").any()  # no spans of years


def test_sexual_communication_keeps_one_row_per_period_and_area():
    rows = uk_series.police_annual("sexual_communication_with_a_child")
    assert not rows.duplicated(["period", "area"]).any()
    assert set(rows.loc[rows["period"] == "2020/21", "area"]) == {"England and Wales"}


# --- the chapter's source ----------------------------------------------------------------------
import re  # noqa: E402
from conftest import ROOT  # noqa: E402

CHAPTER = ROOT / "chapters" / "self-generated.md"


def _prose(text: str) -> str:
    """The chapter without its code cells and glue roles: what an author typed."""
    text = re.sub(r"```\{code-cell\}.*?```", "", text, flags=re.S)
    return re.sub(r"\{glue:text\}`[^`]*`", "", text)


def test_chapter_has_its_sections_a_robustness_table_and_at_least_six_figures():
    text = CHAPTER.read_text(encoding="utf-8")
    labels = re.findall(r"^\((sg-[a-z-]+)\)=$", text, flags=re.M)
    assert labels == ["sg-findings", "sg-share", "sg-capacity", "sg-sextortion", "sg-enticement",
                      "sg-age-sex", "sg-police", "sg-prevalence", "sg-ai", "sg-robustness", "sg-limits"]
    assert text.count("figures.show_figure(") >= 6
    assert "data=" in text and text.count("data=") >= text.count("figures.show_figure(")
    assert "sns.heatmap(" in text
    assert "robustness.table(" in text


def test_chapter_prose_types_no_figures_and_uses_the_books_terms():
    text = CHAPTER.read_text(encoding="utf-8")
    prose = _prose(text)
    # numbers in prose come from glue: no thousands-separated counts or percentages typed in
    assert not re.findall(r"\b\d{1,3},\d{3}\b", prose)
    assert not re.findall(r"\d+(\.\d+)?\s?%", prose)
    assert "child pornography" not in text.lower()
    assert ".style." not in text  # no pandas Styler tables


def test_age_shares_keep_one_base_per_series():
    ages = self_generated.shares_by_age()
    assert ages["share"].between(0, 1).all()
    assert not ages.duplicated(["series", "period", "age_band"]).any()
    # the 80.5% of self-generated material *featuring girls* has another base and is left out
    assert not ((ages["share"] - 0.805).abs() < 1e-9).any()


def test_enticement_among_reports_divides_by_each_years_total_and_keeps_unpublished_years():
    rows = enticement.enticement_among_reports().set_index("year")
    totals = common.yearly("total_reports").set_index("year")["count"]
    published = rows.dropna(subset=["enticement"])
    assert len(published) >= 5
    for year, row in published.iterrows():
        assert row["total"] == totals[year]
        assert abs(row["per_thousand"] - row["enticement"] / totals[year] * 1000) < 0.01
    assert rows.index.max() == totals.index.max(), "every year with a total is shown, published or not"
    assert rows.loc[rows["bundled"]].index.min() == totals[common.yearly("total_reports").set_index("year")["bundled"]].index.min()


# --- the REPORT Act test with its caveats ----------------------------------------------------------

def _raw(measure, year):
    rows = data.load("ncmec_enticement_sextortion")
    return int(rows[(rows["measure"] == measure) & (rows["year"] == year)]["count"].iloc[0])


def test_report_act_test_reads_the_senate_vote_and_the_year_earlier_growth_from_the_data():
    test = enticement.report_act_test()
    timeline = data.load("policy_timeline").set_index("event_id")
    assert test["senate"] == pd.Timestamp(timeline.loc["us-report-act-senate", "date"]) < test["signed"]
    # the Senate vote came before 2024, so every day of January–June 2024 is after it
    assert test["days_after_senate_in_h1"] == (pd.Timestamp(2024, 6, 30) - pd.Timestamp(2024, 1, 1)).days + 1
    growth = _raw("online_enticement_reports", 2023) / _raw("online_enticement_reports", 2022)
    assert test["growth_2023"] == pytest.approx(growth)
    assert set(test["h2_sources"]) == {"ncmec-cybertipline-2024-grimm", "ncmec-blog-2025-h1-spike"}


def test_the_report_act_finding_does_not_rest_on_the_derived_second_half():
    finding = {f.key: f for f in self_generated.key_findings()}["report_act"]
    assert "lower" not in finding.statement and "Senate" in finding.statement
    derived = [c for c in finding.checks if c.objection == "derived figure"]
    assert derived and "vintage" in derived[0].result


def test_enticement_notes_no_longer_say_the_rise_reflects_the_new_duty():
    rows = data.load("ncmec_enticement_sextortion")
    assert not rows["notes"].fillna("").str.contains("partly reflect the new reporting duty").any()
    act_rows = rows[rows["notes"].fillna("").str.contains("REPORT Act")]
    assert len(act_rows) >= 5 and act_rows["notes"].str.contains("Senate").all()


def test_sextortion_first_half_doubled_is_set_beside_the_whole_previous_year():
    s = enticement.sextortion_halves()
    rows = data.load("ncmec_enticement_sextortion")
    full_years = sorted(rows.loc[rows["measure"] == "financial_sextortion_reports", "year"])
    last = full_years[-1]
    h1 = _raw("financial_sextortion_reports_h1", last + 1)
    assert s["last_full_year"] == last and s["next_year"] == last + 1
    assert s["h1_next_doubled"] == 2 * h1
    assert s["full_last"] == _raw("financial_sextortion_reports", last)
    finding = {f.key: f for f in self_generated.key_findings()}["sextortion"]
    derived = [c for c in finding.checks if c.objection == "derived figure"][0]
    assert derived.survives == (2 * h1 < s["full_last"])
    assert "evenly" in derived.result
    # the half-year is counted after bundling began: that objection is tried, and it is not passed
    totals = common.yearly("total_reports").set_index("year")["bundled"]
    assert bool(totals[last + 1]) == s["h1_next_bundled"]
    bundling = [c for c in finding.checks if c.objection == "change in counting" and "bundling" in c.result]
    assert len(bundling) == int(s["h1_next_bundled"]) and not any(c.survives for c in bundling)
    # no claim of "no jump" while the same half a year earlier is missing
    if s["h1_same_before"] is None:
        assert "cannot be ruled out" in finding.statement and "no further jump" not in finding.statement
        assert any(c.objection == "same period a year earlier" and not c.survives for c in finding.checks)
    # the row comparing the latest half-year with the one before it names both years
    latest = s["latest_h1_year"]
    row = [c for c in finding.checks if c.objection == "same period a year earlier" and c.survives][0]
    assert f"January–June {latest} " in row.result and f"January–June {latest - 1} " in row.result
    assert s["latest_h1_vs_prior"] == pytest.approx(
        _raw("financial_sextortion_reports_h1", latest) / _raw("financial_sextortion_reports_h1", latest - 1))


def test_sextortion_compares_the_same_half_a_year_earlier_once_it_is_held(tmp_path, monkeypatch):
    import shutil
    copy = tmp_path / "data"
    shutil.copytree(data.data_dir(), copy)
    s = enticement.sextortion_halves()
    last = s["last_full_year"]
    path = copy / "ncmec_enticement_sextortion.csv"
    text = path.read_text(encoding="utf-8")
    # a first half for the last full year, half of that year's count: doubling it matches the year
    half = s["full_last"] // 2
    path.write_text(text + ("" if text.endswith("\n") else "\n")
                    + f"{last},financial_sextortion_reports_h1,{half},,true,ncmec-blog-2025-h1-spike,test,test\n",
                    encoding="utf-8")
    monkeypatch.setenv("CSAM_DATA_DIR", str(copy))
    moved = enticement.sextortion_halves()
    assert moved["h1_same_before"] == half
    finding = {f.key: f for f in self_generated.key_findings()}["sextortion"]
    # the same months a year earlier replace the doubling: no derived-figure check, and the
    # statement and the paragraph set the two halves side by side
    assert not [c for c in finding.checks if c.objection == "derived figure"]
    assert f"on the same months of {last}" in finding.statement
    assert f"January–June {last} ({half:,})" in finding.values["fs_halves_text"]


def test_the_report_act_finding_labels_its_start_date_check_truly():
    finding = {f.key: f for f in self_generated.key_findings()}["report_act"]
    objections = [c.objection for c in finding.checks]
    # moving the start to the Senate vote is not a placebo (no period without a cause is compared)
    assert "placebo period" not in objections and "another start date" in objections
    assert "another start date" in robustness.OBJECTIONS
    check = robustness.Check("another start date", "from the earlier event", True)
    assert check.objection == "another start date"


# --- police beside NCMEC's UK reports; surveys; detection tools -------------------------------------

def test_ncmec_uk_reports_sit_beside_the_police_year_that_starts_in_them():
    beside = uk_series.uk_reports_beside_police().set_index("year")
    raw = data.load("ncmec_country_reports")
    for r in raw[raw["iso3"] == "GBR"].itertuples():
        assert beside.loc[r.year, "ncmec_uk_reports"] == r.reports
    images = uk_series.police_annual("child_abuse_image")
    for year, row in beside.dropna(subset=["image_offences"]).iterrows():
        assert row["image_period"].startswith(str(year))
        match = images[(images["period"] == row["image_period"]) & (images["area"] == row["image_area"])]
        assert int(match["count"].iloc[0]) == row["image_offences"]


def test_every_thorn_wave_is_shown_with_the_break_marked():
    waves = uk_series.thorn_waves()
    raw = data.load("surveys")
    raw = raw[(raw["survey_id"] == "thorn_youth_monitoring") & (raw["measure"] == "shared_own_nude_image")]
    assert sorted(waves["wave"]) == sorted(raw["wave"].astype(int))
    assert list(waves["wave"]) == sorted(waves["wave"])
    one_in_six = waves[waves["as_published"] == "1 in 6"].iloc[0]
    assert bool(one_in_six["converted"]) and one_in_six["share"] == pytest.approx(100 / 6)
    assert set(waves.loc[waves["break_before"], "wave"]) == set(uk_series.THORN_BREAKS)


def test_detection_tool_shares_are_the_survey_values_as_fractions():
    tools = uk_series.detection_tools()
    raw = data.load("surveys").set_index("measure")
    assert tools["hash_matching"] == pytest.approx(raw.loc["uses_image_hash_matching", "value"] / 100)
    assert tools["grooming_detection"] == pytest.approx(raw.loc["uses_grooming_detection", "value"] / 100)
    assert tools["grooming_detection"] < tools["hash_matching"]


# --- severity, boys only, and the key findings ------------------------------------------------------

def test_severity_shares_are_fractions_and_computed_ones_divide_by_the_years_actioned_webpages():
    sev = self_generated.severity()
    assert sev["share"].between(0, 1).all()
    actioned = self_generated.self_generated_composition().set_index("year")["actioned"]
    rows = self_generated.iwf_rows()
    for r in sev[sev["basis"] == "computed from counts"].itertuples():
        count = rows[(rows["measure"] == "reports_actioned_category_a") & (rows["year"] == r.year)
                     & (rows["sex"] == "all")]["count"].dropna().iloc[0]
        assert r.share == pytest.approx(count / actioned[r.year])


def test_boys_only_webpages_are_the_iwf_rows():
    boys = self_generated.boys_only().set_index("year")["count"]
    rows = self_generated.iwf_rows()
    rows = rows[(rows["measure"] == "reports_actioned") & (rows["sex"] == "boys_only")]
    assert set(boys.index) == set(rows["year"])
    assert list(boys) == sorted(boys)  # the IWF's boys-only count rose


def test_every_key_finding_has_computed_checks_and_glueable_values():
    from csam_reporting.present.glue import plain
    findings = self_generated.key_findings()
    keys = [f.key for f in findings]
    assert keys[:6] == ["share", "capacity", "report_act", "sextortion", "police", "surveys"]
    for f in findings:
        assert f.checks, f.key
        for value in f.values.values():
            plain(value)
    table = robustness.table(findings)
    objections = set(table["objection"])
    assert {"denominator", "derived figure", "dependence on scanning", "method change"} <= objections


def test_the_share_findings_denominator_check_recomputes_the_rest_from_the_counts():
    f = {f.key: f for f in self_generated.key_findings()}["share"]
    comp = self_generated.self_generated_composition().dropna(subset=["self_generated"]).set_index("year")
    first, last = comp.iloc[0], comp.iloc[-1]
    assert f.values["nsg_first_count"] == f"{int(first['actioned'] - first['self_generated']):,}"
    assert f.values["nsg_last_count"] == f"{int(last['actioned'] - last['self_generated']):,}"
    assert f.checks[0].survives == bool(last["not_self_generated"] < first["not_self_generated"])


# --- a partial year builds ----------------------------------------------------------------------------

def test_a_year_in_one_table_only_still_gives_the_key_findings(tmp_path, monkeypatch):
    import shutil
    copy = tmp_path / "data"
    shutil.copytree(data.data_dir(), copy)

    def append(name, line):
        path = copy / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text + ("" if text.endswith("\n") else "\n") + line + "\n", encoding="utf-8")

    import json
    schema_path = copy / "schemas" / "ncmec_country_reports.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    for field in schema["fields"]:
        if field["name"] == "year":
            field.setdefault("constraints", {})["maximum"] = 2024  # as a contributor raising the limit would
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    # NCMEC's UK count for a year the police table does not have; an IWF assessed count for a year
    # without a self-generated split; a full-year enticement count for a year with only its first half
    append("ncmec_country_reports.csv", "2024,United Kingdom,GBR,false,200000,ncmec-country-2023,p. 7")
    append("iwf_reports.csv", "2025,reports_assessed,all,all,500000,,iwf-adir-2024-where-reports-come-from,test,test")
    append("ncmec_enticement_sextortion.csv",
           "2025,online_enticement_reports,900000,,false,ncmec-blog-2025-h1-spike,test,test")
    monkeypatch.setenv("CSAM_DATA_DIR", str(copy))
    findings = {f.key: f for f in self_generated.key_findings()}
    assert findings["capacity"].values["cap_last_year"] == 2025
    assert findings["share"].values["sg_last_year"] == 2023  # the split stops a year earlier: kept, not guessed
    assert findings["police"].values["uk_last_year"] == 2024
    series = enticement.half_years("online_enticement_reports").set_index("period")
    assert series.loc["Jul–Dec 2025", "count"] == 900000 - _raw("online_enticement_reports_h1", 2025)


def test_the_2022_share_implied_by_the_published_rise_matches_the_counts():
    implied = self_generated.share_2022_implied()
    assert implied is not None, "the IWF's published rise in percentage points is in data/"
    comp = self_generated.self_generated_composition().set_index("year")
    assert implied["implied"] == pytest.approx((comp.loc[implied["year"] + 1, "share_published"] - implied["rise_pp"]) / 100)
    assert abs(implied["implied"] - comp.loc[implied["year"], "share_computed"]) < 0.01


def test_prevalence_rows_are_childrens_experience_only_and_none_is_repeated():
    prev = uk_series.prevalence()
    assert prev is not None and prev["study_id"].nunique() >= 3
    assert not prev["measure"].isin(uk_series.NOT_CHILD_EXPERIENCE).any()
    assert not prev.duplicated(["study_id", "measure", "geography"]).any()
    assert {"definition", "population", "recall_period", "fieldwork"} <= set(prev.columns)
    # the counter itself, on constructed rows: one series measured twice
    rows = pd.DataFrame({"study_id": ["a", "a", "b"], "measure": ["m", "m", "m"], "geography": ["x", "x", "x"],
                         "fieldwork": ["2019", "2022", "2021"]})
    assert uk_series.repeated_prevalence_measures(rows) == 1
    assert uk_series.repeated_prevalence_measures(prev) == 0


def test_the_introductions_self_generated_paragraph_glues_only_from_the_key_findings():
    intro = (ROOT / "chapters" / "intro.md").read_text(encoding="utf-8")
    paragraph = intro[intro.index("**Self-generated material and enticement.**"):intro.index("**The coverage.**")]
    names = set(re.findall(r"\{glue:text\}`([a-z0-9_]+)", paragraph))
    findings = {f.key: f for f in self_generated.key_findings()}
    available = set(findings["share"].values) | set(findings["report_act"].values) | set(findings["surveys"].values)
    assert names and names <= available, sorted(names - available)
    # the paragraph says no more than the robustness table allows: no claim about the derived second half
    assert "second half" not in paragraph and "lower" not in paragraph


def test_uk_enticement_referrals_are_one_source_for_both_halves():
    uk = enticement.uk_enticement_referrals()
    rows = data.load("ncmec_jurisdiction_referrals")
    rows = rows[(rows["iso3"] == "GBR") & (rows["measure"] == "online_enticement_referrals")].set_index("period")
    assert uk["h1"] == rows.loc["2024-H1", "value"] and uk["h2"] == rows.loc["2024-H2", "value"]
    assert uk["change"] == pytest.approx(uk["h2"] / uk["h1"] - 1)
    assert len(uk["source_ids"]) == 1


def test_the_police_finding_uses_only_like_for_like_changes_and_says_the_years_differ():
    f = {f.key: f for f in self_generated.key_findings()}["police"]
    raw = data.load("uk_police_offence_changes")
    raw = raw[raw["comparison"].str.startswith("forces that supplied")]
    def change(offence, period, base):
        row = raw[(raw["offence"] == offence) & (raw["period"] == period) & (raw["base_period"] == base)]
        return float(row["change_pct"].iloc[0]) / 100
    v = f.values
    assert v["police_image_lfl"] == pytest.approx(change("child_abuse_image", v["lfl_period"], v["lfl_base"]))
    assert v["police_image_lfl_short"] == pytest.approx(change("child_abuse_image", v["lfl_period"], v["lfl_short_base"]))
    assert v["police_scwc_lfl"] == pytest.approx(change("sexual_communication_with_a_child", v["lfl_period"], v["lfl_base"]))
    assert "police_never_fell" not in v
    scanning = [c for c in f.checks if c.objection == "dependence on scanning"][0]
    assert "never fell" not in scanning.result and "April to March" in scanning.result


def test_the_chapter_types_no_year_where_a_glue_belongs():
    text = (ROOT / "chapters" / "self-generated.md").read_text(encoding="utf-8")
    for phrase in ("2017/18 to 2022/23", "between 2017/18 and 2022/23", "counts for 2024 and 2025",
                   "first half of\n2024", "no further jump", "never fell", "published only"):
        assert phrase not in text, phrase


# --- sextortion: the words follow the counts found -------------------------------------------------

def _glued_fs_keys() -> set[str]:
    import re
    from conftest import ROOT

    text = (ROOT / "chapters" / "self-generated.md").read_text(encoding="utf-8")
    return set(re.findall(r"\{glue:text\}`(fs_[a-z0-9_]+)", text))


def _sextortion_values() -> dict:
    return next(f for f in self_generated.key_findings() if f.key == "sextortion").values


def test_sextortion_prose_keys_exist_while_only_half_years_follow_the_last_full_year():
    values = _sextortion_values()
    assert _glued_fs_keys() <= set(values), _glued_fs_keys() - set(values)
    s = enticement.sextortion_halves()
    if s["h1_next"] is not None and s["h1_same_before"] is None:
        assert f"January–June {s['next_year']}" in values["fs_halves_text"]
        assert "cannot be ruled out" in values["fs_halves_text"] or "further rise" in values["fs_halves_text"]
        assert values["fs_missing_text"].startswith("Full-year counts for")


def test_sextortion_prose_when_full_years_arrive_for_every_half_year(data_copy):
    """NCMEC publishes full-year counts for the years now held only as January–June: the chapter's
    glued words must all still exist, with no doubling and nothing called missing."""
    table = data_copy / "ncmec_enticement_sextortion.csv"
    frame = pd.read_csv(table, dtype=str, keep_default_na=False)
    template = frame[frame["measure"] == "financial_sextortion_reports"].iloc[-1]
    h1 = frame[frame["measure"] == "financial_sextortion_reports_h1"]
    added = [template.copy() for _ in h1.itertuples()]
    for row, half in zip(added, h1.itertuples()):
        row["year"], row["count"] = half.year, str(2 * int(half.count) + 1)
    pd.concat([frame, pd.DataFrame(added)]).to_csv(table, index=False)
    values = _sextortion_values()
    assert _glued_fs_keys() <= set(values), _glued_fs_keys() - set(values)
    last = int(max(h1["year"].astype(int)))
    assert values["fs_last_full_year"] == last
    assert "doubled" not in values["fs_halves_text"] + values["fs_bullet_text"]
    assert values["fs_missing_text"].startswith("Full-year counts were found for every year")
    assert not values["fs_bullet_text"][0].islower() and not values["fs_bullet_text"].endswith(".")


def test_sextortion_verb_follows_the_direction():
    s = {**enticement.sextortion_halves()}
    assert enticement.sextortion_wording(s)["fs_verb"] == ("rose" if s["full_last"] > s["full_first"] else "fell")
    s["full_last"] = s["full_first"] - 1
    assert enticement.sextortion_wording(s)["fs_verb"] == "fell"


def test_sextortion_prose_when_only_the_next_full_year_arrives(data_copy):
    """A full-year count for the first half-year's year: the next January–June is set beside the
    same months a year earlier, and bundling is not named as a bias when both are bundled."""
    table = data_copy / "ncmec_enticement_sextortion.csv"
    frame = pd.read_csv(table, dtype=str, keep_default_na=False)
    template = frame[frame["measure"] == "financial_sextortion_reports"].iloc[-1].copy()
    first_half = frame[frame["measure"] == "financial_sextortion_reports_h1"].iloc[0]
    template["year"], template["count"] = first_half["year"], str(2 * int(first_half["count"]) + 1)
    pd.concat([frame, pd.DataFrame([template])]).to_csv(table, index=False)
    s = enticement.sextortion_halves()
    assert s["h1_same_before"] is not None and s["bundled_from"] <= s["last_full_year"]
    values = _sextortion_values()
    assert "on the same months of" in values["fs_bullet_text"] and "bundling" not in values["fs_bullet_text"]
    assert "doubled" not in values["fs_halves_text"] and "bundling" not in values["fs_halves_text"]
    finding = next(f for f in self_generated.key_findings() if f.key == "sextortion")
    assert "cannot be ruled out" not in finding.statement and "same months" in finding.statement
