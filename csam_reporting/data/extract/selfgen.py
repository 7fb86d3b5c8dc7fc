"""NCMEC online enticement reports, 2020–2023, for data/ncmec_enticement_sextortion.csv.

They are the "Online Enticement of Children for Sexual Acts" row of the table "Categorization of
CyberTipline Reports" in NCMEC's transparency reports to OJJDP, which :mod:`.ojjdp` already reads
(and checks against the yearly totals). This module reshapes those rows; it parses nothing itself.
Both vintages are kept (2021 and 2022 appear in both reports), each with its own source_id.

Only these rows come from PDFs; every other row of the file is entered from the cited documents
(NCMEC blog posts, R. Grimm's transcription) and is kept as it is by ``--write``.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import ojjdp

OUTPUTS: dict[str, list[str]] = {
    "ncmec_enticement_sextortion.csv": ["year", "measure", "source_id"],
}
COLUMNS = ["year", "measure", "count", "qualifier", "new_category", "source_id", "locator", "notes"]
NOTE = ("NCMEC category 'Online Enticement of Children for Sexual Acts' (reports, by the category the "
        "reporting party chose).")


def extract(sources_dir: Path) -> dict[str, pd.DataFrame]:
    incidents = ojjdp.extract(Path(sources_dir))[ojjdp.INCIDENTS]
    rows = incidents[incidents["incident_type"] == "online_enticement"]
    frame = pd.DataFrame({
        "year": rows["year"], "measure": "online_enticement_reports", "count": rows["reports"],
        "qualifier": pd.NA, "new_category": False, "source_id": rows["source_id"],
        "locator": rows["locator"].str.replace(r"^(table '[^']*'), (p\. \d+)$", r"\2, \1", regex=True)
        + ", row 'Online Enticement of Children for Sexual Acts', column 'CY " + rows["year"].astype(str) + "'",
        "notes": NOTE,
    })
    return {"ncmec_enticement_sextortion.csv": frame[COLUMNS].reset_index(drop=True)}
