"""What a run is compared with: the baseline, or a window of past runs.

:func:`resolve_reference` reads what the rules ask for (``reference: {baseline:
latest}``, a version, or ``{window: {last_runs: N}}``) from the store;
:func:`baseline_reference` turns one stored baseline into a
:class:`~modelhealth.checks.base.Reference` (the gate uses it too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modelhealth.checks.base import Reference
from modelhealth.checks.profile import Profile
from modelhealth.errors import DataError
from modelhealth.rules.models import RuleSet

if TYPE_CHECKING:
    from datetime import datetime

    from modelhealth.store import BaselineRecord, Store

__all__ = ["baseline_reference", "resolve_reference"]


def resolve_reference(
    store: Store,
    rule_set: RuleSet,
    *,
    exclude_run_id: str | None = None,
    before: datetime | None = None,
) -> Reference | None:
    """What the rules say to compare with, read from the store.

    ``before`` (the checked run's time) limits a window to the runs before it.

    Returns:
        The baseline (``reference: {baseline: latest}`` or a version), or the merged
        profiles of the last N runs (``reference: {window: {last_runs: N}}``), or
        ``None`` when the store has nothing yet.
    """
    spec = rule_set.reference
    if spec.window is not None:
        past = store.recent_profiles(
            rule_set.model,
            spec.window.last_runs,
            exclude_run_id=exclude_run_id,
            before=before,
        )
        if not past:
            return None
        profiles = [Profile.from_dict(p) for _, p in past]
        merged = profiles[0]
        for other in profiles[1:]:
            merged = merged.merge(other)
        return Reference(
            source="window",
            label=f"last {len(profiles)} runs",
            profile=merged,
            row_counts=tuple(p.row_count for p in profiles),
        )
    version = None if spec.baseline in (None, "latest") else spec.baseline
    baseline = store.baseline(rule_set.model, version)
    if baseline is None and version is not None:
        # a misspelt version must not silently switch every drift check off
        known = [b.version for b in store.baselines(rule_set.model)]
        raise DataError(
            f"model {rule_set.model!r} has no baseline {version!r} "
            f"(reference.baseline in {rule_set.source_file or 'the rules'}); "
            + (f"registered: {', '.join(known)}" if known else "none is registered yet")
        )
    if baseline is None:
        return None
    return baseline_reference(baseline)


def baseline_reference(baseline: BaselineRecord) -> Reference:
    """A stored baseline as what checks compare with."""
    return Reference(
        source="baseline",
        label=f"baseline {baseline.version}",
        profile=Profile.from_dict(baseline.profile),
        metrics=dict(baseline.metrics),
        row_counts=(baseline.row_count,),
        version=baseline.version,
        fitted=baseline.details.get("fitted", {}),
        importance=baseline.details.get("importance", {}),
    )
