"""Metaflow (issue 12): a real local flow checks an artifact in a step, keeps the
report as an artifact, and fails the run on a failed check."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap

import pytest

import modelhealth
from modelhealth.integrations import _common
from modelhealth.integrations import metaflow as mh_metaflow
from tests.integrations.conftest import run_doc_example

FLOW = textwrap.dedent(
    """\
    import numpy as np
    import pandas as pd
    from metaflow import FlowSpec, step

    from modelhealth.integrations.metaflow import check_artifact, health_check


    def frame(bad):
        rng = np.random.default_rng(0)
        df = pd.DataFrame({"age": rng.integers(18, 90, 300),
                           "plan": rng.choice(["basic", "pro"], 300),
                           "spend": rng.normal(50, 10, 300)})
        if bad:
            df.loc[:4, "age"] = 7
        return df


    class ScoreFlow(FlowSpec):
        @step
        def start(self):
            self.scores = frame(bad=True)
            check_artifact(self, "scores", rules=RULES, db=DB, alert=False)
            self.next(self.publish)

        @step
        @health_check("scores", rules=RULES, db=DB, alert=False, run_id="again")
        def publish(self):
            self.published = True
            self.next(self.end)

        @step
        def end(self):
            pass


    if __name__ == "__main__":
        ScoreFlow()
    """
)


@pytest.fixture
def flow(tmp_path, rules, db):
    path = tmp_path / "score_flow.py"
    path.write_text(FLOW.replace("RULES", repr(str(rules))).replace("DB", repr(db)))
    env = {
        **os.environ,
        "METAFLOW_HOME": str(tmp_path / "mfhome"),
        "METAFLOW_DATASTORE_SYSROOT_LOCAL": str(tmp_path),
        "METAFLOW_DEFAULT_METADATA": "local",
        "METAFLOW_DEFAULT_DATASTORE": "local",
        "USERNAME": "tester",
    }

    def run(*args):
        done = subprocess.run(
            [sys.executable, str(path), "--no-pylint", "run", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        # Metaflow reads its configuration at import: the client runs where the
        # flow's settings are, as a user's notebook would
        seen = subprocess.run(
            [sys.executable, "-c", CLIENT],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert seen.returncode == 0, seen.stderr[-3000:]
        return done, json.loads(seen.stdout.strip().splitlines()[-1])

    return run


CLIENT = """
import json
from metaflow import Flow, namespace
namespace(None)
run = Flow("ScoreFlow").latest_run
steps = {s.id: s.task.data.modelhealth_report for s in run
         if "modelhealth_report" in s.task}
print(json.dumps({"id": run.id, "successful": run.successful, "reports": steps}))
"""


def test_a_failed_check_fails_the_run_with_one_paragraph(flow, db):
    done, run = flow()
    assert done.returncode != 0
    assert not run["successful"]
    assert "publish" not in run["reports"]  # never reached
    message = (
        f"modelhealth: model 'churn' run 'ScoreFlow/{run['id']}' failed 1 check(s) "
        "at or above 'critical': input-schema[age] failed (critical)"
    )
    assert message in done.stdout + done.stderr
    assert run["reports"]["start"]["status"] == "failed"  # kept on failure


def test_the_documented_example_runs_and_keeps_the_report(tmp_path):
    env = {
        "METAFLOW_HOME": str(tmp_path / "mfhome"),
        "METAFLOW_DATASTORE_SYSROOT_LOCAL": str(tmp_path),
        "USERNAME": "tester",
    }
    done = run_doc_example("metaflow", tmp_path, "--no-pylint", "run", **env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "published: True" in done.stdout + done.stderr
    seen = subprocess.run(
        [sys.executable, "-c", CLIENT],
        cwd=tmp_path,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert seen.returncode == 0, seen.stderr[-3000:]
    run = json.loads(seen.stdout.strip().splitlines()[-1])
    assert run["successful"]
    report = run["reports"]["start"]
    assert report["model"] == "churn"
    assert report["run_id"] == f"ScoreFlow/{run['id']}"
    assert run["reports"]["publish"]["run_id"] == "publish-check"
    with modelhealth.Store(str(tmp_path / "modelhealth.db")) as store:
        assert store.run("churn", f"ScoreFlow/{run['id']}") is not None


def test_an_unsupported_metaflow_stops_at_import(monkeypatch):
    monkeypatch.setattr(_common, "installed_version", lambda dist: "2.7.0")
    with pytest.raises(ImportError, match=r"supports metaflow>=2.12,<3, but"):
        importlib.reload(mh_metaflow)
    monkeypatch.undo()
    importlib.reload(mh_metaflow)
