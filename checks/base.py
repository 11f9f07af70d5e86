"""What a check is, what it is given, and what it gives back.

A check kind is a pair of classes in one module: ``XParams`` (a
:class:`~modelhealth.rules.models.CheckParams` subclass with ``kind: Literal["x"]``:
what the user
declares) and ``XCheck`` (a :class:`Check` whose :meth:`Check.run` computes). The
runner builds a :class:`CheckContext` once per run (the run's frames, their profile,
the reference profile and metrics) and hands it to every check; each check returns one
:class:`CheckResult` per subject (a column, a segment, or ``None`` for the dataset).

A check never needs to catch its own errors: the runner turns an exception into an
``errored`` result and carries on with the next check.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar

from modelhealth.checks._json import finite, json_safe
from modelhealth.rules.models import (
    STATUS_ORDER,
    CheckParams,
    RuleSet,
    Severity,
    Threshold,
)

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.checks.passes import RowPass
    from modelhealth.checks.profile import Profile

__all__ = [
    "Check",
    "CheckContext",
    "CheckError",
    "CheckParams",
    "CheckResult",
    "NoRows",
    "Reference",
    "Severity",
    "Stage",
    "Status",
    "grade",
    "utcnow",
]


Stage = Literal["pre_deployment", "post_deployment"]
"""Where a check runs: on a candidate's holdout data, or on a production run."""


class Status(str, enum.Enum):
    """The outcome of one check on one subject, from best to worst by :attr:`rank`."""

    PASSED = "passed"
    SKIPPED = "skipped"
    WARNED = "warned"
    ERRORED = "errored"
    FAILED = "failed"

    @property
    def rank(self) -> int:
        return STATUS_ORDER.index(self.value)

    def __str__(self) -> str:
        return self.value


class CheckError(Exception):
    """A check could not be computed for a reason the user should read.

    Raised inside ``Check.run``; the runner stores it as an ``errored`` result with
    this message and no traceback.
    """


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict on one subject.

    Attributes:
        check_id: the rule's ``id``.
        kind: the check kind (``drift``, ``schema``, ...).
        subject: the column or segment judged, or ``None`` for the whole dataset.
        status: passed, warned, failed, errored or skipped.
        severity: copied from the rule, so routing needs no rules lookup.
        value: the observed value compared with the threshold, if there is one.
        threshold: the levels it was compared with, e.g. ``{"warn": 0.1, "fail": 0.25}``
            or ``{"min": 0.75}``.
        metrics: further numbers worth storing and charting (e.g. ``{"psi": 0.3}``).
        details: JSON-able extras (method, bins, reference figures...).
        failures: a few example failing rows or values.
        message: one human sentence.
    """

    check_id: str
    kind: str
    subject: str | None
    status: Status
    severity: Severity = Severity.WARNING
    value: float | None = None
    threshold: Mapping[str, float] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)
    failures: tuple[Mapping[str, Any], ...] = ()
    message: str = ""
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime = field(default_factory=utcnow)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict; non-finite numbers become ``None``."""
        return {
            "check_id": self.check_id,
            "kind": self.kind,
            "subject": self.subject,
            "status": self.status.value,
            "severity": self.severity.value,
            "value": finite(self.value),
            "threshold": {k: finite(v) for k, v in self.threshold.items()},
            "metrics": {k: finite(v) for k, v in self.metrics.items()},
            "details": json_safe(dict(self.details)),
            "failures": [json_safe(dict(f)) for f in self.failures],
            "message": self.message,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckResult:
        """The inverse of :meth:`to_dict` (``None`` numbers stay out): the one way
        a stored or queued result becomes a result again. Times may be ISO text
        or datetimes (a stored record's)."""

        def numbers(key: str) -> dict[str, float]:
            values = data.get(key) or {}
            return {k: float(v) for k, v in values.items() if v is not None}

        def moment(key: str) -> datetime:
            value = data[key]
            return (
                value if isinstance(value, datetime) else datetime.fromisoformat(value)
            )

        return cls(
            check_id=str(data["check_id"]),
            kind=str(data["kind"]),
            subject=data.get("subject"),
            status=Status(data["status"]),
            severity=Severity(data.get("severity", "warning")),
            value=data.get("value"),
            threshold=numbers("threshold"),
            metrics=numbers("metrics"),
            details=dict(data.get("details") or {}),
            failures=tuple(data.get("failures") or ()),
            message=str(data.get("message", "")),
            started_at=moment("started_at"),
            finished_at=moment("finished_at"),
        )


@dataclass(frozen=True)
class Reference:
    """What a run is compared with: a baseline's profile and metrics, or past runs'.

    Attributes:
        source: ``baseline`` or ``window``.
        label: e.g. ``baseline v3`` or ``last 7 runs``, for messages.
        profile: the reference data's profile (``None`` when nothing is registered).
        metrics: pre-deployment metrics of the baseline (``{"roc_auc": 0.81}``).
        row_counts: row counts of the reference runs (one for a baseline).
        version: the baseline's model version, if any.
        fitted: state that checks fitted on the baseline's rows when it was
            registered, by check id (see :meth:`Check.fit_reference`); empty for a
            window of past runs.
        importance: each feature's importance as given with the baseline
            (``modelhealth baseline --importance``); empty when none was given.
    """

    source: str
    label: str
    profile: Profile | None
    metrics: Mapping[str, float] = field(default_factory=dict)
    row_counts: tuple[int, ...] = ()
    version: str | None = None
    fitted: Mapping[str, Any] = field(default_factory=dict)
    importance: Mapping[str, float] = field(default_factory=dict)


class NoRows:
    """``ctx.frame`` of a run scanned without a sample (no check said it reads
    rows, :meth:`Check.reads_rows`): no columns and no rows, so ``name in
    ctx.frame.columns`` is false; reading a column raises :class:`CheckError`,
    never an empty answer taken for the run's. Made without importing pandas."""

    columns: tuple[str, ...] = ()
    empty = True

    def __len__(self) -> int:
        return 0

    def __getitem__(self, key: object) -> Any:
        raise CheckError(
            f"the run's rows were not kept (column {key!r}): this kind must say "
            "that it reads rows (Check.reads_rows)"
        )


@dataclass(frozen=True)
class CheckContext:
    """Everything a check may read about the run being checked.

    Attributes:
        rule_set: the model's rules (prediction and label columns live here).
        run_id: the run's id as the pipeline named it.
        frame: the run's data: inputs, with prediction and label columns joined in.
        profile: ``frame``'s profile, binned on the reference's edges.
        reference: the reference, or ``None`` when the model has none yet.
        model_version: the version that produced the run, if given.
        now: the time the run is checked (tz-aware).
        recent_row_counts: row counts of the model's last runs before this one,
            newest first (at most :data:`RECENT_RUNS`).
        last_run_at: when the model's newest run before this one finished, or
            ``None`` for its first run (the ``freshness`` check reads it).
        stage: ``post_deployment`` for a production run, ``pre_deployment`` when a
            candidate model is evaluated on holdout data (``modelhealth gate``).
        segment: ``{column: value}`` when the check runs on one segment of the run.
        reference_error: why the reference could not be read (the store was
            unreachable), when that is why ``reference`` is ``None``.
        champion: the frame's column of the current model's predictions on the same
            rows, when the gate compares a candidate with it (``metric`` checks
            then grade the paired difference).
        passes: each check's finished :class:`~modelhealth.checks.passes.RowPass`
            over every row of the run, by check id (see :meth:`Check.row_pass`);
            empty when the context was built around a frame (a segment, a test).
        row_count: the run's rows; ``None`` means ``len(frame)``.
        sampled: ``frame`` is a uniform sample of the run, not all of it (the
            run had more rows than the engine's ``sample_rows``, or no check
            reads rows: see :meth:`Check.reads_rows`).
    """

    rule_set: RuleSet
    run_id: str
    frame: pd.DataFrame
    profile: Profile
    reference: Reference | None
    model_version: str | None = None
    now: datetime = field(default_factory=utcnow)
    recent_row_counts: tuple[int, ...] = ()
    last_run_at: datetime | None = None
    stage: Stage = "post_deployment"
    segment: Mapping[str, Any] | None = None
    champion: str | None = None
    reference_error: str | None = None
    passes: Mapping[str, Any] = field(default_factory=dict)
    row_count: int | None = None
    sampled: bool = False

    @property
    def rows(self) -> int:
        """The run's row count (all of it, even when ``frame`` is a sample)."""
        return len(self.frame) if self.row_count is None else self.row_count

    def row_pass(self, check_id: str) -> Any:
        """The finished row pass of ``check_id``, or ``None`` (compute from
        ``frame``)."""
        return self.passes.get(check_id)


RECENT_RUNS = 7
"""How many past runs the runner reads for :attr:`CheckContext.recent_row_counts`."""

P = TypeVar("P", bound=CheckParams)


class Check(Generic[P]):
    """Base class of every check kind.

    Subclasses set :attr:`params_type` and implement :meth:`run`. ``needs_reference``
    says that the check cannot be graded while no reference exists; the runner then
    grades it as the rules' ``on_missing_reference`` says (an error by default).
    """

    params_type: ClassVar[type[CheckParams]]
    needs_reference: ClassVar[bool] = False

    def __init__(self, params: P) -> None:
        self.params = params

    def run(self, ctx: CheckContext) -> list[CheckResult]:
        raise NotImplementedError

    @classmethod
    def row_pass(
        cls, params: CheckParams, rule_set: RuleSet, reference: Reference | None
    ) -> RowPass | None:
        """A fresh :class:`~modelhealth.checks.passes.RowPass` that the engine feeds
        every row of the run, or ``None`` when the kind reads only the profile
        (and ``ctx.frame``).

        The runner hands it back, finished, as ``ctx.row_pass(params.id)``; a
        check must still work from ``ctx.frame`` when that is ``None`` (a segment
        of a run, or a context built in a test).
        """
        return None

    @classmethod
    def reads_rows(cls, params: CheckParams) -> bool:
        """Whether the check reads the run's raw rows (``ctx.frame``).

        Kinds graded from the profile and their own row pass say no, unless the
        check is split by segment (segments are cut from rows). A run whose
        checks all say no is scanned without keeping a sample of its rows: its
        ``ctx.frame`` then has no columns and ``ctx.sampled`` is true.
        """
        return True

    @classmethod
    def fit_reference(
        cls, params: CheckParams, frame: pd.DataFrame, rule_set: RuleSet
    ) -> dict[str, Any] | None:
        """State to fit on a baseline's rows when it is registered, or ``None``.

        A kind that needs more of the reference than its profile (a fitted model,
        a calibration) returns it here as a small JSON-able dict; it is stored with
        the baseline and read back as ``ctx.reference.fitted[params.id]``. Raise
        :class:`CheckError` for data it cannot fit on: the message is stored in
        place of the state and the check reports it as ``errored``.
        """
        return None

    def result(
        self,
        status: Status,
        *,
        subject: str | None = None,
        message: str = "",
        **fields: Any,
    ) -> CheckResult:
        """Build a result pre-filled with this rule's id, kind and severity."""
        return CheckResult(
            check_id=self.params.id,
            kind=self.params.kind,
            subject=subject,
            status=status,
            severity=self.params.severity,
            message=message,
            **fields,
        )

    def missing_reference(
        self, message: str, *, subject: str | None = None
    ) -> CheckResult:
        """A result for a check that cannot be graded because the reference is
        missing: ``skipped`` and marked, for the runner's ``on_missing_reference``."""
        return self.result(
            Status.SKIPPED,
            subject=subject,
            message=message,
            details={MISSING_REFERENCE: True},
        )


MISSING_REFERENCE = "missing_reference"
"""The key in a result's details that marks it as not graded for want of a
reference; the runner turns such results into what ``on_missing_reference`` says."""


def grade(
    value: float | None, threshold: Threshold, *, higher_is_worse: bool = True
) -> Status:
    """Compare a value with warn/fail levels.

    Args:
        value: the observed value; ``None`` or NaN grades as ``errored``.
        threshold: the levels.
        higher_is_worse: ``True`` when crossing means going above a level (drift
            scores), ``False`` when it means going below (quality metrics).

    Returns:
        ``failed`` past ``fail``, else ``warned`` past ``warn``, else ``passed``.
    """
    if value is None or math.isnan(value):
        return Status.ERRORED

    def crossed(level: float | None) -> bool:
        if level is None:
            return False
        return value >= level if higher_is_worse else value <= level

    if crossed(threshold.fail):
        return Status.FAILED
    if crossed(threshold.warn):
        return Status.WARNED
    return Status.PASSED
