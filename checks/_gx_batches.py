"""Row-wise expectations on every batch of a run, their counts added up.

A *map* expectation judges each row on its own (not null, between, in a set,
matching a pattern, a pair of columns in order), so a run of any size is judged
whole by validating each batch with GX (:func:`modelhealth.checks._gx.raw_results`)
and adding up what GX counted: rows, missing rows, unexpected rows. The verdict is
then GX's rule applied to the sums: passed when the share of unexpected rows among
those considered is at most ``1 - mostly``. The first unexpected values of the run
are kept, in row order.

:data:`ROW_WISE` names the expectations treated so; those whose rows depend on
other rows (``..._to_be_unique``, ``..._increasing``, z-scores, outliers) and the
aggregate ones (mean, row count...) are not, and are run by
:mod:`modelhealth.checks.expectations` on the frame or the profile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modelhealth.checks.base import CheckError
from modelhealth.checks.passes import Batch, RowPass

__all__ = ["ROW_WISE", "ExpectationsPass"]

ROW_WISE = frozenset(
    {
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_to_be_in_set",
        "expect_column_value_lengths_to_be_between",
        "expect_column_value_lengths_to_equal",
        "expect_column_values_to_be_between",
        "expect_column_values_to_be_dateutil_parseable",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_be_json_parseable",
        "expect_column_values_to_be_null",
        "expect_column_values_to_match_json_schema",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_match_regex_list",
        "expect_column_values_to_match_strftime_format",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_not_match_regex_list",
        "expect_multicolumn_sum_to_equal",
        "expect_select_column_values_to_be_unique_within_record",
    }
)
"""Map expectations whose verdict on a row needs that row only."""

_KEPT = 20  # GX's partial_unexpected_count, as the whole-frame run asks


@dataclass
class _Sums:
    """One expectation's counts so far."""

    elements: int = 0
    unexpected: int = 0
    missing: int | None = None
    partial: list[Any] = field(default_factory=list)
    error: str | None = None

    def add(self, other: _Sums) -> None:
        self.elements += other.elements
        self.unexpected += other.unexpected
        if other.missing is not None:
            self.missing = (self.missing or 0) + other.missing
        self.partial = (self.partial + other.partial)[:_KEPT]
        self.error = self.error or other.error


class ExpectationsPass(RowPass):
    """GX's counts of the row-wise expectations among ``items``, over every batch.

    Args:
        items: every ``(name, kwargs)`` of the check, in order; those named in
            :data:`ROW_WISE` are run on each batch.
    """

    def __init__(self, items: list[tuple[str, dict[str, Any]]]) -> None:
        self.items = items
        self.indices = [i for i, (name, _) in enumerate(items) if name in ROW_WISE]
        self.sums = {i: _Sums() for i in self.indices}
        self.error: str | None = None  # bad arguments: the check raises it

    def update(self, batch: Batch) -> None:
        from modelhealth.checks._gx import raw_results  # imports great_expectations

        if self.error is not None or batch.num_rows == 0 or not self.indices:
            return
        try:
            raws = raw_results(batch.frame, [self.items[i] for i in self.indices])
        except CheckError as exc:
            self.error = str(exc)
            return
        for i, raw in zip(self.indices, raws, strict=True):
            res = raw.result
            missing = res.get("missing_count")
            self.sums[i].add(
                _Sums(
                    elements=int(res.get("element_count") or 0),
                    unexpected=int(res.get("unexpected_count") or 0),
                    missing=None if missing is None else int(missing),
                    partial=list(res.get("partial_unexpected_list") or []),
                    error=raw.error,
                )
            )

    def merge(self, other: Any) -> None:
        assert isinstance(other, ExpectationsPass)
        self.error = self.error or other.error
        for i, sums in other.sums.items():
            self.sums[i].add(sums)

    def raw(self, index: int) -> Any:
        """GX's plain result for the whole run, as one frame would give it."""
        from modelhealth.checks._gx import Raw

        s = self.sums[index]
        if s.error is not None:
            return Raw(False, error=s.error)
        considered = s.elements - (s.missing or 0)
        mostly = float(self.items[index][1].get("mostly", 1.0))
        success = (
            s.elements == 0
            or considered == 0
            or (considered - s.unexpected) / considered >= mostly
        )
        result: dict[str, Any] = {
            "element_count": s.elements,
            "unexpected_count": s.unexpected,
            "unexpected_percent": (
                s.unexpected / considered * 100 if s.elements and considered else None
            ),
            "partial_unexpected_list": s.partial,
        }
        if s.missing is not None:
            result["missing_count"] = s.missing
        return Raw(success, result)
