"""The report's pages and their JSON twins, through FastAPI's TestClient."""

from __future__ import annotations

import re

import pytest

from modelhealth.store import Store
from tests.monitor.web.conftest import TestClient, make_app
from tests.monitor.web.seed import seed


def test_overview_lists_models_with_health_and_history(client: TestClient) -> None:
    data = client.get("/index.json").json()
    (churn,) = data["models"]
    assert churn["name"] == "churn"
    assert churn["health"] == "failed"
    assert churn["runs"] == 12
    assert churn["last_run_id"] == "2026-03-12"
    assert churn["open_incidents"] == 1
    assert [r["status"] for r in churn["recent"]][:6] == ["passed"] * 5 + ["warned"]
    html = client.get("/").text
    assert html.count('data-status="failed"') >= 5
    assert "✗</span> failed</span>" in html  # status is text too, not only colour
    assert 'href="/models/churn"' in html


def test_every_page_has_a_json_twin_with_the_same_data(client: TestClient) -> None:
    for page in ("/", "/models/churn", "/models/churn/runs/2026-03-08", "/incidents"):
        html = client.get(page)
        assert html.status_code == 200
        assert html.headers["content-type"].startswith("text/html")
        twin = "/index.json" if page == "/" else page + ".json"
        assert f'href="{twin}"' in html.text
        assert client.get(twin).headers["content-type"] == "application/json"


def test_model_page_charts_every_check_against_its_thresholds(
    client: TestClient,
) -> None:
    data = client.get("/models/churn.json").json()
    assert data["total_runs"] == 12
    assert data["status_counts"] == {"passed": 5, "warned": 2, "failed": 5}
    drift = next(c for c in data["checks"] if c["subject"] == "spend")
    assert drift["threshold"] == {"warn": 0.1, "fail": 0.25}
    assert len(drift["points"]) == 12
    assert data["drift_features"] == ["plan", "spend"]
    (auc,) = data["metrics"]
    assert auc["baseline"] == pytest.approx(0.81)
    assert data["baselines"][0]["version"] == "v1"
    assert data["versions"] == [
        {
            "version": "v1",
            "runs": 12,
            "first_at": "2026-03-01T06:00:00+00:00",
            "last_at": "2026-03-12T06:00:00+00:00",
        }
    ]
    html = client.get("/models/churn").text
    assert "Drift by feature" in html
    assert "Metrics against the baseline" in html
    assert html.count("<svg") >= 6
    assert ">fail 0.25</text>" in html
    assert ">max drop 0.76</text>" in html
    assert "PSI (score)</text>" in html  # the y axis says what it measures


def test_model_page_filters_by_date_and_status_and_pages(client: TestClient) -> None:
    failed = client.get("/models/churn.json?status=failed").json()
    assert failed["total_runs"] == 5
    assert {r["status"] for r in failed["runs"]} == {"failed"}
    window = client.get("/models/churn.json?since=2026-03-03&until=2026-03-04").json()
    assert [r["run_id"] for r in window["runs"]] == ["2026-03-04", "2026-03-03"]
    page = client.get("/models/churn.json?per_page=5&page=2").json()
    assert page["pages"] == 3
    assert page["runs"][0]["run_id"] == "2026-03-07"
    html = client.get("/models/churn?per_page=5&page=2").text
    assert "Page 2 of 3" in html
    assert "page=3" in html
    assert "page=1" in html
    assert 'href="/models/churn.json?per_page=5&amp;page=2"' in html  # same data


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=broken", "unknown status 'broken'"),
        ("since=yesterday", "since must be a date"),
        ("per_page=0", "per_page must be between 1 and 1000"),
    ],
)
def test_bad_filters_are_400_in_both_forms(
    client: TestClient, query: str, message: str
) -> None:
    answer = client.get(f"/models/churn.json?{query}")
    assert answer.status_code == 400
    body = answer.json()
    assert body["ok"] is False
    assert body["status"] == 400
    assert message in body["error"]
    html = client.get(f"/models/churn?{query}")
    assert html.status_code == 400
    assert message.replace("'", "&#39;") in html.text


def test_run_page_shows_results_distributions_and_schema_examples(
    client: TestClient,
) -> None:
    data = client.get("/models/churn/runs/2026-03-08.json").json()
    assert data["previous_run_id"] == "2026-03-07"
    assert data["next_run_id"] == "2026-03-09"
    assert data["results"][0]["status"] == "failed"  # worst first
    drifted = {d["column"]: d for d in data["distributions"]}
    assert set(drifted) == {"spend", "plan"}  # every profiled column
    assert [d["status"] for d in data["distributions"]] == ["failed", "failed"]
    assert drifted["spend"]["edges"] == [20.0, 40.0, 60.0, 80.0]
    assert drifted["spend"]["reference"] == [100, 300, 400, 150, 50]
    assert drifted["plan"]["current"] == {"Basic": 600, "Pro": 400}
    assert drifted["plan"]["reference"] == {"basic": 600, "pro": 400}
    (schema,) = data["schema_failures"]
    assert schema["failures"] == [{"check": "isin(['basic', 'pro'])", "value": "Pro"}]
    html = client.get("/models/churn/runs/2026-03-08").text
    assert 'rel="prev" href="/models/churn/runs/2026-03-07"' in html
    assert "Example values" in html
    assert "histograms on one value axis" in html
    assert "category shares side by side" in html


def test_first_and_last_runs_have_one_neighbour(client: TestClient) -> None:
    first = client.get("/models/churn/runs/2026-03-01.json").json()
    last = client.get("/models/churn/runs/2026-03-12.json").json()
    assert (first["previous_run_id"], first["next_run_id"]) == (None, "2026-03-02")
    assert (last["previous_run_id"], last["next_run_id"]) == ("2026-03-11", None)


def test_incidents_page_splits_open_and_resolved(client: TestClient) -> None:
    data = client.get("/incidents.json").json()
    (open_,) = data["open"]
    (resolved,) = data["resolved"]
    assert open_["subject"] == "spend"
    assert resolved["duration_seconds"] == 86400
    assert resolved["runs_count"] == 1
    html = client.get("/incidents").text
    assert "1 d 0 h" in html
    assert 'href="/models/churn/runs/2026-03-07"' in html


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/models/nope", "no model named 'nope'"),
        ("/models/churn/runs/nope", "no run 'nope' of model 'churn'"),
    ],
)
def test_unknown_model_or_run_is_404_in_both_forms(
    client: TestClient, path: str, message: str
) -> None:
    answer = client.get(path + ".json")
    assert answer.status_code == 404
    assert answer.json() == {
        "ok": False,
        "error": message,
        "errors": [message],
        "status": 404,
    }
    html = client.get(path)
    assert html.status_code == 404
    assert html.headers["content-type"].startswith("text/html")
    assert message.replace("'", "&#39;") in html.text


def test_empty_store_has_helpful_empty_states(empty_client: TestClient) -> None:
    assert empty_client.get("/index.json").json()["models"] == []
    assert "No models yet" in empty_client.get("/").text
    assert "modelhealth demo" in empty_client.get("/").text
    incidents = empty_client.get("/incidents")
    assert "Nothing is open" in incidents.text


def test_model_without_runs_has_an_empty_state(empty_store: Store) -> None:
    empty_store.save_baseline(
        "fresh", "v1", profile={}, metrics={"auc": 0.9}, row_count=10
    )
    with TestClient(make_app(empty_store)) as client:
        data = client.get("/models/fresh.json").json()
        html = client.get("/models/fresh").text
    assert data["runs"] == []
    assert data["health"] == "no runs"
    assert "No runs yet" in html


HOSTILE = "<script>alert(1)</script>"


def test_names_with_html_are_shown_as_text(empty_store: Store) -> None:
    seed(empty_store, model=HOSTILE, days=8, feature=HOSTILE)
    with TestClient(make_app(empty_store)) as client:
        overview = client.get("/")
        links = re.findall(r'href="(/models/[^"]+)"', overview.text)
        model = client.get(links[0])
        run = client.get(links[0] + "/runs/2026-03-08")
        for page in (overview, model, run):
            assert page.status_code == 200
            assert HOSTILE not in page.text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert client.get(links[0] + ".json").json()["model"] == HOSTILE


def test_pages_are_read_only(client: TestClient) -> None:
    for path in ("/", "/models/churn", "/incidents"):
        assert client.post(path).status_code == 405


def test_a_configured_read_token_guards_pages_and_json(seeded_store: Store) -> None:
    from modelhealth.service.http import ServiceSettings, create_app

    settings = ServiceSettings(db_url=seeded_store.url, read_token="s3cret")
    with TestClient(create_app(settings, store=seeded_store)) as client:
        assert client.get("/").status_code == 401
        assert client.get("/models/churn.json").status_code == 401
        bearer = {"Authorization": "Bearer s3cret"}
        assert client.get("/models/churn.json", headers=bearer).status_code == 200
        page = client.get("/models/churn?token=s3cret")
        assert page.status_code == 200
        # links keep the token, so a shared link browses on
        assert "/models/churn/runs/2026-03-12?token=s3cret" in page.text
        assert client.get("/static/report.css").status_code == 200


def test_all_is_guarded() -> None:
    import modelhealth.web

    assert modelhealth.web.__all__ == ["install"]


def test_a_window_reference_draws_the_run_alone(seeded_store: Store) -> None:
    import dataclasses

    from tests.monitor.web.seed import day_report

    report = dataclasses.replace(
        day_report("churn", 13), run_id="windowed", reference="the last 7 runs"
    )
    seeded_store.save_run(report)
    with TestClient(make_app(seeded_store)) as client:
        data = client.get("/models/churn/runs/windowed.json").json()
        html = client.get("/models/churn/runs/windowed").text
    spend = next(d for d in data["distributions"] if d["column"] == "spend")
    assert spend["reference"] == []
    assert sum(spend["current"]) > 0
    assert "No reference distribution stored" in html


def test_report_command_writes_one_self_contained_file(
    seeded_store: Store, db_url: str, tmp_path
) -> None:
    from modelhealth.cli.app import main

    out = tmp_path / "out" / "report.html"
    assert main(["report", "--model", "churn", "--out", str(out), "--db", db_url]) == 0
    html = out.read_text()
    assert "<style>" in html
    assert '<link rel="stylesheet"' not in html
    assert "<script" not in html
    assert re.findall(r'(?:src|href)="(?!data:|#)[^"]*"', html) == []
    assert html.count("<svg") >= 8
    # every run's page follows, each at the anchor its links point at
    for day in range(1, 13):
        run_id = f"2026-03-{day:02d}"
        assert f'id="run-{run_id}"' in html
        assert f'href="#run-{run_id}"' in html
        assert f"Run {run_id}" in html
    anchors = set(re.findall(r'href="#([^"]+)"', html))
    assert anchors <= set(re.findall(r'id="([^"]+)"', html))
    code = main(["report", "--model", "nope", "--out", str(out), "--db", db_url])
    assert code == 2


def test_the_overview_says_what_fails_and_since_when(client: TestClient) -> None:
    """Issue 16: each unhealthy model lists its failing checks and since when."""
    (churn,) = client.get("/index.json").json()["models"]
    (spend,) = [f for f in churn["failing"] if f["subject"] == "spend"]
    # psi warned from day 6 and failed from day 8: one unbroken streak
    assert spend["status"] == "failed"
    assert spend["since_run_id"] == "2026-03-06"
    assert spend["since"] == "2026-03-06T06:00:00+00:00"
    assert spend["runs"] == 7
    assert spend["at_least"] is False
    html = client.get("/").text
    assert "feature-drift" in html
    assert "since 2026-03-06 (7 runs)" in html
    # the open incidents count links to that model's incidents
    assert 'href="/incidents?model=churn"' in html


def test_the_runs_table_names_the_checks_that_did_not_pass(
    client: TestClient,
) -> None:
    data = client.get("/models/churn.json").json()
    by_id = {r["run_id"]: r for r in data["runs"]}
    assert by_id["2026-03-01"]["failing"] == []
    assert by_id["2026-03-08"]["failing"] == [
        {"check_id": "input-schema", "subject": "plan", "status": "failed"},
        {"check_id": "feature-drift", "subject": "spend", "status": "failed"},
        {"check_id": "feature-drift", "subject": "plan", "status": "failed"},
    ]
    html = client.get("/models/churn").text
    assert "Did not pass" in html
    assert 'href="/incidents?model=churn"' in html


def test_the_run_page_draws_every_column_with_its_drift(client: TestClient) -> None:
    data = client.get("/models/churn/runs/2026-03-03.json").json()
    columns = {d["column"]: d for d in data["distributions"]}
    assert set(columns) == {"spend", "plan"}
    assert columns["spend"]["status"] == "passed"  # undrifted ones too
    assert columns["spend"]["summary"]["reference"]["min"] == 0.0
    html = client.get("/models/churn/runs/2026-03-03").text
    assert html.count('class="check dist"') == 2
