"""``modelhealth alerts ack|unack|silence|silences|unsilence``: act on incidents.

- ``alerts ack ID [--for DURATION] [--by NAME]``: no reminders for incident ``ID``
  until it resolves, or for ``DURATION`` (a snooze);
- ``alerts unack ID``: take the acknowledgement back;
- ``alerts silence --model M [--check C] [--subject S] [--severity SEV]...
  --for 2h|--until TIME --reason "..."``: matching incidents still open and are
  stored, but send nothing until it ends;
- ``alerts silences [--all]`` lists them; ``alerts unsilence ID`` ends one now.

:func:`add_commands` puts them on the ``alerts`` group; typer is the only import at
module level.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from modelhealth.cli.options import DbOpt as _Db

if TYPE_CHECKING:
    from modelhealth.store import IncidentRecord, SilenceRecord

__all__ = ["add_commands", "incident_json", "incident_line", "silence_json"]

_Id = Annotated[
    int, typer.Argument(help="The incident's id (#N in `alerts incidents`).")
]
_By = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--by", help="Who acts [default: the login name].", show_default=False
    ),
]
_For = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--for", help="How long: 30m, 2h, 1d...", show_default=False),
]


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def _who(by: str | None) -> str:
    if by is not None:
        return by
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a container
        return "unknown"


def _duration(text: str, option: str) -> timedelta:
    from modelhealth.errors import UsageError
    from modelhealth.rules.durations import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _time(text: str) -> datetime:
    from modelhealth.errors import UsageError

    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--until: {text!r} is not a time; write e.g. 2026-12-02T06:00 (UTC) "
            "or 2026-12-02T07:00+01:00"
        ) from None
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def incident_line(i: IncidentRecord) -> str:
    """One incident as ``alerts incidents`` prints it."""
    name = i.check_id + (f"[{i.subject}]" if i.subject else "")
    line = (
        f"#{i.id} {i.status} {i.severity} {i.model} {name}: "
        f"since {_when(i.opened_at)}, {i.runs_count} run(s)"
    )
    if i.resolved_at:
        done = "closed" if i.status == "stale" else "resolved"
        line += f", {done} {_when(i.resolved_at)}"
    if i.closed_because:
        line += f": {i.closed_because}"
    if i.acknowledged:
        end = f" until {_when(i.acked_until)}" if i.acked_until else ""
        line += f", acknowledged by {i.acked_by}{end}"
    if i.silenced_by is not None:
        line += f", silenced by #{i.silenced_by}"
    if i.maintenance is not None:
        line += f", in maintenance window {i.maintenance!r}"
    return line


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def incident_json(i: IncidentRecord) -> dict[str, Any]:
    """One incident as ``alerts incidents --json`` prints it."""
    keys = ("id", "model", "check_id", "subject", "severity", "status")
    counts = ("first_run_id", "last_run_id", "runs_count", "notifications")
    return {
        **{k: getattr(i, k) for k in keys},
        **{
            k: _iso(getattr(i, k)) for k in ("opened_at", "resolved_at", "last_seen_at")
        },
        **{k: getattr(i, k) for k in counts},
        "acknowledged": i.acknowledged,
        "acked_by": i.acked_by,
        "acked_at": _iso(i.acked_at),
        "acked_until": _iso(i.acked_until),
        "silenced_by": i.silenced_by,
        "maintenance": i.maintenance,
        "closed_because": i.closed_because,
        "value": i.value,
        "message": i.message,
    }


def silence_json(s: SilenceRecord) -> dict[str, Any]:
    """One silence as ``alerts silences --json`` prints it."""
    return {
        "id": s.id, "model": s.model, "check_id": s.check_id, "subject": s.subject,
        "severities": list(s.severities), "starts_at": s.starts_at.isoformat(),
        "ends_at": s.ends_at.isoformat(), "reason": s.reason,
        "created_by": s.created_by, "created_at": s.created_at.isoformat(),
    }  # fmt: skip


def _silence_line(s: SilenceRecord) -> str:
    what = s.model + (f"/{s.check_id}" if s.check_id else "")
    what += f"[{s.subject}]" if s.subject is not None else ""
    what += f" {','.join(s.severities)}" if s.severities else ""
    return (
        f"#{s.id} {what}: {_when(s.starts_at)} to {_when(s.ends_at)}, "
        f"by {s.created_by}: {s.reason}"
    )


def ack(incident: _Id, for_: _For = None, by: _By = None, db: _Db = None) -> None:
    """Acknowledge an incident: no reminders until it resolves (or --for ends)."""
    from modelhealth.api import open_store

    now = datetime.now(timezone.utc)
    until = None if for_ is None else now + _duration(for_, "--for")
    with open_store(db, existing=True) as store:
        record = store.acknowledge(incident, by=_who(by), until=until, now=now)
    typer.echo(incident_line(record))


def unack(incident: _Id, db: _Db = None) -> None:
    """Take back an incident's acknowledgement; reminders are due again."""
    from modelhealth.api import open_store

    with open_store(db, existing=True) as store:
        record = store.unacknowledge(incident)
    typer.echo(incident_line(record))


def silence(
    model: Annotated[str, typer.Option("--model", "-m", help="The model.")],
    reason: Annotated[str, typer.Option("--reason", help="Why, for the others.")],
    check: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--check", "-c", help="A check id or pattern (drift-*)."),
    ] = None,
    subject: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--subject", "-s", help="A column or segment, or a pattern."),
    ] = None,
    severity: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--severity", help="Only these severities (repeatable)."),
    ] = None,
    for_: _For = None,
    until: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--until", help="When it ends (ISO time, UTC if no offset)."),
    ] = None,
    by: _By = None,
    db: _Db = None,
) -> None:
    """Silence matching incidents: they open and are kept, but send nothing."""
    from modelhealth.api import open_store
    from modelhealth.errors import UsageError

    if (for_ is None) == (until is None):
        raise UsageError("give one of --for DURATION or --until TIME")
    now = datetime.now(timezone.utc)
    ends = now + _duration(for_, "--for") if for_ is not None else _time(str(until))
    with open_store(db, existing=True) as store:
        made = store.add_silence(
            model, check_id=check, subject=subject, severities=severity or (),
            ends_at=ends, reason=reason, by=_who(by), now=now,
        )  # fmt: skip
    typer.echo(f"silenced {_silence_line(made)}")


def silences(
    include_ended: Annotated[
        bool, typer.Option("--all", help="Include the silences that ended.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON on stdout.")
    ] = False,
    db: _Db = None,
) -> None:
    """List silences that hold or are to come, soonest ending first."""
    from modelhealth.api import open_store

    with open_store(db, existing=True) as store:
        found = store.silences(include_ended=include_ended)
    if as_json:
        typer.echo(json.dumps([silence_json(s) for s in found], indent=2))
    elif not found:
        typer.echo("no silences")
    for s in [] if as_json else found:
        typer.echo(_silence_line(s))


def unsilence(
    silence_id: Annotated[int, typer.Argument(help="The silence's id.")],
    db: _Db = None,
) -> None:
    """End a silence now; the next run tells what is still open, once."""
    from modelhealth.api import open_store

    with open_store(db, existing=True) as store:
        ended = store.end_silence(silence_id)
    typer.echo(f"ended {_silence_line(ended)}")


def add_commands(app: typer.Typer) -> None:
    """Put this module's commands on the ``alerts`` group."""
    app.command("ack")(ack)
    app.command("unack")(unack)
    app.command("silence")(silence)
    app.command("silences")(silences)
    app.command("unsilence")(unsilence)
