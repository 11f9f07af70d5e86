"""A malformed channel config is an error when the rules are validated, not at 3 a.m."""

from __future__ import annotations

import textwrap

import pytest

from modelhealth import rules
from modelhealth.alerts import registry
from modelhealth.rules.service import loads_service


def problems(yaml: str, env: dict[str, str] | None = None) -> str:
    with pytest.raises(rules.RulesError) as caught:
        rules.loads(
            textwrap.dedent(yaml),
            source="rules/churn.yaml",
            check_kinds={},
            channel_kinds=registry.params_types(),
            env=env or {},
        )
    return str(caught.value)


HEAD = "version: 1\nmodel: churn\nalerts:\n"


def test_slack_needs_its_credentials_in_one_sentence():
    text = problems(HEAD + "  - {channel: slack, to: '#oncall'}\n")
    assert text == (
        "rules/churn.yaml:4:5 alerts[0]: "
        "slack needs webhook_url_env, or token_env and to"
    )


def test_an_unset_token_variable_is_named(monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    text = problems(
        HEAD + "  - {channel: slack, to: '#oncall', token_env: SLACK_BOT_TOKEN}\n"
    )
    assert text == (
        "rules/churn.yaml:4:5 alerts[0]: "
        "environment variable 'SLACK_BOT_TOKEN' (token_env) is not set"
    )


def test_a_bad_webhook_url_and_a_secret_written_inline(monkeypatch):
    text = problems(
        HEAD
        + "  - {channel: webhook, url: 'ftp://x'}\n"
        + "  - {channel: slack, token: xoxb-123, to: '#a'}\n"
    )
    lines = text.splitlines()
    assert lines[0] == (
        "rules/churn.yaml:4:5 alerts[0]: "
        "url must be an http:// or https:// URL with a host"
    )
    assert lines[1] == (
        "rules/churn.yaml:5:22 alerts[1].token: unknown key; did you mean 'token_env'?"
    )
    assert "xoxb-123" not in text.replace("token: xoxb-123", "")


def test_the_slack_hook_url_in_the_variable_is_checked(monkeypatch):
    monkeypatch.setenv("SLACK_HOOK", "not a url")
    text = problems(HEAD + "  - {channel: slack, webhook_url_env: SLACK_HOOK}\n")
    assert text.endswith(
        "alerts[0]: the URL in 'SLACK_HOOK' must be an http:// or https:// URL "
        "with a host"
    )
    assert "not a url" not in text


def test_email_login_goes_in_pairs():
    text = problems(
        HEAD + "  - {channel: email, to: [a@b.c], sender: m@b.c, host: smtp.b.c,"
        " username_env: SMTP_USER}\n"
    )
    assert text.endswith(
        "alerts[0]: email needs username_env and password_env, or neither"
    )


def test_valid_channels_load_and_hold_only_variable_names(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real")
    monkeypatch.setenv("HOOK_SECRET", "s")
    rule_set = rules.loads(
        textwrap.dedent(
            HEAD + "  - {channel: slack, to: '#oncall', token_env: SLACK_BOT_TOKEN,"
            " min_severity: critical, renotify_after: 4h}\n"
            + "  - {channel: webhook, url: 'https://hooks.example.com/x',"
            " secret_env: HOOK_SECRET, send_resolved: false}\n"
        ),
        check_kinds={},
        channel_kinds=registry.params_types(),
    )
    slack, webhook = rule_set.alerts
    assert slack.renotify_after == "4h"
    assert webhook.send_resolved is False
    assert "xoxb-real" not in str(rule_set.model_dump(mode="json"))


def test_service_file_routes_and_errors_are_located():
    config = loads_service(
        "version: 1\nreport_url: https://mh.example.com\n"
        "alerts:\n  - {channel: console, min_severity: critical}\n",
        source="modelhealth.yaml",
        channel_kinds=registry.params_types(),
    )
    assert config.report_url == "https://mh.example.com"
    assert [r.channel for r in config.alerts] == ["console"]
    with pytest.raises(rules.RulesError) as caught:
        loads_service(
            "alerts:\n  - {channel: slak}\nreport_urll: x\n",
            source="modelhealth.yaml",
            channel_kinds=registry.params_types(),
        )
    assert str(caught.value).splitlines() == [
        "modelhealth.yaml:2:15 alerts[0].channel: unknown channel 'slak'; "
        "did you mean 'slack'? known: console, email, pagerduty, slack, teams, webhook",
        "modelhealth.yaml:3:1 report_urll: unknown key; did you mean 'report_url'?",
    ]
    assert loads_service("", channel_kinds={}).alerts == []


def test_service_file_stale_after_is_a_located_duration():
    text = "version: 1\nincidents:\n  stale_after: 7d\n"
    config = loads_service(text, channel_kinds=registry.params_types())
    assert config.incidents.stale_after == "7d"
    assert loads_service("", channel_kinds={}).incidents.stale_after is None
    with pytest.raises(rules.RulesError) as caught:
        loads_service(
            "version: 1\nincidents:\n  stale_after: week\n  stale_aftr: 1d\n",
            source="modelhealth.yaml",
            channel_kinds=registry.params_types(),
        )
    assert str(caught.value).splitlines() == [
        "modelhealth.yaml:3:16 incidents.stale_after: invalid duration 'week'; "
        "write a number and a unit (s, m, h, d, w), e.g. 90s, 30m, 26h, 3d, 1w",
        "modelhealth.yaml:4:3 incidents.stale_aftr: unknown key; "
        "did you mean 'stale_after'?",
    ]
