"""Dagster (issue 12): asset checks from a rules file, run with
``dagster.materialize``; severities mapped, blocking checks stop downstream assets."""

from __future__ import annotations

import importlib

import dagster as dg
import pytest

import modelhealth
from modelhealth.integrations import _common
from modelhealth.integrations import dagster as mh_dagster
from tests.integrations.conftest import run_doc_example


def assets(frame, bad: bool):
    @dg.asset
    def scores():
        df = frame(300, seed=1)
        if bad:
            df.loc[:4, "age"] = 7
        return df

    @dg.asset(deps=[scores])
    def published():
        return "published"

    return scores, published


def evaluations(result):
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_specs_follow_the_rules(rules, db):
    (checks,) = mh_dagster.build_asset_checks(rules, asset="scores", db=db)
    specs = {s.name: s for s in checks.check_specs}
    assert set(specs) == {"input_schema", "rows", "spend_drift"}
    assert specs["input_schema"].blocking  # critical
    assert specs["rows"].blocking  # critical
    assert not specs["spend_drift"].blocking  # warning: never blocks by default
    (lenient,) = mh_dagster.build_asset_checks(
        rules, asset="scores", db=db, fail_on="warning", blocking=False
    )
    assert not any(s.blocking for s in lenient.check_specs)


def test_passing_checks_let_downstream_assets_materialize(rules, db, frame, tmp_path):
    scores, published = assets(frame, bad=False)
    checks = mh_dagster.build_asset_checks(
        rules, asset=scores, db=db, alert=False, run_id=lambda ctx: "2026-03-01"
    )
    result = dg.materialize(
        [scores, published, *checks], resources={"io_manager": _io(tmp_path)}
    )
    assert result.success
    found = evaluations(result)
    assert found["input_schema"].passed
    assert found["rows"].passed
    assert found["input_schema"].metadata["modelhealth_run_id"].value == "2026-03-01"
    assert result.asset_materializations_for_node("published")
    with modelhealth.Store(db) as store:
        assert store.run("churn", "2026-03-01") is not None


def test_a_failed_blocking_check_stops_downstream(
    rules, db, frame, tmp_path, monkeypatch
):
    monkeypatch.setenv("MODELHEALTH_REPORT_URL", "https://mh.example")
    scores, published = assets(frame, bad=True)
    checks = mh_dagster.build_asset_checks(rules, asset=scores, db=db, alert=False)
    result = dg.materialize(
        [scores, published, *checks],
        resources={"io_manager": _io(tmp_path)},
        raise_on_error=False,
    )
    assert not result.success
    found = evaluations(result)
    schema = found["input_schema"]
    assert not schema.passed
    assert schema.severity == dg.AssetCheckSeverity.ERROR
    assert schema.metadata["subjects"].value == "age"
    run_id = schema.metadata["modelhealth_run_id"].value
    assert run_id == result.run_id
    assert schema.description.startswith(
        f"modelhealth: model 'churn' run '{run_id}' failed 1 check(s) at or above "
        "'critical': input-schema[age] failed (critical)"
    )
    assert schema.metadata["report"].value == (
        f"https://mh.example/models/churn/runs/{run_id}"
    )
    assert found["rows"].passed
    assert not result.asset_materializations_for_node("published")


def test_a_warning_check_fails_at_warn_and_does_not_block(rules, db, frame, tmp_path):
    modelhealth.register_baseline(rules=rules, data=frame(2000, seed=3), db=db)

    @dg.asset
    def scores():
        return frame(300, seed=1, shift=2.0)  # spend drifts; schema is fine

    @dg.asset(deps=[scores])
    def published():
        return "published"

    checks = mh_dagster.build_asset_checks(rules, asset=scores, db=db, alert=False)
    result = dg.materialize(
        [scores, published, *checks], resources={"io_manager": _io(tmp_path)}
    )
    assert result.success
    drift = evaluations(result)["spend_drift"]
    assert not drift.passed
    assert drift.severity == dg.AssetCheckSeverity.WARN
    assert drift.metadata["status"].value == "failed"
    assert drift.metadata["value"].value > 0.25
    assert result.asset_materializations_for_node("published")


def test_a_wrong_rules_file_fails_when_the_definitions_load(tmp_path, db):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nmodel: m\nchecks:\n  - {id: x, kind: drfit}\n")
    with pytest.raises(Exception, match=r"bad.yaml:4:.*unknown check kind 'drfit'"):
        mh_dagster.build_asset_checks(bad, asset="scores", db=db)


def test_the_documented_example_runs(tmp_path):
    done = run_doc_example("dagster", tmp_path, DAGSTER_HOME=str(tmp_path))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "input_schema: passed" in done.stdout


def test_an_unsupported_dagster_stops_at_import(monkeypatch):
    monkeypatch.setattr(_common, "installed_version", lambda dist: "1.5.0")
    with pytest.raises(ImportError, match=r"supports dagster>=1.8,<2, but dagster 1"):
        importlib.reload(mh_dagster)
    monkeypatch.undo()
    importlib.reload(mh_dagster)


def _io(tmp_path):
    return dg.FilesystemIOManager(base_dir=str(tmp_path / "storage"))
