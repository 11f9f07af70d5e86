"""The local spool: a checked run waits here while the store cannot take it.

When :meth:`Store.save_run <modelhealth.store.Store.save_run>` fails (the server is
down, restarting, or drops the connection mid-write; nothing of the transaction is
kept) the runner writes the whole run to one file in the spool folder: its report
(results, profile, details), the alert routes and report link it alerts with, and
the predictions kept for late labels. The file is written under a temporary name,
flushed to disk and renamed into place, so a spool file is whole or absent, never
half-written.

:func:`replay` stores spooled runs, oldest first, each in one transaction that
writes nothing when the store already holds that run id checked at or after the
spooled check (:meth:`Store.save_run`'s ``only_newer``). So replaying is idempotent
(a replayer killed between commit and unlinking the file stores nothing twice the
next time) and a spooled run never overwrites a newer check of the same run id. A
file is removed only after its run is committed or found superseded; a file that
cannot be read is moved aside to ``<name>.bad`` with a log line, never deleted.

The folder is ``--spool DIR``, else ``MODELHEALTH_SPOOL``, else ``./modelhealth-spool``
(:data:`DEFAULT_DIR`), created on first use.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelhealth.alerts import registry as channel_registry
from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.checks._json import json_safe
from modelhealth.checks.base import CheckResult
from modelhealth.errors import StorageError
from modelhealth.report import RunReport
from modelhealth.rules.models import MaintenanceWindow

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.store import Store

__all__ = [
    "DEFAULT_DIR",
    "ENV_VAR",
    "ReplayStats",
    "Replayer",
    "Spooled",
    "pending",
    "read",
    "replay",
    "spool_dir",
    "write",
]

log = logging.getLogger(__name__)

ENV_VAR = "MODELHEALTH_SPOOL"
DEFAULT_DIR = "modelhealth-spool"
"""The spool folder when neither ``--spool`` nor ``MODELHEALTH_SPOOL`` names one,
relative to the working directory (beside the default ``./modelhealth.db``)."""

_SUFFIX = ".run.json"
_FORMAT = 1


def spool_dir(given: str | os.PathLike[str] | None = None) -> Path:
    """The spool folder: ``given``, else ``MODELHEALTH_SPOOL``, else the default."""
    raw = given or os.environ.get(ENV_VAR) or DEFAULT_DIR
    return Path(raw).expanduser()


@dataclass(frozen=True)
class Spooled:
    """One spooled run, as read back from its file."""

    path: Path
    report: RunReport
    alerts: AlertPolicy | None
    predictions: tuple[pd.DataFrame, str] | None


def _report_json(report: RunReport) -> dict[str, Any]:
    return {
        "model": report.model,
        "run_id": report.run_id,
        "results": [r.to_dict() for r in report.results],
        "profile": json_safe(dict(report.profile)),
        "row_count": int(report.row_count),
        "started_at": report.started_at.isoformat(),
        "finished_at": report.finished_at.isoformat(),
        "model_version": report.model_version,
        "reference": report.reference,
        "source": report.source,
        "details": json_safe(dict(report.details)),
    }


def _report(data: dict[str, Any]) -> RunReport:
    return RunReport(
        model=str(data["model"]),
        run_id=str(data["run_id"]),
        results=tuple(CheckResult.from_dict(r) for r in data["results"]),
        profile=data["profile"],
        row_count=int(data["row_count"]),
        started_at=datetime.fromisoformat(data["started_at"]),
        finished_at=datetime.fromisoformat(data["finished_at"]),
        model_version=data.get("model_version"),
        reference=data.get("reference"),
        source=str(data.get("source", "python")),
        details=data.get("details") or {},
    )


def _policy_json(policy: AlertPolicy | None) -> dict[str, Any] | None:
    if policy is None:
        return None
    return {
        "routes": [r.model_dump(mode="json") for r in policy.routes],
        "report_url": policy.report_url,
        "maintenance": [m.model_dump(mode="json") for m in policy.maintenance],
        "checks": None if policy.checks is None else sorted(policy.checks),
    }


def _policy(data: dict[str, Any] | None) -> AlertPolicy | None:
    if data is None:
        return None
    routes = tuple(
        channel_registry.get(str(r["channel"])).params_type.model_validate(r)
        for r in data["routes"]
    )
    windows = tuple(MaintenanceWindow.model_validate(m) for m in data["maintenance"])
    checks = data.get("checks")
    known = None if checks is None else frozenset(str(c) for c in checks)
    return AlertPolicy(routes, data.get("report_url"), windows, known)


def _name(report: RunReport) -> str:
    digest = hashlib.sha256(f"{report.model}\0{report.run_id}".encode()).hexdigest()
    stamp = report.finished_at.strftime("%Y%m%dT%H%M%S%f")
    return f"{stamp}-{digest[:16]}-{os.getpid()}{_SUFFIX}"


def write(
    folder: Path,
    report: RunReport,
    *,
    alerts: AlertPolicy | None,
    predictions: tuple[pd.DataFrame, str] | None = None,
) -> Path:
    """Write one run to the spool, atomically.

    Returns:
        The spool file.

    Raises:
        OSError: the folder cannot be created or written.
    """
    payload: dict[str, Any] = {
        "format": _FORMAT,
        "report": _report_json(report),
        "alerts": _policy_json(alerts),
        "predictions": None,
    }
    if predictions is not None:
        frame, key = predictions
        payload["predictions"] = {
            "key": key,
            "frame": json.loads(frame.to_json(orient="table", index=False)),
        }
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / _name(report)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".writing-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(payload, out, allow_nan=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_dir(folder)
    return target


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read(path: Path) -> Spooled:
    """One spool file back as a run.

    Raises:
        ValueError: the file is not a spooled run this modelhealth can read.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT:
            raise ValueError(f"unknown spool format {data.get('format')!r}")
        predictions = None
        if data.get("predictions") is not None:
            import io

            import pandas as pd

            text = json.dumps(data["predictions"]["frame"])
            frame = pd.read_json(io.StringIO(text), orient="table")
            predictions = (frame, str(data["predictions"]["key"]))
        return Spooled(
            path, _report(data["report"]), _policy(data["alerts"]), predictions
        )
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: not a readable spooled run: {exc}") from exc


def pending(folder: Path) -> list[Path]:
    """The spool files waiting in ``folder``, oldest check first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith(_SUFFIX))


@dataclass
class ReplayStats:
    """What one :func:`replay` did."""

    stored: int = 0
    superseded: int = 0
    bad: int = 0
    left: int = 0
    error: str | None = None

    def __str__(self) -> str:
        text = (
            f"{self.stored} stored, {self.superseded} already stored or superseded "
            f"by a newer check, {self.bad} unreadable (moved aside), {self.left} left"
        )
        return f"{text}; stopped: {self.error}" if self.error else text


def replay(store: Store, folder: Path) -> ReplayStats:
    """Store every spooled run in ``folder``, oldest first, and remove its file.

    Stops at the first storage error (the store is still down): the rest stay.

    Returns:
        The figures; ``left`` counts the files still waiting.
    """
    stats = ReplayStats()
    files = pending(folder)
    for i, path in enumerate(files):
        try:
            spooled = read(path)
        except ValueError as exc:
            if not path.exists():  # another replayer took it meanwhile
                continue
            log.error("%s; moved aside to %s.bad", exc, path.name)
            path.replace(path.with_name(path.name + ".bad"))
            stats.bad += 1
            continue
        report = spooled.report
        try:
            before = store.run(report.model, report.run_id)
            store.save_run(
                report,
                alerts=spooled.alerts,
                predictions=spooled.predictions,
                only_newer=True,
            )
        except StorageError as exc:
            stats.error = str(exc)
            stats.left = len(files) - i
            return stats
        if before is not None and before.finished_at >= report.finished_at:
            stats.superseded += 1
        else:
            stats.stored += 1
        path.unlink(missing_ok=True)
    return stats


class Replayer:
    """Replays a spool folder every ``every`` seconds in a daemon thread.

    The service runs one so that runs spooled while its store was down are
    stored when it is back, with nobody calling ``modelhealth spool replay``.
    """

    def __init__(self, store: Store, folder: Path, every: float = 30.0) -> None:
        self._store = store
        self._folder = folder
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name="spool-replay", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while True:
            if pending(self._folder):
                try:
                    stats = replay(self._store, self._folder)
                except Exception:  # keep replaying later; never kill the service
                    log.exception("spool replay raised")
                else:
                    if stats.stored or stats.bad:
                        log.warning("spool %s: %s", self._folder, stats)
            if self._stop.wait(self._every):
                return

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
