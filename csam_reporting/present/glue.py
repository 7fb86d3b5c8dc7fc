"""The one way a chapter puts a computed value into its prose.

    from csam_reporting.present.glue import glue
    glue("meta_fall_pct", fall)            # then {glue:text}`meta_fall_pct:.0%` in the text

myst-nb's ``glue`` stores the value's repr; numpy and pandas scalars have reprs that format
strings cannot use (``np.float64(0.3)``), so they are turned into Python numbers first. A missing
value (``pd.NA``, ``None``, NaN) is refused: a sentence that would print ``<NA>`` must be written
from the data instead (say which series stops earlier).
"""
from __future__ import annotations

import math
import numbers
import re

import numpy as np
import pandas as pd
from myst_nb import glue as _myst_glue


def plain(value):
    """``value`` as a plain Python object (int, float, str, bool), refusing missing values."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        raise ValueError("a missing value cannot be glued into prose")
    if isinstance(value, str):
        return true_minus(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return value
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def glue(name: str, value) -> None:
    """Glue ``value`` under ``name`` for ``{glue:text}`` roles, without displaying it."""
    _myst_glue(name, plain(value), display=False)


def glue_all(values: dict) -> None:
    """Glue every item of a mapping (a finding's numbers, say) under its own name."""
    for name, value in values.items():
        glue(name, value)


# A hyphen-minus that stands for a minus sign: before a digit, at the start or after a space,
# a bracket, a slash or a colon (not inside a date such as 2024-03 or a range such as 2019-2023).
_MINUS = re.compile(r"(?:(?<=^)|(?<=[\s(\[/:;]))-(?=\d|\.\d)")


def true_minus(text: str) -> str:
    """``text`` with each hyphen-minus that is a minus sign written as one (U+2212): '-24%' → '−24%'."""
    return _MINUS.sub("\u2212", text)
