"""Wall time of the gate's paired intervals: two models' metric on the same rows.

For each metric, one :func:`modelhealth.checks._paired.compare` of a candidate and a
champion on ``--rows`` rows (binary scores, or regression values), with the default
1,000 bootstrap resamples; ``roc_auc`` uses DeLong and needs no resampling.

    .venv/bin/python benchmarks/gate_bench.py [--rows 100000] [--resamples 1000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from modelhealth.checks._paired import compare
from modelhealth.rules.models import PredictionSpec

BINARY = ["roc_auc", "brier", "log_loss", "accuracy", "f1", "pr_auc"]
REGRESSION = ["rmse", "r2"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    n = args.rows
    rng = np.random.default_rng(0)
    y = pd.Series(rng.integers(0, 2, n))
    cand = pd.Series(np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1))
    champ = pd.Series(np.clip(0.25 * y + 0.75 * rng.random(n), 0, 1))
    yr = pd.Series(rng.normal(size=n))
    pr_c = pd.Series(yr + rng.normal(0, 0.5, n))
    pr_h = pd.Series(yr + rng.normal(0, 0.6, n))
    for warm in ("accuracy", "roc_auc"):  # imports (scipy) outside the timings
        compare(warm, y[:100], cand[:100], champ[:100], PredictionSpec(column="s"))
    print(f"{n:,} rows, {args.resamples} resamples")
    for metric, spec, data in [
        *[(m, PredictionSpec(column="s"), (y, cand, champ)) for m in BINARY],
        *[(m, PredictionSpec(column="s", task="regression"), (yr, pr_c, pr_h))
          for m in REGRESSION],
    ]:  # fmt: skip
        started = time.perf_counter()
        c = compare(metric, *data, spec, resamples=args.resamples)
        took = time.perf_counter() - started
        print(
            f"  {metric:<9} {took:7.2f} s  {c.method:<16} difference "
            f"{c.difference:+.4f} [{c.low:+.4f}, {c.high:+.4f}]"
        )


if __name__ == "__main__":
    main()
