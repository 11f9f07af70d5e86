"""``/metrics``: open incidents, the outbox, thresholds, severities (issue 14)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from prometheus_client.parser import text_string_to_metric_families

from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.alerts.webhook import WebhookParams
from modelhealth.checks.base import CheckResult, Status
from modelhealth.report import RunReport
from modelhealth.rules.models import Severity
from modelhealth.service.http.metrics import render
from modelhealth.store import Store


def samples(store, accept=None):
    body, content_type = render(store, accept)
    assert content_type.startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_incidents_and_the_stuck_outbox_are_metrics(store_url):
    now = datetime.now(timezone.utc)
    r = CheckResult(
        "feature-drift", "drift", "spend", Status.FAILED, severity=Severity.CRITICAL,
        value=0.31, threshold={"warn": 0.1, "fail": 0.25},
        started_at=now, finished_at=now,
    )  # fmt: skip
    report = RunReport("churn", "r1", (r,), {}, 10, now, now)
    hook = WebhookParams(url="http://127.0.0.1:9/hook")
    with Store(store_url) as store:
        empty = samples(store)
        assert empty[("modelhealth_outbox_oldest_pending_age_seconds", ())] == 0
        store.save_run(report, alerts=AlertPolicy((hook,)))
        (message,) = store.outbox_pending()
        store.mark_failed(message.id, error="refused", next_attempt_at=now)
        (incident,) = store.incidents()
        store.acknowledge(incident.id, by="ana")
        store.add_silence("churn", ends_at=now + timedelta(hours=1), reason="x", by="b")
        got = samples(store)
    check = (("check", "feature-drift"), ("kind", "drift"), ("model", "churn"),
             ("subject", "spend"))  # fmt: skip
    assert got[("modelhealth_check_status", (*check[:3], ("severity", "critical"),
                check[3]))] == 4  # fmt: skip
    assert got[("modelhealth_check_value", check)] == 0.31
    assert got[("modelhealth_check_threshold", (*check[:2], ("level", "fail"),
                *check[2:]))] == 0.25  # fmt: skip
    by_severity = (("model", "churn"), ("severity", "critical"))
    assert got[("modelhealth_incidents_open", by_severity)] == 1
    assert got[("modelhealth_incidents_acknowledged", by_severity)] == 1
    assert got[("modelhealth_incidents_silenced", by_severity)] == 1
    webhook = (("channel", "webhook"),)
    # the problem, and the acknowledgement note that waits for it in its thread
    assert got[("modelhealth_outbox_pending", webhook)] == 2
    assert got[("modelhealth_outbox_failing", webhook)] == 1
    assert got[("modelhealth_outbox_failed_attempts", webhook)] == 1
    assert got[("modelhealth_outbox_oldest_pending_age_seconds", ())] >= 0


def test_openmetrics_for_a_scraper_that_asks(tmp_path):
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        body, content_type = render(
            store, "application/openmetrics-text; version=1.0.0"
        )
    assert content_type.startswith("application/openmetrics-text")
    assert body.decode().endswith("# EOF\n")
