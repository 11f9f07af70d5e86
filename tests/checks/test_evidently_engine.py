"""``engine: evidently``: evidently's own tests on raw data, mapped to our results.

The agreement test uses evidently's default methods (normed Wasserstein, JS); for
numeric JS evidently bins on Sturges bins over both samples and we on 10 groups of
reference quantiles, so values differ a little while the decisions agree on
clear cases (a 0.5-sd shift, a 1.6x spread, a reshuffled category).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks.base import Status
from modelhealth.checks.drift import DriftCheck, DriftParams


def frames(n: int = 4000):
    g = np.random.default_rng(2)
    ref = pd.DataFrame(
        {
            "same": g.normal(0, 1, n),
            "shifted": g.normal(0, 1, n),
            "wide": g.normal(0, 1, n),
            "cat_same": g.choice(list("abcd"), n),
            "cat_moved": g.choice(list("abcd"), n),
        }
    )
    cur = pd.DataFrame(
        {
            "same": g.normal(0, 1, n),
            "shifted": g.normal(0.5, 1, n),
            "wide": g.normal(0, 1.6, n),
            "cat_same": g.choice(list("abcd"), n),
            "cat_moved": g.choice(list("abcd"), n, p=[0.1, 0.1, 0.2, 0.6]),
        }
    )
    return ref, cur


@pytest.mark.parametrize("method", ["auto", "wasserstein", "jensenshannon"])
def test_both_engines_agree_on_drift_decisions(make_ctx, tmp_path, method):
    ref, cur = frames()
    ref.to_parquet(tmp_path / "ref.parquet")
    if method == "wasserstein":  # numeric only, in both engines
        ref, cur = ref.iloc[:, :3], cur.iloc[:, :3]
    decisions = {}
    for engine in ("native", "evidently"):
        check = DriftCheck(
            DriftParams(
                id="drift",
                method=method,
                engine=engine,
                reference_data=str(tmp_path / "ref.parquet"),
            )
        )
        results = check.run(make_ctx(check.params, cur, ref))
        assert all(r.status in (Status.PASSED, Status.FAILED) for r in results)
        decisions[engine] = {r.subject: r.status for r in results}
        # the same statistic on both sides where evidently does not re-bin
        if method == "auto":
            assert results[0].details["method"] == "wasserstein"
    assert decisions["native"] == decisions["evidently"]
    assert decisions["native"]["shifted"] is Status.FAILED
    assert decisions["native"]["same"] is Status.PASSED
    assert decisions["native"].get("cat_moved", Status.FAILED) is Status.FAILED


def test_evidently_result_shape(make_ctx, tmp_path):
    ref, cur = frames()
    ref.to_parquet(tmp_path / "ref.parquet")
    check = DriftCheck(
        DriftParams(
            id="drift",
            engine="evidently",
            columns=["shifted"],
            reference_data=str(tmp_path / "ref.parquet"),
        )
    )
    [result] = check.run(make_ctx(check.params, cur, ref))
    assert result.details["engine"] == "evidently"
    assert result.details["method"] == "wasserstein"
    assert result.threshold == {"fail": 0.1}
    assert result.message.startswith("evidently wasserstein ")


def test_evidently_without_reference_data_is_errored(make_ctx):
    ref, cur = frames(100)
    check = DriftCheck(DriftParams(id="drift", engine="evidently", columns=["same"]))
    [result] = check.run(make_ctx(check.params, cur, ref))
    assert result.status is Status.ERRORED
    assert result.message.startswith(
        "engine evidently needs the reference's raw data: set reference_data"
    )


def test_evidently_method_that_does_not_apply_is_errored(make_ctx, tmp_path):
    ref, cur = frames(200)
    ref.to_parquet(tmp_path / "ref.parquet")
    check = DriftCheck(
        DriftParams(
            id="drift",
            engine="evidently",
            method="wasserstein",
            columns=["cat_same"],
            reference_data=str(tmp_path / "ref.parquet"),
        )
    )
    [result] = check.run(make_ctx(check.params, cur, ref))
    assert result.status is Status.ERRORED
    assert result.message.startswith("evidently: ")
