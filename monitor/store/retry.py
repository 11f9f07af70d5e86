"""Run a transaction again when the database aborted it only because of others.

PostgreSQL aborts one of two transactions that wait on each other (deadlock,
SQLSTATE ``40P01``) and, under serializable isolation, one that lost a race
(``40001``); SQLite answers "database is locked" when its busy timeout runs out under
many writers. None of these says anything about the data: the same transaction run
again a moment later succeeds. :func:`retrying` runs it again whole, up to
``attempts`` times, sleeping a jittered, growing delay between tries so that the
writers that collided do not collide again in step. Any other error is raised at
once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

__all__ = ["ATTEMPTS", "RETRY_STATES", "is_transient", "retrying"]

log = logging.getLogger(__name__)

_T = TypeVar("_T")

ATTEMPTS = 10
"""Tries of one transaction before its error is given up to the caller."""

RETRY_STATES = frozenset({"40P01", "40001"})
"""SQLSTATEs of transactions PostgreSQL aborted for others: deadlock, serialization."""


def is_transient(exc: SQLAlchemyError) -> bool:
    """Whether ``exc`` aborted a transaction that can simply be run again."""
    if not isinstance(exc, DBAPIError):
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in RETRY_STATES:
        return True
    return "database is locked" in str(orig)


def retrying(
    once: Callable[[], _T],
    *,
    attempts: int = ATTEMPTS,
    base: float = 0.05,
    cap: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> _T:
    """``once()``, run again after a transient database error.

    Args:
        once: one whole transaction (it opens and commits its own session).
        attempts: tries in all.
        base: the first delay, in seconds; it doubles up to ``cap``.
        cap: the longest delay between two tries.
        sleep: waits (tests pass a recorder).

    Returns:
        What ``once`` returned.

    Raises:
        SQLAlchemyError: a non-transient error, or the last try's transient one.
    """
    for attempt in range(1, attempts + 1):
        try:
            return once()
        except SQLAlchemyError as exc:  # noqa: PERF203 - a retry loop
            if attempt >= attempts or not is_transient(exc):
                raise
            delay = min(cap, base * 2.0 ** (attempt - 1)) * random.uniform(0.5, 1.5)
            log.info(
                "transaction aborted (%s); try %d in %.2fs",
                getattr(exc, "orig", exc),
                attempt + 1,
                delay,
            )
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
