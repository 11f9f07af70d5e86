"""One leader on PostgreSQL: two real scheduler processes, the leader killed.

Both processes run ``modelhealth scheduler`` on the same schema; a model is scheduled
every second. Every scheduled run records the process that ran it
(``details.scheduled_by``). Only the leader's runs may appear while it lives; after
``kill -9`` the standby must take over within 30 seconds, and never both at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from modelhealth.store import Store
from tests.monitor.conftest import pg_admin, pg_url  # noqa: F401 - fixtures
from tests.monitor.service.conftest import wait_until, write_rules

pytestmark = pytest.mark.postgres


def _runs_by_pid(store: Store) -> list[tuple[int, pd.Timestamp]]:
    out = []
    for run in store.runs("churn", limit=1000):
        by = str(run.details.get("scheduled_by", ":0"))
        out.append((int(by.rsplit(":", 1)[1]), pd.Timestamp(run.started_at)))
    return out


def test_standby_takes_over_when_the_leader_dies(
    pg_url: str,  # noqa: F811
    rules_dir: Path,
    tmp_path: Path,
    frame,
) -> None:
    for days in (-1, 0, 1):
        day = (pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=days)).date()
        frame(n=10).to_csv(tmp_path / f"{day.isoformat()}.csv", index=False)
    write_rules(
        rules_dir,
        "churn",
        "schedule: {every: 1s}\n"
        f"sources: {{inputs: '{tmp_path}/{{run_date}}.csv'}}\n",
    )
    store = Store(pg_url)  # migrate once, before two processes race to
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELHEALTH_")}
    cmd = [sys.executable, "-m", "modelhealth", "scheduler", "--db", pg_url]
    cmd += ["--rules", str(rules_dir), "--reload-every", "0"]
    procs = [
        subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        wait_until(lambda: len(_runs_by_pid(store)) >= 3, timeout=60, what="runs")
        leaders = {pid for pid, _ in _runs_by_pid(store)}
        assert len(leaders) == 1, f"two processes ran jobs: {leaders}"
        (leader_pid,) = leaders
        standby = next(p for p in procs if p.pid != leader_pid)
        time.sleep(2)
        assert {pid for pid, _ in _runs_by_pid(store)} == {leader_pid}

        killed_at = pd.Timestamp.now(tz="UTC")
        os.kill(leader_pid, signal.SIGKILL)
        wait_until(
            lambda: any(pid == standby.pid for pid, _ in _runs_by_pid(store)),
            timeout=30,
            what="the standby to take over",
        )
        took = min(t for pid, t in _runs_by_pid(store) if pid == standby.pid)
        assert (took - killed_at).total_seconds() < 30
        time.sleep(2)
        runs = _runs_by_pid(store)
        assert {pid for pid, _ in runs} == {leader_pid, standby.pid}
        assert all(t <= killed_at for pid, t in runs if pid == leader_pid)
        assert all(t > killed_at for pid, t in runs if pid == standby.pid)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            proc.communicate(timeout=30)
        store.close()
    assert standby.returncode == 0  # SIGTERM: clean exit


def test_a_leader_that_loses_its_connection_knows_it(pg_url: str, pg_admin) -> None:  # noqa: F811
    import sqlalchemy as sa

    from modelhealth.service.leader import PostgresLock

    first, second = PostgresLock(pg_url), PostgresLock(pg_url)
    try:
        assert first.acquire()
        assert not second.acquire()  # held by another session
        assert first.held()
        assert first._conn is not None
        pid = first._conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        first._conn.commit()
        with pg_admin.begin() as conn:  # the server drops the leader's session
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert not first.held()  # it stops leading...
        assert second.acquire()  # ...and the lock is free for another
    finally:
        first.release()
        second.release()
