"""One problem found in data/: file, line, column, rule and message, as every check reports it."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None  # line in the CSV file (the header is line 1); None for file-level problems
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        column = f" column '{self.column}':" if self.column else ""
        return f"{where}:{column} [{self.rule}] {self.message}"
