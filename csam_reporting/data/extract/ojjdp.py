"""NCMEC's transparency reports to OJJDP (US DOJ), calendar years 2022 and 2023 (PRIMARY).

Both reports (``ncmec/ncmec-ojjdp-2022.pdf``, ``ncmec/ncmec-ojjdp-2023.pdf``) print the same tables
for their three latest years (CY2020–2022 and CY2021–2023) plus Appendix A, the yearly report totals
back to CY1998. Every table is taken from BOTH reports, each row under its own ``source_id``, so the
two vintages can be compared year by year.

Tables read, and the checks that make :func:`extract` raise :class:`MalformedDocument`:

- Appendix A (yearly totals): years must run without a gap from 1998 to the report's year, and the
  years also in the public/ESP table must carry the same total there.
- "CyberTipline Reports Submitted by Members of the Public and ESPs": public + ESP = total.
- "Categorization of CyberTipline Reports" (incident types, labels as printed, wrapped labels
  joined with one space): the categories of each year sum exactly to that year's total, and both
  reports print the same eight labels.
- "Files Uploaded with CyberTipline Reports Submitted by ESPs": images + videos + other = total.
- "Law Enforcement Recipients of CyberTipline Reports" (actionable / informational per recipient
  class): actionable + informational = the printed total of each cell. This table's cells wrap
  over two or three lines at different heights, so its text lines mix the three year columns
  (2023 report); it is the one table read by column from word positions (:func:`_column_texts`).

Documented quirks that the extractor keeps visible rather than hides:

- CY1998: the 2023 report's text says NCMEC "received 2,772 reports" in CY 1998, its own Appendix A
  (and the 2022 report) 4,560. Detected from the text and written to the row's ``notes``.
- Federal Law Enforcement, CY2021: both reports print the label "International:" where every other
  cell has "Informational:". Actionable + this number = the printed total, so it is read as the
  informational count; the row's ``notes`` says so.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pdfplumber

from .pdf import MalformedDocument, NUMBER, PdfLine, pdf_lines, to_int

VINTAGES = (2022, 2023)
YEARLY = "cybertipline_reports_yearly.csv"
INCIDENTS = "ncmec_incident_types.csv"
FILES = "ncmec_files.csv"
RECIPIENTS = "ncmec_report_recipients.csv"

OUTPUTS: dict[str, list[str]] = {
    YEARLY: ["year", "measure", "source_id"],
    INCIDENTS: ["year", "incident_type", "source_id"],
    FILES: ["year", "file_type", "source_id"],
    RECIPIENTS: ["year", "recipient", "classification", "source_id"],
}
COLUMNS = {
    YEARLY: ["year", "measure", "count", "bundled", "source_id", "locator", "notes"],
    INCIDENTS: ["year", "incident_type", "label_as_printed", "reports", "source_id", "locator"],
    FILES: ["year", "file_type", "files", "source_id", "locator"],
    RECIPIENTS: ["year", "recipient", "classification", "reports", "source_id", "locator", "notes"],
}

THREE = rf"({NUMBER}) ({NUMBER}) ({NUMBER})"
YEARS = re.compile(r"CY (\d{4})")
APPENDIX_ROW = re.compile(rf"^CY(\d{{4}}) \(\d{{1,2}}/\d{{1,2}}/\d{{2}}-\d{{1,2}}/\d{{1,2}}/\d{{2}}\) ({NUMBER})$")
SPLIT_ROW = re.compile(rf"^(Total|Public|ESP) CyberTipline Reports {THREE}$")
FILE_ROW = re.compile(rf"^(Images|Videos|Other Content|Total) {THREE}$")
LABELLED_ROW = re.compile(rf"^(\D*\S) {THREE}$")
BARE_ROW = re.compile(rf"^{THREE}$")
TEXT_1998 = re.compile(rf"CY 1998, NCMEC received ({NUMBER}) reports")
CELL = re.compile(rf"(Actionable|I\s*n\s*formational|International|Total):\s*({NUMBER})")

SPLIT_MEASURE = {"Total": "total_reports", "Public": "public_reports", "ESP": "esp_reports"}
FILE_TYPE = {"Images": "images", "Videos": "videos", "Other Content": "other", "Total": "total"}
RECIPIENT_CLASSES = ["Internet Crimes Against Children (ICACs) Units", "Local Law Enforcement",
                     "Federal Law Enforcement", "International Law Enforcement"]
SPLIT_TABLE = "table 'CyberTipline Reports Submitted by Members of the Public and ESPs'"
INCIDENT_TABLE = "table 'Categorization of CyberTipline Reports'"
FILE_TABLE = "table 'Files Uploaded with CyberTipline Reports Submitted by ESPs'"
RECIPIENT_TABLE = "table 'Law Enforcement Recipients of CyberTipline Reports'"


def _section(lines: list[PdfLine], start: str, stop: str, name: str) -> list[PdfLine]:
    """The lines after the first line matching ``start`` up to (not including) one matching ``stop``."""
    begin = next((i for i, l in enumerate(lines) if re.search(start, l.text)), None)
    if begin is None:
        raise MalformedDocument(f"{name}: table start {start!r} not found")
    end = next((i for i in range(begin + 1, len(lines)) if re.search(stop, lines[i].text)), None)
    if end is None:
        raise MalformedDocument(f"{name}: table end {stop!r} not found")
    return lines[begin:end]


def _header_years(section: list[PdfLine], name: str) -> tuple[list[int], int]:
    """The table's three column years and the index of the header line that prints them."""
    for i, line in enumerate(section):
        years = [int(y) for y in YEARS.findall(line.text)]
        if len(years) == 3:
            return years, i
    raise MalformedDocument(f"{name}: no header line with three 'CY <year>' columns")


# --- Appendix A and the public/ESP split ---------------------------------------------------------


def yearly_rows(lines: list[PdfLine], vintage: int, source_id: str, name: str) -> list[dict]:
    appendix = [(l.page, APPENDIX_ROW.match(l.text)) for l in lines if APPENDIX_ROW.match(l.text)]
    totals = {int(m[1]): (to_int(m[2]), page) for page, m in appendix}
    if sorted(totals) != list(range(1998, vintage + 1)) or len(appendix) != len(totals):
        raise MalformedDocument(f"{name}: Appendix A years are {sorted(totals)}, expected 1998–{vintage}")

    section = _section(lines, r"^Submitted by Members of", r"^As more people", name)
    years, _ = _header_years(section, name)
    split: dict[tuple[int, str], tuple[int, int]] = {}
    for line in section:
        if m := SPLIT_ROW.match(line.text):
            for year, n in zip(years, m.groups()[1:]):
                split[(year, SPLIT_MEASURE[m[1]])] = (to_int(n), line.page)
    if len(split) != 9:
        raise MalformedDocument(f"{name}: public/ESP table has {len(split)} cells, expected 9")

    text_1998 = next((TEXT_1998.search(l.text) for l in lines if TEXT_1998.search(l.text)), None)
    rows = []
    for year, (total, page) in sorted(totals.items()):
        locator, notes = f"Appendix A, p. {page}", ""
        if year in years:
            printed, split_page = split[(year, "total_reports")]
            public, esp = split[(year, "public_reports")][0], split[(year, "esp_reports")][0]
            if printed != total or public + esp != total:
                raise MalformedDocument(f"{name} CY{year}: Appendix A {total:,}, table total {printed:,}, "
                                        f"public {public:,} + ESP {esp:,}")
            locator += f"; also {SPLIT_TABLE}, p. {split_page}"
        if year == 1998 and text_1998 and to_int(text_1998[1]) != total:
            notes = (f"Conflict inside this report: its text (section II) says NCMEC \"received "
                     f"{text_1998[1]} reports\" in CY 1998; its Appendix A gives {total:,}.")
        rows.append({"year": year, "measure": "total_reports", "count": total, "locator": locator, "notes": notes})
    for (year, measure), (n, page) in sorted(split.items()):
        if measure != "total_reports":
            rows.append({"year": year, "measure": measure, "count": n,
                         "locator": f"{SPLIT_TABLE}, p. {page}", "notes": ""})
    for row in rows:
        row.update(bundled="false", source_id=source_id)
    return rows


# --- Incident types ------------------------------------------------------------------------------

# NCMEC's printed category -> the book's identifier. NCMEC's first category uses the legal term of
# 18 U.S.C. 2256; the book's identifier names it child sexual abuse material (CSAM).
INCIDENT_TYPES = {
    "Child Pornography (possession, manufacture, distribution)": "csam",
    "Misleading Words or Digital Images on the Internet": "misleading_words_or_images",
    "Online Enticement of Children for Sexual Acts": "online_enticement",
    "Child Sex Trafficking": "child_sex_trafficking",
    "Unsolicited Obscene Material Sent to a Child": "unsolicited_obscene_material",
    "Misleading Domain Name": "misleading_domain_name",
    "Child Sexual Molestation": "child_sexual_molestation",
    "Child Sex Tourism": "child_sex_tourism",
}


def incident_rows(lines: list[PdfLine], source_id: str, name: str) -> list[dict]:
    section = _section(lines, r"^Categorization of CyberTipline", r"^B\. Details", name)
    years, header = _header_years(section, name)
    body = section[header + 1:]
    if body and body[0].text == "Reports":  # the rest of the wrapped table title (2023 report)
        body = body[1:]
    cells: list[tuple[str, tuple[str, str, str], int]] = []
    pending: list[str] = []
    i = 0
    while i < len(body):
        text, page = body[i].text, body[i].page
        if m := BARE_ROW.match(text):
            # The number sits between two label lines: "Online Enticement of Children for" / numbers / "Sexual Acts".
            after = body[i + 1].text if i + 1 < len(body) else ""
            if not pending or not after or re.search(r"\d", after):
                raise MalformedDocument(f"{name} p. {page}: cannot place label around {text!r}")
            cells.append((" ".join(pending + [after]), m.groups(), page))
            pending, i = [], i + 2
            continue
        if m := LABELLED_ROW.match(text):
            cells.append((" ".join(pending + [m[1]]), m.groups()[1:], page))
            pending = []
        else:
            pending.append(text)
        i += 1
    if pending or len(cells) != 8:
        raise MalformedDocument(f"{name}: incident table read as {len(cells)} rows, leftover {pending!r}")
    unknown = {label for label, _, _ in cells} - set(INCIDENT_TYPES)
    if unknown:
        raise MalformedDocument(f"{name}: incident categories not in INCIDENT_TYPES: {sorted(unknown)}")
    return [{"year": year, "incident_type": INCIDENT_TYPES[label], "label_as_printed": label,
             "reports": to_int(n), "source_id": source_id, "locator": f"{INCIDENT_TABLE}, p. {page}"}
            for label, numbers, page in cells for year, n in zip(years, numbers)]


# --- Files ---------------------------------------------------------------------------------------


def file_rows(lines: list[PdfLine], source_id: str, name: str) -> list[dict]:
    section = _section(lines, r"^Files Uploaded with CyberTipline", r"^(ii\.|\d+ 18 U\.S\.C\.)", name)
    years, _ = _header_years(section, name)
    rows = []
    for line in section:
        if m := FILE_ROW.match(line.text):
            rows += [{"year": year, "file_type": FILE_TYPE[m[1]], "files": to_int(n), "source_id": source_id,
                      "locator": f"{FILE_TABLE}, p. {line.page}"} for year, n in zip(years, m.groups()[1:])]
    if len(rows) != 12:
        raise MalformedDocument(f"{name}: files table has {len(rows)} cells, expected 12")
    for year in years:
        got = {r["file_type"]: r["files"] for r in rows if r["year"] == year}
        if got["images"] + got["videos"] + got["other"] != got["total"]:
            raise MalformedDocument(f"{name} CY{year}: files do not add up to the printed total {got}")
    return rows


# --- Recipients (read by column) -----------------------------------------------------------------


def _column_texts(path: Path, page_number: int) -> tuple[list[int], str, list[str]]:
    """(years, label column text, one text per year column) of the recipients table on one page.

    Column bounds are the midpoints between the three "CY <year>" headers printed on the title line
    ("Recipients of CY ... CY ... CY ..."); the table runs from below the headers to the paragraph after it ("As noted ...") or the page footer.
    """
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[page_number - 1]
        words = page.extract_words(x_tolerance=1.5, y_tolerance=3)
        title = next((w["top"] for w in words if w["text"] == "Recipients"), None)
        heads = [(int(b["text"]), (a["x0"] + b["x1"]) / 2, b["bottom"])
                 for a, b in zip(words, words[1:])
                 if a["text"] == "CY" and re.fullmatch(r"\d{4}", b["text"])
                 and title is not None and abs(a["top"] - title) < 2 and abs(b["top"] - title) < 2]
        if len(heads) != 3:
            raise MalformedDocument(f"{path.name} p. {page_number}: {len(heads)} year headers, expected 3")
        centres = [x for _, x, _ in heads]
        top = max(bottom for _, _, bottom in heads)
        ends = [m["top"] for m in page.search(r"As noted in the above chart|Copyright ©") if m["top"] > top]
        if not ends:
            raise MalformedDocument(f"{path.name} p. {page_number}: end of recipients table not found")
        bottom = min(ends)
        edges = [centres[0] - (centres[1] - centres[0]) / 2,
                 (centres[0] + centres[1]) / 2, (centres[1] + centres[2]) / 2, page.width]

        def text(x0: float, x1: float) -> str:
            cropped = page.within_bbox((x0, top, x1, bottom))
            return " ".join((cropped.extract_text(x_tolerance=1.5, y_tolerance=3) or "").split())

        return ([y for y, _, _ in heads], text(0, edges[0]),
                [text(edges[k], edges[k + 1]) for k in range(3)])


def recipient_rows(path: Path, lines: list[PdfLine], source_id: str, name: str) -> list[dict]:
    page = next((l.page for l in lines if l.text.startswith("Recipients of")), None)
    if page is None:
        raise MalformedDocument(f"{name}: recipients table not found")
    years, labels, columns = _column_texts(path, page)
    expected = " ".join(["CyberTipline Reports"] + RECIPIENT_CLASSES)  # title ends "... CyberTipline Reports"
    if labels != expected:
        raise MalformedDocument(f"{name} p. {page}: recipient labels read as {labels!r}")
    rows = []
    for year, column in zip(years, columns):
        cells = CELL.findall(column)
        if len(cells) != 3 * len(RECIPIENT_CLASSES):
            raise MalformedDocument(f"{name} p. {page} CY{year}: {len(cells)} labelled numbers in {column!r}")
        for k, recipient in enumerate(RECIPIENT_CLASSES):
            (a_label, a), (i_label, i), (t_label, t) = cells[3 * k: 3 * k + 3]
            if a_label != "Actionable" or t_label != "Total" or to_int(a) + to_int(i) != to_int(t):
                raise MalformedDocument(f"{name} p. {page} CY{year} {recipient}: {cells[3 * k: 3 * k + 3]}")
            note = ""
            if i_label == "International":
                note = (f"Printed label is \"International:\" (sic), not \"Informational:\"; read as the "
                        f"informational count because actionable {a} + {i} = the printed total {t}.")
            locator = f"{RECIPIENT_TABLE}, p. {page}"
            rows.append({"year": year, "recipient": recipient, "classification": "actionable",
                         "reports": to_int(a), "source_id": source_id, "locator": locator, "notes": ""})
            rows.append({"year": year, "recipient": recipient, "classification": "informational",
                         "reports": to_int(i), "source_id": source_id, "locator": locator, "notes": note})
    return rows


# --- All tables ----------------------------------------------------------------------------------


def extract(sources_dir: Path) -> dict[str, pd.DataFrame]:
    sources_dir = Path(sources_dir)
    rows: dict[str, list[dict]] = {file: [] for file in OUTPUTS}
    for vintage in VINTAGES:
        path = sources_dir / f"ncmec/ncmec-ojjdp-{vintage}.pdf"
        source_id, name = f"ncmec-ojjdp-{vintage}", path.name
        lines = pdf_lines(path)
        yearly = yearly_rows(lines, vintage, source_id, name)
        incidents = incident_rows(lines, source_id, name)
        totals = {r["year"]: r["count"] for r in yearly if r["measure"] == "total_reports"}
        for year in {r["year"] for r in incidents}:
            summed = sum(r["reports"] for r in incidents if r["year"] == year)
            if summed != totals[year]:
                raise MalformedDocument(f"{name} CY{year}: incident types sum to {summed:,}, total is {totals[year]:,}")
        rows[YEARLY] += yearly
        rows[INCIDENTS] += incidents
        rows[FILES] += file_rows(lines, source_id, name)
        rows[RECIPIENTS] += recipient_rows(path, lines, source_id, name)

    labels = {v: {r["label_as_printed"] for r in rows[INCIDENTS] if r["source_id"] == f"ncmec-ojjdp-{v}"}
              for v in VINTAGES}
    if len({frozenset(s) for s in labels.values()}) != 1:
        raise MalformedDocument(f"the two reports print different incident labels: {labels}")

    frames = {}
    for file, keys in OUTPUTS.items():
        df = pd.DataFrame(rows[file], columns=COLUMNS[file])
        numeric = [c for c in ("year", "count", "reports", "files") if c in df.columns]
        df = df.astype({c: "int64" for c in numeric}).sort_values(keys, ignore_index=True)
        if df.duplicated(keys).any():
            raise MalformedDocument(f"{file}: duplicate keys {df[df.duplicated(keys, keep=False)].to_dict('records')}")
        frames[file] = df
    return frames
