"""Each key is validated by its model; every mistake is one exact line."""

from __future__ import annotations

import pytest

from modelhealth import rules
from modelhealth.rules import Severity
from tests.rules.kinds import DriftParams, SlackParams, VolumeParams, error, parse

HEAD = "version: 1\nmodel: churn\n"


def test_valid_file_gives_typed_checks_and_alerts():
    rule_set = parse(
        HEAD
        + """\
        checks:
          - {id: feature-drift, kind: drift, columns: [age], severity: critical}
        alerts:
          - {channel: slack, to: "#ml-oncall"}
        """.replace("        ", "")
    )
    check = rule_set.check("feature-drift")
    assert isinstance(check, DriftParams)
    assert check.columns == ["age"]
    assert check.severity is Severity.CRITICAL
    assert isinstance(rule_set.alerts[0], SlackParams)
    assert rule_set.source_file == "rules/churn.yaml"
    dumped = rule_set.model_dump()
    assert dumped["checks"][0]["columns"] == ["age"]  # subclass keys are dumped too
    assert dumped["alerts"][0]["to"] == "#ml-oncall"


def test_unknown_key_with_suggestion():
    text = HEAD + (
        "description: the spec's own example\n"
        "checks:\n"
        "  - id: a\n    kind: volume\n    min_rows: 1\n"
        "  - id: b\n    kind: volume\n    min_rows: 1\n"
        "  - id: c\n    kind: drift\n    threshold:\n      fial: 0.2\n"
    )
    assert error(text) == (
        "rules/churn.yaml:14:7 checks[2].threshold.fial: unknown key;"
        " did you mean 'fail'?"
    )


def test_unknown_key_without_suggestion_lists_known_keys():
    assert error(HEAD + "zzz: 1\n") == (
        "rules/churn.yaml:3:1 zzz: unknown key; known keys: alerts, checks,"
        " description, engine, extends, label, maintenance, model,"
        " on_missing_reference,"
        " prediction, reference, schedule,"
        " sources, version"
    )


def test_unknown_top_level_key_may_suggest_extends():
    assert error(HEAD + "extend: base.yaml\n") == (
        "rules/churn.yaml:3:1 extend: unknown key; did you mean 'extends'?"
    )


def test_wrong_type():
    assert error(HEAD + "checks:\n  - {id: v, kind: volume, min_rows: abc}\n") == (
        "rules/churn.yaml:4:37 checks[0].min_rows: expected an integer, got 'abc'"
    )


def test_wrong_type_number_and_bool_and_mapping():
    text = HEAD + (
        "prediction: {column: score, decision_threshold: high}\n"
        "label: [churned]\n"
        "checks:\n  - {id: d, kind: drift, enabled: maybe}\n"
    )
    assert error(text) == (
        "rules/churn.yaml:3:49 prediction.decision_threshold: expected a number,"
        " got 'high'\n"
        "rules/churn.yaml:4:8 label: expected a mapping, got a list\n"
        "rules/churn.yaml:6:35 checks[0].enabled: expected true or false, got 'maybe'"
    )


def test_missing_required_key_points_at_the_parent_mapping():
    text = HEAD + "alerts:\n  - channel: slack\n    min_severity: critical\n"
    assert error(text) == "rules/churn.yaml:4:5 alerts[0].to: required key is missing"


def test_missing_top_level_keys():
    assert error("description: x\n") == (
        "rules/churn.yaml:1:1 model: required key is missing\n"
        "rules/churn.yaml:1:1 version: required key is missing"
    )


def test_literal_and_enum_choices():
    text = (
        "version: 2\nmodel: churn\n"
        "checks:\n  - {id: d, kind: drift, method: pzi, severity: urgent}\n"
    )
    assert error(text) == (
        "rules/churn.yaml:1:10 version: must be 1, got 2\n"
        "rules/churn.yaml:4:34 checks[0].method: must be one of: psi, ks, wasserstein;"
        " got 'pzi'; did you mean 'psi'?\n"
        "rules/churn.yaml:4:49 checks[0].severity: must be one of: info, warning,"
        " critical; got 'urgent'"
    )


def test_union_is_one_problem():
    assert error(HEAD + "checks:\n  - {id: d, kind: drift, columns: abc}\n") == (
        "rules/churn.yaml:4:35 checks[0].columns: expected '*' or a list, got 'abc'"
    )


def test_union_member_errors_when_the_shape_matches():
    assert error(HEAD + "checks:\n  - {id: d, kind: drift, columns: [age, 3]}\n") == (
        "rules/churn.yaml:4:41 checks[0].columns[1]: expected a string, got 3"
    )


def test_scalar_union_and_dict_values():
    text = HEAD + (
        "checks:\n  - id: s\n    kind: schema\n    columns:\n"
        "      plan: {isin: [{a: 1}], nulable: true}\n"
    )
    assert error(text) == (
        "rules/churn.yaml:7:21 checks[0].columns.plan.isin[0]: expected a string,"
        " a number or a boolean, got a mapping\n"
        "rules/churn.yaml:7:30 checks[0].columns.plan.nulable: unknown key;"
        " did you mean 'nullable'?"
    )


def test_model_validator_message_and_bounds():
    text = HEAD + "reference: {}\ncheck: 1\nchecks:\n  - {id: '', kind: volume}\n"
    assert error(text) == (
        "rules/churn.yaml:3:12 reference: reference needs exactly one of baseline or"
        " window\n"
        "rules/churn.yaml:4:1 check: unknown key; did you mean 'checks'?\n"
        "rules/churn.yaml:6:10 checks[0].id: must not be empty"
    )


def test_pattern_and_range_messages():
    text = "version: 1\nmodel: 'churn model'\nreference: {window: {last_runs: 0}}\n"
    assert error(text) == (
        "rules/churn.yaml:2:8 model: must match ^[A-Za-z0-9_.-]+$, got 'churn model'\n"
        "rules/churn.yaml:3:33 reference.window.last_runs: must be at least 1, got 0"
    )


def test_unknown_check_kind_with_suggestion():
    assert error(
        HEAD + "checks:\n  - {id: a, kind: volume, min_rows: 1}\n"
        "  - {id: b, kind: drfit}\n"
    ) == (
        "rules/churn.yaml:5:19 checks[1].kind: unknown check kind 'drfit';"
        " did you mean 'drift'? known: drift, schema, volume"
    )


def test_unknown_check_kind_without_suggestion():
    assert error(HEAD + "checks:\n  - {id: b, kind: 7}\n") == (
        "rules/churn.yaml:4:19 checks[0].kind: unknown check kind 7;"
        " known: drift, schema, volume"
    )


def test_missing_kind_and_non_mapping_entry():
    assert error(HEAD + "checks:\n  - {id: b}\n  - just-a-name\n") == (
        "rules/churn.yaml:4:5 checks[0].kind: required key is missing\n"
        "  hint: kind is one of: drift, schema, volume\n"
        "rules/churn.yaml:5:5 checks[1]: expected a mapping, got 'just-a-name'"
    )


def test_unknown_channel():
    assert error(
        HEAD + "alerts:\n  - {channel: slak, to: x}\n  - {channel: pager}\n"
    ) == (
        "rules/churn.yaml:4:15 alerts[0].channel: unknown channel 'slak';"
        " did you mean 'slack'? known: console, slack\n"
        "rules/churn.yaml:5:15 alerts[1].channel: unknown channel 'pager';"
        " known: console, slack"
    )


def test_checks_must_be_a_list():
    assert error(HEAD + "checks: {id: a}\n") == (
        "rules/churn.yaml:3:9 checks: expected a list, got a mapping"
    )


def test_source_file_is_not_a_user_key():
    assert error(HEAD + "source_file: x.yaml\n") == (
        "rules/churn.yaml:3:1 source_file: unknown key; it is set by the loader"
    )


def test_yaml_syntax_error():
    assert error(HEAD + "checks:\n  - id: a\n   kind: drift\n") == (
        "rules/churn.yaml:5:4: invalid YAML: did not find expected '-' indicator\n"
        "  hint: while parsing a block collection at line 4"
    )


def test_yaml_syntax_error_with_context():
    assert error(HEAD + "prediction: {column: score\n") == (
        "rules/churn.yaml:4:1: invalid YAML: did not find expected ',' or '}'\n"
        "  hint: while parsing a flow mapping at line 3"
    )


def test_yaml_reader_error():
    assert error(HEAD + "description: \x07\n") == (
        "rules/churn.yaml:3:14: invalid YAML: unacceptable character #x0007:"
        " control characters are not allowed"
    )


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_empty_file(text):
    assert error(text) == (
        "rules/churn.yaml:1:1: the file is empty\n"
        "  hint: a rules file needs at least 'version: 1' and 'model: <name>'"
    )


@pytest.mark.parametrize(
    ("text", "got"), [("- a\n", "a list"), ("just text\n", "'just text'")]
)
def test_top_level_must_be_a_mapping(text, got):
    assert error(text) == (
        f"rules/churn.yaml:1:1: the top level must be a mapping of keys, got {got}"
    )


def test_duplicate_and_complex_keys():
    assert error(HEAD + "model: again\n? [a]\n: 1\n") == (
        "rules/churn.yaml:3:1 model: duplicate key; first given at line 2\n"
        "rules/churn.yaml:4:3: keys must be plain text, not a list or mapping"
    )


def test_every_problem_at_once_sorted_by_line():
    text = (
        "version: 1\n"
        "model: churn\n"
        "alerts:\n"
        "  - {channel: slack}\n"
        "checks:\n"
        "  - {id: a, kind: volume, min_rows: -1}\n"
        "  - {id: b, kind: drift, threshold: {fial: 1}}\n"
        "schedule: {cron: '* * *'}\n"
    )
    assert error(text) == (
        "rules/churn.yaml:4:5 alerts[0].to: required key is missing\n"
        "rules/churn.yaml:6:37 checks[0].min_rows: must be at least 0, got -1\n"
        "rules/churn.yaml:7:38 checks[1].threshold.fial: unknown key;"
        " did you mean 'fail'?\n"
        "rules/churn.yaml:8:18 schedule.cron: invalid cron expression '* * *':"
        " expected 5 fields (minute hour day-of-month month day-of-week), got 3"
    )


def test_yaml_12_booleans_dates_and_merge_keys():
    text = (
        "version: 1\nmodel: churn\ndescription: 2024-01-01\n"
        "checks:\n"
        "  - &base {id: s, kind: schema, severity: critical,"
        " columns: {on: {isin: [yes, no, true]}}}\n"
        "  - {<<: *base, id: t}\n"
        "  - {<<: [*base], id: u, severity: info}\n"
    )
    rule_set = parse(text)
    assert rule_set.description == "2024-01-01"
    schema = rule_set.checks[0]
    assert schema.model_dump()["columns"]["on"]["isin"] == ["yes", "no", True]
    assert [c.id for c in rule_set.checks] == ["s", "t", "u"]
    assert [c.severity for c in rule_set.checks] == [
        Severity.CRITICAL,
        Severity.CRITICAL,
        Severity.INFO,
    ]


def test_loads_without_a_name():
    rule_set = rules.loads("version: 1\nmodel: m\n", check_kinds={}, channel_kinds={})
    assert rule_set.source_file is None
    with pytest.raises(rules.RulesError) as info:
        rules.loads(
            "version: 1\nmodel: m\nchecks: [{kind: x}]\n",
            check_kinds={},
            channel_kinds={},
        )
    assert str(info.value) == (
        "<string>:3:17 checks[0].kind: unknown check kind 'x'; known: (none)"
    )


def test_yaml_12_numbers():
    rule_set = parse(
        HEAD + "description: 1:30\nchecks:\n"
        "  - {id: v, kind: volume, min_rows: 010, max_rows: 1e3}\n"
    )
    assert rule_set.description == "1:30"  # YAML 1.1 would read 90
    check = rule_set.checks[0]
    assert isinstance(check, VolumeParams)
    assert (check.min_rows, check.max_rows) == (10, 1000)  # YAML 1.1: 8 and '1e3'


def test_alias_inside_its_own_anchor():
    assert error(HEAD + "description: &a [*a]\n") == (
        "rules/churn.yaml:3:14 description: expected a string, got a list\n"
        "rules/churn.yaml:3:14 description[0]: a YAML alias refers to itself"
    )


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)
    ]
    assert error(HEAD + "\n".join(lines) + "\n") == (
        "rules/churn.yaml:1:1: the file expands to more than 100,000 values;"
        " are YAML aliases (*name) nested too deeply?"
    )


def test_duration_too_long():
    text = HEAD + "label: {column: y, delay: 99999999999999w}\n"
    assert error(text) == (
        "rules/churn.yaml:3:27 label.delay: duration '99999999999999w' is too long;"
        " at most 100 years"
    )


def test_on_missing_reference_names_its_choices_issue_16():
    assert error(HEAD + "on_missing_reference: skp\n") == (
        "rules/churn.yaml:3:23 on_missing_reference: must be one of: skip, warn, fail;"
        " got 'skp'; did you mean 'skip'?"
    )


def test_history_threshold_keys_are_validated_issue_15():
    text = HEAD + (
        "checks:\n"
        "  - id: rows\n    kind: volume\n"
        "    threshold: {history: {last_runs: 28, sigmaa: 3}}\n"
        "  - id: rows2\n    kind: volume\n"
        "    threshold: {history: {seasonality: weekly}}\n"
        "  - id: rows3\n    kind: volume\n    threshold: {warn: 10}\n"
        "  - id: d\n    kind: drift\n"
        "    threshold: {history: {sigma: 2, warn_sigma: 3}}\n"
        "  - id: rows4\n    kind: volume\n"
        "    threshold: {history: {min_runs: 40}}\n"
    )
    assert error(text).splitlines() == [
        "rules/churn.yaml:6:42 checks[0].threshold.history.sigmaa: unknown key;"
        " did you mean 'sigma'?",
        "rules/churn.yaml:9:40 checks[1].threshold.history.seasonality: must be"
        " day_of_week, got 'weekly'",
        "rules/churn.yaml:12:17 checks[2].threshold.warn: unknown key;"
        " known keys: history",
        "rules/churn.yaml:15:26 checks[3].threshold.history: warn_sigma (3) must"
        " be below sigma (2): the warn band lies inside the fail band",
        "rules/churn.yaml:18:26 checks[4].threshold.history: min_runs (40) is more"
        " than last_runs (28): the history could never be long enough",
    ]


def test_history_threshold_alone_or_with_levels_loads_issue_15():
    rule_set = parse(
        HEAD + "checks:\n"
        "  - id: rows\n    kind: volume\n"
        "    threshold: {history: {seasonality: day_of_week}}\n"
        "  - id: d\n    kind: drift\n"
        "    threshold: {fail: 0.3, history: {last_runs: 14, direction: above}}\n"
    )
    rows, drift = rule_set.checks
    assert rows.threshold is not None
    assert rows.threshold.history is not None
    assert rows.threshold.history.seasonality == "day_of_week"
    assert rows.threshold.history.last_runs == 28
    assert drift.threshold is not None
    assert drift.threshold.history is not None
    assert drift.threshold.history.direction == "above"
