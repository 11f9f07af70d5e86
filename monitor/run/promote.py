"""Promotion: a candidate that passed the gate becomes the model's new baseline.

:func:`promote` (``modelhealth baseline --from-gate VERDICT_ID``) registers the
candidate's version with the holdout's profile and the candidate's metrics, both as
the verdict stored them, so production runs are compared with the data and the
numbers the candidate was accepted on. It refuses, with the reason, a verdict that
failed, one of another model, or one stored before holdout profiles were kept.

Checks that fit state on a baseline's rows (see
:meth:`modelhealth.checks.base.Check.fit_reference`) need the rows, which a verdict
does not keep: pass the holdout again as ``data`` and it is fitted on, after its
fingerprint is checked against the verdict's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modelhealth import config
from modelhealth.engine.inputs import DataArg
from modelhealth.errors import DataError, NotFound, UsageError
from modelhealth.rules.models import RuleSet
from modelhealth.run.champion import holdout_fingerprint
from modelhealth.store.opening import using

if TYPE_CHECKING:
    import os

    from modelhealth.store import BaselineRecord, Store
    from modelhealth.store.gates import GateRecord

__all__ = ["promote"]


def _refusal(verdict: GateRecord) -> str:
    bad = [r for r in verdict.results if r.get("status") in ("failed", "errored")]
    if not bad:  # blocked by warnings, under --fail-on warning
        bad = [r for r in verdict.results if r.get("status") == "warned"]
    named = "; ".join(
        f"{r['check_id']}" + (f"[{r['subject']}]" if r.get("subject") else "")
        + f": {r.get('status')} ({r.get('message', '')})"
        for r in bad[:3]
    )  # fmt: skip
    more = f"; and {len(bad) - 3} more" if len(bad) > 3 else ""
    return (
        f"gate verdict {verdict.pk} of model {verdict.model!r} (candidate "
        f"{verdict.candidate_version!r}) failed, so it is not promoted: "
        f"{named or 'see its results'}{more}"
    )


def promote(
    *,
    rules: RuleSet | str | os.PathLike[str],
    verdict_id: int,
    db: str | Store | None = None,
    data: DataArg | None = None,
) -> tuple[BaselineRecord, GateRecord]:
    """Register the candidate of a passed gate verdict as the model's baseline.

    Args:
        rules: the model's rules (the verdict must be of this model).
        verdict_id: the stored verdict's id (``modelhealth gate`` prints it).
        db: store URL, SQLite path or open Store.
        data: the same holdout data, to fit the checks that fit on a baseline.

    Returns:
        The new baseline and the verdict it came from.

    Raises:
        NotFound: no verdict has that id.
        UsageError: the verdict failed, is of another model, or has no profile.
        DataError: ``data`` is not the holdout the verdict was reached on.
    """
    from modelhealth.checks.fitted import fit_reference

    rule_set = config.as_rule_set(rules)
    with using(db) as store:
        verdict = store.gate_verdict(verdict_id)
        if verdict is None:
            raise NotFound(f"there is no gate verdict {verdict_id}")
        if verdict.model != rule_set.model:
            raise UsageError(
                f"gate verdict {verdict_id} is of model {verdict.model!r}, not of "
                f"the rules' model {rule_set.model!r}"
            )
        if not verdict.passed:
            raise UsageError(_refusal(verdict))
        if not verdict.profile:
            raise UsageError(
                f"gate verdict {verdict_id} was stored before holdout profiles were "
                "kept; register the holdout with 'modelhealth baseline --data'"
            )
        details: dict[str, object] = {
            "gate_verdict": verdict.pk,
            "fingerprint": verdict.fingerprint,
            "champion": verdict.champion,
        }
        if data is not None:
            print_, frame = holdout_fingerprint(data, rule_set)
            if print_ != verdict.fingerprint:
                raise DataError(
                    f"this is not the holdout data gate verdict {verdict_id} was "
                    "reached on (its fingerprint differs)"
                )
            details.update(fit_reference(rule_set, frame))
        metrics = {k: float(v) for k, v in verdict.metrics.items() if v is not None}
        record = store.save_baseline(
            rule_set.model,
            verdict.candidate_version,
            profile=verdict.profile,
            metrics=metrics,
            row_count=verdict.row_count,
            details=details,
        )
    return record, verdict
