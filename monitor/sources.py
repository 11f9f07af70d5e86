"""The only data loader: a run's files (Parquet or CSV) into one frame.

Inputs, predictions and labels may come as one file or three. Separate files are
joined on the label's ``key`` column when both sides have it, otherwise side by side
by row position (they must then have the same number of rows). Every failure to read
is a :class:`~monitor.errors.DataError` naming the file and the cause.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SUFFIXES", "combine", "read_frame"]

SUFFIXES = (".parquet", ".pq", ".csv", ".csv.gz", ".tsv")


def _kind(path: Path) -> str:
    name = path.name.lower()
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return "csv" if "csv" in suffix or suffix == ".tsv" else "parquet"
    if path.is_dir():
        return "parquet"  # a partitioned Parquet dataset
    raise DataError(
        f"cannot read {str(path)!r}: unknown file type; "
        f"use one of {', '.join(SUFFIXES)} (or a folder of Parquet files)"
    )


def read_frame(path: str | os.PathLike[str], *, what: str = "inputs") -> pd.DataFrame:
    """Read one Parquet or CSV file (or a folder of Parquet files).

    Args:
        path: the file.
        what: its role (``inputs``, ``predictions``, ``labels``), for messages.

    Returns:
        The file's rows.

    Raises:
        DataError: the file is missing, unreadable, corrupt or of an unknown type.
    """
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise DataError(f"the {what} file {str(p)!r} does not exist")
    kind = _kind(p)
    if p.is_file() and p.stat().st_size == 0:
        raise DataError(f"the {what} file {str(p)!r} is empty (0 bytes)")
    try:
        if kind == "parquet":
            return pd.read_parquet(p)
        sep = "\t" if p.name.lower().endswith(".tsv") else ","
        return pd.read_csv(p, sep=sep)
    except PermissionError as exc:
        raise DataError(
            f"the {what} file {str(p)!r} is not readable: {exc.strerror}"
        ) from exc
    except (
        OSError,
        ValueError,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
    ) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(
            f"the {what} file {str(p)!r} could not be read as {kind.upper()}: {reason}"
        ) from exc
    except Exception as exc:  # pyarrow raises its own types for corrupt files
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(
            f"the {what} file {str(p)!r} could not be read as {kind.upper()}: {reason}"
        ) from exc


def combine(
    inputs: pd.DataFrame,
    others: dict[str, pd.DataFrame],
    *,
    key: str | None = None,
) -> pd.DataFrame:
    """Join predictions and labels frames onto the inputs.

    Args:
        inputs: the run's input features.
        others: ``{"predictions": frame, "labels": frame}``, either may be absent.
        key: a column present in both sides to join on; else rows align by position.

    Returns:
        One frame. Columns already in the inputs are not duplicated.

    Raises:
        DataError: row counts differ (positional join) or the key is missing.
    """
    import pandas as pd

    frame = inputs
    for what, other in others.items():
        extra = [c for c in other.columns if c not in frame.columns]
        if not extra:
            continue
        if key is not None and key in frame.columns and key in other.columns:
            frame = frame.merge(other[[key, *extra]], on=key, how="left")
            continue
        if len(other) != len(frame):
            raise DataError(
                f"the {what} have {len(other)} rows but the inputs have {len(frame)}; "
                f"give both files a shared key column (label.key in the rules) "
                f"or the same rows in the same order"
            )
        right = other[extra].reset_index(drop=True)
        frame = pd.concat([frame.reset_index(drop=True), right], axis=1)
    return frame
