"""Engines: how a run's data becomes what the checks need.

One seam (:class:`~modelhealth.engine.base.Engine`) turns a run's data into its
profile and the row passes of the kinds that need rows
(:mod:`modelhealth.checks.passes`). The ``local`` engine streams Arrow record
batches from Parquet and CSV files, folders, hive-partitioned datasets and globs,
or from a pandas frame, so memory is bounded by the batch and not by the run. The
``spark`` engine profiles each partition where it lies and merges on the driver;
it is imported only when asked for.

:func:`scan_run` is the one function the runner, the gate, labels and baselines
call: it plans the passes (profile, sample, each check's), asks the engine to run
them over every row, and hands back a :class:`~modelhealth.engine.scan.RunScan`.
"""

from __future__ import annotations

from modelhealth.engine.base import (
    ENGINES,
    Engine,
    EngineSettings,
    RunData,
    ScanResult,
)
from modelhealth.engine.choose import get_engine
from modelhealth.engine.scan import RunScan, reads_rows, scan_run

__all__ = [
    "ENGINES",
    "Engine",
    "EngineSettings",
    "RunData",
    "RunScan",
    "ScanResult",
    "get_engine",
    "reads_rows",
    "scan_run",
]
