"""Two distributions overlaid, as SVG: the reference's (grey) and the run's (blue).

A drifted feature is drawn from its stored profiles
(:mod:`modelhealth.web.distributions`):
a numeric column as its histogram on the reference's bins, a categorical column as
the share of each category. Heights are shares of each side's rows, so a reference
of 20,000 rows and a run of 4,000 compare directly. A few bins are drawn as bars
side by side; many bins (profiles keep up to a hundred) as two overlaid step areas,
which stay readable where bars would be hairlines. Bins are drawn equally wide
whatever their edges (the profile's bins are quantiles of the reference, so each
holds about the same share of it); the axis names the edges.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from modelhealth.web.charts import FONT as _FONT
from modelhealth.web.charts import coord as _n
from modelhealth.web.charts import short_number as _fmt
from modelhealth.web.charts import svg_element as _svg

__all__ = ["category_bars", "histogram"]

_REFERENCE, _CURRENT = "#868e96", "#1c7ed6"
_WIDTH, _HEIGHT, _LEFT, _BOTTOM, _TOP = 360.0, 150.0, 34.0, 30.0, 16.0
_MANY = 24


def _shares(counts: Sequence[float]) -> list[float]:
    total = sum(counts) or 1
    return [c / total for c in counts]


def _frame(peak: float) -> list[str]:
    plot_bottom = _HEIGHT - _BOTTOM
    return [
        f'<rect x="{_LEFT + 4}" y="2" width="10" height="8" fill="{_REFERENCE}" '
        f'fill-opacity="0.45"/><text x="{_LEFT + 18}" y="10" font-size="10" '
        f'{_FONT}>reference</text><rect x="{_LEFT + 84}" y="2" width="10" '
        f'height="8" fill="{_CURRENT}" fill-opacity="0.6"/><text x="{_LEFT + 98}" '
        f'y="10" font-size="10" {_FONT}>this run</text>',
        f'<text x="{_LEFT - 4}" y="{_TOP + 8}" text-anchor="end" font-size="10" '
        f'fill="#868e96" {_FONT}>{peak:.0%}</text>',
        f'<line x1="{_LEFT}" y1="{plot_bottom}" x2="{_WIDTH}" y2="{plot_bottom}" '
        f'stroke="#adb5bd"/>',
    ]


def _side_by_side(
    labels: Sequence[str], ref: Sequence[float], cur: Sequence[float], peak: float
) -> list[str]:
    slot = (_WIDTH - _LEFT - 4) / max(len(labels), 1)
    plot_h = _HEIGHT - _TOP - _BOTTOM
    parts = []
    for i, name in enumerate(labels):
        x0 = _LEFT + 4 + i * slot
        sides = (
            (ref[i], _REFERENCE, 0.45, "reference"),
            (cur[i], _CURRENT, 0.6, "run"),
        )
        for k, (share, colour, opacity, who) in enumerate(sides):
            h = share / peak * plot_h
            parts.append(
                f'<rect x="{_n(x0 + k * slot * 0.42 + slot * 0.08)}" '
                f'y="{_n(_TOP + plot_h - h)}" width="{_n(slot * 0.42)}" '
                f'height="{_n(h)}" fill="{colour}" fill-opacity="{opacity}">'
                f"<title>{escape(name)}, {who}: {share:.1%}</title></rect>"
            )
    return parts


def _areas(ref: Sequence[float], cur: Sequence[float], peak: float) -> list[str]:
    slot = (_WIDTH - _LEFT - 4) / max(len(ref), 1)
    plot_h = _HEIGHT - _TOP - _BOTTOM
    base = _TOP + plot_h
    parts = []
    for shares, colour, opacity, who in (
        (ref, _REFERENCE, 0.45, "reference"),
        (cur, _CURRENT, 0.45, "this run"),
    ):
        points = [f"{_n(_LEFT + 4)},{_n(base)}"]
        for i, share in enumerate(shares):
            y = base - share / peak * plot_h
            x0, x1 = _LEFT + 4 + i * slot, _LEFT + 4 + (i + 1) * slot
            points += [f"{_n(x0)},{_n(y)}", f"{_n(x1)},{_n(y)}"]
        points.append(f"{_n(_LEFT + 4 + len(shares) * slot)},{_n(base)}")
        parts.append(
            f'<polygon points="{" ".join(points)}" fill="{colour}" '
            f'fill-opacity="{opacity}" stroke="{colour}" stroke-width="1">'
            f"<title>{who}: {len(shares)} bins</title></polygon>"
        )
    return parts


def _axis(labels: Sequence[str], edges: Sequence[float]) -> list[str]:
    slot = (_WIDTH - _LEFT - 4) / max(len(labels), 1)
    y = _HEIGHT - _BOTTOM
    if not edges:
        if len(labels) > 14:
            return []
        return [
            f'<text x="{_n(_LEFT + 4 + (i + 0.5) * slot)}" y="{y + 12}" '
            f'text-anchor="middle" font-size="9" fill="#495057" {_FONT}>'
            f"{escape(name[:10])}</text>"
            for i, name in enumerate(labels)
        ]
    every = max(1, math.ceil(len(edges) * 34 / (_WIDTH - _LEFT)))
    return [
        f'<line x1="{_n(x)}" y1="{y}" x2="{_n(x)}" y2="{y + 4}" stroke="#adb5bd"/>'
        f'<text x="{_n(x)}" y="{y + 14}" text-anchor="middle" font-size="9" '
        f'fill="#495057" {_FONT}>{_fmt(edge)}</text>'
        for i, edge in enumerate(edges)
        if i % every == 0
        for x in (_LEFT + 4 + (i + 1) * slot,)
    ]


def _chart(
    labels: Sequence[str],
    ref: Sequence[float],
    cur: Sequence[float],
    title: str,
    edges: Sequence[float] = (),
) -> Markup:
    peak = max([*ref, *cur, 0.01])
    parts = _frame(peak)
    if edges and len(labels) > _MANY:
        parts += _areas(ref, cur, peak)
    else:
        parts += _side_by_side(labels, ref, cur, peak)
    parts += _axis(labels, edges)
    return _svg(_WIDTH, _HEIGHT, "".join(parts), title)


def histogram(
    edges: Sequence[float], reference: Sequence[float], current: Sequence[float]
) -> Markup:
    """Reference and run histograms on the same bins (the reference's edges).

    The outer two bins are open (``< edges[0]`` and ``>= edges[-1]``), as the
    profile keeps them.
    """
    labels = [f"<{_fmt(edges[0])}"] if edges else ["all"]
    labels += [f"{_fmt(a)} to {_fmt(b)}" for a, b in itertools.pairwise(edges)]
    if edges:
        labels.append(f">={_fmt(edges[-1])}")
    n = min(len(labels), len(reference), len(current))
    return _chart(
        labels[:n],
        _shares(reference)[:n],
        _shares(current)[:n],
        "histograms overlaid",
        edges[: max(n - 1, 0)],
    )


def category_bars(
    reference: dict[str, float],
    current: dict[str, float],
    *,
    others: tuple[float, float] = (0, 0),
) -> Markup:
    """Category shares of the reference and the run, the most frequent first.

    ``others`` counts the values each side kept outside its categories, so shares
    are of all values even when only the top categories are drawn.
    """
    ref_total = sum(reference.values()) + others[0] or 1
    cur_total = sum(current.values()) + others[1] or 1
    names = sorted(
        set(reference) | set(current),
        key=lambda c: -(reference.get(c, 0) + current.get(c, 0)),
    )[:14]
    return _chart(
        names,
        [reference.get(c, 0) / ref_total for c in names],
        [current.get(c, 0) / cur_total for c in names],
        "category shares",
    )
