"""The scheduler's sweeps over incidents: held messages released, stale ones closed.

Two process-local jobs of the leading scheduler
(:class:`~modelhealth.service.scheduler.ServiceScheduler`), each followed by a
flush of the outbox so what they queue goes out at once:

- :func:`release_held` (``local:silences``, every ``silences_every`` seconds):
  incidents whose silence or maintenance window has ended are told to the routes
  that have not heard of them, once (:mod:`modelhealth.store.release`), without
  waiting for the model's next run;
- :func:`close_stale` (``local:stale``, every ``stale_every`` seconds): with
  ``incidents.stale_after`` in the service file, open incidents that no run has
  found for that long are closed as stale, with a message
  (:mod:`modelhealth.store.stale`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from modelhealth import config
from modelhealth.alerts.incidents import AlertPolicy
from modelhealth.rules.errors import RulesError
from modelhealth.run.outbox import flush
from modelhealth.run.policy import alert_policy

if TYPE_CHECKING:
    from modelhealth.service.rulesdir import RulesDir
    from modelhealth.store import Store

__all__ = ["close_stale", "release_held"]

log = logging.getLogger(__name__)


def release_held(store: Store, rules: RulesDir, report_url: str | None) -> int:
    """Tell what ended silences and maintenance windows held back.

    Args:
        store: the service's store.
        rules: the rules in force (each model's routes and windows).
        report_url: the web report's base URL, for the messages' links.

    Returns:
        How many messages were queued.
    """

    def policy_for(model: str, run_id: str) -> AlertPolicy | None:
        rule_set = rules.get(model)
        if rule_set is None:
            return None
        link = config.report_link(model, run_id, base=report_url)
        return alert_policy(rule_set, link)

    queued = store.release_held(policy_for)
    if queued:
        log.info(
            "%d held message(s) released: their silence or window ended", len(queued)
        )
        flush(store)
    return len(queued)


def close_stale(store: Store) -> int:
    """Close the incidents no run has found for ``incidents.stale_after``.

    Returns:
        How many incidents were closed (0 when the setting is off).
    """
    try:
        stale_after = config.service_config().incidents.stale_after
    except RulesError as exc:  # a broken service file: say so, keep scheduling
        log.error("stale incidents not closed: %s", exc)
        return 0
    if stale_after is None:
        return 0
    closed = store.close_stale(stale_after)
    for incident in closed:
        log.info(
            "incident #%d of %r closed as stale: %s",
            incident.id, incident.model, incident.closed_because,
        )  # fmt: skip
    if closed:
        flush(store)
    return len(closed)
