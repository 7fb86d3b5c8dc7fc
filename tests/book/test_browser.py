"""What a reader sees: the built site in Debian's chromium, headless, served from loopback.

Every request the browser makes must go to the host serving the book; every image needs real
alt text; no page may log a script error; figures carry a source line.
"""
from __future__ import annotations

from urllib.parse import urlparse

import pytest

from test_build import toc_files

pytestmark = [pytest.mark.browser, pytest.mark.build]


def visit(browser, url: str):
    """Load ``url``; return (page, requested URLs, console errors, page errors)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests, console_errors, page_errors = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.ok, f"{url} answered {response and response.status}"
    return page, requests, console_errors, page_errors


@pytest.mark.parametrize("entry", toc_files() + ["search", "genindex"])
def test_page_contacts_only_its_own_host_and_has_no_errors(browser, server, entry):
    page, requests, console_errors, page_errors = visit(browser, f"{server}/{entry}.html")
    own = urlparse(server).netloc
    foreign = [u for u in requests if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != own]
    assert foreign == [], f"{entry} contacted other hosts: {foreign}"
    assert page_errors == [], f"{entry} threw: {page_errors}"
    assert console_errors == [], f"{entry} logged errors: {console_errors}"
    page.context.close()


@pytest.mark.parametrize("entry", toc_files())
def test_images_have_real_alt_text(browser, server, entry):
    page, *_ = visit(browser, f"{server}/{entry}.html")
    # Figures load lazily, as a reader scrolls to them: bring each into view and wait for it.
    images = page.eval_on_selector_all(
        "article img",
        """async els => {
            for (const e of els) {
                e.scrollIntoView();
                if (!e.complete) await new Promise(done => {
                    e.addEventListener('load', done, {once: true});
                    e.addEventListener('error', done, {once: true});
                });
            }
            return els.map(e => ({alt: e.getAttribute('alt'), src: e.getAttribute('src').slice(0, 60),
                                  shown: e.complete && e.naturalWidth > 0}));
        }""")
    for image in images:
        alt = (image["alt"] or "").strip()
        assert len(alt) >= 20, f"{entry}: image {image['src']} has no real alt text: {alt!r}"
        assert not alt.lower().endswith((".png", ".svg", ".jpg")), f"{entry}: alt text is a file name: {alt!r}"
        assert image["shown"], f"{entry}: image {image['src']} did not render"
    page.context.close()


def test_figures_have_title_source_and_render(browser, server, site):
    """Chapters with figures show them with a finding, the image, and a source line."""
    figures_seen = 0
    for entry in toc_files():
        page, *_ = visit(browser, f"{server}/{entry}.html")
        figures = page.eval_on_selector_all(
            # textContent: a figure below the screen is not rendered yet (content-visibility: auto),
            # so it has no innerText until the reader scrolls to it.
            "figure.book-figure", "els => els.map(e => ({title: e.querySelector('.book-figure-title')?.textContent.trim(),"
            " source: e.querySelector('.book-figure-source')?.textContent.trim(), height: e.querySelector('img').height}))")
        for figure in figures:
            assert figure["title"] and len(figure["title"]) > 10
            assert figure["source"] and figure["source"].startswith("Source:")
            assert figure["height"] > 100, f"{entry}: a figure is drawn too small to read"
        figures_seen += len(figures)
        if entry == "chapters/encryption" and figures:
            screenshots = site.parent / "screenshots"
            screenshots.mkdir(exist_ok=True)
            page.screenshot(path=str(screenshots / "encryption.png"), full_page=False)
        page.context.close()
    assert figures_seen >= 3, "the theme chapters should show their figures"


@pytest.mark.parametrize("entry", ["chapters/appendix-data-dictionary", "chapters/appendix-sources"])
def test_generated_tables_render_as_tables(browser, server, entry):
    page, *_ = visit(browser, f"{server}/{entry}.html")
    assert "|---|" not in page.text_content("article"), f"{entry} shows raw Markdown table syntax"
    # the data dictionary shows a table of the datasets; the sources appendix is a list by publisher
    assert page.eval_on_selector_all("article table, article ul.sources-list li", "els => els.length") >= 1
    page.context.close()


def test_search_finds_a_chapter_offline(browser, server):
    page, requests, *_ = visit(browser, f"{server}/search.html?q=enticement")
    page.wait_for_selector("#search-results li", timeout=15000)
    results = page.inner_text("#search-results")
    assert "Self-generated content" in results, results[:500]
    page.context.close()


def test_front_matter_shows_content_and_terminology_notes(browser, server):
    page, *_ = visit(browser, f"{server}/chapters/intro.html")
    text = page.inner_text("article")
    assert "Content note" in text
    assert "child sexual abuse material (CSAM)" in text
    page.context.close()


def test_no_page_says_child_pornography_outside_a_quotation(site):
    """The outdated term appears only inside quotation marks (the terminology note, a legal label)."""
    import re
    quote = "[\"'“‘]|&quot;|&#39;|&#8220;|&#8216;"
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for match in re.finditer("child pornography", html, re.IGNORECASE):
            # quoted: the term follows a quote mark, or sits inside a double quotation opened
            # earlier in the same sentence ("the law's “apparent child pornography”" is quoted)
            before = html[max(0, match.start() - 8):match.start()]
            sentence = re.split(r"[.!?]\s|<p>|</p>", html[max(0, match.start() - 200):match.start()])[-1]
            marks = re.findall(r"“|”|&#8220;|&#8221;", sentence)
            inside = bool(re.search(f"({quote})$", before)) or (bool(marks) and marks[-1] in ("“", "&#8220;"))
            assert inside, f"{page.name}: unquoted use: {html[match.start() - 60:match.end() + 20]!r}"


# Every element the theme marks with an icon class, with the drawing book.css gives it (empty if none).
_ICONS = """() => Array.from(document.querySelectorAll('[class*="fa-"]'))
  .filter(e => Array.from(e.classList).some(c => /^fa-(?!solid$|regular$|brands$|lg$|xs$|sm$)/.test(c)))
  .map(e => ({
    classes: e.className,
    drawing: getComputedStyle(e).getPropertyValue('--book-icon').trim(),
    visible: e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none',
    width: e.getBoundingClientRect().width,
    mask: getComputedStyle(e, '::before').maskImage || getComputedStyle(e, '::before').webkitMaskImage,
  }))"""


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("entry", ["chapters/intro", "chapters/encryption", "chapters/platforms", "search"])
def test_icons_are_drawn_without_a_web_font(browser, server, entry, width):
    """The theme's icons are drawn by the book's stylesheet, so no page ever fetches a font file
    (the icon font was 157 kB fetched before a phone's first paint): not on load, not after the
    reader scrolls to the end and back (the back-to-top button), opens the download menu or the
    search box. Every icon class on the page has a drawing, and the visible ones show it."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    fonts = []
    page.on("request", lambda request: request.resource_type == "font" and fonts.append(request.url))
    page.goto(f"{server}/{entry}.html", wait_until="networkidle")
    icons = page.evaluate(_ICONS)
    for _ in range(60):  # through every section, so each is laid out at least once
        if page.evaluate("window.scrollBy(0, 1500), innerHeight + scrollY >= document.body.scrollHeight - 2"):
            break
    page.evaluate("window.scrollBy(0, -600)")
    page.wait_for_timeout(300)
    page.evaluate("window.scrollTo(0, 0)")
    # The book theme folds the in-page contents (class "hide") on a page with margin content, and
    # marks the fold with a glyph of its own.
    page.evaluate("document.querySelector('.bd-sidebar-secondary')?.classList.add('hide')")
    page.wait_for_timeout(100)
    if page.query_selector(".dropdown-download-buttons button"):  # chapters have one; search.html not
        page.click(".dropdown-download-buttons button")
        page.keyboard.press("Escape")
    page.keyboard.press("Control+k")
    page.wait_for_timeout(200)
    page.wait_for_load_state("networkidle")
    context.close()
    assert fonts == [], f"{entry} at {width} px fetched {fonts}"
    assert icons, f"{entry}: no theme icon found (the test would check nothing)"
    undrawn = sorted({icon["classes"] for icon in icons if not icon["drawing"]})
    assert undrawn == [], f"{entry}: icon classes with no drawing in _static/book.css: {undrawn}"
    shown = [icon for icon in icons if icon["visible"]]
    assert len(shown) >= 3, shown
    for icon in shown:
        assert icon["width"] > 5 and icon["mask"].startswith('url("data:image/svg+xml'), icon


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_icons_stay_visible_in_a_high_contrast_mode(browser, server, scheme):
    """A high-contrast mode (forced colours) paints backgrounds with the page colour; the icons,
    drawn as a coloured background through a mask, must keep a colour of their own that differs
    from the page's."""
    context = browser.new_context(viewport={"width": 390, "height": 800}, forced_colors="active",
                                  color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{server}/chapters/encryption.html", wait_until="networkidle")
    colours = page.evaluate("""() => Array.from(document.querySelectorAll('.fa-bars, .fa-magnifying-glass, .fa-list'))
      .filter(e => e.getClientRects().length > 0)
      .map(e => [getComputedStyle(e, '::before').backgroundColor, getComputedStyle(document.body).backgroundColor])""")
    context.close()
    assert colours, "no visible icon on the first screen"
    for icon, page_background in colours:
        assert icon != page_background, (icon, page_background)


def test_figures_stay_readable_in_the_dark_theme(browser, server):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(f"{server}/chapters/self-generated.html", wait_until="networkidle")
    assert page.eval_on_selector("html", "e => e.dataset.theme") == "dark"
    looks = page.eval_on_selector("figure.book-figure", """e => ({
        background: getComputedStyle(e).backgroundColor,
        caption: getComputedStyle(e.querySelector('figcaption')).color,
        filter: getComputedStyle(e.querySelector('img')).filter})""")
    assert looks["background"] == "rgb(255, 255, 255)", looks
    red, green, blue = (int(v) for v in looks["caption"].strip("rgba()").split(",")[:3])
    assert (0.299 * red + 0.587 * green + 0.114 * blue) < 110, f"caption too light on white: {looks}"
    assert looks["filter"] == "none", looks
    context.close()
