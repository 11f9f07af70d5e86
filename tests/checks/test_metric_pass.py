"""The ``metric`` check on batches: every metric from merged sufficient statistics.

Each metric is computed two ways on the same labelled rows: from the whole frame
(scikit-learn) and from a :class:`MetricPass` fed batches of the whole run, 1000 and
7 rows, merged across two "workers" and pickled as a distributed engine ships it.
Verdicts are the same, values equal up to rounding, and ROC AUC from binned scores is
within 0.001 of scikit-learn's (issue 10).
"""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from modelhealth.checks._metric_pass import MetricPass
from modelhealth.checks._score_counts import (
    EXACT_LIMIT,
    ScoreCounts,
    average_precision,
    bin_keys,
    roc_auc,
)
from modelhealth.checks.base import CheckContext, Status
from modelhealth.checks.metric import MetricCheck, MetricParams
from modelhealth.checks.passes import Batch
from modelhealth.checks.profiling import profile_frame
from modelhealth.rules.models import LabelSpec, PredictionSpec, RuleSet

SIZES = [None, 1000, 7]


def rows(n: int = 3000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    p = 1 / (1 + np.exp(-2 * x))
    return pd.DataFrame(
        {
            "score": p,
            "churned": (rng.random(n) < p).astype("int64"),
            "amount": 3 * x + 1,
            "forecast": 3 * x + rng.normal(size=n),
            "plan": rng.choice(["basic", "pro", "max"], n),
            "predicted_plan": rng.choice(["basic", "pro", "max"], n),
        }
    )


TASKS = {
    "binary_classification": ("score", "churned"),
    "regression": ("forecast", "amount"),
    "multiclass_classification": ("predicted_plan", "plan"),
}
CASES = [
    ("binary_classification", m)
    for m in (
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "pr_auc",
        "log_loss",
        "brier",
    )
] + [("regression", m) for m in ("mae", "rmse", "mape", "r2")]
CASES += [
    ("multiclass_classification", m) for m in ("accuracy", "precision", "recall", "f1")
]


def context(
    task: str, params: MetricParams, frame: pd.DataFrame, passes=None
) -> CheckContext:
    column, label = TASKS[task]
    rule_set = RuleSet(
        version=1,
        model="m",
        prediction=PredictionSpec(column=column, task=task),
        label=LabelSpec(column=label),
        checks=[params],
    )
    return CheckContext(
        rule_set=rule_set,
        run_id="run-1",
        frame=frame,
        profile=profile_frame(frame),
        reference=None,
        passes=passes or {},
    )


def scanned(ctx: CheckContext, frame: pd.DataFrame, size: int | None) -> MetricPass:
    """The check's pass over ``frame`` in batches of ``size``, on two workers."""
    params = ctx.rule_set.checks[0]
    size = size or len(frame)
    half = (len(frame) // size // 2) * size or len(frame)
    workers = []
    for part in (frame.iloc[:half], frame.iloc[half:]):
        found = MetricCheck.row_pass(params, ctx.rule_set, None)
        assert isinstance(found, MetricPass)
        for start in range(0, len(part), size):
            found.update(Batch(frame=part.iloc[start : start + size]))
        workers.append(pickle.loads(pickle.dumps(found)))
    merged = workers[0]
    assert isinstance(merged, MetricPass)
    merged.merge(workers[1])
    return merged


def both_ways(task, frame, size, **params):
    check = MetricCheck(MetricParams(id="m", **params))
    ctx = context(task, check.params, frame)
    whole = check.run(ctx)
    found = scanned(ctx, frame, size)
    batched = check.run(replace(ctx, passes={"m": found}))
    return whole, batched


@pytest.mark.parametrize("size", SIZES, ids=["whole", "1000", "7"])
@pytest.mark.parametrize(("task", "metric"), CASES, ids=[m for _, m in CASES])
def test_every_metric_is_the_same_from_batches(task, metric, size):
    frame = rows()
    whole, batched = both_ways(task, frame, size, metric=metric, min=0.4)
    assert len(whole) == len(batched) == 1
    assert batched[0].status == whole[0].status
    assert batched[0].value == pytest.approx(whole[0].value, rel=1e-9, abs=1e-12)
    assert batched[0].details["labelled_rows"] == whole[0].details["labelled_rows"]


def test_unlabelled_rows_are_counted_alike():
    frame = rows()
    frame.loc[frame.index[::3], "churned"] = np.nan
    whole, batched = both_ways("binary_classification", frame, 7, metric="f1", min=0.1)
    assert batched[0].details["unlabelled_rows"] == 1000
    assert batched[0].details == whole[0].details
    assert batched[0].value == whole[0].value


def test_roc_auc_of_many_distinct_scores_is_within_a_thousandth_of_sklearn():
    frame = rows(60_000, seed=3)
    whole, batched = both_ways(
        "binary_classification", frame, 7919, metric="roc_auc", min=0.5
    )
    details = batched[0].details
    assert details["score_counts"] == "binned"
    assert details["roc_auc_tie_bound"] < 0.001
    exact = skm.roc_auc_score(frame["churned"], frame["score"])
    assert abs(batched[0].value - exact) < 0.001
    assert batched[0].status == whole[0].status == Status.PASSED


@pytest.mark.parametrize(
    "scores",
    [
        pytest.param(
            lambda rng, n: 1 / (1 + np.exp(-8 * rng.normal(size=n))), id="confident"
        ),
        pytest.param(lambda rng, n: 5 * rng.normal(size=n), id="margins"),
    ],
)
def test_binned_auc_follows_sklearn_for_scores_of_any_range(scores):
    rng = np.random.default_rng(7)
    n = 50_000
    s = scores(rng, n)
    order = np.argsort(s)
    y = (rng.random(n) < (np.argsort(order) / n)).astype(np.int64)  # by rank
    counts = ScoreCounts()
    for start in range(0, n, 4096):
        counts.update(s[start : start + 4096], y[start : start + 4096])
    assert not counts.exact
    assert abs(roc_auc(counts) - skm.roc_auc_score(y, s)) < 0.001
    assert abs(average_precision(counts) - skm.average_precision_score(y, s)) < 0.001


def test_scores_in_a_sliver_are_measured_on_the_frame():
    """Scores within 0.0001 of 0.5 share a few bins; the tie bound says so, and
    the check computes on the whole frame instead."""
    frame = rows(30_000, seed=4)
    frame["score"] = 0.5 + (frame["score"] - 0.5) * 1e-4
    whole, batched = both_ways(
        "binary_classification", frame, 1000, metric="roc_auc", min=0.5
    )
    details = batched[0].details
    assert details["roc_auc_tie_bound"] > 0.001
    assert details["score_counts"] == "frame"
    assert batched[0].value == whole[0].value


def test_few_distinct_scores_are_kept_exactly():
    rng = np.random.default_rng(2)
    s = np.round(rng.random(100_000), 3)
    y = (rng.random(100_000) < s).astype(np.int64)
    counts = ScoreCounts()
    counts.update(s, y)
    assert counts.exact
    assert len(counts.keys) <= EXACT_LIMIT
    assert roc_auc(counts) == pytest.approx(skm.roc_auc_score(y, s), abs=1e-12)
    assert average_precision(counts) == pytest.approx(
        skm.average_precision_score(y, s), abs=1e-12
    )


def test_bins_sort_like_scores():
    values = np.array(
        [-1e9, -3.0, -1e-300, 0.0, 1e-12, 0.3, 0.5, 0.5000001, 0.9, 1.0, 1.5, 1e9]
    )
    keys = bin_keys(values)
    assert (np.diff(keys) > 0).all()


def test_exact_and_binned_halves_merge_to_the_table_of_the_whole():
    rng = np.random.default_rng(5)
    s, y = rng.random(30_000), rng.integers(0, 2, 30_000)
    few, many = ScoreCounts(), ScoreCounts()
    few.update(s[:100], y[:100])
    many.update(s[100:], y[100:])
    whole = ScoreCounts()
    whole.update(s, y)
    few.merge(many)
    assert not few.exact
    assert (few.keys == whole.keys).all()
    assert (few.positives == whole.positives).all()


@pytest.mark.parametrize(
    ("task", "metric", "change", "text"),
    [
        ("binary_classification", "roc_auc", {"score": np.inf}, "infinite"),
        ("binary_classification", "f1", {"churned": "maybe"}, "found ['maybe']"),
        ("binary_classification", "roc_auc", {"score": 0.0}, "holds classes"),
        ("binary_classification", "roc_auc", {"churned": 0}, "both classes"),
        ("binary_classification", "mae", {}, "regression metric"),
        ("regression", "r2", {"forecast": "n/a"}, "must be numbers"),
        ("regression", "mape", {"amount": 0.0}, "every label is 0"),
        ("multiclass_classification", "roc_auc", {}, "class probabilities"),
    ],
)
def test_the_same_mistakes_give_the_same_messages(task, metric, change, text):
    frame = rows(500)
    for column, value in change.items():
        if isinstance(value, float) and np.isinf(value):
            frame[column] = frame[column].astype(float)
            frame.loc[frame.index[10], column] = value
        elif isinstance(value, str):
            frame[column] = frame[column].astype(object)
            frame.loc[frame.index[10], column] = value
        else:
            frame[column] = value
    if change.get("score") == 0.0:
        frame["score"] = (frame["churned"] == 1).astype("int64")
    check = MetricCheck(MetricParams(id="m", metric=metric, min=0.5))
    ctx = context(task, check.params, frame)
    from modelhealth.checks.base import CheckError

    with pytest.raises(CheckError) as whole:
        check.run(ctx)
    with pytest.raises(CheckError) as batched:
        check.run(replace(ctx, passes={"m": scanned(ctx, frame, 7)}))
    assert text in str(whole.value)
    assert str(batched.value) == str(whole.value)


def test_missing_labels_and_too_few_rows_skip_alike():
    frame = rows(50)
    frame["churned"] = np.nan
    whole, batched = both_ways("binary_classification", frame, 7, metric="f1", min=0.5)
    assert batched[0].status == whole[0].status == Status.SKIPPED
    assert batched[0].message == whole[0].message == "labels not available yet"
    frame = rows(50)
    whole, batched = both_ways(
        "binary_classification", frame, 7, metric="f1", min=0.5, min_rows=100
    )
    assert batched[0].message == whole[0].message
    assert batched[0].status == Status.SKIPPED


def test_a_segment_or_champion_reads_the_frame_not_the_run_pass():
    frame = rows(400)
    check = MetricCheck(MetricParams(id="m", metric="accuracy", min=0.0))
    ctx = context("binary_classification", check.params, frame)
    other = scanned(ctx, rows(400, seed=9), 7)  # the pass of other rows
    part = frame.iloc[:200]
    segment = replace(ctx, frame=part, segment={"plan": "pro"}, passes={"m": other})
    assert check.run(segment)[0].value == check.run(replace(ctx, frame=part))[0].value


def test_a_sampled_frame_is_said_so_when_no_pass_is_at_hand():
    frame = rows(400)
    check = MetricCheck(MetricParams(id="m", metric="accuracy", min=0.0))
    ctx = replace(
        context("binary_classification", check.params, frame),
        sampled=True,
        row_count=10_000,
    )
    details = check.run(ctx)[0].details
    assert details["sampled"] is True
    assert details["run_rows"] == 10_000
