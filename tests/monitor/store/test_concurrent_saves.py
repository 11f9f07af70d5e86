"""Concurrent saves of one model never deadlock and lose nothing (issue 13).

32 ``modelhealth check`` processes of one model start at once against one
PostgreSQL schema, two per run id; each save takes the model row's lock first, and
a transaction aborted anyway is run again whole. Every process exits by its verdict
and every run id is stored exactly once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from modelhealth.store.retry import is_transient, retrying

SCRIPT = Path(__file__).parents[3] / "scripts" / "concurrent_checks.py"

RULES = """\
version: 1
model: busy
checks:
  - {id: rows, kind: volume, severity: critical, min_rows: 1000}
  - {id: x-mean, kind: drift, columns: [x], method: psi}
alerts:
  - {channel: console, min_severity: info}
"""


@pytest.mark.postgres
def test_32_concurrent_checks_of_one_model_store_every_run_once(pg_url, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    data = tmp_path / "run.csv"
    pd.DataFrame({"x": [float(i) for i in range(20)]}).to_csv(data, index=False)
    sa_url = pg_url
    # the schema exists and is migrated before the race, as in a deployment
    from modelhealth.store import Store

    Store(sa_url).close()
    run_ids = [f"r{i:02d}" for i in range(16)]
    proc = subprocess.run(
        [
            sys.executable, str(SCRIPT), "--db", sa_url, "--rules", str(rules),
            "--inputs", str(data), "--spool", str(tmp_path / "spool"),
            "--processes", "32", "--run-ids", "16",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    assert outcome["exit_codes"] == {"1": 32}, proc.stderr  # every one by its verdict
    assert "deadlock" not in proc.stderr
    assert not (tmp_path / "spool").exists()  # nothing needed the spool
    engine = sa.create_engine(sa_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                sa.text("select run_key, count(*) from runs group by run_key")
            ).all()
            results = conn.execute(
                sa.text("select count(*) from check_results")
            ).scalar_one()
            incidents = conn.execute(
                sa.text("select count(*) from incidents where status = 'open'")
            ).scalar_one()
    finally:
        engine.dispose()
    assert sorted(stored) == [(r, 1) for r in run_ids]
    assert results == 16 * 2  # two results per run, none doubled
    # one incident per check, not sixteen: the volume failure, and the drift check
    # errored for want of a baseline (on_missing_reference: fail, the default)
    assert incidents == 2


class _Aborted(Exception):
    sqlstate = "40P01"


def _deadlock() -> OperationalError:
    return OperationalError("UPDATE models", {}, _Aborted("deadlock detected"))


def test_a_deadlocked_transaction_is_run_again_whole_with_growing_jittered_waits():
    tries: list[int] = []
    waits: list[float] = []

    def once() -> str:
        tries.append(1)
        if len(tries) < 4:
            raise _deadlock()
        return "saved"

    assert retrying(once, sleep=waits.append) == "saved"
    assert len(tries) == 4
    assert len(waits) == 3
    assert 0.025 <= waits[0] <= 0.075
    assert 0.1 <= waits[2] <= 0.3


def test_other_errors_are_not_retried_and_the_last_transient_one_is_raised():
    assert is_transient(_deadlock())
    assert not is_transient(OperationalError("x", {}, Exception("disk full")))
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise OperationalError("x", {}, Exception("disk full"))

    with pytest.raises(OperationalError):
        retrying(broken, sleep=lambda _: None)
    assert len(calls) == 1

    def always() -> None:
        raise _deadlock()

    with pytest.raises(OperationalError):
        retrying(always, attempts=3, sleep=lambda _: None)
