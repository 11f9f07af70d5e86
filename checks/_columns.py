"""What the ``schema`` check's rules declare for one column: :class:`ColumnSpec`.

Its own module so that :mod:`modelhealth.checks.schema` (the check) and
:mod:`modelhealth.checks._pandera` (the engine that turns specs into a pandera
schema) both read it without importing each other.

A nested column (``list<...>``, ``struct<...>``, ``map<...>``) declares, instead of
flat value checks, ``length`` (of each list or map), ``elements`` (the values
inside each list) and ``fields`` (each field of a struct); an element or a field is
a :class:`PartSpec`, which may nest again. The keys must fit the dtype: ``length``
on a list or map, ``elements`` on a list, ``fields`` on a struct, and flat checks
never on a nested dtype; a field must be one the struct declares. These rules are
checked here, so that ``rules validate`` names the key.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from modelhealth.checks._dtypes import (
    DType,
    ListType,
    MapType,
    StructType,
    check_dtype,
    format_dtype,
    parse_dtype,
)

__all__ = ["ColumnSpec", "LengthChecks", "PartSpec", "Scalar", "ValueChecks"]

Scalar = str | int | float | bool


def _regex(value: str | None) -> str | None:
    """A pattern that compiles, or a message naming the problem."""
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {value!r}: {exc}") from None
    return value


class ValueChecks(BaseModel):
    """pandera's built-in checks by their pandera names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    eq: Scalar | None = None
    ne: Scalar | None = None
    isin: list[Scalar] | None = None
    notin: list[Scalar] | None = None
    str_matches: str | None = None
    str_contains: str | None = None
    str_startswith: str | None = None
    str_endswith: str | None = None
    str_length: dict[Literal["min", "max"], int] | None = None

    @field_validator("str_matches")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return _regex(value)


class LengthChecks(BaseModel):
    """Bounds on the number of items in each list (or entries in each map)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ge: int | None = None
    gt: int | None = None
    le: int | None = None
    lt: int | None = None
    eq: int | None = None


_VALUE_KEYS = frozenset(ValueChecks.model_fields)


class PartSpec(BaseModel):
    """The elements of a list, or one field of a struct, as the rules declare them.

    ``elements: {ge: 0}`` is short for ``elements: {checks: {ge: 0}}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    dtype: str | None = None
    nullable: bool = True
    isin: list[Scalar] | None = None
    checks: ValueChecks | None = None
    length: LengthChecks | None = None
    elements: PartSpec | None = None
    fields: dict[str, PartSpec] | None = None

    @model_validator(mode="before")
    @classmethod
    def _short_checks(cls, data: Any) -> Any:
        if isinstance(data, dict) and _VALUE_KEYS & set(data) - {"isin"}:
            inline = {k: v for k, v in data.items() if k in _VALUE_KEYS - {"isin"}}
            rest = {k: v for k, v in data.items() if k not in inline}
            if "checks" not in rest:
                return {**rest, "checks": inline}
        return data

    @field_validator("dtype")
    @classmethod
    def _known_dtype(cls, value: str | None) -> str | None:
        return None if value is None else check_dtype(value)

    def expected_type(self) -> DType | None:
        """The part's own dtype's tree, or ``None``."""
        return None if self.dtype is None else parse_dtype(self.dtype)

    @property
    def flat_keys(self) -> list[str]:
        return [k for k in ("isin", "checks") if getattr(self, k) is not None]


class ColumnSpec(BaseModel):
    """One column as the rules declare it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dtype: str | None = None
    nullable: bool = True
    unique: bool = False
    required: bool = True
    coerce: bool = False
    isin: list[Scalar] | None = None
    regex: str | None = None
    checks: ValueChecks | None = None
    length: LengthChecks | None = None
    elements: PartSpec | None = None
    fields: dict[str, PartSpec] | None = Field(default=None)
    description: str | None = None

    @field_validator("dtype")
    @classmethod
    def _known_dtype(cls, value: str | None) -> str | None:
        return None if value is None else check_dtype(value)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return _regex(value)

    @model_validator(mode="after")
    def _keys_fit_the_dtype(self) -> ColumnSpec:
        flat = [
            k for k in ("isin", "regex", "checks") if getattr(self, k) is not None
        ] + [k for k in ("unique", "coerce") if getattr(self, k)]
        _fit("", self.dtype, None, flat, self.length, self.elements, self.fields)
        return self

    @property
    def nested(self) -> bool:
        """Whether the column is checked as a nested column (on its Arrow side)."""
        return bool(
            _nested_dtype(self.dtype) or self.length or self.elements or self.fields
        )

    def expected(self) -> DType | None:
        """The declared dtype's tree, or ``None``."""
        return None if self.dtype is None else parse_dtype(self.dtype)


def _nested_dtype(dtype: str | None) -> bool:
    return dtype is not None and not isinstance(parse_dtype(dtype), str)


def _fit(
    where: str,
    own: str | None,
    declared: DType | None,
    flat: list[str],
    length: LengthChecks | None,
    elements: PartSpec | None,
    fields: dict[str, PartSpec] | None,
) -> None:
    """Raise a ValueError naming the key that does not fit the part's dtype."""
    dtype = declared
    if own is not None:
        mine = parse_dtype(own)
        if declared is not None and mine != declared:
            raise ValueError(
                f"{where}dtype {own!r} contradicts the column's dtype, which "
                f"declares {format_dtype(declared)!r} here"
            )
        dtype = mine
    shown = f"dtype {format_dtype(dtype)!r}" if dtype is not None else ""
    if dtype is not None and not isinstance(dtype, str) and flat:
        hint = (
            "elements: {checks: ...}"
            if isinstance(dtype, ListType)
            else "fields: {name: {checks: ...}}"
            if isinstance(dtype, StructType)
            else "length"
        )
        raise ValueError(
            f"{where}{flat[0]} applies to flat columns, not to {shown}; "
            f"check the values inside with {hint}"
        )
    nested_keys = [
        k
        for k, v in (("length", length), ("elements", elements), ("fields", fields))
        if v is not None
    ]
    if nested_keys and flat:
        raise ValueError(
            f"{where}{flat[0]} applies to flat columns and {nested_keys[0]} to "
            "nested ones; a column takes one kind"
        )
    if length is not None and dtype is not None:
        if not isinstance(dtype, (ListType, MapType)):
            raise ValueError(f"{where}length applies to a list or map, not to {shown}")
    if elements is not None:
        if dtype is not None and not isinstance(dtype, ListType):
            raise ValueError(
                f"{where}elements applies to a list, not to {shown}"
                + ("; use fields for a struct" if isinstance(dtype, StructType) else "")
            )
        item = dtype.item if isinstance(dtype, ListType) else None
        _fit_part(f"{where}elements.", elements, item)
    if fields is not None:
        if dtype is not None and not isinstance(dtype, StructType):
            raise ValueError(
                f"{where}fields applies to a struct, not to {shown}"
                + ("; use elements for a list" if isinstance(dtype, ListType) else "")
            )
        for name, part in fields.items():
            field_type = None
            if isinstance(dtype, StructType):
                field_type = dtype.field(name)
                if field_type is None:
                    known = [n for n, _ in dtype.fields]
                    close = difflib.get_close_matches(name, known, n=1)
                    hint = f"did you mean {close[0]!r}? " if close else ""
                    raise ValueError(
                        f"{where}fields.{name}: not a field of {shown}; {hint}"
                        f"its fields: {', '.join(known)}"
                    )
            _fit_part(f"{where}fields.{name}.", part, field_type)


def _fit_part(where: str, part: PartSpec, declared: DType | None) -> None:
    _fit(
        where,
        part.dtype,
        declared,
        part.flat_keys,
        part.length,
        part.elements,
        part.fields,
    )
