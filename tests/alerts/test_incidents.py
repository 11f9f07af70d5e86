"""The incident decisions, without a store: open once, remind, resolve, group."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from modelhealth.alerts.console import ConsoleParams
from modelhealth.alerts.incidents import AlertPolicy, RouteState, decide
from modelhealth.alerts.render import render_text
from modelhealth.alerts.routing import route_key
from modelhealth.checks.base import Status
from modelhealth.rules.models import Severity
from tests.alerts.conftest import T0, result

ROUTE = ConsoleParams(min_severity=Severity.WARNING, renotify_after="1d")
POLICY = AlertPolicy((ROUTE,), report_url="http://r/models/churn/runs/x")


def run(results, incidents, when, run_id="r"):
    plan = decide(results, incidents, POLICY, model="churn", run_id=run_id, now=when)
    state = {o.state.key: o.state for o in plan.outcomes if o.change != "resolved"}
    return plan, state


def test_thirty_drifted_features_make_one_message_worst_first():
    results = [result(subject=f"f{i:02}", status=Status.WARNED) for i in range(30)]
    results.append(result("input-schema", None, kind="schema"))
    routes = (ConsoleParams(statuses=["warned", "failed"]),)
    plan = decide(results, {}, AlertPolicy(routes), model="churn", run_id="r1", now=T0)
    (message,) = plan.messages
    assert message.alert.kind == "problem"
    assert len(message.alert.results) == 31
    assert message.alert.results[0].check_id == "input-schema"
    assert render_text(message.alert).startswith(
        "CRITICAL churn run r1: 1 failed, 30 warned"
    )
    assert [o.change for o in plan.outcomes] == ["opened"] * 31


def test_open_once_then_quiet_then_remind_then_resolve():
    failing = [result()]
    plan, state = run(failing, {}, T0, "r1")
    assert [m.alert.kind for m in plan.messages] == ["problem"]
    # the store fills in the opening message's id
    rk = route_key(ROUTE)
    key = "feature-drift[spend]"
    state[key] = replace(state[key], routes={rk: RouteState(41, T0)})
    plan, state = run(failing, state, T0 + timedelta(hours=6), "r2")
    assert plan.messages == ()
    assert state[key].runs_count == 2
    plan, state = run(failing, state, T0 + timedelta(days=1), "r3")
    (reminder,) = plan.messages
    assert reminder.alert.kind == "reminder"
    assert reminder.alert.streaks[key].runs == 3
    assert "since 2026-03-01 06:00 UTC, 3 runs in a row" in render_text(reminder.alert)
    assert render_text(reminder.alert).startswith("STILL FAILING CRITICAL churn")
    plan, _ = run([result(status=Status.PASSED)], state, T0 + timedelta(days=2), "r4")
    (resolved,) = plan.messages
    assert resolved.alert.kind == "resolved"
    assert resolved.parent == 41
    assert [o.change for o in plan.outcomes] == ["resolved"]


def test_same_run_checked_again_does_not_count_twice():
    _, state = run([result()], {}, T0, "r1")
    _, state = run([result()], state, T0, "r1")
    assert state["feature-drift[spend]"].runs_count == 1


def test_skipped_changes_nothing_and_unrouted_results_still_open_incidents():
    _, state = run([result(severity=Severity.INFO)], {}, T0)
    assert "feature-drift[spend]" in state  # tracked, though no route wants info
    plan, _ = run([result(status=Status.SKIPPED)], state, T0 + timedelta(days=3))
    assert plan.outcomes == ()
    assert plan.messages == ()


def test_escalation_tells_a_route_that_did_not_want_the_warning():
    critical_only = ConsoleParams(min_severity=Severity.CRITICAL)
    policy = AlertPolicy((critical_only,))
    warn = result(severity=Severity.WARNING)
    plan = decide([warn], {}, policy, model="m", run_id="r1", now=T0)
    assert plan.messages == ()
    state = {o.state.key: o.state for o in plan.outcomes}
    plan = decide([result()], state, policy, model="m", run_id="r2", now=T0)
    assert [m.alert.kind for m in plan.messages] == ["problem"]


def test_no_resolution_for_routes_that_never_heard_or_opted_out():
    quiet = ConsoleParams(send_resolved=False)
    _, state = run([result()], {}, T0)
    plan = decide(
        [result(status=Status.PASSED)], state, AlertPolicy((quiet,)),
        model="churn", run_id="r2", now=T0,
    )  # fmt: skip
    assert plan.messages == ()
    assert [o.change for o in plan.outcomes] == ["resolved"]


def test_renotify_never():
    never = ConsoleParams(renotify_after=None)
    policy = AlertPolicy((never,))
    plan = decide([result()], {}, policy, model="m", run_id="r1", now=T0)
    state = {o.state.key: o.state for o in plan.outcomes}
    later = T0 + timedelta(days=30)
    plan = decide([result()], state, policy, model="m", run_id="r2", now=later)
    assert plan.messages == ()
