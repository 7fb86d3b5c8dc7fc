"""Find anything a built page would load from another host (scripts, styles, fonts, images, frames).

Links a reader may click (``<a href>``) are not loads and are not reported.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

_EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
# Attributes through which a page fetches something without a click.
_LOADING = {
    "script": ("src",),
    "link": ("href",),  # stylesheets, preloads, icons, manifests
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and (attrs.get("rel") or "").lower() in {"canonical", "alternate", "author", "license"}:
            return
        for name in _LOADING.get(tag, ()):
            value = attrs.get(name) or ""
            self.urls.extend(part.strip().split(" ")[0] for part in value.split(",") if part.strip())
        if "style" in attrs and attrs["style"]:
            self.urls.extend(_css_urls(attrs["style"]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls.extend(_css_urls(data))


def _css_urls(css: str) -> list[str]:
    return [a or b for a, b in _CSS_URL.findall(css)]


def page_external_loads(html: str) -> list[str]:
    collector = _Collector()
    collector.feed(html)
    return [url for url in collector.urls if _EXTERNAL.match(url)]


def external_assets(site: Path, since: float | None = None) -> list[tuple[str, str]]:
    """Every (file, url) in the built site that loads something from another host.

    Scans HTML pages and the site's own CSS files (which could pull fonts or imports); with
    ``since`` (a modification time), only the files written after it.
    """
    def changed(path: Path) -> bool:
        return since is None or path.stat().st_mtime >= since

    found = []
    for page in sorted(site.rglob("*.html")):
        if not changed(page):
            continue
        for url in page_external_loads(page.read_text(encoding="utf-8", errors="replace")):
            found.append((str(page.relative_to(site)), url))
    for sheet in sorted(site.rglob("*.css")):
        if not changed(sheet):
            continue
        for url in _css_urls(sheet.read_text(encoding="utf-8", errors="replace")):
            if _EXTERNAL.match(url):
                found.append((str(sheet.relative_to(site)), url))
    return found
