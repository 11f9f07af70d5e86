"""Tiny check kinds and channels for the parser's tests, independent of checks/alerts,
and helpers that load inline YAML with them."""

from __future__ import annotations

import textwrap
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from modelhealth import rules
from modelhealth.rules import ChannelParams, CheckParams, Threshold
from modelhealth.rules.models import CheckThreshold


class ColumnSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    dtype: str | None = None
    nullable: bool = True
    isin: list[str | int | float | bool] | None = None


class SchemaParams(CheckParams):
    kind: Literal["schema"] = "schema"
    columns: dict[str, ColumnSpec] = Field(default_factory=dict)
    strict: bool = False


class DriftParams(CheckParams):
    kind: Literal["drift"] = "drift"
    columns: Literal["*"] | list[str] = "*"
    method: Literal["psi", "ks", "wasserstein"] = "psi"
    threshold: CheckThreshold = CheckThreshold(warn=0.1, fail=0.25)
    per_column: dict[str, Threshold] = Field(default_factory=dict)
    segment_by: list[str] = Field(default_factory=list)


class VolumeParams(CheckParams):
    kind: Literal["volume"] = "volume"
    min_rows: int | None = Field(default=None, ge=0)
    max_rows: int | None = Field(default=None, ge=0)


class SlackParams(ChannelParams):
    channel: Literal["slack"] = "slack"
    to: str
    webhook_url: str | None = None


class ConsoleParams(ChannelParams):
    channel: Literal["console"] = "console"
    stream: Literal["stdout", "stderr"] = "stderr"


CHECK_KINDS: dict[str, type[CheckParams]] = {
    "schema": SchemaParams,
    "drift": DriftParams,
    "volume": VolumeParams,
}
CHANNEL_KINDS: dict[str, type[ChannelParams]] = {
    "slack": SlackParams,
    "console": ConsoleParams,
}


def parse(text: str, **kwargs: object) -> rules.RuleSet:
    """``rules.loads`` of dedented text as ``rules/churn.yaml`` with the test tables."""
    options: dict[str, Any] = {
        "source": "rules/churn.yaml",
        "check_kinds": CHECK_KINDS,
        "channel_kinds": CHANNEL_KINDS,
        "env": {},
        **kwargs,
    }
    return rules.loads(textwrap.dedent(text), **options)


def error(text: str, **kwargs: object) -> str:
    """The text of the RulesError that ``parse(text)`` raises."""
    with pytest.raises(rules.RulesError) as info:
        parse(text, **kwargs)
    return str(info.value)
