"""The bibliography: every document in data/sources.csv as a formatted reference, generated from
the same table the data rows cite, so the references cannot drift from the data.

    from csam_reporting import bibliography
    bibliography.references_html()     # one entry per source, sorted by publisher and year

Each entry links to the original publisher's page (where the URL is known) and to the source's row
in the sources appendix (``appendix-sources.html#source-<source_id>``), which gives the locator
conventions, reliability and provenance notes.
"""
from __future__ import annotations

import html
from urllib.parse import urlparse

import pandas as pd

from .. import data
from .tables import SOURCES_PAGE, source_anchor

RELIABILITY_NOTE = {"primary": "", "secondary": "Secondary source.", "derived": "Derived figures."}


def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _year(published) -> str:
    return str(published)[:4] if isinstance(published, str) and published else "n.d."


def pieces_under_check() -> set[str]:
    """The sources in which the claims of the claims check were published. They are never evidence
    for a figure: no table other than the claims table cites them."""
    return set(data.load("claims")["piece_source_id"])


def evidence_citing(source_ids: set[str]) -> dict[str, list[str]]:
    """For each of ``source_ids``, the tables other than the claims table whose rows cite it as
    evidence (empty lists when none do, as the bibliography states for the pieces under check)."""
    cited: dict[str, list[str]] = {s: [] for s in source_ids}
    for name in data.resource_names():
        if name in ("claims", "sources"):
            continue
        table = data.load(name)
        if "source_id" not in table.columns:
            continue
        for source_id in source_ids & set(table["source_id"].dropna()):
            cited[source_id].append(name)
    return cited


def reference(row, under_check: bool = False) -> str:
    """One reference as HTML: Publisher (year). Title. host. [Secondary source.] [Piece whose
    claims are checked.] (details)."""
    title = _e(row["title"])
    url = row["url"] if isinstance(row["url"], str) and row["url"] else ""
    parts = [f"{_e(row['publisher'])} ({_year(row['published'])}). <em>{title}</em>."]
    if url:
        parts.append(f'<a href="{_e(url)}">{_e(urlparse(url).netloc)}</a>.')
    else:
        parts.append("Original URL not known.")
    note = RELIABILITY_NOTE.get(row["reliability"], "")
    if isinstance(row.get("licence_note"), str) and "transcribed by" in row["licence_note"]:
        note = (note + " As transcribed by R. Grimm.").strip()
    if note:
        parts.append(note)
    if under_check:
        parts.append('A piece whose claims are checked in the <a href="claims-check.html">claims check</a>, '
                     "not evidence for any figure.")
    parts.append(f'<a href="{SOURCES_PAGE}#{source_anchor(row["source_id"])}">Details</a>')
    return " ".join(parts)


def references() -> pd.DataFrame:
    """Sources sorted as a bibliography: by publisher, then year, then title."""
    table = data.load("sources")
    table = table.assign(_year=[_year(p) for p in table["published"]])
    return table.sort_values(["publisher", "_year", "title"], key=lambda c: c.str.lower()).drop(columns="_year")


def references_html() -> str:
    """One list, sorted by publisher then year, each entry with an id ``ref-<source_id>``."""
    pieces = pieces_under_check()
    items = [f'<li id="ref-{_e(source_anchor(row["source_id"])[len("source-"):])}">'
             f'{reference(row, row["source_id"] in pieces)}</li>'
             for row in references().to_dict("records")]
    return '<ul class="bibliography-list">' + "".join(items) + "</ul>"


def counts() -> dict[str, int]:
    table = data.load("sources")
    return {"documents": len(table), "publishers": int(table["publisher"].nunique()),
            "primary": int((table["reliability"] == "primary").sum()),
            "secondary": int((table["reliability"] == "secondary").sum()),
            "pieces": len(pieces_under_check())}
