"""Load the book's datasets: validated first, typed by their schema, never read raw.

    from csam_reporting import data
    yearly = data.load("cybertipline_reports_yearly")

The whole package under ``data/`` is validated once per process (and again if a file changes);
a problem stops the caller with a :class:`~csam_reporting.data.validate.DataValidationError` that names
file, line, column and rule. Each dataset is read once per content fingerprint and handed out as
a copy, so a chapter that asks for the same table many times (through the analysis modules) neither
re-reads nor re-hashes the folder, and changing the copy it was given changes nothing else.
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import time
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
    for path in _files(directory):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


# A file's modification time is only as fine as the kernel's clock tick: a file rewritten twice
# within one tick, at the same size, keeps its time. As git does for its index ("racy git"), a
# folder in which any file changed less than this long ago is hashed again on every call.
RACY_SECONDS = 2.0
_fingerprints: dict[str, tuple[tuple, str]] = {}


def _stat_signature(directory: Path) -> tuple | None:
    """Names, sizes, inodes and change times of the folder's files; None if one changed just now."""
    signature = []
    newest = 0.0
    for root, folders, names in os.walk(directory):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(names):
            stat = os.stat(os.path.join(root, name))
            newest = max(newest, stat.st_mtime, stat.st_ctime)
            signature.append((root, name, stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns))
    if time.time() - newest < RACY_SECONDS:
        return None
    return tuple(signature)


def current_fingerprint(directory: Path) -> str:
    """:func:`data_fingerprint`, hashed again only when a file's size, inode or times changed."""
    key = str(directory)
    signature = _stat_signature(directory)
    cached = _fingerprints.get(key)
    if signature is not None and cached is not None and cached[0] == signature:
        return cached[1]
    fingerprint = data_fingerprint(directory)
    if signature is not None:
        _fingerprints[key] = (signature, fingerprint)
    return fingerprint


# The build (csam_reporting/build.py) validates data/ before anything else, then runs Sphinx (which
# reads the data for the data dictionary, and whose kernels execute the chapters) with the
# fingerprint of what it checked in this variable: a process whose data have exactly that content
# need not check them again.
VALIDATED_VARIABLE = "CSAM_DATA_VALIDATED"


@lru_cache(maxsize=4)
def _validated_package(directory: str, fingerprint: str) -> dict:
    if os.environ.get(VALIDATED_VARIABLE) != fingerprint:
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
    package = _validated_package(str(directory), current_fingerprint(directory))
    return [r["name"] for r in package["resources"]]


def load(name: str) -> pd.DataFrame:
    """Return the dataset ``name`` (a resource of data/datapackage.json) with schema types."""
    directory = data_dir()
    return _read(str(directory), current_fingerprint(directory), name).copy()


@lru_cache(maxsize=64)
def _read(directory_name: str, fingerprint: str, name: str) -> pd.DataFrame:
    directory = Path(directory_name)
    package = _validated_package(directory_name, fingerprint)
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


def _frozen(value):
    """``value`` as a hashable key: lists and tuples as tuples, dicts as sorted pairs, ranges kept."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    hash(value)  # anything else must be hashable already (a DataFrame is not: not cached)
    return value


def cached(function):
    """Remember what ``function`` (computed from the data package only) returned, per data folder,
    content fingerprint and arguments, and hand out a copy each time. A chapter calls the same
    metric many times; this computes it once, and a change to any data file (a new fingerprint)
    computes it again. Arguments that cannot be hashed (a DataFrame) bypass the cache."""
    results: dict = {}

    @functools.wraps(function)
    def remembered(*args, **kwargs):
        directory = data_dir()
        try:
            key = (str(directory), current_fingerprint(directory), _frozen(args), _frozen(kwargs))
        except TypeError:
            return function(*args, **kwargs)
        if key not in results:
            if len(results) >= 256:
                results.clear()
            results[key] = function(*args, **kwargs)
        return _copied(results[key])

    remembered.cache_clear = results.clear
    return remembered


def _copied(value):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=True)
    if isinstance(value, (int, float, str, bool, type(None))):
        return value
    return copy.deepcopy(value)


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
