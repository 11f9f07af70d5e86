"""Issue 15: the model page charts an estimated metric beside its realized value,
and a history threshold's band.

The runs are checked and their labels attached through the Python API into a real
SQLite store, as a pipeline would; the page is read through the app's test client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from modelhealth.api import check_run, register_baseline
from modelhealth.cli.demo import make_day
from modelhealth.run.labels import attach_labels
from modelhealth.store import Store
from tests.monitor.web.conftest import TestClient, make_app

RULES = """\
version: 1
model: churn
prediction: {column: score, task: binary_classification}
label: {column: churned, key: customer_id}
reference: {baseline: latest}
checks:
  - id: estimated-auc
    kind: estimated_metric
    metric: roc_auc
    max_drop: 0.05
  - id: rows
    kind: volume
    threshold: {history: {last_runs: 10, sigma: 3}}
"""
START = datetime(2026, 3, 1, 6, tzinfo=timezone.utc)
DAYS, LABELLED = 7, 4  # the last three runs' labels have not arrived


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    rules = tmp_path / "churn.yaml"
    rules.write_text(RULES)
    store = Store(f"sqlite:///{tmp_path / 'estimates.db'}")
    train = tmp_path / "train.parquet"
    make_day(3000, seed=7).to_parquet(train, index=False)
    register_baseline(
        rules=rules, data=train, model_version="v1", db=store, created_at=START
    )
    for day in range(DAYS):
        frame = make_day(1500 + 40 * day, seed=100 + day, drift=0.2 * day)
        run_id = f"day-{day}"
        now = START + timedelta(days=day + 1)
        check_run(
            rules=rules,
            run_id=run_id,
            inputs=frame.drop(columns=["churned"]),
            model_version="v1",
            db=store,
            now=now,
            alert=False,
        )
        if day < LABELLED:
            attach_labels(
                rules=rules,
                run_id=run_id,
                labels=frame[["customer_id", "churned"]],
                db=store,
                now=now,
                alert=False,
            )
    yield store
    store.close()


def _figure(html: str, check_id: str) -> str:
    """The chart of one check on the model page."""
    found = re.search(
        rf"<figure[^>]*>(?:(?!</figure>).)*?{re.escape(check_id)}(?:(?!</figure>).)*"
        r"</figure>",
        html,
        re.S,
    )
    assert found, f"no chart of {check_id!r} on the page"
    return found.group(0)


def test_the_estimate_and_the_realized_value_are_charted_side_by_side(
    store: Store,
) -> None:
    with TestClient(make_app(store)) as client:
        html = client.get("/models/churn").text
        data = client.get("/models/churn.json").json()
    chart = _figure(html, "estimated-auc")
    assert 'class="realized"' in chart
    assert "realized (labels)" in chart  # the legend
    realized = re.findall(r"<title>(day-\d): realized ([0-9.]+)</title>", chart)
    assert [run for run, _ in realized] == [f"day-{d}" for d in range(LABELLED)]
    (check,) = [c for c in data["checks"] if c["check_id"] == "estimated-auc"]
    stored = {p["run_id"]: p["realized"] for p in check["points"]}
    for run, shown in realized:
        assert stored[run] == pytest.approx(float(shown), abs=0.001)
    assert all(stored[f"day-{d}"] is None for d in range(LABELLED, DAYS))
    # the estimate is charted for every run, labelled or not
    assert len(re.findall(r"<title>day-\d: [0-9.]+ \(", chart)) == DAYS


def test_a_history_threshold_draws_the_band_it_resolved(store: Store) -> None:
    with TestClient(make_app(store)) as client:
        html = client.get("/models/churn").text
        data = client.get("/models/churn.json").json()
    (check,) = [c for c in data["checks"] if c["check_id"] == "rows"]
    bands = [p["band"] for p in check["points"] if p["band"] is not None]
    assert bands, "no run was graded on its history"
    assert all(low < high for low, high in bands)
    chart = _figure(html, "rows")
    assert 'class="history-band"' in chart
    assert "<title>history band, latest " in chart
    assert 'class="history-band"' not in _figure(html, "estimated-auc")
