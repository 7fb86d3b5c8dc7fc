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
    assert list(record["parallel"]) == ["chapters/platforms.md"], record
    assert record["sphinx"] == {}, record
    assert "Executing notebook" not in result.stdout + result.stderr


def test_a_warm_kernel_gives_the_outputs_of_a_cold_one(tmp_path):
    """Kernels forked from the warm server are fresh processes that print, display and glue as a
    kernel started the usual way does; the server and its kernels end with the context."""
    import nbformat
    from nbclient import execute

    from csam_reporting.warmkernel import WarmKernels

    code = ["import os\nprint('cwd', os.path.basename(os.getcwd()), os.environ.get('CSAM_TEST_MARK'))",
            "from myst_nb import glue\nglue('answer', 42, display=False)",
            "from IPython.display import HTML\nHTML('<b>bold</b>')",
            "import matplotlib.pyplot as plt\nplt.rcParams['figure.dpi'] = 33\nplt.rcParams['figure.dpi']"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in code])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "here").mkdir()

    def run() -> list:
        result = execute(nbformat.from_dict(notebook), cwd=str(tmp_path / "here"))
        return [[{k: v for k, v in out.items() if k != "execution_count"} for out in cell.outputs]
                for cell in result.cells]

    import os
    os.environ["CSAM_TEST_MARK"] = "marked"
    try:
        cold = run()
        with WarmKernels() as warm:
            first, second = run(), run()
            server = warm.process
        assert server.poll() is not None, "the warm server outlived its context"
    finally:
        os.environ.pop("CSAM_TEST_MARK")
    assert first == cold and second == cold  # the second kernel does not see the first's rcParams
    assert "cwd here marked" in cold[0][0]["text"]
