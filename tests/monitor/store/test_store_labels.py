"""Kept predictions and gate verdicts in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from modelhealth.checks.base import CheckResult, Status
from modelhealth.errors import StorageError
from modelhealth.report import RunReport
from modelhealth.store import Store

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)


def save_run(store: Store, run_id: str = "r1") -> int:
    report = RunReport(
        model="churn",
        run_id=run_id,
        results=(),
        profile={},
        row_count=3,
        started_at=T0,
        finished_at=T0,
    )
    return store.save_run(report)


def test_predictions_round_trip_and_are_replaced(store: Store, engine) -> None:
    save_run(store)
    frame = pd.DataFrame({"id": ["a", "b", "c"], "score": [0.1, 0.5, np.nan]})
    store.save_predictions("churn", "r1", frame, key="id")
    store.save_predictions("churn", "r1", frame.iloc[:2], key="id")
    kept = store.predictions("churn", "r1")
    assert kept is not None
    assert kept.key_column == "id"
    pd.testing.assert_frame_equal(kept.frame, frame.iloc[:2])
    assert kept.labeled_at is None
    store.mark_labeled("churn", "r1", 2)
    kept = store.predictions("churn", "r1")
    assert kept is not None
    assert kept.labeled_rows == 2
    assert kept.labeled_at is not None
    with engine.connect() as conn:
        assert conn.scalar(sa.text("select count(*) from run_predictions")) == 1
    assert store.predictions("churn", "other") is None


def test_predictions_of_an_unknown_run_are_refused(store: Store) -> None:
    with pytest.raises(
        StorageError, match="could not keep the predictions of run 'nope'"
    ):
        store.save_predictions("churn", "nope", pd.DataFrame({"id": [1]}), key="id")


def test_gate_verdicts_newest_first(store: Store) -> None:
    result = CheckResult(
        check_id="auc", kind="metric", subject=None, status=Status.FAILED, value=0.7
    )
    for version, passed in (("v2", False), ("v3", True)):
        store.save_gate_verdict(
            "churn",
            candidate_version=version,
            baseline_version="v1",
            passed=passed,
            row_count=100,
            metrics={"roc_auc": 0.7, "nan": float("nan")},
            results=[result],
            created_at=T0.replace(day=2 if version == "v3" else 1),
        )
    verdicts = store.gate_verdicts("churn")
    assert [(v.candidate_version, v.passed) for v in verdicts] == [
        ("v3", True),
        ("v2", False),
    ]
    assert verdicts[0].metrics == {"roc_auc": 0.7, "nan": None}
    assert verdicts[0].results[0]["check_id"] == "auc"
    assert verdicts[0].created_at == T0.replace(day=2)
    assert store.gate_verdicts("other") == []
