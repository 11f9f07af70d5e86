"""A run's files as a stream of record batches: Parquet or CSV, one file, a
folder, a hive-partitioned dataset or a glob.

Nothing here reads a whole run: Parquet is read by row batches (a file's row
groups split or joined to ``batch_rows``), CSV in chunks of ``batch_rows`` rows.
Every failure is a :class:`~modelhealth.errors.DataError` that names the file
and, where one is to blame, the column: a file that is not what its name says,
files of one folder that disagree on a column's type, a corrupt row group found
half-way.
"""

from __future__ import annotations

import glob as globbing
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from modelhealth.checks.passes import Batch
from modelhealth.errors import DataError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["FileSource", "open_files", "refuse_special"]

PARQUET = (".parquet", ".pq", ".parq")
CSV = (".csv", ".csv.gz", ".tsv", ".tsv.gz")
_MAGIC = b"PAR1"


def _suffix_kind(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(PARQUET):
        return "parquet"
    if lower.endswith(CSV):
        return "csv"
    return None


def refuse_special(path: Path, what: str) -> None:
    """Refuse anything but a regular file or a folder (after symlinks): reading a
    FIFO, a device such as ``/dev/zero`` or a socket would block or never end."""
    mode = path.stat().st_mode
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    kind = (
        "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )
    raise DataError(
        f"the {what} file {str(path)!r} is {kind}; only regular files "
        "(or folders of Parquet files) are read"
    )


def _is_parquet(path: Path) -> bool:
    """Whether the file starts and ends with Parquet's magic bytes."""
    try:
        size = path.stat().st_size
        if size < 12:
            return False
        with path.open("rb") as fh:
            head = fh.read(4)
            fh.seek(-4, os.SEEK_END)
            return head == _MAGIC and fh.read(4) == _MAGIC
    except OSError:
        return False


def _looks_like_text(path: Path) -> bool:
    """No NUL byte in the first 4 KiB (of the decompressed text for ``.gz``)."""
    import gzip

    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                head = fh.read(4096)
        else:
            with path.open("rb") as fh:
                head = fh.read(4096)
    except (OSError, EOFError):
        return False
    return b"\x00" not in head


def _reason(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass(frozen=True)
class FileSource:
    """The files of one part of a run (inputs, predictions or labels).

    Attributes:
        what: the part's role, for messages.
        root: the path as given.
        files: the data files, in a stable order.
        kind: ``parquet`` or ``csv``.
        hive: partition columns read from ``key=value`` folder names.
    """

    what: str
    root: str
    files: tuple[Path, ...]
    kind: str
    hive: bool = False

    def count_rows(self) -> int | None:
        """Rows from the Parquet footers; ``None`` for CSV."""
        if self.kind != "parquet":
            return None
        import pyarrow.parquet as pq

        try:
            return sum(int(pq.ParquetFile(f).metadata.num_rows) for f in self.files)
        except Exception:
            return None

    def schema(self) -> pa.Schema:
        """The files' common Arrow schema (Parquet), checked file against file.

        Raises:
            DataError: two files disagree on a column's type (names both).
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        first: pa.Schema | None = None
        first_file: Path | None = None
        schemas = []
        for path in self.files:
            try:
                schema = pq.read_schema(path)
            except Exception as exc:
                raise DataError(
                    f"the {self.what} file {str(path)!r} could not be read as "
                    f"PARQUET: {_reason(exc)}"
                ) from None
            schemas.append(schema.remove_metadata() if len(self.files) > 1 else schema)
            if first is None:
                first, first_file = schema, path
                continue
            for field in schema:
                index = first.get_field_index(field.name)
                if index < 0:
                    continue
                mine = first.field(index).type
                if not _same_type(mine, field.type):
                    raise DataError(
                        f"the {self.what} files disagree on column {field.name!r}: "
                        f"{mine} in {str(first_file)!r} but {field.type} in "
                        f"{str(path)!r}; write every file with the same schema"
                    )
        assert first is not None
        if len(schemas) == 1:
            return first
        try:
            unified = pa.unify_schemas(schemas, promote_options="permissive")
        except (pa.ArrowException, TypeError, ValueError) as exc:
            raise DataError(
                f"the {self.what} files under {self.root!r} have schemas that do "
                f"not combine: {_reason(exc)}"
            ) from None
        return unified.with_metadata(first.metadata)

    def batches(
        self, batch_rows: int, columns: Sequence[str] | None = None
    ) -> Iterator[Batch]:
        """Every row, ``batch_rows`` at a time, file after file."""
        if self.kind == "csv":
            yield from self._csv(batch_rows, columns)
        else:
            yield from self._parquet(batch_rows, columns)

    def _parquet(
        self, batch_rows: int, columns: Sequence[str] | None
    ) -> Iterator[Batch]:
        """File after file, by ``pyarrow.parquet.ParquetFile.iter_batches``
        without pre-buffering: a row group is decoded a batch at a time, so
        memory stays one batch deep however large the files and row groups
        (Arrow's dataset scanner holds whole row groups and reads ahead)."""
        import pyarrow.parquet as pq

        schema = self.schema()
        offset = 0
        for path in self.files:
            partition = self._partition(path)
            try:
                parquet = pq.ParquetFile(path, pre_buffer=False, buffer_size=1 << 20)
                have = set(parquet.schema_arrow.names)
                wanted = [
                    f.name
                    for f in schema
                    if columns is None or f.name in columns or f.name in partition
                ]
                read = [n for n in wanted if n in have]
                for batch in parquet.iter_batches(batch_size=batch_rows, columns=read):
                    if batch.num_rows == 0:
                        continue
                    batch = _conform(batch, schema, wanted, partition, columns)
                    yield Batch(arrow=batch, offset=offset)
                    offset += batch.num_rows
            except DataError:
                raise
            except Exception as exc:
                raise DataError(
                    f"the {self.what} file {str(path)!r} could not be read as "
                    f"PARQUET: {_reason(exc)}"
                ) from None

    def _partition(self, path: Path) -> dict[str, str]:
        """A hive file's ``key=value`` folders, as columns of text."""
        if not self.hive:
            return {}
        parts = path.relative_to(self.root).parts[:-1]
        return dict(p.split("=", 1) for p in parts if "=" in p)

    def _csv(self, batch_rows: int, columns: Sequence[str] | None) -> Iterator[Batch]:
        import pandas as pd

        offset = 0
        for path in self.files:
            name = path.name.lower()
            sep = "\t" if ".tsv" in name else ","
            try:
                with pd.read_csv(path, sep=sep, chunksize=batch_rows) as reader:
                    for chunk in reader:
                        if columns is not None:
                            chunk = chunk[[c for c in columns if c in chunk.columns]]
                        yield Batch(frame=chunk, offset=offset)
                        offset += len(chunk)
            except pd.errors.EmptyDataError:
                raise DataError(
                    f"the {self.what} file {str(path)!r} holds no CSV header or rows"
                ) from None
            except (OSError, ValueError, pd.errors.ParserError) as exc:
                raise DataError(
                    f"the {self.what} file {str(path)!r} could not be read as CSV: "
                    f"{_reason(exc)}"
                ) from None


def _conform(
    batch: pa.RecordBatch,
    schema: pa.Schema,
    wanted: list[str],
    partition: dict[str, str],
    columns: Sequence[str] | None,
) -> pa.RecordBatch:
    """A file's batch in the files' common schema: a column another file has
    and this one lacks is null here, a narrower type is widened, and a hive
    file's partition values become columns of text."""
    import pyarrow as pa

    n = batch.num_rows
    names = set(batch.schema.names)
    if list(batch.schema.names) == wanted and not partition:
        if all(batch.schema.field(f).type == schema.field(f).type for f in wanted):
            return batch
    arrays, fields = [], []
    for name in wanted:
        field = schema.field(name)
        if name in names:
            array = batch.column(name)
            if array.type != field.type:
                array = array.cast(field.type)
        else:
            array = pa.nulls(n, field.type)
        arrays.append(array)
        fields.append(field)
    for key, value in partition.items():
        if key in wanted or (columns is not None and key not in columns):
            continue
        arrays.append(pa.array([value] * n, pa.string()))
        fields.append(pa.field(key, pa.string()))
    return pa.RecordBatch.from_arrays(
        arrays, schema=pa.schema(fields, metadata=schema.metadata)
    )


def _same_type(a: pa.DataType, b: pa.DataType) -> bool:
    """Types that read alike: equal, or both integers, both floats, both text."""
    import pyarrow as pa

    if a == b or pa.types.is_null(a) or pa.types.is_null(b):
        return True  # an all-null column (an empty part) reads as any type
    groups = (
        pa.types.is_integer,
        pa.types.is_floating,
        lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
        pa.types.is_dictionary,
        pa.types.is_timestamp,
    )
    return any(g(a) and g(b) for g in groups)


def open_files(path: str | os.PathLike[str], *, what: str = "inputs") -> FileSource:
    """The files a path names: a file, a folder (hive ``key=value`` folders
    become columns), or a glob (``data/*.parquet``).

    Raises:
        DataError: nothing there, an empty file, a file that is neither Parquet
            nor CSV whatever its name, or a folder mixing the two.
    """
    text = os.fspath(path)
    if any(ch in text for ch in "*?[") and not Path(text).exists():
        matches = sorted(Path(p) for p in globbing.glob(text, recursive=True))
        files = [p for p in matches if p.is_file()]
        if not files:
            raise DataError(f"the {what} pattern {text!r} matches no file")
        return _source(what, text, files)
    p = Path(text)
    if not p.exists():
        raise DataError(f"the {what} file {text!r} does not exist")
    refuse_special(p, what)
    if p.is_dir():
        files = sorted(
            f
            for f in p.rglob("*")
            if f.is_file()
            and not any(part.startswith((".", "_")) for part in f.relative_to(p).parts)
        )
        data = [f for f in files if _suffix_kind(f.name) is not None or _is_parquet(f)]
        if not data:
            raise DataError(f"the {what} folder {text!r} holds no Parquet or CSV files")
        hive = any("=" in part for f in data for part in f.relative_to(p).parts[:-1])
        return _source(what, text, data, hive=hive)
    return _source(what, text, [p])


def _source(
    what: str, root: str, files: list[Path], *, hive: bool = False
) -> FileSource:
    kinds: set[str] = set()
    for f in files:
        if f.stat().st_size == 0:
            raise DataError(f"the {what} file {str(f)!r} is empty (0 bytes)")
        named = _suffix_kind(f.name)
        actual = "parquet" if _is_parquet(f) else None
        if named == "csv" and actual is None and not _looks_like_text(f):
            raise DataError(
                f"the {what} file {str(f)!r} is not CSV: it holds binary data"
            )
        if named == "parquet" and actual is None:
            raise DataError(
                f"the {what} file {str(f)!r} could not be read as PARQUET: it is "
                f"not Parquet (its name ends in {f.suffix!r} but it lacks "
                "Parquet's PAR1 markers)"
            )
        if named is None and actual is None:
            raise DataError(
                f"cannot read {str(f)!r}: unknown file type; use Parquet or CSV "
                f"({', '.join(PARQUET + CSV)})"
            )
        kinds.add(actual or named or "csv")
    if len(kinds) > 1:
        raise DataError(
            f"the {what} data {root!r} mixes Parquet and CSV files; give one kind"
        )
    return FileSource(
        what=what, root=root, files=tuple(files), kind=kinds.pop(), hive=hive
    )
