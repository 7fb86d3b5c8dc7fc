"""The claims check: the book's own figure for every claim in ``data/claims.csv``, computed from the
other tables by one named function per claim, and the checks that tie each verdict to its figure.

    from csam_reporting import claims
    claims.figure("sun-94pct-of-images")   # -> Figure(value=94.3..., text="...", ...)
    claims.table()                          # every claim with its computed figure, for the chapter

A claim's function returns a :class:`Figure`: the number the verdict rests on (``value``, in the unit
of the claim's ``claimed_value``), how it reads to a reader (``text``), the arithmetic, the source
documents it uses, and, separately, any later data (``later``), which is shown marked as later and
never used for the verdict. Claims whose data are not in ``data/`` yet raise :class:`DataPending`;
their verdict in ``claims.csv`` is ``pending_data`` until the data land and the verdict is reviewed.

Nothing here is typed from a document: every number comes from ``data/`` through ``data.load``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from .. import data
from . import common

VERDICT_LABELS = {
    "accurate": "accurate",
    "accurate_but_misleading": "accurate but misleading",
    "wrong": "wrong",
    "cannot_be_checked": "cannot be checked from published data",
    "pending_data": "cannot be checked yet (data being added)",
}
THEME_LABELS = {
    "reporting_volume": "What the counts measure",
    "platforms": "Platform disparities",
    "encryption": "Encryption and reporting",
    "self_generated": "Self-generated material and UK police data",
}
PIECE_ORDER = ["inhope-eu-strategy-7", "facebook-94-compilation", "protocol-2021",
               "nspcc-image-offences-2024", "apple-2024"]


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
    text = (f"Later data: Meta's apps sent {_n(before)} reports in 2023 and {_n(after)} in 2024 "
            f"({change:+.1f}%); 2024 counts are bundled (NCMEC groups related reports) and rest on a secondary "
            f"transcription, so the fall is not all encryption and not comparable with earlier years.")
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


def _not_in_data(what: str) -> Figure:
    return Figure(None, f"Not in the book's data: {what}.")


# --- the Facebook "94%" compilation --------------------------------------------------------------
@_figure("fb94-headline-69m-in-2020")
def files_of_2019_not_2020() -> Figure:
    files_2019, source_2019 = _files_total(2019)
    files_2020, source_2020 = _files_total(2020)
    return Figure(files_2019,
                  f"The 69 million is NCMEC's count for 2019: {files_2019 / 1e6:.1f} million 'videos, images and files' "
                  "in its 2019 per-ESP report",
                  "", (source_2019,),
                  later=f"Later data (NCMEC's report to OJJDP for 2022): {_n(files_2020)} files came with ESP reports "
                        "in 2020.",
                  later_sources=(source_2020,))


@_figure("sun-94pct-of-images")
def facebook_share_of_2019_reports_not_images() -> Figure:
    share = _esp_share(2019, "Facebook*")
    return Figure(share.value, share.text + "; NCMEC gives no count of images by company for 2019",
                  share.arithmetic + " (reports, not images)", share.sources)


@_figure("sun-69m-images-2019")
def files_2019() -> Figure:
    files, source = _files_total(2019)
    return Figure(files, f"{files / 1e6:.1f} million 'videos, images and files' with the 2019 reports, each counted "
                         "every time it was reported; the book's data hold no split by file type for 2019",
                  "", (source,))


@_figure("sun-nca-thousands-of-arrests")
def nca_arrests() -> Figure:
    return _not_in_data("arrests following industry reports (no NCA publication with the count found)")


@_figure("sun-nca-6000-children")
def nca_children_safeguarded() -> Figure:
    return _not_in_data("children safeguarded (no NCA publication with the count found)")


@_figure("sun-nca-drop-to-zero")
def meta_reports_after_default_encryption() -> Figure:
    later, later_sources = _meta_after_encryption()
    return Figure(None, "A forecast: nothing to check in October 2020.", later=later, later_sources=later_sources)


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
def line_items_below_1000() -> Figure:
    return _line_items_below(2019, 1000)


@_figure("inhope-some-fewer-than-10")
def line_items_below_10() -> Figure:
    return _line_items_below(2019, 10)


@_figure("inhope-e2ee-more-than-half")
def reports_after_default_encryption() -> Figure:
    before, _, _ = _yearly("total_reports", 2023)
    after, source, bundled = _yearly("total_reports", 2024)
    meta, meta_sources = _meta_after_encryption()
    change = 100 * (after / before - 1)
    later = (f"Later data: all CyberTipline reports went from {_n(before)} (2023) to {_n(after)} (2024, "
             f"{change:+.1f}%{', bundled' if bundled else ''}). " + meta)
    return Figure(None, "A forecast: nothing to check in 2020 or 2021.", later=later,
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
    return _first_pandemic_year()


@_figure("protocol-ncmec-106pct")
def annual_growth_beside_106() -> Figure:
    annual = _first_pandemic_year()
    return Figure(annual.value, "No monthly series in the book's data. For comparison, the annual change: " + annual.text,
                  annual.arithmetic, annual.sources)


@_figure("protocol-nearly-100-governments")
def weprotect_membership() -> Figure:
    return _not_in_data("WeProtect's membership by type")


@_figure("protocol-32-companies")
def companies_responding() -> Figure:
    value, respondents, source = _survey("sample_size")
    return Figure(value, f"{int(value)} companies responded ({respondents})", "", (source,))


@_figure("protocol-forums-two-thirds")
def offender_forum_analysis() -> Figure:
    return _not_in_data("the offender-forum analysis")


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
        return _not_in_data("the share (not found on WeProtect's published pages)")
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
    return _not_in_data("an exact share or counts (the NSPCC publishes only 'a quarter')")


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
                         "April 2022 to March 2023 (NSPCC, as quoted in the press)", "", (source,))


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


def verdict_problems(row, result: Figure | None) -> list[str]:
    """Ways in which a claim's verdict does not follow from its computed figure (empty if none)."""
    problems = []
    verdict = row["verdict"]
    if verdict == "pending_data":
        if result is not None:
            problems.append("its data have landed: compute the figure and review the verdict")
        return problems
    if result is None:
        return [f"verdict {verdict!r} but the figure cannot be computed"]
    if verdict in ("cannot_be_checked",) and pd.notna(row["claimed_value"]) and result.value is not None \
            and row["claim_id"] not in _CONTEXT_ONLY:
        problems.append("marked cannot_be_checked but the book computes a figure to check it against")
    if verdict in ("accurate", "accurate_but_misleading", "wrong") and pd.notna(row["claimed_value"]):
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


# Claims whose function computes a comparison figure that is NOT the claimed quantity (shown for
# context only): a number beside them does not make them checkable.
_CONTEXT_ONLY = {"protocol-ncmec-106pct"}


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
        rows.append({**row,
                     "book_figure": result.text if result else f"Cannot be checked yet: {pending}.",
                     "arithmetic": result.arithmetic if result else "",
                     "later": result.later if result else "",
                     "figure_sources": list(result.sources + result.later_sources) if result else [],
                     "verdict_label": VERDICT_LABELS[row["verdict"]],
                     "explained_in": section_link(row["chapter"], row["section"])[1],
                     "explained_link": section_link(row["chapter"], row["section"])[0],
                     "theme_label": THEME_LABELS[row["theme"]]})
    return pd.DataFrame(rows)


def verdict_counts() -> dict[str, int]:
    counts = claims_frame()["verdict"].value_counts()
    return {verdict: int(counts.get(verdict, 0)) for verdict in VERDICT_LABELS}
