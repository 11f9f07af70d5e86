"""``--junit-xml FILE`` of ``check``, ``gate`` and ``labels`` (issue 12): the XML a
CI server reads agrees with ``--json``, result by result."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import modelhealth
from modelhealth.cli.app import main

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    prediction: {column: score}
    label: {column: churned, key: customer_id}
    checks:
      - id: input-schema
        kind: schema
        severity: critical
        columns:
          age: {dtype: int64, nullable: false, checks: {ge: 18, le: 120}}
          plan: {dtype: str, isin: [basic, pro, enterprise]}
      - id: feature-drift
        kind: drift
        columns: "*"
        threshold: {warn: 0.1, fail: 0.25}
        method: psi
      - {id: rows, kind: volume, min_rows: 10}
      - {id: live-auc, kind: metric, metric: roc_auc, min: 0.99, severity: critical}
      - {id: gate-auc, kind: metric, metric: roc_auc, min: 0.6, stage: pre_deployment}
      - {id: gate-brier, kind: metric, metric: brier, max: 0.01, stage: both}
    """
)


@pytest.fixture
def project(tmp_path, frame):
    (tmp_path / "rules.yaml").write_text(RULES)
    train = frame(2000, seed=1)
    modelhealth.register_baseline(
        rules=tmp_path / "rules.yaml", data=train, db=str(tmp_path / "mh.db")
    )
    day = frame(1000, seed=2, shift=1.5)
    day.loc[0, "age"] = 200  # the schema check fails on one row
    day["customer_id"] = [f"c{i}" for i in range(len(day))]
    # no region: its drift result errors; no labels: the live metric is skipped
    day.drop(columns=["region", "churned"]).to_parquet(tmp_path / "day.parquet")
    day[["customer_id", "churned"]].to_parquet(tmp_path / "labels.parquet")
    frame(1000, seed=3).to_parquet(tmp_path / "holdout.parquet")
    return tmp_path


def run(project: Path, capsys, *args: str) -> tuple[int, dict[str, Any], ET.Element]:
    capsys.readouterr()
    xml = project / "out" / "results.xml"
    code = main(
        [
            *args,
            "--rules",
            str(project / "rules.yaml"),
            "--db",
            str(project / "mh.db"),
            "--json",
            "--junit-xml",
            str(xml),
        ]
    )
    out = json.loads(capsys.readouterr().out)
    return code, out, ET.parse(xml).getroot()


def assert_agrees(out: dict[str, Any], root: ET.Element) -> None:
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    results = out["results"]
    assert len(cases) == len(results) > 0
    for key, status in (("failures", "failed"), ("errors", "errored")):
        want = str(sum(r["status"] == status for r in results))
        assert root.get(key) == suite.get(key) == want
    assert suite.get("tests") == str(len(results))
    for case, result in zip(cases, results, strict=True):
        name = result["check_id"] + (
            f"[{result['subject']}]" if result["subject"] else ""
        )
        assert case.get("name") == name
        assert case.get("classname", "").endswith("." + result["check_id"])
        failure, error = case.find("failure"), case.find("error")
        skipped = case.find("skipped")
        status = result["status"]
        assert (failure is not None) == (status == "failed"), name
        assert (error is not None) == (status == "errored"), name
        assert (skipped is not None) == (status == "skipped"), name
        element = failure if failure is not None else error
        if element is not None:
            assert element.get("message") == result["message"]
            assert f"severity: {result['severity']}" in (element.text or "")
            if result["value"] is not None:
                assert f"observed value: {result['value']:.6g}" in (element.text or "")
        if status == "warned":
            assert "WARNING" in (case.findtext("system-out") or "")


def test_check_junit_agrees_with_json(project, capsys, monkeypatch):
    monkeypatch.setenv("MODELHEALTH_REPORT_URL", "http://report.example/")
    code, out, root = run(
        project,
        capsys,
        "check",
        "--run-id",
        "day-1",
        "--inputs",
        str(project / "day.parquet"),
        "--no-alerts",
    )
    assert code == 1
    statuses = {r["status"] for r in out["results"]}
    assert {"passed", "failed", "errored", "skipped"} <= statuses
    assert_agrees(out, root)
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["model"] == "churn"
    assert props["run_id"] == "day-1"
    assert props["report_url"] == "http://report.example/models/churn/runs/day-1"
    failure = next(root.iter("failure"))
    assert "observed value:" in (failure.text or "")


def test_labels_junit_agrees_with_json(project, capsys):
    main(
        [
            "check",
            "--rules",
            str(project / "rules.yaml"),
            "--db",
            str(project / "mh.db"),
            "--run-id",
            "day-1",
            "--inputs",
            str(project / "day.parquet"),
            "--no-alerts",
        ]
    )
    code, out, root = run(
        project,
        capsys,
        "labels",
        "--run-id",
        "day-1",
        "--labels",
        str(project / "labels.parquet"),
    )
    assert code == 1  # live-auc cannot reach 0.99
    assert any(
        r["check_id"] == "live-auc" and r["status"] == "failed" for r in out["results"]
    )
    assert_agrees(out, root)


def test_gate_junit_agrees_with_json(project, capsys):
    code, out, root = run(
        project,
        capsys,
        "gate",
        "--candidate-version",
        "v2",
        "--data",
        str(project / "holdout.parquet"),
    )
    assert code == 1
    # the whole rules file runs on the holdout; the metric checks are among them
    assert {"gate-auc", "gate-brier"} <= {r["check_id"] for r in out["results"]}
    assert_agrees(out, root)
    assert root.findall("testsuite")[0].get("name") == "modelhealth.churn.gate.v2"
    failure = root.find(".//testcase[@name='gate-brier']/failure")
    assert failure is not None
    text = failure.text or ""
    assert np.isfinite(float(text.split("observed value: ")[1].split()[0]))


def test_unwritable_junit_path_is_a_usage_error(project, capsys):
    (project / "afile").write_text("")
    code = main(
        [
            "check",
            "--rules",
            str(project / "rules.yaml"),
            "--db",
            str(project / "mh.db"),
            "--run-id",
            "day-2",
            "--inputs",
            str(project / "day.parquet"),
            "--no-alerts",
            "--junit-xml",
            str(project / "afile" / "results.xml"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "cannot write the JUnit XML file" in err
    assert "Traceback" not in err
