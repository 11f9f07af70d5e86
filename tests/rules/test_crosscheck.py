"""Checks across the whole file: ids, routes, schedule, durations, schema columns."""

from __future__ import annotations

from datetime import timedelta

import pytest

from modelhealth import rules
from tests.rules.kinds import error, parse

HEAD = "version: 1\nmodel: churn\n"


def test_duplicate_check_ids():
    text = HEAD + (
        "checks:\n"
        "  - {id: vol, kind: volume, min_rows: 1}\n"
        "  - {id: vol, kind: volume, max_rows: 9}\n"
    )
    assert error(text) == (
        "rules/churn.yaml:5:10 checks[1].id: check id 'vol' is already used at line 4"
    )


def test_route_naming_unknown_check_and_kind():
    text = HEAD + (
        "checks:\n"
        "  - {id: feature-drift, kind: drift}\n"
        "  - {id: vol, kind: volume, min_rows: 1}\n"
        "alerts:\n"
        "  - channel: console\n"
        "    checks: [feature-drfit, vol, zzz]\n"
        "    kinds: [drfit]\n"
    )
    assert error(text) == (
        "rules/churn.yaml:8:14 alerts[0].checks[0]: unknown check id 'feature-drfit';"
        " did you mean 'feature-drift'? known: feature-drift, vol\n"
        "rules/churn.yaml:8:34 alerts[0].checks[2]: unknown check id 'zzz';"
        " known: feature-drift, vol\n"
        "rules/churn.yaml:9:13 alerts[0].kinds[0]: unknown check kind 'drfit';"
        " did you mean 'drift'? known: drift, schema, volume"
    )


@pytest.mark.parametrize(
    ("cron", "why"),
    [
        ("0 25 * * *", "hour 25 is out of range 0-23"),
        ("61 * * * *", "minute 61 is out of range 0-59"),
        ("* * 0 * *", "day of month 0 is out of range 1-31"),
        (
            "* * * foo *",
            "month 'foo' is not a number or a name (jan, feb, mar, apr,"
            " may, jun, jul, aug, sep, oct, nov, dec)",
        ),
        ("* * * * 8", "day of week 8 is out of range 0-7"),
        ("*/0 * * * *", "minute step in '*/0' must be at least 1"),
        ("5-1 * * * *", "minute range '5-1' goes backwards"),
        ("? * * * *", "minute '?' is not *, */n, a value, a range or a list"),
        (
            "* * * *",
            "expected 5 fields (minute hour day-of-month month day-of-week), got 4",
        ),
    ],
)
def test_bad_cron(cron, why):
    assert error(HEAD + f"schedule: {{cron: '{cron}'}}\n") == (
        f"rules/churn.yaml:3:18 schedule.cron: invalid cron expression {cron!r}: {why}"
    )


@pytest.mark.parametrize(
    "cron",
    [
        "0 6 * * *",
        "*/15 0-6,22-23 1,15 JAN-jun mon-fri",
        "0 0 1-31/2 * 0,7",
        "5/10 * * * sun",
    ],
)
def test_good_cron(cron):
    schedule = parse(
        HEAD + f"schedule: {{cron: '{cron}', timezone: Europe/Paris}}\n"
    ).schedule
    assert schedule is not None
    assert schedule.cron == cron


@pytest.mark.parametrize(
    ("zone", "why"),
    [
        ("Europe/Pariss", "did you mean 'Europe/Paris'?"),
        ("Nowhere/Qqqqqqqqqqq", "use an IANA name such as 'Europe/Paris'"),
        ("../etc", "use an IANA name such as 'Europe/Paris'"),
    ],
)
def test_bad_timezone(zone, why):
    assert error(HEAD + f"schedule: {{timezone: '{zone}'}}\n") == (
        f"rules/churn.yaml:3:22 schedule.timezone: unknown timezone {zone!r}; {why}"
    )


def test_bad_durations():
    text = HEAD + (
        "schedule: {every: 30 minutes, expect_every: 1m1h}\n"
        "label: {column: churned, delay: 0d}\n"
    )
    assert error(text) == (
        "rules/churn.yaml:3:19 schedule.every: invalid duration '30 minutes'; write a"
        " number and a unit (s, m, h, d, w), e.g. 90s, 30m, 26h, 3d, 1w\n"
        "rules/churn.yaml:3:45 schedule.expect_every: invalid duration '1m1h'; write a"
        " number and a unit (s, m, h, d, w), e.g. 90s, 30m, 26h, 3d, 1w\n"
        "rules/churn.yaml:4:33 label.delay: duration '0d' must be longer than zero"
    )


def test_cron_and_every_exclude_each_other():
    assert error(HEAD + "schedule: {cron: '0 6 * * *', every: 1h}\n") == (
        "rules/churn.yaml:3:11 schedule: schedule takes cron or every, not both"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("26h", timedelta(hours=26)),
        ("3d", timedelta(days=3)),
        ("1w", timedelta(weeks=1)),
        (" 1h30m ", timedelta(hours=1, minutes=30)),
    ],
)
def test_parse_duration(text, expected):
    assert rules.parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "3", "m", "1h1h", "1.5h", "-1h", "1y"])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError, match="invalid duration"):
        rules.parse_duration(text)


SCHEMA = HEAD + (
    "prediction: {column: score}\n"
    "label: {column: churned}\n"
    "checks:\n"
    "  - id: input-schema\n"
    "    kind: schema\n"
    "    columns: {age: {dtype: int64}, plan: {dtype: str}}\n"
)


STRICT_SCHEMA = SCHEMA + "    strict: true\n"


def test_columns_must_be_declared_in_a_strict_schema():
    text = STRICT_SCHEMA + (
        "  - id: feature-drift\n"
        "    kind: drift\n"
        "    columns: [agee, plan, score, churned, zzzz]\n"
        "    per_column: {pln: {fail: 0.3}}\n"
        "    segment_by: [region]\n"
    )
    assert error(text) == (
        "rules/churn.yaml:12:15 checks[1].columns[0]: column 'agee' is not declared in"
        " schema check 'input-schema'; did you mean 'age'?\n"
        "rules/churn.yaml:12:43 checks[1].columns[4]: column 'zzzz' is not declared in"
        " schema check 'input-schema'; declared: age, churned, plan, score\n"
        "rules/churn.yaml:13:18 checks[1].per_column.pln: column 'pln' is not declared"
        " in schema check 'input-schema'; did you mean 'plan'?\n"
        "rules/churn.yaml:14:18 checks[1].segment_by[0]: column 'region' is not"
        " declared in schema check 'input-schema'; declared: age, churned, plan, score"
    )


def test_undeclared_columns_under_a_non_strict_schema_are_warnings_issue_16():
    """The run's data decides; the file loads and says what it noticed."""
    text = SCHEMA + "  - {id: d, kind: drift, columns: [agee, plan]}\n"
    rule_set = parse(text)
    assert [c.id for c in rule_set.checks] == ["input-schema", "d"]
    assert rule_set.warnings == (
        "rules/churn.yaml:9:36 checks[1].columns[0]: column 'agee' is not declared"
        " in schema check 'input-schema'; did you mean 'age'?",
    )


def test_parts_of_a_declared_nested_column_are_declared_issue_10():
    """Drift and quality name a struct's fields as ``address.city``."""
    text = STRICT_SCHEMA + (
        "  - id: entity\n"
        "    kind: schema\n"
        "    columns:\n"
        "      address: {dtype: 'struct<city: str, zip: int64>'}\n"
        "      tx: {dtype: 'list<int64>'}\n"
        "  - {id: d, kind: drift, columns: [address.city, tx, age.x]}\n"
    )
    assert error(text) == (
        "rules/churn.yaml:15:54 checks[2].columns[2]: column 'age.x' is not declared"
        " in any schema check; did you mean 'age'?"
    )


def test_columns_against_several_schemas():
    text = STRICT_SCHEMA + (
        "  - {id: more, kind: schema, columns: {region: {}}}\n"
        "  - {id: d, kind: drift, columns: [age, region, tenure]}\n"
    )
    assert error(text) == (
        "rules/churn.yaml:11:49 checks[2].columns[2]: column 'tenure' is not declared"
        " in any schema check; declared: age, churned, plan, region, score"
    )


def test_without_schema_any_column_goes():
    rule_set = parse(HEAD + "checks:\n  - {id: d, kind: drift, columns: [anything]}\n")
    assert rule_set.checks[0].id == "d"
