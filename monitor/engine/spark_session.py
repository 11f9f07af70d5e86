"""The Spark session the Spark engine runs in: found, or started and later stopped.

A pipeline that already runs Spark has a session; the engine uses it and never
stops it. Otherwise the engine starts one on the master the settings name
(``local[*]`` by default) and stops it on :meth:`SparkEngine.close`. What can go
wrong before a single row is read is said here, in one line each:

- pyspark missing or of another major version, or no Java: a
  :class:`~modelhealth.errors.UsageError` (exit 2) naming what to install;
- a ``spark://`` or ``sc://`` master that does not answer, or a session that
  will not start: a :class:`~modelhealth.errors.DataError` (exit 3), since the
  run could not be checked.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from modelhealth.errors import DataError, UsageError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["EXTRA", "first_line", "open_session", "require_java", "require_pyspark"]

EXTRA = "pip install 'modelhealth[spark]'"
"""How to install what the Spark engine needs (pyspark 4)."""

_CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a ``spark://`` or ``sc://`` master to accept a connection."""

_DEFAULT_PORTS = {"spark": 7077, "sc": 15002}


def require_pyspark() -> None:
    """Make sure pyspark 4 can be imported.

    Raises:
        UsageError: pyspark is missing or not of major version 4.
    """
    try:
        import pyspark
    except ImportError:
        raise UsageError(
            "the spark engine needs pyspark 4, which is not installed; "
            f"install it with: {EXTRA} (and Java 17 or later)"
        ) from None
    version = str(getattr(pyspark, "__version__", "0"))
    if not version.startswith("4."):
        raise UsageError(
            f"the spark engine needs pyspark 4 but pyspark {version} is installed; "
            f"upgrade it with: {EXTRA}"
        )


def require_java(env: dict[str, str] | None = None) -> None:
    """Make sure a Java runtime is at hand for a Spark session started here.

    Raises:
        UsageError: neither ``JAVA_HOME`` nor a ``java`` on ``PATH``.
    """
    env = dict(os.environ) if env is None else env
    home = env.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return
    if shutil.which("java", path=env.get("PATH")):
        return
    raise UsageError(
        "the spark engine starts Spark on the JVM, and no Java was found "
        "(no java on PATH, JAVA_HOME unset or wrong); install Java 17 or later "
        "(e.g. apt-get install openjdk-17-jre-headless) and put java on PATH "
        "or set JAVA_HOME"
    )


def check_reachable(master: str) -> None:
    """Fail fast when a ``spark://`` or ``sc://`` master does not accept connections.

    Spark itself retries an unreachable standalone master for about a minute;
    one TCP connection tells the same in seconds. Other masters (``local``,
    ``yarn``, ``k8s://``) are left to Spark.

    Raises:
        DataError: naming the master and the reason.
    """
    parts = urlsplit(master)
    if parts.scheme not in _DEFAULT_PORTS:
        return
    hosts = [h for h in parts.netloc.split(",") if h]
    reasons = []
    for entry in hosts:
        host, _, port = entry.partition(":")
        try:
            with socket.create_connection(
                (host, int(port or _DEFAULT_PORTS[parts.scheme])),
                timeout=_CONNECT_TIMEOUT,
            ):
                return
        except (OSError, ValueError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            reasons.append(f"{entry}: {why}")
    raise DataError(
        f"the Spark master {master!r} cannot be reached "
        f"({'; '.join(reasons) or 'no host in the URL'}); "
        "check --spark-master or MODELHEALTH_SPARK_MASTER"
    )


def first_line(exc: BaseException) -> str:
    """An exception's message in one line, without the JVM's stack trace."""
    java = getattr(exc, "java_exception", None)
    text = str(java.toString()) if java is not None else str(exc)
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    line = line or type(exc).__name__
    return line if len(line) <= 400 else line[:397] + "..."


def open_session(master: str | None) -> tuple[SparkSession, bool]:
    """The session to run in, and whether it was started here (and so is ours to stop).

    Args:
        master: the master URL asked for, or ``None`` (an active session, else
            ``local[*]``).

    Raises:
        UsageError: pyspark or Java is missing, or a session is already running
            on another master than the one asked for.
        DataError: the master cannot be reached or the session does not start.
    """
    require_pyspark()
    if master:
        check_reachable(master)
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    running = active or (
        SparkSession.builder.getOrCreate()
        if SparkContext._active_spark_context is not None
        else None
    )
    if running is not None:
        current = _master_of(running)
        if master and current is not None and current != master:
            raise UsageError(
                f"a Spark session is already running on {current!r} in this "
                f"process; it cannot switch to {master!r}: leave --spark-master "
                "unset to check the run in the running session"
            )
        return running, False
    chosen = master or "local[*]"
    builder = SparkSession.builder.appName("modelhealth")
    if chosen.startswith("sc://"):
        builder = builder.remote(chosen)
    else:
        require_java()
        if chosen.startswith("local"):
            # the workers are this Python, so that they import modelhealth too
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = (
            builder.master(chosen)
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
        )
    try:
        session = builder.getOrCreate()
    except UsageError:
        raise
    except Exception as exc:
        raise DataError(
            f"a Spark session on {chosen!r} could not be started: {first_line(exc)}"
        ) from None
    if not chosen.startswith("sc://"):
        session.sparkContext.setLogLevel("ERROR")
    return session, True


def _master_of(session: SparkSession) -> str | None:
    try:
        return str(session.sparkContext.master)
    except Exception:  # a Spark Connect session has no SparkContext here
        return None
