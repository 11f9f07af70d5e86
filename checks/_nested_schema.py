"""The nested side of the ``schema`` check: list, struct and map columns, on Arrow.

pandas holds a nested value as a Python object (a list, an array, a dict), which
pandera cannot type; Arrow holds it typed. So a nested column is checked here,
from the batch's Arrow column (a pandas column is converted on its own, so that a
column Arrow cannot type fails alone, by name):

1. its Arrow type against the declared tree of :mod:`modelhealth.checks._dtypes`
   (``list<int64>`` declared, ``list<str>`` found; a struct field missing or not
   declared), a column-level failure that stops the value checks of that batch;
2. the row-level checks, each a mask over the rows: ``not_nullable``, ``length``
   bounds (of each list or map), and, for the elements of lists and the fields of
   structs, their own nulls, ``isin`` and value checks, at any depth. An element
   that fails marks the row it belongs to (``pyarrow.compute.list_parent_indices``).

Check names carry the part's path: ``length ge(1)``, ``elements ge(0)``,
``zip ge(1000)``, ``elements.amount not_nullable``. Nulls never fail a value check
(as in pandera), NaN counts as null, and +/-inf fails every range check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from modelhealth.checks._columns import ColumnSpec, LengthChecks, PartSpec, ValueChecks
from modelhealth.checks._dtypes import (
    ALIASES,
    DType,
    ListType,
    MapType,
    StructType,
    format_dtype,
)
from modelhealth.checks._pandera import SAMPLES, Found, jsonable, short

__all__ = ["arrow_dtype", "check_names", "check_nested", "column_array"]

_INTS = {f"{p}{n}" for p in ("int", "uint") for n in (8, 16, 32, 64)}
_RANGES = ("ge", "gt", "le", "lt")


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


def check_nested(array: pa.Array, spec: ColumnSpec) -> Found:
    """Check one batch of a nested column against its spec.

    Returns:
        Its failures; positions are the array's.
    """
    out = Found(dtype=arrow_dtype(array.type))
    expected = spec.expected()
    name = f"dtype({format_dtype(expected) if expected is not None else 'nested'})"
    tail = _mismatch(array.type, expected, spec.elements, spec.fields, spec.length)
    if tail is not None:
        out.mismatches[name] = tail
        return out
    rows = np.arange(len(array), dtype=np.int64)
    try:
        _walk(array, spec, rows, "", out)
    except (pa.ArrowException, TypeError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        out.mismatches[name] = f"; its checks could not run: {reason}"
        out.checks.clear()
        out.samples.clear()
    return out


def check_names(part: ColumnSpec | PartSpec, path: str = "") -> list[str]:
    """The names of ``part``'s checks, in the order :func:`check_nested` runs
    them (so that messages list them alike however the rows were cut)."""
    names: list[str] = []
    if not part.nullable:
        names.append("not_nullable")
    if part.length is not None:
        names += [
            f"length {op}({getattr(part.length, op)})"
            for op in ("ge", "gt", "le", "lt", "eq")
            if getattr(part.length, op) is not None
        ]
    if isinstance(part, PartSpec):
        if part.isin is not None:
            names.append(f"isin({short(part.isin)})")
        if part.checks is not None:
            names += _value_names(part.checks)
    names = [f"{path} {n}" if path else n for n in names]
    if part.elements is not None:
        names += check_names(part.elements, _join(path, "elements"))
    for name, sub in (part.fields or {}).items():
        names += check_names(sub, _join(path, name))
    return names


def _value_names(vc: ValueChecks) -> list[str]:
    names = [
        f"{op}({getattr(vc, op):g})" for op in _RANGES if getattr(vc, op) is not None
    ]
    names += [
        f"{n}({short(getattr(vc, n))})"
        for n in ("eq", "ne", "isin", "notin")
        if getattr(vc, n) is not None
    ]
    names += [
        f"{n}({getattr(vc, n)!r})"
        for n in ("str_matches", "str_contains", "str_startswith", "str_endswith")
        if getattr(vc, n) is not None
    ]
    if vc.str_length:
        lo, hi = vc.str_length.get("min"), vc.str_length.get("max")
        names.append(f"str_length({lo}, {hi})")
    return names


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
    if name[:1] in "IUF" and name[1:].lower() in _INTS | {"float32", "float64"}:
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


def _mismatch(
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
        inner = _mismatch(
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
            inner = _mismatch(
                sub, part.expected_type(), part.elements, part.fields, part.length
            )
            if inner is not None:
                return f"; field {name!r} is {arrow_dtype(sub)}{inner}"
    return None


def _walk(
    array: pa.Array,
    part: ColumnSpec | PartSpec,
    rows: np.ndarray,
    path: str,
    out: Found,
) -> None:
    """Apply ``part``'s checks to ``array``, whose position i is batch row rows[i]."""

    def fail(check: str, mask: np.ndarray, values: pa.Array) -> None:
        hit = np.flatnonzero(mask)
        if not len(hit):
            return
        name = f"{path} {check}" if path else check
        found_rows = rows[hit]
        out.checks[name] = np.unique(
            np.concatenate([out.checks.get(name, found_rows[:0]), found_rows])
        )
        kept = out.samples.setdefault(name, [])
        seen = {repr(v) for _, v in kept}
        for row, value in zip(
            found_rows.tolist(), values.take(pa.array(hit)).to_pylist(), strict=True
        ):
            if len(kept) >= SAMPLES:
                break
            value = jsonable(value)
            if repr(value) not in seen:
                seen.add(repr(value))
                kept.append((row, value))

    valid = _valid(array)
    if not part.nullable:
        fail("not_nullable", ~valid, array)
    if pa.types.is_null(array.type):  # every value null: nothing else to check
        return
    if part.length is not None:
        lengths = _lengths(array)
        for op, bound, ok in _bounds(part.length, lengths):
            fail(f"length {op}({bound})", ~ok & valid, lengths)
    if isinstance(part, PartSpec) and (part.isin is not None or part.checks):
        for name, ok in _value_checks(array, part):
            fail(name, ~ok & valid, array)
    if part.elements is not None and not pa.types.is_map(array.type):
        items = pc.list_flatten(array)
        parents = pc.list_parent_indices(array).to_numpy(zero_copy_only=False)
        _walk(items, part.elements, rows[parents], _join(path, "elements"), out)
    if part.fields and pa.types.is_struct(array.type):
        for name, sub in part.fields.items():
            child = pc.struct_field(array, name)
            keep = np.flatnonzero(valid)  # a null record fails only its own nulls
            _walk(child.take(pa.array(keep)), sub, rows[keep], _join(path, name), out)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _valid(array: pa.Array) -> np.ndarray:
    valid = array.is_valid()
    if pa.types.is_floating(array.type):  # NaN is null, as in pandas
        valid = pc.and_(valid, pc.invert(pc.is_nan(array)).fill_null(False))
    return np.asarray(valid.to_numpy(zero_copy_only=False), dtype=bool)


def _lengths(array: pa.Array) -> pa.Array:
    if pa.types.is_map(array.type):
        offsets = array.offsets.to_numpy()
        return pa.array(np.diff(offsets), mask=~_valid(array))
    return pc.list_value_length(array)


def _bounds(
    checks: LengthChecks | ValueChecks, values: pa.Array
) -> list[tuple[str, Any, np.ndarray]]:
    out = []
    ops: dict[str, Callable[..., Any]] = {
        "ge": pc.greater_equal,
        "gt": pc.greater,
        "le": pc.less_equal,
        "lt": pc.less,
        "eq": pc.equal,
    }
    for op, func in ops.items():
        bound = getattr(checks, op, None)
        if bound is None or (op == "eq" and isinstance(checks, ValueChecks)):
            continue
        ok = func(values, bound)
        if pa.types.is_floating(values.type):
            ok = pc.and_(ok, pc.is_finite(values))
        out.append((op, bound, _mask(ok)))
    return out


def _mask(ok: Any) -> np.ndarray:
    """A comparison's result as booleans; null (no value) counts as passing."""
    return np.asarray(ok.fill_null(True).to_numpy(zero_copy_only=False), dtype=bool)


def _value_checks(array: pa.Array, part: PartSpec) -> list[tuple[str, np.ndarray]]:
    out: list[tuple[str, np.ndarray]] = []
    if part.isin is not None:
        out.append((f"isin({short(part.isin)})", _isin(array, part.isin)))
    vc = part.checks
    if vc is None:
        return out
    for op, bound, ok in _bounds(vc, array):
        if op in _RANGES:
            out.append((f"{op}({bound:g})", ok))
    for name in ("eq", "ne"):
        value = getattr(vc, name)
        if value is not None:
            func = pc.equal if name == "eq" else pc.not_equal
            out.append((f"{name}({short(value)})", _mask(func(array, value))))
    for name in ("isin", "notin"):
        value = getattr(vc, name)
        if value is not None:
            ok = _isin(array, value)
            out.append((f"{name}({short(value)})", ok if name == "isin" else ~ok))
    text = {
        "str_matches": lambda p: pc.match_substring_regex(array, f"^(?:{p})"),
        "str_contains": lambda p: pc.match_substring_regex(array, p),
        "str_startswith": lambda p: pc.starts_with(array, p),
        "str_endswith": lambda p: pc.ends_with(array, p),
    }
    for name, func in text.items():
        value = getattr(vc, name)
        if value is not None:
            out.append((f"{name}({value!r})", _mask(func(value))))
    if vc.str_length:
        lo, hi = vc.str_length.get("min"), vc.str_length.get("max")
        size = pc.utf8_length(array)
        ok = np.ones(len(array), dtype=bool)
        if lo is not None:
            ok &= _mask(pc.greater_equal(size, lo))
        if hi is not None:
            ok &= _mask(pc.less_equal(size, hi))
        out.append((f"str_length({lo}, {hi})", ok))
    return out


def _isin(array: pa.Array, values: list[Any]) -> np.ndarray:
    found = pc.is_in(array, value_set=pa.array(values).cast(array.type))
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
