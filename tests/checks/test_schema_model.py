"""``schema`` with ``pandera_model``: a DataFrameModel from the user's own code."""

from __future__ import annotations

import sys
import textwrap
from dataclasses import replace

import pandas as pd
import pytest
from pydantic import ValidationError

from modelhealth.checks.base import CheckError, Status
from modelhealth.checks.schema import SchemaCheck, SchemaParams

MODEL = textwrap.dedent(
    """\
    import pandera.pandas as pa

    class Customers(pa.DataFrameModel):
        age: int = pa.Field(ge=18, le=120)
        plan: str = pa.Field(isin=["basic", "pro"])
        email: str = pa.Field(str_matches=r"^[^@]+@[^@]+$", nullable=True)

        class Config:
            strict = True

    NOT_A_MODEL = 3

    def broken():
        pass
    """
)


@pytest.fixture
def rules_dir(tmp_path, monkeypatch):
    """A folder with the rules file and the user's module (not on sys.path)."""
    package = tmp_path / "pipeline_models_test"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "schemas.py").write_text(MODEL)
    (package / "boom.py").write_text("raise RuntimeError('config missing')\n")
    monkeypatch.chdir(tmp_path.parent)
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("pipeline_models_test")]:
        del sys.modules[name]


def run(make_ctx, rules_dir, df, **params):
    check = SchemaCheck(SchemaParams(id="schema", **params))
    ctx = make_ctx(check.params, df)
    rules = ctx.rule_set.model_copy(
        update={"source_file": str(rules_dir / "rules.yaml")}
    )
    return {r.subject: r for r in check.run(replace(ctx, rule_set=rules))}


def test_model_columns_are_checked_and_reported(make_ctx, rules_dir):
    df = pd.DataFrame(
        {
            "age": [5, 30, 40],
            "plan": ["basic", "gold", "pro"],
            "email": ["a@b.c", None, "nope"],
            "extra": [1, 2, 3],
        }
    )
    results = run(
        make_ctx, rules_dir, df, pandera_model="pipeline_models_test.schemas:Customers"
    )
    assert results["age"].status is Status.FAILED
    assert results["age"].metrics["failed_rows"] == 1
    assert results["age"].failures[0]["value"] == 5
    assert "'gold'" in results["plan"].message
    assert results["email"].metrics["failed_rows"] == 1
    assert results[None].message == "unexpected columns (strict): extra"


def test_rules_columns_extend_and_override_the_model(make_ctx, rules_dir):
    df = pd.DataFrame({"age": [5, 30], "plan": ["basic", "pro"], "email": [None, None]})
    results = run(
        make_ctx,
        rules_dir,
        df,
        pandera_model="pipeline_models_test.schemas:Customers",
        columns={"age": {"dtype": "int64"}, "score": {"required": False}},
    )
    assert results["age"].status is Status.PASSED  # the rules' age has no ge(18)
    assert results["score"].status is Status.SKIPPED


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "pipeline_models_test.nope:Customers",
            "pandera_model 'pipeline_models_test.nope:Customers': module "
            "'pipeline_models_test.nope' could not be imported: ModuleNotFoundError",
        ),
        (
            "pipeline_models_test.boom:Customers",
            "could not be imported: RuntimeError: config missing",
        ),
        (
            "pipeline_models_test.schemas:Nope",
            "module 'pipeline_models_test.schemas' has no 'Nope'",
        ),
        (
            "pipeline_models_test.schemas:NOT_A_MODEL",
            "is a int, not a pandera DataFrameModel",
        ),
    ],
)
def test_a_model_path_that_does_not_import_is_a_clear_error(
    make_ctx, rules_dir, target, message
):
    with pytest.raises(CheckError, match=message.replace("(", r"\(")):
        run(make_ctx, rules_dir, pd.DataFrame({"age": [1]}), pandera_model=target)


def test_model_path_syntax_is_validated():
    with pytest.raises(ValidationError, match="pandera_model"):
        SchemaParams(id="s", pandera_model="pipeline.schemas.Customers")
