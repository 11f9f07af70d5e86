"""A scheduled run is named by its fire time, so a fire run again replaces its run
(issue 13)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from modelhealth.rules.models import Schedule
from modelhealth.service import jobs
from modelhealth.service.rulesdir import RulesDir
from modelhealth.service.scheduler import fire_time, fired_at, run_trigger
from modelhealth.store import Store

RULES = """\
version: 1
model: nightly
schedule: {{cron: "{cron}", timezone: Europe/Paris}}
sources: {{inputs: "{data}"}}
checks:
  - {{id: rows, kind: volume, min_rows: 1}}
"""


@pytest.mark.parametrize(
    ("schedule", "now", "fired"),
    [
        (
            Schedule(cron="0 6 * * *", timezone="Europe/Paris"),
            datetime(2026, 3, 1, 5, 0, 40, tzinfo=timezone.utc),
            "2026-03-01T06:00:00+01:00",
        ),
        (
            Schedule(cron="*/5 * * * *"),
            datetime(2026, 3, 1, 5, 7, 1, tzinfo=timezone.utc),
            "2026-03-01T05:05:00+00:00",
        ),
        (
            Schedule(every="15m"),
            datetime(2026, 3, 1, 5, 29, 59, tzinfo=timezone.utc),
            "2026-03-01T05:15:00+00:00",
        ),
    ],
)
def test_the_fire_time_is_the_latest_fire_at_or_before_now(schedule, now, fired):
    found = fire_time(run_trigger(schedule), now, timedelta(hours=1))
    assert found is not None
    assert found.isoformat() == fired


def test_no_fire_in_the_window_gives_none():
    trigger = run_trigger(Schedule(cron="0 6 1 1 *"))
    now = datetime(2026, 3, 1, 5, 0, tzinfo=timezone.utc)
    assert fire_time(trigger, now, timedelta(hours=1)) is None


def test_a_fire_run_twice_stores_one_run_under_its_fire_time(tmp_path, monkeypatch):
    data = tmp_path / "in.csv"
    pd.DataFrame({"x": [1.0, 2.0]}).to_csv(data, index=False)
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "nightly.yaml").write_text(RULES.format(cron="* * * * *", data=data))
    first = datetime(2026, 3, 1, 5, 0, 3, tzinfo=timezone.utc)
    with Store(f"sqlite:///{tmp_path / 's.db'}") as store:
        jobs.configure(jobs.JobContext(store, RulesDir([rules]), None, fired_at))
        try:
            for late in (0, 20):  # the fire, then the same fire again 20 s later
                when = first + timedelta(seconds=late)
                monkeypatch.setattr(jobs, "utcnow", lambda when=when: when)
                report = jobs.run_rule("nightly")
                assert report is not None
                assert report.run_id == "2026-03-01T06:00:00+01:00"
        finally:
            jobs.configure(None)
        runs = store.runs("nightly")
    assert [r.run_id for r in runs] == ["2026-03-01T06:00:00+01:00"]
