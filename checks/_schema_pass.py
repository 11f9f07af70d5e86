"""The ``schema`` check's row pass: pandera on every batch, failures summed.

Each batch is validated on its own (:func:`modelhealth.checks._pandera.validate_batch`
for flat columns, :func:`modelhealth.checks._nested_schema.check_nested` for nested
ones) and folded into one :class:`_Tally` per column: failing rows and rows per
check add up; the first :data:`SAMPLES` distinct failing values of each check are
kept with their row in the run (``batch.offset`` + position), earliest first.
``unique`` cannot be judged per batch, so the pass counts each unique column's
values over the run (memory grows with that column's distinct values) and decides
at the end. A dtype is judged per batch: a batch that read a column as another
type (a CSV chunk with a blank in an integer column reads as float) is named by
its rows; a column absent from some batches only is reported with the first rows
it was missing from. Dataset-level problems (strict, ordered) are reported once.

On data that fits in one batch the outcome is what pandera gives on the whole
frame; on any cut of the same rows it is the same. The pass pickles (the schema is
rebuilt where it runs) and merges exactly. It never raises into the engine: a
failure to build the schema (a pandera model that does not import) is kept and
raised by :meth:`SchemaPass.outcome`, so only this check errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from modelhealth.checks.base import CheckError
from modelhealth.checks.passes import Batch, RowPass

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from modelhealth.checks._pandera import Found, Plan
    from modelhealth.checks.schema import SchemaParams

__all__ = ["ColumnFailures", "Outcome", "SchemaPass"]

SAMPLES = 5
_COMPACT = 16  # unique-value tallies kept per column before they are combined


@dataclass
class ColumnFailures:
    """What failed in one column over the whole run."""

    failed_rows: int = 0
    column_level: bool = False
    checks: dict[str, int] = field(default_factory=dict)
    samples: list[dict[str, object]] = field(default_factory=list)
    message: str = ""


@dataclass
class Outcome:
    """Failures per column and dataset-wide, over every row of the run.

    Attributes:
        columns: the columns that failed something.
        dataset: dataset-wide problems, one sentence each.
        declared: every column of the schema and whether it is required.
        present: rows that had each declared column.
        missing_from: the first rows that lacked a column other rows had.
        rows: the run's rows.
    """

    columns: dict[str, ColumnFailures] = field(default_factory=dict)
    dataset: list[str] = field(default_factory=list)
    declared: dict[str, bool] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    missing_from: dict[str, tuple[int, int]] = field(default_factory=dict)
    rows: int = 0


@dataclass
class _Unique:
    """Value counts of one unique column: all rows, rows failing nothing else,
    and each value's first row."""

    counts: list[pd.Series] = field(default_factory=list)
    clean: list[pd.Series] = field(default_factory=list)
    first: list[pd.Series] = field(default_factory=list)

    def add(self, values: pd.Series, failing: np.ndarray | None, offset: int) -> None:
        import numpy as np
        import pandas as pd

        values = values.reset_index(drop=True)
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(object)
        ok = np.ones(len(values), dtype=bool)
        if failing is not None:
            ok[failing] = False
        values = values[values.notna().to_numpy()]
        self.counts.append(values.value_counts(sort=False))
        self.clean.append(values[ok[values.index]].value_counts(sort=False))
        first = values.drop_duplicates()
        self.first.append(pd.Series(first.index + offset, index=first.to_numpy()))
        if len(self.counts) > _COMPACT:
            self.compact()

    def merge(self, other: _Unique, shift: int) -> None:
        self.counts += other.counts
        self.clean += other.clean
        self.first += [first + shift for first in other.first]
        self.compact()

    def compact(self) -> None:
        import pandas as pd

        for name, how in (("counts", "sum"), ("clean", "sum"), ("first", "min")):
            parts = getattr(self, name)
            if len(parts) > 1:
                both = pd.concat(parts)
                setattr(self, name, [both.groupby(level=0, sort=False).agg(how)])

    def result(self) -> tuple[int, int, list[tuple[int | None, object]]]:
        """Rows with a repeated value, of them those failing nothing else, and the
        first repeated values with the row each first appears in."""
        from modelhealth.checks._pandera import jsonable

        self.compact()
        if not self.counts:
            return 0, 0, []
        counts = self.counts[0]
        repeated = counts[counts > 1]
        clean = self.clean[0] if self.clean else counts.iloc[:0]
        extra = int(clean.reindex(repeated.index, fill_value=0).sum())
        first = self.first[0].reindex(repeated.index).sort_values()
        samples: list[tuple[int | None, object]] = [
            (int(r), jsonable(v)) for v, r in first.iloc[:SAMPLES].items()
        ]
        return int(repeated.sum()), extra, samples


@dataclass
class _Tally:
    """One column's failures over the rows seen so far."""

    failed_rows: int = 0
    checks: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[tuple[int | None, object]]] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)
    dtypes: dict[str, int] = field(default_factory=dict)
    mismatches: dict[str, tuple[str, str, int, int]] = field(default_factory=dict)
    unique: _Unique | None = None

    def add(self, found: Found, offset: int, rows: int) -> None:
        """Take in one batch's failures of this column."""
        self.failed_rows += len(found.failing())
        for name, positions in found.checks.items():
            self.checks[name] = self.checks.get(name, 0) + len(positions)
        for name, pairs in found.samples.items():
            shifted = [(None if p is None else p + offset, v) for p, v in pairs]
            self._samples(name, shifted)
        self.broken += [b for b in found.broken if b not in self.broken]
        for name, tail in found.mismatches.items():
            last = offset + rows - 1
            self.mismatches.setdefault(name, (found.dtype, tail, offset, last))

    def _samples(self, name: str, pairs: list[tuple[int | None, object]]) -> None:
        kept = self.samples.setdefault(name, [])
        seen = {_key(v) for _, v in kept}
        for row, value in pairs:
            if len(kept) >= SAMPLES:
                break
            if _key(value) not in seen:
                seen.add(_key(value))
                kept.append((row, value))

    def merge(self, other: _Tally, shift: int) -> None:
        """Take in the tally of rows that come after these, ``shift`` rows on."""
        self.failed_rows += other.failed_rows
        for name, n in other.checks.items():
            self.checks[name] = self.checks.get(name, 0) + n
        for name, pairs in other.samples.items():
            self._samples(
                name, [(None if r is None else r + shift, v) for r, v in pairs]
            )
        self.broken += [b for b in other.broken if b not in self.broken]
        for text, n in other.dtypes.items():
            self.dtypes[text] = self.dtypes.get(text, 0) + n
        for name, (dtype, tail, lo, hi) in other.mismatches.items():
            self.mismatches.setdefault(name, (dtype, tail, lo + shift, hi + shift))
        if other.unique is not None:
            if self.unique is None:
                self.unique = _Unique()
            self.unique.merge(other.unique, shift)

    def failures(self, order: Sequence[str]) -> ColumnFailures | None:
        """The column's failures over the run, in pandera's words and order."""
        checks = dict(self.checks)
        failed_rows = self.failed_rows
        samples = dict(self.samples)
        if self.unique is not None:
            repeated, extra, first = self.unique.result()
            if repeated:
                checks["unique"] = repeated
                samples["unique"] = first
                failed_rows += extra
        if not checks and not self.mismatches:
            return None
        found = ColumnFailures(failed_rows=failed_rows)
        parts: list[str] = []
        # a batch of nulls only reads as list<null> or null: not another dtype
        several = len([d for d in self.dtypes if "null" not in d]) > 1
        for name, (dtype, tail, lo, hi) in self.mismatches.items():
            found.column_level = True
            where = f" in rows {lo}-{hi}" if several else ""
            parts.append(f"dtype is {dtype}{where}{tail}")
            found.checks[name] = self.dtypes.get(dtype, 0)
        rank = {name: i for i, name in enumerate(order)}
        for name in sorted(checks, key=lambda n: rank.get(n, len(rank))):
            n = checks[name]
            found.checks[name] = n
            found.column_level |= name in self.broken
            values = [(r, v) for r, v in samples.get(name, []) if v is not None]
            found.samples += [{"check": name, "value": v, "row": r} for r, v in values]
            shown = ": " + ", ".join(_show(v) for _, v in values) if values else ""
            rows_fail = f"{n} rows fail" if n != 1 else "1 row fails"
            parts.append(f"{rows_fail} {name}{shown}" if n else f"{name} failed{shown}")
        found.samples = found.samples[:SAMPLES]
        found.message = "; ".join(parts)
        return found


class SchemaPass(RowPass):
    """Validates every batch of the run against the check's schema."""

    def __init__(self, params: SchemaParams, search: Sequence[str] = ()) -> None:
        self.params = params
        self.search = list(search)
        self.rows = 0
        self.error: str | None = None
        self.tallies: dict[str, _Tally] = {}
        self.dataset: dict[str, list[str]] = {}
        self.present: dict[str, int] = {}
        self.missing_from: dict[str, tuple[int, int]] = {}
        self._plan: Plan | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_plan"] = None  # pandera objects: rebuilt where the pass runs
        return state

    def plan(self) -> Plan:
        """The pandera schema of the check (built once, on first use).

        Raises:
            CheckError: a pandera model that does not load, an unknown dtype.
        """
        if self._plan is None:
            from pathlib import Path

            from modelhealth.checks._pandera import plan_schema
            from modelhealth.checks._pandera_model import load_model

            p = self.params
            base = None
            if p.pandera_model is not None:
                base = load_model(p.pandera_model, [Path(s) for s in self.search])
            self._plan = plan_schema(
                p.columns,
                strict=p.strict,
                ordered=p.ordered,
                coerce=p.coerce,
                base=base,
            )
        return self._plan

    def update(self, batch: Batch) -> None:
        if self.error is not None:
            return
        try:
            self._update(batch)
        except CheckError as exc:
            self.error = str(exc)
        except Exception as exc:  # the engine must go on with the other checks
            self.error = f"{type(exc).__name__}: {exc}"

    def _update(self, batch: Batch) -> None:
        from modelhealth.checks._arrow import is_text_type
        from modelhealth.checks._pandera import validate_batch

        plan = self.plan()
        rows, offset = batch.num_rows, batch.offset
        frame = batch.frame
        text = (
            [f.name for f in batch.arrow.schema if is_text_type(f.type)]
            if batch.has_arrow
            else []
        )
        found, problems = validate_batch(frame, plan, text=text)
        for problem, names in problems:
            kept = self.dataset.setdefault(problem, [])
            kept += [n for n in names if n not in kept]
        for name in plan.declared:
            if name not in frame.columns:
                if self.present.get(name) and name not in self.missing_from:
                    self.missing_from[name] = (offset, offset + rows - 1)
                continue
            if self.present.get(name, 0) < self.rows and name not in self.missing_from:
                self.missing_from[name] = (0, self.rows - 1)
            self.present[name] = self.present.get(name, 0) + rows
            tally = self.tallies.setdefault(name, _Tally())
            if name in plan.nested:
                found[name] = _nested(batch, name, plan.nested[name])
            column = found.get(name)
            dtype = column.dtype if column is not None else str(frame[name].dtype)
            tally.dtypes[dtype] = tally.dtypes.get(dtype, 0) + rows
            if column is not None:
                tally.add(column, offset, rows)
            if name in plan.unique:
                if tally.unique is None:
                    tally.unique = _Unique()
                failing = column.failing() if column is not None else None
                tally.unique.add(frame[name], failing, offset)
        self.rows += rows

    def merge(self, other: Any) -> None:
        assert isinstance(other, SchemaPass)
        self.error = self.error or other.error
        for problem, names in other.dataset.items():
            kept = self.dataset.setdefault(problem, [])
            kept += [n for n in names if n not in kept]
        for name, tally in other.tallies.items():
            self.tallies.setdefault(name, _Tally()).merge(tally, self.rows)
        for name, (lo, hi) in other.missing_from.items():
            self.missing_from.setdefault(name, (lo + self.rows, hi + self.rows))
        for name in set(self.present) - set(other.present):
            if other.rows:
                last = self.rows + other.rows - 1
                self.missing_from.setdefault(name, (self.rows, last))
        for name in set(other.present) - set(self.present):
            if self.rows:
                self.missing_from[name] = (0, self.rows - 1)
        for name, n in other.present.items():
            self.present[name] = self.present.get(name, 0) + n
        self.rows += other.rows

    def outcome(self) -> Outcome:
        """The failures over every row seen.

        Raises:
            CheckError: the schema could not be built or a batch not validated.
        """
        if self.error is not None:
            raise CheckError(self.error)
        plan = self.plan()
        outcome = Outcome(
            declared=dict(plan.declared),
            present=dict(self.present),
            missing_from=dict(self.missing_from),
            rows=self.rows,
            dataset=[f"{p}: {', '.join(n)}" for p, n in self.dataset.items()],
        )
        for name, tally in self.tallies.items():
            order = plan.order.get(name, [])
            if name in plan.nested:
                from modelhealth.checks._nested_schema import check_names

                order = ["not_nullable", *check_names(plan.nested[name])]
            failures = tally.failures(order)
            if failures is not None:
                outcome.columns[name] = failures
        return outcome


def _nested(batch: Batch, name: str, spec: Any) -> Found:
    """One batch of a nested column, checked on its Arrow side."""
    from modelhealth.checks._nested_schema import check_nested
    from modelhealth.checks._nested_types import column_array
    from modelhealth.checks._pandera import Found

    try:
        if batch.has_arrow:
            array = column_array(batch.arrow.column(name))
        else:
            array = column_array(batch.frame[name], spec.expected())
    except Exception as exc:  # pyarrow's errors: the values are not one type
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        found = Found(dtype=str(batch.frame[name].dtype))
        found.mismatches[f"dtype({spec.dtype or 'nested'})"] = (
            f"; its values are not one Arrow type: {reason}"
        )
        return found
    return check_nested(array, spec)


def _key(value: object) -> tuple[str, object]:
    return (type(value).__name__, value)


def _show(value: object) -> str:
    return (
        repr(value)
        if isinstance(value, str) and value not in ("inf", "-inf")
        else str(value)
    )
