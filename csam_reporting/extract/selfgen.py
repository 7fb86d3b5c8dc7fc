"""NCMEC online enticement reports, 2020–2023, from NCMEC's transparency reports to OJJDP.

Each report (``ncmec/ncmec-ojjdp-2022.pdf``, ``ncmec/ncmec-ojjdp-2023.pdf``) prints, on p. 5, the
table "Categorization of CyberTipline Reports" with three calendar years side by side. The row
"Online Enticement of Children for Sexual Acts" gives the online enticement reports. Both vintages
are kept (2021 and 2022 appear in both), each with its own source_id.

Check: the eight category rows must add up, column by column, to "Total CyberTipline Reports" on
p. 4 of the same report. In the 2023 report long labels wrap around their numbers (``Online
Enticement of Children for`` / ``44,155 80,524 186,819`` / ``Sexual Acts``), so a row is any line
ending in three numbers, and the enticement row is the first such line at or after the line that
starts its label.

Only these rows come from PDFs; every other row of data/ncmec_enticement_sextortion.csv is typed
from the research notes (NCMEC blog posts, R. Grimm's transcription) and is not re-extracted here.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from csam_reporting.extract.pdf import pdf_lines

OUTPUTS: dict[str, list[str]] = {
    "ncmec_enticement_sextortion.csv": ["year", "measure", "source_id"],
}
COLUMNS = ["year", "measure", "count", "source_id", "locator", "notes"]
REPORTS = {2022: "ncmec/ncmec-ojjdp-2022.pdf", 2023: "ncmec/ncmec-ojjdp-2023.pdf"}
CATEGORIES = 8
LABEL = "Online Enticement of Children for"
NOTE = ("NCMEC category 'Online Enticement of Children for Sexual Acts' (reports, by the category the "
        "reporting party chose).")

NUMBER = r"\d{1,3}(?:,\d{3})*"
TRIPLE = re.compile(rf"(?P<a>{NUMBER}) (?P<b>{NUMBER}) (?P<c>{NUMBER})$")
HEADER = re.compile(r"CY (\d{4}) CY (\d{4}) CY (\d{4})$")
TOTAL = re.compile(rf"^Total CyberTipline Reports (?P<a>{NUMBER}) (?P<b>{NUMBER}) (?P<c>{NUMBER})$")


class MalformedDocument(ValueError):
    """A source document does not have the shape the extractor expects."""


def _ints(m: re.Match) -> list[int]:
    return [int(m[g].replace(",", "")) for g in "abc"]


def parse_report(path: Path, report_year: int) -> list[dict]:
    lines = pdf_lines(path)
    totals = next((_ints(m) for l in lines if l.page == 4 and (m := TOTAL.match(l.text))), None)
    if totals is None:
        raise MalformedDocument(f"{path.name} p. 4: 'Total CyberTipline Reports' row not found")
    page5 = [l.text for l in lines if l.page == 5]
    start = next((i for i, t in enumerate(page5) if t.startswith("Categorization of CyberTipline")), None)
    end = next((i for i, t in enumerate(page5) if t.startswith("B. Details")), None)
    if start is None or end is None:
        raise MalformedDocument(f"{path.name} p. 5: table 'Categorization of CyberTipline Reports' not found")
    table = page5[start:end]
    years = next((list(map(int, m.groups())) for t in table if (m := HEADER.search(t))), None)
    if years != [report_year - 2, report_year - 1, report_year]:
        raise MalformedDocument(f"{path.name} p. 5: unexpected year header {years}")
    rows = [(i, _ints(m)) for i, t in enumerate(table) if (m := TRIPLE.search(t))]
    if len(rows) != CATEGORIES:
        raise MalformedDocument(f"{path.name} p. 5: {len(rows)} category rows, expected {CATEGORIES}")
    sums = [sum(r[1][k] for r in rows) for k in range(3)]
    if sums != totals:
        raise MalformedDocument(f"{path.name}: categories sum to {sums}, printed totals are {totals}")
    label_at = next((i for i, t in enumerate(table) if t.startswith(LABEL)), None)
    if label_at is None:
        raise MalformedDocument(f"{path.name} p. 5: row {LABEL!r} not found")
    counts = next(values for i, values in rows if i >= label_at)
    return [
        {"year": year, "measure": "online_enticement_reports", "count": count,
         "source_id": f"ncmec-ojjdp-{report_year}",
         "locator": "p. 5, table 'Categorization of CyberTipline Reports', row 'Online Enticement of "
                    f"Children for Sexual Acts', column 'CY {year}'",
         "notes": NOTE}
        for year, count in zip(years, counts)
    ]


def extract(sources_dir: Path) -> dict[str, pd.DataFrame]:
    sources_dir = Path(sources_dir)
    rows: list[dict] = []
    for report_year, name in REPORTS.items():
        rows += parse_report(sources_dir / name, report_year)
    df = pd.DataFrame(rows, columns=COLUMNS).astype({"year": "int64", "count": "int64"})
    return {"ncmec_enticement_sextortion.csv": df}
