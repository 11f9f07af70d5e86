from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks.base import CheckContext, CheckResult, Status
from modelhealth.checks.drift import DriftCheck, DriftParams


def run(
    make_ctx: Callable[..., CheckContext],
    cur: pd.DataFrame,
    ref: pd.DataFrame,
    **params: Any,
) -> list[CheckResult]:
    check = DriftCheck(DriftParams(id="drift", **params))
    return check.run(make_ctx(check.params, cur, reference_frame=ref))


def by_subject(results: list[CheckResult]) -> dict[str | None, CheckResult]:
    return {r.subject: r for r in results}


def test_star_excludes_prediction_label_and_exclude(make_ctx, frame):
    results = run(make_ctx, frame(2000, seed=1), frame(2000, seed=2), exclude=["age"])
    assert set(by_subject(results)) == {"tenure", "spend", "plan", "region"}


def test_unchanged_passes_and_shift_fails(make_ctx, frame):
    results = by_subject(
        run(make_ctx, frame(5000, seed=1, shift=1.0), frame(5000), method="psi")
    )
    spend = results["spend"]
    assert spend.status is Status.FAILED
    assert spend.value == spend.metrics["psi"] == spend.metrics["statistic"]
    assert spend.value > 0.25
    assert spend.message == f"psi {spend.value:.3g} >= fail 0.25"
    assert spend.threshold == {"warn": 0.1, "fail": 0.25}
    assert spend.details == {
        "method": "psi",
        "bins": 10,
        "binning": "100 reference quantile bins merged into 10 of equal reference mass",
        "reference_count": 5000,
        "current_count": 5000,
        "column_kind": "numeric",
    }
    for name in ("tenure", "age", "plan", "region"):
        assert results[name].status is Status.PASSED, results[name].message
    assert results["plan"].details["column_kind"] == "categorical"
    assert results["plan"].message.startswith("psi 0.00")
    assert results["plan"].message.endswith("< warn 0.1")


def test_auto_is_the_default_with_noise_aware_levels(make_ctx, frame):
    results = by_subject(run(make_ctx, frame(5000, seed=1, shift=1.0), frame(5000)))
    spend, plan = results["spend"], results["plan"]
    assert spend.status is Status.FAILED
    assert spend.details["method"] == "wasserstein"
    assert spend.details["chosen_by"] == "auto"
    assert spend.value == pytest.approx(1.0, abs=0.05)  # a 1-sd shift
    bound = spend.details["noise_bound"]
    assert spend.threshold == {"fail": max(0.1, bound)}
    assert plan.details["method"] == "jensenshannon"
    assert plan.status is Status.PASSED


def _two(ref: dict[str, Any], cur: dict[str, Any]) -> tuple[Any, Any]:
    return pd.DataFrame(ref), pd.DataFrame(cur)


def test_auto_sees_rows_filled_with_the_median_through_the_shape(make_ctx):
    # a tenth of the rows set to the median moves W by ~0.08 sd: under the floor
    g = np.random.default_rng(3)
    ref_x, cur_x = g.normal(50, 10, 20_000), g.normal(50, 10, 20_000)
    cur_x[g.random(20_000) < 0.1] = 50.0
    ref, cur = _two({"x": ref_x}, {"x": cur_x})
    (x,) = DriftCheck(DriftParams(id="drift")).run(
        make_ctx(DriftParams(id="drift"), cur, reference_frame=ref)
    )
    assert x.status is Status.FAILED, x.message
    assert x.details["graded_on"] == "shape"
    assert x.details["method"] == "shape"
    assert x.metrics["wasserstein"] < 0.1 <= x.metrics["shape"]
    assert x.message.startswith("shape ")
    assert x.message.endswith("(the shape, over 9 equal-mass bins)")


def test_auto_holds_categories_to_the_same_effect_size_scale(make_ctx):
    # the top category down from 40% to 30%: JS ~0.07, once under the 0.1 floor
    g = np.random.default_rng(4)
    cats, n = list("abcde"), 20_000
    before = np.array([0.40, 0.25, 0.15, 0.12, 0.08])
    after = np.concatenate([[0.30], before[1:] * 0.70 / 0.60])
    ref, cur = _two(
        {"c": g.choice(cats, n, p=before)}, {"c": g.choice(cats, n, p=after)}
    )
    (c,) = DriftCheck(DriftParams(id="drift")).run(
        make_ctx(DriftParams(id="drift"), cur, reference_frame=ref)
    )
    assert c.status is Status.FAILED, c.message
    assert c.threshold == {"fail": pytest.approx(0.1 / np.sqrt(8))}
    assert c.value is not None
    assert 0.05 < c.value < 0.1


def test_auto_draws_the_bound_for_rare_categories_reproducibly(make_ctx):
    g = np.random.default_rng(5)
    shares = [0.6, 0.3, 0.07, 0.02, 0.01]
    ref, cur = _two(
        {"c": g.choice(list("abcde"), 150, p=shares)},
        {"c": g.choice(list("abcde"), 150, p=shares)},
    )
    params = DriftParams(id="drift")
    first, second = (
        DriftCheck(params).run(make_ctx(params, cur, reference_frame=ref))[0]
        for _ in range(2)
    )
    assert first.status is Status.PASSED, first.message
    assert first.details["noise_bound"] == second.details["noise_bound"] > 0.1


def test_auto_levels_rise_with_noise_on_small_samples(make_ctx, frame):
    small = by_subject(run(make_ctx, frame(200, seed=1), frame(200)))["spend"]
    large = by_subject(run(make_ctx, frame(50_000, seed=1), frame(50_000)))["spend"]
    assert small.threshold["fail"] > 0.2  # the noise bound at 200 rows
    assert large.threshold == {"fail": 0.1}  # the floor
    assert small.status is large.status is Status.PASSED


def test_missing_column_is_errored(make_ctx, frame):
    cur = frame(500).drop(columns=["region"])
    result = by_subject(run(make_ctx, cur, frame(500)))["region"]
    assert result.status is Status.ERRORED
    assert result.message == (
        "column 'region' is in the reference but missing from the run data"
    )


def test_explicit_column_not_in_reference(make_ctx, frame):
    [result] = run(make_ctx, frame(500, extra=1.0), frame(500), columns=["extra"])
    assert result.status is Status.ERRORED
    assert result.message == "column 'extra' is not in the reference (baseline v1)"


def test_all_null_run_column_is_errored(make_ctx, frame):
    [result] = run(
        make_ctx, frame(500, spend=float("nan")), frame(500), columns=["spend"]
    )
    assert result.status is Status.ERRORED
    assert "no non-null values in the run" in result.message


def test_kind_change_is_errored(make_ctx, frame):
    [result] = run(make_ctx, frame(500, age="old"), frame(500), columns=["age"])
    assert result.status is Status.ERRORED
    assert "was numeric in the reference and is categorical" in result.message


def test_per_column_threshold(make_ctx, frame):
    results = run(
        make_ctx,
        frame(5000, seed=1, shift=1.0),
        frame(5000),
        columns=["spend"],
        method="psi",
        per_column={"spend": {"threshold": {"warn": 5.0}}},
    )
    assert results[0].status is Status.PASSED
    assert results[0].threshold == {"warn": 5.0}


@pytest.mark.parametrize(
    ("fail", "status"), [(0.5, Status.PASSED), (0.2, Status.FAILED)]
)
def test_max_drifted_share(make_ctx, frame, fail, status):
    results = run(
        make_ctx,
        frame(5000, seed=1, shift=1.0),
        frame(5000),
        max_drifted_share={"fail": fail},
    )
    share = results[-1]
    assert share.subject is None
    assert share.value == pytest.approx(1 / 5)
    assert share.status is status
    assert share.message == "1 of 5 columns drifted (20%): spend"


def test_no_reference_is_skipped(make_ctx, frame):
    check = DriftCheck(DriftParams(id="drift"))
    [result] = check.run(make_ctx(check.params, frame(100)))
    assert result.status is Status.SKIPPED
    assert result.message == (
        "no reference registered for model 'm'; register one with modelhealth baseline"
    )


def test_run_profiled_on_other_edges_is_rebinned(make_ctx, frame):
    from dataclasses import replace

    from modelhealth.checks.profiling import profile_frame

    check = DriftCheck(DriftParams(id="drift", columns=["spend"]))
    ctx = make_ctx(check.params, frame(2000, seed=1), reference_frame=frame(2000))
    ctx = replace(ctx, profile=profile_frame(ctx.frame))  # own edges
    [result] = check.run(ctx)
    assert result.status is Status.PASSED
    assert result.details["bins"] == 100


def test_datetime_column_is_skipped(make_ctx, frame):
    import pandas as pd

    ts = pd.Timestamp("2024-01-01")
    [result] = run(make_ctx, frame(10, t=ts), frame(10, t=ts), columns=["t"])
    assert result.status is Status.SKIPPED
