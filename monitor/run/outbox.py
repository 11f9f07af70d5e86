"""The sender: deliver what waits in the alert outbox, retrying with backoff.

:func:`flush` takes a few due messages at a time from the store (a lease, so two
senders never hold the same message and a crashed sender's messages come due
again). The lease is short (:data:`DEFAULT_LEASE`) and renewed by a heartbeat until
each message is sent, so a sender killed mid-send strands its messages for at most
the lease, and for no time at all when the next sender runs on the same host (the
lease names its holder process, which is found gone). It rebuilds each message's
channel from the route stored with it (secrets are read from the environment now,
never from the database), sends, and marks it delivered or
schedules the next attempt: exponential backoff with jitter, never sooner than the
receiver's ``Retry-After``. A reply (a resolution in a Slack thread) waits for the
message it replies to.

It runs after every ``modelhealth check`` with a small time budget (a chat outage
delays the pipeline by at most the budget plus one channel timeout, and never
changes its exit code), in ``modelhealth alerts flush``, and in the scheduler
(:class:`~modelhealth.service.scheduler.ServiceScheduler`).

Delivery guarantee: at least once. A message is marked delivered only after the
channel accepted it; a crash or lost answer between the two sends it again with
the same idempotency key, so receivers that dedupe on the key (the webhook's
``Idempotency-Key`` header, the key in Slack message metadata) see it exactly once.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from modelhealth.alerts import registry as channel_registry
from modelhealth.alerts.base import Alert, Channel, Delivery

if TYPE_CHECKING:
    from modelhealth.store import Store
    from modelhealth.store.records import OutboxRecord

__all__ = [
    "DEFAULT_BUDGET",
    "DEFAULT_LEASE",
    "Backoff",
    "FlushStats",
    "build_channel",
    "flush",
]

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(seconds=30)
"""How long a taken message stays reserved without a renewal: a sender renews it
every third of this while it sends, so only a dead sender's lease runs out."""

DEFAULT_BUDGET = 5.0
"""Seconds ``modelhealth check`` spends delivering alerts after a run
(``MODELHEALTH_ALERT_BUDGET`` overrides)."""


@dataclass(frozen=True)
class Backoff:
    """When to try a failed message again.

    The n-th failed attempt waits ``min(cap, base * 2**(n-1))`` seconds, scaled by
    a random factor in ``[1 - jitter, 1]`` so that many messages do not retry in
    step, and never less than the receiver's ``Retry-After``.
    """

    base: float = 2.0
    cap: float = 3600.0
    jitter: float = 0.5

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the ``attempts``-th failed attempt."""
        # past ~40 doublings the cap rules; 2**1025 would not fit a float at all
        exponent = min(max(attempts - 1, 0), 60)
        raw = min(self.cap, self.base * 2.0**exponent)
        wait: float = raw * (1 - self.jitter * random.random())
        return max(wait, retry_after or 0.0)


@dataclass
class FlushStats:
    """What one :func:`flush` did."""

    delivered: int = 0
    failed_attempts: int = 0
    pending: int = 0
    seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    # the last failure of each channel, e.g. {"slack": "ValueError: ... is not set"}
    failures: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"{self.delivered} delivered, {self.failed_attempts} failed attempt(s), "
            f"{self.pending} pending, {self.seconds:.1f}s"
        )


def build_channel(route: Mapping[str, Any]) -> Channel:
    """A channel from a route's stored settings (secrets read from the environment).

    Raises:
        KeyError: the channel is unknown to this modelhealth.
        ValueError: the settings no longer validate (e.g. a variable is unset).
    """
    from pydantic import ValidationError

    params = channel_registry.get(str(route["channel"])).params_type
    try:
        settings = params.model_validate(dict(route))
    except ValidationError as exc:  # one sentence, not pydantic's report
        first = exc.errors()[0]
        raise ValueError(str(first["msg"]).removeprefix("Value error, ")) from None
    return channel_registry.build(settings)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _attempt(
    row: OutboxRecord,
    store: Store,
    channels: dict[str, Channel],
    build: Callable[[Mapping[str, Any]], Channel],
) -> Delivery:
    reply_to: Mapping[str, str] = {}
    if row.parent_id is not None:
        parent = store.outbox_message(row.parent_id)
        reply_to = parent.response if parent is not None else {}
    alert = Alert.from_dict(row.alert, key=row.key, reply_to=reply_to)
    name = f"{row.channel}:{sorted(row.route.items())!r}"
    try:
        channel = channels.get(name) or build(row.route)
        channels[name] = channel
        return channel.send(alert)
    except Exception as exc:  # a bad route or a channel bug: keep the message
        log.warning("outbox message #%s via %s raised", row.id, row.channel)
        return Delivery(row.channel, ok=False, detail=f"{type(exc).__name__}: {exc}")


class _Heartbeat:
    """Renews this sender's lease on the messages it holds while a send lasts."""

    def __init__(self, store: Store, ids: list[int], lease: timedelta) -> None:
        self._store = store
        self._ids = ids
        self._lease = lease
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat, name="outbox-lease", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        every = max(self._lease.total_seconds() / 3, 0.05)
        while not self._stop.wait(every):
            try:
                self._store.renew_outbox(self._ids, until=_now() + self._lease)
            except Exception as exc:  # noqa: PERF203 - the send goes on
                log.warning("could not renew outbox leases: %s", exc)


def _deliver(
    row: OutboxRecord,
    store: Store,
    channels: dict[str, Channel],
    build: Callable[[Mapping[str, Any]], Channel],
    backoff: Backoff,
    stats: FlushStats,
) -> None:
    delivery = _attempt(row, store, channels, build)
    if delivery.ok:
        store.mark_delivered(row.id, ref=delivery.ref)
        stats.delivered += 1
        return
    stats.failed_attempts += 1
    reason = delivery.detail.split(":", 1)[0]
    stats.errors[reason] = stats.errors.get(reason, 0) + 1
    stats.failures[row.channel] = delivery.detail
    wait = backoff.delay(row.attempts + 1, delivery.retry_after)
    log.info("outbox #%s via %s failed: %s", row.id, row.channel, delivery.detail)
    store.mark_failed(
        row.id, error=delivery.detail, next_attempt_at=_now() + timedelta(seconds=wait)
    )


def flush(
    store: Store,
    *,
    budget: float | None = None,
    backoff: Backoff | None = None,
    lease: timedelta = DEFAULT_LEASE,
    build: Callable[[Mapping[str, Any]], Channel] = build_channel,
    max_messages: int | None = None,
    batch_size: int = 20,
) -> FlushStats:
    """Deliver due messages until none is left or the budget is spent.

    Args:
        store: the store whose outbox to empty.
        budget: seconds to keep going, waiting for retries that come due within
            it; ``None`` sends what is due now, once each, and returns.
        backoff: the retry schedule; :class:`Backoff` defaults.
        lease: how long a taken message stays reserved for this sender without
            a renewal; a heartbeat renews it every third of it while a send lasts
            (a channel's worst send may take minutes), so a slow send is never
            taken over and sent twice at once, and a dead sender's message comes
            due again after it.
        build: makes a channel from stored route settings (tests inject clients).
        max_messages: stop after this many attempts.
        batch_size: messages taken (leased) at a time; their lease is renewed
            until each is sent, and unsent ones are given back when the budget
            runs out.

    Returns:
        The figures of this flush; ``pending`` counts what still waits.
    """
    backoff = backoff or Backoff()
    start = time.monotonic()
    deadline = None if budget is None else start + budget
    channels: dict[str, Channel] = {}
    stats = FlushStats()
    tried: set[int] = set()
    try:
        while max_messages is None or len(tried) < max_messages:
            if deadline is not None and time.monotonic() >= deadline:
                break
            batch = store.claim_outbox(
                lease=lease,
                limit=batch_size,
                exclude=tried if budget is None else (),
            )
            if not batch:
                next_due = None if deadline is None else store.next_due()
                if deadline is None or next_due is None:
                    break
                wait = max((next_due - _now()).total_seconds(), 0.01)
                if time.monotonic() + wait >= deadline:
                    break
                time.sleep(wait)
                continue
            taken_at = time.monotonic()
            # the whole batch stays leased while it is sent, renewed as it goes
            with _Heartbeat(store, [r.id for r in batch], lease):
                for i, row in enumerate(batch):
                    now = time.monotonic()
                    out_of_time = deadline is not None and now >= deadline
                    # give back what is left when time is up, or the batch has
                    # taken long: the next claim takes the oldest due anew
                    stale = now - taken_at > lease.total_seconds() / 2
                    if out_of_time or stale or len(tried) == max_messages:
                        store.release_outbox([r.id for r in batch[i:]])
                        break
                    tried.add(row.id)
                    _deliver(row, store, channels, build, backoff, stats)
    finally:
        for channel in channels.values():
            channel.close()
    stats.pending = store.outbox_pending_count()
    stats.seconds = time.monotonic() - start
    return stats


def check_budget() -> float:
    """The budget of the flush after a run: ``MODELHEALTH_ALERT_BUDGET`` or 5 s."""
    try:
        return float(os.environ.get("MODELHEALTH_ALERT_BUDGET", DEFAULT_BUDGET))
    except ValueError:
        return DEFAULT_BUDGET
