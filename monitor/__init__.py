"""modelhealth's service core, and the Python API pipelines import.

``import monitor`` is cheap: the API's names load on first use, so a pipeline that
only imports the package pays for pandas and SQLAlchemy when it first checks a run.

    import modelhealth
    report = modelhealth.check_run(rules="rules/churn.yaml", run_id="2026-03-01",
    inputs=df)
    report.raise_for_status()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelhealth.api import check_run, register_baseline
    from modelhealth.errors import ChecksFailed, DataError, MonitorError, StorageError
    from modelhealth.report import RunReport
    from modelhealth.store import Store

__all__ = [
    "ChecksFailed",
    "DataError",
    "MonitorError",
    "RunReport",
    "StorageError",
    "Store",
    "check_run",
    "register_baseline",
]

_LAZY = {
    "check_run": "modelhealth.api",
    "register_baseline": "modelhealth.api",
    "ChecksFailed": "modelhealth.errors",
    "DataError": "modelhealth.errors",
    "MonitorError": "modelhealth.errors",
    "StorageError": "modelhealth.errors",
    "RunReport": "modelhealth.report",
    "Store": "modelhealth.store",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'modelhealth' has no attribute {name!r}")
