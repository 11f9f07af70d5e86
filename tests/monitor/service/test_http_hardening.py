"""Web hardening (issue 13): security headers everywhere, the spec behind the read
token, slow request bodies timed out."""

from __future__ import annotations

import socket
import time
from dataclasses import replace

import httpx
import pytest

from modelhealth.service.http.app import SECURITY_HEADERS
from tests.monitor.service.conftest import READ, WRITE, Served, free_port


@pytest.mark.parametrize(
    "path", ["/", "/api/v1/models", "/metrics", "/no/such/page", "/openapi.json"]
)
def test_every_response_carries_the_security_headers(client, path):
    answer = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert answer.headers[name] == value, (path, name)


def test_the_spec_and_the_docs_need_the_read_token_when_one_is_set(serve, settings):
    served = serve(settings, read_token=READ)
    with httpx.Client(base_url=served.url, timeout=10) as http:
        assert http.get("/openapi.json").status_code == 401
        assert http.get("/docs").status_code == 401
        spec = http.get("/openapi.json", headers={"Authorization": f"Bearer {READ}"})
        assert spec.status_code == 200
        assert "/api/v1/runs" in spec.json()["paths"]
        docs = http.get("/docs", params={"token": READ})
        assert docs.status_code == 200
        assert f"/openapi.json?token={READ}" in docs.text
        assert "cdn.jsdelivr.net" in docs.headers["Content-Security-Policy"]


def test_without_a_read_token_the_spec_is_public(client):
    assert client.get("/openapi.json").status_code == 200


def test_a_client_that_stalls_mid_body_gets_408_and_the_connection_back(settings):
    from modelhealth.service.http import create_app

    served = Served.__new__(Served)
    app = create_app(replace(settings), body_timeout=0.5)
    served.app = app
    import threading

    import uvicorn

    served.port = free_port()
    served.url = f"http://127.0.0.1:{served.port}"
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=served.port, log_level="warning")
    )
    served.server = server
    served.thread = threading.Thread(target=server.run, daemon=True)
    served.thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    try:
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
            sock.sendall(
                b"POST /api/v1/runs HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer " + WRITE.encode() + b"\r\n"
                b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"mo'
            )
            started = time.monotonic()
            answer = sock.recv(4096).decode()
            waited = time.monotonic() - started
        assert answer.startswith("HTTP/1.1 408"), answer
        assert "did not arrive within 0.5 s" in answer
        assert waited < 5
    finally:
        served.stop()


def test_an_over_long_data_path_is_a_400(client):
    body = {"model": "churn", "run_id": "long", "inputs": {"path": "a/" * 2048}}
    answer = client.post(
        "/api/v1/runs", json=body, headers={"Authorization": f"Bearer {WRITE}"}
    )
    assert answer.status_code == 400
    assert "characters long" in answer.json()["error"]
    one = {"model": "churn", "run_id": "long2", "inputs": {"path": "x" * 1000}}
    answer = client.post(
        "/api/v1/runs", json=one, headers={"Authorization": f"Bearer {WRITE}"}
    )
    assert answer.status_code == 400  # a component too long for the file system
