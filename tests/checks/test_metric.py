"""The ``metric`` check: every metric, bounds, baseline drop, stages, missing labels."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from modelhealth.checks.base import CheckError, Reference, Status
from modelhealth.checks.metric import MetricCheck, MetricParams
from modelhealth.rules.models import LabelSpec, PredictionSpec


def run(ctx, **params):
    check = MetricCheck(MetricParams(id="m", **params))
    return check.run(
        replace(
            ctx, rule_set=ctx.rule_set.model_copy(update={"checks": [check.params]})
        )
    )


@pytest.fixture
def scored(frame):
    return frame(2000, seed=4)


def with_baseline(ctx, **metrics):
    ref = Reference(
        source="baseline",
        label="baseline v1",
        profile=None,
        metrics=metrics,
        version="v1",
    )
    return replace(ctx, reference=ref)


@pytest.mark.parametrize(
    "metric",
    ["accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss", "brier"],
)
def test_binary_metrics_are_computed(make_ctx, scored, metric):
    params = MetricParams(id="m", metric=metric, min=-1.0)
    (result,) = MetricCheck(params).run(make_ctx(params, scored))
    assert result.status is Status.PASSED
    assert result.value is not None
    assert np.isfinite(result.value)
    assert result.metrics["rows"] == 2000
    assert result.details["labelled_rows"] == 2000


def test_roc_auc_matches_sklearn(make_ctx, scored):
    from sklearn.metrics import roc_auc_score

    params = MetricParams(id="m", metric="roc_auc", min=0.99)
    (result,) = MetricCheck(params).run(make_ctx(params, scored))
    assert result.value == pytest.approx(
        roc_auc_score(scored["churned"], scored["score"])
    )
    assert result.status is Status.FAILED
    assert "< min 0.99" in result.message
    assert result.threshold == {"min": 0.99}


def test_max_drop_against_the_baseline(make_ctx, scored):
    params = MetricParams(id="m", metric="roc_auc", max_drop=0.03)
    ctx = make_ctx(params, scored)
    value = MetricCheck(params).run(with_baseline(ctx, roc_auc=0.5))[0].value
    assert value is not None
    ok = MetricCheck(params).run(with_baseline(ctx, roc_auc=value + 0.02))[0]
    assert ok.status is Status.PASSED
    assert ok.metrics["drop"] == pytest.approx(0.02)
    bad = MetricCheck(params).run(with_baseline(ctx, roc_auc=value + 0.05))[0]
    assert bad.status is Status.FAILED
    assert "max_drop 0.03" in bad.message


def test_max_drop_of_a_loss_means_it_went_up(make_ctx, scored):
    params = MetricParams(id="m", metric="log_loss", max_drop=0.01)
    ctx = make_ctx(params, scored)
    value = MetricCheck(params).run(with_baseline(ctx))[0].value
    assert value is not None
    worse = MetricCheck(params).run(with_baseline(ctx, log_loss=value - 0.05))[0]
    assert worse.status is Status.FAILED
    better = MetricCheck(params).run(with_baseline(ctx, log_loss=value + 0.05))[0]
    assert better.status is Status.PASSED


def test_max_drop_without_baseline_metric_is_skipped(make_ctx, scored):
    params = MetricParams(id="m", metric="f1", max_drop=0.03)
    (result,) = MetricCheck(params).run(make_ctx(params, scored))
    assert result.status is Status.SKIPPED
    assert "no baseline f1" in result.message


def test_labels_not_available_yet(make_ctx, scored):
    params = MetricParams(id="m", metric="accuracy", min=0.5)
    (result,) = MetricCheck(params).run(
        make_ctx(params, scored.drop(columns="churned"))
    )
    assert result.status is Status.SKIPPED
    assert result.message == "labels not available yet"
    nulls = scored.assign(churned=np.nan)
    assert MetricCheck(params).run(make_ctx(params, nulls))[0].status is Status.SKIPPED


def test_labels_hint_names_the_command(make_ctx, scored):
    params = MetricParams(id="m", metric="accuracy", min=0.5)
    ctx = make_ctx(params, scored.drop(columns="churned"))
    ctx = replace(
        ctx,
        rule_set=ctx.rule_set.model_copy(
            update={"label": LabelSpec(column="churned", key="id")}
        ),
    )
    (result,) = MetricCheck(params).run(ctx)
    assert "modelhealth labels --run-id run-1" in result.message


def test_partial_labels_and_min_rows(make_ctx, scored):
    scored.loc[100:, "churned"] = np.nan
    params = MetricParams(id="m", metric="accuracy", min=0.0, min_rows=50)
    (result,) = MetricCheck(params).run(make_ctx(params, scored))
    assert result.details["labelled_rows"] == 100
    assert result.details["unlabelled_rows"] == 1900
    params = MetricParams(id="m", metric="accuracy", min=0.0, min_rows=500)
    assert MetricCheck(params).run(make_ctx(params, scored))[0].status is Status.SKIPPED


def test_stages(make_ctx, scored):
    pre = MetricParams(id="m", metric="accuracy", min=0.0, stage="pre_deployment")
    ctx = make_ctx(pre, scored)
    assert MetricCheck(pre).run(ctx) == []
    assert len(MetricCheck(pre).run(replace(ctx, stage="pre_deployment"))) == 1
    both = MetricParams(id="m", metric="accuracy", min=0.0, stage="both")
    assert len(MetricCheck(both).run(ctx)) == 1


def spec_ctx(make_ctx, params, frame, **spec):
    ctx = make_ctx(params, frame)
    rules = ctx.rule_set.model_copy(
        update={"prediction": PredictionSpec(column="score", **spec)}
    )
    return replace(ctx, rule_set=rules)


@pytest.mark.parametrize(
    ("metric", "expected"), [("mae", 0.5), ("rmse", np.sqrt(0.5)), ("r2", -1.0)]
)
def test_regression(make_ctx, metric, expected):
    df = pd.DataFrame({"score": [1.0, 2.0, 3.0, 4.0], "churned": [1.0, 3.0, 3.0, 3.0]})
    params = MetricParams(id="m", metric=metric, max=100)
    ctx = spec_ctx(make_ctx, params, df, task="regression")
    value = MetricCheck(params).run(ctx)[0].value
    if metric == "r2":
        from sklearn.metrics import r2_score

        expected = r2_score(df["churned"], df["score"])
    assert value == pytest.approx(expected)


def test_mape(make_ctx):
    df = pd.DataFrame({"score": [110.0, 90.0], "churned": [100.0, 100.0]})
    params = MetricParams(id="m", metric="mape", max=0.05)
    (result,) = MetricCheck(params).run(
        spec_ctx(make_ctx, params, df, task="regression")
    )
    assert result.value == pytest.approx(0.1)
    assert result.status is Status.FAILED


def test_multiclass(make_ctx):
    df = pd.DataFrame({"score": ["a", "b", "c", "a"], "churned": ["a", "b", "b", "a"]})
    params = MetricParams(id="m", metric="accuracy", min=0.8)
    ctx = spec_ctx(make_ctx, params, df, task="multiclass_classification")
    (result,) = MetricCheck(params).run(ctx)
    assert result.value == pytest.approx(0.75)
    assert result.status is Status.FAILED
    f1 = MetricParams(id="m", metric="f1", min=0.0)
    assert MetricCheck(f1).run(ctx)[0].status is Status.PASSED
    auc = MetricParams(id="m", metric="roc_auc", min=0.5)
    with pytest.raises(CheckError, match="needs class probabilities"):
        MetricCheck(auc).run(ctx)


def test_binary_text_labels_need_positive_label(make_ctx):
    df = pd.DataFrame(
        {"score": [0.9, 0.2, 0.8, 0.1], "churned": ["yes", "no", "no", "no"]}
    )
    params = MetricParams(id="m", metric="recall", min=0.9)
    with pytest.raises(CheckError, match="positive_label"):
        MetricCheck(params).run(make_ctx(params, df))
    ctx = spec_ctx(make_ctx, params, df, positive_label="yes")
    assert MetricCheck(params).run(ctx)[0].value == pytest.approx(1.0)


def test_class_predictions_cannot_give_roc_auc(make_ctx):
    df = pd.DataFrame({"score": [1, 0, 1, 0], "churned": [1, 0, 0, 0]})
    params = MetricParams(id="m", metric="roc_auc", min=0.5)
    with pytest.raises(CheckError, match="needs scores"):
        MetricCheck(params).run(make_ctx(params, df))
    acc = MetricParams(id="m", metric="accuracy", min=0.5)
    assert MetricCheck(acc).run(make_ctx(acc, df))[0].value == pytest.approx(0.75)


def test_wrong_task_and_missing_prediction(make_ctx, scored):
    params = MetricParams(id="m", metric="mae", max=1)
    with pytest.raises(CheckError, match="regression metric"):
        MetricCheck(params).run(make_ctx(params, scored))
    acc = MetricParams(id="m", metric="accuracy", min=0.5)
    with pytest.raises(CheckError, match="prediction column 'score'"):
        MetricCheck(acc).run(make_ctx(acc, scored.drop(columns="score")))


def test_params_need_a_bound():
    with pytest.raises(ValidationError, match=r"min, max, max_drop or threshold\."):
        MetricParams(id="m", metric="accuracy")


@pytest.mark.parametrize(
    ("values", "scores"),
    [
        ([0.0, 1.0, 1.0], False),
        ([0.0, 0.3, 1.0], True),
        ([0.0, np.nan, 1.0], True),  # as pandas' isin([0, 1]) reads a NaN
        ([0, 1, 1], False),  # integers are classes
        ([], False),
    ],
)
def test_a_float_column_of_only_zeros_and_ones_holds_classes(values, scores):
    from modelhealth.checks._metrics import is_score

    dtype = "int64" if values and isinstance(values[0], int) else "float64"
    assert is_score(pd.Series(values, dtype=dtype)) is scores
