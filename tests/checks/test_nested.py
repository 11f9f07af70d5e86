"""Nested columns, the entity way (issue 10): lists, structs and maps profiled by
their lengths, elements and fields, then drifted and quality-checked by name."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from modelhealth.checks.base import CheckResult, Status
from modelhealth.checks.drift import DriftCheck, DriftParams
from modelhealth.checks.passes import Batch
from modelhealth.checks.profiling import ProfilePass, profile_frame
from modelhealth.checks.quality import QualityCheck, QualityParams

MERCHANTS = ["amazon", "uber", "lidl", "fnac"]
CITIES = ["paris", "lyon", "nice", "lille"]


def users(n: int, seed: int, *, more_tx: float = 0.0, cities=None) -> pd.DataFrame:
    """A user entity: fixed attributes, an array of transactions, an address."""
    rng = np.random.default_rng(seed)
    lengths = rng.poisson(3.0 + more_tx, n)
    tx: list[list[dict[str, object]] | None] = [
        [
            {"amount": float(a), "merchant": str(m)}
            for a, m in zip(
                rng.gamma(2.0, 30.0, k), rng.choice(MERCHANTS, k), strict=True
            )
        ]
        for k in lengths
    ]
    city = rng.choice(CITIES, n, p=cities or [0.4, 0.3, 0.2, 0.1])
    address: list[dict[str, object] | None] = [
        {"city": str(c), "zip": int(z)}
        for c, z in zip(city, rng.integers(10_000, 99_999, n), strict=True)
    ]
    for i in range(0, n, 50):  # a null list and a null address now and then
        tx[i] = None
        address[i + 1] = None
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, n),
            "plan": rng.choice(["basic", "pro"], n),
            "transactions": tx,
            "address": address,
        }
    )


def test_entity_parts_are_profiled_by_name():
    df = users(1000, seed=1)
    df["transactions"] = set_rows(df["transactions"], [2], [])
    cols = profile_frame(df).columns
    assert list(cols) == [
        "age",
        "plan",
        "transactions",
        "transactions[].amount",
        "transactions[].merchant",
        "address.city",
        "address.zip",
    ]
    tx = cols["transactions"]
    empty = sum(1 for v in df["transactions"] if v is not None and len(v) == 0)
    assert empty >= 1
    assert (tx.kind, tx.nested, tx.nulls, tx.empty) == ("numeric", "list", 20, empty)
    lengths = [len(v) for v in df["transactions"] if v is not None]
    assert tx.count == 980
    assert tx.mean == pytest.approx(np.mean(lengths))
    assert cols["transactions[].amount"].count == sum(lengths)
    assert set(cols["transactions[].merchant"].categories) == set(MERCHANTS)
    assert (cols["address.city"].count, cols["address.city"].nulls) == (980, 20)
    assert cols["address.zip"].kind == "numeric"


def test_parquet_batches_profile_like_the_pandas_frame(tmp_path):
    reference = profile_frame(users(3000, seed=1))
    df = users(2000, seed=2)
    path = tmp_path / "users.parquet"
    pq.write_table(pa.Table.from_pandas(df), path, row_group_size=512)
    profile_pass = ProfilePass(reference)
    for batch in pq.ParquetFile(path).iter_batches(batch_size=512):
        profile_pass.update(Batch(arrow=batch))
    batched = profile_pass.profile()
    whole = profile_frame(pd.read_parquet(path), reference=reference)
    assert list(batched.columns) == list(whole.columns)
    for name, col in whole.columns.items():
        got = batched.columns[name]
        for field in ("count", "nulls", "empty", "counts", "categories", "outside"):
            assert getattr(got, field) == getattr(col, field), (name, field)


def test_map_columns_have_sizes_keys_and_values():
    prefs = pa.array(
        [[("lang", "fr"), ("tz", "cet")], None, [], [("lang", "en")]],
        type=pa.map_(pa.string(), pa.string()),
    )
    batch = pa.RecordBatch.from_pydict({"prefs": prefs, "n": [1, 2, 3, 4]})
    profile_pass = ProfilePass()
    profile_pass.update(Batch(arrow=batch))
    cols = profile_pass.profile().columns
    assert (cols["prefs"].nested, cols["prefs"].nulls, cols["prefs"].empty) == (
        "map",
        1,
        1,
    )
    assert cols["prefs{key}"].categories == {"lang": 2, "tz": 1}
    assert cols["prefs{value}"].categories == {"cet": 1, "en": 1, "fr": 1}


def set_rows(column: pd.Series, rows: list[int], value: object) -> pd.Series:
    """The column's values with ``rows`` set to ``value`` (a list or a dict)."""
    values = list(column)
    for i in rows:
        values[i] = value
    return pd.Series(values, dtype=object)


def drift(reference: pd.DataFrame, current: pd.DataFrame) -> dict[str, CheckResult]:
    from modelhealth.checks.base import CheckContext, Reference
    from modelhealth.rules.models import RuleSet

    params = DriftParams(id="d", columns="*", method="jensenshannon")
    ref = profile_frame(reference)
    ctx = CheckContext(
        rule_set=RuleSet(version=1, model="m", checks=[params]),
        run_id="r",
        frame=current,
        profile=profile_frame(current, reference=ref),
        reference=Reference(source="baseline", label="v1", profile=ref),
    )
    return {str(r.subject): r for r in DriftCheck(params).run(ctx)}


def test_unchanged_entity_does_not_drift():
    """Issue 10: an unchanged struct failed drift (jensenshannon 0.129 >= 0.114)."""
    results = drift(users(5000, seed=1), users(5000, seed=2))
    assert "address" not in results
    assert "address.city" in results
    assert {k: r.status for k, r in results.items()} == dict.fromkeys(
        results, Status.PASSED
    ), {k: r.message for k, r in results.items()}


def test_drift_names_what_moved():
    results = drift(
        users(5000, seed=1),
        users(5000, seed=2, more_tx=2.0, cities=[0.1, 0.2, 0.3, 0.4]),
    )
    moved = {k for k, r in results.items() if r.status is Status.FAILED}
    assert moved == {"transactions", "address.city"}  # amounts and zips unchanged
    assert "(list lengths)" in str(results["transactions"].message)
    assert results["transactions"].details["measured"] == "length"


def quality(reference, current, **params):
    from modelhealth.checks.base import CheckContext, Reference
    from modelhealth.rules.models import RuleSet

    qp = QualityParams(id="q", **params)
    ref = profile_frame(reference) if reference is not None else None
    ctx = CheckContext(
        rule_set=RuleSet(version=1, model="m", checks=[qp]),
        run_id="r",
        frame=current,
        profile=profile_frame(current, reference=ref),
        reference=Reference(source="baseline", label="v1", profile=ref)
        if ref is not None
        else None,
    )
    return {r.subject: r for r in QualityCheck(qp).run(ctx)}


def test_quality_counts_null_and_empty_lists_and_null_fields():
    cur = users(1000, seed=2)
    # rows 50 and 100 hold null lists already, rows 201, 251, ... null addresses
    empty = [i for i in range(3, 103) if i % 50]
    cur["transactions"] = set_rows(cur["transactions"], empty, [])
    no_city = [i for i in range(200, 400) if i % 50 != 1]
    cur["address"] = set_rows(cur["address"], no_city, {"city": None, "zip": 75001})
    results = quality(users(1000, seed=1), cur, empty={"max_increase": {"fail": 0.05}})
    tx = results["transactions"]
    assert tx.metrics["nulls_share"] == pytest.approx(0.02)
    assert tx.metrics["empty_share"] >= 0.1
    assert tx.status is Status.FAILED
    assert results["address.city"].metrics["nulls_share"] == pytest.approx(0.216)
    assert results["address.city"].metrics["nulls_increase"] == pytest.approx(0.196)
    assert results["address.city"].status is Status.WARNED
    assert results["address.zip"].metrics["nulls_share"] == pytest.approx(0.02)
    assert results["age"].status is Status.PASSED


def test_quality_on_a_named_nested_column_selects_its_parts():
    results = quality(users(500, seed=1), users(500, seed=2), columns=["address"])
    assert set(results) == {"address.city", "address.zip"}


def test_ragged_values_are_a_clear_error_and_other_columns_still_checked():
    cur = users(200, seed=2)
    scores: list[object] = [[1.0, 2.0]] * 199 + [3.0]  # a list, then a bare number
    cur["scores"] = pd.Series(scores, dtype=object)
    tags: list[object] = [[1, "a"]] * 200  # elements of mixed types
    cur["tags"] = pd.Series(tags, dtype=object)
    profile = profile_frame(cur)
    assert "cannot mix list and non-list" in profile.columns["scores"].error
    assert "column 'tags'" in profile.columns["tags"].error
    assert profile.columns["age"].count == 200
    results = quality(None, cur, nulls={"max": {"fail": 0.5}})
    assert results["scores"].status is Status.ERRORED
    assert "column 'scores' holds nested values of no one type" in str(
        results["scores"].message
    )
    assert results["age"].status is Status.PASSED
    ref = users(200, seed=1)
    ref["scores"] = [[1.0, 2.0]] * 200
    ref["tags"] = [["a"]] * 200
    drifted = drift(ref, cur)
    assert drifted["scores"].status is Status.ERRORED
    assert "column 'scores'" in str(drifted["scores"].message)
    assert drifted["age"].status is not Status.ERRORED


def test_null_at_every_level():
    df = pd.DataFrame(
        {
            "tx": [None, [None], [{"amount": None, "merchant": None}], [], None],
            "address": [None, {"city": None, "zip": None}, None, None, None],
            "all_null_lists": [None] * 5,
        }
    )
    cols = profile_frame(df).columns
    assert not any(c.error for c in cols.values())
    assert (cols["tx"].nulls, cols["tx"].empty, cols["tx"].count) == (2, 1, 3)
    assert cols["tx[].amount"].count == 0
    assert cols["tx[].amount"].nulls == 2
    assert cols["address.city"].nulls == 5
    results = quality(None, df, nulls={"max": {"fail": 0.5}})
    assert results["address.city"].status is Status.FAILED
    assert all(r.status is not Status.ERRORED for r in results.values())


def test_binary_columns_stay_profiled_by_length():
    df = pd.DataFrame({"blob": [b"ab", b"abcd", None], "blobs": [[b"a"], [b"abc"], []]})
    cols = profile_frame(df).columns
    assert (cols["blob"].kind, cols["blob"].max, cols["blob"].nulls) == (
        "binary",
        4.0,
        1,
    )
    assert cols["blobs[]"].kind == "binary"
    assert cols["blobs[]"].count == 2


def test_entity_end_to_end_through_check_run(tmp_path):
    """A rules file over the entity: baseline, then a run whose lists grew."""
    import modelhealth

    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nmodel: users\n"
        "checks:\n"
        "  - {id: drift, kind: drift, columns: '*', method: jensenshannon}\n"
        "  - {id: quality, kind: quality}\n"
    )
    db = str(tmp_path / "m.db")
    base, run = tmp_path / "base.parquet", tmp_path / "run.parquet"
    pq.write_table(pa.Table.from_pandas(users(3000, seed=1)), base)
    pq.write_table(pa.Table.from_pandas(users(3000, seed=2, more_tx=2.0)), run)
    modelhealth.register_baseline(rules=rules, data=str(base), db=db)
    report = modelhealth.check_run(
        rules=rules, run_id="r1", inputs=str(run), db=db, alert=False
    )
    statuses = {(r.check_id, r.subject): r.status for r in report.results}
    assert statuses[("drift", "transactions")] is Status.FAILED
    assert statuses[("drift", "address.city")] is Status.PASSED
    assert statuses[("quality", "address.city")] is Status.PASSED
    assert not [k for k, s in statuses.items() if s is Status.ERRORED]
