"""The Spark engine against the local engine on the same partitioned Parquet run.

Writes ``--rows`` rows (20 numeric + 5 categorical features + a score) as
``--parts`` Parquet part files, and a reference profile, then checks the run
(drift on every column, quality, volume) through :func:`scan_run` once per
engine, each in its own process so that memory never mixes. Prints, side by
side: the scan-and-check time, the Spark session's start-up, the driver's peak
resident memory (the Python process, ``getrusage``) and, for Spark, the JVM's
peak (``VmHWM``), and whether both gave the same verdicts.

    .venv/bin/python benchmarks/spark_bench.py [--rows 2000000] [--parts 8]

It needs the ``spark`` extra (``pip install 'modelhealth[spark]'``) and Java;
without them it says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RULES = """\
version: 1
model: bench
prediction: {column: score}
checks:
  - {id: drift, kind: drift, columns: "*", method: psi, threshold: {fail: 0.25}}
  - {id: quality, kind: quality}
  - {id: rows, kind: volume, min_rows: 1}
"""


def make(n: int, seed: int, shift: float) -> pd.DataFrame:
    """The benchmarks' frame: three of the 20 numeric features drift by ``shift``."""
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for i in range(20):
        col = rng.normal(i, 1 + i / 10, n)
        data[f"num_{i:02d}"] = col + (shift * (1 + i / 10) if i < 3 else 0.0)
    for i in range(5):
        data[f"cat_{i}"] = rng.choice(["a", "b", "c", "d", "e", "f"], n)
    data["score"] = rng.random(n)
    return pd.DataFrame(data)


def write(folder: Path, rows: int, parts: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from modelhealth.checks.profiling import profile_frame

    run = folder / "run"
    run.mkdir()
    per = -(-rows // parts)
    for i in range(parts):
        frame = make(min(per, rows - i * per), seed=i + 1, shift=0.3)
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table.replace_schema_metadata(), run / f"part-{i:03d}.parquet")
    reference = profile_frame(make(200_000, seed=0, shift=0.0))
    (folder / "reference.json").write_text(json.dumps(reference.to_dict()))
    (folder / "rules.yaml").write_text(RULES)


def measure(engine_name: str, folder: Path) -> dict[str, object]:
    """In the child process: check the run with one engine and report."""
    from modelhealth.checks.base import CheckContext, Reference
    from modelhealth.checks.profile import Profile
    from modelhealth.config import load_rules
    from modelhealth.engine import EngineSettings, RunData, get_engine, scan_run
    from modelhealth.run.runner import run_checks

    rules = load_rules(folder / "rules.yaml")
    profile = Profile.from_dict(json.loads((folder / "reference.json").read_text()))
    reference = Reference(source="baseline", label="bench", profile=profile)
    engine = get_engine(EngineSettings.from_env(name=engine_name))
    started = time.perf_counter()
    session = getattr(engine, "session", None)  # start Spark outside the timing
    start_up = time.perf_counter() - started
    started = time.perf_counter()
    scan = scan_run(
        engine, RunData(inputs=str(folder / "run")), rules, reference=reference
    )
    ctx = CheckContext(
        rule_set=rules,
        run_id="bench",
        frame=scan.frame,
        profile=scan.profile,
        reference=reference,
        passes=scan.passes,
        row_count=scan.rows,
        sampled=scan.sampled,
    )
    results = run_checks(ctx)
    took = time.perf_counter() - started
    jvm = _jvm_peak_mib(session) if session is not None else None
    engine.close()
    return {
        "rows": scan.rows,
        "seconds": took,
        "start_up": start_up,
        "driver_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "jvm_mib": jvm,
        "verdicts": sorted(
            [r.check_id, r.subject or "", r.status.value] for r in results
        ),
    }


def _jvm_peak_mib(session: object) -> float | None:
    try:
        pid = session.sparkContext._gateway.proc.pid  # type: ignore[attr-defined]
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except Exception:
        return None
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument(
        "--sample-rows", type=int, default=20_000, help="MODELHEALTH_SAMPLE_ROWS"
    )
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(measure(args.engine, Path(args.data))))
        return 0
    from modelhealth.engine.spark_session import require_java, require_pyspark
    from modelhealth.errors import UsageError

    try:
        require_pyspark()
        require_java()
    except UsageError as exc:
        print(f"spark benchmark skipped: {exc}")
        return 0
    with tempfile.TemporaryDirectory(prefix="spark-bench-") as tmp:
        folder = Path(tmp)
        write(folder, args.rows, args.parts)
        print(
            f"{args.rows:,} rows x 26 columns in {args.parts} Parquet parts, "
            f"a sample of {args.sample_rows:,} raw rows"
        )
        figures = {}
        env = {**os.environ, "MODELHEALTH_SAMPLE_ROWS": str(args.sample_rows)}
        for name in ("local", "spark"):
            done = subprocess.run(
                [sys.executable, __file__, "--engine", name, "--data", str(folder)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                print(f"  {name}: failed\n{done.stderr[-2000:]}")
                return 1
            figures[name] = json.loads(done.stdout.strip().splitlines()[-1])
    for name, f in figures.items():
        jvm = f" + JVM {f['jvm_mib']:.0f} MiB" if f["jvm_mib"] else ""
        start = f" (session start {f['start_up']:.1f} s)" if name == "spark" else ""
        print(
            f"  {name:<5} scan+checks {f['seconds']:6.1f} s{start}, "
            f"driver peak {f['driver_mib']:.0f} MiB{jvm}"
        )
    same = figures["local"]["verdicts"] == figures["spark"]["verdicts"]
    print(f"  same verdicts: {same} ({len(figures['local']['verdicts'])} results)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
