"""``estimated_metric``: CBPE on a simulated, calibrated model with known truth.

The world: ``x1, x2`` standard normal; the chance of churn is
``sigmoid(-1 + 1.5 x1 + x2)`` and the model's score is exactly that chance, so
the model is calibrated. Covariate shift moves ``x1``; concept shift changes how
the chance depends on ``x1`` while the model keeps scoring the old way.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks._cbpe import ESTIMATED
from modelhealth.checks.base import CheckContext, CheckError, Reference, Status
from modelhealth.checks.estimated_metric import (
    EstimatedMetricCheck,
    EstimatedMetricParams,
)
from modelhealth.checks.fitted import fit_reference
from modelhealth.checks.profiling import profile_frame
from modelhealth.rules.models import LabelSpec, PredictionSpec, RuleSet


def world(n: int, seed: int, x1_mean: float = 0.0, w1: float = 1.5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(x1_mean, 1.0, n), rng.standard_normal(n)
    score = 1 / (1 + np.exp(-(-1 + 1.5 * x1 + x2)))
    truth = 1 / (1 + np.exp(-(-1 + w1 * x1 + x2)))
    churned = (rng.random(n) < truth).astype("int64")
    return pd.DataFrame({"x1": x1, "x2": x2, "score": score, "churned": churned})


def rules(*checks, task="binary_classification") -> RuleSet:
    return RuleSet(
        version=1,
        model="m",
        prediction=PredictionSpec(column="score", task=task),
        label=LabelSpec(column="churned"),
        checks=list(checks),
    )


def context(params, reference, run, *, metrics=None, task="binary_classification"):
    rule_set = rules(params, task=task)
    profile = profile_frame(reference)
    fitted = fit_reference(rule_set, reference).get("fitted", {})
    ref = Reference("baseline", "baseline v1", profile, metrics or {}, fitted=fitted)
    return CheckContext(rule_set, "r", run, profile_frame(run), ref)


def check(params, reference, run, **kwargs):
    return EstimatedMetricCheck(params).run(context(params, reference, run, **kwargs))


AUC = EstimatedMetricParams(id="est", metric="roc_auc", min=0.7, max_drop=0.05)
REFERENCE = world(5000, seed=1)


@pytest.mark.parametrize("metric", ESTIMATED)
def test_estimate_tracks_the_realized_value_under_covariate_shift(metric):
    """Prints the mean absolute estimation error over shifts and seeds."""
    params = EstimatedMetricParams(id="est", metric=metric, min=0.0)
    errors, inside = [], 0
    for shift in (-1.0, 0.0, 0.5, 1.0, 1.5):
        for seed in range(6):
            (result,) = check(params, REFERENCE, world(2000, 10 + seed, shift))
            m = result.metrics
            errors.append(abs(m[metric] - m["realized"]))
            inside += m["band_lower"] <= m["realized"] <= m["band_upper"]
    mae = float(np.mean(errors))
    print(
        f"\nestimated {metric}: mean |estimate - realized| {mae:.4f}, "
        f"max {max(errors):.4f}, realized inside the 95% band in "
        f"{inside}/{len(errors)} runs of 2,000 rows (covariate shift -1..1.5 sd)"
    )
    assert mae < 0.03
    assert inside >= 0.85 * len(errors)


def test_the_estimate_moves_with_the_shift_and_fails_the_bound():
    (same,) = check(AUC, REFERENCE, world(2000, seed=2))
    assert same.status is Status.PASSED, same.message
    assert same.metrics["baseline"] == pytest.approx(same.metrics[AUC.metric], abs=0.03)
    # a narrower x1 spread lowers the AUC the model can reach
    narrow = world(2000, seed=3).assign(x1=lambda d: d.x1 * 0.2)
    narrow["score"] = 1 / (1 + np.exp(-(-1 + 1.5 * narrow.x1 + narrow.x2)))
    (result,) = check(AUC, REFERENCE, narrow)
    assert result.status is Status.FAILED
    assert "drop" in result.message
    assert result.details["method"] == "cbpe"
    assert set(result.details["expected_confusion"]) == {"tp", "fp", "fn", "tn"}


def test_blind_to_concept_shift_as_documented():
    # x1 no longer matters for the outcome, but the model still scores it
    (result,) = check(AUC, REFERENCE, world(2000, seed=4, w1=0.0))
    m = result.metrics
    assert m["realized"] < m["roc_auc"] - 0.1  # the model got much worse ...
    assert m["roc_auc"] == pytest.approx(m["baseline"], abs=0.03)  # ... unseen
    assert result.status is Status.PASSED


def test_pre_deployment_metric_is_the_baseline_for_max_drop():
    (result,) = check(AUC, REFERENCE, world(2000, seed=2), metrics={"roc_auc": 0.99})
    assert result.metrics["baseline"] == 0.99
    assert result.status is Status.FAILED


def test_runs_without_labels_are_estimated():
    (result,) = check(AUC, REFERENCE, world(1000, seed=5).drop(columns="churned"))
    assert "realized" not in result.metrics
    assert result.status is Status.PASSED
    assert "estimated roc_auc" in result.message


@pytest.mark.parametrize(
    ("reference", "why"),
    [
        (REFERENCE.drop(columns="churned"), "has no label column 'churned'"),
        (REFERENCE.drop(columns="score"), "prediction column 'score' is not in"),
        (REFERENCE.assign(score=lambda d: (d.score > 0.5) * 1.0), "holds classes"),
        (REFERENCE.iloc[:50], "has 50 rows with both .* at least 100"),
        (REFERENCE.assign(churned=0), "one class only"),
    ],
)
def test_a_baseline_that_cannot_calibrate_errors_with_why(reference, why):
    with pytest.raises(
        CheckError, match=f"could not calibrate on baseline v1: .*{why}"
    ):
        check(AUC, reference, world(500, seed=2))


def test_a_multiclass_model_without_class_scores_says_what_to_add():
    with pytest.raises(CheckError, match="needs each class's probability column"):
        check(AUC, REFERENCE, world(500, seed=2), task="multiclass_classification")


def test_undefined_estimate_errors():
    params = EstimatedMetricParams(id="est", metric="precision", min=0.5)
    run = world(500, seed=2).assign(score=0.01)
    with pytest.raises(CheckError, match="estimated precision is undefined"):
        check(params, REFERENCE, run)


def test_skips_window_reference_missing_state_and_small_runs():
    ctx = context(AUC, REFERENCE, world(50, seed=2))
    (small,) = EstimatedMetricCheck(AUC).run(ctx)
    assert small.status is Status.SKIPPED
    assert "fewer than min_rows 100" in small.message
    other = EstimatedMetricParams(id="other", metric="f1", max=0.99)
    (missing,) = EstimatedMetricCheck(other).run(ctx)
    assert "register the baseline again" in missing.message
    window = Reference("window", "last 3 runs", ctx.profile)
    (result,) = EstimatedMetricCheck(AUC).run(
        CheckContext(ctx.rule_set, "r", ctx.frame, ctx.profile, window)
    )
    assert result.status is Status.SKIPPED
    assert "needs a baseline reference" in result.message


def test_needs_a_bound():
    with pytest.raises(ValueError, match=r"needs min, max, max_drop or threshold\."):
        EstimatedMetricParams(id="est", metric="f1")


def test_large_runs_draw_the_band_on_a_sample():
    (result,) = check(AUC, world(50_000, seed=1), world(30_000, seed=6))
    m = result.metrics
    assert m["band_upper"] - m["band_lower"] < 0.02
    assert m["band_lower"] <= m["realized"] <= m["band_upper"]


def test_the_band_counts_the_calibrations_own_uncertainty():
    """A calibration fitted on fewer baseline rows is less sure: the band of the
    same run is wider, and it does not narrow to nothing however large the run."""
    run = world(30_000, seed=6)
    widths = {}
    for rows in (2_000, 50_000):
        (result,) = check(AUC, world(rows, seed=1), run)
        m = result.metrics
        widths[rows] = m["band_upper"] - m["band_lower"]
        assert m["band_lower"] <= m["realized"] <= m["band_upper"]
    assert widths[2_000] > 2 * widths[50_000]


def test_a_baseline_fitted_before_the_resampled_calibrations_gets_the_sampling_band():
    ctx = context(AUC, REFERENCE, world(2000, seed=3))
    assert ctx.reference is not None
    state = ctx.reference.fitted["est"]
    sampled_only = {k: v for k, v in state["calibration"].items() if k != "bootstrap"}
    old = replace(
        ctx.reference,
        fitted={"est": {**state, "calibration": sampled_only}},
    )
    (now,) = EstimatedMetricCheck(AUC).run(ctx)
    (before,) = EstimatedMetricCheck(AUC).run(replace(ctx, reference=old))
    assert before.metrics[AUC.metric] == now.metrics[AUC.metric]
    width = before.metrics["band_upper"] - before.metrics["band_lower"]
    assert 0 < width < now.metrics["band_upper"] - now.metrics["band_lower"]


def test_end_to_end_estimate_first_realized_when_labels_arrive(tmp_path):
    """Calibrated at baseline time, estimated on an unlabelled run, and given the
    realized value beside the estimate by ``modelhealth labels``."""
    import modelhealth
    from modelhealth.run.labels import attach_labels

    path = tmp_path / "rules.yaml"
    path.write_text(
        "version: 1\nmodel: m\nprediction: {column: score}\n"
        "label: {column: churned, key: id}\n"
        "checks:\n  - {id: est, kind: estimated_metric, metric: roc_auc, min: 0.7}\n"
    )
    db = str(tmp_path / "m.db")

    def keyed(df):
        return df.assign(id=[f"k{i}" for i in range(len(df))])

    modelhealth.register_baseline(rules=path, data=keyed(REFERENCE), db=db)
    run = keyed(world(2000, seed=7, x1_mean=1.0))
    first = modelhealth.check_run(
        rules=path, run_id="r", inputs=run.drop(columns="churned"), db=db, alert=False
    )
    (estimated,) = first.results
    assert estimated.status is Status.PASSED
    assert "realized" not in estimated.metrics
    later = attach_labels(
        rules=path, run_id="r", labels=run[["id", "churned"]], db=db, alert=False
    )
    (both,) = [r for r in later.results if r.check_id == "est"]
    assert both.metrics["roc_auc"] == pytest.approx(estimated.metrics["roc_auc"])
    assert both.metrics["realized"] == pytest.approx(both.metrics["roc_auc"], abs=0.03)


def test_a_large_baseline_is_sampled_to_calibrate(monkeypatch):
    from modelhealth.checks import _cbpe

    monkeypatch.setattr(_cbpe, "MAX_FIT_ROWS", 1000)
    state = _cbpe.fit(REFERENCE, rules(AUC))
    assert state["calibration"]["rows"] == 1000
