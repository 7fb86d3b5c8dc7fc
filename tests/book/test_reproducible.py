"""Two clean builds of the same commit give the same site, byte for byte, so that a diff of the
site shows only what changed. The second build runs in a different folder: no build path,
timestamp or random id may reach a page, a figure or a download."""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from csam_reporting.present import figures
from conftest import copy_book, run_build

def _figure_bytes() -> bytes:
    figures.apply()
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    ax.set_xlabel("category")
    ax.set_ylabel("reports")
    return figures.show_figure(fig, title="Category b has twice the reports of a",
                             alt="Bar chart: category a has 1 report, category b has 2.",
                             source="A test").svg


def test_the_same_figure_gives_the_same_svg():
    """matplotlib salts its SVG ids at random unless ``svg.hashsalt`` is set."""
    first, second = _figure_bytes(), _figure_bytes()
    assert b'id="' in first  # the figure does carry ids (clip paths), so the salt matters
    assert first == second


def site_files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.mark.build
def test_two_clean_builds_in_different_folders_give_identical_sites(built_book, tmp_path):
    other = copy_book(tmp_path / "another" / "folder")
    result = run_build(other, "--force")
    assert result.returncode == 0, result.stderr[-3000:]
    first = site_files(built_book / "_build" / "html")
    second = site_files(other / "_build" / "html")
    assert sorted(first) == sorted(second), "the two builds made different sets of files"
    different = [name for name in first if first[name] != second[name]]
    assert different == [], f"the two builds differ in {different}"
    for name, content in first.items():
        assert str(built_book).encode() not in content, f"{name} names the folder it was built in"
