"""A run the API accepted survives the service's death (issue 13).

``serve`` with one worker takes 30 submissions, each answered 202 once it is in the
journal, and is killed with SIGKILL while most still wait. A new ``serve`` on the
same spool queues what was left: every run is stored once, and the journal empties.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.monitor.service.conftest import WRITE, free_port, wait_until

RUNS = 30


def _serve(tmp_path: Path, rules_dir: Path, data_root: Path, port: int):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELHEALTH_")}
    env.update(
        MODELHEALTH_WORKERS="1",
        MODELHEALTH_WRITE_TOKEN=WRITE,
        MODELHEALTH_DATA_ROOTS=str(data_root),
        MODELHEALTH_SPOOL=str(tmp_path / "spool"),
    )
    cmd = [
        sys.executable, "-m", "modelhealth", "serve", "--port", str(port),
        "--db", str(tmp_path / "service.db"), "--rules", str(rules_dir),
        "--no-scheduler", "--reload-every", "0",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/api/v1/models", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, timeout=60, what="serve")
    return proc, base


def _stored(db: Path) -> list[tuple[str, int]]:
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select run_key, count(*) from runs group by run_key order by run_key"
        ).fetchall()


def test_accepted_runs_survive_a_killed_service(tmp_path, rules_dir, data_root):
    db = tmp_path / "service.db"
    journal = tmp_path / "spool" / "submitted"
    proc, base = _serve(tmp_path, rules_dir, data_root, free_port())
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            for i in range(RUNS):
                answer = client.post(
                    "/api/v1/runs",
                    json={
                        "model": "churn",
                        "run_id": f"r{i:02d}",
                        "inputs": {"path": "run.csv"},
                    },
                    headers={"Authorization": f"Bearer {WRITE}"},
                )
                assert answer.status_code == 202, answer.text
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    before = len(_stored(db))
    left = len(list(journal.glob("*.json")))
    print(f"\nkilled with {before} of {RUNS} runs stored, {left} in the journal")
    assert left >= RUNS - before > 0  # the kill caught runs still waiting

    proc, base = _serve(tmp_path, rules_dir, data_root, free_port())
    try:
        deadline = time.monotonic() + 120
        while len(_stored(db)) < RUNS and time.monotonic() < deadline:
            time.sleep(0.5)
        stored = _stored(db)
        wait_until(lambda: not list(journal.glob("*.json")), timeout=30, what="journal")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert stored == [(f"r{i:02d}", 1) for i in range(RUNS)]
    print(f"after the restart: {len(stored)} of {RUNS} stored once, journal empty")
