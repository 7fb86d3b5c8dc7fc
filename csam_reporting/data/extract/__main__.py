"""Re-extract figures from the original documents and compare them with data/, or write them.

    python -m csam_reporting.data.extract --check SOURCES_DIR     (or set SOURCES_DIR)
    python -m csam_reporting.data.extract --write SOURCES_DIR

SOURCES_DIR is the folder holding ``ncmec/`` (the publisher's PDFs), ``transcriptions/``,
``meta/``, ``discord/``, ``microsoft/`` and ``x/``.

--check (the default) exits 1 on any difference, listing each one, and writes nothing.
--write replaces, in each data file, the rows that come from the extracted documents (rows from
other documents are kept), validates the result in a scratch copy, and only then replaces the
files in data/. If validation fails, data/ is left exactly as it was.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..validate import DEFAULT_DATA_DIR, validate
from . import extractors, merged, run_all


def check(sources_dir: Path, data_dir: Path) -> int:
    failed = 0
    for file, count, mismatches in run_all(sources_dir, data_dir):
        print(f"{file}: {count} rows extracted, {len(mismatches)} mismatch(es)")
        for mismatch in mismatches[:40]:
            print(f"  {mismatch}")
        failed += len(mismatches)
    return 1 if failed else 0


def write(sources_dir: Path, data_dir: Path) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        staged = Path(scratch) / "data"
        shutil.copytree(data_dir, staged)
        changed = set()
        for module in extractors():
            frames = module.extract(sources_dir)
            for file, keys in module.OUTPUTS.items():
                frame = merged(file, keys, frames[file], staged)
                text = frame.to_csv(index=False, lineterminator="\n")
                if text != (staged / file).read_text(encoding="utf-8"):
                    (staged / file).write_text(text, encoding="utf-8")
                    changed.add(file)
        problems = validate(staged)
        if problems:
            for problem in problems:
                print(problem)
            print("the extraction does not validate: data/ was not changed", file=sys.stderr)
            return 1
        for file in sorted(changed):
            temporary = data_dir / f".{file}.new"
            shutil.copy2(staged / file, temporary)
            os.replace(temporary, data_dir / file)
            print(f"updated data/{file}")
    if not changed:
        print("data/ already matches the documents")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources_dir", nargs="?", default=os.environ.get("SOURCES_DIR"))
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="compare with data/ (the default)")
    mode.add_argument("--write", action="store_true", help="write the extracted rows into data/")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    if not args.sources_dir or not Path(args.sources_dir, "ncmec").is_dir():
        parser.error("give the documents' folder (it holds ncmec/) as an argument or in SOURCES_DIR")
    sources_dir = Path(args.sources_dir)
    return write(sources_dir, args.data) if args.write else check(sources_dir, args.data)


if __name__ == "__main__":
    sys.exit(main())
