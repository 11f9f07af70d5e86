"""Aggregate expectations of a sampled run, answered from its profile.

When a run is larger than the engine's sample, an aggregate expectation run on the
sample would judge the sample, not the run. Those whose number the run's profile
holds exactly are answered from it, with GX's rule (``min_value <= observed <=
max_value``, ``strict_min``/``strict_max`` making a bound strict):

- ``expect_table_row_count_to_be_between`` / ``..._to_equal``: the run's rows;
- ``expect_column_{min,max,mean,stdev,sum}_to_be_between``: a numeric column's
  profile (none of its values infinite; the standard deviation with ``ddof=1``);
- ``expect_column_proportion_of_non_null_values_to_be_between``: rows less nulls;
- ``expect_column_unique_value_count_to_be_between``: a text or boolean column's
  distinct values, while every one of them was counted.

Expectations on the columns alone (``expect_column_to_exist``,
``expect_table_columns_to_match_set``...) are exact on the sample, which has every
column. :func:`from_profile` returns ``None`` for the rest: the check reports them
``skipped``, since they need the whole data.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from modelhealth.checks._gx import Raw
    from modelhealth.checks.profile import ColumnProfile, Profile

__all__ = ["ON_COLUMNS", "from_profile"]

ON_COLUMNS = frozenset(
    {
        "expect_column_to_exist",
        "expect_table_column_count_to_be_between",
        "expect_table_column_count_to_equal",
        "expect_table_columns_to_match_ordered_list",
        "expect_table_columns_to_match_set",
    }
)
"""Expectations on the column names only: the same on a sample as on the run."""

_NUMERIC = {
    "expect_column_min_to_be_between": "min",
    "expect_column_max_to_be_between": "max",
    "expect_column_mean_to_be_between": "mean",
    "expect_column_stdev_to_be_between": "stdev",
    "expect_column_sum_to_be_between": "sum",
}


def from_profile(
    name: str, kwargs: dict[str, Any], profile: Profile, rows: int
) -> Raw | None:
    """GX's plain result of ``name`` from the run's profile, or ``None``."""
    from modelhealth.checks._gx import Raw

    if name == "expect_table_row_count_to_equal":
        return Raw(rows == kwargs.get("value"), {"observed_value": rows})
    if name == "expect_table_row_count_to_be_between":
        return _between(float(rows), kwargs, observed=rows)
    column = kwargs.get("column")
    if not isinstance(column, str) or not (
        name in _NUMERIC
        or name
        in (
            "expect_column_proportion_of_non_null_values_to_be_between",
            "expect_column_unique_value_count_to_be_between",
        )
    ):
        return None
    col = profile.columns.get(column)
    if col is None:
        return Raw(False, error=f"column {column!r} is not in the run data")
    observed = _observed(name, col, rows)
    if observed is None:
        return None
    return _between(observed, kwargs, observed=observed)


def _observed(name: str, col: ColumnProfile, rows: int) -> float | None:
    if name == "expect_column_proportion_of_non_null_values_to_be_between":
        return (rows - col.nulls) / rows if rows else None
    if name == "expect_column_unique_value_count_to_be_between":
        exact = col.kind in ("categorical", "boolean") and col.other == 0
        return float(len(col.categories)) if exact else None
    if col.kind != "numeric" or col.infinite or col.count == 0 or col.mean is None:
        return None
    what = _NUMERIC[name]
    if what == "stdev":
        variance = col.variance
        return math.sqrt(variance) if variance is not None else None
    if what == "sum":
        return col.mean * col.count
    value = col.mean if what == "mean" else getattr(col, what)
    return float(value) if isinstance(value, (int, float)) else None


def _between(value: float, kwargs: dict[str, Any], *, observed: Any) -> Raw:
    from modelhealth.checks._gx import Raw

    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    ok = True
    if low is not None:
        ok &= value > low if kwargs.get("strict_min") else value >= low
    if high is not None:
        ok &= value < high if kwargs.get("strict_max") else value <= high
    return Raw(bool(ok), {"observed_value": observed})
