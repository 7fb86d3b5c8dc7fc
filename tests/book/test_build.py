"""The strict build: it succeeds on the real book, fails on a broken one, and the site it makes
is self-contained."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from csam_reporting.selfcontained import external_assets, page_external_loads
from conftest import ROOT, copy_book, run_build

pytestmark = pytest.mark.build


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_clean_build_makes_index_and_one_page_per_toc_entry(site):
    assert (site / "index.html").is_file()
    entries = toc_files()
    assert len(entries) >= 9
    for entry in entries:
        page = site / f"{entry}.html"
        assert page.is_file(), f"{entry} from _toc.yml was not built"
        assert "<h1" in page.read_text(encoding="utf-8"), f"{page} has no title"


def test_every_chapter_executed_code(site):
    """Each chapter runs real code through the shared package: its page carries cell outputs or
    numbers glued from them, and no glue reference was left unresolved."""
    for entry in toc_files():
        html = (site / f"{entry}.html").read_text(encoding="utf-8")
        assert "cell_output" in html or "pasted-text" in html, f"{entry} shows no executed output"
        assert "glue:" not in html, f"{entry} has an unresolved glue reference"


def test_site_loads_nothing_from_another_host(site):
    assert external_assets(site) == []


def test_each_page_loads_only_the_assets_it_uses(site):
    """The search index loads on search.html only; code highlighting and the copy button only on a
    page with a highlighted code block; sphinx-design only on a page with a design element."""
    search = (site / "search.html").read_text(encoding="utf-8")
    assert "searchindex.js" in search and "searchtools.js" in search
    for entry in toc_files():
        html = (site / f"{entry}.html").read_text(encoding="utf-8")
        assert "searchindex.js" not in html and "searchtools.js" not in html, entry
        body = html.split('<article class="bd-article"', 1)[1].split("</article>", 1)[0]
        assert ("copybutton.js" in html) == ('class="highlight' in body), entry
        assert ("sphinx-design.min.css" in html) == ("sd-" in body), entry


def test_a_scan_after_a_build_reads_only_what_the_build_wrote(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<script src="https://cdn.example.org/x.js"></script>', encoding="utf-8")
    assert external_assets(tmp_path) == [("page.html", "https://cdn.example.org/x.js")]
    assert external_assets(tmp_path, since=page.stat().st_mtime + 1) == []


def test_data_is_downloadable_from_the_site(site):
    assert (site / "data" / "datapackage.json").is_file()
    assert (site / "data" / "sources.csv").is_file()


def test_one_raising_cell_fails_the_build_with_its_traceback(built_book, tmp_path):
    book = copy_book(tmp_path / "broken", with_cache_from=built_book)
    chapter = book / "chapters" / "platforms.md"
    chapter.write_text(chapter.read_text(encoding="utf-8")
                       + "\n```{code-cell} ipython3\nraise RuntimeError('deliberate failure')\n```\n",
                       encoding="utf-8")
    result = run_build(book)
    assert result.returncode != 0
    assert "deliberate failure" in result.stdout + result.stderr
    assert "Traceback" in result.stdout + result.stderr or "RuntimeError" in result.stdout + result.stderr
    assert not (book / "_build" / "html" / "chapters" / "platforms.html").exists() or \
        "deliberate failure" not in (book / "_build" / "html" / "chapters" / "platforms.html").read_text()


def test_a_warning_fails_the_build(built_book, tmp_path):
    """-W: a reference to a label that does not exist is a warning, so it stops the build."""
    book = copy_book(tmp_path / "warning", with_cache_from=built_book)
    chapter = book / "chapters" / "appendix-updating.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nSee {ref}`no-such-label`.\n", encoding="utf-8")
    result = run_build(book)
    assert result.returncode != 0
    assert "no-such-label" in result.stdout + result.stderr


def test_bad_data_stops_the_build_before_any_notebook_runs(tmp_path):
    book = copy_book(tmp_path / "baddata")
    sources = book / "data" / "sources.csv"
    lines = sources.read_text(encoding="utf-8").splitlines()
    lines.append(lines[1])  # a duplicate source_id
    sources.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_build(book)
    assert result.returncode == 1
    assert "sources.csv" in result.stderr and "primary-key" in result.stderr
    assert not (book / "_build").exists()


@pytest.mark.parametrize("markup", [
    '<script src="https://cdn.example.org/x.js"></script>',
    '<link rel="stylesheet" href="//fonts.example.com/a.css">',
    '<img src="http://example.com/a.png" alt="a">',
    '<iframe src="https://example.com/embed"></iframe>',
    '<style>@font-face { src: url("https://fonts.example.com/f.woff2") }</style>',
    '<div style="background: url(https://example.com/bg.png)"></div>',
])
def test_scanner_catches_external_loads(markup):
    assert page_external_loads(f"<html><body>{markup}</body></html>")


def test_scanner_ignores_links_and_local_assets():
    html = ('<a href="https://www.missingkids.org/">NCMEC</a><script src="_static/x.js"></script>'
            '<img src="data:image/svg+xml;base64,AAAA" alt="x"><link rel="canonical" href="https://example.org/">')
    assert page_external_loads(html) == []


def test_unchanged_rebuild_executes_nothing(built_book, tmp_path):
    book = copy_book(tmp_path / "warm", with_cache_from=built_book)
    result = run_build(book)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Executing notebook" not in result.stdout + result.stderr


def test_an_edit_of_the_stylesheet_alone_reaches_the_site(built_book, tmp_path):
    """Sphinx copies _static/ only when it writes a page; an edit of book.css alone (no page
    changed) must still reach the site, and the pages' links to it must change with it."""
    book = copy_book(tmp_path / "restyle", with_cache_from=built_book)
    assert run_build(book).returncode == 0
    html = book / "_build" / "html"
    before = (html / "chapters" / "intro.html").read_text(encoding="utf-8")
    stylesheet = book / "_static" / "book.css"
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* restyled */\n", encoding="utf-8")
    result = run_build(book)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (html / "_static" / "book.css").read_text(encoding="utf-8").endswith("/* restyled */\n")
    after = (html / "chapters" / "intro.html").read_text(encoding="utf-8")
    link = r'book\.css\?v=\w+'
    assert re.search(link, before).group() != re.search(link, after).group()
    assert "Executing notebook" not in result.stdout + result.stderr


def test_changed_data_reexecutes_and_updates_the_prose(built_book, tmp_path):
    """The execution cache keys on code only; a data change must still reach the text."""
    book = copy_book(tmp_path / "newdata", with_cache_from=built_book)
    yearly = book / "data" / "cybertipline_reports_yearly.csv"
    text = yearly.read_text(encoding="utf-8")
    # The latest year's total, which the introduction shows (a transcribed year: no cross-table
    # rule ties it to another table, so the changed copy stays valid).
    rows = [line.split(",") for line in text.splitlines()[1:]]
    year, count = max((int(r[0]), int(r[2])) for r in rows if r[1] == "total_reports")
    old, new = f"{year},total_reports,{count},", f"{year},total_reports,{count + 10_000_000},"
    assert text.count(old) == 1
    yearly.write_text(text.replace(old, new), encoding="utf-8")
    result = run_build(book)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "clearing the execution cache" in result.stdout
    intro = (book / "_build" / "html" / "chapters" / "intro.html").read_text(encoding="utf-8")
    assert f"{(count + 10_000_000) / 1e6:.1f} million" in intro and f"{count / 1e6:.1f} million" not in intro


def test_every_internal_link_and_asset_resolves(site):
    """An offline link check: every local href/src on every page points at a file in the site."""
    import re
    from urllib.parse import unquote, urlparse

    broken = []
    for page in site.rglob("*.html"):
        if page.relative_to(site).parts[0] == "_static":
            continue  # the themes copy Jinja partials (webpack-macros.html) with their static files: not pages
        html = page.read_text(encoding="utf-8")
        for target in re.findall(r'(?:href|src)="([^"]+)"', html):
            parsed = urlparse(target)
            if parsed.scheme or target.startswith(("#", "//", "mailto:", "data:")):
                continue
            path = unquote(parsed.path)
            if not path:
                continue
            resolved = (page.parent / path).resolve()
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.exists():
                broken.append(f"{page.relative_to(site)} -> {target}")
    assert broken == [], "\n".join(broken[:30])
