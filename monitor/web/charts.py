"""Server-side charts: no JavaScript, no CDN, the same in a page and an export.

The shared pieces of every chart (status colours and glyphs, numbers, the ``<svg>``
wrapper, status markers) and the two status charts: :func:`strip`, a run history as
a row of HTML cells that wraps on a narrow screen, and :func:`heatmap`, features by
runs in SVG. Trend lines are in :mod:`modelhealth.web.trends`, distributions in
:mod:`modelhealth.web.histograms`.

Every piece of text (model, check and column names, run ids) goes through
:func:`markupsafe.escape`, so a name full of HTML draws as text. Status is never
colour alone, at any density: every strip and heatmap cell holds its glyph (cells
are never drawn narrower than one), every point of a trend line is a shape per
status (:func:`marker`), and each mark has a ``<title>`` (the browser's tooltip and
what a screen reader reads) naming the status.

SVG charts are sized in SVG units with a ``viewBox`` and scale to their container.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = [
    "COLOURS",
    "FONT",
    "GLYPHS",
    "Mark",
    "coord",
    "heatmap",
    "marker",
    "nice_ticks",
    "short_number",
    "strip",
    "svg_element",
]

COLOURS = {
    "passed": "#2f9e44",
    "skipped": "#adb5bd",
    "warned": "#f59f00",
    "errored": "#9c36b5",
    "failed": "#e03131",
}
GLYPHS = {"passed": "✓", "skipped": "-", "warned": "!", "errored": "?", "failed": "✗"}
_REFERENCE = "#868e96"
_FONT = 'font-family="system-ui, sans-serif"'


@dataclass(frozen=True)
class Mark:
    """One run's cell: a label for its tooltip, a status, and where it links."""

    label: str
    status: str
    href: str | None = None


def _n(x: float) -> str:
    text = f"{x:.1f}"  # called per coordinate: thousands of times a page
    return text[:-2] if text.endswith(".0") else text


def _fmt(value: float) -> str:
    size = abs(float(f"{value:.3g}"))  # round first: 999,999 is 1M, not 1e+03k
    for unit, scale in (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if size >= scale and (unit != "k" or size >= 10_000):
            return (
                f"{value / scale:.3g}{unit}" if size < scale * 1000 else f"{value:.3g}"
            )
    if size >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value == 0 or size >= 0.01 else f"{value:.2g}"


def _svg(width: float, height: float, body: str, label: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


FONT, coord, short_number, svg_element = _FONT, _n, _fmt, _svg
"""Shared with :mod:`modelhealth.web.histograms`: the font, a coordinate, a number, a
chart's ``<svg>`` wrapper."""


def _cell(x: float, y: float, w: float, h: float, mark: Mark) -> str:
    colour = COLOURS.get(mark.status, COLOURS["skipped"])
    title = f"<title>{escape(mark.label)}: {escape(mark.status)}</title>"
    rect = (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="2" '
        f'fill="{colour}" data-status="{escape(mark.status)}">{title}</rect>'
    )
    if w >= 11 and h >= 11:
        rect += (
            f'<text x="{_n(x + w / 2)}" y="{_n(y + h / 2 + 4)}" text-anchor="middle" '
            f'font-size="10" fill="#fff" pointer-events="none" {_FONT}>'
            f"{GLYPHS.get(mark.status, '')}</text>"
        )
    if mark.href:
        return f'<a href="{escape(mark.href)}">{rect}</a>'
    return rect


def strip(marks: Sequence[Mark]) -> Markup:
    """A run history, oldest first: one cell per run holding its status glyph.

    The cells are HTML (``<a>`` or ``<span>``, class ``cell s-<status>``) in a
    wrapping row, so 90 runs stay glyph-wide cells that wrap onto a second line on a
    narrow screen instead of shrinking into colour-only slivers.
    """
    cells = []
    for m in marks:
        status = escape(m.status)
        title = f"{escape(m.label)}: {status}"
        glyph = GLYPHS.get(m.status, "·")
        attrs = f'class="cell s-{status}" data-status="{status}" title="{title}"'
        if m.href:
            cells.append(f'<a {attrs} href="{escape(m.href)}">{glyph}</a>')
        else:
            cells.append(f"<span {attrs}>{glyph}</span>")
    label = f"history of {len(marks)} runs, oldest first"
    return (
        Markup(f'<div class="cells" role="list" aria-label="{label}">')
        + Markup("".join(cells))
        + Markup("</div>")
    )


def heatmap(
    rows: Sequence[str],
    columns: Sequence[Mark],
    cells: dict[tuple[int, int], tuple[float | None, str]],
) -> Markup:
    """Features (rows) by runs (columns): each cell coloured by its drift status.

    Args:
        rows: the feature names.
        columns: the runs, oldest first (their ``label`` and ``href``).
        cells: ``(row, column) -> (value, status)``; a missing cell stays blank.
    """
    label_w = min(180, 12 + 7 * max((len(r) for r in rows), default=4))
    cell = max(13.0, min(22.0, 760 / max(len(columns), 1)))
    height = 18
    width = label_w + len(columns) * cell
    parts = []
    for i, name in enumerate(rows):
        y = i * (height + 2)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12" '
            f'fill="#343a40" {_FONT}>{escape(name[:28])}</text>'
        )
        for j, column in enumerate(columns):
            found = cells.get((i, j))
            if found is None:
                continue
            value, status = found
            shown = "no value" if value is None else _fmt(value)
            mark = Mark(f"{name} in {column.label}: {shown}", status, column.href)
            parts.append(_cell(label_w + j * cell, y, cell - 1, height, mark))
    total_h = max(len(rows) * (height + 2), height)
    return _svg(width, total_h, "".join(parts), f"drift of {len(rows)} features")


def nice_ticks(lo: float, hi: float) -> list[float]:
    """Round values between ``lo`` and ``hi`` for an axis: 1, 2 or 5 times 10^k."""
    if hi <= lo:
        return [lo]
    step = 10 ** math.floor(math.log10((hi - lo) / 3))
    for factor in (1, 2, 5, 10):
        if (hi - lo) / (step * factor) <= 5:
            step *= factor
            break
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step) + 1)]


_SHAPES = {
    "passed": "circle",
    "skipped": "ring",
    "warned": "triangle",
    "errored": "diamond",
    "failed": "cross",
}


def marker(status: str, cx: float, cy: float, r: float, title: str) -> str:
    """A point of a trend line: its shape says the status, as its colour does.

    passed is a dot, skipped a ring, warned a triangle, errored a diamond and failed
    a cross, so a chart of 90 runs reads without colour.
    """
    colour = COLOURS.get(status, _REFERENCE)
    shape = _SHAPES.get(status, "circle")
    x, y, k = _n(cx), _n(cy), r * 1.35
    if shape == "circle":
        body = f'<circle cx="{x}" cy="{y}" r="{_n(r)}" fill="{colour}"/>'
    elif shape == "ring":
        body = (
            f'<circle cx="{x}" cy="{y}" r="{_n(r)}" fill="#fff" stroke="{colour}" '
            f'stroke-width="1.2"/>'
        )
    elif shape == "triangle":
        body = (
            f'<path d="M{_n(cx)} {_n(cy - k)}L{_n(cx + k)} {_n(cy + k * 0.8)}'
            f'H{_n(cx - k)}Z" fill="{colour}"/>'
        )
    elif shape == "diamond":
        body = (
            f'<path d="M{_n(cx)} {_n(cy - k)}L{_n(cx + k)} {y}L{_n(cx)} '
            f'{_n(cy + k)}L{_n(cx - k)} {y}Z" fill="{colour}"/>'
        )
    else:
        body = (
            f'<path d="M{_n(cx - k)} {_n(cy - k)}L{_n(cx + k)} {_n(cy + k)}M'
            f'{_n(cx + k)} {_n(cy - k)}L{_n(cx - k)} {_n(cy + k)}" '
            f'stroke="{colour}" stroke-width="{_n(max(r * 0.8, 1.6))}" '
            f'stroke-linecap="round"/>'
        )
    return (
        f'<g class="mark" data-status="{escape(status)}"><title>{escape(title)}'
        f"</title>{body}</g>"
    )
