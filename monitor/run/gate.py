"""The pre-deployment gate: may a candidate model version replace the current one?

:func:`evaluate_candidate` (``modelhealth gate``) takes holdout data scored by the
candidate (its prediction and label columns, as the rules name them) and runs the
whole rules file on it, as a production run would be checked, but on the holdout:

- schema, quality, expectations and drift of the holdout against the current
  baseline (is the holdout like production?), and prediction checks on the
  candidate's outputs; each with its ``segment_by``;
- the ``metric`` checks whose ``stage`` is ``pre_deployment`` or ``both``: with a
  **champion** (the current model's predictions on the same rows, see
  :mod:`modelhealth.run.champion`), each metric is computed for both models and
  ``max_drop`` bounds the paired difference with a confidence interval
  (:mod:`modelhealth.checks._champion`); without one, ``max_drop`` compares with
  the baseline's registered metrics, as before.

Kinds that watch production runs over time (``volume``, ``freshness``,
``estimated_metric``), ``skew`` (it compares the features a served run received
with their offline copy, and a holdout is not served) and post-deployment metrics
do not run on a holdout.

The **decision** is ``failed`` when a result at or above ``fail_on`` failed or
errored (with ``fail_on`` ``warning`` or ``info``, warned too, as in
``modelhealth check``); without ``fail_on``, any failed or errored result of any
severity fails the gate. Otherwise it is ``inconclusive`` when a comparison with
the champion could not tell, else ``passed``; ``inconclusive`` does not block
unless ``fail_on`` asks for warnings. Verdicts are kept in their own table, with
both models' values, the intervals, the rows used, the holdout's fingerprint and
its profile, never as runs: a rejected candidate never shows in the production
model's health history.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from modelhealth import config
from modelhealth.checks.base import CheckContext, CheckResult, Status, utcnow
from modelhealth.checks.metric import MetricParams, metric_checks
from modelhealth.engine.inputs import DataArg
from modelhealth.errors import DataError, FailOn, UsageError
from modelhealth.report import failing
from modelhealth.rules.models import CheckParams, RuleSet
from modelhealth.run import runner
from modelhealth.run.champion import CHAMPION, attach_champion
from modelhealth.run.reference import baseline_reference
from modelhealth.store.opening import using

if TYPE_CHECKING:
    from modelhealth.store import Store

__all__ = ["GateVerdict", "evaluate_candidate", "gate_checks"]

_PRODUCTION_ONLY = frozenset({"volume", "freshness", "estimated_metric", "skew"})


@dataclass(frozen=True)
class GateVerdict:
    """The gate's decision on one candidate version.

    Attributes:
        model: the model's name.
        candidate_version: the version evaluated.
        passed: the decision is not ``failed``.
        decision: ``passed``, ``failed`` or ``inconclusive``.
        results: every result of the gate's checks, in the rules' order.
        metrics: the candidate's metric values by name (whole holdout data).
        champion: what it was compared with (``column 'score_v1'``, or the
            champion's version), or ``None`` for the baseline's numbers.
        champion_metrics: the champion's values on the same rows, by name.
        baseline_version: the baseline the holdout was compared with, if any.
        baseline_metrics: that baseline's pre-deployment metrics.
        row_count: rows of the holdout data.
        unlabelled_rows: holdout rows without a label (left out of the metrics).
        fingerprint: SHA-256 of the holdout data as read.
        fail_on: the severity that decided, or ``None`` (any failure).
        pk: the stored verdict's key.
    """

    model: str
    candidate_version: str
    passed: bool
    results: tuple[CheckResult, ...]
    decision: str = "passed"
    metrics: Mapping[str, float] = field(default_factory=dict)
    champion: str | None = None
    champion_metrics: Mapping[str, float] = field(default_factory=dict)
    baseline_version: str | None = None
    baseline_metrics: Mapping[str, float] = field(default_factory=dict)
    row_count: int = 0
    unlabelled_rows: int = 0
    fingerprint: str | None = None
    fail_on: FailOn | None = None
    created_at: datetime = field(default_factory=utcnow)
    pk: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable verdict (``modelhealth gate --json``)."""
        return {
            "id": self.pk,
            "model": self.model,
            "candidate_version": self.candidate_version,
            "decision": self.decision,
            "passed": self.passed,
            "champion": self.champion,
            "baseline_version": self.baseline_version,
            "metrics": dict(self.metrics),
            "champion_metrics": dict(self.champion_metrics),
            "baseline_metrics": dict(self.baseline_metrics),
            "row_count": self.row_count,
            "unlabelled_rows": self.unlabelled_rows,
            "fingerprint": self.fingerprint,
            "fail_on": self.fail_on.value if self.fail_on else None,
            "created_at": self.created_at.isoformat(),
            "results": [r.to_dict() for r in self.results],
        }


def gate_checks(rule_set: RuleSet) -> list[CheckParams]:
    """The rules' checks that a gate runs on holdout data, in the rules' order."""
    gate_metrics = {c.id for c in metric_checks(rule_set, "pre_deployment")}
    return [
        c
        for c in rule_set.checks
        if c.enabled
        and c.kind not in _PRODUCTION_ONLY
        and (not isinstance(c, MetricParams) or c.id in gate_metrics)
    ]


def _decide(
    results: tuple[CheckResult, ...], fail_on: FailOn | None
) -> tuple[str, bool]:
    if fail_on is None:
        blocked = any(r.status in (Status.FAILED, Status.ERRORED) for r in results)
    else:
        blocked = bool(failing(results, fail_on))
    if blocked:
        return "failed", False
    unsure = any(r.details.get("decision") == "inconclusive" for r in results)
    return ("inconclusive" if unsure else "passed"), True


def evaluate_candidate(
    *,
    rules: RuleSet | str | os.PathLike[str],
    candidate_version: str,
    data: DataArg,
    db: str | Store | None = None,
    champion_column: str | None = None,
    champion_predictions: DataArg | None = None,
    champion_version: str | None = None,
    fail_on: FailOn | str | None = None,
    now: datetime | None = None,
) -> GateVerdict:
    """Evaluate a candidate version on holdout data and store the verdict.

    Args:
        rules: the model's rules file or RuleSet.
        candidate_version: the version being considered for deployment.
        data: holdout data with the candidate's predictions and the labels.
        db: store URL, SQLite path or open Store.
        champion_column: the holdout column of the champion's predictions, or
        champion_predictions: a file of them, joined on the rules' ``label.key``.
        champion_version: the champion's version, for the verdict; by default the
            current baseline's.
        fail_on: the severity at or above which a failure fails the gate; ``None``
            for any.
        now: when the evaluation happens (tz-aware).

    Returns:
        The verdict, stored (``pk`` set).

    Raises:
        UsageError: the rules have no pre-deployment metric check, or the champion
            cannot be compared (another task, the same predictions).
        DataError: the data is unreadable, empty, unlabelled, or lacks a column.
        StorageError: the store is unreachable.
    """
    rule_set = config.as_rule_set(rules)
    fail_on = None if fail_on is None else FailOn(fail_on)
    if not metric_checks(rule_set, "pre_deployment"):
        raise UsageError(
            f"the rules of model {rule_set.model!r} have no metric check with "
            "stage: pre_deployment or both, so the gate has nothing to evaluate"
        )
    when = now or utcnow()
    checks = gate_checks(rule_set)
    with using(db) as store:
        wanted = rule_set.reference.baseline
        baseline = store.baseline(
            rule_set.model, None if wanted in (None, "latest") else wanted
        )
        reference = None if baseline is None else baseline_reference(baseline)
        holdout = _scan_holdout(
            data, rule_set, reference, checks, champion_column=champion_column
        )
        frame = holdout.kept
        assert frame is not None
        print_ = holdout.passes_extra["fingerprint"]
        unlabelled = holdout.unlabelled
        scored, champion = frame, None
        if champion_column is not None or champion_predictions is not None:
            scored, champion = attach_champion(
                frame,
                rule_set,
                column=champion_column,
                predictions=champion_predictions,
            )
        ctx = CheckContext(
            rule_set=rule_set.model_copy(
                update={"checks": [c for c in checks if c.kind != "metric"]}
            ),
            run_id=f"gate:{candidate_version}",
            frame=holdout.scan.frame,
            profile=holdout.scan.profile,
            reference=reference,
            model_version=candidate_version,
            now=when,
            stage="pre_deployment",
            passes=holdout.scan.passes,
            row_count=holdout.scan.rows,
            sampled=holdout.scan.sampled,
        )
        # metrics on every labelled row: the kept columns (label, predictions,
        # key, segments), which paired tests with the champion need whole
        metric_ctx = replace(
            ctx,
            rule_set=rule_set.model_copy(
                update={"checks": [c for c in checks if c.kind == "metric"]}
            ),
            frame=scored,
            champion=None if champion is None else CHAMPION,
            passes={},
            row_count=None,
            sampled=False,
        )
        profile = holdout.scan.profile
        order = {c.id: i for i, c in enumerate(checks)}
        results = tuple(
            sorted(
                [*runner.run_checks(ctx), *runner.run_checks(metric_ctx)],
                key=lambda r: order.get(r.check_id, len(order)),
            )
        )
        decision, passed = _decide(results, fail_on)
        whole = [
            r
            for r in results
            if r.kind == "metric" and r.subject is None and r.value is not None
        ]
        metrics = {str(r.details["metric"]): float(r.value or 0) for r in whole}
        champion_metrics = {
            str(r.details["metric"]): float(r.metrics["champion"])
            for r in whole
            if "champion" in r.metrics
        }
        if champion is not None:
            champion = champion_version or (
                f"{baseline.version} ({champion})" if baseline else champion
            )
        verdict = GateVerdict(
            model=rule_set.model,
            candidate_version=candidate_version,
            passed=passed,
            decision=decision,
            results=results,
            metrics=metrics,
            champion=champion,
            champion_metrics=champion_metrics,
            baseline_version=baseline.version if baseline else None,
            baseline_metrics=dict(baseline.metrics) if baseline else {},
            row_count=holdout.scan.rows,
            unlabelled_rows=unlabelled,
            fingerprint=print_,
            fail_on=fail_on,
            created_at=when,
        )
        details: dict[str, Any] = {
            "unlabelled_rows": unlabelled,
            "fail_on": fail_on.value if fail_on else None,
        }
        if isinstance(data, (str, os.PathLike)):
            details["data"] = str(data)
        pk = store.save_gate_verdict(
            rule_set.model,
            candidate_version=candidate_version,
            baseline_version=verdict.baseline_version,
            passed=passed,
            row_count=holdout.scan.rows,
            metrics=metrics,
            results=results,
            details=details,
            created_at=when,
            decision=decision,
            champion=champion,
            champion_metrics=champion_metrics,
            fingerprint=print_,
            profile=profile.to_dict(),
        )
    return replace(verdict, pk=pk)


@dataclass
class _Holdout:
    scan: Any
    kept: Any
    unlabelled: int
    passes_extra: dict[str, Any]


def _scan_holdout(
    data: DataArg,
    rule_set: RuleSet,
    reference: Any,
    checks: list[CheckParams],
    *,
    champion_column: str | None,
) -> _Holdout:
    """One scan of the holdout (local engine, in batches): the profile and the
    non-metric checks' passes, its fingerprint, and the columns the metrics need
    kept for every row.

    Raises:
        DataError: no rows, no prediction or label column, no label at all.
        UsageError: the rules name no prediction or label.
    """
    from modelhealth.engine import EngineSettings, RunData, get_engine, scan_run
    from modelhealth.run.champion import FingerprintPass

    for what, spec in (("prediction", rule_set.prediction), ("label", rule_set.label)):
        if spec is None:
            raise UsageError(f"the gate needs '{what}: {{column: ...}}' in the rules")
    assert rule_set.prediction is not None
    assert rule_set.label is not None
    label = rule_set.label.column
    keep = [label, rule_set.prediction.column]
    keep += list((rule_set.prediction.scores or {}).values())
    if rule_set.label.key is not None:
        keep.append(rule_set.label.key)
    if champion_column is not None:
        keep.append(champion_column)
    for params in checks:
        if isinstance(params, MetricParams):
            keep += list(params.segment_by or [])
    keep = list(dict.fromkeys(keep))
    engine = get_engine(EngineSettings.from_env(name="local"))
    others = [c for c in checks if c.kind != "metric"]
    scan = scan_run(
        engine,
        RunData(inputs=data),
        rule_set,
        reference=reference,
        checks=others,
        keep=keep,
        extra={"fingerprint": FingerprintPass()},
        # the champion's column is not the candidate's data: schema, drift and
        # the profile (the next baseline, if promoted) see the holdout without it
        hide=[champion_column] if champion_column is not None else (),
    )
    fingerprint_pass = scan.extra["fingerprint"]
    assert isinstance(fingerprint_pass, FingerprintPass)
    if scan.rows == 0:
        raise DataError("the holdout data has no rows")
    for what, column in (("prediction", rule_set.prediction.column), ("label", label)):
        if column not in scan.columns:
            raise DataError(f"the holdout data has no {what} column {column!r}")
    col = scan.profile.columns.get(label)
    unlabelled = col.nulls if col is not None else scan.rows
    if unlabelled == scan.rows:
        raise DataError(
            f"none of the {scan.rows:,} holdout rows has a label in "
            f"{label!r}; a gate evaluates on labelled rows"
        )
    return _Holdout(
        scan=scan,
        kept=scan.kept,
        unlabelled=unlabelled,
        passes_extra={"fingerprint": fingerprint_pass.hexdigest()},
    )
