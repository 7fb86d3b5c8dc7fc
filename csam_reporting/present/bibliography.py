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


def reference(row) -> str:
    """One reference as HTML: Publisher (year). Title. host. [Secondary source.] (details)."""
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
    parts.append(f'<a href="{SOURCES_PAGE}#{source_anchor(row["source_id"])}">Details</a>')
    return " ".join(parts)


def references() -> pd.DataFrame:
    """Sources sorted as a bibliography: by publisher, then year, then title."""
    table = data.load("sources")
    table = table.assign(_year=[_year(p) for p in table["published"]])
    return table.sort_values(["publisher", "_year", "title"], key=lambda c: c.str.lower()).drop(columns="_year")


def references_html() -> str:
    """One list, sorted by publisher then year, each entry with an id ``ref-<source_id>``."""
    items = [f'<li id="ref-{_e(source_anchor(row["source_id"])[len("source-"):])}">{reference(row)}</li>'
             for row in references().to_dict("records")]
    return '<ul class="bibliography-list">' + "".join(items) + "</ul>"


def counts() -> dict[str, int]:
    table = data.load("sources")
    return {"documents": len(table), "publishers": int(table["publisher"].nunique()),
            "primary": int((table["reliability"] == "primary").sum()),
            "secondary": int((table["reliability"] == "secondary").sum())}
