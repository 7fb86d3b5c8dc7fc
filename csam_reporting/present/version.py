"""The book's version, read from CITATION.cff (the one place it is written), for the site to show.

Bump ``version`` in CITATION.cff and add a section to CHANGELOG.md in the same commit."""
from __future__ import annotations

import re
from pathlib import Path

CITATION = Path(__file__).resolve().parents[2] / "CITATION.cff"


def book_version() -> str:
    """The top-level ``version:`` of CITATION.cff (a plain scalar, optionally quoted)."""
    match = re.search(r'^version:\s*["\']?([^"\'\s#]+)', CITATION.read_text(encoding="utf-8"), re.M)
    if not match:
        raise ValueError(f"{CITATION} has no top-level version")
    return match[1]
