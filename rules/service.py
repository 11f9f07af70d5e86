"""The service's own settings file (``modelhealth.yaml``): routes for every model.

Some routes belong to the service rather than to one model: everything critical to
``#ml-oncall``, whichever model broke. The service file holds those, and the web
report's base URL that alerts link to::

    version: 1
    report_url: https://modelhealth.example.com
    alerts:
      - channel: slack
        to: "#ml-oncall"
        token_env: SLACK_BOT_TOKEN
        min_severity: critical
    incidents:
      stale_after: 7d            # close what no run has found for a week

It is read with the rules files' machinery: located YAML, ``${VAR}`` interpolation,
each ``alerts[i]`` validated by its channel's params class, every problem reported at
once as ``file:line:col path: message`` in one
:class:`~modelhealth.rules.errors.RulesError`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, SerializeAsAny, ValidationError

from modelhealth.rules.errors import Problem, RulesError
from modelhealth.rules.extends import top_level_problem
from modelhealth.rules.interpolate import interpolate
from modelhealth.rules.loader import LMap, compose, to_plain
from modelhealth.rules.messages import problems_from
from modelhealth.rules.models import ChannelParams, Duration, _Model
from modelhealth.rules.parse import _entries

__all__ = ["IncidentSettings", "ServiceConfig", "load_service", "loads_service"]


class IncidentSettings(_Model):
    """How incidents end that no passing run resolves.

    Attributes:
        stale_after: an open incident that no run has found failing for this long
            (``7d``, ``36h``) is closed as ``stale`` by the scheduler, with a
            message; ``None`` (the default): only when its check leaves the rules.
    """

    stale_after: Duration | None = None


class ServiceConfig(_Model):
    """What the service file declares.

    Attributes:
        report_url: base URL of the web report; alerts link to
            ``{report_url}/models/{model}/runs/{run_id}``.
        alerts: routes that apply to every model, besides each rules file's own.
        incidents: how incidents go stale.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = 1
    report_url: str | None = Field(default=None, pattern=r"^https?://[^\s]+$")
    alerts: list[SerializeAsAny[ChannelParams]] = Field(default_factory=list)
    incidents: IncidentSettings = IncidentSettings()
    source_file: str | None = Field(default=None, exclude=True)


def loads_service(
    text: str,
    *,
    source: str = "<string>",
    channel_kinds: Mapping[str, type[ChannelParams]],
    env: Mapping[str, str] | None = None,
) -> ServiceConfig:
    """Validate a service file given as text.

    Args:
        text: the YAML document (empty means all defaults).
        source: the name problems give it.
        channel_kinds: ``{channel: params class}``.
        env: the variables for ``${VAR}``; ``os.environ`` when ``None``.

    Raises:
        RulesError: every problem found.
    """
    tree, problems = compose(text, source)
    if tree is None and not problems:
        return ServiceConfig(source_file=None if source.startswith("<") else source)
    if not isinstance(tree, LMap):
        bad = top_level_problem(tree, source, empty_ok=True)
        raise RulesError(problems or ([bad] if bad else []))
    interpolate(tree, os.environ if env is None else env, problems)
    data = to_plain(tree)
    assert isinstance(data, dict)
    alerts = _entries(tree, "alerts", "channel", "channel", channel_kinds, problems)
    if alerts is not None:
        data["alerts"] = alerts
    data.pop("source_file", None)
    config = None
    try:
        config = ServiceConfig.model_validate(data)
    except ValidationError as exc:
        problems += problems_from(exc, tree, ServiceConfig, (), tree.loc)
    if problems or config is None:
        raise RulesError(problems)
    named = None if source.startswith("<") else source
    return config.model_copy(update={"source_file": named})


def load_service(
    path: str | os.PathLike[str],
    *,
    channel_kinds: Mapping[str, type[ChannelParams]],
    env: Mapping[str, str] | None = None,
) -> ServiceConfig:
    """Load and validate a service file (see :func:`loads_service`).

    Raises:
        RulesError: the file cannot be read or has problems.
    """
    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError([Problem(source, 0, 0, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(
            [Problem(source, 0, 0, "", f"cannot read the file: {exc}")]
        ) from None
    return loads_service(text, source=source, channel_kinds=channel_kinds, env=env)
