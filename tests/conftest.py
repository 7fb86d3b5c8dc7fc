"""Shared fixtures. The book is built once per test session, in a temporary copy, with every
chapter executed (an empty execution cache), exactly as a reader's site would be built."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK_FILES = ["_config.yml", "_toc.yml", "_static", "chapters", "data"]


def copy_book(target: Path, with_cache_from: Path | None = None) -> Path:
    """Copy what the build reads into ``target`` (optionally reusing another copy's execution cache)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in BOOK_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
        else:
            shutil.copy2(source, target / name)
    if with_cache_from is not None:
        shutil.copytree(with_cache_from / "_build" / ".jupyter_cache", target / "_build" / ".jupyter_cache")
        stamp = Path("_build") / ".inputs-fingerprint"
        shutil.copy2(with_cache_from / stamp, target / stamp)
    return target


def run_build(book: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csam_reporting.build", "--book", str(book), *extra],
                          capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    book = copy_book(tmp_path_factory.mktemp("book"))
    result = run_build(book, "--force")
    if result.returncode != 0:
        pytest.fail(f"the clean build failed:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return book


@pytest.fixture(scope="session")
def site(built_book) -> Path:
    return built_book / "_build" / "html"
