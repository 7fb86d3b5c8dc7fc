"""Measure what the book costs a contributor and a reader, and write the figures down.

    python benchmarks/bench.py [--runs 3] [--skip-lighthouse]      (or: make bench)

On temporary copies of the book, each measured ``--runs`` times and reported as the median:

* **clean build**: ``python -m csam_reporting.build --force`` (Sphinx reading in parallel, myst-nb
  executing each chapter as its page is read);
* **no-change rebuild**, and **one-chapter edit** (a hidden cell appended to one chapter), with
  the notebooks each of them executed and the edited chapter's own execution time;
* each notebook's execution time (myst-nb's "Executed notebook in ... seconds" lines);
* page weight: per page, the gzip-compressed bytes of the HTML and the scripts, stylesheets and
  images it names;
* Lighthouse (npm ``lighthouse``, pinned in benchmarks/lighthouse/, run against Debian's
  chromium through ``CHROME_PATH``) mobile and desktop, on three pages served by a local gzip
  server: scores, LCP, bytes transferred, and the accessibility audits that fail (axe's rules).

Writes benchmarks/results.json and the table in benchmarks/README.md, and prints a summary. Nothing
here is a pass/fail test: the numbers are for reading and comparing over time, and on a shared
machine they are noisy (the load average is recorded with them).
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
LIGHTHOUSE_PAGES = ["chapters/intro.html", "chapters/encryption.html", "chapters/platforms.html"]
EDITED_CHAPTER = "chapters/intro.md"
TARGETS = {
    "clean_build_seconds": 60.0,
    "no_change_rebuild_seconds": 2.5,
    "one_chapter_edit": "the edited chapter's own execution + 5 s, executing only that chapter",
    "lighthouse_mobile_performance": 95,
    "accessibility_failures": 0,
}


# --- builds -------------------------------------------------------------------------------------

_EXECUTED = re.compile(r"^(?P<path>\S+?\.(?:md|ipynb)): Executed notebook in (?P<seconds>[\d.]+) seconds", re.MULTILINE)


def timed_build(book: Path, *extra: str) -> dict:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "csam_reporting.build", "--book", str(book), *extra],
                            capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    executed = {}
    for match in _EXECUTED.finditer(result.stdout + result.stderr):
        path = Path(match["path"])
        executed[str(path.relative_to(book)) if book in path.parents else str(path)] = float(match["seconds"])
    return {"seconds": round(elapsed, 2), "executed": executed}


def edit_chapter(book: Path, marker: int) -> None:
    chapter = book / EDITED_CHAPTER
    chapter.write_text(chapter.read_text(encoding="utf-8")
                       + f"\n```{{code-cell}} ipython3\n:tags: [remove-cell]\nbench_edit = {marker}\n```\n",
                       encoding="utf-8")


def median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def measure_builds(tmp: Path, runs: int) -> tuple[dict, Path]:
    book = copy_book(tmp / "book")
    samples: dict[str, list[dict]] = {k: [] for k in ("clean", "no_change", "edit")}
    for run in range(runs):
        samples["clean"].append(timed_build(book, "--force"))
        samples["no_change"].append(timed_build(book))
        edit_chapter(book, run)
        samples["edit"].append(timed_build(book))
        print(f"run {run + 1}/{runs}: " + ", ".join(f"{k} {v[-1]['seconds']} s" for k, v in samples.items() if v),
              flush=True)
    # The site measured below comes from a clean build of the unedited book.
    shutil.rmtree(book)
    book = copy_book(tmp / "book")
    timed_build(book, "--force")

    notebooks = sorted(samples["clean"][0]["executed"])
    edited = [s["executed"].get(EDITED_CHAPTER, 0.0) for s in samples["edit"]]
    results = {
        "clean_build_seconds": median([s["seconds"] for s in samples["clean"]]),
        "no_change_rebuild_seconds": median([s["seconds"] for s in samples["no_change"]]),
        "one_chapter_edit_seconds": median([s["seconds"] for s in samples["edit"]]),
        "edited_chapter_execution_seconds": median(edited),
        "samples_seconds": {k: [s["seconds"] for s in v] for k, v in samples.items()},
        "executed_in_clean_build": notebooks,
        "executed_in_no_change_rebuild": sorted({n for s in samples["no_change"] for n in s["executed"]}),
        "executed_in_one_chapter_edit": sorted({n for s in samples["edit"] for n in s["executed"]}),
        "edited_chapter": EDITED_CHAPTER,
        "notebook_seconds": {n: median([s["executed"][n] for s in samples["clean"] if n in s["executed"]])
                             for n in notebooks},
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
        "accessibility_failures": sorted(
            ref["id"] for ref in report["categories"].get("accessibility", {}).get("auditRefs", [])
            if ref.get("weight", 0) > 0 and audits.get(ref["id"], {}).get("score") == 0),
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
                keys = [key for key in samples[0] if key != "accessibility_failures"]
                results.setdefault(page, {})[preset] = {
                    key: statistics.median([s[key] for s in samples]) for key in keys}
                results[page][preset]["accessibility_failures"] = sorted(
                    {audit for s in samples for audit in s["accessibility_failures"]})
                results[page][preset]["performance_runs"] = [s["performance"] for s in samples]
                print(f"lighthouse {preset} {page}: performance {results[page][preset]['performance']} "
                      f"(runs {results[page][preset]['performance_runs']}), LCP {results[page][preset]['lcp_ms']} ms",
                      flush=True)
    finally:
        httpd.shutdown()
    return results


# --- the table in benchmarks/README.md -----------------------------------------------------------

README = ROOT / "benchmarks" / "README.md"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def readme_section(results: dict) -> str:
    """The benchmark table, from ``results`` (written between the markers)."""
    def secs(key: str) -> str:
        return f"{results[key]:.1f} s"

    def met(ok: bool) -> str:
        return "met" if ok else "not met"

    machine = results["machine"]
    lighthouse = results.get("lighthouse", {})
    edited = results["edited_chapter_execution_seconds"]
    edit_ok = (results["executed_in_one_chapter_edit"] == [results["edited_chapter"]]
               and results["one_chapter_edit_seconds"] <= edited + 5)
    rows = [
        ("clean build", secs("clean_build_seconds"), "<= 60 s on 2 cores",
         met(results["clean_build_seconds"] <= 60)),
        ("no-change rebuild", secs("no_change_rebuild_seconds"), "<= 2.5 s, executes nothing",
         met(results["no_change_rebuild_seconds"] <= 2.5 and not results["executed_in_no_change_rebuild"])),
        (f"one-chapter edit ({results['edited_chapter']})", secs("one_chapter_edit_seconds"),
         f"<= its execution ({edited:.1f} s) + 5 s, executing only it", met(edit_ok)),
    ]
    for page, presets in lighthouse.items():
        mobile, desktop = presets.get("mobile", {}), presets.get("desktop", {})
        rows.append((f"Lighthouse mobile, {page}",
                     f"{mobile.get('performance')} (LCP {mobile.get('lcp_ms', 0) / 1000:.1f} s, "
                     f"TBT {mobile.get('tbt_ms', 0):.0f} ms, {mobile.get('transfer_bytes', 0) / 1000:.0f} kB)",
                     ">= 95", met((mobile.get("performance") or 0) >= 95)))
        rows.append((f"Lighthouse desktop, {page}", f"{desktop.get('performance')}", "—", "—"))
        failures = sorted(set(mobile.get("accessibility_failures", [])) | set(desktop.get("accessibility_failures", [])))
        rows.append((f"accessibility audits failed (axe), {page}", ", ".join(failures) or "0", "0", met(not failures)))
    lines = [README_START, "",
             f"Latest `make bench` ({results['measured_at']}, commit {results.get('commit', '?')}, "
             f"{results['runs']} run(s) each, median), on {machine['cpus']} cores shared with other "
             f"builds (load average {machine['load_average_before'][0]} before, "
             f"{machine['load_average_after'][0]} after): the timings are noisy.", "",
             "| measure | latest | target | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    heaviest = max(results["page_weight_bytes"].items(), key=lambda item: item[1]["gzip"])
    lines += ["", f"Heaviest page (gzip, HTML with its scripts, styles and images): `{heaviest[0]}`, "
              f"{heaviest[1]['gzip'] / 1000:.0f} kB. Per-notebook seconds and every page's "
              "weight are in `benchmarks/results.json`.", "", README_END]
    return "\n".join(lines)


def update_readme(results: dict) -> None:
    text = README.read_text(encoding="utf-8")
    if README_START in text and README_END in text:
        before, rest = text.split(README_START, 1)
        after = rest.split(README_END, 1)[1]
        README.write_text(before + readme_section(results) + after, encoding="utf-8")


# --- main ---------------------------------------------------------------------------------------

def _commit() -> str:
    """The commit measured: $BENCH_COMMIT (for a copy of the tree), else git's HEAD."""
    if os.environ.get("BENCH_COMMIT"):
        return os.environ["BENCH_COMMIT"]
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    return result.stdout.strip() if result.returncode == 0 else "unknown"


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
            "commit": _commit(),
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
    update_readme(results)
    print(f"clean build {results['clean_build_seconds']} s, no-change rebuild "
          f"{results['no_change_rebuild_seconds']} s, one-chapter edit {results['one_chapter_edit_seconds']} s "
          f"executing {results['executed_in_one_chapter_edit']} "
          f"({results['edited_chapter_execution_seconds']} s of execution). Written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
