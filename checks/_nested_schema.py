"""The nested side of the ``schema`` check: list, struct and map columns, on Arrow.

pandas holds a nested value as a Python object (a list, an array, a dict), which
pandera cannot type; Arrow holds it typed. So a nested column is checked here,
from the batch's Arrow column (a pandas column is converted on its own, so that a
column Arrow cannot type fails alone, by name):

1. its Arrow type against the declared tree of :mod:`modelhealth.checks._dtypes`
   (:mod:`modelhealth.checks._nested_types`: ``list<int64>`` declared,
   ``list<str>`` found; a struct field missing or not declared), a column-level
   failure that stops the value checks of that batch;
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
from modelhealth.checks._dtypes import format_dtype
from modelhealth.checks._nested_types import arrow_dtype, mismatch
from modelhealth.checks._pandera import SAMPLES, Found, jsonable
from modelhealth.checks._value_checks import short

__all__ = ["check_names", "check_nested"]

_RANGES = ("ge", "gt", "le", "lt")


def check_nested(array: pa.Array, spec: ColumnSpec) -> Found:
    """Check one batch of a nested column against its spec.

    Returns:
        Its failures; positions are the array's.
    """
    out = Found(dtype=arrow_dtype(array.type))
    expected = spec.expected()
    name = f"dtype({format_dtype(expected) if expected is not None else 'nested'})"
    tail = mismatch(array.type, expected, spec.elements, spec.fields, spec.length)
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
