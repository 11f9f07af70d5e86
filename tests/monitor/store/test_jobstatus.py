"""Each scheduler job's outcomes and the leader's heartbeat, on SQLite and
PostgreSQL, as ``/metrics`` reads them (issue 14, item 6)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from modelhealth.service.http.metrics import render

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)


def test_job_outcomes_are_kept_per_job(store):
    store.record_job("run:churn", ok=True, holder="a:1", at=T0)
    store.record_job("run:churn", ok=False, holder="a:1", at=T0 + timedelta(1),
                     error="DataError('no file')")  # fmt: skip
    store.record_job("local:outbox", ok=True, holder="b:2", at=T0)
    store.record_job("run:churn", ok=True, holder="b:2", at=T0 + timedelta(2))
    outbox, run = store.job_statuses()
    assert (outbox.job_id, outbox.last_success_at, outbox.last_failure_at) == (
        "local:outbox", T0, None,
    )  # fmt: skip
    assert run.last_success_at == T0 + timedelta(2)
    assert run.last_failure_at == T0 + timedelta(1)
    assert (run.last_error, run.holder) == ("DataError('no file')", "b:2")


def test_the_leader_beats_hands_over_and_steps_down(store):
    assert store.leader() is None
    store.beat("a:1", now=T0)
    store.beat("a:1", now=T0 + timedelta(seconds=5))
    lead = store.leader()
    assert (lead.holder, lead.since, lead.heartbeat_at) == (
        "a:1", T0, T0 + timedelta(seconds=5),
    )  # fmt: skip
    store.beat("b:2", now=T0 + timedelta(seconds=40))  # a took over after a died
    assert store.leader().since == T0 + timedelta(seconds=40)
    store.step_down("a:1")  # not the leader: changes nothing
    assert store.leader().holder == "b:2"
    body, _ = render(store)
    text = body.decode()
    # its heartbeat is far in the past, so it no longer counts as leading
    assert 'modelhealth_scheduler_leader{holder="b:2"} 0.0' in text
    store.beat("b:2")
    assert 'modelhealth_scheduler_leader{holder="b:2"} 1.0' in render(store)[0].decode()
    store.step_down("b:2")
    assert store.leader() is None
    assert "modelhealth_scheduler_leader{" not in render(store)[0].decode()
