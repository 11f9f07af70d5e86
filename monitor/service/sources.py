"""What a scheduled run reads: the rules' ``sources:``, filled in for one run.

Path templates take ``{run_date}`` (``YYYY-MM-DD`` in the schedule's timezone),
``{run_time}`` (``HHMMSS``), ``{run_id}`` and ``{model}``; relative paths are relative
to the service's working folder. Inputs, predictions and (when labels are not
delayed) labels are read and joined by :func:`modelhealth.engine.inputs.load_frame`, the
same as
for
a post-run hook. ``sources.query`` runs an SQL query against ``sources.url`` (any
SQLAlchemy URL) through ``pandas.read_sql``; it takes the same values as bind
parameters (``WHERE day = :run_date``), never pasted into the SQL text. Every
failure is a :class:`~modelhealth.errors.DataError` naming the source and the cause.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from modelhealth.engine.inputs import load_frame
from modelhealth.errors import DataError
from modelhealth.rules.models import RuleSet, Sources

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["fields", "fill", "load_sources"]


def fill(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{run_date}``-style fields of a path template.

    Raises:
        DataError: the template names a field that is not known.
    """
    names = [f for _, f, _, _ in string.Formatter().parse(template) if f]
    unknown = sorted(set(names) - set(values))
    if unknown:
        raise DataError(
            f"the source {template!r} uses unknown field(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(values))}"
        )
    return template.format_map(dict(values))


def fields(model: str, run_id: str, at: datetime, tz: str) -> dict[str, str]:
    """The template values of one run, at ``at`` in timezone ``tz``."""
    local = at.astimezone(ZoneInfo(tz))
    return {
        "run_date": local.date().isoformat(),
        "run_time": local.strftime("%H%M%S"),
        "run_id": run_id,
        "model": model,
    }


def _query(sources: Sources, values: Mapping[str, str]) -> pd.DataFrame:
    import pandas as pd
    import sqlalchemy as sa

    if not sources.url:
        raise DataError("sources.query needs sources.url, the database to query")
    try:
        engine = sa.create_engine(sources.url)
    except Exception as exc:  # a bad URL or a driver that is not installed
        raise DataError(
            f"sources.url cannot be used: {type(exc).__name__}: {exc}"
        ) from exc
    try:
        statement = sa.text(sources.query or "")
        wanted = {k: v for k, v in values.items() if f":{k}" in (sources.query or "")}
        with engine.connect() as conn:
            return pd.read_sql(statement, conn, params=wanted)
    except sa.exc.SQLAlchemyError as exc:
        reason = str(exc).splitlines()[0]
        raise DataError(f"the sources query could not be read: {reason}") from exc
    finally:
        engine.dispose()


def load_sources(rule_set: RuleSet, values: Mapping[str, str]) -> pd.DataFrame:
    """Read a scheduled run's data from the rules' ``sources:``.

    Raises:
        DataError: no source is declared, or one is missing or unreadable.
    """
    sources = rule_set.sources
    if sources is None or not (sources.inputs or sources.query):
        raise DataError(
            f"model {rule_set.model!r} has no sources.inputs or sources.query to read"
        )
    if sources.query:
        return _query(sources, values)
    assert sources.inputs is not None
    late = rule_set.label is not None and rule_set.label.delay is not None
    return load_frame(
        rule_set,
        fill(sources.inputs, values),
        fill(sources.predictions, values) if sources.predictions else None,
        fill(sources.labels, values) if sources.labels and not late else None,
    )
