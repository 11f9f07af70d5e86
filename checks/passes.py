"""Row passes: what a check computes from every row of a run, one batch at a time.

A run may be far larger than memory, so nothing below the engine
(:mod:`modelhealth.engine`) sees all of its rows at once. What a check needs from
them it builds in a :class:`RowPass`: the engine calls :meth:`RowPass.update` with
each :class:`Batch` in turn, and, when the rows were split between workers (Spark
partitions), :meth:`RowPass.merge` to combine the workers' passes. A pass must
merge exactly (counts and sums; sketches within their stated bound), so that the
verdict does not depend on how the rows were cut; and it must pickle, since a
distributed engine ships it to where the rows are and back.

A check kind declares its pass with :meth:`modelhealth.checks.base.Check.row_pass`;
the runner hands the finished pass back as ``ctx.passes[check_id]``. Kinds whose
work is a function of the profile need no pass. Kinds that need raw rows (a fitted
model, an external library) read ``ctx.frame``: the whole run when it has at most
``sample_rows`` rows, else a uniform sample of that many (:class:`SamplePass`),
and say so in their details.
"""

from __future__ import annotations

import abc
import functools
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from modelhealth.checks.batch import Batch

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Batch",
    "ColumnsPass",
    "FailedPass",
    "HidingPass",
    "RowPass",
    "SamplePass",
    "feed",
    "merge_into",
    "samples",
]


class RowPass(abc.ABC):
    """State built from every row, batch by batch; merges exactly; pickles."""

    @abc.abstractmethod
    def update(self, batch: Batch) -> None:
        """Take in one batch of rows (batches arrive in row order)."""

    @abc.abstractmethod
    def merge(self, other: Any) -> None:
        """Take in another pass of the same kind over other rows.

        ``other`` holds rows that come after this pass's rows (partition order),
        which matters only to passes that keep rows.
        """


class SamplePass(RowPass):
    """Every row while there are at most ``limit``, else a uniform sample of ``limit``.

    Bottom-k sampling: each row draws a random key (from a fixed seed and its
    position, so a run checked twice gets the same sample) and the ``limit``
    rows with the smallest keys are kept. Only rows whose key beats the current
    ``limit``-th smallest are copied out of a batch, so past the first few
    batches almost nothing is; memory holds the sample and a small pile of
    candidates. Two passes merge exactly (the smallest keys of both). The rows
    kept keep their order, so checks on a run that fits see the same frame
    whatever the batch size.
    """

    def __init__(self, limit: int, *, seed: int = 0) -> None:
        if limit < 1:
            raise ValueError(f"the sample needs at least 1 row, got {limit}")
        self.limit = limit
        self.seed = seed
        self.rows = 0
        # parts are pandas frames, or Arrow tables while every batch came as
        # Arrow only (filtering and taking rows is then C++ work, no objects)
        self._parts: list[Any] = []
        self._keys: list[Any] = []
        self._positions: list[Any] = []
        self._pending = 0
        self._threshold = float("inf")

    def update(self, batch: Batch) -> None:
        import numpy as np

        n = batch.num_rows
        if n == 0:
            if not self._parts:  # keep the columns and dtypes of an empty run
                self._parts.append(batch.frame)
                self._keys.append(np.empty(0))
                self._positions.append(np.empty(0, dtype=np.int64))
            return
        rng = np.random.default_rng([self.seed, batch.part, self.rows, n])
        keys = rng.random(n)
        positions = np.arange(self.rows, self.rows + n, dtype=np.int64)
        self.rows += n
        if self._threshold == float("inf"):
            take = None
        else:
            take = keys < self._threshold
            if not take.any():
                return
        rows: Any
        if batch.has_arrow and not batch.has_frame:
            import pyarrow as pa

            rows = pa.Table.from_batches([batch.arrow])
            if take is not None:
                rows = rows.filter(pa.array(take))
        else:
            rows = batch.frame if take is None else batch.frame[take]
        if take is not None:
            keys, positions = keys[take], positions[take]
        self._add(rows, keys, positions)

    def expect(self, rows: int) -> None:
        """Say how many rows the whole run has, before partitions are sampled
        apart: each then keeps only rows whose key can make the final sample
        (a bar a few standard deviations above ``limit / rows``), so the driver
        receives about ``limit`` rows in all rather than ``limit`` per
        partition. The merged sample is the same as without it unless fewer
        than ``limit`` rows clear the bar (odds below one in a billion)."""
        import math

        if rows > self.limit:
            bar = (self.limit + 6 * math.sqrt(self.limit) + 10) / rows
            self._threshold = min(self._threshold, min(1.0, bar))

    def _add(self, frame: Any, keys: Any, positions: Any) -> None:
        self._parts.append(frame)
        self._keys.append(keys)
        self._positions.append(positions)
        self._pending += len(frame)
        # the first time the sample is full, set the bar at once; later, let a
        # quarter of candidates pile up between prunes
        slack = 0 if self._threshold == float("inf") else self.limit // 4
        if self._pending > self.limit + slack:
            self._prune()

    def _prune(self) -> None:
        """Keep the ``limit`` smallest keys; the largest kept is the new bar."""
        import numpy as np
        import pandas as pd

        frame = _concat(self._parts)
        keys = np.concatenate(self._keys)
        positions = np.concatenate(self._positions)
        if len(keys) > self.limit:
            keep = np.sort(np.argpartition(keys, self.limit - 1)[: self.limit])
            if isinstance(frame, pd.DataFrame):
                frame = frame.iloc[keep].reset_index(drop=True)
            else:
                frame = frame.take(keep)
            keys, positions = keys[keep], positions[keep]
            self._threshold = float(keys.max())
        self._parts, self._keys, self._positions = [frame], [keys], [positions]
        self._pending = len(frame)

    def merge(self, other: Any) -> None:
        import numpy as np

        assert isinstance(other, SamplePass)
        if not other._parts:
            self.rows += other.rows
            return
        other._prune()
        shift = self.rows
        self.rows += other.rows
        frame, keys = other._parts[0], other._keys[0]
        positions = other._positions[0] + shift
        if self._threshold != float("inf"):
            take = keys < self._threshold
            frame = _select(frame, take)
            keys, positions = keys[take], positions[take]
        self._add(frame, np.asarray(keys), np.asarray(positions))
        self._threshold = min(self._threshold, other._threshold)

    @property
    def sampled(self) -> bool:
        """Whether the frame is a sample (the run had more rows than ``limit``)."""
        return self.rows > self.limit

    def frame(self) -> pd.DataFrame:
        """The rows kept, in their order in the run (empty with no rows)."""
        import numpy as np
        import pandas as pd

        if not self._parts:
            return pd.DataFrame()
        self._prune()
        frame = self._parts[0]
        order = np.argsort(self._positions[0], kind="stable")
        if len(order) and (np.diff(self._positions[0]) < 0).any():
            frame = _take(frame, order)
        if not isinstance(frame, pd.DataFrame):
            frame = frame.to_pandas()
        out: pd.DataFrame = frame.reset_index(drop=True)
        return out


def _concat(parts: list[Any]) -> Any:
    """One frame (or Arrow table) of the parts; pandas when any part is."""
    import pandas as pd

    if all(not isinstance(p, pd.DataFrame) for p in parts):
        import pyarrow as pa

        try:
            return pa.concat_tables(parts, promote_options="permissive")
        except (pa.ArrowException, TypeError, ValueError):
            pass  # parts Arrow cannot stack: pandas can
    frames = [p if isinstance(p, pd.DataFrame) else p.to_pandas() for p in parts]
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    return pd.concat(frames, ignore_index=True)


def _select(part: Any, mask: Any) -> Any:
    import pandas as pd

    if isinstance(part, pd.DataFrame):
        return part[mask]
    import pyarrow as pa

    return part.filter(pa.array(mask))


def _take(part: Any, index: Any) -> Any:
    import pandas as pd

    if isinstance(part, pd.DataFrame):
        return part.iloc[index]
    return part.take(index)


class ColumnsPass(RowPass):
    """Some columns of every row, kept whole (those of them the run has).

    For what must outlive the run row by row, such as the key and prediction
    columns kept for labels that arrive later: memory grows with the run, by
    these columns only.
    """

    def __init__(self, columns: list[str]) -> None:
        self.columns = list(columns)
        self._parts: list[pd.DataFrame] = []

    def update(self, batch: Batch) -> None:
        frame = batch.frame
        present = [c for c in self.columns if c in frame.columns]
        if present:
            self._parts.append(frame[present].copy())

    def merge(self, other: Any) -> None:
        assert isinstance(other, ColumnsPass)
        self._parts.extend(other._parts)

    def frame(self) -> pd.DataFrame:
        """The kept columns of every row seen, in order."""
        import pandas as pd

        if not self._parts:
            return pd.DataFrame(columns=self.columns)
        if len(self._parts) > 1:
            self._parts = [pd.concat(self._parts, ignore_index=True)]
        return self._parts[0].reset_index(drop=True)


class FailedPass(RowPass):
    """Stands in for a pass that raised on a batch: the run goes on without it.

    The engine replaces the pass with this, keeping the first error; the runner
    grades the pass's check as ``errored`` with :attr:`message`, and every other
    check still runs and is stored.
    """

    def __init__(self, message: str, *, kind: str = "") -> None:
        self.message = message
        self.kind = kind

    def update(self, batch: Batch) -> None:
        return None

    def merge(self, other: Any) -> None:
        return None


def feed(passes: dict[str, RowPass], batch: Batch) -> None:
    """Update every pass with ``batch``; a pass that raises becomes a
    :class:`FailedPass` (with the error's message) and is fed no more.

    Passes are independent of each other, so those of a large batch run side by
    side in threads: one pass's Python (pandera) overlaps another's numpy and
    Arrow work, which release the GIL. The batch's pandas and Arrow views are
    made once, under its lock, whichever pass asks first.
    """
    live = [(n, p) for n, p in passes.items() if not isinstance(p, FailedPass)]
    if len(live) > 1 and batch.num_rows >= PARALLEL_ROWS:
        outcomes = list(_feeders().map(lambda item: _update(item[1], batch), live))
    else:
        outcomes = [_update(p, batch) for _, p in live]
    for (name, row_pass), error in zip(live, outcomes, strict=True):
        if error is not None:
            passes[name] = FailedPass(
                _describe(error, batch), kind=type(row_pass).__name__
            )


PARALLEL_ROWS = 32_768
"""Batches of at least this many rows feed their passes in threads."""


def _update(row_pass: RowPass, batch: Batch) -> Exception | None:
    try:
        row_pass.update(batch)
    except Exception as exc:
        return exc
    return None


@functools.cache
def _feeders() -> ThreadPoolExecutor:
    """The threads that feed a batch's passes side by side (apart from the
    threads a pass may use inside, so that neither waits on the other)."""
    return ThreadPoolExecutor(
        max_workers=min(4, os.cpu_count() or 1), thread_name_prefix="feed"
    )


def merge_into(passes: dict[str, RowPass], other: Mapping[str, RowPass]) -> None:
    """Merge ``other``'s passes into ``passes`` by name; a failure on either
    side wins."""
    for name, theirs in other.items():
        mine = passes.get(name)
        if mine is None or isinstance(theirs, FailedPass):
            passes[name] = theirs
        elif not isinstance(mine, FailedPass):
            try:
                mine.merge(theirs)
            except Exception as exc:
                passes[name] = FailedPass(f"{type(exc).__name__}: {exc}")


def _describe(exc: Exception, batch: Batch) -> str:
    text = str(exc) or type(exc).__name__
    first = batch.offset + 1
    where = f"rows {first:,}-{batch.offset + batch.num_rows:,}"
    if type(exc).__name__ in ("ArrowConversionError", "CheckError", "DataError"):
        return f"{text} ({where})"
    return f"{type(exc).__name__}: {text} ({where})"


class HidingPass(RowPass):
    """Another pass, fed every batch without some columns (a gate's champion
    predictions, which are not the candidate's data)."""

    def __init__(self, inner: RowPass, columns: set[str]) -> None:
        self.inner = inner
        self.columns = set(columns)

    def update(self, batch: Batch) -> None:
        self.inner.update(batch.without(self.columns))

    def merge(self, other: Any) -> None:
        assert isinstance(other, HidingPass)
        self.inner.merge(other.inner)


def samples(passes: Mapping[str, RowPass]) -> list[SamplePass]:
    """The samples among ``passes``, hidden ones too: an engine that knows the
    run's row count first tells each (:meth:`SamplePass.expect`)."""
    found = []
    for row_pass in passes.values():
        while isinstance(row_pass, HidingPass):
            row_pass = row_pass.inner
        if isinstance(row_pass, SamplePass):
            found.append(row_pass)
    return found
