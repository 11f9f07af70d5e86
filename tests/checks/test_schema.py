from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from modelhealth.checks.base import CheckContext, CheckResult, Status
from modelhealth.checks.schema import SchemaCheck, SchemaParams


def run(
    make_ctx: Callable[..., CheckContext],
    data: pd.DataFrame | dict[str, list[Any]],
    **params: Any,
) -> dict[str | None, CheckResult]:
    check = SchemaCheck(SchemaParams(id="schema", **params))
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    return {r.subject: r for r in check.run(make_ctx(check.params, frame))}


def test_valid_frame_passes(make_ctx, frame):
    results = run(
        make_ctx,
        frame(200),
        columns={
            "age": {
                "dtype": "int64",
                "nullable": False,
                "checks": {"ge": 18, "le": 120},
            },
            "plan": {"dtype": "str", "isin": ["basic", "pro", "enterprise"]},
            "spend": {"dtype": "float"},
            "tenure": {"dtype": "number"},
        },
    )
    assert set(results) == {"age", "plan", "spend", "tenure"}
    assert all(r.status is Status.PASSED for r in results.values())
    assert results["age"].metrics == {"failed_rows": 0.0, "failure_share": 0.0}


def test_dtype_mismatch(make_ctx):
    result = run(make_ctx, {"age": [1.5, 2.5]}, columns={"age": {"dtype": "int"}})[
        "age"
    ]
    assert result.status is Status.FAILED
    assert "dtype is float64, expected int64" in result.message


def test_number_alias_rejects_text(make_ctx):
    result = run(make_ctx, {"x": ["a"]}, columns={"x": {"dtype": "number"}})["x"]
    assert result.status is Status.FAILED


def test_nullable(make_ctx):
    data = {"x": [1.0, np.nan, 3.0, np.nan]}
    result = run(make_ctx, data, columns={"x": {"nullable": False}})["x"]
    assert result.status is Status.FAILED
    assert result.metrics == {"failed_rows": 2.0, "failure_share": 0.5}
    assert result.message == "2 rows fail not_nullable"


def test_unique(make_ctx):
    result = run(make_ctx, {"id": [1, 2, 2, 3]}, columns={"id": {"unique": True}})["id"]
    assert result.status is Status.FAILED
    assert result.message == "2 rows fail unique: 2"


def test_range_fails_on_infinity_and_ignores_nan(make_ctx):
    data = {"age": [-1.0, 0.0, 7.0, 30.0, np.inf, np.nan]}
    result = run(make_ctx, data, columns={"age": {"checks": {"ge": 18}}})["age"]
    assert result.status is Status.FAILED
    assert result.metrics["failed_rows"] == 4
    assert result.message == "4 rows fail ge(18): -1.0, 0.0, 7.0, inf"
    assert result.failures[0] == {"check": "ge(18)", "value": -1.0, "row": 0}
    assert result.failures[3] == {"check": "ge(18)", "value": "inf", "row": 4}


def test_isin_and_regex(make_ctx):
    data = {"plan": ["basic", "gold", "pro"], "code": ["AB1", "x", "CD2"]}
    results = run(
        make_ctx,
        data,
        columns={
            "plan": {"isin": ["basic", "pro"]},
            "code": {"regex": r"^[A-Z]{2}\d$"},
        },
    )
    assert results["plan"].message == "1 row fails isin(['basic', 'pro']): 'gold'"
    assert results["code"].status is Status.FAILED
    assert "str_matches" in results["code"].message


def test_str_length(make_ctx):
    data = {"s": ["a", "abcd", "ab"]}
    checks = {"str_length": {"min": 2, "max": 3}}
    result = run(make_ctx, data, columns={"s": {"checks": checks}})["s"]
    assert result.metrics["failed_rows"] == 2
    assert result.message == "2 rows fail str_length(2, 3): 'a', 'abcd'"


def test_strict_reports_extra_columns(make_ctx):
    results = run(make_ctx, {"a": [1], "b": [2]}, columns={"a": {}}, strict=True)
    assert results["a"].status is Status.PASSED
    assert results[None].status is Status.FAILED
    assert results[None].message == "unexpected columns (strict): b"


def test_missing_column(make_ctx):
    results = run(
        make_ctx,
        {"a": [1]},
        columns={"a": {}, "age": {"dtype": "int64"}, "opt": {"required": False}},
    )
    assert results["age"].status is Status.FAILED
    assert results["age"].message == "column 'age' is missing from the run data"
    assert results["opt"].status is Status.SKIPPED
    assert None not in results


@pytest.mark.parametrize(
    ("bad", "status"), [(1, Status.PASSED), (5, Status.WARNED), (20, Status.FAILED)]
)
def test_max_failure_share_grades(make_ctx, bad, status):
    data = {"x": [-1] * bad + [1] * (100 - bad)}
    result = run(
        make_ctx,
        data,
        columns={"x": {"checks": {"ge": 0}}},
        max_failure_share={"warn": 0.05, "fail": 0.1},
    )["x"]
    assert result.status is status
    assert result.metrics["failure_share"] == pytest.approx(bad / 100)


def test_max_failure_share_does_not_forgive_dtype(make_ctx):
    result = run(
        make_ctx,
        {"x": ["a", "b"]},
        columns={"x": {"dtype": "int64"}},
        max_failure_share={"fail": 0.9},
    )["x"]
    assert result.status is Status.FAILED


def test_unknown_dtype_is_a_rules_error():
    with pytest.raises(
        ValidationError, match="unknown dtype 'int65'; did you mean 'int64'"
    ):
        SchemaParams(id="s", columns={"x": {"dtype": "int65"}})


def test_bad_regex_is_a_rules_error():
    with pytest.raises(ValidationError, match="invalid regular expression '\\[a-'"):
        SchemaParams(id="s", columns={"x": {"regex": "[a-"}})
    with pytest.raises(ValidationError, match="invalid regular expression"):
        SchemaParams(id="s", columns={"x": {"checks": {"str_matches": "(x"}}})


@pytest.mark.parametrize(
    "dtype", ["int64", "Int64", "str", "datetime64[ns, UTC]", "number"]
)
def test_known_dtypes(dtype):
    assert (
        SchemaParams(id="s", columns={"x": {"dtype": dtype}}).columns["x"].dtype
        == dtype
    )


def test_value_checks(make_ctx):
    data: dict[str, list[Any]] = {"x": [0, 5, 1], "s": ["ab", "ba", "ac"]}
    results = run(
        make_ctx,
        data,
        columns={
            "x": {"checks": {"ne": 0, "notin": [5]}},
            "s": {"checks": {"str_startswith": "a", "str_endswith": "c"}},
        },
    )
    assert results["x"].metrics["failed_rows"] == 2
    assert results["s"].metrics["failed_rows"] == 2


def test_str_dtype_fast_path_and_failures(make_ctx):
    results = run(
        make_ctx,
        {"ok": ["a", None, "b"], "bad": ["a", 1, "b"]},
        columns={"ok": {"dtype": "str"}, "bad": {"dtype": "str"}},
    )
    assert results["ok"].status is Status.PASSED
    assert results["bad"].status is Status.FAILED
    assert results["bad"].message == "dtype is object, expected str"


@pytest.mark.parametrize("coerce", [False, True])
def test_the_runs_frame_is_left_as_it_was(make_ctx, coerce):
    """Other checks read the same frame after the schema check."""
    frame = pd.DataFrame({"n": ["1", "2", "x"], "f": [1.0, None, 3.0]})
    before = frame.copy()
    run(make_ctx, frame, coerce=coerce, columns={"n": {"dtype": "int64"}, "f": {}})
    pd.testing.assert_frame_equal(frame, before)
