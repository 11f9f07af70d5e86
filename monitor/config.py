"""Where settings come from: flags, then ``MODELHEALTH_*`` variables, then defaults.

- ``MODELHEALTH_DB``: the store's URL or SQLite file (default ``./modelhealth.db``).
- ``MODELHEALTH_REPORT_URL``: base URL of the web report, for links in alerts.
- ``MODELHEALTH_CONFIG``: the service file (routes for every model, ``report_url``);
  default ``./modelhealth.yaml`` when it exists (see :mod:`modelhealth.run.policy`).
- ``MODELHEALTH_ALERT_BUDGET``: seconds ``check`` spends delivering alerts (5).
"""

from __future__ import annotations

import os
from pathlib import Path

from modelhealth.rules.models import RuleSet

__all__ = ["DEFAULT_DB", "db_url", "load_rules", "report_url"]

DEFAULT_DB = "sqlite:///./modelhealth.db"


def db_url(flag: str | None = None) -> str:
    """The store URL: the ``--db`` flag, else ``MODELHEALTH_DB``, else the default."""
    return flag or os.environ.get("MODELHEALTH_DB") or DEFAULT_DB


def report_url(run_model: str, run_id: str) -> str | None:
    """A link to a run's page in the web report, if its base URL is configured
    (``MODELHEALTH_REPORT_URL``, else the service file's ``report_url``)."""
    from modelhealth.run.policy import report_link

    return report_link(run_model, run_id)


def load_rules(path: str | os.PathLike[str]) -> RuleSet:
    """Load a rules file with every known check kind and alert channel.

    Raises:
        RulesError: every problem in the file, with file:line:column.
    """
    from modelhealth import rules
    from modelhealth.alerts import registry as channels
    from modelhealth.checks import registry as checks

    return rules.load(
        Path(path),
        check_kinds=checks.params_types(),
        channel_kinds=channels.params_types(),
    )
