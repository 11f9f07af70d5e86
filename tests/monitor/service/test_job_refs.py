"""Issue 9: a job store written before the package was named ``modelhealth``.

Its jobs name their function ``monitor.jobs:run_rule``; the scheduler renames them
in place and restores them (same next run time, so not planned anew) and runs them.
"""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import sqlalchemy as sa

from modelhealth.service.jobrefs import LEGACY_REFS, upgrade_job_refs
from modelhealth.service.rulesdir import RulesDir
from modelhealth.service.scheduler import JOB_TABLE, ServiceScheduler
from modelhealth.store import Store
from tests.monitor.service.conftest import FAST, write_rules

HOURLY = "schedule: {{every: 1h}}\nsources: {{inputs: '{path}'}}\n"


def _states(db_url: str) -> dict[str, dict[str, object]]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT id, job_state FROM {JOB_TABLE}")).all()
    engine.dispose()
    return {job_id: pickle.loads(blob) for job_id, blob in rows}


def _write_old_layout(db_url: str) -> None:
    """Turn the stored jobs into what the previous layout wrote: its func text."""
    old = {new: old for old, new in LEGACY_REFS.items()}
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        for job_id, state in _states(db_url).items():
            state["func"] = old[str(state["func"])]
            conn.execute(
                sa.text(f"UPDATE {JOB_TABLE} SET job_state = :s WHERE id = :i"),
                {"s": pickle.dumps(state), "i": job_id},
            )
    engine.dispose()


def test_old_job_references_are_restored_and_run(
    tmp_path: Path, frame, rules_dir: Path, store: Store, db_url: str
) -> None:
    data = tmp_path / "run.csv"
    frame(n=30).to_csv(data, index=False)
    write_rules(rules_dir, "churn", HOURLY.format(path=data))
    rules = RulesDir([rules_dir])
    first = ServiceScheduler(store, rules, db_url, FAST)
    first.start()
    first.shutdown()
    planned = _states(db_url)["run:churn"]["next_run_time"]
    _write_old_layout(db_url)
    assert _states(db_url)["run:churn"]["func"] == "monitor.jobs:run_rule"

    time.sleep(1.1)  # a job planned anew would get a later next run time
    again = ServiceScheduler(store, rules, db_url, FAST)
    again.start()
    try:
        job = again._scheduler.get_job("run:churn")
        assert job is not None
        assert job.next_run_time == planned  # restored, not planned anew
        assert job.func_ref == "modelhealth.service.jobs:run_rule"
        report = job.func(*job.args)
        assert report is not None
        assert report.row_count == 30
    finally:
        again.shutdown()
    assert [r.source for r in store.runs("churn")] == ["scheduler"]
    assert upgrade_job_refs(db_url, JOB_TABLE) == 0  # nothing left to rename
