"""``estimated_metric`` on a multiclass model: CBPE per class, with known truth.

The world: ``x1, x2`` standard normal; three classes whose chances are a softmax
of ``(0, 1.2 x1 - 0.5, 0.7 x1 + 0.8 x2 - 0.3)``; the model's scores are exactly
those chances (calibrated) and it predicts the most likely class. Covariate shift
moves ``x1``; concept shift changes the chances while the model scores the old way.
"""

from __future__ import annotations

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

CLASSES = ["basic", "plus", "pro"]
SCORES = {c: f"p_{c}" for c in CLASSES}


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    out: np.ndarray = e / e.sum(axis=1, keepdims=True)
    return out


def world(n: int, seed: int, x1_mean: float = 0.0, concept: bool = False):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(x1_mean, 1.0, n), rng.standard_normal(n)
    zeros = np.zeros(n)
    score = _softmax(
        np.column_stack([zeros, 1.2 * x1 - 0.5, 0.7 * x1 + 0.8 * x2 - 0.3])
    )
    truth = score
    if concept:  # the same inputs now mean other chances
        truth = _softmax(np.column_stack([zeros, -0.6 * x1, 0.8 * x2 + 0.5]))
    u = rng.random((n, 1))
    label = np.minimum((u > np.cumsum(truth, axis=1)).sum(axis=1), 2)
    frame = pd.DataFrame({"x1": x1, "x2": x2})
    for i, c in enumerate(CLASSES):
        frame[SCORES[c]] = score[:, i]
    frame["plan"] = np.array(CLASSES)[score.argmax(axis=1)]
    frame["label"] = np.array(CLASSES)[label]
    return frame


def rules(*checks, scores=SCORES) -> RuleSet:
    return RuleSet(
        version=1,
        model="m",
        prediction=PredictionSpec(
            column="plan", task="multiclass_classification", scores=scores
        ),
        label=LabelSpec(column="label"),
        checks=list(checks),
    )


def check(params, reference, run, **kwargs):
    rule_set = rules(params, **kwargs)
    fitted = fit_reference(rule_set, reference).get("fitted", {})
    ref = Reference(
        "baseline", "baseline v1", profile_frame(reference), {}, fitted=fitted
    )
    ctx = CheckContext(rule_set, "r", run, profile_frame(run), ref)
    return EstimatedMetricCheck(params).run(ctx)


REFERENCE = world(6000, seed=1)


@pytest.mark.parametrize("metric", ESTIMATED)
def test_estimate_tracks_the_realized_value_under_covariate_shift(metric):
    """Prints the mean absolute estimation error over shifts and seeds."""
    params = EstimatedMetricParams(id="est", metric=metric, min=0.0)
    errors, inside = [], 0
    for shift in (-1.0, 0.0, 0.5, 1.0, 1.5):
        for seed in range(4):
            (result,) = check(params, REFERENCE, world(2000, 10 + seed, shift))
            assert result.status is Status.PASSED, result.message
            m = result.metrics
            errors.append(abs(m[metric] - m["realized"]))
            inside += m["band_lower"] <= m["realized"] <= m["band_upper"]
    mae = float(np.mean(errors))
    print(
        f"\nestimated multiclass {metric}: mean |estimate - realized| {mae:.4f}, "
        f"max {max(errors):.4f}, realized inside the 95% band in "
        f"{inside}/{len(errors)} runs of 2,000 rows (covariate shift -1..1.5 sd)"
    )
    assert mae < 0.03
    assert inside >= 0.8 * len(errors)


def test_concept_shift_is_not_seen_and_the_realized_value_says_so():
    params = EstimatedMetricParams(id="est", metric="accuracy", max_drop=0.05)
    (result,) = check(params, REFERENCE, world(4000, 5, concept=True))
    m = result.metrics
    assert result.status is Status.PASSED  # the scores look as they did
    assert m["accuracy"] - m["realized"] > 0.15  # the labels tell another story


def test_a_falling_estimate_fails_max_drop():
    params = EstimatedMetricParams(id="est", metric="roc_auc", max_drop=0.02)
    # the classes' scores squeezed towards the middle: a harder population
    run = world(3000, 7, x1_mean=0.0)
    run["x1"] *= 0.2
    zeros = np.zeros(len(run))
    z = np.column_stack(
        [zeros, 1.2 * run["x1"] - 0.5, 0.7 * run["x1"] + 0.8 * run["x2"] - 0.3]
    )
    score = _softmax(z)
    for i, c in enumerate(CLASSES):
        run[SCORES[c]] = score[:, i]
    (result,) = check(params, REFERENCE, run.drop(columns=["label"]))
    assert result.status is Status.FAILED, result.message
    assert "drop" in result.message
    assert "realized" not in result.metrics


def test_missing_score_columns_and_unknown_classes_are_clear():
    params = EstimatedMetricParams(id="est", metric="accuracy", min=0.5)
    with pytest.raises(
        CheckError, match=r"score columns \['p_pro'\] are not in the run"
    ):
        check(params, REFERENCE, world(500, 3).drop(columns=["p_pro"]))
    two = {c: SCORES[c] for c in CLASSES[:2]}
    with pytest.raises(CheckError, match=r"without a score column: \['pro'\]"):
        check(params, REFERENCE, world(500, 3), scores=two)


def test_scores_belong_to_multiclass_models():
    with pytest.raises(ValueError, match="applies to task: multiclass_classification"):
        PredictionSpec(column="s", task="binary_classification", scores=SCORES)
    with pytest.raises(ValueError, match="two or more classes"):
        PredictionSpec(column="s", task="multiclass_classification", scores={"a": "p"})
