"""The integrations' tests run in each orchestrator's own virtual environment
(``.venv-int/<name>``, driven by ``test_venvs.py``); a file whose orchestrator is not
importable here is not collected, so the main suite never half-imports one."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ORCHESTRATORS = ("luigi", "prefect", "dagster", "mlflow", "metaflow", "airflow")

collect_ignore = [
    f"test_{name}.py"
    for name in ORCHESTRATORS
    if importlib.util.find_spec(name) is None
]

RULES = textwrap.dedent(
    """\
    version: 1
    model: churn
    on_missing_reference: skip   # most of these pipelines run before a baseline
    prediction: {column: score}
    label: {column: churned}
    checks:
      - id: input-schema
        kind: schema
        severity: critical
        columns:
          age: {dtype: int64, nullable: false, checks: {ge: 18, le: 120}}
          plan: {dtype: str, isin: [basic, pro, enterprise]}
          spend: {dtype: float64}
      - {id: rows, kind: volume, min_rows: 10, severity: critical}
      - id: spend-drift
        kind: drift
        columns: [spend]
        method: psi
        threshold: {warn: 0.1, fail: 0.25}
    """
)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A churn model's rules: a critical schema and volume check, a warning drift."""
    path = tmp_path / "churn.yaml"
    path.write_text(RULES)
    return path


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "mh.db")


def run_doc_example(
    name: str, workdir: Path, *argv: str, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    """Run the example at the top of docs/integrations/<name>.md, as a user would:
    its ``yaml`` block saved as ``churn.yaml``, its first ``python`` block run by
    this environment's python in ``workdir`` with ``argv``."""
    text = (ROOT / "docs" / "integrations" / f"{name}.md").read_text()
    blocks = re.findall(r"```(\w+)\n(.*?)```", text, flags=re.S)
    yaml = next(body for lang, body in blocks if lang == "yaml")
    code = next(body for lang, body in blocks if lang == "python")
    (workdir / "churn.yaml").write_text(yaml)
    (workdir / "example.py").write_text(code)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODELHEALTH_")}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "example.py", *argv],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
