"""The ``prediction`` check: drift, nulls, range, positive rate, class shares."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks._predictions import reference_positive_rate
from modelhealth.checks.base import CheckError, Status
from modelhealth.checks.prediction import PredictionCheck, PredictionParams
from modelhealth.checks.profiling import profile_frame
from modelhealth.rules.models import PredictionSpec


def run(ctx, **params):
    return {
        r.subject: r
        for r in PredictionCheck(PredictionParams(id="p", **params)).run(ctx)
    }


def ctx_for(make_ctx, frame, reference=None, **spec):
    ctx = make_ctx(PredictionParams(id="p"), frame, reference)
    if spec:
        rules = ctx.rule_set.model_copy(
            update={"prediction": PredictionSpec(column="score", **spec)}
        )
        ctx = replace(ctx, rule_set=rules)
    return ctx


def test_binary_scores_pass_against_their_own_distribution(make_ctx, frame):
    results = run(ctx_for(make_ctx, frame(3000, seed=1), frame(3000, seed=2)))
    assert set(results) == {"drift", "nulls", "range", "positive_rate"}
    assert all(r.status is Status.PASSED for r in results.values()), results
    assert results["drift"].kind == "prediction"
    assert results["drift"].details["method"]  # auto picks the statistic
    assert results["drift"].details["column"] == "score"  # the report draws it
    assert results["positive_rate"].metrics["reference_positive_rate"] == pytest.approx(
        results["positive_rate"].value, abs=0.05
    )


def test_drift_of_shifted_scores_fails(make_ctx, frame):
    current = frame(3000, seed=1, shift=3.0)
    results = run(
        ctx_for(make_ctx, current, frame(3000, seed=2)),
        method="psi",
        threshold={"fail": 0.2},
    )
    assert results["drift"].status is Status.FAILED


def test_without_reference_drift_is_skipped(make_ctx, frame):
    results = run(ctx_for(make_ctx, frame(500)))
    assert results["drift"].status is Status.SKIPPED
    assert results["positive_rate"].status is Status.PASSED
    assert "reference_positive_rate" not in results["positive_rate"].metrics


def test_nulls_and_range(make_ctx, frame):
    df = frame(1000)
    df.loc[:19, "score"] = np.nan
    df.loc[20:22, "score"] = [1.5, -0.1, np.inf]
    results = run(ctx_for(make_ctx, df), drift=False)
    assert "drift" not in results
    assert results["nulls"].status is Status.FAILED
    assert results["nulls"].value == pytest.approx(0.02)
    rng = results["range"]
    assert rng.status is Status.FAILED
    assert rng.metrics["out_of_range"] == 3
    assert rng.threshold == {"min": 0.0, "max": 1.0}
    assert {"value": 1.5} in rng.failures


def test_positive_rate_bounds_and_change(make_ctx, frame):
    ctx = ctx_for(
        make_ctx, frame(2000, seed=1), frame(2000, seed=2), decision_threshold=0.2
    )
    rate = run(ctx)["positive_rate"].value
    assert rate is not None
    result = run(ctx, positive_rate={"max": rate / 2})["positive_rate"]
    assert result.status is Status.FAILED
    shifted = ctx_for(
        make_ctx,
        frame(2000, seed=1, shift=3.0),
        frame(2000, seed=2),
        decision_threshold=0.2,
    )
    result = run(shifted, max_positive_rate_change={"warn": 0.05, "fail": 0.1})[
        "positive_rate"
    ]
    assert result.status is Status.FAILED
    assert result.metrics["change"] > 0.1


def test_reference_positive_rate_of_a_0_1_column_is_exact():
    df = pd.DataFrame({"score": [0] * 70 + [1] * 30})
    ref = profile_frame(df).columns["score"]
    assert reference_positive_rate(
        ref, PredictionSpec(column="score")
    ) == pytest.approx(0.3)


def test_reference_positive_rate_of_scores_is_close():
    x = np.random.default_rng(0).random(10_000)
    ref = profile_frame(pd.DataFrame({"score": x})).columns["score"]
    spec = PredictionSpec(column="score", decision_threshold=0.37)
    assert reference_positive_rate(ref, spec) == pytest.approx(
        np.mean(x >= 0.37), abs=0.01
    )


def test_multiclass_class_shares(make_ctx):
    ref = pd.DataFrame({"score": ["a"] * 50 + ["b"] * 30 + ["c"] * 20})
    cur = pd.DataFrame({"score": ["a"] * 20 + ["b"] * 30 + ["c"] * 50})
    ctx = ctx_for(make_ctx, cur, ref, task="multiclass_classification")
    results = run(ctx, max_class_share_change={"warn": 0.1, "fail": 0.25})
    assert set(results) == {"drift", "nulls", "class_shares"}
    shares = results["class_shares"]
    assert shares.status is Status.FAILED
    assert shares.value == pytest.approx(0.3)
    assert (
        "'a' 50.0% -> 20.0%" in shares.message or "'c' 20.0% -> 50.0%" in shares.message
    )


def test_regression_range_only_when_bounded(make_ctx):
    cur = pd.DataFrame({"score": [1.0, 5.0, 120.0]})
    ctx = ctx_for(make_ctx, cur, task="regression")
    assert "range" not in run(ctx)
    result = run(ctx, min_value=0, max_value=100)["range"]
    assert result.status is Status.FAILED
    assert result.message == "1 predictions outside [0.0, 100.0]: 120"


def test_missing_prediction_column_is_an_error(make_ctx, frame):
    with pytest.raises(CheckError, match="prediction column 'score' is not in the run"):
        run(ctx_for(make_ctx, frame(10).drop(columns="score")))


def test_text_classes_with_a_positive_label(make_ctx):
    ref = pd.DataFrame({"score": ["yes"] * 20 + ["no"] * 80})
    cur = pd.DataFrame({"score": ["yes"] * 50 + ["no"] * 50})
    ctx = ctx_for(make_ctx, cur, ref, positive_label="yes")
    result = run(ctx, max_positive_rate_change={"fail": 0.2})["positive_rate"]
    assert result.value == pytest.approx(0.5)
    assert result.metrics["reference_positive_rate"] == pytest.approx(0.2)
    assert result.status is Status.FAILED


def test_boolean_predictions(make_ctx):
    ref = pd.DataFrame({"score": [True] * 10 + [False] * 90})
    ctx = ctx_for(make_ctx, ref.copy(), ref)
    result = run(ctx)["positive_rate"]
    assert result.value == pytest.approx(0.1)
    assert result.metrics["reference_positive_rate"] == pytest.approx(0.1)
