"""Shared fixtures.

* ``data_copy``: a private copy of data/ that the loader reads (``CSAM_DATA_DIR``), to change freely;
* ``built_book`` / ``site``: the book built once per test session, in a temporary copy, with every
  chapter executed (an empty execution cache), exactly as a reader's site would be built;
* ``server`` and ``browser``: that site served from loopback, and Debian's chromium, headless.

``copy_book`` and ``run_build`` make further copies and builds (a broken chapter, a new year).
"""
from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK_FILES = ["_config.yml", "_toc.yml", "_static", "_templates", "chapters", "data"]
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def copy_book(target: Path, with_cache_from: Path | None = None) -> Path:
    """Copy what the build reads into ``target`` (optionally reusing another copy's execution cache
    and generated Sphinx configuration)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in BOOK_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.ipynb"))
        else:
            shutil.copy2(source, target / name)
    if with_cache_from is not None:
        shutil.copytree(with_cache_from / "_build" / ".jupyter_cache", target / "_build" / ".jupyter_cache")
        for name in ("_build/.inputs-fingerprint", "_build/.validated-data", "_build/.config-fingerprint", "conf.py"):
            if (with_cache_from / name).is_file():
                shutil.copy2(with_cache_from / name, target / name)
    return target


def run_build(book: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csam_reporting.build", "--book", str(book), *extra],
                          capture_output=True, text=True, cwd=ROOT)


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ that the loader reads for this test only."""
    from csam_reporting import data

    folder = tmp_path / "data"
    shutil.copytree(data.data_dir(), folder)
    monkeypatch.setenv("CSAM_DATA_DIR", str(folder))
    return folder


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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is required (make test installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
