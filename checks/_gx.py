"""The Great Expectations side of the ``expectations`` check.

Only this module imports great_expectations (about 4 s), and only
:meth:`modelhealth.checks.expectations.ExpectationsCheck.run` imports this module. One
ephemeral
data context per process holds one pandas data source with one dataframe asset;
each run's frame becomes a batch of it, and the batch validates a suite of the
requested expectations directly (``batch.validate``). That keeps GX's stores out of
the way: ``ValidationDefinition.run()`` would store the results and, with numpy 2,
fails to serialise some (``ExpectColumnQuantileValuesToBeBetween``'s numpy bools).

GX's usage analytics are off unless ``GX_ANALYTICS_ENABLED`` is set (a check must
not call out to the network), and so are its progress bars.

Results come back in GX's order, which is not the suite's; each expectation carries
its position in ``meta`` so that results are returned in the order written.
"""

from __future__ import annotations

import difflib
import math
import os
import threading
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pandas as pd

from modelhealth.checks.base import CheckError, Status

__all__ = ["Outcome", "Raw", "outcome", "raw_results", "validate"]

SAMPLES = 5
_INDEX = "modelhealth_index"
_lock = threading.Lock()


@dataclass
class Outcome:
    """One expectation's verdict, ready to become a result."""

    subject: str
    status: Status
    value: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    failures: tuple[dict[str, Any], ...] = ()
    message: str = ""


@cache
def _batch_definition() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(
        globally=False, metric_calculations=False
    )
    asset = context.data_sources.add_pandas("modelhealth").add_dataframe_asset("run")
    return asset.add_batch_definition_whole_dataframe("whole")


def _expectation(name: str, kwargs: dict[str, Any], index: int) -> Any:
    from great_expectations.exceptions.exceptions import ExpectationNotFoundError
    from great_expectations.expectations.registry import (
        get_expectation_impl,
        list_registered_expectation_implementations,
    )

    try:
        cls = get_expectation_impl(name)
    except ExpectationNotFoundError:
        known = list_registered_expectation_implementations()
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise CheckError(f"unknown expectation {name!r}{hint}") from None
    try:
        return cls(**kwargs, meta={_INDEX: index})
    except Exception as exc:  # GX validates arguments with pydantic v1
        first = str(exc).replace("\n", " ")
        raise CheckError(f"{name}: invalid arguments {kwargs!r}: {first}") from None


@dataclass
class Raw:
    """What GX said of one expectation on one frame, as plain data (it pickles).

    Attributes:
        success: GX's verdict.
        result: GX's result dict (counts, ``partial_unexpected_list``, observed
            value), JSON-able.
        error: GX's exception message, when the expectation raised.
    """

    success: bool
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def validate(
    frame: pd.DataFrame, items: list[tuple[str, dict[str, Any]]]
) -> list[Outcome]:
    """Run each ``(name, kwargs)`` expectation on ``frame``; outcomes in input order.

    Raises:
        CheckError: an unknown expectation name or invalid arguments.
    """
    raws = raw_results(frame, items)
    return [
        outcome(name, kwargs, raw)
        for (name, kwargs), raw in zip(items, raws, strict=True)
    ]


def raw_results(
    frame: pd.DataFrame, items: list[tuple[str, dict[str, Any]]]
) -> list[Raw]:
    """GX's plain results of each ``(name, kwargs)`` on ``frame``, in input order.

    Raises:
        CheckError: an unknown expectation name or invalid arguments.
    """
    import great_expectations as gx

    with _lock:  # one shared context; GX is not documented as thread-safe
        definition = _batch_definition()  # creates the context the suite needs
        suite = gx.ExpectationSuite(name="modelhealth")
        for i, (name, kwargs) in enumerate(items):
            suite.add_expectation(_expectation(name, kwargs, i))
        batch = definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(
            suite,
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 20},
        )
    by_index = {int(r.expectation_config.meta[_INDEX]): r for r in result.results}
    return [_raw(by_index[i]) for i in range(len(items))]


def _raw(found: Any) -> Raw:
    info = found.exception_info or {}
    if "raised_exception" not in info:  # keyed by metric when a metric failed
        info = next(iter(info.values()), {}) if info else {}
    if info.get("raised_exception"):
        message = str(info.get("exception_message") or "GX raised an exception")
        return Raw(False, error=message.splitlines()[0])
    return Raw(bool(found.success), _plain(dict(found.result or {})))


def _number(value: object) -> float | None:
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _plain(value: Any) -> Any:
    """GX results hold numpy scalars and arrays; make them JSON-able."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    if hasattr(value, "item"):
        return value.item()
    return (
        value
        if isinstance(value, (str, int, float, bool)) or value is None
        else str(value)
    )


def subject_of(name: str, kwargs: dict[str, Any]) -> str:
    """``name(column)``, or the name alone for a table's expectation."""
    column = kwargs.get("column")
    return f"{name}({column})" if column is not None else name


def outcome(name: str, kwargs: dict[str, Any], found: Raw) -> Outcome:
    """One expectation's :class:`Outcome` from GX's plain result."""
    subject = subject_of(name, kwargs)
    if found.error is not None:
        return Outcome(
            subject,
            Status.ERRORED,
            message=found.error,
            details={"expectation": name, "kwargs": _plain(kwargs)},
        )
    res = found.result
    observed = _plain(res.get("observed_value"))
    metrics: dict[str, float] = {}
    for key in (
        "unexpected_count",
        "unexpected_percent",
        "element_count",
        "missing_count",
    ):
        number = _number(res.get(key))
        if number is not None:
            metrics[key] = number
    value: float | None
    if "unexpected_percent" in metrics:
        value = metrics["unexpected_percent"] / 100.0
    else:
        value = _number(observed)
    unexpected = [_plain(v) for v in res.get("partial_unexpected_list") or []]
    samples = list({repr(v): v for v in unexpected}.values())
    samples = samples[:SAMPLES]
    status = Status.PASSED if found.success else Status.FAILED
    if "unexpected_count" in metrics:
        n = int(metrics["unexpected_count"])
        shown = ": " + ", ".join(map(repr, samples)) if samples and n else ""
        message = f"{n} of {int(metrics.get('element_count', 0))} unexpected{shown}"
    else:
        message = f"observed {observed!r}"
    return Outcome(
        subject,
        status,
        value=value,
        metrics=metrics,
        details={
            "expectation": name,
            "kwargs": _plain(kwargs),
            "observed_value": observed,
        },
        failures=tuple({"value": v} for v in samples),
        message=("" if found.success else "failed: ") + message,
    )
