"""The computations of ``skew``: offline and online rows of the same entities.

:func:`read_offline` reads the offline export (a Parquet file or folder, CSV,
CSV.gz or TSV). :func:`keyed` indexes one side by its key and refuses what cannot
be joined: a key column that is missing, or a key value held by two rows (which
offline row would the online one be compared with?); rows whose key is null are
left out and counted. :func:`coverage` counts the keys on one side only.
:func:`differs` says, for the keys on both sides, whether a
feature's two values differ: numbers beyond a tolerance (``|run - offline| > abs +
rel * |offline|``, as ``numpy.isclose`` reads it), everything else (text,
categories, booleans, datetimes) by exact equality; two nulls are equal, a null and
a value differ. :func:`family` names what a dtype holds, so that a feature that is
a number on one side and text on the other is reported as a schema difference
instead of a share of mismatches.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modelhealth.checks.base import CheckError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "Coverage",
    "coverage",
    "differs",
    "family",
    "keyed",
    "read_offline",
    "shown",
    "text",
]

_CSV = (".csv", ".csv.gz", ".tsv")


def read_offline(path: str) -> pd.DataFrame:
    """The offline features at ``path``.

    Raises:
        CheckError: the file is missing, of an unknown type, or unreadable.
    """
    import pandas as pd

    where = Path(path)
    name = where.name.lower()
    if not where.exists():
        raise CheckError(f"the offline features file {path!r} does not exist")
    try:
        if name.endswith(_CSV):
            return pd.read_csv(where, sep="\t" if name.endswith(".tsv") else ",")
        if where.is_dir() or name.endswith((".parquet", ".pq")):
            return pd.read_parquet(where)
    except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
        raise CheckError(
            f"could not read the offline features {path!r}: {exc}"
        ) from exc
    raise CheckError(
        f"cannot read the offline features {path!r}: unknown file type; use "
        "Parquet (.parquet, .pq or a folder), CSV (.csv, .csv.gz) or TSV (.tsv)"
    )


def keyed(frame: pd.DataFrame, key: list[str], side: str) -> tuple[pd.DataFrame, int]:
    """``frame`` indexed by ``key``, and how many rows had a null key.

    Raises:
        CheckError: a key column is missing, or a key is not unique on this side.
    """
    missing = [k for k in key if k not in frame.columns]
    if missing:
        columns = ", ".join(map(str, frame.columns[:20]))
        raise CheckError(
            f"the key column {missing[0]!r} is not in the {side} (columns: {columns})"
        )
    null = frame[key].isna().any(axis=1)
    indexed = frame.loc[~null].set_index(key)
    repeated = indexed.index[indexed.index.duplicated()].unique()
    if len(repeated):
        sample = ", ".join(shown(k) for k in repeated[:3])
        raise CheckError(
            f"the key {'+'.join(key)} is not unique in the {side}: "
            f"{len(repeated):,} key(s) are on more than one row, e.g. {sample}; "
            "skew compares one offline row with one online row per key"
        )
    return indexed, int(null.sum())


def family(dtype: Any) -> str:
    """``number``, ``boolean``, ``datetime`` or ``text`` (anything else)."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    return "text"


def differs(
    offline: pd.Series, online: pd.Series, *, abs_tol: float, rel_tol: float
) -> np.ndarray:
    """Per aligned row, whether the two values differ (numbers within tolerance)."""
    import numpy as np

    both_null = offline.isna().to_numpy() & online.isna().to_numpy()
    if family(offline.dtype) == family(online.dtype) == "number":
        a = offline.to_numpy(dtype=np.float64, na_value=np.nan)
        b = online.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            close = np.abs(b - a) <= abs_tol + rel_tol * np.abs(a)
        same = close | (a == b) | both_null
        return np.asarray(~same)
    a_obj = offline.astype(object).to_numpy()
    b_obj = online.astype(object).to_numpy()
    equal = np.fromiter(
        (_equal(x, y) for x, y in zip(a_obj, b_obj, strict=True)),
        dtype=bool,
        count=len(a_obj),
    )
    one_null = offline.isna().to_numpy() ^ online.isna().to_numpy()
    return np.asarray(~(equal | both_null) | one_null)


def _equal(x: object, y: object) -> bool:
    try:
        return bool(x == y)
    except (TypeError, ValueError):  # e.g. arrays in a list column
        return repr(x) == repr(y)


def shown(key: object) -> str:
    """A key as messages show it: ``17``, or ``17/2026-01-05`` for a compound key."""
    if isinstance(key, tuple):
        return "/".join(str(k) for k in key)
    return str(key)


@dataclass(frozen=True)
class Coverage:
    """Which keys are on which side: the graded share (``None`` for a run without
    keyed rows), counts, examples and one sentence."""

    share: float | None
    metrics: dict[str, float]
    examples: tuple[dict[str, Any], ...]
    message: str


def coverage(offline: pd.Index, online: pd.Index, examples: int) -> Coverage:
    """The share of the run's keys without an offline row, and the other way round."""
    no_offline = online.difference(offline)
    not_run = offline.difference(online)
    kept = [
        {"key": shown(k), "missing_from": "offline features"}
        for k in no_offline[:examples]
    ] + [{"key": shown(k), "missing_from": "run data"} for k in not_run[:examples]]
    metrics = {
        "run_keys": float(len(online)),
        "offline_keys": float(len(offline)),
        "matched": float(len(online) - len(no_offline)),
        "missing_offline": float(len(no_offline)),
        "missing_in_run": float(len(not_run)),
    }
    if len(online) == 0:
        return Coverage(None, metrics, tuple(kept), "")
    share = len(no_offline) / len(online)
    sample = ", ".join(shown(k) for k in no_offline[:3])
    message = (
        f"{len(no_offline):,} of {len(online):,} run keys ({share:.2%}) have no "
        "offline features"
        + (f", e.g. {sample}" if sample else "")
        + f"; {len(not_run):,} offline keys are not in the run"
    )
    return Coverage(share, metrics, tuple(kept), message)


def text(value: object) -> str:
    """A value as messages show it: numbers to 6 digits, text quoted."""
    import numbers

    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return f"{float(value):.6g}"
    return repr(value) if isinstance(value, str) else str(value)
