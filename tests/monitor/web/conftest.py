"""Fixtures of the report's tests: a seeded store and an app serving the report.

The app is a bare FastAPI with the report installed, as the service's
``create_app`` does, so these tests need nothing else of the service.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI

from modelhealth.config import ServiceSettings
from modelhealth.store import Store
from tests.monitor.web.seed import seed, seed_incidents

with warnings.catch_warnings():  # starlette's testclient warns about httpx at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

__all__ = ["TestClient", "make_app"]


def make_app(store: Store, settings: ServiceSettings | None = None) -> FastAPI:
    import modelhealth.web

    app = FastAPI()
    app.state.store = store
    app.state.settings = settings or ServiceSettings(db_url=store.url)
    modelhealth.web.install(app)
    return app


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'report.db'}"


@pytest.fixture
def empty_store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as store:
        yield store


@pytest.fixture
def seeded_store(empty_store: Store, db_url: str) -> Store:
    seed(empty_store)
    seed_incidents(empty_store, db_url)
    return empty_store


@pytest.fixture
def client(seeded_store: Store) -> Iterator[TestClient]:
    with TestClient(make_app(seeded_store)) as made:
        yield made


@pytest.fixture
def empty_client(empty_store: Store) -> Iterator[TestClient]:
    with TestClient(make_app(empty_store)) as made:
        yield made
