"""Key findings and the objections they were tested against, defined once for chapter and introduction.

A chapter's analysis module returns each key finding as a :class:`Finding`: its numbers (to glue),
and the :class:`Check` rows of the objections tried (the same period a year earlier, another base
year, one outlier removed, a comparison group and its placebo period, a change in counting). The
chapter shows :func:`table` of its findings; the introduction glues from the same objects, so the
two cannot say different things, and a finding that fails a check is stated with less.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

OBJECTIONS = (
    "same period a year earlier",
    "another base year",
    "one outlier removed",
    "comparison group",
    "placebo period",
    "another start date",
    "change in counting",
    "denominator",
    "derived figure",
    "dependence on scanning",
    "method change",
)


@dataclass(frozen=True)
class Check:
    """One objection tried against a finding, with the computed result and whether it survives."""
    objection: str
    result: str
    survives: bool

    def __post_init__(self):
        assert self.objection in OBJECTIONS, f"unknown objection {self.objection!r}; add it to OBJECTIONS"
        assert self.result.strip(), "a check states its computed result"


@dataclass(frozen=True)
class Finding:
    """A key finding: a short name, the sentence it supports, its numbers and its checks."""
    key: str
    statement: str
    values: dict = field(default_factory=dict)
    checks: tuple[Check, ...] = ()

    @property
    def survives(self) -> bool:
        """True when the finding, as stated, survives every objection tried."""
        return all(check.survives for check in self.checks)


def table(findings) -> pd.DataFrame:
    """One row per check: finding, objection tried, result, survives (yes/no)."""
    rows = [{"finding": f.statement, "objection": c.objection, "result": c.result, "survives": c.survives}
            for f in findings for c in f.checks]
    return pd.DataFrame(rows, columns=["finding", "objection", "result", "survives"])
