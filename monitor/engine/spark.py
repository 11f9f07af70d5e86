"""The Spark engine: every pass runs where the rows lie, and the driver merges.

:meth:`SparkEngine.scan` ships the fresh passes (cloudpickled, inside the task's
closure; Spark broadcasts a large one by itself) to every partition through
``DataFrame.mapInArrow``. Each partition feeds its Arrow record batches to its
own copy of the passes, exactly as the local engine feeds its batches, and
yields one row: its row count and its passes, pickled. The driver merges those
rows in partition order into the passes it was given. The rows are cached on
the executors first, so that every partition runs in parallel; when they are
large (the samples of many partitions) the driver then reads one partition's at
a time, so that it holds the merged passes and one partition's, never all.

pyspark is imported only here, and only when the ``spark`` engine is asked for
(:func:`modelhealth.engine.get_engine`). Where the session comes from is
:mod:`modelhealth.engine.spark_session`; how a run's parts become one DataFrame
is :mod:`modelhealth.engine.spark_io`.
"""

from __future__ import annotations

import functools
from collections.abc import Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from modelhealth.checks.passes import Batch, RowPass, feed, merge_into, samples
from modelhealth.engine.base import Engine, EngineSettings, RunData, ScanResult
from modelhealth.engine.spark_io import MATCHED, describe, run_frame
from modelhealth.engine.spark_session import first_line, open_session
from modelhealth.errors import DataError, MonitorError

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkEngine"]

_RESULT = "rows long, unmatched long, passes binary, error binary"
"""What each partition yields: one row of this schema."""

_COLLECT_BYTES = 64 << 20
"""Partitions' passes up to this size in all come to the driver in one go."""

_BATCH_CONF = "spark.sql.execution.arrow.maxRecordsPerBatch"


class SparkEngine(Engine):
    """Runs the passes on the partitions of a Spark DataFrame and merges them."""

    name = "spark"

    def __init__(self, settings: EngineSettings) -> None:
        super().__init__(settings)
        self._session: SparkSession | None = None
        self._started = False
        self._frames: tuple[RunData, DataFrame] | None = None

    @property
    def session(self) -> SparkSession:
        """The session scans run in: the running one, else one started here.

        Raises:
            UsageError: pyspark or Java is missing (``pip install
                'modelhealth[spark]'``), or another master is already running.
            DataError: the master cannot be reached.
        """
        if self._session is None:
            self._session, self._started = open_session(self.settings.spark_master)
        return self._session

    def count_rows(self, data: RunData) -> int | None:
        # Always None: partitions cannot bin on a first batch of their own, so
        # a run without a reference gets its edges from a first pass.
        return None

    def scan(
        self,
        data: RunData,
        passes: Mapping[str, RowPass],
        *,
        columns: list[str] | None = None,
    ) -> ScanResult:
        frame = self._frame(data, columns)  # pyspark and the session first
        names = [c for c in frame.columns if c != MATCHED]
        wanted = samples(passes)
        if wanted:  # partitions then send the driver one sample, not one each
            total = frame.count()
            for sample in wanted:
                sample.expect(total)
        task = functools.partial(_scan_partition, _dumps(dict(passes)))
        merged = dict(passes)
        rows = unmatched = 0
        results = self._results(frame, task, data)
        try:
            for part_rows, part_unmatched, part_passes in results:
                rows += part_rows
                unmatched += part_unmatched
                merge_into(merged, part_passes)
        finally:
            results.close()  # uncache now, even when a merge fails
        if unmatched:
            raise DataError(
                f"{unmatched} of {rows} input rows have no prediction (no "
                f"matching {data.key!r} in the predictions)"
            )
        if rows == 0:
            empty = _empty_batch(
                frame.drop(MATCHED) if MATCHED in frame.columns else frame
            )
            feed(merged, empty)
        return ScanResult(rows=rows, passes=merged, columns=names)

    def close(self) -> None:
        """Stop the session if this engine started it; a pipeline's own stays."""
        session, self._session, self._frames = self._session, None, None
        if session is not None and self._started:
            session.stop()
        self._started = False

    def _frame(self, data: RunData, columns: list[str] | None) -> DataFrame:
        # scan_run scans a run twice without a reference: read and join once
        if self._frames is not None and self._frames[0] is data and columns is None:
            return self._frames[1]
        frame = run_frame(self.session, data, columns)
        if columns is None:
            self._frames = (data, frame)
        return frame

    def _results(
        self, frame: DataFrame, task: Any, data: RunData
    ) -> Generator[tuple[int, int, dict[str, RowPass]], None, None]:
        """Each partition's (rows, rows without a prediction, passes), in order."""
        import pickle

        from pyspark import StorageLevel
        from pyspark.errors import PythonException
        from pyspark.sql import functions as F

        spark = frame.sparkSession
        previous = spark.conf.get(_BATCH_CONF, None)
        spark.conf.set(_BATCH_CONF, str(self.settings.batch_rows))
        out = frame.mapInArrow(task, _RESULT).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            try:
                # every partition at once, into the cache; then read them back
                # together when small, else one partition at a time
                size = out.agg(F.sum(F.length("passes"))).first()
                small = size is None or (size[0] or 0) <= _COLLECT_BYTES
                for row in out.collect() if small else out.toLocalIterator():
                    if row["error"] is not None:
                        raise pickle.loads(row["error"])
                    yield row["rows"], row["unmatched"], pickle.loads(row["passes"])
            except (MonitorError, PythonException):
                raise  # ours, or a bug in a pass: its traceback is what helps
            except Exception as exc:
                raise DataError(
                    f"the spark engine could not read {describe(data.inputs)}: "
                    f"{first_line(exc)}"
                ) from None
        finally:
            try:
                out.unpersist()
                if previous is None:
                    spark.conf.unset(_BATCH_CONF)
                else:
                    spark.conf.set(_BATCH_CONF, previous)
            except Exception:  # the session is gone; the error raised says why
                pass


def _scan_partition(
    blob: bytes, batches: Iterator[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """On a worker: feed one partition's batches to a copy of the passes."""
    import pickle

    import pyarrow as pa
    from pyspark import TaskContext

    rows = unmatched = 0
    error: bytes | None = None
    passes: dict[str, RowPass] = pickle.loads(blob)
    context = TaskContext.get()
    part = context.partitionId() + 1 if context is not None else 0
    try:
        for arrow in batches:
            if arrow.num_rows == 0:
                continue
            index = arrow.schema.get_field_index(MATCHED)
            if index >= 0:
                unmatched += arrow.column(index).null_count
                arrow = arrow.drop_columns([MATCHED])
            feed(passes, Batch(arrow=arrow, offset=rows, part=part))
            rows += arrow.num_rows
    except MonitorError as exc:
        error = _dumps(exc)
    yield pa.RecordBatch.from_pydict(
        {
            "rows": [rows],
            "unmatched": [unmatched],
            "passes": [None if error else _dumps(passes)],
            "error": [error],
        },
        schema=pa.schema(
            [
                ("rows", pa.int64()),
                ("unmatched", pa.int64()),
                ("passes", pa.binary()),
                ("error", pa.binary()),
            ]
        ),
    )


def _dumps(value: object) -> bytes:
    """Pickled by cloudpickle, so that a pass of a class defined in a script or
    notebook (pickled by value) travels too."""
    from pyspark import cloudpickle

    return cloudpickle.dumps(value)  # type: ignore[no-untyped-call,no-any-return,unused-ignore]


def _empty_batch(frame: DataFrame) -> Batch:
    """A batch of no rows with the run's columns, as the local engine gives an
    empty run, so that the profile still names every column."""
    import pyarrow as pa

    schema = frame.limit(0).toArrow().schema
    return Batch(arrow=pa.RecordBatch.from_pylist([], schema=schema))
