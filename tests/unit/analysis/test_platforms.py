"""The platforms chapter's data and computations: the ESP-to-platform mapping keeps each platform's
series to one meaning, platforms link to the companies that own them, and the shares, concentration
measures, per-user rates, the audit and the key findings do what they say."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from csam_reporting import data
from csam_reporting.analysis import common, platform_audit, platform_findings, platform_rates, robustness
from csam_reporting.analysis import platforms as platform_analysis

TRANSCRIBED_YEARS = (2024, 2025)
PRINTED_YEARS = (2021, 2022, 2023)  # NCMEC's own PDFs list each service separately from 2021


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


# --- the mapping: one meaning per platform series -------------------------------------------------

def test_every_line_item_maps_like_the_ncmec_row_that_names_it():
    """A 2024-2025 line item ('Photos', 'Xbox', 'Pornhub', ...) maps to the platform of the
    2021-2023 NCMEC row that names the same service, never to its parent label's platform."""
    rows = common.esp_reports_by_platform()
    printed = rows[rows["year"].isin(PRINTED_YEARS)]
    items = rows[rows["year"].isin(TRANSCRIBED_YEARS) & rows["line_item"].notna()]
    assert not items.empty
    checked = 0
    for item in items.drop_duplicates(["esp_label", "line_item"]).itertuples():
        earlier = printed[printed["esp_label"].map(_norm).str.contains(_norm(item.line_item), regex=False)]
        # The same service under the same parent: e.g. 'Amazon Photos' for ('Amazon', 'Photos'),
        # 'Microsoft - Xbox' for ('Microsoft', 'Xbox'), '... (dba Pornhub)' for ('Aylo', 'Pornhub').
        earlier_platforms = set(earlier["platform_id"])
        if not earlier_platforms:  # a new service (Amazon 'AI Services'): its own platform, not the parent's
            own = set(rows.loc[(rows["esp_label"] == item.esp_label) & rows["line_item"].isna(), "platform_id"])
            assert item.platform_id not in own, f"({item.esp_label!r}, {item.line_item!r}) falls to {own}"
            continue
        assert earlier_platforms == {item.platform_id}, (
            f"({item.esp_label!r}, {item.line_item!r}) maps to {item.platform_id!r}; "
            f"2021-2023 rows naming {item.line_item!r} map to {sorted(earlier_platforms)}")
        checked += 1
    assert checked >= 8  # Photos, Xbox, Online Operations, Other Products, Pornhub (x2), Redtube, ...


def test_no_platform_jumps_because_a_line_item_fell_to_its_parent():
    """The break the label-only mapping caused: 'amazon' went from 197 reports (2023) to about
    73,000 (2024) because Photos and AI Services fell to it. Each parent's own row keeps its size."""
    rows = common.esp_reports_by_platform()
    wide = rows.pivot_table(index="platform_id", columns="year", values="reports", aggfunc="sum")
    for platform in ["amazon", "microsoft", "xbox", "amazon_photos", "pornhub"]:
        before, after = wide.loc[platform, 2023], wide.loc[platform, 2024]
        assert after < 10 * before, f"{platform}: {before:,} in 2023 -> {after:,} in 2024"
    assert pd.isna(wide.loc["amazon_ai_services", 2023]) and wide.loc["amazon_ai_services", 2024] > 0


def test_a_platform_has_at_most_as_many_rows_per_year_after_2023_as_before():
    """A platform that NCMEC printed as one row per year in 2021-2023 is still one row per year in the
    transcription (two Pornhub rows in 2023, so two are allowed later)."""
    rows = common.esp_reports_by_platform()
    per_year = rows.groupby(["platform_id", "year"]).size().unstack()
    earlier = per_year[list(PRINTED_YEARS)].max(axis=1)
    later = per_year[list(TRANSCRIBED_YEARS)].max(axis=1)
    both = earlier.notna() & later.notna()
    too_many = later[both] > earlier[both]
    assert not too_many.any(), later[both][too_many].to_dict()


# --- platform to company links --------------------------------------------------------------------

def test_every_platform_a_company_names_links_to_that_company():
    """companies.csv lists the services each company owns ('WordPress.com, Tumblr'); every platform
    with one of those names must have that company as its parent (Tumblr had none)."""
    companies = data.load("companies")
    platforms = data.load("platforms")
    by_name = {_norm(n): row for n, row in zip(platforms["platform_name"], platforms.itertuples())}
    missing = []
    for company in companies.itertuples():
        if pd.isna(company.notes):
            continue
        for service in re.split(r",|;", company.notes):
            service = re.sub(r"^(includes|formerly)\s+", "", service.strip(), flags=re.I)
            service = re.sub(r"\s+until.*$", "", service)
            platform = by_name.get(_norm(service))
            if platform is not None and platform.parent_company != company.company_id:
                missing.append((service, platform.platform_id, platform.parent_company, company.company_id))
    assert not missing, missing


def test_tumblr_belongs_to_automattic():
    platforms = data.load("platforms").set_index("platform_id")
    assert platforms.loc["tumblr", "parent_company"] == "automattic"
    rows = common.esp_reports_by_platform()
    assert (rows.loc[rows["platform_id"] == "tumblr", "company_name"] == "Automattic").all()


def test_every_company_with_a_name_is_used_by_some_platform():
    used = set(data.load("platforms")["parent_company"].dropna())
    assert set(data.load("companies")["company_id"]) <= used


# --- computations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("level", ["platform", "company"])
def test_shares_sum_to_100_percent_of_the_esp_total_every_year(level):
    shares = platform_analysis.esp_shares(level)
    totals = common.esp_totals().set_index("year")["esp_total"]
    for year, group in shares.groupby("year"):
        assert group["share"].sum() == pytest.approx(1.0, abs=1e-12), year
        assert group["reports"].sum() == totals[year], year
    # The remainder row appears only where the list is incomplete (the 2024-2025 transcription).
    unlisted = shares.loc[~shares["listed"], "year"]
    assert set(unlisted) == {2024, 2025}


def test_company_shares_count_an_esp_without_a_parent_as_its_own_company():
    shares = platform_analysis.esp_shares("company")
    y2023 = shares[(shares["year"] == 2023) & shares["listed"]]
    assert y2023.loc[y2023["unit_id"] == "meta", "unit_name"].item() == "Meta Platforms"
    assert "no parent company recorded" not in set(shares["unit_name"])
    assert not y2023["unit_id"].duplicated().any()


def test_herfindahl_on_known_distributions():
    assert platform_analysis.herfindahl([1.0]) == pytest.approx(1.0)
    assert platform_analysis.herfindahl([0.25] * 4) == pytest.approx(0.25)
    assert platform_analysis.herfindahl([0.5, 0.3, 0.2]) == pytest.approx(0.25 + 0.09 + 0.04)
    assert platform_analysis.herfindahl([0.6, 0.2]) == pytest.approx(0.40)  # part of the whole: a lower bound
    with pytest.raises(ValueError):
        platform_analysis.herfindahl([0.7, 0.7])


def test_concentration_top_shares_and_index_match_a_direct_computation():
    table = platform_analysis.concentration("company").set_index("year")
    shares = platform_analysis.esp_shares("company")
    y = shares[(shares["year"] == 2023) & shares["listed"] & (shares["category"] == "company")
               ].sort_values("share", ascending=False)
    assert table.loc[2023, "top_1"] == pytest.approx(y["share"].iloc[0])
    assert table.loc[2023, "top_5"] == pytest.approx(y["share"].head(5).sum())
    assert table.loc[2023, "hhi"] == pytest.approx(10_000 * (y["share"] ** 2).sum())
    assert (table["top_1"] <= table["top_5"]).all() and (table["top_5"] <= table["top_10"]).all()
    assert table.loc[[2024, 2025], "lower_bound"].all() and not table.loc[2019:2023, "lower_bound"].any()


def test_reporter_counts_count_what_they_name():
    counts = platform_analysis.reporter_counts().set_index("year")
    rows = common.esp_reports_by_platform()
    assert counts.loc[2023, "esp_rows"] == (rows["year"] == 2023).sum()
    assert counts.loc[2023, "services"] == rows.loc[rows["year"] == 2023, "platform_id"].nunique()
    assert counts.loc[2023, "companies"] <= counts.loc[2023, "services"] <= counts.loc[2023, "esp_rows"]
    assert counts.loc[[2024, 2025]].isna().all().all()  # the transcription does not list every ESP


def test_rate_uses_the_named_metric_and_never_another():
    rates = platform_rates.reports_per_million_users(["apple"], "apple", "installed_base_active_devices")
    assert set(rates["metric"]) == {"installed_base_active_devices"}
    devices = common.user_base("apple", "installed_base_active_devices").assign(
        year=lambda f: f["as_of"].dt.year).set_index("year")["users"]
    for row in rates.itertuples():
        assert row.users == devices[row.year]
        assert row.rate_per_million == pytest.approx(row.reports / row.users * 1e6)
    assert 2021 not in set(rates["year"])  # no 2021 device figure: no rate, and no other metric instead
    with pytest.raises(KeyError):
        platform_rates.reports_per_million_users(["apple"], "apple", "MAU")
    # Facebook's own MAU never divides the 2019-2020 'Facebook*' row (Facebook, Instagram, WhatsApp).
    facebook = platform_rates.reports_per_million_users(["facebook"], "facebook", "MAU")
    assert set(facebook["year"]) == {2021, 2022, 2023}


def test_self_disclosures_compare_whole_calendar_years_of_the_same_scope():
    audit = platform_audit.self_disclosures_vs_ncmec()
    google = audit[audit["disclosure"] == "Google and YouTube"].set_index("year")
    assert google.loc[2022, "periods"] == 4  # two halves each for Google and YouTube
    assert (audit["ratio"] > 0).all()
    assert set(audit.loc[audit["disclosure"].str.startswith("Discord"), "unit"]) == {"accounts"}
    meta = audit[audit["disclosure"].str.startswith("Meta")]
    assert list(meta["year"]) == [2024]  # 2023 and 2025 are not covered quarter by quarter in full


def test_police_comparison_never_reads_a_missing_platform_row_as_zero():
    table = platform_audit.police_vs_ncmec_shares()
    instagram_2020 = table[(table["platform_id"] == "instagram") & (table["ncmec_year"] == 2020)]
    assert instagram_2020["ncmec_share"].isna().all()
    snap = table[(table["platform_id"] == "snapchat") & (table["period"] == "2023/24")].iloc[0]
    assert snap["police_share"] == pytest.approx(0.50)
    assert snap["ncmec_share"] == pytest.approx(713_055 / 35_944_826)


def test_the_lookup_has_every_published_label_and_every_report():
    lookup = platform_analysis.reporting_services()
    rows = data.load("ncmec_esp_reports")
    pairs = set(zip(rows["esp_label"], rows["line_item"].fillna("")))
    assert set(zip(lookup["esp_label"], lookup["line_item"].fillna(""))) == pairs
    for year, reports in rows.groupby("year")["reports"].sum().items():
        assert lookup[year].sum() == reports, year
    assert lookup["platform_name"].notna().all()


# --- hotlines apart from companies ----------------------------------------------------------------

def _non_providers() -> set[str]:
    platforms = data.load("platforms")
    return set(platforms.loc[platforms["reporter_kind"].notna(), "platform_id"])


def test_inhope_is_a_hotline_and_never_ranked_among_companies():
    assert "inhope" in _non_providers()
    shares = platform_analysis.esp_shares("company")
    inhope = shares[shares["unit_name"] == "INHOPE"]
    assert not inhope.empty and set(inhope["category"]) == {"hotline"}
    # Recomputed from the raw rows: the ten largest providers' share of 2023, non-providers left out.
    rows = common.esp_reports_by_platform().query("year == 2023")
    providers = rows[~rows["platform_id"].isin(_non_providers())]
    unit = providers["parent_company"].fillna("esp:" + providers["platform_id"])
    top10 = providers.groupby(unit)["reports"].sum().nlargest(10).sum()
    total = common.esp_totals().set_index("year").loc[2023, "esp_total"]
    table = platform_analysis.concentration("company").set_index("year")
    assert table.loc[2023, "top_10"] == pytest.approx(top10 / total)
    assert table.loc[2023, "hotline_share"] == pytest.approx(inhope.set_index("year").loc[2023, "reports"] / total)
    assert pd.isna(table.loc[2025, "hotline_share"])  # the transcription lists no hotline: not known, not zero


def test_the_company_table_sets_hotlines_apart_and_covers_the_total():
    table = platform_analysis.top_companies(2023, 2025)
    companies = table.iloc[:10]
    assert set(companies["category"]) == {"company"} and "INHOPE" not in set(companies["unit_name"])
    assert any(name.startswith("hotlines (INHOPE") for name in table["unit_name"])
    total = common.esp_totals().set_index("year").loc[2023, "esp_total"]
    assert table["reports"].sum() == total


# --- shares either side of the break --------------------------------------------------------------

def test_share_series_splits_at_the_break_and_removes_the_ai_line_item_from_the_total():
    series = platform_analysis.share_series("meta").set_index("year")
    last = common.last_comparable_year()
    assert set(series.loc[:last, "period"]) == {"before"} and set(series.loc[last + 1:, "period"]) == {"after"}
    rows = common.esp_reports_by_platform().query("year == 2025")
    meta = rows.loc[rows["parent_company"] == "meta", "reports"].sum()
    ai = rows.loc[(rows["esp_label"] == "Amazon") & (rows["line_item"] == "AI Services"), "reports"].sum()
    total = common.esp_totals().set_index("year").loc[2025, "esp_total"]
    assert ai > 1_000_000
    assert series.loc[2025, "share_without_excluded"] == pytest.approx(meta / (total - ai))
    assert series.loc[2023, "excluded"] == 0


def test_movement_shows_a_new_line_item_apart_from_its_company():
    moves = platform_analysis.movement(2023, 2025).set_index("unit_id")
    rows = common.esp_reports_by_platform().query("year == 2025")
    amazon = rows[(rows["parent_company"] == "amazon") & (rows["platform_id"] != "amazon_ai_services")]["reports"].sum()
    assert pd.isna(moves.loc["amazon_ai_services", "start"])
    if "amazon" in moves.index:
        assert moves.loc["amazon", "end"] == amazon
    assert moves.loc["meta", "ratio"] == pytest.approx(moves.loc["meta", "end"] / moves.loc["meta", "start"])


def test_movement_ranks_the_later_years_largest_companies_recomputed_from_rows():
    rows = common.esp_reports_by_platform()
    rows = rows[rows["reporter_kind"].isna() & rows["year"].isin([2023, 2025])]
    unit = rows["parent_company"].where(rows["parent_company"].notna(), "esp:" + rows["platform_id"])
    unit = unit.where(rows["platform_id"] != "amazon_ai_services", "amazon_ai_services")
    later = rows[rows["year"] == 2025].groupby(unit[rows["year"] == 2025])["reports"].sum().nlargest(10)
    moves = platform_analysis.movement(2023, 2025)
    assert set(moves["unit_id"]) == set(later.index)
    assert list(moves["end"]) == sorted(later.values, reverse=True)
    earlier = rows[rows["year"] == 2023].groupby(unit[rows["year"] == 2023])["reports"].sum().nlargest(10)
    assert set(platform_analysis.movement(2023, 2025, rank_by="start")["unit_id"]) == set(earlier.index)
    with pytest.raises(ValueError):
        platform_analysis.movement(2023, 2025, rank_by="largest")


def test_movement_finding_counts_risers_among_companies_listed_in_both_years():
    moves = platform_analysis.movement(2023, 2025)
    both = moves[moves["start"].notna() & moves["end"].notna()]
    risen = both[both["end"] > both["start"]]
    values = platform_findings.movement_finding().values
    assert values["both"] == len(both) and values["risen_count"] == len(risen)
    assert set(values["risen"]) == set(risen["unit_name"])
    assert values["risen"][0] == risen.loc[(risen["end"] / risen["start"]).idxmax(), "unit_name"]
    assert set(values["new"]) == set(moves.loc[moves["start"].isna(), "unit_name"])


def test_times_switches_to_whole_numbers_from_100():
    assert platform_findings.times(555.76) == "556 times"
    assert platform_findings.times(7.99) == "8.0 times"


# --- per user --------------------------------------------------------------------------------------

def test_meta_apple_gap_direction_comes_from_the_denominators():
    gap = platform_rates.meta_apple_gap(2023)
    # Recomputed: the rate ratio is the report ratio times Apple's devices over Meta's people.
    assert gap["rate_ratio"] == pytest.approx(gap["report_ratio"] * gap["apple_devices"] / gap["meta_users"])
    assert gap["narrower"] == (gap["apple_devices"] < gap["meta_users"])
    assert gap["narrower"]  # 2.2 billion devices against 3.19 billion people
    assert 70_000 < gap["rate_ratio"] < gap["report_ratio"]


def test_every_large_reporter_has_a_rate_or_a_reason():
    table = platform_rates.large_reporter_rates(2023)
    assert table["company"].nunique() == 10 and "esp:inhope" not in set(table["company"])
    rated = table[table["status"] == "rate"]
    assert (rated["user_year"] == 2023).all() and (rated["rate_per_million"] > 0).all()
    assert table.loc[table["company"] == "microsoft", "status"].item() == "no user figure found"
    assert table.loc[table["company"] == "alphabet", "status"].str.contains("2019").all()


def test_rates_carry_the_user_figures_reliability():
    rates = platform_rates.rates()
    sources = data.sources()["reliability"]
    assert (rates["user_reliability"] == rates["user_source_id"].map(sources)).all()
    assert "secondary" in set(rates["user_reliability"])


# --- the audit, by period --------------------------------------------------------------------------

def test_a_repeated_unrounded_value_is_flagged_and_a_rounded_one_is_not():
    flagged = platform_audit.repeated_values()
    rows = data.load("platform_transparency").query("measure == 'ncmec_reports'")
    for row in flagged.itertuples():
        previous = rows[(rows["platform_id"] == row.platform_id) & (rows["period_start"] == row.previous_start)]
        assert previous["value"].item() == row.value and row.value % 1000 != 0
    assert ("pinterest", 2024) in set(zip(flagged["platform_id"], flagged["year"]))


def test_audit_split_by_period_counts_what_it_says():
    audit = platform_audit.audit()
    reports = audit[(audit["unit"] == "CyberTipline reports") & ~audit["suspect"]]
    by_period = platform_audit.audit_by_period().set_index("period")
    for period in ("before", "after"):
        sub = reports[reports["period"] == period]
        assert by_period.loc[period, "pairs"] == len(sub)
        assert by_period.loc[period, "agree"] == int(((sub["ratio"] - 1).abs() <= platform_audit.TOLERANCE).sum())
    assert by_period.loc["before", "agree"] == by_period.loc["before", "pairs"]  # 2019-2023: all agree
    pinterest = audit[(audit["disclosure"] == "Pinterest") & (audit["year"] == 2024)]
    assert pinterest["suspect"].item()


def test_meta_bundled_basis_is_recomputed_from_raw_rows():
    basis = platform_audit.meta_bundled_basis()
    own = data.load("platform_transparency").query("platform_id == 'meta' and measure == 'ncmec_reports'")
    own = own[own["period_start"].dt.year == basis["year"]]["value"].sum()
    rows = common.esp_reports_by_platform().query("year == @basis['year']")
    ncmec = rows[rows["platform_id"].isin(["facebook", "instagram"])]["reports"].sum()
    assert basis["meta"] == own and basis["ncmec"] == ncmec
    assert basis["gap"] == pytest.approx(own / ncmec - 1)
    assert basis["on_bundled_basis"] == (abs(own / ncmec - 1) <= platform_audit.TOLERANCE)


# --- key findings ----------------------------------------------------------------------------------

def test_key_findings_are_computed_and_checked():
    findings = platform_findings.key_findings()
    assert [f.key for f in findings][:4] == ["meta_share", "concentration", "per_user", "audit"]
    for finding in findings:
        assert finding.checks, finding.key
    table = robustness.table(findings)
    assert len(table) == sum(len(f.checks) for f in findings)
    values = {f.key: f.values for f in findings}
    assert values["per_user"]["word"] == ("narrower" if values["per_user"]["rate_ratio"] < values["per_user"]["report_ratio"]
                                          else "wider")
    assert values["meta_share"]["share_last"] == pytest.approx(30_658_723 / 35_944_826)
    movement = values["movement"]
    assert movement["total_change"] == f"{movement['total_ratio'] - 1:+.0%}"  # the page writes its minus sign


def _append_row(path, row: dict) -> None:
    import csv
    import io
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    buffer = io.StringIO()
    csv.DictWriter(buffer, header, lineterminator="\n").writerow(row)
    path.write_text(path.read_text(encoding="utf-8") + buffer.getvalue(), encoding="utf-8")


def test_a_total_ahead_of_the_per_esp_table_still_builds_the_findings(tmp_path, monkeypatch):
    """NCMEC's total for a new year arrives before its table by ESP: the findings still compute, from
    the latest year each table has, and the chapter can say which series stop a year earlier."""
    import json
    import shutil
    copy = tmp_path / "data"
    shutil.copytree(data.data_dir(), copy)
    new = int(data.load("cybertipline_reports_yearly")["year"].max()) + 1
    schema_path = copy / "schemas" / "cybertipline_reports_yearly.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    for field in schema["fields"]:
        if field["name"] == "year":
            field["constraints"]["maximum"] = new
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    for measure, count in (("esp_reports", 20_000_000), ("total_reports", 20_200_000)):
        _append_row(copy / "cybertipline_reports_yearly.csv",
                    {"year": new, "measure": measure, "count": count, "bundled": "true",
                     "source_id": "ncmec-esp-2025-grimm", "locator": "test row", "notes": "test row"})
    monkeypatch.setenv("CSAM_DATA_DIR", str(copy))
    years = platform_analysis.chapter_years()
    assert years["latest_total"] == new and years["latest"] == new - 1
    findings = {f.key: f.values for f in platform_findings.key_findings()}
    assert findings["meta_share"]["latest"] == new - 1
    assert platform_analysis.top_companies(years["last"], years["latest"])["share"].sum() == pytest.approx(1)


def test_new_robustness_rows_are_recomputed_from_rows():
    findings = {f.key: f for f in platform_findings.key_findings()}
    rows = common.esp_reports_by_platform()
    companies = rows[rows["reporter_kind"].isna()]
    meta_2023 = companies[(companies["year"] == 2023) & (companies["parent_company"] == "meta")]["reports"].sum()
    share = meta_2023 / companies[companies["year"] == 2023]["reports"].sum()
    denominator = [c for c in findings["meta_share"].checks if c.objection == "denominator"][0]
    assert f"to {share:.0%}" in denominator.result
    totals = data.load("cybertipline_reports_yearly").query("year == 2023").set_index("measure")["count"]
    top5 = findings["concentration"].values["top5_last"] * totals["esp_reports"] / totals["total_reports"]
    assert findings["concentration"].values["top5_of_all_last"] == pytest.approx(top5)
    police = findings["police"].values
    route = [c for c in findings["police"].checks if c.objection == "dependence on scanning"][0]
    assert f"{police['police_share'] / police['ncmec_share']:,.0f} times" in route.result


def test_the_audit_details_recompute_from_the_audit_rows():
    rows = platform_audit.audit()
    details = platform_audit.audit_details(rows, ["Pinterest 2024"])
    amazon = rows[rows["disclosure"].str.startswith("Amazon")]
    latest = amazon[amazon["year"] == amazon["year"].max()].iloc[0]
    assert details["amazon_year"] == latest["year"] and details["amazon_own_latest"] == latest["disclosed"]
    assert "Pinterest" in details["pinterest_suspect"]
    assert platform_audit.audit_details(rows, [])["pinterest_suspect"] == ""
    named = [part.split(":")[0] for part in details["audit_others"].split("; ") if part]
    assert all(int(n.rsplit(" ", 1)[1]) >= rows.loc[rows["period"] == "after", "year"].min() for n in named)
