"""The loader's caches: a dataset is read and a metric computed once per content of data/, handed
out as a copy, and computed again when any file changes, however the change was made."""
from __future__ import annotations

import os
import time

from csam_reporting.data import loader as data  # the loader's internals are what these tests check
from csam_reporting.analysis import common


def _age(folder, seconds: float) -> None:
    """Set every file's modification time back, as if the copy were old (its change time stays)."""
    past = time.time() - seconds
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def test_a_loaded_table_is_a_copy():
    first = data.load("cybertipline_reports_yearly")
    first["count"] = -1
    assert (data.load("cybertipline_reports_yearly")["count"] >= 0).all()


def test_a_cached_metric_is_a_copy():
    first = common.yearly("total_reports")
    first.loc[:, "count"] = 0
    assert common.yearly("total_reports")["count"].max() > 0


# A year whose total no cross-table rule ties to another table (a transcribed year), so changing
# one digit keeps the data valid.
YEAR = "2025"


def _change_total(folder, new_count: int, year: str = YEAR) -> None:
    path = folder / "cybertipline_reports_yearly.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    year_column, measure, count = header.index("year"), header.index("measure"), header.index("count")
    for i, line in enumerate(lines[1:], start=1):
        cells = line.rstrip("\n").split(",")
        if cells[year_column] == year and cells[measure] == "total_reports":
            old = cells[count]
            assert len(str(new_count)) == len(old), "keep the file's size: the change must show in its content only"
            cells[count] = str(new_count)
            lines[i] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")


def test_a_changed_file_is_seen_even_at_the_same_size_and_modification_time(data_copy):
    _age(data_copy, 60)
    before = common.yearly("total_reports").set_index("year")["count"]
    assert data.current_fingerprint(data_copy) == data.current_fingerprint(data_copy)  # cached path
    path = data_copy / "cybertipline_reports_yearly.csv"
    mtime = path.stat().st_mtime
    new_count = int(str(before[int(YEAR)])[:-1] + str((int(str(before[int(YEAR)])[-1]) + 1) % 10))
    _change_total(data_copy, new_count)
    os.utime(path, (mtime, mtime))  # same size, same modification time: only the change time moved
    after = common.yearly("total_reports").set_index("year")["count"]
    assert after[int(YEAR)] == new_count != before[int(YEAR)]
    assert data.load("cybertipline_reports_yearly").query(f"year == {YEAR} and measure == 'total_reports'")[
        "count"].iloc[0] == new_count


def test_an_unchanged_folder_is_not_hashed_again(data_copy, monkeypatch):
    _age(data_copy, 60)
    # change times are those of the copy, made just now: wait out the racy window once
    time.sleep(data.RACY_SECONDS + 0.1)
    first = data.current_fingerprint(data_copy)
    calls = []
    monkeypatch.setattr(data, "data_fingerprint", lambda directory=None: calls.append(directory) or "x")
    assert data.current_fingerprint(data_copy) == first
    assert calls == []
    (data_copy / "README.md").write_text("changed\n", encoding="utf-8")
    assert data.current_fingerprint(data_copy) == "x"  # a new file time: hashed again


def test_the_build_fingerprints_data_as_the_loader_does(data_copy):
    """The build does not import the loader (it would import pandas on every rebuild): it computes
    the same fingerprint itself and hands it to Sphinx under the variable the loader reads."""
    from csam_reporting import build

    assert build.VALIDATED_VARIABLE == data.VALIDATED_VARIABLE
    assert build.data_fingerprint(data_copy) == data.data_fingerprint(data_copy)
    (data_copy / "README.md").write_text("changed\n", encoding="utf-8")
    assert build.data_fingerprint(data_copy) == data.data_fingerprint(data_copy)


def test_the_builds_validation_is_trusted_by_a_process_it_starts_only_for_that_content(data_copy, monkeypatch):
    checks = []
    monkeypatch.setattr(data, "check", lambda directory: checks.append(directory))
    data._validated_package.cache_clear()
    monkeypatch.setenv(data.VALIDATED_VARIABLE, data.data_fingerprint(data_copy))
    data.resource_names()
    assert checks == []
    data._validated_package.cache_clear()
    (data_copy / "README.md").write_text("changed after the check\n", encoding="utf-8")
    data.resource_names()
    assert len(checks) == 1  # other content than was checked: checked here
    data._validated_package.cache_clear()
