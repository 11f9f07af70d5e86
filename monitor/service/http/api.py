"""The ``/api/v1`` routes: submit a run; read models, runs, incidents, baselines.

Writes (``POST /api/v1/runs``) need the write token; reads need the read token when
one is configured (:mod:`modelhealth.web.auth`). A submitted run is checked later in the
app's :class:`~modelhealth.service.http.submit.RunPool`, so ``POST`` answers ``202`` at
once with
the run's URL; ``GET`` on that URL shows ``state: queued|running|error`` until the run
is stored, then the stored run with its results. Every route reads through the
:class:`~modelhealth.store.Store` on ``app.state.store`` and the rules in force on
``app.state.rules`` (a :class:`~modelhealth.service.rulesdir.RulesDir`); none runs SQL
itself.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict, Field, model_validator

from modelhealth.config import ServiceSettings
from modelhealth.errors import MonitorError
from modelhealth.rules.models import RuleSet
from modelhealth.run.request import RunRequest, check, record_failure
from modelhealth.service.http.errors import ApiError, ErrorBody
from modelhealth.service.http.journal import Journal
from modelhealth.service.http.submit import RunPool, safe_path
from modelhealth.service.rulesdir import RulesDir
from modelhealth.store import Store
from modelhealth.store.urls import mask
from modelhealth.web.auth import require_read, require_write

__all__ = ["DataIn", "RunIn", "accept", "data_source", "replay_journal", "router"]

log = logging.getLogger(__name__)

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (401, "missing or wrong bearer token"),
        (404, "unknown model or run"),
        (422, "malformed request"),
    )
}
router = APIRouter(prefix="/api/v1", responses=_ERRORS)

Scalar = str | int | float | bool | None
StatusName = Literal["passed", "warned", "failed", "errored", "skipped"]
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
_NAME = r"^[^\x00-\x1f/]+$"


class DataIn(BaseModel):
    """A run's data: ``{"path": "..."}`` under a data root, or inline ``records``."""

    model_config = ConfigDict(extra="forbid")

    path: str | None = Field(default=None, min_length=1, max_length=4096)
    records: list[dict[str, Scalar]] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one(self) -> DataIn:
        if (self.path is None) == (self.records is None):
            raise ValueError("give exactly one of path or records")
        return self


class RunIn(BaseModel):
    """A run to check: the model's name picks its rules file."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(min_length=1, max_length=200, pattern=_NAME)
    run_id: str = Field(min_length=1, max_length=200, pattern=_NAME)
    model_version: str | None = Field(default=None, max_length=200, pattern=_NAME)
    inputs: DataIn
    predictions: DataIn | None = None
    labels: DataIn | None = None


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _rules(request: Request) -> RulesDir:
    rules: RulesDir = request.app.state.rules
    return rules


def _plain(record: Any) -> dict[str, Any]:
    out: dict[str, Any] = jsonable_encoder(dataclasses.asdict(record))
    return out


def _known(request: Request, model: str) -> None:
    if _rules(request).get(model) is not None:
        return
    if any(m.name == model for m in _store(request).models()):
        return
    known = ", ".join(_rules(request).models()) or "none"
    raise ApiError(404, f"unknown model {model!r}; models with rules: {known}")


def _public_rules(rule_set: RuleSet) -> dict[str, Any]:
    """The rules as JSON, without credentials a ``sources.url`` may carry."""
    data: dict[str, Any] = rule_set.model_dump(mode="json")
    sources = data.get("sources") or {}
    if sources.get("url"):
        sources["url"] = mask(sources["url"])
    return data


def _run_url(request: Request, model: str, run_id: str) -> str:
    # ids may hold ?, # or %: quoted, so that following the link finds the run
    return str(
        request.url_for(
            "get_run", model=quote(model, safe=""), run_id=quote(run_id, safe="")
        )
    )


@router.get("/models", dependencies=[Depends(require_read)])
def list_models(request: Request) -> dict[str, Any]:
    """Every model with rules or stored runs, with its latest run."""
    stored = {m.name: m for m in _store(request).models()}
    names = sorted(set(stored) | set(_rules(request).models()))
    models = []
    for name in names:
        summary = stored.get(name)
        models.append(
            {
                "name": name,
                "has_rules": _rules(request).get(name) is not None,
                "runs": summary.runs if summary else 0,
                "last_run_id": summary.last_run_id if summary else None,
                "last_run_at": summary.last_run_at if summary else None,
                "last_status": summary.last_status if summary else None,
            }
        )
    return {"ok": True, "models": jsonable_encoder(models)}


@router.get("/models/{model}", dependencies=[Depends(require_read)])
def get_model(request: Request, model: str) -> dict[str, Any]:
    """One model: its rules (checks, schedule) and its latest run."""
    _known(request, model)
    rule_set = _rules(request).get(model)
    summary = next((m for m in _store(request).models() if m.name == model), None)
    return {
        "ok": True,
        "model": model,
        "rules": _public_rules(rule_set) if rule_set else None,
        "summary": _plain(summary) if summary else None,
    }


@router.get("/models/{model}/runs", dependencies=[Depends(require_read)])
def list_runs(
    request: Request,
    model: str,
    limit: Limit = 50,
    offset: Offset = 0,
    status: StatusName | None = None,
) -> dict[str, Any]:
    """A model's runs, newest first, without results."""
    _known(request, model)
    runs = _store(request).runs(model, limit=limit, offset=offset, status=status)
    return {"ok": True, "runs": [_plain(r) for r in runs]}


@router.get(
    "/models/{model}/runs/{run_id}",
    name="get_run",
    dependencies=[Depends(require_read)],
)
def get_run(request: Request, model: str, run_id: str) -> dict[str, Any]:
    """A run with its results; while it is still being checked, its state."""
    found = _store(request).run(model, run_id)
    pool: RunPool = request.app.state.runs
    pending = pool.state(model, run_id)
    if found is None:
        if pending is None:
            _known(request, model)
            raise ApiError(404, f"model {model!r} has no run {run_id!r}")
        return {
            "ok": pending.state != "error",
            "state": pending.state,
            "error": pending.error,
            "model": model,
            "run_id": run_id,
        }
    if pending is not None and pending.state == "error":  # its failure is stored
        return {
            "ok": False,
            "state": "error",
            "error": pending.error,
            "model": model,
            "run_id": run_id,
            "run": _plain(found),
        }
    state = pending.state if pending and pending.state != "done" else "done"
    return {"ok": True, "state": state, "run": _plain(found)}


@router.get(
    "/models/{model}/runs/{run_id}/results", dependencies=[Depends(require_read)]
)
def get_results(request: Request, model: str, run_id: str) -> dict[str, Any]:
    """A stored run's results, in check order."""
    found = _store(request).run(model, run_id)
    if found is None:
        _known(request, model)
        raise ApiError(404, f"model {model!r} has no run {run_id!r}")
    return {"ok": True, "results": [_plain(r) for r in found.results]}


@router.get("/models/{model}/baselines", dependencies=[Depends(require_read)])
def list_baselines(request: Request, model: str) -> dict[str, Any]:
    """A model's registered baselines, newest first, without profiles."""
    _known(request, model)
    baselines = _store(request).baselines(model)
    return {"ok": True, "baselines": [_plain(b) for b in baselines]}


@router.get("/incidents", dependencies=[Depends(require_read)])
def list_incidents(
    request: Request,
    model: str | None = None,
    status: Literal["open", "resolved", "stale"] | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Incidents (one per model, check and subject while it lasts), newest first."""
    found = _store(request).incidents(model, status=status, limit=limit, offset=offset)
    incidents = [{**_plain(i), "acknowledged": i.acknowledged} for i in found]
    return {"ok": True, "incidents": incidents}


@router.post(
    "/runs",
    status_code=202,
    dependencies=[Depends(require_write)],
    responses={
        403: {"model": ErrorBody, "description": "path outside the data roots"},
        409: {"model": ErrorBody, "description": "the run is already being checked"},
        413: {"model": ErrorBody, "description": "request body too large"},
        429: {"model": ErrorBody, "description": "too many runs waiting"},
    },
)
def submit_run(request: Request, response: Response, body: RunIn) -> dict[str, Any]:
    """Queue a run to be checked against its model's rules; answers 202 once the
    submission is on disk (the journal), so a service that dies does not lose it."""
    accept(request.app, body)
    url = _run_url(request, body.model, body.run_id)
    response.headers["Location"] = url
    return {
        "ok": True,
        "state": "queued",
        "model": body.model,
        "run_id": body.run_id,
        "url": url,
    }


def accept(app: Any, body: RunIn, *, entry: Path | None = None) -> None:
    """Journal a submission (unless it is ``entry``, replayed) and queue its check.

    A replayed entry is queued whatever the backlog: it was accepted already.

    The journal entry is removed once the run, or its failure, is stored.

    Raises:
        ApiError: 404 no rules for the model; 400/403 a path refused; 409 the run
            is already being checked; 429 the backlog is full; 503 the journal
            cannot be written.
    """
    rules: RulesDir = app.state.rules
    rule_set = rules.get(body.model)
    if rule_set is None:
        known = ", ".join(rules.models()) or "none"
        refused = rules.errors
        note = (
            f" ({len(refused)} rules file(s) refused: see the log)" if refused else ""
        )
        raise ApiError(
            404,
            f"no rules for model {body.model!r}; known: {known}{note}",
            [{"file": path, "msg": error} for path, error in refused.items()],
        )
    settings: ServiceSettings = app.state.settings
    data = {
        what: data_source(part, settings, what)
        for what, part in (
            ("inputs", body.inputs),
            ("predictions", body.predictions),
            ("labels", body.labels),
        )
        if part is not None
    }
    store: Store = app.state.store
    run = RunRequest(
        rule_set=rule_set,
        run_id=body.run_id,
        inputs=data["inputs"],
        predictions=data.get("predictions"),
        labels=data.get("labels"),
        model_version=body.model_version,
        source="api",
        report_base=settings.report_url,
    )
    journal: Journal = app.state.journal
    replayed = entry is not None
    if entry is None:
        try:
            entry = journal.add(body.model_dump(mode="json"))
        except (OSError, ValueError) as exc:
            raise ApiError(
                503, f"the submission could not be written to {journal.folder}: {exc}"
            ) from exc
    written = entry

    def work() -> None:
        try:
            check(run, store=store)
        except MonitorError as exc:  # unreadable data: the failure is kept too
            record_failure(run, exc, store=store)
            raise
        finally:
            journal.done(written)

    pool: RunPool = app.state.runs
    try:
        pool.submit(body.model, body.run_id, work, bounded=not replayed)
    except ApiError:
        journal.done(written)
        raise


def replay_journal(app: Any) -> int:
    """Queue the submissions a previous process accepted and did not finish."""
    journal: Journal = app.state.journal
    queued = 0
    for entry, body in journal.pending():
        try:
            accept(app, RunIn.model_validate(body), entry=entry)
        except (ApiError, ValueError) as exc:
            log.warning("a journalled submission was dropped: %s", exc)
            journal.done(entry)
            continue
        queued += 1
    if queued:
        log.warning("queued %d submission(s) accepted before a restart", queued)
    return queued


def data_source(part: DataIn, settings: ServiceSettings, what: str) -> Any:
    """The frame of inline records, or the checked path under a data root."""
    if part.path is not None:
        return safe_path(part.path, settings.data_roots, what=what)
    import pandas as pd

    return pd.DataFrame.from_records(part.records or [])
