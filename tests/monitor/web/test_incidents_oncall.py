"""The incidents page shows who acknowledged an incident and what silences it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

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
