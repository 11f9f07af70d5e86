"""The service modules' public names (``__all__``) are what they export."""

from __future__ import annotations

import importlib
import re

import pytest

EXPORTS = {
    "modelhealth.service.http": ["ServiceSettings", "create_app"],
    "modelhealth.web.auth": ["AuthError", "require_read", "require_write"],
    "modelhealth.service.http.errors": [
        "ApiError",
        "ErrorBody",
        "error_response",
        "install",
    ],
    "modelhealth.config": [
        "DEFAULT_CONFIG",
        "DEFAULT_DB",
        "ServiceSettings",
        "as_rule_set",
        "db_url",
        "load_rules",
        "report_link",
        "service_config",
    ],
    "modelhealth.service.jobs": [
        "FRESHNESS_PREFIX",
        "JobContext",
        "attach_due_labels",
        "check_freshness",
        "configure",
        "run_rule",
    ],
    "modelhealth.service.sources": ["fields", "fill", "load_sources"],
    "modelhealth.service.rulesdir": ["ReloadResult", "RulesDir"],
}


@pytest.mark.parametrize("module", sorted(EXPORTS))
def test_all_is_guarded(module: str) -> None:
    loaded = importlib.import_module(module)
    assert sorted(loaded.__all__) == sorted(EXPORTS[module])
    assert all(hasattr(loaded, name) for name in loaded.__all__)


@pytest.mark.parametrize(
    "module",
    [
        "modelhealth.service.scheduler",
        "modelhealth.service.leader",
        "modelhealth.service.jobplan",
        "modelhealth.service.cronfields",
        "modelhealth.service.jobstatus",
        "modelhealth.service.http.api",
        "modelhealth.service.http.app",
        "modelhealth.service.http.metrics",
        "modelhealth.service.http.submit",
        "modelhealth.cli.service",
    ],
)
def test_every_public_name_exists(module: str) -> None:
    loaded = importlib.import_module(module)
    assert all(hasattr(loaded, name) for name in loaded.__all__)


def test_only_the_scheduler_imports_apscheduler() -> None:
    from pathlib import Path

    root = Path(__file__).parents[3]
    importers = sorted(
        str(p.relative_to(root))
        for package in ("monitor", "alerts", "checks", "rules")
        for p in (root / package).rglob("*.py")
        if re.search(r"^\s*(from|import) apscheduler", p.read_text(), re.MULTILINE)
    )
    assert importers == ["monitor/service/scheduler.py"]
