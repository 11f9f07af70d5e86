"""Service fixtures: a rules folder, a data root, settings, and uvicorn on loopback.

``served`` starts the real app under uvicorn on a free 127.0.0.1 port in a thread and
yields its base URL; tests talk to it with httpx, as a pipeline would.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pandas as pd
import pytest
import uvicorn

from modelhealth.service.http import ServiceSettings, create_app
from modelhealth.service.rulesdir import RulesDir
from modelhealth.service.scheduler import SchedulerOptions, run_scheduler
from modelhealth.store import Store

WRITE = "w-secret"
READ = "r-secret"

RULES = """\
version: 1
model: {model}
prediction: {{column: score}}
label: {{column: churned}}
reference: {{window: {{last_runs: 3}}}}
checks:
  - {{id: rows, kind: volume, min_rows: 5}}
alerts:
  - {{channel: console, min_severity: info}}
"""


def write_rules(folder: Path, model: str, extra: str = "") -> Path:
    """Write a small, valid rules file for ``model`` into ``folder``."""
    path = folder / f"{model}.yaml"
    path.write_text(RULES.format(model=model) + extra)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    write_rules(folder, "churn")
    return folder


@pytest.fixture
def data_root(tmp_path: Path, frame: Callable[..., pd.DataFrame]) -> Path:
    root = tmp_path / "data"
    root.mkdir()
    frame(n=50).to_csv(root / "run.csv", index=False)
    return root


@pytest.fixture
def settings(tmp_path: Path, rules_dir: Path, data_root: Path) -> ServiceSettings:
    return ServiceSettings(
        db_url=f"sqlite:///{tmp_path / 'service.db'}",
        rules_dirs=(rules_dir,),
        data_roots=(data_root,),
        write_token=WRITE,
        workers=2,
        max_body=200_000,
    )


class Served:
    """A running uvicorn server; ``stop()`` ends it."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.app = create_app(settings)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start within 10 s")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def serve() -> Iterator[Callable[..., Served]]:
    """``serve(settings)``: start the app under uvicorn; stopped after the test."""
    started: list[Served] = []

    def start(settings: ServiceSettings, **changes: object) -> Served:
        served = Served(replace(settings, **changes))  # type: ignore[arg-type]
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


@pytest.fixture
def served(serve: Callable[..., Served], settings: ServiceSettings) -> Served:
    return serve(settings)


@pytest.fixture
def client(served: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.url, timeout=10) as http:
        yield http


def wait_for_run(
    http: httpx.Client, model: str, run_id: str, timeout: float = 20
) -> dict[str, object]:
    """Poll a run's URL until it is no longer queued or running."""
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, object] = http.get(
            f"/api/v1/models/{model}/runs/{run_id}"
        ).json()
        if body.get("state") not in ("queued", "running"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run_id!r} still {body.get('state')}")
        time.sleep(0.05)


FAST = SchedulerOptions(
    freshness_every=0.5, labels_every=0.5, reload_every=0.2, poll=0.2
)


def wait_until(
    condition: Callable[[], object], timeout: float = 15, what: str = "condition"
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class Running:
    """``run_scheduler`` in a thread; ``stop()`` sets the event and joins."""

    def __init__(self, store: Store, rules: RulesDir, url: str) -> None:
        self.stop_event = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(store, rules, url))
        self.thread.start()

    def _run(self, store: Store, rules: RulesDir, url: str) -> None:
        try:
            run_scheduler(store, rules, url, self.stop_event, options=FAST)
        except BaseException as exc:
            self.error = exc

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=20)
        assert not self.thread.is_alive()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sched.db'}"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store(db_url) as opened:
        yield opened


@pytest.fixture
def start(store: Store, db_url: str) -> Iterator[Callable[[RulesDir], Running]]:
    running: list[Running] = []

    def go(rules: RulesDir) -> Running:
        r = Running(store, rules, db_url)
        running.append(r)
        return r

    yield go
    for r in running:
        r.stop()
