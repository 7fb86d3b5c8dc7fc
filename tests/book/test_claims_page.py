"""The claims check in a real browser: the select filters isolate one verdict, piece or theme, work
with the keyboard and with the word filter, and without JavaScript the page shows every claim and
no control. Uses the session's clean build and the shared browser and server fixtures (conftest.py)."""
from __future__ import annotations

import pytest

from csam_reporting.analysis import claims
from test_browser import visit

pytestmark = [pytest.mark.browser, pytest.mark.build]

PAGE = "chapters/claims-check.html"


def visible_verdicts(page):
    index = page.eval_on_selector_all("#claims-lookup thead th", "ths => ths.map(t => t.textContent.trim())").index("verdict")
    return page.eval_on_selector_all(
        "#claims-lookup tbody tr", f"rows => rows.filter(r => !r.hidden).map(r => r.cells[{index}].textContent.trim())")


def test_a_select_isolates_one_verdict_and_combines_with_the_others(browser, server):
    page, _, console_errors, page_errors = visit(browser, f"{server}/{PAGE}")
    assert page_errors == [] and console_errors == []
    counts = claims.verdict_counts()
    assert len(visible_verdicts(page)) == sum(counts.values())
    verdict = page.get_by_label("verdict", exact=True)
    verdict.select_option(claims.VERDICT_LABELS["accurate"])
    shown = visible_verdicts(page)
    assert shown == ["accurate"] * counts["accurate"]  # not "accurate but misleading" or "as attributed"
    verdict.select_option(claims.VERDICT_LABELS["wrong"])
    assert visible_verdicts(page) == ["wrong"] * counts["wrong"]
    page.get_by_label("piece", exact=True).select_option(claims.PIECE_LABELS["facebook-94-compilation"])
    table = claims.table()
    expected = ((table["verdict"] == "wrong") & (table["piece_id"] == "facebook-94-compilation")).sum()
    assert len(visible_verdicts(page)) == expected > 0
    verdict.select_option("")
    page.get_by_label("piece", exact=True).select_option("")
    assert len(visible_verdicts(page)) == len(table)
    page.context.close()


def test_the_selects_work_from_the_keyboard(browser, server):
    page, *_ = visit(browser, f"{server}/{PAGE}")
    verdict = page.get_by_label("verdict", exact=True)
    verdict.focus()
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    page.keyboard.press("ArrowDown")  # the first verdict after "all"
    first = sorted(claims.VERDICT_LABELS[v] for v, n in claims.verdict_counts().items() if n)[0]
    assert set(visible_verdicts(page)) == {first}
    page.context.close()


def test_without_javascript_every_claim_shows_and_no_dead_control(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/{PAGE}")
    rows = page.eval_on_selector_all("#claims-lookup tbody tr", "rows => rows.filter(r => !r.hidden).length")
    assert rows == len(claims.table())
    assert page.eval_on_selector_all("#claims-lookup select", "s => s.length") == 0
    context.close()
