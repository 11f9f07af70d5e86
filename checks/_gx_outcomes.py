"""Where each of an ``expectations`` check's outcomes comes from.

Row-wise expectations come from the check's row pass over every batch
(:mod:`modelhealth.checks._gx_batches`) when the engine made one; the rest run
on ``ctx.frame`` with GX when it is the whole run. When it is a sample, those the
profile answers exactly come from it (:mod:`modelhealth.checks._gx_profile`),
those on column names from the sample, and the others are ``skipped`` with a
message that they need the whole data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from modelhealth.checks.base import CheckContext, CheckError, Status

if TYPE_CHECKING:
    from modelhealth.checks._gx import Outcome

__all__ = ["outcomes"]


def outcomes(
    ctx: CheckContext, check_id: str, items: list[tuple[str, dict[str, Any]]]
) -> list[Outcome]:
    """Each expectation's outcome, in order: from every batch, the frame or the profile.

    Raises:
        CheckError: an unknown expectation or bad arguments.
    """
    from modelhealth.checks import _gx  # imports great_expectations
    from modelhealth.checks._gx_batches import ExpectationsPass
    from modelhealth.checks._gx_profile import ON_COLUMNS, from_profile

    found: dict[int, Outcome] = {}
    batches = ctx.row_pass(check_id)
    if isinstance(batches, ExpectationsPass) and ctx.segment is None:
        if batches.error is not None:
            raise CheckError(batches.error)
        if batches.items == items:
            for i in batches.indices:
                found[i] = _gx.outcome(*items[i], batches.raw(i))
    rest = [i for i in range(len(items)) if i not in found]
    on_frame = [i for i in rest if not ctx.sampled or items[i][0] in ON_COLUMNS]
    if on_frame:
        checked = _gx.validate(ctx.frame, [items[i] for i in on_frame])
        found.update(zip(on_frame, checked, strict=True))
    for i in rest:
        if i in found:
            continue
        name, kwargs = items[i]
        raw = from_profile(name, kwargs, ctx.profile, ctx.rows)
        if raw is not None:
            found[i] = _gx.outcome(name, kwargs, raw)
            found[i].details["from"] = "profile"
            continue
        found[i] = _gx.Outcome(
            _gx.subject_of(name, kwargs),
            Status.SKIPPED,
            details={"expectation": name, "needs_whole_data": True},
            message=f"{name} needs the whole data: the run has {ctx.rows:,} rows "
            f"and was checked on a sample of {len(ctx.frame):,}",
        )
    if ctx.sampled:
        for i in on_frame:
            found[i].details["sampled"] = True
    return [found[i] for i in range(len(items))]
