"""The ``freshness`` check: time since the last run, or the newest timestamp."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest
from pydantic import ValidationError

from modelhealth.checks.base import CheckError, Status
from modelhealth.checks.freshness import FreshnessCheck, FreshnessParams, age_text
from modelhealth.rules.models import Schedule

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)


def run(ctx, **params):
    (result,) = FreshnessCheck(FreshnessParams(id="f", **params)).run(
        replace(ctx, now=NOW)
    )
    return result


@pytest.fixture
def ctx(make_ctx, frame):
    return make_ctx(FreshnessParams(id="f", max_age="26h"), frame(20))


@pytest.mark.parametrize(
    ("hours", "status", "text"),
    [
        (2, Status.PASSED, "2h old"),
        (25, Status.WARNED, "1d 1h old > warn_age 24h"),
        (30, Status.FAILED, "1d 6h old > max_age 26h"),
    ],
)
def test_time_since_the_last_run(ctx, hours, status, text):
    ctx = replace(ctx, last_run_at=NOW - timedelta(hours=hours))
    result = run(ctx, max_age="26h", warn_age="24h")
    assert result.status is status
    assert result.value == hours * 3600
    assert result.threshold == {"warn": 24 * 3600, "fail": 26 * 3600}
    assert result.message == f"the newest earlier run is {text}"


def test_first_run_is_skipped(ctx):
    assert run(ctx, max_age="1h").status is Status.SKIPPED


def test_max_age_defaults_to_expect_every(ctx):
    rules = ctx.rule_set.model_copy(update={"schedule": Schedule(expect_every="1h")})
    ctx = replace(ctx, rule_set=rules, last_run_at=NOW - timedelta(hours=2))
    assert run(ctx).status is Status.FAILED
    with pytest.raises(CheckError, match="freshness needs max_age"):
        run(replace(ctx, rule_set=rules.model_copy(update={"schedule": None})))


def test_newest_timestamp_in_a_column(make_ctx):
    df = pd.DataFrame(
        {
            "ts": pd.to_datetime(
                pd.Series(["2026-02-27T06:00", "2026-02-28T05:00", None])
            )
        }
    )
    ctx = make_ctx(FreshnessParams(id="f"), df)
    result = run(ctx, column="ts", max_age="1d")
    assert result.status is Status.FAILED
    assert result.message == "the newest 'ts' is 1d 1h old > max_age 1d"
    assert result.details["newest"] == "2026-02-28T05:00:00+00:00"
    with pytest.raises(CheckError, match="holds no timestamp"):
        run(make_ctx(FreshnessParams(id="f"), df.iloc[2:]), column="ts", max_age="1d")
    with pytest.raises(CheckError, match="'nope' is not in the run data"):
        run(ctx, column="nope", max_age="1d")


def test_bad_duration_is_a_validation_error():
    with pytest.raises(ValidationError, match="invalid duration"):
        FreshnessParams(id="f", max_age="soon")


def test_age_text():
    assert age_text(timedelta(seconds=45)) == "45s"
    assert age_text(timedelta(hours=26, minutes=5)) == "1d 2h"
    assert age_text(timedelta(minutes=90)) == "1h 30m"
