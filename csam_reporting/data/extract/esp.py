"""NCMEC CyberTipline reports by electronic service provider (ESP), 2019–2025.

2019–2023 (PRIMARY) come from NCMEC's own PDFs ``ncmec/ncmec-by-esp-<year>.pdf``: every row,
with the ESP label exactly as printed (asterisks kept, e.g. ``Facebook*``), checked against the
printed ESP total of each PDF.

2024–2025 (SECONDARY) come from R. Grimm's transcription
``transcriptions/ncmec-esp-2024-2025.csv``. Its labels are the transcriber's keys (``Snap``, ``X``,
``Aylo``), not NCMEC's wording, and it lists only the ESPs Grimm tracks, so its rows do NOT sum to
the stated ESP total. Several rows share one label in a year (Amazon, Microsoft, Aylo); the
transcriber's inline comment ("AI Services", "Photos", "Xbox", ...) is kept in ``line_item`` so that
(year, esp_label, line_item, source_id) stays unique. The two total rows ("ESP Total", "Total") are
not ESP rows and are left out; the 2024–2025 totals are in cybertipline_reports_yearly.csv,
entered from the notes. The printed ESP total of each 2019–2023 PDF is returned as a
cybertipline_reports_yearly row (source ncmec-esp-<year>).

Wrapped labels: in 2019–2020 a long label prints its number on the first line and continues on the
next line (``Deluxe Corporation/ColoCrossing / 22`` + ``HudsonValleyHost``); in 2021 the number sits
between the two label lines (``Web.com/Network Solutions/`` + ``3`` + ``Register/NameBargain``). The
two parts are joined with one space, or with none when the first part ends in a slash directly
after a word (``.../Register/`` + ``NameBargain`` -> ``.../Register/NameBargain``).
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .pdf import MalformedDocument, NUMBER, pdf_lines, to_int

YEARS_PDF = range(2019, 2024)
TRANSCRIPTION = "transcriptions/ncmec-esp-2024-2025.csv"
GRIMM_LOCATOR = "table of reports by ESP, as transcribed by R. Grimm (diaphanous/platform/data.py); page not known"

OUTPUTS: dict[str, list[str]] = {
    "ncmec_esp_reports.csv": ["year", "esp_label", "line_item", "source_id"],
    # The printed ESP total of each PDF, kept beside the OJJDP reports' figures for the same year.
    "cybertipline_reports_yearly.csv": ["year", "measure", "source_id"],
}
YEARLY_COLUMNS = ["year", "measure", "count", "bundled", "source_id", "locator", "notes"]
COLUMNS = ["year", "esp_label", "line_item", "reports", "source_id", "locator"]

ROW = re.compile(rf"^(?P<label>.*\S)\s+(?P<n>{NUMBER})$")
BARE_NUMBER = re.compile(rf"^{NUMBER}$")
TOTAL = re.compile(rf"^(?P<word>Totals?:?)\s+(?P<n>{NUMBER})$")
TABLE_HEADER = re.compile(r"^ESP (Number of )?Reports$")
FOOTER = re.compile(r"^Copyright ©")


def _join(first: str, second: str) -> str:
    sep = "" if re.search(r"\w/$", first) else " "
    return first + sep + second


def parse_esp_pdf(path: Path, year: int) -> tuple[list[dict], int, str]:
    """Return (rows, printed ESP total, locator of the total) for one per-ESP PDF."""
    rows: list[dict] = []
    pending: str | None = None  # first label line of a 2021-style wrap, waiting for its number
    after_bare_number = False  # the next text line completes the row just closed by a bare number
    in_table = False
    total: tuple[int, str] | None = None
    lines = pdf_lines(path)
    for i, line in enumerate(lines):
        text = line.text
        next_is_number = i + 1 < len(lines) and bool(BARE_NUMBER.match(lines[i + 1].text))
        if TABLE_HEADER.match(text):
            in_table, pending, after_bare_number = True, None, False
            continue
        if not in_table:
            continue
        if FOOTER.match(text):
            if pending is not None:
                raise MalformedDocument(f"{path.name} p. {line.page}: label without number: {pending!r}")
            in_table = False
            continue
        if m := TOTAL.match(text):
            total = (to_int(m["n"]), f"p. {line.page}, row '{m['word']}'")
            in_table = False
            continue
        if BARE_NUMBER.match(text):
            if pending is None:
                raise MalformedDocument(f"{path.name} p. {line.page}: number without label: {text!r}")
            rows.append({"esp_label": pending, "reports": to_int(text), "page": line.page})
            pending, after_bare_number = None, True
            continue
        if m := ROW.match(text):
            if pending is not None:
                raise MalformedDocument(f"{path.name} p. {line.page}: label without number: {pending!r}")
            rows.append({"esp_label": m["label"], "reports": to_int(m["n"]), "page": line.page})
            after_bare_number = False
            continue
        # A text line without a number: either the second line of the row above (2019–2020 style,
        # or after a bare number in 2021 style), or the first line of a label whose number follows.
        if after_bare_number or (pending is None and not next_is_number
                                 and rows and rows[-1]["page"] == line.page):
            rows[-1]["esp_label"] = _join(rows[-1]["esp_label"], text)
            after_bare_number = False
        elif pending is None:
            pending = text
        else:
            raise MalformedDocument(f"{path.name} p. {line.page}: unexpected line {text!r}")
    if total is None:
        raise MalformedDocument(f"{path.name}: printed ESP total not found")
    for row in rows:
        row.update(year=year, line_item="", source_id=f"ncmec-esp-{year}", locator=f"p. {row.pop('page')}")
    summed = sum(r["reports"] for r in rows)
    if summed != total[0]:
        raise MalformedDocument(f"{path.name}: rows sum to {summed:,}, printed total is {total[0]:,}")
    return rows, total[0], total[1]


def read_transcription(sources_dir: Path) -> pd.DataFrame:
    """All rows of the transcription, including its two total rows ("ESP Total", "Total")."""
    return pd.read_csv(sources_dir / TRANSCRIPTION, dtype={"note": str}, keep_default_na=False)


def _line_item(note: str) -> str:
    prefix = "transcription comment: "
    return note[len(prefix):] if note.startswith(prefix) else ""


def transcription_rows(sources_dir: Path) -> list[dict]:
    t = read_transcription(sources_dir)
    t = t[~t["esp_label_as_published"].isin(["ESP Total", "Total"])]
    return [
        {"year": int(r.year), "esp_label": r.esp_label_as_published, "line_item": _line_item(r.note),
         "reports": int(r.reports), "source_id": f"ncmec-esp-{r.year}-grimm", "locator": GRIMM_LOCATOR}
        for r in t.itertuples()
    ]


def extract(sources_dir: Path) -> dict[str, pd.DataFrame]:
    sources_dir = Path(sources_dir)
    rows: list[dict] = []
    totals_printed: list[dict] = []
    for year in YEARS_PDF:
        year_rows, total, locator = parse_esp_pdf(sources_dir / f"ncmec/ncmec-by-esp-{year}.pdf", year)
        rows += year_rows
        totals_printed.append({"year": year, "measure": "esp_reports", "count": total, "bundled": "false",
                               "source_id": f"ncmec-esp-{year}", "locator": locator, "notes": ""})
    trans = transcription_rows(sources_dir)
    t = read_transcription(sources_dir)
    totals = t[t["esp_label_as_published"] == "ESP Total"].set_index("year")["reports"]
    for year in {r["year"] for r in trans}:
        # The transcription lists only tracked ESPs, so its rows must stay below the stated total.
        summed = sum(r["reports"] for r in trans if r["year"] == year)
        if summed > totals[year]:
            raise MalformedDocument(f"transcription {year}: rows sum to {summed:,} > ESP total {totals[year]:,}")
    rows += trans
    df = pd.DataFrame(rows, columns=COLUMNS).astype({"year": "int64", "reports": "int64"})
    key = OUTPUTS["ncmec_esp_reports.csv"]
    if df.duplicated(key).any():
        raise MalformedDocument(f"duplicate keys: {df[df.duplicated(key, keep=False)].to_dict('records')}")
    return {"ncmec_esp_reports.csv": df,
            "cybertipline_reports_yearly.csv": pd.DataFrame(totals_printed, columns=YEARLY_COLUMNS)}
