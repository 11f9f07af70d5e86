"""``expectations``: Great Expectations 1.x expectations, inline or from a suite file.

Expectations are written inline, each a one-key mapping from the expectation's name
to its arguments::

    expectations:
      - expect_column_values_to_not_be_null: {column: customer_id}
      - expect_column_values_to_be_between: {column: age, min_value: 18, mostly: 0.99}

or read from a suite JSON file (``suite:``, relative to the rules file) as GX writes
it (``{"expectations": [{"type": ..., "kwargs": {...}}]}``; the 0.x key
``expectation_type`` is read too). Both may be given; the file's come first.

:mod:`modelhealth.checks._gx` runs them on the run's frame in one ephemeral GX context
per
process (great_expectations is imported there, on the first run of this kind only),
validating a batch directly rather than through ``ValidationDefinition.run()``,
whose result store fails on some results with numpy 2.

Each expectation gives one result, its subject ``name(column)`` (or the name alone),
with ``#2``, ``#3``... when repeated. ``passed`` or ``failed`` as GX decides; value is
the unexpected share for map expectations (0..1) or GX's observed value when it is a
number; ``metrics`` hold ``unexpected_count``, ``unexpected_percent`` and
``element_count``; ``failures`` the first few unexpected values; ``details`` GX's
observed value and the arguments. An expectation GX cannot run (a missing column)
is ``errored`` with GX's message; an unknown name or bad arguments is an error of the
whole check, naming the expectation.

**Runs of any size.** Row-wise expectations (not null, between, in a set, a regex,
:data:`~modelhealth.checks._gx_batches.ROW_WISE`) run on every batch the engine
reads and their counts add up (:mod:`modelhealth.checks._gx_batches`), so they
judge every row of the run. The others run on ``ctx.frame`` when it is the whole
run; when it is a sample, those the profile answers exactly (row count, a column's
min, max, mean...) come from the profile (:mod:`modelhealth.checks._gx_profile`),
those on column names from the sample, and the rest are ``skipped``: they need the
whole data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator, model_validator

from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckError,
    CheckParams,
    CheckResult,
    Reference,
)
from modelhealth.rules.models import RuleSet

if TYPE_CHECKING:
    from modelhealth.checks._gx_batches import ExpectationsPass

__all__ = ["ExpectationsCheck", "ExpectationsParams", "load_suite"]


class ExpectationsParams(CheckParams):
    """GX expectations written inline (name: arguments) and/or a suite JSON file."""

    kind: Literal["expectations"] = "expectations"
    expectations: list[dict[str, dict[str, Any]]] = Field(default_factory=list)
    suite: str | None = None

    @field_validator("expectations")
    @classmethod
    def _one_name_each(
        cls, items: list[dict[str, dict[str, Any]]]
    ) -> list[dict[str, dict[str, Any]]]:
        for i, item in enumerate(items):
            if len(item) != 1:
                raise ValueError(
                    f"expectations[{i}] must map one expectation name to its "
                    f"arguments, e.g. expect_column_values_to_not_be_null: "
                    f"{{column: id}}; got {len(item)} keys"
                )
            name = next(iter(item))
            if not name.startswith("expect_"):
                raise ValueError(
                    f"expectations[{i}]: {name!r} is not an expectation name "
                    "(they start with expect_)"
                )
        return items

    @model_validator(mode="after")
    def _some(self) -> ExpectationsParams:
        if not self.expectations and self.suite is None:
            raise ValueError("expectations needs an expectations list or a suite file")
        return self


def load_suite(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """The ``(name, arguments)`` of each expectation in a GX suite JSON file.

    Raises:
        CheckError: the file is missing or is not a suite.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckError(
            f"the expectation suite {str(path)!r} does not exist"
        ) from None
    except (OSError, json.JSONDecodeError) as exc:
        raise CheckError(
            f"the expectation suite {str(path)!r} is not JSON: {exc}"
        ) from None
    items = data.get("expectations") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise CheckError(
            f"the expectation suite {str(path)!r} has no 'expectations' list"
        )
    out: list[tuple[str, dict[str, Any]]] = []
    for i, item in enumerate(items):
        name = (
            item.get("type") or item.get("expectation_type")
            if isinstance(item, dict)
            else None
        )
        kwargs = item.get("kwargs", {}) if isinstance(item, dict) else None
        if not isinstance(name, str) or not isinstance(kwargs, dict):
            raise CheckError(
                f"the expectation suite {str(path)!r}: expectations[{i}] needs "
                "'type' and 'kwargs'"
            )
        out.append((name, dict(kwargs)))
    return out


class ExpectationsCheck(Check[ExpectationsParams]):
    """Runs the expectations with Great Expectations; one result each."""

    params_type = ExpectationsParams

    @classmethod
    def row_pass(
        cls, params: CheckParams, rule_set: RuleSet, reference: Reference | None
    ) -> ExpectationsPass | None:
        from modelhealth.checks._gx_batches import ROW_WISE, ExpectationsPass

        assert isinstance(params, ExpectationsParams)
        try:
            items = _items(params, rule_set)
        except CheckError:
            return None  # run() reports it
        if not any(name in ROW_WISE for name, _ in items):
            return None
        return ExpectationsPass(items)

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        from modelhealth.checks._gx_outcomes import outcomes  # imports GX

        items = _items(self.params, ctx.rule_set)
        results = []
        seen: dict[str, int] = {}
        for outcome in outcomes(ctx, self.params.id, items):
            base = outcome.subject
            seen[base] = seen.get(base, 0) + 1
            subject = base if seen[base] == 1 else f"{base}#{seen[base]}"
            results.append(
                self.result(
                    outcome.status,
                    subject=subject,
                    value=outcome.value,
                    metrics=outcome.metrics,
                    details=outcome.details,
                    failures=outcome.failures,
                    message=outcome.message,
                )
            )
        return results


def _items(
    params: ExpectationsParams, rule_set: RuleSet
) -> list[tuple[str, dict[str, Any]]]:
    items: list[tuple[str, dict[str, Any]]] = []
    if params.suite is not None:
        path = Path(params.suite)
        if not path.is_absolute() and rule_set.source_file:
            path = Path(rule_set.source_file).parent / path
        items += load_suite(path)
    items += [
        (name, dict(args))
        for item in params.expectations
        for name, args in item.items()
    ]
    return items
