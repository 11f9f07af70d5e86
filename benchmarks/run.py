"""Run the benchmarks: ``.venv/bin/python benchmarks/run.py [--only NAME] [--rows N]``.

Each benchmark is a script in this folder, run in its own subprocess with
``--rows N`` (when given) so that imports and memory never mix; its printed figures
pass through. ``make bench`` runs them all.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

BENCHMARKS: dict[str, str] = {
    "drift": "drift_bench.py",
    "check": "check_cli.py",
    "web": "web_bench.py",
    "gate": "gate_bench.py",
    "scale": "scale_bench.py",
    "spark": "spark_bench.py",
    "signals": "signals_bench.py",
}
"""Benchmark name -> script in this folder; add one line per benchmark."""

TAKES_ROWS = {"drift", "check", "gate", "scale", "spark", "signals"}
"""The benchmarks whose size ``--rows`` sets (the web one seeds a fixed history)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks.")
    parser.add_argument("--only", choices=sorted(BENCHMARKS), action="append")
    parser.add_argument("--rows", type=int, help="rows per frame (default: each's)")
    args = parser.parse_args(argv)
    failed = 0
    for name in args.only or list(BENCHMARKS):
        command = [sys.executable, str(HERE / BENCHMARKS[name])]
        if args.rows is not None and name in TAKES_ROWS:
            command += ["--rows", str(args.rows)]
        print(f"== {name}: {' '.join(command)}", flush=True)
        failed += subprocess.run(command, check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
