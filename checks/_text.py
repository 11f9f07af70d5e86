"""Class labels and join keys as text, the same way on both sides.

A label column with one missing value is ``float64``, so its classes read ``1.0``
where the predictions say ``1``; keys read from a CSV with a blank are floats too.
Comparing such values as text must not depend on that accident: whole-number floats
are written as integers (``1.0`` -> ``"1"``), missing values stay missing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["as_text", "scalar_text"]


def scalar_text(value: object) -> str:
    """One value as text; ``1.0`` and ``1`` and ``True``-free ints agree."""
    if isinstance(value, (float, np.floating)) and math.isfinite(value):
        if float(value).is_integer():
            return str(int(value))
    return str(value)


def as_text(values: pd.Series) -> pd.Series:
    """A column as text, with whole-number floats written as integers.

    Missing values stay missing (``NaN``), so callers can drop or count them.
    """
    if pd.api.types.is_float_dtype(values.dtype):
        finite = values.dropna()
        if len(finite) and np.all(np.isfinite(finite)) and np.all(finite % 1 == 0):
            return values.astype("Int64").astype(str).where(values.notna())
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(str)
    return values.astype(str).where(values.notna())
