"""The platforms chapter's data and computations: the ESP-to-platform mapping keeps each platform's
series to one meaning, platforms link to the companies that own them, and the shares, concentration
measures and per-user rates in ``metrics`` do what they say."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from csam_reporting import data, metrics

TRANSCRIBED_YEARS = (2024, 2025)
PRINTED_YEARS = (2021, 2022, 2023)  # NCMEC's own PDFs list each service separately from 2021


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


# --- the mapping: one meaning per platform series -------------------------------------------------

def test_every_line_item_maps_like_the_ncmec_row_that_names_it():
    """A 2024-2025 line item ('Photos', 'Xbox', 'Pornhub', ...) maps to the platform of the
    2021-2023 NCMEC row that names the same service, never to its parent label's platform."""
    rows = metrics.esp_reports_by_platform()
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
    rows = metrics.esp_reports_by_platform()
    wide = rows.pivot_table(index="platform_id", columns="year", values="reports", aggfunc="sum")
    for platform in ["amazon", "microsoft", "xbox", "amazon_photos", "pornhub"]:
        before, after = wide.loc[platform, 2023], wide.loc[platform, 2024]
        assert after < 10 * before, f"{platform}: {before:,} in 2023 -> {after:,} in 2024"
    assert pd.isna(wide.loc["amazon_ai_services", 2023]) and wide.loc["amazon_ai_services", 2024] > 0


def test_a_platform_has_at_most_as_many_rows_per_year_after_2023_as_before():
    """A platform that NCMEC printed as one row per year in 2021-2023 is still one row per year in the
    transcription (two Pornhub rows in 2023, so two are allowed later)."""
    rows = metrics.esp_reports_by_platform()
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
    rows = metrics.esp_reports_by_platform()
    assert (rows.loc[rows["platform_id"] == "tumblr", "company_name"] == "Automattic").all()


def test_every_company_with_a_name_is_used_by_some_platform():
    used = set(data.load("platforms")["parent_company"].dropna())
    assert set(data.load("companies")["company_id"]) <= used
