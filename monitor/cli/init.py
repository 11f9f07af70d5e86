"""``modelhealth init --data FILE``: a starter rules file, inferred from a dataset.

It reads the file once and writes what a first rules file would say about it:

- a ``schema`` check with each column's dtype as read, ``nullable: false`` where
  the data has no nulls, ``ge``/``le`` from the numbers' range, ``isin`` for text
  with few distinct values, and ``unique`` for id-like text columns;
- ``quality``, ``drift`` (id-like and time columns left out) and ``volume`` (half
  the file's rows as ``min_rows``);
- when columns are named like a model's output (``prediction``, ``score``,
  ``y_pred``...) and ground truth (``label``, ``target``, ``y``...): ``prediction:``
  and ``label:`` with the task the values suggest, a ``prediction`` check and a
  post-deployment ``metric`` check.

The file is validated like any rules file before it is written; it is a start, to
be read and tightened, not a verdict. Registered on the main app by
:func:`register`; imports only typer at module level.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["register", "starter_rules"]

_PREDICTION = ("prediction", "predicted", "pred", "y_pred", "score", "probability")
_LABEL = ("label", "target", "y", "y_true", "actual", "ground_truth", "outcome")
_FEW = 20  # at most this many distinct texts make an ``isin`` list


def _find(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    lowered = {str(c).lower(): str(c) for c in frame.columns}
    for name in names:
        if name in lowered:
            return lowered[name]
    for column in frame.columns:  # churn_score, predicted_team, label_churned...
        parts = re.split(r"[_\W]+", str(column).lower())
        if any(p in names for p in parts):
            return str(column)
    return None


def _number(value: Any) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else round(number, 6)


def _column_spec(series: pd.Series) -> tuple[dict[str, Any], bool]:
    """The schema of one column, and whether it looks like an id."""
    import pandas as pd

    spec: dict[str, Any] = {"dtype": str(series.dtype)}
    values = series.dropna()
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        spec["dtype"] = "str"
    if len(values) == len(series):
        spec["nullable"] = False
    is_id = False
    if pd.api.types.is_bool_dtype(series.dtype):
        return spec, False
    if pd.api.types.is_numeric_dtype(series.dtype) and len(values):
        spec["checks"] = {"ge": _number(values.min()), "le": _number(values.max())}
    elif spec["dtype"] == "str" and len(values):
        distinct = values.astype(str).unique()
        if len(distinct) <= _FEW and len(distinct) < len(values):
            spec["isin"] = sorted(distinct.tolist())
        elif len(distinct) == len(values) and len(values) > _FEW:
            spec["unique"] = True
            is_id = True
    return spec, is_id


def _task(frame: pd.DataFrame, prediction: str, label: str | None) -> str:
    import pandas as pd

    target = frame[label] if label is not None else frame[prediction]
    values = target.dropna()
    classes = values.nunique()
    numeric = pd.api.types.is_numeric_dtype(target.dtype)
    if classes <= 2:
        return "binary_classification"
    scores = frame[prediction].dropna()
    if (
        label is None
        and pd.api.types.is_float_dtype(scores.dtype)
        and len(scores)
        and 0 <= scores.min() <= scores.max() <= 1
    ):
        return "binary_classification"  # probabilities
    if not numeric or (classes <= _FEW and pd.api.types.is_integer_dtype(target.dtype)):
        return "multiclass_classification"
    return "regression"


_METRIC = {
    "binary_classification": ("roc_auc", {"min": 0.7, "max_drop": 0.03}),
    "multiclass_classification": ("accuracy", {"max_drop": 0.05}),
    "regression": ("mae", {}),  # max_drop: a tenth of the label's spread
}


def starter_rules(frame: pd.DataFrame, model: str) -> dict[str, Any]:
    """A starter rules document for data like ``frame``.

    Args:
        frame: a dataset of the model: reference data, or a production run.
        model: the model's name.

    Returns:
        The document, ready to dump as YAML.
    """
    import pandas as pd

    prediction = _find(frame, _PREDICTION)
    label = _find(frame, _LABEL)
    if label == prediction:
        label = None
    columns: dict[str, Any] = {}
    left_out: list[str] = []
    for name in frame.columns:
        spec, is_id = _column_spec(frame[name])
        columns[str(name)] = spec
        dtype = frame[name].dtype
        if is_id or pd.api.types.is_datetime64_any_dtype(dtype):
            left_out.append(str(name))
    doc: dict[str, Any] = {"version": 1, "model": model}
    checks: list[dict[str, Any]] = [
        {
            "id": "input-schema",
            "kind": "schema",
            "severity": "critical",
            "columns": columns,
        },
        {"id": "data-quality", "kind": "quality", "exclude": left_out},
        {
            "id": "feature-drift",
            "kind": "drift",
            "exclude": [c for c in (*left_out, prediction, label) if c is not None],
        },
        {"id": "row-count", "kind": "volume", "min_rows": max(1, len(frame) // 2)},
    ]
    if prediction is not None:
        task = _task(frame, prediction, label)
        doc["prediction"] = {"column": prediction, "task": task}
        checks.append(
            {"id": "prediction-drift", "kind": "prediction", "severity": "critical"}
        )
        if label is not None:
            doc["label"] = {"column": label}
            metric, bounds = _METRIC[task]
            if task == "regression":
                spread = float(frame[label].std()) if len(frame) > 1 else 0.0
                bounds = {"max_drop": float(f"{max(spread, 1e-9) / 10:.3g}")}
            checks.append(
                {"id": f"live-{metric}", "kind": "metric", "metric": metric, **bounds}
            )
    for check in checks:
        if check.get("exclude") == []:
            del check["exclude"]
    doc["checks"] = checks
    doc["alerts"] = [{"channel": "console", "min_severity": "warning"}]
    return doc


def init(
    data: Annotated[
        Path, typer.Option("--data", help="A dataset of the model: Parquet or CSV.")
    ],
    model: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--model", help="The model's name [default: the file's name]."),
    ] = None,
    out: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--out", help="Where to write [default: rules/MODEL.yaml]."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the file if it exists.")
    ] = False,
) -> None:
    """Write a starter rules file inferred from a dataset."""
    import yaml

    from modelhealth.config import load_rules
    from modelhealth.engine.inputs import read_frame
    from modelhealth.errors import UsageError

    name = model or re.sub(r"[^A-Za-z0-9_.-]+", "-", data.name.split(".")[0]) or "model"
    target = out or Path("rules") / f"{name}.yaml"
    if target.exists() and not force:
        raise UsageError(f"{str(target)!r} exists; use --force to replace it")
    frame = read_frame(data, what="data")
    doc = starter_rules(frame, name)
    text = (
        f"# Starter rules for model {name!r}, inferred from {data} "
        f"({len(frame):,} rows).\n# Read and tighten them: see docs/rules.md.\n"
        + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    draft = target.with_name(f".{target.name}.draft")
    draft.write_text(text, encoding="utf-8")
    try:
        rule_set = load_rules(draft)  # what we write must load
    except Exception:
        draft.unlink()
        raise
    draft.replace(target)
    typer.echo(
        f"wrote {target}: model {rule_set.model!r}, {len(rule_set.checks)} checks "
        f"({', '.join(c.kind for c in rule_set.checks)})"
    )


def register(app: typer.Typer) -> None:
    app.command("init")(init)
