"""Every drift method through the check: levels, direction, metrics, overrides."""

from __future__ import annotations

import pytest

from modelhealth.checks._methods import DEFAULTS, METHODS, PVALUE_METHODS
from modelhealth.checks.base import Status
from modelhealth.checks.drift import DriftCheck, DriftParams


def judge(make_ctx, cur, ref, **params):
    check = DriftCheck(DriftParams(id="drift", **params))
    return {r.subject: r for r in check.run(make_ctx(check.params, cur, ref))}


@pytest.mark.parametrize("method", [m for m in METHODS if m != "z"])
def test_every_method_flags_a_shift_and_passes_no_change(make_ctx, frame, method):
    ref = frame(5000)
    shifted = judge(make_ctx, frame(5000, seed=3, shift=1.0), ref, method=method)
    same = judge(make_ctx, frame(5000, seed=3), ref, method=method)
    assert shifted["spend"].status is Status.FAILED, shifted["spend"].message
    assert same["spend"].status is Status.PASSED, same["spend"].message
    result = shifted["spend"]
    assert result.threshold == (
        DEFAULTS[method].model_dump(exclude_none=True)
        if method != "auto"
        else {"fail": max(0.1, result.details["noise_bound"])}
    )
    if method in PVALUE_METHODS:
        assert result.value == result.metrics["p_value"] < 0.05
        assert result.details["graded_on"] == "p_value"
        assert " <= fail 0.05 (statistic " in result.message
    else:
        assert result.value == result.metrics["statistic"]


def test_z_test_on_categorical(make_ctx, frame):
    ref = frame(5000)
    cur = frame(5000, seed=4, plan=["basic"] * 4000 + ["pro"] * 1000)
    results = judge(make_ctx, cur, ref, method="z", columns=["plan", "region"])
    assert results["plan"].status is Status.FAILED
    assert results["region"].status is Status.PASSED


def test_per_column_method_uses_its_own_default_levels(make_ctx, frame):
    results = judge(
        make_ctx,
        frame(5000, seed=1, shift=1.0),
        frame(5000),
        method="psi",
        threshold={"warn": 0.2, "fail": 0.3},
        per_column={"spend": {"method": "ks"}},
    )
    assert results["spend"].details["method"] == "ks"
    assert results["spend"].threshold == {"fail": 0.05}
    assert results["tenure"].threshold == {"warn": 0.2, "fail": 0.3}


def test_auto_threshold_is_a_floor(make_ctx, frame):
    results = judge(
        make_ctx, frame(50_000, seed=1), frame(50_000), threshold={"fail": 0.3}
    )
    assert results["spend"].threshold == {"fail": 0.3}


def test_import_does_not_load_evidently():
    import subprocess
    import sys

    code = "import sys, modelhealth.checks.drift; print('evidently' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
