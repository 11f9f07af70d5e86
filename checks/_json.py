"""Values made strictly JSON: one rule for results, reports and stored rows.

NaN and infinities become ``None`` (JSON cannot hold them, nor can SQLite's JSON or
PostgreSQL's ``jsonb``), numpy and pandas scalars become Python numbers, datetimes
ISO strings, enums their values, anything else its text.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

__all__ = ["finite", "json_safe"]


def finite(value: float | None) -> float | None:
    """``value`` as a float, or ``None`` when it is missing, NaN or infinite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def json_safe(value: Any) -> Any:
    """A copy of ``value`` that ``json.dumps(..., allow_nan=False)`` accepts."""
    if isinstance(value, enum.Enum):
        return json_safe(value.value)
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return finite(value)
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy and pandas scalars
        return json_safe(value.item())
    return str(value)
