"""Assemble the service's FastAPI app: :func:`create_app`.

The app keeps its state on ``app.state``:

- ``settings``: the :class:`~modelhealth.config.ServiceSettings`;
- ``store``: the :class:`~modelhealth.store.Store` every route and page reads;
- ``rules``: the :class:`~modelhealth.service.rulesdir.RulesDir` in force (reloaded in
place);
- ``runs``: the :class:`~modelhealth.service.http.submit.RunPool` checking submitted
runs.

The web report installs its pages through :func:`modelhealth.web.install`; the API lives
under ``/api/v1``, Prometheus text at ``/metrics``, the OpenAPI spec at
``/openapi.json`` and its browsable form at ``/docs`` (both behind the read token
when one is set). A pure-ASGI guard refuses bodies larger than ``max_body`` with 413
before they are read, and a body that trickles in slower than :data:`BODY_TIMEOUT`
allows with 408; another adds the security headers (:data:`SECURITY_HEADERS`) to
every response. Every error has one JSON shape
(:mod:`modelhealth.service.http.errors`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import modelhealth.web
from modelhealth.config import ServiceSettings
from modelhealth.run.spool import Replayer, spool_dir
from modelhealth.service.http import (
    api,
    errors,
    gates,
    metrics,
    oncall,
    slack_actions,
)
from modelhealth.service.http.journal import Journal
from modelhealth.service.http.submit import RunPool
from modelhealth.service.rulesdir import RulesDir
from modelhealth.store import Store
from modelhealth.web.auth import require_read

__all__ = ["BODY_TIMEOUT", "SECURITY_HEADERS", "create_app"]

BODY_TIMEOUT = 30.0
"""Seconds the service waits for the next piece of a request body before it
answers 408 and lets the connection go (a slow or stalled client)."""

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
"""Sent with every response, pages, API and errors alike."""

# /docs loads Swagger UI from its CDN, so its page alone may load from there
_DOCS_CSP = (
    "default-src 'self'; img-src 'self' data: https://fastapi.tiangolo.com; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


class _SecurityHeaders:
    """Add :data:`SECURITY_HEADERS` to every HTTP response (unless a route set its
    own ``Content-Security-Policy``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = [
            (k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                given = list(message.get("headers") or [])
                names = {k.lower() for k, _ in given}
                given.extend(h for h in self._headers if h[0] not in names)
                message = {**message, "headers": given}
            await send(message)

        await self.app(scope, receive, with_headers)


class _BodyLimit:
    """Refuse a request body over ``limit`` bytes with 413, without reading on."""

    def __init__(self, app: ASGIApp, limit: int, timeout: float = BODY_TIMEOUT) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        chunks: list[Message] = []
        size = 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), self.timeout)
            except asyncio.TimeoutError:
                response = errors.error_response(
                    408,
                    f"the request body did not arrive within {self.timeout:g} s",
                )
                await response(scope, receive, send)
                return
            chunks.append(message)
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body"):
                break

        async def replay() -> Message:
            return chunks.pop(0) if chunks else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = errors.error_response(
            413, f"the request body is larger than the limit of {self.limit} bytes"
        )
        await response(scope, receive, send)


def create_app(
    settings: ServiceSettings,
    *,
    store: Store | None = None,
    rules: RulesDir | None = None,
    body_timeout: float = BODY_TIMEOUT,
) -> FastAPI:
    """Build the service app.

    Args:
        settings: the service settings.
        store: an open store; by default one is opened at ``settings.db_url`` and
            closed when the app shuts down.
        rules: the rules in force; by default loaded from ``settings.rules_dirs``.
        body_timeout: seconds to wait for each piece of a request body.

    Returns:
        The FastAPI application, ready for uvicorn.

    Raises:
        StorageError: the store cannot be reached or migrated.
    """
    own_store = store is None
    the_store = Store(settings.db_url) if store is None else store
    pool = RunPool(settings.workers)
    replayer = Replayer(the_store, spool_dir())

    @asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        replayer.start()
        api.replay_journal(started)
        yield
        pool.shutdown(wait=True)
        replayer.stop()
        if own_store:
            the_store.close()

    app = FastAPI(
        title="modelhealth",
        version=version("modelhealth"),
        description="Model health monitoring: submit runs, read models, runs, "
        "results, incidents and baselines. Errors share one JSON shape.",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = the_store
    app.state.rules = rules if rules is not None else RulesDir(settings.rules_dirs)
    app.state.runs = pool
    app.state.journal = Journal(spool_dir() / "submitted")
    errors.install(app)
    app.include_router(api.router)
    app.include_router(gates.router)
    app.include_router(oncall.router)
    app.include_router(slack_actions.router)
    app.include_router(metrics.router)
    modelhealth.web.install(app)
    _install_docs(app)
    app.add_middleware(_BodyLimit, limit=settings.max_body, timeout=body_timeout)
    app.add_middleware(_SecurityHeaders)
    return app


def _install_docs(app: FastAPI) -> None:
    """``/openapi.json`` and ``/docs``, behind the read token when one is set."""

    @app.get(
        "/openapi.json", include_in_schema=False, dependencies=[Depends(require_read)]
    )
    def openapi_spec() -> dict[str, Any]:
        return app.openapi()

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(require_read)])
    def docs(request: Request) -> HTMLResponse:
        token = request.query_params.get("token")
        spec = "/openapi.json" + (f"?token={token}" if token else "")
        page = get_swagger_ui_html(openapi_url=spec, title="modelhealth API")
        page.headers["Content-Security-Policy"] = _DOCS_CSP
        return page
