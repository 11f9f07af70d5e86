"""Whole frames: a file read into one frame, and how a run's parts join.

The engines stream a run's inputs (:mod:`modelhealth.engine.local`); what is read
whole is here: predictions and labels given apart (their columns only), and the
tools that want one frame (``init``, ``backfill``, the gate's holdout). Inputs,
predictions and labels may come as one file or three. Separate files are
joined on the label's ``key`` column when both sides have it, otherwise side by side
by row position (they must then have the same number of rows). Every failure to read
is a :class:`~modelhealth.errors.DataError` naming the file and the cause.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Union

from modelhealth.engine.files import refuse_special
from modelhealth.errors import DataError, UsageError

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.rules.models import RuleSet

__all__ = [
    "SUFFIXES",
    "DataArg",
    "check_keys",
    "combine",
    "iter_batches",
    "load_frame",
    "read_data",
    "read_frame",
]

DataArg = Union["pd.DataFrame", str, os.PathLike[str]]
"""Data as the Python API takes it: a pandas DataFrame or a Parquet/CSV path."""

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
    refuse_special(p, what)
    kind = _kind(p)
    if p.is_file() and p.stat().st_size == 0:
        raise DataError(f"the {what} file {str(p)!r} is empty (0 bytes)")
    if p.is_dir() and not any(p.rglob("*.parquet")):
        raise DataError(f"the {what} folder {str(p)!r} holds no .parquet files")
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
    checked: bool = False,
) -> pd.DataFrame:
    """Join predictions and labels frames onto the inputs.

    Args:
        inputs: the run's input features.
        others: ``{"predictions": frame, "labels": frame}``, either may be absent.
        key: a column present in both sides to join on; else rows align by position.
        checked: the other sides' keys were checked for repeats already
            (:func:`check_keys`; the engine joins batch by batch).

    Returns:
        One frame. A column that both the inputs and a separate file hold is taken
        from the separate file: it was passed on purpose.

    Raises:
        DataError: row counts differ (positional join), the other file repeats a
            key, or input rows have no prediction.
    """
    import pandas as pd

    frame = inputs
    for what, other in others.items():
        keyed = key is not None and key in frame.columns and key in other.columns
        extra = [c for c in other.columns if not (keyed and c == key)]
        if not extra:
            continue
        frame = frame.drop(columns=[c for c in extra if c in frame.columns])
        if keyed:
            frame = _join_on_key(
                frame, other[[key, *extra]], str(key), what, checked=checked
            )
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


def check_keys(others: dict[str, pd.DataFrame], key: str | None) -> None:
    """Refuse predictions or labels that repeat a key value.

    Raises:
        DataError: naming the part, the key and a repeated value.
    """
    if key is None:
        return
    for what, other in others.items():
        if key not in other.columns:
            continue
        repeated = other[key][other[key].duplicated()]
        if len(repeated):
            raise DataError(
                f"the {what} repeat values of the key column {key!r} "
                f"({len(repeated)} rows, e.g. {repeated.iloc[0]!r}); "
                "each key may appear once"
            )


def _join_on_key(
    frame: pd.DataFrame,
    other: pd.DataFrame,
    key: str,
    what: str,
    *,
    checked: bool = False,
) -> pd.DataFrame:
    if not checked:
        check_keys({what: other}, key)
    joined = frame.merge(other, on=key, how="left", indicator=True)
    missing = int((joined["_merge"] == "left_only").sum())
    if missing and what == "predictions":
        raise DataError(
            f"{missing} of {len(frame)} input rows have no prediction "
            f"(no matching {key!r} in the predictions file)"
        )
    return joined.drop(columns="_merge")


def iter_batches(
    path: str | os.PathLike[str],
    *,
    batch_rows: int = 131_072,
    columns: list[str] | None = None,
    what: str = "inputs",
) -> Iterator[pd.DataFrame]:
    """Read a Parquet file in row batches, so memory holds one batch at a time.

    String columns are read dictionary-encoded (pandas ``category``), which keeps
    them small and makes counting their values cheap.

    Args:
        path: a Parquet file.
        batch_rows: rows per batch (row groups are split or joined to this size).
        columns: the columns to read; all when ``None``.
        what: the file's role, for messages.

    Yields:
        One frame per batch.

    Raises:
        DataError: the file is missing or not readable as Parquet.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = Path(path)
    if p.exists():
        refuse_special(p, what)
    if not p.is_file():
        raise DataError(f"the {what} file {str(p)!r} does not exist")
    try:
        parquet = pq.ParquetFile(p)
        strings = [
            f.name
            for f in parquet.schema_arrow
            if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        ]
        parquet = pq.ParquetFile(p, read_dictionary=strings)
        for batch in parquet.iter_batches(batch_size=batch_rows, columns=columns):
            yield batch.to_pandas()
    except (OSError, ValueError, pa.ArrowException) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(
            f"the {what} file {str(p)!r} could not be read as PARQUET: {reason}"
        ) from exc


def read_data(data: DataArg, what: str) -> pd.DataFrame:
    """A frame as it is, or a path read with :func:`read_frame`.

    Raises:
        UsageError: ``data`` is neither a DataFrame nor a path.
        DataError: the file is missing or unreadable.
    """
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, (str, os.PathLike)):
        return read_frame(data, what=what)
    raise UsageError(
        f"{what} must be a pandas DataFrame or a file path, got {type(data).__name__}"
    )


def load_frame(
    rule_set: RuleSet,
    inputs: DataArg,
    predictions: DataArg | None = None,
    labels: DataArg | None = None,
) -> pd.DataFrame:
    """Read and join a run's inputs, predictions and labels into one frame.

    Raises:
        DataError: a file is missing or unreadable, or column names repeat.
    """
    others = {}
    if predictions is not None:
        others["predictions"] = read_data(predictions, "predictions")
    if labels is not None:
        others["labels"] = read_data(labels, "labels")
    key = rule_set.label.key if rule_set.label else None
    return _unique_columns(combine(read_data(inputs, "inputs"), others, key=key))


def _unique_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names as text, each once: profiles and results are keyed by them."""
    names = [str(c) for c in frame.columns]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataError(
            "the run's data has repeated column names: "
            + ", ".join(map(repr, repeated))
        )
    if any(not isinstance(c, str) for c in frame.columns):
        frame = frame.set_axis(names, axis=1)
    return frame
