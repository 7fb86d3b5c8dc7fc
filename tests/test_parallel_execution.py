"""Chapters execute in parallel into the execution cache before Sphinx runs; Sphinx executes
nothing, and an edit to one chapter re-executes that chapter only. (How long it takes is for
benchmarks/bench.py, never for a test.)"""
from __future__ import annotations

import json

import pytest

from csam_reporting.execute import book_notebooks, toc_documents
from conftest import ROOT, copy_book, run_build
from test_build import toc_files


def executed(book) -> dict:
    return json.loads((book / "_build" / ".executed.json").read_text())


def test_every_toc_chapter_is_a_notebook_to_prefill():
    assert toc_documents(ROOT) == toc_files()
    assert [str(p.relative_to(ROOT)) for p in book_notebooks(ROOT)] == [f"{f}.md" for f in toc_files()]


@pytest.mark.build
def test_a_clean_build_executes_every_chapter_before_sphinx(built_book):
    record = executed(built_book)
    assert sorted(record["parallel"]) == sorted(f"{f}.md" for f in toc_files())
    assert record["sphinx"] == {}, "Sphinx executed notebooks the pre-fill should have cached"


@pytest.mark.build
def test_editing_one_chapter_reexecutes_only_that_chapter(built_book, tmp_path):
    book = copy_book(tmp_path / "edited", with_cache_from=built_book)
    chapter = book / "chapters" / "platforms.md"
    chapter.write_text(chapter.read_text(encoding="utf-8")
                       + "\n```{code-cell} ipython3\n:tags: [remove-cell]\nedited = True\n```\n",
                       encoding="utf-8")
    result = run_build(book)
    assert result.returncode == 0, result.stderr[-3000:]
    record = executed(book)
    assert record == {"parallel": {"chapters/platforms.md": record["parallel"].get("chapters/platforms.md")},
                      "sphinx": {}}, record
    assert "Executing notebook" not in result.stdout + result.stderr
