"""NCMEC CyberTipline reports by country, 2019–2023 (PRIMARY).

Every row of NCMEC's "CyberTipline Reports by Country" PDFs ``ncmec/ncmec-by-country-<year>.pdf``,
with the country label exactly as printed (spelling, slashes and asterisks kept: ``Romania/Rumania``,
``Sierre Leone``, ``No Country Listed*``), checked against the printed total of each PDF.

Layouts: 2019 prints two columns per page, 2020–2023 one. :func:`pdf_lines` reads a two-column page
row by row, so one text line holds zero, one or two ``label number`` pairs. A printed ``-`` (2020:
Norfolk Island, Svalbard, Saint Helena ...) is kept as a row with no number (``reports`` empty).

Wrapped labels are completed with the label list ``data/country_codes.csv``: a label that is not in
the list waits for its continuation, which is the next text line (2019–2020: ``Saint Vincent and the
253`` + ``Grenadines``; 2022–2023: ``Saint Helena, Ascension`` + ``1`` + ``and Tristan da Cunha``).
On a two-column page the continuation can share a line with the other column's next row
(``Tristan da Cunha Timor-Leste 1,309``); it is split where both parts are listed labels. A label
that is still unknown raises :class:`MalformedDocument`, so the list must name every printed label.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .pdf import MalformedDocument, pdf_lines

YEARS = range(2019, 2024)
CODES = Path(__file__).resolve().parents[3] / "data" / "country_codes.csv"

OUTPUTS: dict[str, list[str]] = {"ncmec_country_reports.csv": ["year", "country_label"]}
COLUMNS = ["year", "country_label", "iso3", "eu27", "reports", "source_id", "locator"]

NUMBER = r"\d{1,3}(?:,\d{3})*|-"  # "-" is printed for some rows instead of a number
PAIR = re.compile(rf"(?P<label>\S.*?)\s+(?P<n>{NUMBER})(?=\s|$)")
BARE_NUMBER = re.compile(rf"^(?:{NUMBER})$")
TOTAL = re.compile(r"^(?P<word>TOTAL|Total:?)\s+(?P<n>\d{1,3}(?:,\d{3})*)$")
TABLE_HEADER = re.compile(r"^(Country( / Territory)? (Number of )?Reports|Reports Reports)$")
SKIP = re.compile(r"^Country Total Reports$")  # 2019: caption above the TOTAL row
FOOTER = re.compile(r"^Copyright ©")


def country_codes(path: Path = CODES) -> pd.DataFrame:
    """The label -> ISO 3166-1 alpha-3 / EU-27 table (one row per label as printed)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _reports(text: str) -> int | None:
    return None if text == "-" else int(text.replace(",", ""))


def parse_country_pdf(path: Path, labels: set[str]) -> tuple[list[dict], int, str]:
    """Return (rows, printed total, locator of the total) for one by-country PDF."""
    rows: list[dict] = []
    open_row: dict | None = None  # a row whose label is not complete yet
    pending: str | None = None  # a label line whose number is on the next line
    in_table = False
    total: tuple[int, str] | None = None

    def add(label: str, n: str, page: int) -> None:
        nonlocal open_row
        row = {"country_label": label, "reports": _reports(n), "page": page}
        rows.append(row)
        open_row = None if label in labels else row

    def check_closed(where: str) -> None:
        if open_row is not None or pending is not None:
            raise MalformedDocument(f"{path.name} {where}: incomplete label "
                                    f"{(open_row or {}).get('country_label', pending)!r}")

    for line in pdf_lines(path):
        text = line.text
        if TABLE_HEADER.match(text):
            in_table = True
            continue
        if not in_table or SKIP.match(text):
            continue
        if FOOTER.match(text):
            check_closed(f"p. {line.page}")
            in_table = False
            continue
        if m := TOTAL.match(text):
            check_closed(f"p. {line.page}")
            total = (_reports(m["n"]), f"p. {line.page}, row '{m['word']}'")
            in_table = False
            continue
        if BARE_NUMBER.match(text):
            if pending is None:
                raise MalformedDocument(f"{path.name} p. {line.page}: number without label: {text!r}")
            label, pending = pending, None
            add(label, text, line.page)
            continue
        pairs = list(PAIR.finditer(text))
        rest = text[pairs[-1].end():].strip() if pairs else text
        if rest and pairs:
            raise MalformedDocument(f"{path.name} p. {line.page}: text after the last number: {text!r}")
        if not pairs:  # a label line without number: a continuation, or a label whose number follows
            if open_row is not None:
                open_row["country_label"] += " " + text
                if open_row["country_label"] in labels:
                    open_row = None
            elif pending is None:
                pending = text
            else:
                raise MalformedDocument(f"{path.name} p. {line.page}: unexpected line {text!r}")
            continue
        for pair in pairs:
            label = pair["label"]
            if open_row is not None:  # "Tristan da Cunha Timor-Leste": continuation + next row
                words = label.split(" ")
                for k in range(1, len(words)):
                    head, tail = " ".join(words[:k]), " ".join(words[k:])
                    if open_row["country_label"] + " " + head in labels and tail in labels:
                        open_row["country_label"] += " " + head
                        label = tail
                        break
                else:
                    raise MalformedDocument(f"{path.name} p. {line.page}: label "
                                            f"{open_row['country_label']!r} is not completed by {text!r}")
            add(label, pair["n"], line.page)
    if total is None:
        raise MalformedDocument(f"{path.name}: printed total not found")
    check_closed("end")
    summed = sum(r["reports"] or 0 for r in rows)
    if summed != total[0]:
        raise MalformedDocument(f"{path.name}: rows sum to {summed:,}, printed total is {total[0]:,}")
    return rows, total[0], total[1]


def extract(sources_dir: Path) -> dict[str, pd.DataFrame]:
    sources_dir = Path(sources_dir)
    codes = country_codes().set_index("country_label")
    rows: list[dict] = []
    for year in YEARS:
        found, _, _ = parse_country_pdf(sources_dir / f"ncmec/ncmec-by-country-{year}.pdf", set(codes.index))
        for row in found:
            label = row["country_label"]
            rows.append({"year": year, "country_label": label, "iso3": codes.at[label, "iso3"],
                         "eu27": codes.at[label, "eu27"], "reports": row["reports"],
                         "source_id": f"ncmec-country-{year}", "locator": f"p. {row['page']}"})
    df = pd.DataFrame(rows, columns=COLUMNS).astype({"year": "int64", "reports": "Int64"})
    key = OUTPUTS["ncmec_country_reports.csv"]
    if df.duplicated(key).any():
        raise MalformedDocument(f"duplicate keys: {df[df.duplicated(key, keep=False)].to_dict('records')}")
    return {"ncmec_country_reports.csv": df}
