"""Acknowledgements and silences, as ``incidents.decide`` sees them.

Two ways people quiet an incident, both pure data here (the store keeps them):

- an :class:`Ack` on one incident stops its reminders until it resolves, or until
  ``until`` when given (a snooze). Routes that never heard of it (an escalation)
  and resolutions are still told.
- a :class:`Silence` matches incidents by model, and optionally check id, subject
  and severities (``fnmatch`` patterns for check and subject), between
  ``starts_at`` and ``ends_at``. While one matches, the incident still opens and is
  stored, marked with the silence's id, but no problem or reminder goes out. When
  it ends, every route that has not heard of the incident is told, once: by the
  scheduler's sweep (``modelhealth.store.release``) or the first run that still
  finds it, whichever comes first. A resolution of something a route was told before the
  silence still goes out, so the thread it opened is closed.

:func:`check_matcher` validates a matcher as a user typed it, one sentence per
problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase

__all__ = ["SEVERITIES", "Ack", "Silence", "check_matcher", "silencing"]

SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Ack:
    """Someone acknowledged an incident.

    Attributes:
        by: who acknowledged it.
        at: when.
        until: when the acknowledgement ends (a snooze); ``None``: until resolved.
    """

    by: str
    at: datetime
    until: datetime | None = None

    def active(self, now: datetime) -> bool:
        """Whether it still holds at ``now``."""
        return self.until is None or now < self.until


@dataclass(frozen=True)
class Silence:
    """A matcher with a time span: matching incidents send no messages.

    Attributes:
        id: the store's key for it.
        model: the model's name (exact).
        starts_at: when it begins.
        ends_at: when it ends.
        check_id: a check id or ``fnmatch`` pattern; ``None`` matches every check.
        subject: a subject or pattern; ``None`` matches every subject.
        severities: the severities it matches; empty matches all.
        reason: why, as the person who made it wrote it.
        created_by: who made it.
    """

    id: int
    model: str
    starts_at: datetime
    ends_at: datetime
    check_id: str | None = None
    subject: str | None = None
    severities: tuple[str, ...] = ()
    reason: str = ""
    created_by: str = ""

    def active(self, now: datetime) -> bool:
        """Whether it holds at ``now``."""
        return self.starts_at <= now < self.ends_at

    def matches(
        self, model: str, check_id: str, subject: str | None, severity: str
    ) -> bool:
        """Whether it covers this incident (time aside)."""
        if model != self.model:
            return False
        if self.check_id is not None and not fnmatchcase(check_id, self.check_id):
            return False
        if self.subject is not None and not fnmatchcase(subject or "", self.subject):
            return False
        return not self.severities or severity in self.severities

    @property
    def matcher(self) -> str:
        """The matcher as one line: ``churn/feature-drift[age] critical``."""
        text = self.model + (f"/{self.check_id}" if self.check_id else "")
        text += f"[{self.subject}]" if self.subject is not None else ""
        return text + (f" {','.join(self.severities)}" if self.severities else "")


def silencing(
    silences: Sequence[Silence],
    *,
    model: str,
    check_id: str,
    subject: str | None,
    severity: str,
    now: datetime,
) -> Silence | None:
    """The first silence, by id, that holds for this incident at ``now``."""
    for s in sorted(silences, key=lambda s: s.id):
        if s.active(now) and s.matches(model, check_id, subject, severity):
            return s
    return None


def check_matcher(
    model: str,
    check_id: str | None,
    subject: str | None,
    severities: Sequence[str],
) -> list[str]:
    """Problems with a silence's matcher, each one sentence (empty: it is fine)."""
    problems = []
    if not model.strip():
        problems.append("a silence needs a model name")
    for name, value in (("check", check_id), ("subject", subject)):
        if value is not None and not value.strip():
            problems.append(f"--{name} must not be empty")
        if value is not None and value.count("[") != value.count("]"):
            problems.append(f"--{name} {value!r} has an unclosed '['")
    unknown = [s for s in severities if s not in SEVERITIES]
    if unknown:
        problems.append(
            f"unknown severity {unknown[0]!r}; known: {', '.join(SEVERITIES)}"
        )
    return problems
