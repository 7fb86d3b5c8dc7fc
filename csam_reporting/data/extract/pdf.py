"""Read text lines out of the original PDF documents, page by page.

Every extractor goes through :func:`pdf_lines`, so a PDF library change happens in one place.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pdfplumber


@dataclass(frozen=True)
class PdfLine:
    page: int  # 1-based page number, as a reader would cite it
    text: str


def pdf_lines(path: Path) -> list[PdfLine]:
    """Return every non-empty text line of the PDF at ``path``, with its 1-based page number.

    Words are grouped into lines by pdfplumber using their vertical position, so a table row
    whose label and number sit on one baseline comes out as one line (``"Facebook* 15,884,511"``).
    """
    lines: list[PdfLine] = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            text = page.extract_text(x_tolerance=1.5, y_tolerance=3) or ""
            lines.extend(PdfLine(number, t.strip()) for t in text.splitlines() if t.strip())
    return lines


# A count as NCMEC prints it: digits with thousands separators ("15,884,511").
NUMBER = r"\d{1,3}(?:,\d{3})*"


class MalformedDocument(ValueError):
    """A source document does not have the shape the extractor expects."""


def to_int(text: str) -> int:
    """A printed count as an integer: ``"15,884,511"`` -> 15884511."""
    return int(text.replace(",", ""))
