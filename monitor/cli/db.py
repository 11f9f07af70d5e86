"""``modelhealth db upgrade``: the store's upkeep."""

from __future__ import annotations

import typer

from modelhealth.cli.helptext import FullHelpGroup
from modelhealth.cli.options import DbOpt

__all__ = ["register"]

db_app = typer.Typer(
    help="Manage the store.",
    no_args_is_help=True,
    rich_markup_mode=None,
    cls=FullHelpGroup,
)


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None) -> None:
    """Apply the store's migrations (done automatically on first use too)."""
    from modelhealth.api import open_store

    store = open_store(db)
    try:
        revision = store.upgrade()
        typer.echo(f"{store.url}: at revision {revision}")
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    """Add the ``db`` group to ``app``."""
    app.add_typer(db_app, name="db")
