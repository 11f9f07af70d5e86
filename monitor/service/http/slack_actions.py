"""``POST /api/v1/slack/actions``: the buttons of Slack alert messages.

Slack posts a button click as a form with one ``payload`` field (JSON), signed with
the app's signing secret: ``X-Slack-Signature`` over ``v0:<timestamp>:<body>``, with
``X-Slack-Request-Timestamp``. The request is checked with slack-sdk's
``SignatureVerifier`` (``SLACK_SIGNING_SECRET``) before anything is read: a missing,
wrong or older-than-five-minutes signature is refused with 401, as is every request
while no secret is configured.

The buttons (:mod:`modelhealth.alerts._slack_blocks`) carry the model and the
incidents' keys. "Acknowledge" acknowledges those still open until they resolve,
"Snooze 1 h" and "Snooze 1 day" for that long, on behalf of the Slack user who
clicked. "Open the report" is a link; its click is answered and ignored. The answer
says what happened in one sentence, and so does an ephemeral reply to the clicking
user through the payload's ``response_url`` when there is one: also when every
incident has resolved or been deleted meanwhile.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from modelhealth.alerts._slack_blocks import ACTIONS, parse_action_value
from modelhealth.config import ServiceSettings
from modelhealth.errors import NotFound
from modelhealth.rules.durations import parse_duration
from modelhealth.store import Store
from modelhealth.web.auth import AuthError

__all__ = ["router", "verify"]

router = APIRouter(prefix="/api/v1")


def verify(settings: ServiceSettings, body: bytes, headers: Any) -> None:
    """Refuse a request Slack did not sign with our secret in the last 5 minutes.

    Raises:
        AuthError: no secret is configured, or the signature is missing, wrong
            or stale.
    """
    from slack_sdk.signature import SignatureVerifier

    if settings.slack_signing_secret is None:
        raise AuthError("Slack actions are disabled: SLACK_SIGNING_SECRET is not set")
    stamp = headers.get("x-slack-request-timestamp")
    signature = headers.get("x-slack-signature")
    try:
        ok = SignatureVerifier(settings.slack_signing_secret).is_valid(
            body, stamp, signature
        )
    except ValueError:  # a timestamp that is not a number
        ok = False
    if not ok:
        raise AuthError("the Slack signature is missing, wrong or stale")


def _who(payload: dict[str, Any]) -> str:
    user = payload.get("user") or {}
    name = user.get("username") or user.get("name") or user.get("id") or "slack"
    return f"{name} (Slack)"


def _act(store: Store, payload: dict[str, Any]) -> str:
    actions = payload.get("actions") or []
    if payload.get("type") != "block_actions" or not actions:
        return "nothing to do: not a button click"
    action = actions[0]
    action_id = str(action.get("action_id", ""))
    if action_id not in ACTIONS:
        return f"nothing to do for {action_id!r}"
    try:
        model, keys = parse_action_value(str(action.get("value", "")))
    except ValueError as exc:
        return str(exc)
    now = datetime.now(timezone.utc)
    snooze = ACTIONS[action_id]
    until = None if snooze is None else now + parse_duration(snooze)
    who = _who(payload)
    try:
        done = store.acknowledge_open(model, keys, by=who, until=until, now=now)
    except NotFound as exc:
        return str(exc)
    ids = ", ".join(f"#{i.id}" for i in done)
    end = f" until {until:%Y-%m-%d %H:%M} UTC" if until else " until it resolves"
    return f"{who} acknowledged {model} incident(s) {ids}{end}"


def _tell(url: str, text: str) -> None:
    """An ephemeral reply to the user who clicked; a failure only loses the note."""
    import httpx

    body = {"response_type": "ephemeral", "replace_original": False, "text": text}
    try:
        httpx.post(url, json=body, timeout=3.0)
    except httpx.HTTPError:
        pass


@router.post("/slack/actions", include_in_schema=True)
async def slack_actions(request: Request) -> dict[str, Any]:
    """Handle a click on an alert message's button (Slack interactivity)."""
    body = await request.body()
    verify(request.app.state.settings, body, request.headers)
    fields = parse_qs(body.decode("utf-8", "replace"))
    try:
        payload = json.loads(fields.get("payload", ["{}"])[0])
    except ValueError:
        payload = {}
    if not isinstance(payload, dict):
        payload = {}
    text = await run_in_threadpool(_act, request.app.state.store, payload)
    url = payload.get("response_url")
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        await run_in_threadpool(_tell, url, text)
    return {"ok": True, "text": text}
