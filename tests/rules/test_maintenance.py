"""Maintenance windows in the rules, and the cron minutes they open on (issue 14)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from modelhealth.rules.cron import fires_at
from tests.rules.kinds import error, parse

UTC = timezone.utc


@pytest.mark.parametrize(
    ("expression", "when", "fires"),
    [
        ("0 6 * * *", datetime(2026, 3, 1, 6, 0, tzinfo=UTC), True),
        ("0 6 * * *", datetime(2026, 3, 1, 6, 1, tzinfo=UTC), False),
        ("*/15 2 * * sun", datetime(2026, 3, 1, 2, 45, tzinfo=UTC), True),  # a Sunday
        ("*/15 2 * * mon", datetime(2026, 3, 1, 2, 45, tzinfo=UTC), False),
        (
            "0 6 1 * mon",
            datetime(2026, 3, 2, 6, 0, tzinfo=UTC),
            True,
        ),  # either day rule
        ("0 6 1 * mon", datetime(2026, 3, 1, 6, 0, tzinfo=UTC), True),
        ("0 6 1 * mon", datetime(2026, 3, 3, 6, 0, tzinfo=UTC), False),
        ("0 0 * * 7", datetime(2026, 3, 1, 0, 0, tzinfo=UTC), True),
        ("30 1-3/2 * jan-mar *", datetime(2026, 3, 5, 3, 30, tzinfo=UTC), True),
        ("30 1-3/2 * jan-mar *", datetime(2026, 3, 5, 2, 30, tzinfo=UTC), False),
        ("5/10 * * * *", datetime(2026, 3, 5, 2, 15, tzinfo=UTC), True),
        ("0 0 * 4 *", datetime(2026, 3, 5, 0, 0, tzinfo=UTC), False),
    ],
)
def test_fires_at(expression, when, fires):
    assert fires_at(expression, when) is fires


HEAD = "version: 1\nmodel: churn\n"


def test_a_maintenance_window_loads_and_a_bad_one_is_located():
    rules = parse(
        HEAD + "maintenance:\n"
        "  - {name: reindex, cron: '0 2 * * sun', duration: 3h, checks: [drift-*],"
        " severities: [warning], reason: weekly reindex}\n"
    )
    (window,) = rules.maintenance
    assert (window.name, window.duration, window.timezone) == ("reindex", "3h", "UTC")
    text = error(
        HEAD + "maintenance:\n  - {name: x, cron: '0 2 * *', duration: 3 hours}\n"
    )
    assert "maintenance[0].cron: invalid cron expression '0 2 * *'" in text
    assert "maintenance[0].duration: invalid duration '3 hours'" in text
