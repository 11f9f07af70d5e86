from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from modelhealth.checks.base import CheckContext, CheckResult, Status
from modelhealth.checks.volume import VolumeCheck, VolumeParams


def run(
    make_ctx: Callable[..., CheckContext],
    frame: pd.DataFrame,
    row_counts: tuple[int, ...] | None = None,
    recent: tuple[int, ...] = (),
    **params: Any,
) -> CheckResult:
    check = VolumeCheck(VolumeParams(id="vol", **params))
    ctx = make_ctx(check.params, frame, row_counts=row_counts, recent=recent)
    [result] = check.run(ctx)
    return result


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"min_rows": 100}, Status.PASSED),
        ({"min_rows": 101}, Status.FAILED),
        ({"max_rows": 99}, Status.FAILED),
        ({"min_rows": 10, "max_rows": 100}, Status.PASSED),
    ],
)
def test_bounds(make_ctx, frame, params, status):
    result = run(make_ctx, frame(100), **params)
    assert result.status is status
    assert result.value == 100
    assert result.subject is None


def test_bounds_message(make_ctx, frame):
    result = run(make_ctx, frame(50), min_rows=100)
    assert result.message == "50 rows below min 100"
    assert result.threshold == {"min": 100}


@pytest.mark.parametrize(
    ("rows", "status"),
    [(100, Status.PASSED), (125, Status.WARNED), (40, Status.FAILED)],
)
def test_change_against_recent_runs(make_ctx, frame, rows, status):
    result = run(
        make_ctx,
        frame(rows),
        row_counts=(5000,),  # a training set's size is not what a day should match
        recent=(90, 110),
        max_change={"warn": 0.2, "fail": 0.5},
    )
    assert result.status is status
    assert result.metrics["change"] == pytest.approx(abs(rows - 100) / 100)
    assert "the last 2 runs (100 rows)" in result.message


def test_change_against_reference(make_ctx, frame):
    result = run(
        make_ctx,
        frame(125),
        row_counts=(90, 110),
        recent=(125,),
        max_change={"warn": 0.2, "fail": 0.5},
        against="reference",
    )
    assert result.status is Status.WARNED
    assert "25% change from the mean of baseline v1 (100 rows)" in result.message


def test_worst_part_wins(make_ctx, frame):
    result = run(
        make_ctx, frame(125), recent=(100,), max_rows=120, max_change={"warn": 0.2}
    )
    assert result.status is Status.FAILED
    assert "above max 120" in result.message
    assert "25% change" in result.message


def test_no_reference_only_change_is_skipped(make_ctx, frame):
    result = run(make_ctx, frame(10), max_change={"fail": 0.5})
    assert result.status is Status.SKIPPED
    assert "nothing to compare the row count with yet" in result.message


def test_no_reference_with_bounds_grades_bounds(make_ctx, frame):
    result = run(make_ctx, frame(10), min_rows=1, max_change={"fail": 0.5})
    assert result.status is Status.PASSED
    assert "max_change was not checked" in result.message


def test_empty_run_fails_min_rows(make_ctx, frame):
    result = run(make_ctx, frame(10).iloc[:0], min_rows=1)
    assert result.status is Status.FAILED
