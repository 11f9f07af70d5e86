"""Accepted submissions, on disk until their outcome is stored.

``POST /api/v1/runs`` answers ``202`` only after the submission (its JSON body,
inline records included) is written to the journal, a folder beside the spool
(``<spool>/submitted/``), atomically: a temporary file, fsync, rename. The entry
is removed once the run, or its failure, is in the store. When ``serve`` starts, it
queues every entry left by a process that died before finishing (a ``kill -9``, a
crash, a reboot), newest submission of each run id only; checking a run id again
replaces it, so a run is stored once whichever way it was interrupted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import uuid
from pathlib import Path
from typing import Any

__all__ = ["Journal"]

log = logging.getLogger(__name__)


class Journal:
    """The accepted submissions of one service, one JSON file each.

    Args:
        folder: where the entries live (created on first use).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def add(self, body: dict[str, Any]) -> Path:
        """Write one submission; return its entry.

        Raises:
            OSError: the folder cannot be written.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.json"
        tmp = self.folder / f".{name}.tmp"
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(body, out, allow_nan=False, separators=(",", ":"))
            out.flush()
            os.fsync(out.fileno())
        path = self.folder / name
        os.replace(tmp, path)
        _fsync_dir(self.folder)
        return path

    def done(self, entry: Path) -> None:
        """Forget an entry whose outcome is stored."""
        with contextlib.suppress(FileNotFoundError):
            entry.unlink()

    def pending(self) -> list[tuple[Path, dict[str, Any]]]:
        """Entries left unfinished, oldest first, one per run id (the newest).

        Older entries of the same run id are removed: the newest submission wins,
        as it would have in the running service. An unreadable entry is moved
        aside to ``NAME.bad`` with a warning.
        """
        if not self.folder.is_dir():
            return []
        entries = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        newest: dict[tuple[str, str], tuple[Path, dict[str, Any]]] = {}
        for path in entries:
            try:
                body = json.loads(path.read_text(encoding="utf-8"))
                key = (str(body["model"]), str(body["run_id"]))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("submission %s is unreadable (%s); moved aside", path, exc)
                path.replace(path.with_suffix(".bad"))
                continue
            older = newest.get(key)
            if older is not None:
                self.done(older[0])
            newest[key] = (path, body)
        return sorted(newest.values(), key=lambda e: e[0].stat().st_mtime)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
