"""Deployment-gate verdicts (``gate_verdicts``, migrations 0003 and 0007).

A verdict is kept apart from runs: a candidate's evaluation on holdout data is not a
production run, and must not appear in the model's run history or move its health
status. Each verdict keeps what it decided (``passed``, ``failed``, or
``inconclusive`` when a comparison with the champion could not tell), the
candidate's and the champion's metrics, the results with their intervals, the rows
used, the fingerprint of the holdout data, and the holdout's profile, which
``modelhealth baseline --from-gate`` registers as the next baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from modelhealth.checks.base import CheckResult
from modelhealth.store import convert
from modelhealth.store.models import Base, JSONType, ModelRow

__all__ = ["GateRecord", "GateVerdictRow", "GatesMixin"]


class GateVerdictRow(Base):
    __tablename__ = "gate_verdicts"
    __table_args__ = (sa.Index(None, "model_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    model_id: Mapped[int] = mapped_column(
        sa.ForeignKey("models.id", ondelete="CASCADE")
    )
    candidate_version: Mapped[str] = mapped_column(sa.String(200))
    baseline_version: Mapped[str | None] = mapped_column(sa.String(200))
    passed: Mapped[bool]
    created_at: Mapped[datetime]
    row_count: Mapped[int] = mapped_column(sa.BigInteger)
    metrics: Mapped[dict[str, Any]]
    results: Mapped[list[Any]] = mapped_column(JSONType)
    details: Mapped[dict[str, Any]]
    champion: Mapped[str | None] = mapped_column(sa.String(500))
    champion_metrics: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    decision: Mapped[str | None] = mapped_column(sa.String(16))
    fingerprint: Mapped[str | None] = mapped_column(sa.String(64))
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


@dataclass(frozen=True)
class GateRecord:
    """One stored deployment-gate verdict (see
    :class:`modelhealth.run.gate.GateVerdict`).

    Attributes:
        decision: ``passed``, ``failed`` or ``inconclusive``.
        champion: what the candidate was compared with (``None``: the baseline's
            registered numbers).
        champion_metrics: the champion's metrics on the same rows, by name.
        fingerprint: SHA-256 of the holdout data.
        profile: the holdout's profile (empty in listings).
    """

    pk: int
    model: str
    candidate_version: str
    baseline_version: str | None
    passed: bool
    created_at: datetime
    row_count: int
    metrics: dict[str, float | None]
    results: list[dict[str, Any]]
    details: dict[str, Any]
    decision: str = ""
    champion: str | None = None
    champion_metrics: dict[str, float | None] = field(default_factory=dict)
    fingerprint: str | None = None
    profile: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-able values, without the profile."""
        return {
            "id": self.pk,
            "model": self.model,
            "candidate_version": self.candidate_version,
            "champion": self.champion,
            "baseline_version": self.baseline_version,
            "decision": self.decision,
            "passed": self.passed,
            "created_at": self.created_at.isoformat(),
            "row_count": self.row_count,
            "fingerprint": self.fingerprint,
            "metrics": self.metrics,
            "champion_metrics": self.champion_metrics,
            "results": self.results,
            "details": self.details,
        }


def _record(row: GateVerdictRow, model: str, *, profile: bool) -> GateRecord:
    return GateRecord(
        pk=row.id,
        model=model,
        candidate_version=row.candidate_version,
        baseline_version=row.baseline_version,
        passed=row.passed,
        created_at=row.created_at,
        row_count=row.row_count,
        metrics=dict(row.metrics),
        results=list(row.results),
        details=dict(row.details),
        # verdicts stored before migration 0007 knew only passed or not
        decision=row.decision or ("passed" if row.passed else "failed"),
        champion=row.champion,
        champion_metrics=dict(row.champion_metrics or {}),
        fingerprint=row.fingerprint,
        profile=dict(row.profile or {}) if profile else {},
    )


class GatesMixin:
    """Writes and reads of deployment-gate verdicts."""

    def _session(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def _model_id(self, session: Session, name: str) -> int:
        raise NotImplementedError

    def save_gate_verdict(
        self,
        model: str,
        *,
        candidate_version: str,
        baseline_version: str | None,
        passed: bool,
        row_count: int,
        metrics: Mapping[str, float],
        results: Sequence[CheckResult],
        details: Mapping[str, Any] | None = None,
        created_at: datetime | None = None,
        decision: str | None = None,
        champion: str | None = None,
        champion_metrics: Mapping[str, float] | None = None,
        fingerprint: str | None = None,
        profile: Mapping[str, Any] | None = None,
    ) -> int:
        """Store a deployment-gate verdict; returns its ``pk``.

        Raises:
            StorageError: the write failed.
        """
        action = f"could not save the gate verdict of {model!r} {candidate_version!r}"
        with self._session(action) as session:
            row = GateVerdictRow(
                model_id=self._model_id(session, model),
                candidate_version=candidate_version,
                baseline_version=baseline_version,
                passed=passed,
                created_at=created_at or datetime.now(timezone.utc),
                row_count=row_count,
                metrics=convert.json_safe(metrics),
                results=[convert.json_safe(r.to_dict()) for r in results],
                details=convert.json_safe(details or {}),
                decision=decision or ("passed" if passed else "failed"),
                champion=champion,
                champion_metrics=convert.json_safe(champion_metrics or {}),
                fingerprint=fingerprint,
                profile=convert.json_safe(profile) if profile is not None else None,
            )
            session.add(row)
            session.flush()
            return row.id

    def gate_verdicts(self, model: str, *, limit: int = 50) -> list[GateRecord]:
        """A model's gate verdicts, newest first (profiles left out)."""
        query = (
            sa.select(GateVerdictRow)
            .join(ModelRow)
            .where(ModelRow.name == model)
            .order_by(GateVerdictRow.created_at.desc(), GateVerdictRow.id.desc())
            .limit(max(limit, 0))
        )
        with self._session(f"could not read gate verdicts of {model!r}") as session:
            return [_record(r, model, profile=False) for r in session.scalars(query)]

    def gate_verdict(self, pk: int) -> GateRecord | None:
        """One verdict by its id, with the holdout's profile; ``None`` if unknown."""
        query = (
            sa.select(GateVerdictRow, ModelRow.name)
            .join(ModelRow)
            .where(GateVerdictRow.id == pk)
        )
        with self._session(f"could not read gate verdict {pk!r}") as session:
            found = session.execute(query).first()
            if found is None:
                return None
            return _record(found[0], found[1], profile=True)
