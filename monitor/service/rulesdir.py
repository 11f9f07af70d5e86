"""A folder (or several) of rules files, one model each, reloaded without a restart.

:class:`RulesDir` loads every ``*.yaml``/``*.yml`` file of its folders and keeps the
rule sets by model name. :meth:`RulesDir.reload` looks again: a new or changed file
that loads cleanly replaces what the folder held for it; one that does not is refused,
its :class:`~modelhealth.rules.errors.RulesError` logged (every problem, file:line:col)
and kept in
:attr:`RulesDir.errors`, and the **last good** rules of that file stay in force. A
deleted file's model is dropped. Two files naming the same model: the first by path
wins and the other is refused with an error.

A change is noticed by each file's modification time and size, so :meth:`reload` is
cheap enough to poll (:meth:`watch` runs it every few seconds in a thread) and is
also what the service calls on ``SIGHUP``. Callbacks given to :meth:`subscribe` run
after every reload that changed the set of rules (the scheduler re-syncs its jobs).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from modelhealth import config
from modelhealth.rules.errors import RulesError
from modelhealth.rules.models import RuleSet

__all__ = ["ReloadResult", "RulesDir"]

log = logging.getLogger(__name__)

_PATTERNS = ("*.yaml", "*.yml")
_Stamp = tuple[int, int]


@dataclass(frozen=True)
class ReloadResult:
    """What one :meth:`RulesDir.reload` did.

    Attributes:
        loaded: files (re)loaded successfully.
        refused: files that failed, with the error text; their last good rules stay.
        removed: files gone since the last look.
    """

    loaded: tuple[str, ...] = ()
    refused: tuple[tuple[str, str], ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether the rules in force changed."""
        return bool(self.loaded or self.removed)


_EXTENDS = re.compile(r"^extends:\s*(.+?)\s*(?:#.*)?$", re.MULTILINE)


def _extended(path: Path) -> list[str]:
    """The file names a rules file's top-level ``extends:`` gives (one or a list)."""
    try:
        match = _EXTENDS.search(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []
    if match is None:
        return []
    value = match.group(1).strip().strip("[]")
    return [v.strip().strip("'\"") for v in value.split(",") if v.strip()]


class RulesDir:
    """The rules of every model in some folders, with reload that keeps the last good.

    Args:
        folders: folders holding rules files (not searched recursively).
        loader: turns a path into a RuleSet; :func:`modelhealth.config.load_rules`
            by default.
    """

    def __init__(
        self,
        folders: Iterable[str | Path],
        *,
        loader: Callable[[Path], RuleSet] = config.load_rules,
    ) -> None:
        self.folders = tuple(Path(f) for f in folders)
        self._loader = loader
        self._lock = threading.RLock()
        self._by_file: dict[Path, RuleSet] = {}
        self._stamps: dict[Path, _Stamp] = {}
        self._errors: dict[str, str] = {}
        self._subscribers: list[Callable[[RulesDir], None]] = []
        self._stop = threading.Event()
        self.reload()

    def __repr__(self) -> str:
        return f"RulesDir({[str(f) for f in self.folders]!r})"

    @property
    def errors(self) -> dict[str, str]:
        """Files whose latest version was refused, with the error text."""
        with self._lock:
            return dict(self._errors)

    def models(self) -> list[str]:
        """The model names in force, sorted."""
        return sorted(self.all())

    def all(self) -> dict[str, RuleSet]:
        """Every rule set in force, by model name (the first file by path wins).

        A file that another file of the folders ``extends`` is a shared base
        (``base.yaml``), not a model: it is loaded, but neither served nor scheduled.
        """
        with self._lock:
            bases = self._bases()
            out: dict[str, RuleSet] = {}
            for path in sorted(self._by_file):
                if path.resolve() in bases:
                    continue
                rule_set = self._by_file[path]
                out.setdefault(rule_set.model, rule_set)
            return out

    def _bases(self) -> set[Path]:
        """The files that some loaded file extends."""
        bases: set[Path] = set()
        for path in self._by_file:
            for name in _extended(path):
                bases.add((path.parent / name).resolve())
        return bases

    def get(self, model: str) -> RuleSet | None:
        """One model's rules, or ``None`` when no file names it."""
        return self.all().get(model)

    def subscribe(self, callback: Callable[[RulesDir], None]) -> None:
        """Call ``callback(self)`` after each reload that changed the rules."""
        self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[RulesDir], None]) -> None:
        """Stop calling ``callback`` (no error if it was not subscribed)."""
        if callback in self._subscribers:
            self._subscribers.remove(callback)

    def _files(self) -> dict[Path, _Stamp]:
        found: dict[Path, _Stamp] = {}
        for folder in self.folders:
            if not folder.is_dir():
                continue
            for pattern in _PATTERNS:
                for path in folder.glob(pattern):
                    try:
                        st = path.stat()
                    except OSError:
                        continue
                    found[path] = (st.st_mtime_ns, st.st_size)
        return found

    def reload(self) -> ReloadResult:
        """Look at the folders again and load what is new or changed.

        Returns:
            What was loaded, refused and removed.
        """
        with self._lock:
            files = self._files()
            removed = [p for p in self._stamps if p not in files]
            for path in removed:
                self._stamps.pop(path, None)
                self._by_file.pop(path, None)
                self._errors.pop(str(path), None)
            loaded: list[str] = []
            refused: list[tuple[str, str]] = []
            changed = bool(removed) or any(
                self._stamps.get(p) != stamp for p, stamp in files.items()
            )
            for path in sorted(files):
                # Any change loads every file again: a file may extend the one that
                # changed, or may have been refused only because a removed file
                # defined the same model. Rules files are small; this costs ms.
                if not changed:
                    continue
                unchanged = self._stamps.get(path) == files[path]
                if unchanged and path in self._by_file and not self._extends(path):
                    continue
                self._stamps[path] = files[path]
                problem = self._load(path)
                if problem is None:
                    loaded.append(str(path))
                else:
                    refused.append((str(path), problem))
            result = ReloadResult(
                tuple(loaded), tuple(refused), tuple(map(str, removed))
            )
        if result.changed:
            log.info("rules reloaded: %s", ", ".join(loaded + list(map(str, removed))))
            for callback in list(self._subscribers):
                self._notify(callback)
        return result

    def _notify(self, callback: Callable[[RulesDir], None]) -> None:
        try:
            callback(self)
        except Exception:  # a subscriber's bug must not stop reloads
            log.exception("rules reload subscriber %r failed", callback)

    def _load(self, path: Path) -> str | None:
        try:
            rule_set = self._loader(path)
        except RulesError as exc:
            return self._refuse(path, str(exc))
        except (OSError, ValueError) as exc:
            return self._refuse(path, f"{path}: {exc}")
        owner = self._owner(rule_set.model, path)
        if owner is not None:
            return self._refuse(
                path, f"{path}: model {rule_set.model!r} is already defined in {owner}"
            )
        self._by_file[path] = rule_set
        self._errors.pop(str(path), None)
        return None

    def _extends(self, path: Path) -> bool:
        """Does this loaded file inherit from another (so may have changed with it)?"""
        try:
            return "extends:" in path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return True

    def _owner(self, model: str, path: Path) -> Path | None:
        for other, rule_set in self._by_file.items():
            if other != path and rule_set.model == model:
                return other
        return None

    def _refuse(self, path: Path, error: str) -> str:
        kept = (
            "the last good version stays in force"
            if path in self._by_file
            else ("the file is ignored")
        )
        log.error("rules file %s refused (%s):\n%s", path, kept, error)
        self._errors[str(path)] = error
        return error

    def watch(self, interval: float = 5.0) -> threading.Thread:
        """Start a daemon thread that calls :meth:`reload` every ``interval`` s.

        Returns:
            The thread; :meth:`stop` ends it.
        """

        def loop() -> None:
            while not self._stop.wait(interval):
                self._safe_reload()

        thread = threading.Thread(target=loop, name="rules-watch", daemon=True)
        thread.start()
        return thread

    def _safe_reload(self) -> None:
        try:
            self.reload()
        except Exception:  # keep watching whatever one pass hit
            log.exception("reloading rules from %s failed", self.folders)

    def stop(self) -> None:
        """End the :meth:`watch` thread."""
        self._stop.set()
