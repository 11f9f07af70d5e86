"""Where the store lives: from what the user typed to a SQLAlchemy engine.

The URL comes from the argument, else ``MODELHEALTH_DB``, else ``./modelhealth.db``.
A bare file path means SQLite; ``postgresql://`` and ``postgres://`` mean psycopg 3
(the only PostgreSQL driver installed). Every URL shown to people goes through
:func:`mask` so that a password never reaches a log line or an error message.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from modelhealth.errors import StorageError

__all__ = [
    "CONNECT_TIMEOUT",
    "DEFAULT_URL",
    "ENV_VAR",
    "create_engine",
    "mask",
    "reason",
    "resolve",
]

ENV_VAR = "MODELHEALTH_DB"
DEFAULT_URL = "sqlite:///./modelhealth.db"
CONNECT_TIMEOUT = 5
"""Seconds to wait for a server (and, in SQLite, for a lock) before giving up."""

_USERINFO = re.compile(r"(?<=://)([^:/@]*):[^@/]*@")


def resolve(url: str | None) -> str:
    """The URL to use: the argument, ``MODELHEALTH_DB``, or the default SQLite file."""
    raw = (url or os.environ.get(ENV_VAR) or DEFAULT_URL).strip()
    if "://" not in raw:
        return "sqlite:///" + str(Path(raw).expanduser())
    scheme, rest = raw.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return raw


def mask(url: str) -> str:
    """``url`` with its password replaced by ``***``, even if it does not parse."""
    try:
        parsed = make_url(url)
        if "password" in parsed.query:  # ``?password=...`` is as secret as user:pw@
            parsed = parsed.update_query_dict({"password": "***"})
        rendered = parsed.render_as_string(hide_password=True)
        return rendered.replace("password=%2A%2A%2A", "password=***")
    except (ArgumentError, ValueError):
        return _USERINFO.sub(r"\1:***@", url)


def _scrub(text: str, url: URL) -> str:
    """Drivers may echo connection strings in their messages; never the password."""
    secrets = [url.password, url.query.get("password")]
    for secret in secrets:
        if isinstance(secret, str) and secret:
            text = text.replace(secret, "***")
    return text


def create_engine(url: str) -> Engine:
    """An engine for ``url`` with the store's connection settings.

    SQLite gets foreign keys, WAL and a busy timeout on every connection, and the
    file's folder is created; PostgreSQL gets a connect timeout.

    Raises:
        StorageError: the URL cannot be parsed, is neither SQLite nor PostgreSQL, or
            names a driver that is not installed.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StorageError(mask(url), f"not a database URL ({exc})") from None
    args: dict[str, Any] = {}
    kwargs: dict[str, Any] = {"pool_pre_ping": True}
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StorageError(mask(url), "only SQLite and PostgreSQL are supported")
    if backend == "sqlite":
        args = {"timeout": CONNECT_TIMEOUT, "check_same_thread": False}
        database = parsed.database or ""
        if database in ("", ":memory:"):
            kwargs["poolclass"] = StaticPool  # one connection, or each sees its own DB
        elif not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
    elif backend == "postgresql" and "connect_timeout" not in parsed.query:
        args["connect_timeout"] = CONNECT_TIMEOUT
    try:
        engine = sa.create_engine(parsed, connect_args=args, **kwargs)
    except Exception as exc:  # unknown dialect or missing driver: says why
        raise StorageError(mask(url), _scrub(str(exc), parsed)) from exc
    if backend == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={CONNECT_TIMEOUT * 1000}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def reason(exc: BaseException, url: str) -> str:
    """One line that says why a database call failed, without the password."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split()) or type(orig).__name__
    try:
        return _scrub(text, make_url(url))
    except (ArgumentError, ValueError):
        return text
