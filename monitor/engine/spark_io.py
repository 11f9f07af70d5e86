"""A run's data as one Spark DataFrame: read where it lies, joined on the key.

Each part of a run (inputs, predictions, labels) may be:

- a ``pyspark.sql.DataFrame`` (a pipeline's own), used as it is;
- ``table:<name>`` (``table:features``, ``table:db.features``,
  ``table:catalog.db.features``): a table or view of the session's catalog;
- any other text or path: Parquet, a file or a folder of part files, local or
  any URI the session reads (``s3a://``, ``abfss://``, ``hdfs://``, ``dbfs:/``);
- a pandas DataFrame, handed to Spark as it is (for the Python API).

Predictions and labels given apart join the inputs in Spark on the key column
(``label.key`` in the rules); Spark keeps no row order, so a join by position is
refused. A column both sides hold is taken from the separate part, as the local
engine does. Input rows without a prediction are counted during the scan (a
marker column, :data:`MATCHED`), so the join costs no extra pass over the rows.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from modelhealth.engine.spark_session import first_line
from modelhealth.errors import DataError, UsageError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from modelhealth.engine.base import RunData

__all__ = ["MATCHED", "TABLE", "run_frame"]

TABLE = "table:"
"""The prefix that names a Spark table instead of a path."""

MATCHED = "__modelhealth_predicted"
"""A marker column that is null on the input rows the predictions lack."""

_CSV = (".csv", ".csv.gz", ".tsv", ".tsv.gz")


def run_frame(
    spark: SparkSession, data: RunData, columns: Sequence[str] | None = None
) -> DataFrame:
    """The run's rows as one DataFrame, predictions and labels joined in.

    Args:
        spark: the session that reads the parts.
        data: the run's data.
        columns: keep only these columns (those present), when given.

    Returns:
        The DataFrame, with the :data:`MATCHED` column when predictions were
        joined in.

    Raises:
        UsageError: a part of a kind Spark cannot read here, or predictions or
            labels without a shared key column.
        DataError: a path the session cannot read, a table that does not
            exist, repeated column names, or a part that repeats a key.
    """
    frame = read_part(spark, data.inputs, "inputs")
    others = {
        what: read_part(spark, value, what)
        for what, value in (("predictions", data.predictions), ("labels", data.labels))
        if value is not None
    }
    for what, other in others.items():
        frame = _join(frame, other, data.key, what)
    if columns is not None:
        wanted = [c for c in columns if c in frame.columns]
        if MATCHED in frame.columns:
            wanted.append(MATCHED)
        frame = frame.select(*wanted)
    return frame


def describe(value: Any) -> str:
    """A part as a user named it, for messages."""
    if isinstance(value, (str, os.PathLike)):
        return repr(os.fspath(value))
    return f"a {type(value).__name__}"


def read_part(spark: SparkSession, value: Any, what: str) -> DataFrame:
    """One part of the run as a DataFrame (see the module's list of kinds).

    Raises:
        UsageError: a value of another type, or a CSV file.
        DataError: the path cannot be read or the table does not exist.
    """
    from pyspark.sql import DataFrame

    if isinstance(value, DataFrame):
        frame = value
    elif isinstance(value, (str, os.PathLike)):
        frame = _read_named(spark, os.fspath(value), what)
    elif type(value).__module__.startswith("pandas"):
        try:
            frame = spark.createDataFrame(value)
        except Exception as exc:
            raise DataError(
                f"the {what} frame could not be handed to Spark: {first_line(exc)}"
            ) from None
    else:
        raise UsageError(
            f"the spark engine reads the {what} from a Spark DataFrame, a Parquet "
            f"path or '{TABLE}<name>', got {type(value).__name__}"
        )
    _unique(frame, what)
    return frame


def _read_named(spark: SparkSession, text: str, what: str) -> DataFrame:
    if text.startswith(TABLE):
        name = text[len(TABLE) :].strip()
        if not name:
            raise UsageError(f"the {what} {text!r} names no table; use 'table:db.name'")
        try:
            return spark.table(name)
        except Exception as exc:
            raise DataError(
                f"the {what} table {name!r} cannot be read: {first_line(exc)}"
            ) from None
    if text.lower().endswith(_CSV):
        raise UsageError(
            f"the spark engine reads Parquet and tables, not CSV ({text!r}); "
            "write the run as Parquet or check it with --engine local"
        )
    location = text
    if "://" not in text and not text.startswith("dbfs:") and os.path.exists(text):
        location = os.path.abspath(text)
    try:
        return spark.read.parquet(location)
    except Exception as exc:
        raise DataError(
            f"the {what} {text!r} cannot be read as Parquet by Spark: {first_line(exc)}"
        ) from None


def _unique(frame: DataFrame, what: str) -> None:
    names = list(frame.columns)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataError(
            f"the {what} have repeated column names: " + ", ".join(map(repr, repeated))
        )


def _join(frame: DataFrame, other: DataFrame, key: str | None, what: str) -> DataFrame:
    from pyspark.sql import functions as F

    if key is None or key not in frame.columns or key not in other.columns:
        where = (
            "set label.key in the rules to a column both hold"
            if key is None
            else f"the key column {key!r} is missing from the "
            + ("inputs" if key not in frame.columns else what)
        )
        raise UsageError(
            f"the spark engine joins the {what} to the inputs on a key column, "
            f"since Spark keeps no row order; {where}"
        )
    extra = [c for c in other.columns if c != key]
    if not extra:
        return frame
    try:
        repeated = other.groupBy(key).count().where(F.col("count") > 1).limit(1)
        example = repeated.collect()
    except Exception as exc:
        raise DataError(f"the {what} cannot be read: {first_line(exc)}") from None
    if example:
        raise DataError(
            f"the {what} repeat values of the key column {key!r} "
            f"(e.g. {example[0][key]!r}); each key may appear once"
        )
    kept = [c for c in frame.columns if c not in extra]
    right = other.select(key, *extra)
    if what == "predictions":
        right = right.withColumn(MATCHED, F.lit(True))
        extra = [*extra, MATCHED]
    joined = frame.select(*kept).join(right, on=key, how="left")
    return joined.select(*kept, *extra)
