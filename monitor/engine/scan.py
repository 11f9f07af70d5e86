"""One scan of a run: the passes it needs, planned once for every engine.

:func:`scan_run` asks the engine for one pass over every row that builds, at
once: the run's profile (binned on the reference's edges), the sample of raw rows
for the kinds that need them, each check's own row pass, and any columns the
caller keeps (predictions for late labels). Without a reference a larger run is
read twice: first for its own bin edges (mergeable quantile sketches), then for
the profile, so that every batch and partition is binned alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from modelhealth.checks import registry as check_registry
from modelhealth.checks.base import NoRows
from modelhealth.checks.passes import (
    ColumnsPass,
    FailedPass,
    HidingPass,
    RowPass,
    SamplePass,
)
from modelhealth.checks.profiling import EdgesPass, ProfilePass
from modelhealth.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.checks.base import Reference
    from modelhealth.checks.profile import Profile
    from modelhealth.engine.base import Engine, RunData
    from modelhealth.rules.models import CheckParams, RuleSet

__all__ = [
    "RunScan",
    "RunTimePass",
    "plan_passes",
    "reads_rows",
    "run_time",
    "scan_run",
]

PROFILE = "profile"
SAMPLE = "sample"
KEEP = "keep"
CHECK = "check:"
EXTRA = "extra:"


@dataclass
class RunScan:
    """What one scan of a run gives the checks.

    Attributes:
        rows: the run's row count.
        profile: its profile.
        frame: the whole run when it has at most the engine's ``sample_rows``
            rows, else a uniform sample of that many (no columns when the scan
            kept no sample).
        sampled: ``frame`` is a sample (or there was none to keep).
        passes: each check's finished row pass, by check id.
        kept: the columns kept whole (:func:`scan_run`'s ``keep``), or ``None``.
        columns: the run's column names, in order.
        extra: the caller's extra passes, finished (:func:`scan_run`'s ``extra``).
    """

    rows: int
    profile: Profile
    frame: pd.DataFrame
    sampled: bool
    passes: dict[str, Any] = field(default_factory=dict)
    kept: pd.DataFrame | None = None
    columns: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def plan_passes(
    checks: Sequence[CheckParams],
    rule_set: RuleSet,
    reference: Reference | None,
) -> dict[str, RowPass]:
    """Each enabled check's own row pass, named ``check:<id>``."""
    passes: dict[str, RowPass] = {}
    for params in checks:
        if not params.enabled:
            continue
        cls = check_registry.get(params.kind)
        row_pass = cls.row_pass(params, rule_set, reference)
        if row_pass is not None:
            passes[CHECK + params.id] = row_pass
    return passes


def reads_rows(checks: Sequence[CheckParams]) -> bool:
    """Whether any enabled check among ``checks`` reads the run's raw rows, so
    that the scan must keep a sample (:meth:`Check.reads_rows`)."""
    return any(
        check_registry.get(params.kind).reads_rows(params)
        for params in checks
        if params.enabled
    )


def scan_run(
    engine: Engine,
    data: RunData,
    rule_set: RuleSet,
    *,
    reference: Reference | None,
    checks: Sequence[CheckParams] | None = None,
    keep: Sequence[str] | None = None,
    profile_reference: Profile | None = None,
    extra: Mapping[str, RowPass] | None = None,
    hide: Sequence[str] = (),
    sample: bool = True,
) -> RunScan:
    """Scan every row of ``data`` once (twice without a reference) for the checks.

    Args:
        engine: the engine that reads the data.
        data: the run's data.
        rule_set: the model's rules.
        reference: what the run is compared with (its profile gives the bins).
        checks: the checks to plan passes for (the rule set's by default).
        keep: columns to keep whole, for every row.
        profile_reference: bin on this profile instead of the reference's.
        extra: more passes to run in the same scan, handed back finished as
            ``RunScan.extra`` by the same names.
        hide: columns that only ``keep`` and ``extra`` see: the profile, the
            sample and the checks' passes are fed the rows without them.
        sample: keep a sample of the rows (``RunScan.frame``); without it the
            frame is a :class:`~modelhealth.checks.base.NoRows` and ``sampled``
            is true (a run none of whose checks reads rows, :func:`reads_rows`).

    Raises:
        DataError: the data is missing, unreadable or inconsistent.
    """
    binning = profile_reference
    if binning is None and reference is not None:
        binning = reference.profile
    edges: dict[str, list[float]] | None = None
    if binning is None and not _fits_one_batch(engine, data):
        first = engine.scan(data, {"edges": EdgesPass()})
        edges_pass = first.passes["edges"]
        if isinstance(edges_pass, EdgesPass):
            edges = edges_pass.edges()
    passes: dict[str, RowPass] = {
        # the sample first: it takes rows from the Arrow batch before anything
        # turns the batch into pandas objects
        **({SAMPLE: SamplePass(engine.settings.sample_rows)} if sample else {}),
        PROFILE: ProfilePass(binning, edges=edges),
        **plan_passes(
            checks if checks is not None else rule_set.checks, rule_set, reference
        ),
    }
    if hide:
        hidden = set(hide)
        passes = {name: HidingPass(p, hidden) for name, p in passes.items()}
    if keep:
        passes[KEEP] = ColumnsPass(list(keep))
    for name, row_pass in (extra or {}).items():
        passes[EXTRA + name] = row_pass
    result = engine.scan(data, passes)
    if hide:
        result.passes = {
            name: p.inner if isinstance(p, HidingPass) else p
            for name, p in result.passes.items()
        }
        result.columns = [c for c in result.columns if c not in set(hide)]
    profile_pass = result.passes[PROFILE]
    kept_rows = result.passes.get(SAMPLE, SamplePass(1))
    for failed in (profile_pass, kept_rows):
        if isinstance(failed, FailedPass):
            raise DataError(f"the run's data could not be profiled: {failed.message}")
    assert isinstance(profile_pass, ProfilePass)
    assert isinstance(kept_rows, SamplePass)
    profile = profile_pass.profile()
    if profile.row_count != result.rows:  # no batch: an empty run
        profile = _empty_profile(result.rows, result.columns, profile)
    kept = result.passes.get(KEEP)
    return RunScan(
        rows=result.rows,
        profile=profile,
        frame=(
            kept_rows.frame()
            if kept_rows.rows
            else _empty_frame(result.columns)
            if sample
            else cast("pd.DataFrame", NoRows())
        ),
        sampled=kept_rows.sampled if sample else result.rows > 0,
        passes={
            name[len(CHECK) :]: p
            for name, p in result.passes.items()
            if name.startswith(CHECK)
        },
        kept=kept.frame() if isinstance(kept, ColumnsPass) else None,
        columns=result.columns,
        extra={
            name[len(EXTRA) :]: p
            for name, p in result.passes.items()
            if name.startswith(EXTRA)
        },
    )


def _fits_one_batch(engine: Engine, data: RunData) -> bool:
    rows = engine.count_rows(data)
    return rows is not None and rows <= engine.settings.batch_rows


def _empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=list(columns))


def _empty_profile(rows: int, columns: Sequence[str], profile: Profile) -> Profile:
    from modelhealth.checks.profiling import profile_frame

    if profile.columns or not columns:
        return profile
    return profile_frame(_empty_frame(columns))


class RunTimePass(RowPass):
    """The latest time in one column: a run's time read from its data."""

    def __init__(self, column: str) -> None:
        self.column = column
        self.latest: Any = None
        self.seen = False

    def update(self, batch: Any) -> None:
        import pandas as pd

        frame = batch.frame
        if self.column not in frame.columns:
            return
        self.seen = True
        try:
            times = pd.to_datetime(frame[self.column], utc=True)
        except (ValueError, TypeError) as exc:
            raise DataError(
                f"the run-time column {self.column!r} does not hold times: {exc}"
            ) from None
        latest = times.max()
        if not pd.isna(latest) and (self.latest is None or latest > self.latest):
            self.latest = latest

    def merge(self, other: Any) -> None:
        assert isinstance(other, RunTimePass)
        self.seen = self.seen or other.seen
        if other.latest is not None and (
            self.latest is None or other.latest > self.latest
        ):
            self.latest = other.latest


def run_time(engine: Engine, data: RunData, column: str) -> datetime:
    """A run's time from its data: the latest value of ``column`` (one scan of
    that column alone).

    Raises:
        DataError: the column is missing, holds no time, or only nulls.
    """
    result = engine.scan(data, {"time": RunTimePass(column)}, columns=[column])
    found = result.passes["time"]
    if isinstance(found, FailedPass):
        raise DataError(found.message)
    assert isinstance(found, RunTimePass)
    if not found.seen:
        raise DataError(f"the run-time column {column!r} is not in the run's data")
    if found.latest is None:
        raise DataError(f"the run-time column {column!r} has no value")
    at: datetime = found.latest.to_pydatetime()
    return at
