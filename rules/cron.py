"""A validator for five-field cron expressions and timezone names, without a scheduler.

``minute hour day-of-month month day-of-week``, each field a comma-separated list of
``*``, ``*/n``, ``a``, ``a-b``, ``a-b/n`` or ``a/n``. Months take ``jan``..``dec`` and
days of the week ``sun``..``sat`` (``0`` and ``7`` are both Sunday), in any case.
This module says whether an expression is valid and why not; the scheduler in
``monitor`` turns it into a trigger. :func:`fires_at` says whether an expression
fires in a given minute (maintenance windows, which need no scheduler); like cron,
a restricted day of month and a restricted day of week mean either.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from datetime import datetime
from functools import cache

__all__ = ["check_cron", "check_timezone", "fires_at"]

_MONTHS = [
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
]
_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
_FIELDS: list[tuple[str, int, int, dict[str, int]]] = [
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, {name: i + 1 for i, name in enumerate(_MONTHS)}),
    ("day of week", 0, 7, {name: i for i, name in enumerate(_DAYS)}),
]
_ITEM = re.compile(r"^(?:(\*)|([0-9a-z]+)(?:-([0-9a-z]+))?)(?:/(\d+))?$")


def _value(text: str, name: str, low: int, high: int, names: dict[str, int]) -> int:
    if text in names:
        return names[text]
    if not text.isdigit():
        raise ValueError(
            f"{name} {text!r} is not a number"
            + (f" or a name ({', '.join(names)})" if names else "")
        )
    number = int(text)
    if not low <= number <= high:
        raise ValueError(f"{name} {number} is out of range {low}-{high}")
    return number


def _field(
    text: str, name: str, low: int, high: int, names: dict[str, int]
) -> set[int]:
    values: set[int] = set()
    for item in text.lower().split(","):
        match = _ITEM.match(item)
        if match is None:
            raise ValueError(
                f"{name} {item!r} is not *, */n, a value, a range or a list"
            )
        star, first, last, step = match.groups()
        if step is not None and int(step) == 0:
            raise ValueError(f"{name} step in {item!r} must be at least 1")
        every = int(step) if step is not None else 1
        if star:
            values.update(range(low, high + 1, every))
            continue
        start = _value(first, name, low, high, names)
        end = start if last is None and step is None else high
        if last is not None:
            end = _value(last, name, low, high, names)
        if end < start:
            raise ValueError(f"{name} range {item!r} goes backwards")
        values.update(range(start, end + 1, every))
    return values


@cache
def _expand(expression: str) -> tuple[tuple[frozenset[int], ...], bool, bool]:
    fields = expression.split()
    sets = tuple(
        frozenset(_field(text, name, low, high, names))
        for text, (name, low, high, names) in zip(fields, _FIELDS, strict=True)
    )
    dow = frozenset(d % 7 for d in sets[4])  # 7 is Sunday too
    return (*sets[:4], dow), fields[2] != "*", fields[4] != "*"


def fires_at(expression: str, when: datetime) -> bool:
    """Whether a valid cron ``expression`` fires in the minute of ``when``.

    Args:
        expression: a five-field expression that :func:`check_cron` accepts.
        when: the time, in the timezone the expression is meant in.
    """
    (minute, hour, dom, month, dow), dom_set, dow_set = _expand(expression)
    if when.minute not in minute or when.hour not in hour or when.month not in month:
        return False
    day_of_month = when.day in dom
    day_of_week = (when.isoweekday() % 7) in dow
    if dom_set and dow_set:
        return day_of_month or day_of_week
    return day_of_month and day_of_week


def check_cron(expression: str) -> str:
    """A pydantic validator: ``expression`` if it is a valid five-field cron expression.

    Args:
        expression: e.g. ``"0 6 * * mon-fri"``.

    Returns:
        The expression, unchanged.

    Raises:
        ValueError: it has not five fields, or a field is malformed or out of range.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            f"invalid cron expression {expression!r}: expected 5 fields "
            f"(minute hour day-of-month month day-of-week), got {len(fields)}"
        )
    try:
        for text, (name, low, high, names) in zip(fields, _FIELDS, strict=True):
            _field(text, name, low, high, names)
    except ValueError as exc:
        raise ValueError(f"invalid cron expression {expression!r}: {exc}") from None
    return expression


def check_timezone(name: str) -> str:
    """A pydantic validator: ``name`` if it is an IANA timezone, e.g. ``Europe/Paris``.

    Raises:
        ValueError: no such timezone; the message suggests a close name.
    """
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        close = difflib.get_close_matches(
            name, sorted(zoneinfo.available_timezones()), n=1
        )
        hint = (
            f"; did you mean {close[0]!r}?"
            if close
            else "; use an IANA name such as 'Europe/Paris'"
        )
        raise ValueError(f"unknown timezone {name!r}{hint}") from None
    return name
