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
``/openapi.json``. A pure-ASGI guard refuses bodies larger than ``max_body`` with 413
before they are read, and every error has one JSON shape
(:mod:`modelhealth.service.http.errors`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import modelhealth.web
from modelhealth.config import ServiceSettings
from modelhealth.service.http import (
    api,
    errors,
    gates,
    metrics,
    oncall,
    slack_actions,
)
from modelhealth.service.http.submit import RunPool
from modelhealth.service.rulesdir import RulesDir
from modelhealth.store import Store

__all__ = ["create_app"]


class _BodyLimit:
    """Refuse a request body over ``limit`` bytes with 413, without reading on."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

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
            message = await receive()
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
) -> FastAPI:
    """Build the service app.

    Args:
        settings: the service settings.
        store: an open store; by default one is opened at ``settings.db_url`` and
            closed when the app shuts down.
        rules: the rules in force; by default loaded from ``settings.rules_dirs``.

    Returns:
        The FastAPI application, ready for uvicorn.

    Raises:
        StorageError: the store cannot be reached or migrated.
    """
    own_store = store is None
    the_store = Store(settings.db_url) if store is None else store
    pool = RunPool(settings.workers)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        pool.shutdown(wait=True)
        if own_store:
            the_store.close()

    app = FastAPI(
        title="modelhealth",
        version=version("modelhealth"),
        description="Model health monitoring: submit runs, read models, runs, "
        "results, incidents and baselines. Errors share one JSON shape.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = the_store
    app.state.rules = rules if rules is not None else RulesDir(settings.rules_dirs)
    app.state.runs = pool
    errors.install(app)
    app.include_router(api.router)
    app.include_router(gates.router)
    app.include_router(oncall.router)
    app.include_router(slack_actions.router)
    app.include_router(metrics.router)
    modelhealth.web.install(app)
    app.add_middleware(_BodyLimit, limit=settings.max_body)
    return app
