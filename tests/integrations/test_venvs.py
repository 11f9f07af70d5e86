"""Each integration's tests, run by the python of its orchestrator's own virtual
environment (``.venv-int/<name>``, made by ``scripts/integration_env.sh``).

With ``CI=true`` the environments are created (or refreshed) here, so ``make test`` on
a clean clone installs and drives every orchestrator. Elsewhere a test skips, with the
reason, only when its environment is absent; ``make integrations`` creates them all.

The environments are set up one after another (they share uv's cache and build the
same project), and their test runs go two at a time: most of their time is spent
starting orchestrators and subprocesses, and the machine has two cores.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integrations.conftest import ORCHESTRATORS

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TESTED = [n for n in ORCHESTRATORS if (HERE / f"test_{n}.py").exists()]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
INSIDE = Path(sys.prefix).parent.name == ".venv-int"


@dataclass
class Outcome:
    setup: subprocess.CompletedProcess[str]
    run: subprocess.CompletedProcess[str] | None
    installed: float
    ran: float


def python_of(name: str) -> Path:
    return ROOT / ".venv-int" / name / "bin" / "python"


def wanted(name: str) -> bool:
    return not INSIDE and (IN_CI or python_of(name).exists())


def _drive(name: str, setup_lock: threading.Lock) -> Outcome:
    started = time.monotonic()
    with setup_lock:
        setup = subprocess.run(
            [str(ROOT / "scripts" / "integration_env.sh"), name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
    installed = time.monotonic() - started
    if setup.returncode != 0:
        return Outcome(setup, None, installed, 0.0)
    started = time.monotonic()
    run = subprocess.run(
        [
            str(python_of(name)),
            "-m",
            "pytest",
            f"tests/integrations/test_{name}.py",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return Outcome(setup, run, installed, time.monotonic() - started)


@pytest.fixture(scope="module")
def outcomes() -> Iterator[dict[str, Future[Outcome]]]:
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield {name: pool.submit(_drive, name, lock) for name in TESTED if wanted(name)}


@pytest.mark.slow
@pytest.mark.parametrize("name", TESTED)
def test_integration_in_its_own_venv(
    name: str, outcomes: dict[str, Future[Outcome]]
) -> None:
    if INSIDE:
        pytest.skip("already inside an integration's environment")
    if name not in outcomes:
        pytest.skip(
            f"{name} is not installed here: `make integrations` (or CI=true) "
            f"creates .venv-int/{name}"
        )
    outcome = outcomes[name].result()
    setup = outcome.setup
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    run = outcome.run
    assert run is not None
    lines = run.stdout.strip().splitlines()
    summary = lines[-1] if lines else ""
    print(
        f"{name}: environment {outcome.installed:.1f} s, "
        f"tests {outcome.ran:.1f} s: {summary}"
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in summary, summary
