"""The claims check: the book's own figure for every claim in ``data/claims.csv``, computed from the
other tables by one named function per claim, and the checks that tie each verdict to its figure.

    from csam_reporting.analysis import claims
    claims.figure("sun-94pct-of-images")   # -> Figure(value=94.3..., text="...", ...)
    claims.table()                          # every claim with its computed figure, for the chapter

A claim's function returns a :class:`Figure`: the number the verdict rests on (``value``, in the unit
of the claim's ``claimed_value``), how it reads to a reader (``text``), the arithmetic, the source
documents it uses, and, separately, anything from documents published after the piece (``later``),
which is shown marked as such and never used for the verdict. A function whose data are missing
from ``data/`` raises :class:`DataPending`, and the claim's checks fail until they are restored.

Every verdict follows one rubric (:data:`VERDICT_RULES`). The figure each verdict was reviewed
against is the claim's ``reviewed_figure`` in ``claims.csv``; :func:`review_problems` reports a claim
whose computed figure has moved since, so the verdict is re-read before the figure is updated.

Nothing here is typed from a document: every number comes from ``data/`` through ``data.load``.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from .. import data
from .claim_registry import FIGURES, DataPending, Figure, figure  # noqa: F401
from . import claim_figures  # noqa: F401  (registers every claim's function)


VERDICT_LABELS = {
    "accurate": "accurate",
    "accurate_as_attributed": "accurate as attributed",
    "accurate_but_misleading": "accurate but misleading",
    "wrong": "wrong",
    "not_checked_yet": "not checked yet",
    "cannot_be_checked": "cannot be checked",
}
# The rubric, stated once: the page prints it and every row of claims.csv is judged by it.
VERDICT_RULES = {
    "accurate": "the number, or the fact, holds for the unit, period and place the piece states.",
    "accurate_as_attributed": "it matches the source the piece names, whose own publication was not found; the "
                              "figure is known only from reports of it.",
    "accurate_but_misleading": "the number holds for the unit, period and place the piece states; the reading it "
                               "gives the number does not.",
    "wrong": "the number or fact, or the unit, period or place the piece attaches to it, does not hold as of the day "
             "the piece appeared.",
    "not_checked_yet": "a published source exists and has not been read yet; the entry says which.",
    "cannot_be_checked": "no published source for the figure was found; the entry says what would settle it.",
}
THEME_LABELS = {
    "reporting_volume": "What the counts measure",
    "platforms": "Platform disparities",
    "encryption": "Encryption and reporting",
    "self_generated": "Self-generated material and UK police data",
}
PIECE_ORDER = ["inhope-eu-strategy-7", "facebook-94-compilation", "protocol-2021",
               "nspcc-image-offences-2024", "apple-2024"]
PIECE_LABELS = {"inhope-eu-strategy-7": "INHOPE (undated)", "facebook-94-compilation": "The Sun and RT, as compiled",
                "protocol-2021": "Protocol (2021)", "nspcc-image-offences-2024": "Today's Family Lawyer (2024)",
                "apple-2024": "Tom's Guide (2024)"}
THEME_SHORT = {"reporting_volume": "counts", "platforms": "platforms", "encryption": "encryption",
               "self_generated": "self-generated"}


# --- verdict checks ----------------------------------------------------------------------------------
def agrees(claimed: float, relation: str, tolerance: float | None, computed: float) -> bool:
    """Whether the book's figure bears out the claimed number as the piece words it."""
    tolerance = 0.0 if tolerance is None or pd.isna(tolerance) else float(tolerance)
    if relation == "exactly":
        return computed == claimed
    if relation == "about":
        return abs(computed - claimed) <= tolerance
    if relation == "almost":
        return claimed - tolerance <= computed <= claimed
    if relation == "more_than":
        return computed > claimed
    if relation == "at_least":
        return computed >= claimed
    raise ValueError(f"unknown relation {relation!r}")


CHECKABLE = ("accurate", "accurate_as_attributed", "accurate_but_misleading", "wrong")


def verdict_problems(row, result: Figure | None) -> list[str]:
    """Ways in which a claim's verdict does not follow from its computed figure (empty if none)."""
    verdict = row["verdict"]
    if result is None:
        return [f"verdict {verdict!r} but the figure cannot be computed from data/"]
    problems = []
    needs = row.get("needs")
    if verdict in ("not_checked_yet", "cannot_be_checked"):
        if not (isinstance(needs, str) and needs):
            problems.append(f"marked {verdict}: say in needs what would settle it")
        if pd.notna(row["claimed_value"]) and result.value is not None:
            problems.append(f"marked {verdict} but a figure is computed to check it against")
    fails_on = row.get("fails_on")
    fails_on = fails_on if isinstance(fails_on, str) and fails_on else None
    if (verdict == "wrong") != (fails_on is not None):
        problems.append("a wrong claim says what does not hold (fails_on), and only a wrong claim")
    if verdict in CHECKABLE and pd.notna(row["claimed_value"]):
        if result.value is None:
            problems.append("a checkable verdict with no computed figure")
        else:
            ok = agrees(float(row["claimed_value"]), row["claimed_relation"], row["claimed_tolerance"], result.value)
            if verdict == "wrong" and ok and fails_on == "number":
                problems.append("marked wrong in its number, but the computed figure agrees with the claimed number")
            if verdict == "wrong" and not ok and fails_on not in ("number", "unit"):
                problems.append("the computed figure disagrees with the claimed number: say so in fails_on")
            if verdict != "wrong" and not ok:
                problems.append(f"marked {verdict}, but the computed figure {result.value!r} does not agree with "
                                f"the claimed {row['claimed_value']!r} ({row['claimed_relation']})")
    return problems


def review_problems(row, result: Figure | None) -> list[str]:
    """A computed figure that no longer matches the figure its verdict was reviewed against
    (``reviewed_figure`` in claims.csv): the verdict must be re-read before the figure is updated."""
    if result is None:
        return []  # reported by verdict_problems
    reviewed = row["reviewed_figure"]
    reviewed = None if pd.isna(reviewed) else float(reviewed)
    if reviewed is None and result.value is None:
        return []
    if reviewed is None or result.value is None or not math.isclose(result.value, reviewed, rel_tol=1e-6):
        return [f"the computed figure is {result.value!r}, the verdict was reviewed against {reviewed!r}: re-read "
                "the claim, confirm or change its verdict, then update reviewed_figure in data/claims.csv"]
    return []


ONLY_HERE = "claims-check"  # no chapter discusses the claim: its entry on the claims page is the book's account
CHAPTER_TITLES = {ONLY_HERE: "only here: no chapter discusses it",
                  "data-and-methods": "Data and methods", "encryption": "Encryption",
                  "platforms": "Platform disparities", "self-generated": "Self-generated content"}


def make_id(text: str) -> str:
    """The HTML id Sphinx (docutils) gives a section heading: lowercase ASCII, runs of other
    characters as one hyphen, no leading digits or hyphens."""
    import unicodedata

    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return re.sub(r"^[^a-z]+", "", text).strip("-")


def _chapter_file(chapter: str) -> Path | None:
    """The chapter's source: the book being built (the notebook's working directory) first, else the
    repository's chapters/ folder."""
    for folder in (Path.cwd(), Path(__file__).resolve().parents[2] / "chapters"):
        path = folder / f"{chapter}.md"
        if path.is_file():
            return path
    return None


def section_link(chapter: str, section: str | None) -> tuple[str, str]:
    """(link target, text) for the chapter section that explains a claim. The section heading is
    looked up in the chapter's source; if it is not there (chapters change), the link falls back to
    the chapter page, so no link ever points at a section that does not exist."""
    title = CHAPTER_TITLES.get(chapter, chapter)
    if chapter == ONLY_HERE:
        return "", title
    page = f"{chapter}.html"
    if not isinstance(section, str) or not section:
        return page, title
    path = _chapter_file(chapter)
    if path is None:
        return page, title
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        stripped = line.lstrip("#").strip()
        if line.startswith("#") and stripped == section:
            previous = lines[index - 1].strip() if index else ""
            label = previous[1:-2] if previous.startswith("(") and previous.endswith(")=") else ""
            return f"{page}#{label or make_id(section)}", f"{title}: {section}"
    return page, title


def claims_frame() -> pd.DataFrame:
    return data.load("claims")


def table() -> pd.DataFrame:
    """Every claim with its computed figure (or the reason it has none), for the chapter."""
    rows = []
    for row in claims_frame().to_dict("records"):
        try:
            result = figure(row["claim_id"])
            pending = ""
        except DataPending as error:
            result, pending = None, str(error)
        link, _ = section_link(row["chapter"], row["section"])
        rows.append({**row,
                     "piece_label": PIECE_LABELS[row["piece_id"]],
                     "theme_short": THEME_SHORT[row["theme"]],
                     "chapter_title": CHAPTER_TITLES.get(row["chapter"], row["chapter"]),
                     "book_figure": result.text if result else f"Missing from the data: {pending}.",
                     "arithmetic": result.arithmetic if result else "",
                     "later": result.later if result else "",
                     "figure_sources": list(result.sources + result.later_sources) if result else [],
                     "verdict_label": VERDICT_LABELS[row["verdict"]],
                     "explained_in": section_link(row["chapter"], row["section"])[1],
                     "explained_link": link,
                     "theme_label": THEME_LABELS[row["theme"]]})
    return pd.DataFrame(rows)


def verdict_counts() -> dict[str, int]:
    counts = claims_frame()["verdict"].value_counts()
    return {verdict: int(counts.get(verdict, 0)) for verdict in VERDICT_LABELS}
