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
import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["Batch", "ColumnsPass", "RowPass", "SamplePass"]


class Batch:
    """One slice of a run's rows, as Arrow and as pandas.

    Built from either side; the other is made on first use and kept. A pandas
    frame handed to the Python API keeps its own dtypes (nullable ``Int64``,
    ``category``), so a check reading ``batch.frame`` sees exactly what the user
    passed; a Parquet file's batches come back through Arrow's pandas conversion,
    as ``pandas.read_parquet`` would make them.
    """

    __slots__ = ("_arrow", "_frame", "offset")

    def __init__(
        self,
        *,
        arrow: pa.RecordBatch | None = None,
        frame: pd.DataFrame | None = None,
        offset: int = 0,
    ) -> None:
        if arrow is None and frame is None:
            raise ValueError("a batch needs Arrow data or a pandas frame")
        self._arrow = arrow
        self._frame = frame
        self.offset = offset
        """The position of the batch's first row in the run (within a partition)."""

    @property
    def num_rows(self) -> int:
        if self._frame is not None:
            return len(self._frame)
        assert self._arrow is not None
        return int(self._arrow.num_rows)

    @property
    def arrow(self) -> pa.RecordBatch:
        if self._arrow is None:
            from modelhealth.checks._arrow import frame_to_arrow

            assert self._frame is not None
            self._arrow = frame_to_arrow(self._frame)
        return self._arrow

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            assert self._arrow is not None
            self._frame = self._arrow.to_pandas()
        return self._frame

    @property
    def has_arrow(self) -> bool:
        """Whether the Arrow view exists already (no conversion needed)."""
        return self._arrow is not None

    @property
    def has_frame(self) -> bool:
        """Whether the pandas view exists already (no conversion needed)."""
        return self._frame is not None


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

    Reservoir sampling with a fixed seed, so a run checked twice gets the same
    sample; two passes merge into a uniform sample of both (each row kept with
    probability ``limit / rows``). While the run fits, rows keep their order, so
    checks on data that fits see the same frame whatever the batch size.
    """

    def __init__(self, limit: int, *, seed: int = 0) -> None:
        if limit < 1:
            raise ValueError(f"the sample needs at least 1 row, got {limit}")
        self.limit = limit
        self.seed = seed
        self.rows = 0
        self._parts: list[pd.DataFrame] = []
        self._kept = 0

    def update(self, batch: Batch) -> None:
        self._take(batch.frame, batch.num_rows)

    def merge(self, other: Any) -> None:
        assert isinstance(other, SamplePass)
        if other.rows == 0:
            return
        frame = other.frame()
        if other.rows <= other.limit:
            self._take(frame, other.rows)
            return
        # the other side is a sample: weigh its rows by how many each stands for
        self._mix(frame, other.rows)

    def _take(self, frame: pd.DataFrame, rows: int) -> None:
        if rows == 0:
            return
        if self.rows + rows <= self.limit:
            self._parts.append(frame)
            self._kept += rows
            self.rows += rows
            return
        self._mix(frame, rows)

    def _mix(self, frame: pd.DataFrame, rows: int) -> None:
        """Keep ``limit`` rows of (mine + ``frame``), each side in proportion."""
        import numpy as np
        import pandas as pd

        mine = self.frame()
        total = self.rows + rows
        rng = np.random.default_rng(
            random.Random(f"{self.seed}:{self.rows}:{rows}").getrandbits(64)
        )
        take_theirs = int(rng.hypergeometric(rows, self.rows, self.limit))
        take_theirs = min(take_theirs, len(frame))
        take_mine = min(self.limit - take_theirs, len(mine))
        keep_mine = np.sort(rng.choice(len(mine), size=take_mine, replace=False))
        keep_theirs = np.sort(rng.choice(len(frame), size=take_theirs, replace=False))
        parts = [mine.iloc[keep_mine], frame.iloc[keep_theirs]]
        self._parts = [pd.concat(parts, ignore_index=True)]
        self._kept = take_mine + take_theirs
        self.rows = total

    @property
    def sampled(self) -> bool:
        """Whether the frame is a sample (the run had more rows than ``limit``)."""
        return self.rows > self.limit

    def frame(self) -> pd.DataFrame:
        """The rows kept, as one frame (empty with no rows)."""
        import pandas as pd

        if not self._parts:
            return pd.DataFrame()
        if len(self._parts) > 1:
            self._parts = [pd.concat(self._parts, ignore_index=True)]
        return self._parts[0].reset_index(drop=True)


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
