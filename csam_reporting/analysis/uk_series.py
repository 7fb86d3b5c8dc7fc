"""Series beside the hotline counts in the self-generated chapter: UK police records (NSPCC Freedom
of Information figures and the one Home Office figure), the reports NCMEC attributes to the UK,
youth surveys with more than one wave (and their method breaks), and one-off prevalence studies."""
from __future__ import annotations

import re

import pandas as pd

from .. import data
from .common import period_start


@data.cached
def police_annual(offence: str) -> pd.DataFrame:
    """One offence's UK police counts for whole years only (financial years, or calendar years
    from the 2016 FOI exercise), in time order, with:

    - ``area``: 'England and Wales', 'UK', 'Northern Ireland', 'Scotland' or 'not stated';
    - ``segment``: a number that changes at every series break, so that a chart never joins
      counts across a break (image offences: the 2016/17 FOI series, the 2022/23 partial
      return, the 2023/24 Home Office figure);
    - ``start``: the period's first day.

    Where two rows give the same count for the same period, the one that states its area wins
    (the other says 'not stated')."""
    rows = data.load("uk_police_offences")
    rows = rows[rows["offence"] == offence].copy()
    assert not rows.empty, f"no police rows for {offence}"
    single = rows["period"].str.fullmatch(r"\d{4}/\d{2}") | rows["period"].str.fullmatch(r"(\d{4})-01/\1-12")
    rows = rows[single].copy()
    rows["start"] = rows["period"].map(period_start)
    rows["area"] = rows["geography"].map(
        lambda g: "England and Wales" if g.startswith("England and Wales") else "UK" if g.startswith("UK") else g)
    stated = rows[rows["area"] != "not stated"].set_index(["period", "count"]).index
    duplicate = (rows["area"] == "not stated") & rows.set_index(["period", "count"]).index.isin(stated)
    rows = rows[~duplicate]
    rows = rows.sort_values(["start", "area"], kind="stable").reset_index(drop=True)
    main = ~rows["area"].isin(["Northern Ireland", "Scotland"])
    rows["segment"] = pd.NA
    rows.loc[main, "segment"] = rows.loc[main, "series_break"].astype(int).cumsum()
    return rows


@data.cached
def ncmec_uk_reports() -> pd.DataFrame:
    """CyberTipline reports NCMEC attributes to the United Kingdom, by year (year, reports, source_id)."""
    rows = data.load("ncmec_country_reports")
    uk = rows[rows["iso3"] == "GBR"][["year", "reports", "source_id"]].sort_values("year").reset_index(drop=True)
    assert not uk.empty and not uk["year"].duplicated().any(), "one UK row per year"
    return uk


@data.cached
def uk_reports_beside_police() -> pd.DataFrame:
    """NCMEC's UK-attributed reports for each calendar year beside the UK police records for the
    financial year that starts in it (2020 beside 2020/21), one row per year that has either.

    Columns: year, ncmec_uk_reports, image_offences, image_period, image_area, image_series,
    image_qualifier, scwc (sexual communication with a child), scwc_period, scwc_area.
    The police columns keep each figure's area and series: totals from different forces or
    sources are shown side by side, never chained."""
    uk = ncmec_uk_reports().set_index("year")["reports"]
    records = {}
    for year, value in uk.items():
        records.setdefault(int(year), {})["ncmec_uk_reports"] = int(value)
    for offence, prefix in (("child_abuse_image", "image"), ("sexual_communication_with_a_child", "scwc")):
        rows = police_annual(offence)
        rows = rows[rows["period"].str.fullmatch(r"\d{4}/\d{2}") & ~rows["area"].isin(["Northern Ireland", "Scotland"])]
        for r in rows.itertuples():
            year = int(r.period[:4])
            cell = records.setdefault(year, {})
            if f"{prefix}_period" in cell and cell[f"{prefix}_area"] != "not stated":
                continue  # one figure per year: the first with a stated area
            name = "image_offences" if prefix == "image" else "scwc"
            cell.update({name: int(r.count), f"{prefix}_period": r.period, f"{prefix}_area": r.area})
            if prefix == "image":
                cell.update(image_series=r.series, image_qualifier=r.qualifier if isinstance(r.qualifier, str) else "")
    frame = pd.DataFrame.from_dict(records, orient="index").rename_axis("year").sort_index().reset_index()
    for column in ("ncmec_uk_reports", "image_offences", "scwc"):
        frame[column] = frame[column].astype("Int64")
    return frame[["year", "ncmec_uk_reports", "image_offences", "image_period", "image_area", "image_series",
                  "image_qualifier", "scwc", "scwc_period", "scwc_area"]]


@data.cached
def like_for_like_changes() -> pd.DataFrame:
    """The NSPCC's published like-for-like changes (forces that answered in both years), with
    ``change`` as a fraction. They are not recomputable from the totals, which cover other forces."""
    rows = data.load("uk_police_offence_changes").copy()
    rows["change"] = rows["change_pct"] / 100
    return rows


@data.cached
def detection_tools() -> dict:
    """Shares of technology companies (WeProtect Global Alliance and Technology Coalition survey,
    2021) that use image hash-matching and that use tools to detect grooming, as fractions."""
    rows = data.load("surveys")
    rows = rows[rows["survey_id"] == "weprotect_tech_coalition_2021"].set_index("measure")
    hashing, grooming = rows.loc["uses_image_hash_matching"], rows.loc["uses_grooming_detection"]
    return {"hash_matching": hashing["value"] / 100, "grooming_detection": grooming["value"] / 100,
            "companies": int(rows.loc["sample_size", "value"]),
            "source_ids": (hashing["source_id"],)}


def share_from_ratio_text(text: str) -> float | None:
    """'1 in 6' → 16.67 (percent). None for anything else: only an 'N in M' wording is converted."""
    match = re.fullmatch(r"\s*(\d+)\s+in\s+(\d+)\s*", str(text))
    if not match or int(match.group(2)) == 0:
        return None
    return 100 * int(match.group(1)) / int(match.group(2))


# What changed between Thorn's waves, as the sources show it (a break marks the wave it starts).
THORN_WAVE_NOTES = {
    2019: "first wave; mixed methods, with caregivers (secondary copies only)",
    2020: "Thorn: sharing 'doubled' among 9–12-year-olds; from a syndicated release",
    2021: "found only as '1 in 6'",
    2022: "survey renamed; its '−4 points' implies about 18% for 2021, not 1 in 6",
}
THORN_BREAKS = (2022,)


@data.cached
def thorn_waves() -> pd.DataFrame:
    """Every wave of Thorn's monitoring survey for 'shared a nude image of themselves': wave,
    share (percent; '1 in 6' converted and flagged ``converted``), as_published, break_before
    (a possible method break between this wave and the last), note, reliability, source_id."""
    rows = data.load("surveys")
    thorn = rows[(rows["survey_id"] == "thorn_youth_monitoring") & (rows["measure"] == "shared_own_nude_image")].copy()
    assert not thorn.empty
    thorn["wave"] = thorn["wave"].astype(int)
    thorn["share"] = thorn["value"].astype("Float64").fillna(thorn["as_published"].map(share_from_ratio_text))
    thorn["converted"] = thorn["value"].isna()
    assert thorn["share"].notna().all(), "every wave has a share, published or converted from 'N in M'"
    thorn["break_before"] = thorn["wave"].isin(THORN_BREAKS)
    thorn["note"] = thorn["wave"].map(THORN_WAVE_NOTES).fillna("")
    thorn = thorn.join(data.sources()["reliability"], on="source_id")
    return thorn[["wave", "share", "converted", "as_published", "break_before", "note", "reliability",
                  "source_id", "respondents"]].sort_values("wave").reset_index(drop=True)


@data.cached
def ons_sexual_messages() -> pd.DataFrame:
    """The ONS children's survey: 13- to 15-year-olds in England and Wales who received a sexual
    message in the previous 12 months, by wave (all children). Columns: wave, share (percent),
    as_published, notes, source_id."""
    rows = data.load("surveys")
    ons = rows[(rows["survey_id"] == "ons_children_csew") & (rows["measure"] == "received_sexual_message")
               & (rows["group"] == "all")]
    assert len(ons) >= 2, "two ONS waves"
    return ons[["wave", "value", "as_published", "notes", "source_id"]].rename(columns={"value": "share"}) \
        .sort_values("wave").reset_index(drop=True)


@data.cached
def other_surveys() -> pd.DataFrame:
    """One-wave survey findings the chapter shows beside the repeated ones (WeProtect/Economist
    Impact 2021; Thorn's 2021 grooming study), all respondents only."""
    rows = data.load("surveys")
    keep = ["asked_sexually_explicit_act_online", "image_shared_by_peer_without_consent", "cold_solicitation_for_nudes"]
    return rows[rows["measure"].isin(keep) & (rows["group"] == "all")].reset_index(drop=True)


NOT_CHILD_EXPERIENCE = ("sample_size", "children_affected_ocsea", "men_self_reported_online_offending")


def repeated_prevalence_measures(rows: pd.DataFrame) -> int:
    """How many (study, measure, place) series in ``rows`` were measured in more than one fieldwork
    period: the number that could show a trend."""
    return int((rows.groupby(["study_id", "measure", "geography"])["fieldwork"].nunique() > 1).sum())


def prevalence() -> pd.DataFrame | None:
    """Prevalence studies (Childlight 2024, Finkelhor et al. 2022, Disrupting Harm): one row per
    measure and place, preferring a row with a numeric value over a rounded wording, with each
    study's definition (and ``definition_short``, its first sentence), population, geography,
    recall period, fieldwork and sample. None where the table is not in data/ yet."""
    try:
        rows = data.load("prevalence_estimates")
    except (KeyError, FileNotFoundError, ValueError):
        return None
    # about children's experience only: not sample sizes, not the scaled count of children, not men's offending
    rows = rows[~rows["measure"].isin(NOT_CHILD_EXPERIENCE)].copy()
    rows["has_value"] = rows["value"].notna()
    rows = rows.sort_values("has_value", ascending=False, kind="stable")
    rows = rows.drop_duplicates(["study_id", "measure", "geography"]).drop(columns="has_value")
    # the study's own term, without the notes that follow it (kept in ``definition``)
    rows["definition_short"] = rows["definition"].str.split(r"\. (?=[A-Z])", n=1, regex=True).str[0]
    order = {"finkelhor_2022": 0, "childlight_itl_2024": 1, "disrupting_harm": 2}
    rows = rows.assign(_o=rows["study_id"].map(order).fillna(9)).sort_values(["_o"], kind="stable").drop(columns="_o")
    return rows.reset_index(drop=True)
