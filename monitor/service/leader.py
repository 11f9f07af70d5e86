"""One scheduler at a time: who leads, and how the others wait.

Two scheduler processes on the same store would run every job twice. So a process
must hold the store's **leader lock** before it starts its scheduler:

- **PostgreSQL**: a session-level advisory lock, ``pg_try_advisory_lock(key)``, taken
  on a dedicated connection that the leader holds for its whole life. The key is
  derived from the schema the store uses, so stores in different schemas of one
  database do not block each other. When the leader dies, even by ``kill -9``, the
  server ends its session and frees the lock; a standby polls every few seconds
  (:data:`POLL_SECONDS`) and takes over well within 30 seconds. The leader also
  checks its connection on each poll: if it is gone, so is the lock, and it stops
  scheduling at once.
- **SQLite**: an exclusive ``flock`` on ``<database>.scheduler.lock`` next to the
  database file, which the kernel frees when the process ends. There is no standby:
  a second scheduler refuses to start with :class:`LeaderBusy`, whose message names
  the lock file and the process holding it.

:func:`modelhealth.service.scheduler.run_scheduler` is the life of a scheduler process:
take the lock or stand by,
run a :class:`~modelhealth.service.scheduler.ServiceScheduler` while leading, stop
scheduling at
once if the lock is lost, and on the stop event (SIGTERM) let running jobs finish.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, make_url

from modelhealth.errors import MonitorError, UsageError
from modelhealth.store.urls import create_engine, mask, resolve

__all__ = [
    "POLL_SECONDS",
    "FileLock",
    "LeaderBusy",
    "LeaderLock",
    "PostgresLock",
    "leader_lock",
    "refuse",
]

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0
"""How often a standby tries the lock and a leader checks that it still holds it."""

_LOCK_NAME = "modelhealth-scheduler"


class LeaderBusy(MonitorError):
    """Another scheduler already runs on this store (SQLite has no standby)."""

    exit_code = UsageError.exit_code


class LeaderLock(Protocol):
    """The lock a scheduler holds while it leads."""

    waits: bool
    """Whether a process that did not get it should stand by (else refuse)."""

    def acquire(self) -> bool:
        """Take the lock if free; ``True`` when this process now holds it."""

    def held(self) -> bool:
        """Whether this process still holds it."""

    def release(self) -> None:
        """Give it up (and close what holds it)."""

    def describe(self) -> str:
        """What is locked, for messages."""


class PostgresLock:
    """A PostgreSQL session-level advisory lock on a dedicated connection.

    Args:
        url: the store's URL.
    """

    waits = True

    def __init__(self, url: str) -> None:
        self._url = url
        self._engine = create_engine(url)
        self._conn: Connection | None = None

    def describe(self) -> str:
        return f"the advisory lock {_LOCK_NAME!r} on {mask(self._url)}"

    def acquire(self) -> bool:
        if self._conn is not None:
            return self.held()
        conn = self._engine.connect()
        try:
            got = conn.execute(
                sa.text(
                    "SELECT pg_try_advisory_lock(hashtext(:name || current_schema()))"
                ),
                {"name": f"{_LOCK_NAME}:"},
            ).scalar_one()
            conn.commit()
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def held(self) -> bool:
        if self._conn is None:
            return False
        try:
            self._conn.execute(sa.text("SELECT 1"))
            self._conn.commit()
        except sa.exc.SQLAlchemyError as exc:
            log.error("lost the leader connection (%s); no longer leading", exc)
            self._drop()
            return False
        return True

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()
                self._conn.close()
            except sa.exc.SQLAlchemyError:
                pass
        self._conn = None

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(
                    sa.text(
                        "SELECT pg_advisory_unlock(hashtext(:name || current_schema()))"
                    ),
                    {"name": f"{_LOCK_NAME}:"},
                )
                self._conn.commit()
                self._conn.close()
            except sa.exc.SQLAlchemyError:
                self._drop()
        self._conn = None
        self._engine.dispose()


class FileLock:
    """An exclusive ``flock`` on a file next to the SQLite database.

    Args:
        path: the lock file.
    """

    waits = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def describe(self) -> str:
        return f"the lock file {str(self.path)!r}"

    def holder(self) -> str:
        """The pid written by the process holding the lock, if readable."""
        try:
            return self.path.read_text().strip() or "unknown"
        except OSError:
            return "unknown"

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        handle = open(self.path, "a+")  # held while leading
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def held(self) -> bool:
        return self._file is not None

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def leader_lock(url: str) -> LeaderLock:
    """The leader lock for a store URL (PostgreSQL or a SQLite file).

    Raises:
        UsageError: an in-memory SQLite store, which no scheduler can share.
    """
    raw = resolve(url)
    parsed = make_url(raw)
    if parsed.get_backend_name() == "postgresql":
        return PostgresLock(raw)
    database = parsed.database
    if not database or database == ":memory:":
        raise UsageError("the scheduler needs a file or PostgreSQL store, not memory")
    return FileLock(Path(database).with_name(Path(database).name + ".scheduler.lock"))


def refuse(lock: FileLock) -> LeaderBusy:
    """The error for a second scheduler on a SQLite store."""
    return LeaderBusy(
        f"another scheduler is already running on this store (pid {lock.holder()}, "
        f"holding {lock.describe()}); SQLite allows one scheduler: stop it, or run "
        f"'modelhealth serve --no-scheduler' for the API alone"
    )
