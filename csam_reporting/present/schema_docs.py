"""Reader-facing documentation generated from the data package: the data dictionary, the source
list and each dataset's coverage. Generated, so it cannot drift from what the validator checks."""
from __future__ import annotations

import html
import json
import re

import pandas as pd

from .. import data
from .tables import source_anchor


def _package() -> dict:
    data.resource_names()  # validates first
    return json.loads((data.data_dir() / "datapackage.json").read_text(encoding="utf-8"))


def _schema(resource: dict) -> dict:
    schema = resource["schema"]
    if isinstance(schema, str):
        schema = json.loads((data.data_dir() / schema).read_text(encoding="utf-8"))
    return schema


def _rule(field: dict) -> str:
    """The field's constraints in words, as escaped HTML."""
    constraints = field.get("constraints", {})
    parts = []
    if constraints.get("required"):
        parts.append("required")
    if constraints.get("unique"):
        parts.append("unique")
    if "minimum" in constraints:
        parts.append(f"≥ {_e(constraints['minimum'])}")
    if "maximum" in constraints:
        parts.append(f"≤ {_e(constraints['maximum'])}")
    if "enum" in constraints:
        parts.append("one of " + ", ".join(_code(v) for v in constraints["enum"]))
    if "pattern" in constraints:
        parts.append(f"matches {_code(constraints['pattern'])}")
    return "; ".join(parts)


def _e(text) -> str:
    return html.escape("" if text is None else str(text))


def _code(text) -> str:
    return f"<code>{_e(text)}</code>"


def _table(css_class: str, widths: list[int], header: list[str], rows: list[list[str]],
           row_ids: list[str] | None = None) -> str:
    """An HTML table whose cells are already escaped; column widths in percent."""
    columns = "".join(f'<col style="width:{w}%">' for w in widths)
    head = "".join(f"<th>{h}</th>" for h in header)
    ids = [f' id="{_e(i)}"' for i in row_ids] if row_ids else [""] * len(rows)
    body = "".join(f"<tr{i}>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for i, row in zip(ids, rows))
    return (f'<table class="table {css_class}"><colgroup>{columns}</colgroup>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|{}#~$])")


def _md(text) -> str:
    """Plain text made safe to place in MyST Markdown (one line)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str("" if text is None else text).split()))


def _md_code(text) -> str:
    text = str(text)
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_rule(field: dict) -> str:
    """The field's type and constraints in words, as Markdown."""
    constraints = field.get("constraints", {})
    parts = [_md(field.get("type", "string"))]
    if constraints.get("required"):
        parts.append("required")
    if constraints.get("unique"):
        parts.append("unique")
    if "minimum" in constraints:
        parts.append(f"≥ {_md(constraints['minimum'])}")
    if "maximum" in constraints:
        parts.append(f"≤ {_md(constraints['maximum'])}")
    if "enum" in constraints:
        parts.append("one of " + ", ".join(_md_code(v) for v in constraints["enum"]))
    if "pattern" in constraints:
        parts.append(f"matches {_md_code(constraints['pattern'])}")
    return "; ".join(parts)


def data_dictionary_markdown(heading_level: int = 2) -> str:
    """The data dictionary as MyST Markdown: one section per dataset (a real heading, so it is in
    the page's contents), its description, its key and links, then each column as a definition
    (name, type and rule on one line, the meaning below it: short on a phone, no squeezed columns).
    """
    hashes = "#" * heading_level
    out = []
    for resource in _package()["resources"]:
        schema = _schema(resource)
        keys = schema.get("primaryKey", [])
        keys = [keys] if isinstance(keys, str) else keys
        out += [f"{hashes} {_md_code(resource['path'])}", "", _md(schema.get("description", "")), ""]
        facts = [f"One row per {', '.join(_md_code(k) for k in keys)}." if keys else ""]
        links = [f"{_md_code(fk['fields'] if isinstance(fk['fields'], str) else ', '.join(fk['fields']))} → "
                 f"{_md_code(fk['reference']['resource'])}" for fk in schema.get("foreignKeys", [])]
        if links:
            facts.append(f"Links: {'; '.join(links)}.")
        facts.append(f"Download: [{_md(resource['path'])}](../data/{resource['path']}).")
        out += [" ".join(f for f in facts if f), ""]
        for field in schema["fields"]:
            out += [f"{_md_code(field['name'])} · {_md_rule(field)}",
                    f": {_md(field.get('description', '')) or 'No description.'}", ""]
    return "\n".join(out)


def data_dictionary_html() -> str:
    """The data dictionary as HTML (kept for callers outside the book; the page uses Markdown)."""
    out = []
    for resource in _package()["resources"]:
        schema = _schema(resource)
        keys = schema.get("primaryKey", [])
        keys = [keys] if isinstance(keys, str) else keys
        out.append(f"<h3>{_code(resource['path'])}</h3><p>{_e(schema.get('description', ''))}</p>")
        out.append(f"<p>One row per: {', '.join(_code(k) for k in keys)}.</p>")
        rows = [[_code(f["name"]), _e(f.get("description", "")), _e(f.get("type", "string")), _rule(f)]
                for f in schema["fields"]]
        out.append(_table("data-dictionary", [18, 50, 9, 23], ["column", "meaning", "type", "rule"], rows))
    return "\n".join(out)


def sources_html() -> str:
    """Every source, grouped by publisher: the linked title, then when it was published, how
    reliable it is and its id (what ``source_id`` holds in data/; not shown on a phone), each entry
    with the anchor that citations link to. A list, so it stays two or three lines an entry on a
    phone."""
    table = data.load("sources").sort_values(["publisher", "source_id"], key=lambda c: c.str.lower())
    out = ['<div class="sources-list">']
    for publisher, group in table.groupby("publisher", sort=False):
        out.append(f'<p class="sources-publisher">{_e(publisher)}</p><ul class="sources-list">')
        for row in group.itertuples():
            title = _e(row.title)
            if isinstance(row.url, str) and row.url:
                title = f'<a href="{_e(row.url)}">{title}</a>'
            facts = []
            if isinstance(row.published, str) and row.published:
                facts.append(f"published {_e(row.published)}")
            facts.append(_e(row.reliability))
            out.append(f'<li id="{_e(source_anchor(row.source_id))}">{title} '
                       f'<span class="sources-facts">({"; ".join(facts)}<span class="sources-id">; '
                       f'id {_code_breakable(row.source_id)}</span>)</span></li>')
        out.append("</ul>")
    out.append("</div>")
    return "".join(out)


def _code_breakable(text) -> str:
    """An identifier as code that may break after its separators (- _ . /), never mid-word."""
    return "<code>" + re.sub(r"([-_./])", r"\1<wbr>", _e(text)) + "</code>"


def coverage() -> pd.DataFrame:
    """Rows and the span of years (where a table has a year) for each dataset."""
    rows = []
    for resource in _package()["resources"]:
        frame = data.load(resource["name"])
        span = ""
        if "year" in frame:
            span = f"{int(frame['year'].min())}–{int(frame['year'].max())}"
        rows.append({"dataset": resource["name"], "rows": len(frame), "years": span})
    return pd.DataFrame(rows)
