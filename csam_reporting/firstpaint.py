"""Let a page paint sooner: nothing in a page's head that the page does not use, nothing that blocks.

    optimise_site(html_dir)     (called by csam_reporting.build after the Sphinx build)

Jupyter Book puts every extension's stylesheet and script in the head of every page, synchronous:
ten stylesheets and eleven scripts, the search index among them. A phone on a slow network then
waits for all of them before it paints the first line. On each page this module

* loads the search machinery (``searchtools.js``, ``language_data.js``, ``searchindex.js``) only on
  ``search.html``, the one page that searches (the search box on every page submits to it);
* drops the stylesheets and scripts of extensions the page does not use: code highlighting and the
  copy button without a highlighted code block, sphinx-togglebutton without a toggle, sphinx-design
  without a design element;
* inlines ``documentation_options.js`` (a few hundred bytes the inline scripts after it need) and
  defers every other script in the head, keeping their order;
* links ``basic.css`` directly instead of through ``theme.css``'s ``@import`` (one round trip less);
* removes the preload hints for the theme's scripts (already deferred at the end of the body), so
  that they do not compete with the stylesheets the first paint needs.

Across the site, the theme's main stylesheet (Bootstrap, Font Awesome's ~2,000 icon classes and the
theme; about 92% unused on a chapter page) is pruned to the rules that can match: a rule is kept if
any of its selectors names only classes and ids that occur in some page of the site or in any
script of the site (scripts add classes such as ``show`` at run time; any word in a script counts,
so the test is generous). Selectors inside ``:not()``, ``:is()``, ``:where()`` and ``:has()`` and
attribute selectors (``[data-theme=dark]``) never cause a rule to be dropped; at-rules other than
``@media``/``@supports`` (fonts, keyframes) are kept whole, and so are custom properties.

The icon fonts (Font Awesome, 157 KB for the solid set alone, about half of what a chapter page
transferred) are then subset to the icons the site's stylesheets and scripts can still name, under
their own file names; a glyph is kept if its code point occurs, escaped or raw, in any stylesheet
or script of the site.

The theme's script keeps all it does, with three small edits (``THEME_SCRIPT_EDITS``; a new theme
version that changes that code stops the build). On load it reads the width of every notebook
output to decide whether to make it focusable (a scrolling region must take the keyboard), which
forces the browser to lay out the whole page, section by section, while the
reader waits; the book's own scrolling regions (the table helper's) are focusable already and no
other output scrolls (the browser tests run axe's ``scrollable-region-focusable`` on every page at
phone and desktop width), so outputs are left out of that check. (With the book's stylesheet
letting the browser skip sections below the screen, ``content-visibility: auto``, this one check
was most of a phone's blocking time: benchmarks/bench.py measures it.)

The theme's script also sets the page's mode and theme each time it loads; a change of either
restyles the whole page, and so, in Chromium, does setting either to the value it already has, so
the script sets them only when they change. The theme's inline head script, which set the theme to
"auto" (a value no stylesheet rule knows, so the first paint had none of the theme's colours and
the whole page was styled again, or flashed light in dark mode, once the script ran), is replaced by
one that resolves light or dark at once. Every stylesheet a page uses is left alone. Pages are
rewritten in place; running it twice changes nothing more.
"""
from __future__ import annotations

import re
from pathlib import Path

SEARCH_SCRIPTS = ("_static/searchtools.js", "_static/language_data.js", "searchindex.js")
HIGHLIGHT_ASSETS = ("_static/pygments.css", "_static/copybutton.css", "_static/copybutton.js",
                    "_static/clipboard.min.js")
TOGGLE_ASSETS = ("_static/togglebutton.css", "_static/togglebutton.js")
DESIGN_ASSETS = ("_static/sphinx-design.min.css", "_static/design-tabs.js")
TOGGLE_INLINE = re.compile(r"\s*<script>(?:let toggleHint(?:Show|Hide) = '[^']*';|let toggleOpenOnPrint = '[^']*';|"
                           r"var togglebuttonSelector = '[^']*';)</script>")

_TAG = re.compile(r"[ \t]*<(?:script|link)\b[^>]*>(?:</script>)?\n?")
_URL = re.compile(r'\b(?:src|href)="([^"]+)"')
_CLASS = re.compile(r'\bclass="([^"]*)"')


def _asset(tag: str) -> str:
    """The site-relative path a script or link tag names, without ``../`` prefix or query string."""
    match = _URL.search(tag)
    if not match:
        return ""
    url = match.group(1).split("?", 1)[0].split("#", 1)[0]
    return re.sub(r"^(?:\.\./|\./)+", "", url)


def _classes(body: str) -> set[str]:
    tokens: set[str] = set()
    for value in _CLASS.findall(body):
        tokens.update(value.split())
    return tokens


def _uses_toggles(body: str) -> bool:
    for value in _CLASS.findall(body):
        tokens = set(value.split())
        if "toggle" in tokens or {"admonition", "dropdown"} <= tokens or "toggle-details" in tokens:
            return True
    return False


def unused_assets(page_name: str, body: str) -> set[str]:
    """Assets the page's head names but its body has no use for."""
    unused: set[str] = set()
    if page_name != "search.html":
        unused.update(SEARCH_SCRIPTS)
    classes = _classes(body)
    if "highlight" not in classes and not any(c.startswith("highlight-") for c in classes):
        unused.update(HIGHLIGHT_ASSETS)
    if not _uses_toggles(body):
        unused.update(TOGGLE_ASSETS)
    if not any(c.startswith("sd-") for c in classes):
        unused.update(DESIGN_ASSETS)
    return unused


def optimise_page(html: str, page_name: str, static: Path) -> str:
    """Return ``html`` (a page named ``page_name`` relative to the site root) with a lighter head."""
    if "</head>" not in html:
        return html
    head, rest = html.split("</head>", 1)
    body = rest
    unused = unused_assets(page_name, body)

    def rewrite(match: re.Match) -> str:
        tag = match.group(0)
        asset = _asset(tag)
        if not asset:
            return tag
        if asset in unused:
            return ""
        if tag.lstrip().startswith("<link") and 'rel="preload"' in tag and 'as="script"' in tag:
            return ""  # the script itself is deferred at the end of the body
        if tag.lstrip().startswith("<link") and asset == "_static/styles/theme.css":
            prefix = _URL.search(tag).group(1).split("_static/")[0]
            return f'<link rel="stylesheet" type="text/css" href="{prefix}_static/basic.css" />\n'
        if tag.lstrip().startswith("<script") and asset == "_static/documentation_options.js":
            source = static / "documentation_options.js"
            if source.is_file():
                return "<script>" + source.read_text(encoding="utf-8").strip() + "</script>\n"
            return tag
        if tag.lstrip().startswith("<script") and "src=" in tag and not re.search(r"\s(?:defer|async)\b", tag):
            return tag.replace("<script ", "<script defer ", 1)
        return tag

    head = _TAG.sub(rewrite, head)
    head = THEME_HEAD_SCRIPT.sub(lambda _: BOOK_HEAD_SCRIPT, head)
    if "_static/togglebutton.js" in unused:
        head = TOGGLE_INLINE.sub("", head)
    return head + "</head>" + rest


# --- pruning the theme's stylesheet -------------------------------------------------------------

PRUNED_STYLESHEETS = ("styles/pydata-sphinx-theme.css",)
_GROUPING_AT_RULES = ("@media", "@supports", "@layer", "@container")
_FUNCTIONAL = re.compile(r":(?:not|is|where|has|nth-child|nth-last-child)\(")
_CLASS_OR_ID = re.compile(r"([.#])((?:[\w-]|\\.)+)")


def _skip_string_or_comment(css: str, i: int) -> int:
    """If a string or comment starts at ``i``, return the index after it; else ``i``."""
    if css.startswith("/*", i):
        end = css.find("*/", i + 2)
        return len(css) if end < 0 else end + 2
    if css[i] in "\"'":
        quote, j = css[i], i + 1
        while j < len(css) and css[j] != quote:
            j += 2 if css[j] == "\\" else 1
        return j + 1
    return i


def _blocks(css: str):
    """Yield (prelude, body or None) for each top-level statement of ``css``."""
    i, start, n = 0, 0, len(css)
    while i < n:
        j = _skip_string_or_comment(css, i)
        if j != i:
            i = j
            continue
        char = css[i]
        if char == ";":
            yield css[start:i].strip(), None
            i += 1
            start = i
        elif char == "{":
            depth, k = 1, i + 1
            while k < n and depth:
                m = _skip_string_or_comment(css, k)
                if m != k:
                    k = m
                    continue
                depth += {"{": 1, "}": -1}.get(css[k], 0)
                k += 1
            yield css[start:i].strip(), css[i + 1:k - 1]
            i = start = k
        else:
            i += 1


def _strip_functional(selector: str) -> str:
    """Remove the arguments of :not() and friends, and attribute selectors."""
    out, i = [], 0
    selector = re.sub(r"\[[^\]]*\]", "", selector)
    while i < len(selector):
        match = _FUNCTIONAL.search(selector, i)
        if not match:
            out.append(selector[i:])
            break
        out.append(selector[i:match.start()])
        depth, k = 1, match.end()
        while k < len(selector) and depth:
            depth += {"(": 1, ")": -1}.get(selector[k], 0)
            k += 1
        i = k
    return "".join(out)


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in prelude:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _selector_can_match(selector: str, known: set[str]) -> bool:
    for _, name in _CLASS_OR_ID.findall(_strip_functional(selector)):
        if re.sub(r"\\(.)", r"\1", name) not in known:
            return False
    return True


def prune_stylesheet(css: str, known: set[str]) -> str:
    """Keep the rules of ``css`` that can match an element whose classes/ids are in ``known``."""
    kept = []
    for prelude, body in _blocks(css):
        prelude = re.sub(r"/\*.*?\*/", "", prelude, flags=re.DOTALL).strip()
        if body is None:
            if prelude:
                kept.append(prelude + ";")
        elif prelude.startswith("@"):
            if prelude.lower().startswith(_GROUPING_AT_RULES):
                inner = prune_stylesheet(body, known)
                if inner:
                    kept.append(f"{prelude}{{{inner}}}")
            else:
                kept.append(f"{prelude}{{{body}}}")
        else:
            selectors = [s for s in _split_selectors(prelude) if _selector_can_match(s, known)]
            if selectors:
                kept.append(",".join(selectors) + "{" + body + "}")
    return "".join(kept)


def known_names(html_dir: Path) -> set[str]:
    """Every class and id used on a page of the site, and every word in the site's scripts."""
    names: set[str] = set()
    for page in html_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for value in _CLASS.findall(text):
            names.update(value.split())
        names.update(re.findall(r'\bid="([^"]+)"', text))
    for script in html_dir.rglob("*.js"):
        names.update(re.findall(r"[A-Za-z_][\w-]*", script.read_text(encoding="utf-8", errors="replace")))
    return names


def prune_theme_stylesheets(html_dir: Path) -> None:
    known = known_names(html_dir)
    for name in PRUNED_STYLESHEETS:
        path = html_dir / "_static" / name
        if path.is_file():
            css = path.read_text(encoding="utf-8")
            charset = '@charset "UTF-8";' if css.startswith("@charset") else ""
            pruned = prune_stylesheet(css, known)
            if charset and not pruned.startswith("@charset"):
                pruned = charset + pruned
            path.write_text(pruned + "\n", encoding="utf-8")


# --- subsetting the icon fonts --------------------------------------------------------------------

ICON_FONTS = "vendor/fontawesome/webfonts"
_ESCAPED_CODEPOINT = re.compile(r"\\([0-9a-fA-F]{4,6})")


def _private_use(codepoint: int) -> bool:
    return 0xE000 <= codepoint <= 0xF8FF or codepoint >= 0xF0000


def icon_codepoints(static: Path) -> set[int]:
    """Private-use code points (icon glyphs) named in any stylesheet or script under ``static``."""
    found: set[int] = set()
    for path in [*static.rglob("*.css"), *static.rglob("*.js")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        found.update(c for c in (int(h, 16) for h in _ESCAPED_CODEPOINT.findall(text)) if _private_use(c))
        found.update(ord(ch) for ch in text if _private_use(ord(ch)))
    return found


def subset_icon_fonts(static: Path) -> None:
    fonts = static / ICON_FONTS
    if not fonts.is_dir():
        return
    from fontTools import subset

    codepoints = sorted(icon_codepoints(static))
    if not codepoints:
        return
    for path in sorted([*fonts.glob("*.woff2"), *fonts.glob("*.ttf")]):
        options = subset.Options()
        options.flavor = "woff2" if path.suffix == ".woff2" else None
        options.layout_features = ["*"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.recalc_timestamp = False  # the same fonts give the same bytes on every build
        font = subset.load_font(str(path), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        subset.save_font(font, str(path), options)


# --- the theme's scripts --------------------------------------------------------------------------

THEME_SCRIPT = "scripts/pydata-sphinx-theme.js"
_FOCUSABLE_CHECK = ('["pre",".nboutput > .output_area",".cell_output > .output",".jp-RenderedHTMLCommon",'
                    '".pst-scrollable-table-container"]')
# (what the theme's script says, what the book's says instead, why)
THEME_SCRIPT_EDITS = (
    (_FOCUSABLE_CHECK, _FOCUSABLE_CHECK.replace('".cell_output > .output",', ""),
     "outputs leave the on-load focusable-scroll check (it measured every output)"),
    ("document.documentElement.dataset.mode=e;",
     "document.documentElement.dataset.mode!==e&&(document.documentElement.dataset.mode=e);",
     "the mode is set only when it changes (setting it restyles the whole page)"),
    ("document.documentElement.dataset.theme=n,",
     "document.documentElement.dataset.theme!==n&&(document.documentElement.dataset.theme=n),",
     "the theme is set only when it changes (setting it restyles the whole page)"),
)


def edited_theme_script(script: str) -> str:
    """The theme's script with the book's edits (``THEME_SCRIPT_EDITS``); editing twice changes
    nothing more.

    Raises ``ValueError`` if the script has neither the original nor the edited form of an edit (a
    new theme version: look at that code again rather than lose the edit silently).
    """
    for original, edited, why in THEME_SCRIPT_EDITS:
        if script.count(original) == 1:
            script = script.replace(original, edited)
        elif script.count(edited) != 1:
            raise ValueError(f"{THEME_SCRIPT}: the theme's code has changed where the book edits it ({why}); "
                             "see csam_reporting/firstpaint.py")
    return script


def edit_theme_script(static: Path) -> None:
    path = static / THEME_SCRIPT
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        edited = edited_theme_script(text)
        if edited != text:
            path.write_text(edited, encoding="utf-8")


# The theme's head script sets the mode, and a theme of "auto" that no stylesheet rule knows, so the
# first paint has none of the theme's colours and the whole page is styled again when the theme's
# script runs (a light flash for a reader in dark mode). The book's resolves the theme at once, as
# the theme's script will (stored mode, else the page's default, else the system's preference).
THEME_HEAD_SCRIPT = re.compile(
    r'<script data-cfasync="false">\s*'
    r'document\.documentElement\.dataset\.mode = localStorage\.getItem\("mode"\) \|\| "auto";\s*'
    r'document\.documentElement\.dataset\.theme = localStorage\.getItem\("theme"\) \|\| "auto";\s*'
    r'</script>')
BOOK_HEAD_SCRIPT = """<script data-cfasync="false">
    (function (root) {
      var mode = root.dataset.defaultMode || "auto";
      try { mode = localStorage.getItem("mode") || mode; } catch (e) {}
      if (["light", "dark", "auto"].indexOf(mode) < 0) mode = "auto";
      root.dataset.mode = mode;
      root.dataset.theme = mode !== "auto" ? mode
        : window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
    })(document.documentElement);
  </script>"""


def optimise_site(html_dir: Path) -> None:
    html_dir = Path(html_dir)
    static = html_dir / "_static"
    prune_theme_stylesheets(html_dir)
    edit_theme_script(static)
    subset_icon_fonts(static)
    for page in sorted(html_dir.rglob("*.html")):
        if static in page.parents:
            continue
        name = page.relative_to(html_dir).as_posix()
        text = page.read_text(encoding="utf-8")
        optimised = optimise_page(text, name, static)
        if optimised != text:
            page.write_text(optimised, encoding="utf-8")
