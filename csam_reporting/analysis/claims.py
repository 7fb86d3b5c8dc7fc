"""The claims check: the book's own figure for every claim in ``data/claims.csv``, computed from the
other tables by one named function per claim, and the checks that tie each verdict to its figure.

    from csam_reporting.analysis import claims
    claims.figure("sun-94pct-of-images")   # -> Figure(value=94.3..., text="...", ...)
    claims.table()                          # every claim with its computed figure, for the chapter

A claim's function returns a :class:`Figure`: the number the verdict rests on (``value``, in the unit
of the claim's ``claimed_value``), how it reads to a reader (``text``), the arithmetic, the source
documents it uses, and, separately, anything from documents published after the piece (``later``),
which is shown marked as such and never used for the verdict. A function whose data are missing
from ``data/`` raises :class:`DataPending`, and the claim's checks fail until they are restored.

Every verdict follows one rubric (:data:`VERDICT_RULES`). The figure each verdict was reviewed
against is the claim's ``reviewed_figure`` in ``claims.csv``; :func:`review_problems` reports a claim
whose computed figure has moved since, so the verdict is re-read before the figure is updated.

Nothing here is typed from a document: every number comes from ``data/`` through ``data.load``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from .. import data
from . import common

VERDICT_LABELS = {
    "accurate": "accurate",
    "accurate_as_attributed": "accurate as attributed",
    "accurate_but_misleading": "accurate but misleading",
    "wrong": "wrong",
    "not_checked_yet": "not checked yet",
    "cannot_be_checked": "cannot be checked",
}
# The rubric, stated once: the page prints it and every row of claims.csv is judged by it.
VERDICT_RULES = {
    "accurate": "the number, or the fact, holds for the unit, period and place the piece states.",
    "accurate_as_attributed": "it matches the source the piece names, which could not itself be checked: that "
                              "source's own publication was not found, and the figure is known only from reports of it.",
    "accurate_but_misleading": "the number holds, the reading the piece gives it does not: a share of reports read "
                               "as a share of images, reports read as abuse, some police forces' records read as all crimes.",
    "wrong": "the number or fact, or its unit, period or place, does not hold as of the day the piece appeared.",
    "not_checked_yet": "a published source exists and has not been read yet; the entry says which.",
    "cannot_be_checked": "no published source for the figure was found; the entry says what would settle it.",
}
THEME_LABELS = {
    "reporting_volume": "What the counts measure",
    "platforms": "Platform disparities",
    "encryption": "Encryption and reporting",
    "self_generated": "Self-generated material and UK police data",
}
PIECE_ORDER = ["inhope-eu-strategy-7", "facebook-94-compilation", "protocol-2021",
               "nspcc-image-offences-2024", "apple-2024"]
PIECE_LABELS = {"inhope-eu-strategy-7": "INHOPE (undated)", "facebook-94-compilation": "The Sun and RT, as compiled",
                "protocol-2021": "Protocol (2021)", "nspcc-image-offences-2024": "Today's Family Lawyer (2024)",
                "apple-2024": "Tom's Guide (2024)"}
THEME_SHORT = {"reporting_volume": "counts", "platforms": "platforms", "encryption": "encryption",
               "self_generated": "self-generated"}


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


def _iwf(year: int, measure: str) -> tuple[float, str]:
    rows = data.load("iwf_reports")
    rows = rows[(rows["year"] == year) & (rows["measure"] == measure) & (rows["age_group"] == "all")
                & (rows["sex"] == "all") & rows["count"].notna()]
    if rows.empty:
        raise DataPending(f"no IWF {measure} count for {year}")
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


# --- the Facebook "94%" compilation --------------------------------------------------------------
@_figure("fb94-headline-69m-in-2020")
def files_of_2019_not_2020() -> Figure:
    files_2019, source_2019 = _files_total(2019)
    files_2020, source_2020 = _files_total(2020)
    reports_source = "ncmec-ojjdp-2022"  # the first of NCMEC's reports to give both 2020 figures
    reports_2020 = _yearly_in("total_reports", 2020, reports_source)
    return Figure(files_2019,
                  f"NCMEC's 2019 count: {files_2019 / 1e6:.1f} million 'videos, images and files'. For 2020 it counted "
                  f"{_n(reports_2020)} reports and {_n(files_2020)} files with companies' reports, published before "
                  "the compilation",
                  "", (source_2019, reports_source, source_2020))


@_figure("sun-94pct-of-images")
def facebook_share_of_2019_reports_not_images() -> Figure:
    share = _esp_share(2019, "Facebook*")
    return Figure(share.value, share.text + "; NCMEC gives no count of images by company for 2019",
                  share.arithmetic + " (reports, not images)", share.sources)


@_figure("sun-69m-images-2019")
def files_2019() -> Figure:
    files, source = _files_total(2019)
    return Figure(files, f"{files / 1e6:.1f} million 'videos, images and files' with the 2019 reports, each counted "
                         "every time it was reported; NCMEC's own split by file type for 2019 was not found",
                  "", (source,))


@_figure("sun-nca-thousands-of-arrests")
def nca_arrests() -> Figure:
    return _no_figure("No NCA publication with a count of arrests following industry reports was found.")


@_figure("sun-nca-6000-children")
def nca_children_safeguarded() -> Figure:
    return _no_figure("No NCA publication with a count of children safeguarded was found.")


@_figure("sun-nca-drop-to-zero")
def meta_reports_after_default_encryption() -> Figure:
    later, later_sources = _meta_after_encryption()
    return Figure(None, "A forecast, with no NCA document found.", later="Published after the piece: " + later,
                  later_sources=later_sources)


@_figure("sun-seven-countries")
def international_statement_signatories() -> Figure:
    events = data.load("policy_timeline")
    events = events[events["event_id"] == "intl-statement-e2ee-2020"]
    if events.empty:
        raise DataPending("the international statement of October 2020 is not in policy_timeline")
    event = events.iloc[0]
    return Figure(None, f"Timeline ({common.format_event_date(event['date'], event['date_precision'])}): {event['event']}",
                  "", (str(event["source_id"]),))


MARCH_2021 = ("2019-10/2020-09", "child_abuse_image_or_online_sex_offence")


def _march_2021(label: str) -> tuple[float | None, int | None, int, str]:
    """One app's row of the NSPCC's March 2021 release: share (percent, if published), count (if
    published), the base of instances with a known platform, and the source."""
    rows = data.load("uk_grooming_platform_shares")
    rows = rows[(rows["period"] == MARCH_2021[0]) & (rows["offence"] == MARCH_2021[1]) & (rows["platform_label"] == label)]
    if rows.empty:
        raise DataPending(f"the NSPCC's March 2021 row for {label!r} is not in data/")
    row = rows.iloc[0]
    share = None if pd.isna(row["share_pct"]) else float(row["share_pct"])
    count = None if pd.isna(row["count"]) else int(row["count"])
    return share, count, int(row["base_count"]), str(row["source_id"])


def _facebook_apps_march_2021() -> Figure:
    share, _, base, source = _march_2021("Facebook-owned apps")
    return Figure(share, f"{share:.0f}% of {_n(base)} instances where police recorded the platform (image and online "
                         "child sex offences together, October 2019 to September 2020, 35 forces in England, Wales and "
                         "the Channel Islands)", "", (source,))


@_figure("fb94-headline-52pct-of-all-crimes")
def facebook_apps_share_headline() -> Figure:
    return _facebook_apps_march_2021()


@_figure("rt-52pct-of-all-crimes")
def facebook_apps_share_rt() -> Figure:
    return _facebook_apps_march_2021()


@_figure("nspcc-tweet-52pct-of-instances")
def facebook_apps_share_tweet() -> Figure:
    return _facebook_apps_march_2021()


@_figure("rt-9400-instances")
def instances_with_known_platform() -> Figure:
    _, _, base, source = _march_2021("Facebook-owned apps")
    return Figure(base, f"{_n(base)} instances where police recorded the platform, October 2019 to September 2020 "
                        "(35 forces in England, Wales and the Channel Islands)", "", (source,))


@_figure("rt-instagram-over-a-third")
def instagram_share_march_2021() -> Figure:
    _, count, base, source = _march_2021("Instagram")
    share = 100 * count / base
    return Figure(share, f"{_pct(share)} of the instances where police recorded the platform ({_n(count)} of {_n(base)})",
                  f"{_n(count)} / {_n(base)} = {_pct(share)}", (source,))


# --- INHOPE on the EU strategy (2019 figures) ------------------------------------------------------
@_figure("inhope-almost-17m-esp-reports")
def esp_reports_2019() -> Figure:
    reports, source, _ = _yearly("esp_reports", 2019)
    return Figure(reports, f"{_n(reports)} CyberTipline reports from electronic service providers in 2019", "", (source,))


@_figure("inhope-facebook-almost-16m")
def facebook_reports_2019() -> Figure:
    return _exact_esp(2019, "Facebook*")


@_figure("inhope-facebook-94pct-of-reports")
def facebook_share_2019() -> Figure:
    return _esp_share(2019, "Facebook*")


def _line_items_below(year: int, threshold: int) -> Figure:
    rows = _esp_rows(year)
    below = rows[rows["reports"] < threshold]
    google, _ = _esp_label(year, "Google*")
    return Figure(len(below),
                  f"{len(below)} of NCMEC's {len(rows)} line items for {year} sent fewer than {threshold:,} reports "
                  f"(line items, not companies; NCMEC does not mark which are US-based); Google alone sent {_n(google)}",
                  f"{len(below)} / {len(rows)} = {_pct(100 * len(below) / len(rows), 0)} of line items",
                  tuple(dict.fromkeys(rows["source_id"])))


@_figure("inhope-others-fewer-than-1000")
def line_items_of_1000_or_more() -> Figure:
    """The line items besides Facebook's that sent 1,000 reports or more: each one falsifies the sentence."""
    rows = _esp_rows(2019)
    others = rows[(rows["reports"] >= 1000) & (rows["esp_label"] != "Facebook*")].sort_values("reports", ascending=False)
    largest = ", ".join(f"{label.rstrip('*')} ({_n(n)})" for label, n in zip(others["esp_label"].head(5), others["reports"].head(5)))
    return Figure(len(others),
                  f"{len(others)} of NCMEC's {len(rows)} line items for 2019 other than Facebook's sent 1,000 reports "
                  f"or more, the largest {largest}",
                  "", tuple(dict.fromkeys(rows["source_id"])))


@_figure("inhope-some-fewer-than-10")
def line_items_below_10() -> Figure:
    return _line_items_below(2019, 10)


@_figure("inhope-e2ee-more-than-half")
def reports_after_default_encryption() -> Figure:
    before, _, _ = _yearly("total_reports", 2023)
    after, source, bundled = _yearly("total_reports", 2024)
    meta, meta_sources = _meta_after_encryption()
    change = 100 * (after / before - 1)
    later = (f"Published after the piece: all CyberTipline reports went from {_n(before)} (2023) to {_n(after)} "
             f"(2024, {change:+.1f}%{', bundled' if bundled else ''}). " + meta)
    return Figure(None, "A forecast, whose wording in the Commission's own text was not read.", later=later,
                  later_sources=(source,) + meta_sources)


for _claim, _label in [("inhope-amazon-8", "Amazon"), ("inhope-apple-205", "Apple Inc"),
                       ("inhope-facebook-15884511", "Facebook*"), ("inhope-google-449283", "Google*"),
                       ("inhope-snapchat-82030", "Snapchat")]:
    def _exact_2019(label=_label) -> Figure:
        return _exact_esp(2019, label)
    _exact_2019.__name__ = f"reports_2019_{_label.strip('*').split()[0].lower()}"
    _figure(_claim)(_exact_2019)


# --- Protocol on the WeProtect Global Threat Assessment 2021 ----------------------------------------
def _first_pandemic_year() -> Figure:
    """Reports from ESPs, 2019 -> 2020: the latest annual NCMEC change published before November 2021
    (NCMEC's per-ESP reports for 2019 and 2020; the book's all-report totals for those years come
    from later documents)."""
    source_before, source_after = "ncmec-esp-2019", "ncmec-esp-2020"
    before = _yearly_in("esp_reports", 2019, source_before)
    after = _yearly_in("esp_reports", 2020, source_after)
    change = 100 * (after / before - 1)
    return Figure(change,
                  f"CyberTipline reports from electronic service providers rose {change:+.1f}% from 2019 to 2020 "
                  f"({_n(before)} to {_n(after)}): growth in reporting, not a count of abuse",
                  f"{_n(after)} / {_n(before)} - 1 = {change:+.1f}%",
                  (source_before, source_after))


@_figure("protocol-exploding")
def reports_growth_first_pandemic_year() -> Figure:
    annual = _first_pandemic_year()
    before = _yearly_in("total_reports", 2018, "ncmec-ojjdp-2022")
    after = _yearly_in("total_reports", 2019, "ncmec-ojjdp-2022")
    fall = 100 * (after / before - 1)
    later = (f"NCMEC's yearly totals as compiled in its report for 2022 (published after the piece) also show all "
             f"reports falling from {_n(before)} in 2018 to {_n(after)} in 2019 ({fall:+.1f}%).")
    return Figure(annual.value, annual.text, annual.arithmetic, annual.sources,
                  later=later, later_sources=("ncmec-ojjdp-2022",))


@_figure("protocol-ncmec-106pct")
def monthly_comparisons_2020() -> Figure:
    """NCMEC's March and April 2020 against the same months of 2019, as its staff gave them to the
    press; the value is the least rise 'more than double' allows, in percent."""
    march, march_words, march_q, source = _evidence("ncmec-reports-2020-03-vs-2019-03")
    april, april_words, _, april_source = _evidence("ncmec-reports-2020-04-vs-2019-04")
    annual = _first_pandemic_year()
    least = 100 * (march - 1)
    return Figure(least,
                  f"NCMEC, March 2020: '{march_words}' (a rise of {march_q} {least:.0f}%); April 2020: "
                  f"'{april_words}' (about {100 * (april - 1):+.0f}%). Over the year, reports from companies rose "
                  f"{annual.value:+.1f}% from 2019 to 2020",
                  annual.arithmetic, tuple(dict.fromkeys((source, april_source) + annual.sources)))


@_figure("protocol-nearly-100-governments")
def weprotect_membership() -> Figure:
    governments, _, _, source = _evidence("weprotect-member-governments-2021-12")
    companies, _, _, _ = _evidence("weprotect-member-companies-2021-12")
    return Figure(governments, f"{governments:.0f} member governments and {companies:.0f} member companies in "
                               "December 2021, as WeProtect's Executive Director gave them", "", (source,))


@_figure("protocol-32-companies")
def companies_responding() -> Figure:
    value, respondents, source = _survey("sample_size")
    return Figure(value, f"{int(value)} companies responded ({respondents})", "", (source,))


@_figure("protocol-forums-two-thirds")
def offender_forum_analysis() -> Figure:
    return _no_figure("Not checked yet: the Global Threat Assessment 2021's own account of its forum analysis.")


@_figure("protocol-iwf-77pct")
def iwf_self_generated_growth() -> Figure:
    before, source_before = _iwf(2019, "self_generated_reports")
    after, source_after = _iwf(2020, "self_generated_reports")
    change = 100 * (after / before - 1)
    shares = [s for s in (_iwf_share(2019, "self_generated_reports"), _iwf_share(2020, "self_generated_reports")) if s]
    share_text = ""
    if len(shares) == 2:
        share_text = f"; the share of actioned reports went from {shares[0][0]:.0f}% to {shares[1][0]:.0f}%"
    return Figure(change,
                  f"IWF actioned reports (webpages) with 'self-generated' material: {_n(before)} (2019) to about "
                  f"{_n(after)} (2020, rounded as published), {change:+.0f}%{share_text}",
                  f"{_n(after)} / {_n(before)} - 1 = {change:+.1f}%",
                  (source_before, source_after) + tuple(s[1] for s in shares))


@_figure("protocol-87pct-hash-matching")
def hash_matching_share() -> Figure:
    value, respondents, source = _survey("uses_image_hash_matching")
    grooming, _, grooming_source = _survey("uses_grooming_detection")
    companies, _, _ = _survey("sample_size")
    return Figure(value, f"{value:.0f}% of the {int(companies)} companies that responded use image hash-matching "
                         f"({grooming:.0f}% use tools to detect grooming); a self-selected group, not the industry",
                  "", tuple(dict.fromkeys((source, grooming_source))))


for _claim in ["protocol-26pct-share-classifiers", "protocol-30pct-video-classifiers", "protocol-22pct-livestream"]:
    def _survey_share_not_found() -> Figure:
        return _no_figure("Not checked yet: not on WeProtect's survey and report pages; the full report was not read.")
    _survey_share_not_found.__name__ = "survey_share_not_published_" + _claim.split("-")[1]
    _figure(_claim)(_survey_share_not_found)


# --- Today's Media on the NSPCC's 2022/23 police data -----------------------------------------------
def _police_change(period: str, base_period: str, offence: str) -> tuple[float, str, str]:
    rows = data.load("uk_police_offence_changes")
    rows = rows[(rows["period"] == period) & (rows["base_period"] == base_period) & (rows["offence"] == offence)]
    if rows.empty:
        raise DataPending(f"no NSPCC change for {offence}, {base_period} to {period}")
    row = rows.iloc[0]
    return float(row["change_pct"]), str(row["comparison"]), str(row["source_id"])


def _like_for_like(base_period: str) -> Figure:
    change, comparison, source = _police_change("2022/23", base_period, "child_abuse_image")
    now, _, now_source = _police_count("2022/23", "child_abuse_image")
    then, geography, then_source = _police_count(base_period, "child_abuse_image")
    naive = 100 * (now / then - 1)
    return Figure(change, f"NSPCC: {change:+.0f}% from {base_period} to 2022/23, {comparison}",
                  f"Not comparable, for contrast: the published totals, {_n(now)} (2022/23, a lower bound from the "
                  f"forces responding) against {_n(then)} ({base_period}, {geography}), differ by {naive:+.0f}%",
                  (source, now_source, then_source))


@_figure("nspcc-25pct-rise")
def nspcc_like_for_like_one_year() -> Figure:
    return _like_for_like("2021/22")


@_figure("nspcc-79pct-five-years")
def nspcc_like_for_like_five_years() -> Figure:
    return _like_for_like("2017/18")


@_figure("nspcc-online-abuse-continues-to-rise")
def recorded_offences_not_abuse() -> Figure:
    like = _like_for_like("2021/22")
    return Figure(like.value, like.text + ": a rise in police-recorded offences, not a measure of abuse",
                  like.arithmetic, like.sources)


@_figure("nspcc-33000-offences")
def nspcc_offences_2022_23() -> Figure:
    rows = data.load("uk_police_offences")
    rows = rows[(rows["period"] == "2022/23") & (rows["offence"] == "child_abuse_image")]
    if rows.empty:
        raise DataPending("no NSPCC count of child abuse image offences for 2022/23")
    row = rows.iloc[0]
    qualifier = f"{row['qualifier']} " if isinstance(row["qualifier"], str) else ""
    return Figure(int(row["count"]), f"{qualifier}{_n(row['count'])} offences, {row['geography']}, 2022/23",
                  "", (str(row["source_id"]),))


@_figure("nspcc-snapchat-44pct")
def snapchat_share_of_image_offences() -> Figure:
    share, base, source = _uk_share("2022/23", "child_abuse_image", "Snapchat")
    # NCMEC's calendar year in which the financial year starts (nine of its twelve months), as the
    # platforms chapter compares them
    snap_reports, snap_sources = _platform(2022, "snapchat")
    esp_total, esp_source, _ = _yearly("esp_reports", 2022)
    return Figure(share,
                  f"{share:.0f}% of {base} (UK forces responding, 2022/23); for comparison, Snapchat sent "
                  f"{_pct(100 * snap_reports / esp_total)} of ESP reports to NCMEC in 2022",
                  f"{_n(snap_reports)} / {_n(esp_total)} = {_pct(100 * snap_reports / esp_total)}",
                  (source, esp_source) + snap_sources)


@_figure("nspcc-meta-a-quarter")
def meta_share_of_image_offences() -> Figure:
    value, words, _, source = _evidence("nspcc-meta-share-image-offences-2022-23")
    return Figure(value, f"NSPCC: Meta's apps in '{words}' of offences where police identified the platform "
                         "(2022/23, forces responding); no exact share, counts by app or base published", "", (source,))


# --- Tom's Guide on the NSPCC's Apple figures -------------------------------------------------------
def _apple_offences() -> tuple[int, str, str]:
    rows = data.load("uk_grooming_platform_shares")
    rows = rows[(rows["period"] == "2022/23") & (rows["offence"] == "child_abuse_image")
                & (rows["platform_id"] == "apple") & rows["count"].notna()]
    if rows.empty:
        raise DataPending("the NSPCC's count of offences implicating Apple (England and Wales, 2022/23) is not in data/")
    row = rows.iloc[0]
    return int(row["count"]), str(row["geography"]), str(row["source_id"])


@_figure("apple-337-offences")
def apple_offences() -> Figure:
    count, geography, source = _apple_offences()
    return Figure(count, f"{_n(count)} child abuse image offences in which police recorded Apple, {geography}, "
                         "April 2022 to March 2023 (NSPCC, as The Guardian reported it)", "", (source,))


@_figure("apple-hundreds-more-than-reported")
def apple_offences_against_reports() -> Figure:
    offences, geography, source = _apple_offences()
    reports, report_source = _esp_label(2023, "Apple Inc")
    return Figure(offences - reports,
                  f"{_n(offences)} police-recorded offences ({geography}, 2022/23) against {_n(reports)} reports to "
                  "NCMEC (worldwide, 2023): different units, places and periods",
                  f"{_n(offences)} - {_n(reports)} = {_n(offences - reports)}", (source, report_source))


@_figure("apple-267-reports")
def apple_reports_2023() -> Figure:
    return _exact_esp(2023, "Apple Inc")


@_figure("apple-google-1-47m")
def google_reports_2023() -> Figure:
    return _exact_esp(2023, "Google")


@_figure("apple-meta-30-6m")
def meta_reports_2023() -> Figure:
    reports, names, sources = _parent(2023, "meta")
    return Figure(reports, f"{_n(reports)} CyberTipline reports from Meta's apps in 2023 ({', '.join(names)})", "", sources)


@_figure("apple-discord-339412")
def discord_reports_2023() -> Figure:
    return _exact_esp(2023, "Discord Inc.")


@_figure("apple-pinterest-52356")
def pinterest_reports_2023() -> Figure:
    return _exact_esp(2023, "Pinterest Inc.")


@_figure("apple-4chan-1657")
def fourchan_reports_2023() -> Figure:
    return _exact_esp(2023, "4chan community support LLC")


@_figure("apple-whatsapp-1-4m")
def whatsapp_reports_2023() -> Figure:
    return _exact_esp(2023, "WhatsApp Inc.")


@_figure("apple-icloud-e2ee")
def icloud_encryption_opt_in() -> Figure:
    date, event, source = _event("apple-adp-announced")
    return _no_figure(f"Timeline ({date}): {event}.", (source,))


@_figure("apple-ncmec-requires")
def reporting_duty_in_law() -> Figure:
    _, words, _, source = _evidence("us-law-reporting-duty")
    return _no_figure(f"NCMEC: '{words}'.", (source,))


@_figure("apple-detection-plan")
def apple_detection_timeline() -> Figure:
    steps = [_event(e) for e in ("apple-csam-detection-announced", "apple-csam-detection-paused",
                                 "apple-csam-detection-abandoned")]
    return _no_figure("Timeline: " + "; ".join(f"{date}: {event}" for date, event, _ in steps) + ".",
                      tuple(dict.fromkeys(source for _, _, source in steps)))


@_figure("sun-most-and-worst-images-facebook")
def images_by_company_and_severity() -> Figure:
    return _no_figure("No published count of images by company, or by severity category, for 2019 was found; "
                      "NCMEC's 2019 report by company counts reports only.")


@_figure("fb94-zuckerberg-e2ee-across-meta")
def meta_encryption_by_app() -> Figure:
    steps = [_event(e) for e in ("whatsapp-e2ee-complete", "messenger-default-e2ee")]
    whatsapp, whatsapp_source = _esp_label(2022, "WhatsApp Inc.")
    instagram_date, instagram, instagram_source = _event("instagram-e2ee-dms-end")
    (whatsapp_date, _, _), (messenger_date, _, _) = steps
    text = (f"Encrypted by default: WhatsApp from {whatsapp_date}, Messenger's personal chats from {messenger_date}. "
            f"WhatsApp still sent {_n(whatsapp)} reports to NCMEC in 2022")
    return Figure(None, text, "", tuple(source for _, _, source in steps) + (whatsapp_source,),
                  later=f"Published after the post ({instagram_date}): {instagram}, so Instagram's direct messages were "
                        "never encrypted by default.",
                  later_sources=(instagram_source,))


# --- verdict checks ----------------------------------------------------------------------------------
def agrees(claimed: float, relation: str, tolerance: float | None, computed: float) -> bool:
    """Whether the book's figure bears out the claimed number as the piece words it."""
    tolerance = 0.0 if tolerance is None or pd.isna(tolerance) else float(tolerance)
    if relation == "exactly":
        return computed == claimed
    if relation == "about":
        return abs(computed - claimed) <= tolerance
    if relation == "almost":
        return claimed - tolerance <= computed <= claimed
    if relation == "more_than":
        return computed > claimed
    if relation == "at_least":
        return computed >= claimed
    raise ValueError(f"unknown relation {relation!r}")


CHECKABLE = ("accurate", "accurate_as_attributed", "accurate_but_misleading", "wrong")


def verdict_problems(row, result: Figure | None) -> list[str]:
    """Ways in which a claim's verdict does not follow from its computed figure (empty if none)."""
    verdict = row["verdict"]
    if result is None:
        return [f"verdict {verdict!r} but the figure cannot be computed from data/"]
    problems = []
    needs = row.get("needs")
    if verdict in ("not_checked_yet", "cannot_be_checked"):
        if not (isinstance(needs, str) and needs):
            problems.append(f"marked {verdict}: say in needs what would settle it")
        if pd.notna(row["claimed_value"]) and result.value is not None:
            problems.append(f"marked {verdict} but a figure is computed to check it against")
    if verdict in CHECKABLE and pd.notna(row["claimed_value"]):
        if result.value is None:
            problems.append("a checkable verdict with no computed figure")
        else:
            ok = agrees(float(row["claimed_value"]), row["claimed_relation"], row["claimed_tolerance"], result.value)
            if verdict == "wrong" and ok:
                problems.append("marked wrong, but the computed figure agrees with the claimed number")
            if verdict != "wrong" and not ok:
                problems.append(f"marked {verdict}, but the computed figure {result.value!r} does not agree with "
                                f"the claimed {row['claimed_value']!r} ({row['claimed_relation']})")
    return problems


def review_problems(row, result: Figure | None) -> list[str]:
    """A computed figure that no longer matches the figure its verdict was reviewed against
    (``reviewed_figure`` in claims.csv): the verdict must be re-read before the figure is updated."""
    if result is None:
        return []  # reported by verdict_problems
    reviewed = row["reviewed_figure"]
    reviewed = None if pd.isna(reviewed) else float(reviewed)
    if reviewed is None and result.value is None:
        return []
    if reviewed is None or result.value is None or not math.isclose(result.value, reviewed, rel_tol=1e-6):
        return [f"the computed figure is {result.value!r}, the verdict was reviewed against {reviewed!r}: re-read "
                "the claim, confirm or change its verdict, then update reviewed_figure in data/claims.csv"]
    return []


CHAPTER_TITLES = {"data-and-methods": "Data and methods", "encryption": "Encryption",
                  "platforms": "Platform disparities", "self-generated": "Self-generated content"}


def make_id(text: str) -> str:
    """The HTML id Sphinx (docutils) gives a section heading: lowercase ASCII, runs of other
    characters as one hyphen, no leading digits or hyphens."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return re.sub(r"^[^a-z]+", "", text).strip("-")


def _chapter_file(chapter: str) -> Path | None:
    """The chapter's source: the book being built (the notebook's working directory) first, else the
    repository's chapters/ folder."""
    for folder in (Path.cwd(), Path(__file__).resolve().parents[2] / "chapters"):
        path = folder / f"{chapter}.md"
        if path.is_file():
            return path
    return None


def section_link(chapter: str, section: str | None) -> tuple[str, str]:
    """(link target, text) for the chapter section that explains a claim. The section heading is
    looked up in the chapter's source; if it is not there (chapters change), the link falls back to
    the chapter page, so no link ever points at a section that does not exist."""
    title = CHAPTER_TITLES.get(chapter, chapter)
    page = f"{chapter}.html"
    if not isinstance(section, str) or not section:
        return page, title
    path = _chapter_file(chapter)
    if path is None:
        return page, title
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        stripped = line.lstrip("#").strip()
        if line.startswith("#") and stripped == section:
            previous = lines[index - 1].strip() if index else ""
            label = previous[1:-2] if previous.startswith("(") and previous.endswith(")=") else ""
            return f"{page}#{label or make_id(section)}", f"{title}: {section}"
    return page, title


def claims_frame() -> pd.DataFrame:
    return data.load("claims")


def table() -> pd.DataFrame:
    """Every claim with its computed figure (or the reason it has none), for the chapter."""
    rows = []
    for row in claims_frame().to_dict("records"):
        try:
            result = figure(row["claim_id"])
            pending = ""
        except DataPending as error:
            result, pending = None, str(error)
        link, _ = section_link(row["chapter"], row["section"])
        rows.append({**row,
                     "piece_label": PIECE_LABELS[row["piece_id"]],
                     "theme_short": THEME_SHORT[row["theme"]],
                     "chapter_title": CHAPTER_TITLES.get(row["chapter"], row["chapter"]),
                     "book_figure": result.text if result else f"Missing from the data: {pending}.",
                     "arithmetic": result.arithmetic if result else "",
                     "later": result.later if result else "",
                     "figure_sources": list(result.sources + result.later_sources) if result else [],
                     "verdict_label": VERDICT_LABELS[row["verdict"]],
                     "explained_in": section_link(row["chapter"], row["section"])[1],
                     "explained_link": link,
                     "theme_label": THEME_LABELS[row["theme"]]})
    return pd.DataFrame(rows)


def verdict_counts() -> dict[str, int]:
    counts = claims_frame()["verdict"].value_counts()
    return {verdict: int(counts.get(verdict, 0)) for verdict in VERDICT_LABELS}
