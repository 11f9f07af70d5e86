"""One JSON shape for every error the API answers with.

Every refusal, whatever raised it, reaches the client as::

    {"ok": false, "error": "one sentence", "errors": [...], "status": 404}

``error`` is the sentence to show; ``errors`` lists the individual problems (each
``{"loc": "body.run_id", "msg": "..."}`` for a malformed request, otherwise the
error's lines); ``status`` repeats the HTTP status. :func:`install` registers the
handlers: FastAPI's validation errors (422), Starlette's HTTP errors (404, 405...),
:class:`ApiError` raised by the routes, :class:`~modelhealth.web.auth.AuthError` (401),
and anything unexpected (500, logged with its traceback, its text not shown).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from modelhealth.web.auth import AuthError

__all__ = ["ApiError", "ErrorBody", "error_response", "install"]

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    """The JSON body of every error (documented in the OpenAPI spec)."""

    ok: bool = False
    error: str
    errors: list[Any] = []
    status: int


class ApiError(Exception):
    """A refusal raised by a route, answered with ``status`` and the message.

    Args:
        status: the HTTP status (400, 403, 404, 413...).
        error: one sentence saying what was wrong.
        errors: the individual problems, when there are several.
    """

    def __init__(self, status: int, error: str, errors: Sequence[Any] = ()) -> None:
        self.status = status
        self.error = error
        self.errors = list(errors)
        super().__init__(error)


def error_response(
    status: int,
    error: str,
    errors: Sequence[Any] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The error shape as a response."""
    body = {"ok": False, "error": error, "errors": list(errors), "status": status}
    return JSONResponse(body, status_code=status, headers=headers)


def _loc(loc: Sequence[Any]) -> str:
    return ".".join(str(p) for p in loc)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"loc": _loc(e.get("loc", ())), "msg": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    first = problems[0] if problems else {"loc": "", "msg": "invalid request"}
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return error_response(
        422, f"invalid request: {first['loc']}: {first['msg']}{more}", problems
    )


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    return error_response(exc.status_code, detail, headers=exc.headers)


async def _api(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.error, exc.errors)


async def _auth(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AuthError)
    return error_response(
        401, exc.reason, headers={"WWW-Authenticate": 'Bearer realm="modelhealth"'}
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(500, f"internal error ({type(exc).__name__}); see the log")


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the one JSON shape."""
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(AuthError, _auth)
    app.add_exception_handler(Exception, _unexpected)
