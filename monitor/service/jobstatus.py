"""What the scheduler records for ``GET /metrics``: each job's outcome and the
leader's heartbeat.

Every job's outcome goes to the store (``job_status``: its last success, its last
failure and why), and the leader writes a heartbeat on each poll
(``scheduler_leader``) and steps down when it stops, so ``GET /metrics`` on any
replica shows each job's last success and who leads. Both name this process by
:func:`holder`. A store that is down never stops the scheduler: what could not be
recorded is logged.
"""

from __future__ import annotations

import logging
import os
import socket

from modelhealth.errors import StorageError
from modelhealth.store import Store

__all__ = ["beat", "holder", "record_outcome", "step_down"]

log = logging.getLogger(__name__)


def holder() -> str:
    """This process, as the job status and the leader's heartbeat name it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def record_outcome(store: Store, job_id: str, error: str | None) -> None:
    """Record that job ``job_id`` succeeded (``error`` is ``None``) or failed."""
    try:
        store.record_job(job_id, ok=error is None, holder=holder(), error=error)
    except StorageError as exc:  # the store is down: the job's own log says more
        log.warning("job %s: outcome not recorded: %s", job_id, exc)


def beat(store: Store, me: str) -> None:
    """Record that ``me`` leads the scheduler, now."""
    try:
        store.beat(me)
    except StorageError as exc:  # leading goes on; the metric shows a stale beat
        log.warning("leader heartbeat not recorded: %s", exc)


def step_down(store: Store, me: str) -> None:
    """Record that ``me`` no longer leads (it stopped cleanly)."""
    try:
        store.step_down(me)
    except StorageError as exc:
        log.warning("leader's step-down not recorded: %s", exc)
