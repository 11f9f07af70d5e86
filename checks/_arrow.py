"""pandas and Arrow: a frame handed to the Python API as Arrow record batches.

Conversion failures name the column: a mixed column (numbers and text), ragged
nested values, or an object Arrow cannot type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["ArrowConversionError", "frame_to_arrow"]


class ArrowConversionError(ValueError):
    """A frame's column cannot be turned into one Arrow type."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"column {column!r} cannot be read as one type: {reason}")
        self.column = column


def frame_to_arrow(frame: pd.DataFrame) -> pa.RecordBatch:
    """The frame as one Arrow record batch (its index dropped).

    Raises:
        ArrowConversionError: naming the first column Arrow cannot type.
    """
    import pyarrow as pa

    try:
        return pa.RecordBatch.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        for name in frame.columns:
            reason = _column_problem(frame[name])
            if reason is not None:
                raise ArrowConversionError(str(name), reason) from None
        raise ArrowConversionError("?", str(exc).splitlines()[0]) from None


def _column_problem(series: pd.Series) -> str | None:
    """Why Arrow cannot type this column, or ``None`` when it can."""
    import pyarrow as pa

    try:
        pa.array(series, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None
