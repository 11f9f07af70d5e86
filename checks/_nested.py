"""Nested columns, the entity way: list, struct and map columns flattened to flat ones.

A user entity often holds repeated and grouped attributes: an array of
transactions, a struct for an address. The profiler sees each nested column as
the flat columns below, named by their path, and profiles those like any other
column, so that drift and quality work on them and name what moved:

=====================  ============================================================
``transactions``       a list column: its lengths, as a numeric profile whose
                       ``nulls`` are the null lists and ``empty`` the empty ones
                       (``nested`` is ``"list"``)
``transactions[]``     the elements of a list of primitives (one value per element)
``transactions[].amount``  a field of the structs in a list of structs
``address.city``       a struct's field (recursively: ``address.geo.lat``); a null
                       struct makes its fields null
``prefs``              a map column: its sizes (``nested`` is ``"map"``)
``prefs{key}``         the map's keys, and ``prefs{value}`` its values
=====================  ============================================================

Binary values at any level stay profiled by their length, as a flat bytes column.
The Arrow data is read from the batch when it came from Arrow (Parquet); a pandas
column holding lists, arrays, tuples or dicts is typed by Arrow first. A column
Arrow cannot give one type (ragged nesting: lists mixed with numbers; elements of
mixed types) raises :class:`NestedColumnError` naming it, which the profiler keeps
as that column's error while it profiles the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["NestedColumnError", "Part", "flatten", "is_nested_type", "nested_array"]

_CONTAINERS = (list, tuple, dict)


class NestedColumnError(ValueError):
    """A nested column whose values Arrow cannot give one type."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(
            f"column {column!r} holds nested values of no one type: {reason}"
        )
        self.column = column


class Part:
    """One flat column of a nested one: its path name, its values, and, for a list
    or map column's lengths, which it is and how many were empty."""

    __slots__ = ("empty", "name", "nested", "values")

    def __init__(
        self, name: str, values: pd.Series, nested: str = "", empty: int = 0
    ) -> None:
        self.name = name
        self.values = values
        self.nested = nested
        self.empty = empty


def is_nested_type(dtype: pa.DataType) -> bool:
    """An Arrow list, large list, fixed-size list, struct or map type."""
    import pyarrow as pa

    return bool(
        pa.types.is_list(dtype)
        or pa.types.is_large_list(dtype)
        or pa.types.is_fixed_size_list(dtype)
        or pa.types.is_struct(dtype)
        or pa.types.is_map(dtype)
    )


def nested_array(series: pd.Series, column: str) -> pa.Array | None:
    """The pandas column as an Arrow nested array, or ``None`` when it is flat.

    Only ``object`` columns whose values are not all text or bytes are looked at
    (pandas' own type inference first, so text columns cost nothing more).

    Raises:
        NestedColumnError: the column holds nested values Arrow cannot type.
    """
    import numpy as np
    import pyarrow as pa
    from pandas.api import types as ptypes

    if series.dtype != object:
        return None
    inferred = ptypes.infer_dtype(series, skipna=True)
    if inferred in ("string", "bytes", "empty", "boolean", "integer", "floating"):
        return None
    if not any(isinstance(v, (*_CONTAINERS, np.ndarray)) for v in series):
        return None
    try:
        array = pa.array(series, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NestedColumnError(column, reason) from None
    return array if is_nested_type(array.type) else None


def flatten(name: str, array: pa.Array) -> Iterator[Part]:
    """The flat parts of a nested array (see the module docstring for the names)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    if pa.types.is_struct(kind):
        for i in range(kind.num_fields):
            child = pc.struct_field(array, [i])  # null where the struct is null
            yield from flatten(f"{name}.{kind.field(i).name}", child)
        return
    if pa.types.is_map(kind):
        entries = pa.struct([("key", kind.key_type), ("value", kind.item_type)])
        as_list = array.cast(pa.list_(entries))
        yield _lengths(name, as_list, "map")
        flat = pc.list_flatten(as_list)
        yield from flatten(f"{name}{{key}}", pc.struct_field(flat, [0]))
        yield from flatten(f"{name}{{value}}", pc.struct_field(flat, [1]))
        return
    if is_nested_type(kind):  # a list of some kind
        yield _lengths(name, array, "list")
        yield from flatten(f"{name}[]", pc.list_flatten(array))
        return
    yield Part(name, _to_pandas(array))


def _lengths(name: str, array: pa.Array, nested: str) -> Part:
    import pyarrow.compute as pc

    lengths = pc.list_value_length(array)
    empty = int(pc.sum(pc.equal(lengths, 0)).as_py() or 0)
    return Part(name, _to_pandas(lengths), nested=nested, empty=empty)


def _to_pandas(array: pa.Array | pa.ChunkedArray) -> pd.Series:
    """A flat Arrow array as pandas, as ``pandas.read_parquet`` would make it
    (integers with nulls become floats, a null-typed array object ``None``)."""
    import pandas as pd

    return pd.Series(array.to_pandas(), copy=False)
