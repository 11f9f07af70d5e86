"""Runs submitted over HTTP: where their data may come from, and the worker pool.

A ``POST /api/v1/runs`` names its data either inline (JSON records) or by path. A path
is read only when, after resolving symlinks and ``..``, it lies inside one of the
configured data roots; anything else is refused with 403 before a file is touched,
so the API cannot be used to read arbitrary files. With no data roots configured,
every path is refused.

Accepted runs wait in a :class:`RunPool`: a bounded thread pool (``workers`` checks
at once, at most ``workers * 50`` waiting, beyond which submissions get 429). Each
run's state (``queued``, ``running``, ``done``, ``error``) is kept in memory for
``GET`` until the run is in the store; an error (unreadable data, say) is kept with
its message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from modelhealth.service.http.errors import ApiError

__all__ = ["RunPool", "RunState", "safe_path"]

log = logging.getLogger(__name__)

MAX_PATH = 1024
"""The longest data path a request may name (longer ones are refused with 400)."""

_BACKLOG_PER_WORKER = 50
_KEEP_FINISHED = 1000


def safe_path(raw: str, roots: Sequence[Path], *, what: str) -> Path:
    """The resolved ``raw`` path if it lies inside one of ``roots``.

    Relative paths are taken relative to the first root.

    Args:
        raw: the path as the client sent it.
        roots: the configured data roots.
        what: its role (``inputs``...), for messages.

    Returns:
        The resolved, existing path.

    Raises:
        ApiError: 403 outside every root (or no roots configured), 400 when the
            file does not exist or the path is over :data:`MAX_PATH` characters.
    """
    if not roots:
        raise ApiError(
            403,
            f"reading {what} by path is disabled: no data roots are configured "
            "(MODELHEALTH_DATA_ROOTS); send the data inline as records",
        )
    if "\x00" in raw or not raw.strip():
        raise ApiError(400, f"the {what} path {raw!r} is not a valid path")
    if len(raw) > MAX_PATH:
        raise ApiError(
            400, f"the {what} path is {len(raw)} characters long; at most {MAX_PATH}"
        )
    resolved_roots = [r.resolve() for r in roots]
    given = Path(raw)
    candidate = given if given.is_absolute() else resolved_roots[0] / given
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError) as exc:
        raise ApiError(
            400, f"the {what} path {raw!r} cannot be resolved: {exc}"
        ) from exc
    if ".." in given.parts or not any(
        resolved.is_relative_to(root) for root in resolved_roots
    ):
        raise ApiError(
            403,
            f"the {what} path {raw!r} is outside the configured data roots; "
            f"the API reads only under: {', '.join(map(str, resolved_roots))}",
        )
    try:
        found = resolved.exists()
    except OSError as exc:  # a component too long for the file system, ...
        raise ApiError(400, f"the {what} path {raw!r} is not usable: {exc}") from exc
    if not found:
        raise ApiError(400, f"the {what} file {raw!r} does not exist")
    return resolved


@dataclass
class RunState:
    """Where a submitted run is: ``queued``, ``running``, ``done`` or ``error``."""

    state: str = "queued"
    error: str | None = None


class RunPool:
    """A bounded pool of threads checking submitted runs.

    Args:
        workers: runs checked at once.
    """

    def __init__(self, workers: int) -> None:
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="api-run")
        self._limit = workers * _BACKLOG_PER_WORKER
        self._lock = threading.Lock()
        self._states: dict[tuple[str, str], RunState] = {}

    def pending(self) -> int:
        """Runs queued or running."""
        with self._lock:
            return sum(s.state in ("queued", "running") for s in self._states.values())

    def state(self, model: str, run_id: str) -> RunState | None:
        """The state of a submitted run, or ``None`` if this process never saw it."""
        with self._lock:
            return self._states.get((model, run_id))

    def submit(
        self,
        model: str,
        run_id: str,
        work: Callable[[], object],
        *,
        bounded: bool = True,
    ) -> None:
        """Queue ``work`` (which checks and stores the run).

        Args:
            bounded: refuse when the backlog is full (not for replayed runs).

        Raises:
            ApiError: 409 the same run is already queued or running; 429 the
                backlog is full.
        """
        key = (model, run_id)
        with self._lock:
            current = self._states.get(key)
            if current is not None and current.state in ("queued", "running"):
                raise ApiError(
                    409, f"run {run_id!r} of model {model!r} is already being checked"
                )
            busy = sum(s.state in ("queued", "running") for s in self._states.values())
            if bounded and busy >= self._limit:
                raise ApiError(
                    429, f"{busy} runs are waiting to be checked; try again later"
                )
            self._states[key] = RunState()
            self._forget_old()
        self._executor.submit(self._run, key, work)

    def _run(self, key: tuple[str, str], work: Callable[[], object]) -> None:
        with self._lock:
            self._states[key].state = "running"
        try:
            work()
        except Exception as exc:
            log.warning(
                "run %r of model %r could not be checked: %s", key[1], key[0], exc
            )
            with self._lock:
                self._states[key] = RunState("error", str(exc))
            return
        with self._lock:
            self._states[key] = RunState("done")

    def _forget_old(self) -> None:
        finished = [k for k, s in self._states.items() if s.state in ("done", "error")]
        for key in finished[: max(len(finished) - _KEEP_FINISHED, 0)]:
            del self._states[key]

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking runs; with ``wait``, let the queued ones finish."""
        self._executor.shutdown(wait=wait)
