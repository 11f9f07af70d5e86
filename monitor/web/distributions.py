"""Every column's distributions behind a run: the reference's and the run's.

Drift is computed from stored profiles (see :mod:`modelhealth.checks.profile`), so the
same profiles draw it, for every column the run profiled (features, the prediction
and the label alike): a numeric column's histogram with its edges and its summary
(min, max, quantiles), which :mod:`modelhealth.web.histograms` places on one
value axis, or a categorical column's category counts. The reference is the baseline
the run was compared with (``reference`` reads ``"baseline <version>"``); a run
compared with a window of past runs shows its own distribution only, since that
window's merged profile is not stored. A column whose values are all distinct (an
identifier) carries a ``note`` instead of bars that would each hold one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modelhealth.store import RunRecord, Store

__all__ = ["distributions"]

_PREFIX = "baseline "
_IDENTIFIER = 50  # more distinct values than this, each under 2% of rows: an id


def _summary(profile: dict[str, Any] | None) -> dict[str, Any] | None:
    if not profile:
        return None
    return {
        "count": profile.get("count"),
        "nulls": profile.get("nulls"),
        "min": profile.get("min"),
        "max": profile.get("max"),
        "quantiles": dict(profile.get("quantiles") or {}),
    }


def _numeric(found: dict[str, Any], current: Any, reference: Any) -> None:
    ref_edges = list((reference or {}).get("edges") or [])
    cur_edges = list((current or {}).get("edges") or [])
    found["edges"] = ref_edges or cur_edges
    found["reference"] = list((reference or {}).get("counts") or [])
    found["current"] = list((current or {}).get("counts") or [])
    if cur_edges != found["edges"]:  # binned on its own edges: still one value axis
        found["current_edges"] = cur_edges
    found["summary"] = {
        "reference": _summary(reference),
        "current": _summary(current),
    }


def _categorical(found: dict[str, Any], current: Any, reference: Any) -> None:
    found["reference"] = dict((reference or {}).get("categories") or {})
    found["current"] = dict((current or {}).get("categories") or {})
    found["others"] = [
        int((reference or {}).get("other") or 0),
        int((current or {}).get("other") or 0),
    ]
    profile = current or reference or {}
    distinct = int(profile.get("distinct") or 0)
    count = int(profile.get("count") or 0)
    top = max(found["current"].values() or found["reference"].values() or [0])
    if distinct > _IDENTIFIER and count and top / count < 0.02:
        found["note"] = (
            f"{distinct:,} distinct values in {count:,} rows, none in 2% of them: "
            "an identifier, so no shares to compare"
        )


def _one(column: str, current: Any, reference: Any) -> dict[str, Any]:
    kind = (current or reference or {}).get("kind", "numeric")
    found: dict[str, Any] = {"column": column, "kind": kind}
    if kind == "numeric":
        _numeric(found, current, reference)
    elif kind in ("categorical", "boolean"):
        _categorical(found, current, reference)
    else:
        found["summary"] = {
            side: {"min": p.get("min"), "max": p.get("max"), "count": p.get("count")}
            for side, p in (("reference", reference), ("current", current))
            if p
        }
    return found


def distributions(
    store: Store, run: RunRecord, columns: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """For each column, its reference and run distributions from stored profiles.

    Args:
        store: where the profiles are.
        run: the run (its ``reference`` names the baseline).
        columns: the columns to draw; ``None`` for every column the run profiled.

    Returns:
        One dict per column, in profile order: ``kind``; for numeric columns
        ``edges`` (the reference's), ``reference``/``current`` counts (and
        ``current_edges`` when the run was binned on its own) and a ``summary``
        per side; for categorical ones ``reference``/``current`` category counts,
        ``others``, and a ``note`` for an identifier.
    """
    if columns is not None and not columns:
        return []
    current = store.column_profiles(run.model, columns, run_id=run.run_id)
    reference: dict[str, Any] = {}
    if run.reference and run.reference.startswith(_PREFIX):
        version = run.reference[len(_PREFIX) :]
        reference = store.column_profiles(run.model, columns, baseline=version)
    names = list(current) + [c for c in reference if c not in current]
    return [_one(c, current.get(c), reference.get(c)) for c in names]
