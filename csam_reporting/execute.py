"""Execute the chapters on every core before Sphinx runs, into Jupyter Book's own execution cache.

Jupyter Book 1 runs notebooks one after another while Sphinx reads them (jupyter-book #1735).
:func:`prefill_cache` adds every MyST notebook of the table of contents to the jupyter-cache
project in ``_build/.jupyter_cache`` and runs those whose code the cache has not seen with
jupyter-cache's parallel execution worker (one process per core, longest notebook first), in
kernels forked from a warm interpreter (:mod:`csam_reporting.warmkernel`). Sphinx then finds every
chapter cached and executes nothing. The cache stays the judge of what is stale (it keys on code cells and the
kernel), so a one-chapter edit re-executes that chapter only; the build's fingerprint of data/
and the package clears the cache before this runs when either changed.

A notebook that raises is reported with its traceback and fails the build before Sphinx starts.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .warmkernel import WarmKernels

# myst-nb reads a MyST Markdown notebook with this jupyter-cache reader plugin, and its cache
# lookup hashes the notebook that reader makes; the pre-fill must read notebooks the same way.
MYST_READER = {"name": "myst_nb_md", "type": "plugin"}


@dataclass
class Prefill:
    """What the pre-fill did: the notebooks it executed (with seconds each) and those that failed."""

    notebooks: list[str] = field(default_factory=list)   # every notebook in the book (relative paths)
    executed: dict[str, float] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # path -> traceback

    @property
    def ok(self) -> bool:
        return not self.failed


def toc_documents(book: Path) -> list[str]:
    """The documents named in ``_toc.yml`` (root first), as paths without a suffix."""
    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return list(dict.fromkeys(found))


def book_notebooks(book: Path) -> list[Path]:
    """The MyST Markdown notebooks the book builds, in table-of-contents order."""
    from myst_nb.core.read import is_myst_markdown_notebook

    notebooks = []
    for document in toc_documents(book):
        path = book / f"{document}.md"
        if path.is_file() and is_myst_markdown_notebook(path.read_text(encoding="utf-8")):
            notebooks.append(path)
    return notebooks


def execution_settings(book: Path) -> dict:
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8")) or {}
    execute = config.get("execute", {}) or {}
    return {"timeout": execute.get("timeout", 30), "allow_errors": bool(execute.get("allow_errors", False)),
            "mode": execute.get("execute_notebooks", "auto")}


@contextmanager
def _environment(values: dict[str, str]):
    """Kernels inherit the environment of the process that starts them: set it for the pre-fill."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def prefill_cache(book: Path, cache_dir: Path, environment: dict[str, str] | None = None,
                  warm: bool = True, kernels: WarmKernels | None = None) -> Prefill:
    """Execute, in parallel, every notebook of ``book`` that ``cache_dir`` holds no outputs for.

    With ``warm``, kernels are forked from one interpreter that has already imported the heavy
    modules (:mod:`csam_reporting.warmkernel`); each chapter still runs in a fresh process.
    ``kernels`` is such a server the caller has already started (it is closed here).
    """
    from jupyter_cache import get_cache

    settings = execution_settings(book)
    notebooks = book_notebooks(book)
    result = Prefill(notebooks=[str(p.relative_to(book)) for p in notebooks])
    if settings["mode"] != "cache" or not notebooks:
        if kernels is not None:
            kernels.__exit__(None, None, None)
        return result
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache = get_cache(str(cache_dir))
    for path in notebooks:
        cache.add_nb_to_project(str(path), read_data=MYST_READER)
    uris = [str(p.absolute()) for p in notebooks]
    if cache.list_cache_records():
        stale = [record.uri for record in cache.list_unexecuted(filter_uris=uris)]
    else:  # an empty cache (a clean build) holds outputs for none of them: no need to read and hash each
        stale = uris
    if not stale:
        if kernels is not None:
            kernels.__exit__(None, None, None)
        return result

    names = ", ".join(str(Path(uri).relative_to(book)) for uri in stale)
    print(f"executing {len(stale)} of {len(notebooks)} notebook(s) on {os.cpu_count()} core(s): {names}",
          flush=True)
    expected = _previous_seconds(book, cache_dir)
    if kernels is None and warm:
        kernels = WarmKernels(environment)
    with _environment(environment or {}), (kernels if kernels is not None else nullcontext()):
        run = _run_longest_first(cache, stale, expected, timeout=settings["timeout"],
                                 allow_errors=settings["allow_errors"])

    for uri in run.succeeded:
        record = cache.get_cached_project_nb(uri)
        seconds = (record.data or {}).get("execution_seconds") if record is not None else None
        result.executed[str(Path(uri).relative_to(book))] = round(float(seconds or 0.0), 2)
    for uri in list(run.excepted) + list(run.errored):
        record = cache.get_project_record(uri)
        result.failed[str(Path(uri).relative_to(book))] = (record.traceback or
                                                           "no traceback recorded (see the log above)")
    for uri in stale:  # a notebook the executor neither cached nor reported
        relative = str(Path(uri).relative_to(book))
        if relative not in result.executed and relative not in result.failed:
            result.failed[relative] = "the parallel executor did not cache this notebook"
    return result


def _previous_seconds(book: Path, cache_dir: Path) -> dict[str, float]:
    """How long each notebook took last time (the build's execution record), else its size as a guess."""
    seconds: dict[str, float] = {}
    record = cache_dir.parent / ".executed.json"
    try:
        previous = json.loads(record.read_text())
        for name, value in {**previous.get("sphinx", {}), **previous.get("parallel", {})}.items():
            seconds[str((book / name).absolute())] = float(value)
    except (OSError, ValueError, AttributeError):
        pass
    return seconds


def _run_longest_first(cache, uris: list[str], expected: dict[str, float], *, timeout, allow_errors):
    """jupyter-cache's parallel execution worker, one notebook at a time per core, longest first.

    jupyter-cache's own executor maps the notebooks onto the pool in table-of-contents order and in
    chunks, so one long chapter can share a worker with others while the other core idles. Here the
    notebooks go one by one, those expected to take longest (last build's time; else the largest
    source) first.
    """
    import multiprocessing

    from jupyter_cache.cache.db import NbProjectRecord
    from jupyter_cache.executors.base import ExecutorRunResult
    from jupyter_cache.executors.basic import ExecutionWorkerLocalMProc, ProcessData

    records = {record.uri: record for record in cache.list_project_records(filter_uris=uris)}
    NbProjectRecord.remove_tracebacks([record.pk for record in records.values()], cache.db)

    def cost(uri: str) -> tuple[float, float]:
        return (expected.get(uri, float("inf")), Path(uri).stat().st_size)

    jobs = [ProcessData(records[uri].pk, uri, cache, timeout, allow_errors)
            for uri in sorted(uris, key=cost, reverse=True)]
    multiprocessing.log_to_stderr(logging.ERROR)  # a worker's own failure (not a cell's) is shown
    with multiprocessing.Pool(max(1, min(os.cpu_count() or 1, len(jobs)))) as pool:
        results = list(pool.imap_unordered(ExecutionWorkerLocalMProc(), jobs, chunksize=1))
    return ExecutorRunResult(succeeded=[uri for code, uri in results if code == 0],
                             excepted=[uri for code, uri in results if code == 1],
                             errored=[uri for code, uri in results if code == 2])


def report_failures(result: Prefill, stream=sys.stderr) -> None:
    for path, traceback in result.failed.items():
        print(f"\n{path}: executing the notebook failed\n{traceback}", file=stream)
