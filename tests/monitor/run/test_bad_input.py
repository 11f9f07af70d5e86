"""Bad input at the post-run hook: each a clear message, the documented exit code."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import modelhealth
from modelhealth.cli.app import main
from modelhealth.config import load_rules
from modelhealth.engine.inputs import load_frame
from modelhealth.errors import DataError, ExitCode

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    prediction: {column: score}
    label: {column: churned, key: customer_id}
    reference: {baseline: REF}
    checks:
      - {id: drift, kind: drift, columns: [spend]}
      - {id: rows, kind: volume, min_rows: 1000000}
    alerts:
      - {channel: console, stream: stdout}
    """
)


class Project(type(Path())):  # type: ignore[misc]
    """tmp_path that can also write the rules file with a given reference."""

    def write(self, reference: str = "latest") -> str:
        (self / "rules.yaml").write_text(RULES.replace("REF", reference))
        return str(self / "rules.yaml")


@pytest.fixture
def project(tmp_path, frame):
    df = frame(300, seed=1)
    df["customer_id"] = [f"c{i}" for i in range(len(df))]
    df.to_parquet(tmp_path / "run.parquet")
    df.drop(columns=["score"]).to_parquet(tmp_path / "inputs.parquet")
    return Project(tmp_path)


def run(project, *args: str, reference: str = "latest") -> int:
    rules = project.write(reference)
    return main(
        [
            "check",
            "--rules",
            rules,
            "--run-id",
            "r1",
            "--db",
            str(project / "m.db"),
            *args,
        ]
    )


def test_json_stays_json_when_a_console_route_writes_to_stdout(project, capsys):
    code = run(
        project,
        "--inputs",
        str(project / "run.parquet"),
        "--json",
        "--fail-on",
        "never",
    )
    assert code == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["run_id"] == "r1"
    assert "churn run r1" in captured.err  # the alert went to stderr instead


def test_a_named_baseline_that_does_not_exist_is_an_error(project, capsys):
    modelhealth.register_baseline(
        rules=project.write(),
        data=project / "run.parquet",
        model_version="v1",
        db=str(project / "m.db"),
    )
    code = run(project, "--inputs", str(project / "run.parquet"), reference="v9")
    assert code == ExitCode.NOT_CHECKED
    err = capsys.readouterr().err
    assert "model 'churn' has no baseline 'v9'" in err
    assert "registered: v1" in err


def test_predictions_file_wins_and_is_joined_on_the_key(project, capsys):
    preds = pd.read_parquet(project / "run.parquet")[["customer_id", "score"]]
    preds["score"] = 0.99
    preds.sample(frac=1, random_state=1).to_csv(project / "p.csv", index=False)
    frame = load_frame(
        load_rules(project.write()),
        project / "run.parquet",
        project / "p.csv",
    )
    assert (frame["score"] == 0.99).all()
    assert len(frame) == 300


def test_repeated_keys_in_predictions(project, capsys):
    preds = pd.read_parquet(project / "run.parquet")[["customer_id", "score"]]
    pd.concat([preds, preds.head(3)]).to_csv(project / "p.csv", index=False)
    code = run(
        project,
        "--inputs",
        str(project / "inputs.parquet"),
        "--predictions",
        str(project / "p.csv"),
    )
    assert code == ExitCode.NOT_CHECKED
    assert (
        "repeat values of the key column 'customer_id' (3 rows"
        in capsys.readouterr().err
    )


def test_rows_without_a_prediction(project, capsys):
    preds = pd.read_parquet(project / "run.parquet")[["customer_id", "score"]]
    preds.head(100).to_csv(project / "p.csv", index=False)
    code = run(
        project,
        "--inputs",
        str(project / "inputs.parquet"),
        "--predictions",
        str(project / "p.csv"),
    )
    assert code == ExitCode.NOT_CHECKED
    assert "200 of 300 input rows have no prediction" in capsys.readouterr().err


def test_empty_parquet_folder(project, capsys):
    (project / "empty").mkdir()
    assert run(project, "--inputs", str(project / "empty")) == ExitCode.NOT_CHECKED
    assert "holds no Parquet or CSV files" in capsys.readouterr().err


def test_repeated_column_names(project):
    df = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(DataError, match="repeated column names: 'a'"):
        modelhealth.check_run(
            rules=project.write(), run_id="r", inputs=df, db=str(project / "m.db")
        )


def test_metrics_path_is_a_folder(project, capsys):
    code = main(
        [
            "baseline",
            "--rules",
            project.write(),
            "--data",
            str(project / "run.parquet"),
            "--metrics",
            str(project),
            "--db",
            str(project / "m.db"),
        ]
    )
    assert code == ExitCode.USAGE  # an argument of the command (issue 16)
    err = capsys.readouterr().err
    assert "is not readable" in err
    assert "Traceback" not in err


def test_status_limit_must_be_positive(project, capsys):
    assert (
        main(["status", "--limit", "0", "--db", str(project / "m.db")])
        == ExitCode.USAGE
    )


def test_reading_commands_do_not_create_a_store_at_a_mistyped_path(project, capsys):
    missing = project / "typo" / "m.db"
    assert main(["status", "--db", str(missing)]) == ExitCode.USAGE
    assert main(["alerts", "pending", "--db", str(missing)]) == ExitCode.USAGE
    assert "there is no store at" in capsys.readouterr().err
    assert not missing.parent.exists()


def test_control_characters_in_a_model_version(project, capsys):
    code = run(
        project, "--inputs", str(project / "run.parquet"), "--model-version", "v\n1"
    )
    assert code == ExitCode.USAGE
    assert "must not hold control characters" in capsys.readouterr().err
