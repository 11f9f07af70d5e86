"""The web report with a year of history: server time of each page.

Run with ``.venv/bin/python benchmarks/web_bench.py [--db PATH] [--repeat N]``.
It seeds a SQLite file (``benchmarks/out/web_bench.db`` by default; reused when it
is already seeded) with 20 models: ``hourly`` has a year of hourly runs (8,760)
and the 19 others 60 daily runs each, every run with 30 check results (volume, 9
schema columns, 16 drifting features, prediction drift, 2 metrics, freshness):
about 297,000 results. Rows go in through SQLAlchemy Core bulk inserts, not by
running checks. The latest 200 runs of ``hourly`` get column profiles, so its run
page draws distributions.

Each page is then requested once cold and ``--repeat`` times warm through the app
(FastAPI TestClient, so no network), and the script prints the median and worst
warm server time and the cold one, measured by a middleware around the route.
Target: the model page of ``hourly`` under 300 ms. Last, the static export of
``hourly`` (the model page and its 90 runs' pages in one file) is timed once, with
its size.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import warnings
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modelhealth.config import ServiceSettings
from modelhealth.store import Store
from modelhealth.store.models import (
    BaselineRow,
    CheckResultRow,
    ColumnProfileRow,
    ModelRow,
    RunRow,
)

END = datetime(2026, 3, 1, tzinfo=timezone.utc)
FEATURES = [f"feature_{i:02d}" for i in range(16)]
COLUMNS = [f"col_{i}" for i in range(9)]
DRIFT = {"warn": 0.1, "fail": 0.25}


def _checks(rng: random.Random, drifting: float) -> list[dict[str, Any]]:
    """The 30 results of one run (without run, model and time columns)."""
    out: list[dict[str, Any]] = [
        {
            "check_id": "row-count",
            "kind": "volume",
            "subject": None,
            "value": rng.gauss(5000, 300),
            "threshold": {"min": 1000},
        },
    ]
    for column in COLUMNS:
        bad = rng.random() < 0.002
        out.append(
            {
                "check_id": "input-schema",
                "kind": "schema",
                "subject": column,
                "value": 0.05 if bad else 0.0,
                "threshold": {},
                "status": "failed" if bad else "passed",
            }
        )
    for i, feature in enumerate(FEATURES):
        psi = abs(rng.gauss(0.03, 0.02)) + (drifting if i < 3 else 0.0)
        out.append(
            {
                "check_id": "feature-drift",
                "kind": "drift",
                "subject": feature,
                "value": psi,
                "threshold": DRIFT,
            }
        )
    out.append(
        {
            "check_id": "score-drift",
            "kind": "drift",
            "subject": "score",
            "value": abs(rng.gauss(0.04, 0.02)) + drifting / 2,
            "threshold": {"warn": 0.1, "fail": 0.2},
        }
    )
    for metric, base in (("roc_auc", 0.81), ("accuracy", 0.76)):
        out.append(
            {
                "check_id": f"live-{metric}",
                "kind": "metric",
                "subject": None,
                "value": base - drifting / 5 + rng.gauss(0, 0.005),
                "threshold": {"min": base - 0.08, "max_drop": 0.04},
                "details": {"metric": metric},
            }
        )
    out.append(
        {
            "check_id": "freshness",
            "kind": "freshness",
            "subject": None,
            "value": rng.uniform(0, 2),
            "threshold": {"fail": 6},
        }
    )
    return out


def _status(result: dict[str, Any]) -> str:
    if "status" in result:
        return str(result["status"])
    t, v = result["threshold"], result["value"]
    if "min" in t and v < t["min"]:
        return "failed"
    if "fail" in t and v >= t["fail"]:
        return "failed"
    return "warned" if "warn" in t and v >= t["warn"] else "passed"


def _profile(rng: random.Random) -> dict[str, Any]:
    counts = [rng.randint(300, 700) for _ in range(10)]
    return {
        "name": "x",
        "kind": "numeric",
        "count": sum(counts),
        "nulls": 0,
        "edges": [float(e) for e in range(1, 10)],
        "counts": counts,
    }


def seed(url: str) -> None:
    """Fill an empty, migrated store at ``url`` (see the module docstring)."""
    rng = random.Random(6)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        names = ["hourly"] + [f"model-{i:02d}" for i in range(1, 20)]
        conn.execute(
            sa.insert(ModelRow), [{"name": n, "created_at": END} for n in names]
        )
        ids = dict(conn.execute(sa.select(ModelRow.name, ModelRow.id)).all())
        baselines = (
            conn.execute(
                sa.insert(BaselineRow).returning(BaselineRow.id),
                [
                    {
                        "model_id": ids["hourly"],
                        "version": "v1",
                        "created_at": END - timedelta(days=366),
                        "row_count": 50_000,
                        "metrics": {"roc_auc": 0.81, "accuracy": 0.76},
                        "details": {},
                    }
                ],
            )
            .scalars()
            .all()
        )
        conn.execute(
            sa.insert(ColumnProfileRow),
            [
                {
                    "baseline_id": baselines[0],
                    "column_name": f,
                    "profile": _profile(rng),
                }
                for f in FEATURES
            ],
        )
        for name in names:
            step, count = (
                (timedelta(hours=1), 8760)
                if name == "hourly"
                else (timedelta(days=1), 60)
            )
            times = [END - step * (count - k) for k in range(count)]
            runs, results = [], []
            for k, at in enumerate(times):
                drifting = 0.3 if (k // 500) % 4 == 3 else 0.0
                checks = _checks(rng, drifting)
                for c in checks:
                    c["status"] = _status(c)
                worst = max(
                    (c["status"] for c in checks),
                    key=["passed", "skipped", "warned", "errored", "failed"].index,
                )
                counts = {
                    s: sum(c["status"] == s for c in checks)
                    for s in ("passed", "skipped", "warned", "errored", "failed")
                }
                runs.append(
                    {
                        "model_id": ids[name],
                        "run_key": at.strftime("%Y-%m-%dT%H"),
                        "model_version": "v1",
                        "status": worst,
                        "row_count": 5000,
                        "started_at": at,
                        "finished_at": at,
                        "source": "bench",
                        "reference": "baseline v1",
                        "counts": counts,
                        "details": {},
                    }
                )
                results.append(checks)
            pks = (
                conn.execute(
                    sa.insert(RunRow).returning(
                        RunRow.id, sort_by_parameter_order=True
                    ),
                    runs,
                )
                .scalars()
                .all()
            )
            rows = [
                {
                    "run_id": pk,
                    "model_id": ids[name],
                    "severity": "warning",
                    "metrics": {},
                    "details": c.get("details", {}),
                    "failures": [],
                    "message": "",
                    "started_at": run["finished_at"],
                    "finished_at": run["finished_at"],
                    **{
                        k: c[k]
                        for k in (
                            "check_id",
                            "kind",
                            "subject",
                            "status",
                            "value",
                            "threshold",
                        )
                    },
                }
                for pk, run, checks in zip(pks, runs, results, strict=True)
                for c in checks
            ]
            for start in range(0, len(rows), 20_000):
                conn.execute(sa.insert(CheckResultRow), rows[start : start + 20_000])
            if name == "hourly":
                conn.execute(
                    sa.insert(ColumnProfileRow),
                    [
                        {"run_id": pk, "column_name": f, "profile": _profile(rng)}
                        for pk in pks[-200:]
                        for f in FEATURES
                    ],
                )
    engine.dispose()


def _timed_app(store: Store) -> tuple[Any, list[float]]:
    from fastapi import FastAPI, Request, Response

    import modelhealth.web

    app = FastAPI()
    app.state.store = store
    app.state.settings = ServiceSettings(db_url=store.url)
    modelhealth.web.install(app)
    took: list[float] = []

    @app.middleware("http")
    async def timer(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        took.append(time.perf_counter() - start)
        return Response(body, response.status_code, dict(response.headers))

    return app, took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("benchmarks/out/web_bench.db"))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    url = f"sqlite:///{args.db}"
    args.db.parent.mkdir(parents=True, exist_ok=True)
    store = Store(url)
    if not store.has_model("hourly"):
        clock = time.perf_counter()
        seed(url)
        print(f"seeded {args.db} in {time.perf_counter() - clock:.1f}s")
    runs = store.count_runs("hourly")
    latest = store.runs("hourly", limit=1)[0].run_id
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    app, took = _timed_app(store)
    pages = [
        ("overview", "/"),
        ("model page", "/models/hourly"),
        ("model page JSON", "/models/hourly.json"),
        ("model page, 500 runs", "/models/hourly?per_page=500"),
        ("model page, page 90", "/models/hourly?page=90"),
        (
            "model page, failed since Sep",
            "/models/hourly?status=failed&since=2025-09-01",
        ),
        ("run page", f"/models/hourly/runs/{latest}"),
        ("incidents", "/incidents"),
    ]
    print(
        f"{runs:,} runs of 'hourly', 20 models; server time per page, median and "
        f"worst of {args.repeat} after one cold request"
    )
    with TestClient(app) as client:
        for label, path in pages:
            took.clear()
            client.get(path)  # cold: templates compile, SQLite pages load
            cold = took.pop()
            for _ in range(args.repeat):
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)
            print(
                f"  {label:<30} {statistics.median(took) * 1000:7.1f} ms "
                f"(worst {max(took) * 1000:6.1f} ms, cold {cold * 1000:6.1f} ms, "
                f"{len(answer.content) / 1024:5.0f} KiB)"
            )
    _export(store)
    store.close()


def _export(store: Store) -> None:
    """The static export of ``hourly``: its last 90 runs, each run's page included."""
    from modelhealth.web.export import export_html

    clock = time.perf_counter()
    html = export_html(store, "hourly", runs=90)
    took = time.perf_counter() - clock
    print(
        f"  {'static export, 90 run pages':<30} {took * 1000:7.1f} ms "
        f"({len(html.encode()) / 1024:,.0f} KiB)"
    )


if __name__ == "__main__":
    main()
