"""The newest timestamp of a column, over every batch of a run.

The ``freshness`` check's row pass: each batch's values are read as timestamps (ISO
8601 text in any of its spellings, or a datetime column; naive ones are UTC) and
the newest is kept. Numbers are refused (epoch seconds or milliseconds?), and so is
text that is not a timestamp; the first such problem is kept for the check to
report, naming the column.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from modelhealth.checks.base import CheckError
from modelhealth.checks.passes import Batch, RowPass

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["NewestPass", "newest_in"]


class NewestPass(RowPass):
    """The newest timestamp of ``column`` (``None`` while none was seen)."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.seen = False
        self.newest: datetime | None = None
        self.error: str | None = None

    def update(self, batch: Batch) -> None:
        self.add(batch.frame)

    def add(self, frame: pd.DataFrame) -> None:
        """Take in one frame's rows."""
        import pandas as pd

        if self.error is not None or self.column not in frame.columns:
            return
        self.seen = True
        raw = frame[self.column]
        column = self.column
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(
            raw.dtype
        ):
            self.error = (
                f"column {column!r} holds numbers, not timestamps; write ISO 8601 "
                "text or a datetime column (epoch numbers are ambiguous: s or ms?)"
            )
            return
        try:
            # ISO 8601 in any of its spellings (with or without fractions or an
            # offset); pandas would otherwise guess one format from the first value
            values = pd.to_datetime(raw, utc=True, errors="raise", format="ISO8601")
        except (ValueError, TypeError) as exc:
            self.error = f"column {column!r} does not hold timestamps: {exc}"
            return
        newest = values.max()
        if not pd.isna(newest):
            stamp: datetime = newest.to_pydatetime().astimezone(timezone.utc)
            self._keep(stamp)

    def _keep(self, stamp: datetime | None) -> None:
        if stamp is not None and (self.newest is None or stamp > self.newest):
            self.newest = stamp

    def merge(self, other: Any) -> None:
        assert isinstance(other, NewestPass)
        self.seen |= other.seen
        self.error = self.error or other.error
        self._keep(other.newest)


def newest_in(found: NewestPass, column: str) -> datetime:
    """The newest timestamp found.

    Raises:
        CheckError: the column held no timestamp.
    """
    if found.newest is None:
        raise CheckError(f"column {column!r} holds no timestamp")
    return found.newest
