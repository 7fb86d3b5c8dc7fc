"""Re-extraction from the original NCMEC PDFs reproduces every number in data/.

Runs when the documents are present (SOURCES_DIR, set by .ci/run); skipped with the reason otherwise.
"""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from csam_reporting import data
from csam_reporting.extract import compare, extractors

ROOT = Path(__file__).resolve().parent.parent
SOURCES = Path(os.environ.get("SOURCES_DIR", ROOT.parent / "shared" / "sources")).resolve()

needs_documents = pytest.mark.skipif(
    not (SOURCES / "ncmec").is_dir(),
    reason=f"original documents not found at {SOURCES} (set SOURCES_DIR to the folder holding ncmec/)")

MODULES = extractors()


@needs_documents
@pytest.mark.parametrize("module", MODULES, ids=[m.__name__.rsplit(".", 1)[1] for m in MODULES])
def test_extracted_numbers_match_data_exactly(module):
    frames = module.extract(SOURCES)
    for file, keys in module.OUTPUTS.items():
        extracted = frames[file]
        assert len(extracted) > 0, f"{module.__name__} extracted nothing for {file}"
        mismatches = compare(file, keys, extracted, ROOT / "data")
        assert mismatches == [], "\n".join(map(str, mismatches[:30]))


def test_every_extractor_is_present():
    assert [m.__name__.rsplit(".", 1)[1] for m in MODULES] == ["esp", "country", "ojjdp", "platforms", "selfgen"]


def test_compare_reports_a_changed_number(tmp_path):
    (tmp_path / "t.csv").write_text("year,label,reports,source_id\n2020,A,5,s\n2020,B,7,s\n2020,C,1,other\n")
    extracted = pd.DataFrame({"year": [2020, 2020], "label": ["A", "B"], "reports": [5, 8], "source_id": ["s", "s"]})
    mismatches = compare("t.csv", ["year", "label", "source_id"], extracted, tmp_path)
    assert [(m.key, m.column, m.in_data, m.extracted) for m in mismatches] == [(("2020", "B", "s"), "reports", "7", "8")]
