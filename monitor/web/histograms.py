"""Two distributions on one real value axis, as SVG: the reference's and the run's.

A column is drawn from its stored profiles (:mod:`modelhealth.web.distributions`).

- **Numeric**: each side's histogram on its own bin edges, placed on one shared value
  axis, so unequal (quantile) bins keep their real widths and a median that moves
  from 60 to 83 is seen moving. Heights are densities (share of the side's rows per
  unit of value), so a wide bin is not drawn tall for being wide and a reference of
  20,000 rows compares with a run of 4,000. The profile's outer bins are open; they
  are closed at the side's min and max. The reference is a grey area, the run a blue
  outline over it, each median a dashed line named in the legend. When one side's
  tail reaches far beyond the bulk of both (beyond twice the p1-p99 spread), the axis
  is clipped to that bulk and a note under it says how much of each side lies beyond.
- **Categorical** (and boolean): horizontal bars side by side per category, the
  reference's above the run's, with each share written at the bar's end; the most
  frequent categories first and the rest as "other".
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from modelhealth.checks.profile import QUANTILES as QUANTILE_LEVELS
from modelhealth.web.charts import FONT as _FONT
from modelhealth.web.charts import coord as _n
from modelhealth.web.charts import nice_ticks as _ticks
from modelhealth.web.charts import short_number as _fmt
from modelhealth.web.charts import svg_element as _svg

__all__ = ["Side", "category_bars", "histogram"]

REFERENCE, CURRENT = "#868e96", "#1c7ed6"
_WIDTH, _LEFT, _RIGHT, _TOP = 360.0, 22.0, 10.0, 24.0
_PLOT_H = 104.0
_TIPS = 30  # bins with a hover title each, at most (keeps an export small)
_SHOWN = 30  # inner bins drawn at most; more are summed in adjacent groups
_CLIP = 2.0  # clip the axis when the full range exceeds this many p1-p99 spreads


@dataclass(frozen=True)
class Side:
    """One side's numeric histogram and the summary that closes its open bins.

    ``edges`` are the inner edges (``counts`` has one more entry); ``low`` and
    ``high`` are the side's min and max, ``quantiles`` its stored quantiles
    (``{"p01": ..., "p50": ..., "p99": ...}``).
    """

    name: str
    colour: str
    edges: Sequence[float]
    counts: Sequence[float]
    low: float | None = None
    high: float | None = None
    quantiles: Mapping[str, float] = field(default_factory=dict)

    @property
    def median(self) -> float | None:
        return self.quantiles.get("p50")

    @property
    def core(self) -> tuple[float, float] | None:
        lo, hi = self.quantiles.get("p01"), self.quantiles.get("p99")
        return None if lo is None or hi is None else (lo, hi)


Bin = tuple[float, float, float]


def _merged(edges: list[float], counts: list[float]) -> tuple[list[float], list[float]]:
    """Adjacent inner bins summed in groups, to about ``_SHOWN`` bins: exact, and a
    run of a few thousand rows over a hundred bins stops looking like noise."""
    if len(counts) <= _SHOWN + 2:
        return edges, counts
    group = math.ceil((len(counts) - 2) / _SHOWN)
    inner = counts[1:-1]  # inner bin i spans edges[i] to edges[i + 1]
    kept, sums = [edges[0]], []
    for start in range(0, len(inner), group):
        sums.append(sum(inner[start : start + group]))
        kept.append(edges[min(start + group, len(edges) - 1)])
    return kept, [counts[0], *sums, counts[-1]]


def _tail(side: Side, share: float, start: float, end: float, upper: bool) -> list[Bin]:
    """An open outer bin split at the side's quantiles inside it.

    The bin holds ``share`` of the side's rows between ``start`` (its inner edge)
    and ``end`` (the side's min or max); each stored quantile in between says how
    much of that share lies on either side of it, so a long tail is drawn thinning
    out rather than as one flat block.
    """
    # quantiles are sketches: one a hair from an edge would split off a sliver
    # whose density is mostly error, so only those well inside the bin are used
    margin = abs(end - start) * 0.05
    levels = sorted(
        (v, QUANTILE_LEVELS[k])
        for k, v in side.quantiles.items()
        if k in QUANTILE_LEVELS
        and min(start, end) + margin < v < max(start, end) - margin
    )
    if upper:
        knots = [(start, 1.0 - share), *levels, (end, 1.0)]
    else:
        knots = [(end, 0.0), *levels, (start, share)]
    pieces = []
    for (a, fa), (b, fb) in itertools.pairwise(knots):
        pieces.append((a, b, max(fb - fa, 0.0)))
    total = sum(m for _, _, m in pieces) or 1.0
    return [(a, b, m / total * share) for a, b, m in pieces]


def _bins(side: Side) -> list[Bin]:
    """``(low, high, share)`` per bin, the open outer bins closed at min/max."""
    edges, counts = list(side.edges), [float(c) for c in side.counts]
    total = sum(counts)
    if len(counts) != len(edges) + 1 or not total:
        return []
    if not edges:
        lo = side.low if side.low is not None else 0.0
        hi = side.high if side.high is not None else lo
        return [(lo, hi if hi > lo else lo + (abs(lo) * 0.1 or 1.0), 1.0)]
    edges, counts = _merged(edges, counts)
    shares = [c / total for c in counts]
    inner = [b - a for a, b in itertools.pairwise(edges)]
    step = statistics.median(inner) if inner else (abs(edges[0]) * 0.1 or 1.0)
    found: list[Bin] = []
    if shares[0] > 0:
        if side.low is not None and side.low < edges[0]:
            found += _tail(side, shares[0], edges[0], side.low, upper=False)
        else:
            found.append((edges[0] - step, edges[0], shares[0]))
    pairs = zip(itertools.pairwise(edges), shares[1:-1], strict=True)
    found += [(a, b, c) for (a, b), c in pairs]
    if shares[-1] > 0:
        if side.high is not None and side.high > edges[-1]:
            found += _tail(side, shares[-1], edges[-1], side.high, upper=True)
        else:  # a discrete column's last value sits on the last edge
            found.append((edges[-1], edges[-1] + step, shares[-1]))
    return sorted(found)


def _window(
    sides: Sequence[Side], binned: Sequence[list[Bin]]
) -> tuple[float, float, bool]:
    """The value axis: every bin, or the bulk of both sides when a tail is far."""
    lo = min(b[0][0] for b in binned if b)
    hi = max(b[-1][1] for b in binned if b)
    lows = [s.low for s in sides if s.low is not None]
    highs = [s.high for s in sides if s.high is not None]
    cores = [s.core for s in sides if s.core is not None]
    if cores and lows and highs:
        core_lo, core_hi = min(c[0] for c in cores), max(c[1] for c in cores)
        spread = core_hi - core_lo
        if spread > 0 and max(highs) - min(lows) > _CLIP * spread:
            clipped = (max(lo, core_lo - spread / 4), min(hi, core_hi + spread / 4))
            return clipped[0], clipped[1], True
    return lo, hi, False


def _beyond(bins: list[Bin], lo: float, hi: float) -> float:
    """The share of a side's rows outside ``[lo, hi]``, spread evenly within bins."""
    out = 0.0
    for a, b, c in bins:
        width = (b - a) or 1.0
        out += c * (max(0.0, min(b, lo) - a) + max(0.0, b - max(a, hi))) / width
    return out


def histogram(sides: Sequence[Side], *, column: str = "") -> Markup:
    """Each side's histogram on one real value axis, medians dashed.

    Args:
        sides: the reference first (if any), then the run.
        column: the column's name, the axis title.
    """
    binned = [_bins(s) for s in sides]
    drawn = [(s, b) for s, b in zip(sides, binned, strict=True) if b]
    if not drawn:
        return _svg(_WIDTH, 40, _note(20, "no histogram stored"), "no histogram")
    lo, hi, clipped = _window([s for s, _ in drawn], [b for _, b in drawn])
    span = (hi - lo) or 1.0
    plot_w = _WIDTH - _LEFT - _RIGHT
    base = _TOP + _PLOT_H

    def x(v: float) -> float:
        return _LEFT + (min(max(v, lo), hi) - lo) / span * plot_w

    densities = [[c / ((b - a) or 1.0) for a, b, c in bins] for _, bins in drawn]
    peak = (
        max(
            (
                d
                for ds, (_, bins) in zip(densities, drawn, strict=True)
                for d, (a, b, _) in zip(ds, bins, strict=True)
                if b > lo and a < hi
            ),
            default=0.0,
        )
        or 1.0
    )
    parts = [_legend(s for s, _ in drawn)]
    for (side, bins), dens in zip(drawn, densities, strict=True):
        parts.append(_area(side, bins, dens, x, base, peak, lo, hi))
    for side, _ in drawn:
        if side.median is not None and lo <= side.median <= hi:
            mx = _n(x(side.median))
            parts.append(
                f'<line x1="{mx}" y1="{_TOP}" x2="{mx}" y2="{base}" '
                f'stroke="{side.colour}" stroke-width="1.5" stroke-dasharray="4 3">'
                f"<title>{escape(side.name)} median {_fmt(side.median)}</title></line>"
            )
    parts.append(_tips(drawn, x))
    parts.append(
        f'<line x1="{_LEFT}" y1="{base}" x2="{_WIDTH - _RIGHT}" y2="{base}" '
        f'stroke="#adb5bd"/><text x="10" y="{_n(_TOP + _PLOT_H / 2)}" '
        f'transform="rotate(-90 10 {_n(_TOP + _PLOT_H / 2)})" text-anchor="middle" '
        f'font-size="9" fill="#868e96" {_FONT}>density</text>'
    )
    for tick in _ticks(lo, hi):
        tx = _n(x(tick))
        parts.append(
            f'<line x1="{tx}" y1="{base}" x2="{tx}" y2="{base + 4}" stroke="#adb5bd"/>'
            f'<text x="{tx}" y="{base + 14}" text-anchor="middle" font-size="9" '
            f'fill="#495057" {_FONT}>{_fmt(tick)}</text>'
        )
    height = base + 30
    title = escape(column[:48]) if column else "value"
    parts.append(
        f'<text x="{_n(_LEFT + plot_w / 2)}" y="{base + 27}" text-anchor="middle" '
        f'font-size="10" fill="#495057" {_FONT}>{title}</text>'
    )
    if clipped:
        shares = ", ".join(
            f"{escape(s.name)} {_beyond(b, lo, hi):.1%}" for s, b in drawn
        )
        parts.append(
            _note(
                height + 8, f"axis clipped to {_fmt(lo)} to {_fmt(hi)}; beyond it: "
            ).replace("</text>", f"{shares}</text>")
        )
        parts.append(
            f'<text x="{_WIDTH - _RIGHT}" y="{base - 4}" text-anchor="end" '
            f'font-size="11" fill="#495057" {_FONT}>»</text>'
        )
        height += 14
    return _svg(_WIDTH, height, "".join(parts), "histograms on one value axis")


def _note(y: float, text: str) -> str:
    return (
        f'<text x="{_LEFT}" y="{_n(y)}" font-size="9" fill="#868e96" {_FONT}>'
        f"{escape(text)}</text>"
    )


def _legend(sides: Iterable[Side]) -> str:
    parts, at = [], _LEFT
    for side in sides:
        label = side.name
        if side.median is not None:
            label += f" (median {_fmt(side.median)})"
        parts.append(
            f'<rect x="{_n(at)}" y="4" width="10" height="9" fill="{side.colour}" '
            f'fill-opacity="0.5"/><text x="{_n(at + 14)}" y="12" font-size="10" '
            f'fill="#343a40" {_FONT}>{escape(label)}</text>'
        )
        at += 22 + 5.6 * len(label)
    return "".join(parts)


def _area(
    side: Side,
    bins: list[Bin],
    dens: list[float],
    to_x: Callable[[float], float],
    base: float,
    peak: float,
    lo: float,
    hi: float,
) -> str:
    points = [f"{_n(to_x(bins[0][0]))},{_n(base)}"]
    for (a, b, _), d in zip(bins, dens, strict=True):
        if b <= lo or a >= hi:
            continue
        y = _n(base - min(d / peak, 1.0) * _PLOT_H)
        points += [f"{_n(to_x(a))},{y}", f"{_n(to_x(b))},{y}"]
    points.append(f"{_n(to_x(bins[-1][1]))},{_n(base)}")
    reference = side.colour == REFERENCE
    fill = 'fill-opacity="0.35"' if reference else 'fill-opacity="0.15"'
    return (
        f'<polygon points="{" ".join(points)}" fill="{side.colour}" {fill} '
        f'stroke="{side.colour}" stroke-width="{1 if reference else 1.6}" '
        f'data-side="{escape(side.name)}"><title>{escape(side.name)}: '
        f"{len(bins)} bins</title></polygon>"
    )


def _tips(
    drawn: Sequence[tuple[Side, list[Bin]]],
    to_x: Callable[[float], float],
) -> str:
    """Invisible per-bin hover areas naming each side's share, when bins are few."""
    first = drawn[0][1]
    if len(first) > _TIPS or any(len(b) != len(first) for _, b in drawn):
        return ""
    parts = []
    for i, (a, b, _) in enumerate(first):
        x0, x1 = to_x(a), to_x(b)
        if x1 - x0 < 0.5:
            continue
        said = ", ".join(f"{s.name} {bins[i][2]:.1%}" for s, bins in drawn)
        parts.append(
            f'<rect x="{_n(x0)}" y="{_TOP}" width="{_n(x1 - x0)}" height="{_PLOT_H}" '
            f'fill="transparent"><title>{_fmt(a)} to {_fmt(b)}: '
            f"{escape(said)}</title></rect>"
        )
    return "".join(parts)


def category_bars(
    sides: Sequence[tuple[str, str, dict[str, float], float]], *, shown: int = 10
) -> Markup:
    """Category shares side by side: per category one bar per side, share written.

    Args:
        sides: ``(name, colour, counts by category, count of other values)`` for the
            reference (if any) and the run.
        shown: how many categories get their own bars; the rest join "other".
    """
    totals = [sum(c.values()) + other or 1.0 for _, _, c, other in sides]
    every = sorted(
        {k for _, _, c, _ in sides for k in c},
        key=lambda k: (
            -sum(c.get(k, 0) / t for (_, _, c, _), t in zip(sides, totals, strict=True))
        ),
    )
    names = every[:shown]
    rows = [
        [c.get(k, 0) / t for (_, _, c, _), t in zip(sides, totals, strict=True)]
        for k in names
    ]
    rest = [1.0 - sum(r[j] for r in rows) for j in range(len(sides))]
    if any(r > 0.0005 for r in rest):
        names.append("other")
        rows.append([max(r, 0.0) for r in rest])
    label_w, bar_h = 96.0, 7.0
    row_h = bar_h * len(sides) + 8
    peak = max((v for r in rows for v in r), default=0.0) or 1.0
    plot_w = _WIDTH - label_w - 40
    parts = [_legend(Side(n, colour, (), ()) for n, colour, _, _ in sides)]
    for i, (name, shares) in enumerate(zip(names, rows, strict=True)):
        y0 = _TOP + i * row_h
        parts.append(
            f'<text x="{label_w - 6}" y="{_n(y0 + row_h / 2 + 1)}" text-anchor="end" '
            f'font-size="10" fill="#343a40" {_FONT}><title>{escape(name)}</title>'
            f"{escape(name[:14] + ('…' if len(name) > 14 else ''))}</text>"
        )
        for j, ((side, colour, _, _), share) in enumerate(
            zip(sides, shares, strict=True)
        ):
            w = share / peak * plot_w
            y = y0 + 2 + j * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{_n(y)}" width="{_n(max(w, 0.5))}" '
                f'height="{bar_h - 1}" fill="{colour}" fill-opacity="0.7" '
                f'data-side="{escape(side)}"><title>{escape(name)}, {escape(side)}: '
                f"{share:.1%}</title></rect>"
                f'<text x="{_n(label_w + w + 3)}" y="{_n(y + bar_h - 1)}" '
                f'font-size="8" fill="#495057" {_FONT}>{share:.0%}</text>'
            )
    height = _TOP + len(names) * row_h + 6
    parts.append(
        f'<line x1="{label_w}" y1="{_TOP - 2}" x2="{label_w}" y2="{_n(height - 4)}" '
        f'stroke="#adb5bd"/>'
    )
    return _svg(_WIDTH, height, "".join(parts), "category shares side by side")
