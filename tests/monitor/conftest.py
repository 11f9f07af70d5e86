"""Store fixtures: one SQLite file per test, and one PostgreSQL schema per test.

PostgreSQL comes from ``MODELHEALTH_TEST_PG`` (default: the local server). Each test
gets a fresh schema, selected through libpq's ``options=-csearch_path=...`` in the
URL, and dropped afterwards. Where no server answers the PostgreSQL cases skip with
the reason, except under ``CI=true``, where they fail: CI must run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from modelhealth.store import Store
from modelhealth.store.urls import create_engine, mask, reason

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An engine on the test server's database, or a skip (a failure in CI)."""
    url = os.environ.get("MODELHEALTH_TEST_PG", PG_DEFAULT)
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        engine.dispose()
        message = f"PostgreSQL not reachable at {mask(url)}: {reason(exc, url)}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_admin: Engine) -> Iterator[str]:
    """A URL whose connections see only a fresh schema, dropped after the test."""
    schema = f"test_store_{uuid.uuid4().hex[:12]}"
    with pg_admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = pg_admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with pg_admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated store on an empty database."""
    with Store(store_url) as opened:
        yield opened


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A second way into the store's database, for counting rows behind its back."""
    made = create_engine(store_url)
    yield made
    made.dispose()
