"""CLI polish (issue 16, item 7): JSON errors, quiet libraries, whole help texts."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from modelhealth.cli.app import main
from modelhealth.errors import ExitCode


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["check", "--json", "--rules", "r.yaml"], 2, "Missing option '--run-id'."),
        (
            [
                "check",
                "--json",
                "--rules",
                "nope.yaml",
                "--run-id",
                "r",
                "--inputs",
                "x",
            ],
            2,
            "nope.yaml: file not found",
        ),
        (["alerts", "incidents", "--json", "--db", "{tmp}/none/x.db"], 2, None),
    ],
)
def test_errors_are_json_on_stdout_with_json(tmp_path, capsys, args, code, error):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(args) == code
    captured = capsys.readouterr()
    payload = json.loads(captured.out)
    assert payload["ok"] is False
    assert payload["exit_code"] == code
    assert payload["error"] in captured.err  # and the same on stderr
    if error is not None:
        assert payload["error"] == error


def test_without_json_errors_stay_on_stderr(capsys):
    assert main(["check", "--rules", "r.yaml"]) == ExitCode.USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Missing option '--run-id'" in captured.err


def _logs(*flags: str) -> str:
    code = textwrap.dedent(
        f"""
        import logging
        from modelhealth.cli.app import _configure_logging
        _configure_logging(debug=False, verbose={"--verbose" in flags})
        sdk = logging.getLogger("modelhealth.alerts.slack.sdk")
        sdk.error("Failed to send a request")
        logging.getLogger("urllib3.connectionpool").warning("Retrying")
        logging.getLogger("modelhealth.run.runner").warning("alert delivery failed")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return done.stderr


def test_library_log_lines_only_with_verbose():
    assert _logs() == "WARNING: alert delivery failed\n"
    verbose = _logs("--verbose")
    assert "Failed to send a request" in verbose
    assert "Retrying" in verbose
    assert "modelhealth.run.runner: alert delivery failed" in verbose


def test_help_lists_whole_first_sentences(capsys):
    assert main(["--help"]) == 0
    commands = capsys.readouterr().out.split("Commands:", 1)[1]
    assert "..." not in commands
    assert "metric checks." in commands  # labels: "... re-evaluate its metric checks."
    assert "backfill" in commands


def test_demo_help_names_what_it_writes(capsys):
    assert main(["demo", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for path in ("data/", "rules/churn.yaml", "modelhealth.db", "report.html"):
        assert path in out
    assert "removed first" in out


def test_json_results_are_worst_first(tmp_path, frame, capsys):
    (tmp_path / "r.yaml").write_text(
        "version: 1\nmodel: m\non_missing_reference: skip\nchecks:\n"
        "  - {id: a-ok, kind: volume, min_rows: 1}\n"
        "  - {id: b-small, kind: volume, min_rows: 1000}\n"
        "  - {id: c-drift, kind: drift}\n"
    )
    frame(100).to_parquet(tmp_path / "d.parquet")
    args = ["check", "--rules", str(tmp_path / "r.yaml"), "--run-id", "r", "--json"]
    args += ["--inputs", str(tmp_path / "d.parquet"), "--db", str(tmp_path / "m.db")]
    assert main(args) == ExitCode.CHECKS_FAILED
    report = json.loads(capsys.readouterr().out)
    statuses = [r["status"] for r in report["results"]]
    assert statuses == ["failed", "skipped", "passed"]


def test_demo_in_an_existing_folder_starts_clean(tmp_path, capsys):
    folder = str(tmp_path / "demo")
    assert main(["demo", "--dir", folder, "--days", "2"]) == 0
    first = capsys.readouterr().out
    assert "starting clean" not in first
    assert main(["demo", "--dir", folder, "--days", "2"]) == 0
    again = capsys.readouterr().out
    assert "starting clean: removed the earlier demo's data, report.html, " in again
    assert "modelhealth.db" in again
    assert again.count("2 runs") == first.count("2 runs")  # not 4: a clean store
