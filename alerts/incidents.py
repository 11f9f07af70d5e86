"""Incidents: one clear message when something breaks, reminders, a resolution.

An incident is keyed by (model, check id, subject). :func:`decide` is the one
function that says, for one run, what happens to each incident and which messages
go out; it is pure (the store reads the previous state and writes the outcome in
the run's own transaction, see ``modelhealth.store.alerting``):

- a result that ``warned``, ``failed`` or ``errored`` opens an incident, or
  continues the open one (``runs`` in a row + 1); ``skipped`` changes nothing;
- a route hears about an incident once: the first run whose result it wants (by
  :func:`~modelhealth.alerts.routing.matches`) while the incident is open. After that,
  nothing
  until its ``renotify_after`` has passed since it last heard, then a reminder, a
  reply in the thread of the message that told it;
- a ``passed`` result resolves the open incident, and each route that heard of it
  gets a resolution that replies to the message that told it (a Slack thread);
- one run gives at most one problem-or-reminder message per route (worst first,
  so 30 drifted features are one message) plus one resolution per opening message;
- an acknowledged incident (:class:`~modelhealth.alerts.silences.Ack`) gets no
  reminders while the acknowledgement holds; a silenced one (a matching active
  :class:`~modelhealth.alerts.silences.Silence`) gets no problem or reminder
  message at all, and is marked with the silence's id; so is one an open
  maintenance window of the rules matches (:mod:`~modelhealth.alerts.maintenance`),
  marked with the window's name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from modelhealth.alerts.base import Alert, AlertKind, Streak, result_key
from modelhealth.alerts.maintenance import covers, open_windows
from modelhealth.alerts.routing import matches, route_key
from modelhealth.alerts.silences import Ack, Silence, silencing
from modelhealth.checks.base import CheckResult, Status
from modelhealth.rules.durations import parse_duration
from modelhealth.rules.models import ChannelParams, MaintenanceWindow

__all__ = [
    "BAD",
    "AlertPolicy",
    "IncidentState",
    "Message",
    "Outcome",
    "Plan",
    "RouteState",
    "decide",
]

BAD = (Status.WARNED, Status.FAILED, Status.ERRORED)
"""Statuses that open or continue an incident."""


@dataclass(frozen=True)
class AlertPolicy:
    """What the runner hands the store to alert on a run.

    Attributes:
        routes: every route for the model (its rules' and the service's).
        report_url: the link to the run's page in the web report, if configured.
        maintenance: the rules' maintenance windows.
        checks: the ids of the rules' enabled checks: an open incident of a check
            not among them is closed as stale (:mod:`~modelhealth.alerts.stale`);
            ``None``: not judged.
    """

    routes: tuple[ChannelParams, ...]
    report_url: str | None = None
    maintenance: tuple[MaintenanceWindow, ...] = ()
    checks: frozenset[str] | None = None


@dataclass(frozen=True)
class RouteState:
    """What one route was told about one incident.

    Attributes:
        message: the outbox id of the message that told it first (``None`` until
            the store has written that message).
        notified_at: when it was last told (the opening or the latest reminder).
    """

    message: int | None
    notified_at: datetime


@dataclass(frozen=True)
class IncidentState:
    """An incident as :func:`decide` sees it, before or after a run."""

    check_id: str
    subject: str | None
    severity: str
    opened_at: datetime
    last_seen_at: datetime
    first_run_id: str
    last_run_id: str
    runs_count: int = 1
    notifications: int = 0
    routes: Mapping[str, RouteState] = field(default_factory=dict)
    resolved_at: datetime | None = None
    id: int | None = None
    ack: Ack | None = None
    silence_id: int | None = None
    maintenance: str | None = None

    @property
    def held(self) -> bool:
        """Whether a silence or a maintenance window holds its messages back."""
        return self.silence_id is not None or self.maintenance is not None

    @property
    def key(self) -> str:
        return result_key(self.check_id, self.subject)

    @property
    def streak(self) -> Streak:
        return Streak(self.opened_at, self.runs_count, self.first_run_id)


@dataclass(frozen=True)
class Outcome:
    """What became of one incident in this run."""

    change: Literal["opened", "ongoing", "resolved"]
    state: IncidentState


@dataclass(frozen=True)
class Message:
    """One message to queue in the outbox.

    Attributes:
        route: the route that carries it.
        route_key: :func:`~modelhealth.alerts.routing.route_key` of the route.
        alert: what it says.
        incidents: keys of the incidents it tells the route about.
        parent: outbox id of the message it replies to (reminders, resolutions).
    """

    route: ChannelParams
    route_key: str
    alert: Alert
    incidents: tuple[str, ...]
    parent: int | None = None


@dataclass(frozen=True)
class Plan:
    """:func:`decide`'s answer: incidents to write and messages to queue."""

    outcomes: tuple[Outcome, ...]
    messages: tuple[Message, ...]


def _worst_first(results: Sequence[CheckResult]) -> tuple[CheckResult, ...]:
    return tuple(
        sorted(
            results,
            key=lambda r: (
                -r.status.rank,
                -r.severity.rank,
                r.check_id,
                r.subject or "",
            ),
        )
    )


def _due(route: ChannelParams, told: RouteState, now: datetime) -> bool:
    if route.renotify_after is None:
        return False
    return now - told.notified_at >= parse_duration(route.renotify_after)


def decide(
    results: Sequence[CheckResult],
    open_incidents: Mapping[str, IncidentState],
    policy: AlertPolicy,
    *,
    model: str,
    run_id: str,
    now: datetime,
    model_version: str | None = None,
    silences: Sequence[Silence] = (),
) -> Plan:
    """Decide incidents and messages for one run.

    Args:
        results: every result of the run.
        open_incidents: the model's open incidents, by :func:`result_key`.
        policy: the routes and the report link.
        model: the model's name.
        run_id: the run's id.
        now: the run's finish time; incidents are dated by it.
        model_version: the version that produced the run.
        silences: the model's silences; those active at ``now`` hold messages back.

    Returns:
        The incidents' new states and the messages to queue.
    """
    outcomes: dict[str, Outcome] = {}
    for r in results:
        key = result_key(r.check_id, r.subject)
        old = open_incidents.get(key)
        if r.status in BAD:
            if old is None:
                state = IncidentState(
                    r.check_id, r.subject, r.severity.value, now, now, run_id, run_id
                )
                outcomes[key] = Outcome("opened", state)
            else:
                again = old.last_run_id == run_id  # the same run checked again
                state = replace(
                    old,
                    severity=r.severity.value,
                    last_seen_at=now,
                    last_run_id=run_id,
                    runs_count=old.runs_count + (0 if again else 1),
                )
                outcomes[key] = Outcome("ongoing", state)
        elif r.status is Status.PASSED and old is not None:
            outcomes[key] = Outcome("resolved", replace(old, resolved_at=now))
    by_key = {result_key(r.check_id, r.subject): r for r in results}
    windows = open_windows(policy.maintenance, now) if outcomes else []
    for key, outcome in outcomes.items():
        st = outcome.state
        quiet = silencing(
            silences, model=model, check_id=st.check_id, subject=st.subject,
            severity=st.severity, now=now,
        )  # fmt: skip
        window = next(
            (w for w in windows if covers(w, st.check_id, st.subject, st.severity)),
            None,
        )
        if outcome.change == "resolved":
            quiet = window = None
        held = replace(
            st,
            silence_id=None if quiet is None else quiet.id,
            maintenance=None if window is None else window.name,
        )
        outcomes[key] = replace(outcome, state=held)

    def alert(kind: AlertKind, picked: Sequence[CheckResult]) -> Alert:
        streaks = {}
        for r in picked:
            k = result_key(r.check_id, r.subject)
            streaks[k] = outcomes[k].state.streak
        return Alert(
            model=model,
            run_id=run_id,
            results=_worst_first(picked),
            kind=kind,
            model_version=model_version,
            report_url=policy.report_url,
            created_at=now,
            streaks=streaks,
        )

    messages: list[Message] = []
    for route in policy.routes:
        rk = route_key(route)
        new: list[str] = []
        due: list[str] = []
        for key, outcome in outcomes.items():
            st = outcome.state
            if outcome.change == "resolved" or st.held:
                continue
            if not matches(route, by_key[key]):
                continue
            told = st.routes.get(rk)
            acked = st.ack is not None and st.ack.active(now)
            if told is None:
                new.append(key)
            elif not acked and _due(route, told, now):
                due.append(key)
        told_now = [*new, *due]
        if told_now:
            kind: AlertKind = "problem" if new else "reminder"
            picked = [by_key[k] for k in told_now]
            # a reminder replies in the thread of the message that told the route
            thread = None if new else outcomes[due[0]].state.routes[rk].message
            messages.append(
                Message(route, rk, alert(kind, picked), tuple(told_now), thread)
            )
            for k in told_now:
                st = outcomes[k].state
                prev = st.routes.get(rk)
                routes = {
                    **st.routes,
                    rk: RouteState(prev.message if prev else None, now),
                }
                outcomes[k] = replace(
                    outcomes[k],
                    state=replace(
                        st, routes=routes, notifications=st.notifications + 1
                    ),
                )
        if not route.send_resolved:
            continue
        threads: dict[int | None, list[str]] = {}
        for key, outcome in outcomes.items():
            told = outcome.state.routes.get(rk)
            if outcome.change == "resolved" and told is not None:
                threads.setdefault(told.message, []).append(key)
        for parent, keys in threads.items():
            picked = [by_key[k] for k in keys]
            messages.append(
                Message(route, rk, alert("resolved", picked), tuple(keys), parent)
            )
    return Plan(tuple(outcomes.values()), tuple(messages))
