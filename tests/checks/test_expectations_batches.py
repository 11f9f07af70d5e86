"""``expectations`` on batches: row-wise counts add up, aggregates from the profile.

The same expectations run on the whole frame and through the check's row pass fed
batches of the whole run, 1000 and 7 rows (merged across two workers, pickled):
the same verdicts, counts and first unexpected values. A sampled run answers its
aggregates from the profile, or says they need the whole data (issue 10).
"""

from __future__ import annotations

import pickle
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks._gx_batches import ExpectationsPass
from modelhealth.checks.base import CheckContext, CheckError, Status
from modelhealth.checks.expectations import ExpectationsCheck, ExpectationsParams
from modelhealth.checks.passes import Batch
from modelhealth.checks.profiling import profile_frame
from modelhealth.rules.models import RuleSet

ROW_WISE = [
    {"expect_column_values_to_not_be_null": {"column": "age"}},
    {"expect_column_values_to_not_be_null": {"column": "age", "mostly": 0.9}},
    {
        "expect_column_values_to_be_between": {
            "column": "age",
            "min_value": 18,
            "max_value": 80,
        }
    },
    {
        "expect_column_values_to_be_between": {
            "column": "age",
            "min_value": 18,
            "max_value": 80,
            "mostly": 0.8,
        }
    },
    {
        "expect_column_values_to_be_in_set": {
            "column": "plan",
            "value_set": ["basic", "pro"],
        }
    },
    {
        "expect_column_values_to_match_regex": {
            "column": "email",
            "regex": "^[a-z]+@x\\.io$",
        }
    },
    {"expect_column_values_to_be_null": {"column": "note"}},
    {
        "expect_column_pair_values_a_to_be_greater_than_b": {
            "column_A": "spend",
            "column_B": "refund",
        }
    },
]
AGGREGATE = [
    {"expect_table_row_count_to_be_between": {"min_value": 100, "max_value": 5000}},
    {"expect_table_row_count_to_equal": {"value": 999}},
    {
        "expect_column_mean_to_be_between": {
            "column": "spend",
            "min_value": 40,
            "max_value": 60,
        }
    },
    {"expect_column_max_to_be_between": {"column": "spend", "max_value": 70}},
    {
        "expect_column_min_to_be_between": {
            "column": "spend",
            "min_value": 0,
            "strict_min": True,
        }
    },
    {
        "expect_column_stdev_to_be_between": {
            "column": "spend",
            "min_value": 5,
            "max_value": 15,
        }
    },
    {"expect_column_sum_to_be_between": {"column": "spend", "min_value": 0}},
    {
        "expect_column_proportion_of_non_null_values_to_be_between": {
            "column": "age",
            "min_value": 0.99,
        }
    },
    {
        "expect_column_unique_value_count_to_be_between": {
            "column": "plan",
            "min_value": 2,
            "max_value": 3,
        }
    },
    {"expect_column_to_exist": {"column": "email"}},
]


def rows(n: int = 1200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(10, 90, n).astype(float)
    age[rng.random(n) < 0.05] = np.nan
    spend = rng.normal(50, 10, n)
    names = rng.choice(["ann", "bob", "Cy", "dee"], n)
    return pd.DataFrame(
        {
            "age": age,
            "plan": rng.choice(["basic", "pro", "max"], n, p=[0.6, 0.35, 0.05]),
            "email": [f"{a}@x.io" for a in names],
            "note": pd.Series(["x"] * n).where(pd.Series(rng.random(n) < 0.01)),
            "spend": spend,
            "refund": spend - rng.normal(1, 0.5, n),
        }
    )


def context(expectations, frame: pd.DataFrame, passes=None) -> CheckContext:
    params = ExpectationsParams(id="gx", expectations=expectations)
    return CheckContext(
        rule_set=RuleSet(version=1, model="m", checks=[params]),
        run_id="run-1",
        frame=frame,
        profile=profile_frame(frame),
        reference=None,
        passes=passes or {},
    )


def scanned(
    ctx: CheckContext, frame: pd.DataFrame, size: int | None
) -> ExpectationsPass:
    params = ctx.rule_set.checks[0]
    size = size or len(frame)
    half = (len(frame) // size // 2) * size or len(frame)
    workers = []
    for part in (frame.iloc[:half], frame.iloc[half:]):
        found = ExpectationsCheck.row_pass(params, ctx.rule_set, None)
        assert isinstance(found, ExpectationsPass)
        for start in range(0, len(part), size):
            found.update(Batch(frame=part.iloc[start : start + size]))
        workers.append(pickle.loads(pickle.dumps(found)))
    merged = workers[0]
    assert isinstance(merged, ExpectationsPass)
    merged.merge(workers[1])
    return merged


def check_of(ctx: CheckContext) -> ExpectationsCheck:
    params = ctx.rule_set.checks[0]
    assert isinstance(params, ExpectationsParams)
    return ExpectationsCheck(params)


@pytest.mark.parametrize("size", [None, 1000, 7], ids=["whole", "1000", "7"])
def test_row_wise_counts_add_up_to_the_whole_frames(size):
    frame = rows(300 if size == 7 else 1200)
    ctx = context(ROW_WISE + AGGREGATE, frame)
    whole = check_of(ctx).run(ctx)
    batched = check_of(ctx).run(replace(ctx, passes={"gx": scanned(ctx, frame, size)}))
    assert [r.subject for r in batched] == [r.subject for r in whole]
    for mine, theirs in zip(batched, whole, strict=True):
        assert mine.status == theirs.status, mine.subject
        assert mine.metrics == pytest.approx(theirs.metrics), mine.subject
        assert mine.value == pytest.approx(theirs.value), mine.subject
        assert repr(mine.failures) == repr(theirs.failures), mine.subject  # NaN
        assert mine.message == theirs.message, mine.subject
    statuses = {r.status for r in whole}
    assert statuses == {Status.PASSED, Status.FAILED}  # the cases test both ways


def test_a_sampled_run_answers_aggregates_from_its_profile():
    frame = rows(1200)
    ctx = context(AGGREGATE, frame)
    whole = check_of(ctx).run(ctx)
    sample = frame.sample(300, random_state=1)
    sampled = replace(ctx, frame=sample, sampled=True, row_count=len(frame))
    from_profile = check_of(ctx).run(sampled)
    for mine, theirs in zip(from_profile, whole, strict=True):
        assert mine.status == theirs.status, mine.subject
        assert mine.value == pytest.approx(theirs.value), mine.subject
    assert from_profile[0].details["from"] == "profile"
    assert from_profile[-1].details["sampled"] is True  # column names: the sample


def test_an_aggregate_the_profile_cannot_answer_needs_the_whole_data():
    frame = rows(1200)
    expectations = [
        {"expect_column_values_to_be_unique": {"column": "email"}},
        {"expect_column_median_to_be_between": {"column": "spend", "min_value": 0}},
    ]
    ctx = context(expectations, frame)
    sampled = replace(ctx, frame=frame.iloc[:300], sampled=True, row_count=1200)
    results = check_of(ctx).run(sampled)
    assert [r.status for r in results] == [Status.SKIPPED, Status.SKIPPED]
    assert results[0].message == (
        "expect_column_values_to_be_unique needs the whole data: the run has "
        "1,200 rows and was checked on a sample of 300"
    )
    assert results[0].details["needs_whole_data"] is True


def test_bad_arguments_of_a_row_wise_expectation_are_the_checks_error():
    frame = rows(50)
    ctx = context([{"expect_column_values_to_be_between": {"colum": "age"}}], frame)
    found = scanned(ctx, frame, 7)
    assert found.error is not None
    with pytest.raises(CheckError, match="invalid arguments"):
        check_of(ctx).run(replace(ctx, passes={"gx": found}))


def test_a_missing_column_errors_alike():
    frame = rows(50)
    ctx = context([{"expect_column_values_to_not_be_null": {"column": "nope"}}], frame)
    whole = check_of(ctx).run(ctx)
    batched = check_of(ctx).run(replace(ctx, passes={"gx": scanned(ctx, frame, 7)}))
    assert batched[0].status == whole[0].status == Status.ERRORED
    assert batched[0].message == whole[0].message


def test_no_pass_without_a_row_wise_expectation():
    ctx = context(AGGREGATE, rows(20))
    assert (
        ExpectationsCheck.row_pass(ctx.rule_set.checks[0], ctx.rule_set, None) is None
    )
