"""Feature importance given with a baseline (``modelhealth baseline --importance``).

:func:`read_importance` takes a mapping (the Python API) or a file: JSON holding
``{"feature": importance, ...}`` or ``[{"feature": ..., "importance": ...}, ...]``,
or CSV with the columns ``feature`` and ``importance`` (the shape a model's
``feature_importances_`` or mean absolute SHAP values are usually exported in).
Every importance is a finite number >= 0 (give signed attributions as absolute
values). The baseline keeps them in its details, and ``drift`` checks rank their
drifted columns by importance x drift (see :mod:`modelhealth.checks._causes`).
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from modelhealth.errors import UsageError

__all__ = ["ImportanceArg", "read_importance"]

ImportanceArg = Mapping[str, float] | str | os.PathLike[str]
"""Feature importance as the API takes it: a mapping, or a JSON or CSV file."""


def read_importance(source: ImportanceArg) -> dict[str, float]:
    """``{feature: importance}`` from a mapping or a JSON/CSV file.

    Raises:
        UsageError: the file is missing or malformed, or an importance is not a
            finite number >= 0.
    """
    if isinstance(source, Mapping):
        return _checked(dict(source), "importance")
    path = Path(source)
    where = f"importance file {str(path)!r}"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"could not read the {where}: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
        if not rows or not {"feature", "importance"} <= set(rows[0]):
            raise UsageError(
                f"the {where} needs a header with the columns feature and importance"
            )
        return _checked({r["feature"]: r["importance"] for r in rows}, where)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"the {where} is not JSON (line {exc.lineno}: {exc.msg}); give an "
            'object like {"age": 0.3} or a CSV with columns feature,importance'
        ) from exc
    if isinstance(data, list):
        try:
            data = {str(r["feature"]): r["importance"] for r in data}
        except (TypeError, KeyError) as exc:
            raise UsageError(
                f"the {where} holds a list; each entry needs feature and importance"
            ) from exc
    if not isinstance(data, dict):
        raise UsageError(f'the {where} must hold an object like {{"age": 0.3}}')
    return _checked(data, where)


def _checked(values: dict[str, Any], where: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, value in values.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if isinstance(value, bool) or not math.isfinite(number) or number < 0:
            raise UsageError(
                f"{where}: the importance of {name!r} must be a finite number >= 0, "
                f"got {value!r}"
            )
        out[str(name)] = number
    if not out:
        raise UsageError(f"{where}: no feature importance in it")
    return out
