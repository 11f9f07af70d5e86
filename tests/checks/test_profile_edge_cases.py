"""Profiles and drift on the shapes that fooled earlier versions.

Each test names what went wrong: false drift on high-cardinality columns, an upward
shift hidden by collapsed bin edges, and a window reference that broke when a bool
column arrived with a null.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks.base import CheckContext, Reference, Status
from modelhealth.checks.drift import DriftCheck, DriftParams
from modelhealth.checks.profiling import profile_batches, profile_frame
from modelhealth.rules.models import RuleSet


def drift(reference: pd.DataFrame, current: pd.DataFrame, method: str) -> Status:
    ref = profile_frame(reference)
    params = DriftParams(id="d", method=method)
    ctx = CheckContext(
        rule_set=RuleSet(version=1, model="m", checks=[params]),
        run_id="r",
        frame=current,
        profile=profile_frame(current, reference=ref),
        reference=Reference(source="baseline", label="b", profile=ref),
    )
    [result] = DriftCheck(params).run(ctx)
    return result.status


@pytest.mark.parametrize("method", ["auto", "psi"])
def test_more_categories_than_a_profile_keeps_is_not_drift(method):
    """Values the reference counted as "other" were compared by name against 0."""
    rng = np.random.default_rng(0)
    cats = [f"k{i:03d}" for i in range(60)]
    same = drift(
        pd.DataFrame({"c": rng.choice(cats, 50_000)}),
        pd.DataFrame({"c": rng.choice(cats, 50_000)}),
        method,
    )
    assert same is Status.PASSED


@pytest.mark.parametrize("method", ["auto", "psi"])
def test_upward_shift_of_a_mostly_constant_column_is_caught(method):
    """With 99.5% zeros the quantile edges collapsed to [0]: +5 went unseen."""
    base = np.r_[np.zeros(995), np.ones(5)]
    moved = drift(pd.DataFrame({"z": base}), pd.DataFrame({"z": base + 5}), method)
    assert moved is Status.FAILED


def test_bool_column_with_a_null_merges_with_a_bool_column():
    """A bool column with one null arrives as object and is profiled as categorical."""
    merged = profile_batches(
        [pd.DataFrame({"f": [True, False]}), pd.DataFrame({"f": [True, None]})]
    )
    column = merged.columns["f"]
    assert column.kind == "categorical"
    assert column.count == 3
    assert column.nulls == 1


def test_a_column_whose_type_changed_keeps_the_newer_profile_in_a_window():
    newer = profile_frame(pd.DataFrame({"x": ["a", "b"]}))
    older = profile_frame(pd.DataFrame({"x": [1.0, 2.0]}))
    assert newer.merge(older).columns["x"].kind == "categorical"
