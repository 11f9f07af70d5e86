"""Acknowledgements told in the incident's thread: one note per route that heard of it.

:func:`queue_ack_notes` runs in the acknowledging transaction
(:class:`~modelhealth.store.oncall.OnCallMixin`): for each route that an incident's
opening message told, it queues an ``acknowledged`` message that replies to that
message (a Slack thread reply, a mail ``In-Reply-To``; PagerDuty's ``acknowledge``),
naming who acknowledged it and until when. It goes through the outbox like every
other message.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from modelhealth.alerts.base import result_key
from modelhealth.store.alerting_models import IncidentRow, OutboxRow

__all__ = ["queue_ack_notes"]


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def _note(by: str, until: datetime | None) -> str:
    end = f"until {_when(until)}" if until else "until it resolves"
    return f"by {by}, {end}"


def queue_ack_notes(session: Session, row: IncidentRow, now: datetime) -> list[int]:
    """Tell every route that heard of the incident who acknowledged it, in its
    thread (a reply to the message that told the route); returns the outbox ids."""
    key = result_key(row.check_id, row.subject)
    queued = []
    for told in (row.routes or {}).values():
        parent = session.get(OutboxRow, told.get("message") or 0)
        if parent is None:
            continue
        alert = dict(parent.alert)
        mine = [
            r for r in alert.get("results", [])
            if result_key(r["check_id"], r.get("subject")) == key
        ]  # fmt: skip
        alert.update(
            kind="acknowledged", results=mine, created_at=now.isoformat(),
            note=_note(row.acked_by or "", row.acked_until),
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
                        kind="acknowledged",
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
