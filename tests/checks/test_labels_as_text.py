"""Classes and keys that differ only by dtype, and numbers JSON cannot hold."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks._metrics import compute
from modelhealth.checks._predictions import positive_rate
from modelhealth.checks._text import as_text, scalar_text
from modelhealth.checks.base import CheckResult, Status
from modelhealth.rules.models import PredictionSpec


def test_whole_number_floats_read_as_integers():
    """A label column with one blank is float64: 1.0 must still be class 1."""
    assert as_text(pd.Series([1.0, 0.0, np.nan])).tolist()[:2] == ["1", "0"]
    assert as_text(pd.Series([1.0, np.nan])).isna().tolist() == [False, True]
    assert as_text(pd.Series([0.5, 1.0])).tolist() == ["0.5", "1.0"]
    assert scalar_text(1.0) == "1"
    assert scalar_text("a") == "a"


def test_accuracy_with_float_labels_and_integer_predictions():
    spec = PredictionSpec(column="p", task="multiclass_classification")
    labels = pd.Series([0.0, 1.0, 2.0, 1.0])  # came through a join with a blank
    predictions = pd.Series([0, 1, 2, 1])
    assert compute("accuracy", labels, predictions, spec) == 1.0


def test_positive_rate_with_a_float_class_column():
    spec = PredictionSpec(column="p", positive_label=1)
    assert positive_rate(pd.Series([1.0, 0.0, 1.0, np.nan]), spec) == 2 / 3


def test_non_finite_numbers_in_details_and_failures_become_null():
    result = CheckResult(
        "c", "expectations", None, Status.FAILED,
        details={"observed": float("nan"), "nested": [float("inf"), 1.0]},
        failures=({"value": float("nan")},),
        started_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        finished_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )  # fmt: skip
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["details"] == {"observed": None, "nested": [None, 1.0]}
    assert data["failures"] == [{"value": None}]


def test_mape_leaves_out_rows_labelled_zero():
    spec = PredictionSpec(column="p", task="regression")
    labels = pd.Series([0.0, 1.0, 2.0, 4.0])
    predictions = pd.Series([0.01, 1.1, 2.0, 4.0])
    assert compute("mape", labels, predictions, spec) == pytest.approx(0.1 / 3)


def test_numpy_scalars_in_details_are_plain_json():
    result = CheckResult(
        "c", "quality", None, Status.FAILED,
        details={"rows": np.int64(3), "share": np.float64("nan")},
        started_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
        finished_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )  # fmt: skip
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["details"] == {"rows": 3, "share": None}
