"""A validator for five-field cron expressions and timezone names, without a scheduler.

``minute hour day-of-month month day-of-week``, each field a comma-separated list of
``*``, ``*/n``, ``a``, ``a-b``, ``a-b/n`` or ``a/n``. Months take ``jan``..``dec`` and
days of the week ``sun``..``sat`` (``0`` and ``7`` are both Sunday), in any case.
This module only says whether an expression is valid and why not; the scheduler in
``monitor`` turns it into a trigger.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo

__all__ = ["check_cron", "check_timezone"]

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


def _field(text: str, name: str, low: int, high: int, names: dict[str, int]) -> None:
    for item in text.lower().split(","):
        match = _ITEM.match(item)
        if match is None:
            raise ValueError(
                f"{name} {item!r} is not *, */n, a value, a range or a list"
            )
        star, first, last, step = match.groups()
        if step is not None and int(step) == 0:
            raise ValueError(f"{name} step in {item!r} must be at least 1")
        if star:
            continue
        start = _value(first, name, low, high, names)
        if last is not None and _value(last, name, low, high, names) < start:
            raise ValueError(f"{name} range {item!r} goes backwards")


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
