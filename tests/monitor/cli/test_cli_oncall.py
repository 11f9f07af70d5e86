"""``modelhealth alerts ack|unack|silence|silences|unsilence`` end to end (issue 14)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.checks.base import CheckResult, Status
from modelhealth.cli.app import main
from modelhealth.report import RunReport
from modelhealth.store import Store

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'mh.db'}"
    failed = CheckResult("row-count", "volume", None, Status.FAILED, value=3)
    with Store(url) as store:
        store.save_run(
            RunReport("churn", "r1", (failed,), {}, 3, T0, T0), alerts=AlertPolicy(())
        )
    return url


def out(capsys):
    captured = capsys.readouterr()
    return captured.out + captured.err


def test_ack_shows_in_incidents_and_unack_takes_it_back(db, capsys):
    assert main(["alerts", "ack", "1", "--by", "ana", "--db", db]) == 0
    assert out(capsys) == (
        "#1 open warning churn row-count: since 2026-03-01 06:00 UTC, 1 run(s), "
        "acknowledged by ana\n"
    )
    assert main(["alerts", "ack", "1", "--for", "2h", "--db", db]) == 0
    assert ", acknowledged by " in out(capsys)
    assert main(["alerts", "incidents", "--json", "--db", db]) == 0
    (incident,) = json.loads(capsys.readouterr().out)
    assert incident["acknowledged"] is True
    assert incident["acked_until"] is not None
    assert incident["silenced_by"] is None
    assert main(["alerts", "unack", "1", "--db", db]) == 0
    assert "acknowledged" not in out(capsys)


def test_bad_ids_and_durations_are_one_line(db, capsys):
    assert main(["alerts", "ack", "7", "--db", db]) == 2
    assert out(capsys) == (
        "error: no incident #7; `modelhealth alerts incidents` lists them\n"
    )
    assert main(["alerts", "ack", "1", "--for", "2 hours", "--db", db]) == 2
    assert "--for: invalid duration '2 hours'" in out(capsys)
    assert main(["alerts", "unsilence", "3", "--db", db]) == 2
    assert "no silence #3" in out(capsys)


def test_silence_list_and_unsilence(db, capsys):
    args = ["alerts", "silence", "-m", "churn", "--check", "row-*", "--db", db]
    assert main([*args, "--for", "2h", "--reason", "backfill", "--by", "bo"]) == 0
    line = out(capsys)
    assert line.startswith("silenced #1 churn/row-*: ")
    assert line.endswith(", by bo: backfill\n")
    assert main(["alerts", "incidents", "--db", db]) == 0
    assert out(capsys).endswith("1 run(s), silenced by #1\n")
    assert main([*args, "--for", "1h", "--reason", "again"]) == 2
    assert "silence #1 already covers churn/row-*" in out(capsys)
    assert main([*args, "--reason", "x"]) == 2
    assert "give one of --for DURATION or --until TIME" in out(capsys)
    assert main([*args, "--until", "2020-01-01T00:00", "--reason", "x"]) == 2
    assert "would end at 2020-01-01 00:00 UTC, which has passed" in out(capsys)
    assert main([*args, "--until", "tomorrow", "--reason", "x"]) == 2
    assert "--until: 'tomorrow' is not a time" in out(capsys)
    assert main([*args, "--for", "1h", "--severity", "bad", "--reason", "x"]) == 2
    assert "unknown severity 'bad'" in out(capsys)
    assert main(["alerts", "silences", "--db", db]) == 0
    assert out(capsys).startswith("#1 churn/row-*: ")
    assert main(["alerts", "silences", "--json", "--db", db]) == 0
    (made,) = json.loads(capsys.readouterr().out)
    assert (made["model"], made["check_id"], made["reason"]) == (
        "churn",
        "row-*",
        "backfill",
    )
    assert main(["alerts", "unsilence", "1", "--db", db]) == 0
    assert out(capsys).startswith("ended #1 churn/row-*")
    assert main(["alerts", "silences", "--db", db]) == 0
    assert out(capsys) == "no silences\n"
    assert main(["alerts", "silences", "--all", "--db", db]) == 0
    assert out(capsys).startswith("#1 churn/row-*")
