"""The contributor story, tested: a new year of NCMEC data (the yearly totals and the per-ESP rows)
added to data/ flows through the book with no edit to any chapter.

The test appends a synthetic year to a temporary copy of data/ as a contributor would (a source
row, the schema's year limits raised, the rows added), builds the book from that copy, and compares
it with the session's build of the unchanged book: the introduction's latest-year figures change,
and at least one figure and one table in each theme chapter change with the new year.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from conftest import copy_book, run_build

pytestmark = pytest.mark.build

THEME_CHAPTERS = ["encryption", "platforms", "self-generated"]
SOURCE_ID = "ncmec-esp-synthetic-test"
GROWTH = 1.37  # the synthetic year: the latest year's reports, times this for most ESPs ...
META_GROWTH = 0.8  # ... and times this for Meta's apps, so that shares move too
META_LABELS = re.compile(r"facebook|instagram|whatsapp|messenger|threads", re.IGNORECASE)


def _read(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _append(path: Path, rows: list[dict]) -> None:
    header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    buffer = io.StringIO()
    csv.DictWriter(buffer, header, lineterminator="\n").writerows(rows)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ("" if text.endswith("\n") else "\n") + buffer.getvalue(), encoding="utf-8")


def _raise_year_limit(schema_path: Path, year: int, source_pattern: str | None = None) -> None:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        if field["name"] == "year" and constraints.get("maximum", year) < year:
            constraints["maximum"] = year
        if field["name"] == "source_id" and source_pattern and "pattern" in constraints:
            constraints["pattern"] = f"(?:{constraints['pattern']})|{source_pattern}"
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")


def add_synthetic_year(data: Path) -> int:
    """Append year latest+1 to the NCMEC totals and per-ESP rows of the data folder ``data``."""
    yearly = _read(data / "cybertipline_reports_yearly.csv")
    latest = max(int(r["year"]) for r in yearly if r["measure"] == "total_reports")
    new = latest + 1
    esp = [r for r in _read(data / "ncmec_esp_reports.csv") if int(r["year"]) == latest]
    esp_rows = [{**r, "year": str(new),
                 "reports": str(round(int(r["reports"]) * (META_GROWTH if META_LABELS.search(r["esp_label"]) else GROWTH))),
                 "source_id": SOURCE_ID, "locator": "synthetic row"} for r in esp]
    listed = sum(int(r["reports"]) for r in esp_rows)

    def latest_count(measure: str) -> int:
        rows = [r for r in yearly if r["measure"] == measure and int(r["year"]) == latest]
        return int(rows[0]["count"])

    esp_total = max(round(latest_count("esp_reports") * GROWTH), listed)
    public = latest_count("total_reports") - latest_count("esp_reports")
    base = {"year": str(new), "bundled": "true", "source_id": SOURCE_ID, "locator": "synthetic row",
            "notes": "Synthetic year for tests/book/test_new_year.py."}
    _append(data / "cybertipline_reports_yearly.csv", [
        {**base, "measure": "esp_reports", "count": str(esp_total)},
        {**base, "measure": "total_reports", "count": str(esp_total + public)},
    ])
    _append(data / "ncmec_esp_reports.csv", esp_rows)
    _append(data / "sources.csv", [{
        "source_id": SOURCE_ID, "publisher": "National Center for Missing & Exploited Children (NCMEC)",
        "title": f"Synthetic {new} CyberTipline Reports by Electronic Service Providers (test data)",
        "url": "", "published": str(new), "reliability": "secondary", "licence_note": "",
        "notes": "Not a real document: a synthetic year written by tests/book/test_new_year.py."}])
    _raise_year_limit(data / "schemas" / "cybertipline_reports_yearly.schema.json", new)
    _raise_year_limit(data / "schemas" / "ncmec_esp_reports.schema.json", new, re.escape(SOURCE_ID))
    return new


def _blocks(page: str, start: str, end: str) -> list[str]:
    """Every HTML block from ``start`` to the first ``end`` after it."""
    out, index = [], page.find(start)
    while index != -1:
        stop = page.find(end, index)
        out.append(page[index:stop + len(end)])
        index = page.find(start, stop)
    return out


def figures(page: str) -> list[str]:
    return _blocks(page, '<figure class="book-figure"', "</figure>")


def tables(page: str) -> list[str]:
    return _blocks(page, '<div class="book-table"', "</table></div>")


@pytest.fixture(scope="module")
def sites(tmp_path_factory, site):
    """The session's build of the book as it is ("before"), and a build with the new year added."""
    after = copy_book(tmp_path_factory.mktemp("after"))
    new_year = add_synthetic_year(after / "data")
    result = run_build(after, "--force")
    if result.returncode != 0:
        pytest.fail(f"the build of {after} failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return site, after / "_build" / "html", new_year


def _page(site: Path, chapter: str) -> str:
    return (site / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")


def test_the_synthetic_year_validates(tmp_path):
    from csam_reporting.data.validate import validate

    book = copy_book(tmp_path / "book")
    add_synthetic_year(book / "data")
    assert validate(book / "data") == []


def test_the_introduction_shows_the_new_latest_year(sites):
    before, after, new_year = sites
    old, new = _page(before, "intro"), _page(after, "intro")
    assert f">{new_year}<" in new and f">{new_year}<" not in old
    glued = lambda page: re.findall(r'<span class="pasted-text">(.*?)</span>', page)  # noqa: E731
    changed = [pair for pair in zip(glued(old), glued(new)) if pair[0] != pair[1]]
    assert len(changed) >= 3, f"only these glued values changed: {changed}"


# What a new NCMEC year must change in each theme chapter. The self-generated chapter's tables hold
# the IWF's, the police's and the surveys' figures, none of them NCMEC's, so there a new NCMEC year
# reaches its figures and no table.
MUST_CHANGE = {"encryption": ("figure", "table"), "platforms": ("figure", "table"), "self-generated": ("figure",)}


@pytest.mark.parametrize("chapter", THEME_CHAPTERS)
def test_each_theme_chapter_changes_with_the_new_year(sites, chapter):
    before, after, new_year = sites
    old, new = _page(before, chapter), _page(after, chapter)
    changed_figures = [i for i, (a, b) in enumerate(zip(figures(old), figures(new))) if a != b]
    changed_tables = [i for i, (a, b) in enumerate(zip(tables(old), tables(new))) if a != b]
    problems = []
    if len(figures(new)) != len(figures(old)):
        changed_figures.append("count")
    if len(tables(new)) != len(tables(old)):
        changed_tables.append("count")
    if not changed_figures and "figure" in MUST_CHANGE[chapter]:
        problems.append(f"no figure changed (of {len(figures(new))})")
    if not changed_tables and "table" in MUST_CHANGE[chapter]:
        problems.append(f"no table changed (of {len(tables(new))})")
    assert not problems, f"{chapter}, with a synthetic {new_year}: " + "; ".join(problems)


def add_totals_only(data: Path) -> int:
    """A year that has arrived in NCMEC's yearly totals only (its per-service table not yet), as
    when a publisher releases in stages."""
    new = add_synthetic_year(data)
    path = data / "ncmec_esp_reports.csv"
    kept = [line for line in path.read_text(encoding="utf-8").splitlines(keepends=True) if SOURCE_ID not in line]
    path.write_text("".join(kept), encoding="utf-8")
    return new


def build_with(folder: Path, change):
    """Copy the book into ``folder``, apply ``change`` to its data/ (which must still validate),
    build it from clean; return the built site and what ``change`` returned."""
    from csam_reporting.data.validate import validate

    book = copy_book(folder)
    returned = change(book / "data")
    assert validate(book / "data") == []
    result = run_build(book, "--force")
    assert result.returncode == 0, f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return book / "_build" / "html", returned


def test_a_year_in_one_table_only_builds_and_says_which_series_stop_earlier(tmp_path):
    html, new_year = build_with(tmp_path / "partial", add_totals_only)
    intro = _page(html, "intro")
    assert f">{new_year}<" in intro  # the totals' latest year reaches the page
    platforms = _page(html, "platforms")
    text = re.sub(r"<[^>]+>", " ", platforms)
    assert re.search(rf"\b{new_year}\b[^.]*not yet[^.]*\b{new_year - 1}\b", re.sub(r"\s+", " ", text)), \
        "the platforms chapter should say that the per-service series stops a year before the totals"


def add_full_sextortion_years(data: Path) -> list[int]:
    """NCMEC publishes full-year financial sextortion counts for the years now held only as
    January–June (a synthetic count, above twice the half-year, citing the source of the last full
    year)."""
    path = data / "ncmec_enticement_sextortion.csv"
    rows = _read(path)
    template = [r for r in rows if r["measure"] == "financial_sextortion_reports"][-1]
    halves = [r for r in rows if r["measure"] == "financial_sextortion_reports_h1"]
    _append(path, [{**template, "year": r["year"], "count": str(2 * int(r["count"]) + 1),
                    "notes": "Synthetic full year for tests/book/test_new_year.py."} for r in halves])
    return sorted(int(r["year"]) for r in halves)


def test_full_year_sextortion_counts_arriving_for_the_half_years_build(tmp_path):
    html, years = build_with(tmp_path / "sextortion", add_full_sextortion_years)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _page(html, "self-generated")))
    paragraph = text[text.index("counted separately only since"):text.index("sadistic online enticement")]
    assert "Full-year counts were found for every year from" in paragraph and f"to {years[-1]}" in paragraph
    assert "doubled" not in paragraph and "not found" not in paragraph
