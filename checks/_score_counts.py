"""Class counts per score, merged batch by batch: what ROC AUC and PR AUC need.

ROC AUC and average precision (``pr_auc``) depend on the scores only through their
order, so a table of ``(score, negatives, positives)`` rows, sorted by score, gives
both: exactly, as scikit-learn computes them, while each row is one distinct score.

:class:`ScoreCounts` keeps one row per distinct score while the run has at most
:data:`EXACT_LIMIT` distinct scores (a tree model's leaves, rounded scores, class
predictions). Past that it keeps one row per *bin* of :func:`bin_keys`: bins
narrow enough that the few pairs of a positive and a negative falling into the
same bin (counted as ties, half right) move ROC AUC by far less than 0.001.

**Bins.** A bin is the score's float64 bits cut to :data:`MANTISSA_BITS` bits of
mantissa, so its width is relative to the score: about 0.025% of the distance to 0,
and, for scores above 0.5, of the distance to 1 (``1 - s`` is binned instead), so
probabilities near 0 or 1, where confident models put most rows, are told apart as
finely as those in the middle. Scores outside ``[0, 1]`` (margins, log-odds, any
real number) are binned the same way, relative to their distance from 0 (or, above
1, from 1): the order of the scores is all that matters. The binning is a function
of the score alone, so the table does not depend on how the rows were cut.
:attr:`ScoreCounts.tie_bound` is the most the binning can have moved ROC AUC: small
unless the scores crowd into a sliver narrower than a few bins (every score within
0.0001 of 0.5), which the ``metric`` check then computes from its frame instead.
A probability model's table holds at most about 160,000 rows (4 MB), however
large the run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "EXACT_LIMIT",
    "MANTISSA_BITS",
    "ScoreCounts",
    "average_precision",
    "bin_keys",
    "roc_auc",
]

EXACT_LIMIT = 20_000
"""Distinct scores kept exactly; more are binned."""

MANTISSA_BITS = 12
"""Mantissa bits a bin keeps: bins about ``2**-12`` (0.025%) of the score wide."""

_MAGNITUDE = np.int64(0x7FFF_FFFF_FFFF_FFFF)
_SHIFT = 52 - MANTISSA_BITS


def _ordered(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Integers in the order of the floats (``-0.0`` and ``0.0`` alike), binned."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    ordered = np.where(bits >= 0, bits, -(bits & _MAGNITUDE))
    shifted: npt.NDArray[np.int64] = ordered >> _SHIFT
    return shifted


_HALF = int(_ordered(np.array([0.5]))[0])


def bin_keys(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Each score's bin, as an integer that sorts like the scores (see the module)."""
    scores = np.asarray(scores, dtype=np.float64)
    low = _ordered(scores)
    high = 2 * _HALF - _ordered(1.0 - scores)
    keys: npt.NDArray[np.int64] = np.where(scores > 0.5, high, low)
    return keys


def _aggregate(
    keys: npt.NDArray[Any],
    negatives: npt.NDArray[np.int64],
    positives: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    unique, inverse = np.unique(keys, return_inverse=True)
    neg = np.bincount(inverse, weights=negatives, minlength=len(unique))
    pos = np.bincount(inverse, weights=positives, minlength=len(unique))
    return unique, neg.astype(np.int64), pos.astype(np.int64)


class ScoreCounts:
    """Negatives and positives per distinct score (or per bin), sorted by score."""

    def __init__(self) -> None:
        self.exact = True
        self.keys: npt.NDArray[Any] = np.empty(0, dtype=np.float64)
        self.negatives: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)
        self.positives: npt.NDArray[np.int64] = np.empty(0, dtype=np.int64)

    def update(
        self, scores: npt.NDArray[np.float64], labels: npt.NDArray[np.int64]
    ) -> None:
        """Count finite ``scores`` with their 0/1 ``labels``."""
        scores = np.asarray(scores, dtype=np.float64)
        labels = np.asarray(labels, dtype=np.int64)
        keys: npt.NDArray[Any] = scores if self.exact else bin_keys(scores)
        self._add(keys, 1 - labels, labels)

    def merge(self, other: ScoreCounts) -> None:
        """Add another table's counts (other rows of the same run)."""
        if self.exact and not other.exact:
            self._to_bins()
        keys = other.keys if self.exact or not other.exact else bin_keys(other.keys)
        self._add(keys, other.negatives, other.positives)

    def _add(
        self,
        keys: npt.NDArray[Any],
        negatives: npt.NDArray[np.int64],
        positives: npt.NDArray[np.int64],
    ) -> None:
        if len(keys) == 0:
            return
        self.keys, self.negatives, self.positives = _aggregate(
            np.concatenate([self.keys, keys]),
            np.concatenate([self.negatives, negatives]),
            np.concatenate([self.positives, positives]),
        )
        if self.exact and len(self.keys) > EXACT_LIMIT:
            self._to_bins()

    def _to_bins(self) -> None:
        self.exact = False
        if len(self.keys) == 0:
            self.keys = np.empty(0, dtype=np.int64)
            return
        self.keys, self.negatives, self.positives = _aggregate(
            bin_keys(self.keys), self.negatives, self.positives
        )

    @property
    def tie_bound(self) -> float:
        """The most the bins can have moved ROC AUC (0 while exact)."""
        if self.exact:
            return 0.0
        pairs = float(self.negatives.sum()) * float(self.positives.sum())
        if pairs == 0:
            return 0.0
        ties = float(np.dot(self.negatives.astype(np.float64), self.positives))
        return 0.5 * ties / pairs


def _curve(
    counts: ScoreCounts,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Cumulative true and false positives, from the highest score down."""
    tps = np.cumsum(counts.positives[::-1].astype(np.float64))
    fps = np.cumsum(counts.negatives[::-1].astype(np.float64))
    return tps, fps


def roc_auc(counts: ScoreCounts) -> float:
    """The area under the ROC curve (trapezoids, ties counted half, as sklearn)."""
    tps, fps = _curve(counts)
    p, n = tps[-1], fps[-1]
    tps, fps = np.concatenate([[0.0], tps]), np.concatenate([[0.0], fps])
    area = float(np.sum(np.diff(fps) * (tps[1:] + tps[:-1]) / 2.0))
    return float(area / (p * n))


def average_precision(counts: ScoreCounts) -> float:
    """Average precision: the precision at each score, weighted by the recall gained."""
    tps, fps = _curve(counts)
    precision = tps / (tps + fps)
    gained = np.diff(np.concatenate([[0.0], tps])) / tps[-1]
    return float(np.sum(gained * precision))
