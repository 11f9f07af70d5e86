"""Bearer tokens: who may read and who may write.

Two FastAPI dependencies guard the routes. :func:`require_write` guards every ``POST``:
the request must carry ``Authorization: Bearer <write_token>``; with no write token
configured, writes are refused outright (a service must not take writes from anyone
by accident). :func:`require_read` guards reads only when a read token is configured;
it accepts the token as ``Authorization: Bearer`` or, for links opened in a browser,
as a ``?token=`` query parameter. The write token also grants reads.

Both read the settings from ``request.app.state.settings`` and compare tokens in
constant time. A refusal is an :class:`AuthError`, which the app's error handler
turns into the one JSON error shape with status 401.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from modelhealth.config import ServiceSettings

__all__ = ["AuthError", "require_read", "require_write"]


class AuthError(Exception):
    """A request without the token it needs (answered with 401).

    Args:
        reason: why it was refused, for the error message.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _matches(given: str | None, *expected: str | None) -> bool:
    if given is None:
        return False
    return any(
        e is not None and hmac.compare_digest(given.encode(), e.encode())
        for e in expected
    )


def require_read(request: Request) -> None:
    """Allow a read when no read token is set, or the request carries one.

    The token may come as ``Authorization: Bearer <token>`` or ``?token=<token>``;
    the write token is accepted too, but only in the header: a URL ends up in
    browser histories and proxy logs, which is acceptable for a read token only.

    Raises:
        AuthError: a read token is configured and the request lacks it.
    """
    settings: ServiceSettings = request.app.state.settings
    if settings.read_token is None:
        return
    header = _bearer(request)
    if header is not None:
        if not _matches(header, settings.read_token, settings.write_token):
            raise AuthError("the bearer token is not valid")
        return
    query = request.query_params.get("token")
    if query is None:
        raise AuthError("this endpoint needs a bearer token (read token)")
    if not _matches(query, settings.read_token):
        raise AuthError("the token is not valid (the write token goes in the header)")


def require_write(request: Request) -> None:
    """Allow a write only with ``Authorization: Bearer <write_token>``.

    Raises:
        AuthError: no write token is configured, or the request lacks it.
    """
    settings: ServiceSettings = request.app.state.settings
    if settings.write_token is None:
        raise AuthError("writes are disabled: no write token is configured")
    given = _bearer(request)
    if given is None:
        raise AuthError("this endpoint needs a bearer token (write token)")
    if not _matches(given, settings.write_token):
        raise AuthError("the bearer token is not valid")
