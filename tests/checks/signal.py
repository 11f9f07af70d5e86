"""A drift simulation with known truth: what ``method: auto`` flags, by size.

Each repetition builds a reference and a run frame whose columns are
(shape, scenario) pairs: every shape appears unchanged (``null``) and under each
change, so one :class:`~modelhealth.checks.drift.DriftCheck` run judges them all
through the
real code path (profiles, binning, noise-aware levels).

Numeric shapes: normal, lognormal (sigma 0.5), uniform, a two-bump mixture, and
Poisson(4) integers, and Student's t with 3 degrees of freedom (heavy tails).
Changes, in the reference's standard deviations (sd): ``shift_0.5``,
``spread_1.6``, ``mode_25`` (a quarter of the rows moved to a new bump 3 sd above
the mean), ``fill_25`` (a quarter of the rows set to the median, as a fill value
for missing data would), then the moderate ``shift_0.2``, ``spread_1.2``,
``mode_10``, ``fill_10``, and the immaterial ``shift_0.02``. Categorical shapes: 8
categories with shares from 40% down to 1%, and a boolean at 5%; changes move 25%
or 10% of the rows to the rarest categories (``rare_25``, ``rare_10``; the
boolean's minority), swap the top two categories' shares (``swap_top``), take 10
points from the top category's share and spread them over the rest
(``top_10``), or make the immaterial changes ``rare_01`` (1% of the rows to the
rarest) and ``top_01`` (one point off the top category).

:data:`EXPECTED` says, per change, from which size on it must be caught; ``None``
means it must not alarm at any size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from modelhealth.checks.base import CheckContext, Reference, Status
from modelhealth.checks.drift import DriftCheck, DriftParams
from modelhealth.checks.profiling import profile_frame
from modelhealth.rules.models import RuleSet

Rng = np.random.Generator
NUMERIC: dict[str, Callable[[Rng, int], np.ndarray]] = {
    "normal": lambda g, n: g.normal(10.0, 2.0, n),
    "lognormal": lambda g, n: g.lognormal(0.0, 0.5, n),
    "uniform": lambda g, n: g.uniform(-1.0, 3.0, n),
    "bimodal": lambda g, n: np.where(
        g.random(n) < 0.6, g.normal(0.0, 1.0, n), g.normal(4.0, 1.0, n)
    ),
    "poisson": lambda g, n: g.poisson(4.0, n).astype(np.float64),
    "student_t3": lambda g, n: g.standard_t(3.0, n),
}
CATEGORIES = {
    "cat8": ["a", "b", "c", "d", "e", "f", "g", "h"],
    "bool": ["no", "yes"],
}
SHARES = {
    "cat8": np.array([0.40, 0.22, 0.15, 0.10, 0.06, 0.04, 0.02, 0.01]),
    "bool": np.array([0.95, 0.05]),
}
NUMERIC_CHANGES = [
    "null",
    "shift_0.5",
    "spread_1.6",
    "mode_25",
    "shift_0.2",
    "spread_1.2",
    "mode_10",
    "fill_25",
    "fill_10",
    "shift_0.02",
]
CATEGORICAL_CHANGES = [
    "null",
    "rare_25",
    "swap_top",
    "rare_10",
    "top_10",
    "rare_01",
    "top_01",
]
EXPECTED: dict[str, int | None] = {
    "shift_0.5": 200,
    "spread_1.6": 200,
    "mode_25": 200,
    "rare_25": 200,
    "shift_0.2": 10_000,
    "spread_1.2": 10_000,
    "mode_10": 10_000,
    "fill_25": 200,
    "fill_10": 10_000,
    "swap_top": 1_000,
    "rare_10": 10_000,
    "top_10": 10_000,
    "shift_0.02": None,
    "rare_01": None,
    "top_01": None,
    "null": None,
}


def _numeric(
    g: Rng, shape: str, change: str, n: int, sd: float, mean: float, median: float
):
    x = NUMERIC[shape](g, n)
    kind, _, amount = change.partition("_")
    size = float(amount) if amount else 0.0
    if kind == "shift":
        x = x + size * sd
    elif kind == "spread":
        x = mean + (x - mean) * size
    elif kind == "mode":
        moved = g.random(n) < size / 100
        x = np.where(moved, g.normal(mean + 3 * sd, 0.3 * sd, n), x)
    elif kind == "fill":  # rows set to the median, as a fill value for missing data
        x = np.where(g.random(n) < size / 100, median, x)
    return x


def _categorical(g: Rng, shape: str, change: str, n: int) -> np.ndarray:
    shares = SHARES[shape].copy()
    kind, _, amount = change.partition("_")
    if kind == "swap":  # the top two categories trade places
        shares[[0, 1]] = shares[[1, 0]]
    elif kind == "top":  # the top category loses points to the rest, pro rata
        points = float(amount) / 100
        rest = shares[1:].sum()
        shares[1:] *= (rest + points) / rest
        shares[0] -= points
    elif kind == "rare":
        moved = float(amount) / 100
        rare = [len(shares) - 1] if len(shares) == 2 else [len(shares) - 2, -1]
        shares *= 1 - moved
        shares[rare] += moved / len(rare)
    return g.choice(CATEGORIES[shape], n, p=shares / shares.sum())


def frames(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A reference frame and a run frame of ``n`` rows each, every column a case."""
    g = np.random.default_rng(seed)
    ref: dict[str, object] = {}
    cur: dict[str, object] = {}
    for shape in NUMERIC:
        base = NUMERIC[shape](np.random.default_rng(0), 200_000)
        mean, sd = float(base.mean()), float(base.std())
        median = float(np.median(base))
        for change in NUMERIC_CHANGES:
            ref[f"{shape}/{change}"] = NUMERIC[shape](g, n)
            cur[f"{shape}/{change}"] = _numeric(g, shape, change, n, sd, mean, median)
    for shape in CATEGORIES:
        for change in CATEGORICAL_CHANGES:
            ref[f"{shape}/{change}"] = _categorical(g, shape, "null", n)
            cur[f"{shape}/{change}"] = _categorical(g, shape, change, n)
    return pd.DataFrame(ref), pd.DataFrame(cur)


def judge(ref: pd.DataFrame, cur: pd.DataFrame) -> dict[str, bool]:
    """``{column: alarmed}`` under the drift check's defaults (``method: auto``)."""
    reference = profile_frame(ref)
    check = DriftCheck(DriftParams(id="drift"))
    ctx = CheckContext(
        rule_set=RuleSet(version=1, model="sim"),
        run_id="sim",
        frame=cur,
        profile=profile_frame(cur, reference=reference),
        reference=Reference(source="baseline", label="sim", profile=reference),
    )
    results = check.run(ctx)
    assert all(r.status in (Status.PASSED, Status.FAILED) for r in results)
    return {str(r.subject): r.status is Status.FAILED for r in results}


@dataclass
class Tally:
    """Alarm counts per (change, size) over all shapes and repetitions."""

    alarms: dict[tuple[str, int], int] = field(default_factory=dict)
    cases: dict[tuple[str, int], int] = field(default_factory=dict)

    def add(self, n: int, alarmed: dict[str, bool]) -> None:
        for column, hit in alarmed.items():
            key = (column.partition("/")[2], n)
            self.alarms[key] = self.alarms.get(key, 0) + int(hit)
            self.cases[key] = self.cases.get(key, 0) + 1

    def rate(self, change: str, n: int) -> float:
        return self.alarms[(change, n)] / self.cases[(change, n)]

    def table(self) -> str:
        sizes = sorted({n for _, n in self.cases})
        changes = list(dict.fromkeys(c for c, _ in self.cases))
        head = f"{'alarm rate':<12}" + "".join(f"{n:>10,}" for n in sizes)
        rows = [head]
        for change in changes:
            rates = "".join(f"{self.rate(change, n):>10.3f}" for n in sizes)
            need = EXPECTED[change]
            tag = "no alarm" if need is None else f"catch from {need:,}"
            rows.append(f"{change:<12}{rates}   ({tag})")
        return "\n".join(rows)

    def misses(self, min_recall: float, max_false: float) -> list[str]:
        """The (change, size) cells that miss their target."""
        bad = []
        for (change, n), _ in sorted(self.cases.items()):
            need, rate = EXPECTED[change], self.rate(change, n)
            if need is None and rate > max_false:
                bad.append(f"{change} at {n}: alarm rate {rate:.3f}")
            if need is not None and n >= need and rate < min_recall:
                bad.append(f"{change} at {n}: recall {rate:.3f}")
        return bad


def simulate(
    plan: dict[int, int],
    seed: int = 0,
    judge: Callable[[pd.DataFrame, pd.DataFrame], dict[str, bool]] = judge,
) -> Tally:
    """Run ``plan = {rows: repetitions}`` and tally the alarms of ``judge``
    (ours by default; the benchmark passes evidently's too)."""
    tally = Tally()
    for n, reps in plan.items():
        for rep in range(reps):
            tally.add(n, judge(*frames(n, seed + 1000 * rep + n)))
    return tally
