"""Opening a store from what users give: a URL, a SQLite path, an open store.

:func:`open_store` makes a :class:`Store`; :func:`using` lends one for a block and
closes it afterwards only when it opened it, so a caller's own store stays open.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from modelhealth import config
from modelhealth.errors import UsageError
from modelhealth.store.store import Store
from modelhealth.store.urls import resolve

__all__ = ["open_store", "using"]


def open_store(db: str | Store | None = None, *, existing: bool = False) -> Store:
    """A store from a URL, a SQLite path, an open store, or the configured default.

    Args:
        db: the store.
        existing: the caller only reads (``status``, ``alerts pending``...): a SQLite
            file that does not exist is a mistyped path, not a store to create.

    Raises:
        UsageError: ``existing`` and no SQLite file at that path.
        StorageError: the store is unreachable.
    """
    if isinstance(db, Store):
        return db
    url = resolve(config.db_url(db))
    if existing and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if str(path) != ":memory:" and not path.exists():
            raise UsageError(f"there is no store at {str(path)!r}; check --db")
    return Store(url)


@contextmanager
def using(db: str | Store | None = None, *, existing: bool = False) -> Iterator[Store]:
    """The store ``db`` names, for the block; closed after it only if opened here.

    Raises:
        UsageError: ``existing`` and no SQLite file at that path.
        StorageError: the store is unreachable.
    """
    store = open_store(db, existing=existing)
    try:
        yield store
    finally:
        if store is not db:
            store.close()
