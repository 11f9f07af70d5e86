"""The champion's predictions beside the candidate's, on the same holdout rows.

The gate compares like with like: the model in production (the *champion*) and the
*candidate* scored on the same rows. The champion's predictions come either as a
column of the holdout data (``--champion-column``) or as a file joined on the
rules' ``label.key`` (``--champion-predictions``), whose prediction column is named
as the rules name the candidate's. :func:`attach_champion` returns the holdout with
the champion's predictions in the column :data:`CHAMPION`, after refusing, each with
its own message, what would make the comparison meaningless: a missing column, a
column of another task (classes beside scores), a file that matches no row or
repeats keys, and a champion whose predictions equal the candidate's on every row.

:func:`fingerprint` names the data a verdict was reached on.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from modelhealth.checks.passes import Batch, RowPass
from modelhealth.engine.inputs import DataArg, read_data
from modelhealth.errors import DataError, UsageError
from modelhealth.rules.models import RuleSet

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CHAMPION", "attach_champion", "fingerprint"]

CHAMPION = "__champion__"
"""The holdout column that holds the champion's predictions during a gate."""


def attach_champion(
    frame: pd.DataFrame,
    rule_set: RuleSet,
    *,
    column: str | None = None,
    predictions: DataArg | None = None,
) -> tuple[pd.DataFrame, str]:
    """The holdout with the champion's predictions as :data:`CHAMPION`.

    Args:
        frame: the holdout, with the candidate's predictions and the labels.
        rule_set: the model's rules (prediction column, label key, task).
        column: the holdout column of the champion's predictions, or
        predictions: a file (or frame) of them, keyed like the labels.

    Returns:
        The holdout with the champion column, and where it came from (for the
        verdict: ``column 'score_v1'`` or ``file 'champion.parquet'``).

    Raises:
        UsageError: both or neither given, no ``label.key`` to join a file on, a
            champion of another task, or identical to the candidate.
        DataError: the column or the file's key or prediction column is missing,
            the file repeats keys or matches no holdout row.
    """
    assert rule_set.prediction is not None
    assert rule_set.label is not None
    if (column is None) == (predictions is None):
        raise UsageError(
            "give the champion's predictions once: --champion-column or "
            "--champion-predictions"
        )
    pred = rule_set.prediction.column
    if column is not None:
        if column not in frame.columns:
            raise DataError(
                f"the holdout data has no champion column {column!r} "
                f"(columns: {', '.join(map(str, frame.columns[:20]))})"
            )
        if column == pred:
            raise UsageError(
                f"the champion column {column!r} is the candidate's prediction column"
            )
        out = frame.drop(columns=[column]).assign(**{CHAMPION: frame[column]})
        source = f"column {column!r}"
    else:
        out, source = _join(frame, rule_set, predictions)
    _same_task(out[pred], out[CHAMPION], rule_set, source)
    both = out[pred].notna() & out[CHAMPION].notna()
    if both.any() and out.loc[both, pred].equals(out.loc[both, CHAMPION]):
        raise UsageError(
            f"the champion ({source}) made the same predictions as the candidate "
            f"on all {int(both.sum()):,} rows: there is nothing to compare (is it "
            "the same model?)"
        )
    return out, source


def _join(
    frame: pd.DataFrame, rule_set: RuleSet, predictions: DataArg | None
) -> tuple[pd.DataFrame, str]:
    assert rule_set.prediction is not None
    assert rule_set.label is not None
    key, pred = rule_set.label.key, rule_set.prediction.column
    if key is None:
        raise UsageError(
            "joining the champion's predictions needs 'label: {key: ...}' in the "
            "rules (the column that names a row); or pass --champion-column"
        )
    assert predictions is not None
    champ = read_data(predictions, "champion predictions")
    where = f"file {str(predictions)!r}" if not hasattr(predictions, "columns") else (
        "the champion's frame"
    )  # fmt: skip
    for name, frame_ in ((key, frame), (key, champ), (pred, champ)):
        if name not in frame_.columns:
            what = "holdout data" if frame_ is frame else "champion predictions"
            raise DataError(f"the {what} have no column {name!r} to join on or read")
    if champ[key].duplicated().any():
        dup = champ.loc[champ[key].duplicated(), key].iloc[0]
        raise DataError(
            f"the champion predictions repeat the key {key!r} = {dup}; each row "
            "needs one prediction"
        )
    right = champ[[key, pred]].rename(columns={pred: CHAMPION})
    out = frame.merge(right, on=key, how="left", validate="many_to_one")
    if out[CHAMPION].isna().all():
        raise DataError(
            f"no holdout row's {key!r} is in the champion predictions ({where})"
        )
    return out, where


def _same_task(
    candidate: pd.Series, champion: pd.Series, rule_set: RuleSet, source: str
) -> None:
    """Refuse a champion whose predictions cannot be read like the candidate's."""
    from pandas.api import types as ptypes

    from modelhealth.checks._metrics import is_score

    assert rule_set.prediction is not None
    task = rule_set.prediction.task
    if task == "multiclass_classification":
        return
    if task == "regression":
        ok = ptypes.is_numeric_dtype(champion.dtype)
        want = "numbers"
    else:
        ok = is_score(champion.dropna()) == is_score(candidate.dropna())
        want = "scores" if is_score(candidate.dropna()) else "classes"
    if not ok:
        raise UsageError(
            f"the champion ({source}) does not hold {want} like the candidate's "
            f"{rule_set.prediction.column!r} (dtype {champion.dtype}): the task is "
            f"{task}"
        )


def fingerprint(frame: pd.DataFrame) -> str:
    """A SHA-256 of the holdout's column names and values, row order included."""
    row_pass = FingerprintPass()
    row_pass.update(Batch(frame=frame))
    return row_pass.hexdigest()


class FingerprintPass(RowPass):
    """:func:`fingerprint` of a holdout read in batches: the same digest as of
    the whole frame (row hashes are taken row by row, in order)."""

    def __init__(self) -> None:
        self._digest: Any = None

    def update(self, batch: Batch) -> None:
        import pandas as pd

        frame = batch.frame
        if self._digest is None:
            self._digest = hashlib.sha256("\x1f".join(map(str, frame.columns)).encode())
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        self._digest.update(rows.tobytes())

    def merge(self, other: Any) -> None:
        assert isinstance(other, FingerprintPass)
        if other._digest is None:
            return
        if self._digest is None:
            self._digest = other._digest
            return
        # partitions read apart: a digest of both digests, in partition order
        both = hashlib.sha256(self._digest.digest() + other._digest.digest())
        self._digest = both

    def hexdigest(self) -> str:
        """The digest (of no rows: of nothing)."""
        return (self._digest or hashlib.sha256()).hexdigest()


def holdout_fingerprint(data: DataArg, rule_set: RuleSet) -> tuple[str, pd.DataFrame]:
    """The fingerprint of holdout data read as the gate reads it (the local
    engine, in batches), and its rows for fitting (a sample when large)."""
    from modelhealth.engine import EngineSettings, RunData, get_engine, scan_run

    engine = get_engine(EngineSettings.from_env(name="local"))
    scan = scan_run(
        engine,
        RunData(inputs=data),
        rule_set,
        reference=None,
        checks=(),
        extra={"fingerprint": FingerprintPass()},
    )
    found = scan.extra["fingerprint"]
    assert isinstance(found, FingerprintPass)
    return found.hexdigest(), scan.frame
