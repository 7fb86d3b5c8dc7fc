"""Hotlines: INHOPE's network statistics, in their own units, kept apart from companies' reports."""
from __future__ import annotations

import pandas as pd

from .. import data

# What the network counts from 2020: content URLs (to 2019 it counted reports, each holding images
# and videos, a unit that cannot be chained with URLs).
EXCHANGED, ILLEGAL = "content_urls_exchanged", "content_urls_illegal"


def _latest_exact(rows: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Per year, the exact count (no "more than", no "about") from the latest report that gives one
    (INHOPE restates earlier years, and the latest statement is its current figure), with every
    source that gives that same count."""
    rows = rows[(rows["measure"] == measure) & rows["count"].notna() & rows["qualifier"].isna()]
    latest = rows.sort_values(["year", "vintage"]).drop_duplicates("year", keep="last").set_index("year")
    latest["source_ids"] = [tuple(rows.loc[(rows["year"] == year) & (rows["count"] == row["count"]), "source_id"])
                            for year, row in latest.iterrows()]
    return latest[["count", "vintage", "source_ids"]]


def inhope_yearly() -> pd.DataFrame:
    """One row per year from 2020: the content URLs INHOPE's hotlines exchanged and how many their
    analysts assessed as illegal. Columns: year, exchanged, illegal, illegal_share, first_illegal
    (the illegal count as first published, where the latest report restates it), vintage (the
    report the figures come from), source_ids."""
    rows = data.load("inhope_statistics")
    exchanged, illegal = _latest_exact(rows, EXCHANGED), _latest_exact(rows, ILLEGAL)
    first = rows[(rows["measure"] == ILLEGAL) & rows["count"].notna() & (rows["vintage"] == rows["year"])]
    first = first.drop_duplicates("year").set_index("year")["count"]
    years = exchanged.index.intersection(illegal.index)
    assert (rows.loc[rows["measure"].isin([EXCHANGED, ILLEGAL]), "unit"] == "content_urls").all()
    frame = pd.DataFrame({
        "year": years.astype(int),
        "exchanged": exchanged.loc[years, "count"].astype(int).values,
        "illegal": illegal.loc[years, "count"].astype(int).values,
        "first_illegal": [first.get(y, pd.NA) if first.get(y, pd.NA) is not pd.NA and first.get(y) != illegal.loc[y, "count"]
                          else pd.NA for y in years],
        "vintage": illegal.loc[years, "vintage"].astype(int).values,
        "source_ids": [tuple(dict.fromkeys(exchanged.loc[y, "source_ids"] + illegal.loc[y, "source_ids"])) for y in years],
    })
    frame["first_illegal"] = frame["first_illegal"].astype("Int64")
    frame.insert(3, "illegal_share", frame["illegal"] / frame["exchanged"])
    return frame.sort_values("year").reset_index(drop=True)


def hotline_share_of_esp_reports(year: int) -> float:
    """INHOPE's share of the reports NCMEC lists from electronic service providers in ``year``
    (INHOPE forwards its members' reports to NCMEC; it is not a service provider)."""
    from .platforms import esp_shares

    shares = esp_shares("company")
    rows = shares[(shares["year"] == year) & (shares["category"] == "hotline")]
    return float(rows["share"].sum())


def latest_year_caveats() -> list[str]:
    """What a reader needs to know about the latest year of :func:`inhope_yearly`, from its source
    rows: whether INHOPE's own page words the count as "records" rather than content URLs, and
    whether the illegal count rests only on secondary sources (a member hotline's copy)."""
    table = inhope_yearly()
    assert not table.empty, "INHOPE content-URL counts exist"
    last = table.iloc[-1]
    year = int(last["year"])
    rows = data.load("inhope_statistics")
    rows = rows[rows["year"] == year]
    reliability = data.load("sources").set_index("source_id")["reliability"]
    out = []
    exchanged = rows[rows["measure"] == EXCHANGED]
    if exchanged["locator"].str.contains("records", case=False, na=False).any():
        out.append(f"INHOPE's own page for {year} calls them \"records\".")
    illegal_from = rows.loc[(rows["measure"] == ILLEGAL) & (rows["count"] == last["illegal"]), "source_id"]
    assert not illegal_from.empty, "the illegal count has a source row"
    if (reliability.reindex(illegal_from) == "secondary").all():
        out.append(f"The {year} illegal count was found only in a secondary copy of INHOPE's table.")
    return out
