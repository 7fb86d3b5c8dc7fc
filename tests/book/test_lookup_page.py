"""The lookup of every reporting service, in a real browser: it renders every row, the search box
filters them, the column headings sort them, and the CSV download holds the same rows. Uses the
session's clean build and the browser and server fixtures of the browser tests."""
from __future__ import annotations

import csv
import io

import pytest

from csam_reporting.analysis import platforms as platform_analysis
from test_browser import visit

pytestmark = [pytest.mark.browser, pytest.mark.build]

PAGE = "chapters/appendix-reporting-services.html"


@pytest.fixture(scope="module")
def services():
    return platform_analysis.reporting_services()


def visible_rows(page):
    return page.eval_on_selector_all(
        "#esp-lookup tbody tr", "rows => rows.filter(r => !r.hidden).map(r => "
        "Array.from(r.cells).map(c => c.textContent.trim()))")


def header_index(page, text):
    headers = page.eval_on_selector_all("#esp-lookup thead th", "ths => ths.map(t => t.textContent.trim())")
    return headers.index(text)


def test_lookup_renders_every_row_without_errors(browser, server, services):
    page, requests, console_errors, page_errors = visit(browser, f"{server}/{PAGE}")
    assert page_errors == [] and console_errors == []
    assert len(visible_rows(page)) == len(services)
    status = page.text_content("#esp-lookup .lookup-status")
    assert status.startswith(f"{len(services)} of {len(services)} rows")
    assert page.query_selector_all("#esp-lookup thead th button"), "column headings are not sort buttons"
    page.context.close()


def test_search_filters_rows_by_every_word(browser, server, services):
    page, *_ = visit(browser, f"{server}/{PAGE}")
    page.fill("#esp-lookup-search", "amazon")
    text = services[["esp_label", "line_item", "platform_name", "company_name"]].fillna("").agg(" ".join, axis=1)
    expected = text.str.lower().str.contains("amazon", regex=False).sum()
    rows = visible_rows(page)
    assert len(rows) == expected > 3
    assert all("amazon" in " ".join(r).lower() for r in rows)
    page.fill("#esp-lookup-search", "amazon photos")
    assert {r[2] for r in visible_rows(page)} == {"Amazon Photos"}
    page.fill("#esp-lookup-search", "")
    assert len(visible_rows(page)) == len(services)
    page.context.close()


def test_headings_sort_numbers_as_numbers_and_reverse(browser, server, services):
    page, *_ = visit(browser, f"{server}/{PAGE}")
    column = header_index(page, "2023")
    button = page.locator("#esp-lookup thead th").nth(column).locator("button")
    button.click()  # ascending: smallest first, empty cells last
    ascending = [r[column] for r in visible_rows(page)]
    numbers = [int(v.replace(",", "")) for v in ascending if v]
    assert numbers == sorted(numbers) and ascending[-1] == ""
    button.click()  # descending: the largest 2023 count first
    first = visible_rows(page)[0]
    top = services.loc[services[2023].idxmax()]
    assert first[0] == top["esp_label"] and first[column] == f"{int(top[2023]):,}"
    assert page.get_attribute(f"#esp-lookup thead th:nth-child({column + 1})", "aria-sort") == "descending"
    label = page.locator("#esp-lookup thead th").nth(0).locator("button")
    label.click()
    labels = [r[0] for r in visible_rows(page)]
    assert labels[0].lower() <= labels[-1].lower()
    page.context.close()


def test_csv_download_holds_the_same_rows(browser, server, services):
    page, *_ = visit(browser, f"{server}/{PAGE}")
    link = page.query_selector("#esp-lookup a.book-table-download")
    assert link.get_attribute("download") == "reporting-services.csv"
    text = page.evaluate("href => fetch(href).then(r => r.text())", link.get_attribute("href"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(services)
    assert {"ESP label (as published)", "platform", "parent company", "2023"} <= set(rows[0])
    page.context.close()
