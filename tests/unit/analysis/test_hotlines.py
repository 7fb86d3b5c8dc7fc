"""Hotlines' statistics: INHOPE's figures in their own unit, with restatements kept visible."""
import shutil

import pandas as pd

from csam_reporting import data
from csam_reporting.analysis import hotlines


def test_each_year_uses_the_latest_exact_statement_and_keeps_the_first_when_restated():
    raw = data.load("inhope_statistics")
    table = hotlines.inhope_yearly().set_index("year")
    for year, row in table.iterrows():
        rows = raw[(raw["year"] == year) & (raw["measure"] == "content_urls_illegal") & raw["count"].notna()
                   & raw["qualifier"].isna()]
        latest = rows.loc[rows["vintage"] == rows["vintage"].max(), "count"]
        assert row["illegal"] in set(latest), year
        exchanged = raw[(raw["year"] == year) & (raw["measure"] == "content_urls_exchanged") & raw["qualifier"].isna()]
        assert row["exchanged"] in set(exchanged["count"].dropna())
        assert abs(row["illegal_share"] - row["illegal"] / row["exchanged"]) < 1e-12
        first = rows.loc[rows["vintage"] == year, "count"]
        if not first.empty and first.iloc[0] != row["illegal"]:
            assert row["first_illegal"] == first.iloc[0]
        else:
            assert pd.isna(row["first_illegal"])


def test_a_later_report_that_restates_a_year_takes_over(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(data.data_dir(), folder)
    year = int(hotlines.inhope_yearly()["year"].min())
    path = folder / "inhope_statistics.csv"
    text = path.read_text(encoding="utf-8")
    restated = f"{year},content_urls_illegal,content_urls,123456,,,2025,inhope-2025-ar2024,restated,\n"
    path.write_text(text + ("" if text.endswith("\n") else "\n") + restated, encoding="utf-8")
    monkeypatch.setenv("CSAM_DATA_DIR", str(folder))
    row = hotlines.inhope_yearly().set_index("year").loc[year]
    assert row["illegal"] == 123456 and row["vintage"] == 2025 and not pd.isna(row["first_illegal"])


def test_the_hotline_share_of_esp_reports_is_inhopes_line():
    share = hotlines.hotline_share_of_esp_reports(2023)
    rows = data.load("ncmec_esp_reports")
    inhope = rows[(rows["year"] == 2023) & rows["esp_label"].str.contains("INHOPE", case=False)]["reports"].sum()
    printed = data.load("cybertipline_reports_yearly")
    total = printed[(printed["year"] == 2023) & (printed["measure"] == "esp_reports")]["count"].iloc[0]
    assert inhope > 0 and abs(share - inhope / total) < 1e-9


def test_latest_year_caveats_follow_the_source_rows(tmp_path, monkeypatch):
    table = hotlines.inhope_yearly()
    year, illegal = int(table["year"].iloc[-1]), int(table["illegal"].iloc[-1])
    raw = data.load("inhope_statistics")
    sources = data.load("sources").set_index("source_id")["reliability"]
    from_rows = raw[(raw["year"] == year) & (raw["measure"] == hotlines.ILLEGAL) & (raw["count"] == illegal)]
    only_secondary = bool((sources.reindex(from_rows["source_id"]) == "secondary").all())
    caveats = hotlines.latest_year_caveats()
    assert any("secondary" in line for line in caveats) == only_secondary
    # A primary source for the same count removes the caveat.
    folder = tmp_path / "data"
    shutil.copytree(data.data_dir(), folder)
    primary = sources[sources == "primary"].index[0]
    path = folder / "inhope_statistics.csv"
    text = path.read_text(encoding="utf-8")
    row = f"{year},{hotlines.ILLEGAL},content_urls,{illegal},,,{year},{primary},page text,\n"
    path.write_text(text + ("" if text.endswith("\n") else "\n") + row, encoding="utf-8")
    monkeypatch.setenv("CSAM_DATA_DIR", str(folder))
    assert not any("secondary" in line for line in hotlines.latest_year_caveats())
