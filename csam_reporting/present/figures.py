"""One plot style for the whole book, and the only way chapters put a figure on a page.

* :func:`apply` sets a colour-blind-safe palette (Okabe & Ito), opaque backgrounds (figures must
  stay readable in the theme's dark mode) and one font set-up.
* :func:`show_figure` renders a matplotlib figure as an HTML ``<figure>`` with alt text, a title
  that states the finding, and a source line underneath. It refuses to render without them.
"""
from __future__ import annotations

import base64
import html
import io
import math
import re
import warnings
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.text

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
# simulated protanopia, deuteranopia and tritanopia (tests/test_palette.py measures both).
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


# --- the phone drawing -----------------------------------------------------------------------
# A figure drawn 7 in wide is scaled to about half on a 390 px phone, and its 10.5 pt labels come
# out at 6-8 px. So every figure is drawn a second time, narrow, at (at least) the same point
# sizes: on a phone it is scaled much less, and its labels stay near body-text size.
PHONE_MAX_WIDTH_PX = 600  # the breakpoint below which the page shows the narrow drawing
NARROW_WIDTH_IN = 3.9  # 374 px; a 390 px phone shows it at about 330 px (scale 0.88)
NARROW_MIN_HEIGHT_IN = 3.0
NARROW_MAX_HEIGHT_IN = 5.6
NARROW_MIN_FONT_PT = 9.5  # at scale 0.88 that is 11 CSS px, above the 10 px floor the tests hold


# The caption under a figure on a phone: 0.8rem (12.8 px) type, 1.4 line height, about 42
# characters a line (measured, with word wrap) in the ~340 px the card leaves. A phone chart is drawn at least as tall as its
# caption will be, so the caption never outgrows the chart it explains.
CAPTION_CHARS_PER_LINE = 42
CAPTION_LINE_PX = 18
PHONE_CHART_WIDTH_PX = 340


def narrow_height_in(height_in: float, caption_chars: int = 0) -> float:
    """The phone drawing's height: the desktop height, raised to fit the caption, within limits."""
    caption_px = math.ceil(caption_chars / CAPTION_CHARS_PER_LINE) * CAPTION_LINE_PX * 1.1
    # the drawing (NARROW_WIDTH_IN wide, 96 px an inch) is scaled to the phone's chart width
    needed_in = caption_px / (96 * PHONE_CHART_WIDTH_PX / (NARROW_WIDTH_IN * 96))
    return min(max(height_in, needed_in, NARROW_MIN_HEIGHT_IN), NARROW_MAX_HEIGHT_IN)


def narrow_drawing(fig, caption_chars: int = 0) -> bytes:
    """Redraw ``fig`` for a phone and return the SVG: 3.9 in wide, at least as tall as a caption
    of ``caption_chars`` characters, every label at least 9.5 pt, laid out again (constrained
    layout), long axis labels wrapped, a legend moved below, crowded tick labels thinned.

    Changes ``fig`` (call it after the desktop drawing is saved).
    """
    width, height = fig.get_size_inches()
    fig.set_size_inches(NARROW_WIDTH_IN, narrow_height_in(height, caption_chars))
    try:
        fig.set_layout_engine("constrained")
    except RuntimeError:  # a layout the figure cannot switch from (e.g. with a colorbar): keep it
        pass
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_text() and text.get_fontsize() < NARROW_MIN_FONT_PT:
            text.set_fontsize(NARROW_MIN_FONT_PT)
    rows = _regrid(fig, NARROW_GRID_COLUMNS)
    if rows:
        fig.set_size_inches(NARROW_WIDTH_IN, max(fig.get_size_inches()[1],
                                                 min(rows * NARROW_PANEL_HEIGHT_IN + 0.8, NARROW_MAX_GRID_HEIGHT_IN)))
    from matplotlib.ticker import MaxNLocator

    for ax in fig.axes:
        for label in (ax.xaxis.label, ax.yaxis.label, ax.title):
            label.set_wrap(True)
        _wrap_long_tick_labels(ax.yaxis)
        locator = ax.xaxis.get_major_locator()
        if isinstance(locator, MaxNLocator):  # automatic ticks: fewer of them on a narrow axis
            locator.set_params(nbins=3 if rows else 5)
    _legend_below(fig)
    # Lay out and measure without rendering (a full drawing costs as much as the layout); only
    # the final drawing is rendered, with the layout found here and the tight box measured here.
    for attempt in range(3):
        fig.draw_without_rendering()
        _thin_crowded_tick_labels(fig)
        box = _tight_box(fig)
        # Artists outside the axes (a legend beside them, say) can make the tight box wider than
        # planned; shrink the canvas by the excess so the phone scales it as little as planned.
        if box.width <= NARROW_WIDTH_IN * 1.04 or attempt == 2:
            break
        current = fig.get_size_inches()
        fig.set_size_inches(max(current[0] - (box.width - NARROW_WIDTH_IN), 2.5), current[1])
    fig.set_layout_engine("none")  # keep the layout just measured
    return _save_svg(fig, box)


def _tight_box(fig):
    """The figure's tight bounding box in inches, padded as ``bbox_inches="tight"`` pads it, from
    the last drawing (it draws nothing itself)."""
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    pad = matplotlib.rcParams["savefig.pad_inches"]
    return box.padded(pad, pad)


NARROW_GRID_COLUMNS = 2  # small multiples in more columns are re-laid out in two
NARROW_PANEL_HEIGHT_IN = 1.9
NARROW_MAX_GRID_HEIGHT_IN = 9.0
NARROW_TICK_LABEL_CHARS = 26


def _regrid(fig, columns: int) -> int:
    """Re-lay a grid of small multiples (one panel per cell, more than ``columns`` columns) out in
    ``columns`` columns, reading order kept; empty cells (axes switched off) are dropped. Returns
    the number of rows, or 0 where the figure is not such a grid (it is left as it was)."""
    panels = [ax for ax in fig.axes if ax.get_subplotspec() is not None]
    if len(panels) < 2 or len(panels) != len(fig.axes):  # colorbars, insets: leave alone
        return 0
    grid = panels[0].get_subplotspec().get_gridspec()
    specs = [ax.get_subplotspec() for ax in panels]
    if any(spec.get_gridspec() is not grid or spec.rowspan.stop - spec.rowspan.start != 1
           or spec.colspan.stop - spec.colspan.start != 1 for spec in specs):
        return 0
    grid_rows, grid_columns = grid.get_geometry()
    if grid_rows == 1 and grid_columns >= 2:
        columns = 1  # panels side by side: one above the other, each the phone's full width
    elif grid_columns <= columns:
        return 0
    shown = [ax for ax in sorted(panels, key=lambda a: (a.get_subplotspec().rowspan.start,
                                                        a.get_subplotspec().colspan.start)) if ax.axison]
    for ax in panels:
        if not ax.axison:
            ax.set_visible(False)
    rows = math.ceil(len(shown) / columns)
    new = fig.add_gridspec(rows, columns)
    for index, ax in enumerate(shown):
        ax.set_subplotspec(new[index // columns, index % columns])
        spec = ax.get_subplotspec()
        # shared axes label only the outer panels: redo that for the new positions
        if len(ax.get_shared_x_axes().get_siblings(ax)) > 1:
            ax.tick_params(axis="x", labelbottom=spec.is_last_row() or index + columns >= len(shown))
        if len(ax.get_shared_y_axes().get_siblings(ax)) > 1:
            ax.tick_params(axis="y", labelleft=spec.is_first_col())
    return rows


def _wrap_long_tick_labels(axis) -> None:
    """Break category labels longer than about 22 characters onto two or more lines."""
    import textwrap

    from matplotlib.ticker import FuncFormatter

    original = axis.get_major_formatter()
    labels = [t.get_text() for t in axis.get_ticklabels()]
    if not any(len(label) > NARROW_TICK_LABEL_CHARS for label in labels) or any("$" in label for label in labels):
        return  # short labels, or mathtext (10^3 on a log axis), which must not be broken
    axis.set_major_formatter(FuncFormatter(
        lambda value, position: textwrap.fill(original(value, position), NARROW_TICK_LABEL_CHARS)))


def _phone_drawing_or_none(fig, caption_chars: int) -> bytes:
    """The phone drawing, or nothing where the figure cannot be laid out that narrow (a grid of
    small multiples with several columns collapses): the page then shows the desktop drawing,
    and the browser test of label sizes names the figure that needs a narrower layout of its own."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = narrow_drawing(fig, caption_chars)
    if any("constrained_layout not applied" in str(w.message) for w in caught):
        return b""
    for w in caught:  # anything else is the chapter's to see, as before
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return svg


def _legend_below(fig) -> None:
    """Move a single axes legend below the chart: inside a 3.9 in axes a legend sized for 7 in
    covers the data, and constrained layout would squeeze the axes to make room for it."""
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    if len(legends) != 1:
        return
    legend = legends[0]
    handles = list(legend.legend_handles)
    import textwrap

    # below a 3.9 in chart a legend line holds about 36 characters at 9.5 pt
    labels = [textwrap.fill(text.get_text(), 36) for text in legend.get_texts()]
    title = legend.get_title().get_text()
    size = max([text.get_fontsize() for text in legend.get_texts()] + [NARROW_MIN_FONT_PT])
    legend.remove()
    fig.legend(handles, labels, loc="outside lower center", frameon=False, title=title or None, fontsize=size)


def _thin_crowded_tick_labels(fig) -> None:
    """Hide every other tick label (then every third, ...) on an axis whose labels overlap, as
    laid out by the figure's last drawing."""
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        for axis, horizontal in ((ax.xaxis, True),):  # never thin category labels on a y axis
            labels = [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]
            if len(labels) < 3:
                continue
            boxes = [t.get_window_extent(renderer) for t in labels]
            for step in range(1, len(labels)):
                kept = boxes[::step]
                if not any(_overlap(a, b, horizontal) for a, b in zip(kept, kept[1:])):
                    break
            if step > 1:
                for index, label in enumerate(labels):
                    label.set_visible(index % step == 0)


def _overlap(a, b, horizontal: bool, gap_px: float = 4.0) -> bool:
    if horizontal:
        return min(a.x1, b.x1) + gap_px > max(a.x0, b.x0)
    return min(a.y1, b.y1) + gap_px / 2 > max(a.y0, b.y0)


def _save_svg(fig, box=None) -> bytes:
    """The figure as SVG, cropped to its tight box (measured now, or ``box`` measured already)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight" if box is None else box, metadata={"Date": None})
    return buffer.getvalue()


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
    title = _require_text("a title stating the finding", title, 10)
    alt = _require_text("alt text", alt, 20)
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
