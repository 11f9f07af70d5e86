"""``/api/v1`` routes that act on incidents: acknowledge, unacknowledge, silence.

Every ``POST`` needs the write token (:func:`~modelhealth.web.auth.require_write`);
``GET /api/v1/silences`` and ``GET /api/v1/incidents/{id}`` need the read token when
one is configured. They call the same :class:`~modelhealth.store.Store` methods as
``modelhealth alerts ack|unack|silence|unsilence``, so the refusals read the same:
an unknown id is 404, anything else the user can fix (a resolved incident, an ended
or overlapping silence, a malformed matcher, a bad duration) is 400, one sentence.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi import Path as FastPath
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict, Field

from modelhealth.errors import NotFound, UsageError
from modelhealth.rules.durations import parse_duration
from modelhealth.service.http.errors import ApiError, ErrorBody
from modelhealth.store import IncidentRecord, SilenceRecord, Store
from modelhealth.web.auth import require_read, require_write

__all__ = ["AckIn", "SilenceIn", "router", "store_call"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (400, "the action cannot be done (resolved, ended, overlapping, malformed)"),
        (401, "missing or wrong bearer token"),
        (404, "unknown incident or silence"),
        (422, "malformed request"),
    )
}
router = APIRouter(prefix="/api/v1", responses=_ERRORS)
_T = TypeVar("_T")
Text = Annotated[str, Field(min_length=1, max_length=200)]
Id = Annotated[int, FastPath(ge=1, le=2**31 - 1)]


class AckIn(BaseModel):
    """Who acknowledges, and for how long (``for``: a snooze; none: until resolved)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    by: Text
    for_: str | None = Field(default=None, alias="for", max_length=40)
    until: datetime | None = None


class SilenceIn(BaseModel):
    """A silence: a matcher, a span (``for`` or ``until``) and a reason."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    model: Text
    check_id: str | None = Field(default=None, max_length=200)
    subject: str | None = Field(default=None, max_length=500)
    severities: list[str] = Field(default_factory=list, max_length=3)
    for_: str | None = Field(default=None, alias="for", max_length=40)
    until: datetime | None = None
    reason: str = Field(min_length=1, max_length=2000)
    by: Text


def store_call(call: Callable[[], _T]) -> _T:
    """Run a store action; its user errors become 404 or 400 answers."""
    try:
        return call()
    except NotFound as exc:
        raise ApiError(404, str(exc)) from exc
    except UsageError as exc:
        raise ApiError(400, str(exc)) from exc


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _end(for_: str | None, until: datetime | None, now: datetime) -> datetime | None:
    if for_ is not None and until is not None:
        raise ApiError(400, "give one of for or until, not both")
    if until is not None:
        return until if until.tzinfo else until.replace(tzinfo=timezone.utc)
    if for_ is None:
        return None
    try:
        return now + parse_duration(for_)
    except ValueError as exc:
        raise ApiError(400, f"for: {exc}") from exc


def _incident(record: IncidentRecord) -> dict[str, Any]:
    out: dict[str, Any] = jsonable_encoder(dataclasses.asdict(record))
    out["acknowledged"] = record.acknowledged
    return out


def _silence(record: SilenceRecord) -> dict[str, Any]:
    out: dict[str, Any] = jsonable_encoder(dataclasses.asdict(record))
    return out


@router.get("/incidents/{incident_id}", dependencies=[Depends(require_read)])
def get_incident(request: Request, incident_id: Id) -> dict[str, Any]:
    """One incident, with its acknowledgement and the silence that holds it."""
    found = store_call(lambda: _store(request).incident(incident_id))
    return {"ok": True, "incident": _incident(found)}


@router.post("/incidents/{incident_id}/ack", dependencies=[Depends(require_write)])
def ack_incident(request: Request, incident_id: Id, body: AckIn) -> dict[str, Any]:
    """Acknowledge an open incident: no reminders until it resolves or ``for`` ends."""
    now = datetime.now(timezone.utc)
    until = _end(body.for_, body.until, now)
    found = store_call(
        lambda: _store(request).acknowledge(
            incident_id, by=body.by, until=until, now=now
        )
    )
    return {"ok": True, "incident": _incident(found)}


@router.post("/incidents/{incident_id}/unack", dependencies=[Depends(require_write)])
def unack_incident(request: Request, incident_id: Id) -> dict[str, Any]:
    """Take an incident's acknowledgement back."""
    found = store_call(lambda: _store(request).unacknowledge(incident_id))
    return {"ok": True, "incident": _incident(found)}


@router.get("/silences", dependencies=[Depends(require_read)])
def list_silences(request: Request, include_ended: bool = False) -> dict[str, Any]:
    """Silences that hold or are to come (``include_ended``: all), soonest end first."""
    found = _store(request).silences(include_ended=include_ended)
    return {"ok": True, "silences": [_silence(s) for s in found]}


@router.post("/silences", status_code=201, dependencies=[Depends(require_write)])
def add_silence(request: Request, body: SilenceIn) -> dict[str, Any]:
    """Silence matching incidents: they open and are stored, but send nothing."""
    now = datetime.now(timezone.utc)
    ends = _end(body.for_, body.until, now)
    if ends is None:
        raise ApiError(400, "give one of for (a duration) or until (a time)")
    made = store_call(
        lambda: _store(request).add_silence(
            body.model,
            check_id=body.check_id,
            subject=body.subject,
            severities=body.severities,
            ends_at=ends,
            reason=body.reason,
            by=body.by,
            now=now,
        )
    )
    return {"ok": True, "silence": _silence(made)}


@router.post("/silences/{silence_id}/end", dependencies=[Depends(require_write)])
def end_silence(request: Request, silence_id: Id) -> dict[str, Any]:
    """End a silence now; the next run tells what is still open, once."""
    ended = store_call(lambda: _store(request).end_silence(silence_id))
    return {"ok": True, "silence": _silence(ended)}
