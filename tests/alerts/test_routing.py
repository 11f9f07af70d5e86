from __future__ import annotations

import io
import json

import pytest

from modelhealth.alerts import registry
from modelhealth.alerts.base import Alert
from modelhealth.alerts.console import ConsoleChannel, ConsoleParams
from modelhealth.alerts.render import describe, format_value, render_text
from modelhealth.alerts.routing import matches, route
from modelhealth.checks.base import CheckResult, Status
from modelhealth.rules.models import RuleSet, Severity


def result(check_id="c", status=Status.FAILED, severity=Severity.CRITICAL, **kw):
    return CheckResult(
        check_id=check_id,
        kind=kw.pop("kind", "drift"),
        subject=kw.pop("subject", None),
        status=status,
        severity=severity,
        **kw,
    )


def rule_set(*routes):
    return RuleSet(version=1, model="churn", alerts=list(routes))


def test_route_picks_by_severity_and_status():
    r = ConsoleParams(min_severity=Severity.CRITICAL)
    assert matches(r, result())
    assert not matches(r, result(severity=Severity.WARNING))
    assert not matches(r, result(status=Status.WARNED))
    assert not matches(r, result(status=Status.PASSED))
    assert matches(
        ConsoleParams(statuses=["warned"]),
        result(status=Status.WARNED, severity=Severity.WARNING),
    )


def test_route_filters_by_check_and_kind():
    r = ConsoleParams(checks=["a"], kinds=["schema"])
    assert matches(r, result("a", kind="schema"))
    assert not matches(r, result("b", kind="schema"))
    assert not matches(r, result("a", kind="drift"))


def test_one_alert_per_route_worst_first():
    results = [
        result("drift", Status.WARNED, Severity.WARNING, subject=f"f{i}")
        for i in range(30)
    ] + [result("schema", Status.FAILED, Severity.CRITICAL, kind="schema")]
    routed = route(
        results, rule_set(ConsoleParams(statuses=["failed", "warned"])), run_id="r1"
    )
    assert len(routed) == 1
    assert len(routed[0].alert.results) == 31
    assert routed[0].alert.results[0].check_id == "schema"


def test_no_routes_means_console_for_warning_and_worse():
    routed = route(
        [result(severity=Severity.INFO), result("x")], rule_set(), run_id="r1"
    )
    assert [r.route.channel for r in routed] == ["console"]
    assert [r.check_id for r in routed[0].alert.results] == ["x"]


def test_nothing_to_say_means_no_alert():
    assert route([result(status=Status.PASSED)], rule_set(), run_id="r1") == []


def test_console_prints_text_and_json():
    alert = Alert(
        model="churn",
        run_id="2026-03-01",
        model_version="v2",
        results=(
            result(
                "feature-drift",
                subject="spend",
                value=0.31,
                threshold={"warn": 0.1, "fail": 0.25},
            ),
        ),
        report_url="http://report/models/churn/runs/2026-03-01",
    )
    out = io.StringIO()
    delivery = ConsoleChannel(ConsoleParams(), out=out).send(alert)
    assert delivery.ok
    text = out.getvalue()
    assert text.startswith("CRITICAL churn v2 run 2026-03-01: 1 failed")
    assert "[x] feature-drift[spend] failed: 0.31 (warn 0.1, fail 0.25)" in text
    assert "report: http://report/models/churn/runs/2026-03-01" in text
    out = io.StringIO()
    ConsoleChannel(ConsoleParams(format="json"), out=out).send(alert)
    payload = json.loads(out.getvalue())
    assert payload["status"] == "failed"
    assert payload["results"][0]["subject"] == "spend"


def test_render_caps_long_alerts():
    alert = Alert(
        model="m", run_id="r", results=tuple(result(subject=f"f{i}") for i in range(25))
    )
    text = render_text(alert)
    assert "... and 15 more" in text


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "n/a"), (float("nan"), "n/a"), (3.0, "3"), (0.123456, "0.1235")],
)
def test_format_value(value, text):
    assert format_value(value) == text


def test_describe_prefers_message():
    assert (
        describe(result(message="column 'age' is missing"))
        == "[x] c failed: column 'age' is missing"
    )


def test_registry_builds_every_channel():
    for name in registry.channels():
        cls = registry.get(name)
        assert cls.params_type.model_fields["channel"].default == name
    assert isinstance(registry.build(ConsoleParams()), ConsoleChannel)
