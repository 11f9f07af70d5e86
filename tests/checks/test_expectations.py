"""The ``expectations`` check: inline GX expectations and suite files.

Great Expectations takes seconds to import, so the module shares one context (the
check's own, per process) across its tests.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from modelhealth.checks.base import CheckError, Status
from modelhealth.checks.expectations import (
    ExpectationsCheck,
    ExpectationsParams,
    load_suite,
)


def run(make_ctx, df, **params):
    check = ExpectationsCheck(ExpectationsParams(id="gx", **params))
    return {r.subject: r for r in check.run(make_ctx(check.params, df))}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "age": np.concatenate([rng.integers(18, 90, 95), [5, 7, 150, 200, 5]]),
            "plan": ["basic"] * 98 + [None, "gold"],
            "spend": rng.normal(50, 10, 100),
        }
    )


def test_inline_expectations(make_ctx, data):
    results = run(
        make_ctx,
        data,
        expectations=[
            {
                "expect_column_values_to_be_between": {
                    "column": "age",
                    "min_value": 18,
                    "max_value": 120,
                }
            },
            {"expect_column_values_to_not_be_null": {"column": "plan"}},
            {
                "expect_column_values_to_be_in_set": {
                    "column": "plan",
                    "value_set": ["basic"],
                    "mostly": 0.95,
                }
            },
            {
                "expect_column_mean_to_be_between": {
                    "column": "spend",
                    "min_value": 40,
                    "max_value": 60,
                }
            },
            {"expect_table_row_count_to_be_between": {"min_value": 1}},
        ],
    )
    assert list(results) == [
        "expect_column_values_to_be_between(age)",
        "expect_column_values_to_not_be_null(plan)",
        "expect_column_values_to_be_in_set(plan)",
        "expect_column_mean_to_be_between(spend)",
        "expect_table_row_count_to_be_between",
    ]
    age = results["expect_column_values_to_be_between(age)"]
    assert age.status is Status.FAILED
    assert age.metrics["unexpected_count"] == 5
    assert age.value == pytest.approx(0.05)
    assert [f["value"] for f in age.failures] == [5, 7, 150, 200]
    assert age.message == "failed: 5 of 100 unexpected: 5, 7, 150, 200"
    assert results["expect_column_values_to_not_be_null(plan)"].status is Status.FAILED
    assert results["expect_column_values_to_be_in_set(plan)"].status is Status.PASSED
    mean = results["expect_column_mean_to_be_between(spend)"]
    assert mean.status is Status.PASSED
    assert mean.value == pytest.approx(data["spend"].mean())
    assert (
        results["expect_table_row_count_to_be_between"].details["observed_value"] == 100
    )


def test_quantile_expectation_is_stored_without_json_errors(make_ctx, data):
    """NOTES.md: GX 1.24 with numpy 2 fails storing it via ValidationDefinition."""
    results = run(
        make_ctx,
        data,
        expectations=[
            {
                "expect_column_quantile_values_to_be_between": {
                    "column": "spend",
                    "quantile_ranges": {"quantiles": [0.5], "value_ranges": [[40, 60]]},
                }
            }
        ],
    )
    (result,) = results.values()
    assert result.status is Status.PASSED
    json.dumps(result.to_dict(), allow_nan=False)


def test_missing_column_is_errored_and_repeats_are_numbered(make_ctx, data):
    results = run(
        make_ctx,
        data,
        expectations=[
            {"expect_column_values_to_not_be_null": {"column": "nope"}},
            {"expect_column_values_to_not_be_null": {"column": "age"}},
            {"expect_column_values_to_not_be_null": {"column": "age", "mostly": 0.5}},
        ],
    )
    assert results["expect_column_values_to_not_be_null(nope)"].status is Status.ERRORED
    assert "nope" in results["expect_column_values_to_not_be_null(nope)"].message
    assert "expect_column_values_to_not_be_null(age)#2" in results


def test_unknown_expectation_and_bad_arguments(make_ctx, data):
    with pytest.raises(
        CheckError, match="did you mean 'expect_column_values_to_not_be_null'"
    ):
        run(
            make_ctx,
            data,
            expectations=[{"expect_column_values_to_not_be_nul": {"column": "a"}}],
        )
    with pytest.raises(CheckError, match="invalid arguments"):
        run(
            make_ctx,
            data,
            expectations=[{"expect_column_values_to_not_be_null": {"colum": "a"}}],
        )


def test_suite_file(make_ctx, data, tmp_path):
    suite = {
        "name": "s",
        "expectations": [
            {"type": "expect_column_to_exist", "kwargs": {"column": "age"}},
            {
                "expectation_type": "expect_column_max_to_be_between",
                "kwargs": {"column": "age", "max_value": 120},
            },
        ],
    }
    path = tmp_path / "suite.json"
    path.write_text(json.dumps(suite))
    results = run(make_ctx, data, suite=str(path))
    assert results["expect_column_to_exist(age)"].status is Status.PASSED
    assert results["expect_column_max_to_be_between(age)"].status is Status.FAILED
    assert len(load_suite(path)) == 2
    with pytest.raises(CheckError, match="does not exist"):
        load_suite(tmp_path / "missing.json")
    path.write_text("{}")
    with pytest.raises(CheckError, match="no 'expectations' list"):
        load_suite(path)


def test_params_validation():
    with pytest.raises(ValidationError, match="expectations list or a suite"):
        ExpectationsParams(id="gx")
    with pytest.raises(ValidationError, match="not an expectation name"):
        ExpectationsParams(id="gx", expectations=[{"column": {"a": 1}}])
    with pytest.raises(ValidationError, match="one expectation name"):
        ExpectationsParams(id="gx", expectations=[{"expect_a": {}, "expect_b": {}}])
