"""What people do about incidents: acknowledge, snooze and silence them.

The :class:`OnCallMixin` half of :class:`~modelhealth.store.Store` (migration 0004).
An acknowledgement lives on the incident row (``acked_by``, ``acked_at``,
``acked_until``); a silence is a row of ``silences`` with a matcher and a time span.
Both only change what :func:`~modelhealth.alerts.incidents.decide` sends on the next
run: :meth:`~OnCallMixin.silences_at` and the incident's ack are what
:mod:`modelhealth.store.alerting` hands it. An acknowledgement also queues, in the
same transaction, a note in the thread of every route that heard of the incident
(:func:`queue_ack_notes`: "ACKNOWLEDGED ... by ana until ..."; PagerDuty gets an
``acknowledge``). Refusals are one sentence:
:class:`~modelhealth.errors.NotFound` for an unknown id,
:class:`~modelhealth.errors.UsageError` for a resolved incident, a silence that has
ended or would overlap another with the same matcher, or a malformed matcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from modelhealth.alerts.base import result_key
from modelhealth.alerts.silences import Ack, Silence, check_matcher, silencing
from modelhealth.errors import NotFound, UsageError
from modelhealth.store.acknotes import queue_ack_notes
from modelhealth.store.alerting_models import IncidentRow, SilenceRow
from modelhealth.store.models import ModelRow
from modelhealth.store.records import IncidentRecord, SilenceRecord

__all__ = ["OnCallMixin", "incident_record", "silence", "silence_record"]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def silence(row: SilenceRow) -> Silence:
    """The row as :func:`~modelhealth.alerts.incidents.decide` takes it."""
    return Silence(
        row.id, row.model, row.starts_at, row.ends_at, row.check_id, row.subject,
        tuple(row.severities), row.reason, row.created_by,
    )  # fmt: skip


def silence_record(row: SilenceRow) -> SilenceRecord:
    return SilenceRecord(
        row.id, row.model, row.check_id, row.subject, tuple(row.severities),
        row.starts_at, row.ends_at, row.reason, row.created_by, row.created_at,
    )  # fmt: skip


def ack(row: IncidentRow) -> Ack | None:
    """The incident's acknowledgement, if it has one."""
    if row.acked_by is None or row.acked_at is None:
        return None
    return Ack(row.acked_by, row.acked_at, row.acked_until)


def incident_record(
    row: IncidentRow, model: str, silences: Sequence[Silence] = (), *, now: datetime
) -> IncidentRecord:
    """The record, with the silence that holds it at ``now`` (open ones only)."""
    held = None
    if row.status == "open":
        found = silencing(
            silences, model=model, check_id=row.check_id, subject=row.subject,
            severity=row.severity, now=now,
        )  # fmt: skip
        held = None if found is None else found.id
    return IncidentRecord(
        row.id, model, row.check_id, row.subject, row.severity, row.status,
        row.opened_at, row.resolved_at, row.last_seen_at, row.first_run_id,
        row.last_run_id, row.runs_count, row.notifications, row.acked_by,
        row.acked_at, row.acked_until, held,
        row.maintenance if row.status == "open" else None, row.closed_because,
    )  # fmt: skip


class OnCallMixin:
    """Acknowledgements and silences."""

    def _session(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def silences_at(
        self, session: Session, now: datetime, model: str | None = None
    ) -> list[Silence]:
        """The silences that hold at ``now`` (one model's, or all), in ``session``."""
        query = sa.select(SilenceRow).where(
            SilenceRow.starts_at <= now, SilenceRow.ends_at > now
        )
        if model is not None:
            query = query.where(SilenceRow.model == model)
        return [silence(r) for r in session.scalars(query.order_by(SilenceRow.id))]

    def open_incident_counts(
        self, now: datetime | None = None
    ) -> list[tuple[str, str, int, int, int]]:
        """Per model and severity: open incidents, acknowledged ones, silenced ones."""
        now = now or _now()
        query = (
            sa.select(IncidentRow, ModelRow.name)
            .join(ModelRow)
            .where(IncidentRow.status == "open")
        )
        counts: dict[tuple[str, str], list[int]] = {}
        with self._session("could not count open incidents") as session:
            rows = session.execute(query).all()
            held = self.silences_at(session, now) if rows else []
            for row, model in rows:
                record = incident_record(row, model, held, now=now)
                n = counts.setdefault((model, row.severity), [0, 0, 0])
                n[0] += 1
                n[1] += record.acked_by is not None and (
                    record.acked_until is None or now < record.acked_until
                )
                n[2] += record.silenced_by is not None
        return [(m, s, n[0], n[1], n[2]) for (m, s), n in sorted(counts.items())]

    def _incident_row(self, session: Session, pk: int) -> tuple[IncidentRow, str]:
        found = session.execute(
            sa.select(IncidentRow, ModelRow.name)
            .join(ModelRow)
            .where(IncidentRow.id == pk)
        ).first()
        if found is None:
            raise NotFound(
                f"no incident #{pk}; `modelhealth alerts incidents` lists them"
            )
        return found[0], found[1]

    def incident(self, pk: int, *, now: datetime | None = None) -> IncidentRecord:
        """One incident by id.

        Raises:
            NotFound: there is no incident ``pk``.
        """
        now = now or _now()
        with self._session(f"could not read incident #{pk}") as session:
            row, model = self._incident_row(session, pk)
            return incident_record(row, model, self.silences_at(session, now), now=now)

    def acknowledge(
        self,
        pk: int,
        *,
        by: str,
        until: datetime | None = None,
        now: datetime | None = None,
    ) -> IncidentRecord:
        """Acknowledge an open incident: no reminders until it resolves or ``until``.

        Args:
            pk: the incident's id.
            by: who acknowledges it.
            until: when the acknowledgement ends (a snooze); ``None``: until resolved.
            now: the time of the acknowledgement (default: now).

        Raises:
            NotFound: there is no incident ``pk``.
            UsageError: it is resolved, ``by`` is empty or ``until`` has passed.
        """
        now = now or _now()
        if not by.strip():
            raise UsageError("say who acknowledges the incident (--by NAME)")
        if until is not None and until <= now:
            raise UsageError(
                f"the acknowledgement would end at {_when(until)}, which has passed"
            )
        with self._session(f"could not acknowledge incident #{pk}") as session:
            row, model = self._incident_row(session, pk)
            if row.status != "open":
                raise UsageError(
                    f"incident #{pk} is {row.status}; nothing to acknowledge"
                )
            row.acked_by, row.acked_at, row.acked_until = by.strip(), now, until
            session.flush()
            queue_ack_notes(session, row, now)
            return incident_record(row, model, self.silences_at(session, now), now=now)

    def acknowledge_open(
        self,
        model: str,
        keys: Sequence[str],
        *,
        by: str,
        until: datetime | None = None,
        now: datetime | None = None,
    ) -> list[IncidentRecord]:
        """Acknowledge the open incidents of ``model`` named by key (a Slack button).

        Args:
            model: the model's name.
            keys: ``check[subject]`` keys, as an alert names its incidents.
            by: who acknowledges them.
            until: when the acknowledgement ends; ``None``: until resolved.
            now: the time of the acknowledgement (default: now).

        Raises:
            NotFound: none of them is open any more (resolved, or deleted).
        """
        now = now or _now()
        wanted = set(keys)
        with self._session(f"could not acknowledge incidents of {model!r}") as session:
            rows = session.scalars(
                sa.select(IncidentRow)
                .join(ModelRow)
                .where(ModelRow.name == model, IncidentRow.status == "open")
                .order_by(IncidentRow.id)
            ).all()
            picked = [r for r in rows if result_key(r.check_id, r.subject) in wanted]
            if not picked:
                raise NotFound(
                    f"no open incident of {model!r} for {', '.join(sorted(wanted))}; "
                    "it has resolved or was deleted"
                )
            held = self.silences_at(session, now)
            for row in picked:
                row.acked_by, row.acked_at, row.acked_until = by, now, until
            session.flush()
            for row in picked:
                queue_ack_notes(session, row, now)
            return [incident_record(r, model, held, now=now) for r in picked]

    def unacknowledge(self, pk: int, *, now: datetime | None = None) -> IncidentRecord:
        """Take an acknowledgement back: reminders are due again as before.

        Raises:
            NotFound: there is no incident ``pk``.
            UsageError: it is not acknowledged.
        """
        now = now or _now()
        with self._session(f"could not unacknowledge incident #{pk}") as session:
            row, model = self._incident_row(session, pk)
            if row.acked_by is None:
                raise UsageError(f"incident #{pk} is not acknowledged")
            row.acked_by = row.acked_at = row.acked_until = None
            session.flush()
            return incident_record(row, model, self.silences_at(session, now), now=now)

    def add_silence(
        self,
        model: str,
        *,
        ends_at: datetime,
        reason: str,
        by: str,
        check_id: str | None = None,
        subject: str | None = None,
        severities: Sequence[str] = (),
        starts_at: datetime | None = None,
        now: datetime | None = None,
    ) -> SilenceRecord:
        """Silence matching incidents from ``starts_at`` (default now) to ``ends_at``.

        Raises:
            UsageError: the matcher is malformed, the reason is empty, the span has
                passed or is empty, or an active silence with the same matcher
                overlaps it.
        """
        now = now or _now()
        starts_at = starts_at or now
        problems = check_matcher(model, check_id, subject, severities)
        if not reason.strip():
            problems.append('say why (--reason "...")')
        if problems:
            raise UsageError("; ".join(problems))
        if ends_at <= now:
            raise UsageError(
                f"the silence would end at {_when(ends_at)}, which has passed"
            )
        if ends_at <= starts_at:
            raise UsageError("the silence must end after it starts")
        wanted = sorted(set(severities))
        with self._session("could not add a silence") as session:
            same = session.scalars(
                sa.select(SilenceRow).where(
                    SilenceRow.model == model,
                    SilenceRow.ends_at > starts_at,
                    SilenceRow.starts_at < ends_at,
                )
            )
            for other in same:
                if (other.check_id, other.subject, sorted(other.severities)) == (
                    check_id, subject, wanted,
                ):  # fmt: skip
                    raise UsageError(
                        f"silence #{other.id} already covers {silence(other).matcher} "
                        f"until {_when(other.ends_at)}; end it with "
                        f"`modelhealth alerts unsilence {other.id}` first"
                    )
            row = SilenceRow(
                model=model, check_id=check_id, subject=subject, severities=wanted,
                starts_at=starts_at, ends_at=ends_at, reason=reason.strip(),
                created_by=by, created_at=now,
            )  # fmt: skip
            session.add(row)
            session.flush()
            return silence_record(row)

    def silences(
        self, *, include_ended: bool = False, now: datetime | None = None
    ) -> list[SilenceRecord]:
        """Silences that hold or will, soonest ending first (or all, ended too)."""
        now = now or _now()
        query = sa.select(SilenceRow)
        if not include_ended:
            query = query.where(SilenceRow.ends_at > now)
        query = query.order_by(SilenceRow.ends_at, SilenceRow.id)
        with self._session("could not list silences") as session:
            return [silence_record(r) for r in session.scalars(query)]

    def end_silence(self, pk: int, *, now: datetime | None = None) -> SilenceRecord:
        """End a silence now; what is still open is told once, by the scheduler's
        sweep or the next run, whichever comes first.

        Raises:
            NotFound: there is no silence ``pk``.
            UsageError: it has already ended.
        """
        now = now or _now()
        with self._session(f"could not end silence #{pk}") as session:
            row = session.get(SilenceRow, pk)
            if row is None:
                raise NotFound(
                    f"no silence #{pk}; `modelhealth alerts silences` lists them"
                )
            if row.ends_at <= now:
                raise UsageError(f"silence #{pk} already ended at {_when(row.ends_at)}")
            # the incidents keep its mark: the scheduler's sweep (or the next run)
            # sees that it ended and tells them (modelhealth.store.release)
            row.ends_at = max(now, row.starts_at)
            session.flush()
            return silence_record(row)
