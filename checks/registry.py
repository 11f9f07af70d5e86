"""The table of check kinds: one line per kind, imported only on first use.

Built-in kinds are listed here as ``"kind": "module:Class"`` strings, so that
``import checks`` loads neither pandera nor great_expectations; a kind's module is
imported the first time a rules file uses it. Third-party kinds register through the
``modelhealth.checks`` entry-point group and go through the same lookup; a kind
registered twice stops startup with a clear message.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points

from modelhealth.checks.base import Check, CheckParams

__all__ = ["BUILTIN", "get", "kinds", "params_types"]

BUILTIN: dict[str, str] = {
    "schema": "modelhealth.checks.schema:SchemaCheck",
    "drift": "modelhealth.checks.drift:DriftCheck",
    "volume": "modelhealth.checks.volume:VolumeCheck",
    "expectations": "modelhealth.checks.expectations:ExpectationsCheck",
    "prediction": "modelhealth.checks.prediction:PredictionCheck",
    "metric": "modelhealth.checks.metric:MetricCheck",
    "freshness": "modelhealth.checks.freshness:FreshnessCheck",
    "quality": "modelhealth.checks.quality:QualityCheck",
    "multivariate_drift": (
        "modelhealth.checks.multivariate_drift:MultivariateDriftCheck"
    ),
    "estimated_metric": "modelhealth.checks.estimated_metric:EstimatedMetricCheck",
    "skew": "modelhealth.checks.skew:SkewCheck",
}

ENTRY_POINT_GROUP = "modelhealth.checks"


class DuplicateKindError(RuntimeError):
    def __init__(self, kind: str, first: str, second: str) -> None:
        super().__init__(
            f"check kind {kind!r} is registered twice: by {first!r} and by {second!r}"
        )


@cache
def _table() -> dict[str, str]:
    table = dict(BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in table:
            raise DuplicateKindError(ep.name, table[ep.name], ep.value)
        table[ep.name] = ep.value
    return table


def kinds() -> list[str]:
    """Every known check kind, sorted."""
    return sorted(_table())


@cache
def get(kind: str) -> type[Check[CheckParams]]:
    """The check class of ``kind``, imported on first use.

    Raises:
        KeyError: the kind is unknown.
    """
    target = _table()[kind]
    module_name, _, attr = target.partition(":")
    cls: type[Check[CheckParams]] = getattr(importlib.import_module(module_name), attr)
    return cls


def params_types() -> dict[str, type[CheckParams]]:
    """``{kind: params class}`` for the rules loader.

    The params classes live in each kind's module, so this imports every kind's
    module, but not the heavy libraries those modules import lazily inside ``run``.
    """
    return {kind: get(kind).params_type for kind in kinds()}
