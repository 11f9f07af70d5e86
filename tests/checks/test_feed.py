"""Feeding a batch to the passes: side by side in threads for a large batch, each
pass on its own, the batch's views made once, a failing pass set aside (#10)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd

from modelhealth.checks import passes as passes_module
from modelhealth.checks.passes import Batch, FailedPass, RowPass, feed


class _Recorder(RowPass):
    """Keeps the frame it was given, its thread, and how many rows it saw."""

    def __init__(self, meet: threading.Barrier | None = None) -> None:
        self.meet = meet
        self.rows = 0
        self.frames: list[int] = []
        self.threads: set[str] = set()

    def update(self, batch: Batch) -> None:
        if self.meet is not None:
            self.meet.wait()  # only passes updated side by side get past this
        self.frames.append(id(batch.frame))
        self.threads.add(threading.current_thread().name)
        self.rows += batch.num_rows

    def merge(self, other: Any) -> None:
        self.rows += other.rows


class _Broken(RowPass):
    def update(self, batch: Batch) -> None:
        raise ValueError("cannot read this column")

    def merge(self, other: Any) -> None:
        return None


def _batch(rows: int) -> Batch:
    frame = pd.DataFrame({"x": np.arange(rows, dtype=np.float64)})
    import pyarrow as pa

    return Batch(arrow=pa.RecordBatch.from_pandas(frame), offset=0)


def test_a_large_batch_feeds_its_passes_side_by_side():
    meet = threading.Barrier(2, timeout=10)
    live: dict[str, RowPass] = {f"p{i}": _Recorder(meet) for i in range(2)}
    rows = passes_module.PARALLEL_ROWS
    feed(live, _batch(rows))
    assert not meet.broken
    recorders = [p for p in live.values() if isinstance(p, _Recorder)]
    assert all(r.rows == rows for r in recorders)
    assert all(t.startswith("feed") for r in recorders for t in r.threads)
    # both passes read the one pandas view the batch made
    assert recorders[0].frames == recorders[1].frames


def test_a_small_batch_feeds_its_passes_in_this_thread():
    live: dict[str, RowPass] = {"a": _Recorder(), "b": _Recorder()}
    feed(live, _batch(10))
    me = threading.current_thread().name
    assert all(p.threads == {me} for p in live.values() if isinstance(p, _Recorder))


def test_a_pass_that_raises_is_set_aside_and_the_others_go_on():
    rows = passes_module.PARALLEL_ROWS
    live: dict[str, RowPass] = {"ok": _Recorder(), "broken": _Broken()}
    feed(live, _batch(rows))
    feed(live, _batch(rows))
    broken = live["broken"]
    assert isinstance(broken, FailedPass)
    assert broken.message == f"ValueError: cannot read this column (rows 1-{rows:,})"
    ok = live["ok"]
    assert isinstance(ok, _Recorder)
    assert ok.rows == 2 * rows
