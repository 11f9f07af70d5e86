"""``modelhealth serve`` and ``modelhealth scheduler``: the long-running service.

``serve`` runs the HTTP API and web report under uvicorn and, unless
``--no-scheduler``, the scheduler in a background thread of the same process.
``scheduler`` runs the scheduler alone. Both read the ``MODELHEALTH_*`` settings of
:class:`~modelhealth.config.ServiceSettings` (tokens only from the
environment, so
they never show in ``ps``), reload the rules folders on ``SIGHUP`` and by polling,
and stop cleanly on ``SIGTERM``/``SIGINT``: running checks finish first.

Registered on the main app by :func:`register`; imports only typer at module level
so that ``modelhealth --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from modelhealth.cli.options import DbOpt

if TYPE_CHECKING:
    import threading

    from modelhealth.config import ServiceSettings
    from modelhealth.service.rulesdir import RulesDir

__all__ = ["register"]

RulesOpt = Annotated[
    Optional[list[Path]],  # noqa: UP045
    typer.Option(
        "--rules",
        "-r",
        help="A folder of rules files; repeatable [env MODELHEALTH_RULES; "
        "default ./rules].",
        show_default=False,
    ),
]
ReloadOpt = Annotated[
    float,
    typer.Option(
        "--reload-every",
        help="Poll the rules folders this often, in seconds (0: only on SIGHUP).",
        min=0,
    ),
]


def _settings(
    db: str | None, rules: list[Path] | None, **more: object
) -> ServiceSettings:
    from modelhealth.config import ServiceSettings
    from modelhealth.errors import UsageError

    try:
        return ServiceSettings.from_env(
            db_url=db, rules_dirs=tuple(rules) if rules else None, **more
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def _rules(settings: ServiceSettings) -> RulesDir:
    from modelhealth.errors import UsageError
    from modelhealth.service.rulesdir import RulesDir

    missing = [str(f) for f in settings.rules_dirs if not f.is_dir()]
    if missing:
        raise UsageError(
            f"rules folder(s) not found: {', '.join(missing)}; "
            "give --rules FOLDER or set MODELHEALTH_RULES"
        )
    rules = RulesDir(settings.rules_dirs)
    for path, error in rules.errors.items():
        typer.echo(f"warning: {path} refused:\n{error}", err=True)
    return rules


def _signals(stop: threading.Event | None, rules: RulesDir) -> None:
    import signal

    def on_stop(*_: object) -> None:
        if stop is not None:
            stop.set()

    signal.signal(signal.SIGHUP, lambda *_: rules.reload())
    if stop is not None:
        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)


def _verbose() -> None:
    import logging

    logger = logging.getLogger("modelhealth")
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0)] = 8000,
    no_scheduler: Annotated[
        bool,
        typer.Option("--no-scheduler", help="Serve the API only; run no jobs."),
    ] = False,
    db: DbOpt = None,
    rules: RulesOpt = None,
    data_root: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Option(
            "--data-root",
            help="A folder the API may read data from; repeatable "
            "[env MODELHEALTH_DATA_ROOTS].",
            show_default=False,
        ),
    ] = None,
    reload_every: ReloadOpt = 5.0,
) -> None:
    """Serve the HTTP API and web report, and (unless --no-scheduler) the scheduler."""
    import threading

    import uvicorn

    from modelhealth.service import leader
    from modelhealth.service.http import create_app
    from modelhealth.service.scheduler import SchedulerOptions, run_scheduler
    from modelhealth.store import Store

    _verbose()
    settings = _settings(db, rules, data_roots=tuple(data_root) if data_root else None)
    rule_dir = _rules(settings)
    store = Store(settings.db_url)
    stop = threading.Event()
    thread = None
    if reload_every > 0:  # here, not in the scheduler: a standby reloads too
        rule_dir.watch(reload_every)
    if not no_scheduler:
        lock = leader.leader_lock(settings.db_url)
        if isinstance(lock, leader.FileLock) and not lock.acquire():
            raise leader.refuse(lock)
        thread = threading.Thread(
            target=run_scheduler,
            args=(store, rule_dir, settings.db_url, stop),
            kwargs={
                "options": SchedulerOptions(reload_every=0),
                "report_url": settings.report_url,
                "lock": lock,
            },
            name="scheduler",
            daemon=True,
        )
        thread.start()
    # uvicorn handles SIGTERM/SIGINT while serving, then restores these handlers and
    # re-raises the signal: ours turn it into a clean exit (status 0).
    _signals(stop, rule_dir)
    app = create_app(settings, store=store, rules=rule_dir)
    # no access log: a ?token= in a URL must not land in log files
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, access_log=False))
    try:
        server.run()
    finally:
        stop.set()
        rule_dir.stop()
        if thread is not None:
            thread.join()
        store.close()


def scheduler(
    db: DbOpt = None,
    rules: RulesOpt = None,
    reload_every: ReloadOpt = 5.0,
) -> None:
    """Run the scheduler alone: scheduled runs, freshness, delayed labels.

    With PostgreSQL, extra processes stand by and take over when the leader dies;
    with SQLite, a second scheduler refuses to start. Runs spooled while the store
    was down are stored when it is back, as under serve.
    """
    import threading

    from modelhealth.run.spool import Replayer, spool_dir
    from modelhealth.service.scheduler import SchedulerOptions, run_scheduler
    from modelhealth.store import Store

    _verbose()
    settings = _settings(db, rules)
    rule_dir = _rules(settings)
    stop = threading.Event()
    _signals(stop, rule_dir)
    if reload_every > 0:  # here, not in the scheduler: a standby reloads too
        rule_dir.watch(reload_every)
    with Store(settings.db_url) as store:
        replayer = Replayer(store, spool_dir())
        replayer.start()
        try:
            run_scheduler(
                store,
                rule_dir,
                settings.db_url,
                stop,
                options=SchedulerOptions(reload_every=0),
                report_url=settings.report_url,
            )
        finally:
            replayer.stop()


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``scheduler`` to ``app``."""
    app.command()(serve)
    app.command(name="scheduler")(scheduler)
