"""The demo's month: each day's customers, and what goes wrong on which day.

Day 1 of the month is a Sunday (the month starts on the latest Sunday that leaves
room for it before today), so its weekends fall on the same days every time: days
1, 7-8, 14-15, 21-22 and 28-29 hold about 55% of a weekday's customers. What goes
wrong, by day:

- day 5, :data:`SKEW_DAY`: the online feature service rounds ``monthly_spend`` to
  whole units for the ``latam`` customers; the feature store's export of the same
  customers holds the exact values (training-serving skew);
- day 9, :data:`SHORT_DAY`: a short run, :data:`SHORT_ROWS` rows;
- days 12-14, :data:`JOIN_BUG`: an upstream join gives half the customers other
  customers' ``monthly_spend``: no column's distribution moves, but the link
  between spend and age weakens (the run and the feature store both get it, so
  only the joint distribution shows it);
- from day 18, :data:`DRIFT_FROM`: covariate shift creeps in (``monthly_spend`` and
  ``support_calls`` move up, ``tenure_months`` crowds together, the ``basic`` plan
  grows), and the model's ROC AUC falls;
- day 25, :data:`SCHEMA_BREAK`: an upstream change capitalises plan names and loses
  some ages.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DAY_ROWS",
    "DRIFT_FROM",
    "JOIN_BUG",
    "SCHEMA_BREAK",
    "SHORT_DAY",
    "SHORT_ROWS",
    "SKEW_DAY",
    "day_frames",
    "first_day",
    "make_day",
]

SKEW_DAY = 5
SHORT_DAY = 9
JOIN_BUG = (12, 13, 14)
DRIFT_FROM = 18
SCHEMA_BREAK = 25
DAY_ROWS = 4_000
SHORT_ROWS = 1_500
_WEEKEND = 0.55  # the share of a weekday's customers a Saturday or Sunday holds
_SPEND_AGE = 0.7  # the correlation of monthly_spend with age
_MIXED = 0.5  # the share of rows the join bug gives another row's spend


def first_day(days: int, now: datetime) -> datetime:
    """Day 1's run time: 06:00 on the latest Sunday from which ``days`` daily runs
    end before ``now``'s day (so each demo day has the same weekday every time, and
    the last run is at most a week old)."""
    last = now.replace(hour=6, minute=0, second=0, microsecond=0) - timedelta(days=1)
    start = last - timedelta(days=days - 1)
    return start - timedelta(days=(start.weekday() + 1) % 7)


def day_frames(day: int, on: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Day ``day``'s run (run on ``on``, whose weekday sets its size) and the
    feature store's export of the same customers: their features, no score.

    Returns:
        The run's rows (with ``churned``, which the demo sends days later) and the
        offline features.
    """
    drift = max(0, day - DRIFT_FROM + 1) * 0.12 if day >= DRIFT_FROM else 0.0
    n = DAY_ROWS + (day * 37) % 400
    if on.weekday() >= 5:
        n = round(n * _WEEKEND)
    if day == SHORT_DAY:
        n = SHORT_ROWS
    df = make_day(n, seed=1000 + day, drift=drift, join_bug=day in JOIN_BUG)
    if day == SCHEMA_BREAK:
        df = _break_schema(df, day)
    offline = df.drop(columns=["score", "churned"])
    if day == SKEW_DAY:
        df = _round_spend(df, region="latam")
    return df, offline


def _round_spend(df: pd.DataFrame, region: str) -> pd.DataFrame:
    df = df.copy()
    rows = df["region"] == region
    df.loc[rows, "monthly_spend"] = df.loc[rows, "monthly_spend"].round(0)
    return df


def make_day(
    n: int, seed: int, drift: float = 0.0, *, join_bug: bool = False
) -> pd.DataFrame:
    """One batch of customers, scored by the model.

    Older customers spend more: ``monthly_spend`` and ``age`` correlate (about
    0.7), though neither moves the score much.

    Args:
        n: rows.
        seed: random seed (each day has its own).
        drift: 0 for the training distribution; 1 moves ``monthly_spend`` up by one
            standard deviation, raises ``support_calls`` by 30%, narrows the spread
            of ``tenure_months`` about fourfold and grows the ``basic`` plan from
            55% to 85%. The score stays the true chance of churn (covariate shift),
            but its spread shrinks, so the ROC AUC falls by about 0.035.
        join_bug: an upstream join gives half the customers another customer's
            ``monthly_spend``: every column's distribution stays as it was, but
            spend goes less with age. The model scores the spend it is given;
            whether a customer churns still follows their own.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    z_age = rng.standard_normal(n)
    age = (45 + 14 * z_age).clip(18, 95).astype("int64")
    crowd = 1 + 20 * drift  # same mean tenure, 1/sqrt(crowd) of its spread
    tenure = rng.gamma(2.0 * crowd, 14.0 / crowd, n)
    z_spend = _SPEND_AGE * z_age + (1 - _SPEND_AGE**2) ** 0.5 * rng.standard_normal(n)
    spend = (60 + 15 * drift + 15 * z_spend).clip(0, None)
    calls = rng.poisson(1.5 * (1 + 0.3 * drift), n).astype("int64")
    basic = min(0.55 + 0.3 * drift, 0.95)
    others = (1 - basic) / 0.45
    plan = rng.choice(
        ["basic", "pro", "enterprise"], n, p=[basic, 0.35 * others, 0.10 * others]
    )
    given = spend.copy()
    if join_bug:  # a share of the rows take their spend from one another
        mixed = np.flatnonzero(np.random.default_rng([seed, 1]).random(n) < _MIXED)
        given[mixed] = spend[np.random.default_rng([seed, 2]).permutation(mixed)]

    def chance(spend: Any) -> Any:
        logit = (
            -1.2
            - 0.035 * tenure
            + 0.45 * calls
            + 0.02 * (spend - 60)
            + 0.6 * (plan == "basic")
            - 0.01 * (age - 45)
        )
        return 1 / (1 + np.exp(-logit))

    score = chance(given)
    return pd.DataFrame(
        {
            "customer_id": [f"c{seed:03d}-{i:06d}" for i in range(n)],
            "age": age,
            "tenure_months": tenure.round(1),
            "monthly_spend": given.round(2),
            "support_calls": calls,
            "plan": plan,
            "region": rng.choice(
                ["eu", "us", "apac", "latam"], n, p=[0.4, 0.35, 0.15, 0.1]
            ),
            "contract": rng.choice(["monthly", "annual"], n, p=[0.7, 0.3]),
            "score": score.round(4),
            "churned": (rng.random(n) < chance(spend)).astype("int64"),
        }
    )


def _break_schema(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(seed)
    df = df.copy()
    df["plan"] = df["plan"].str.capitalize()
    lost = rng.random(len(df)) < 0.08
    df["age"] = df["age"].astype("float64").mask(lost)
    return df
