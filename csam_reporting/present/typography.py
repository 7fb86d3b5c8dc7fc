"""How numbers are written for a reader: a minus sign that is a minus sign. No heavy imports, so
the book's Sphinx extension can use it on glued text as well as the table and figure helpers."""
from __future__ import annotations

import re

# A hyphen-minus that stands for a minus sign: before a digit, at the start or after a space,
# a bracket, a slash or a colon (not inside a date such as 2024-03 or a range such as 2019-2023).
_MINUS = re.compile(r"(?:(?<=^)|(?<=[\s(\[/:;]))-(?=\d|\.\d)")


def true_minus(text: str) -> str:
    """``text`` with each hyphen-minus that is a minus sign written as one (U+2212): '-24%' → '−24%'."""
    return _MINUS.sub("\u2212", text)
