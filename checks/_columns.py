"""What the ``schema`` check's rules declare for one column: :class:`ColumnSpec`.

Its own module so that :mod:`modelhealth.checks.schema` (the check) and
:mod:`modelhealth.checks._pandera` (the engine that turns specs into a pandera
schema) both read it without importing each other.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

from modelhealth.checks._dtypes import check_dtype

__all__ = ["ColumnSpec", "Scalar", "ValueChecks"]

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
    description: str | None = None

    @field_validator("dtype")
    @classmethod
    def _known_dtype(cls, value: str | None) -> str | None:
        return None if value is None else check_dtype(value)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return _regex(value)
