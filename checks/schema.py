"""``schema``: the run's input columns against a pandera schema built from the rules.

The rules declare columns (:class:`ColumnSpec`: dtype, nullable, unique, required,
allowed values, regex, value checks by their pandera names);
:mod:`modelhealth.checks._pandera` turns them into a
``pandera.pandas.DataFrameSchema`` (pandera is imported only when the check runs).
``pandera_model: package.module:ClassName`` starts from a ``DataFrameModel`` (or
``DataFrameSchema``) of the user's own code instead; columns declared in the rules
are added to it, replacing its columns of the same name. The module is imported
as is, else from the working directory or the rules file's folder; a path that does
not import is a :class:`~modelhealth.checks.base.CheckError` naming the module and the
cause.

Rows: the check's row pass (:mod:`modelhealth.checks._schema_pass`) validates every
batch of the run lazily and sums the failures, so a run of any size is checked
whole and the verdict does not depend on the batch size; without a pass (a
segment, a context built by hand) the frame is one batch.

Nested columns: ``list<...>``, ``struct<...>`` and ``map<...>`` dtypes
(:mod:`modelhealth.checks._dtypes`), with ``length``, ``elements`` and ``fields``
checks, are checked on their Arrow side (:mod:`modelhealth.checks._nested_schema`).

Results: one per declared column, the model's included (subject = column):
``passed``, or ``failed`` with ``failed_rows`` / ``failure_share`` metrics, up to
five distinct failing values with the check each failed and its row, and a message
such as ``3 rows fail ge(18): -1, 0, 7``. With
``max_failure_share``, a column with failing rows is graded by its failure share
instead of failing outright; a wrong dtype (or a check that could not run) fails
the column whatever the share. A required column absent from the data fails; an
absent ``required: false`` column is ``skipped``. One dataset-level result (subject
``None``) is added only for dataset-wide problems: unexpected columns (``strict``)
and column order (``ordered``).

Numbers: NaN is null (``nullable``); +/-inf fails every range check (ge, gt, le,
lt). dtype names are pandas/numpy names (``int64``, ``float64``, ``bool``, ``str``,
``string``, ``object``, ``datetime64[ns]``, ``category``...) or the aliases
``int``, ``float``, ``datetime``, ``number`` (any int or float dtype); an unknown
name is an error of the rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from modelhealth.checks._columns import ColumnSpec, LengthChecks, PartSpec, ValueChecks
from modelhealth.checks._schema_pass import ColumnFailures
from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckParams,
    CheckResult,
    Reference,
    Status,
    grade,
)
from modelhealth.checks.passes import Batch, RowPass
from modelhealth.rules.models import RuleSet, Threshold

__all__ = [
    "ColumnSpec",
    "LengthChecks",
    "PartSpec",
    "SchemaCheck",
    "SchemaParams",
    "ValueChecks",
]


class SchemaParams(CheckParams):
    """Declares the input columns: dtype, nulls, uniqueness, ranges, allowed values.

    ``strict: true`` fails on columns the schema does not name; ``max_failure_share``
    grades by the share of failing rows instead of failing on the first bad row.
    """

    kind: Literal["schema"] = "schema"
    columns: dict[str, ColumnSpec] = Field(default_factory=dict)
    pandera_model: str | None = Field(
        default=None, pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"
    )
    strict: bool = False
    ordered: bool = False
    coerce: bool = False
    max_failure_share: Threshold | None = None


class SchemaCheck(Check[SchemaParams]):
    """Validates the run's rows with pandera, batch by batch, and reports per column."""

    params_type = SchemaParams

    @classmethod
    def reads_rows(cls, params: CheckParams) -> bool:
        """From its row pass; rows only to cut segments."""
        return bool(params.segment_by)

    @classmethod
    def row_pass(
        cls, params: CheckParams, rule_set: RuleSet, reference: Reference | None
    ) -> RowPass | None:
        from modelhealth.checks._schema_pass import SchemaPass

        assert isinstance(params, SchemaParams)
        return SchemaPass(params, _search(rule_set))

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        from modelhealth.checks._schema_pass import SchemaPass

        p = self.params
        state = ctx.row_pass(p.id)
        if not isinstance(state, SchemaPass):  # a segment, a context built by hand
            state = SchemaPass(p, _search(ctx.rule_set))
            state.update(Batch(frame=ctx.frame))
        outcome = state.outcome()
        rows = outcome.rows
        results: list[CheckResult] = []
        for column, required in outcome.declared.items():
            if column not in outcome.present:
                status = Status.FAILED if required else Status.SKIPPED
                where = "missing from" if required else "optional and absent from"
                results.append(
                    self.result(
                        status,
                        subject=column,
                        message=f"column {column!r} is {where} the run data",
                    )
                )
                continue
            found = outcome.columns.get(column)
            gap = outcome.missing_from.get(column)
            if found is None and gap is None:
                results.append(
                    self.result(
                        Status.PASSED,
                        subject=column,
                        value=0.0,
                        metrics={"failed_rows": 0.0, "failure_share": 0.0},
                        message=f"column {column!r} holds its schema",
                    )
                )
                continue
            found = found or ColumnFailures()
            if gap is not None:
                found.column_level = True
                lost = f"column {column!r} is missing from rows {gap[0]}-{gap[1]}"
                found.message = "; ".join(m for m in (lost, found.message) if m)
            share = found.failed_rows / rows if rows else 0.0
            status = Status.FAILED
            threshold: dict[str, float] = {}
            if p.max_failure_share is not None and not found.column_level:
                status = grade(share, p.max_failure_share)
                threshold = p.max_failure_share.model_dump(exclude_none=True)
            results.append(
                self.result(
                    status,
                    subject=column,
                    value=share,
                    threshold=threshold,
                    metrics={
                        "failed_rows": float(found.failed_rows),
                        "failure_share": share,
                    },
                    failures=tuple(found.samples),
                    details={"checks": found.checks},
                    message=found.message,
                )
            )
        if outcome.dataset or not results:
            results.append(
                self.result(
                    Status.FAILED if outcome.dataset else Status.PASSED,
                    message="; ".join(outcome.dataset) or "the schema holds",
                )
            )
        return results


def _search(rule_set: RuleSet) -> list[str]:
    """Where a ``pandera_model`` module may be: the working directory, the rules
    file's folder."""
    search = [str(Path.cwd())]
    if rule_set.source_file:
        search.append(str(Path(rule_set.source_file).resolve().parent))
    return search
