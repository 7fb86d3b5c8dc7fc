"""The platforms chapter's data and computations: the ESP-to-platform mapping keeps each platform's
series to one meaning, platforms link to the companies that own them, and the shares, concentration
measures and per-user rates in ``metrics`` do what they say."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from csam_reporting import data
from csam_reporting.analysis import common, platforms as platform_analysis

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
    y = shares[(shares["year"] == 2023) & shares["listed"]].sort_values("share", ascending=False)
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
    rates = platform_analysis.reports_per_million_users(["apple"], "apple", "installed_base_active_devices")
    assert set(rates["metric"]) == {"installed_base_active_devices"}
    devices = common.user_base("apple", "installed_base_active_devices").assign(
        year=lambda f: f["as_of"].dt.year).set_index("year")["users"]
    for row in rates.itertuples():
        assert row.users == devices[row.year]
        assert row.rate_per_million == pytest.approx(row.reports / row.users * 1e6)
    assert 2021 not in set(rates["year"])  # no 2021 device figure: no rate, and no other metric instead
    with pytest.raises(KeyError):
        platform_analysis.reports_per_million_users(["apple"], "apple", "MAU")
    # Facebook's own MAU never divides the 2019-2020 'Facebook*' row (Facebook, Instagram, WhatsApp).
    facebook = platform_analysis.reports_per_million_users(["facebook"], "facebook", "MAU")
    assert set(facebook["year"]) == {2021, 2022, 2023}


def test_self_disclosures_compare_whole_calendar_years_of_the_same_scope():
    audit = platform_analysis.self_disclosures_vs_ncmec()
    google = audit[audit["disclosure"] == "Google and YouTube"].set_index("year")
    assert google.loc[2022, "periods"] == 4  # two halves each for Google and YouTube
    assert (audit["ratio"] > 0).all()
    assert set(audit.loc[audit["disclosure"].str.startswith("Discord"), "unit"]) == {"accounts"}
    meta = audit[audit["disclosure"].str.startswith("Meta")]
    assert list(meta["year"]) == [2024]  # 2023 and 2025 are not covered quarter by quarter in full


def test_police_comparison_never_reads_a_missing_platform_row_as_zero():
    table = platform_analysis.police_vs_ncmec_shares()
    instagram_2020 = table[(table["platform_id"] == "instagram") & (table["ncmec_year"] == 2020)]
    assert instagram_2020["ncmec_share"].isna().all()
    snap = table[(table["platform_id"] == "snapchat") & (table["period"] == "2023/24")].iloc[0]
    assert snap["police_share"] == pytest.approx(0.50)
    assert snap["ncmec_share"] == pytest.approx(713_055 / 35_944_826)


def test_risers_and_fallers_rank_by_change_and_skip_combined_rows():
    moves = platform_analysis.risers_and_fallers(2023, 2025, n=4)
    assert "amazon_ai_services" in moves["risers"]  # new in 2024: rises from zero
    assert not set(moves["risers"]) & set(moves["fallers"])
    early = platform_analysis.risers_and_fallers(2020, 2021, n=50, min_reports=1)
    assert "meta_combined" not in early["risers"] + early["fallers"]  # 'Facebook*' is not one service


def test_a_platform_missing_from_the_partial_transcription_is_not_a_faller():
    moves = platform_analysis.risers_and_fallers(2023, 2025, n=10)
    listed_2025 = set(common.esp_reports_by_platform().query("year == 2025")["platform_id"])
    assert set(moves["fallers"]) <= listed_2025


def test_the_lookup_has_every_published_label_and_every_report():
    lookup = platform_analysis.reporting_services()
    rows = data.load("ncmec_esp_reports")
    pairs = set(zip(rows["esp_label"], rows["line_item"].fillna("")))
    assert set(zip(lookup["esp_label"], lookup["line_item"].fillna(""))) == pairs
    for year, reports in rows.groupby("year")["reports"].sum().items():
        assert lookup[year].sum() == reports, year
    assert lookup["platform_name"].notna().all()
