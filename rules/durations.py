"""Durations as users write them: ``90s``, ``30m``, ``26h``, ``3d``, ``1w``, ``1h30m``.

A duration is one or more ``<whole number><unit>`` parts, largest unit first, with
units ``s`` (seconds), ``m`` (minutes), ``h`` (hours), ``d`` (days) and ``w`` (weeks).
It must be longer than zero. Rules keep the text as written (``schedule.every``,
``schedule.expect_every``, ``label.delay``); :func:`parse_duration` turns it into a
:class:`~datetime.timedelta` where it is used.
"""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["check_duration", "parse_duration"]

_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)([wdhms])")
_WHOLE = re.compile(r"^(?:\d+[wdhms])+$")
_EXAMPLE = "write a number and a unit (s, m, h, d, w), e.g. 90s, 30m, 26h, 3d, 1w"


_MAX_SECONDS = 100 * 366 * 86_400


def parse_duration(text: str) -> timedelta:
    """Parse a duration such as ``30m`` or ``1h30m``.

    Args:
        text: the duration as written in a rules file.

    Returns:
        The duration.

    Raises:
        ValueError: the text is not a duration, its units are out of order or
            repeated, or it is zero.
    """
    text = text.strip()
    parts = _PART.findall(text) if _WHOLE.match(text) else []
    units = [unit for _, unit in parts]
    order = list(_UNITS)
    if not parts or units != sorted(set(units), key=order.index):
        raise ValueError(f"invalid duration {text!r}; {_EXAMPLE}")
    seconds = sum(int(number) * _UNITS[unit] for number, unit in parts)
    if seconds == 0:
        raise ValueError(f"duration {text!r} must be longer than zero")
    if seconds > _MAX_SECONDS:
        raise ValueError(f"duration {text!r} is too long; at most 100 years")
    return timedelta(seconds=seconds)


def check_duration(text: str) -> str:
    """A pydantic validator: ``text`` if it is a valid duration.

    Raises:
        ValueError: as :func:`parse_duration`.
    """
    parse_duration(text)
    return text
