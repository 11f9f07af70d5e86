"""The ``schema`` check on nested columns: an entity of lists, structs and maps (#10).

The entity: fixed attributes (``user_id``, ``age``), an array of transactions
``{amount, merchant}``, an address struct ``{city, zip}``, a list of tags and a
map of scores. It reaches the check as a pandas frame of Python values and as a
Parquet file (Arrow types); both give the same results, in any batch size.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pydantic import ValidationError

from modelhealth import rules
from modelhealth.checks.base import CheckContext, CheckResult, Status
from modelhealth.checks.schema import SchemaCheck, SchemaParams
from modelhealth.engine import EngineSettings, RunData, get_engine
from modelhealth.rules.models import RuleSet

TRANSACTIONS = "list<struct<amount: float64, merchant: str>>"
ADDRESS = "struct<city: str, zip: int64>"
ENTITY: dict[str, Any] = {
    "user_id": {"dtype": "int64", "unique": True},
    "age": {"dtype": "int64", "checks": {"ge": 18}},
    "transactions": {
        "dtype": TRANSACTIONS,
        "length": {"ge": 1, "le": 100},
        "elements": {"fields": {"amount": {"ge": 0}, "merchant": {"nullable": False}}},
    },
    "address": {
        "dtype": ADDRESS,
        "nullable": False,
        "fields": {"zip": {"dtype": "int64", "checks": {"ge": 1000}}},
    },
    "tags": {"dtype": "list<str>", "elements": {"isin": ["new", "vip", "churn"]}},
    "scores": {"dtype": "map<str, float64>", "length": {"le": 2}},
}


def _users() -> pd.DataFrame:
    def shop(*amounts: float) -> list[dict[str, Any]]:
        return [{"amount": a, "merchant": f"m{i}"} for i, a in enumerate(amounts)]

    return pd.DataFrame(
        {
            "user_id": [1, 2, 3, 4, 5, 6],
            "age": [30, 41, 17, 25, 60, 33],
            "transactions": [
                shop(10.0, 2.5),
                [],  # fails length ge(1)
                shop(-3.0, 4.0, -1.0),  # one row, two failing elements
                [{"amount": 5.0, "merchant": None}],  # a null field
                None,  # a null list: no length to check
                shop(1.0),
            ],
            "address": [
                {"city": "Lyon", "zip": 69001},
                {"city": "Oslo", "zip": 150},  # fails zip ge(1000)
                None,  # fails not_nullable
                {"city": "Rome", "zip": 118},
                {"city": None, "zip": 1010},
                {"city": "Kyiv", "zip": 1001},
            ],
            "tags": [["new"], [], ["vip", "gold"], None, ["churn"], ["new", "vip"]],
            "scores": [
                [("a", 1.0)],
                [],
                [("a", 1.0), ("b", 2.0), ("c", 3.0)],  # fails length le(2)
                None,
                [("a", 0.5)],
                [],
            ],
        }
    )


_TYPES = pa.schema(
    [
        ("user_id", pa.int64()),
        ("age", pa.int64()),
        (
            "transactions",
            pa.list_(pa.struct([("amount", pa.float64()), ("merchant", pa.string())])),
        ),
        ("address", pa.struct([("city", pa.string()), ("zip", pa.int64())])),
        ("tags", pa.list_(pa.string())),
        ("scores", pa.map_(pa.string(), pa.float64())),
    ]
)


def _parquet(tmp_path: Path, frame: pd.DataFrame | None = None) -> Path:
    frame = _users() if frame is None else frame
    table = pa.Table.from_pandas(frame, schema=_TYPES, preserve_index=False)
    path = tmp_path / "users.parquet"
    pq.write_table(table, path, row_group_size=4)
    return path


def _check(
    make_ctx: Callable[..., CheckContext],
    columns: dict[str, Any],
    inputs: Any,
    batch_rows: int | None = None,
) -> dict[str | None, CheckResult]:
    params = SchemaParams(id="schema", columns=columns)
    frame = inputs if isinstance(inputs, pd.DataFrame) else pd.DataFrame()
    ctx = make_ctx(params, frame)
    if batch_rows is not None:
        engine = get_engine(EngineSettings(batch_rows=batch_rows))
        rule_set = RuleSet(version=1, model="m", checks=[params])
        row_pass = SchemaCheck.row_pass(params, rule_set, None)
        assert row_pass is not None
        scanned = engine.scan(RunData(inputs=inputs), {"schema": row_pass})
        ctx = CheckContext(
            rule_set=ctx.rule_set,
            run_id="run-1",
            frame=frame,
            profile=ctx.profile,
            reference=None,
            passes={"schema": row_pass},
            row_count=scanned.rows,
        )
    return {r.subject: r for r in SchemaCheck(params).run(ctx)}


def _view(results: dict[str | None, CheckResult]) -> dict[str | None, Any]:
    return {
        s: (r.status, r.message, dict(r.metrics), list(r.failures))
        for s, r in results.items()
    }


def test_the_entity_reports_per_row_failures(make_ctx):
    results = _check(make_ctx, ENTITY, _users())
    assert results["user_id"].status is Status.PASSED
    tx = results["transactions"]
    assert tx.message == (
        "1 row fails length ge(1): 0; 1 row fails elements.amount ge(0): -3.0, -1.0; "
        "1 row fails elements.merchant not_nullable"
    )
    assert tx.metrics["failed_rows"] == 3
    assert tx.failures[1] == {"check": "elements.amount ge(0)", "value": -3.0, "row": 2}
    address = results["address"]
    assert address.message == (
        "1 row fails not_nullable; 2 rows fail zip ge(1000): 150, 118"
    )
    assert address.metrics == {"failed_rows": 3.0, "failure_share": 0.5}
    assert (
        results["tags"].message
        == "1 row fails elements isin(['new', 'vip', 'churn']): 'gold'"
    )
    assert results["scores"].message == "1 row fails length le(2): 3"


@pytest.mark.parametrize("batch_rows", [1, 4, 1000])
@pytest.mark.parametrize("source", ["frame", "parquet"])
def test_batches_and_sources_give_the_same_results(
    make_ctx, tmp_path, batch_rows, source
):
    whole = _view(_check(make_ctx, ENTITY, _users()))
    inputs = _users() if source == "frame" else _parquet(tmp_path)
    assert _view(_check(make_ctx, ENTITY, inputs, batch_rows)) == whole


def test_an_element_type_that_changed_is_named(make_ctx, tmp_path):
    frame = pd.DataFrame({"ids": [["a", "b"], ["c"]]})
    results = _check(make_ctx, {"ids": {"dtype": "list<int64>"}}, frame)
    assert results["ids"].status is Status.FAILED
    assert results["ids"].message == "dtype is list<str>, expected list<int64>"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        (
            {"city": "Lyon"},
            f"dtype is struct<city: str>, expected {ADDRESS} (field 'zip' is missing)",
        ),
        (
            {"city": "Lyon", "zip": 69001, "country": "FR"},
            "dtype is struct<city: str, zip: int64, country: str>, expected "
            f"{ADDRESS} (field 'country' is not declared)",
        ),
        (
            {"city": "Lyon", "zip": "69001"},
            f"dtype is struct<city: str, zip: str>, expected {ADDRESS} "
            "(field 'zip' is str, expected int64)",
        ),
    ],
)
def test_a_struct_field_missing_or_new_fails_the_column(make_ctx, address, message):
    results = _check(
        make_ctx, {"address": {"dtype": ADDRESS}}, pd.DataFrame({"address": [address]})
    )
    assert results["address"].status is Status.FAILED
    assert results["address"].message == message


def test_fields_without_a_dtype_check_what_they_name(make_ctx):
    frame = pd.DataFrame({"address": [{"city": "Lyon", "zip": 12, "extra": 1}]})
    columns = {
        "address": {"fields": {"zip": {"dtype": "int64", "checks": {"ge": 1000}}}}
    }
    assert _check(make_ctx, columns, frame)["address"].message == (
        "1 row fails zip ge(1000): 12"
    )
    columns = {"address": {"fields": {"zip": {"dtype": "str"}}}}
    assert _check(make_ctx, columns, frame)["address"].message == (
        "dtype is struct<city: str, zip: int64, extra: int64>; "
        "field 'zip' is int64, expected str"
    )


def test_values_arrow_cannot_type_fail_the_column_by_name(make_ctx):
    frame = pd.DataFrame({"ids": [[1, 2], ["a"]], "age": [30, 40]})
    columns = {"ids": {"dtype": "list<int64>"}, "age": {"checks": {"ge": 18}}}
    results = _check(make_ctx, columns, frame)
    assert results["ids"].status is Status.FAILED
    assert results["ids"].message.startswith(
        "dtype is object; its values are not one Arrow type: "
    )
    assert results["age"].status is Status.PASSED


def test_null_at_every_level(make_ctx, tmp_path):
    frame = pd.DataFrame(
        {"tx": [None, [], [None], [{"amount": None, "merchant": None}]]}
    )
    columns = {
        "tx": {
            "dtype": TRANSACTIONS,
            "nullable": False,
            "elements": {"nullable": False, "fields": {"amount": {"nullable": False}}},
        }
    }
    result = _check(make_ctx, columns, frame)["tx"]
    assert result.message == (
        "1 row fails not_nullable; 1 row fails elements not_nullable; "
        "1 row fails elements.amount not_nullable"
    )
    assert result.metrics["failed_rows"] == 3
    all_null = _check(make_ctx, columns, pd.DataFrame({"tx": [None, None]}))["tx"]
    assert all_null.message == "2 rows fail not_nullable"


def _rules_error(columns: str) -> str:
    text = (
        "version: 1\nmodel: users\nchecks:\n"
        "  - id: entity\n    kind: schema\n    columns:\n" + columns
    )
    with pytest.raises(rules.RulesError) as info:
        rules.loads(
            text,
            source="rules/users.yaml",
            check_kinds={"schema": SchemaParams},
            channel_kinds={},
            env={},
        )
    return str(info.value)


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            "      tags: {dtype: 'list<int64'}\n",
            "rules/users.yaml:7:21 checks[0].columns.tags.dtype: dtype 'list<int64': "
            "a '<' is not closed; write it as list<int64>",
        ),
        (
            "      address: {dtype: 'struct<city str>'}\n",
            "rules/users.yaml:7:24 checks[0].columns.address.dtype: dtype "
            "'struct<city str>': struct field 'city str' needs a name and a type, "
            "as in struct<city: str, zip: int64>",
        ),
        (
            "      tags: {dtype: 'array<str>'}\n",
            "rules/users.yaml:7:21 checks[0].columns.tags.dtype: dtype 'array<str>': "
            "unknown nested type 'array'; did you mean 'list<int64>'? (nested types: "
            "list<...>, struct<name: type, ...>, map<key, value>)",
        ),
        (
            "      tags: {dtype: 'list<int65>'}\n",
            "rules/users.yaml:7:21 checks[0].columns.tags.dtype: dtype 'list<int65>': "
            "unknown dtype 'int65'; did you mean 'int64'? (int64, float64, bool, str, "
            "category, datetime64[ns], Int64, ...)",
        ),
        (
            "      address:\n        dtype: 'struct<city: str, zip: int64>'\n"
            "        fields: {zp: {checks: {ge: 1000}}}\n",
            "rules/users.yaml:8:9 checks[0].columns.address: fields.zp: not a field "
            "of dtype 'struct<city: str, zip: int64>'; did you mean 'zip'? its "
            "fields: city, zip",
        ),
        (
            "      tags: {dtype: 'list<int64>', checks: {ge: 0}}\n",
            "rules/users.yaml:7:13 checks[0].columns.tags: checks applies to flat "
            "columns, not to dtype 'list<int64>'; check the values inside with "
            "elements: {checks: ...}",
        ),
    ],
)
def test_rules_errors_name_file_line_and_key(columns, message):
    assert _rules_error(columns) == message


def test_dtypes_are_kept_in_their_canonical_form():
    params = SchemaParams(
        id="s",
        columns={"s": {"dtype": "map<str,float64>"}, "t": {"dtype": TRANSACTIONS}},
    )
    assert params.columns["s"].dtype == "map<str, float64>"
    assert params.columns["t"].dtype == TRANSACTIONS
    with pytest.raises(ValidationError, match="length applies to a list or map"):
        SchemaParams(id="s", columns={"x": {"dtype": "int64", "length": {"ge": 1}}})


def test_the_documented_user_entity_runs_on_its_data(make_ctx):
    doc = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    (text,) = [b for b in re.findall(r"```yaml\n(.*?)```", doc, re.S) if "users" in b]
    rule_set = rules.loads(
        text, check_kinds={"schema": SchemaParams}, channel_kinds={}, env={}
    )
    (params,) = rule_set.checks
    assert isinstance(params, SchemaParams)
    ctx = make_ctx(params, _users())
    results = {r.subject: r for r in SchemaCheck(params).run(ctx)}
    assert {s: r.status for s, r in results.items()} == {
        "user_id": Status.PASSED,
        "age": Status.FAILED,
        "transactions": Status.FAILED,
        "address": Status.FAILED,
        "tags": Status.FAILED,
        "scores": Status.FAILED,
    }
    assert results["address"].message == (
        "1 row fails not_nullable; 2 rows fail zip ge(1000): 150, 118"
    )


@pytest.mark.parametrize(
    ("dtype", "values"),
    [
        ("list<Int64>", [[1, None], [2]]),
        ("list<int>", [[1], []]),
        ("list<float>", [[1.5], None]),
        ("list<number>", [[1.5], [2.0]]),
        ("list<string>", [["a"], []]),
        ("list<bool>", [[True], [False]]),
        ("struct<at: datetime64[ns, UTC]>", [{"at": pd.Timestamp(0, tz="UTC")}]),
        ("list<list<int64>>", [[[1], [2, 3]], []]),
        ("map<str, list<int64>>", [{"a": [1]}, {}]),
    ],
)
def test_flat_names_inside_nested_dtypes_match_arrows_types(make_ctx, dtype, values):
    frame = pd.DataFrame({"x": values})
    result = _check(make_ctx, {"x": {"dtype": dtype}}, frame)["x"]
    assert result.status is Status.PASSED, result.message
