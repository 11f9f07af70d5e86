"""Arrow types in the dtype language: what a nested column holds, and whether it fits.

:func:`arrow_dtype` writes an Arrow type as a schema declares it (``list<str>``,
``struct<city: str, zip: int64>``); :func:`mismatch` compares a column's Arrow type
with the declared tree of :mod:`modelhealth.checks._dtypes` (or, without a dtype,
with what ``length``, ``elements`` and ``fields`` need) and says what differs: an
element type that changed, a struct field missing or not declared.
:func:`column_array` turns a pandas column of Python values into one Arrow array,
naming nothing itself: its errors are the column's.

Flat names inside a nested type match Arrow's types loosely where pandas has
several names for one Arrow type: ``int64`` and ``Int64`` are both ``int64``,
``str`` and ``string`` any Arrow string, ``datetime64[...]`` a timestamp of any
unit in the declared zone. A type of nulls only (``null``, ``list<null>``) fits
any declaration: nothing in it contradicts one.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from modelhealth.checks._columns import LengthChecks, PartSpec
from modelhealth.checks._dtypes import (
    ALIASES,
    DType,
    ListType,
    MapType,
    StructType,
    format_dtype,
)

__all__ = ["arrow_dtype", "column_array", "mismatch"]

_INTS = {f"{p}{n}" for p in ("int", "uint") for n in (8, 16, 32, 64)}


def column_array(values: Any, declared: DType | None = None) -> pa.Array:
    """One column as a single Arrow array (a pandas Series is converted).

    Arrow infers a pandas column's type from its Python values; a dict becomes a
    struct, so a column declared with a map inside is converted to the declared
    type when inference does not give it.

    Raises:
        pyarrow.ArrowException, TypeError, ValueError: the values are not of one
            type.
    """
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks()
    if isinstance(values, pa.Array):
        return values
    try:
        inferred = pa.array(values, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        if not _has_map(declared):
            raise
        inferred = None
    if declared is None or not _has_map(declared):
        assert inferred is not None
        return inferred
    if inferred is None or _matches(inferred.type, declared) is not None:
        target = _to_arrow(declared)
        try:
            return pa.array(values, type=target, from_pandas=True)
        except (pa.ArrowException, TypeError, ValueError):
            if inferred is None:
                raise
    assert inferred is not None
    return inferred


def _has_map(dtype: DType | None) -> bool:
    if isinstance(dtype, MapType):
        return True
    if isinstance(dtype, ListType):
        return _has_map(dtype.item)
    if isinstance(dtype, StructType):
        return any(_has_map(t) for _, t in dtype.fields)
    return False


def _to_arrow(dtype: DType) -> pa.DataType:
    """The Arrow type a pandas column of a declared dtype converts to."""
    if isinstance(dtype, ListType):
        return pa.list_(_to_arrow(dtype.item))
    if isinstance(dtype, MapType):
        return pa.map_(_to_arrow(dtype.key), _to_arrow(dtype.value))
    if isinstance(dtype, StructType):
        return pa.struct([(n, _to_arrow(t)) for n, t in dtype.fields])
    name = ALIASES.get(dtype, dtype)
    lowered = name.lower() if name[:1] in "IUF" else name
    if lowered in _INTS or lowered in ("float16", "float32", "float64", "bool"):
        return pa.from_numpy_dtype(lowered)
    if name.startswith("datetime64["):
        unit, _, zone = name[len("datetime64[") : -1].partition(",")
        return pa.timestamp(unit.strip(), tz=zone.strip() or None)
    if name == "date":
        return pa.date32()
    if name == "number":
        return pa.float64()
    return pa.string()


def arrow_dtype(dtype: pa.DataType) -> str:
    """An Arrow type in the dtype language (``list<str>``, ``struct<zip: int64>``)."""
    t = pa.types
    if t.is_list(dtype) or t.is_large_list(dtype) or t.is_fixed_size_list(dtype):
        return f"list<{arrow_dtype(dtype.value_type)}>"
    if t.is_map(dtype):
        return f"map<{arrow_dtype(dtype.key_type)}, {arrow_dtype(dtype.item_type)}>"
    if t.is_struct(dtype):
        inner = ", ".join(f"{f.name}: {arrow_dtype(f.type)}" for f in dtype)
        return f"struct<{inner}>"
    if t.is_string(dtype) or t.is_large_string(dtype) or t.is_string_view(dtype):
        return "str"
    if t.is_floating(dtype):
        return f"float{dtype.bit_width}"
    if t.is_boolean(dtype):
        return "bool"
    if t.is_timestamp(dtype):
        zone = f", {dtype.tz}" if dtype.tz else ""
        return f"datetime64[{dtype.unit}{zone}]"
    if t.is_date(dtype):
        return "date"
    if t.is_dictionary(dtype):
        return "category"
    return str(dtype)


def _flat_matches(found: pa.DataType, name: str) -> bool:
    t = pa.types
    name = ALIASES.get(name, name)
    if name[:1] in "IUF" and name.lower() in _INTS | {"float32", "float64"}:
        name = name.lower()  # nullable pandas names: Arrow has nulls anyway
    if name == "number":
        return bool(t.is_integer(found) or t.is_floating(found))
    if name in ("str", "string"):
        return bool(t.is_string(found) or t.is_large_string(found))
    if name.startswith("datetime64["):
        zone = name[len("datetime64[") : -1].partition(",")[2].strip() or None
        return bool(t.is_timestamp(found) and found.tz == zone)
    if name == "timedelta64[ns]":
        return bool(t.is_duration(found))
    return arrow_dtype(found) == name or str(found) == name


def _matches(found: pa.DataType, expected: DType) -> str | None:
    """``None`` when ``found`` is ``expected``, else what differs."""
    t = pa.types
    if t.is_null(found):  # every value null: nothing contradicts the declaration
        return None
    if isinstance(expected, str):
        return None if _flat_matches(found, expected) else ""
    if isinstance(expected, ListType):
        if not (t.is_list(found) or t.is_large_list(found)) and not (
            t.is_fixed_size_list(found)
        ):
            return ""
        inner = _matches(found.value_type, expected.item)
        return None if inner is None else (inner and f"elements: {inner}")
    if isinstance(expected, MapType):
        if not t.is_map(found):
            return ""
        key = _matches(found.key_type, expected.key)
        value = _matches(found.item_type, expected.value)
        return None if key is None and value is None else ""
    if not t.is_struct(found):
        return ""
    names = [f.name for f in found]
    declared = [n for n, _ in expected.fields]
    missing = [n for n in declared if n not in names]
    if missing:
        return f"field {missing[0]!r} is missing"
    extra = [n for n in names if n not in declared]
    if extra:
        return f"field {extra[0]!r} is not declared"
    for name, field_type in expected.fields:
        sub = found.field(name).type
        inner = _matches(sub, field_type)
        if inner:
            return f"field {name!r}: {inner}"
        if inner is not None:
            return (
                f"field {name!r} is {arrow_dtype(sub)}, "
                f"expected {format_dtype(field_type)}"
            )
    return None


def mismatch(
    found: pa.DataType,
    expected: DType | None,
    elements: PartSpec | None,
    fields: dict[str, PartSpec] | None,
    length: LengthChecks | None,
) -> str | None:
    """``None`` when ``found`` fits the declaration, else the rest of the message
    after ``dtype is <found>``: ``", expected list<int64>"``."""
    if expected is not None:
        detail = _matches(found, expected)
        if detail is None:
            return None
        suffix = f" ({detail})" if detail else ""
        return f", expected {format_dtype(expected)}{suffix}"
    t = pa.types
    if t.is_null(found):
        return None
    is_list = t.is_list(found) or t.is_large_list(found) or t.is_fixed_size_list(found)
    if length is not None and not (is_list or t.is_map(found)):
        return "; length needs a list or map"
    if elements is not None:
        if not is_list:
            return "; elements needs a list"
        item = found.value_type
        inner = mismatch(
            item,
            elements.expected_type(),
            elements.elements,
            elements.fields,
            elements.length,
        )
        if inner is not None:
            return f"; its elements' dtype is {arrow_dtype(item)}{inner}"
    if fields is not None:
        if not t.is_struct(found):
            return "; fields needs a struct"
        names = [f.name for f in found]
        for name, part in fields.items():
            if name not in names:
                return f"; field {name!r} is missing"
            sub = found.field(name).type
            inner = mismatch(
                sub, part.expected_type(), part.elements, part.fields, part.length
            )
            if inner is not None:
                return f"; field {name!r} is {arrow_dtype(sub)}{inner}"
    return None
