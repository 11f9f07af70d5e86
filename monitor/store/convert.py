"""Between the caller's objects and the store's rows, in both directions.

Going in, a :class:`~modelhealth.report.RunReport`'s results and profile become row
values, and every JSON value is made strictly JSON by
:func:`modelhealth.checks._json.json_safe`
(NaN and infinities become ``None``: neither SQLite's JSON nor PostgreSQL's
``jsonb`` can hold them). Coming out,
rows become the frozen records of :mod:`modelhealth.store.records`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from modelhealth.checks._json import finite, json_safe
from modelhealth.checks.base import CheckResult
from modelhealth.store.models import BaselineRow, CheckResultRow, RunRow
from modelhealth.store.records import BaselineRecord, ResultRecord, RunRecord

__all__ = [
    "baseline_record",
    "finite",
    "json_safe",
    "profile_from_rows",
    "profile_rows",
    "result_record",
    "result_values",
    "run_record",
]


def result_values(result: CheckResult, *, run_id: int, model_id: int) -> dict[str, Any]:
    """The ``check_results`` row of one result."""
    return {
        "run_id": run_id,
        "model_id": model_id,
        "check_id": result.check_id,
        "kind": result.kind,
        "subject": result.subject,
        "status": json_safe(result.status),
        "severity": json_safe(result.severity),
        "value": finite(result.value),
        "threshold": json_safe(result.threshold),
        "metrics": json_safe(result.metrics),
        "details": json_safe(result.details),
        "failures": json_safe(result.failures),
        "message": result.message,
        "started_at": result.started_at,
        "finished_at": result.finished_at,
    }


def profile_rows(profile: Mapping[str, Any], **owner: int) -> list[dict[str, Any]]:
    """One ``column_profiles`` row per column of ``profile``, owned by ``owner``."""
    columns: Mapping[str, Any] = profile.get("columns") or {}
    return [
        {**owner, "column_name": str(name), "profile": json_safe(column)}
        for name, column in columns.items()
    ]


def profile_from_rows(
    row_count: int, rows: Iterable[tuple[str, Any]]
) -> dict[str, Any]:
    """The profile as saved, from its owner's row count and its column rows."""
    return {"row_count": row_count, "columns": dict(rows)}


def result_record(row: CheckResultRow) -> ResultRecord:
    return ResultRecord(
        check_id=row.check_id,
        kind=row.kind,
        subject=row.subject,
        status=row.status,
        severity=row.severity,
        value=row.value,
        threshold=dict(row.threshold),
        metrics=dict(row.metrics),
        details=dict(row.details),
        failures=[dict(f) for f in row.failures],
        message=row.message,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def run_record(
    row: RunRow, model: str, results: Iterable[CheckResultRow] = ()
) -> RunRecord:
    return RunRecord(
        pk=row.id,
        model=model,
        run_id=row.run_key,
        model_version=row.model_version,
        status=row.status,
        row_count=row.row_count,
        started_at=row.started_at,
        finished_at=row.finished_at,
        source=row.source,
        reference=row.reference,
        counts={str(k): int(v) for k, v in row.counts.items()},
        details=dict(row.details),
        results=tuple(result_record(r) for r in results),
    )


def baseline_record(
    row: BaselineRow, model: str, profile: dict[str, Any]
) -> BaselineRecord:
    return BaselineRecord(
        model=model,
        version=row.version,
        created_at=row.created_at,
        row_count=row.row_count,
        metrics={k: float(v) for k, v in row.metrics.items() if v is not None},
        profile=profile,
        details=dict(row.details),
    )
