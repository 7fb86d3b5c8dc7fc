"""One plot style for the whole book, and the only way chapters put a figure on a page.

* :func:`apply` sets a colour-blind-safe palette (Okabe & Ito), opaque backgrounds (figures must
  stay readable in the theme's dark mode) and one font set-up.
* :func:`show_figure` renders a matplotlib figure as an HTML ``<figure>`` with alt text, a title
  that states the finding, and a source line underneath. It refuses to render without them.
"""
from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt

from .typography import true_minus
from .phone import NARROW_WIDTH_IN, PHONE_MAX_WIDTH_PX, _phone_drawing_or_none, _save_svg  # noqa: F401

# Okabe, M. & Ito, K. (2008), "Color Universal Design": distinguishable with the common forms of
# colour-vision deficiency. Black is kept for reference lines and annotations.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
    "black": "#000000",
}

# Cycle order puts the strongest contrasts first; yellow (weak on white) comes last.
PALETTE = [OKABE_ITO[c] for c in ("blue", "orange", "bluish_green", "vermillion",
                                   "reddish_purple", "sky_blue", "grey", "yellow")]

# Colours outside Okabe & Ito for platforms it has no room for, each at least 3:1 on white (WCAG
# 1.4.11, graphics) and apart from every other platform colour in normal vision and under
# simulated protanopia, deuteranopia and tritanopia (tests/unit/present/test_palette.py measures both).
EXTRA_COLOURS = {
    "dark_gold": "#8C510A",  # Snapchat: Okabe-Ito yellow is 1.3:1 on white
    "dark_grey": "#707070",  # X: apart from the light grey of "other"
    "wine": "#882255",  # Reddit (Paul Tol's muted wine)
    "indigo": "#332288",  # Omegle (Paul Tol's indigo)
}

# Semantic colours: a platform has the same colour in every chapter.
PLATFORM_COLOURS = {
    "facebook": OKABE_ITO["blue"],
    "meta_combined": OKABE_ITO["blue"],
    "instagram": OKABE_ITO["reddish_purple"],
    "whatsapp": OKABE_ITO["bluish_green"],
    "google": OKABE_ITO["orange"],
    "youtube": OKABE_ITO["vermillion"],
    "snapchat": EXTRA_COLOURS["dark_gold"],
    "tiktok": OKABE_ITO["black"],
    "x_twitter": EXTRA_COLOURS["dark_grey"],
    "reddit": EXTRA_COLOURS["wine"],
    "omegle": EXTRA_COLOURS["indigo"],
    "discord": OKABE_ITO["sky_blue"],
    "microsoft": OKABE_ITO["sky_blue"],
}
OTHER_COLOUR = OKABE_ITO["grey"]

FONT_FAMILY = ["DejaVu Sans", "Arial", "Helvetica", "sans-serif"]

RC_PARAMS = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.transparent": False,
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 100,
    "font.family": "sans-serif",
    "font.sans-serif": FONT_FAMILY,
    "font.size": 10.5,
    "axes.titlesize": 11,
    "axes.titley": 1.0,
    "axes.labelsize": 10.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#DDDDDD",
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    # Text stays text in the SVG: smaller files, selectable and searchable labels.
    "svg.fonttype": "none",
    # matplotlib salts the SVG's element ids with a random uuid unless a salt is set: with one, the
    # same figure gives the same bytes on every build.
    "svg.hashsalt": "csam-reporting-book",
}


def apply() -> None:
    """Apply the book's matplotlib style (and seaborn's, where a chapter uses it)."""
    matplotlib.use("Agg")
    plt.rcParams.update(RC_PARAMS)


def platform_colour(platform_id: str) -> str:
    return PLATFORM_COLOURS.get(platform_id, OTHER_COLOUR)


_FILE_LIKE = re.compile(r"^[\w./\\-]+\.(png|svg|jpe?g|gif)$", re.IGNORECASE)


class FigureTextError(ValueError):
    """Raised when a figure lacks the text a reader needs (alt text, finding, source)."""


@dataclass(frozen=True)
class BookFigure:
    """A rendered figure: an SVG image with alt text, a finding as its title, and a source line.

    ``narrow_svg`` is the same figure drawn for a phone (see :func:`narrow_drawing`); the page
    offers it to screens up to ``PHONE_MAX_WIDTH_PX`` wide and the desktop drawing to the rest.
    """

    svg: bytes
    title: str
    alt: str
    source: str
    note: str = ""
    data_file: str = ""
    data_csv: str = ""
    data_name: str = ""
    narrow_svg: bytes = b""

    def to_html(self) -> str:
        width, height = svg_size_px(self.svg)
        image = (f'<img src="{_data_uri(self.svg)}" alt="{html.escape(self.alt, quote=True)}" '
                 f'width="{width}" height="{height}" loading="lazy" decoding="async">')
        if self.narrow_svg:
            narrow_width, narrow_height = svg_size_px(self.narrow_svg)
            image = (f'<picture><source media="(max-width: {PHONE_MAX_WIDTH_PX}px)" '
                     f'srcset="{_data_uri(self.narrow_svg)}" width="{narrow_width}" height="{narrow_height}">'
                     f"{image}</picture>")
        parts = [
            '<figure class="book-figure">',
            f'<p class="book-figure-title"><strong>{html.escape(self.title)}</strong></p>',
            f'<div class="book-figure-chart">{image}</div>',
            "<figcaption>",
            source_line(self.source),
        ]
        if self.note:
            parts.append(f' <span class="book-figure-note">{html.escape(self.note)}</span>')
        downloads = []
        if self.data_csv:
            href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(self.data_csv.encode("utf-8")).decode("ascii")
            downloads.append(f'<a href="{href}" download="{html.escape(self.data_name)}">'
                             "this figure's numbers (CSV)</a>")
        if self.data_file:
            name = html.escape(self.data_file)
            downloads.append(f'the whole dataset, <a href="../data/{name}">{name}</a>')
        if downloads:
            parts.append(f' <span class="book-figure-data">Data: {" and ".join(downloads)}.</span>')
        parts += ["</figcaption>", "</figure>"]
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:  # what a plain-text reader (or the notebook log) sees
        return f"Figure: {self.title} ({self.alt}) Source: {self.source}."


# A source line longer than this is summarised under the figure ("Source: NCMEC and 3 other
# publishers, 14 documents") and the whole list opens from it: a caption four times the height of
# its chart on a phone buries the next paragraph.
SOURCE_SHOWN_CHARS = 240
_PUBLISHER = re.compile(r"(?:^|\. )([^.:;]{2,120}?): ")


def source_summary(source: str) -> str:
    """'NCMEC and 3 other publishers (14 documents)', from a ``data.cite`` line."""
    publishers = list(dict.fromkeys(m.group(1).strip() for m in _PUBLISHER.finditer(source)))
    if not publishers:
        return source[:SOURCE_SHOWN_CHARS].rsplit(" ", 1)[0] + "…"
    documents = source.count("; ") + len(publishers)
    others = len(publishers) - 1
    text = publishers[0] + (f" and {others} other publisher{'s' if others > 1 else ''}" if others else "")
    return f"{text} ({documents} documents)"


def source_line(source: str) -> str:
    """The figure's source line as HTML: whole, or, when long, a summary that opens to the list."""
    if len(source) <= SOURCE_SHOWN_CHARS:
        return f'<span class="book-figure-source">Source: {html.escape(source)}.</span>'
    return (f'<details class="book-figure-sources"><summary class="book-figure-source">Source: '
            f"{html.escape(source_summary(source))}</summary>{html.escape(source)}.</details>")


def shown_caption_chars(source: str, note: str, data_file: str, with_data: bool) -> int:
    """How many characters the caption shows before a reader opens anything."""
    shown = len(source) if len(source) <= SOURCE_SHOWN_CHARS else len(source_summary(source)) + 8
    return shown + len(note) + (40 if with_data else 0) + (30 + len(data_file) if data_file else 0)


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


_SVG_SIZE = re.compile(rb'<svg[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"', re.DOTALL)


def svg_size_px(svg: bytes) -> tuple[int, int]:
    """The CSS pixel size of a matplotlib SVG (drawn in points: 1 pt = 4/3 px)."""
    match = _SVG_SIZE.search(svg)
    if not match:
        raise ValueError("not a matplotlib SVG: no width/height in points")
    return round(float(match.group(1)) * 4 / 3), round(float(match.group(2)) * 4 / 3)


def _require_text(name: str, value: str, minimum: int) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise FigureTextError(f"a figure needs {name} of at least {minimum} characters; got {value!r}")
    return text


def figure_data_name(title: str) -> str:
    """The download name of a figure's numbers: its title's words without figures, so the name
    stays the same when a new year of data changes the numbers in the title."""
    words = re.sub(r"[^a-z]+", "-", title.lower()).strip("-").split("-")
    return "-".join(w for w in words if w)[:60].rstrip("-") + ".csv"


def show_figure(fig, *, title: str, alt: str, source: str, note: str = "",
                data_file: str = "", data=None) -> BookFigure:
    """Render ``fig`` for the page and close it.

    ``title`` states the finding ("Reports from Meta's apps fell after ..."), ``alt`` describes
    what the figure shows for a reader who cannot see it (its trend and extremes, not its label),
    ``source`` names the publisher and document. A figure without them is refused. ``data`` is a
    DataFrame of the numbers the figure plots, offered under it as a CSV download (as Our World in
    Data does for every chart); ``data_file`` names the whole dataset in ``data/``.
    """
    title = true_minus(_require_text("a title stating the finding", title, 10))
    alt = true_minus(_require_text("alt text", alt, 20))
    note = true_minus(note)
    source = _require_text("a source line", source, 5)
    if _FILE_LIKE.match(alt) or alt == title:
        raise FigureTextError("alt text must describe the figure, not repeat a file name or the title")
    if fig.get_facecolor()[3] < 1:
        raise FigureTextError("figure background must be opaque to stay readable in dark mode")
    desktop = _save_svg(fig)
    caption_chars = shown_caption_chars(source, note, data_file, data is not None)
    narrow = _phone_drawing_or_none(fig, caption_chars) if fig.get_size_inches()[0] > NARROW_WIDTH_IN * 1.1 else b""
    plt.close(fig)
    csv = ""
    if data is not None:
        if len(data) == 0:
            raise FigureTextError("a figure's data must hold the numbers it plots; got an empty table")
        csv = data.to_csv(index=False, lineterminator="\n")
    return BookFigure(desktop, title, alt, source, note, data_file, csv, figure_data_name(title), narrow)
