"""``prediction``, ``freshness`` and ``volume`` count every row, not the sample.

Each kind runs on the whole frame and through its row pass fed batches of the
whole run, 1000 and 7 rows (two workers, pickled): the same results. Given a
sampled frame and the whole run's pass or profile, the verdict is the whole run's
(issue 10).
"""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks.base import CheckContext, Status
from modelhealth.checks.freshness import FreshnessCheck, FreshnessParams
from modelhealth.checks.passes import Batch
from modelhealth.checks.prediction import PredictionCheck, PredictionParams
from modelhealth.checks.profiling import profile_frame
from modelhealth.checks.volume import VolumeCheck, VolumeParams
from modelhealth.rules.models import PredictionSpec, RuleSet, Threshold

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)


def rows(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    score = rng.beta(2, 5, n)
    score[rng.random(n) < 0.01] = np.nan
    score[5] = 1.7  # out of range
    stamps = pd.Timestamp("2026-11-30T00:00:00Z") + pd.to_timedelta(
        rng.integers(0, 3600, n), unit="s"
    )
    return pd.DataFrame(
        {
            "score": score,
            "plan": rng.choice(["basic", "pro", "max"], n),
            "at": stamps.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    )


def context(params, frame, task="binary_classification", column="score", passes=None):
    return CheckContext(
        rule_set=RuleSet(
            version=1,
            model="m",
            prediction=PredictionSpec(column=column, task=task),
            checks=[params],
        ),
        run_id="run-1",
        frame=frame,
        profile=profile_frame(frame),
        reference=None,
        now=NOW,
        passes=passes or {},
    )


def scanned(cls, ctx, frame, size):
    params = ctx.rule_set.checks[0]
    size = size or len(frame)
    half = (len(frame) // size // 2) * size or len(frame)
    workers = []
    for part in (frame.iloc[:half], frame.iloc[half:]):
        found = cls.row_pass(params, ctx.rule_set, None)
        assert found is not None
        for start in range(0, len(part), size):
            found.update(Batch(frame=part.iloc[start : start + size]))
        workers.append(pickle.loads(pickle.dumps(found)))
    workers[0].merge(workers[1])
    return workers[0]


def same(batched, whole):
    assert [r.subject for r in batched] == [r.subject for r in whole]
    for mine, theirs in zip(batched, whole, strict=True):
        assert mine.status == theirs.status, mine.subject
        assert mine.value == pytest.approx(theirs.value), mine.subject
        assert mine.metrics == pytest.approx(theirs.metrics), mine.subject
        assert mine.failures == theirs.failures, mine.subject
        assert mine.message == theirs.message, mine.subject


CASES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "binary": (
        "binary_classification",
        "score",
        {"positive_rate": {"min": 0.01, "max": 0.2}},
    ),
    "bounds": ("regression", "score", {"min_value": 0.05, "max_value": 0.9}),
    "classes": ("multiclass_classification", "plan", {}),
}


@pytest.mark.parametrize("size", [None, 1000, 7], ids=["whole", "1000", "7"])
@pytest.mark.parametrize("case", list(CASES))
def test_prediction_parts_are_the_same_from_batches(case, size):
    task, column, extra = CASES[case]
    frame = rows()
    params = PredictionParams(id="p", drift=False, **extra)
    ctx = context(params, frame, task, column)
    whole = PredictionCheck(params).run(ctx)
    found = scanned(PredictionCheck, ctx, frame, size)
    batched = PredictionCheck(params).run(replace(ctx, passes={"p": found}))
    same(batched, whole)
    assert len(whole) >= 2


def test_a_sampled_frame_does_not_change_the_prediction_verdict():
    frame = rows()
    params = PredictionParams(id="p", drift=False, max_null_share=Threshold(fail=0.5))
    ctx = context(params, frame)
    found = scanned(PredictionCheck, ctx, frame, 1000)
    sample = frame.drop(index=5).iloc[:300]  # the out-of-range row left out
    sampled = replace(ctx, frame=sample, sampled=True, row_count=len(frame))
    results = {
        r.subject: r
        for r in PredictionCheck(params).run(replace(sampled, passes={"p": found}))
    }
    assert results["range"].status == Status.FAILED
    assert results["range"].failures == ({"value": 1.7},)
    on_sample = {r.subject: r for r in PredictionCheck(params).run(sampled)}
    assert on_sample["range"].details == {"sampled": True, "run_rows": len(frame)}


@pytest.mark.parametrize("size", [None, 1000, 7], ids=["whole", "1000", "7"])
def test_freshness_finds_the_newest_timestamp_of_every_row(size):
    frame = rows()
    frame.loc[frame.index[-3], "at"] = "2026-12-01T11:00:00Z"  # the newest
    params = FreshnessParams(id="f", column="at", max_age="2h")
    ctx = context(params, frame)
    whole = FreshnessCheck(params).run(ctx)
    found = scanned(FreshnessCheck, ctx, frame, size)
    sampled = replace(ctx, frame=frame.iloc[:200], sampled=True, row_count=len(frame))
    batched = FreshnessCheck(params).run(replace(sampled, passes={"f": found}))
    assert batched[0].status == whole[0].status == Status.PASSED
    assert batched[0].value == whole[0].value == 3600.0
    on_sample = FreshnessCheck(params).run(sampled)
    assert "in a sample of the run" in on_sample[0].message


def test_freshness_errors_name_the_column_from_batches():
    frame = rows(50)
    frame["at"] = np.arange(50)
    params = FreshnessParams(id="f", column="at", max_age="2h")
    ctx = context(params, frame)
    found = scanned(FreshnessCheck, ctx, frame, 7)
    from modelhealth.checks.base import CheckError

    with pytest.raises(CheckError, match="column 'at' holds numbers"):
        FreshnessCheck(params).run(replace(ctx, passes={"f": found}))


def test_volume_reads_the_runs_row_count_not_the_samples():
    frame = rows()
    params = VolumeParams(id="v", min_rows=1000)
    ctx = context(params, frame)
    sampled = replace(ctx, frame=frame.iloc[:300], sampled=True, row_count=len(frame))
    result = VolumeCheck(params).run(sampled)[0]
    assert result.status == Status.PASSED
    assert result.value == len(frame)
