"""Reader-facing documentation generated from the data package: the data dictionary, the source
list and each dataset's coverage. Generated, so it cannot drift from what the validator checks."""
from __future__ import annotations

import json

import pandas as pd

from . import data


def _package() -> dict:
    data.resource_names()  # validates first
    return json.loads((data.data_dir() / "datapackage.json").read_text(encoding="utf-8"))


def _schema(resource: dict) -> dict:
    schema = resource["schema"]
    if isinstance(schema, str):
        schema = json.loads((data.data_dir() / schema).read_text(encoding="utf-8"))
    return schema


def _rule(field: dict) -> str:
    constraints = field.get("constraints", {})
    parts = []
    if constraints.get("required"):
        parts.append("required")
    if "minimum" in constraints:
        parts.append(f"≥ {constraints['minimum']}")
    if "maximum" in constraints:
        parts.append(f"≤ {constraints['maximum']}")
    if "enum" in constraints:
        parts.append("one of " + ", ".join(f"`{v}`" for v in constraints["enum"]))
    if "pattern" in constraints:
        parts.append(f"matches `{constraints['pattern']}`")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def data_dictionary_markdown() -> str:
    out = []
    for resource in _package()["resources"]:
        schema = _schema(resource)
        out.append(f"### `{resource['path']}`\n")
        out.append(_cell(schema.get("description", "")) + "\n")
        keys = schema.get("primaryKey", [])
        keys = [keys] if isinstance(keys, str) else keys
        out.append(f"One row per: {', '.join(f'`{k}`' for k in keys)}.\n")
        out.append("| column | type | rule | meaning |\n|---|---|---|---|")
        for field in schema["fields"]:
            out.append(f"| `{field['name']}` | {field.get('type', 'string')} | {_cell(_rule(field))} "
                       f"| {_cell(field.get('description', ''))} |")
        for foreign in schema.get("foreignKeys", []):
            fields = foreign["fields"]
            out.append(f"\nLinks: `{fields if isinstance(fields, str) else ', '.join(fields)}` → "
                       f"`{foreign['reference']['resource']}`.")
        out.append("")
    return "\n".join(out)


def sources_markdown() -> str:
    table = data.load("sources")
    out = ["| id | publisher | title | published | reliability |", "|---|---|---|---|---|"]
    for row in table.itertuples():
        title = _cell(row.title)
        if isinstance(row.url, str) and row.url:
            title = f"[{title}]({row.url})"
        out.append(f"| `{row.source_id}` | {_cell(row.publisher)} | {title} | {row.published} | {row.reliability} |")
    return "\n".join(out)


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
