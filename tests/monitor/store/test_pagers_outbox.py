"""PagerDuty and Teams messages go through the outbox, retried, never lost."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.alerts.pagerduty import PagerDutyParams
from modelhealth.alerts.teams import TeamsParams
from modelhealth.checks.base import CheckResult, Status
from modelhealth.report import RunReport
from modelhealth.rules.models import Severity
from modelhealth.run.outbox import Backoff, flush
from tests.alerts.pagers import ROUTING_KEY, PagerDutyServer, TeamsServer
from tests.alerts.servers import Loopback, running

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
FAST = Backoff(base=0.01, cap=0.05)


def report(run_id, when, status):
    r = CheckResult(
        "row-count", "volume", None, status, severity=Severity.CRITICAL, value=3,
        started_at=when, finished_at=when,
    )  # fmt: skip
    return RunReport("churn", run_id, (r,), {}, 3, when, when)


def test_pagerduty_and_teams_through_the_outbox(store, monkeypatch):
    pd, teams = PagerDutyServer(), TeamsServer()
    with (
        running(Loopback(pd.respond)) as pd_server,
        running(Loopback(teams.respond)) as teams_server,
    ):
        monkeypatch.setenv("PD_KEY", ROUTING_KEY)
        monkeypatch.setenv("TEAMS_HOOK", teams_server.url + "/hook")
        policy = AlertPolicy(
            (
                PagerDutyParams(routing_key_env="PD_KEY", api_url=pd_server.url + "/e"),
                TeamsParams(url_env="TEAMS_HOOK"),
            )
        )
        pd_server.script = lambda n: "500" if n == 1 else ("429" if n == 2 else "ok")
        store.save_run(report("r1", T0, Status.FAILED), alerts=policy)
        stats = flush(store, budget=5, backoff=FAST)
        assert stats.delivered == 2
        store.save_run(
            report("r2", T0 + timedelta(hours=1), Status.PASSED), alerts=policy
        )
        assert flush(store, budget=5, backoff=FAST).delivered == 2
    key = "modelhealth/churn/row-count"
    assert pd.alerts[key] == {"events": 2, "state": "resolved", "severity": "critical"}
    titles = [c["attachments"][0]["content"]["body"][0]["text"] for c in teams.cards]
    assert [t.split()[0] for t in titles] == ["CRITICAL", "RESOLVED"]
