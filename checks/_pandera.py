"""The pandera side of the ``schema`` check: build a schema, validate one batch.

Split from :mod:`modelhealth.checks.schema` so that module holds what the user declares
and this one how pandera runs it; only this module and
:mod:`modelhealth.checks._pandera_model` (a user's own model) import pandera, and
only the check's row pass (:mod:`modelhealth.checks._schema_pass`) imports them.

:func:`plan_schema` builds the pandera schema once, with two parts taken out of
pandera's hands because a batch does not see them whole: ``unique`` (counted
across batches by the pass) and nested columns (checked on their Arrow side by
:mod:`modelhealth.checks._nested_schema`; pandera only sees that they are there).
:func:`validate_batch` validates one batch lazily. pandera's
``SchemaErrors.failure_cases`` frame has one row per failing (check, value, row
index); rows whose index is null are column-level failures (a wrong dtype, a check
that raised). They are read per column into a :class:`Found`, and
``DataFrameSchema``-level rows (strict, ordered) into dataset-level names.
"""

from __future__ import annotations

import copy
import math
import threading
from collections.abc import Collection, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

# isort: off
from modelhealth.checks import _pandera_import  # noqa: F401 (before pandera)
import pandera.pandas as pa

# isort: on
from pandas.api import types as ptypes
from pandera.engines import pandas_engine
from pandera.errors import SchemaErrors

from modelhealth.checks._columns import ColumnSpec
from modelhealth.checks._dtypes import ALIASES
from modelhealth.checks._pandera_plain import plainly_valid
from modelhealth.checks._value_checks import ValueCheck, run_checks, value_checks
from modelhealth.checks.base import CheckError

__all__ = [
    "Found",
    "Plan",
    "jsonable",
    "plan_schema",
    "validate_batch",
]

SAMPLES = 5
_QUOTES = "'\""
_ALIASES = ALIASES
_KNOWN = "int64, float64, bool, str, string, object, datetime64[ns], category, ..."
_TEXT = ("string", "empty")
_VALIDATING = threading.Lock()
"""pandera sets warning filters while it validates, which is not thread-safe:
batches fed to two schema passes side by side are validated one at a time."""
_KNOWN_TEXT: ContextVar[Collection[str]] = ContextVar("known_text", default=())
"""The columns of the batch being validated that its Arrow types say hold text
and nulls only (set by :func:`validate_batch`)."""
_NAMES = {"field_uniqueness": "unique", "not_nullable": "not_nullable"}
_DATASET = {
    "column_in_schema": "unexpected columns (strict)",
    "column_ordered": "columns out of order (ordered)",
}


@dataclass
class Found:
    """What one column failed in one batch (positions are the batch's rows).

    Attributes:
        dtype: the column's type in this batch, as text.
        mismatches: per dtype check that failed, the rest of its message after
            ``dtype is <dtype>`` (``", expected int64"``).
        broken: checks that could not run (column-level).
        checks: per row-level check, the positions of its failing rows.
        samples: per check, ``(position, value)`` of its first failing values
            (at most :data:`SAMPLES` distinct ones, in row order).
    """

    dtype: str
    mismatches: dict[str, str] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)
    checks: dict[str, np.ndarray] = field(default_factory=dict)
    samples: dict[str, list[tuple[int | None, object]]] = field(default_factory=dict)

    def failing(self) -> np.ndarray:
        """The positions of the rows failing any row-level check."""
        if not self.checks:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(list(self.checks.values())))


@dataclass
class Plan:
    """The pandera schema of a ``schema`` check and what it leaves to the pass.

    Attributes:
        schema: validates every batch (without ``unique``; nested columns as
            presence only).
        declared: every column of the schema (the rules' and the pandera
            model's) and whether it is required.
        unique: the columns whose values must be unique across the run.
        nested: the nested columns' specs.
        order: per column, its checks' names in the order pandera reports them
            (dtype, nulls, unique, value checks), for messages in that order.
        values: the rules' flat columns: their value checks and whether nulls
            are allowed.
        plain: the schema is the rules' own, with no dataset-wide constraint, so
            a batch's plainly valid columns are left out of its validation
            (:mod:`modelhealth.checks._pandera_plain`).
    """

    schema: pa.DataFrameSchema
    declared: dict[str, bool]
    unique: list[str]
    nested: dict[str, ColumnSpec]
    order: dict[str, list[str]]
    values: dict[str, tuple[list[ValueCheck], bool]]
    plain: bool = False


def _dtype(column: str, name: str | None, *, fast_str: bool) -> str | None:
    if name is None or name == "number" or fast_str:
        return None
    resolved = _ALIASES.get(name, name)
    try:
        pandas_engine.Engine.dtype(resolved)
    except (TypeError, ValueError) as exc:
        raise CheckError(
            f"column {column!r}: unknown dtype {name!r}; use a pandas or numpy name "
            f"({_KNOWN}) or one of int, float, number, datetime"
        ) from exc
    return resolved


def _is_number(series: pd.Series) -> bool:
    dtype = series.dtype
    return bool(ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype))


def _is_text(series: pd.Series) -> bool | pd.Series:
    """pandera's ``str`` dtype test, with a C-speed path for the common case.

    pandera tests ``isinstance(x, str)`` row by row (~0.2 s per 1M rows); pandas'
    ``infer_dtype`` answers for a whole valid column at once, and only a column that
    fails pays for the row-by-row answer that names the failing values.
    """
    if isinstance(series.dtype, pd.StringDtype) or series.name in _KNOWN_TEXT.get():
        return True
    if series.dtype == object and ptypes.infer_dtype(series, skipna=True) in _TEXT:
        return True
    text = series.map(lambda v: isinstance(v, str), na_action="ignore")
    return text.where(series.notna(), True).astype(bool)  # nulls are not dtype errors


_DTYPE_TESTS = {"dtype('str')": _is_text, "dtype('number')": _is_number}


def _checks(spec: ColumnSpec, *, fast_str: bool) -> list[pa.Check]:
    """The dtype tests pandera runs; value checks are
    :mod:`modelhealth.checks._value_checks`'."""
    out: list[pa.Check] = []
    if spec.dtype == "number":
        out.append(pa.Check(_is_number, error="dtype('number')", ignore_na=False))
    if fast_str:
        # ignore_na=False: pandera would scan the column for nulls to drop them
        # first, which costs as much as the test on a text column
        out.append(pa.Check(_is_text, error="dtype('str')", ignore_na=False))
    return out


def build_schema(
    columns: Mapping[str, ColumnSpec],
    *,
    strict: bool,
    ordered: bool,
    coerce: bool,
    base: pa.DataFrameSchema | None = None,
) -> pa.DataFrameSchema:
    """The pandera schema of the declared columns, added to ``base`` if given.

    A column declared in the rules replaces the base's column of that name; the
    ``strict``, ``ordered`` and ``coerce`` flags are switched on when either side
    asks for them. A nested column is declared by presence only.

    Raises:
        CheckError: a column declares an unknown dtype.
    """
    fast = {
        n: s.dtype == "str" and not (s.coerce or coerce) for n, s in columns.items()
    }
    own = pa.DataFrameSchema(
        {
            name: pa.Column(required=spec.required, nullable=True)
            if spec.nested
            else pa.Column(
                _dtype(name, spec.dtype, fast_str=fast[name]),
                checks=_checks(spec, fast_str=fast[name]),
                nullable=True,  # nulls are counted with the value checks
                unique=spec.unique,
                required=spec.required,
                coerce=spec.coerce,
                description=spec.description,
            )
            for name, spec in columns.items()
        },
        strict=strict,
        ordered=ordered,
        coerce=coerce,
    )
    if base is None:
        return own
    merged = copy.deepcopy(base.add_columns(own.columns))
    merged.strict = merged.strict or strict
    merged.ordered = merged.ordered or ordered
    merged.coerce = merged.coerce or coerce
    return merged


def plan_schema(
    columns: Mapping[str, ColumnSpec],
    *,
    strict: bool,
    ordered: bool,
    coerce: bool,
    base: pa.DataFrameSchema | None = None,
) -> Plan:
    """The schema that validates each batch, with ``unique`` taken out of it.

    Raises:
        CheckError: a column declares an unknown dtype.
    """
    schema = build_schema(
        columns, strict=strict, ordered=ordered, coerce=coerce, base=base
    )
    unique = [str(n) for n, c in schema.columns.items() if c.unique]
    values = {
        n: (value_checks(s), s.nullable) for n, s in columns.items() if not s.nested
    }
    order: dict[str, list[str]] = {}
    for name, column in schema.columns.items():
        checks = [str(c.error or c.name) for c in column.checks]
        checks += [check for check, _ in values.get(str(name), ([], True))[0]]
        order[str(name)] = ["not_nullable", "unique", *checks]
    if unique:
        schema = schema.update_columns({n: {"unique": False} for n in unique})
    return Plan(
        schema=schema,
        declared={str(n): bool(c.required) for n, c in schema.columns.items()},
        unique=unique,
        nested={n: s for n, s in columns.items() if s.nested},
        order=order,
        values=values,
        plain=base is None and not (strict or ordered or coerce),
    )


def validate_batch(
    frame: pd.DataFrame, plan: Plan, *, text: Collection[str] = ()
) -> tuple[dict[str, Found], list[tuple[str, list[str]]]]:
    """Validate one batch lazily; its failures per column, and dataset-wide.

    Columns of the schema that ``frame`` lacks are left out of the validation
    (the caller reports them). Positions are ``frame``'s rows, whatever its index.
    ``text`` names columns known to hold text and nulls only (an Arrow string
    column's pandas view): their ``str`` dtype test is not run value by value.

    Returns:
        ``({column: Found}, [(dataset problem, [names])])``, only for what failed.
    """
    schema = plan.schema
    absent = [n for n in schema.columns if n not in frame.columns]
    if plan.plain:
        absent += plainly_valid(schema, frame, text, _DTYPE_TESTS)
    if absent:
        schema = schema.remove_columns(absent)
    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        frame = frame.reset_index(drop=True)  # failing rows are read by position
    # without coercion pandera only reads the frame, so skip its defensive copy of
    # the whole frame (0.4 s on a million rows); with it, the run's frame that the
    # other checks read must not change, so let pandera copy
    coerces = schema.coerce or any(c.coerce for c in schema.columns.values())
    found: dict[str, Found] = {}
    problems: list[tuple[str, list[str]]] = []
    checked = frame
    known = _KNOWN_TEXT.set(frozenset(text))
    try:
        if schema.columns or not plan.plain:
            with _VALIDATING:
                checked = schema.validate(frame, lazy=True, inplace=not coerces)
    except SchemaErrors as exc:
        found, problems = _read_cases(exc.failure_cases, frame)
        checked = exc.data if isinstance(exc.data, pd.DataFrame) else frame
    finally:
        _KNOWN_TEXT.reset(known)
    for name, (checks, nullable) in plan.values.items():
        if name in checked.columns and (checks or not nullable):
            _values(found, name, checked[name], checks, nullable=nullable)
    for validated in (frame, checked):
        # pandera caches its accessor on the frame, and the accessor refers back
        # to the frame: a cycle that only a full garbage collection would free,
        # so each batch's columns would stay resident until then
        validated.__dict__.pop("pandera", None)
    return found, problems


def _values(
    found: dict[str, Found],
    name: str,
    series: pd.Series,
    checks: list[ValueCheck],
    *,
    nullable: bool,
) -> None:
    """Add the value checks' failures of one column to what pandera found."""
    failing, firsts, broken = run_checks(series, checks, nullable=nullable)
    if not failing and not broken:
        return
    column = found.setdefault(name, Found(dtype=str(series.dtype)))
    column.broken += broken
    for check, positions in failing.items():
        column.checks[check] = positions
        column.samples[check] = [(p, jsonable(series.iloc[p])) for p in firsts[check]]
    for check in broken:
        column.checks.setdefault(check, np.empty(0, dtype=np.int64))


def _read_cases(
    cases: pd.DataFrame, frame: pd.DataFrame
) -> tuple[dict[str, Found], list[tuple[str, list[str]]]]:
    dataset = cases[cases["schema_context"] == "DataFrameSchema"]
    problems = [
        (
            _DATASET.get(str(check), str(check)),
            [str(v) for v in group["failure_case"].unique()],
        )
        for check, group in dataset.groupby("check", sort=False)
    ]
    found: dict[str, Found] = {}
    for column, group in cases[cases["schema_context"] == "Column"].groupby(
        "column", sort=False
    ):
        found[str(column)] = _column(group, frame[column])
    return found, problems


def _column(group: pd.DataFrame, series: pd.Series) -> Found:
    found = Found(dtype=str(series.dtype))
    check_names = group["check"].astype(str).replace(_NAMES)
    is_dtype = check_names.str.startswith("dtype(")
    for name in dict.fromkeys(check_names[is_dtype]):
        found.mismatches[name] = f", expected {name[6:-1].strip(_QUOTES)}"
    for name, cases in group[~is_dtype].groupby(check_names[~is_dtype], sort=False):
        indexed = cases["index"].notna()
        if not indexed.all():
            found.broken.append(str(name))
        positions = cases.loc[indexed, "index"].astype(np.int64).to_numpy()
        found.checks[str(name)] = np.unique(positions)
        first = cases.drop_duplicates("failure_case")[:SAMPLES]
        found.samples[str(name)] = [
            (None if pd.isna(i) else int(i), jsonable(v))
            for i, v in zip(first["index"], first["failure_case"], strict=True)
        ]
    return found


def jsonable(value: object) -> object:
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return (
            None if math.isnan(value) else value if math.isfinite(value) else str(value)
        )
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value if isinstance(value, (str, int, bool)) else str(value)
