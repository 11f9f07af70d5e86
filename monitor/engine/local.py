"""The local engine: every row streamed through this process, a batch at a time.

Inputs are a pandas frame (sliced, never copied) or files
(:mod:`modelhealth.engine.files`). Predictions and labels given apart are read
whole, their columns only, and joined to each input batch: on the label's
``key`` when both sides have it, else by row position. Peak memory is one batch,
the passes' state (profiles, sketches, the sample) and those side files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from modelhealth.checks.passes import Batch, RowPass, feed, samples
from modelhealth.engine.base import Engine, RunData, ScanResult
from modelhealth.engine.files import open_files
from modelhealth.engine.prefetch import read_ahead
from modelhealth.errors import DataError, UsageError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LocalEngine"]


class LocalEngine(Engine):
    """Streams Arrow record batches (or frame slices) through every pass."""

    name = "local"

    def count_rows(self, data: RunData) -> int | None:
        inputs = data.inputs
        if _is_frame(inputs):
            return len(inputs)
        if isinstance(inputs, (str, os.PathLike)):
            return open_files(inputs, what="inputs").count_rows()
        return None

    def scan(
        self,
        data: RunData,
        passes: Mapping[str, RowPass],
        *,
        columns: list[str] | None = None,
    ) -> ScanResult:
        rows = 0
        names: list[str] | None = None
        live = dict(passes)
        # the row count, from the files' metadata, lets a sample copy out of
        # each batch only the rows that can make it
        wanted = samples(live)
        expected = self.count_rows(data) if wanted else None
        if expected is not None:
            for sample in wanted:
                sample.expect(expected)
        for batch in self.batches(data, columns):
            if names is None:
                names = _names(batch)
            feed(live, batch)
            rows += batch.num_rows
        return ScanResult(rows=rows, passes=live, columns=names or [])

    def batches(
        self, data: RunData, columns: Sequence[str] | None = None
    ) -> Iterator[Batch]:
        """The run's rows in batches, predictions and labels joined in.

        Raises:
            DataError: unreadable data, repeated column names, or parts that do
                not join.
        """
        others = {
            what: _read_whole(value, what)
            for what, value in (
                ("predictions", data.predictions),
                ("labels", data.labels),
            )
            if value is not None
        }
        inputs = self._stream(data.inputs, "inputs", None if others else columns)
        if not others:
            for batch in inputs:
                yield _checked(batch)
            return
        from modelhealth.engine.inputs import check_keys

        check_keys(others, data.key)
        expected = self.count_rows(data)
        for what, other in others.items():
            keyed = data.key is not None and data.key in other.columns
            if not keyed and expected is not None and len(other) != expected:
                raise DataError(
                    f"the {what} have {len(other)} rows but the inputs have "
                    f"{expected}; give both files a shared key column (label.key "
                    "in the rules) or the same rows in the same order"
                )
        total = 0
        joined_rows: dict[str, int] = {}
        for batch in inputs:
            try:
                frame = _join(batch.frame, others, data.key, batch.offset, joined_rows)
            except _TooFew as short:
                rest = sum(b.num_rows for b in inputs)
                raise DataError(
                    f"the {short.what} have {short.rows} rows but the inputs have "
                    f"{batch.offset + batch.num_rows + rest}; give both files a "
                    "shared key column (label.key in the rules) or the same rows "
                    "in the same order"
                ) from None
            if columns is not None:
                frame = frame[[c for c in columns if c in frame.columns]]
            total += batch.num_rows
            yield _checked(Batch(frame=frame, offset=batch.offset))
        for what, other in others.items():
            positional = what in joined_rows
            if positional and len(other) != total:
                raise DataError(
                    f"the {what} have {len(other)} rows but the inputs have {total}; "
                    "give both files a shared key column (label.key in the rules) "
                    "or the same rows in the same order"
                )

    def _stream(
        self, value: Any, what: str, columns: Sequence[str] | None
    ) -> Iterator[Batch]:
        size = self.settings.batch_rows
        if _is_frame(value):
            frame = (
                value
                if columns is None
                else value[[c for c in columns if c in value.columns]]
            )
            if len(frame) == 0:
                yield Batch(frame=frame)
                return
            for start in range(0, len(frame), size):
                yield Batch(frame=frame.iloc[start : start + size], offset=start)
            return
        if not isinstance(value, (str, os.PathLike)):
            raise UsageError(
                f"{what} must be a pandas DataFrame or a file path, "
                f"got {type(value).__name__}"
            )
        source = open_files(value, what=what)
        seen = False
        for batch in read_ahead(source.batches(size, columns)):
            seen = True
            yield batch
        if not seen:
            yield _empty_batch(source)


def _is_frame(value: Any) -> bool:
    if type(value).__module__.startswith("pandas"):
        import pandas as pd

        return isinstance(value, pd.DataFrame)
    return False


def _names(batch: Batch) -> list[str]:
    if batch.has_frame:
        return [str(c) for c in batch.frame.columns]
    return list(batch.arrow.schema.names)


def _checked(batch: Batch) -> Batch:
    """Column names as text, each once: profiles and results are keyed by them."""
    names = _names(batch)
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise DataError(
            "the run's data has repeated column names: "
            + ", ".join(map(repr, repeated))
        )
    if batch.has_frame and any(not isinstance(c, str) for c in batch.frame.columns):
        return Batch(frame=batch.frame.set_axis(names, axis=1), offset=batch.offset)
    return batch


def _empty_batch(source: Any) -> Batch:
    if source.kind == "parquet":
        import pyarrow as pa

        schema = source.schema()
        return Batch(arrow=pa.RecordBatch.from_pylist([], schema=schema))
    import pandas as pd

    path = source.files[0]
    sep = "\t" if ".tsv" in path.name.lower() else ","
    return Batch(frame=pd.read_csv(path, sep=sep, nrows=0))


def _read_whole(value: Any, what: str) -> pd.DataFrame:
    from modelhealth.engine.inputs import read_data

    return read_data(value, what)


def _join(
    frame: pd.DataFrame,
    others: Mapping[str, pd.DataFrame],
    key: str | None,
    offset: int,
    positional: dict[str, int],
) -> pd.DataFrame:
    """One input batch with the predictions and labels joined in."""
    from modelhealth.engine.inputs import combine

    parts: dict[str, pd.DataFrame] = {}
    for what, other in others.items():
        keyed = key is not None and key in frame.columns and key in other.columns
        if keyed:
            parts[what] = other
            continue
        positional[what] = 1
        part = other.iloc[offset : offset + len(frame)]
        if len(part) != len(frame):
            raise _TooFew(what, len(other))
        parts[what] = part
    return combine(frame, parts, key=key, checked=True)


class _TooFew(Exception):
    """A side file ran out of rows before the inputs did."""

    def __init__(self, what: str, rows: int) -> None:
        super().__init__(what)
        self.what = what
        self.rows = rows
