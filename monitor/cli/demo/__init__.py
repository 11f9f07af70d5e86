"""``modelhealth demo``: a churn model's month in production, checked day by day.

Builds training data and 30 daily production runs of a churn-like binary classifier,
with covariate shift creeping in from day 18 (``monthly_spend`` and ``support_calls``
move up, ``tenure_months`` crowds together and the ``basic`` plan grows), a
half-size run on day 9, and a schema break on day 25 (an upstream change
capitalises plan names and loses some ages). Registers the baseline (with the
model's ROC AUC and accuracy measured on its training data, and the calibration
``estimated_metric`` needs), runs the post-run hook for each day into SQLite
without labels, and attaches each day's labels :data:`LABEL_DELAY` days later
(whether a customer churned is known a week on). The shift leaves the scores
calibrated but makes customers harder to tell apart, so the ROC AUC really falls:
the estimated AUC shows it on the day it happens, the realized AUC only when that
day's labels arrive. Prints the model's health history and both AUCs by day.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DRIFT_FROM",
    "LABEL_DELAY",
    "SCHEMA_BREAK",
    "make_day",
    "run_demo",
    "write_rules",
]

DRIFT_FROM = 18
SCHEMA_BREAK = 25
SHORT_DAY = 9
LABEL_DELAY = 7
TRAIN_ROWS = 20_000
DAY_ROWS = 4_000


def make_day(n: int, seed: int, drift: float = 0.0) -> pd.DataFrame:
    """One batch of customers, scored by the model.

    Args:
        n: rows.
        seed: random seed (each day has its own).
        drift: 0 for the training distribution; 1 moves ``monthly_spend`` up by one
            standard deviation, raises ``support_calls`` by 30%, narrows the spread
            of ``tenure_months`` about fourfold and grows the ``basic`` plan from
            55% to 85%. The score stays the true chance of churn (covariate shift),
            but its spread shrinks, so the ROC AUC falls by about 0.035.
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    age = rng.normal(45, 14, n).clip(18, 95).astype("int64")
    crowd = 1 + 20 * drift  # same mean tenure, 1/sqrt(crowd) of its spread
    tenure = rng.gamma(2.0 * crowd, 14.0 / crowd, n)
    spend = rng.normal(60 + 15 * drift, 15, n).clip(0, None)
    calls = rng.poisson(1.5 * (1 + 0.3 * drift), n).astype("int64")
    basic = min(0.55 + 0.3 * drift, 0.95)
    others = (1 - basic) / 0.45
    plan = rng.choice(
        ["basic", "pro", "enterprise"], n, p=[basic, 0.35 * others, 0.10 * others]
    )
    logit = (
        -1.2
        - 0.035 * tenure
        + 0.45 * calls
        + 0.02 * (spend - 60)
        + 0.6 * (plan == "basic")
        - 0.01 * (age - 45)
    )
    score = 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "customer_id": [f"c{seed:03d}-{i:06d}" for i in range(n)],
            "age": age,
            "tenure_months": tenure.round(1),
            "monthly_spend": spend.round(2),
            "support_calls": calls,
            "plan": plan,
            "region": rng.choice(
                ["eu", "us", "apac", "latam"], n, p=[0.4, 0.35, 0.15, 0.1]
            ),
            "contract": rng.choice(["monthly", "annual"], n, p=[0.7, 0.3]),
            "score": score.round(4),
            "churned": (rng.random(n) < score).astype("int64"),
        }
    )


def _break_schema(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(seed)
    df = df.copy()
    df["plan"] = df["plan"].str.capitalize()
    lost = rng.random(len(df)) < 0.08
    df["age"] = df["age"].astype("float64").mask(lost)
    return df


def _metrics(path: Path) -> dict[str, float]:
    """The model's pre-deployment metrics, measured on its training data."""
    import pandas as pd
    from sklearn.metrics import accuracy_score, roc_auc_score

    df = pd.read_parquet(path)
    return {
        "roc_auc": float(roc_auc_score(df["churned"], df["score"])),
        "accuracy": float(accuracy_score(df["churned"], df["score"] >= 0.5)),
    }


def write_rules(directory: Path) -> Path:
    """Copy the demo's rules files into ``directory``; return churn.yaml's path."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("base.yaml", "churn.yaml"):
        text = resources.files("modelhealth.cli.demo").joinpath(name).read_text()
        (directory / name).write_text(text)
    return directory / "churn.yaml"


def _day_frame(day: int) -> pd.DataFrame:
    drift = max(0, day - DRIFT_FROM + 1) * 0.12 if day >= DRIFT_FROM else 0.0
    n = DAY_ROWS // 2 if day == SHORT_DAY else DAY_ROWS + (day * 37) % 400
    df = make_day(n, seed=1000 + day, drift=drift)
    return _break_schema(df, day) if day == SCHEMA_BREAK else df


def run_demo(directory: Path, *, db: str | None, days: int, console: Any) -> None:
    """Build the example, check every day, and print the model's history."""
    from modelhealth.api import check_run, open_store, register_baseline
    from modelhealth.cli.demo.auc import print_auc
    from modelhealth.cli.history import print_history
    from modelhealth.cli.summary import run_summary
    from modelhealth.run.labels import attach_labels

    clock = time.monotonic()
    data_dir = directory / "data"
    _start_clean(directory, db, console)
    data_dir.mkdir(parents=True)
    rules_path = write_rules(directory / "rules")
    db_url = db or f"sqlite:///{(directory / 'modelhealth.db').as_posix()}"
    store = open_store(db_url)

    make_day(TRAIN_ROWS, seed=7).to_parquet(data_dir / "training.parquet", index=False)
    start = datetime.now(timezone.utc).replace(
        hour=6, minute=0, second=0, microsecond=0
    )
    start -= timedelta(days=days)
    metrics = _metrics(data_dir / "training.parquet")
    (directory / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    register_baseline(
        rules=rules_path,
        data=data_dir / "training.parquet",
        metrics=metrics,
        model_version="v1",
        db=store,
        created_at=start - timedelta(days=1),
    )
    console.print(
        f"registered baseline v1 from {TRAIN_ROWS:,} training rows", markup=False
    )
    last = None
    labelled: dict[str, pd.DataFrame] = {}
    broken = (start + timedelta(days=SCHEMA_BREAK - 1)).date().isoformat()
    try:
        for day in range(1, days + 1):
            date = (start + timedelta(days=day - 1)).date().isoformat()
            path = data_dir / f"{date}.parquet"
            frame = _day_frame(day)
            frame.drop(columns=["churned"]).to_parquet(path, index=False)
            labelled[date] = frame[["customer_id", "churned"]]
            now = start + timedelta(days=day - 1)
            last = check_run(
                rules=rules_path,
                run_id=date,
                inputs=path,
                model_version="v1",
                db=store,
                now=now,
                alert=False,
                source="demo",
            )
            if day > LABEL_DELAY:
                late = (now - timedelta(days=LABEL_DELAY)).date().isoformat()
                attach_labels(
                    rules=rules_path,
                    run_id=late,
                    labels=labelled.pop(late),
                    db=store,
                    now=now,
                    alert=False,
                )
        for date, labels in labelled.items():  # for the README's tour
            labels.to_csv(data_dir / f"{date}-labels.csv", index=False)
        console.print()
        print_history(console, store, "churn", limit=days)
        console.print()
        print_auc(console, store, days, since=DRIFT_FROM - 2, delay=LABEL_DELAY)
    finally:
        store.close()
    _write_tour_data(data_dir, days)
    if last is not None:
        console.print()
        console.print(
            "the last run, as 'modelhealth check' prints it:",
            style="bold",
            markup=False,
        )
        for text, style in run_summary(last):
            console.print(text, style=style, markup=False)
    took = time.monotonic() - clock
    console.print()
    console.print(f"done in {took:.1f}s", style="bold", markup=False)
    console.print(
        f"  data:     {data_dir}/ (training.parquet, one file per day, the last "
        f"{LABEL_DELAY} days' labels still to arrive as DAY-labels.csv; for the "
        "README's tour: holdout.parquet, today.parquet, today-labels.csv)",
        markup=False,
    )
    console.print(f"  metrics:  {directory / 'metrics.json'}", markup=False)
    console.print(f"  rules:    {rules_path}", markup=False)
    console.print(f"  database: {db_url}", markup=False)
    console.print("try next:", style="bold", markup=False)
    cli = command_name()
    console.print(
        f"  {cli} status --model churn --db {db_url}\n"
        f"  {cli} check --rules {rules_path} --run-id {broken} "
        f"--inputs {data_dir}/{broken}.parquet --db {db_url}\n"
        f"    (checks the schema-break day again: it replaces that run, at its own "
        f"run time, and changes nothing about today)\n"
        f"  {cli} rules validate {rules_path}",
        markup=False,
    )
    _show_report(directory, db_url, rules_path.parent, console, cli)


def _write_tour_data(data_dir: Path, days: int) -> None:
    """The files the README's tour uses: a candidate's holdout data (scores and
    labels), and the next day's run, whose labels arrive apart."""
    make_day(DAY_ROWS, seed=8).to_parquet(data_dir / "holdout.parquet", index=False)
    today = _day_frame(days + 1)
    today.drop(columns=["churned"]).to_parquet(data_dir / "today.parquet", index=False)
    today[["customer_id", "churned"]].to_csv(data_dir / "today-labels.csv", index=False)


def command_name() -> str:
    """How to call this modelhealth from here: the virtual environment's script
    when it is not on ``PATH`` (``.venv/bin/modelhealth``), else ``modelhealth``."""
    script = Path(sys.executable).parent / "modelhealth"
    on_path = shutil.which("modelhealth")
    if on_path is not None and Path(on_path).resolve() == script.resolve():
        return "modelhealth"
    if not script.exists():
        return "modelhealth"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def _start_clean(directory: Path, db: str | None, console: Any) -> None:
    """Remove what an earlier demo wrote in ``directory``: its data, and its
    database unless ``--db`` names another store (whose demo runs are then
    replaced, run by run)."""
    written = ("data", "report.html", "metrics.json")
    old = [directory / name for name in written if (directory / name).exists()]
    own_db = directory / "modelhealth.db"
    if db is None and own_db.exists():
        old.append(own_db)
    for path in old:
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    if old:
        console.print(
            f"starting clean: removed the earlier demo's "
            f"{', '.join(p.name for p in old)} in {directory}",
            markup=False,
        )
    if db is not None:
        console.print(
            f"using the store {db}: the demo's runs replace any it holds already",
            markup=False,
        )


def _show_report(
    directory: Path, db_url: str, rules_dir: Path, console: Any, cli: str
) -> None:
    """Write the static report and say how to serve the live one."""
    from modelhealth.api import open_store
    from modelhealth.web.export import export_model

    store = open_store(db_url)
    try:
        report = export_model(store, "churn", directory / "report.html")
    finally:
        store.close()
    console.print()
    console.print("the web report:", style="bold", markup=False)
    console.print(
        f"  open {report} (one self-contained file), or serve it live:\n"
        f"  {cli} serve --db {db_url} --rules {rules_dir} --no-scheduler\n"
        f"  then browse http://127.0.0.1:8000/models/churn",
        markup=False,
    )
