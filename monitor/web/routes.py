"""The report's routes: four pages, each with a ``.json`` twin, all read-only ``GET``.

=====================================  =============================================
``/``  (``/index.json``)               every model's health (the overview)
``/models/{name}``  (``.json``)        one model's history; ``?since=&until=`` (dates,
                                       ``until`` inclusive), ``status``, ``page``,
                                       ``per_page``
``/models/{name}/runs/{run_id}``       one run's results and drifted distributions
``/incidents``  (``.json``)            open and resolved incidents
=====================================  =============================================

Names may hold any character, ``/`` included (they are percent-encoded in links);
run routes are declared first so that ``.../runs/...`` is never read as a model name.
Each handler asks :mod:`modelhealth.web.views` for the page's data, then answers it as
JSON or renders it as HTML. An unknown model or run is a 404 in the same form (JSON
``{"ok": false, "error", "errors", "status"}`` or an HTML page); bad filters are a 400.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import HTMLResponse, JSONResponse, Response

from modelhealth.store import Store
from modelhealth.web import views
from modelhealth.web.render import Links, render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PER_PAGE = (1, 1000)


class _BadRequest(Exception):
    pass


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _links(request: Request) -> Links:
    return Links(served=True, token=request.query_params.get("token"))


def _error(as_json: bool, request: Request, status: int, message: str) -> Response:
    if as_json:
        body = {"ok": False, "error": message, "errors": [message], "status": status}
        return JSONResponse(body, status_code=status)
    view = {"error": message, "hint": "Check the address, or start from the overview."}
    html = render(
        "error.html",
        view,
        _links(request),
        title=message,
        page="error",
        json_url=None,
        generated_at=datetime.now(timezone.utc),
    )
    return HTMLResponse(html, status_code=status)


def _answer(
    request: Request,
    as_json: bool,
    template: str,
    build: Callable[[], dict[str, Any] | None],
    *,
    title: Callable[[dict[str, Any]], str],
    missing: str,
    page: str,
) -> Response:
    try:
        view = build()
    except _BadRequest as exc:
        return _error(as_json, request, 400, str(exc))
    if view is None:
        return _error(as_json, request, 404, missing)
    if as_json:
        return JSONResponse(jsonable_encoder(view))
    raw = request.scope.get("raw_path")  # as sent: names stay percent-encoded
    path = raw.decode("latin-1") if raw else request.url.path
    html = render(
        template,
        view,
        _links(request),
        title=title(view),
        page=page,
        json_url=_links(request).json(
            path, {k: v for k, v in request.query_params.items() if k != "token"}
        ),
        generated_at=datetime.now(timezone.utc),
    )
    return HTMLResponse(html)


def _day(text: str | None, name: str, *, end: bool = False) -> datetime | None:
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            start = datetime.combine(day, time(), tzinfo=timezone.utc)
            return start + timedelta(days=1) if end else start
        found = datetime.fromisoformat(text)
    except ValueError:
        raise _BadRequest(
            f"{name} must be a date like 2026-03-25, not {text!r}"
        ) from None
    return found if found.tzinfo else found.replace(tzinfo=timezone.utc)


def _int(text: str | None, name: str, default: int, bounds: tuple[int, int]) -> int:
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise _BadRequest(f"{name} must be a whole number, not {text!r}") from None
    if not bounds[0] <= value <= bounds[1]:
        raise _BadRequest(f"{name} must be between {bounds[0]} and {bounds[1]}")
    return value


def _filters(request: Request) -> views.Filters:
    q = request.query_params
    status = q.get("status") or None
    if status is not None and status not in views.STATUSES:
        known = ", ".join(views.STATUSES)
        raise _BadRequest(f"unknown status {status!r}; known: {known}")
    return views.Filters(
        since=_day(q.get("since"), "since"),
        until=_day(q.get("until"), "until", end=True),
        status=status,
        page=_int(q.get("page"), "page", 1, (1, 10**9)),
        per_page=_int(q.get("per_page"), "per_page", 90, _PER_PAGE),
    )


def _overview(request: Request, as_json: bool) -> Response:
    return _answer(
        request,
        as_json,
        "overview.html",
        lambda: views.overview_view(_store(request)),
        title=lambda _: "Models",
        missing="",
        page="overview",
    )


@router.get("/index.json")
@router.get("/.json")
def overview_json(request: Request) -> Response:
    return _overview(request, True)


@router.get("/")
def overview(request: Request) -> Response:
    return _overview(request, False)


def _run(request: Request, name: str, run_id: str, as_json: bool) -> Response:
    return _answer(
        request,
        as_json,
        "run.html",
        lambda: views.run_view(_store(request), name, run_id),
        title=lambda v: f"{v['model']} run {v['run']['run_id']}",
        missing=f"no run {run_id!r} of model {name!r}",
        page="run",
    )


@router.get("/models/{name:path}/runs/{run_id:path}.json")
def run_json(request: Request, name: str, run_id: str) -> Response:
    return _run(request, name, run_id, True)


@router.get("/models/{name:path}/runs/{run_id:path}")
def run(request: Request, name: str, run_id: str) -> Response:
    return _run(request, name, run_id, False)


def _model(request: Request, name: str, as_json: bool) -> Response:
    return _answer(
        request,
        as_json,
        "model.html",
        lambda: views.model_view(_store(request), name, _filters(request)),
        title=lambda v: str(v["model"]),
        missing=f"no model named {name!r}",
        page="model",
    )


@router.get("/models/{name:path}.json")
def model_json(request: Request, name: str) -> Response:
    return _model(request, name, True)


@router.get("/models/{name:path}")
def model(request: Request, name: str) -> Response:
    return _model(request, name, False)


def _choice(request: Request, name: str, known: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name) or None
    if value is not None and value not in known:
        raise _BadRequest(f"unknown {name} {value!r}; known: {', '.join(known)}")
    return value


def _incidents_view(request: Request) -> dict[str, Any]:
    return views.incidents_view(
        _store(request),
        model=request.query_params.get("model") or None,
        severity=_choice(request, "severity", views.SEVERITIES),
        state=_choice(request, "state", views.INCIDENT_STATES),
    )


def _incidents(request: Request, as_json: bool) -> Response:
    return _answer(
        request,
        as_json,
        "incidents.html",
        lambda: _incidents_view(request),
        title=lambda _: "Incidents",
        missing="",
        page="incidents",
    )


@router.get("/incidents.json")
def incidents_json(request: Request) -> Response:
    return _incidents(request, True)


@router.get("/incidents")
def incidents(request: Request) -> Response:
    return _incidents(request, False)
