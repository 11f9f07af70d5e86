"""The HTTP API against uvicorn on loopback: submit, read, auth, bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from tests.monitor.service.conftest import READ, WRITE, wait_for_run

AUTH = {"Authorization": f"Bearer {WRITE}"}


def _post(client: httpx.Client, body: object, **kw: object) -> httpx.Response:
    return client.post("/api/v1/runs", json=body, headers=AUTH, **kw)  # type: ignore[arg-type]


def _error_shape(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    body: dict[str, object] = response.json()
    assert set(body) == {"ok", "error", "errors", "status"}
    assert body["ok"] is False
    assert body["status"] == status
    assert isinstance(body["error"], str)
    assert body["error"]
    return body


def test_submit_by_path_then_read_back(client: httpx.Client) -> None:
    response = _post(
        client, {"model": "churn", "run_id": "r1", "inputs": {"path": "run.csv"}}
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["url"].endswith("/api/v1/models/churn/runs/r1")
    assert response.headers["location"] == body["url"]
    done = wait_for_run(client, "churn", "r1")
    assert done["state"] == "done"
    run = done["run"]
    assert isinstance(run, dict)
    assert run["source"] == "api"
    assert run["row_count"] == 50

    results = client.get("/api/v1/models/churn/runs/r1/results").json()["results"]
    assert [r["check_id"] for r in results] == ["rows"]
    assert results[0]["status"] == "passed"
    runs = client.get("/api/v1/models/churn/runs").json()["runs"]
    assert [r["run_id"] for r in runs] == ["r1"]
    models = client.get("/api/v1/models").json()["models"]
    assert models[0]["name"] == "churn"
    assert models[0]["runs"] == 1
    assert client.get("/api/v1/models/churn").json()["rules"]["model"] == "churn"
    assert client.get("/api/v1/models/churn/baselines").json()["baselines"] == []
    assert client.get("/api/v1/incidents").json()["ok"] is True


def test_submit_inline_records(client: httpx.Client) -> None:
    records = [{"score": 0.1 * i, "churned": i % 2} for i in range(3)]
    response = _post(
        client, {"model": "churn", "run_id": "r2", "inputs": {"records": records}}
    )
    assert response.status_code == 202
    done = wait_for_run(client, "churn", "r2")
    run = done["run"]
    assert isinstance(run, dict)
    assert run["row_count"] == 3
    assert run["status"] == "failed"  # min_rows: 5


def test_metrics_in_prometheus_text(client: httpx.Client) -> None:
    _post(client, {"model": "churn", "run_id": "m1", "inputs": {"path": "run.csv"}})
    wait_for_run(client, "churn", "m1")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE modelhealth_check_status gauge" in text
    assert (
        'modelhealth_check_status{check="rows",kind="volume",model="churn",'
        'severity="warning",subject=""} 0.0' in text
    )
    assert 'modelhealth_runs{model="churn"} 1.0' in text
    assert 'modelhealth_check_value{check="rows",kind="volume",model="churn"' in text


def test_openapi_spec_is_served(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/runs" in spec["paths"]
    assert "/metrics" in spec["paths"]


# -- bad input -------------------------------------------------------------------


def test_missing_token_is_refused(client: httpx.Client) -> None:
    body = {"model": "churn", "run_id": "x", "inputs": {"path": "run.csv"}}
    response = client.post("/api/v1/runs", json=body)
    error = _error_shape(response, 401)
    assert "bearer token" in str(error["error"])
    assert response.headers["www-authenticate"].startswith("Bearer")
    wrong = client.post(
        "/api/v1/runs", json=body, headers={"Authorization": "Bearer no"}
    )
    _error_shape(wrong, 401)


def test_writes_are_disabled_without_a_write_token(serve, settings) -> None:
    served = serve(settings, write_token=None)
    response = httpx.post(
        f"{served.url}/api/v1/runs",
        json={"model": "churn", "run_id": "x", "inputs": {"path": "run.csv"}},
        headers=AUTH,
    )
    assert "no write token is configured" in str(_error_shape(response, 401)["error"])


def test_read_token_by_header_or_query(serve, settings) -> None:
    served = serve(settings, read_token=READ)
    url = f"{served.url}/api/v1/models"
    _error_shape(httpx.get(url), 401)
    _error_shape(httpx.get(url, headers={"Authorization": "Bearer nope"}), 401)
    assert (
        httpx.get(url, headers={"Authorization": f"Bearer {READ}"}).status_code == 200
    )
    assert httpx.get(url, params={"token": READ}).status_code == 200
    assert httpx.get(url, headers=AUTH).status_code == 200  # the write token reads
    _error_shape(httpx.get(f"{served.url}/metrics"), 401)


def test_unknown_model(client: httpx.Client) -> None:
    response = _post(
        client, {"model": "nope", "run_id": "x", "inputs": {"path": "run.csv"}}
    )
    error = _error_shape(response, 404)
    assert error["error"] == "no rules for model 'nope'; known: churn"
    _error_shape(client.get("/api/v1/models/nope/runs"), 404)
    _error_shape(client.get("/api/v1/models/churn/runs/never"), 404)
    _error_shape(client.get("/no/such/page"), 404)


@pytest.mark.parametrize(
    "path",
    ["../outside.csv", "/etc/passwd", "sub/../../outside.csv", "link.csv"],
)
def test_path_outside_data_roots_is_refused(
    client: httpx.Client, data_root: Path, path: str
) -> None:
    outside = data_root.parent / "outside.csv"
    outside.write_text("a\n1\n")
    os.symlink(outside, data_root / "link.csv")
    response = _post(
        client, {"model": "churn", "run_id": "x", "inputs": {"path": path}}
    )
    error = _error_shape(response, 403)
    assert "outside the configured data roots" in str(error["error"])


def test_missing_file_inside_the_root(client: httpx.Client) -> None:
    response = _post(
        client, {"model": "churn", "run_id": "x", "inputs": {"path": "none.csv"}}
    )
    assert "does not exist" in str(_error_shape(response, 400)["error"])


def test_paths_refused_without_data_roots(serve, settings) -> None:
    served = serve(settings, data_roots=())
    response = httpx.post(
        f"{served.url}/api/v1/runs",
        json={"model": "churn", "run_id": "x", "inputs": {"path": "run.csv"}},
        headers=AUTH,
    )
    assert "no data roots" in str(_error_shape(response, 403)["error"])


def test_malformed_json(client: httpx.Client) -> None:
    response = client.post(
        "/api/v1/runs",
        content=b'{"model": "churn",',
        headers={**AUTH, "Content-Type": "application/json"},
    )
    error = _error_shape(response, 422)
    assert "JSON" in str(error["error"])


def test_invalid_body_lists_every_problem(client: httpx.Client) -> None:
    response = _post(client, {"model": "", "inputs": {"path": "a", "records": [{}]}})
    error = _error_shape(response, 422)
    problems = error["errors"]
    assert isinstance(problems, list)
    locs = {e["loc"] for e in problems}
    assert {"body.model", "body.run_id", "body.inputs"} <= locs


def test_oversized_body(client: httpx.Client) -> None:
    records = [{"score": 0.5, "churned": 1, "pad": "x" * 100}] * 3000
    response = _post(
        client, {"model": "churn", "run_id": "big", "inputs": {"records": records}}
    )
    assert "larger than the limit" in str(_error_shape(response, 413)["error"])


def test_oversized_chunked_body(client: httpx.Client) -> None:
    payload = json.dumps({"pad": "x" * 300_000}).encode()

    def chunks():
        for i in range(0, len(payload), 10_000):
            yield payload[i : i + 10_000]

    response = client.post(
        "/api/v1/runs",
        content=chunks(),
        headers={**AUTH, "Content-Type": "application/json"},
    )
    _error_shape(response, 413)


def test_unreadable_data_shows_the_error_state(
    client: httpx.Client, data_root: Path
) -> None:
    (data_root / "bad.parquet").write_bytes(b"not parquet")
    response = _post(
        client, {"model": "churn", "run_id": "bad", "inputs": {"path": "bad.parquet"}}
    )
    assert response.status_code == 202
    body = wait_for_run(client, "churn", "bad")
    assert body["state"] == "error"
    assert body["ok"] is False
    assert "could not be read as PARQUET" in str(body["error"])
