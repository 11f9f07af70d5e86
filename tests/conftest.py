"""Shared fixtures: a small frame factory, a clean environment, a frozen clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import numpy as np
import pandas as pd
import pytest

_ENV_PREFIXES = ("MODELHEALTH_",)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory) -> None:
    """No test sees the developer's MODELHEALTH_* settings; a run a test's store
    cannot take is spooled in a temporary folder, never in the working folder."""
    import os

    for name in list(os.environ):
        if name.startswith(_ENV_PREFIXES) and name != "MODELHEALTH_TEST_PG":
            monkeypatch.delenv(name, raising=False)
    spool = tmp_path_factory.getbasetemp() / "spool"
    monkeypatch.setenv("MODELHEALTH_SPOOL", str(spool))


@pytest.fixture
def frozen_now() -> datetime:
    return datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def frame() -> Callable[..., pd.DataFrame]:
    """``frame(n=500, seed=0, shift=0.0, **overrides)``: a churn-like input frame.

    Columns: age (int64), tenure (float64), spend (float64), plan (str), region (str),
    score (float64 in [0, 1]), churned (int64 0/1). ``shift`` moves ``spend`` by that
    many standard deviations; overrides replace whole columns.
    """

    def make(
        n: int = 500, seed: int = 0, shift: float = 0.0, **overrides: Any
    ) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        df = pd.DataFrame(
            {
                "age": rng.integers(18, 90, n).astype("int64"),
                "tenure": rng.exponential(24.0, n),
                "spend": rng.normal(50.0, 10.0, n) + shift * 10.0,
                "plan": rng.choice(
                    ["basic", "pro", "enterprise"], n, p=[0.6, 0.3, 0.1]
                ),
                "region": rng.choice(["eu", "us", "apac"], n),
            }
        )
        logit = (
            -2
            + 0.02 * (df["spend"] - 50)
            - 0.03 * df["tenure"]
            + 0.5 * (df["plan"] == "basic")
        )
        df["score"] = 1 / (1 + np.exp(-logit))
        df["churned"] = (rng.random(n) < df["score"]).astype("int64")
        for name, value in overrides.items():
            df[name] = value
        return df

    return make
