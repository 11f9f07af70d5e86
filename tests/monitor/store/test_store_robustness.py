"""The store under conditions a deployment meets: racing processes, secrets in URLs."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from modelhealth.errors import StorageError
from modelhealth.store import Store
from modelhealth.store.urls import mask

OPEN = textwrap.dedent(
    """
    import sys
    from modelhealth.store import Store
    Store(sys.argv[1]).close()
    print("ok")
    """
)


def test_processes_opening_a_new_sqlite_store_together_all_succeed(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN, url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert [out.strip() for out, _ in outcomes] == ["ok"] * 3, [e for _, e in outcomes]


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql+psycopg://u:pw@h/db", "postgresql+psycopg://u:***@h/db"),
        (
            "postgresql+psycopg://u@h/db?password=s3cret&sslmode=require",
            "postgresql+psycopg://u@h/db?password=***&sslmode=require",
        ),
    ],
)
def test_passwords_are_masked(url, masked):
    assert mask(url) == masked


def test_query_password_is_not_in_errors():
    with pytest.raises(StorageError) as info:
        Store("postgresql+psycopg://nobody@127.0.0.1:1/x?password=qsecret2")
    assert "qsecret2" not in str(info.value)


def test_latest_run_by_prefix_reaches_past_many_newer_runs(tmp_path):
    """The last freshness verdict holds however many ordinary runs came since."""
    from datetime import datetime, timedelta, timezone

    from modelhealth.report import RunReport

    t0 = datetime(2026, 3, 1, tzinfo=timezone.utc)

    def report(run_id: str, hours: int) -> RunReport:
        when = t0 + timedelta(hours=hours)
        return RunReport(
            model="m", run_id=run_id, results=(), profile={}, row_count=1,
            started_at=when, finished_at=when,
        )  # fmt: skip

    with Store(f"sqlite:///{tmp_path / 'm.db'}") as store:
        store.save_run(report("freshness@2026-03-01T00:00Z", 0))
        for i in range(25):
            store.save_run(report(f"r{i}", i + 1))
        verdict = store.latest_run("m", prefix="freshness@")
        assert verdict is not None
        assert verdict.run_id == "freshness@2026-03-01T00:00Z"
        latest = store.latest_run("m", without_prefix="freshness@")
        assert latest is not None
        assert latest.run_id == "r24"
        assert store.latest_run("other") is None
