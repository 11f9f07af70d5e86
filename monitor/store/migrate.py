"""Bring a database's schema to the newest Alembic revision, configured in code.

The migrations live in ``migrations/versions`` (``0001_initial.py``, then ``0002_...``
as the service grows). :func:`is_current` is the cheap check done on every start (one
read of ``alembic_version``); :func:`upgrade` applies what is missing, in one
transaction where the database allows it (PostgreSQL), under an advisory lock so that
two processes starting together do not both migrate.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

__all__ = ["MIGRATIONS", "alembic_config", "head", "is_current", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x6D6F6E68  # "monh": any constant shared by every modelhealth process


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the store's migrations, with no ini file.

    Args:
        connection: the connection ``env.py`` migrates; ``None`` for offline use.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision the code knows."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None, "monitor/store/migrations/versions is empty"
    return revision


def _current(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def is_current(engine: Engine) -> bool:
    """Whether the database is at :func:`head` (``False`` on an empty database)."""
    with engine.connect() as conn:
        return _current(conn) == {head()}


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    """On a SQLite file, one process migrates at a time (a lock file beside it).

    SQLite's DDL is not transactional under Alembic, so two processes opening a new
    store together would both create the tables; PostgreSQL uses an advisory lock.
    """
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(engine: Engine) -> str:
    """Apply every migration the database lacks.

    Returns:
        The head revision, which the database is now at.
    """
    with _file_lock(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY}
            )
        if _current(conn) != {head()}:
            command.upgrade(alembic_config(conn), "head")
    return head()
