"""The rule language's data model: what a user declares, apart from how it runs.

A rules file describes one model. Its top-level keys become a :class:`RuleSet`; each
entry of ``checks:`` becomes an instance of a check kind's params class (a subclass
of :class:`CheckParams`, owned by the ``checks`` package and passed to the loader in a
table of known kinds); each entry of ``alerts:`` becomes an instance of a channel's
params class (a subclass of :class:`ChannelParams`, owned by ``alerts``).

Every model forbids unknown keys, so a misspelt key is an error, never ignored.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    field_validator,
    model_validator,
)

from modelhealth.rules.cron import check_cron, check_timezone
from modelhealth.rules.durations import check_duration

__all__ = [
    "STATUS_ORDER",
    "ChannelParams",
    "CheckParams",
    "CheckThreshold",
    "CronExpression",
    "Duration",
    "HistorySpec",
    "HistoryThreshold",
    "LabelSpec",
    "MaintenanceWindow",
    "PredictionSpec",
    "ReferenceSpec",
    "RuleSet",
    "Schedule",
    "Severity",
    "Sources",
    "Threshold",
    "TimeZoneName",
    "WindowSpec",
]

STATUS_ORDER = ("passed", "skipped", "warned", "errored", "failed")
"""Statuses from best to worst, shared by routing and summaries."""


Duration = Annotated[str, AfterValidator(check_duration)]
"""A duration as written, e.g. ``30m``, ``26h``, ``3d``; see
:mod:`modelhealth.rules.durations`."""

CronExpression = Annotated[str, AfterValidator(check_cron)]
"""A five-field cron expression, e.g. ``0 6 * * mon-fri``; see
:mod:`modelhealth.rules.cron`."""

TimeZoneName = Annotated[str, AfterValidator(check_timezone)]
"""An IANA timezone name, e.g. ``Europe/Paris``."""


class Severity(str, enum.Enum):
    """How much a check matters when it fails; routes choose channels by it."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return ("info", "warning", "critical").index(self.value)

    def __str__(self) -> str:
        return self.value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Model):
    """Two levels for one observed value: crossing ``warn`` warns, ``fail`` fails.

    Whether "crossing" means above or below is the check kind's business (a drift
    score fails above, a metric below); both levels are optional.
    """

    warn: float | None = None
    fail: float | None = None

    @model_validator(mode="after")
    def _one_level(self) -> Threshold:
        if self.warn is None and self.fail is None:
            raise ValueError("a threshold needs warn, fail or both")
        return self


class HistorySpec(_Model):
    """Levels learnt from the same check's stored values: ``mean +/- sigma * sd``
    of its last runs before the checked one (on the same weekday with
    ``seasonality: day_of_week``); see :mod:`modelhealth.run.history`."""

    last_runs: int = Field(default=28, ge=2, le=1000)
    sigma: float = Field(default=3.0, gt=0)
    warn_sigma: float | None = Field(default=None, gt=0)
    seasonality: Literal["day_of_week"] | None = None
    min_runs: int = Field(default=4, ge=2)
    direction: Literal["both", "above", "below"] = "both"
    min_sd: float = Field(default=0.0, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> HistorySpec:
        if self.warn_sigma is not None and self.warn_sigma >= self.sigma:
            raise ValueError(
                f"warn_sigma ({self.warn_sigma:g}) must be below sigma "
                f"({self.sigma:g}): the warn band lies inside the fail band"
            )
        if self.min_runs > self.last_runs:
            raise ValueError(
                f"min_runs ({self.min_runs}) is more than last_runs "
                f"({self.last_runs}): the history could never be long enough"
            )
        return self


class HistoryThreshold(_Model):
    """A check's ``threshold`` where its kind grades fixed levels under keys of
    its own (``min``, ``max_change``...): only the ``history`` band."""

    history: HistorySpec | None = None

    @model_validator(mode="after")
    def _one_level(self) -> HistoryThreshold:
        if self.history is None:
            raise ValueError(
                "threshold here takes only history (this kind's fixed levels have "
                "keys of their own)"
            )
        return self


class CheckThreshold(Threshold, HistoryThreshold):
    """A check's ``threshold`` in kinds graded by warn/fail levels (``drift``,
    ``prediction``): fixed levels, a ``history`` band, or both."""

    @model_validator(mode="after")
    def _one_level(self) -> CheckThreshold:
        if self.warn is None and self.fail is None and self.history is None:
            raise ValueError("a threshold needs warn, fail, history or some of them")
        return self

    @property
    def has_levels(self) -> bool:
        """Whether fixed warn/fail levels are given (not only a history band)."""
        return self.warn is not None or self.fail is not None


class PredictionSpec(_Model):
    """Where the model's output is and what kind of task it solves."""

    column: str
    task: Literal[
        "binary_classification", "multiclass_classification", "regression"
    ] = "binary_classification"
    positive_label: str | int | bool | None = None
    decision_threshold: float = 0.5
    scores: dict[str, str] | None = None
    """Multiclass: each class's probability column (``{class: column}``)."""

    @model_validator(mode="after")
    def _scores_for_multiclass(self) -> PredictionSpec:
        if self.scores is not None:
            if self.task != "multiclass_classification":
                raise ValueError(
                    "scores (one probability column per class) applies to "
                    "task: multiclass_classification"
                )
            if len(self.scores) < 2:
                raise ValueError(
                    "scores needs a column for each of two or more classes"
                )
        return self


class LabelSpec(_Model):
    """Where the ground truth is; ``delay`` says how late labels arrive (e.g. 3d)."""

    column: str
    key: str | None = None
    delay: Duration | None = None


class WindowSpec(_Model):
    last_runs: int = Field(ge=1, le=1000)


class ReferenceSpec(_Model):
    """What runs are compared with: a registered baseline, or past runs' profiles."""

    baseline: str | None = None
    window: WindowSpec | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ReferenceSpec:
        if (self.baseline is None) == (self.window is None):
            raise ValueError("reference needs exactly one of baseline or window")
        return self


class Schedule(_Model):
    """When scheduled checks run: a cron expression or an interval, in a timezone."""

    cron: CronExpression | None = None
    every: Duration | None = None
    timezone: TimeZoneName = "UTC"
    expect_every: Duration | None = None

    @model_validator(mode="after")
    def _cron_or_every(self) -> Schedule:
        if self.cron is not None and self.every is not None:
            raise ValueError("schedule takes cron or every, not both")
        return self


class MaintenanceWindow(_Model):
    """A recurring span in which matching incidents send no messages.

    It starts whenever ``cron`` fires (in ``timezone``) and lasts ``duration``.
    ``checks`` and ``subjects`` are check ids and subjects or ``fnmatch`` patterns
    (none: all); ``severities`` limits it to those (none: all).
    """

    name: Annotated[str, Field(min_length=1, max_length=200)]
    cron: CronExpression
    duration: Duration
    timezone: TimeZoneName = "UTC"
    checks: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    subjects: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    severities: list[Severity] = Field(default_factory=list)
    reason: str | None = None


class Sources(_Model):
    """What a scheduled run reads; ``{run_date}``-style fields are filled per run."""

    inputs: str | None = None
    predictions: str | None = None
    labels: str | None = None
    query: str | None = None
    url: str | None = None


OnMissingReference = Literal["skip", "warn", "fail"]
"""What a check that cannot be graded for want of a reference becomes: ``skipped``,
``warned`` or (``fail``, the default) ``errored``."""


class CheckParams(_Model):
    """Keys every check has. Each kind subclasses this with ``kind: Literal[...]``."""

    id: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")]
    kind: str
    severity: Severity = Severity.WARNING
    description: str | None = None
    enabled: bool = True
    # One result per segment (the largest max_segments groups of these columns).
    segment_by: list[str] | None = Field(default=None, min_length=1)
    max_segments: int = Field(default=10, ge=1, le=1000)
    # None: the rule set's on_missing_reference
    on_missing_reference: OnMissingReference | None = None
    # warn/fail levels from the stored history of this check's values
    threshold: HistoryThreshold | None = None


AlertStatus = Literal["warned", "failed", "errored"]


def _default_statuses() -> list[AlertStatus]:
    return ["failed", "errored"]


class ChannelParams(_Model):
    """Keys every alert route has. Each channel subclasses this with
    ``channel: Literal[...]`` and its own settings."""

    channel: str
    min_severity: Severity = Severity.WARNING
    checks: list[str] | None = None
    kinds: list[str] | None = None
    statuses: list[AlertStatus] = Field(default_factory=_default_statuses)
    # While an incident stays open, remind this route this often (None: never).
    renotify_after: Duration | None = "1d"
    send_resolved: bool = True


class RuleSet(_Model):
    """One model's rules, after ``extends`` and ``${ENV}`` interpolation."""

    version: Literal[1]
    model: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")]
    description: str | None = None
    prediction: PredictionSpec | None = None
    label: LabelSpec | None = None
    reference: ReferenceSpec = ReferenceSpec(baseline="latest")
    on_missing_reference: OnMissingReference = "fail"
    schedule: Schedule | None = None
    sources: Sources | None = None
    engine: Literal["local", "spark"] | None = None
    # SerializeAsAny: entries are kind/channel subclasses; dump their own keys too.
    checks: list[SerializeAsAny[CheckParams]] = Field(default_factory=list)
    alerts: list[SerializeAsAny[ChannelParams]] = Field(default_factory=list)
    maintenance: list[MaintenanceWindow] = Field(default_factory=list)
    source_file: str | None = Field(default=None, exclude=True)
    # problems that do not stop the file from loading, one line each
    warnings: tuple[str, ...] = Field(default=(), exclude=True)

    @field_validator("checks")
    @classmethod
    def _unique_ids(cls, checks: list[CheckParams]) -> list[CheckParams]:
        seen: set[str] = set()
        for check in checks:
            if check.id in seen:
                raise ValueError(f"check id {check.id!r} is used twice")
            seen.add(check.id)
        return checks

    def check(self, check_id: str) -> CheckParams:
        for check in self.checks:
            if check.id == check_id:
                return check
        raise KeyError(check_id)

    def summary(self) -> dict[str, Any]:
        return {"model": self.model, "checks": [c.id for c in self.checks]}
