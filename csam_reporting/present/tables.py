"""Tables for readers: the one way a chapter puts a table on a page.

    from csam_reporting import tables
    tables.show_table(frame, caption="Reports by parent company, 2023",
                      columns={"company": "parent company", "reports": "reports", "share": "share"},
                      formats={"share": "{:.1%}"}, download="reports-by-company.csv")

What readers see is decided here, once, so that no chapter formats a table by hand:

* numbers are right-aligned with tabular figures and thousands separators;
* booleans read as "yes" / "no", missing values as ``na_rep``;
* a ``source_id`` column becomes a "source" column of publisher names, each linked to its entry
  in the sources appendix (never the internal id);
* URLs become links named by their host, never bare;
* the table sits in its own horizontally scrolling container, so a wide table never widens the
  page on a phone;
* the HTML is deterministic (no random ids), so two builds of the same data give the same page.
"""
from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

import pandas as pd

from .. import data
from .glue import true_minus

SOURCES_PAGE = "appendix-sources.html"  # chapters and appendices share one folder


def source_anchor(source_id: str) -> str:
    """The HTML id of a source's entry in the sources appendix."""
    return "source-" + re.sub(r"[^A-Za-z0-9_-]", "-", str(source_id))


def source_link(source_id: str) -> str:
    """A source as a reader sees it: the publisher's name, linked to the appendix entry (HTML)."""
    row = data.sources().loc[source_id]
    return (f'<a href="{SOURCES_PAGE}#{source_anchor(source_id)}" title="{_e(row["title"])}">'
            f'{_e(row["publisher"])}</a>')


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        values = series.dropna()
        return "int" if len(values) and (values == values.round()).all() else "float"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    return "text"


def _format_cell(value, kind: str, fmt, na_rep: str) -> str:
    """One cell's text (not yet escaped), with a true minus sign before a negative number."""
    return true_minus(_cell_text(value, kind, fmt, na_rep)) if kind != "date" else _cell_text(value, kind, fmt, na_rep)


def _cell_text(value, kind: str, fmt, na_rep: str) -> str:
    if fmt is not None and not _missing(value):
        return fmt(value) if callable(fmt) else fmt.format(value)
    if _missing(value):
        return na_rep
    if kind == "bool" or isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "year":
        return str(int(value))
    if kind == "float":
        return f"{value:,.1f}"
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return str(value)


def _is_url(text: str) -> bool:
    return bool(re.match(r"^https?://\S+$", text))


@dataclass(frozen=True)
class BookTable:
    """A rendered table: deterministic HTML for the page, and the CSV a reader may download."""

    html: str
    caption: str
    csv: str = ""

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:  # what a plain-text reader (or the notebook log) sees
        return f"Table: {self.caption}"


def show_table(frame: pd.DataFrame, *, caption: str, columns: Mapping[str, str] | None = None,
               formats: Mapping[str, str | Callable] | None = None, na_rep: str = "—",
               notes: str = "", download: str = "",
               links: Mapping[str, str] | None = None) -> BookTable:
    """Render ``frame`` as a table for readers.

    ``columns`` maps column → header and selects and orders the columns shown (default: all, with
    their own names; ``source_id`` is always headed "source"). ``formats`` maps column → format
    string or callable for non-missing values. ``links`` maps a shown column → a column of the
    frame holding each row's link target (a URL or a page path); empty targets give plain text.
    ``download="name.csv"`` offers the rows shown (raw values, reader headers) as a CSV file.
    """
    caption = (caption or "").strip()
    if len(caption) < 5:
        raise ValueError("a table needs a caption that says what it holds")
    columns = dict(columns) if columns is not None else {c: str(c) for c in frame.columns}
    missing = [c for c in [*columns, *(links or {}).values()] if c not in frame.columns]
    if missing:
        raise KeyError(f"no column(s) {missing} in the table; it has {list(frame.columns)}")
    formats = dict(formats or {})
    links = dict(links or {})
    headers = {c: ("source" if c == "source_id" and columns[c] == "source_id" else columns[c]) for c in columns}

    kinds = {c: _kind(frame[c]) for c in columns}
    for column in columns:  # a year is a label, not a quantity: no thousands separator
        if kinds[column] == "int" and re.search(r"\byear\b", f"{column} {headers[column]}", re.IGNORECASE):
            kinds[column] = "year"
    numeric = {c for c, k in kinds.items() if k in ("int", "float", "year")}
    num_class = ' class="num"'
    head = "".join(f'<th scope="col"{num_class if c in numeric else ""}>{_e(headers[c])}</th>' for c in columns)
    body = []
    for row in frame.to_dict("records"):  # keeps each column's own type
        cells = []
        for column in columns:
            value = row[column]
            if column == "source_id" and not _missing(value) and column not in formats:
                text = source_link(value)
            else:
                plain = _format_cell(value, kinds[column], formats.get(column), na_rep)
                text = _e(plain)
                target = row[links[column]] if column in links else None
                if target is not None and not _missing(target) and str(target):
                    text = f'<a href="{_e(target)}">{text}</a>'
                elif _is_url(plain):
                    text = f'<a href="{_e(plain)}">{_e(urlparse(plain).netloc)}</a>'
            cells.append(f"<td{num_class if column in numeric else ''}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")

    csv = ""
    parts = [f'<div class="book-table" role="region" aria-label="{_e(caption)}" tabindex="0">',
             f'<table class="table book-table-grid"><caption>{_e(caption)}</caption>',
             f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"]
    after = []
    if notes:
        after.append(f'<span class="book-table-note">{_e(notes)}</span>')
    if download:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*\.csv", download):
            raise ValueError(f"download must be a lowercase file name ending .csv, got {download!r}")
        shown = frame[list(columns)].rename(columns=headers)
        csv = shown.to_csv(index=False, lineterminator="\n")
        href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(csv.encode("utf-8")).decode("ascii")
        after.append(f'<a class="book-table-download" href="{href}" download="{_e(download)}">'
                     f"Download this table (CSV)</a>")
    if after:
        parts.append('<p class="book-table-after">' + " ".join(after) + "</p>")
    return BookTable("".join(parts), caption, csv)
