"""``modelhealth alerts ...``: test a channel, deliver and inspect the outbox.

- ``alerts test --channel NAME [--rules FILE]``: send a test message now, straight
  through every route of that channel (the rules file's and the service file's),
  and say what each answered: the way to check a token or a URL before 3 a.m.
- ``alerts flush [--budget S]``: deliver what waits in the outbox.
- ``alerts pending``: list what waits, with attempts and the last error.
- ``alerts incidents [--model M] [--status open|resolved] [--json]``: the
  incidents, with who acknowledged them and which silence holds them;
- ``alerts ack|unack|silence|silences|unsilence``: see :mod:`modelhealth.cli.oncall`.

Registered on the main app by :func:`register`; imports only typer at module level
so that ``modelhealth --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from modelhealth.cli.helptext import FullHelpGroup
from modelhealth.cli.oncall import add_commands, incident_json, incident_line
from modelhealth.cli.options import DbOpt as _Db

__all__ = ["register"]

alerts_app = typer.Typer(
    help="Alert channels, the outbox and incidents.",
    no_args_is_help=True,
    cls=FullHelpGroup,
)

_Config = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--config",
        help="The service file [env MODELHEALTH_CONFIG; default ./modelhealth.yaml].",
        show_default=False,
    ),
]
_Json = Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")]


@alerts_app.command("test")
def send_test(
    channel: Annotated[
        str, typer.Option("--channel", "-c", help="The channel: slack, webhook, ...")
    ],
    rules: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--rules", "-r", help="A rules file whose routes to use."),
    ] = None,
    config: _Config = None,
) -> None:
    """Send a test message through every route of one channel, now."""
    import uuid

    from modelhealth.alerts import registry
    from modelhealth.alerts.base import Alert
    from modelhealth.config import load_rules, service_config
    from modelhealth.errors import ExitCode, UsageError

    if channel not in registry.channels():
        raise UsageError(
            f"unknown channel {channel!r}; known: {', '.join(registry.channels())}"
        )
    service = service_config(config)
    rule_set = load_rules(rules) if rules is not None else None
    routes = [*(rule_set.alerts if rule_set else ()), *service.alerts]
    picked = [r for r in routes if r.channel == channel]
    if not picked and channel == "console":
        from modelhealth.alerts.console import ConsoleParams

        picked = [ConsoleParams()]
    if not picked:
        where = f"{rules} or the service file" if rules else "the service file"
        raise UsageError(
            f"no {channel!r} route in {where}; add one, or pass --rules FILE"
        )
    model = rule_set.model if rule_set else "modelhealth"
    bad = 0
    for params in picked:
        alert = Alert(model, "test", (), kind="test", key=str(uuid.uuid4()))
        try:
            with registry.build(params) as built:
                delivery = built.send(alert)
            ok, detail = delivery.ok, delivery.detail
        except Exception as exc:  # a channel that cannot even be built
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        target = getattr(params, "to", None) or ""
        label = f"{channel} {target}".strip()
        typer.echo(f"{label}: ok" if ok else f"{label}: FAILED: {detail}")
        bad += not ok
    raise typer.Exit(ExitCode.CHECKS_FAILED if bad else ExitCode.OK)


@alerts_app.command("flush")
def flush(
    db: _Db = None,
    budget: Annotated[
        float,
        typer.Option(help="Seconds to keep delivering, retries included.", min=0),
    ] = 30.0,
) -> None:
    """Deliver the messages waiting in the outbox."""
    from modelhealth.api import open_store
    from modelhealth.run.outbox import flush as flush_outbox

    store = open_store(db, existing=True)
    try:
        stats = flush_outbox(store, budget=budget)
    finally:
        store.close()
    typer.echo(str(stats))


@alerts_app.command("pending")
def pending(
    db: _Db = None,
    limit: Annotated[int, typer.Option(help="How many to list.", min=1)] = 100,
    as_json: _Json = False,
) -> None:
    """List the messages that wait in the outbox, oldest first."""
    from modelhealth.api import open_store

    store = open_store(db, existing=True)
    try:
        rows = store.outbox_pending(limit=limit)
    finally:
        store.close()
    if as_json:
        keys = ("id", "key", "model", "run_id", "channel", "kind", "attempts")
        out = [
            {
                **{k: getattr(r, k) for k in keys},
                "created_at": r.created_at.isoformat(),
                "next_attempt_at": r.next_attempt_at.isoformat(),
                "last_error": r.last_error,
            }
            for r in rows
        ]
        typer.echo(json.dumps(out, indent=2))
        return
    if not rows:
        typer.echo("nothing waits in the outbox")
        return
    for r in rows:
        when = r.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S UTC")
        error = f"  last error: {r.last_error}" if r.last_error else ""
        typer.echo(
            f"#{r.id} {r.kind} {r.model} run {r.run_id} via {r.channel}: "
            f"{r.attempts} attempt(s), next {when}{error}"
        )


@alerts_app.command("incidents")
def incidents(
    model: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--model", "-m", help="Only this model's."),
    ] = None,
    status: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(help="open, resolved or stale."),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many to list.", min=1)] = 50,
    as_json: _Json = False,
    db: _Db = None,
) -> None:
    """List incidents, newest first."""
    from modelhealth.api import open_store
    from modelhealth.errors import UsageError

    if status not in (None, "open", "resolved", "stale"):
        raise UsageError(f"--status must be open, resolved or stale, not {status!r}")
    store = open_store(db, existing=True)
    try:
        rows = store.incidents(model, status=status, limit=limit)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps([incident_json(i) for i in rows], indent=2))
        return
    for i in rows:
        typer.echo(incident_line(i))
    if not rows:
        typer.echo("no incidents")


add_commands(alerts_app)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.add_typer(alerts_app, name="alerts")
