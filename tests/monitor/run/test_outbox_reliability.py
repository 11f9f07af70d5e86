"""The outbox under stress: a chat server that fails, and a sender that is killed.

- The soak tests send 1,000 alerts through a webhook receiver, and through a Slack
  Web API, that answer a scripted share of requests with HTTP 500, 429 with
  ``Retry-After``, stalls past the client's timeout (after which the request *is*
  processed) or dropped connections, and that stop listening now and then
  (connection refused). Every alert must arrive, exactly once after the receiver's
  dedupe on the idempotency key; the figures are printed.
- The crash test kills a sending process (SIGKILL) while the receiver is in the
  middle of a request; the next flush delivers everything, and the one message
  whose answer was lost arrives again with the same key, so the receiver's dedupe
  sees each message once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from modelhealth.alerts.base import Alert
from modelhealth.alerts.slack import SlackParams
from modelhealth.alerts.webhook import WebhookParams
from modelhealth.checks.base import CheckResult, Status
from modelhealth.rules.models import ChannelParams
from modelhealth.run.outbox import Backoff, flush
from modelhealth.store import Store
from tests.alerts.servers import Loopback, Receiver, SlackServer, running

ROOT = Path(__file__).parents[3]


def _alert(i: int) -> Alert:
    failed = CheckResult("feature-drift", "drift", f"f{i}", Status.FAILED, value=0.3)
    return Alert(model=f"m{i % 7}", run_id=f"run-{i}", results=(failed,))


def _queue(store: Store, route: ChannelParams, n: int) -> set[str]:
    ids = [store.queue_alert(route, _alert(i)) for i in range(n)]
    keys = set()
    for pk in ids:
        record = store.outbox_message(pk)
        assert record is not None
        keys.add(record.key)
    return keys


def _script(shares: dict[str, float], seed: int) -> Callable[[int], str]:
    rng = random.Random(seed)

    def script(_: int) -> str:
        x, edge = rng.random(), 0.0
        for action, share in shares.items():
            edge += share
            if x < edge:
                return action
        return "ok"

    return script


def _soak(
    name: str,
    server: Loopback,
    route: ChannelParams,
    seen: Callable[[], tuple[set[str], int]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    every: float = 1.0,
) -> None:
    """Queue 1,000 alerts, flush through ``server`` while it flaps, check, print."""
    store = Store(f"sqlite:///{tmp_path / 'soak.db'}")
    outages = 0
    keys = _queue(store, route, 1000)
    stop = threading.Event()

    def outage() -> None:  # the port closes now and then: connection refused
        nonlocal outages
        while not stop.wait(every):
            server.down(0.15)
            outages += 1

    flapper = threading.Thread(target=outage, daemon=True)
    flapper.start()
    started = time.monotonic()
    stats = flush(store, budget=90, backoff=Backoff(base=0.02, cap=0.3))
    elapsed = time.monotonic() - started
    stop.set()
    flapper.join()
    time.sleep(server.stall + 0.2)  # let stalled requests finish on the server side
    pending = store.outbox_pending()
    store.close()
    unique, duplicates = seen()
    requests = sum(server.counts.values())
    figures = (
        f"soak ({name}): {len(keys)} alerts, {requests} requests reached the server "
        f"({', '.join(f'{k} {v}' for k, v in sorted(server.counts.items()))}), "
        f"{outages} outages of 0.15 s (refused), "
        f"{stats.failed_attempts} failed attempts seen by the sender "
        f"({', '.join(f'{k} {v}' for k, v in sorted(stats.errors.items()))}); "
        f"receiver: {len(unique)} delivered once, "
        f"{duplicates} duplicates deduped by key; {len(pending)} pending; "
        f"{elapsed:.1f} s"
    )
    with capsys.disabled():
        print("\n" + figures)
    assert pending == []
    assert unique == keys
    assert stats.delivered == 1000
    assert {"500", "429", "stall", "drop"} <= set(server.counts)
    assert outages > 0


@pytest.mark.slow
def test_soak_1000_alerts_through_a_failing_webhook(tmp_path, monkeypatch, capsys):
    shares = {"500": 0.08, "429": 0.05, "stall": 0.02, "drop": 0.04}
    app = Receiver()
    monkeypatch.setenv("SOAK_SECRET", app.secret or "")
    server = Loopback(
        app.respond, script=_script(shares, 4), stall=0.6, retry_after="1"
    )
    with running(server):
        route = WebhookParams(
            url=server.url + "/hook", secret_env="SOAK_SECRET", timeout=0.3
        )
        _soak(
            "webhook",
            server,
            route,
            lambda: (set(app.delivered), app.duplicates),
            tmp_path,
            capsys,
        )
    assert app.bad_signatures == 0


@pytest.mark.slow
def test_soak_1000_alerts_through_a_failing_slack(tmp_path, monkeypatch, capsys):
    # slack-sdk retries a refused or dropped connection inside the call after about
    # half a second, and its timeout is whole seconds: fewer of those, to stay quick.
    shares = {"500": 0.08, "429": 0.05, "stall": 0.004, "drop": 0.01}
    app = SlackServer()
    monkeypatch.setenv("SLACK_BOT_TOKEN", app.token)
    server = Loopback(
        app.respond, script=_script(shares, 5), stall=1.3, retry_after="1"
    )
    with running(server):
        route = SlackParams(
            to="#soak",
            token_env="SLACK_BOT_TOKEN",
            api_url=server.url + "/api/",
            timeout=1,
            max_wait=0,  # every 429 goes back to the outbox, after Retry-After
        )

        def seen() -> tuple[set[str], int]:
            return set(app.keys), sum(n - 1 for n in app.keys.values())

        _soak("slack", server, route, seen, tmp_path, capsys, every=3.0)


_SENDER = """
import sys
from datetime import timedelta
from modelhealth.run.outbox import Backoff, flush
from modelhealth.store import Store

with Store(sys.argv[1]) as store:
    flush(store, budget=60, lease=timedelta(seconds=1), backoff=Backoff(0.01, 0.05))
"""


def test_a_sender_killed_mid_send_loses_nothing(tmp_path):
    app = Receiver(secret=None)
    server = Loopback(app.respond, script=lambda n: "stall" if n == 10 else "ok")
    server.stall = 1.0
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    with running(server), Store(url) as store:
        keys = _queue(store, WebhookParams(url=server.url, timeout=30), 40)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        sender = subprocess.Popen(
            [sys.executable, "-c", _SENDER, url], cwd=ROOT, env=env
        )
        deadline = time.monotonic() + 30
        while server.counts.get("stall", 0) == 0:  # request 10 is being handled
            assert time.monotonic() < deadline, "the sender never got going"
            assert sender.poll() is None
            time.sleep(0.01)
        sender.send_signal(signal.SIGKILL)
        sender.wait()
        time.sleep(1.2)  # the receiver finishes request 10; its answer is lost
        assert len(app.delivered) == 10
        assert len(store.outbox_pending()) == 31  # 9 marked + #10 sent, unmarked
        stats = flush(store, budget=30, lease=timedelta(seconds=1))
        assert stats.delivered == 31
        assert store.outbox_pending() == []
    assert set(app.delivered) == keys
    assert app.duplicates == 1  # #10 again, same key: the receiver dedupes it


@pytest.mark.parametrize("attempts", [1, 2, 5, 30])
def test_backoff_grows_is_capped_and_honours_retry_after(attempts):
    backoff = Backoff(base=2, cap=60, jitter=0.5)
    delay = backoff.delay(attempts)
    raw = min(60, 2 * 2 ** (attempts - 1))
    assert raw / 2 <= delay <= raw
    assert backoff.delay(attempts, retry_after=120) == 120


def test_senders_killed_again_and_again_strand_nothing_for_the_next_flush(tmp_path):
    """Issue 13: a killed ``alerts flush`` held only the message it was sending, in
    its own name; the next flush on this host takes that one over at once instead
    of waiting out a lease, so a flush that sends only what is due now delivers
    every message, each at least once and exactly once after the key dedupe."""
    app = Receiver(secret=None)
    server = Loopback(app.respond, script=lambda n: "stall" if n % 6 == 5 else "ok")
    server.stall = 1.0
    url = f"sqlite:///{tmp_path / 'kills.db'}"
    with running(server), Store(url) as store:
        keys = _queue(store, WebhookParams(url=server.url, timeout=30), 30)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for kill in range(1, 4):
            sender = subprocess.Popen(
                [sys.executable, "-m", "modelhealth", "alerts", "flush",
                 "--db", url, "--budget", "60"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            deadline = time.monotonic() + 60
            while server.counts.get("stall", 0) < kill:  # mid-send of a message
                assert time.monotonic() < deadline, "the sender never got going"
                assert sender.poll() is None
                time.sleep(0.01)
            sender.send_signal(signal.SIGKILL)
            sender.wait()
        time.sleep(1.2)  # the receiver finishes the last stalled request
        left = len(store.outbox_pending())
        assert left > 0
        held = [r for r in store.outbox_pending() if r.status == "pending"]
        assert len(held) == left
        stats = flush(store, budget=None)  # what is due now, once each: no waiting
        print(f"\nkilled senders 3 times; {left} pending, {stats}")
        assert stats.delivered == left
        assert store.outbox_pending() == []
    assert set(app.delivered) == keys
    assert app.duplicates <= 3  # only the messages whose answers died with a sender
