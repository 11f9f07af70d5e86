"""Bring a database's schema to the newest Alembic revision, configured in code.

The migrations live in ``migrations/versions`` (``0001_initial.py``, then ``0002_...``
as the service grows). :func:`is_current` is the cheap check done on every start: one
read of ``alembic_version``, compared with the head revision read from the version
files' ``revision``/``down_revision`` lines, so a store that is up to date never
imports Alembic (about a third of a second). :func:`upgrade` applies what is missing
with Alembic, in one transaction where the database allows it (PostgreSQL), under an
advisory lock so that two processes starting together do not both migrate.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["MIGRATIONS", "alembic_config", "head", "is_current", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x6D6F6E68  # "monh": any constant shared by every modelhealth process


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the store's migrations, with no ini file.

    Args:
        connection: the connection ``env.py`` migrates; ``None`` for offline use.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


_REVISION = re.compile(r'^(down_)?revision\b[^=]*=\s*(?:"([^"]+)"|None)', re.M)


@cache
def head() -> str:
    """The newest revision the code knows: the one no other version revises.

    Read from the version files' ``revision`` and ``down_revision`` lines (a test
    holds this equal to Alembic's own head), so that checking needs no Alembic.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            if value:
                (revised if down else revisions).add(value)
    heads = revisions - revised
    assert len(heads) == 1, f"migrations/versions must have one head, has {heads}"
    return heads.pop()


def _current(connection: Connection) -> set[str]:
    if not sa.inspect(connection).has_table("alembic_version"):
        return set()
    rows = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
    return {str(v) for v in rows.scalars()}


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
            from alembic import command

            command.upgrade(alembic_config(conn), "head")
    return head()
