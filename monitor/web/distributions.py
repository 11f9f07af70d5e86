"""The distributions behind a drifted feature: the reference's and the run's.

Drift is computed from stored profiles (see :mod:`modelhealth.checks.profile`), so the
same
profiles draw it: a numeric column's histogram (the run is binned on the
reference's edges, so both share bins) or a categorical column's category counts.
The reference is the baseline the run was compared with (``reference`` reads
``"baseline <version>"``); a run compared with a window of past runs shows its own
distribution only, since that window's merged profile is not stored.
"""

from __future__ import annotations

from typing import Any

from modelhealth.store import RunRecord, Store

__all__ = ["distributions"]

_PREFIX = "baseline "


def _numeric(profile: dict[str, Any] | None) -> tuple[list[float], list[int]]:
    if not profile:
        return [], []
    return list(profile.get("edges") or []), list(profile.get("counts") or [])


def _one(column: str, current: Any, reference: Any) -> dict[str, Any]:
    kind = (current or reference or {}).get("kind", "numeric")
    found: dict[str, Any] = {"column": column, "kind": kind}
    if kind == "numeric":
        ref_edges, ref_counts = _numeric(reference)
        cur_edges, cur_counts = _numeric(current)
        found["edges"] = ref_edges or cur_edges
        found["reference"] = ref_counts if ref_edges == found["edges"] else []
        found["current"] = cur_counts if cur_edges == found["edges"] else []
    elif kind in ("categorical", "boolean"):
        found["reference"] = dict((reference or {}).get("categories") or {})
        found["current"] = dict((current or {}).get("categories") or {})
        found["others"] = [
            int((reference or {}).get("other") or 0),
            int((current or {}).get("other") or 0),
        ]
    return found


def distributions(
    store: Store, run: RunRecord, columns: list[str]
) -> list[dict[str, Any]]:
    """For each column, its reference and run distributions from stored profiles.

    Args:
        store: where the profiles are.
        run: the run (its ``reference`` names the baseline).
        columns: the drifted columns to draw.

    Returns:
        One dict per column: ``kind``, and ``edges``/``reference``/``current``
        counts (numeric), or ``reference``/``current`` category counts.
    """
    if not columns:
        return []
    current = store.column_profiles(run.model, columns, run_id=run.run_id)
    reference: dict[str, Any] = {}
    if run.reference and run.reference.startswith(_PREFIX):
        version = run.reference[len(_PREFIX) :]
        reference = store.column_profiles(run.model, columns, baseline=version)
    return [_one(c, current.get(c), reference.get(c)) for c in columns]
