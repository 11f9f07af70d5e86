"""The charts as a reader sees them (issue 16): axes that say what and when, levels
whose labels never collide, a scale one outlier cannot flatten, status that is
never colour alone, and distributions on a real value axis."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta, timezone

import pytest

from modelhealth.web.charts import GLYPHS, Mark, heatmap, strip
from modelhealth.web.histograms import CURRENT, REFERENCE, Side, category_bars
from modelhealth.web.histograms import histogram as draw_histogram
from modelhealth.web.trends import Series, line_chart

START = datetime(2026, 3, 1, 6, tzinfo=timezone.utc)
STATUSES = ["passed", "warned", "failed", "errored", "skipped"]


def _series(values, *, every=timedelta(days=1), **kw) -> Series:
    points = [
        (START + i * every, v, STATUSES[i % len(STATUSES)], f"run-{i}")
        for i, v in enumerate(values)
    ]
    return Series(points=points, **kw)


def _labels(svg: str) -> dict[str, float]:
    """Each gutter label's text and its y."""
    found = re.findall(
        r'<text x="[\d.]+" y="([\d.]+)" font-size="9" fill="#[0-9a-f]+"'
        r' font-family="[^"]+">([a-z ]+ [-\d.,k]+)</text>',
        svg,
    )
    return {text: float(y) for y, text in found}


def test_the_y_axis_has_a_title_and_the_x_axis_dated_ticks() -> None:
    svg = str(line_chart(_series([0.1] * 30, thresholds={}, axis="PSI (score)")))
    assert ">PSI (score)</text>" in svg
    months = re.findall(r">(Mar \d\d)</text>", svg)
    assert len(months) >= 3  # not only the first and last run
    assert months == sorted(months)


def test_hourly_runs_get_hour_ticks() -> None:
    svg = str(line_chart(_series([1.0] * 24, every=timedelta(hours=1), thresholds={})))
    hours = [int(h) for h in re.findall(r">01 (\d\d):00</text>", svg)]
    assert len(hours) >= 2
    steps = {b - a for a, b in itertools.pairwise(hours)}
    assert len(steps) == 1  # on whole hours, evenly spaced


def test_level_labels_never_overlap_and_name_their_values() -> None:
    svg = str(
        line_chart(
            _series([0.05, 0.2, 0.3] * 4, thresholds={"warn": 0.1, "fail": 0.102}),
            height=150,
        )
    )
    labels = _labels(svg)
    assert set(labels) == {"warn 0.1", "fail 0.102"}
    assert abs(labels["warn 0.1"] - labels["fail 0.102"]) >= 10


def test_the_baseline_label_sits_in_the_gutter_beside_its_level() -> None:
    svg = str(
        line_chart(
            _series([0.8, 0.79, 0.81] * 5, thresholds={"max drop": 0.76}, baseline=0.8)
        )
    )
    labels = _labels(svg)
    assert set(labels) == {"baseline 0.8", "max drop 0.76"}
    assert labels["baseline 0.8"] < labels["max drop 0.76"]  # drawn top-down
    x = re.search(r'<text x="([\d.]+)" y="[\d.]+" font-size="9"[^>]*>baseline', svg)
    assert x is not None
    assert float(x.group(1)) > 340 - 84  # right of the plot, never under the data


def test_one_outlier_does_not_flatten_the_series() -> None:
    values = [10.0 + (i % 5) for i in range(30)]
    values[12] = 1_000_000.0
    svg = str(line_chart(_series(values, thresholds={})))
    assert "1 point off the scale" in svg
    assert "1M (" in svg
    assert "off the scale</title>" in svg
    ticks = [
        float(t)
        for t in re.findall(
            r'text-anchor="end" font-size="9" '
            r'fill="#868e96"[^>]*>([\d.]+)</text>',
            svg,
        )
    ]
    assert max(ticks) < 20  # the axis keeps to the bulk


def test_ninety_runs_keep_a_status_shape_per_point() -> None:
    svg = str(line_chart(_series([float(i) for i in range(90)], thresholds={})))
    marks = re.findall(r'<g class="mark" data-status="(\w+)">', svg)
    assert len(marks) == 90
    shapes = {
        status: re.search(rf'data-status="{status}"><title>[^<]*</title><(\w+)', svg)
        for status in STATUSES
    }
    assert {k: m.group(1) for k, m in shapes.items() if m} == {
        "passed": "circle",
        "warned": "path",
        "failed": "path",
        "errored": "path",
        "skipped": "circle",
    }
    paths = {
        status: re.search(
            rf'data-status="{status}"><title>[^<]*</title><path d="'
            rf'([MLHZ\d. ]+)"',
            svg,
        )
        for status in ("warned", "failed", "errored")
    }
    assert len({m.group(1).count("L") for m in paths.values() if m}) == 3


@pytest.mark.parametrize("runs", [30, 90, 365])
def test_every_strip_cell_holds_its_glyph(runs: int) -> None:
    marks = [Mark(f"r{i}", STATUSES[i % 5], f"/r{i}") for i in range(runs)]
    html = str(strip(marks))
    cells = re.findall(r'class="cell s-(\w+)"[^>]*>(.)</a>', html)
    assert len(cells) == runs
    assert all(glyph == GLYPHS[status] for status, glyph in cells)


def test_every_heatmap_cell_holds_its_glyph_at_ninety_runs() -> None:
    runs = [Mark(f"r{i}", "passed") for i in range(90)]
    cells: dict[tuple[int, int], tuple[float | None, str]] = {
        (0, j): (0.1, STATUSES[j % 5]) for j in range(90)
    }
    svg = str(heatmap(["spend"], runs, cells))
    glyphs = re.findall(r'pointer-events="none"[^>]*>(.)</text>', svg)
    assert len(glyphs) == 90


def _median_x(svg: str, side: str) -> float:
    found = re.search(rf'<line x1="([\d.]+)"[^>]*><title>{side} median', svg)
    assert found is not None
    return float(found.group(1))


def _tick_x(svg: str, tick: str) -> float:
    found = re.search(rf'<line x1="([\d.]+)"[^>]*/><text[^>]*>{tick}</text>', svg)
    assert found is not None
    return float(found.group(1))


def test_histograms_share_one_real_value_axis() -> None:
    """Uneven quantile edges keep their widths: a median moving 60 -> 83 moves."""
    edges = [20.0, 45.0, 55.0, 60.0, 65.0, 75.0, 100.0]
    reference = Side(
        "reference",
        REFERENCE,
        edges,
        [5, 20, 20, 10, 10, 20, 10, 5],
        low=0.0,
        high=120.0,
        quantiles={"p01": 5.0, "p50": 60.0, "p99": 110.0},
    )
    run = Side(
        "this run",
        CURRENT,
        edges,
        [0, 2, 5, 5, 5, 10, 40, 33],
        low=30.0,
        high=130.0,
        quantiles={"p01": 40.0, "p50": 83.0, "p99": 125.0},
    )
    svg = str(draw_histogram([reference, run], column="spend"))
    assert svg.count("<polygon") == 2
    assert "reference (median 60)" in svg
    assert "this run (median 83)" in svg
    x60, x83 = _median_x(svg, "reference"), _median_x(svg, "this run")
    x0, x100 = (_tick_x(svg, tick) for tick in ("0", "100"))
    assert (x60 - x0) / (x100 - x0) == pytest.approx(0.6, abs=0.01)
    assert (x83 - x0) / (x100 - x0) == pytest.approx(0.83, abs=0.01)
    assert ">spend</text>" in svg  # the axis title


def test_a_far_tail_clips_the_value_axis_and_says_so() -> None:
    edges = [float(e) for e in range(1, 10)]
    side = Side(
        "this run",
        CURRENT,
        edges,
        [10] * 10,
        low=0.0,
        high=1e6,
        quantiles={"p01": 0.1, "p50": 5.0, "p99": 9.9},
    )
    svg = str(draw_histogram([side]))
    assert "axis clipped to" in svg
    assert "beyond it: this run" in svg


def test_category_bars_put_the_sides_next_to_each_other() -> None:
    svg = str(
        category_bars(
            [
                ("reference", REFERENCE, {"basic": 60, "pro": 40}, 0),
                ("this run", CURRENT, {"Basic": 60, "Pro": 40}, 0),
            ]
        )
    )
    for name in ("basic", "pro", "Basic", "Pro"):
        assert f"<title>{name}</title>" in svg
    assert svg.count('data-side="reference"') == 4  # one bar per category and side
    assert "basic, reference: 60.0%" in svg
    assert "Basic, this run: 60.0%" in svg
