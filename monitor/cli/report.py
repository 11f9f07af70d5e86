"""``modelhealth report``: write one model's web report as a self-contained HTML file.

Registered on the main app by :func:`register`; imports only typer at module level
so that ``modelhealth --help`` stays fast. The page is the one ``modelhealth
serve`` shows at ``/models/NAME``, plus the latest run's details, with CSS and SVG
charts inlined (see :mod:`modelhealth.web.export`), for a pipeline artifact or an email.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["register"]


def report(
    model: Annotated[str, typer.Option("--model", "-m", help="The model to report.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Where to write the HTML file.")
    ] = Path("report.html"),
    runs: Annotated[
        int, typer.Option(help="How many of the latest runs to chart.", min=1)
    ] = 90,
    db: Annotated[
        Optional[str],  # noqa: UP045 - typer needs Optional at runtime on 3.10
        typer.Option(
            "--db",
            help="Store URL or SQLite file [env MODELHEALTH_DB; "
            "default ./modelhealth.db].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a model's health report as one self-contained HTML file."""
    from modelhealth.api import open_store
    from modelhealth.web.export import export_model

    store = open_store(db)
    try:
        written = export_model(store, model, out, runs=runs)
    finally:
        store.close()
    typer.echo(f"wrote {written} ({written.stat().st_size / 1024:,.0f} KiB)")


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""
    app.command("report")(report)
