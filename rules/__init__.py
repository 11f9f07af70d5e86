"""The rule language: load a rules file into a validated :class:`RuleSet`.

::

    from modelhealth import rules
    rule_set = rules.load(
        "rules/churn.yaml",
        check_kinds=modelhealth.checks.registry.params_types(),
        channel_kinds=modelhealth.alerts.registry.params_types(),
    )

A file with mistakes raises one :class:`RulesError` listing every :class:`Problem`,
each as ``file:line:col path: message``. The package imports none of ``checks``,
``alerts`` or ``monitor``: the tables of known check kinds and channels are passed in.
The language itself is documented in ``docs/rules.md``.
"""

from __future__ import annotations

from modelhealth.rules.durations import parse_duration
from modelhealth.rules.errors import Problem, RulesError
from modelhealth.rules.models import (
    ChannelParams,
    CheckParams,
    RuleSet,
    Severity,
    Threshold,
)
from modelhealth.rules.parse import load, loads

__all__ = [
    "ChannelParams",
    "CheckParams",
    "Problem",
    "RuleSet",
    "RulesError",
    "Severity",
    "Threshold",
    "load",
    "loads",
    "parse_duration",
]
