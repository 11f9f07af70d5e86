"""The ``schema`` check on batches: the same verdict however the rows are cut (#10).

Each test runs the check on the whole frame (no row pass, as a segment or a
hand-built context does) and through its row pass fed by the local engine in
batches of 1, 7 and all rows, and compares what a user sees: status, message,
metrics, failing values with their rows, and per-check counts.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks._schema_pass import SchemaPass
from modelhealth.checks.base import CheckContext, CheckError, CheckResult, Status
from modelhealth.checks.passes import Batch
from modelhealth.checks.schema import SchemaCheck, SchemaParams
from modelhealth.engine import EngineSettings, RunData, get_engine
from modelhealth.rules.models import RuleSet

SIZES = [1, 7, 1000]
COLUMNS: dict[str, Any] = {
    "id": {"dtype": "int64", "unique": True, "checks": {"ge": 0}},
    "age": {"dtype": "float64", "nullable": False, "checks": {"ge": 18, "le": 120}},
    "plan": {"dtype": "str", "isin": ["basic", "pro"]},
    "code": {"regex": r"^[A-Z]{2}\d$"},
    "opt": {"required": False},
}


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 40
    ids = np.arange(n)
    ids[[5, 30]] = 4  # 4 three times: rows 4, 5 and 30
    ids[[12, 33]] = 11
    ids[20] = -1  # fails ge(0) and is unique: counted once
    age = rng.uniform(20, 60, n).round(1)
    age[[2, 9, 17, 25, 31, 36]] = [5.0, np.nan, 130.0, np.inf, 5.0, np.nan]
    plan = np.where(rng.uniform(size=n) < 0.8, "basic", "pro").astype(object)
    plan[[3, 14, 15, 39]] = ["gold", "gold", "free", "tin"]
    code = np.array([f"AB{i % 10}" for i in range(n)], dtype=object)
    code[[7, 8]] = ["x", "y1"]
    return pd.DataFrame(
        {"id": ids, "age": age, "plan": plan, "code": code, "extra": np.ones(n)}
    )


def _view(result: CheckResult) -> dict[str, Any]:
    return {
        "subject": result.subject,
        "status": result.status,
        "message": result.message,
        "metrics": dict(result.metrics),
        "failures": list(result.failures),
        "details": dict(result.details),
    }


def _ctx(
    make_ctx: Callable[..., CheckContext],
    params: SchemaParams,
    frame: pd.DataFrame,
    row_pass: SchemaPass | None = None,
) -> CheckContext:
    ctx = make_ctx(params, frame)
    if row_pass is None:
        return ctx
    return CheckContext(
        rule_set=ctx.rule_set,
        run_id=ctx.run_id,
        frame=frame.iloc[:0],  # the check must read the pass, not the frame
        profile=ctx.profile,
        reference=None,
        passes={params.id: row_pass},
        row_count=row_pass.rows,
    )


def _scan(inputs: Any, params: SchemaParams, batch_rows: int) -> SchemaPass:
    engine = get_engine(EngineSettings(batch_rows=batch_rows))
    rule_set = RuleSet(version=1, model="m", checks=[params])
    row_pass = SchemaCheck.row_pass(params, rule_set, None)
    assert isinstance(row_pass, SchemaPass)
    engine.scan(RunData(inputs=inputs), {"schema": row_pass})
    return row_pass


def _results(make_ctx, params, frame, row_pass=None) -> list[dict[str, Any]]:
    check = SchemaCheck(params)
    return [_view(r) for r in check.run(_ctx(make_ctx, params, frame, row_pass))]


@pytest.fixture
def params() -> SchemaParams:
    return SchemaParams(id="schema", columns=COLUMNS, strict=True)


def test_whole_frame_results_as_users_read_them(make_ctx, params):
    by_subject = {r["subject"]: r for r in _results(make_ctx, params, _frame())}
    assert by_subject["id"]["message"] == (
        "6 rows fail unique: 4, 11; 1 row fails ge(0): -1"
    )
    assert by_subject["id"]["metrics"]["failed_rows"] == 7
    assert by_subject["id"]["failures"][0] == {"check": "unique", "value": 4, "row": 4}
    assert by_subject["age"]["message"] == (
        "2 rows fail not_nullable; 3 rows fail ge(18): 5.0, inf; "
        "2 rows fail le(120): 130.0, inf"
    )
    assert by_subject["age"]["metrics"]["failed_rows"] == 6
    assert by_subject["opt"]["status"] is Status.SKIPPED
    assert by_subject[None]["message"] == "unexpected columns (strict): extra"


@pytest.mark.parametrize("batch_rows", SIZES)
def test_batches_give_the_whole_frames_results(make_ctx, params, batch_rows):
    frame = _frame()
    whole = _results(make_ctx, params, frame)
    row_pass = _scan(frame, params, batch_rows)
    assert _results(make_ctx, params, frame, row_pass) == whole


@pytest.mark.parametrize("batch_rows", SIZES)
def test_parquet_batches_give_the_results_of_the_read_file(
    make_ctx, params, tmp_path, batch_rows
):
    path = tmp_path / "run.parquet"
    _frame().to_parquet(path, row_group_size=9)
    whole = _results(make_ctx, params, pd.read_parquet(path))
    row_pass = _scan(path, params, batch_rows)
    assert _results(make_ctx, params, pd.read_parquet(path), row_pass) == whole


def test_passes_pickle_and_merge_in_row_order(make_ctx, params):
    frame = _frame()
    whole = _results(make_ctx, params, frame)
    parts = []
    for start, stop in [(0, 13), (13, 14), (14, 40)]:
        part = SchemaPass(params)
        for offset in range(start, stop, 5):
            end = min(offset + 5, stop)
            part.update(Batch(frame=frame.iloc[offset:end], offset=offset - start))
        parts.append(pickle.loads(pickle.dumps(part)))
    merged = parts[0]
    for part in parts[1:]:
        merged.merge(part)
    assert merged.rows == 40
    assert _results(make_ctx, params, frame, merged) == whole


def test_samples_are_bounded_and_earliest_first(make_ctx):
    frame = pd.DataFrame({"x": np.arange(100) - 50})
    params = SchemaParams(id="schema", columns={"x": {"checks": {"ge": 0}}})
    row_pass = _scan(frame, params, 3)
    result = SchemaCheck(params).run(_ctx(make_ctx, params, frame, row_pass))[0]
    assert result.metrics["failed_rows"] == 50
    assert [f["row"] for f in result.failures] == [0, 1, 2, 3, 4]
    assert result.message == "50 rows fail ge(0): -50, -49, -48, -47, -46"


def test_a_csv_chunk_read_as_float_is_named_by_its_rows(make_ctx, tmp_path: Path):
    path = tmp_path / "run.csv"
    values = [f"{i},x" for i in range(20)]
    values[9] = ",x"  # a blank: the chunk of rows 7-13 reads the column as float
    path.write_text("n,s\n" + "\n".join(values) + "\n", encoding="utf-8")
    params = SchemaParams(id="schema", columns={"n": {"dtype": "int64"}})
    row_pass = _scan(path, params, 7)
    (result,) = SchemaCheck(params).run(_ctx(make_ctx, params, _frame(), row_pass))
    assert result.status is Status.FAILED
    assert result.message == "dtype is float64 in rows 7-13, expected int64"
    assert result.details["checks"] == {"dtype('int64')": 7}


def test_a_column_missing_from_some_batches_is_reported(make_ctx):
    params = SchemaParams(id="schema", columns={"a": {}, "b": {}})
    row_pass = SchemaPass(params)
    row_pass.update(Batch(frame=pd.DataFrame({"a": [1, 2], "b": [1, 2]})))
    row_pass.update(Batch(frame=pd.DataFrame({"a": [3]}), offset=2))
    results = {
        r.subject: r
        for r in SchemaCheck(params).run(_ctx(make_ctx, params, _frame(), row_pass))
    }
    assert results["a"].status is Status.PASSED
    assert results["b"].status is Status.FAILED
    assert results["b"].message == "column 'b' is missing from rows 2-2"


def test_a_model_that_does_not_import_errors_this_check_only(make_ctx):
    params = SchemaParams(id="schema", pandera_model="no_such_module_x:Model")
    row_pass = _scan(_frame(), params, 7)  # the engine's scan goes on
    assert row_pass.error is not None
    with pytest.raises(CheckError, match="module 'no_such_module_x' could not be"):
        SchemaCheck(params).run(_ctx(make_ctx, params, _frame(), row_pass))


@pytest.mark.parametrize("batch_rows", SIZES)
def test_nullable_and_category_dtypes_and_text_checks_on_batches(make_ctx, batch_rows):
    frame = pd.DataFrame(
        {
            "n": pd.array([1, None, 3, 4, None, 6, 7, 8, 9, 0], dtype="Int64"),
            "c": pd.Categorical(list("abcabcabcz")),
            "s": ["ab", "ba", 5, None, "abc", "a", "xy", "ab", "ba", "b"],
        }
    )
    params = SchemaParams(
        id="schema",
        columns={
            "n": {"dtype": "Int64", "nullable": False, "checks": {"ne": 0}},
            "c": {"isin": ["a", "b", "c"]},
            "s": {"checks": {"str_startswith": "a", "str_length": {"max": 2}}},
        },
    )
    whole = _results(make_ctx, params, frame)
    by_subject = {r["subject"]: r for r in whole}
    assert (
        by_subject["n"]["message"] == "2 rows fail not_nullable; 1 row fails ne(0): 0"
    )
    assert by_subject["c"]["message"] == "1 row fails isin(['a', 'b', 'c']): 'z'"
    assert by_subject["s"]["message"] == (
        "5 rows fail str_startswith('a'): 'ba', 5, 'xy', 'b'; "
        "2 rows fail str_length(None, 2): 5, 'abc'"
    )
    row_pass = _scan(frame, params, batch_rows)
    assert _results(make_ctx, params, frame, row_pass) == whole


def test_a_validated_batch_is_freed_at_once_not_by_a_later_collection():
    """pandera's cached accessor would tie each batch's frame into a reference
    cycle, keeping its columns resident until a full garbage collection."""
    import gc

    params = SchemaParams(
        id="s", kind="schema", columns={"x": {"dtype": "float64", "checks": {"ge": 0}}}
    )
    schema_pass = SchemaPass(params)
    frame = pd.DataFrame({"x": np.arange(1000, dtype=float)})
    schema_pass.update(Batch(frame=frame))
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        schema_pass.update(Batch(frame=frame.copy()))
        gc.collect()
        cyclic = [o for o in gc.garbage if isinstance(o, pd.DataFrame)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert cyclic == []
    assert schema_pass.rows == 2000
