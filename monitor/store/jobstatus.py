"""Who leads the scheduler, and when each of its jobs last ran (migration 0007).

The :class:`JobStatusMixin` half of :class:`~modelhealth.store.Store`. The scheduler
records each job's outcome (:meth:`~JobStatusMixin.record_job`) and, while it
leads, a heartbeat (:meth:`~JobStatusMixin.beat`); ``GET /metrics`` reads both
from the store (:meth:`~JobStatusMixin.job_statuses`,
:meth:`~JobStatusMixin.leader`), so whichever replica a scraper reaches tells the
same: ``modelhealth_job_last_success_timestamp_seconds{job}`` and
``modelhealth_scheduler_leader{holder}``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from modelhealth.store.models import Base

__all__ = ["JobStatus", "JobStatusMixin", "JobStatusRow", "Leader", "LeaderRow"]

_NAME = "scheduler"


class JobStatusRow(Base):
    __tablename__ = "job_status"

    job_id: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    last_success_at: Mapped[datetime | None]
    last_failure_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    holder: Mapped[str | None] = mapped_column(sa.String(300))


class LeaderRow(Base):
    __tablename__ = "scheduler_leader"

    name: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(300))
    since: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


@dataclass(frozen=True)
class JobStatus:
    """One scheduler job's latest outcomes.

    Attributes:
        job_id: the job's id (``run:churn``, ``local:outbox``...).
        last_success_at: when it last ended normally, if ever.
        last_failure_at: when it last raised, if ever.
        last_error: what it raised then.
        holder: the process (``host:pid``) that ran it last.
    """

    job_id: str
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str | None
    holder: str | None


@dataclass(frozen=True)
class Leader:
    """The process leading the scheduler, as its heartbeat says.

    Attributes:
        holder: the process, ``host:pid``.
        since: when it took the lead.
        heartbeat_at: when it last said it still leads.
    """

    holder: str
    since: datetime
    heartbeat_at: datetime


class JobStatusMixin:
    """Job outcomes and the leader's heartbeat."""

    def _session(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def _insert_into(self, row: type[Any]) -> Any:
        raise NotImplementedError

    def record_job(
        self,
        job_id: str,
        *,
        ok: bool,
        holder: str,
        at: datetime | None = None,
        error: str | None = None,
    ) -> None:
        """Record that job ``job_id`` ended, normally (``ok``) or with ``error``."""
        at = at or datetime.now(timezone.utc)
        values: dict[str, Any] = {"job_id": job_id, "holder": holder}
        if ok:
            values["last_success_at"] = at
        else:
            values.update(last_failure_at=at, last_error=(error or "")[:2000])
        stmt = self._insert_into(JobStatusRow).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=["job_id"],
            set_={k: stmt.excluded[k] for k in values if k != "job_id"},
        )
        with self._session(f"could not record job {job_id!r}") as session:
            session.execute(stmt)

    def job_statuses(self) -> list[JobStatus]:
        """Every job's latest outcomes, by job id."""
        with self._session("could not read the jobs' status") as session:
            rows = session.scalars(sa.select(JobStatusRow).order_by("job_id"))
            return [
                JobStatus(
                    r.job_id,
                    r.last_success_at,
                    r.last_failure_at,
                    r.last_error,
                    r.holder,
                )
                for r in rows
            ]

    def beat(self, holder: str, *, now: datetime | None = None) -> None:
        """Say that ``holder`` leads the scheduler (taking over from another)."""
        now = now or datetime.now(timezone.utc)
        with self._session("could not record the scheduler's leader") as session:
            row = session.get(LeaderRow, _NAME, with_for_update=True)
            if row is None:
                session.add(
                    LeaderRow(name=_NAME, holder=holder, since=now, heartbeat_at=now)
                )
            elif row.holder != holder:
                row.holder, row.since, row.heartbeat_at = holder, now, now
            else:
                row.heartbeat_at = now

    def step_down(self, holder: str) -> None:
        """Say that ``holder`` no longer leads (it stopped cleanly)."""
        with self._session("could not record the scheduler's leader") as session:
            session.execute(
                sa.delete(LeaderRow).where(
                    LeaderRow.name == _NAME, LeaderRow.holder == holder
                )
            )

    def leader(self) -> Leader | None:
        """The latest leader's heartbeat, if a scheduler leads or led."""
        with self._session("could not read the scheduler's leader") as session:
            row = session.get(LeaderRow, _NAME)
            return (
                None if row is None else Leader(row.holder, row.since, row.heartbeat_at)
            )
