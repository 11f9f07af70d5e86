"""``multivariate_drift``: known truth on simulated data, and bad input.

The simulated world: two pairs of standard normal features, each pair correlated
0.8, and a categorical column. Breaking one pair's correlation leaves every
column's own distribution exactly as it was, so univariate drift cannot see it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks.base import CheckContext, CheckError, Reference, Status
from modelhealth.checks.drift import DriftCheck, DriftParams
from modelhealth.checks.fitted import fit_reference
from modelhealth.checks.multivariate_drift import (
    MultivariateDriftCheck,
    MultivariateDriftParams,
)
from modelhealth.checks.profiling import profile_frame
from modelhealth.rules.models import LabelSpec, PredictionSpec, RuleSet


def world(n: int, seed: int, rho: float = 0.8) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = {}
    for a, b in (("x1", "x2"), ("x3", "x4")):
        u, v = rng.standard_normal(n), rng.standard_normal(n)
        r = rho if a == "x1" else 0.8
        cols[a], cols[b] = u, r * u + np.sqrt(1 - r * r) * v
    cols["plan"] = rng.choice(["basic", "pro", "enterprise"], n, p=[0.6, 0.3, 0.1])
    cols["score"] = rng.random(n)
    return pd.DataFrame(cols)


def rules(*checks) -> RuleSet:
    return RuleSet(
        version=1,
        model="m",
        prediction=PredictionSpec(column="score"),
        label=LabelSpec(column="churned"),
        checks=list(checks),
    )


def context(params, reference: pd.DataFrame, run: pd.DataFrame) -> CheckContext:
    rule_set = rules(params)
    profile = profile_frame(reference)
    fitted = fit_reference(rule_set, reference).get("fitted", {})
    return CheckContext(
        rule_set=rule_set,
        run_id="r",
        frame=run,
        profile=profile_frame(run, reference=profile),
        reference=Reference("baseline", "baseline v1", profile, fitted=fitted),
    )


def check(params, reference, run):
    return MultivariateDriftCheck(params).run(context(params, reference, run))


P = MultivariateDriftParams(id="mv")


def test_fires_on_a_broken_correlation_that_univariate_drift_misses():
    reference, run = world(5000, seed=1), world(2000, seed=2, rho=0.0)
    (result,) = check(P, reference, run)
    assert result.status is Status.FAILED
    assert result.value > result.threshold["upper"]
    assert result.metrics["relative_change"] > 0.1
    assert "score" not in result.details["columns"]  # the prediction is left out
    drift = DriftParams(id="d", columns=["x1", "x2", "x3", "x4", "plan"])
    ctx = context(drift, reference, run)
    assert {r.status for r in DriftCheck(drift).run(ctx)} == {Status.PASSED}


def test_quiet_on_a_fresh_sample_of_the_reference():
    (result,) = check(P, world(5000, seed=1), world(2000, seed=3))
    assert result.status is Status.PASSED, result.message
    assert "within the band" in result.message
    assert result.details["components"] >= 1
    assert 0.65 <= result.details["variance_kept"] < 1


def test_false_alarm_rate_on_unchanged_data():
    """Repeated fresh samples of the reference world; prints the measured rate."""
    alarms = runs = 0
    for ref_seed in range(5):
        ctx = context(P, world(5000, seed=100 + ref_seed), world(10, seed=0))
        check_ = MultivariateDriftCheck(P)
        for seed in range(40):
            for n in (500, 5000):
                run = world(n, seed=1000 * ref_seed + 10 * seed + n)
                (result,) = check_.run(
                    CheckContext(ctx.rule_set, "r", run, ctx.profile, ctx.reference)
                )
                alarms += result.status is Status.FAILED
                runs += 1
    rate = alarms / runs
    print(
        f"\nmultivariate_drift false alarm rate on unchanged data: {rate:.2%} "
        f"({alarms} of {runs} runs, 5 references x 40 samples x 500/5000 rows)"
    )
    assert rate <= 0.02


def test_a_lower_error_fails_too():
    # both pairs perfectly correlated: the rows sit closer to the fitted plane
    (result,) = check(P, world(5000, seed=1), world(2000, seed=4, rho=0.999))
    assert result.value < result.threshold["lower"]
    assert result.status is Status.FAILED
    assert "below the band" in result.message


def test_columns_star_leaves_out_constant_null_and_datetime_columns():
    reference = world(1000, seed=1).assign(
        one=1.0, empty=np.nan, when=pd.Timestamp("2026-01-01"), tag="same"
    )
    (result,) = check(P, reference, reference.iloc[:500])
    assert result.details["left_out"] == {
        "one": "constant",
        "empty": "all null",
        "when": "a datetime column",
        "tag": "constant",
    }
    assert result.status is Status.PASSED


@pytest.mark.parametrize(
    ("extra", "why"),
    [
        ({"one": 1.0}, "column 'one' is constant"),
        ({"one": np.nan}, "column 'one' is all null"),
        ({"one": np.inf}, "column 'one' is no finite value"),
    ],
)
def test_an_explicit_bad_column_errors(extra, why):
    params = MultivariateDriftParams(id="mv", columns=["x1", "x2", "one"])
    reference = world(1000, seed=1).assign(**extra)
    with pytest.raises(CheckError, match=why):
        check(params, reference, reference)


def test_a_small_reference_errors_with_what_it_needs():
    with pytest.raises(CheckError, match=r"has 150 rows; .* needs at least 200"):
        check(P, world(150, seed=1), world(150, seed=2))


def test_fewer_than_two_usable_columns_errors():
    params = MultivariateDriftParams(id="mv", columns="*", exclude=["x2", "x3", "x4"])
    reference = world(1000, seed=1).assign(plan="a")
    with pytest.raises(CheckError, match=r"at least 2 usable columns, found 1 "):
        check(params, reference, reference)


def test_a_column_missing_from_the_run_errors():
    reference = world(1000, seed=1)
    with pytest.raises(CheckError, match="column 'x1' is not in the run data"):
        check(P, reference, reference.drop(columns="x1"))
    with pytest.raises(CheckError, match="'x1' was numeric in the reference"):
        check(P, reference, reference.assign(x1="a"))


def test_unseen_categories_and_nulls_are_encoded_not_fatal():
    reference = world(2000, seed=1)
    run = world(1000, seed=2)
    run.loc[:9, "plan"] = "new"
    run.loc[10:19, "x1"] = np.nan
    (result,) = check(P, reference, run)
    assert result.details["imputed_cells"] == 10 + 0  # x1 nulls; 'new' is 'other'
    assert result.status is Status.PASSED


def test_changed_settings_and_missing_state_say_register_again():
    reference, run = world(1000, seed=1), world(500, seed=2)
    ctx = context(P, reference, run)
    other = MultivariateDriftParams(id="mv", variance=0.9)
    with pytest.raises(CheckError, match="fitted with other settings"):
        MultivariateDriftCheck(other).run(ctx)
    renamed = MultivariateDriftParams(id="mv2")
    (result,) = MultivariateDriftCheck(renamed).run(ctx)
    assert result.status is Status.SKIPPED
    assert "register the baseline again" in result.message


def test_window_reference_and_small_runs_skip():
    reference = world(1000, seed=1)
    ctx = context(P, reference, reference.iloc[:50])
    (small,) = MultivariateDriftCheck(P).run(ctx)
    assert small.status is Status.SKIPPED
    assert "fewer than min_rows 100" in small.message
    window = Reference("window", "last 3 runs", ctx.profile)
    ctx = CheckContext(ctx.rule_set, "r", reference, ctx.profile, window)
    (result,) = MultivariateDriftCheck(P).run(ctx)
    assert result.status is Status.SKIPPED
    assert "needs a baseline reference" in result.message


def test_a_bug_while_fitting_is_stored_not_raised(monkeypatch):
    from modelhealth.checks import _reconstruction

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(_reconstruction, "fit", boom)
    fitted = fit_reference(rules(P), world(500, seed=1))
    assert fitted == {
        "fitted": {
            "mv": {"error": "fitting on the baseline failed: RuntimeError('boom')"}
        }
    }


def test_baseline_fits_and_runs_read_the_fitted_state(tmp_path):
    """End to end: the fit is stored with the baseline and read back by runs."""
    import modelhealth

    path = tmp_path / "rules.yaml"
    path.write_text(
        "version: 1\nmodel: m\nprediction: {column: score}\n"
        "checks:\n  - {id: mv, kind: multivariate_drift}\n"
        "  - {id: tiny, kind: multivariate_drift, chunks: 100}\n"
    )
    db = str(tmp_path / "m.db")
    record = modelhealth.register_baseline(rules=path, data=world(1500, seed=1), db=db)
    assert set(record.details["fitted"]) == {"mv", "tiny"}
    changed = modelhealth.check_run(
        rules=path,
        run_id="r1",
        inputs=world(1000, seed=2, rho=0.0),
        db=db,
        alert=False,
    )
    by_id = {r.check_id: r for r in changed.results}
    assert by_id["mv"].status is Status.FAILED
    assert by_id["tiny"].status is Status.ERRORED
    assert "could not fit on baseline default: the reference has 1,500 rows" in (
        by_id["tiny"].message
    )
    same = modelhealth.check_run(
        rules=path, run_id="r2", inputs=world(1000, seed=3), db=db, alert=False
    )
    assert {r.check_id: r.status for r in same.results}["mv"] is Status.PASSED


def test_a_large_baseline_is_sampled_to_fit(monkeypatch):
    from modelhealth.checks import _reconstruction

    monkeypatch.setattr(_reconstruction, "MAX_FIT_ROWS", 1000)
    (result,) = check(P, world(3000, seed=1), world(2000, seed=2, rho=0.0))
    assert result.details["reference_rows"] == 1000
    assert result.status is Status.FAILED
