"""The post-run hook as a pipeline calls it: ``modelhealth check`` and friends."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from modelhealth.cli.app import main
from modelhealth.errors import ExitCode

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    prediction: {column: score}
    label: {column: churned}
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
      - id: rows
        kind: volume
        min_rows: 10
    alerts:
      - {channel: console, min_severity: critical}
    """
)


@pytest.fixture
def project(tmp_path, frame):
    (tmp_path / "rules.yaml").write_text(RULES)
    frame(2000, seed=1).to_parquet(tmp_path / "train.parquet")
    frame(1000, seed=2).to_parquet(tmp_path / "day1.parquet")
    frame(1000, seed=3, shift=1.5).to_parquet(tmp_path / "drifted.parquet")
    return tmp_path


def cli(project: Path, *args: str) -> int:
    return main(
        [*args, "--db", str(project / "mh.db")] if args[0] != "rules" else list(args)
    )


def count(project: Path, table: str) -> int:
    with sqlite3.connect(project / "mh.db") as con:
        return int(con.execute(f"select count(*) from {table}").fetchone()[0])


def check(
    project: Path, *extra: str, inputs: str = "day1.parquet", run_id: str = "r1"
) -> int:
    return cli(
        project,
        "check",
        "--rules",
        str(project / "rules.yaml"),
        "--run-id",
        run_id,
        "--inputs",
        str(project / inputs),
        *extra,
    )


def test_check_stores_run_results_and_profiles_once(project, capsys):
    assert (
        cli(
            project,
            "baseline",
            "--rules",
            str(project / "rules.yaml"),
            "--data",
            str(project / "train.parquet"),
            "--model-version",
            "v1",
        )
        == 0
    )
    assert "registered baseline 'v1'" in capsys.readouterr().out
    assert check(project) == ExitCode.OK
    out = capsys.readouterr().out
    assert "churn run r1 vs baseline v1: PASSED" in out
    runs, results, profiles = (
        count(project, t) for t in ("runs", "check_results", "column_profiles")
    )
    assert (runs, profiles) == (1, 7 + 7)  # run profile + baseline profile
    assert results >= 3
    assert check(project) == ExitCode.OK
    assert (
        count(project, "runs"),
        count(project, "check_results"),
        count(project, "column_profiles"),
    ) == (runs, results, profiles)


def test_json_report_and_fail_on(project, capsys):
    cli(
        project,
        "baseline",
        "--rules",
        str(project / "rules.yaml"),
        "--data",
        str(project / "train.parquet"),
    )
    capsys.readouterr()
    code = check(project, "--json", inputs="drifted.parquet")
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "failed"
    assert code == ExitCode.CHECKS_FAILED  # the default: FAILED never exits 0
    code = check(project, "--json", "--fail-on", "critical", inputs="drifted.parquet")
    report = json.loads(capsys.readouterr().out)
    assert code == ExitCode.OK  # drift is severity warning; --fail-on critical
    assert report["model"] == "churn"
    assert report["run_id"] == "r1"
    drift = {
        r["subject"]: r for r in report["results"] if r["check_id"] == "feature-drift"
    }
    assert drift["spend"]["status"] == "failed"
    assert drift["spend"]["threshold"] == {"warn": 0.1, "fail": 0.25}
    assert drift["spend"]["value"] > 0.25
    assert {"check_id", "kind", "subject", "status", "value", "threshold"} <= set(
        drift["age"]
    )
    assert (
        check(project, "--fail-on", "warning", "--json", inputs="drifted.parquet")
        == ExitCode.CHECKS_FAILED
    )
    capsys.readouterr()
    assert check(project, "--fail-on", "never", inputs="drifted.parquet") == ExitCode.OK


def test_critical_failure_exits_1_and_alerts_on_console(project, frame, capsys):
    bad = frame(200, seed=4)
    bad.loc[:5, "age"] = 7
    bad.to_parquet(project / "bad.parquet")
    assert check(project, inputs="bad.parquet") == ExitCode.CHECKS_FAILED
    captured = capsys.readouterr()
    assert "FAIL input-schema[age]" in captured.out
    assert "CRITICAL churn run r1" in captured.err  # the console alert


def test_rules_error_exits_2_with_location(project, capsys):
    (project / "bad.yaml").write_text(RULES.replace("warn: 0.1", "wran: 0.1"))
    code = cli(
        project,
        "check",
        "--rules",
        str(project / "bad.yaml"),
        "--run-id",
        "r",
        "--inputs",
        str(project / "day1.parquet"),
    )
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert (
        "bad.yaml:15:17 checks[1].threshold.wran: unknown key; did you mean 'warn'?"
        in err
    )
    assert "Traceback" not in err


def test_rules_validate(project, capsys):
    assert main(["rules", "validate", str(project / "rules.yaml")]) == 0
    assert "ok (model 'churn', 3 checks)" in capsys.readouterr().out
    (project / "bad.yaml").write_text(
        "version: 1\nmodel: churn\nchecks:\n  - {id: x, kind: drfit}\n"
    )
    assert (
        main(
            [
                "rules",
                "validate",
                str(project / "bad.yaml"),
                str(project / "rules.yaml"),
            ]
        )
        == ExitCode.USAGE
    )
    err = capsys.readouterr().err
    assert "unknown check kind 'drfit'; did you mean 'drift'?" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        (b"", "is empty"),
        (b"PAR1 this is not parquet", "is not Parquet"),
        (b"PAR1 corrupt in the middle PAR1", "could not be read as PARQUET"),
    ],
)
def test_unreadable_inputs_exit_3(project, capsys, content, message):
    if content is not None:
        (project / "x.parquet").write_bytes(content)
    assert check(project, inputs="x.parquet") == ExitCode.NOT_CHECKED
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_unknown_file_type_exit_3(project, capsys):
    (project / "x.xlsx").write_text("a")
    assert check(project, inputs="x.xlsx") == ExitCode.NOT_CHECKED
    assert "unknown file type" in capsys.readouterr().err


def test_unreachable_database_spools_the_run_and_exits_by_its_verdict(
    project, capsys, caplog
):
    """Issue 13: the run is kept in the spool, and the pipeline is gated as usual."""
    from modelhealth.run import spool as spooling

    code = main(
        [
            "check",
            "--rules",
            str(project / "rules.yaml"),
            "--run-id",
            "r",
            "--inputs",
            str(project / "day1.parquet"),
            "--db",
            "postgresql+psycopg://nobody:secret@127.0.0.1:1/x",
            "--spool",
            str(project / "spool"),
        ]
    )
    assert code in (ExitCode.OK, ExitCode.CHECKS_FAILED)
    err = capsys.readouterr().err + caplog.text  # the one line is a log warning
    assert "127.0.0.1:1" in err
    assert "spooled to" in err
    assert "secret" not in err
    assert "Traceback" not in err
    [spooled] = spooling.pending(project / "spool")
    assert spooling.read(spooled).report.run_id == "r"


def test_nowhere_to_store_or_spool_exits_3(project, capsys, caplog):
    (project / "spool").write_text("a file where the spool folder should be")
    code = main(
        [
            "check", "--rules", str(project / "rules.yaml"), "--run-id", "r",
            "--inputs", str(project / "day1.parquet"),
            "--db", "postgresql+psycopg://nobody:secret@127.0.0.1:1/x",
            "--spool", str(project / "spool"),
        ]
    )  # fmt: skip
    assert code == ExitCode.NOT_CHECKED
    err = capsys.readouterr().err + caplog.text
    assert "could not spool run 'r'" in err
    assert "secret" not in err


def test_empty_frame_is_checked_not_crashed(project, frame, capsys):
    frame(10).iloc[0:0].to_parquet(project / "empty.parquet")
    cli(
        project,
        "baseline",
        "--rules",
        str(project / "rules.yaml"),
        "--data",
        str(project / "train.parquet"),
    )
    capsys.readouterr()
    code = check(project, "--json", inputs="empty.parquet")
    report = json.loads(capsys.readouterr().out)
    # the warning-severity volume check fails: FAILED, exit 1 by default
    assert code == ExitCode.CHECKS_FAILED
    rows = [r for r in report["results"] if r["check_id"] == "rows"]
    assert rows[0]["status"] == "failed"
    assert count(project, "runs") == 1


def test_nan_and_infinity_and_missing_column(project, frame, capsys):
    df = frame(500, seed=5)
    df["spend"] = df["spend"].astype(float)
    df.loc[:20, "spend"] = np.nan
    df.loc[21:25, "spend"] = np.inf
    df = df.drop(columns=["region"])
    df.to_parquet(project / "odd.parquet")
    cli(
        project,
        "baseline",
        "--rules",
        str(project / "rules.yaml"),
        "--data",
        str(project / "train.parquet"),
    )
    capsys.readouterr()
    check(project, "--json", inputs="odd.parquet")
    report = json.loads(capsys.readouterr().out)
    drift = {
        r["subject"]: r for r in report["results"] if r["check_id"] == "feature-drift"
    }
    assert drift["region"]["status"] == "errored"
    assert "missing from the run" in drift["region"]["message"]
    assert drift["spend"]["status"] in {"passed", "warned", "failed"}
    assert count(project, "runs") == 1


def test_predictions_and_labels_files_are_joined(project, frame, capsys):
    df = frame(800, seed=6)
    df.drop(columns=["score", "churned"]).to_csv(project / "in.csv", index=False)
    df[["score"]].to_csv(project / "pred.csv", index=False)
    df[["churned"]].to_parquet(project / "labels.parquet")
    code = check(
        project,
        "--json",
        "--predictions",
        str(project / "pred.csv"),
        "--labels",
        str(project / "labels.parquet"),
        "--fail-on",
        "critical",  # no baseline: the drift check is errored
        inputs="in.csv",
    )
    assert code == ExitCode.OK
    report = json.loads(capsys.readouterr().out)
    assert report["row_count"] == 800
    df[["score"]].iloc[:10].to_csv(project / "short.csv", index=False)
    assert (
        check(project, "--predictions", str(project / "short.csv"), inputs="in.csv")
        == ExitCode.NOT_CHECKED
    )
    assert "predictions have 10 rows but the inputs have 800" in capsys.readouterr().err


def test_bad_metrics_file(project, capsys):
    (project / "m.json").write_text('{"roc_auc": "high"}')
    code = cli(
        project,
        "baseline",
        "--rules",
        str(project / "rules.yaml"),
        "--data",
        str(project / "train.parquet"),
        "--metrics",
        str(project / "m.json"),
    )
    assert code == ExitCode.USAGE  # an argument of the command is wrong
    assert "metric 'roc_auc' must be a finite number" in capsys.readouterr().err


def test_bad_fail_on_is_usage(project, capsys):
    assert check(project, "--fail-on", "sometimes") == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "Invalid value for '--fail-on'" in err
    assert "'critical', 'warning', 'info', 'never'" in err


def test_help_is_fast_to_import():
    """--help must not pay for pandas, SQLAlchemy, pandera or the heavy libraries."""
    code = (
        "import sys\nfrom modelhealth.cli.app import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "names = ('pandas', 'sqlalchemy', 'pandera', 'great_expectations',"
        " 'evidently')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "HEAVY []" in out
    assert "check" in out
    assert "baseline" in out


def test_python_dash_m_monitor():
    proc = subprocess.run(
        [sys.executable, "-m", "modelhealth", "--version"],
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("modelhealth ")


def test_status_lists_models_and_history(project, capsys):
    check(project)
    capsys.readouterr()
    assert cli(project, "status") == 0
    assert "churn" in capsys.readouterr().out
    assert cli(project, "status", "--model", "churn") == 0
    assert "r1" in capsys.readouterr().out
