"""The engine seam: what an engine is given, what it must do, and how one is chosen.

An :class:`Engine` does one thing: run a set of row passes over every row of a
run's data (:meth:`Engine.scan`) and give them back finished and merged, with the
row count. Everything else (which passes, the profile, the checks) is the same
for every engine, in :mod:`modelhealth.engine.scan`.
"""

from __future__ import annotations

import abc
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from modelhealth.errors import UsageError

if TYPE_CHECKING:
    from modelhealth.checks.passes import RowPass

__all__ = [
    "DEFAULT_BATCH_ROWS",
    "DEFAULT_SAMPLE_ROWS",
    "ENGINES",
    "Engine",
    "EngineSettings",
    "RunData",
    "ScanResult",
]

DEFAULT_BATCH_ROWS = 131_072
"""Rows per batch: about 30 MB for 26 numeric columns."""

DEFAULT_SAMPLE_ROWS = 250_000
"""Rows kept for the kinds that read raw rows; a run of up to this many is whole."""

ENGINES = ("local", "spark")


@dataclass(frozen=True)
class EngineSettings:
    """An engine's knobs: from flags, then ``MODELHEALTH_*`` variables, then these.

    Attributes:
        name: ``local`` or ``spark`` (``MODELHEALTH_ENGINE``).
        batch_rows: rows per batch (``MODELHEALTH_BATCH_ROWS``); peak memory
            grows with it, not with the run.
        sample_rows: rows kept whole for the kinds that need raw rows
            (``MODELHEALTH_SAMPLE_ROWS``); a larger run is sampled uniformly.
        spark_master: the Spark master URL (``MODELHEALTH_SPARK_MASTER``,
            ``local[*]`` by default).
    """

    name: str = "local"
    batch_rows: int = DEFAULT_BATCH_ROWS
    sample_rows: int = DEFAULT_SAMPLE_ROWS
    spark_master: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(
        cls,
        *,
        name: str | None = None,
        spark_master: str | None = None,
        batch_rows: int | None = None,
        default: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> EngineSettings:
        """Settings from the given values, else the environment, else defaults.

        ``default`` is the engine to use when neither ``name`` nor
        ``MODELHEALTH_ENGINE`` says (the rules' ``engine``).

        Raises:
            UsageError: an unknown engine or a batch/sample size below 1.
        """
        env = os.environ if env is None else env
        chosen = name or env.get("MODELHEALTH_ENGINE") or default or "local"
        if chosen not in ENGINES:
            raise UsageError(
                f"unknown engine {chosen!r}; use one of: {', '.join(ENGINES)}"
            )
        return cls(
            name=chosen,
            batch_rows=batch_rows
            or _positive(env, "MODELHEALTH_BATCH_ROWS", DEFAULT_BATCH_ROWS),
            sample_rows=_positive(env, "MODELHEALTH_SAMPLE_ROWS", DEFAULT_SAMPLE_ROWS),
            spark_master=spark_master or env.get("MODELHEALTH_SPARK_MASTER") or None,
        )


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        raise UsageError(f"{name}={raw!r} is not a whole number") from None
    if value < 1:
        raise UsageError(f"{name} must be at least 1, got {value}")
    return value


@dataclass(frozen=True)
class RunData:
    """A run's data as the caller gave it; the engine decides how to read it.

    Attributes:
        inputs: a pandas frame, a path (Parquet or CSV file, a folder or
            hive-partitioned dataset, a glob), or what the engine reads natively
            (a Spark DataFrame or table name for ``spark``).
        predictions: the same, when predictions come apart from the inputs.
        labels: the same, for labels.
        key: the column that joins predictions and labels to the inputs; without
            it they join by row position.
    """

    inputs: Any
    predictions: Any = None
    labels: Any = None
    key: str | None = None

    def paths(self) -> dict[str, str]:
        """The parts given as paths, by role, for the run's stored details."""
        return {
            what: os.fspath(value)
            for what, value in (
                ("inputs", self.inputs),
                ("predictions", self.predictions),
                ("labels", self.labels),
            )
            if isinstance(value, (str, os.PathLike))
        }


@dataclass
class ScanResult:
    """What a scan gives back: the row count and every pass, finished and merged."""

    rows: int
    passes: dict[str, RowPass]
    columns: list[str] = field(default_factory=list)


class Engine(abc.ABC):
    """Runs row passes over every row of a run's data."""

    name: ClassVar[str]

    def __init__(self, settings: EngineSettings) -> None:
        self.settings = settings

    @abc.abstractmethod
    def scan(
        self,
        data: RunData,
        passes: Mapping[str, RowPass],
        *,
        columns: list[str] | None = None,
    ) -> ScanResult:
        """Feed every row of ``data`` to every pass, once, and merge them.

        Args:
            data: the run's data.
            passes: fresh passes by name; the engine may update them in place or
                ship copies to workers and merge those (so use the result's).
            columns: read only these columns (those present), when given.

        Raises:
            DataError: the data is missing, unreadable, or its parts disagree
                (columns or types differ between files, rows do not join).
        """

    def count_rows(self, data: RunData) -> int | None:
        """The run's row count when it is known without reading the rows
        (a frame's length, Parquet footers), else ``None``."""
        return None

    def close(self) -> None:  # noqa: B027 - an optional hook
        """Release what the engine holds (a Spark session it started)."""
