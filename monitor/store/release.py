"""When a silence or a maintenance window ends: what is still open is told, once.

The :class:`ReleaseMixin` half of :class:`~modelhealth.store.Store`. A silence or
a maintenance window holds an open incident's messages back, and marks it
(``silence_id``, ``maintenance``). :meth:`ReleaseMixin.release_held`, the
scheduler's sweep, finds the marked incidents whose hold has ended (the silence
ran out or was ended, the window closed), and for each asks
:func:`modelhealth.alerts.incidents.decide` again, with the result of the run
that last found it failing, at the time of the sweep: every route that has not
heard of it gets its problem message now (grouped per run, as a run groups them),
rather than at the model's next run. It takes the model's row lock first, as a run
does, and writes what it told in the same transaction as the messages, so neither
the next run nor the next sweep tells it twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from modelhealth.alerts.base import Alert, result_key
from modelhealth.alerts.incidents import AlertPolicy, decide
from modelhealth.alerts.maintenance import covers, open_windows
from modelhealth.alerts.silences import Silence, silencing
from modelhealth.checks.base import CheckResult
from modelhealth.rules.models import ChannelParams
from modelhealth.store.alerting import _routes_json, _state
from modelhealth.store.alerting_models import IncidentRow
from modelhealth.store.convert import result_record
from modelhealth.store.models import CheckResultRow, ModelRow, RunRow

__all__ = ["PolicyFor", "ReleaseMixin"]

PolicyFor = Callable[[str, str], AlertPolicy | None]
"""``(model, run_id) -> AlertPolicy``: the model's routes and the run's link now;
``None`` when the model has no rules in force (its next run decides)."""


def _held_now(
    row: IncidentRow,
    model: str,
    silences: Sequence[Silence],
    policy: AlertPolicy,
    now: datetime,
) -> tuple[int | None, str | None]:
    quiet = silencing(
        silences, model=model, check_id=row.check_id, subject=row.subject,
        severity=row.severity, now=now,
    )  # fmt: skip
    window = next(
        (
            w
            for w in open_windows(policy.maintenance, now)
            if covers(w, row.check_id, row.subject, row.severity)
        ),
        None,
    )
    return (
        None if quiet is None else quiet.id,
        None if window is None else window.name,
    )


class ReleaseMixin:
    """The sweep of incidents whose silence or maintenance window ended."""

    def _session(self, action: str) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def silences_at(
        self, session: Session, now: datetime, model: str | None = None
    ) -> list[Silence]:
        raise NotImplementedError

    def _queue(
        self,
        session: Session,
        model_id: int,
        run_key: str | None,
        route: ChannelParams,
        alert: Alert,
        parent: int | None = None,
    ) -> int:
        raise NotImplementedError

    def release_held(
        self, policy_for: PolicyFor, *, now: datetime | None = None
    ) -> list[int]:
        """Tell what a silence or maintenance window held back, now it has ended.

        Args:
            policy_for: the model's alert policy for one of its runs.
            now: the time of the sweep (default: now).

        Returns:
            The outbox ids of the messages queued.
        """
        now = now or datetime.now(timezone.utc)
        marked = (
            sa.select(ModelRow.id, ModelRow.name)
            .join(IncidentRow, IncidentRow.model_id == ModelRow.id)
            .where(
                IncidentRow.status == "open",
                sa.or_(
                    IncidentRow.silence_id.is_not(None),
                    IncidentRow.maintenance.is_not(None),
                ),
            )
            .distinct()
        )
        with self._session("could not look for held incidents") as session:
            models = sorted((int(i), str(n)) for i, n in session.execute(marked))
        queued: list[int] = []
        for model_id, name in models:
            with self._session(f"could not release incidents of {name!r}") as session:
                queued += self._release_model(session, model_id, name, policy_for, now)
        return queued

    def _release_model(
        self,
        session: Session,
        model_id: int,
        name: str,
        policy_for: PolicyFor,
        now: datetime,
    ) -> list[int]:
        session.execute(
            sa.select(ModelRow.id).where(ModelRow.id == model_id).with_for_update()
        )
        rows = session.scalars(
            sa.select(IncidentRow).where(
                IncidentRow.model_id == model_id, IncidentRow.status == "open"
            )
        ).all()
        silences = self.silences_at(session, now, name)
        by_run: dict[str, list[IncidentRow]] = {}
        policy = None
        for row in rows:
            if row.silence_id is None and row.maintenance is None:
                continue
            policy = policy or policy_for(name, row.last_run_id)
            if policy is None:
                return []
            if _held_now(row, name, silences, policy, now) == (
                row.silence_id, row.maintenance,
            ):  # fmt: skip
                continue
            by_run.setdefault(row.last_run_id, []).append(row)
        states = {result_key(r.check_id, r.subject): _state(r) for r in rows}
        queued: list[int] = []
        for run_key, released in sorted(by_run.items()):
            run_policy = policy_for(name, run_key)
            if run_policy is None:
                continue
            results, version = self._last_results(session, model_id, run_key, released)
            plan = decide(
                results, states, run_policy, model=name, run_id=run_key, now=now,
                model_version=version, silences=silences,
            )  # fmt: skip
            told = {o.state.key: o.state for o in plan.outcomes}
            for msg in plan.messages:
                pk = self._queue(
                    session, model_id, run_key, msg.route, msg.alert, msg.parent
                )
                queued.append(pk)
                for key in msg.incidents:
                    st = told[key]
                    route = st.routes[msg.route_key]
                    if route.message is None:
                        routes = {
                            **st.routes,
                            msg.route_key: replace(route, message=pk),
                        }
                        told[key] = replace(st, routes=routes)
            for row in released:
                now_st = told.get(result_key(row.check_id, row.subject))
                if now_st is None:  # its result is gone (the run was re-checked)
                    row.silence_id = row.maintenance = None
                    continue
                row.silence_id, row.maintenance = now_st.silence_id, now_st.maintenance
                row.routes = _routes_json(now_st.routes)
                row.notifications = now_st.notifications
        session.flush()
        return queued

    def _last_results(
        self,
        session: Session,
        model_id: int,
        run_key: str,
        rows: Sequence[IncidentRow],
    ) -> tuple[list[CheckResult], str | None]:
        """The results of run ``run_key`` for these incidents, and its version."""
        wanted = {result_key(r.check_id, r.subject) for r in rows}
        found = session.execute(
            sa.select(CheckResultRow, RunRow.model_version)
            .join(RunRow, RunRow.id == CheckResultRow.run_id)
            .where(
                RunRow.model_id == model_id,
                RunRow.run_key == run_key,
                CheckResultRow.check_id.in_({r.check_id for r in rows}),
            )
            .order_by(CheckResultRow.id)
        ).all()
        results = [
            result_record(r).to_result()
            for r, _ in found
            if result_key(r.check_id, r.subject) in wanted
        ]
        return results, (found[0][1] if found else None)
