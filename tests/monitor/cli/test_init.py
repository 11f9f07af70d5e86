"""``modelhealth init --data FILE`` and ``rules show`` (issue 16, item 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from modelhealth.cli.app import main
from modelhealth.config import load_rules
from modelhealth.errors import ExitCode


def test_init_infers_a_binary_classifier(tmp_path, frame, capsys):
    df = frame(500).rename(columns={"churned": "label"})
    df.insert(0, "customer_id", [f"c{i:05d}" for i in range(len(df))])
    df.to_parquet(tmp_path / "train.parquet")
    out = tmp_path / "rules" / "churn.yaml"
    args = ["init", "--data", str(tmp_path / "train.parquet"), "--model", "churn"]
    assert main([*args, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"wrote {out}: model 'churn', 6 checks")
    rule_set = load_rules(out)
    assert rule_set.prediction is not None
    assert (rule_set.prediction.column, rule_set.prediction.task) == (
        "score",
        "binary_classification",
    )
    assert rule_set.label is not None
    assert rule_set.label.column == "label"
    kinds = [c.kind for c in rule_set.checks]
    assert kinds == ["schema", "quality", "drift", "volume", "prediction", "metric"]
    doc = yaml.safe_load(out.read_text())
    columns = doc["checks"][0]["columns"]
    assert columns["age"]["dtype"] == "int64"
    assert columns["age"]["checks"] == {
        "ge": int(df["age"].min()),
        "le": int(df["age"].max()),
    }
    assert columns["plan"]["isin"] == ["basic", "enterprise", "pro"]
    assert columns["customer_id"] == {"dtype": "str", "nullable": False, "unique": True}
    assert "customer_id" in doc["checks"][2]["exclude"]  # drift leaves ids out
    assert doc["checks"][3]["min_rows"] == 250
    assert doc["checks"][5]["metric"] == "roc_auc"
    # it does not overwrite without --force
    assert main([*args, "--out", str(out)]) == ExitCode.USAGE
    assert "exists; use --force" in capsys.readouterr().err
    assert main([*args, "--out", str(out), "--force"]) == 0


@pytest.mark.parametrize(
    ("prediction", "label", "task", "metric"),
    [
        (np.linspace(1, 90, 300), np.linspace(2, 95, 300), "regression", "mae"),
        (
            np.array(["a", "b", "c"] * 100),
            np.array(["a", "c", "b"] * 100),
            "multiclass_classification",
            "accuracy",
        ),
    ],
)
def test_init_infers_the_task(tmp_path, capsys, prediction, label, task, metric):
    when = pd.date_range("2026-01-01", periods=300, freq="h", tz="UTC")
    df = pd.DataFrame({"x": np.arange(300.0), "at": when})
    df["prediction"], df["target"] = prediction, label
    df.to_csv(tmp_path / "d.csv", index=False)
    df.to_parquet(tmp_path / "d.parquet")
    out = tmp_path / "m.yaml"
    assert main(["init", "--data", str(tmp_path / "d.parquet"), "--out", str(out)]) == 0
    rule_set = load_rules(out)
    assert rule_set.model == "d"
    assert rule_set.prediction is not None
    assert rule_set.prediction.task == task
    assert rule_set.checks[-1].metric == metric  # type: ignore[attr-defined]
    text = out.read_text()
    assert "dtype: datetime64[ns, UTC]" in text or "datetime64[ns, UTC]" in text


def test_init_of_a_missing_file_says_so(tmp_path, capsys):
    args = [
        "init",
        "--data",
        str(tmp_path / "no.parquet"),
        "--out",
        str(tmp_path / "x"),
    ]
    assert main(args) == ExitCode.NOT_CHECKED
    assert "does not exist" in capsys.readouterr().err


def test_rules_show_prints_the_merged_file(tmp_path, capsys):
    (tmp_path / "base.yaml").write_text(
        "version: 1\nmodel: base\nchecks:\n  - {id: rows, kind: volume, min_rows: 5}\n"
    )
    (tmp_path / "m.yaml").write_text(
        "version: 1\nmodel: m\nextends: base.yaml\nchecks:\n"
        "  - {id: rows, kind: volume, min_rows: 50}\n  - {id: d, kind: drift}\n"
    )
    assert main(["rules", "show", str(tmp_path / "m.yaml")]) == 0
    out = capsys.readouterr().out
    shown = yaml.safe_load(out)
    assert shown["model"] == "m"
    assert shown["checks"] == [
        {"id": "rows", "kind": "volume", "min_rows": 50},
        {"id": "d", "kind": "drift"},
    ]
    assert out.startswith(f"# {tmp_path / 'm.yaml'}, with extends merged\n")
