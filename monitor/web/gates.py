"""The model page's gate history: which candidate met which champion, and why.

:func:`gate_history` turns a model's stored gate verdicts (newest first) into plain
rows for the page and its JSON twin: when, the candidate, what it was compared with
(a champion on the same rows, or the baseline's registered numbers), the decision,
the rows, the holdout's fingerprint, and what decided: the results that failed,
errored or were inconclusive, or else the metric comparisons that passed.
"""

from __future__ import annotations

from typing import Any

from modelhealth.store import Store

__all__ = ["gate_history"]

_STATUS = {"passed": "passed", "inconclusive": "warned", "failed": "failed"}
_SHOWN = 3


def _name(result: dict[str, Any]) -> str:
    subject = result.get("subject")
    return str(result.get("check_id")) + (f"[{subject}]" if subject else "")


def _decided_by(results: list[dict[str, Any]]) -> list[str]:
    bad = [r for r in results if r.get("status") in ("failed", "errored", "warned")]
    chosen = bad or [
        r for r in results if r.get("kind") == "metric" and not r.get("subject")
    ]
    lines = [f"{_name(r)}: {r.get('message', '')}" for r in chosen[:_SHOWN]]
    if len(chosen) > _SHOWN:
        lines.append(f"and {len(chosen) - _SHOWN} more")
    return lines


def gate_history(store: Store, model: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """A model's last ``limit`` gate verdicts as plain rows, newest first."""
    rows = []
    for v in store.gate_verdicts(model, limit=limit):
        if v.champion:
            against = f"champion {v.champion}"
        elif v.baseline_version:
            against = f"baseline {v.baseline_version} (registered numbers)"
        else:
            against = "bounds only (no baseline)"
        rows.append(
            {
                "id": v.pk,
                "created_at": v.created_at,
                "candidate_version": v.candidate_version,
                "against": against,
                "decision": v.decision,
                "status": _STATUS.get(v.decision, "failed"),
                "row_count": v.row_count,
                "fingerprint": (v.fingerprint or "")[:12],
                "metrics": v.metrics,
                "champion_metrics": v.champion_metrics,
                "decided_by": _decided_by(v.results),
            }
        )
    return rows
