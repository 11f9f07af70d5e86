"""Each integration's tests, run by the python of its orchestrator's own virtual
environment (``.venv-int/<name>``, made by ``scripts/integration_env.sh``).

With ``CI=true`` the environment is created (or refreshed) here, so ``make test`` on a
clean clone installs and drives every orchestrator. Elsewhere a test skips, with the
reason, only when its environment is absent; ``make integrations`` creates them all.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integrations.conftest import ORCHESTRATORS

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TESTED = [n for n in ORCHESTRATORS if (HERE / f"test_{n}.py").exists()]


@pytest.mark.slow
@pytest.mark.parametrize("name", TESTED)
def test_integration_in_its_own_venv(name: str) -> None:
    if Path(sys.prefix).parent.name == ".venv-int":
        pytest.skip("already inside an integration's environment")
    python = ROOT / ".venv-int" / name / "bin" / "python"
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    if not in_ci and not python.exists():
        pytest.skip(
            f"{name} is not installed here: `make integrations` (or CI=true) "
            f"creates .venv-int/{name}"
        )
    started = time.monotonic()
    setup = subprocess.run(
        [str(ROOT / "scripts" / "integration_env.sh"), name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    installed = time.monotonic() - started
    run = subprocess.run(
        [
            str(python),
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
        timeout=900,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    lines = run.stdout.strip().splitlines()
    summary = lines[-1] if lines else ""
    print(f"{name}: install {installed:.1f} s; {summary}")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
    assert " passed" in summary, summary
