"""Server-side SVG charts: no JavaScript, no CDN, the same in a page and an export.

Every function returns :class:`markupsafe.Markup` holding one ``<svg>`` element.
Every piece of text in it (model, check and column names, run ids) goes through
:func:`markupsafe.escape`, so a name full of HTML draws as text. Status is drawn with
colour *and* carried by text: each mark has a ``<title>`` (the browser's tooltip and
what a screen reader reads) naming the status, and strips and heatmaps put a glyph in
cells wide enough to hold one.

Charts are sized in SVG units with a ``viewBox`` and scale to their container.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

__all__ = [
    "COLOURS",
    "FONT",
    "GLYPHS",
    "Mark",
    "Series",
    "coord",
    "heatmap",
    "line_chart",
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


@dataclass(frozen=True)
class Series:
    """A check's values over time: ``(when, value, status, label)`` per run."""

    points: Sequence[tuple[datetime, float | None, str, str]]
    thresholds: dict[str, float | None]
    baseline: float | None = None


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


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


def strip(marks: Sequence[Mark], *, cell: float = 12, height: float = 18) -> Markup:
    """A row of run cells, oldest on the left, coloured and titled by status."""
    gap = 2 if cell >= 6 else 1
    width = max(len(marks) * (cell + gap), cell)
    body = "".join(
        _cell(i * (cell + gap), 0, cell, height, m) for i, m in enumerate(marks)
    )
    return _svg(width, height, body, f"history of {len(marks)} runs")


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
    cell = max(4.0, min(22.0, 760 / max(len(columns), 1)))
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


def _ticks(lo: float, hi: float) -> list[float]:
    if hi <= lo:
        return [lo]
    step = 10 ** math.floor(math.log10((hi - lo) / 3))
    for factor in (1, 2, 5, 10):
        if (hi - lo) / (step * factor) <= 5:
            step *= factor
            break
    first = math.ceil(lo / step) * step
    return [first + k * step for k in range(int((hi - first) / step) + 1)]


_LEVELS = {
    "fail": COLOURS["failed"],
    "max": COLOURS["failed"],
    "min": COLOURS["failed"],
    "max drop": COLOURS["failed"],
}


def line_chart(
    series: Series,
    *,
    width: float = 320,
    height: float = 130,
    href: Callable[[str], str] | None = None,
) -> Markup:
    """A check's value over time, with its warn/fail (or min/max) levels dashed.

    A point is coloured by its result's status and titled with run, value, status;
    a ``baseline`` draws as a grey line labelled "baseline".
    """
    known = [(t, v, s, lab) for t, v, s, lab in series.points if v is not None]
    levels = {k: v for k, v in series.thresholds.items() if v is not None}
    ys = [v for _, v, _, _ in known] + list(levels.values())
    if series.baseline is not None:
        ys.append(series.baseline)
    if not known:
        body = (
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
            f'font-size="12" fill="#868e96" {_FONT}>no values to draw</text>'
        )
        return _svg(width, height, body, "no values")
    lo, hi = min(ys), max(ys)
    pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1.0
    lo, hi = lo - pad, hi + pad
    left, right, top, bottom = 44, 8, 8, 20
    t0 = known[0][0].timestamp()
    span = (known[-1][0].timestamp() - t0) or 1.0

    def x(t: datetime) -> float:
        if len(known) == 1:
            return left + (width - left - right) / 2
        return left + (t.timestamp() - t0) / span * (width - left - right)

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * (height - top - bottom)

    parts = [
        f'<line x1="{left}" y1="{_n(y(tick))}" x2="{width - right}" y2="{_n(y(tick))}" '
        f'stroke="#f1f3f5"/><text x="{left - 4}" y="{_n(y(tick) + 4)}" '
        f'text-anchor="end" font-size="10" fill="#868e96" {_FONT}>{_fmt(tick)}</text>'
        for tick in _ticks(lo, hi)
    ]
    for name, level in sorted(levels.items()):
        colour = _LEVELS.get(name, COLOURS["warned"])
        parts.append(
            f'<line x1="{left}" y1="{_n(y(level))}" x2="{width - right}" '
            f'y2="{_n(y(level))}" stroke="{colour}" stroke-dasharray="4 3">'
            f"<title>{escape(name)} {_fmt(level)}</title></line>"
            f'<text x="{width - right - 2}" y="{_n(y(level) - 3)}" text-anchor="end" '
            f'font-size="9" fill="{colour}" {_FONT}>{escape(name)}</text>'
        )
    if series.baseline is not None:
        b = series.baseline
        parts.append(
            f'<line x1="{left}" y1="{_n(y(b))}" x2="{width - right}" y2="{_n(y(b))}" '
            f'stroke="{_REFERENCE}" stroke-width="1.5"><title>baseline {_fmt(b)}'
            f'</title></line><text x="{left + 2}" y="{_n(y(b) - 3)}" font-size="9" '
            f'fill="{_REFERENCE}" {_FONT}>baseline</text>'
        )
    path = " ".join(f"{_n(x(t))},{_n(y(v))}" for t, v, _, _ in known)
    parts.append(
        f'<polyline points="{path}" fill="none" stroke="#495057" stroke-width="1.2"/>'
    )
    radius = 3 if len(known) <= 60 else 1.8
    for t, v, status, label in known:
        dot = (
            f'<circle cx="{_n(x(t))}" cy="{_n(y(v))}" r="{radius}" '
            f'fill="{COLOURS.get(status, _REFERENCE)}" data-status="{escape(status)}">'
            f"<title>{escape(label)}: {_fmt(v)} ({escape(status)})</title></circle>"
        )
        parts.append(f'<a href="{escape(href(label))}">{dot}</a>' if href else dot)
    for t, anchor in ((known[0][0], "start"), (known[-1][0], "end")):
        parts.append(
            f'<text x="{_n(x(t))}" y="{height - 5}" text-anchor="{anchor}" '
            f'font-size="10" fill="#868e96" {_FONT}>{t:%Y-%m-%d}</text>'
        )
    return _svg(width, height, "".join(parts), "values over time")
