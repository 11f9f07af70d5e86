"""Columns of a batch that pandera would pass without looking at a value.

pandera costs about a millisecond and a half per column per batch even when all
it checks is a dtype the column plainly has, which, for a wide run read in
batches, is most of the schema check's time. A column whose only tests are its
dtype (pandera's own test of the column's dtype, or the ``str`` and ``number``
tests of :mod:`modelhealth.checks._pandera`, answered by the batch's Arrow types)
and that allows nulls cannot fail, so :func:`modelhealth.checks._pandera.validate_batch`
leaves it out of the validation; the outcome is the same. Only a schema of the
rules' own columns, with no dataset-wide constraint, is cut this way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from pandas.api import types as ptypes
from pandera.engines import pandas_engine

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

__all__ = ["plainly_valid"]


def plainly_valid(
    schema: pa.DataFrameSchema,
    frame: pd.DataFrame,
    text: Collection[str],
    tests: Mapping[str, Callable[[pd.Series], object]],
) -> list[str]:
    """The schema's columns in ``frame`` that pass whatever their values.

    Args:
        schema: a schema without dataset-wide constraints (not strict, ordered
            or coercing, no checks of its own).
        frame: the batch.
        text: columns known to hold text and nulls only.
        tests: the dtype tests the schema's columns may carry, by error text
            (``"dtype('str')"``, ``"dtype('number')"``).
    """
    plain: list[str] = []
    for name, column in schema.columns.items():
        if name not in frame.columns or column.regex or column.coerce:
            continue
        if column.unique or not column.nullable:
            continue
        dtype = frame[name].dtype
        if column.dtype is not None:
            try:
                same = column.dtype.check(pandas_engine.Engine.dtype(dtype))
            except (TypeError, ValueError):
                continue
            if same is not True and not (isinstance(same, np.bool_) and same):
                continue  # pandera would test the values
        if all(_passes(check, name, dtype, text, tests) for check in column.checks):
            plain.append(str(name))
    return plain


def _passes(
    check: pa.Check,
    name: str,
    dtype: Any,
    text: Collection[str],
    tests: Mapping[str, Callable[[pd.Series], object]],
) -> bool:
    test = tests.get(str(check.error))
    if test is None or check._check_fn is not test:
        return False  # another check reads the values
    if check.error == "dtype('str')":
        return name in text
    return bool(ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype))
