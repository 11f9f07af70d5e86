"""What the service needs to know: :class:`ServiceSettings`, read from the environment.

One frozen object holds every knob of ``modelhealth serve`` and ``modelhealth
scheduler``; the CLI builds it from flags over ``MODELHEALTH_*`` variables
(:meth:`ServiceSettings.from_env`), tests build it directly.

- ``MODELHEALTH_DB``: the store's URL (default ``sqlite:///./modelhealth.db``);
- ``MODELHEALTH_RULES``: rules folders, ``os.pathsep``-separated (default ``rules``);
- ``MODELHEALTH_DATA_ROOTS``: folders the API may read data from, same separator;
- ``MODELHEALTH_WRITE_TOKEN``: bearer token for writes (unset: writes are refused);
- ``MODELHEALTH_READ_TOKEN``: bearer token for reads (unset: reads are open);
- ``MODELHEALTH_REPORT_URL``: base URL of the web report, for links;
- ``MODELHEALTH_WORKERS``: API runs checked at once (default 2);
- ``MODELHEALTH_MAX_BODY``: largest request body in bytes (default 10 MiB).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from modelhealth.config import DEFAULT_DB

__all__ = ["ServiceSettings"]


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
    """

    db_url: str = DEFAULT_DB
    rules_dirs: tuple[Path, ...] = (Path("rules"),)
    data_roots: tuple[Path, ...] = ()
    write_token: str | None = None
    read_token: str | None = None
    report_url: str | None = None
    workers: int = 2
    max_body: int = 10 * 1024 * 1024

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
