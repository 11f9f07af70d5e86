"""Notes told in an incident's thread: one per route that heard of the incident.

:func:`queue_thread_notes` runs in the transaction that changes the incident: for
each route that the incident's opening message told, it queues a message that
replies to that message (a Slack thread reply, a mail ``In-Reply-To``), holding the
incident's result from that message and a note. Two callers:

- :func:`queue_ack_notes`, when someone acknowledges it
  (:class:`~modelhealth.store.oncall.OnCallMixin`): an ``acknowledged`` message
  naming who and until when (PagerDuty's ``acknowledge``);
- :mod:`modelhealth.store.stale`, when it is closed as stale: a ``stale`` message
  saying why, sent like a resolution (so only to routes with ``send_resolved``;
  PagerDuty's ``resolve``).

They go through the outbox like every other message.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from modelhealth.alerts.base import AlertKind, result_key
from modelhealth.store.alerting_models import IncidentRow, OutboxRow

__all__ = ["queue_ack_notes", "queue_thread_notes"]


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def _note(by: str, until: datetime | None) -> str:
    end = f"until {_when(until)}" if until else "until it resolves"
    return f"by {by}, {end}"


def queue_ack_notes(session: Session, row: IncidentRow, now: datetime) -> list[int]:
    """Tell every route that heard of the incident who acknowledged it, in its
    thread (a reply to the message that told the route); returns the outbox ids."""
    note = _note(row.acked_by or "", row.acked_until)
    return queue_thread_notes(session, row, now, kind="acknowledged", note=note)


def queue_thread_notes(
    session: Session,
    row: IncidentRow,
    now: datetime,
    *,
    kind: AlertKind,
    note: str,
    resolving: bool = False,
) -> list[int]:
    """Queue a ``kind`` message with ``note`` in the thread of every route that
    heard of the incident.

    Args:
        session: the transaction that changes the incident.
        row: the incident.
        now: when (the messages' time).
        kind: the messages' kind.
        note: what they say besides the incident's result.
        resolving: the message closes the incident: routes whose settings say
            ``send_resolved: false`` get none.

    Returns:
        The outbox ids of the queued messages.
    """
    key = result_key(row.check_id, row.subject)
    queued = []
    for told in (row.routes or {}).values():
        parent = session.get(OutboxRow, told.get("message") or 0)
        if parent is None:
            continue
        if resolving and not (parent.route or {}).get("send_resolved", True):
            continue
        alert = dict(parent.alert)
        mine = [
            r for r in alert.get("results", [])
            if result_key(r["check_id"], r.get("subject")) == key
        ]  # fmt: skip
        alert.update(
            kind=kind, results=mine, created_at=now.isoformat(), note=note,
            streaks={k: v for k, v in (alert.get("streaks") or {}).items() if k == key},
        )  # fmt: skip
        queued.append(
            int(
                session.execute(
                    sa.insert(OutboxRow)
                    .values(
                        key=str(uuid.uuid4()),
                        model_id=row.model_id,
                        run_key=parent.run_key,
                        channel=parent.channel,
                        route_key=parent.route_key,
                        route=dict(parent.route),
                        kind=kind,
                        alert=alert,
                        parent_id=parent.id,
                        status="pending",
                        attempts=0,
                        created_at=now,
                        next_attempt_at=now,
                        response={},
                    )
                    .returning(OutboxRow.id)
                ).scalar_one()
            )
        )
    return queued
