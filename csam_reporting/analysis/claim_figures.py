"""The book's figure for every claim the claims check examines: one function per claim, registered
with ``@_figure("<claim_id>")``, grouped by the piece the claim comes from, each judged against what
was published when the piece appeared (later documents only in ``later``)."""

from __future__ import annotations


import pandas as pd

from .. import data
from . import common

from .claim_registry import (
    DataPending, Figure, _esp_label, _esp_rows, _esp_share, _event, _evidence, _exact_esp, _figure,
    _files_total, _iwf, _iwf_share, _meta_after_encryption, _n, _no_figure, _parent, _pct,
    _platform, _police_count, _survey, _uk_share, _yearly, _yearly_in,
)


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


def _files_by_company_2019() -> tuple[float, float, float, float, tuple[str, ...]]:
    """NCMEC's 2019 files as The New York Times reported them: Facebook's photos and videos, its share
    as published, Instagram's, and the total from NCMEC's own count of files."""
    facebook, _, _, source = _evidence("facebook-files-2019")
    share, _, _, _ = _evidence("facebook-share-of-files-2019")
    instagram, _, _, _ = _evidence("instagram-files-2019")
    files, files_source = _files_total(2019)
    assert facebook and instagram and facebook > instagram, "Facebook's files should exceed Instagram's"
    return facebook, share, instagram, files, (source, files_source)


@_figure("sun-94pct-of-images")
def facebook_share_of_2019_files() -> Figure:
    """The largest share of files Facebook's apps could have: Facebook's and Instagram's files together,
    of all files (the share in the piece's unit; the 94% is a share of reports)."""
    facebook, share, instagram, files, sources = _files_by_company_2019()
    reports = _esp_share(2019, "Facebook*")
    combined = 100 * (facebook + instagram) / files
    return Figure(combined,
                  f"Photos and videos, 2019: Facebook about {facebook / 1e6:.0f} million (about {share:.0f}%, as "
                  f"reported), {combined:.0f}% of the {files / 1e6:.1f} million files with Instagram's "
                  f"{instagram / 1e6:.1f} million. Reports: Facebook {reports.value:.1f}%",
                  f"({_n(facebook)} + {_n(instagram)}) / {_n(files)} = {_pct(combined)} of files; "
                  + reports.arithmetic + " of reports, not images", sources + reports.sources)


@_figure("sun-69m-images-2019")
def images_2019_at_most() -> Figure:
    """Images at most: all files less the videos NCMEC reported (as the NYT gave them)."""
    files, source = _files_total(2019)
    videos, _, _, videos_source = _evidence("ncmec-videos-2019")
    images = files - videos
    return Figure(images, f"{files / 1e6:.1f} million files of every kind, about {videos / 1e6:.0f} million of them "
                          f"videos: images at most about {images / 1e6:.0f} million",
                  f"{_n(files)} - {_n(videos)} = {_n(images)}", (source, videos_source))


@_figure("sun-most-images-facebook")
def facebook_most_files_2019() -> Figure:
    facebook, _, instagram, files, sources = _files_by_company_2019()
    return Figure(None, f"Facebook about {facebook / 1e6:.0f} million of {files / 1e6:.1f} million photos and videos "
                        f"(Instagram {instagram / 1e6:.1f} million more)", "", sources)


@_figure("sun-nca-thousands-of-arrests")
def nca_arrests() -> Figure:
    return _no_figure("No NCA count found.")


@_figure("sun-nca-6000-children")
def nca_children_safeguarded() -> Figure:
    return _no_figure("No NCA count found.")


@_figure("sun-nca-drop-to-zero")
def meta_reports_after_default_encryption() -> Figure:
    later, later_sources = _meta_after_encryption()
    return Figure(None, "A forecast; no NCA document found.", later="Published after the piece: " + later,
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
    # companies only: INHOPE's line is a network of hotlines forwarding reports, not a company
    companies = rows[~rows["esp_label"].str.upper().str.startswith("INHOPE")]
    assert len(companies) == len(rows) - 1, "expected exactly one INHOPE line in NCMEC's 2019 list"
    others = companies[(companies["reports"] >= 1000) & (companies["esp_label"] != "Facebook*")].sort_values("reports", ascending=False)
    largest = ", ".join(f"{label.rstrip('*')} ({_n(n)})" for label, n in zip(others["esp_label"].head(5), others["reports"].head(5)))
    return Figure(len(others),
                  f"{len(others)} companies' line items besides Facebook's sent 1,000 reports or more in 2019 "
                  f"(INHOPE's hotline line left out), the largest {largest}",
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
    return Figure(None, "A forecast; no figure to check.", later=later,
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
    reports_2018, words_2018, _, source_2018 = _evidence("ncmec-reports-2018")
    esp_2019 = _yearly_in("esp_reports", 2019, "ncmec-esp-2019")
    assert reports_2018 > esp_2019, "the 2018 total should exceed companies' 2019 reports"
    before = _yearly_in("total_reports", 2018, "ncmec-ojjdp-2022")
    after = _yearly_in("total_reports", 2019, "ncmec-ojjdp-2022")
    fall = 100 * (after / before - 1)
    later = (f"NCMEC's yearly totals as compiled in its report for 2022 (published after the piece) also show all "
             f"reports falling from {_n(before)} in 2018 to {_n(after)} in 2019 ({fall:+.1f}%).")
    return Figure(annual.value, f"{annual.text}. In 2018 NCMEC had received '{words_2018}' of every kind",
                  annual.arithmetic, annual.sources + (source_2018,),
                  later=later, later_sources=("ncmec-ojjdp-2022",))


@_figure("protocol-ncmec-106pct")
def monthly_comparisons_2020() -> Figure:
    """NCMEC's March and April 2020 against the same months of 2019, as its staff gave them to the
    press; the value is the least rise 'more than double' allows, in percent."""
    march, march_words, march_q, source = _evidence("ncmec-reports-2020-03-vs-2019-03")
    april, april_words, _, april_source = _evidence("ncmec-reports-2020-04-vs-2019-04")
    annual = _first_pandemic_year()
    least = 100 * (march - 1)
    return Figure(None,
                  f"NCMEC, March 2020: '{march_words}' (a rise of {march_q} {least:.0f}%); April 2020: "
                  f"'{april_words}' (about {100 * (april - 1):+.0f}%). Over the year, reports from companies rose "
                  f"{annual.value:+.1f}% from 2019 to 2020",
                  annual.arithmetic, tuple(dict.fromkeys((source, april_source) + annual.sources)))


@_figure("protocol-nearly-100-governments")
def weprotect_membership() -> Figure:
    governments, _, _, source = _evidence("weprotect-member-governments-2021-12")
    companies, _, _, _ = _evidence("weprotect-member-companies-2021-12")
    return Figure(None, "No count from before the piece read.",
                  later=f"Published after the piece: {governments:.0f} member governments and {companies:.0f} member "
                        "companies in December 2021, as WeProtect's Executive Director gave them",
                  later_sources=(source,))


@_figure("protocol-32-companies")
def companies_responding() -> Figure:
    value, respondents, source = _survey("sample_size")
    return Figure(value, f"{int(value)} companies responded ({respondents})", "", (source,))


@_figure("protocol-forums-two-thirds")
def offender_forum_analysis() -> Figure:
    return _no_figure("The report's own account not read.")


@_figure("protocol-iwf-77pct")
def iwf_self_generated_growth() -> Figure:
    # the IWF's own news of 7 October 2020 gives the 2019 count, before the piece (its 2021 report repeats it)
    before, source_before = _iwf(2019, "self_generated_reports", "iwf-news-2020-disturbing-rise")
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
        return _no_figure("Not on WeProtect's survey pages.")
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
    return Figure(None,
                  f"Side by side: {_n(offences)} police-recorded offences ({geography}, 2022/23) and {_n(reports)} "
                  "reports to NCMEC (worldwide, 2023), different units, places and periods",
                  "", (source, report_source))


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
    return _no_figure("Timeline: " + "; ".join(f"{verb} {date}" for verb, (date, _, _) in
                                               zip(("announced", "paused", "abandoned"), steps)) + ".",
                      tuple(dict.fromkeys(source for _, _, source in steps)))


@_figure("sun-worst-category-facebook")
def images_by_company_and_severity() -> Figure:
    return _no_figure("No count by company and severity found.")


@_figure("fb94-zuckerberg-e2ee-across-meta")
def meta_encryption_by_app() -> Figure:
    steps = [_event(e) for e in ("whatsapp-e2ee-complete", "messenger-default-e2ee")]
    whatsapp, whatsapp_source = _esp_label(2022, "WhatsApp Inc.")
    instagram_date, instagram, instagram_source = _event("instagram-e2ee-dms-end")
    (whatsapp_date, _, _), (messenger_date, _, _) = steps
    text = (f"Encrypted by default: WhatsApp from {whatsapp_date}, Messenger's personal chats from {messenger_date}. "
            f"WhatsApp still sent {_n(whatsapp)} reports to NCMEC in 2022")
    return Figure(None, text, "", tuple(source for _, _, source in steps) + (whatsapp_source,),
                  later=f"Later ({instagram_date}): {instagram}.",
                  later_sources=(instagram_source,))


