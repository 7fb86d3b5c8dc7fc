"""Reader-facing documentation generated from the data package: the data dictionary, the source
list and each dataset's coverage. Generated, so it cannot drift from what the validator checks."""
from __future__ import annotations

import html
import json

import pandas as pd

from . import data
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


def data_dictionary_html() -> str:
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
        links = [f"{_code(fk['fields'] if isinstance(fk['fields'], str) else ', '.join(fk['fields']))} → "
                 f"{_code(fk['reference']['resource'])}" for fk in schema.get("foreignKeys", [])]
        if links:
            out.append(f"<p>Links: {'; '.join(links)}.</p>")
    return "\n".join(out)


def sources_html() -> str:
    table = data.load("sources")
    rows = []
    for row in table.itertuples():
        title = _e(row.title)
        if isinstance(row.url, str) and row.url:
            title = f'<a href="{_e(row.url)}">{title}</a>'
        published = row.published if isinstance(row.published, str) else "not known"
        rows.append([_code(row.source_id), _e(row.publisher), title, _e(published), _e(row.reliability)])
    return _table("sources-list", [20, 20, 40, 10, 10],
                  ["id", "publisher", "title", "published", "reliability"], rows,
                  row_ids=[source_anchor(s) for s in table["source_id"]])


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
