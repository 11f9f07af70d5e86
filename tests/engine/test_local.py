"""The local engine: what it reads, in batches, and how it refuses bad data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks.passes import ColumnsPass, SamplePass
from modelhealth.checks.profiling import ProfilePass
from modelhealth.engine import EngineSettings, RunData, get_engine
from modelhealth.errors import DataError, UsageError


def _frame(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "id": np.arange(rows),
            "x": rng.normal(size=rows),
            "plan": rng.choice(["basic", "pro"], rows),
        }
    )


def _scan(inputs, batch_rows: int = 100, **parts):
    engine = get_engine(EngineSettings(batch_rows=batch_rows))
    passes = {"profile": ProfilePass(), "keep": ColumnsPass(["id", "x", "y"])}
    return engine.scan(RunData(inputs=inputs, **parts), passes)


def test_a_frame_file_folder_and_glob_give_the_same_rows(tmp_path):
    frame = _frame(1000)
    frame.to_parquet(tmp_path / "one.parquet")
    folder = tmp_path / "parts"
    folder.mkdir()
    for i, start in enumerate(range(0, 1000, 300)):
        frame.iloc[start : start + 300].to_parquet(folder / f"part-{i}.parquet")
    frame.to_csv(tmp_path / "one.csv", index=False)
    expected = frame[["id", "x"]]
    for inputs in (
        frame,
        tmp_path / "one.parquet",
        folder,
        str(folder / "part-*.parquet"),
        tmp_path / "one.csv",
    ):
        result = _scan(inputs, batch_rows=128)
        assert result.rows == 1000, inputs
        kept = result.passes["keep"].frame()
        pd.testing.assert_frame_equal(kept[["id", "x"]], expected, check_dtype=False)
        assert result.passes["profile"].profile().columns["plan"].count == 1000


def test_a_hive_partitioned_folder_reads_its_partition_column(tmp_path):
    frame = _frame(400)
    for day in ("2026-03-01", "2026-03-02"):
        part = tmp_path / f"date={day}"
        part.mkdir()
        frame.iloc[:200].to_parquet(part / "part-0.parquet")
    result = _scan(tmp_path)
    assert result.rows == 400
    assert "date" in result.columns
    profile = result.passes["profile"].profile()
    assert set(profile.columns["date"].categories) == {"2026-03-01", "2026-03-02"}


def test_an_empty_part_and_an_empty_run(tmp_path):
    frame = _frame(300)
    frame.to_parquet(tmp_path / "a.parquet")
    frame.iloc[:0].to_parquet(tmp_path / "b.parquet")
    assert _scan(tmp_path).rows == 300
    empty = tmp_path / "empty.parquet"
    frame.iloc[:0].to_parquet(empty)
    result = _scan(empty)
    assert result.rows == 0
    assert result.columns == ["id", "x", "plan"]


def test_a_column_missing_from_one_file_reads_as_nulls(tmp_path):
    _frame(100).to_parquet(tmp_path / "a.parquet")
    _frame(100).drop(columns=["plan"]).to_parquet(tmp_path / "b.parquet")
    profile = _scan(tmp_path).passes["profile"].profile()
    assert profile.columns["plan"].count == 100
    assert profile.columns["plan"].nulls == 100


def test_files_that_disagree_on_a_type_are_named(tmp_path):
    _frame(100).to_parquet(tmp_path / "a.parquet")
    _frame(100).assign(x="text").to_parquet(tmp_path / "b.parquet")
    with pytest.raises(DataError) as err:
        _scan(tmp_path)
    message = str(err.value)
    assert "column 'x'" in message
    assert "a.parquet" in message
    assert "b.parquet" in message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.parquet", b"id,x\n1,2\n", "is not Parquet"),
        ("x.csv", b"\x00\x01\x02binary\x00", "is not CSV"),
        ("x.json", b'{"a": 1}', "unknown file type"),
        ("x.parquet", b"", "is empty"),
    ],
)
def test_a_file_that_is_not_what_its_name_says(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(DataError, match=message):
        _scan(tmp_path / name)


def test_a_parquet_file_named_csv_is_read_as_parquet(tmp_path):
    _frame(50).to_parquet(tmp_path / "odd.csv")
    assert _scan(tmp_path / "odd.csv").rows == 50


def test_a_folder_mixing_parquet_and_csv_is_refused(tmp_path):
    _frame(50).to_parquet(tmp_path / "a.parquet")
    _frame(50).to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(DataError, match="mixes Parquet and CSV"):
        _scan(tmp_path)


def test_a_glob_that_matches_nothing(tmp_path):
    with pytest.raises(DataError, match="matches no file"):
        _scan(str(tmp_path / "*.parquet"))


def test_side_files_join_by_key_and_by_position(tmp_path):
    frame = _frame(500)
    inputs = tmp_path / "in.parquet"
    frame.drop(columns=["x"]).to_parquet(inputs)
    shuffled = frame[["id", "x"]].sample(frac=1.0, random_state=1)
    shuffled.to_parquet(tmp_path / "pred.parquet")
    keyed = _scan(inputs, predictions=tmp_path / "pred.parquet", key="id")
    kept = keyed.passes["keep"].frame()
    pd.testing.assert_series_equal(kept["x"], frame["x"], check_names=False)
    frame[["x"]].to_parquet(tmp_path / "pos.parquet")
    positional = _scan(inputs, predictions=tmp_path / "pos.parquet")
    kept = positional.passes["keep"].frame()
    pd.testing.assert_series_equal(kept["x"], frame["x"], check_names=False)


def test_side_files_with_other_row_counts_say_how_many(tmp_path):
    frame = _frame(500)
    frame.to_csv(tmp_path / "in.csv", index=False)
    frame[["x"]].iloc[:10].rename(columns={"x": "y"}).to_csv(
        tmp_path / "few.csv", index=False
    )
    with pytest.raises(DataError, match="have 10 rows but the inputs have 500"):
        _scan(tmp_path / "in.csv", predictions=tmp_path / "few.csv")


def test_a_sample_is_uniform_and_the_same_for_any_batch_size():
    frame = _frame(20_000)
    samples = []
    for size in (1000, 20_000):
        engine = get_engine(EngineSettings(batch_rows=size))
        result = engine.scan(RunData(frame), {"s": SamplePass(2000)})
        found = result.passes["s"]
        assert isinstance(found, SamplePass)
        assert found.sampled
        samples.append(found.frame())
    for kept in samples:
        assert len(kept) == 2000
        assert kept["id"].is_monotonic_increasing  # the run's order is kept
        assert abs(kept["id"].mean() - 10_000) < 600  # spread over the run


def test_engine_settings_refuse_nonsense():
    with pytest.raises(UsageError, match="unknown engine 'dask'"):
        EngineSettings.from_env(name="dask")
    with pytest.raises(UsageError, match="MODELHEALTH_BATCH_ROWS"):
        EngineSettings.from_env(env={"MODELHEALTH_BATCH_ROWS": "lots"})
    with pytest.raises(UsageError, match="at least 1"):
        EngineSettings.from_env(env={"MODELHEALTH_SAMPLE_ROWS": "0"})
    settings = EngineSettings.from_env(
        env={"MODELHEALTH_ENGINE": "local", "MODELHEALTH_BATCH_ROWS": "1_000"},
        default="spark",
    )
    assert (settings.name, settings.batch_rows) == ("local", 1000)
