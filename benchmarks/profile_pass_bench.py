"""ProfilePass timing: 1,000,000 rows x (20 numeric + 5 categorical + score) in batches.

Run with ``.venv/bin/python benchmarks/profile_pass_bench.py [rows] [batch_rows]``
(defaults 1,000,000 and 131,072). It builds the frames of ``profile_bench.py``,
profiles a reference frame once, then times a
:class:`~modelhealth.checks.profiling.ProfilePass` over the current frame's rows
in batches, three ways: pandas batches binned on the reference, the same as Arrow
record batches (as a Parquet file's come, their pandas view made inside the pass),
and pandas batches without a reference (each binned on the first batch's edges).
Each figure is the best of three, in CPU seconds of the process (``time.process_time``),
so that other work on a shared machine does not count.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from profile_bench import make

from modelhealth.checks.passes import Batch
from modelhealth.checks.profile import Profile
from modelhealth.checks.profiling import ProfilePass, profile_frame


def timed(batches: list[Batch], reference: Profile | None, arrow: bool) -> float:
    best = float("inf")
    for _ in range(3):
        fresh = [
            Batch(arrow=b.arrow) if arrow else Batch(frame=b.frame) for b in batches
        ]
        start = time.process_time()
        profile_pass = ProfilePass(reference)
        for batch in fresh:
            profile_pass.update(batch)
        profile_pass.profile()
        best = min(best, time.process_time() - start)
    return best


def main(n: int = 1_000_000, batch_rows: int = 131_072) -> None:
    reference = profile_frame(make(n // 2, seed=1, shift=0.0))
    current = make(n, seed=2, shift=0.2)
    table = pa.Table.from_pandas(current, preserve_index=False)
    batches = []
    for i, record_batch in enumerate(table.to_batches(max_chunksize=batch_rows)):
        frame = current.iloc[i * batch_rows : (i + 1) * batch_rows]
        batches.append(Batch(arrow=record_batch, frame=frame))
    print(f"{n:,} rows x {current.shape[1]} columns, {len(batches)} batches")
    pandas_ref = timed(batches, reference, arrow=False)
    print(f"ProfilePass, pandas batches, on the reference's edges: {pandas_ref:.2f} s")
    arrow_ref = timed(batches, reference, arrow=True)
    print(f"ProfilePass, Arrow batches, on the reference's edges:  {arrow_ref:.2f} s")
    no_ref = timed(batches, None, arrow=False)
    print(f"ProfilePass, pandas batches, no reference:             {no_ref:.2f} s")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
