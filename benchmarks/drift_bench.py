"""Drift benchmark: our profile + drift against evidently, and Parquet reading alone.

Run with ``.venv/bin/python benchmarks/run.py --only drift [--rows N]`` (or this file
directly with ``--rows N``). It writes a reference and a current Parquet file of
N rows (default 1,000,000): 20 numeric features, 5 categorical ones and a score,
with drift in a known subset (:data:`DRIFTED`). Then, each in its own process:

(a) ours: the current file read in row-group batches and profiled on the stored
    reference profile's edges (:func:`modelhealth.checks.profiling.profile_batches`),
    then the
    drift check (``method: auto``) on every column; the reference profile is built
    once beforehand, as at baseline registration, and its time printed apart;
(b) evidently 0.7's ``Report([DataDriftPreset()]).run(current, reference)`` on the
    same frames, already in memory;
(c) reading the current Parquet file alone (``pandas.read_parquet``).

Each line gives the operation's own time inside its process, with import time,
whole-process time and peak memory (max RSS) beside it. Then the drift decisions of
(a) and (b) per column, and the signal-quality simulation of ``method: auto``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DRIFTED = {
    "num_00": "mean +0.5 sd",
    "num_01": "mean +0.2 sd",
    "num_02": "spread x1.6",
    "num_03": "a quarter of the rows to a new mode at +3 sd",
    "cat_0": "a quarter of the rows to the rarest category",
}
"""The columns made to drift; every other column is unchanged."""


def make(n: int, seed: int, drift: bool):
    import numpy as np
    import pandas as pd

    g = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for i in range(20):
        mean, sd = float(i), 1 + i / 10
        col = g.normal(mean, sd, n)
        if drift and i == 0:
            col += 0.5 * sd
        elif drift and i == 1:
            col += 0.2 * sd
        elif drift and i == 2:
            col = mean + (col - mean) * 1.6
        elif drift and i == 3:
            col = np.where(
                g.random(n) < 0.25, g.normal(mean + 3 * sd, 0.3 * sd, n), col
            )
        data[f"num_{i:02d}"] = col
    cats = ["a", "b", "c", "d", "e", "f"]
    shares = np.array([0.3, 0.25, 0.2, 0.15, 0.07, 0.03])
    for i in range(5):
        p = shares.copy()
        if drift and i == 0:
            p = p * 0.75
            p[-1] += 0.25
        data[f"cat_{i}"] = g.choice(cats, n, p=p / p.sum())
    data["score"] = g.random(n)
    return pd.DataFrame(data)


def _rss_mb(field: str = "VmHWM:") -> float:
    """This process's peak resident memory (VmHWM; ``ru_maxrss`` would carry the
    parent's peak across exec), or its current one (``VmRSS:``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_ours(folder: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    import pandas as pd
    import pyarrow.parquet  # noqa: F401 - imported lazily by iter_batches
    import scipy.special  # noqa: F401 - imported lazily by the statistics

    import modelhealth.checks._summarize  # noqa: F401 - imported lazily by profile_frame
    from modelhealth.checks.base import CheckContext, Reference
    from modelhealth.checks.drift import DriftCheck, DriftParams
    from modelhealth.checks.profile import Profile
    from modelhealth.checks.profiling import profile_batches
    from modelhealth.engine.inputs import iter_batches
    from modelhealth.rules.models import RuleSet

    t1 = time.perf_counter()
    base_mb = _rss_mb("VmRSS:")
    stored = json.loads((folder / "reference_profile.json").read_text())
    reference = Profile.from_dict(stored)
    t2 = time.perf_counter()
    current = profile_batches(
        iter_batches(folder / "current.parquet"), reference=reference
    )
    ctx = CheckContext(
        rule_set=RuleSet(version=1, model="bench"),
        run_id="bench",
        frame=pd.DataFrame(),
        profile=current,
        reference=Reference(source="baseline", label="baseline", profile=reference),
    )
    results = DriftCheck(DriftParams(id="drift")).run(ctx)
    t3 = time.perf_counter()
    return {
        "import_s": t1 - t0,
        "op_s": t3 - t2,
        "rss_mb": _rss_mb(),
        "base_mb": base_mb,
        "decisions": {str(r.subject): r.status.value == "failed" for r in results},
        "values": {str(r.subject): r.value for r in results},
    }


def phase_reference(folder: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    import pyarrow.parquet  # noqa: F401 - imported lazily by iter_batches

    import modelhealth.checks._summarize  # noqa: F401 - imported lazily by profile_frame
    from modelhealth.checks.profiling import profile_batches
    from modelhealth.engine.inputs import iter_batches

    t1 = time.perf_counter()
    profile = profile_batches(iter_batches(folder / "reference.parquet"))
    t2 = time.perf_counter()
    (folder / "reference_profile.json").write_text(json.dumps(profile.to_dict()))
    return {"import_s": t1 - t0, "op_s": t2 - t1, "rss_mb": _rss_mb()}


def phase_evidently(folder: Path) -> dict[str, object]:
    import warnings

    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    import pandas as pd
    from evidently import Report
    from evidently.presets import DataDriftPreset

    t1 = time.perf_counter()
    ref = pd.read_parquet(folder / "reference.parquet")
    cur = pd.read_parquet(folder / "current.parquet")
    t2 = time.perf_counter()
    snapshot = Report([DataDriftPreset()]).run(cur, ref)
    t3 = time.perf_counter()
    decisions, values = {}, {}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if config.get("type", "").endswith("ValueDrift"):
            decisions[config["column"]] = bool(metric["value"] >= config["threshold"])
            values[config["column"]] = float(metric["value"])
    return {
        "import_s": t1 - t0,
        "op_s": t3 - t2,
        "rss_mb": _rss_mb(),
        "decisions": decisions,
        "values": values,
    }


def phase_read(folder: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    import pandas as pd

    t1 = time.perf_counter()
    frame = pd.read_parquet(folder / "current.parquet")
    t2 = time.perf_counter()
    return {
        "import_s": t1 - t0,
        "op_s": t2 - t1,
        "rss_mb": _rss_mb(),
        "frame_mb": frame.memory_usage(deep=True).sum() / 2**20,
    }


def phase_make(folder: Path) -> dict[str, object]:
    rows = int((folder / "rows").read_text())
    make(rows, 0, False).to_parquet(folder / "reference.parquet")
    make(rows, 1, True).to_parquet(folder / "current.parquet")
    return {}


PHASES = {
    "make": phase_make,
    "reference": phase_reference,
    "ours": phase_ours,
    "evidently": phase_evidently,
    "read": phase_read,
}


def _child(phase: str, folder: Path) -> dict[str, object]:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--dir", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def _line(label: str, r: dict[str, object]) -> str:
    return (
        f"{label:<44} {r['op_s']:>9.3f} s   (imports {r['import_s']:.2f} s, "
        f"whole process {r['process_s']:.2f} s, peak RSS {r['rss_mb']:.0f} MB)"
    )


def main(rows: int, skip_evidently: bool, sim_reps: int) -> None:
    with tempfile.TemporaryDirectory(prefix="drift-bench-") as tmp:
        folder = Path(tmp)
        (folder / "rows").write_text(str(rows))
        _child("make", folder)  # the frames never live in this process
        print(
            f"drift benchmark: {rows:,} reference + {rows:,} current rows, "
            "20 numeric + 5 categorical + score; drifted: " + ", ".join(DRIFTED)
        )
        ref = _child("reference", folder)
        ours = _child("ours", folder)
        read = _child("read", folder)
        ev = None if skip_evidently else _child("evidently", folder)
        print(_line("(a0) reference profile, once (batched)", ref))
        print(_line("(a) ours: batched read+profile, drift (auto)", ours))
        if ev is not None:
            print(_line("(b) evidently DataDriftPreset", ev))
        print(_line("(c) read the current Parquet file alone", read))
        frame_mb = float(read["frame_mb"])  # type: ignore[arg-type]
        peak, base = float(ours["rss_mb"]), float(ours["base_mb"])  # type: ignore[arg-type]
        print(
            f"current frame in memory: {frame_mb:.0f} MB; (a) peak RSS {peak:.0f} MB "
            f"= {peak / frame_mb:.2f} x frame (target < 2); above its {base:.0f} MB "
            f"after imports: {(peak - base) / frame_mb:.2f} x frame"
        )
        print(
            f"(a) / (c) = {float(ours['op_s']) / float(read['op_s']):.2f} (target <= 3)"
        )  # type: ignore[arg-type]
        if ev is not None:
            speedup = float(ev["op_s"]) / float(ours["op_s"])  # type: ignore[arg-type]
            print(f"(b) / (a) = {speedup:.0f}x (target >= 100)")
            _compare(ours, ev)
    _simulation(sim_reps, evidently=not skip_evidently)


def _compare(ours: dict[str, object], ev: dict[str, object]) -> None:
    mine, theirs = ours["decisions"], ev["decisions"]
    assert isinstance(mine, dict)
    assert isinstance(theirs, dict)
    shared = [c for c in mine if c in theirs]
    same = [c for c in shared if mine[c] == theirs[c]]
    print(
        f"decisions agree on {len(same)} of {len(shared)} shared columns "
        "(ours: auto = normed Wasserstein / JS at 0.1 at this size; evidently's "
        "default: the same methods and level)"
    )
    for c in shared:
        flag = "DRIFT" if mine[c] else "-"
        note = "" if mine[c] == theirs[c] else "   <-- differs"
        print(
            f"  {c:<8} ours {ours['values'][c]:.4f} {flag:<6} "  # type: ignore[index]
            f"evidently {ev['values'][c]:.4f}{note}"
        )  # type: ignore[index]


def _simulation(reps: int, evidently: bool) -> None:
    from tests.checks.signal import simulate

    # a rate of 1% needs a few hundred cases to tell from 3%: the small sizes,
    # which cost little, get 300 and 150 repetitions (x 2 categorical, x 6
    # numeric shapes) at the default reps
    plan = {
        200: 60 * reps,
        1_000: 30 * reps,
        10_000: 3 * reps,
        100_000: reps,
        1_000_000: 1,
    }
    start = time.perf_counter()
    tally = simulate(plan, seed=101)
    print(
        f"\nsignal quality of method auto (6 numeric + 2 categorical shapes; "
        f"plan {plan}; {time.perf_counter() - start:.0f} s):"
    )
    print(tally.table())
    _false_alarms(tally, plan)
    if evidently:
        # the same frames (same seeds) judged by evidently's defaults, side by side
        # (a report takes evidently ~15 s of CPU for these 74 columns, at any size)
        plan = {200: 4, 1_000: 2, 10_000: 2, 100_000: 1}
        start = time.perf_counter()
        theirs = simulate(plan, seed=101, judge=_evidently_judge)
        print(
            f"\nthe same scenarios under evidently 0.7 DataDriftPreset defaults "
            f"(plan {plan}; {time.perf_counter() - start:.0f} s):"
        )
        print(theirs.table())
        _false_alarms(theirs, plan)


def _false_alarms(tally: object, plan: dict[int, int]) -> None:
    nulls = sum(tally.cases[("null", n)] for n in plan)  # type: ignore[attr-defined]
    alarms = sum(tally.alarms[("null", n)] for n in plan)  # type: ignore[attr-defined]
    print(f"false alarms on unchanged columns: {alarms} of {nulls}")


def _evidently_judge(ref, cur) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """``{column: drifted}`` by evidently's DataDriftPreset with its defaults."""
    import warnings

    from evidently import Report
    from evidently.presets import DataDriftPreset

    warnings.simplefilter("ignore")
    snapshot = Report([DataDriftPreset()]).run(cur, ref)
    drifted = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if config.get("type", "").endswith("ValueDrift"):
            value, level = float(metric["value"]), float(config["threshold"])
            test = "p_value" in str(config.get("method", ""))
            drifted[config["column"]] = value < level if test else value >= level
    return drifted


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--phase", choices=list(PHASES))
    parser.add_argument("--dir", type=Path)
    parser.add_argument("--skip-evidently", action="store_true")
    parser.add_argument("--sim-reps", type=int, default=5)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.dir)))
    else:
        main(args.rows, args.skip_evidently, args.sim_reps)
