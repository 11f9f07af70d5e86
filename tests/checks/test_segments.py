"""``segment_by``: one result per segment, the largest first, bounded."""

from __future__ import annotations

import numpy as np
import pytest

from modelhealth.checks import registry
from modelhealth.checks.base import CheckError, Status
from modelhealth.checks.drift import DriftCheck, DriftParams
from modelhealth.checks.metric import MetricCheck, MetricParams
from modelhealth.checks.segments import run_segmented, segment_name
from modelhealth.checks.volume import VolumeCheck, VolumeParams


def test_without_segment_by_the_check_runs_once(make_ctx, frame):
    check = VolumeCheck(VolumeParams(id="v", min_rows=10))
    assert [
        r.subject for r in run_segmented(check, make_ctx(check.params, frame(50)))
    ] == [None]


def test_one_result_per_segment_largest_first(make_ctx, frame):
    df = frame(1000)
    df["region"] = ["eu"] * 500 + ["us"] * 300 + ["apac"] * 150 + ["latam"] * 50
    check = VolumeCheck(
        VolumeParams(id="v", min_rows=100, segment_by=["region"], max_segments=3)
    )
    results = run_segmented(check, make_ctx(check.params, df))
    assert [r.subject for r in results] == ["region=eu", "region=us", "region=apac"]
    assert [r.value for r in results] == [500, 300, 150]
    assert results[0].details["segment"] == {"region": "eu"}
    assert results[0].details["segment_rows"] == 500
    assert results[0].details["segments_total"] == 4


def test_drift_shows_in_one_region_only(make_ctx, frame):
    ref = frame(4000, seed=1)
    cur = frame(2000, seed=2)
    cur["region"] = np.where(np.arange(2000) < 1000, "eu", "us")
    cur.loc[cur["region"] == "eu", "spend"] += 30  # three standard deviations
    params = DriftParams(id="d", columns=["spend"], segment_by=["region"])
    results = run_segmented(DriftCheck(params), make_ctx(params, cur, ref))
    by = {r.subject: r.status for r in results}
    assert by == {"spend@region=eu": Status.FAILED, "spend@region=us": Status.PASSED}


def test_metric_per_segment_and_two_columns(make_ctx, frame):
    df = frame(2000, seed=3)
    params = MetricParams(
        id="m", metric="accuracy", min=0.0, segment_by=["region", "plan"]
    )
    whole, *results = run_segmented(MetricCheck(params), make_ctx(params, df))
    assert whole.subject is None  # the whole run first, then its segments
    assert len(results) == 9
    assert all("," in (r.subject or "") for r in results)
    sizes = [r.details["segment_rows"] for r in results]
    assert sizes == sorted(sizes, reverse=True)


def test_null_segment_and_names():
    assert segment_name(["a", "b"], ("x", None)) == "a=x,b=null"
    assert segment_name(["a"], (float("nan"),)) == "a=null"


def test_missing_segment_column_is_a_check_error(make_ctx, frame):
    check = VolumeCheck(VolumeParams(id="v", min_rows=1, segment_by=["client"]))
    with pytest.raises(
        CheckError, match="segment_by column 'client' is not in the run data"
    ):
        run_segmented(check, make_ctx(check.params, frame(10)))


@pytest.mark.parametrize("kind", ["volume", "quality", "prediction", "freshness"])
def test_every_kind_accepts_segment_by(kind):
    params = registry.params_types()[kind]
    assert "segment_by" in params.model_fields
    assert params.model_fields["max_segments"].default == 10


def test_the_whole_run_names_the_segments_behind_a_metric_drop(make_ctx):
    """Issue 15: weight x drop ranks the segments; a small collapse and a large
    slip are weighed by their rows."""
    from dataclasses import replace

    import numpy as np
    import pandas as pd

    from modelhealth.checks.base import Reference

    rng = np.random.default_rng(5)
    sizes = {"eu": 3000, "us": 2000, "apac": 500}
    wrong = {"eu": 0.0, "us": 0.15, "apac": 0.5}  # share of flipped predictions
    parts = []
    for region, n in sizes.items():
        label = rng.integers(0, 2, n)
        flip = rng.random(n) < wrong[region]
        parts.append(
            pd.DataFrame(
                {
                    "region": region,
                    "churned": label,
                    "score": np.where(flip, 1 - label, label).astype(float),
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    params = MetricParams(
        id="m", metric="accuracy", max_drop=0.02, segment_by=["region"]
    )
    ctx = replace(
        make_ctx(params, df),
        reference=Reference(
            source="baseline",
            label="baseline v1",
            profile=None,
            metrics={"accuracy": 1.0},
            version="v1",
        ),
    )
    whole, *_ = run_segmented(MetricCheck(params), ctx)
    named = whole.details["drop_contributors"]
    assert [c["segment"] for c in named] == ["region=us", "region=apac"]
    us, apac = named
    assert us["weight"] == pytest.approx(2000 / 5500)
    assert us["contribution"] == pytest.approx(us["weight"] * us["drop"])
    assert apac["drop"] > us["drop"]  # the small segment fell further...
    assert us["contribution"] > apac["contribution"]  # ...the large one weighs more
    assert "the drop comes most from region=us (36% of rows x drop 0.1" in (
        whole.message
    )
