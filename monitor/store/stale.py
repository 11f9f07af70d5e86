"""Closing incidents as stale, each with one message saying why.

The :class:`StaleMixin` half of :class:`~modelhealth.store.Store` (the reasons are
:mod:`modelhealth.alerts.stale`'s). An incident closed as stale gets status
``stale``, ``resolved_at`` (when it was closed) and ``closed_because``, and every
route that heard of it gets a ``stale`` message in its thread
(:func:`~modelhealth.store.acknotes.queue_thread_notes`), in the same transaction:

- :func:`close_removed` runs inside a run's own alerting transaction
  (:meth:`~modelhealth.store.alerting.AlertingMixin.queue_run_alerts`) for the
  model's open incidents whose check left the rules;
- :meth:`StaleMixin.close_stale` is the scheduler's sweep for incidents no run
  has found for ``stale_after``; it takes each model's row lock first, as a run
  does, so a run and the sweep never both decide one incident.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from contextlib import AbstractContextManager
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from modelhealth.alerts.stale import removed, unseen
from modelhealth.rules.durations import parse_duration
from modelhealth.store.acknotes import queue_thread_notes
from modelhealth.store.alerting_models import IncidentRow
from modelhealth.store.models import ModelRow
from modelhealth.store.oncall import incident_record
from modelhealth.store.records import IncidentRecord

__all__ = ["StaleMixin", "close", "close_removed"]


def close(session: Session, row: IncidentRow, why: str, now: datetime) -> list[int]:
    """Close one open incident as stale and tell its routes; the outbox ids."""
    row.status, row.resolved_at, row.closed_because = "stale", now, why
    session.flush()
    return queue_thread_notes(
        session, row, now, kind="stale", note=f"closed, {why}", resolving=True
    )


def close_removed(
    session: Session,
    rows: Mapping[str, IncidentRow],
    decided: Collection[str],
    checks: Collection[str],
    now: datetime,
) -> list[int]:
    """Close the open incidents whose check is not among the rules' ``checks``.

    Args:
        session: the run's transaction.
        rows: the model's open incidents before the run, by key.
        decided: keys of the incidents the run's results decided.
        checks: the ids of the rules' enabled checks.
        now: the run's finish time.

    Returns:
        The outbox ids of the messages queued.
    """
    queued: list[int] = []
    for key, row in rows.items():
        why = None if key in decided else removed(row.check_id, checks)
        if why is not None:
            queued += close(session, row, why, now)
    return queued


class StaleMixin:
    """The scheduler's sweep of incidents no run has found for a long time."""

    def _session(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def close_stale(
        self, stale_after: str, *, now: datetime | None = None
    ) -> list[IncidentRecord]:
        """Close every open incident no run has found for ``stale_after``.

        Args:
            stale_after: a duration as written (``7d``), from the service file.
            now: the time to judge by (default: now).

        Returns:
            The incidents closed now.

        Raises:
            ValueError: ``stale_after`` is not a duration.
        """
        now = now or datetime.now(timezone.utc)
        cutoff = now - parse_duration(stale_after)
        due = (
            sa.select(IncidentRow.model_id)
            .where(IncidentRow.status == "open", IncidentRow.last_seen_at <= cutoff)
            .distinct()
        )
        with self._session("could not look for stale incidents") as session:
            models = list(session.scalars(due))
        closed: list[IncidentRecord] = []
        for model_id in models:
            with self._session("could not close stale incidents") as session:
                name = session.execute(
                    sa.select(ModelRow.name)
                    .where(ModelRow.id == model_id)
                    .with_for_update()
                ).scalar_one_or_none()
                if name is None:  # the model was deleted meanwhile
                    continue
                rows = session.scalars(
                    sa.select(IncidentRow)
                    .where(
                        IncidentRow.model_id == model_id,
                        IncidentRow.status == "open",
                        IncidentRow.last_seen_at <= cutoff,
                    )
                    .order_by(IncidentRow.id)
                ).all()
                for row in rows:
                    why = unseen(row.last_seen_at, now, now - cutoff, stale_after)
                    if why is not None:
                        close(session, row, why, now)
                        closed.append(incident_record(row, name, now=now))
        return closed
