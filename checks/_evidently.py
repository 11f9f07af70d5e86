"""``engine: evidently``: the drift check's columns judged by evidently's own tests.

For each selected column this calls evidently's stattest (the same per-column
function its ``DataDriftPreset`` runs, from ``evidently.legacy.calculations.
stattests``) on the raw reference and run values, with our method's name and our
level, and maps its ``(score, drifted)`` back to a result: ``failed`` when
evidently says drifted, else ``passed``; ``value`` is evidently's score (a p-value
for its tests), ``threshold`` the level it used. ``method: auto`` lets evidently
pick its default test (by column type and size).

evidently needs raw data on both sides, and a stored reference is only a profile:
the check reads ``reference_data`` (a Parquet or CSV file) and errors with a clear
message without it. evidently is imported here only, never by ``import
modelhealth.checks.drift``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from modelhealth.checks.base import CheckContext, CheckResult, Status

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.checks.drift import DriftCheck

__all__ = ["run_evidently"]


def _read(path: str) -> pd.DataFrame:
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"the reference_data file {path!r} does not exist")
    if p.suffix.lower() in (".csv", ".tsv") or p.name.lower().endswith(".csv.gz"):
        return pd.read_csv(p, sep="\t" if p.suffix.lower() == ".tsv" else ",")
    return pd.read_parquet(p)


def run_evidently(
    check: DriftCheck, ctx: CheckContext, columns: list[str]
) -> list[CheckResult]:
    """One result per column from evidently's stattests.

    Args:
        check: the drift check (its params give method, levels, reference_data).
        ctx: the run; ``ctx.frame`` holds the run's raw values.
        columns: the selected columns.

    Returns:
        The results, ``errored`` for every column when the reference data is
        missing or unreadable.
    """
    path = check.params.reference_data
    if path is None:
        return [
            check.result(
                Status.ERRORED,
                subject=c,
                message="engine evidently needs the reference's raw data: set "
                "reference_data to its Parquet or CSV file (a stored baseline "
                "holds only its profile)",
            )
            for c in columns
        ]
    try:
        reference = _read(path)
    except (OSError, ValueError) as exc:
        return [
            check.result(Status.ERRORED, subject=c, message=str(exc)) for c in columns
        ]
    with warnings.catch_warnings():  # evidently 0.7 warns about numpy.core
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        return _columns(check, ctx, columns, reference)


def _columns(
    check: DriftCheck, ctx: CheckContext, columns: list[str], reference: pd.DataFrame
) -> list[CheckResult]:
    from evidently.legacy.calculations.stattests.registry import get_stattest
    from evidently.legacy.core import ColumnType

    results = []
    for column in columns:
        method, threshold = check.plan(column)
        if column not in reference.columns or column not in ctx.frame.columns:
            side = "reference_data" if column not in reference.columns else "run"
            results.append(
                check.result(
                    Status.ERRORED,
                    subject=column,
                    message=f"column {column!r} is missing from the {side}",
                )
            )
            continue
        ref, cur = reference[column], ctx.frame[column]
        numeric = ref.dtype.kind in "iuf" and ref.dtype != bool
        kind = ColumnType.Numerical if numeric else ColumnType.Categorical
        level = threshold.fail if threshold.fail is not None else threshold.warn
        if method == "auto":
            level = None  # evidently's own default level for its own choice
        try:
            test = get_stattest(ref, cur, kind, None if method == "auto" else method)
            out = test(ref.dropna(), cur.dropna(), kind, level)
        except Exception as exc:  # evidently's own errors: not applicable, ...
            results.append(
                check.result(
                    Status.ERRORED, subject=column, message=f"evidently: {exc}"
                )
            )
            continue
        status = Status.FAILED if out.drifted else Status.PASSED
        score, used = float(out.drift_score), float(out.actual_threshold)
        results.append(
            check.result(
                status,
                subject=column,
                value=score,
                threshold={"fail": used},
                metrics={"statistic": score, test.name: score},
                details={
                    "method": test.name,
                    "engine": "evidently",
                    "reference_count": int(ref.notna().sum()),
                    "current_count": int(cur.notna().sum()),
                },
                message=f"evidently {test.name} {score:.3g}: "
                f"{'drift' if out.drifted else 'no drift'} at {used:.3g}",
            )
        )
    return results
