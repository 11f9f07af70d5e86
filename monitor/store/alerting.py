"""Incidents in the store, and a run's alerts queued in its own transaction.

The :class:`AlertingMixin` half of :class:`~modelhealth.store.Store` (tables in
:mod:`modelhealth.store.alerting_models`, migrations 0002 and 0004).
:meth:`queue_run_alerts` runs inside :meth:`Store.save_run`'s transaction: it reads
the model's open incidents and active silences, asks
:func:`modelhealth.alerts.incidents.decide` what happens (open, remind, resolve,
group, hold back), writes the incidents and queues the messages in the outbox, and
closes as stale the open incidents whose check left the rules
(:mod:`modelhealth.store.stale`), so
results and the alerts they cause are committed together or not at all. After
queueing, it records on each incident which outbox message told which route, for
threaded resolutions.
The sender's side of the outbox is :class:`~modelhealth.store.outbox.OutboxMixin`.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from modelhealth.alerts.base import Alert
from modelhealth.alerts.incidents import AlertPolicy, IncidentState, RouteState, decide
from modelhealth.alerts.routing import route_key
from modelhealth.checks.base import CheckResult
from modelhealth.rules.models import ChannelParams
from modelhealth.store.alerting_models import IncidentRow, OutboxRow
from modelhealth.store.models import CheckResultRow, ModelRow, RunRow
from modelhealth.store.oncall import OnCallMixin, ack, incident_record
from modelhealth.store.outbox import OutboxMixin
from modelhealth.store.records import IncidentRecord
from modelhealth.store.stale import StaleMixin, close_removed

__all__ = ["AlertingMixin", "IncidentRow", "OutboxRow"]

_STATUSES = ("open", "resolved", "stale")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _state(row: IncidentRow) -> IncidentState:
    routes = {
        k: RouteState(v.get("message"), datetime.fromisoformat(v["notified_at"]))
        for k, v in (row.routes or {}).items()
    }
    return IncidentState(
        check_id=row.check_id,
        subject=row.subject,
        severity=row.severity,
        opened_at=row.opened_at,
        last_seen_at=row.last_seen_at,
        first_run_id=row.first_run_id,
        last_run_id=row.last_run_id,
        runs_count=row.runs_count,
        notifications=row.notifications,
        routes=routes,
        id=row.id,
        ack=ack(row),
        silence_id=row.silence_id,
        maintenance=row.maintenance,
    )


def _routes_json(routes: Mapping[str, RouteState]) -> dict[str, Any]:
    return {
        k: {"message": v.message, "notified_at": v.notified_at.isoformat()}
        for k, v in routes.items()
    }


def _what_broke(
    session: Session, rows: Sequence[IncidentRow]
) -> dict[int, dict[str, Any]]:
    """Per incident id: the value and message of the result that last found it."""
    if not rows:
        return {}
    found = session.execute(
        sa.select(
            CheckResultRow.model_id,
            RunRow.run_key,
            CheckResultRow.check_id,
            CheckResultRow.subject,
            CheckResultRow.value,
            CheckResultRow.message,
        )
        .join(RunRow, RunRow.id == CheckResultRow.run_id)
        .where(
            CheckResultRow.model_id.in_({r.model_id for r in rows}),
            RunRow.run_key.in_({r.last_run_id for r in rows}),
            CheckResultRow.check_id.in_({r.check_id for r in rows}),
        )
    ).all()
    by_key = {(m, run, c, subj): (v, msg) for m, run, c, subj, v, msg in found}
    out = {}
    for r in rows:
        hit = by_key.get((r.model_id, r.last_run_id, r.check_id, r.subject))
        if hit is not None:
            value = None if hit[0] is None or math.isnan(hit[0]) else hit[0]
            out[r.id] = {"value": value, "message": hit[1] or ""}
    return out


class AlertingMixin(OutboxMixin, OnCallMixin, StaleMixin):
    """Reads and writes of incidents and outbox messages."""

    def _session(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def _model_id(self, session: Session, name: str) -> int:
        raise NotImplementedError

    def incidents(
        self,
        model: str | None = None,
        *,
        status: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[IncidentRecord]:
        """Incidents, newest opened first.

        Args:
            model: only this model's; all models by default.
            status: only ``"open"``, ``"resolved"`` or ``"stale"`` ones.
            limit: at most this many.
            offset: skip this many first (for paging).

        Raises:
            ValueError: ``status`` is not open, resolved or stale, or limit/offset < 0.
        """
        if status is not None and status not in _STATUSES:
            raise ValueError(
                f"unknown incident status {status!r}; known: {', '.join(_STATUSES)}"
            )
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must not be negative")
        query = sa.select(IncidentRow, ModelRow.name).join(ModelRow)
        if model is not None:
            query = query.where(ModelRow.name == model)
        if status is not None:
            query = query.where(IncidentRow.status == status)
        query = query.order_by(IncidentRow.opened_at.desc(), IncidentRow.id.desc())
        now = _now()
        with self._session("could not list incidents") as session:
            rows = session.execute(query.limit(limit).offset(offset)).all()
            held = self.silences_at(session, now) if rows else []
            broke = _what_broke(session, [row for row, _ in rows])
            return [
                replace(
                    incident_record(row, name, held, now=now),
                    **broke.get(row.id, {}),
                )
                for row, name in rows
            ]

    def _queue(
        self,
        session: Session,
        model_id: int,
        run_key: str | None,
        route: ChannelParams,
        alert: Alert,
        parent: int | None = None,
    ) -> int:
        now = _now()
        values = {
            "key": str(uuid.uuid4()),
            "model_id": model_id,
            "run_key": run_key,
            "channel": route.channel,
            "route_key": route_key(route),
            "route": route.model_dump(mode="json"),
            "kind": alert.kind,
            "alert": alert.to_dict(),
            "parent_id": parent,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
            "next_attempt_at": now,
            "response": {},
        }
        return int(
            session.execute(
                sa.insert(OutboxRow).values(**values).returning(OutboxRow.id)
            ).scalar_one()
        )

    def queue_alert(self, route: ChannelParams, alert: Alert) -> int:
        """Put one message in the outbox by itself (tests, tools); returns its id."""
        with self._session("could not queue an alert") as session:
            model_id = self._model_id(session, alert.model)
            return self._queue(session, model_id, alert.run_id, route, alert)

    def queue_run_alerts(
        self,
        session: Session,
        model_id: int,
        *,
        model: str,
        run_id: str,
        results: Sequence[CheckResult],
        finished_at: datetime,
        model_version: str | None,
        policy: AlertPolicy,
    ) -> list[int]:
        """Update a run's incidents and queue its messages, in ``session``.

        Called by :meth:`Store.save_run` inside the run's transaction.

        Returns:
            The ids of the queued messages.
        """
        # One run of a model at a time decides its incidents (PostgreSQL row lock;
        # SQLite serializes writers anyway), so two runs never open the same twice.
        session.execute(
            sa.select(ModelRow.id).where(ModelRow.id == model_id).with_for_update()
        )
        # A run older than the model's newest (a backfill, a re-check of last week)
        # says nothing about the model's health now: it must not resolve, reopen or
        # count towards today's incidents. Its results are stored all the same.
        newer = session.execute(
            sa.select(RunRow.id)
            .where(
                RunRow.model_id == model_id,
                RunRow.run_key != run_id,
                RunRow.finished_at > finished_at,
            )
            .limit(1)
        ).first()
        if newer is not None:
            return []
        query = sa.select(IncidentRow).where(
            IncidentRow.model_id == model_id, IncidentRow.status == "open"
        )
        rows = {_state(r).key: r for r in session.scalars(query)}
        plan = decide(
            results,
            {k: _state(r) for k, r in rows.items()},
            policy,
            model=model,
            run_id=run_id,
            now=finished_at,
            model_version=model_version,
            silences=self.silences_at(session, finished_at, model),
        )
        states = {o.state.key: o for o in plan.outcomes}
        queued = []
        for msg in plan.messages:
            pk = self._queue(
                session, model_id, run_id, msg.route, msg.alert, msg.parent
            )
            queued.append(pk)
            if msg.alert.kind == "resolved":
                continue
            for key in msg.incidents:
                st = states[key].state
                told = st.routes[msg.route_key]
                if told.message is None:
                    routes = {**st.routes, msg.route_key: replace(told, message=pk)}
                    states[key] = replace(states[key], state=replace(st, routes=routes))
        for key, outcome in states.items():
            st = outcome.state
            values = {
                "severity": st.severity,
                "status": "resolved" if outcome.change == "resolved" else "open",
                "resolved_at": st.resolved_at,
                "last_seen_at": st.last_seen_at,
                "last_run_id": st.last_run_id,
                "runs_count": st.runs_count,
                "notifications": st.notifications,
                "routes": _routes_json(st.routes),
                "silence_id": st.silence_id,
                "maintenance": st.maintenance,
            }
            if key in rows:
                session.execute(
                    sa.update(IncidentRow)
                    .where(IncidentRow.id == rows[key].id)
                    .values(**values)
                )
            else:
                session.execute(
                    sa.insert(IncidentRow).values(
                        model_id=model_id,
                        check_id=st.check_id,
                        subject=st.subject,
                        opened_at=st.opened_at,
                        first_run_id=st.first_run_id,
                        **values,
                    )
                )
        if policy.checks is not None:  # what left the rules will never pass again
            queued += close_removed(session, rows, states, policy.checks, finished_at)
        return queued
