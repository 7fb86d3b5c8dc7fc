"""Build the book: validate data/, keep the execution cache honest, run a strict Sphinx build,
then make the site self-contained and smaller.

    python -m csam_reporting.build [--force] [--book DIR]

* Data is validated first; a problem stops the build before any notebook runs.
* Jupyter Book's execution cache keys on a notebook's own code only, so when data/ or the shared
  package changes (their fingerprint differs from the last successful build's) the cache is
  cleared and every chapter re-executes.
* Chapters whose code the cache has not seen are executed in parallel, one per core, into the
  cache before Sphinx starts (``execute.prefill_cache``); Sphinx then executes nothing. A notebook
  error stops the build there, with its traceback. ``--serial`` leaves execution to Jupyter Book
  (one notebook after another), as a baseline for the benchmark.
* The build runs with warnings as errors (-W -n --keep-going); a notebook error fails it.
* After the build: data files are copied to ``_build/html/data/`` for download, source maps
  (which no page loads) and the theme's icon script (the icons render from the web font) are
  removed, each page's head is lightened for a fast first paint (``firstpaint``), and every page is
  scanned for assets from another host.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .data import VALIDATED_VARIABLE, data_fingerprint
from .pages import finish as finish_pages
from .execute import prefill_cache, report_failures
from .firstpaint import optimise_site
from .selfcontained import external_assets
from .data.validate import validate
from .warmkernel import WarmKernels

ROOT = Path(__file__).resolve().parent.parent


def _clear(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


def inputs_fingerprint(book: Path) -> str:
    """What chapter outputs depend on besides their own code: the data and the shared package."""
    package = Path(__file__).resolve().parent
    return data_fingerprint(book / "data") + "-" + data_fingerprint(package)


def build(book: Path = ROOT, force: bool = False, serial: bool = False) -> int:
    book = book.resolve()
    data = book / "data"
    build_dir = book / "_build"
    cache = build_dir / ".jupyter_cache"
    doctrees = build_dir / ".doctrees"  # Sphinx's parsed pages, which hold the executed outputs
    stamp = build_dir / ".inputs-fingerprint"  # written only after a successful build
    html = build_dir / "html"

    # A clean build executes every chapter: start the warm kernel server now, so that it imports
    # on the other core while this process validates the data (no chapter runs until that passes).
    stale = force or not stamp.exists() or not cache.exists() or stamp.read_text().strip() != inputs_fingerprint(book)
    kernels = WarmKernels({"CSAM_DATA_DIR": str(data)}, validates=True).start() if stale and not serial else None
    try:
        return _build(book, force, serial, kernels)
    finally:
        if kernels is not None and kernels.process is not None and kernels.process.poll() is None:
            kernels.__exit__(None, None, None)


def _build(book: Path, force: bool, serial: bool, kernels: WarmKernels | None) -> int:
    data = book / "data"
    build_dir = book / "_build"
    cache = build_dir / ".jupyter_cache"
    doctrees = build_dir / ".doctrees"
    stamp = build_dir / ".inputs-fingerprint"
    html = build_dir / "html"
    checked = data_fingerprint(data)  # of what is validated next (a later change is not trusted)
    problems = validate(data)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"build stopped: {len(problems)} data problem(s); nothing was built.", file=sys.stderr)
        return 1
    if kernels is not None:
        kernels.validated(checked)  # the warm server need not validate the same data again

    fingerprint = inputs_fingerprint(book)
    if force:
        print("forced build: clearing the execution cache and the previous site")
        for path in (cache, doctrees, html):
            _clear(path)
    elif (cache.exists() or html.exists()) and (not stamp.exists() or stamp.read_text().strip() != fingerprint):
        # No stamp means the cache's inputs are unknown (say, a first build that failed midway).
        print("data/ or csam_reporting/ changed since the last build: clearing the execution cache")
        for path in (cache, doctrees, html):
            _clear(path)

    # Chapters load the data of the book being built (a copy of the book reads its own data/).
    chapter_environment = {"CSAM_DATA_DIR": str(data)}
    executed: dict = {"parallel": {}, "sphinx": {}}  # notebook -> seconds, by who executed it
    phases: dict[str, float] = {}  # wall-clock seconds of each step, for the benchmark
    environment = {**os.environ, **chapter_environment, VALIDATED_VARIABLE: checked}
    # Sphinx is started now and waits, at low priority, with its modules imported, until the
    # chapters are cached: its start-up uses a core the chapters leave idle, not the time after them.
    sphinx = (_start_sphinx(book, environment, jobs=1, niceness=0) if serial
              else _start_sphinx(book, environment, jobs=os.cpu_count() or 1))
    started = time.perf_counter()
    if not serial:
        try:
            prefill = prefill_cache(book, cache, chapter_environment, kernels=kernels)
        except BaseException:
            sphinx.kill()
            raise
        phases["parallel_execution"] = round(time.perf_counter() - started, 2)
        executed["parallel"] = prefill.executed
        if not prefill.ok:
            sphinx.kill()
            sphinx.wait()
            report_failures(prefill)
            print(f"build failed: {len(prefill.failed)} notebook(s) raised; nothing was built.", file=sys.stderr)
            return 1

    sphinx_started = time.perf_counter()
    returncode = _finish_sphinx(sphinx, book, executed["sphinx"])
    phases["sphinx"] = round(time.perf_counter() - sphinx_started, 2)
    build_dir.mkdir(exist_ok=True)
    record = build_dir / ".executed.json"
    record.write_text(json.dumps({**executed, "phases": phases}, indent=2) + "\n")
    if executed["sphinx"] and not serial:
        print(f"note: Sphinx executed {len(executed['sphinx'])} notebook(s) the parallel pre-fill did not cache: "
              + ", ".join(executed["sphinx"]))
    if returncode != 0:
        print("build failed (warnings are errors; see the log above)", file=sys.stderr)
        return returncode

    if not (html / "index.html").is_file():
        print(f"build failed: no {html / 'index.html'} was produced", file=sys.stderr)
        return 1
    post_started = time.perf_counter()
    _publish_data(data, html / "data")
    for source_map in html.rglob("*.map"):
        source_map.unlink()
    _drop_icon_script(html)
    finish_pages(html)  # reader-facing fixes (csam_reporting/pages.py): descriptions, one viewport tag
    optimise_site(html)  # lighter heads: no search index outside search.html, no blocking scripts
    offenders = external_assets(html)
    if offenders:
        for page, url in offenders:
            print(f"{page}: loads {url} from another host", file=sys.stderr)
        print("build failed: the site must not load anything from another host", file=sys.stderr)
        return 1
    phases["post_processing"] = round(time.perf_counter() - post_started, 2)
    record.write_text(json.dumps({**executed, "phases": phases}, indent=2) + "\n")
    stamp.write_text(fingerprint + "\n")
    print(f"\nThe book is built. Open {html / 'index.html'}")
    return 0


_EXECUTED = re.compile(r"^(?P<path>\S+?\.(?:md|ipynb)): Executed notebook in (?P<seconds>[\d.]+) seconds")


# Imported by the waiting Sphinx process before it is told to go: Sphinx, Jupyter Book and the
# book's extensions (any that is missing is simply imported later, by Sphinx itself).
SPHINX_PRELOAD = ["sphinx.application", "sphinx.builders.html", "jupyter_book.cli.main", "jupyter_book.sphinx",
                  "myst_nb.sphinx_ext", "sphinx_book_theme", "pydata_sphinx_theme", "sphinx_design",
                  "sphinx_togglebutton", "sphinx_copybutton", "sphinx_external_toc", "sphinx_comments",
                  "csam_reporting.sphinx_ext"]

# The console script's entry point, run with this interpreter (jupyter_book.cli.main has no
# __main__ guard, so ``python -m`` on it would silently do nothing). Sphinx reads and writes the
# pages in parallel, one process per core: jb's command line has no option for it, so its call to
# Sphinx is given the number (every extension the book loads declares itself parallel-safe).
SPHINX_ENTRY = """
import functools, importlib, os, sys
os.nice({niceness})
for name in {preload!r}:
    try:
        importlib.import_module(name)
    except ImportError:
        pass
if sys.stdin.readline().strip() != "go":
    sys.exit(3)
import jupyter_book.sphinx as jb_sphinx
jb_sphinx.build_sphinx = functools.partial(jb_sphinx.build_sphinx, jobs={jobs})
from jupyter_book.cli.main import main
sys.exit(main())
"""


def _start_sphinx(book: Path, environment: dict, jobs: int, niceness: int = 10) -> subprocess.Popen:
    """Start the Sphinx build; it imports (at ``niceness``: with the cores busy executing chapters,
    only on idle time), then waits for :func:`_finish_sphinx` to let it run."""
    command = [sys.executable, "-c", SPHINX_ENTRY.format(preload=SPHINX_PRELOAD, jobs=jobs, niceness=niceness),
               "build", str(book), "--builder", "html", "-W", "-n", "--keep-going"]
    return subprocess.Popen(command, cwd=book, env=environment, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, bufsize=1)


def _finish_sphinx(process: subprocess.Popen, book: Path, executed: dict[str, float]) -> int:
    """Let the waiting build run, passing its output through, and note each notebook Sphinx itself
    executes."""
    with process:
        process.stdin.write("go\n")
        process.stdin.close()
        for line in process.stdout:
            sys.stdout.write(line)
            match = _EXECUTED.match(line)
            if match:
                path = Path(match["path"])
                name = str(path.relative_to(book)) if path.is_absolute() and book in path.parents else str(path)
                executed[name] = float(match["seconds"])
    sys.stdout.flush()
    return process.returncode


_ICON_SCRIPT = re.compile(r'\s*<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>')


def _drop_icon_script(html: Path) -> None:
    """Remove the theme's 1.5 MB icon script from every page.

    The theme's stylesheet already carries Font Awesome's web-font rules, so the icons render from
    the (locally served) font without the script, which only swaps them for inline SVG.
    """
    for page in html.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        slimmed = _ICON_SCRIPT.sub("", text)
        if slimmed != text:
            page.write_text(slimmed, encoding="utf-8")
    script = html / "_static" / "scripts" / "fontawesome.js"
    if script.exists():
        script.unlink()
    # Jinja partials the themes ship in _static; never linked, and not valid pages.
    for partial in (html / "_static").glob("*macros.html"):
        partial.unlink()


def _publish_data(data: Path, target: Path) -> None:
    """Copy the data package (CSV, schemas, README) into the site so readers can download it."""
    _clear(target)
    shutil.copytree(data, target, ignore=shutil.ignore_patterns("__pycache__", ".*"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="re-execute every chapter")
    parser.add_argument("--book", type=Path, default=ROOT, help="the book's folder (default: this repository)")
    parser.add_argument("--serial", action="store_true",
                        help="leave execution to Jupyter Book, one notebook after another (a benchmark baseline)")
    args = parser.parse_args(argv)
    return build(args.book, args.force, args.serial)


if __name__ == "__main__":
    sys.exit(main())
