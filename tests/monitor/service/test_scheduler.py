"""The scheduler with short real intervals: scheduled runs, missing sources, SQLite's
single scheduler, job plans, and rules reload while running."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from modelhealth.errors import DataError
from modelhealth.service import leader
from modelhealth.service.rulesdir import RulesDir
from modelhealth.service.scheduler import (
    JOB_TABLE,
    SchedulerOptions,
    ServiceScheduler,
    plan,
    run_scheduler,
)
from modelhealth.store import Store
from tests.monitor.service.conftest import FAST, RULES, wait_until, write_rules

SCHEDULED = (
    "schedule: {{every: 1s, timezone: Europe/Berlin}}\n"
    "sources: {{inputs: '{root}/{{run_date}}.csv'}}\n"
)


def _today_csv(root: Path, frame: pd.DataFrame) -> None:
    for days in (-1, 0, 1):  # the Berlin date may differ from UTC's
        day = (pd.Timestamp.now(tz="Europe/Berlin") + pd.Timedelta(days=days)).date()
        frame.to_csv(root / f"{day.isoformat()}.csv", index=False)


def test_scheduled_runs_read_their_sources(
    tmp_path: Path, frame, rules_dir: Path, store: Store, db_url: str, start
) -> None:
    _today_csv(tmp_path, frame(n=20))
    write_rules(rules_dir, "churn", SCHEDULED.format(root=tmp_path))
    running = start(RulesDir([rules_dir]))
    wait_until(lambda: len(store.runs("churn")) >= 2, what="two scheduled runs")
    running.stop()
    runs = store.runs("churn")
    assert {r.source for r in runs} == {"scheduler"}
    assert all(r.row_count == 20 for r in runs)
    assert runs[0].run_id.endswith(("+01:00", "+02:00"))  # fire time in Berlin
    assert running.error is None
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        ids = conn.execute(sa.text(f"SELECT id FROM {JOB_TABLE}")).scalars().all()
    engine.dispose()
    assert ids == ["run:churn"]  # persisted in the service database


def test_missing_source_is_an_errored_run_and_an_alert(
    tmp_path: Path, rules_dir: Path, store: Store, start, capsys
) -> None:
    write_rules(
        rules_dir,
        "churn",
        SCHEDULED.format(root=tmp_path / "nowhere").replace("alerts:", "alerts:"),
    )
    path = rules_dir / "churn.yaml"
    path.write_text(
        path.read_text().replace(
            "{channel: console, min_severity: info}",
            "{channel: console, min_severity: info, format: json}",
        )
    )
    running = start(RulesDir([rules_dir]))
    wait_until(lambda: len(store.runs("churn")) >= 2, what="errored runs")
    running.stop()
    run = store.run("churn", store.runs("churn")[0].run_id)
    assert run is not None
    assert run.status == "errored"
    (result,) = run.results
    assert result.check_id == "sources"
    assert "does not exist" in result.message
    assert running.error is None  # the scheduler kept going
    assert "could not read its data" in capsys.readouterr().err


def test_a_second_sqlite_scheduler_refuses(
    rules_dir: Path, store: Store, db_url: str, start
) -> None:
    start(RulesDir([rules_dir]))

    # the first scheduler (a thread of this process) writes its pid once it holds
    # the lock; probing with acquire() could take the lock from under it
    lock = leader.leader_lock(db_url)
    wait_until(
        lambda: lock.holder() == str(os.getpid()),  # type: ignore[attr-defined]
        what="the first scheduler to lock",
    )
    with pytest.raises(leader.LeaderBusy, match="another scheduler is already running"):
        run_scheduler(store, RulesDir([rules_dir]), db_url, threading.Event())


def test_plan_gives_every_trigger_its_timezone(tmp_path: Path, rules_dir: Path) -> None:
    write_rules(
        rules_dir,
        "churn",
        "schedule: {cron: '0 6 * * 0', timezone: Europe/Paris, expect_every: 26h}\n"
        "sources: {inputs: 'x/{run_date}.csv', labels: 'y/{run_date}.csv'}\n",
    )
    (rules_dir / "churn.yaml").write_text(
        (rules_dir / "churn.yaml")
        .read_text()
        .replace("label: {column: churned}", "label: {column: churned, delay: 3d}")
    )
    write_rules(rules_dir, "plain")
    rules = RulesDir([rules_dir])
    assert rules.errors == {}
    specs = {s.id: s for s in plan(rules.all(), SchedulerOptions())}
    assert set(specs) == {"run:churn", "freshness:churn", "labels:churn"}
    cron = specs["run:churn"].trigger
    assert str(cron.timezone) == "Europe/Paris"
    assert "day_of_week='sun'" in repr(cron)  # cron's 0 is Sunday, not Monday
    assert all(str(s.trigger.timezone) == "Europe/Paris" for s in specs.values())


def test_reload_adds_and_replaces_jobs_and_keeps_the_last_good(
    tmp_path: Path, rules_dir: Path, store: Store, db_url: str, caplog
) -> None:
    rules = RulesDir([rules_dir])
    scheduler = ServiceScheduler(store, rules, db_url, FAST)
    scheduler.start()
    try:
        assert scheduler.job_ids() == []
        write_rules(
            rules_dir, "fraud", "schedule: {every: 1h}\nsources: {inputs: a.csv}\n"
        )
        wait_until(lambda: scheduler.job_ids() == ["run:fraud"], what="new job")
        good = rules.get("fraud")
        (rules_dir / "fraud.yaml").write_text(
            RULES.format(model="fraud") + "schedule: {every: 1h, evrey: 2}\n"
        )
        wait_until(lambda: rules.errors, what="the refusal")
        assert rules.get("fraud") == good  # last good stays in force
        assert scheduler.job_ids() == ["run:fraud"]
        assert "evrey" in next(iter(rules.errors.values()))
        assert "refused" in caplog.text
        (rules_dir / "fraud.yaml").unlink()
        wait_until(lambda: scheduler.job_ids() == [], what="job removal")
    finally:
        scheduler.shutdown()


def test_rules_dir_reload_on_demand(rules_dir: Path) -> None:
    rules = RulesDir([rules_dir])
    assert rules.models() == ["churn"]
    assert not rules.reload().changed
    write_rules(rules_dir, "fraud")
    result = rules.reload()
    assert result.loaded == (str(rules_dir / "fraud.yaml"),)
    assert rules.models() == ["churn", "fraud"]
    (rules_dir / "dup.yaml").write_text(RULES.format(model="churn"))
    result = rules.reload()
    assert "model 'churn' is already defined in" in result.refused[0][1]
    (rules_dir / "broken.yaml").write_text("version: 1\nmodel: [\n")
    assert rules.reload().refused
    assert rules.models() == ["churn", "fraud"]
    assert json.dumps(rules.errors)  # JSON-able for an API or log line


def test_sql_query_source_with_bind_parameters(tmp_path: Path, frame) -> None:
    from modelhealth import config
    from modelhealth.service import sources as jobsources

    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    data = frame(n=30)
    data["day"] = ["2026-03-01"] * 20 + ["2026-03-02"] * 10
    engine = sa.create_engine(url)
    data.to_sql("features", engine, index=False)
    engine.dispose()
    path = tmp_path / "churn.yaml"
    path.write_text(
        RULES.format(model="churn")
        + "sources:\n"
        + "  query: 'SELECT * FROM features WHERE day = :run_date'\n"
        + f"  url: '{url}'\n"
    )
    rule_set = config.load_rules(path)
    values = {"run_date": "2026-03-01", "run_time": "060000", "run_id": "x"}
    got = jobsources.load_sources(rule_set, {**values, "model": "churn"})
    assert len(got) == 20
    broken = rule_set.model_copy(
        update={"sources": rule_set.sources.model_copy(update={"query": "SELECT nope"})}  # type: ignore[union-attr]
    )
    with pytest.raises(DataError, match="the sources query could not be read"):
        jobsources.load_sources(broken, {**values, "model": "churn"})
    with pytest.raises(DataError, match="unknown field"):
        jobsources.fill("data/{day}.csv", values)


def test_stop_lets_a_running_job_finish(
    rules_dir: Path, store: Store, start, monkeypatch
) -> None:
    from modelhealth.service import jobs

    events: list[str] = []

    def slow(model: str) -> None:
        events.append("started")
        time.sleep(1.5)
        events.append("finished")

    monkeypatch.setattr(jobs, "run_rule", slow)  # resolved by text at each run
    write_rules(rules_dir, "churn", "schedule: {every: 1s}\nsources: {inputs: a.csv}\n")
    running = start(RulesDir([rules_dir]))
    wait_until(lambda: "started" in events, what="the job to start")
    running.stop()  # what SIGTERM does
    assert events[-1] == "finished"
    assert events.count("started") == events.count("finished")


@pytest.mark.parametrize(
    ("cron", "apscheduler"),
    [
        ("*", "*"),
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
    ],
)
def test_cron_day_of_week_keeps_its_cron_meaning(cron: str, apscheduler: str) -> None:
    from modelhealth.service.cronfields import day_of_week

    assert day_of_week(cron) == apscheduler


def test_cron_with_day_of_month_and_day_of_week_fires_on_either_issue_16() -> None:
    """Cron fires on the 1st of the month *or* any Monday; APScheduler's
    CronTrigger alone would need both (issue 16, item 8)."""
    from datetime import datetime, timezone

    from modelhealth.rules.cron import fires_at
    from modelhealth.service.scheduler import _cron

    trigger = _cron("0 6 1 * mon", "UTC")
    now = datetime(2026, 12, 1, 7, tzinfo=timezone.utc)  # a Tuesday, the 1st
    fires = []
    for _ in range(6):
        now = trigger.get_next_fire_time(None, now)
        fires.append(now)
        now = now.replace(minute=1)
    assert [f.strftime("%a %d") for f in fires] == [
        "Mon 07",
        "Mon 14",
        "Mon 21",
        "Mon 28",
        "Fri 01",
        "Mon 04",
    ]
    assert all(fires_at("0 6 1 * mon", f) for f in fires)
