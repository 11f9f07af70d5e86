"""``skew`` (issue 15, item 3): offline features against the run's, key by key.

The offline export is written to a real Parquet (or CSV) file; the run's rows are
the same customers with known changes: 30 spends 5% off, 10 plans switched, an age
read back as float, a feature the serving side lost, and keys only on one side.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks.base import Status
from modelhealth.checks.skew import SkewCheck, SkewParams
from modelhealth.run.runner import run_checks

N = 1000


def _offline() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "customer_id": [f"c{i:04d}" for i in range(N)],
            "spend": rng.gamma(2.0, 30.0, N),
            "age": rng.integers(18, 90, N),
            "plan": rng.choice(["basic", "pro", "enterprise"], N),
            "tenure": rng.normal(24, 6, N),
            "churned": rng.integers(0, 2, N),
        }
    )


def _online(offline: pd.DataFrame) -> pd.DataFrame:
    run = offline.iloc[:900].drop(columns=["tenure", "churned"]).copy()
    run["spend"] = run["spend"].to_numpy().copy()
    run.loc[run.index[:30], "spend"] *= 1.05
    flip = {"basic": "pro", "pro": "enterprise", "enterprise": "basic"}
    run.loc[run.index[100:110], "plan"] = run["plan"].iloc[100:110].map(flip)
    run["age"] = run["age"].astype("float64")
    run["score"] = 0.5
    new = pd.DataFrame(
        {"customer_id": [f"n{i}" for i in range(20)], "spend": 1.0, "age": 30.0}
    )
    new["plan"], new["score"] = "basic", 0.5
    return pd.concat([run, new], ignore_index=True)


@pytest.fixture
def offline_file(tmp_path):
    path = tmp_path / "features.parquet"
    _offline().to_parquet(path)
    return path


def _check(make_ctx, frame, **keys):
    params = SkewParams(id="skew", key="customer_id", **keys)
    return {r.subject: r for r in run_checks(make_ctx(params, frame))}


def test_known_skew_is_measured_feature_by_feature(make_ctx, offline_file):
    found = _check(make_ctx, _online(_offline()), offline=str(offline_file))
    assert set(found) == {"spend", "age", "plan", "tenure", None}  # not the label
    spend = found["spend"]
    assert spend.status is Status.FAILED
    assert spend.value == pytest.approx(30 / 900)
    assert spend.metrics == {"mismatched": 30.0, "compared": 900.0}
    assert len(spend.failures) == 5
    first = spend.failures[0]
    assert first["key"] == "c0000"
    assert first["run"] == pytest.approx(first["offline"] * 1.05)
    plan = found["plan"]
    assert plan.value == pytest.approx(10 / 900)
    assert plan.status is Status.FAILED
    assert plan.details["compared_as"] == "exactly"
    age = found["age"]  # int64 offline, float64 online, same numbers
    assert age.status is Status.PASSED
    assert age.value == 0
    assert "dtypes int64 offline, float64 in the run" in age.message
    tenure = found["tenure"]
    assert tenure.status is Status.FAILED
    assert tenure.value is None
    assert tenure.message == "column 'tenure' is not in the run data"
    keys = found[None]
    assert keys.value == pytest.approx(20 / 920)
    assert keys.status is Status.WARNED
    assert keys.metrics["missing_in_run"] == 100
    assert keys.metrics["matched"] == 900
    assert "20 of 920 run keys (2.17%) have no offline features, e.g. n0" in (
        keys.message
    )
    assert keys.details["run_only_columns"] == ["score"]


def test_tolerance_and_per_column_overrides(make_ctx, offline_file):
    found = _check(
        make_ctx,
        _online(_offline()),
        offline=str(offline_file),
        columns=["spend", "age"],
        tolerance={"rel": 0.1},
    )
    assert found["spend"].status is Status.PASSED
    found = _check(
        make_ctx,
        _online(_offline()),
        offline=str(offline_file),
        columns=["spend"],
        tolerance={"rel": 0.1},
        per_column={"spend": {"abs": 0.0, "rel": 0.01}},
    )
    assert found["spend"].status is Status.FAILED


def test_an_unchanged_copy_passes_and_csv_is_read(make_ctx, tmp_path):
    offline = _offline()
    path = tmp_path / "features.csv"
    offline.to_csv(path, index=False)
    run = offline.sample(frac=1.0, random_state=3)  # order does not matter
    found = _check(make_ctx, run, offline=str(path), tolerance={"rel": 1e-12})
    assert {s: r.status for s, r in found.items()} == dict.fromkeys(
        ["spend", "age", "plan", "tenure", None], Status.PASSED
    )


def test_a_number_offline_and_text_online_is_a_schema_difference(
    make_ctx, offline_file
):
    run = _online(_offline())
    run["age"] = run["age"].astype(str)
    found = _check(make_ctx, run, offline=str(offline_file), columns=["age"])
    assert found["age"].status is Status.FAILED
    assert found["age"].message == (
        "column 'age' is number (int64) offline and text (object) in the run"
    )


@pytest.mark.parametrize(
    ("side", "message"),
    [
        (
            "offline",
            "the key customer_id is not unique in the offline features: 1 key(s) "
            "are on more than one row, e.g. c0003; skew compares one offline row "
            "with one online row per key",
        ),
        (
            "run",
            "the key customer_id is not unique in the run data: 1 key(s) are on "
            "more than one row, e.g. c0003; skew compares one offline row with one "
            "online row per key",
        ),
    ],
)
def test_a_key_that_is_not_unique_is_an_error(make_ctx, tmp_path, side, message):
    offline, run = _offline(), _online(_offline())
    if side == "offline":
        offline.loc[5, "customer_id"] = "c0003"
    else:
        run.loc[5, "customer_id"] = "c0003"
    path = tmp_path / "features.parquet"
    offline.to_parquet(path)
    found = _check(make_ctx, run, offline=str(path))
    assert list(found) == [None]
    assert found[None].status is Status.ERRORED
    assert found[None].message == message


def test_a_missing_key_column_or_file_is_an_error(make_ctx, offline_file, tmp_path):
    run = _online(_offline()).rename(columns={"customer_id": "id"})
    found = _check(make_ctx, run, offline=str(offline_file))
    assert found[None].status is Status.ERRORED
    assert found[None].message.startswith(
        "the key column 'customer_id' is not in the run data (columns: id, spend"
    )
    missing = str(tmp_path / "nope.parquet")
    found = _check(make_ctx, _online(_offline()), offline=missing)
    assert (
        found[None].message == f"the offline features file {missing!r} does not exist"
    )
    odd = tmp_path / "features.xlsx"
    odd.write_text("x")
    found = _check(make_ctx, _online(_offline()), offline=str(odd))
    assert "unknown file type" in found[None].message


def test_null_keys_are_left_out_and_counted(make_ctx, offline_file):
    run = _online(_offline())
    run.loc[:1, "customer_id"] = None
    found = _check(make_ctx, run, offline=str(offline_file), columns=["plan"])
    assert found[None].details["null_keys"] == {"offline": 0, "run": 2}
    assert "null keys left out: 2 run, 0 offline" in found[None].message
    assert found["plan"].metrics["compared"] == 898


def test_a_compound_key(make_ctx, tmp_path):
    offline = pd.DataFrame(
        {"shop": ["a", "a", "b"], "day": [1, 2, 1], "sales": [1.0, 2.0, 3.0]}
    )
    path = tmp_path / "f.parquet"
    offline.to_parquet(path)
    run = offline.assign(sales=[1.0, 2.5, 3.0])
    params = SkewParams(id="skew", key=["shop", "day"], offline=str(path))
    found = {r.subject: r for r in SkewCheck(params).run(make_ctx(params, run))}
    assert found["sales"].failures[0]["key"] == "a/2"
    assert found["sales"].value == pytest.approx(1 / 3)
