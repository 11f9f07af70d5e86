"""A batch: one slice of a run's rows, as Arrow and as pandas, each made once.

The unit the engine hands every row pass (:mod:`modelhealth.checks.passes`).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["Batch"]


class Batch:
    """One slice of a run's rows, as Arrow and as pandas.

    Built from either side; the other is made on first use and kept. A pandas
    frame handed to the Python API keeps its own dtypes (nullable ``Int64``,
    ``category``), so a check reading ``batch.frame`` sees exactly what the user
    passed; a Parquet file's batches come back through Arrow's pandas conversion,
    as ``pandas.read_parquet`` would make them.
    """

    __slots__ = ("_arrow", "_frame", "_lock", "offset", "part")

    def __init__(
        self,
        *,
        arrow: pa.RecordBatch | None = None,
        frame: pd.DataFrame | None = None,
        offset: int = 0,
        part: int = 0,
    ) -> None:
        if arrow is None and frame is None:
            raise ValueError("a batch needs Arrow data or a pandas frame")
        self._arrow = arrow
        self._frame = frame
        self._lock = threading.Lock()  # passes fed side by side share the views
        self.offset = offset
        """The position of the batch's first row in the run (within a partition)."""
        self.part = part
        """The partition the batch belongs to (0 for a run read in one stream)."""

    def without(self, columns: set[str]) -> Batch:
        """The same rows without ``columns`` (those of them it has)."""
        frame = arrow = None
        if self._frame is not None:
            gone = [c for c in self._frame.columns if str(c) in columns]
            frame = self._frame.drop(columns=gone) if gone else self._frame
        if self._arrow is not None:
            names = [n for n in self._arrow.schema.names if n in columns]
            arrow = self._arrow.drop_columns(names) if names else self._arrow
        return Batch(arrow=arrow, frame=frame, offset=self.offset, part=self.part)

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

            with self._lock:
                if self._arrow is None:
                    assert self._frame is not None
                    self._arrow = frame_to_arrow(self._frame)
        return self._arrow

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            with self._lock:
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
