"""A page's head holds only what the page uses, and nothing in it blocks the first paint.
(Lighthouse scores and load times are for benchmarks/bench.py, never for a test.)"""
from __future__ import annotations

import re

import pytest

from csam_reporting.firstpaint import (BOOK_HEAD_SCRIPT, THEME_SCRIPT, edited_theme_script, optimise_page,
                                      prune_stylesheet, unused_assets)

HEAD = """<html><head>
  <script data-cfasync="false">document.documentElement.dataset.mode = 'auto';</script>
  <link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />
<link href="../_static/styles/pydata-sphinx-theme.css?digest=1" rel="stylesheet" />
    <link rel="stylesheet" type="text/css" href="../_static/pygments.css?v=1" />
    <link rel="stylesheet" type="text/css" href="../_static/togglebutton.css?v=1" />
    <link rel="stylesheet" type="text/css" href="../_static/sphinx-design.min.css?v=1" />
    <link rel="stylesheet" type="text/css" href="../_static/book.css?v=1" />
  <link rel="preload" as="script" href="../_static/scripts/bootstrap.js?digest=1" />
    <script src="../_static/documentation_options.js?v=1"></script>
    <script src="../_static/doctools.js?v=1"></script>
    <script src="../_static/copybutton.js?v=1"></script>
    <script>let toggleHintShow = 'Click to show';</script>
    <script src="../_static/togglebutton.js?v=1"></script>
    <script>var togglebuttonSelector = '.toggle, .admonition.dropdown';</script>
    <script>DOCUMENTATION_OPTIONS.pagename = 'chapters/x';</script>
    <script src="../_static/searchtools.js"></script>
    <script src="../searchindex.js"></script>
</head><body>BODY<script defer src="../_static/scripts/bootstrap.js?digest=1"></script></body></html>"""


@pytest.fixture
def static(tmp_path):
    (tmp_path / "documentation_options.js").write_text("const DOCUMENTATION_OPTIONS = {VERSION: ''};\n")
    return tmp_path


def head_of(html: str) -> str:
    return html.split("</head>", 1)[0]


def test_chapter_page_has_no_search_index_and_no_blocking_script(static):
    head = head_of(optimise_page(HEAD.replace("BODY", "<p>text</p>"), "chapters/x.html", static))
    assert "searchindex.js" not in head and "searchtools.js" not in head
    external = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", head)
    assert external and all(" defer " in tag for tag in external), external
    assert "documentation_options.js" not in head and "const DOCUMENTATION_OPTIONS" in head
    assert head.index("const DOCUMENTATION_OPTIONS") < head.index("DOCUMENTATION_OPTIONS.pagename")
    assert 'rel="preload"' not in head
    assert "styles/theme.css" not in head and "_static/basic.css" in head
    assert "dataset.mode" in head  # the theme's light/dark script still runs before the first paint


def test_unused_extensions_are_dropped_and_used_ones_kept(static):
    plain = head_of(optimise_page(HEAD.replace("BODY", "<p>text</p>"), "chapters/x.html", static))
    for asset in ("pygments.css", "copybutton.js", "togglebutton.css", "togglebutton.js", "sphinx-design.min.css"):
        assert asset not in plain
    assert "toggleHintShow" not in plain and "togglebuttonSelector" not in plain
    assert "pydata-sphinx-theme.css" in plain and "book.css" in plain
    body = ('<div class="highlight-python notranslate"><div class="highlight"><pre>x</pre></div></div>'
            '<div class="admonition dropdown">d</div><div class="sd-card">c</div>')
    rich = head_of(optimise_page(HEAD.replace("BODY", body), "chapters/x.html", static))
    for asset in ("pygments.css", "copybutton.js", "togglebutton.css", "togglebutton.js", "sphinx-design.min.css"):
        assert asset in rich
    assert "togglebuttonSelector" in rich


def test_search_page_keeps_the_search_index(static):
    head = head_of(optimise_page(HEAD.replace("BODY", ""), "search.html", static))
    assert "searchindex.js" in head and "searchtools.js" in head
    assert head.index("searchtools.js") < head.index("searchindex.js")  # deferred scripts keep their order


def test_optimising_twice_changes_nothing_more(static):
    once = optimise_page(HEAD.replace("BODY", "<p>x</p>"), "chapters/x.html", static)
    assert optimise_page(once, "chapters/x.html", static) == once


def test_sidebar_toggle_classes_do_not_count_as_toggles():
    body = '<button class="sidebar-toggle primary-toggle btn">m</button><div class="dropdown-menu"></div>'
    assert "_static/togglebutton.js" in unused_assets("chapters/x.html", body)


def test_stylesheet_pruning_keeps_what_can_match():
    css = ('@charset "UTF-8";:root{--x:1}.used{a:1}.unused{b:2}.used .unused{c:3}.unused,.used>p{d:4}'
           'html[data-theme=dark] .used{e:5}.used:not(.unused){f:6}'
           '@media (min-width:10px){.unused{g:7}.used{h:8}}@media print{.unused{i:9}}'
           '@font-face{font-family:x;src:url(a.woff2)}@keyframes spin{0%{j:1}}'
           'a[href="#x.y"]{k:1}.a\\:b{l:1}/* c{m:1} */p{n:1}')
    pruned = prune_stylesheet(css, {"used", "a:b"})
    for kept in (":root{--x:1}", ".used{a:1}", ".used>p{d:4}", "html[data-theme=dark] .used{e:5}",
                 ".used:not(.unused){f:6}", "@media (min-width:10px){.used{h:8}}", "@font-face{",
                 "@keyframes spin{0%{j:1}}", 'a[href="#x.y"]{k:1}', ".a\\:b{l:1}", "p{n:1}"):
        assert kept in pruned, kept
    for dropped in (".unused{b:2}", "c:3", "g:7", "@media print", ".unused,"):
        assert dropped not in pruned, dropped


# --- on the built site ----------------------------------------------------------------------------

import functools  # noqa: E402
import http.server  # noqa: E402
import shutil  # noqa: E402
import threading  # noqa: E402

from test_build import toc_files  # noqa: E402


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# The parts of pydata-sphinx-theme.js (0.15) the book edits, as the theme ships them.
THEME_CODE = ('function I(){const e=()=>{document.querySelectorAll(["pre",".nboutput > .output_area",'
              '".cell_output > .output",".jp-RenderedHTMLCommon",".pst-scrollable-table-container"].join(", "))'
              '.forEach(e=>{e.tabIndex=e.scrollWidth>e.clientWidth||e.scrollHeight>e.clientHeight?0:-1})}'
              'function p(e){var t=m.matches?"dark":"light";document.documentElement.dataset.mode=e;'
              'var n="auto"==e?t:e;document.documentElement.dataset.theme=n,localStorage.setItem("mode",e)}')
THEME_HEAD = """<html><head>
  <script data-cfasync="false">
    document.documentElement.dataset.mode = localStorage.getItem("mode") || "auto";
    document.documentElement.dataset.theme = localStorage.getItem("theme") || "auto";
  </script>
</head><body></body></html>"""


def test_theme_script_edits_change_only_what_they_name():
    edited = edited_theme_script(THEME_CODE)
    assert ".cell_output > .output" not in edited
    for kept in ('"pre"', '".nboutput > .output_area"', '".jp-RenderedHTMLCommon"', '".pst-scrollable-table-container"',
                 'localStorage.setItem("mode",e)'):
        assert kept in edited
    assert "dataset.mode!==e&&(document.documentElement.dataset.mode=e);" in edited
    assert "dataset.theme!==n&&(document.documentElement.dataset.theme=n)," in edited
    assert edited_theme_script(edited) == edited


def test_a_changed_theme_script_stops_the_build():
    with pytest.raises(ValueError, match="focusable-scroll check"):
        edited_theme_script(THEME_CODE.replace('"pre",', '"pre","code",'))
    with pytest.raises(ValueError, match="theme is set only when it changes"):
        edited_theme_script(THEME_CODE.replace("dataset.theme=n,", "dataset.theme=n;"))


def test_the_head_script_resolves_the_theme_before_the_first_paint(static):
    head = head_of(optimise_page(THEME_HEAD, "chapters/x.html", static))
    assert 'localStorage.getItem("theme") || "auto"' not in head
    assert BOOK_HEAD_SCRIPT in head
    assert 'prefers-color-scheme: dark' in head


@pytest.mark.build
def test_built_pages_carry_the_edited_theme_scripts(site):
    script = (site / "_static" / THEME_SCRIPT).read_text(encoding="utf-8")
    assert edited_theme_script(script) == script and ".cell_output > .output" not in script
    for entry in toc_files() + ["search", "genindex"]:
        assert BOOK_HEAD_SCRIPT in head_of((site / f"{entry}.html").read_text(encoding="utf-8")), entry


@pytest.mark.browser
@pytest.mark.build
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_first_paint_has_the_themes_colours_before_its_script_runs(browser, server, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = context.new_page()
    page.route("**/pydata-sphinx-theme.js*", lambda route: route.abort())  # as if it had not run yet
    page.goto(f"{server}/chapters/encryption.html", wait_until="load")
    theme, background = page.evaluate(
        "[document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]")
    context.close()
    assert theme == scheme
    assert (background == "rgb(255, 255, 255)") == (scheme == "light"), background
    assert background != "rgba(0, 0, 0, 0)", "the theme's colours are missing"


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is required (make test installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        yield browser
        browser.close()


@pytest.mark.build
def test_built_pages_load_the_search_index_only_on_the_search_page(site):
    for entry in toc_files() + ["genindex"]:
        head = head_of((site / f"{entry}.html").read_text(encoding="utf-8"))
        assert "searchindex.js" not in head, entry
        blocking = [tag for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", head) if " defer " not in tag]
        assert blocking == [], f"{entry}: {blocking}"
    assert "searchindex.js" in head_of((site / "search.html").read_text(encoding="utf-8"))


@pytest.mark.browser
@pytest.mark.build
def test_theme_switch_and_sidebar_still_work(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/chapters/platforms.html", wait_until="networkidle")
    assert page.eval_on_selector("html", "e => e.dataset.theme") == "light"
    page.locator("button.theme-switch-button:visible").first.click()
    assert page.eval_on_selector("html", "e => e.dataset.theme") == "dark"
    assert page.eval_on_selector("body", "e => getComputedStyle(e).backgroundColor") != "rgb(255, 255, 255)"
    sidebar = page.locator(".bd-sidebar-primary a.reference", has_text="Encryption")
    assert sidebar.first.is_visible()
    sidebar.first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("chapters/encryption.html")
    assert errors == []
    context.close()


@pytest.mark.build
def test_subset_icon_fonts_keep_every_icon_the_pages_name(site):
    from fontTools.ttLib import TTFont

    css = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    glyph = {name: int(code, 16) for name, code in re.findall(r'\.fa-([\w-]+):+before\{content:"\\([0-9a-f]{4})"', css)}
    used = set()
    for page in site.rglob("*.html"):
        for value in re.findall(r'class="([^"]*)"', page.read_text(encoding="utf-8")):
            used.update(token[3:] for token in value.split() if token.startswith("fa-") and token[3:] in glyph)
    assert {"magnifying-glass", "bars", "list", "download"} <= used, used
    fonts = site / "_static" / "vendor" / "fontawesome" / "webfonts"
    for font in fonts.glob("fa-solid-900.*"):
        cmap = TTFont(font).getBestCmap()
        missing = sorted(name for name in used if glyph[name] not in cmap)
        assert missing == [], f"{font.name} lacks {missing}"
    assert (fonts / "fa-solid-900.woff2").stat().st_size < 20_000, "the icon font was not subset"
