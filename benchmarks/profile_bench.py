"""Profile and drift timing on 1,000,000 rows x (20 numeric + 5 categorical + score).

Run with ``.venv/bin/python benchmarks/profile_bench.py [rows]``; the full drift
benchmark (against evidently, with Parquet batches) is ``drift_bench.py``. It times
:func:`modelhealth.checks.profiling.profile_frame` on a reference frame, then on a
shifted current
frame binned on the reference's edges, then the ``drift`` check (PSI) over every
column from the two profiles, and prints the figures.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modelhealth.checks.base import CheckContext, Reference
from modelhealth.checks.drift import DriftCheck, DriftParams
from modelhealth.checks.profiling import profile_frame
from modelhealth.rules.models import PredictionSpec, RuleSet


def make(n: int, seed: int, shift: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for i in range(20):
        col = rng.normal(i, 1 + i / 10, n)
        if i < 3:
            col = col + shift * (1 + i / 10)  # three features drift by `shift` sd
        data[f"num_{i:02d}"] = col
    cats = ["a", "b", "c", "d", "e", "f"]
    for i in range(5):
        data[f"cat_{i}"] = rng.choice(cats, n)
    data["score"] = rng.random(n)
    return pd.DataFrame(data)


def main(n: int = 1_000_000) -> None:
    ref_frame, cur_frame = make(n, 0, 0.0), make(n, 1, 1.0)
    t0 = time.perf_counter()
    reference = profile_frame(ref_frame)
    t1 = time.perf_counter()
    current = profile_frame(cur_frame, reference=reference)
    t2 = time.perf_counter()
    params = DriftParams(id="feature-drift", method="psi")
    ctx = CheckContext(
        rule_set=RuleSet(
            version=1, model="bench", prediction=PredictionSpec(column="score")
        ),
        run_id="bench",
        frame=cur_frame,
        profile=current,
        reference=Reference(source="baseline", label="baseline v1", profile=reference),
    )
    results = DriftCheck(params).run(ctx)
    t3 = time.perf_counter()
    failed = [r.subject for r in results if r.status.value == "failed"]
    top = sorted(results, key=lambda r: -(r.value or 0.0))[:4]
    shape = f"{n:,} rows x {ref_frame.shape[1]} columns"
    print(f"profile reference        {shape}: {t1 - t0:.3f} s")
    print(f"profile current (ref edges) {shape}: {t2 - t1:.3f} s")
    print(f"drift (psi) over {len(results)} columns from profiles: {t3 - t2:.4f} s")
    print(f"failed columns: {failed}")
    print("largest psi: " + ", ".join(f"{r.subject}={r.value:.3f}" for r in top))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
