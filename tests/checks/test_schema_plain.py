"""Columns pandera would pass unseen are left out of a batch's validation (#10).

The verdicts must be those of pandera validating every column: a plainly valid
column (its dtype as declared, nulls allowed, no value checks) passes either way,
and any other column is still validated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from modelhealth.checks._pandera import _DTYPE_TESTS, plan_schema, validate_batch
from modelhealth.checks._pandera_plain import plainly_valid
from modelhealth.checks._schema_pass import SchemaPass
from modelhealth.checks.base import CheckContext
from modelhealth.checks.passes import Batch
from modelhealth.checks.schema import SchemaCheck, SchemaParams
from modelhealth.engine import EngineSettings, RunData, get_engine
from modelhealth.rules.models import RuleSet
from tests.checks.test_schema_batches import _view

COLUMNS: dict[str, Any] = {
    "x": {"dtype": "float64"},
    "n": {"dtype": "number"},
    "plan": {"dtype": "str"},
    "count": {"dtype": "float64"},  # an int64 column: a dtype failure
    "label": {"dtype": "str"},  # holds numbers: a dtype failure
    "age": {"dtype": "float64", "nullable": False, "checks": {"ge": 0}},
}


def _frame(n: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    x = rng.normal(size=n)
    x[[3, 8]] = np.nan
    plan = np.where(rng.uniform(size=n) < 0.5, "basic", "pro").astype(object)
    plan[[2, 11]] = None
    age = rng.uniform(20, 60, n)
    age[[4, 20]] = [-1.0, np.nan]
    return pd.DataFrame(
        {
            "x": x,
            "n": rng.integers(0, 9, n),
            "plan": plan,
            "count": np.arange(n),
            "label": np.arange(n) % 3,
            "age": age,
        }
    )


def _plan(columns: dict[str, Any] = COLUMNS, **flags: bool) -> Any:
    params = SchemaParams(id="schema", columns=columns)
    return plan_schema(
        params.columns,
        strict=flags.get("strict", False),
        ordered=flags.get("ordered", False),
        coerce=False,
    )


def test_only_columns_that_cannot_fail_are_left_out():
    frame = _frame()
    plan = _plan()
    assert plan.plain
    # "age" too: its value checks are run apart from pandera, on every column
    plain = plainly_valid(plan.schema, frame, {"plan"}, _DTYPE_TESTS)
    assert plain == ["x", "n", "plan", "age"]
    # without Arrow's word that "plan" holds text, its values are tested
    assert plainly_valid(plan.schema, frame, (), _DTYPE_TESTS) == ["x", "n", "age"]


def test_a_schema_with_dataset_wide_constraints_is_validated_whole():
    assert not _plan(strict=True).plain
    assert not _plan(ordered=True).plain


def test_failures_are_those_of_validating_every_column():
    frame = _frame()
    plan = _plan()
    cut, _ = validate_batch(frame, plan, text={"plan"})
    whole_plan = _plan()
    whole_plan.plain = False
    whole, _ = validate_batch(frame, whole_plan)
    assert cut.keys() == whole.keys() == {"count", "label", "age"}
    for name in whole:
        assert cut[name].checks.keys() == whole[name].checks.keys()
        for check, rows in whole[name].checks.items():
            assert list(cut[name].checks[check]) == list(rows)


def _results(
    make_ctx: Callable[..., CheckContext], params: SchemaParams, row_pass: SchemaPass
) -> list[dict[str, Any]]:
    base = make_ctx(params, _frame().iloc[:0])
    ctx = CheckContext(
        rule_set=base.rule_set,
        run_id=base.run_id,
        frame=base.frame,
        profile=base.profile,
        reference=None,
        passes={params.id: row_pass},
        row_count=row_pass.rows,
    )
    return [_view(r) for r in SchemaCheck(params).run(ctx)]


def _whole(make_ctx, params: SchemaParams, frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [_view(r) for r in SchemaCheck(params).run(make_ctx(params, frame))]


@pytest.mark.parametrize("batch_rows", [1, 7, 1000])
def test_a_parquet_run_in_batches_gets_the_whole_frames_verdicts(
    make_ctx, tmp_path, batch_rows
):
    path = tmp_path / "run.parquet"
    _frame().to_parquet(path, row_group_size=9)
    params = SchemaParams(id="schema", columns=COLUMNS)
    rule_set = RuleSet(version=1, model="m", checks=[params])
    row_pass = SchemaCheck.row_pass(params, rule_set, None)
    assert isinstance(row_pass, SchemaPass)
    engine = get_engine(EngineSettings(batch_rows=batch_rows))
    engine.scan(RunData(inputs=path), {"schema": row_pass})
    results = _results(make_ctx, params, row_pass)
    assert results == _whole(make_ctx, params, pd.read_parquet(path))
    failed = {r["subject"] for r in results if r["status"].value == "failed"}
    assert failed == {"count", "label", "age"}


def test_a_dictionary_text_column_is_known_text():
    frame = _frame()
    arrow = pa.RecordBatch.from_pandas(frame.astype({"plan": "category"}))
    batch = Batch(arrow=arrow)
    row_pass = SchemaPass(SchemaParams(id="schema", columns=COLUMNS))
    row_pass.update(batch)
    outcome = row_pass.outcome()
    assert "plan" not in outcome.columns
    assert set(outcome.columns) == {"count", "label", "age"}
