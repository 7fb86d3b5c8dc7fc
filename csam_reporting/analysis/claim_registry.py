"""The claims registry: what a claim's computed figure is (:class:`Figure`), the table of one
function per claim (:data:`FIGURES`, filled by ``@_figure`` in :mod:`.claim_figures`), and the small
readers over ``data/`` those functions share. Nothing here is typed from a document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from .. import data
from . import common


class DataPending(LookupError):
    """The data this claim's figure needs are not in data/ yet."""


@dataclass(frozen=True)
class Figure:
    value: float | None  # the number the verdict rests on, in the claim's unit; None if no number applies
    text: str  # the book's figure as a reader sees it
    arithmetic: str = ""
    sources: tuple[str, ...] = ()  # documents the figure uses (all published by the time of the piece)
    later: str = ""  # later data, shown marked as later; never used for the verdict
    later_sources: tuple[str, ...] = field(default=())


FIGURES: dict[str, Callable[[], Figure]] = {}


def _figure(claim_id: str):
    def register(function: Callable[[], Figure]) -> Callable[[], Figure]:
        if claim_id in FIGURES:
            raise ValueError(f"two functions for claim {claim_id!r}")
        FIGURES[claim_id] = function
        return function
    return register


def figure(claim_id: str) -> Figure:
    """The book's figure for one claim (raises DataPending if its data are not in data/ yet)."""
    return FIGURES[claim_id]()


# --- small readers over data/ ------------------------------------------------------------------
def _n(value) -> str:
    return f"{int(round(value)):,}"


def _pct(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}%"


def _esp_rows(year: int) -> pd.DataFrame:
    rows = data.load("ncmec_esp_reports")
    return rows[rows["year"] == year]


def _esp_label(year: int, label: str) -> tuple[int, str]:
    """Reports under one NCMEC label in one year (all its line items), and the source document."""
    rows = _esp_rows(year)
    rows = rows[rows["esp_label"] == label]
    if rows.empty:
        raise DataPending(f"no NCMEC row labelled {label!r} for {year}")
    return int(rows["reports"].sum()), str(rows["source_id"].iloc[0])


def _platform(year: int, platform_id: str) -> tuple[int, tuple[str, ...]]:
    rows = common.esp_reports_by_platform()
    rows = rows[(rows["year"] == year) & (rows["platform_id"] == platform_id)]
    if rows.empty:
        raise DataPending(f"no NCMEC rows for platform {platform_id!r} in {year}")
    return int(rows["reports"].sum()), tuple(dict.fromkeys(rows["source_id"]))


def _parent(year: int, company: str) -> tuple[int, list[str], tuple[str, ...]]:
    rows = common.esp_reports_by_platform()
    rows = rows[(rows["year"] == year) & (rows["parent_company"] == company)]
    if rows.empty:
        raise DataPending(f"no NCMEC rows for {company!r} in {year}")
    names = list(dict.fromkeys(rows["platform_name"].dropna()))
    return int(rows["reports"].sum()), names, tuple(dict.fromkeys(rows["source_id"]))


def _yearly(measure: str, year: int) -> tuple[int, str, bool]:
    rows = common.yearly(measure)
    rows = rows[rows["year"] == year]
    if rows.empty:
        raise DataPending(f"no {measure} for {year}")
    row = rows.iloc[0]
    return int(row["count"]), str(row["source_id"]), bool(row["bundled"])


def _yearly_in(measure: str, year: int, source_id: str) -> int:
    """A yearly CyberTipline figure as one named document gives it (for judging a claim on what
    that document said when the piece appeared)."""
    rows = data.load("cybertipline_reports_yearly")
    rows = rows[(rows["measure"] == measure) & (rows["year"] == year) & (rows["source_id"] == source_id)]
    if rows.empty:
        raise DataPending(f"no {measure} for {year} in {source_id}")
    return int(rows["count"].iloc[0])


def _files_total(year: int) -> tuple[int, str]:
    rows = data.load("ncmec_files")
    rows = rows[(rows["year"] == year) & (rows["file_type"] == "total")]
    if rows.empty:
        raise DataPending(f"no NCMEC file total for {year}")
    rows = common.preferred(rows, ["year"])
    return int(rows["files"].iloc[0]), str(rows["source_id"].iloc[0])


def _esp_share(year: int, label: str) -> Figure:
    reports, source = _esp_label(year, label)
    total, total_source, _ = _yearly("esp_reports", year)
    share = 100 * reports / total
    return Figure(share, f"{_pct(share)} of the CyberTipline reports sent by electronic service providers in {year} "
                         f"(NCMEC row '{label}')",
                  f"{_n(reports)} / {_n(total)} = {_pct(share)}", (source, total_source))


def _exact_esp(year: int, label: str) -> Figure:
    reports, source = _esp_label(year, label)
    return Figure(reports, f"{_n(reports)} CyberTipline reports in {year} (NCMEC row '{label}')", "", (source,))


def _meta_after_encryption() -> tuple[str, tuple[str, ...]]:
    """Later data: Meta's reports in the last year before Messenger's default encryption (Dec 2023)
    and in the first year after it, which is also NCMEC's first bundled year."""
    before, _, before_sources = _parent(2023, "meta")
    after, _, after_sources = _parent(2024, "meta")
    change = 100 * (after / before - 1)
    text = (f"Meta's apps sent {_n(before)} reports in 2023 and {_n(after)} in 2024 ({change:+.1f}%), in counts "
            f"that are bundled from 2024 and not comparable with earlier years.")
    return text, before_sources + after_sources


def _uk_share(period: str, offence: str, platform: str) -> tuple[float, str, str]:
    rows = data.load("uk_grooming_platform_shares")
    rows = rows[(rows["period"] == period) & (rows["offence"] == offence) & (rows["platform_label"] == platform)
                & rows["share_pct"].notna()]
    if rows.empty:
        raise DataPending(f"no UK police platform share for {platform!r}, {offence}, {period}")
    row = rows.iloc[0]
    return float(row["share_pct"]), str(row["base"]), str(row["source_id"])


def _iwf(year: int, measure: str, source_id: str = "") -> tuple[float, str]:
    rows = data.load("iwf_reports")
    rows = rows[(rows["year"] == year) & (rows["measure"] == measure) & (rows["age_group"] == "all")
                & (rows["sex"] == "all") & rows["count"].notna()]
    if source_id:
        rows = rows[rows["source_id"] == source_id]
    if rows.empty:
        raise DataPending(f"no IWF {measure} count for {year}{' in ' + source_id if source_id else ''}")
    return float(rows["count"].iloc[0]), str(rows["source_id"].iloc[0])


def _iwf_share(year: int, measure: str) -> tuple[float, str] | None:
    rows = data.load("iwf_reports")
    rows = rows[(rows["year"] == year) & (rows["measure"] == measure) & (rows["age_group"] == "all")
                & (rows["sex"] == "all") & rows["share_pct"].notna()]
    return None if rows.empty else (float(rows["share_pct"].iloc[0]), str(rows["source_id"].iloc[0]))


def _survey(measure: str, survey_id: str = "weprotect_tech_coalition_2021") -> tuple[float, str, str]:
    rows = data.load("surveys")
    rows = rows[(rows["survey_id"] == survey_id) & (rows["measure"] == measure)]
    if rows.empty:
        raise DataPending(f"no {measure!r} for survey {survey_id!r}")
    row = rows.iloc[0]
    return float(row["value"]), str(row["respondents"]), str(row["source_id"])


def _police_count(period: str, offence: str, geography_prefix: str = "") -> tuple[int, str, str]:
    rows = data.load("uk_police_offences")
    rows = rows[(rows["period"] == period) & (rows["offence"] == offence)]
    if geography_prefix:
        rows = rows[rows["geography"].str.startswith(geography_prefix)]
    if rows.empty:
        raise DataPending(f"no UK police count for {offence}, {period}")
    row = rows.iloc[0]
    return int(row["count"]), str(row["geography"]), str(row["source_id"])


def _no_figure(text: str, sources: tuple[str, ...] = ()) -> Figure:
    return Figure(None, text, "", sources)


def _evidence(evidence_id: str) -> tuple[float | None, str, str, str]:
    """One row of claim_evidence: its value (None for a statement), the words as published, the
    qualifier and the source."""
    rows = data.load("claim_evidence").set_index("evidence_id")
    if evidence_id not in rows.index:
        raise DataPending(f"no claim_evidence row {evidence_id!r}")
    row = rows.loc[evidence_id]
    value = None if pd.isna(row["value"]) else float(row["value"])
    qualifier = row["qualifier"] if isinstance(row["qualifier"], str) else ""
    return value, str(row["as_published"]), qualifier, str(row["source_id"])


def _event(event_id: str) -> tuple[str, str, str]:
    """A dated event of the policy timeline: its date as a reader sees it, the event, the source."""
    events = data.load("policy_timeline")
    events = events[events["event_id"] == event_id]
    if events.empty:
        raise DataPending(f"no timeline event {event_id!r}")
    event = events.iloc[0]
    return (common.format_event_date(event["date"], event["date_precision"]), str(event["event"]),
            str(event["source_id"]))


