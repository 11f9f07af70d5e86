"""Bad input to the drift check: each case gives a clear result or message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks.base import Status
from modelhealth.checks.drift import DriftCheck, DriftParams


def judge(make_ctx, cur: pd.DataFrame, ref: pd.DataFrame, **params):
    check = DriftCheck(DriftParams(id="drift", **params))
    return {r.subject: r for r in check.run(make_ctx(check.params, cur, ref))}


def test_constant_columns_pass_when_equal_and_fail_when_moved(make_ctx):
    ref = pd.DataFrame({"x": [3.0] * 500, "c": ["a"] * 500})
    same = judge(make_ctx, ref.copy(), ref)
    assert same["x"].status is Status.PASSED
    assert same["x"].value == 0.0
    assert same["c"].status is Status.PASSED
    moved = judge(make_ctx, pd.DataFrame({"x": [4.0] * 500, "c": ["b"] * 500}), ref)
    assert moved["x"].status is Status.FAILED
    assert moved["x"].details["note"] == (
        "the reference is constant: the distance is not normed"
    )
    assert moved["x"].value == pytest.approx(1.0)
    assert moved["c"].status is Status.FAILED


def test_all_null_column_is_errored_with_counts(make_ctx):
    ref = pd.DataFrame({"x": np.arange(100.0)})
    [result] = judge(make_ctx, pd.DataFrame({"x": [np.nan] * 50}), ref).values()
    assert result.status is Status.ERRORED
    assert result.message == (
        "column 'x' has no non-null values in the run (50 nulls, 0 infinite)"
    )


def test_single_row_is_skipped(make_ctx):
    ref = pd.DataFrame({"x": np.arange(100.0), "c": ["a", "b"] * 50})
    results = judge(make_ctx, pd.DataFrame({"x": [1.0], "c": ["a"]}), ref)
    for name in ("x", "c"):
        assert results[name].status is Status.SKIPPED
        assert results[name].message == (
            f"column {name!r} has only 1 value in the run; drift needs at least "
            "2 on each side"
        )


def test_unseen_categories_are_named(make_ctx):
    g = np.random.default_rng(0)
    ref = pd.DataFrame({"c": g.choice(["a", "b"], 2000)})
    cur = pd.DataFrame({"c": g.choice(["a", "b", "zz"], 2000)})
    result = judge(make_ctx, cur, ref)["c"]
    assert result.status is Status.FAILED
    assert result.details["unseen_categories"] == ["zz"]
    assert result.message.endswith("; new categories: zz")


def test_mixed_types_are_compared_as_text(make_ctx):
    ref = pd.DataFrame({"m": pd.Series([1, "1", True, None] * 100, dtype=object)})
    result = judge(make_ctx, ref.copy(), ref)["m"]
    assert result.status is Status.PASSED
    assert result.details["column_kind"] == "categorical"
    assert result.details["bins"] == 2  # as text: "1" (1 and "1") and "True"


def test_infinity_is_left_out_and_counted(make_ctx):
    g = np.random.default_rng(1)
    ref = pd.DataFrame({"x": g.normal(size=1000)})
    x = g.normal(size=1000)
    x[:7] = np.inf
    result = judge(make_ctx, pd.DataFrame({"x": x}), ref)["x"]
    assert result.status is Status.PASSED
    assert (
        result.details["reference_infinite"],
        result.details["current_infinite"],
    ) == (
        0,
        7,
    )
    assert result.message.endswith("; 0 + 7 infinite values left out")


def test_method_that_does_not_apply_is_errored(make_ctx):
    ref = pd.DataFrame({"c": ["a", "b"] * 100, "x": np.arange(200.0)})
    results = judge(make_ctx, ref.copy(), ref, method="ks")
    assert results["x"].status is Status.PASSED
    assert results["c"].status is Status.ERRORED
    assert results["c"].message.startswith("column 'c' is categorical: ks applies to")
    z = judge(make_ctx, ref.copy(), ref, method="z")["x"]
    assert z.message == (
        "column 'x' is numeric: z applies to categorical and boolean columns"
    )
