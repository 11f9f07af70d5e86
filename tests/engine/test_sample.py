"""The scan's sample of raw rows: kept only for the checks that read rows, and
the same whether or not the engine knows the run's size beforehand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from modelhealth.checks.passes import Batch, SamplePass
from modelhealth.config import load_rules
from modelhealth.engine import EngineSettings, RunData, get_engine, reads_rows, scan_run


def _frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "x": rng.normal(size=rows),
            "plan": rng.choice(["basic", "pro"], rows),
            "score": rng.random(rows),
        }
    )


def _rules(checks: str, folder: Path | None = None):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(folder or tmp) / "rules.yaml"
        path.write_text(
            "version: 1\nmodel: m\n"
            "prediction: {column: score, task: binary_classification}\n"
            f"checks:\n{checks}"
        )
        return load_rules(path)


PROFILE_ONLY = """\
  - {id: drift, kind: drift, columns: "*"}
  - {id: quality, kind: quality}
  - {id: volume, kind: volume, min_rows: 1}
  - {id: score, kind: prediction}
  - id: schema
    kind: schema
    columns: {x: {dtype: float64}}
"""


def test_checks_graded_from_the_profile_and_their_passes_keep_no_sample(tmp_path):
    rule_set = _rules(PROFILE_ONLY)
    assert not reads_rows(rule_set.checks)
    path = tmp_path / "run.parquet"
    _frame(5000).to_parquet(path)
    engine = get_engine(EngineSettings(batch_rows=1000))
    scan = scan_run(
        engine, RunData(inputs=path), rule_set, reference=None, sample=False
    )
    assert scan.rows == 5000
    assert list(scan.frame.columns) == []
    assert scan.sampled  # the frame is not the run: checks must not read it as such
    assert scan.profile.columns["x"].count == 5000


def test_a_segment_split_or_a_row_reading_kind_keeps_the_sample():
    assert reads_rows(_rules("  - {id: d, kind: drift, segment_by: [plan]}").checks)
    assert reads_rows(_rules("  - {id: d, kind: drift, engine: evidently}").checks)
    expectations = """\
  - id: gx
    kind: expectations
    expectations:
      - expect_column_values_to_not_be_null: {column: x}
"""
    assert reads_rows(_rules(expectations).checks)
    assert not reads_rows(_rules(PROFILE_ONLY + "    enabled: true\n").checks)


def test_knowing_the_run_size_first_keeps_the_same_sample(tmp_path):
    frame = _frame(20_000)
    path = tmp_path / "run.parquet"
    frame.to_parquet(path)
    told = SamplePass(1000)
    engine = get_engine(EngineSettings(batch_rows=1500))
    engine.scan(RunData(inputs=path), {"sample": told})
    assert told._threshold < 0.1  # the engine told it the row count
    untold = SamplePass(1000)
    for start in range(0, len(frame), 1500):
        untold.update(Batch(frame=frame.iloc[start : start + 1500]))
    pd.testing.assert_frame_equal(
        told.frame(), untold.frame(), check_dtype=False, check_index_type=False
    )


def test_without_the_sample_the_verdicts_are_the_same(tmp_path):
    """Drift, quality, volume, prediction and schema grade a large run the same
    way whether or not a row-reading check makes the scan keep a sample."""
    from modelhealth.api import check_run, register_baseline

    reference, run = tmp_path / "reference.parquet", tmp_path / "run.parquet"
    _frame(30_000).to_parquet(reference)
    shifted = _frame(40_000)
    shifted["x"] += 0.3
    shifted.loc[::7, "plan"] = None
    shifted.to_parquet(run)
    row_reading = (
        "  - id: gx\n    kind: expectations\n    expectations:\n"
        "      - expect_column_values_to_not_be_null: {column: x}\n"
    )
    verdicts = []
    for name, checks in (
        ("lean", PROFILE_ONLY),
        ("sampled", PROFILE_ONLY + row_reading),
    ):
        folder = tmp_path / name
        folder.mkdir()
        rule_set = _rules(checks, folder)
        db = f"sqlite:///{folder / 'store.db'}"
        register_baseline(rules=rule_set, data=reference, db=db)
        engine = EngineSettings(batch_rows=4096, sample_rows=5000)
        report = check_run(
            rules=rule_set, run_id="r", inputs=run, db=db, alert=False, engine=engine
        )
        verdicts.append(
            {
                (r.check_id, r.subject): (r.status, r.value, r.message)
                for r in report.results
                if r.check_id != "gx"
            }
        )
    assert verdicts[0] == verdicts[1]
    assert any(status.value == "failed" for status, _, _ in verdicts[0].values())
