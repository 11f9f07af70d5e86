"""Alembic's entry point for the store's migrations.

:func:`modelhealth.store.migrate.upgrade` runs it with an open connection in
``config.attributes["connection"]``; the ``alembic`` command line (``alembic -c
monitor/store/alembic.ini revision --autogenerate -m ...``) runs it with
``sqlalchemy.url`` from the ini file or ``MODELHEALTH_DB``. SQLite uses batch mode,
so later migrations can alter its tables.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from modelhealth.store.models import Base
from modelhealth.store.urls import create_engine, resolve

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(resolve(config.get_main_option("sqlalchemy.url")))
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


_main()
