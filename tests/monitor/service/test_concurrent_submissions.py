"""Runs submitted to the service at once are all stored, once (issue 13).

40 submissions of one model race into ``serve``'s two workers against PostgreSQL;
each answers 202, every run ends ``done`` and is stored exactly once. A run whose
data turns out unreadable after the 202 has its failure stored, so any process can
tell what became of it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from modelhealth.store import Store
from tests.monitor.service.conftest import WRITE, wait_for_run

AUTH = {"Authorization": f"Bearer {WRITE}"}


@pytest.mark.postgres
def test_40_concurrent_submissions_are_all_stored_once(serve, settings, pg_url):
    served = serve(settings, db_url=pg_url, workers=2)
    records = [{"x": float(i), "score": 0.5, "churned": i % 2} for i in range(10)]
    run_ids = [f"api-{i:02d}" for i in range(40)]

    def submit(run_id: str) -> int:
        body = {"model": "churn", "run_id": run_id, "inputs": {"records": records}}
        with httpx.Client(base_url=served.url, timeout=30) as http:
            return http.post("/api/v1/runs", json=body, headers=AUTH).status_code

    with ThreadPoolExecutor(40) as pool:
        codes = list(pool.map(submit, run_ids))
    assert codes == [202] * 40
    with httpx.Client(base_url=served.url, timeout=30) as http:
        states = [wait_for_run(http, "churn", r, timeout=300)["state"] for r in run_ids]
    assert states == ["done"] * 40
    with Store(pg_url) as store:
        stored = store.runs("churn", limit=100)
    assert sorted(r.run_id for r in stored) == run_ids  # each once


def test_a_run_that_fails_after_its_202_has_its_failure_stored(
    served, settings, data_root
):
    (data_root / "broken.parquet").write_bytes(b"not parquet at all")
    body = {"model": "churn", "run_id": "bad-1", "inputs": {"path": "broken.parquet"}}
    with httpx.Client(base_url=served.url, timeout=30) as http:
        assert http.post("/api/v1/runs", json=body, headers=AUTH).status_code == 202
        answer = wait_for_run(http, "churn", "bad-1")
    assert answer["state"] == "error"
    with Store(settings.db_url) as store:
        run = store.run("churn", "bad-1")
    assert run is not None
    assert run.status == "errored"
    [result] = run.results
    assert result.check_id == "run"
    assert "could not be checked" in result.message
