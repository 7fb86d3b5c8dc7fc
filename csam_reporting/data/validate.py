"""Validate data/ against its Frictionless data package before anything uses it.

Run ``python -m csam_reporting.data.validate [DATA_DIR]``: it prints one line per problem,
``file:line: column: rule: message``, and exits 1 if there is any. It only reads: no data file is
written, rewritten or normalised.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from .problem import Problem
from .rules import cross_table_problems

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class DataValidationError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        listing = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"data/ failed validation with {len(problems)} problem(s):\n{listing}{more}")


def _schema_fields(data_dir: Path, resource: dict) -> list[str]:
    schema = resource.get("schema", {})
    if isinstance(schema, str):
        schema = json.loads((data_dir / schema).read_text(encoding="utf-8"))
    return [field["name"] for field in schema.get("fields", [])]


def _file_problems(data_dir: Path, descriptor: dict) -> list[Problem]:
    """Checks Frictionless reports poorly: files that are missing, empty or not UTF-8, and header
    rows that lack a column or have one too many (Frictionless compares headers by position, so
    one missing column would be reported as a different one)."""
    problems = []
    for resource in descriptor.get("resources", []):
        path = data_dir / resource["path"]
        name = resource["path"]
        if not path.is_file():
            problems.append(Problem(name, None, None, "missing-file", "the file listed in datapackage.json does not exist"))
            continue
        raw = path.read_bytes()
        if not raw.strip():
            problems.append(Problem(name, None, None, "empty-file", "the file is empty (a header row at least is required)"))
            continue
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            problems.append(Problem(name, line, None, "encoding-error",
                                    f"bytes that are not UTF-8 at byte {error.start}: {raw[error.start:error.start + 4]!r}"))
            continue
        header = next(csv.reader(io.StringIO(raw.decode("utf-8").split("\n", 1)[0])))
        expected = _schema_fields(data_dir, resource)
        for column in expected:
            if column not in header:
                problems.append(Problem(name, 1, column, "missing-column", "the schema requires this column; the header row lacks it"))
        for column in header:
            if column not in expected:
                problems.append(Problem(name, 1, column, "unexpected-column", "this column is not in the schema (add it there first)"))
    return problems


# A host whose first label names a pre-production environment (uat.iwf.org.uk, staging.example.org,
# dev2.example.com) serves drafts that may differ from what the publisher released, or vanish.
STAGING_HOST = re.compile(r"^(uat|staging|stage|preprod|pre-prod|dev|qa|test|sandbox)\d*$", re.IGNORECASE)


def staging_host(url: str) -> bool:
    """True if ``url`` points at a staging or test host rather than the publisher's public site."""
    host = urlsplit(url).hostname or ""
    labels = host.split(".")
    return len(labels) > 2 and bool(STAGING_HOST.match(labels[0]))


def _source_url_problems(data_dir: Path, descriptor: dict) -> list[Problem]:
    """Sources must be cited at the publisher's public address, never a staging host."""
    problems = []
    for resource in descriptor.get("resources", []):
        if resource.get("name") != "sources":
            continue
        path = data_dir / resource["path"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # reported by _file_problems
        reader = csv.reader(io.StringIO(text))
        header = next(reader, [])
        if "url" not in header:
            continue
        index = header.index("url")
        line = reader.line_num + 1
        for row in reader:
            if len(row) > index and row[index] and staging_host(row[index]):
                problems.append(Problem(resource["path"], line, "url", "staging-host",
                                        f"value {row[index]!r}: a staging or test host, not the publisher's "
                                        "public site; cite the public address (or leave the URL empty and say why in notes)"))
            line = reader.line_num + 1
    return problems


def validate(data_dir: Path = DEFAULT_DATA_DIR) -> list[Problem]:
    """Return every problem in the data package at ``data_dir`` (empty list if it is valid)."""
    from frictionless import Package, system

    data_dir = Path(data_dir)
    package_path = data_dir / "datapackage.json"
    try:
        descriptor = json.loads(package_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [Problem("datapackage.json", None, None, "package-error", str(error))]

    descriptor_all = descriptor
    problems = _file_problems(data_dir, descriptor)
    broken = {p.file for p in problems}
    problems += _source_url_problems(data_dir, descriptor)
    if problems:
        # Frictionless cannot say more about a file it cannot read; validate the rest.
        descriptor = dict(descriptor)
        descriptor["resources"] = [r for r in descriptor["resources"] if r["path"] not in broken]

    with system.use_context(trusted=False):
        package = Package(descriptor, basepath=str(data_dir))
        report = package.validate()
    for task in report.tasks:
        file = Path(task.place).name if task.place else task.name
        for error in task.errors:
            line = getattr(error, "row_number", None)
            column = getattr(error, "field_name", None) or getattr(error, "label", None)
            if column is None and getattr(error, "field_names", None):
                column = ",".join(error.field_names)  # a foreign key names its own columns
            message = error.note or error.message
            if getattr(error, "cell", None) is not None:
                message = f"value {error.cell!r}: {message}"
            problems.append(Problem(file, line, column, error.type, message))
    for error in report.errors:
        problems.append(Problem("datapackage.json", None, None, error.type, error.message))

    # A file that cannot be read reports its own error first; the foreign keys that point at it
    # from other tables are not checked until it is mended (they would all fail, naming nothing new).
    unreadable = {_resource_name(r) for r in descriptor_all["resources"] if r["path"] in broken}
    problems = [p for p in problems if not _follows_from(p, unreadable, data_dir, descriptor_all)]
    failed = {p.file for p in problems}
    problems += cross_table_problems(data_dir, [r["path"] for r in descriptor_all["resources"]], failed)
    first = {p.file for p in problems if p.line is None or p.rule in FILE_RULES}
    return sorted(problems, key=lambda p: (p.file not in first, p.file, p.line or 0, p.column or "", p.rule))


FILE_RULES = {"missing-file", "empty-file", "encoding-error", "missing-column", "unexpected-column", "no-rows"}


def _follows_from(problem: Problem, unreadable: set[str], data_dir: Path, descriptor: dict) -> bool:
    """True for a foreign-key problem caused only by a table that could not be read."""
    if problem.rule == "foreign-key":
        return bool(_references(data_dir, descriptor, problem.file) & unreadable)
    return problem.rule == "resource-error" and "foreign key" in problem.message and any(
        f'resource "{name}" does not exist' in problem.message for name in unreadable)


def _resource_name(resource: dict) -> str:
    return resource.get("name") or Path(resource["path"]).stem


def _references(data_dir: Path, descriptor: dict, file: str) -> set[str]:
    """The resources that ``file``'s foreign keys point at."""
    for resource in descriptor.get("resources", []):
        if resource["path"] == file:
            schema = resource.get("schema", {})
            if isinstance(schema, str):
                schema = json.loads((data_dir / schema).read_text(encoding="utf-8"))
            return {key["reference"].get("resource") or _resource_name(resource) for key in schema.get("foreignKeys", [])}
    return set()


def check(data_dir: Path = DEFAULT_DATA_DIR) -> None:
    """Raise :class:`DataValidationError` unless the data package at ``data_dir`` is valid."""
    problems = validate(data_dir)
    if problems:
        raise DataValidationError(problems)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0]) if args else DEFAULT_DATA_DIR
    problems = validate(data_dir)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {data_dir}: fix them before building.", file=sys.stderr)
        return 1
    print(f"{data_dir}: all resources valid.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
