"""The store against real SQLite and real PostgreSQL (see conftest.py)."""

from __future__ import annotations

import math
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine, make_url

import modelhealth.store
from modelhealth.checks.base import CheckResult, Status
from modelhealth.errors import StorageError
from modelhealth.report import RunReport
from modelhealth.rules.models import Severity
from modelhealth.store import Store
from modelhealth.store.migrate import head
from modelhealth.store.models import Base
from modelhealth.store.urls import mask

T0 = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)
TABLES = {"alembic_version", "models", "baselines", "runs", "check_results"}
TABLES |= {"column_profiles"}


def profile(*columns: str, rows: int = 100) -> dict[str, Any]:
    return {
        "row_count": rows,
        "columns": {
            c: {"count": rows, "mean": float(len(c)), "nulls": 0} for c in columns
        },
    }


def result(
    check_id: str = "feature-drift",
    subject: str | None = "age",
    status: Status = Status.PASSED,
    value: float | None = 0.05,
    **fields: Any,
) -> CheckResult:
    fields.setdefault("started_at", T0)
    fields.setdefault("finished_at", T0)
    return CheckResult(check_id, "drift", subject, status, value=value, **fields)


def report(
    run_id: str = "r1",
    *,
    model: str = "churn",
    finished: datetime = T0,
    results: tuple[CheckResult, ...] | None = None,
    prof: dict[str, Any] | None = None,
    **fields: Any,
) -> RunReport:
    return RunReport(
        model=model,
        run_id=run_id,
        results=(result(),) if results is None else results,
        profile=profile("age", "plan") if prof is None else prof,
        row_count=100,
        started_at=finished - timedelta(minutes=1),
        finished_at=finished,
        **fields,
    )


def count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_all_is_guarded() -> None:
    assert sorted(modelhealth.store.__all__) == [
        "BaselineRecord",
        "HistoryPoint",
        "IncidentRecord",
        "ModelSummary",
        "OutboxRecord",
        "ResultRecord",
        "RunRecord",
        "SilenceRecord",
        "Store",
        "open_store",
        "using",
    ]
    assert all(hasattr(modelhealth.store, name) for name in modelhealth.store.__all__)


def test_migrations_create_the_models_schema_and_are_idempotent(
    store: Store, store_url: str, engine: Engine
) -> None:
    assert TABLES <= set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        # The ORM classes and the migrations describe the same schema.
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    assert store.upgrade() == head()
    with Store(store_url) as again:
        assert again.upgrade() == head()
    assert count(engine, "alembic_version") == 1


def test_migrate_false_only_connects(store_url: str, engine: Engine) -> None:
    with Store(store_url, migrate=False) as store:
        assert "runs" not in sa.inspect(engine).get_table_names()
        assert store.upgrade() == head()
    assert TABLES <= set(sa.inspect(engine).get_table_names())


def test_save_run_round_trips_results(store: Store) -> None:
    bad = result(
        "live-auc",
        None,
        Status.FAILED,
        math.nan,
        severity=Severity.CRITICAL,
        threshold={"min": 0.75, "max_drop": math.inf},
        metrics={"roc_auc": 0.7, "n": np.float64(3.0)},
        details={"method": "roc", "counts": np.int64(4), "when": T0},
        failures=({"row": 3, "age": 17}, {"row": 9, "age": math.nan}),
        message="AUC 0.70 is below 0.75",
    )
    saved = report(results=(result(), bad), model_version="v2", reference="baseline v2")
    pk = store.save_run(saved)

    run = store.run("churn", "r1")
    assert run is not None
    assert (run.pk, run.model, run.run_id, run.model_version) == (
        pk,
        "churn",
        "r1",
        "v2",
    )
    assert (run.status, run.row_count, run.reference) == ("failed", 100, "baseline v2")
    assert run.counts == saved.counts()
    assert run.finished_at == T0
    assert run.started_at.tzinfo is not None
    assert [r.status for r in run.results] == ["passed", "failed"]
    got = run.results[1]
    assert (got.check_id, got.subject, got.severity, got.value) == (
        "live-auc",
        None,
        "critical",
        None,
    )
    assert got.threshold == {"min": 0.75, "max_drop": None}
    assert got.metrics == {"roc_auc": 0.7, "n": 3.0}
    assert got.details == {"method": "roc", "counts": 4, "when": T0.isoformat()}
    assert got.failures == [{"row": 3, "age": 17}, {"row": 9, "age": None}]
    assert got.message == "AUC 0.70 is below 0.75"
    assert got.finished_at == T0
    assert store.run_by_pk(pk) == run
    assert store.results(pk) == list(run.results)
    assert store.run_profile(pk) == profile("age", "plan")
    assert store.run("churn", "nope") is None
    assert store.run_by_pk(pk + 1000) is None
    assert store.run_profile(pk + 1000) == {}


def test_resaving_a_run_replaces_it(store: Store, engine: Engine) -> None:
    first = report(results=(result(), result(subject="plan")))
    pk = store.save_run(first)
    again = report(
        results=(result(status=Status.WARNED, value=0.2),), prof=profile("x")
    )
    assert store.save_run(again) == pk

    assert [count(engine, t) for t in ("runs", "check_results", "column_profiles")] == [
        1,
        1,
        1,
    ]
    run = store.run("churn", "r1")
    assert run is not None
    assert (run.status, [r.value for r in run.results]) == ("warned", [0.2])
    assert store.run_profile(pk) == profile("x")


def _fail_on_profiles(conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
    if statement.startswith("INSERT INTO column_profiles"):
        raise sa.exc.OperationalError(statement, {}, Exception("disk full (injected)"))


def test_a_failed_save_leaves_nothing_behind(store: Store, engine: Engine) -> None:
    store.save_run(report("kept", results=(result(value=0.01),)))
    sa.event.listen(store._engine, "before_cursor_execute", _fail_on_profiles)
    try:
        with pytest.raises(StorageError, match=r"could not save run 'r1'.*disk full"):
            store.save_run(report("r1", model="fraud"))
        with pytest.raises(StorageError, match="could not save run 'kept'"):
            store.save_run(report("kept", results=(result(value=0.9),)))
    finally:
        sa.event.remove(store._engine, "before_cursor_execute", _fail_on_profiles)

    assert store.run("fraud", "r1") is None
    assert [m.name for m in store.models()] == ["churn"]
    kept = store.run("churn", "kept")
    assert kept is not None
    assert [r.value for r in kept.results] == [0.01]
    assert store.run_profile(kept.pk) == profile("age", "plan")
    assert [count(engine, t) for t in ("runs", "check_results", "column_profiles")] == [
        1,
        1,
        2,
    ]


def test_baselines_latest_by_version_and_replaced(store: Store, engine: Engine) -> None:
    assert store.baseline("churn") is None
    v1 = store.save_baseline(
        "churn",
        "v1",
        profile=profile("age", rows=10),
        metrics={"auc": 0.8},
        row_count=10,
        created_at=T0,
    )
    assert (v1.version, v1.created_at, v1.profile) == (
        "v1",
        T0,
        profile("age", rows=10),
    )
    store.save_baseline(
        "churn",
        "v2",
        profile=profile("age", "plan", rows=20),
        metrics={"auc": 0.82},
        row_count=20,
        details={"source": "train.parquet"},
        created_at=T0 + timedelta(1),
    )

    latest = store.baseline("churn")
    assert latest is not None
    assert (latest.version, latest.row_count, latest.metrics) == (
        "v2",
        20,
        {"auc": 0.82},
    )
    assert latest.details == {"source": "train.parquet"}
    assert latest.profile == profile("age", "plan", rows=20)
    assert store.baseline("churn", "latest") == latest
    by_version = store.baseline("churn", "v1")
    assert by_version is not None
    assert by_version.version == "v1"
    assert by_version.profile == profile("age", rows=10)
    assert store.baseline("churn", "v9") is None

    store.save_baseline(
        "churn",
        "v1",
        profile=profile("spend", rows=30),
        metrics={"auc": 0.9, "ks": math.nan},
        row_count=30,
        created_at=T0 + timedelta(2),
    )
    replaced = store.baseline("churn")
    assert replaced is not None
    assert (replaced.version, replaced.metrics) == ("v1", {"auc": 0.9})
    assert replaced.profile == profile("spend", rows=30)
    listed = store.baselines("churn")
    assert [(b.version, b.profile) for b in listed] == [("v1", {}), ("v2", {})]
    assert count(engine, "baselines") == 2
    assert count(engine, "column_profiles") == 3
    assert store.baselines("fraud") == []


def test_recent_profiles_newest_first_and_exclude(store: Store) -> None:
    for i in range(4):
        store.save_run(
            report(f"r{i}", finished=T0 + timedelta(hours=i), prof=profile(f"c{i}"))
        )
    store.save_run(report("other", model="fraud", finished=T0 + timedelta(days=1)))

    recent = store.recent_profiles("churn", 2)
    assert recent == [("r3", profile("c3")), ("r2", profile("c2"))]
    assert [r for r, _ in store.recent_profiles("churn", 2, exclude_run_id="r3")] == [
        "r2",
        "r1",
    ]
    assert len(store.recent_profiles("churn", 10)) == 4
    assert store.recent_profiles("churn", 0) == []
    assert store.recent_profiles("nobody", 3) == []


def test_history_oldest_first_with_subject_filter(store: Store) -> None:
    # Saved out of order: history follows finished_at, not insertion.
    for i in (2, 0, 1):
        results = (
            result(subject="age", value=i / 10),
            result(subject="plan", value=i, status=Status.FAILED),
            result("other-check", value=99.0),
        )
        store.save_run(
            report(f"r{i}", finished=T0 + timedelta(hours=i), results=results)
        )
    store.save_run(report("x", model="fraud", results=(result(value=5.0),)))

    points = store.history("churn", "feature-drift")
    assert [(p.run_id, p.subject) for p in points] == [
        ("r0", "age"), ("r0", "plan"), ("r1", "age"),
        ("r1", "plan"), ("r2", "age"), ("r2", "plan"),
    ]  # fmt: skip
    age = store.history("churn", "feature-drift", subject="age")
    assert [(p.run_id, p.value, p.status) for p in age] == [
        ("r0", 0.0, "passed"), ("r1", 0.1, "passed"), ("r2", 0.2, "passed"),
    ]  # fmt: skip
    assert age[0].finished_at == T0
    since = store.history(
        "churn", "feature-drift", subject="plan", since=T0 + timedelta(hours=1)
    )
    assert [p.run_id for p in since] == ["r1", "r2"]
    newest = store.history("churn", "feature-drift", subject="age", limit=2)
    assert [p.run_id for p in newest] == ["r1", "r2"]
    assert store.history("churn", "nope") == []


def test_models_summary(store: Store) -> None:
    store.save_run(report("late", finished=T0 + timedelta(hours=2)))
    store.save_run(
        report("early", results=(result(status=Status.FAILED),), finished=T0)
    )
    store.save_run(report("f1", model="fraud", results=(result(status=Status.WARNED),)))
    store.save_baseline("ads", "v1", profile={}, metrics={}, row_count=0)

    summary = {m.name: m for m in store.models()}
    assert [m.name for m in store.models()] == ["ads", "churn", "fraud"]
    churn = summary["churn"]
    assert (churn.runs, churn.last_run_id, churn.last_status) == (2, "late", "passed")
    assert churn.last_run_at == T0 + timedelta(hours=2)
    assert (summary["fraud"].runs, summary["fraud"].last_status) == (1, "warned")
    assert summary["ads"] == modelhealth.store.ModelSummary("ads", 0, None, None, None)


def test_runs_filters_and_paging(store: Store) -> None:
    for i in range(5):
        status = Status.FAILED if i % 2 else Status.PASSED
        store.save_run(
            report(
                f"r{i}",
                finished=T0 + timedelta(hours=i),
                results=(result(status=status),),
            )
        )
    store.save_run(report("f0", model="fraud", finished=T0 + timedelta(days=1)))

    def ids(**kwargs: Any) -> list[str]:
        return [r.run_id for r in store.runs(**kwargs)]

    assert ids() == ["f0", "r4", "r3", "r2", "r1", "r0"]
    assert ids(model="churn", limit=2) == ["r4", "r3"]
    assert ids(model="churn", limit=2, offset=2) == ["r2", "r1"]
    assert ids(model="churn", status="failed") == ["r3", "r1"]
    assert ids(
        model="churn", since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=3)
    ) == [
        "r2",
        "r1",
    ]
    assert ids(model="nobody") == []
    listed = store.runs(model="churn", limit=1)[0]
    assert listed.results == ()
    assert listed.counts["passed"] == 1
    with pytest.raises(ValueError, match="unknown status 'broken'; known: passed"):
        store.runs(status="broken")


def test_unreachable_database_is_a_clear_storage_error() -> None:
    url = "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/x"
    began = time.monotonic()
    with pytest.raises(StorageError) as caught:
        Store(url)
    assert time.monotonic() - began < 5
    text = str(caught.value)
    assert "s3cret" not in text
    assert "postgres:***@127.0.0.1:1/x" in text
    assert "could not connect: " in text
    assert "127.0.0.1" in caught.value.reason
    assert caught.value.url == "postgresql+psycopg://postgres:***@127.0.0.1:1/x"


def test_a_bad_url_is_a_storage_error() -> None:
    with pytest.raises(StorageError, match="only SQLite and PostgreSQL"):
        Store("mysql+pymysql://u:pw@localhost/db")
    with pytest.raises(StorageError, match=r"'nosuchdb://u:\*\*\*@localhost/db'"):
        Store("nosuchdb://u:pw@localhost/db")
    with pytest.raises(StorageError, match="not a database URL"):
        Store("bad url://u:pw@h/db")


def test_bare_paths_env_and_default_mean_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deep" / "er" / "x.db"
    with Store(str(path)) as store:
        assert store.url == f"sqlite:///{path}"
        store.save_run(report())
    assert path.exists()
    monkeypatch.setenv("MODELHEALTH_DB", str(path))
    with Store() as store:
        assert store.run("churn", "r1") is not None
    monkeypatch.delenv("MODELHEALTH_DB")
    monkeypatch.chdir(tmp_path)
    with Store() as store:
        assert store.url == "sqlite:///./modelhealth.db"
    assert (tmp_path / "modelhealth.db").exists()


def test_mask_hides_passwords_even_in_urls_that_do_not_parse() -> None:
    assert mask("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert mask("bad url://u:pw@h/db") == "bad url://u:***@h/db"
    assert mask("sqlite:///x.db") == "sqlite:///x.db"


@pytest.mark.postgres
def test_password_is_masked_in_url_on_postgres(pg_url: str) -> None:
    with_password = make_url(pg_url).set(password="hunter2", drivername="postgresql")
    with Store(with_password.render_as_string(hide_password=False)) as store:
        assert "hunter2" not in store.url
        assert store.url.startswith("postgresql+psycopg://postgres:***@")
        assert store.models() == []
