"""The sender's half of the alert outbox in the store.

:class:`OutboxMixin` is a base of :class:`~modelhealth.store.alerting.AlertingMixin`.
A sender takes due messages with :meth:`~OutboxMixin.claim_outbox` (a lease: a
crashed sender's messages come due again when it runs out, and two senders never hold
the same message), renews the lease while it sends (:meth:`~OutboxMixin.renew_outbox`),
then records each outcome with :meth:`~OutboxMixin.mark_delivered` or
:meth:`~OutboxMixin.mark_failed`. A lease names its holder (``host:pid``): a sender
on the same host takes over a message whose holder process is gone at once, without
waiting for the lease to run out. A reply waits until the message it replies to
is delivered. The retry policy is the sender's (:mod:`modelhealth.run.outbox`).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Collection, Mapping
from contextlib import AbstractContextManager
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from modelhealth.store.alerting_models import OutboxRow
from modelhealth.store.models import ModelRow
from modelhealth.store.records import OutboxRecord

__all__ = ["OutboxMixin", "holder", "outbox_record"]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def holder() -> str:
    """This process as a lease holder: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _dead_here(held: list[tuple[int, str | None]]) -> list[int]:
    """The ids among ``held`` whose holder is a process of this host that is gone."""
    host = socket.gethostname()
    dead = []
    for pk, by in held:
        name, _, pid = (by or "").rpartition(":")
        if name != host or not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            dead.append(pk)
        except PermissionError:  # alive, someone else's
            continue
    return dead


def outbox_record(row: OutboxRow, model: str) -> OutboxRecord:
    return OutboxRecord(
        row.id, row.key, model, row.run_key, row.channel, row.kind, row.status,
        row.attempts, row.created_at, row.next_attempt_at, row.delivered_at,
        row.last_error, dict(row.route), dict(row.alert), row.parent_id,
        dict(row.response or {}),
    )  # fmt: skip


class OutboxMixin:
    """Reads of the outbox, and the sender's writes."""

    def _session(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def outbox_pending(self, limit: int = 100) -> list[OutboxRecord]:
        """Messages not delivered yet, oldest first."""
        query = (
            sa.select(OutboxRow, ModelRow.name)
            .join(ModelRow)
            .where(OutboxRow.status == "pending")
            .order_by(OutboxRow.id)
            .limit(max(limit, 0))
        )
        with self._session("could not list the alert outbox") as session:
            return [outbox_record(row, name) for row, name in session.execute(query)]

    def outbox_pending_count(self) -> int:
        """How many messages are not delivered yet."""
        query = sa.select(sa.func.count()).where(OutboxRow.status == "pending")
        with self._session("could not count the alert outbox") as session:
            return int(session.scalar(query.select_from(OutboxRow)) or 0)

    def outbox_health(self) -> list[tuple[str, int, int, int, datetime | None]]:
        """Per channel: pending messages, pending ones whose last attempt failed,
        their failed attempts, and when the oldest pending one was queued."""
        failing = sa.case((OutboxRow.last_error.is_not(None), 1), else_=0)
        query = (
            sa.select(
                OutboxRow.channel,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(failing), 0),
                sa.func.coalesce(sa.func.sum(OutboxRow.attempts), 0),
                sa.func.min(OutboxRow.created_at),
            )
            .where(OutboxRow.status == "pending")
            .group_by(OutboxRow.channel)
            .order_by(OutboxRow.channel)
        )
        with self._session("could not read the alert outbox") as session:
            return [
                (str(channel), int(n), int(bad), int(tries), oldest)
                for channel, n, bad, tries, oldest in session.execute(query)
            ]

    def outbox_message(self, pk: int) -> OutboxRecord | None:
        """One outbox message by id, delivered or not; ``None`` if unknown."""
        query = sa.select(OutboxRow, ModelRow.name).join(ModelRow)
        with self._session(f"could not read outbox message #{pk}") as session:
            found = session.execute(query.where(OutboxRow.id == pk)).first()
            return None if found is None else outbox_record(*found)

    # -- the sender's side ----------------------------------------------------

    def claim_outbox(
        self,
        *,
        lease: timedelta = timedelta(seconds=60),
        limit: int = 20,
        now: datetime | None = None,
        exclude: Collection[int] = (),
    ) -> list[OutboxRecord]:
        """Take up to ``limit`` of the oldest due messages for sending.

        A message is due when it is pending, its ``next_attempt_at`` has come, no
        other sender holds it (or that sender's lease ran out), and the message it
        replies to, if any, is delivered. Taking it reserves it for ``lease`` in
        this process's name; a sender that dies holding it delays it by the lease
        at most (at once for a sender on the same host), never loses it. Ids in
        ``exclude`` are passed over.

        Returns:
            The messages taken, oldest first (empty when none is due).
        """
        now = now or _now()
        parent = aliased(OutboxRow)
        waiting = sa.exists().where(
            parent.id == OutboxRow.parent_id, parent.status == "pending"
        )
        free: sa.ColumnElement[bool] = sa.or_(
            OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now
        )
        with self._session("could not read the alert outbox") as session:
            held = session.execute(
                sa.select(OutboxRow.id, OutboxRow.claimed_by).where(
                    OutboxRow.status == "pending", OutboxRow.claimed_until >= now
                )
            ).all()
        orphans = _dead_here([(pk, by) for pk, by in held])
        if orphans:  # their sender died on this host: no need to wait out the lease
            free = sa.or_(free, OutboxRow.id.in_(orphans))
        due = (
            sa.select(OutboxRow.id)
            .where(
                OutboxRow.status == "pending",
                OutboxRow.next_attempt_at <= now,
                free,
                ~waiting,
                OutboxRow.id.not_in(list(exclude)),
            )
            .order_by(OutboxRow.id)
            .limit(max(limit, 1))
        )
        with self._session("could not claim outbox messages") as session:
            ids = list(session.scalars(due))
            if not ids:
                return []
            taken = session.scalars(
                sa.update(OutboxRow)
                .where(OutboxRow.id.in_(ids), OutboxRow.status == "pending", free)
                .values(claimed_until=now + lease, claimed_by=holder())
                .returning(OutboxRow.id)
            ).all()  # fewer than ids when another sender was quicker
            rows = session.execute(
                sa.select(OutboxRow, ModelRow.name)
                .join(ModelRow)
                .where(OutboxRow.id.in_(list(taken)))
                .order_by(OutboxRow.id)
            )
            return [outbox_record(row, name) for row, name in rows]

    def renew_outbox(self, ids: Collection[int], *, until: datetime) -> None:
        """Extend this process's lease on messages it still holds to ``until``."""
        if not ids:
            return
        with self._session("could not renew outbox leases") as session:
            session.execute(
                sa.update(OutboxRow)
                .where(
                    OutboxRow.id.in_(list(ids)),
                    OutboxRow.status == "pending",
                    OutboxRow.claimed_by == holder(),
                )
                .values(claimed_until=until)
            )

    def release_outbox(self, ids: Collection[int]) -> None:
        """Give back taken messages unsent, due again at once."""
        if not ids:
            return
        with self._session("could not release outbox messages") as session:
            session.execute(
                sa.update(OutboxRow)
                .where(OutboxRow.id.in_(list(ids)))
                .values(claimed_until=None, claimed_by=None)
            )

    def next_due(self) -> datetime | None:
        """When the earliest pending message can be taken (``None``: none pending).

        A message held by a sender counts from its lease's end, and a reply from
        when the message it replies to can be taken.
        """
        query = sa.select(
            OutboxRow.id,
            OutboxRow.parent_id,
            OutboxRow.next_attempt_at,
            OutboxRow.claimed_until,
        ).where(OutboxRow.status == "pending")
        with self._session("could not read the alert outbox") as session:
            rows = session.execute(query).all()
        own = {pk: due if held is None else max(due, held) for pk, _, due, held in rows}
        times = [
            max(own[pk], own[parent]) if parent in own else own[pk]
            for pk, parent, _, _ in rows
        ]
        return min(times, default=None)

    def mark_delivered(
        self, pk: int, *, ref: Mapping[str, str], at: datetime | None = None
    ) -> None:
        """Record that a channel accepted message ``pk`` (and its reference)."""
        with self._session(f"could not mark outbox message #{pk} delivered") as session:
            session.execute(
                sa.update(OutboxRow)
                .where(OutboxRow.id == pk)
                .values(
                    status="delivered",
                    delivered_at=at or _now(),
                    attempts=OutboxRow.attempts + 1,
                    claimed_until=None,
                    claimed_by=None,
                    last_error=None,
                    response=dict(ref),
                )
            )

    def mark_failed(self, pk: int, *, error: str, next_attempt_at: datetime) -> None:
        """Record a failed attempt at message ``pk`` and when to try again."""
        with self._session(f"could not reschedule outbox message #{pk}") as session:
            session.execute(
                sa.update(OutboxRow)
                .where(OutboxRow.id == pk)
                .values(
                    attempts=OutboxRow.attempts + 1,
                    claimed_until=None,
                    claimed_by=None,
                    last_error=error[:2000],
                    next_attempt_at=next_attempt_at,
                )
            )
