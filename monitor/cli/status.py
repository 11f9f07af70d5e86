"""``modelhealth status``: the models' health, or one model's recent runs."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from modelhealth.cli.console import console as new_console
from modelhealth.cli.options import DbOpt, JsonOpt

__all__ = ["register"]


def status(
    model: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--model", "-m", help="Show this model's recent runs."),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many runs to show.", min=1)] = 30,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the models' health, or one model's recent runs."""
    from modelhealth.api import open_store
    from modelhealth.cli.history import (
        history_json,
        models_json,
        print_history,
        print_models,
    )

    store = open_store(db, existing=True)
    try:
        if as_json:
            data: object = (
                history_json(store, model, limit=limit) if model else models_json(store)
            )
            typer.echo(json.dumps(data, indent=2))
        elif model:
            print_history(new_console(), store, model, limit=limit)
        else:
            print_models(new_console(), store)
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    """Add ``status`` to ``app``."""
    app.command()(status)
