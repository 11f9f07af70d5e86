"""Wall time and peak memory of the post-run hook, as a pipeline would call it.

Writes a 1,000,000-row, 25-column Parquet file (20 numeric, 5 categorical) and a
reference half its size, registers the baseline, then times, each in its own process:

- ``modelhealth --help`` (start-up cost of the CLI);
- ``modelhealth check`` on the file with a schema, drift and volume rules file
  (reading, profiling, every check, storing into SQLite).

Peak memory is the child's maximum resident set size (``getrusage``).

    .venv/bin/python benchmarks/check_cli.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

RULES = """\
version: 1
model: bench
checks:
  - id: schema
    kind: schema
    columns:
{columns}
  - id: drift
    kind: drift
    columns: "*"
  - id: rows
    kind: volume
    min_rows: 1000
"""


def make(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {
        f"num_{i:02d}": rng.normal(i, 1 + i / 10, n) for i in range(20)
    }
    for i in range(5):
        data[f"cat_{i}"] = rng.choice([f"v{j}" for j in range(4 + 3 * i)], n)
    return pd.DataFrame(data)


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """Run ``cmd``; return (wall seconds, peak RSS MiB of the child, exit code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr)
    # ru_maxrss of children is the max over all children so far: run the largest last
    return wall, max(peak, before) / 1024, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    exe = str(Path(sys.executable).with_name("modelhealth"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        current = make(args.rows, seed=2)
        current.to_parquet(work / "current.parquet", index=False)
        make(args.rows // 2, seed=1).to_parquet(work / "reference.parquet", index=False)
        dtypes = {c: "float64" if c.startswith("num") else "str" for c in current}
        columns = "\n".join(
            f"      {c}: {{dtype: {t}, nullable: false}}" for c, t in dtypes.items()
        )
        (work / "rules.yaml").write_text(RULES.format(columns=columns))
        db = f"sqlite:///{work / 'bench.db'}"
        in_memory = current.memory_usage(deep=True).sum() / 2**20
        size = (work / "current.parquet").stat().st_size / 2**20
        print(
            f"input: {args.rows:,} rows x {current.shape[1]} columns, "
            f"{size:.0f} MiB Parquet, {in_memory:.0f} MiB in memory"
        )
        del current
        subprocess.run(
            [
                exe,
                "baseline",
                "--rules",
                str(work / "rules.yaml"),
                "--data",
                str(work / "reference.parquet"),
                "--db",
                db,
            ],
            check=True,
            capture_output=True,
        )
        helps = [timed([exe, "--help"])[0] for _ in range(args.repeat)]
        print(
            f"modelhealth --help: median {statistics.median(helps):.3f} s "
            f"(min {min(helps):.3f}, max {max(helps):.3f}) over {args.repeat} runs"
        )
        checks = []
        peak = 0.0
        for i in range(args.repeat):
            wall, peak, code = timed(
                [
                    exe,
                    "check",
                    "--rules",
                    str(work / "rules.yaml"),
                    "--run-id",
                    f"r{i}",
                    "--inputs",
                    str(work / "current.parquet"),
                    "--db",
                    db,
                    "--no-alerts",
                    "--fail-on",
                    "never",
                ]
            )
            assert code == 0, code
            checks.append(wall)
        print(
            f"modelhealth check: median {statistics.median(checks):.2f} s "
            f"(min {min(checks):.2f}, max {max(checks):.2f}) over {args.repeat} runs; "
            f"peak RSS {peak:.0f} MiB"
        )


if __name__ == "__main__":
    main()
