"""Sources are cited at the publisher's public address: a staging host (uat., staging., dev.) is
rejected by the validator with file, line, column and rule."""
from __future__ import annotations

import csv
import io
import shutil

import pytest

from conftest import ROOT
from csam_reporting.data.validate import staging_host, validate

DATA = ROOT / "data"


@pytest.mark.parametrize("url", [
    "https://uat.iwf.org.uk/annual-data-insights-report-2024/",
    "https://staging.example.org/page",
    "http://dev2.example.com/x",
    "https://QA.example.co.uk/",
])
def test_staging_hosts_are_recognised(url):
    assert staging_host(url)


@pytest.mark.parametrize("url", [
    "https://www.iwf.org.uk/annual-data-insights-report-2024/",
    "https://iwf.org.uk/news-media/news/x",
    "https://www.missingkids.org/test/cybertiplinedata-draft",  # "test" in the path, not the host
    "https://devicedaily.com/?p=1",  # a word that starts like "dev" is not a staging label
    "https://uat.org/",  # a registrable domain called uat is not a subdomain
])
def test_public_hosts_are_not(url):
    assert not staging_host(url)


def test_no_source_in_the_data_uses_a_staging_host():
    problems = [p for p in validate(DATA) if p.rule == "staging-host"]
    assert problems == [], "\n".join(map(str, problems))


def test_a_staging_url_in_sources_is_rejected_with_its_line(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    rows = list(csv.reader(io.StringIO((copy / "sources.csv").read_text(encoding="utf-8"))))
    url = rows[0].index("url")
    target = next(n for n, row in enumerate(rows[1:], start=1) if row[url])
    rows[target][url] = "https://uat.iwf.org.uk/some/page"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    (copy / "sources.csv").write_text(buffer.getvalue(), encoding="utf-8")

    problems = [p for p in validate(copy) if p.rule == "staging-host"]
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.column) == ("sources.csv", "url")
    # The header is line 1; no source row spans several lines before the target in this file,
    # so the CSV line is the row index + 1.
    lines = (copy / "sources.csv").read_text(encoding="utf-8").splitlines()
    assert "uat.iwf.org.uk/some/page" in lines[problem.line - 1]
    assert "uat.iwf.org.uk" in str(problem)
