"""What the ``prediction`` check counts in the prediction column, over every row.

:class:`PredictionSummary` holds the parts the check grades besides drift (the
null share, predictions out of range, the predicted-positive rate, class shares).
:func:`summarize` makes it from a frame's column (:mod:`modelhealth.checks._predictions`
reads it); :class:`PredictionPass` from every batch of a run, adding up counts, so
that a run larger than the engine's sample is counted whole. Both read the column
alike: a binary classifier's column holds scores when it is a float column with a
value other than 0 and 1 anywhere in the run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from modelhealth.checks import _predictions as pr
from modelhealth.checks._metrics import is_score
from modelhealth.checks._text import as_text, scalar_text
from modelhealth.checks.passes import Batch, RowPass

if TYPE_CHECKING:
    from modelhealth.rules.models import PredictionSpec

__all__ = ["PredictionPass", "PredictionSummary", "summarize"]

_TRUE = ("1", "1.0", "true", "True")


@dataclass
class PredictionSummary:
    """The prediction column's counts that the check grades.

    Attributes:
        rows: rows of the run.
        nulls: null predictions.
        numeric: the column holds numbers (not booleans).
        score: a binary classifier's scores (see the module).
        range_score: scores for the default ``[0, 1]`` range: a float column
            with any value, null included, other than 0 and 1.
        dtype: the column's type, for messages.
        outside: ``(count, up to 5 smallest distinct values)`` outside the bounds
            the summary was made for.
        positives: non-null predictions in the positive class.
        classes: predictions per class, as text.
    """

    rows: int = 0
    nulls: int = 0
    numeric: bool = True
    score: bool = False
    range_score: bool = False
    dtype: str = ""
    outside: tuple[int, list[float | str]] = (0, [])
    positives: int = 0
    classes: Counter[str] = field(default_factory=Counter)

    def positive_rate(self) -> float | None:
        present = self.rows - self.nulls
        return self.positives / present if present else None

    def class_shares(self) -> dict[str, float]:
        present = sum(self.classes.values())
        ordered = sorted(self.classes.items(), key=lambda kv: (-kv[1], kv[0]))
        return {k: v / present for k, v in ordered} if present else {}


def bounds_for(lo: float | None, hi: float | None) -> tuple[float | None, float | None]:
    """The range counted: the given bounds, else ``[0, 1]`` (a classifier's scores)."""
    return (0.0, 1.0) if lo is None and hi is None else (lo, hi)


def summarize(
    values: pd.Series, spec: PredictionSpec, lo: float | None, hi: float | None
) -> PredictionSummary:
    """The summary of one frame's prediction column."""
    found = PredictionPass(spec, lo, hi)
    found.add(values)
    return found.summary()


class PredictionPass(RowPass):
    """The counts of :class:`PredictionSummary`, batch by batch."""

    def __init__(
        self, spec: PredictionSpec, lo: float | None, hi: float | None
    ) -> None:
        self.spec = spec
        self.lo, self.hi = bounds_for(lo, hi)
        self.rows = 0
        self.nulls = 0
        self.seen = False
        self.numeric = True
        self.all_float = True
        self.scores_seen = False
        self.dtype = ""
        self.outside = 0
        self.shown = np.empty(0, dtype=np.float64)
        self.positives: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()

    def update(self, batch: Batch) -> None:
        frame = batch.frame
        if self.spec.column not in frame.columns:
            self.rows += len(frame)
            self.nulls += len(frame)
            return
        self.add(frame[self.spec.column])

    def add(self, values: pd.Series) -> None:
        """Count one slice of the prediction column."""
        self.seen = True
        self.dtype = self.dtype or str(values.dtype)
        self.rows += len(values)
        present = values.dropna()
        self.nulls += len(values) - len(present)
        numeric = pr.is_number(values)
        self.numeric &= numeric
        floats = pd.api.types.is_float_dtype(values.dtype)
        self.all_float &= floats
        scores_here = floats and is_score(present)
        self.scores_seen |= scores_here
        if numeric:
            x = values.to_numpy(dtype=np.float64, na_value=np.nan)
            low = -np.inf if self.lo is None else self.lo
            high = np.inf if self.hi is None else self.hi
            out = x[~np.isnan(x) & ((x < low) | (x > high) | np.isinf(x))]
            self.outside += len(out)
            self.shown = np.unique(np.concatenate([self.shown, out]))[:5]
        task = self.spec.task
        if task == "binary_classification":
            self.positives.update(self._positives(present, numeric, scores_here))
        elif task == "multiclass_classification":
            counts = as_text(present).value_counts()
            self.counts.update({str(k): int(v) for k, v in counts.items()})

    def _positives(
        self, present: pd.Series, numeric: bool, scores: bool
    ) -> dict[str, int]:
        """Positives counted each way the column may be read (decided at the end)."""
        out = {"threshold": 0, "label": 0}
        if numeric:
            x = present.to_numpy(dtype=np.float64)
            out["threshold"] = int(np.count_nonzero(x >= self.spec.decision_threshold))
        else:
            out["threshold"] = int(as_text(present).isin(_TRUE).sum())
        if self.spec.positive_label is not None and not scores:
            label = scalar_text(self.spec.positive_label)
            out["label"] = int((as_text(present) == label).sum())
        return out

    def merge(self, other: Any) -> None:
        assert isinstance(other, PredictionPass)
        self.rows += other.rows
        self.nulls += other.nulls
        self.seen |= other.seen
        self.numeric &= other.numeric
        self.all_float &= other.all_float
        self.scores_seen |= other.scores_seen
        self.dtype = self.dtype or other.dtype
        self.outside += other.outside
        self.shown = np.unique(np.concatenate([self.shown, other.shown]))[:5]
        self.positives.update(other.positives)
        self.counts.update(other.counts)

    def summary(self) -> PredictionSummary:
        score = self.all_float and self.scores_seen
        by_label = self.spec.positive_label is not None and not score
        shown: list[float | str] = [
            float(v) if np.isfinite(v) else str(v) for v in self.shown
        ]
        return PredictionSummary(
            rows=self.rows,
            nulls=self.nulls,
            numeric=self.numeric,
            score=score,
            range_score=self.all_float and (self.scores_seen or self.nulls > 0),
            dtype=self.dtype,
            outside=(self.outside, shown),
            positives=self.positives["label" if by_label else "threshold"],
            classes=Counter(self.counts),
        )
