"""The whole book as one PDF, printed by Debian's chromium from a single-page build.

    python tools/pdf.py [--book DIR] [--output FILE]      (or: make pdf)

``make pdf`` runs it after ``make book``: Jupyter Book's ``singlehtml`` builder puts every chapter,
in table-of-contents order, on one page, reusing the execution cache the site build filled (no
notebook runs again); chromium prints that page with the book's print styles (``_static/book.css``:
light colours whatever the reader's theme, figures never split from their titles and captions,
tables whole rather than in a scroll box).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update", "--no-pdf-header-footer",
                  "--run-all-compositor-stages-before-draw", "--virtual-time-budget=20000"]


def single_page(book: Path) -> Path:
    """Build every chapter onto one HTML page (``_build/singlehtml/<root>.html``; its index.html
    only redirects there)."""
    command = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())",
               "build", str(book), "--builder", "singlehtml"]
    environment = {**os.environ, "CSAM_DATA_DIR": str(book / "data")}
    subprocess.run(command, cwd=book, env=environment, check=True)
    root = re.search(r"^root:\s*(\S+)", (book / "_toc.yml").read_text(encoding="utf-8"), re.MULTILINE).group(1)
    page = book / "_build" / "singlehtml" / f"{root}.html"
    if not page.is_file():
        raise SystemExit(f"no {page} was produced")
    return page


def printable(page: Path) -> Path:
    """A copy of the page that prints completely: images load at once (a lazy image below the
    first screen is never fetched by a print), the narrow phone drawings are not chosen, and links
    into another chapter ("appendix-sources.html#source-x") point into this one page.

    The builder writes the page under chapters/ but with paths relative to its output folder, so
    the copy goes there."""
    text = page.read_text(encoding="utf-8")
    text = text.replace(' loading="lazy"', "")
    text = text.replace('<details class="book-figure-sources">', '<details class="book-figure-sources" open>')
    text = re.sub(r'<source media="\(max-width: \d+px\)"[^>]*>', "", text)
    text = re.sub(r'href="(?:\.\./)?(?:chapters/)?[\w-]+\.html#', 'href="#', text)
    target = _output_folder(page) / "print.html"
    target.write_text(text, encoding="utf-8")
    return target


def _output_folder(page: Path) -> Path:
    for folder in page.parents:
        if (folder / "_static").is_dir():
            return folder
    raise SystemExit(f"no _static folder above {page}")


def print_to_pdf(page: Path, output: Path) -> Path:
    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("Debian's chromium is required: bash scripts/ensure-chromium.sh")
    output.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--print-to-pdf={output}", page.as_uri()], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not output.is_file() or output.stat().st_size < 10_000:
        raise SystemExit(f"chromium did not print {output}")
    return output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, default=ROOT)
    parser.add_argument("--output", type=Path, default=None, help="default: _build/pdf/book.pdf")
    args = parser.parse_args(argv)
    book = args.book.resolve()
    output = (args.output or book / "_build" / "pdf" / "book.pdf").resolve()
    pdf = print_to_pdf(printable(single_page(book)), output)
    print(f"The book is printed: {pdf}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
