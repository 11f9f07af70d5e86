"""Every channel against a real server on 127.0.0.1: what users will see."""

from __future__ import annotations

import json

import pytest

from modelhealth.alerts import registry
from modelhealth.alerts.base import Alert
from modelhealth.alerts.email import EmailChannel, EmailParams
from modelhealth.alerts.pagerduty import PagerDutyParams
from modelhealth.alerts.slack import SlackChannel, SlackParams
from modelhealth.alerts.teams import TeamsParams
from modelhealth.alerts.webhook import WebhookChannel, WebhookParams, sign, verify
from tests.alerts.conftest import T0, problem_alert, result
from tests.alerts.servers import Loopback, running

TOKEN = "xoxb-test-token"


@pytest.fixture
def bot(slack, monkeypatch):
    app, server = slack
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    params = SlackParams(
        to="#ml-oncall", token_env="SLACK_BOT_TOKEN", api_url=server.url + "/api/"
    )
    return app, server, SlackChannel(params)


def test_slack_posts_blocks_text_and_key(bot):
    app, _, channel = bot
    delivery = channel.send(problem_alert())
    assert delivery.ok, delivery.detail
    assert delivery.ref == {"channel": "C0ONCALL", "ts": "1700000001.000100"}
    (post,) = app.posts
    assert post["channel"] == "#ml-oncall"
    assert post["metadata"]["event_payload"]["idempotency_key"] == "key-1"
    header, section, context, actions = post["blocks"]
    assert header["text"]["text"] == (
        ":rotating_light: CRITICAL churn v2 run 2026-03-01: 1 failed"
    )
    assert section["text"]["text"] == (
        "`critical` [x] feature-drift[spend] failed: 0.31 (warn 0.1, fail 0.25)"
        " - since 2026-03-01 06:00 UTC, 3 runs in a row"
    )
    assert context["elements"][0]["text"] == (
        "model *churn* version *v2*, run `2026-03-01` | "
        "<http://report.test/models/churn/runs/2026-03-01|open the report>"
    )
    assert post["text"].startswith("CRITICAL churn v2 run 2026-03-01: 1 failed\n")
    ack, snooze_hour, snooze_day, report = actions["elements"]
    assert [ack["action_id"], snooze_hour["action_id"], snooze_day["action_id"]] == [
        "modelhealth_ack", "modelhealth_snooze_1h", "modelhealth_snooze_1d",
    ]  # fmt: skip
    assert json.loads(ack["value"]) == {
        "model": "churn",
        "keys": ["feature-drift[spend]"],
    }
    assert report["url"] == "http://report.test/models/churn/runs/2026-03-01"


def test_slack_resolution_replies_in_the_thread(bot):
    app, _, channel = bot
    opened = channel.send(problem_alert())
    passed = result(status=result().status.PASSED, value=0.02)
    resolved = Alert(
        "churn",
        "2026-03-04",
        (passed,),
        kind="resolved",
        streaks=problem_alert().streaks,
        key="key-2",
        reply_to=opened.ref,
    )
    assert channel.send(resolved).ok
    reply = app.posts[1]
    assert reply["thread_ts"] == opened.ref["ts"]
    assert reply["channel"] == "C0ONCALL"
    assert reply["blocks"][0]["text"]["text"] == (
        ":white_check_mark: RESOLVED churn run 2026-03-04: 1 check pass again"
    )
    assert "failing since 2026-03-01 06:00 UTC, 3 runs" in reply["text"]


def test_slack_incoming_webhook(slack, monkeypatch):
    app, server = slack
    monkeypatch.setenv("SLACK_HOOK", server.url + "/hooks/T0/B0/secretpart")
    channel = registry.build(SlackParams(webhook_url_env="SLACK_HOOK"))
    assert channel.send(problem_alert()).ok
    (hook,) = app.hooks
    assert hook["blocks"][0]["type"] == "header"
    assert hook["text"].startswith("CRITICAL churn v2")


def test_slack_long_retry_after_is_left_to_the_outbox(bot):
    _, server, channel = bot
    server.script = lambda n: "429"
    server.retry_after = "30"
    delivery = channel.send(problem_alert())
    assert not delivery.ok
    assert delivery.retry_after == 30.0
    assert delivery.detail == "HTTP 429: ratelimited"


def test_slack_short_retry_after_is_waited_out_in_the_call(bot):
    app, server, channel = bot
    server.script = lambda n: "429" if n == 1 else "ok"
    assert channel.send(problem_alert()).ok
    assert len(app.posts) == 1


def test_slack_errors_never_show_the_token(slack, monkeypatch):
    _app, server = slack
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-wrong-token-123")
    params = SlackParams(
        to="#x", token_env="SLACK_BOT_TOKEN", api_url=server.url + "/api/"
    )
    delivery = SlackChannel(params).send(problem_alert())
    assert not delivery.ok
    assert delivery.detail == "HTTP 200: invalid_auth"
    assert "xoxb-wrong" not in repr(params) + str(params.model_dump())


def test_slack_refused_connection_is_a_failed_delivery(monkeypatch):
    server = Loopback(lambda r: (200, {}, b"{}")).start()
    server.stop()  # nothing listens on the port any more
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    params = SlackParams(to="#x", token_env="SLACK_BOT_TOKEN", api_url=server.url + "/")
    delivery = SlackChannel(params).send(problem_alert())
    assert not delivery.ok
    assert "refused" in delivery.detail.lower()


def test_webhook_signs_and_carries_the_key(receiver, monkeypatch):
    app, server = receiver
    monkeypatch.setenv("HOOK_SECRET", app.secret)
    params = WebhookParams(url=server.url + "/alerts", secret_env="HOOK_SECRET")
    with WebhookChannel(params) as channel:
        assert channel.send(problem_alert()).ok
    body = app.delivered["key-1"]
    assert body["title"] == "CRITICAL churn v2 run 2026-03-01: 1 failed"
    assert body["key"] == "key-1"
    assert body["counts"] == {"failed": 1}
    assert body["report_url"] == "http://report.test/models/churn/runs/2026-03-01"
    assert body["results"][0]["streak"] == {
        "since": T0.isoformat(),
        "runs": 3,
        "first_run_id": "2026-02-27",
    }
    assert app.bad_signatures == 0


def test_webhook_with_a_wrong_secret_is_refused(receiver, monkeypatch):
    _, server = receiver
    monkeypatch.setenv("HOOK_SECRET", "not-the-secret")
    params = WebhookParams(url=server.url + "/alerts", secret_env="HOOK_SECRET")
    with WebhookChannel(params) as channel:
        delivery = channel.send(problem_alert())
    assert not delivery.ok
    assert delivery.detail == "HTTP 401: bad signature"


@pytest.mark.parametrize(
    ("action", "detail", "retry_after"),
    [("500", "HTTP 500: internal error", None), ("429", "HTTP 429: ", 7.0)],
)
def test_webhook_failures(action, detail, retry_after):
    with running(Loopback(lambda r: (200, {}, b""), script=lambda n: action)) as s:
        s.retry_after = "7"
        with WebhookChannel(WebhookParams(url=s.url)) as channel:
            delivery = channel.send(problem_alert())
    assert not delivery.ok
    assert delivery.detail.startswith(detail)
    assert delivery.retry_after == retry_after


def test_webhook_secret_url_is_redacted(monkeypatch):
    server = Loopback(lambda r: (200, {}, b"")).start()
    server.stop()
    monkeypatch.setenv("HOOK_URL", server.url + "/very-secret-path")
    with WebhookChannel(WebhookParams(url_env="HOOK_URL")) as channel:
        delivery = channel.send(problem_alert())
    assert not delivery.ok
    assert "very-secret-path" not in delivery.detail


def test_verify_rejects_old_and_forged_signatures():
    body = b'{"a": 1}'
    good = sign("k", "1000", body)
    assert verify("k", body, "1000", good, now=1010)
    assert not verify("k", body, "1000", good, now=5000)
    assert not verify("k", body + b" ", "1000", good, now=1010)
    assert not verify("other", body, "1000", good, now=1010)
    assert not verify("k", body, "soon", good, now=1010)


def test_email_subject_body_and_threading(smtp_server):
    box, port = smtp_server
    params = EmailParams(
        to=["oncall@example.com"],
        sender="modelhealth@example.com",
        host="127.0.0.1",
        port=port,
        security="none",
    )
    channel = EmailChannel(params)
    opened = channel.send(problem_alert())
    assert opened.ok, opened.detail
    assert opened.ref == {"message_id": "<key-1@example.com>"}
    resolved = Alert(
        "churn", "r9", (result(status=result().status.PASSED),), kind="resolved",
        key="key-2", reply_to=opened.ref,
    )  # fmt: skip
    assert channel.send(resolved).ok
    first, second = box.messages
    assert first["Subject"] == "CRITICAL churn v2 run 2026-03-01: 1 failed"
    assert first["To"] == "oncall@example.com"
    assert "feature-drift[spend] failed: 0.31 (warn 0.1, fail 0.25)" in str(
        first.get_content()
    )
    assert "report: http://report.test/models/churn/runs/2026-03-01" in str(
        first.get_content()
    )
    assert second["In-Reply-To"] == "<key-1@example.com>"
    assert second["Subject"] == "RESOLVED churn run r9: 1 check pass again"


def test_email_to_a_closed_port_fails_cleanly():
    server = Loopback(lambda r: (200, {}, b"")).start()
    server.stop()
    params = EmailParams(
        to=["a@b.c"], sender="m@b.c", host="127.0.0.1", port=server.port,
        security="none", timeout=2,
    )  # fmt: skip
    delivery = EmailChannel(params).send(problem_alert())
    assert not delivery.ok
    assert "ConnectionRefusedError" in delivery.detail


def test_every_channel_has_params_named_after_it():
    for name in registry.channels():
        assert registry.get(name).params_type.model_fields["channel"].default == name


def test_webhook_body_is_strict_json_and_unsigned_without_secret():
    seen = []

    def keep(req):
        seen.append(req)
        return 204, {}, b""

    alert = Alert("m", "r", (result(value=float("nan")),), key="k")
    with running(Loopback(keep)) as server:
        with WebhookChannel(WebhookParams(url=server.url)) as channel:
            assert channel.send(alert).ok
    (req,) = seen
    assert (
        json.loads(req.body, parse_constant=pytest.fail)["results"][0]["value"] is None
    )
    assert req.headers["Idempotency-Key"] == "k"
    assert "X-Modelhealth-Signature" not in req.headers


def _closed_port() -> int:
    server = Loopback(lambda r: (200, {}, b"")).start()
    server.stop()
    return server.port


def _offline_params(name, port, monkeypatch):
    monkeypatch.setenv("CONTRACT_SECRET", "xoxb-contract-secret")
    url = f"http://127.0.0.1:{port}/"
    return {
        "slack": lambda: SlackParams(
            to="#x", token_env="CONTRACT_SECRET", api_url=url, timeout=2
        ),
        "webhook": lambda: WebhookParams(url=url, secret_env="CONTRACT_SECRET"),
        "email": lambda: EmailParams(
            to=["a@b.c"],
            sender="m@b.c",
            host="127.0.0.1",
            port=port,
            security="none",
            password_env="CONTRACT_SECRET",
            username_env="CONTRACT_SECRET",
            timeout=2,
        ),
        "pagerduty": lambda: PagerDutyParams(
            routing_key_env="CONTRACT_SECRET", api_url=url, timeout=2
        ),
        "teams": lambda: _teams(url, monkeypatch),
    }[name]()


def _teams(url, monkeypatch):
    monkeypatch.setenv("CONTRACT_SECRET", url + "xoxb-contract-secret")
    return TeamsParams(url_env="CONTRACT_SECRET", timeout=2)


NETWORK = ["email", "pagerduty", "slack", "teams", "webhook"]


def test_every_channel_is_covered_by_the_contract():
    assert sorted(registry.channels()) == sorted(["console", *NETWORK])


@pytest.mark.parametrize("name", NETWORK, ids=NETWORK)
def test_contract_an_unreachable_receiver_is_a_failed_delivery(name, monkeypatch):
    params = _offline_params(name, _closed_port(), monkeypatch)
    with registry.build(params) as channel:
        delivery = channel.send(problem_alert())
    assert not delivery.ok
    assert delivery.channel == name
    assert delivery.detail
    assert "xoxb-contract-secret" not in delivery.detail
    assert "CONTRACT_SECRET" in str(params.model_dump())
    assert "xoxb-contract-secret" not in str(params.model_dump(mode="json"))


def test_slack_button_values_stay_within_slacks_limit():
    from modelhealth.alerts._slack_blocks import action_value, parse_action_value

    many = tuple(result(subject=f"feature_{i:04}_" + "x" * 30) for i in range(200))
    value = action_value(Alert("churn", "r1", many))
    assert len(value) <= 2000
    model, keys = parse_action_value(value)
    assert model == "churn"
    assert 0 < len(keys) < 200
    with pytest.raises(ValueError, match="not a modelhealth button value"):
        parse_action_value('{"model": 1, "keys": []}')
