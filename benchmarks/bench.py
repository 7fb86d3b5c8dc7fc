"""Measure what the book costs a contributor and a reader, and write the figures down.

    python benchmarks/bench.py            (or: make bench)

Measures, on a temporary copy of the book: a cold build (empty execution cache), a warm rebuild
(nothing changed), and the built site's weight (total, per page and the heaviest files). Writes
benchmarks/results.json and prints a summary. Nothing here is a pass/fail test: the numbers are for
reading and comparing over time.
"""
from __future__ import annotations

import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import copy_book  # noqa: E402


def timed_build(book: Path, *extra: str) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "csam_reporting.build", "--book", str(book), *extra],
                            capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return round(elapsed, 1)


def page_weight(site: Path, page: Path) -> int:
    """Bytes a browser fetches for one page: the HTML and the local scripts, styles and images it names."""
    import re
    html = page.read_text(encoding="utf-8")
    total = len(html.encode())
    for ref in set(re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css|svg|png|woff2?))', html)):
        asset = (page.parent / ref).resolve()
        if asset.is_file() and site in asset.parents:
            total += asset.stat().st_size
    return total


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        book = copy_book(Path(tmp) / "book")
        cold = timed_build(book, "--force")
        warm = timed_build(book)
        site = book / "_build" / "html"
        files = [p for p in site.rglob("*") if p.is_file()]
        pages = sorted(site.rglob("*.html"))
        weights = {str(p.relative_to(site)): page_weight(site, p) for p in pages}
        heaviest = sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:10]
        results = {
            "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                        "platform": platform.platform()},
            "cold_build_seconds": cold,
            "warm_rebuild_seconds": warm,
            "site_bytes": sum(p.stat().st_size for p in files),
            "site_files": len(files),
            "page_weight_bytes": weights,
            "heaviest_files": {str(p.relative_to(site)): p.stat().st_size for p in heaviest},
        }
    out = ROOT / "benchmarks" / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"cold build {cold} s, warm rebuild {warm} s, site {results['site_bytes'] / 1e6:.1f} MB "
          f"in {results['site_files']} files; heaviest page "
          f"{max(weights.values()) / 1e6:.2f} MB. Written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
