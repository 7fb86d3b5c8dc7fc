"""Cross-table rules: what the published tables must say about each other.

Frictionless checks each file against its own schema; these rules check the tables against one
another, the way NCMEC's documents agree with themselves. Each rule reads the CSV files as text (no
typed loading: the loader trusts validation, so validation cannot use it) and returns
:class:`~csam_reporting.data.problem.Problem` rows naming file, line and column. A rule runs only
when every file it reads passed the per-file checks, so a broken file reports its own error, not a
cascade.
"""
from __future__ import annotations

import csv
import datetime
from collections import defaultdict
from pathlib import Path

from .problem import Problem

YEARLY = "cybertipline_reports_yearly.csv"
ESP = "ncmec_esp_reports.csv"
ESP_MAP = "ncmec_esp_platforms.csv"
COUNTRIES = "ncmec_country_reports.csv"
SOURCES = "sources.csv"
FIRST_BUNDLED_YEAR = 2024  # NCMEC bundles related reports from its 2024 figures on
COMBINED_META_YEARS = {2019, 2020}  # NCMEC's "Facebook*" line: Meta's apps counted together


def _read(directory: Path, file: str) -> list[tuple[int, dict]]:
    """(CSV line, row) pairs; the header is line 1."""
    with (directory / file).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [(reader.line_num, row) for row in reader]


def _problem(file, line, column, rule, message) -> Problem:
    return Problem(file, line, column, rule, message)


def _int(value: str) -> int | None:
    return int(value) if value not in ("", None) else None


def esp_rows_sum_to_printed_total(directory: Path) -> list:
    """Where NCMEC's own per-service table and the yearly table cite the same document, the
    per-service rows of a year add up to that document's ESP total. (A secondary transcription may
    hold only the largest services, so it is not summed.)"""
    reliability = {r["source_id"]: r["reliability"] for _, r in _read(directory, SOURCES)}
    sums: dict[tuple, int] = defaultdict(int)
    for _, row in _read(directory, ESP):
        sums[(row["year"], row["source_id"])] += _int(row["reports"]) or 0
    problems = []
    for line, row in _read(directory, YEARLY):
        key = (row["year"], row["source_id"])
        if (row["measure"] == "esp_reports" and key in sums and reliability.get(row["source_id"]) == "primary"
                and sums[key] != _int(row["count"])):
            problems.append(_problem(YEARLY, line, "count", "esp-sum",
                                     f"value {row['count']!r}: {row['source_id']} prints {row['year']}'s ESP total, "
                                     f"but its per-service rows in {ESP} sum to {sums[key]:,}"))
    return problems


def parts_sum_to_total(directory: Path) -> list:
    """ESP reports plus public reports equal total reports, where one document gives all three."""
    rows = {(r["year"], r["source_id"], r["measure"]): (line, r) for line, r in _read(directory, YEARLY)}
    problems = []
    for (year, source, measure), (line, row) in rows.items():
        if measure != "total_reports":
            continue
        esp, public = rows.get((year, source, "esp_reports")), rows.get((year, source, "public_reports"))
        if esp and public:
            parts = _int(esp[1]["count"]) + _int(public[1]["count"])
            if parts != _int(row["count"]):
                problems.append(_problem(YEARLY, line, "count", "parts-sum",
                                         f"value {row['count']!r}: {source} gives ESP {esp[1]['count']} + public "
                                         f"{public[1]['count']} = {parts:,} for {year}"))
    return problems


def primary_documents_agree(directory: Path) -> list:
    """Two primary documents that give the same measure for the same year give the same count
    (a later report restating a year must restate it; a conflict is recorded in notes and the
    secondary figure kept apart, never two primary figures)."""
    reliability = {r["source_id"]: r["reliability"] for _, r in _read(directory, SOURCES)}
    seen: dict[tuple, tuple] = {}
    problems = []
    for line, row in _read(directory, YEARLY):
        if reliability.get(row["source_id"]) != "primary":
            continue
        key = (row["year"], row["measure"])
        if key in seen and seen[key][1] != row["count"]:
            problems.append(_problem(YEARLY, line, "count", "documents-disagree",
                                     f"value {row['count']!r}: another primary document ({seen[key][2]}, line "
                                     f"{seen[key][0]}) gives {seen[key][1]} for {row['measure']} in {row['year']}"))
        seen.setdefault(key, (line, row["count"], row["source_id"]))
    return problems


def countries_sum_to_total(directory: Path) -> list:
    """NCMEC's reports by country add up to its primary total for the year."""
    reliability = {r["source_id"]: r["reliability"] for _, r in _read(directory, SOURCES)}
    sums: dict[str, int] = defaultdict(int)
    for _, row in _read(directory, COUNTRIES):
        sums[row["year"]] += _int(row["reports"]) or 0
    problems = []
    for line, row in _read(directory, YEARLY):
        if (row["measure"] == "total_reports" and row["year"] in sums and reliability.get(row["source_id"]) == "primary"
                and sums[row["year"]] != _int(row["count"])):
            problems.append(_problem(YEARLY, line, "count", "countries-sum",
                                     f"value {row['count']!r}: the {row['year']} rows of {COUNTRIES} sum to "
                                     f"{sums[row['year']]:,}"))
    return problems


def bundled_flag_follows_the_year(directory: Path) -> list:
    """``bundled`` is true exactly for the years NCMEC bundled related reports (from 2024)."""
    problems = []
    for line, row in _read(directory, YEARLY):
        expected = int(row["year"]) >= FIRST_BUNDLED_YEAR
        if (row["bundled"] == "true") != expected:
            problems.append(_problem(YEARLY, line, "bundled", "bundled-flag",
                                     f"value {row['bundled']!r}: NCMEC bundles reports from {FIRST_BUNDLED_YEAR}, "
                                     f"so {row['year']} is {'bundled' if expected else 'not bundled'}"))
    return problems


def combined_meta_rows(directory: Path) -> list:
    """NCMEC's "Facebook*" line (Meta's apps together) appears only in 2019 and 2020, mapped to the
    combined platform; no Instagram or WhatsApp line stands beside it in those years."""
    mapping = {(r["esp_label"], r["line_item"]): (line, r) for line, r in _read(directory, ESP_MAP)}
    problems = []
    star = mapping.get(("Facebook*", ""))
    if star and (star[1]["platform_id"] != "meta_combined" or star[1]["combined"] != "true"):
        problems.append(_problem(ESP_MAP, star[0], "platform_id", "combined-meta",
                                 "NCMEC's 'Facebook*' line combines Meta's apps: map it to meta_combined, combined true"))
    for line, row in _read(directory, ESP):
        year = int(row["year"])
        platform = mapping.get((row["esp_label"], row["line_item"]), (None, {}))[1].get("platform_id")
        if row["esp_label"] == "Facebook*" and year not in COMBINED_META_YEARS:
            problems.append(_problem(ESP, line, "esp_label", "combined-meta",
                                     f"value 'Facebook*': NCMEC combined Meta's apps only in {sorted(COMBINED_META_YEARS)}"))
        if year in COMBINED_META_YEARS and platform in ("instagram", "whatsapp"):
            problems.append(_problem(ESP, line, "esp_label", "combined-meta",
                                     f"value {row['esp_label']!r}: in {year} NCMEC counted {platform} inside 'Facebook*'"))
    return problems


def sources_not_dated_in_the_future(directory: Path, today: datetime.date | None = None) -> list:
    """A source cannot be published after today."""
    today = today or datetime.date.today()
    problems = []
    for line, row in _read(directory, SOURCES):
        published = row.get("published") or ""
        if published[:4].isdigit():
            parts = [int(p) for p in published.split("-")]
            earliest = datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
            if earliest > today:
                problems.append(_problem(SOURCES, line, "published", "future-date",
                                         f"value {published!r}: after today ({today.isoformat()})"))
    return problems


def no_empty_tables(directory: Path, files: list[str]) -> list:
    """Every table the book reads has at least one row: a header alone is a lost file, not data."""
    problems = []
    for file in files:
        with (directory / file).open(encoding="utf-8", newline="") as handle:
            rows = sum(1 for row in csv.reader(handle) if any(cell.strip() for cell in row))
        if rows < 2:
            problems.append(_problem(file, None, None, "no-rows", "the table has a header and no rows"))
    return problems


# Each rule with the files it reads (it runs only if all of them passed the per-file checks).
RULES = [
    (esp_rows_sum_to_printed_total, (ESP, YEARLY, SOURCES)),
    (parts_sum_to_total, (YEARLY,)),
    (primary_documents_agree, (YEARLY, SOURCES)),
    (countries_sum_to_total, (COUNTRIES, YEARLY, SOURCES)),
    (bundled_flag_follows_the_year, (YEARLY,)),
    (combined_meta_rows, (ESP, ESP_MAP)),
    (sources_not_dated_in_the_future, (SOURCES,)),
]


def cross_table_problems(directory: Path, files: list[str], broken: set[str]) -> list:
    """Every cross-table problem in ``directory``; rules that read a broken file are skipped."""
    problems = no_empty_tables(directory, [f for f in files if f not in broken])
    for rule, reads in RULES:
        if not set(reads) & broken and all((directory / f).is_file() for f in reads):
            problems += rule(directory)
    return problems
