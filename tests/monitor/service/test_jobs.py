"""Freshness and delayed labels, run by the real scheduler with short intervals."""

from __future__ import annotations

from pathlib import Path

import pytest

import modelhealth
from modelhealth.service.rulesdir import RulesDir
from tests.monitor.service.conftest import wait_until, write_rules

FRESHNESS = "schedule: {expect_every: 1s}\n"


def _verdicts(store, model: str) -> list[str]:
    return [r.status for r in store.runs(model) if r.run_id.startswith("freshness@")][
        ::-1
    ]


def test_freshness_fails_alerts_and_resolves(
    rules_dir: Path, store, start, frame, capsys
) -> None:
    path = write_rules(rules_dir, "churn", FRESHNESS)
    modelhealth.check_run(rules=path, run_id="r1", inputs=frame(n=20), db=store)
    start(RulesDir([rules_dir]))
    wait_until(lambda: _verdicts(store, "churn") == ["failed"], what="overdue")
    verdict = store.runs("churn")[0]
    assert verdict.source == "scheduler"
    assert verdict.row_count == 0
    run = store.run("churn", verdict.run_id)
    assert run is not None
    (result,) = run.results
    assert (result.check_id, result.kind, result.subject) == (
        "freshness",
        "freshness",
        None,
    )
    assert "one is expected every 1s" in result.message
    (incident,) = store.incidents("churn", status="open")
    assert incident.check_id == "freshness"
    # the console alert: delivered just after the verdict is stored
    printed: list[str] = []

    def alerted() -> bool:
        printed.append(capsys.readouterr().err)
        return "freshness" in "".join(printed)

    wait_until(alerted, what="the console alert")

    modelhealth.check_run(rules=path, run_id="r2", inputs=frame(n=20), db=store)
    wait_until(
        lambda: (
            _verdicts(store, "churn")[-1:] == ["passed"]
            or len(_verdicts(store, "churn")) > 2
        ),
        what="fresh again",
    )
    assert _verdicts(store, "churn")[:2] == ["failed", "passed"]
    assert store.incidents("churn", status="resolved")[0].check_id == "freshness"


LABELLED = """\
version: 1
model: churn
prediction: {{column: score}}
label: {{column: churned, key: customer_id, delay: 1s}}
reference: {{window: {{last_runs: 3}}}}
sources: {{labels: '{root}/labels-{{run_id}}.csv'}}
checks:
  - {{id: live-auc, kind: metric, metric: roc_auc, min: 0.1}}
"""


def test_delayed_labels_are_attached_when_due(
    tmp_path: Path, rules_dir: Path, store, start, frame, caplog
) -> None:
    caplog.set_level("INFO", logger="modelhealth")
    pytest.importorskip(
        "modelhealth.run.labels", reason="modelhealth.run.labels is not there yet"
    )
    path = rules_dir / "churn.yaml"
    path.write_text(LABELLED.format(root=tmp_path))
    data = frame(n=60)
    data["customer_id"] = [f"c{i}" for i in range(60)]
    labels = data[["customer_id", "churned"]]
    modelhealth.check_run(
        rules=path, run_id="r1", inputs=data.drop(columns="churned"), db=store
    )
    (before,) = store.run("churn", "r1").results
    assert before.status == "skipped"
    labels.to_csv(tmp_path / "labels-r1.csv", index=False)
    start(RulesDir([rules_dir]))

    def attached() -> bool:
        run = store.run("churn", "r1")
        return run is not None and run.results[0].status != "skipped"

    wait_until(attached, timeout=40, what="labels attached")
    (after,) = store.run("churn", "r1").results
    assert after.check_id == "live-auc"
    assert after.status == "passed"
    assert after.value is not None


def test_the_scheduler_waits_for_labels_of_enabled_metric_checks_only(
    tmp_path: Path,
) -> None:
    """Issue 9: the scheduler's copy of the stage filter counted disabled checks."""
    from modelhealth.checks.metric import metric_checks
    from modelhealth.config import load_rules
    from modelhealth.service import jobs

    path = tmp_path / "churn.yaml"
    path.write_text(
        LABELLED.format(root=tmp_path).replace("min: 0.1}", "min: 0.1, enabled: false}")
        + "  - {id: gate-auc, kind: metric, metric: roc_auc, min: 0.1, stage: both}\n"
        + "  - {id: pre-auc, kind: metric, metric: roc_auc, min: 0.1, "
        "stage: pre_deployment}\n"
    )
    rule_set = load_rules(path)
    assert jobs._post_deployment_ids(rule_set) == {"gate-auc"}
    assert [c.id for c in metric_checks(rule_set, "pre_deployment")] == [
        "gate-auc",
        "pre-auc",
    ]
