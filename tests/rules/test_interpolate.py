"""``${VAR}`` interpolation: set, default, missing, escape."""

from __future__ import annotations

import pytest

from tests.rules.kinds import SlackParams, error, parse

TEXT = (
    "version: 1\nmodel: churn\n"
    "alerts:\n"
    "  - channel: slack\n"
    "    to: '${CHANNEL:-#ml-oncall}'\n"
    "    webhook_url: ${SLACK_URL}\n"
)


def _route(env: dict[str, str]) -> SlackParams:
    route = parse(TEXT, env=env).alerts[0]
    assert isinstance(route, SlackParams)
    return route


def test_set_variable_and_default():
    route = _route({"SLACK_URL": "https://hooks.example/x"})
    assert route.webhook_url == "https://hooks.example/x"
    assert route.to == "#ml-oncall"


def test_set_variable_wins_over_default_and_empty_uses_default():
    assert _route({"SLACK_URL": "u", "CHANNEL": "#a"}).to == "#a"
    assert _route({"SLACK_URL": "u", "CHANNEL": ""}).to == "#ml-oncall"


def test_missing_variable():
    assert error(TEXT) == (
        "rules/churn.yaml:6:18 alerts[0].webhook_url: environment variable 'SLACK_URL'"
        " is not set\n"
        "  hint: set it, or give a default: ${SLACK_URL:-...}"
    )


def test_os_environ_is_the_default(monkeypatch):
    monkeypatch.setenv("SLACK_URL", "from-os")
    assert parse(TEXT, env=None).alerts[0].model_dump()["webhook_url"] == "from-os"


def test_escape_and_several_in_one_value():
    text = "version: 1\nmodel: churn\ndescription: 'cost $${HOME} at ${A}/${B:-b}'\n"
    assert parse(text, env={"A": "a"}).description == "cost ${HOME} at a/b"


def test_interpolated_numbers_are_converted():
    text = (
        "version: 1\nmodel: churn\nchecks: [{id: v, kind: volume, min_rows: '${N}'}]\n"
    )
    assert parse(text, env={"N": "50"}).checks[0].model_dump()["min_rows"] == 50


@pytest.mark.parametrize(
    ("ref", "shown"), [("${not valid}", "${not valid}"), ("${A", "${")]
)
def test_malformed_reference(ref, shown):
    assert error(f"version: 1\nmodel: churn\ndescription: '{ref}'\n") == (
        f"rules/churn.yaml:3:14 description: invalid variable reference {shown!r}\n"
        "  hint: write ${NAME} or ${NAME:-default}; write $${ for a literal ${"
    )
