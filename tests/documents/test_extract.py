"""Re-extraction from the original NCMEC PDFs reproduces every number in data/.

Runs when the documents are present (SOURCES_DIR, set by .ci/run); skipped with the reason otherwise.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from csam_reporting import data
from conftest import ROOT
from csam_reporting.data.extract import compare, extractors

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


@needs_documents
def test_write_restores_extracted_rows_keeps_hand_entered_ones_and_refuses_invalid_results(tmp_path, capsys):
    from csam_reporting.data.extract.__main__ import write

    data_dir = tmp_path / "data"
    shutil.copytree(ROOT / "data", data_dir)
    esp = data_dir / "ncmec_esp_reports.csv"
    original = esp.read_text(encoding="utf-8")
    esp.write_text(original.replace("2019,4chan,,1380,", "2019,4chan,,9999,"), encoding="utf-8")
    yearly_before = (data_dir / "cybertipline_reports_yearly.csv").read_text(encoding="utf-8")

    assert write(SOURCES, data_dir) == 0
    assert esp.read_text(encoding="utf-8") == original
    assert (data_dir / "cybertipline_reports_yearly.csv").read_text(encoding="utf-8") == yearly_before

    # A result that would not validate (an ESP label with no platform mapping) writes nothing.
    mapping = data_dir / "ncmec_esp_platforms.csv"
    lines = mapping.read_text(encoding="utf-8").splitlines(keepends=True)
    mapping.write_text("".join(line for line in lines if not line.startswith("4chan,")), encoding="utf-8")
    esp.write_text(original.replace("2019,4chan,,1380,", "2019,4chan,,9999,"), encoding="utf-8")
    before = {p.name: p.read_bytes() for p in data_dir.glob("*.csv")}
    assert write(SOURCES, data_dir) == 1
    assert {p.name: p.read_bytes() for p in data_dir.glob("*.csv")} == before
    assert "data/ was not changed" in capsys.readouterr().err
