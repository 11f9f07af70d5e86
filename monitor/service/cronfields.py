"""Cron's fields as APScheduler's ``CronTrigger`` reads them.

Two things differ. Cron counts the days of the week from Sunday (``0`` and ``7``),
APScheduler from Monday, so :func:`day_of_week` writes cron's days by name. And cron
fires when the day of month *or* the day of week matches if both are restricted
(``0 6 1 * mon``: the 1st and every Monday), where one ``CronTrigger`` would require
both, so :func:`field_sets` gives such an expression as two sets of fields, one per
day field, whose triggers the scheduler combines with OR.
"""

from __future__ import annotations

__all__ = ["day_of_week", "field_sets"]

_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _day(text: str) -> int:
    return int(text) % 7 if text.isdigit() else _DAYS.index(text.lower()[:3])


def day_of_week(field: str) -> str:
    """Cron's day of week as APScheduler day names.

    Numbers, ranges and steps are expanded into the days they mean in cron, by name.

    Raises:
        ValueError: a day cron does not know.
    """
    if field == "*":
        return "*"
    days: set[int] = set()
    for token in field.split(","):
        base, _, step_text = token.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = 0, 6
        elif "-" in base:
            lo, hi = base.split("-")
            first, last = _day(lo), int(hi) if hi == "7" else _day(hi)
        else:
            first = _day(base)
            last = 6 if step_text else first
        days.update(d % 7 for d in range(first, last + 1, step))
    return ",".join(_DAYS[d] for d in sorted(days))


def field_sets(expr: str) -> list[dict[str, str]]:
    """The ``CronTrigger`` fields of a five-field cron expression.

    Returns:
        One set of ``minute``, ``hour``, ``day``, ``month`` and ``day_of_week``;
        two (the day of month alone, the day of week alone) when both day fields
        are restricted: the expression fires when either set does.
    """
    minute, hour, day, month, dow = expr.split()

    def fields(day: str, dow: str) -> dict[str, str]:
        return {
            "minute": minute,
            "hour": hour,
            "day": day,
            "month": month,
            "day_of_week": day_of_week(dow),
        }

    if day != "*" and dow != "*":
        return [fields(day, "*"), fields("*", dow)]
    return [fields(day, dow)]
