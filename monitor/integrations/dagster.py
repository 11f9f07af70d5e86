"""Dagster: asset checks made from a rules file, with severities mapped and
``blocking`` supported.

:func:`build_asset_checks` reads the rules once and returns one Dagster
``multi_asset_check`` for an asset, with one ``AssetCheckSpec`` per enabled check of
the rules (named after the check id, ``-`` and other characters Dagster refuses
becoming ``_``). When it runs, it loads the asset's value (its IO manager's output: a
DataFrame, or a Parquet/CSV path), checks it once with :func:`modelhealth.check_run`
(one stored run, alerts sent), and yields one ``AssetCheckResult`` per check:

- ``passed`` unless a result of that check ``failed``, ``errored`` or ``warned``;
- severity ``ERROR`` when the failure is at or above ``fail_on`` (as
  :meth:`RunReport.failed` decides: a ``critical`` check's failure by default),
  ``WARN`` otherwise; so the rules' ``critical``/``warning``/``info`` map onto
  Dagster's two severities at the line the pipeline chooses;
- with ``blocking=True``, the checks that can fail at ``ERROR`` are blocking: Dagster
  does not materialize downstream assets after such a failure;
- metadata: status, severity, subjects, observed value, message, the modelhealth
  run id, and the report link; a failed check's description is the one-paragraph
  failure message.

Supported: dagster >=1.8,<2 (tested with 1.13.29).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from modelhealth.integrations._common import failure_message, report_link, require

DAGSTER_VERSION = require("dagster", minimum="1.8", below="2", extra="dagster")

import dagster as dg  # noqa: E402  (after the version gate, on purpose)

from modelhealth.errors import FailOn  # noqa: E402
from modelhealth.rules.models import RuleSet, Severity  # noqa: E402

if TYPE_CHECKING:
    from modelhealth.checks.base import CheckResult
    from modelhealth.report import RunReport

__all__ = ["DAGSTER_VERSION", "build_asset_checks", "check_name"]

_BAD = ("failed", "errored", "warned")


def check_name(check_id: str) -> str:
    """A rules check id as a Dagster check name (letters, digits, ``_``)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", check_id)


def _blocks(severity: Severity, fail_on: FailOn) -> bool:
    return fail_on is not FailOn.NEVER and severity.rank >= Severity(fail_on.value).rank


def _default_run_id(context: Any) -> str:
    return str(
        context.partition_key if context.has_partition_key else context.run.run_id
    )


def _result(
    check_id: str,
    results: Sequence[CheckResult],
    report: RunReport,
    failing: Sequence[CheckResult],
    fail_on: FailOn,
) -> Any:
    bad = [r for r in results if r.status.value in _BAD]
    mine = [r for r in failing if r.check_id == check_id]
    worst = max(results, key=lambda r: r.status.rank) if results else None
    metadata: dict[str, Any] = {
        "status": worst.status.value if worst else "passed",
        "modelhealth_run_id": report.run_id,
        "results": len(results),
    }
    if worst is not None:
        metadata["severity"] = worst.severity.value
        metadata["message"] = worst.message
        if worst.value is not None:
            metadata["value"] = float(worst.value)
    subjects = [r.subject for r in bad if r.subject]
    if subjects:
        metadata["subjects"] = ", ".join(subjects)
    link = report_link(report)
    if link:
        metadata["report"] = dg.MetadataValue.url(link)
    return dg.AssetCheckResult(
        check_name=check_name(check_id),
        passed=not bad,
        severity=dg.AssetCheckSeverity.ERROR if mine else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=failure_message(report, mine, fail_on) if mine else None,
    )


def build_asset_checks(
    rules: str | os.PathLike[str] | RuleSet,
    *,
    asset: Any,
    fail_on: FailOn | str = FailOn.CRITICAL,
    blocking: bool = True,
    run_id: Callable[[Any], str] | None = None,
    inputs: Callable[[Any], Any] | None = None,
    db: str | None = None,
    alert: bool = True,
    name: str | None = None,
) -> list[Any]:
    """Asset checks for ``asset`` from a rules file.

    Args:
        rules: the model's rules file or RuleSet.
        asset: the asset checked (an ``AssetsDefinition``, ``AssetKey`` or key
            string); its value is what is checked.
        fail_on: checks failing at or above this severity are Dagster ``ERROR``
            checks; the rest ``WARN``.
        blocking: make the ``ERROR`` checks blocking, so downstream assets do not
            materialize after they fail.
        run_id: the run id from the check's context (default: the partition key,
            else the Dagster run id).
        inputs: turns the asset's value into the data to check (default: as is).
        db: the store (default: ``MODELHEALTH_DB`` or ``./modelhealth.db``).
        alert: send alerts through the rules' routes.
        name: the Dagster op's name (default: ``modelhealth_<model>``).

    Returns:
        A list with one ``AssetChecksDefinition``, for ``Definitions(asset_checks=)``
        or ``dagster.materialize``.

    Raises:
        RulesError: the rules file is wrong (when the definitions load).
    """
    from modelhealth import config

    rule_set = config.as_rule_set(rules)
    level = FailOn(fail_on)
    key = (
        asset.key
        if isinstance(asset, dg.AssetsDefinition)
        else dg.AssetKey.from_coercible(asset)
    )
    checks = [c for c in rule_set.checks if c.enabled]
    specs = [
        dg.AssetCheckSpec(
            name=check_name(c.id),
            asset=key,
            description=f"modelhealth {c.kind} check {c.id!r} ({c.severity.value})",
            blocking=blocking and _blocks(c.severity, level),
        )
        for c in checks
    ]

    @dg.multi_asset_check(
        name=name or check_name(f"modelhealth_{rule_set.model}"),
        specs=specs,
        ins={"data": dg.AssetIn(key=key)},
        compute_kind="modelhealth",
    )
    # Dagster reads the annotation of `context` and refuses a string (this module's
    # annotations are strings), so it stays unannotated
    def _checks(context, data: Any) -> Iterator[Any]:  # type: ignore[no-untyped-def]
        from modelhealth.api import check_run

        report = check_run(
            rules=rule_set,
            run_id=run_id(context) if run_id else _default_run_id(context),
            inputs=inputs(data) if inputs else data,
            db=db,
            alert=alert,
            source="dagster",
        )
        failing = report.failed(level)
        by_id: dict[str, list[CheckResult]] = {c.id: [] for c in checks}
        for result in report.results:
            by_id.setdefault(result.check_id, []).append(result)
        for check in checks:
            yield _result(check.id, by_id[check.id], report, failing, level)

    return [_checks]
