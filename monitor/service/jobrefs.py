"""Stored scheduler jobs that name their function by an older module path.

APScheduler keeps each job's function as text (``module:function``) in the
``scheduler_jobs`` table. Before the package was installed as ``modelhealth``, the
jobs were ``monitor.jobs:run_rule``, ``monitor.jobs:check_freshness`` and
``monitor.jobs:attach_due_labels``; APScheduler cannot import those any more and
would drop the jobs. :func:`upgrade_job_refs` rewrites them to their
``modelhealth.service.jobs`` names in place, keeping every job's trigger and next
run time, before the scheduler reads the table.
"""

from __future__ import annotations

import logging
import pickle

import sqlalchemy as sa

from modelhealth.store.urls import create_engine, resolve

__all__ = ["LEGACY_REFS", "upgrade_job_refs"]

log = logging.getLogger(__name__)

LEGACY_REFS = {
    "monitor.jobs:run_rule": "modelhealth.service.jobs:run_rule",
    "monitor.jobs:check_freshness": "modelhealth.service.jobs:check_freshness",
    "monitor.jobs:attach_due_labels": "modelhealth.service.jobs:attach_due_labels",
}


def upgrade_job_refs(db_url: str, table: str) -> int:
    """Rewrite old function references in the job store ``table``.

    Args:
        db_url: the job store's database.
        table: its table name.

    Returns:
        How many jobs were rewritten (0 when the table does not exist yet).
    """
    engine = create_engine(resolve(db_url))
    try:
        if not sa.inspect(engine).has_table(table):
            return 0
        jobs = sa.table(table, sa.column("id"), sa.column("job_state"))
        changed = 0
        with engine.begin() as conn:
            for job_id, blob in conn.execute(sa.select(jobs.c.id, jobs.c.job_state)):
                # the job store's own pickles, written by this service
                state = pickle.loads(blob)
                new = LEGACY_REFS.get(state.get("func"))
                if new is None:
                    continue
                state["func"] = new
                conn.execute(
                    sa.update(jobs)
                    .where(jobs.c.id == job_id)
                    .values(job_state=pickle.dumps(state, pickle.HIGHEST_PROTOCOL))
                )
                changed += 1
        if changed:
            log.info("scheduler: %d stored job(s) renamed to modelhealth.*", changed)
        return changed
    finally:
        engine.dispose()
