"""Schemathesis against the served OpenAPI spec: no input gives a server error.

Each operation of ``/openapi.json`` gets a bounded number of generated requests,
sent over loopback to uvicorn, with the write token so that bodies get past auth.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.monitor.service.conftest import WRITE

AUTH = {"Authorization": f"Bearer {WRITE}"}
EXAMPLES = 30


def test_no_input_gives_a_server_error(served, client) -> None:
    # a stored run, so that reads by name can find something as well as nothing
    client.post(
        "/api/v1/runs",
        json={"model": "churn", "run_id": "r1", "inputs": {"path": "run.csv"}},
        headers=AUTH,
    )
    schema = schemathesis.openapi.from_url(f"{served.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case[Any]) -> None:
            response = case.call(headers=AUTH, timeout=10)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: "
                f"{response.text[:300]}"
            )
            if response.status_code >= 400 and case.path != "/metrics":
                body = response.json()
                assert body["ok"] is False
                assert body["status"] == response.status_code

        call()
