"""Runs of any size: time and peak memory of ``modelhealth check``, side by side.

Writes a run of ``--rows`` rows (1,000,000 by default) x 26 columns (20 numeric,
5 categorical, a score) as Parquet and a reference of half that size, registers
the baseline, then measures, each in its own process (wall time, and the child's
own peak resident memory from ``wait4``):

- the bare read: a process that only reads the file with pyarrow;
- ``modelhealth check`` with drift on every column (the drift-only rules);
- ``modelhealth check`` with schema, quality, drift and prediction;
- evidently's ``DataDriftPreset`` on the same two frames, a whole process too;
- the full check on a folder of 4 x ``--rows`` rows and of ``--scale`` x
  ``--rows`` rows (40 x by default: ten times the largest run measured before),
  written part by part, to show that peak memory does not grow with the run.

Ratios are printed against the bare read and against evidently:

    .venv/bin/python benchmarks/scale_bench.py [--rows 1000000] [--scale 40]
        [--no-evidently] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd

NUMERIC = 20
CATEGORICAL = 5

DRIFT_ONLY = """\
version: 1
model: scale
prediction: {column: score, task: binary_classification}
checks:
  - id: drift
    kind: drift
    columns: "*"
"""

FULL = """\
version: 1
model: scale
prediction: {{column: score, task: binary_classification}}
checks:
  - id: schema
    kind: schema
    columns:
{columns}
  - id: quality
    kind: quality
  - id: drift
    kind: drift
    columns: "*"
  - id: prediction
    kind: prediction
"""

EVIDENTLY = textwrap.dedent(
    """
    import sys
    import pandas as pd
    from evidently import Report
    from evidently.presets import DataDriftPreset
    reference = pd.read_parquet(sys.argv[1])
    current = pd.read_parquet(sys.argv[2])
    Report([DataDriftPreset()]).run(reference, current)
    """
)

BARE_READ = "import sys, pyarrow.parquet as pq; pq.read_table(sys.argv[1])"


def make(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {
        f"num_{i:02d}": rng.normal(i + shift, 1 + i / 10, n) for i in range(NUMERIC)
    }
    for i in range(CATEGORICAL):
        data[f"cat_{i}"] = rng.choice([f"v{j}" for j in range(4 + 3 * i)], n)
    data["score"] = rng.beta(2, 5, n)
    return pd.DataFrame(data)


# as an installed package runs: with its bytecode cached (a shell that sets
# PYTHONDONTWRITEBYTECODE would make every run compile every module again)
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """Run ``cmd``; (wall seconds, its own peak RSS in MiB, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_ENV
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1) and proc.stderr is not None:
        sys.stderr.write(proc.stderr.read().decode(errors="replace")[-2000:])
    return wall, usage.ru_maxrss / 1024, code


def best(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Median wall time and the largest peak RSS over ``repeat`` runs."""
    walls, peaks = [], []
    measure(cmd)  # a first run writes the bytecode and warms the page cache
    for _ in range(repeat):
        wall, peak, code = measure(cmd)
        if code not in (0, 1):
            raise SystemExit(f"failed ({code}): {' '.join(cmd)}")
        walls.append(wall)
        peaks.append(peak)
    return statistics.median(walls), max(peaks)


def write(path: Path, rows: int, seed: int, shift: float) -> None:
    """Write one file in a child process: a parent that held the frames would
    lend its resident memory to every child it starts (their peak RSS would
    read as the parent's)."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import scale_bench as b; "
        "b.make(int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))"
        ".to_parquet(sys.argv[2], index=False)"
    )
    here = str(Path(__file__).resolve().parent)
    subprocess.run(
        [sys.executable, "-c", code, here, str(path), str(rows), str(seed), str(shift)],
        check=True,
    )


def write_folder(folder: Path, parts: int, rows: int) -> None:
    folder.mkdir()
    for i in range(parts):
        write(folder / f"part-{i:03d}.parquet", rows, seed=100 + i, shift=0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scale", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-evidently", action="store_true")
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("modelhealth"))
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        run_file, ref_file = work / "run.parquet", work / "reference.parquet"
        write(run_file, args.rows, seed=2, shift=0.05)
        write(ref_file, args.rows // 2, seed=1, shift=0.0)
        names = [f"num_{i:02d}" for i in range(NUMERIC)]
        names += [f"cat_{i}" for i in range(CATEGORICAL)] + ["score"]
        columns = "\n".join(
            f"      {c}: {{dtype: {'str' if c.startswith('cat') else 'float64'}}}"
            for c in names
        )
        (work / "drift.yaml").write_text(DRIFT_ONLY)
        (work / "full.yaml").write_text(FULL.format(columns=columns))
        db = f"sqlite:///{work / 'scale.db'}"
        for rules in ("drift.yaml", "full.yaml"):
            subprocess.run(
                [exe, "baseline", "--rules", str(work / rules), "--data",
                 str(ref_file), "--db", db],
                check=True, capture_output=True,
            )  # fmt: skip

        def check(rules: str, inputs: Path, run_id: str) -> list[str]:
            return [
                exe, "check", "--rules", str(work / rules), "--run-id", run_id,
                "--inputs", str(inputs), "--db", db, "--no-alerts",
                "--fail-on", "never",
            ]  # fmt: skip

        size = run_file.stat().st_size / 2**20
        print(
            f"run: {args.rows:,} rows x {NUMERIC + CATEGORICAL + 1} columns "
            f"({NUMERIC} numeric, {CATEGORICAL} categorical, a score), "
            f"{size:.0f} MiB Parquet; reference {args.rows // 2:,} rows"
        )
        read_s, read_mb = best([py, "-c", BARE_READ, str(run_file)], args.repeat)
        drift_s, drift_mb = best(check("drift.yaml", run_file, "d"), args.repeat)
        full_s, full_mb = best(check("full.yaml", run_file, "f"), args.repeat)
        rows = [
            ("bare pyarrow read (process)", read_s, read_mb),
            ("check, drift on every column", drift_s, drift_mb),
            ("check, schema+quality+drift+prediction", full_s, full_mb),
        ]
        evidently_s = None
        if not args.no_evidently:
            script = work / "evidently_drift.py"
            script.write_text(EVIDENTLY)
            evidently_s, ev_mb = best(
                [py, str(script), str(ref_file), str(run_file)], 1
            )
            rows.append(("evidently DataDriftPreset (process)", evidently_s, ev_mb))
        print(f"{'':42s} {'wall s':>8s} {'x read':>8s} {'peak MiB':>9s}")
        for name, wall, peak in rows:
            print(f"{name:42s} {wall:8.2f} {wall / read_s:8.2f} {peak:9.0f}")
        print(
            f"targets: drift-only {drift_s / read_s:.2f}x the bare read (goal <= 3), "
            f"full {full_s / read_s:.2f}x (goal <= 4)"
        )
        if evidently_s is not None:
            print(
                f"evidently / drift-only check: {evidently_s / drift_s:.0f}x "
                "(goal >= 100)"
            )
        label = f"rows (folder of {args.rows:,}-row parts)"
        print(f"{label:42s} {'wall s':>8s} {'peak MiB':>9s}")
        print(f"{args.rows:>42,} {full_s:8.2f} {full_mb:9.0f}   (one file)")
        for parts in (4, args.scale):
            folder = work / f"folder-{parts}"
            write_folder(folder, parts, args.rows)
            wall, peak = best(check("full.yaml", folder, f"x{parts}"), 1)
            print(
                f"{parts * args.rows:>42,} {wall:8.2f} {peak:9.0f}   "
                f"(peak {peak / full_mb:.2f}x the {args.rows:,}-row run; goal <= 1.25)"
            )
            for part in folder.iterdir():
                part.unlink()
            folder.rmdir()


if __name__ == "__main__":
    main()
