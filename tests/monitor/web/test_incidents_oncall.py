"""The incidents page shows who acknowledged an incident and what silences it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient

from modelhealth.store import Store
from tests.monitor.web.conftest import make_app


def test_acknowledged_and_silenced_incidents_say_so(seeded_store: Store) -> None:
    (open_,) = seeded_store.incidents(status="open")
    until = datetime.now(timezone.utc) + timedelta(hours=2)
    seeded_store.acknowledge(open_.id, by="ana", until=until)
    made = seeded_store.add_silence(
        "churn", check_id="feature-*", ends_at=until, reason="deploy", by="bo"
    )
    with TestClient(make_app(seeded_store)) as client:
        (row,) = client.get("/incidents.json").json()["open"]
        html = client.get("/incidents").text
    assert row["acknowledged"] is True
    assert row["acked_by"] == "ana"
    assert row["silenced_by"] == made.id
    assert "acknowledged by ana until" in html
    assert f"silenced by #{made.id}" in html


def test_the_incidents_page_filters_by_model_severity_and_state(
    seeded_store: Store,
) -> None:
    with TestClient(make_app(seeded_store)) as client:

        def get(query: str) -> dict[str, list[dict[str, object]]]:
            response = client.get(f"/incidents.json?{query}")
            assert response.status_code == 200, response.text
            body: dict[str, list[dict[str, object]]] = response.json()
            return body

        assert [len(get("")[k]) for k in ("open", "resolved")] == [1, 1]
        only_open = get("state=open")
        assert (len(only_open["open"]), only_open["resolved"]) == (1, [])
        assert get("state=resolved")["open"] == []
        assert get("state=acknowledged")["open"] == []
        assert get("state=silenced")["open"] == []
        assert get("model=nope")["open"] == []
        assert get("severity=critical")["open"] == []
        assert len(get("severity=warning&model=churn")["open"]) == 1
        bad = client.get("/incidents.json?state=closed")
        assert bad.status_code == 400
        assert "unknown state 'closed'; known: open, resolved" in bad.text
        html = client.get("/incidents?severity=warning").text
        assert '<option value="warning" selected>' in html
        assert client.get("/incidents?severity=fatal").status_code == 400


def test_the_incidents_page_shows_what_broke_and_links_its_history(
    seeded_store: Store,
) -> None:
    with TestClient(make_app(seeded_store)) as client:
        body = client.get("/incidents.json").json()
        html = client.get("/incidents").text
        model_page = client.get("/models/churn").text
    (still,) = body["open"]
    # the result of the run that last found it: day 12's drift of spend
    assert (still["value"], still["message"]) == (pytest.approx(0.58), "psi 0.58")
    (done,) = body["resolved"]
    assert (done["value"], done["message"]) == (1.0, "1000 rows fail isin")
    assert "psi 0.58" in html
    assert '<span class="value">0.58</span>' in html
    history = 'href="/models/churn#check-feature-drift%5Bspend%5D"'
    assert history in html
    assert 'href="/models/churn/runs/2026-03-12"' in html  # the run that last broke
    # the link lands on the check's chart
    assert 'id="check-feature-drift%5Bspend%5D"' in model_page


def test_stale_incidents_are_a_state_of_their_own(seeded_store: Store) -> None:
    (open_,) = seeded_store.incidents(status="open")
    later = open_.last_seen_at + timedelta(days=8)
    (closed,) = seeded_store.close_stale("7d", now=later)
    with TestClient(make_app(seeded_store)) as client:
        stale = client.get("/incidents.json?state=stale").json()
        everything = client.get("/incidents.json").json()
        html = client.get("/incidents?state=stale").text
    assert stale["open"] == []
    assert [i["id"] for i in stale["resolved"]] == [closed.id]
    assert stale["resolved"][0]["closed_because"].startswith("no run has evaluated")
    assert everything["open"] == []
    assert len(everything["resolved"]) == 2
    assert "closed as stale: no run has evaluated it since 2026-03-12" in html
    assert '<option value="stale" selected>' in html
