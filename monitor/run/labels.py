"""Labels that arrive after the run: keep its predictions, join the labels later.

A production run often has predictions today and ground truth days later (did the
customer churn?). When a run comes without labels and its rules name ``label.key``
and have a check that late labels re-evaluate (a post-deployment ``metric`` or an
``estimated_metric`` check, see :mod:`modelhealth.checks.late_labels`), the runner
calls
:func:`~modelhealth.run.predictions.predictions_to_keep`: the key, prediction and
segment columns are stored with the
run, and its metric checks read ``skipped: labels not available yet``.

When the labels arrive, :func:`attach_labels` (``modelhealth labels``, or the
scheduler) reads those predictions back, joins the labels on the key, runs those
checks on the joined rows and replaces that run's earlier results of them, so the
run's status and history show the metrics (an ``estimated_metric`` result then
holds the realized value beside the estimate).
The run is saved again through :func:`modelhealth.run.runner.publish`, so a metric that
fails now opens an incident and alerts like any failed check.

Keys are joined as they are, or as text when the two sides' types differ (an id
read as a number from CSV and as text from Parquet). Labels of keys the run does not
have are ignored and counted; a labels file none of whose keys match is an error.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from modelhealth import config
from modelhealth.checks._text import as_text
from modelhealth.checks.base import CheckContext, CheckResult, utcnow
from modelhealth.checks.late_labels import late_label_checks
from modelhealth.engine.inputs import DataArg, read_data
from modelhealth.errors import DataError, UsageError
from modelhealth.report import RunReport
from modelhealth.rules.models import RuleSet
from modelhealth.run import runner
from modelhealth.run.history import graded_on_history
from modelhealth.run.reference import resolve_reference
from modelhealth.store.opening import using

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.engine.files import FileSource
    from modelhealth.store import ResultRecord, Store

__all__ = ["attach_labels"]


def _read_labels(labels: DataArg, columns: list[str]) -> pd.DataFrame:
    """The labels' ``columns`` (key and label): a file is read batch by batch,
    those columns only, so a wide export costs the memory of two columns.

    Raises:
        DataError: the labels lack a column, or cannot be read.
    """
    import pandas as pd

    if isinstance(labels, (str, os.PathLike)):
        from modelhealth.engine.base import EngineSettings
        from modelhealth.engine.files import open_files

        source = open_files(labels, what="labels")
        rows = EngineSettings.from_env().batch_rows
        parts = [b.frame for b in source.batches(rows, columns)]
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        if all(c in frame.columns for c in columns):
            return frame
        names = _file_columns(source)
    else:
        frame = read_data(labels, "labels")
        names = [str(c) for c in frame.columns]
    for column in columns:
        if column not in names:
            raise DataError(
                f"the labels have no column {column!r} "
                f"(columns: {', '.join(names[:20])})"
            )
    return frame


def _file_columns(source: FileSource) -> list[str]:
    """Every column of the labels' files."""
    if source.kind == "parquet":
        return [str(n) for n in source.schema().names]
    first = next(source.batches(1), None)
    return [str(c) for c in first.frame.columns] if first is not None else []


def _metric_checks(rule_set: RuleSet) -> list[str]:
    return [c.id for c in late_label_checks(rule_set)]


def _join(
    predictions: pd.DataFrame, labels: pd.DataFrame, key: str, label: str, run_id: str
) -> tuple[pd.DataFrame, int, int]:
    """Left-join labels to predictions; ``(joined, matched, unmatched_labels)``."""
    labels = labels[[key, label]].dropna(subset=[key])
    duplicated = labels[key].duplicated(keep=False)
    if duplicated.any():
        examples = ", ".join(
            map(repr, labels.loc[duplicated, key].unique()[:3].tolist())
        )
        raise DataError(
            f"the labels have {int(labels[key].duplicated().sum())} repeated keys in "
            f"{key!r} (e.g. {examples}); give one label per key"
        )
    left, right = predictions, labels
    if left[key].dtype != right[key].dtype:
        left = left.assign(**{key: as_text(left[key])})
        right = right.assign(**{key: as_text(right[key])})
    if label in left.columns:
        left = left.drop(columns=[label])
    joined = left.merge(right, on=key, how="left", indicator=True)
    matched = int((joined["_merge"] == "both").sum())
    if matched == 0:
        ours = ", ".join(map(repr, left[key].head(3).tolist()))
        theirs = ", ".join(map(repr, right[key].head(3).tolist()))
        raise DataError(
            f"none of the {len(right):,} label keys match the {len(left):,} "
            f"predictions of run {run_id!r} on {key!r}: the run has {ours}..., "
            f"the labels have {theirs}..."
        )
    # counted per label key: a run may repeat a key, a label file may not
    unmatched = int((~right[key].isin(left[key])).sum())
    return joined.drop(columns=["_merge"]), len(right) - unmatched, unmatched


def attach_labels(
    *,
    rules: RuleSet | str | os.PathLike[str],
    run_id: str,
    labels: DataArg,
    key: str | None = None,
    db: str | Store | None = None,
    now: datetime | None = None,
    alert: bool = True,
) -> RunReport:
    """Join late labels to a stored run's predictions and re-evaluate its metrics.

    Args:
        rules: the rules file or RuleSet of the run's model.
        run_id: the stored run the labels belong to.
        labels: the labels (DataFrame, Parquet or CSV) with the key and label columns.
        key: the column to join on; defaults to the rules' ``label.key``.
        db: store URL, SQLite path or open Store.
        now: the check time (tz-aware).
        alert: send alerts through the rules' routes (a metric that fails now
            opens an incident like any failed check).

    Returns:
        The run's report with every result, the re-evaluated metric checks included.

    Raises:
        UsageError: the rules have no label or metric check, or the run is unknown.
        DataError: no kept predictions, a key or label column missing, repeated
            keys, or no label key matching the run.
        StorageError: the store is unreachable.
    """
    from modelhealth.checks.profiling import profile_frame

    rule_set = config.as_rule_set(rules)
    if rule_set.label is None:
        raise UsageError(f"the rules of model {rule_set.model!r} have no 'label:'")
    checks = _metric_checks(rule_set)
    if not checks:
        raise UsageError(
            f"the rules of model {rule_set.model!r} have no post-deployment "
            "metric or estimated_metric check to evaluate with labels"
        )
    key = key or rule_set.label.key
    if not key:
        raise UsageError("give the key column: --key COLUMN, or label.key in the rules")
    label = rule_set.label.column
    frame = _read_labels(labels, [key, label])
    with using(db) as store:
        stored = store.run(rule_set.model, run_id)
        if stored is None:
            raise UsageError(f"model {rule_set.model!r} has no stored run {run_id!r}")
        kept = store.predictions(rule_set.model, run_id)
        if kept is None:
            raise DataError(
                f"run {run_id!r} of model {rule_set.model!r} has no kept predictions: "
                "they are kept when a run arrives without labels and its rules "
                "name label.key and have a post-deployment metric or an "
                "estimated_metric check"
            )
        if key not in kept.frame.columns:
            raise DataError(
                f"run {run_id!r} kept its predictions by {kept.key_column!r}, "
                f"not {key!r}"
            )
        joined, matched, unmatched = _join(kept.frame, frame, key, label, run_id)
        reference = resolve_reference(store, rule_set, exclude_run_id=run_id)
        ctx = CheckContext(
            rule_set=rule_set.model_copy(
                update={"checks": [rule_set.check(c) for c in checks]}
            ),
            run_id=run_id,
            frame=joined,
            profile=profile_frame(
                joined, reference=reference.profile if reference else None
            ),
            reference=reference,
            model_version=stored.model_version,
            now=now or utcnow(),
        )
        extra = {"labels_matched": matched, "labels_unmatched": unmatched}
        # graded on the history before the run's time, not the labels' arrival
        checked = graded_on_history(
            runner.run_checks(ctx), replace(ctx, now=stored.started_at), store
        )
        fresh = [replace(r, details={**r.details, **extra}) for r in checked]
        report = RunReport(
            model=rule_set.model,
            run_id=run_id,
            results=_merge(stored.results, fresh, checks),
            profile=store.run_profile(stored.pk),
            row_count=stored.row_count,
            started_at=stored.started_at,
            finished_at=stored.finished_at,
            model_version=stored.model_version,
            reference=stored.reference,
            source=stored.source,
            details=stored.details,
        )
        report = runner.publish(
            report,
            rule_set,
            store=store,
            report_url=config.report_link(rule_set.model, run_id),
            alert=alert,
        )
        store.mark_labeled(rule_set.model, run_id, matched)
    return report


def _merge(
    stored: Sequence[ResultRecord], fresh: list[CheckResult], checks: list[str]
) -> tuple[CheckResult, ...]:
    """The run's results with those of ``checks`` replaced, in the stored order."""
    out: list[CheckResult] = []
    placed: set[str] = set()
    for record in stored:
        if record.check_id not in checks:
            out.append(record.to_result())
        elif record.check_id not in placed:
            placed.add(record.check_id)
            out += [r for r in fresh if r.check_id == record.check_id]
    out += [r for r in fresh if r.check_id not in placed]
    return tuple(out)
