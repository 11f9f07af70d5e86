"""``modelhealth spool ...``: the runs that wait while the store is down.

- ``spool replay [--db URL] [--spool DIR]``: store every spooled run, oldest first,
  and remove its file. A run is stored once however often it is replayed (a replay
  killed half-way is simply run again), and never over a newer check of the same
  run id. Exit 0 when the spool is empty afterwards, 3 when runs are left (the
  store is still down).
- ``spool list [--spool DIR]``: the spooled runs, one line each.

The service (``modelhealth serve``) replays its spool on its own. Registered on the
main app by :func:`register`; imports only typer at module level.
"""

from __future__ import annotations

import typer

from modelhealth.cli.options import DbOpt, SpoolOpt
from modelhealth.errors import ExitCode

__all__ = ["register"]

spool_app = typer.Typer(
    help="Runs spooled while the store was unreachable.", no_args_is_help=True
)


@spool_app.command("replay")
def replay(db: DbOpt = None, spool: SpoolOpt = None) -> None:
    """Store the spooled runs, then remove them from the spool."""
    from modelhealth.run import spool as spooling
    from modelhealth.store.opening import using

    folder = spooling.spool_dir(spool)
    with using(db) as store:
        stats = spooling.replay(store, folder)
    typer.echo(f"spool {folder}: {stats}")
    raise typer.Exit(ExitCode.NOT_CHECKED if stats.left else ExitCode.OK)


@spool_app.command("list")
def list_spooled(spool: SpoolOpt = None) -> None:
    """List the spooled runs, oldest check first."""
    from modelhealth.run import spool as spooling

    folder = spooling.spool_dir(spool)
    files = spooling.pending(folder)
    for path in files:
        try:
            report = spooling.read(path).report
        except ValueError as exc:
            typer.echo(f"{path.name}: {exc}", err=True)
            continue
        typer.echo(
            f"{report.model} {report.run_id} {report.status.value} "
            f"checked {report.finished_at:%Y-%m-%d %H:%M:%S} UTC  {path.name}"
        )
    typer.echo(f"{len(files)} run(s) in {folder}")


def register(app: typer.Typer) -> None:
    """Add the ``spool`` group to the main app."""
    app.add_typer(spool_app, name="spool")
