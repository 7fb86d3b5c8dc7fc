"""Measure what the book costs a contributor and a reader, and write the figures down.

    python benchmarks/bench.py [--runs 3] [--skip-lighthouse]      (or: make bench)

On temporary copies of the book, each measured ``--runs`` times (interleaved, so that a change in
the machine's load falls on every variant alike) and reported as the median:

* **clean build**: ``python -m csam_reporting.build --force`` (chapters executed in parallel
  into the cache before Sphinx runs);
* **serial clean build**: the same with ``--serial`` (Jupyter Book executes one notebook after
  another: how the book was built before the parallel pre-fill);
* **import-only floor**: a book with the same chapters reduced to their import lines, built with
  ``--serial``: the least a serial build of these notebooks can cost;
* **no-change rebuild** and **one-chapter edit** (a hidden cell appended to one chapter), with
  the notebooks each of them executed;
* each notebook's execution time (from the clean builds' execution record);
* page weight: per page, the gzip-compressed bytes of the HTML and the scripts, stylesheets and
  images it names;
* Lighthouse (npm ``lighthouse``, pinned in benchmarks/lighthouse/, run against Debian's
  chromium through ``CHROME_PATH``) mobile and desktop, on three pages served by a local gzip
  server: scores, LCP, and bytes transferred.

Writes benchmarks/results.json and prints a summary. Nothing here is a pass/fail test: the numbers
are for reading and comparing over time, and on a shared machine they are noisy (the load average
is recorded with them).
"""
from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
from conftest import copy_book  # noqa: E402

LIGHTHOUSE = ROOT / "benchmarks" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
LIGHTHOUSE_PAGES = ["chapters/encryption.html", "chapters/platforms.html", "chapters/appendix-sources.html"]
EDITED_CHAPTER = "chapters/platforms.md"
TARGETS = {
    "clean_build": "below the serial import-only floor",
    "one_chapter_edit": "re-executes only the edited chapter",
    "lighthouse_mobile_performance": ">= 95 on every chapter page",
}


# --- builds -------------------------------------------------------------------------------------

def timed_build(book: Path, *extra: str) -> dict:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "csam_reporting.build", "--book", str(book), *extra],
                            capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    record = json.loads((book / "_build" / ".executed.json").read_text())
    return {"seconds": round(elapsed, 2), "executed": record}


_CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_IMPORT = re.compile(r"^(?:import \S.*|from \S+ import .*)$")


def import_only(text: str, name: str = "") -> str:
    """A chapter reduced to its front matter, its title and one cell with its import lines.

    The cell starts with a comment naming the chapter: chapters with the same imports would
    otherwise have the same code, and the execution cache would run only one of them.
    """
    front = re.match(r"^---\n.*?\n---\n", text, re.DOTALL)
    title = re.search(r"^# .+$", text, re.MULTILINE)
    imports = []
    for cell in _CODE_CELL.findall(text):
        imports += [line for line in cell.splitlines() if _IMPORT.match(line)]
    imports = list(dict.fromkeys(imports))
    return (front.group(0) if front else "") + "\n" + (title.group(0) if title else "# Chapter") + \
        f"\n\n```{{code-cell}} ipython3\n# import-only floor: {name}\n" + "\n".join(imports) + "\n```\n"


def floor_book(target: Path) -> Path:
    book = copy_book(target)
    for chapter in (book / "chapters").glob("*.md"):
        chapter.write_text(import_only(chapter.read_text(encoding="utf-8"), chapter.name), encoding="utf-8")
    return book


def edit_chapter(book: Path, marker: int) -> None:
    chapter = book / EDITED_CHAPTER
    chapter.write_text(chapter.read_text(encoding="utf-8")
                       + f"\n```{{code-cell}} ipython3\n:tags: [remove-cell]\nbench_edit = {marker}\n```\n",
                       encoding="utf-8")


def median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def measure_builds(tmp: Path, runs: int) -> tuple[dict, Path]:
    book = copy_book(tmp / "book")
    serial_book = copy_book(tmp / "serial")
    floor = floor_book(tmp / "floor")
    samples: dict[str, list[dict]] = {k: [] for k in ("clean", "serial", "floor", "no_change", "edit")}
    for run in range(runs):
        samples["floor"].append(timed_build(floor, "--force", "--serial"))
        samples["clean"].append(timed_build(book, "--force"))
        samples["no_change"].append(timed_build(book))
        edit_chapter(book, run)
        samples["edit"].append(timed_build(book))
        samples["serial"].append(timed_build(serial_book, "--force", "--serial"))
        print(f"run {run + 1}/{runs}: " + ", ".join(f"{k} {v[-1]['seconds']} s" for k, v in samples.items()),
              flush=True)
    # The site measured below comes from a clean build of the unedited book.
    shutil.rmtree(book)
    book = copy_book(tmp / "book")
    timed_build(book, "--force")

    def executed(sample: dict) -> list[str]:
        return sorted(sample["executed"]["parallel"]) + sorted(sample["executed"]["sphinx"])

    notebooks = sorted(samples["clean"][0]["executed"]["parallel"])
    results = {
        "clean_build_seconds": median([s["seconds"] for s in samples["clean"]]),
        "serial_clean_build_seconds": median([s["seconds"] for s in samples["serial"]]),
        "import_only_floor_seconds": median([s["seconds"] for s in samples["floor"]]),
        "no_change_rebuild_seconds": median([s["seconds"] for s in samples["no_change"]]),
        "one_chapter_edit_seconds": median([s["seconds"] for s in samples["edit"]]),
        "samples_seconds": {k: [s["seconds"] for s in v] for k, v in samples.items()},
        "phases_seconds": {k: {phase: median([s["executed"].get("phases", {}).get(phase, 0.0) for s in v])
                               for phase in v[0]["executed"].get("phases", {})}
                           for k, v in samples.items()},
        "executed_in_clean_build": executed(samples["clean"][0]),
        "executed_by_sphinx_in_clean_build": sorted(samples["clean"][0]["executed"]["sphinx"]),
        "executed_in_no_change_rebuild": sorted({n for s in samples["no_change"] for n in executed(s)}),
        "executed_in_one_chapter_edit": sorted({n for s in samples["edit"] for n in executed(s)}),
        "edited_chapter": EDITED_CHAPTER,
        "notebook_seconds_parallel": {n: median([s["executed"]["parallel"][n] for s in samples["clean"]])
                                      for n in notebooks},
        "notebook_seconds_serial": {n: median([s["executed"]["sphinx"][n] for s in samples["serial"]])
                                    for n in sorted(samples["serial"][0]["executed"]["sphinx"])},
        "notebook_seconds_import_only": {n: median([s["executed"]["sphinx"][n] for s in samples["floor"]])
                                         for n in sorted(samples["floor"][0]["executed"]["sphinx"])},
    }
    return results, book


# --- page weight --------------------------------------------------------------------------------

def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def page_weight(site: Path, page: Path) -> dict:
    """What a browser fetches for one page (gzip on text), from the page's own src/href list.

    Fonts a stylesheet loads are not counted here; Lighthouse's transfer size below counts them.
    """
    html = page.read_text(encoding="utf-8")
    compressed = gzipped(page)
    raw = page.stat().st_size
    for ref in set(re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css|svg|png))', html)):
        asset = (page.parent / ref).resolve()
        if asset.is_file() and site in asset.parents:
            raw += asset.stat().st_size
            compressed += gzipped(asset) if asset.suffix in (".js", ".css", ".svg") else asset.stat().st_size
    return {"raw": raw, "gzip": compressed}


def blocking_in_head(page: Path) -> dict:
    head = page.read_text(encoding="utf-8").split("</head>", 1)[0]
    scripts = [s for s in re.findall(r"<script\b[^>]*>", head) if "src=" in s and not re.search(r"\b(defer|async)\b", s)]
    styles = [s for s in re.findall(r"<link\b[^>]*>", head)
              if 'rel="stylesheet"' in s and "media=\"print\"" not in s]
    return {"scripts": len(scripts), "stylesheets": len(styles)}


# --- Lighthouse ---------------------------------------------------------------------------------

_COMPRESSIBLE = (".html", ".css", ".js", ".svg", ".json", ".csv", ".txt", ".md", ".inv", ".ttf")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site as a production server would: text compressed with gzip."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (not path.is_file() or path.suffix not in _COMPRESSIBLE
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        import io
        return io.BytesIO(body)


def serve(site: Path):
    handler = functools.partial(GzipHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def lighthouse(url: str, preset: str, out: Path) -> dict:
    command = [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               "--only-categories=performance,accessibility,best-practices,seo",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run"]
    if preset == "desktop":
        command.append("--preset=desktop")
    result = subprocess.run(command, capture_output=True, text=True,
                            env={**os.environ, "CHROME_PATH": CHROME}, timeout=240)
    if result.returncode != 0 or not out.is_file():
        raise RuntimeError(f"lighthouse failed on {url}: {result.stderr[-1500:]}")
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        **{name: round(category["score"] * 100) for name, category in report["categories"].items()},
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "transfer_bytes": round(audits["total-byte-weight"]["numericValue"]),
        "render_blocking": len(audits.get("render-blocking-resources", {}).get("details", {}).get("items", [])),
    }


def measure_lighthouse(site: Path, tmp: Path, runs: int, pages: list[str]) -> dict:
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: make bench installs it (npm ci in benchmarks/lighthouse)")
    httpd, base = serve(site)
    results: dict = {}
    try:
        for page in pages:
            for preset in ("mobile", "desktop"):
                samples = [lighthouse(f"{base}/{page}", preset, tmp / f"lh-{preset}-{run}.json") for run in range(runs)]
                keys = samples[0].keys()
                results.setdefault(page, {})[preset] = {
                    key: statistics.median([s[key] for s in samples]) for key in keys}
                results[page][preset]["performance_runs"] = [s["performance"] for s in samples]
                print(f"lighthouse {preset} {page}: performance {results[page][preset]['performance']} "
                      f"(runs {results[page][preset]['performance_runs']}), LCP {results[page][preset]['lcp_ms']} ms",
                      flush=True)
    finally:
        httpd.shutdown()
    return results


# --- main ---------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (the median is kept)")
    parser.add_argument("--skip-lighthouse", action="store_true")
    parser.add_argument("--pages", nargs="*", default=LIGHTHOUSE_PAGES, help="pages for Lighthouse")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        builds, book = measure_builds(tmp, args.runs)
        site = book / "_build" / "html"
        files = [p for p in site.rglob("*") if p.is_file()]
        pages = sorted(site.rglob("*.html"))
        weights = {str(p.relative_to(site)): page_weight(site, p) for p in pages}
        blocking = {name: blocking_in_head(site / name) for name in weights if name.startswith("chapters/")}
        lighthouse_results = {} if args.skip_lighthouse else measure_lighthouse(site, tmp, args.runs, args.pages)
        heaviest = sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:10]
        results = {
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                        "platform": platform.platform(),
                        "load_average_before": [round(v, 2) for v in load_before],
                        "load_average_after": [round(v, 2) for v in os.getloadavg()],
                        "note": "a shared machine: other builds ran at the same time, so timings are noisy"},
            "runs": args.runs,
            "targets": TARGETS,
            **builds,
            "site_bytes": sum(p.stat().st_size for p in files),
            "site_files": len(files),
            "page_weight_bytes": weights,
            "blocking_in_head": blocking,
            "lighthouse": lighthouse_results,
            "heaviest_files": {str(p.relative_to(site)): p.stat().st_size for p in heaviest},
        }
    out = ROOT / "benchmarks" / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"clean build {results['clean_build_seconds']} s (serial {results['serial_clean_build_seconds']} s, "
          f"import-only floor {results['import_only_floor_seconds']} s), no-change rebuild "
          f"{results['no_change_rebuild_seconds']} s, one-chapter edit {results['one_chapter_edit_seconds']} s "
          f"executing {results['executed_in_one_chapter_edit']}. Written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
