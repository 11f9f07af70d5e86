"""Secrets when they are used, not before (issue 16, item 3).

``rules validate`` and ``baseline`` run where production secrets are not (a
pipeline's CI): an unset secret variable is a warning that names it. ``check`` stores
the run and reports the route's delivery failure; the message waits in the outbox.
``--strict`` keeps the error.
"""

from __future__ import annotations

import textwrap

import pytest

from modelhealth.cli.app import main
from modelhealth.errors import ExitCode
from modelhealth.store import Store

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    checks:
      - {id: rows, kind: volume, severity: critical, min_rows: 600}
    alerts:
      - {channel: slack, token_env: MH_TEST_UNSET_TOKEN, to: "#ml-oncall"}
    """
)
WARNING = (
    "warning: {rules} alerts[0].token_env: environment variable "
    "'MH_TEST_UNSET_TOKEN' is not set; slack alerts through this route fail to "
    "deliver until it is"
)


@pytest.fixture
def project(tmp_path, frame, monkeypatch):
    monkeypatch.delenv("MH_TEST_UNSET_TOKEN", raising=False)
    (tmp_path / "rules.yaml").write_text(RULES)
    frame(1000).to_parquet(tmp_path / "train.parquet")
    frame(300).to_parquet(tmp_path / "small.parquet")
    return tmp_path


def test_rules_validate_warns_and_passes(project, capsys):
    rules = str(project / "rules.yaml")
    assert main(["rules", "validate", rules]) == ExitCode.OK
    captured = capsys.readouterr()
    assert f"{rules}: ok (model 'churn', 1 checks)" in captured.out
    assert WARNING.format(rules=rules) in captured.err


def test_strict_keeps_it_an_error(project, capsys):
    rules = str(project / "rules.yaml")
    assert main(["rules", "validate", "--strict", rules]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "environment variable 'MH_TEST_UNSET_TOKEN' (token_env) is not set" in err
    code = main(
        ["baseline", "--strict", "--rules", rules, "--data", str(project / "x.pq")]
    )
    assert code == ExitCode.USAGE


def test_baseline_warns_and_registers(project, capsys):
    rules = str(project / "rules.yaml")
    db = str(project / "mh.db")
    data = str(project / "train.parquet")
    assert main(["baseline", "--rules", rules, "--data", data, "--db", db]) == 0
    captured = capsys.readouterr()
    assert "registered baseline 'default'" in captured.out
    assert WARNING.format(rules=rules) in captured.err


def test_check_stores_the_run_and_reports_the_delivery_failure(
    project, capsys, caplog, monkeypatch
):
    monkeypatch.setenv("MODELHEALTH_ALERT_BUDGET", "0.2")
    rules = str(project / "rules.yaml")
    db = str(project / "mh.db")
    inputs = str(project / "small.parquet")
    code = main(
        ["check", "--rules", rules, "--run-id", "r1", "--inputs", inputs, "--db", db]
    )
    assert code == ExitCode.CHECKS_FAILED  # the volume check, not the route
    err = capsys.readouterr().err
    assert WARNING.format(rules=rules) in err
    assert (
        "alert delivery failed: slack: ValueError: environment variable "
        "'MH_TEST_UNSET_TOKEN' (token_env) is not set" in caplog.text
    )
    store = Store(f"sqlite:///{db}")
    try:
        assert [r.run_id for r in store.runs("churn")] == ["r1"]
        assert store.outbox_pending_count() == 1  # it waits for the variable
    finally:
        store.close()
