"""The ``quality`` check: nulls, out-of-range values, unseen categories."""

from __future__ import annotations

import numpy as np
import pytest

from modelhealth.checks.base import Status
from modelhealth.checks.quality import QualityCheck, QualityParams


def run(make_ctx, frame, reference=None, **params):
    check = QualityCheck(QualityParams(id="q", **params))
    return {r.subject: r for r in check.run(make_ctx(check.params, frame, reference))}


def test_clean_data_passes(make_ctx, frame):
    results = run(make_ctx, frame(2000, seed=1), frame(20000, seed=2))
    assert "churned" not in results  # the label is left out of "*"
    assert all(r.status is Status.PASSED for r in results.values()), {
        k: r.message for k, r in results.items()
    }
    assert set(results["spend"].metrics) >= {"nulls_share", "out_of_range_share"}
    assert "unseen_share" in results["plan"].metrics


def test_nulls_against_the_reference_share(make_ctx, frame):
    ref = frame(1000, seed=2)
    ref.loc[:99, "spend"] = np.nan  # the reference has 10% nulls
    cur = frame(1000, seed=1)
    cur.loc[:149, "spend"] = np.nan  # 15%: +5 points
    params = {
        "nulls": {"max_increase": {"warn": 0.04, "fail": 0.1}},
        "columns": ["spend"],
    }
    result = run(make_ctx, cur, ref, **params)["spend"]
    assert result.status is Status.WARNED
    assert result.metrics["nulls_increase"] == pytest.approx(0.05)
    assert result.details["reference_shares"]["nulls"] == pytest.approx(0.1)
    absolute = run(make_ctx, cur, ref, nulls={"max": {"fail": 0.12}}, columns=["spend"])
    assert absolute["spend"].status is Status.FAILED


def test_out_of_range_and_unseen(make_ctx, frame):
    cur = frame(100, seed=1)
    cur.loc[:9, "age"] = 500
    cur.loc[:2, "plan"] = "platinum"
    results = run(make_ctx, cur, frame(1000, seed=2), columns=["age", "plan"])
    assert results["age"].status is Status.FAILED
    assert results["age"].metrics["out_of_range_share"] == pytest.approx(0.1)
    assert results["age"].failures == ({"measure": "out_of_range", "value": 500.0},)
    assert (
        results["plan"].status is Status.WARNED
        or results["plan"].status is Status.FAILED
    )
    assert results["plan"].metrics["unseen_share"] == pytest.approx(0.03)
    assert "unseen share 3.0% >= " in results["plan"].message


def test_without_reference_only_absolute_nulls(make_ctx, frame):
    cur = frame(100)
    cur.loc[:49, "region"] = None
    results = run(
        make_ctx, cur, nulls={"max": {"fail": 0.2}}, columns=["region", "age"]
    )
    assert results["region"].status is Status.FAILED
    assert results["age"].status is Status.PASSED
    default = run(make_ctx, cur, columns=["age"])
    assert default["age"].status is Status.SKIPPED


def test_id_columns_have_no_unseen_measure(make_ctx, frame):
    ref = frame(300, seed=2)
    ref["customer_id"] = [f"a{i}" for i in range(300)]
    cur = frame(100, seed=1)
    cur["customer_id"] = [f"b{i}" for i in range(100)]
    result = run(make_ctx, cur, ref, columns=["customer_id"])["customer_id"]
    assert "unseen_share" not in result.metrics
    assert result.status is Status.PASSED
