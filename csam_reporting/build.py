"""Build the book: validate data/, keep the execution cache honest, run the stock Sphinx build.

    python -m csam_reporting.build [--force] [--book DIR] [--jobs N]      (or: make book)

1. ``data/`` is validated (once per content: a folder that passed unchanged is not checked again).
   A problem stops the build, naming file, row and column, before anything is written.
2. Jupyter Book's execution cache keys on a notebook's code only, so when ``data/`` or the
   ``csam_reporting`` package changed since the last successful build (their fingerprint differs
   from the one stamped then), the cache and the previous site are cleared and every chapter
   executes again.
3. Sphinx's configuration is generated from ``_config.yml`` by ``jupyter-book config sphinx``
   (into ``conf.py`` beside it, not committed; regenerated when ``_config.yml`` changes), and the
   jupyter-cache database is created before Sphinx starts (parallel readers would otherwise race
   to create it).
4. ``sphinx-build -j auto -n -W --keep-going``: Sphinx reads the pages in parallel, one process
   per core, and myst-nb executes each chapter the cache lacks as its page is read
   (``nb_execution_mode: cache``). Warnings are errors, and a raising cell is a warning with its
   traceback, so it fails the build; a failed build leaves no pages behind (nothing of it is trusted).
5. The data package is published under ``_build/html/data/`` for download, and every page and
   stylesheet is scanned: the build fails if anything would be loaded from another host.

Pages are lightened only through Sphinx's own hooks (``csam_reporting/sphinx_ext.py``) and the
book's stylesheet (``_static/book.css``); nothing edits another package's files or the written pages.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .selfcontained import external_assets

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent
# The loader (csam_reporting.data) trusts a data folder whose content has exactly the fingerprint in
# this variable: the build validated it. The build does not import the loader (nor pandas) to stay
# quick on a no-change rebuild; tests check that both compute the same fingerprint and variable.
VALIDATED_VARIABLE = "CSAM_DATA_VALIDATED"


def data_fingerprint(directory: Path) -> str:
    """SHA-256 over every file under ``directory`` (names and bytes), as the loader computes it."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(directory).rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _clear(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


def inputs_fingerprint(book: Path) -> str:
    """What chapter outputs depend on besides their own code: the data and the shared package."""
    return data_fingerprint(book / "data") + "-" + data_fingerprint(PACKAGE)


def validate_once(data: Path, stamp: Path) -> tuple[str, list]:
    """Validate ``data`` unless exactly this content passed before; return (fingerprint, problems)."""
    checked = data_fingerprint(data)
    if _read(stamp) == checked:
        return checked, []
    from .data.validate import validate

    problems = validate(data)
    if not problems and stamp.parent.is_dir():
        stamp.write_text(checked + "\n")
    return checked, problems


def sphinx_config(book: Path, stamp: Path) -> None:
    """Write ``conf.py`` from ``_config.yml`` with Jupyter Book's own command, when it changed (or
    when a file was added to or removed from ``_static/``: Jupyter Book lists its stylesheets and
    scripts in ``conf.py``)."""
    static = sorted(p.relative_to(book).as_posix() for p in (book / "_static").rglob("*") if p.is_file())
    digest = hashlib.sha256((book / "_config.yml").read_bytes() + "\n".join(static).encode()).hexdigest()
    if (book / "conf.py").is_file() and _read(stamp) == digest:
        return
    command = [str(Path(sys.executable).with_name("jupyter-book")), "config", "sphinx", str(book)]
    if not Path(command[0]).is_file():
        command = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())",
                   *command[1:]]
    subprocess.run(command, check=True, cwd=book, stdout=subprocess.DEVNULL)
    stamp.write_text(digest + "\n")


def create_cache(cache: Path) -> None:
    """Create the jupyter-cache database before Sphinx's parallel readers open it."""
    if not (cache / "global.db").is_file():
        from jupyter_cache import get_cache

        cache.mkdir(parents=True, exist_ok=True)
        get_cache(str(cache)).list_cache_records()


def build(book: Path = ROOT, force: bool = False, jobs: str = "auto") -> int:
    book = book.resolve()
    data = book / "data"
    build_dir = book / "_build"
    cache = build_dir / ".jupyter_cache"
    doctrees = build_dir / ".doctrees"  # Sphinx's parsed pages, which hold the executed outputs
    html = build_dir / "html"
    stamp = build_dir / ".inputs-fingerprint"  # what the execution cache's outputs were computed from
    scanned = build_dir / ".scanned"  # touched after a successful build's scan
    # Sphinx writes again only the pages whose source, template or configuration changed, and copies
    # _static/ only when it writes a page: after an edit of the book's stylesheet or script alone it
    # would find nothing to do. What _static/ held at the last successful build is recorded, and when
    # it differs every page is written again (sphinx-build -a), which copies the new files and the
    # pages' links to them.
    static_stamp = build_dir / ".static-fingerprint"
    static = data_fingerprint(book / "_static") if (book / "_static").is_dir() else ""

    checked, problems = validate_once(data, build_dir / ".validated-data")
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"build stopped: {len(problems)} data problem(s); nothing was built.", file=sys.stderr)
        return 1

    fingerprint = inputs_fingerprint(book)
    if force:
        print("forced build: clearing the execution cache and the previous site")
        for path in (cache, doctrees, html):
            _clear(path)
    elif (cache.exists() or html.exists()) and _read(stamp) != fingerprint:
        # No stamp means the cache's inputs are unknown (say, a first build that failed midway).
        print("data/ or csam_reporting/ changed since the last build: clearing the execution cache")
        for path in (cache, doctrees, html):
            _clear(path)
    build_dir.mkdir(exist_ok=True)
    # The cache now holds only outputs computed from these inputs (it was cleared, or they match).
    stamp.write_text(fingerprint + "\n")
    (build_dir / ".validated-data").write_text(checked + "\n")
    sphinx_config(book, build_dir / ".config-fingerprint")
    create_cache(cache)

    # Chapters load the data of the book being built (a copy of the book reads its own data/); the
    # fingerprint of what was just validated tells them not to validate the same content again.
    environment = {**os.environ, "CSAM_DATA_DIR": str(data), VALIDATED_VARIABLE: checked}
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-j", jobs, "-n", "-W", "--keep-going",
               "-d", str(doctrees), str(book), str(html)]
    if html.is_dir() and _read(static_stamp) != static:
        command.insert(-2, "-a")
    returncode = subprocess.run(command, cwd=book, env=environment).returncode
    if returncode != 0:
        # Sphinx does not read an unchanged page again, so it would not repeat the page's warning:
        # a failed build's pages and parsed pages are dropped, and the next build reads every page
        # again (from the execution cache, which only holds notebooks that ran without error).
        for path in (doctrees, html, scanned, static_stamp):
            _clear(path)
        print("build failed (warnings are errors; a raising cell's traceback is in the log above)", file=sys.stderr)
        return returncode

    _publish_data(data, html / "data", fingerprint)
    # Pages and stylesheets written since the last successful build (all of them after a clean one).
    since = scanned.stat().st_mtime if scanned.is_file() else None
    offenders = external_assets(html, since=since)
    if offenders:
        for page, url in offenders:
            print(f"{page}: loads {url} from another host", file=sys.stderr)
        print("build failed: the site must not load anything from another host", file=sys.stderr)
        return 1
    scanned.touch()
    static_stamp.write_text(static + "\n")
    print(f"\nThe book is built. Open {html / 'index.html'}")
    return 0


def _publish_data(data: Path, target: Path, fingerprint: str) -> None:
    """Copy the data package (CSV, schemas, README) into the site so readers can download it."""
    marker = target.parent.parent / ".published-data"
    if target.is_dir() and _read(marker) == fingerprint:
        return
    _clear(target)
    shutil.copytree(data, target, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    marker.write_text(fingerprint + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="re-execute every chapter")
    parser.add_argument("--book", type=Path, default=ROOT, help="the book's folder (default: this repository)")
    parser.add_argument("--jobs", default="auto", help="Sphinx's -j: processes that read pages (default: auto)")
    args = parser.parse_args(argv)
    return build(args.book, args.force, args.jobs)


if __name__ == "__main__":
    sys.exit(main())
