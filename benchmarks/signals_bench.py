"""Signal quality of the label-free checks: the ``estimated_metric`` error against
the realized metric under covariate shift, and ``multivariate_drift``'s false
alarms on unchanged data.

- ``estimated_metric`` (CBPE): a calibrated model (the score is the true chance of
  ``sigmoid(-1 + 1.5 x1 + x2)``), a 5,000-row reference, runs of ``--rows`` rows
  with ``x1`` shifted by -1 to 1.5 sd, 10 seeds each; per metric, the mean and the
  largest ``|estimate - realized|`` and how often the realized value lay in the 95%
  band. Then the demo's churn model (``modelhealth demo``'s covariate shift, day
  1 to 30), where the AUC really falls.
- ``multivariate_drift``: fresh samples of the reference's world (two correlated
  pairs and a category), 5 references x 100 samples at 500 and ``--rows`` rows;
  the share that failed.

    .venv/bin/python benchmarks/signals_bench.py [--rows 2000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from modelhealth.checks._cbpe import ESTIMATED
from modelhealth.checks.base import CheckContext, Reference, Status
from modelhealth.checks.estimated_metric import (
    EstimatedMetricCheck,
    EstimatedMetricParams,
)
from modelhealth.checks.fitted import fit_reference
from modelhealth.checks.multivariate_drift import (
    MultivariateDriftCheck,
    MultivariateDriftParams,
)
from modelhealth.checks.profiling import profile_frame
from modelhealth.cli.demo import DRIFT_FROM, make_day
from modelhealth.rules.models import LabelSpec, PredictionSpec, RuleSet


def _rules(*checks: object) -> RuleSet:
    return RuleSet(
        version=1,
        model="m",
        prediction=PredictionSpec(column="score"),
        label=LabelSpec(column="churned"),
        checks=list(checks),  # type: ignore[arg-type]
    )


def _context(rule_set: RuleSet, reference: pd.DataFrame) -> CheckContext:
    profile = profile_frame(reference)
    fitted = fit_reference(rule_set, reference).get("fitted", {})
    ref = Reference("baseline", "baseline v1", profile, {}, fitted=fitted)
    return CheckContext(rule_set, "r", reference.head(10), profile, ref)


def _calibrated(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(shift, 1.0, n), rng.standard_normal(n)
    score = 1 / (1 + np.exp(-(-1 + 1.5 * x1 + x2)))
    churned = (rng.random(n) < score).astype("int64")
    return pd.DataFrame({"x1": x1, "x2": x2, "score": score, "churned": churned})


def _estimate(check: EstimatedMetricCheck, ctx: CheckContext, run: pd.DataFrame):
    from dataclasses import replace

    (result,) = check.run(replace(ctx, frame=run, profile=profile_frame(run)))
    return result.metrics


def estimation_error(rows: int) -> None:
    reference = _calibrated(5000, seed=1)
    print(f"estimated_metric vs realized, covariate shift -1..1.5 sd, {rows:,} rows")
    print(f"  {'metric':<9} {'mean err':>8} {'max err':>8} {'in 95% band':>12}")
    for metric in ESTIMATED:
        params = EstimatedMetricParams(id="est", metric=metric, min=0.0)
        ctx, check = _context(_rules(params), reference), EstimatedMetricCheck(params)
        errors, inside = [], 0
        for shift in (-1.0, -0.5, 0.0, 0.5, 1.0, 1.5):
            for seed in range(10):
                m = _estimate(check, ctx, _calibrated(rows, 100 + seed, shift))
                errors.append(abs(m[metric] - m["realized"]))
                inside += m["band_lower"] <= m["realized"] <= m["band_upper"]
        print(
            f"  {metric:<9} {np.mean(errors):8.4f} {max(errors):8.4f} "
            f"{inside:>5}/{len(errors)} runs"
        )
    params = EstimatedMetricParams(id="est", metric="roc_auc", min=0.0)
    ctx = _context(_rules(params), make_day(20_000, seed=7))
    check = EstimatedMetricCheck(params)
    errors = []
    for day in range(1, 31):
        drift = max(0, day - DRIFT_FROM + 1) * 0.12
        m = _estimate(check, ctx, make_day(4000, seed=1000 + day, drift=drift))
        errors.append(abs(m["roc_auc"] - m["realized"]))
    print(
        f"  the demo's month (roc_auc falls ~0.035 from day 18, 4,000 rows a day): "
        f"mean err {np.mean(errors):.4f}, max {max(errors):.4f} over 30 days"
    )


def _mv_world(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    for a, b in (("x1", "x2"), ("x3", "x4")):
        u, v = rng.standard_normal(n), rng.standard_normal(n)
        cols[a], cols[b] = u, 0.8 * u + 0.6 * v
    cols["plan"] = rng.choice(["basic", "pro", "enterprise"], n, p=[0.6, 0.3, 0.1])
    cols["score"] = rng.random(n)
    return pd.DataFrame(cols)


def false_alarms(rows: int) -> None:
    from dataclasses import replace

    params = MultivariateDriftParams(id="mv")
    check = MultivariateDriftCheck(params)
    alarms = {500: 0, rows: 0}
    samples = 100
    for ref_seed in range(5):
        ctx = _context(_rules(params), _mv_world(5000, seed=100 + ref_seed))
        for seed in range(samples):
            for n in alarms:
                run = _mv_world(n, seed=100_000 * (ref_seed + 1) + 10 * seed + n)
                (result,) = check.run(replace(ctx, frame=run))
                alarms[n] += result.status is Status.FAILED
    total = 5 * samples
    print("multivariate_drift on unchanged data (fresh samples of the reference)")
    for n, count in alarms.items():
        print(f"  {n:>7,} rows: {count}/{total} runs failed ({count / total:.2%})")
    both = sum(alarms.values())
    print(f"  overall false-alarm rate {both / (2 * total):.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    clock = time.monotonic()
    estimation_error(args.rows)
    false_alarms(args.rows)
    print(f"  ({time.monotonic() - clock:.1f}s)")


if __name__ == "__main__":
    main()
