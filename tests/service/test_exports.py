"""The service modules' public names (``__all__``) are what they export."""

from __future__ import annotations

import importlib
import re

import pytest

EXPORTS = {
    "monitor.http": ["ServiceSettings", "create_app"],
    "monitor.http.auth": ["AuthError", "require_read", "require_write"],
    "monitor.http.errors": ["ApiError", "ErrorBody", "error_response", "install"],
    "monitor.http.settings": ["ServiceSettings"],
    "monitor.jobs": [
        "FRESHNESS_PREFIX",
        "JobContext",
        "attach_due_labels",
        "check_freshness",
        "configure",
        "run_rule",
    ],
    "monitor.jobsources": ["fields", "fill", "load_sources"],
    "monitor.rulesdir": ["ReloadResult", "RulesDir"],
}


@pytest.mark.parametrize("module", sorted(EXPORTS))
def test_all_is_guarded(module: str) -> None:
    loaded = importlib.import_module(module)
    assert sorted(loaded.__all__) == sorted(EXPORTS[module])
    assert all(hasattr(loaded, name) for name in loaded.__all__)


@pytest.mark.parametrize(
    "module",
    [
        "monitor.scheduler",
        "monitor.leader",
        "monitor.http.api",
        "monitor.http.app",
        "monitor.http.metrics",
        "monitor.http.submit",
        "monitor.cli_service",
    ],
)
def test_every_public_name_exists(module: str) -> None:
    loaded = importlib.import_module(module)
    assert all(hasattr(loaded, name) for name in loaded.__all__)


def test_only_the_scheduler_imports_apscheduler() -> None:
    from pathlib import Path

    root = Path(__file__).parents[2]
    importers = sorted(
        str(p.relative_to(root))
        for package in ("monitor", "alerts", "checks", "rules")
        for p in (root / package).rglob("*.py")
        if re.search(r"^\s*(from|import) apscheduler", p.read_text(), re.MULTILINE)
    )
    assert importers == ["monitor/scheduler.py"]
