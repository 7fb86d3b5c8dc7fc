"""The phone drawing of every figure, kept apart from the figure helper.

A figure drawn 7 in wide is scaled to about half on a 390 px phone, and its 10.5 pt labels come
out at 6-8 px. So :func:`~csam_reporting.present.figures.show_figure` draws every figure a second
time, narrow, at (at least) the same point sizes: on a phone it is scaled much less, and its labels
stay near body-text size. Everything about that second drawing is here.
"""
from __future__ import annotations

import io
import math
import warnings

import matplotlib
import matplotlib.text

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
