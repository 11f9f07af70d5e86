"""Where settings come from: flags, then ``MODELHEALTH_*`` variables, then defaults.

One module holds every setting, so each has one obvious source:

- ``MODELHEALTH_DB``: the store's URL or SQLite file (default ``./modelhealth.db``);
- ``MODELHEALTH_REPORT_URL``: base URL of the web report, for links in alerts;
- ``MODELHEALTH_CONFIG``: the service file (routes for every model, ``report_url``),
  default ``./modelhealth.yaml`` when it exists (:func:`service_config`);
- ``MODELHEALTH_ALERT_BUDGET``: seconds ``check`` spends delivering alerts (5);
- the service's own knobs, :class:`ServiceSettings` (``MODELHEALTH_RULES``,
  ``MODELHEALTH_DATA_ROOTS``, ``MODELHEALTH_WRITE_TOKEN``, ``MODELHEALTH_READ_TOKEN``,
  ``MODELHEALTH_WORKERS``, ``MODELHEALTH_MAX_BODY``, and ``SLACK_SIGNING_SECRET``,
  the Slack app's signing secret, which ``POST /api/v1/slack/actions`` verifies
  button clicks with; unset, they are refused).

:func:`report_link` is the one place a run's link in the web report is built.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from modelhealth.rules.models import RuleSet
    from modelhealth.rules.service import ServiceConfig

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_DB",
    "ServiceSettings",
    "as_rule_set",
    "db_url",
    "load_rules",
    "report_link",
    "service_config",
]

DEFAULT_DB = "sqlite:///./modelhealth.db"
DEFAULT_CONFIG = "modelhealth.yaml"


def db_url(flag: str | None = None) -> str:
    """The store URL: the ``--db`` flag, else ``MODELHEALTH_DB``, else the default."""
    return flag or os.environ.get("MODELHEALTH_DB") or DEFAULT_DB


def load_rules(path: str | os.PathLike[str], *, strict: bool = False) -> RuleSet:
    """Load a rules file with every known check kind and alert channel.

    Secrets are needed when a message is sent, not before: an alert route whose
    secret variable is unset loads, with a warning in ``RuleSet.warnings`` that
    names the variable; sending through it then fails as a delivery (the message
    waits in the outbox). ``strict`` makes an unset variable an error, and so every
    warning (``--strict``, for deployment checks).

    Raises:
        RulesError: every problem in the file, with file:line:column.
    """
    from modelhealth import rules
    from modelhealth.alerts import registry as channels
    from modelhealth.alerts._secrets import allow_unset
    from modelhealth.checks import registry as checks

    def load() -> RuleSet:
        return rules.load(
            Path(path),
            check_kinds=checks.params_types(),
            channel_kinds=channels.params_types(),
            strict=strict,
        )

    if strict:
        return load()
    with allow_unset() as unset:
        rule_set = load()
    if not unset:
        return rule_set
    notes = tuple(
        f"{path} alerts[{i}].{key}: environment variable {name!r} is not set; "
        f"{route.channel} alerts through this route fail to deliver until it is"
        for i, route in enumerate(rule_set.alerts)
        for key, name in route.model_dump().items()
        if key.endswith("_env") and isinstance(name, str) and not os.environ.get(name)
    )
    return rule_set.model_copy(update={"warnings": (*rule_set.warnings, *notes)})


def as_rule_set(rules: RuleSet | str | os.PathLike[str]) -> RuleSet:
    """A loaded RuleSet as it is; a path loaded with :func:`load_rules`."""
    if isinstance(rules, (str, os.PathLike)):
        return load_rules(rules)
    return rules


_service_cache: dict[tuple[str, float], ServiceConfig] = {}


def service_config(path: str | os.PathLike[str] | None = None) -> ServiceConfig:
    """The service file's settings (all defaults when there is no file).

    The file is ``path``, else ``$MODELHEALTH_CONFIG``, else ``./modelhealth.yaml``
    when it exists (see :mod:`modelhealth.rules.service`). It is read again when it
    changes.

    Raises:
        RulesError: the file is named but missing, or has problems.
    """
    from modelhealth.alerts import registry as channel_registry
    from modelhealth.rules.service import ServiceConfig, load_service

    named = path or os.environ.get("MODELHEALTH_CONFIG")
    if named is None:
        if not Path(DEFAULT_CONFIG).is_file():
            return ServiceConfig()
        named = DEFAULT_CONFIG
    file = Path(named)
    stamp = (os.fspath(named), file.stat().st_mtime if file.is_file() else 0.0)
    if stamp not in _service_cache:
        _service_cache[stamp] = load_service(
            named, channel_kinds=channel_registry.params_types()
        )
    return _service_cache[stamp]


def report_link(model: str, run_id: str, base: str | None = None) -> str | None:
    """The link to a run's page in the web report, if a base URL is known.

    Args:
        model: the model's name.
        run_id: the run's id; both are URL-quoted (ids may hold ``/``, ``?``, ``#``).
        base: the report's base URL; by default ``$MODELHEALTH_REPORT_URL``, else
            the service file's ``report_url``.

    Returns:
        The link, or ``None`` when no base URL is configured.
    """
    if base is None:
        base = os.environ.get("MODELHEALTH_REPORT_URL") or service_config().report_url
    if not base:
        return None
    return (
        f"{base.rstrip('/')}/models/{quote(model, safe='')}"
        f"/runs/{quote(run_id, safe='')}"
    )


def _paths(value: str | None) -> tuple[Path, ...]:
    if not value:
        return ()
    return tuple(Path(p) for p in value.split(os.pathsep) if p.strip())


@dataclass(frozen=True)
class ServiceSettings:
    """Settings of the HTTP API and the scheduler.

    Attributes:
        db_url: the store's SQLAlchemy URL (or a bare SQLite path).
        rules_dirs: folders of rules files (``*.yaml``/``*.yml``), one model each.
        data_roots: the only folders from which the API reads data by path.
        write_token: the bearer token ``POST`` endpoints require; ``None`` refuses
            every write.
        read_token: the bearer token reads require; ``None`` leaves reads open.
        report_url: the web report's base URL, used for links in responses.
        workers: how many API-submitted runs are checked at once.
        max_body: the largest accepted request body, in bytes.
        slack_signing_secret: the Slack app's signing secret; ``None`` refuses
            Slack actions.
    """

    db_url: str = DEFAULT_DB
    rules_dirs: tuple[Path, ...] = (Path("rules"),)
    data_roots: tuple[Path, ...] = ()
    write_token: str | None = None
    read_token: str | None = None
    report_url: str | None = None
    workers: int = 2
    max_body: int = 10 * 1024 * 1024
    slack_signing_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, /, **overrides: object
    ) -> ServiceSettings:
        """Settings from ``MODELHEALTH_*`` variables, then ``overrides`` (flags).

        Args:
            env: the environment to read; ``os.environ`` by default.
            **overrides: fields to set, ignoring ``None`` values.

        Returns:
            The settings.

        Raises:
            ValueError: a numeric variable is not a positive integer.
        """
        env = os.environ if env is None else env
        values: dict[str, object] = {
            "db_url": env.get("MODELHEALTH_DB") or DEFAULT_DB,
            "rules_dirs": _paths(env.get("MODELHEALTH_RULES")) or (Path("rules"),),
            "data_roots": _paths(env.get("MODELHEALTH_DATA_ROOTS")),
            "write_token": env.get("MODELHEALTH_WRITE_TOKEN") or None,
            "read_token": env.get("MODELHEALTH_READ_TOKEN") or None,
            "report_url": env.get("MODELHEALTH_REPORT_URL") or None,
            "workers": _positive(env, "MODELHEALTH_WORKERS", 2),
            "max_body": _positive(env, "MODELHEALTH_MAX_BODY", 10 * 1024 * 1024),
            "slack_signing_secret": env.get("SLACK_SIGNING_SECRET") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, not {raw!r}")
    return value
