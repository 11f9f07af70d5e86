"""Exit codes that tell the truth (issue 16, item 1): docs/cli.md's table, row by row.

Each row of the table is exercised by a real ``modelhealth`` call on real files and
a real SQLite store; the table must list exactly the codes of ``ExitCode``.
"""

from __future__ import annotations

import re
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest

from modelhealth.checks.base import CheckResult, Status
from modelhealth.cli.app import main
from modelhealth.errors import ExitCode
from modelhealth.report import RunReport
from modelhealth.rules.models import Severity

DOCS = Path(__file__).resolve().parents[3] / "docs" / "cli.md"

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    prediction: {column: score}
    label: {column: churned}
    checks:
      - id: feature-drift
        kind: drift
        columns: [spend, age]
        severity: critical
        threshold: {warn: 0.1, fail: 0.25}
      - id: rows
        kind: volume
        min_rows: 600
    alerts:
      - {channel: console, min_severity: critical}
    """
)


def exit_table() -> dict[int, str]:
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d) \| (.+) \|$", section, flags=re.MULTILINE)
    return {int(code): meaning for code, meaning in rows}


@pytest.fixture
def project(tmp_path, frame):
    (tmp_path / "rules.yaml").write_text(RULES)
    frame(2000, seed=1).to_parquet(tmp_path / "train.parquet")
    frame(1000, seed=2).to_parquet(tmp_path / "good.parquet")
    frame(500, seed=3).to_parquet(tmp_path / "small.parquet")
    return tmp_path


def cli(project: Path, *args: str) -> int:
    return main([*args, "--db", str(project / "mh.db")])


def baseline(project: Path) -> None:
    rules, data = str(project / "rules.yaml"), str(project / "train.parquet")
    assert cli(project, "baseline", "--rules", rules, "--data", data) == 0


def check(project: Path, inputs: str, *extra: str) -> int:
    return cli(
        project,
        "check",
        "--rules",
        str(project / "rules.yaml"),
        "--run-id",
        inputs,
        "--inputs",
        str(project / inputs),
        *extra,
    )


def test_the_table_lists_every_exit_code():
    assert sorted(exit_table()) == sorted(int(c) for c in ExitCode)


def test_row_0_nothing_failed(project, capsys):
    assert "nothing at or above `--fail-on` failed" in exit_table()[0]
    baseline(project)
    assert check(project, "good.parquet") == ExitCode.OK
    assert ": PASSED" in capsys.readouterr().out


def test_row_1_a_failed_headline_exits_1_with_the_defaults(project, capsys):
    """The volume check is of the default severity (warning): FAILED is never 0."""
    assert "headline is `FAILED`" in exit_table()[1]
    baseline(project)
    assert check(project, "small.parquet") == ExitCode.CHECKS_FAILED
    assert ": FAILED" in capsys.readouterr().out
    assert check(project, "small.parquet", "--fail-on", "critical") == ExitCode.OK


def test_row_1_a_missing_reference_is_an_error_by_default(project, capsys):
    assert "needs a reference while none is registered" in exit_table()[1]
    assert check(project, "good.parquet") == ExitCode.CHECKS_FAILED
    out = capsys.readouterr().out
    assert ": ERRORED" in out
    assert "ERR  feature-drift" in out
    assert "register one with 'modelhealth baseline'" in out


@pytest.mark.parametrize(
    ("policy", "code", "headline"),
    [
        ("skip", ExitCode.OK, "PASSED"),
        ("warn", ExitCode.OK, "WARNED"),
        ("fail", ExitCode.CHECKS_FAILED, "ERRORED"),
    ],
)
def test_on_missing_reference_says_what_a_missing_reference_is(
    project, capsys, policy, code, headline
):
    rules = project / "rules.yaml"
    rules.write_text(
        RULES.replace("checks:\n", f"on_missing_reference: {policy}\nchecks:\n")
    )
    assert check(project, "good.parquet") == code
    assert f": {headline}" in capsys.readouterr().out


def test_a_check_overrides_the_files_on_missing_reference(project, capsys):
    rules = project / "rules.yaml"
    rules.write_text(
        RULES.replace("checks:\n", "on_missing_reference: skip\nchecks:\n").replace(
            "severity: critical\n",
            "severity: critical\n    on_missing_reference: fail\n",
        )
    )
    assert check(project, "good.parquet") == ExitCode.CHECKS_FAILED


def test_row_2_a_wrong_command_or_rules_file(project, capsys):
    assert "the command line or the rules file is wrong" in exit_table()[2]
    assert cli(project, "check", "--rules", str(project / "rules.yaml")) == 2
    (project / "rules.yaml").write_text(RULES + "zzz: 1\n")
    assert check(project, "good.parquet") == ExitCode.USAGE
    assert "zzz: unknown key" in capsys.readouterr().err


def test_row_2_a_missing_metrics_file(project, capsys):
    assert "`--metrics`" in exit_table()[2]
    code = cli(
        project,
        "baseline",
        "--rules",
        str(project / "rules.yaml"),
        "--data",
        str(project / "train.parquet"),
        "--metrics",
        str(project / "nope.json"),
    )
    assert code == ExitCode.USAGE
    assert '{"roc_auc": 0.81}' in capsys.readouterr().err


def test_row_3_the_run_could_not_be_checked(project, capsys):
    assert "the run could not be checked" in exit_table()[3]
    assert check(project, "missing.parquet") == ExitCode.NOT_CHECKED
    assert "does not exist" in capsys.readouterr().err


def _result(status: Status) -> CheckResult:
    return CheckResult(
        check_id=f"c-{status.value}",
        kind="volume",
        subject=None,
        status=status,
        severity=Severity.WARNING,
    )


def test_the_headline_is_skipped_only_when_nothing_was_graded():
    at = datetime(2026, 11, 25, tzinfo=timezone.utc)

    def report(*statuses: Status) -> RunReport:
        results = tuple(_result(s) for s in statuses)
        return RunReport("m", "r", results, {}, 10, at, at)

    assert report(*[Status.PASSED] * 10, Status.SKIPPED).status is Status.PASSED
    assert report(Status.SKIPPED, Status.WARNED).status is Status.WARNED
    assert report(Status.SKIPPED, Status.SKIPPED).status is Status.SKIPPED
    assert report().status is Status.PASSED
    assert report(Status.FAILED).failed() != []  # the default fail_on is "any"
