"""Load the book's datasets: validated first, typed by their schema, never read raw.

    from csam_reporting import data
    yearly = data.load("cybertipline_reports_yearly")

The whole package under ``data/`` is validated once per process (and again if a file changes);
a problem stops the caller with a :class:`~csam_reporting.validate.DataValidationError` that names
file, line, column and rule.
"""
from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .validate import DEFAULT_DATA_DIR, check


def data_dir() -> Path:
    """The data folder: ``$CSAM_DATA_DIR`` if set, else the repository's ``data/``."""
    return Path(os.environ.get("CSAM_DATA_DIR", DEFAULT_DATA_DIR)).resolve()


def data_fingerprint(directory: Path | None = None) -> str:
    """SHA-256 over every file under ``directory`` (names and bytes): changes when any data changes."""
    directory = Path(directory or data_dir())
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _validated_package(directory: str, fingerprint: str) -> dict:
    check(Path(directory))
    return json.loads((Path(directory) / "datapackage.json").read_text(encoding="utf-8"))


def _schema(resource: dict, directory: Path) -> dict:
    schema = resource["schema"]
    if isinstance(schema, str):
        schema = json.loads((directory / schema).read_text(encoding="utf-8"))
    return schema


_PANDAS_TYPES = {"integer": "Int64", "number": "Float64", "string": "string", "boolean": "boolean"}


def resource_names() -> list[str]:
    directory = data_dir()
    package = _validated_package(str(directory), data_fingerprint(directory))
    return [r["name"] for r in package["resources"]]


def load(name: str) -> pd.DataFrame:
    """Return the dataset ``name`` (a resource of data/datapackage.json) with schema types."""
    directory = data_dir()
    package = _validated_package(str(directory), data_fingerprint(directory))
    resources = {r["name"]: r for r in package["resources"]}
    if name not in resources:
        raise KeyError(f"no dataset {name!r} in {directory / 'datapackage.json'}; known: {sorted(resources)}")
    resource = resources[name]
    fields = _schema(resource, directory)["fields"]
    dtypes = {f["name"]: _PANDAS_TYPES.get(f.get("type", "string"), "string") for f in fields}
    dates = [f["name"] for f in fields if f.get("type") == "date"]
    for column in dates:
        dtypes[column] = "string"
    frame = pd.read_csv(directory / resource["path"], dtype=dtypes, keep_default_na=False,
                        na_values=[""], true_values=["true"], false_values=["false"])
    for column in dates:
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
    return frame


def sources() -> pd.DataFrame:
    """The sources table, indexed by ``source_id``."""
    return load("sources").set_index("source_id")


def cite(source_ids) -> str:
    """A source line for a figure or table, grouping documents by publisher:
    'NCMEC: <title> (2024); <title>. Meta: <title> (2024)'. Unknown dates are left out, not guessed."""
    table = sources()
    by_publisher: dict[str, list[str]] = {}
    for source_id in dict.fromkeys(source_ids):
        row = table.loc[source_id]
        published = row["published"]
        year = f" ({str(published)[:4]})" if isinstance(published, str) and published else ""
        by_publisher.setdefault(row["publisher"], []).append(f"{row['title']}{year}")
    return ". ".join(f"{publisher}: {'; '.join(titles)}" for publisher, titles in by_publisher.items())
