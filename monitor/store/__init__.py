"""The store: where runs, check results, profiles and baselines are kept.

``Store(url)`` connects to SQLite (a file, the default) or PostgreSQL and migrates the
schema with Alembic; its named methods are the only way in. What they return are the
frozen records of :mod:`modelhealth.store.records`, never ORM objects::

    store = Store("sqlite:///monitor.db")
    pk = store.save_run(report)
    for run in store.runs("churn", limit=10):
        print(run.run_id, run.status, run.counts)
"""

from __future__ import annotations

from modelhealth.store.opening import open_store, using
from modelhealth.store.records import (
    BaselineRecord,
    HistoryPoint,
    IncidentRecord,
    ModelSummary,
    OutboxRecord,
    ResultRecord,
    RunRecord,
    SilenceRecord,
)
from modelhealth.store.store import Store

__all__ = [
    "BaselineRecord",
    "HistoryPoint",
    "IncidentRecord",
    "ModelSummary",
    "OutboxRecord",
    "ResultRecord",
    "RunRecord",
    "SilenceRecord",
    "Store",
    "open_store",
    "using",
]
