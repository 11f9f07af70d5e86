"""A check's value over time, as SVG: dated ticks, a titled axis, labelled levels.

:func:`line_chart` draws one check's series (one point per run) so that it reads on
its own:

- the y axis has a title with its unit (``PSI (score)``, ``rows (count)``), given by
  :mod:`modelhealth.web.axes`;
- the x axis is time, with ticks on round dates (days, weeks or hours, as the span
  asks), not only the first and last run;
- warn/fail (or min/max, max drop) levels are dashed lines labelled in a gutter
  right of the plot, as is the baseline; labels that would overlap are pushed apart
  and tied to their line by a short leader, so no label covers another or the data;
- a robust scale: when a point lies far outside the bulk of the series (beyond
  three spreads of its 5th-95th percentiles), the axis keeps to the bulk and the
  levels, the point is drawn on the plot's edge as an arrow, and a note says how
  many points are off the scale (each keeps its value in its tooltip);
- each point is a shape per status (:func:`modelhealth.web.charts.marker`);
- an ``estimated_metric`` check's realized value (stored once the labels arrived)
  is a second, dashed series beside the estimate, with a legend; runs whose labels
  are not in yet have no realized point, so the gap shows what the labels have not
  confirmed yet;
- a history threshold's band (the levels it resolved for each run, which move
  with the history) is a shaded area behind the series.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from markupsafe import Markup, escape

from modelhealth.web.charts import COLOURS, marker, nice_ticks
from modelhealth.web.charts import FONT as _FONT
from modelhealth.web.charts import coord as _n
from modelhealth.web.charts import short_number as _fmt
from modelhealth.web.charts import svg_element as _svg

__all__ = ["Series", "line_chart"]

_REFERENCE = "#868e96"
_LEVELS = {"fail": COLOURS["failed"], "max": COLOURS["failed"]}
_LEVELS.update({"min": COLOURS["failed"], "max drop": COLOURS["failed"]})
_LEFT, _RIGHT, _TOP, _BOTTOM = 46.0, 84.0, 16.0, 22.0
_GAP = 10.0  # the least distance between two level labels
_FENCE = 3.0  # points beyond this many 5-95% spreads are off the scale


@dataclass(frozen=True)
class Series:
    """A check's values over time: ``(when, value, status, label)`` per run.

    ``axis`` titles the y axis (with its unit); ``thresholds`` are the levels drawn
    across the chart; ``baseline`` is a reference value (a metric's, before
    deployment); ``realized`` is ``(when, value, label)`` of the value realized
    beside an estimate; ``band`` is ``(when, lower, upper)`` of the levels a
    history threshold resolved per run.
    """

    points: Sequence[tuple[datetime, float | None, str, str]]
    thresholds: dict[str, float | None]
    baseline: float | None = None
    axis: str = "value"
    realized: Sequence[tuple[datetime, float | None, str]] = ()
    band: Sequence[tuple[datetime, float, float]] = ()


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    at = q * (len(ordered) - 1)
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def _domain(
    values: Sequence[float], fixed: Sequence[float]
) -> tuple[float, float, bool]:
    """The y range: every value and level, or the bulk and levels past an outlier."""
    lo, hi = min([*values, *fixed]), max([*values, *fixed])
    if len(values) >= 5:
        q5, q95 = _quantile(values, 0.05), _quantile(values, 0.95)
        spread = (q95 - q5) or (abs(q95) * 0.1 or 1.0)
        fence = (q5 - _FENCE * spread, q95 + _FENCE * spread)
        inside = [v for v in values if fence[0] <= v <= fence[1]]
        if len(inside) < len(values):
            lo, hi = min([*inside, *fixed]), max([*inside, *fixed])
    pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1.0
    lo, hi = lo - pad, hi + pad
    return lo, hi, any(not lo <= v <= hi for v in values)


_STEPS = [timedelta(hours=h) for h in (1, 2, 3, 6, 12)] + [
    timedelta(days=d) for d in (1, 2, 7, 14, 28, 91, 182, 364)
]


def _time_ticks(t0: datetime, t1: datetime, most: int) -> list[tuple[datetime, str]]:
    """Round times between ``t0`` and ``t1`` (at most ``most``), with their labels."""
    span = t1 - t0
    step = next((s for s in _STEPS if span / s <= most), _STEPS[-1])
    start = t0.astimezone(timezone.utc)
    if step >= timedelta(days=1):
        start = start.replace(hour=0, minute=0, second=0, microsecond=0)
        if step >= timedelta(days=7):
            start -= timedelta(days=start.weekday())  # weeks start on Mondays
        fmt = "%b %d" if step < timedelta(days=91) else "%Y-%m"
    else:
        hours = int(step.total_seconds() // 3600)
        start = start.replace(minute=0, second=0, microsecond=0)
        start = start.replace(hour=start.hour - start.hour % hours)
        fmt = "%d %H:%M"
    ticks, t = [], start
    while t <= t1:
        if t >= t0:
            ticks.append((t, t.strftime(fmt)))
        t += step
    return ticks


def _spread_labels(wanted: list[float], top: float, bottom: float) -> list[float]:
    """Label positions near ``wanted`` (sorted top-down), at least ``_GAP`` apart."""
    placed: list[float] = []
    for y in wanted:
        placed.append(max(y, placed[-1] + _GAP) if placed else max(y, top))
    overflow = (placed[-1] - bottom) if placed else 0.0
    if overflow > 0:  # push the stack back up from the bottom
        placed = [p - overflow for p in placed]
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - _GAP)
    return placed


def line_chart(
    series: Series,
    *,
    width: float = 340,
    height: float = 150,
    href: Callable[[str], str] | None = None,
) -> Markup:
    """A check's value over time, with its levels and baseline labelled in a gutter.

    Each point is a status shape titled with run, value and status, and links to
    its run when ``href`` is given.
    """
    known = [(t, v, s, lab) for t, v, s, lab in series.points if v is not None]
    levels = {k: v for k, v in series.thresholds.items() if v is not None}
    if not known:
        body = (
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" '
            f'font-size="12" fill="#868e96" {_FONT}>no values to draw</text>'
        )
        return _svg(width, height, body, "no values")
    fixed = list(levels.values())
    if series.baseline is not None:
        fixed.append(series.baseline)
    realized = [(t, v, lab) for t, v, lab in series.realized if v is not None]
    drawn = [v for _, v, _, _ in known] + [v for _, v, _ in realized]
    lo, hi, clipped = _domain(
        drawn + [b for _, *pair in series.band for b in pair], fixed
    )
    plot_r, plot_b = width - _RIGHT, height - _BOTTOM
    t0, t1 = known[0][0], known[-1][0]
    span = (t1 - t0).total_seconds() or 1.0

    def x(t: datetime) -> float:
        if len(known) == 1:
            return (_LEFT + plot_r) / 2
        return _LEFT + (t - t0).total_seconds() / span * (plot_r - _LEFT)

    def y(v: float) -> float:
        return _TOP + (hi - min(max(v, lo), hi)) / (hi - lo) * (plot_b - _TOP)

    mid = _n((_TOP + plot_b) / 2)
    parts = [
        f'<text x="11" y="{mid}" transform="rotate(-90 11 {mid})" '
        f'text-anchor="middle" font-size="9.5" fill="#495057" {_FONT}>'
        f"{escape(series.axis)}</text>"
    ]
    for tick in nice_ticks(lo, hi):
        ty = _n(y(tick))
        parts.append(
            f'<line x1="{_LEFT}" y1="{ty}" x2="{_n(plot_r)}" y2="{ty}" '
            f'stroke="#f1f3f5"/><text x="{_LEFT - 4}" y="{_n(y(tick) + 3)}" '
            f'text-anchor="end" font-size="9" fill="#868e96" {_FONT}>{_fmt(tick)}'
            "</text>"
        )
    if len(known) > 1:
        for when, text in _time_ticks(t0, t1, max(2, int((plot_r - _LEFT) // 36))):
            tx = _n(x(when))
            parts.append(
                f'<line x1="{tx}" y1="{_n(plot_b)}" x2="{tx}" y2="{_n(plot_b + 3)}" '
                f'stroke="#adb5bd"/><text x="{tx}" y="{_n(height - 8)}" '
                f'text-anchor="middle" font-size="9" fill="#868e96" {_FONT}>'
                f"{text}</text>"
            )
    else:
        parts.append(
            f'<text x="{_n(x(t0))}" y="{_n(height - 8)}" text-anchor="middle" '
            f'font-size="9" fill="#868e96" {_FONT}>{t0:%Y-%m-%d}</text>'
        )
    parts.append(
        f'<line x1="{_LEFT}" y1="{_n(plot_b)}" x2="{_n(plot_r)}" y2="{_n(plot_b)}" '
        f'stroke="#adb5bd"/>'
    )
    if series.band:
        parts.append(_band(series.band, x, y))
    parts += _level_lines(levels, series.baseline, y, (plot_r, plot_b))
    parts.append(_line_and_points(known, x, y, lo, hi, href))
    if realized:
        parts.append(_realized(realized, x, y, plot_r))
    off = sum(1 for v in drawn if not lo <= v <= hi)
    if clipped and off:
        parts.append(
            f'<text x="{_LEFT + 2}" y="10" font-size="9" fill="#495057" {_FONT}>'
            f"{off} point{'s' if off != 1 else ''} off the scale (arrows); "
            "hover for values</text>"
        )
    return _svg(width, height, "".join(parts), f"{series.axis} over time")


def _level_lines(
    levels: dict[str, float],
    baseline: float | None,
    y: Callable[[float], float],
    corner: tuple[float, float],
) -> list[str]:
    plot_r, plot_b = corner
    named = [
        (name, value, _LEVELS.get(name, COLOURS["warned"]), True)
        for name, value in levels.items()
    ]
    if baseline is not None:
        named.append(("baseline", baseline, _REFERENCE, False))
    named.sort(key=lambda item: y(item[1]))
    wanted = [y(value) + 3 for _, value, _, _ in named]
    placed = _spread_labels(wanted, _TOP + 3, plot_b + 3)
    parts = []
    for (name, value, colour, dashed), label_y in zip(named, placed, strict=True):
        ly = _n(y(value))
        dash = ' stroke-dasharray="4 3"' if dashed else ' stroke-width="1.5"'
        parts.append(
            f'<line x1="{_LEFT}" y1="{ly}" x2="{_n(plot_r)}" y2="{ly}" '
            f'stroke="{colour}"{dash}><title>{escape(name)} {_fmt(value)}</title>'
            f'</line><path d="M{_n(plot_r)} {ly}L{_n(plot_r + 4)} {_n(label_y - 3)}" '
            f'stroke="{colour}" fill="none"/><text x="{_n(plot_r + 6)}" '
            f'y="{_n(label_y)}" font-size="9" fill="{colour}" {_FONT}>'
            f"{escape(name)} {_fmt(value)}</text>"
        )
    return parts


def _line_and_points(
    known: Sequence[tuple[datetime, float, str, str]],
    x: Callable[[datetime], float],
    y: Callable[[float], float],
    lo: float,
    hi: float,
    href: Callable[[str], str] | None,
) -> str:
    path = " ".join(f"{_n(x(t))},{_n(y(v))}" for t, v, _, _ in known)
    parts = [
        f'<polyline points="{path}" fill="none" stroke="#495057" '
        f'stroke-width="1.1" stroke-opacity="0.7"/>'
    ]
    radius = 3.2 if len(known) <= 40 else 2.4
    for t, v, status, label in known:
        title = f"{label}: {_fmt(v)} ({status})"
        if lo <= v <= hi:
            dot = marker(status, x(t), y(v), radius, title)
        else:
            up = v > hi
            cx, cy = x(t), y(v) + (4 if up else -4)
            tip = cy - 5 if up else cy + 5
            dot = (
                f'<g class="mark off-scale" data-status="{escape(status)}">'
                f"<title>{escape(title)}, off the scale</title>"
                f'<path d="M{_n(cx)} {_n(tip)}L{_n(cx + 4)} {_n(cy)}H{_n(cx - 4)}Z" '
                f'fill="{COLOURS.get(status, _REFERENCE)}"/></g>'
            )
        parts.append(f'<a href="{escape(href(label))}">{dot}</a>' if href else dot)
    return "".join(parts)


_REALIZED = "#1c7ed6"


def _band(
    band: Sequence[tuple[datetime, float, float]],
    x: Callable[[datetime], float],
    y: Callable[[float], float],
) -> str:
    """The history threshold's band: upper levels left to right, lower back."""
    upper = [f"{_n(x(t))},{_n(y(hi))}" for t, _, hi in band]
    lower = [f"{_n(x(t))},{_n(y(lo))}" for t, lo, _ in reversed(band)]
    if len(band) == 1:  # one run: a short bar, not an invisible sliver
        _, lo, hi = band[0]
        cx = x(band[0][0])
        upper = [f"{_n(cx - 4)},{_n(y(hi))}", f"{_n(cx + 4)},{_n(y(hi))}"]
        lower = [f"{_n(cx + 4)},{_n(y(lo))}", f"{_n(cx - 4)},{_n(y(lo))}"]
    last = band[-1]
    return (
        f'<polygon class="history-band" points="{" ".join(upper + lower)}" '
        f'fill="{COLOURS["warned"]}" fill-opacity="0.12" stroke="none">'
        f"<title>history band, latest {_fmt(last[1])} to {_fmt(last[2])}</title>"
        "</polygon>"
    )


def _realized(
    realized: Sequence[tuple[datetime, float, str]],
    x: Callable[[datetime], float],
    y: Callable[[float], float],
    plot_r: float,
) -> str:
    """The realized series: dashed, in its own colour, with a legend."""
    path = " ".join(f"{_n(x(t))},{_n(y(v))}" for t, v, _ in realized)
    parts = [
        f'<g class="realized"><polyline points="{path}" fill="none" '
        f'stroke="{_REALIZED}" stroke-width="1.3" stroke-dasharray="4 2"/>'
    ]
    for t, v, label in realized:
        parts.append(
            f'<circle cx="{_n(x(t))}" cy="{_n(y(v))}" r="2.2" fill="{_REALIZED}">'
            f"<title>{escape(label)}: realized {_fmt(v)}</title></circle>"
        )
    parts.append(
        f'</g><g class="legend"><line x1="{_n(plot_r - 128)}" y1="6" '
        f'x2="{_n(plot_r - 116)}" y2="6" stroke="#495057"/>'
        f'<text x="{_n(plot_r - 113)}" y="9" font-size="9" fill="#495057" {_FONT}>'
        f'estimate</text><line x1="{_n(plot_r - 68)}" y1="6" x2="{_n(plot_r - 56)}" '
        f'y2="6" stroke="{_REALIZED}" stroke-dasharray="4 2"/>'
        f'<text x="{_n(plot_r - 53)}" y="9" font-size="9" fill="{_REALIZED}" '
        f"{_FONT}>realized (labels)</text></g>"
    )
    return "".join(parts)
