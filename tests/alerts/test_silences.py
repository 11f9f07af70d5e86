"""Acknowledgements and silences in the incident decisions (issue 14)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from modelhealth.alerts.console import ConsoleParams
from modelhealth.alerts.incidents import AlertPolicy, RouteState, decide
from modelhealth.alerts.routing import route_key
from modelhealth.alerts.silences import Ack, Silence, check_matcher
from modelhealth.checks.base import Status
from modelhealth.rules.models import Severity
from tests.alerts.conftest import T0, result

ROUTE = ConsoleParams(min_severity=Severity.WARNING, renotify_after="1d")
POLICY = AlertPolicy((ROUTE,))
KEY = "feature-drift[spend]"


def run(results, incidents, when, run_id="r", silences=()):
    plan = decide(
        results, incidents, POLICY, model="churn", run_id=run_id, now=when,
        silences=silences,
    )  # fmt: skip
    state = {o.state.key: o.state for o in plan.outcomes if o.change != "resolved"}
    return plan, state


def opened():
    _, state = run([result()], {}, T0, "r1")
    told = {route_key(ROUTE): RouteState(41, T0)}
    return {KEY: replace(state[KEY], routes=told)}


def test_an_acknowledgement_stops_reminders_until_it_ends():
    state = opened()
    snooze = Ack("ana", T0, until=T0 + timedelta(days=2))
    state = {KEY: replace(state[KEY], ack=snooze)}
    plan, state = run([result()], state, T0 + timedelta(days=1), "r2")
    assert plan.messages == ()
    plan, _ = run([result()], state, T0 + timedelta(days=2), "r3")
    assert [m.alert.kind for m in plan.messages] == ["reminder"]


def test_an_acknowledgement_without_end_holds_until_resolved_and_resolution_goes():
    state = opened()
    state = {KEY: replace(state[KEY], ack=Ack("ana", T0))}
    plan, state = run([result()], state, T0 + timedelta(days=30), "r2")
    assert plan.messages == ()
    plan, _ = run([result(status=Status.PASSED)], state, T0 + timedelta(days=31))
    (resolved,) = plan.messages
    assert (resolved.alert.kind, resolved.parent) == ("resolved", 41)


def silence(**kw):
    kw.setdefault("starts_at", T0)
    kw.setdefault("ends_at", T0 + timedelta(hours=2))
    return Silence(7, "churn", **kw)


def test_a_silenced_incident_opens_sends_nothing_then_is_told_once_after():
    quiet = [silence(check_id="feature-*")]
    plan, state = run([result()], {}, T0, "r1", quiet)
    assert plan.messages == ()
    assert [o.change for o in plan.outcomes] == ["opened"]
    assert state[KEY].silence_id == 7
    plan, state = run([result()], state, T0 + timedelta(hours=1), "r2", quiet)
    assert plan.messages == ()
    plan, state = run([result()], state, T0 + timedelta(hours=3), "r3", quiet)
    assert [m.alert.kind for m in plan.messages] == ["problem"]
    assert state[KEY].silence_id is None
    plan, _ = run([result()], state, T0 + timedelta(hours=4), "r4", quiet)
    assert plan.messages == ()  # once


def test_a_silence_only_matches_what_it_names():
    assert (
        silence(subject="age").matches("churn", "feature-drift", "spend", "info")
        is False
    )
    assert (
        silence(severities=("info",)).matches("churn", "x", None, "critical") is False
    )
    assert silence().matches("fraud", "x", None, "critical") is False
    assert silence(subject="sp*", severities=("critical",)).matches(
        "churn", "feature-drift", "spend", "critical"
    )
    assert silence().matcher == "churn"
    assert silence(check_id="d", subject="s", severities=("info",)).matcher == (
        "churn/d[s] info"
    )


def test_an_incident_that_opens_and_clears_inside_a_silence_sends_nothing():
    quiet = [silence()]
    _, state = run([result()], {}, T0, "r1", quiet)
    plan, _ = run([result(status=Status.PASSED)], state, T0 + timedelta(hours=1))
    assert plan.messages == ()
    assert [o.change for o in plan.outcomes] == ["resolved"]


def test_malformed_matchers_are_one_sentence_each():
    assert check_matcher("churn", "drift-*", None, ["critical"]) == []
    assert check_matcher(" ", "", "age[", ["fatal"]) == [
        "a silence needs a model name",
        "--check must not be empty",
        "--subject 'age[' has an unclosed '['",
        "unknown severity 'fatal'; known: info, warning, critical",
    ]


def test_a_maintenance_window_holds_messages_while_open():
    from modelhealth.rules.models import MaintenanceWindow

    # every day from 05:30 for 1 h (UTC); T0 is 06:00
    window = MaintenanceWindow(
        name="reindex", cron="30 5 * * *", duration="1h", checks=["feature-*"]
    )
    policy = AlertPolicy((ROUTE,), maintenance=(window,))
    plan = decide([result()], {}, policy, model="churn", run_id="r1", now=T0)
    assert plan.messages == ()
    (outcome,) = plan.outcomes
    assert outcome.state.maintenance == "reindex"
    state = {KEY: outcome.state}
    later = T0 + timedelta(minutes=31)  # 06:31: the window closed at 06:30
    plan = decide([result()], state, policy, model="churn", run_id="r2", now=later)
    assert [m.alert.kind for m in plan.messages] == ["problem"]
    other = MaintenanceWindow(
        name="x", cron="30 5 * * *", duration="1h", subjects=["age"],
        severities=["info"],
    )  # fmt: skip
    plan = decide(
        [result()], {}, AlertPolicy((ROUTE,), maintenance=(other,)),
        model="churn", run_id="r1", now=T0,
    )  # fmt: skip
    assert [m.alert.kind for m in plan.messages] == ["problem"]
