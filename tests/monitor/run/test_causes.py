"""Root-cause hints (issue 15, item 4): drifted features ranked by importance x drift.

The churn-like frame's score depends on ``tenure`` (strongly) and not at all on
``age``. A run in which both drift by a similar amount ranks ``tenure`` first when
the importance is estimated from the baseline (mutual information with the score),
and ``age`` first when an importance file given with the baseline says so. The
ranking shows in the stored results, the ``check`` summary and the alert text.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pandas as pd
import pytest

from modelhealth.checks._causes import mutual_information
from modelhealth.cli.app import main
from modelhealth.errors import ExitCode
from modelhealth.store import Store
from tests.monitor.web.conftest import TestClient, make_app

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    prediction: {column: score}
    label: {column: churned}
    checks:
      - id: feature-drift
        kind: drift
        columns: [age, tenure, spend]
        method: psi
        threshold: {warn: 0.1, fail: 0.25}
    alerts:
      - {channel: console, stream: stdout, min_severity: info, statuses: [failed]}
    """
)


@pytest.fixture
def project(tmp_path, frame):
    (tmp_path / "rules.yaml").write_text(RULES)
    frame(4000, seed=1).to_parquet(tmp_path / "train.parquet")
    run = frame(2000, seed=2)
    run["age"] = np.clip(run["age"] + 12, 18, 120)
    run["tenure"] = run["tenure"] * 1.6
    run.to_parquet(tmp_path / "drifted.parquet")
    return tmp_path


def _cli(project, *args):
    return main(
        [*args, "--rules", str(project / "rules.yaml"), "--db", str(project / "mh.db")]
    )


def _ranks(project):
    with Store(f"sqlite:///{project / 'mh.db'}") as store:
        run = store.run("churn", "r1")
    assert run is not None
    return {
        r.subject: r.details.get("impact_rank")
        for r in run.results
        if r.status in ("warned", "failed")
    }, {r.subject: r for r in run.results}


def test_estimated_importance_ranks_the_feature_the_score_depends_on(project, capsys):
    assert _cli(project, "baseline", "--data", str(project / "train.parquet")) == 0
    code = _cli(
        project, "check", "--run-id", "r1", "--inputs", str(project / "drifted.parquet")
    )
    assert code == ExitCode.CHECKS_FAILED
    out = capsys.readouterr().out
    ranks, results = _ranks(project)
    assert ranks == {"tenure": 1, "age": 2}
    tenure = results["tenure"]
    assert tenure.details["importance_from"] == "mutual information with 'score'"
    assert tenure.metrics["importance"] > 10 * results["age"].metrics["importance"]
    assert "rank 1 of 2 drifted by importance x drift" in tenure.message
    line = next(x for x in out.splitlines() if "feature-drift[tenure]" in x)
    assert "rank 1 of 2" in line


def test_given_importance_wins_and_reaches_the_alert(project, capsys):
    (project / "importance.csv").write_text(
        "feature,importance\nage,0.9\ntenure,0.05\n"
    )
    code = _cli(
        project,
        "baseline",
        "--data",
        str(project / "train.parquet"),
        "--importance",
        str(project / "importance.csv"),
    )
    assert code == 0
    _cli(
        project, "check", "--run-id", "r1", "--inputs", str(project / "drifted.parquet")
    )
    ranks, results = _ranks(project)
    assert ranks == {"age": 1, "tenure": 2}
    assert results["age"].details["importance_from"] == "given with the baseline"
    alert = capsys.readouterr().out
    assert "feature-drift[age] failed" in alert
    assert "importance 0.9 (given with the baseline), rank 1 of 2" in alert
    with (
        Store(f"sqlite:///{project / 'mh.db'}") as store,
        TestClient(make_app(store)) as client,
    ):
        page = client.get("/models/churn/runs/r1")
    assert page.status_code == 200
    assert "importance 0.9 (given with the baseline), rank 1 of 2" in page.text


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("imp.json", "{not json", "is not JSON (line 1"),
        (
            "imp.json",
            '{"age": -1}',
            "the importance of 'age' must be a finite number >= 0, got -1",
        ),
        (
            "imp.csv",
            "name,weight\nage,1\n",
            "needs a header with the columns feature and importance",
        ),
        ("imp.json", "[1, 2]", "each entry needs feature and importance"),
    ],
)
def test_a_bad_importance_file_is_a_usage_error(project, capsys, name, text, message):
    (project / name).write_text(text)
    code = _cli(
        project,
        "baseline",
        "--data",
        str(project / "train.parquet"),
        "--importance",
        str(project / name),
    )
    assert code == ExitCode.USAGE
    assert message in capsys.readouterr().err


def test_mutual_information_finds_the_dependence():
    rng = np.random.default_rng(0)
    n = 20_000
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "noise": rng.normal(size=n),
            "kind": rng.choice(["a", "b", "c"], n),
            "empty": np.nan,
        }
    )
    frame["score"] = 1 / (1 + np.exp(-(2 * frame["x"] + (frame["kind"] == "a"))))
    mi = mutual_information(frame, ["x", "noise", "kind", "empty"], "score")
    assert mi["x"] > 0.5
    assert mi["kind"] > 0.02
    assert mi["noise"] < 0.01
    assert mi["empty"] == 0.0
    json.dumps(mi)  # stored with the baseline as JSON
