"""``modelhealth demo``: a churn model's month in production, checked day by day.

Builds training data and 30 daily production runs of a churn-like binary classifier
(the month and what goes wrong on which day: :mod:`modelhealth.cli.demo.month`):
training-serving skew on day 5, a short run on day 9, an upstream join bug on days
12-14 that only the joint distribution shows, covariate shift creeping in from day
18, a schema break on day 25, and fewer customers at weekends. Registers the
baseline (with the model's ROC AUC and accuracy measured on its training data, the
calibration ``estimated_metric`` needs and the PCA ``multivariate_drift`` fits),
runs the post-run hook for each day into SQLite without labels, with the feature
store's export of the same customers as the ``skew`` check's offline features, and
attaches each day's labels :data:`LABEL_DELAY` days later (whether a customer
churned is known a week on). The shift leaves the scores calibrated but makes
customers harder to tell apart, so the ROC AUC really falls: the estimated AUC shows
it on the day it happens, the realized AUC only when that day's labels arrive.
Prints the model's health history, what each signal found, and both AUCs by day.
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

from modelhealth.cli.demo.month import (
    DAY_ROWS,
    DRIFT_FROM,
    JOIN_BUG,
    SCHEMA_BREAK,
    SHORT_DAY,
    SKEW_DAY,
    day_frames,
    first_day,
    make_day,
)

if TYPE_CHECKING:
    import pandas as pd

    from modelhealth.report import RunReport
    from modelhealth.store import Store

__all__ = [
    "DRIFT_FROM",
    "JOIN_BUG",
    "LABEL_DELAY",
    "SCHEMA_BREAK",
    "SHORT_DAY",
    "SKEW_DAY",
    "make_day",
    "run_demo",
    "write_rules",
]

LABEL_DELAY = 7
TRAIN_ROWS = 20_000


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


def run_demo(directory: Path, *, db: str | None, days: int, console: Any) -> None:
    """Build the example, check every day, and print the model's history."""
    from modelhealth.api import open_store, register_baseline
    from modelhealth.cli.demo.auc import print_auc
    from modelhealth.cli.demo.signals import print_signals
    from modelhealth.cli.history import print_history
    from modelhealth.cli.summary import run_summary

    clock = time.monotonic()
    data_dir = directory / "data"
    _start_clean(directory, db, console)
    (data_dir / "features").mkdir(parents=True)
    rules_path = write_rules(directory / "rules")
    db_url = db or f"sqlite:///{(directory / 'modelhealth.db').as_posix()}"
    store = open_store(db_url)

    make_day(TRAIN_ROWS, seed=7).to_parquet(data_dir / "training.parquet", index=False)
    start = first_day(days, datetime.now(timezone.utc))
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
    broken = (start + timedelta(days=SCHEMA_BREAK - 1)).date().isoformat()
    try:
        last = _check_month(store, rules_path, data_dir, start, days)
        console.print()
        print_history(console, store, "churn", limit=days)
        console.print()
        print_signals(console, store, days)
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
        f"  data:     {data_dir}/ (training.parquet, one file per day, the feature "
        f"store's export of each day's customers in features/, the last "
        f"{LABEL_DELAY} days' labels still to arrive as DAY-labels.csv; for the "
        "README's tour: holdout.parquet, today.parquet, features/today.parquet, "
        "today-labels.csv)",
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
        f"--inputs {data_dir}/{broken}.parquet "
        f"--offline {data_dir}/features/{broken}.parquet --db {db_url}\n"
        f"    (checks the schema-break day again: it replaces that run, at its own "
        f"run time, and changes nothing about today)\n"
        f"  {cli} rules validate {rules_path}",
        markup=False,
    )
    _show_report(directory, db_url, rules_path.parent, console, cli)


def _check_month(
    store: Store, rules_path: Path, data_dir: Path, start: datetime, days: int
) -> RunReport | None:
    """Check each day's run as its pipeline would, right after writing it, with
    the feature store's export of its customers; attach each day's labels
    :data:`LABEL_DELAY` days later. Returns the last day's report."""
    from modelhealth.api import check_run
    from modelhealth.run.labels import attach_labels

    last = None
    labelled: dict[str, pd.DataFrame] = {}
    for day in range(1, days + 1):
        now = start + timedelta(days=day - 1)
        date = now.date().isoformat()
        path = data_dir / f"{date}.parquet"
        offline = data_dir / "features" / f"{date}.parquet"
        frame, features = day_frames(day, now.date())
        frame.drop(columns=["churned"]).to_parquet(path, index=False)
        features.to_parquet(offline, index=False)
        labelled[date] = frame[["customer_id", "churned"]]
        last = check_run(
            rules=rules_path,
            run_id=date,
            inputs=path,
            offline=offline,
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
    return last


def _write_tour_data(data_dir: Path, days: int) -> None:
    """The files the README's tour uses: a candidate's holdout data (scores and
    labels), and today's run with its features' export, whose labels arrive apart."""
    make_day(DAY_ROWS, seed=8).to_parquet(data_dir / "holdout.parquet", index=False)
    today, features = day_frames(days + 1, datetime.now(timezone.utc).date())
    today.drop(columns=["churned"]).to_parquet(data_dir / "today.parquet", index=False)
    features.to_parquet(data_dir / "features" / "today.parquet", index=False)
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
