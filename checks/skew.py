"""``skew``: training-serving skew, the same entities' features offline and online.

The offline features (a training set or feature-store export, ``offline: PATH`` in
the rule, or ``check --offline PATH`` / ``check_run(offline=...)`` for one run,
which overrides the rule's) and the run's rows are joined on ``key``. The offline
side says which features the model was trained on: every one of its columns (or
those of ``columns``) but the key, the prediction and the label is compared.
Results:

- one per feature (subject = the column): the value is the share of the keys on
  both sides whose two values differ (numbers beyond ``tolerance``, anything else
  exactly; see :mod:`modelhealth.checks._skew`), graded by ``max_mismatch``, with a
  few differing keys as examples. A feature missing from the run, or a number on
  one side and text on the other, is a schema difference: ``failed``, no value.
- one for the key coverage (subject ``None``): the value is the share of the run's
  keys that have no offline row, graded by ``max_missing``; the offline keys that
  are not in the run are counted and shown, not graded (an export usually holds
  more entities than one run).

A key column missing on either side, or a key held by two rows of one side, makes
one ``errored`` result that says so; nothing is compared. So does a rule without
``offline`` checked without ``--offline``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from modelhealth.checks import _skew
from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckError,
    CheckParams,
    CheckResult,
    Status,
    grade,
)
from modelhealth.rules.models import Threshold

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SkewCheck", "SkewParams", "Tolerance"]


class Tolerance(BaseModel):
    """How far apart two numbers may be and still be equal: ``abs + rel *
    |offline|``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    abs: float = Field(default=0.0, ge=0)
    rel: float = Field(default=1e-9, ge=0)


class SkewParams(CheckParams):
    """Offline features joined with the run's rows on a key, feature by feature."""

    kind: Literal["skew"] = "skew"
    offline: str | None = Field(default=None, min_length=1)
    key: str | list[str] = Field(min_length=1)
    columns: Literal["*"] | list[str] = "*"
    exclude: list[str] = Field(default_factory=list)
    tolerance: Tolerance = Tolerance()
    per_column: dict[str, Tolerance] = Field(default_factory=dict)
    max_mismatch: Threshold = Threshold(warn=0.001, fail=0.01)
    max_missing: Threshold = Threshold(warn=0.01, fail=0.1)
    examples: int = Field(default=5, ge=0, le=100)

    @property
    def keys(self) -> list[str]:
        return [self.key] if isinstance(self.key, str) else list(self.key)


class SkewCheck(Check[SkewParams]):
    """Compares each offline feature with the run's value of the same key."""

    params_type = SkewParams

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        p = self.params
        offline_raw = self._offline()
        offline, offline_nulls = _skew.keyed(offline_raw, p.keys, "offline features")
        online, online_nulls = _skew.keyed(ctx.frame, p.keys, "run data")
        matched = online.index.intersection(offline.index)
        results = [
            self._feature(column, offline, online, matched)
            for column in self._columns(ctx, offline)
        ]
        extra = [str(c) for c in online.columns if c not in offline.columns]
        nulls = {"offline": offline_nulls, "run": online_nulls}
        results.append(self._coverage(offline, online, nulls, extra))
        return results

    def __init__(self, params: SkewParams) -> None:
        super().__init__(params)
        self._offline_frame: pd.DataFrame | None = None

    def _offline(self) -> pd.DataFrame:
        """The offline features, read once per check (not once per segment)."""
        if self.params.offline is None:
            raise CheckError(
                "no offline features to compare with: give the rule offline: PATH, "
                "or the run --offline PATH (check_run(offline=...))"
            )
        if self._offline_frame is None:
            self._offline_frame = _skew.read_offline(self.params.offline)
        return self._offline_frame

    def _columns(self, ctx: CheckContext, offline: pd.DataFrame) -> list[str]:
        p = self.params
        excluded = set(p.exclude)
        if p.columns != "*":
            return [c for c in p.columns if c not in excluded]
        rs = ctx.rule_set
        for spec in (rs.prediction, rs.label):
            if spec is not None:
                excluded.add(spec.column)
        if rs.prediction is not None and rs.prediction.scores:
            excluded.update(rs.prediction.scores.values())
        return [str(c) for c in offline.columns if str(c) not in excluded]

    def _feature(
        self,
        column: str,
        offline: pd.DataFrame,
        online: pd.DataFrame,
        matched: pd.Index,
    ) -> CheckResult:
        p = self.params
        for side, frame in (("offline features", offline), ("run data", online)):
            if column not in frame.columns:
                return self.result(
                    Status.FAILED,
                    subject=column,
                    details={"schema": f"not in the {side}"},
                    message=f"column {column!r} is not in the {side}",
                )
        off, on = offline[column], online[column]
        kinds = _skew.family(off.dtype), _skew.family(on.dtype)
        dtypes = {"offline_dtype": str(off.dtype), "run_dtype": str(on.dtype)}
        if kinds[0] != kinds[1]:
            return self.result(
                Status.FAILED,
                subject=column,
                details={**dtypes, "schema": "types differ"},
                message=f"column {column!r} is {kinds[0]} ({off.dtype}) offline and "
                f"{kinds[1]} ({on.dtype}) in the run",
            )
        if len(matched) == 0:
            return self.result(
                Status.SKIPPED,
                subject=column,
                details=dtypes,
                message=f"no key is on both sides; {column!r} was not compared",
            )
        tol = p.per_column.get(column, p.tolerance)
        a, b = off.reindex(matched), on.reindex(matched)
        mask = _skew.differs(a, b, abs_tol=tol.abs, rel_tol=tol.rel)
        bad = int(mask.sum())
        share = bad / len(matched)
        status = grade(share, p.max_mismatch)
        examples = [
            {"key": _skew.shown(matched[i]), "offline": a.iloc[i], "run": b.iloc[i]}
            for i in mask.nonzero()[0][: p.examples]
        ]
        number = kinds[0] == "number"
        how = f"beyond abs {tol.abs:g} + rel {tol.rel:g}" if number else "exactly"
        note = f"{bad:,} of {len(matched):,} keys ({share:.2%}) differ {how}"
        if examples:
            first = examples[0]
            note += f", e.g. key {first['key']}: offline {_skew.text(first['offline'])}"
            note += f", run {_skew.text(first['run'])}"
        if dtypes["offline_dtype"] != dtypes["run_dtype"]:
            note += f" (dtypes {off.dtype} offline, {on.dtype} in the run)"
        return self.result(
            status,
            subject=column,
            value=share,
            threshold=p.max_mismatch.model_dump(exclude_none=True),
            metrics={"mismatched": float(bad), "compared": float(len(matched))},
            details={**dtypes, "compared_as": how, "kind": kinds[0]},
            failures=tuple(examples),
            message=note,
        )

    def _coverage(
        self,
        offline: pd.DataFrame,
        online: pd.DataFrame,
        nulls: dict[str, int],
        extra: list[str],
    ) -> CheckResult:
        p = self.params
        found = _skew.coverage(offline.index, online.index, p.examples)
        details = {"null_keys": nulls, "run_only_columns": extra[:50]}
        if found.share is None:
            return self.result(
                Status.SKIPPED,
                metrics=found.metrics,
                details=details,
                message="the run has no keyed rows; key coverage was not measured",
            )
        note = found.message
        if any(nulls.values()):
            note += f"; null keys left out: {nulls['run']} run, "
            note += f"{nulls['offline']} offline"
        return self.result(
            grade(found.share, p.max_missing),
            value=found.share,
            threshold=p.max_missing.model_dump(exclude_none=True),
            metrics=found.metrics,
            details=details,
            failures=found.examples,
            message=note,
        )
