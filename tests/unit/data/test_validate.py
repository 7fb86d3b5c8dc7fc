"""Validation: the real data passes; each corruption is rejected with a message naming file, line,
column and rule; validation never changes a file."""
from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from csam_reporting import data
from csam_reporting.data.validate import DataValidationError, validate

DATA = ROOT / "data"


def fingerprints(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def test_the_real_data_package_is_valid():
    problems = validate(DATA)
    assert problems == [], "\n".join(map(str, problems))


def test_every_csv_in_data_is_described_by_the_package():
    import json
    package = json.loads((DATA / "datapackage.json").read_text())
    described = {r["path"] for r in package["resources"]}
    on_disk = {p.name for p in DATA.glob("*.csv")}
    assert on_disk == described


# --- the bad-input suite -------------------------------------------------------------------
def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _first_line_with(file: str, column: str) -> int:
    rows = _rows(DATA / file)
    index = rows[0].index(column)
    return next(n for n, row in enumerate(rows[1:], start=2) if row[index])


def set_cell(file: str, column: str, value: str, line: int = 2):
    """Overwrite one cell; ``line`` is the CSV line (the header is line 1)."""
    def corrupt(directory: Path):
        rows = _rows(directory / file)
        rows[line - 1][rows[0].index(column)] = value
        _write(directory / file, rows)
    return corrupt


def duplicate_row(file: str):
    def corrupt(directory: Path):
        rows = _rows(directory / file)
        _write(directory / file, rows + [rows[1]])
    return corrupt


def drop_column(file: str, column: str):
    def corrupt(directory: Path):
        rows = _rows(directory / file)
        index = rows[0].index(column)
        _write(directory / file, [r[:index] + r[index + 1:] for r in rows])
    return corrupt


def add_column(file: str, column: str):
    def corrupt(directory: Path):
        rows = _rows(directory / file)
        _write(directory / file, [rows[0] + [column]] + [r + ["x"] for r in rows[1:]])
    return corrupt


def empty(file: str):
    def corrupt(directory: Path):
        (directory / file).write_bytes(b"")
    return corrupt


def latin1_bytes(file: str):
    def corrupt(directory: Path):
        path = directory / file
        raw = path.read_bytes().splitlines(keepends=True)
        raw[2] = raw[2].replace(b",", b",Caf\xe9 ", 1)  # a Latin-1 byte in the third line
        path.write_bytes(b"".join(raw))
    return corrupt


def _line_where(file: str, **match) -> int:
    rows = _rows(DATA / file)
    header = rows[0]
    return next(n for n, row in enumerate(rows[1:], start=2)
                if all(row[header.index(k)] == v for k, v in match.items()))


def add_to_cell(file: str, column: str, amount: int, **match):
    """Add ``amount`` to one number, in the row whose columns equal ``match``."""
    def corrupt(directory: Path):
        rows = _rows(directory / file)
        line = _line_where(file, **match)
        index = rows[0].index(column)
        rows[line - 1][index] = str(int(rows[line - 1][index]) + amount)
        _write(directory / file, rows)
    return corrupt


def header_only(file: str):
    def corrupt(directory: Path):
        rows = _rows(directory / file)
        _write(directory / file, rows[:1])
    return corrupt


# (name, corruption, file, line or None, column or None, words expected in the rule/message)
CASES = [
    ("negative count", set_cell("ncmec_esp_reports.csv", "reports", "-5"),
     "ncmec_esp_reports.csv", 2, "reports", "constraint"),
    ("duplicate key", duplicate_row("ncmec_esp_reports.csv"),
     "ncmec_esp_reports.csv", None, None, "primary-key"),
    ("unknown source id", set_cell("cybertipline_reports_yearly.csv", "source_id", "no-such-source"),
     "cybertipline_reports_yearly.csv", 2, "source_id", "foreign-key"),
    ("unknown platform", set_cell("ncmec_esp_platforms.csv", "platform_id", "no_such_platform"),
     "ncmec_esp_platforms.csv", 2, "platform_id", "foreign-key"),
    ("wrong type", set_cell("ncmec_esp_reports.csv", "reports", "many"),
     "ncmec_esp_reports.csv", 2, "reports", "type-error"),
    ("missing column", drop_column("ncmec_country_reports.csv", "iso3"),
     "ncmec_country_reports.csv", 1, "iso3", "missing-column"),
    ("unexpected column", add_column("ncmec_country_reports.csv", "comment"),
     "ncmec_country_reports.csv", 1, "comment", "unexpected-column"),
    ("empty file", empty("policy_timeline.csv"), "policy_timeline.csv", None, None, "empty-file"),
    ("non-UTF-8 bytes", latin1_bytes("sources.csv"), "sources.csv", 3, None, "encoding-error"),
    ("year out of range", set_cell("cybertipline_reports_yearly.csv", "year", "2107"),
     "cybertipline_reports_yearly.csv", 2, "year", "constraint"),
    ("share above 100%", set_cell("iwf_reports.csv", "share_pct", "140", line=_first_line_with("iwf_reports.csv", "share_pct")),
     "iwf_reports.csv", _first_line_with("iwf_reports.csv", "share_pct"), "share_pct", "constraint"),
    ("malformed date", set_cell("policy_timeline.csv", "date", "21/12/2020"),
     "policy_timeline.csv", 2, "date", "type-error"),
    ("unknown category", set_cell("cybertipline_reports_yearly.csv", "measure", "abuse_prevalence"),
     "cybertipline_reports_yearly.csv", 2, "measure", "constraint"),
    ("malformed source date", set_cell("sources.csv", "published", "June 2023"),
     "sources.csv", 2, "published", "constraint"),
    # Cross-table rules: the tables agree with each other as NCMEC's documents do.
    ("a yearly total raised by ten million",
     add_to_cell("cybertipline_reports_yearly.csv", "count", 10_000_000, year="2022", measure="total_reports",
                 source_id="ncmec-ojjdp-2023"),
     "cybertipline_reports_yearly.csv",
     _line_where("cybertipline_reports_yearly.csv", year="2022", measure="total_reports", source_id="ncmec-ojjdp-2023"),
     "count", "countries-sum"),
    ("an ESP row that no longer sums to the printed total",
     add_to_cell("ncmec_esp_reports.csv", "reports", 1, year="2021", esp_label="Facebook"),
     "cybertipline_reports_yearly.csv",
     _line_where("cybertipline_reports_yearly.csv", year="2021", measure="esp_reports", source_id="ncmec-esp-2021"),
     "count", "esp-sum"),
    ("ESP and public reports that do not add up to the total",
     add_to_cell("cybertipline_reports_yearly.csv", "count", 5, year="2020", measure="public_reports",
                 source_id="ncmec-ojjdp-2022"),
     "cybertipline_reports_yearly.csv",
     _line_where("cybertipline_reports_yearly.csv", year="2020", measure="total_reports", source_id="ncmec-ojjdp-2022"),
     "count", "parts-sum"),
    ("a 2023 row marked bundled", set_cell("cybertipline_reports_yearly.csv", "bundled", "true",
                                           line=_line_where("cybertipline_reports_yearly.csv", year="2023", measure="total_reports")),
     "cybertipline_reports_yearly.csv", _line_where("cybertipline_reports_yearly.csv", year="2023", measure="total_reports"),
     "bundled", "bundled-flag"),
    ("Meta's combined line in a year NCMEC listed the apps apart",
     set_cell("ncmec_esp_reports.csv", "esp_label", "Facebook*", line=_line_where("ncmec_esp_reports.csv", year="2022", esp_label="Facebook")),
     "ncmec_esp_reports.csv", _line_where("ncmec_esp_reports.csv", year="2022", esp_label="Facebook"), "esp_label", "combined-meta"),
    ("a table emptied to its header", header_only("iwf_reports.csv"), "iwf_reports.csv", None, None, "no-rows"),
    ("a source dated 2031", set_cell("sources.csv", "published", "2031-01-01"), "sources.csv", 2, "published", "future-date"),
]


@pytest.mark.parametrize("name,corrupt,file,line,column,rule", CASES, ids=[c[0] for c in CASES])
def test_corruption_is_rejected_clearly_and_nothing_is_written(tmp_path, name, corrupt, file, line,
                                                               column, rule):
    directory = tmp_path / "data"
    shutil.copytree(DATA, directory)
    corrupt(directory)
    before = fingerprints(directory)

    problems = validate(directory)

    assert fingerprints(directory) == before, "validation changed a file"
    matching = [p for p in problems if p.file == file and rule in f"{p.rule} {p.message}"]
    assert matching, f"{name}: expected a {rule!r} problem in {file}, got: {[str(p) for p in problems]}"
    problem = matching[0]
    if line is not None:
        assert problem.line == line, str(problem)
    if column is not None:
        assert problem.column == column, str(problem)
    text = str(problem)
    assert file in text and problem.rule in text


def test_validate_command_exits_non_zero_and_names_the_problem(tmp_path):
    directory = tmp_path / "data"
    shutil.copytree(DATA, directory)
    set_cell("ncmec_esp_reports.csv", "reports", "-5")(directory)
    result = subprocess.run([sys.executable, "-m", "csam_reporting.data.validate", str(directory)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "ncmec_esp_reports.csv:2: column 'reports':" in result.stdout


def test_loader_refuses_invalid_data(tmp_path, monkeypatch):
    directory = tmp_path / "data"
    shutil.copytree(DATA, directory)
    duplicate_row("sources.csv")(directory)
    monkeypatch.setenv("CSAM_DATA_DIR", str(directory))
    with pytest.raises(DataValidationError, match="sources.csv"):
        data.load("ncmec_esp_reports")


def test_loader_types_columns_from_the_schema():
    frame = data.load("ncmec_esp_reports")
    assert str(frame["year"].dtype) == "Int64" and str(frame["reports"].dtype) == "Int64"
    timeline = data.load("policy_timeline")
    assert str(timeline["date"].dtype).startswith("datetime64")


def test_an_unreadable_table_reports_its_own_error_first_not_a_cascade(tmp_path):
    """Every table cites sources.csv; when it cannot be read, its own error comes first and the
    foreign keys that point at it are not reported one by one."""
    directory = tmp_path / "data"
    shutil.copytree(DATA, directory)
    latin1_bytes("sources.csv")(directory)
    problems = validate(directory)
    assert problems[0].file == "sources.csv" and problems[0].rule == "encoding-error", [str(p) for p in problems[:5]]
    assert not [p for p in problems if p.rule == "foreign-key"], [str(p) for p in problems if p.rule == "foreign-key"][:5]
