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
