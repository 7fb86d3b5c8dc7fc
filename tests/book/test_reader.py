"""The book as a new reader meets it: on a 390 px phone and a 1280 px desktop, in the light and the
dark theme, in print. Every figure and table the chapters produce is checked generically.

axe-core comes from the npm registry, pinned in tests/js/package-lock.json and installed by
scripts/ensure-test-js.sh (``make test`` runs it); nothing is fetched while the tests run.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT
from test_build import toc_files

pytestmark = [pytest.mark.browser, pytest.mark.build]

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = toc_files() + ["search", "genindex"]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
SCHEMES = ["light", "dark"]
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def open_page(browser, server, entry: str, viewport: str = "phone", scheme: str = "light", media: str = "screen"):
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    page.emulate_media(media=media, color_scheme=scheme)
    response = page.goto(f"{server}/{entry}.html", wait_until="networkidle")
    assert response is not None and response.ok, f"{entry} answered {response and response.status}"
    return page


# Colour arithmetic in the page: the text colour of an element against the colour actually behind
# it (its own and its ancestors' backgrounds, blended over the page's).
CONTRAST_JS = """
(root) => {
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const over = (top, under) => ({r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
                                  b: top.b * top.a + under.b * (1 - top.a), a: 1});
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    let colour = {r: 255, g: 255, b: 255, a: 1};
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const out = [];
  for (const el of root.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    const fg = over(parse(style.color), background(el));
    out.push({text: el.textContent.trim().slice(0, 40), ratio: +ratio(fg, background(el)).toFixed(2)});
  }
  return out;
}
"""

# The smallest label of every figure as drawn: each SVG the page chose (picture/srcset) is laid
# into the page at the size the <img> has, and each <text>'s font size is multiplied by its scale.
FIGURE_LABELS_JS = """
async () => {
  const out = [];
  for (const figure of document.querySelectorAll('figure.book-figure')) {
    const img = figure.querySelector('img');
    img.loading = 'eager'; figure.scrollIntoView();
    try { await img.decode(); } catch (e) {}
    const source = img.currentSrc || img.src;
    const svg = new DOMParser().parseFromString(await (await fetch(source)).text(), 'image/svg+xml').documentElement;
    const holder = document.createElement('div');
    holder.style.cssText = `position:absolute;left:0;top:0;width:${img.clientWidth}px;visibility:hidden`;
    svg.setAttribute('width', img.clientWidth); svg.removeAttribute('height');
    holder.appendChild(document.importNode(svg, true)); document.body.appendChild(holder);
    let smallest = Infinity, label = '';
    for (const text of holder.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      const m = text.getScreenCTM();
      const px = parseFloat(getComputedStyle(text).fontSize) * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      if (px < smallest) { smallest = px; label = text.textContent.trim(); }
    }
    holder.remove();
    const caption = figure.querySelector('figcaption');
    out.push({title: figure.querySelector('.book-figure-title').innerText.slice(0, 60), smallest, label,
              chart: img.getBoundingClientRect().height, caption: caption ? caption.getBoundingClientRect().height : 0,
              source: source.split('/').pop().slice(0, 40)});
  }
  return out;
}
"""

TABLES_JS = """
() => [...document.querySelectorAll('article table')].map(table => {
  const article = document.querySelector('article.bd-article').getBoundingClientRect();
  let box = null;
  for (let e = table.parentElement; e && e.tagName !== 'ARTICLE'; e = e.parentElement) {
    const o = getComputedStyle(e).overflowX;
    if (o === 'auto' || o === 'scroll') { box = e; break; }
  }
  const r = table.getBoundingClientRect();
  return {caption: (table.caption ? table.caption.innerText : table.innerText).slice(0, 50),
          width: r.width, articleRight: article.right, right: r.right,
          box: box && {right: box.getBoundingClientRect().right, scrolls: box.scrollWidth > box.clientWidth,
                       hint: getComputedStyle(box).backgroundImage.includes('gradient')}};
})
"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    assert AXE.is_file(), "axe-core is not installed: run bash scripts/ensure-test-js.sh (make test does)"
    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("entry", PAGES)
def test_axe_finds_no_wcag_aa_violation(browser, server, axe_source, entry, viewport, scheme):
    page = open_page(browser, server, entry, viewport, scheme)
    # The book lets the browser skip sections off screen (content-visibility: auto, book.css); axe
    # finds the colour behind a text by hit-testing, which skipped content does not answer. So
    # every section is drawn as it is when the reader scrolls to it, then axe runs.
    page.add_style_tag(content=".bd-article * { content-visibility: visible !important; }")
    page.add_script_tag(content=axe_source)
    violations = page.evaluate(
        "async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => ({rule: v.id, where: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))", WCAG_AA)
    page.context.close()
    assert violations == [], f"{entry} at {viewport}, {scheme}: {json.dumps(violations, indent=1)}"


@pytest.mark.parametrize("entry", toc_files())
def test_wide_tables_scroll_visibly_inside_their_own_box_on_a_phone(browser, server, entry):
    page = open_page(browser, server, entry, "phone")
    tables = page.evaluate(TABLES_JS)
    page.context.close()
    for table in tables:
        if table["right"] <= table["articleRight"] + 1:
            continue  # fits
        box = table["box"]
        assert box, f"{entry}: table {table['caption']!r} is wider than the page and has no scroll box"
        assert box["right"] <= table["articleRight"] + 1, f"{entry}: the scroll box of {table['caption']!r} overflows"
        assert box["hint"], f"{entry}: {table['caption']!r} scrolls with no visible sign (no edge shadow)"


def test_figure_labels_on_a_phone_are_at_least_10px_and_captions_no_taller_than_charts(browser, server):
    seen = 0
    for entry in toc_files():
        for viewport in VIEWPORTS:
            page = open_page(browser, server, entry, viewport)
            figures = page.evaluate(FIGURE_LABELS_JS)
            page.context.close()
            for figure in figures:
                if viewport == "phone":
                    assert figure["smallest"] >= 10, (
                        f"{entry}: in {figure['title']!r} the label {figure['label']!r} is "
                        f"{figure['smallest']:.1f} px on a 390 px phone (drawing {figure['source']})")
                assert figure["caption"] <= figure["chart"], (
                    f"{entry} ({viewport}): the caption of {figure['title']!r} is {figure['caption']:.0f} px tall, "
                    f"the chart {figure['chart']:.0f} px")
            seen += len(figures) if viewport == "phone" else 0
    assert seen >= 3, "the chapters should show figures"


@pytest.mark.parametrize("entry", toc_files())
def test_table_text_keeps_its_contrast_in_the_dark_theme(browser, server, entry):
    page = open_page(browser, server, entry, "desktop", "dark")
    assert page.eval_on_selector("html", "e => e.dataset.theme") == "dark"
    low = []
    for table in page.query_selector_all("article table"):
        low += [cell for cell in table.evaluate(CONTRAST_JS) if cell["ratio"] < 4.5]
    page.context.close()
    assert low == [], f"{entry}: table text below 4.5:1 in the dark theme: {low[:5]}"


@pytest.mark.parametrize("entry", ["chapters/encryption", "chapters/appendix-data-dictionary"])
def test_print_from_the_dark_theme_is_light_and_keeps_figures_whole(browser, server, entry):
    page = open_page(browser, server, entry, "desktop", "dark", media="print")
    low = [cell for cell in page.eval_on_selector("article", CONTRAST_JS) if cell["ratio"] < 4.5]
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    breaks = page.eval_on_selector_all("figure.book-figure", "els => els.map(e => getComputedStyle(e).breakInside)")
    page.context.close()
    assert background in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), background
    assert low == [], f"{entry}: printed text below 4.5:1: {low[:5]}"
    assert all(value == "avoid" for value in breaks), breaks


# Every notebook output that scrolls must take the keyboard: the table helper's own regions are
# focusable, and the theme's script makes any other scrolling output focusable on load.
SCROLLING_OUTPUTS_JS = """
() => [...document.querySelectorAll('.cell_output .output, .cell_output .output *')].filter(e => {
  const style = getComputedStyle(e);
  const scrolls = (['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1)
               || (['auto', 'scroll'].includes(style.overflowY) && e.scrollHeight > e.clientHeight + 1);
  return scrolls && e.tabIndex < 0;
}).map(e => e.className + ': ' + e.innerText.slice(0, 50))
"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("entry", toc_files())
def test_every_output_that_scrolls_takes_the_keyboard(browser, server, entry, viewport):
    page = open_page(browser, server, entry, viewport)
    unreachable = page.evaluate(SCROLLING_OUTPUTS_JS)
    page.context.close()
    assert unreachable == [], f"{entry} at {viewport}: scrolling outputs a keyboard cannot reach: {unreachable}"


def test_sections_below_the_screen_are_skipped_yet_links_to_them_land_on_their_heading(browser, server):
    page = open_page(browser, server, "chapters/encryption", "phone")
    sections = page.eval_on_selector_all(
        ".bd-article section section[id]",
        "els => els.map(e => ({id: e.id, top: e.getBoundingClientRect().top, cv: getComputedStyle(e).contentVisibility}))")
    assert len(sections) >= 5 and all(s["cv"] == "auto" for s in sections), sections
    target = sections[-1]["id"]
    assert sections[-1]["top"] > 20 * 844, "the last section should be many screens down"
    page.goto(f"{server}/chapters/encryption.html#{target}", wait_until="networkidle")
    page.wait_for_timeout(300)
    heading_top = page.eval_on_selector(f"[id='{target}'] > :is(h2, h3, h4)", "h => h.getBoundingClientRect().top")
    page.emulate_media(media="print")
    printed = page.eval_on_selector_all(".bd-article section section", "els => els.map(e => getComputedStyle(e).contentVisibility)")
    page.context.close()
    assert 0 <= heading_top <= 200, f"following #{target} left its heading at {heading_top:.0f} px"
    assert set(printed) == {"visible"}, "print (and make pdf) must lay out every section"


def test_a_citation_link_lands_on_its_source_in_the_sources_appendix(browser, server):
    page = open_page(browser, server, "chapters/appendix-sources", "phone")
    lists = page.eval_on_selector_all("div.sources-list ul.sources-list", "els => els.map(e => getComputedStyle(e).contentVisibility)")
    target = page.eval_on_selector_all("div.sources-list li[id]", "els => els[Math.floor(els.length / 2)].id")
    page.goto(f"{server}/chapters/appendix-sources.html#{target}", wait_until="networkidle")
    page.wait_for_timeout(300)
    top = page.eval_on_selector(f"[id='{target}']", "e => e.getBoundingClientRect().top")
    page.context.close()
    assert len(lists) > 20 and set(lists) == {"auto"}, lists[:3]
    assert 0 <= top <= 300, f"following #{target} left it at {top:.0f} px"


def test_every_page_has_one_viewport_and_a_description(site):
    for entry in PAGES:
        html = (site / f"{entry}.html").read_text(encoding="utf-8")
        assert html.count('name="viewport"') == 1, entry
        if entry in toc_files():
            assert html.count('<meta name="description" content="') == 1, entry


def test_every_chapter_is_offered_as_an_executed_notebook(site):
    for entry in toc_files():
        html = (site / f"{entry}.html").read_text(encoding="utf-8")
        notebook = site / "_sources" / f"{entry}.ipynb"
        assert notebook.is_file(), entry
        assert f'_sources/{entry}.ipynb"' in html, f"{entry}: no .ipynb in the download menu"
        content = json.loads(notebook.read_text(encoding="utf-8"))
        code = [cell for cell in content["cells"] if cell["cell_type"] == "code"]
        assert code and all(cell["execution_count"] for cell in code), f"{entry}: the notebook is not executed"


def test_phones_get_the_narrow_drawing_of_a_wide_figure(site):
    import re

    from csam_reporting.present import figures
    for entry in toc_files():
        html = (site / f"{entry}.html").read_text(encoding="utf-8")
        for figure in html.split('<figure class="book-figure">')[1:]:
            figure = figure.split("</figure>")[0]
            width = int(re.search(r'<img [^>]*width="(\d+)"', figure).group(1))
            if width > 1.25 * figures.NARROW_WIDTH_IN * 96:  # a chapter may draw a figure phone-narrow itself (its label size is tested above)
                assert '<source media="(max-width: 600px)" srcset="' in figure, entry


def test_data_dictionary_sections_are_in_the_contents_sidebar(site):
    """Each dataset is a real section of the page (not a rubric), so the page's contents list it."""
    import re

    from csam_reporting import data
    html = (site / "chapters" / "appendix-data-dictionary.html").read_text(encoding="utf-8")
    sidebar = html.split('id="pst-page-toc-nav"', 1)[1].split("</nav>", 1)[0]
    names = data.resource_names()
    listed = re.findall(r'class="reference internal nav-link" href="#([^"]+)"', sidebar)
    assert len(listed) >= len(names), f"the page's contents list {len(listed)} sections for {len(names)} datasets"


def test_make_pdf_prints_the_whole_book(built_book):
    """``make pdf``'s module prints every chapter (one page build, reusing the execution cache)."""
    import re
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(ROOT / "tools" / "pdf.py"), "--book", str(built_book)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Executing notebook" not in result.stdout + result.stderr, "the PDF build re-ran a notebook"
    pdf = (built_book / "_build" / "pdf" / "book.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= 2 * len(toc_files()), f"{pages} pages for {len(toc_files())} chapters"
    import html
    single = html.unescape((built_book / "_build" / "singlehtml" / "print.html").read_text(encoding="utf-8")).replace("’", "'")
    for entry in toc_files():
        title = re.search(r"^# (.+)$", (built_book / f"{entry}.md").read_text(encoding="utf-8"), re.MULTILINE).group(1)
        assert title.split("`")[0][:20] in single, f"{entry} is not in the printed book"
