"""The package's public names, and the real kind tables on the example files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import modelhealth.checks.registry
import modelhealth.rules.errors
import modelhealth.rules.loader
import modelhealth.rules.models
from modelhealth import rules

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_all_is_the_public_api():
    assert sorted(rules.__all__) == [
        "ChannelParams",
        "CheckParams",
        "Problem",
        "RuleSet",
        "RulesError",
        "Severity",
        "Threshold",
        "load",
        "loads",
        "parse_duration",
    ]
    for name in rules.__all__:
        assert hasattr(rules, name), name


@pytest.mark.parametrize(
    "module",
    [
        "modelhealth.rules.errors",
        "modelhealth.rules.loader",
        "modelhealth.rules.parse",
        "modelhealth.rules.extends",
        "modelhealth.rules.interpolate",
        "modelhealth.rules.messages",
        "modelhealth.rules.crosscheck",
        "modelhealth.rules.cron",
        "modelhealth.rules.durations",
        "modelhealth.rules.models",
    ],
)
def test_every_module_declares_all(module):
    mod = __import__(module, fromlist=["__all__"])
    assert mod.__doc__
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.{name}"


def test_problem_formats():
    assert str(rules.Problem("a.yaml", 3, 7, "x.y", "bad", "fix it")) == (
        "a.yaml:3:7 x.y: bad\n  hint: fix it"
    )
    assert (
        str(rules.Problem("a.yaml", 0, 0, "", "file not found"))
        == "a.yaml: file not found"
    )
    assert (
        rules.errors.format_path(("checks", 2, "threshold", "fial"))
        == "checks[2].threshold.fial"
    )
    assert rules.errors.format_path(()) == ""


def test_rules_error_sorts_and_dedups():
    b = rules.Problem("a.yaml", 9, 1, "b", "late")
    a = rules.Problem("a.yaml", 2, 5, "a", "early")
    err = rules.RulesError([b, a, b])
    assert err.problems == [a, b]
    assert str(err) == "a.yaml:2:5 a: early\na.yaml:9:1 b: late"


def test_examples_with_the_real_tables(tmp_path):
    try:
        import modelhealth.alerts.registry

        channel_kinds = modelhealth.alerts.registry.params_types()
    except ImportError as exc:
        pytest.skip(f"alert channels not importable yet: {exc}")
    for name in ("rules.yaml", "base.yaml"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    rule_set = rules.load(
        tmp_path / "rules.yaml",
        check_kinds=modelhealth.checks.registry.params_types(),
        channel_kinds=channel_kinds,
        env={},
    )
    assert rule_set.model == "churn"
    assert [c.kind for c in rule_set.checks] == [
        "volume",
        "schema",
        "drift",
        "drift",
        "expectations",
        "prediction",
        "metric",
        "metric",
        "metric",
        "freshness",
        "quality",
        "multivariate_drift",
        "estimated_metric",
        "skew",
    ]
    assert rule_set.source_file == str(tmp_path / "rules.yaml")


def test_real_tables_report_kind_keys():
    text = "version: 1\nmodel: m\nchecks:\n  - {id: v, kind: volume, min_row: 1}\n"
    with pytest.raises(rules.RulesError) as info:
        rules.loads(
            text,
            source="m.yaml",
            check_kinds=modelhealth.checks.registry.params_types(),
            channel_kinds={},
        )
    assert str(info.value) == (
        "m.yaml:4:27 checks[0].min_row: unknown key; did you mean 'min_rows'?"
    )
    text = "version: 1\nmodel: m\nchecks:\n  - {id: v, kind: volume}\n"
    with pytest.raises(rules.RulesError) as info:
        rules.loads(
            text,
            source="m.yaml",
            check_kinds=modelhealth.checks.registry.params_types(),
            channel_kinds={},
        )
    assert (
        str(info.value)
        == "m.yaml:4:5 checks[0]: volume needs min_rows, max_rows, max_change or "
        "threshold.history"
    )
