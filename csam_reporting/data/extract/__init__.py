"""Re-extraction of figures from the original documents.

Each module (``esp``, ``country``, ``ojjdp``, ``platforms``, ``selfgen``) reads the publisher's documents from a sources folder and
returns the rows it accounts for in ``data/``: ``OUTPUTS`` maps a data file to its key columns and
``extract(sources_dir)`` returns ``{file name: DataFrame}``. ``compare`` checks them cell by cell.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

MODULES = ("esp", "country", "ojjdp", "platforms", "selfgen")


def extractors():
    """The extraction modules present, in a fixed order."""
    found = []
    for name in MODULES:
        try:
            found.append(importlib.import_module(f"{__name__}.{name}"))
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
    return found


@dataclass(frozen=True)
class Mismatch:
    file: str
    key: tuple
    column: str
    in_data: object
    extracted: object

    def __str__(self) -> str:
        return f"{self.file} {self.key}: {self.column} is {self.in_data!r} in data/, {self.extracted!r} in the document"


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Values as they are written in a CSV: booleans as true/false, missing as empty."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == bool or frame[column].map(type).eq(bool).all():
            frame[column] = frame[column].map({True: "true", False: "false"})
    return frame.astype("string").fillna("")


def compare(file: str, keys: list[str], extracted: pd.DataFrame, data_dir: Path) -> list[Mismatch]:
    """Every difference between the extracted rows and data/<file> for the same source documents."""
    on_disk = pd.read_csv(data_dir / file, dtype="string", keep_default_na=False)
    extracted = _normalise(extracted)
    sources = set(extracted["source_id"])
    on_disk = on_disk[on_disk["source_id"].isin(sources)]
    columns = [c for c in extracted.columns if c not in keys]
    left = on_disk.set_index(keys)
    right = extracted.set_index(keys)
    mismatches = []
    for key in left.index.difference(right.index):
        mismatches.append(Mismatch(file, key, "(row)", "present", "absent"))
    for key in right.index.difference(left.index):
        mismatches.append(Mismatch(file, key, "(row)", "absent", "present"))
    for key in left.index.intersection(right.index):
        for column in columns:
            a, b = left.at[key, column], right.at[key, column]
            if a != b:
                mismatches.append(Mismatch(file, key, column, a, b))
    return mismatches


def run_all(sources_dir: Path, data_dir: Path):
    """Yield (file, number of rows extracted, mismatches) for every extractor's outputs."""
    for module in extractors():
        frames = module.extract(Path(sources_dir))
        for file, keys in module.OUTPUTS.items():
            frame = frames[file]
            yield file, len(frame), compare(file, keys, frame, data_dir)


def merged(file: str, keys: list[str], extracted: pd.DataFrame, data_dir: Path) -> pd.DataFrame:
    """data/<file> with the rows of the extracted documents replaced by the extraction; rows from
    other documents (hand-entered from notes, say) are kept as they are."""
    on_disk = pd.read_csv(data_dir / file, dtype="string", keep_default_na=False)
    extracted = _normalise(extracted)
    missing = set(on_disk.columns) - set(extracted.columns)
    if missing:
        raise ValueError(f"{file}: the extractor gives no {sorted(missing)}")
    kept = on_disk[~on_disk["source_id"].isin(set(extracted["source_id"]))]
    combined = pd.concat([kept, extracted[on_disk.columns]], ignore_index=True)
    return combined.sort_values(keys, kind="stable", ignore_index=True)
