"""Issue 9: one import name that never collides, and no import cycles.

The wheel installs ``modelhealth`` and nothing else at the top level; installed into
a fresh virtual environment (not editable), it works from a pipeline folder that has
its own ``checks.py``, ``monitor.py``, ``alerts/`` package and ``rules/`` folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {
    "monitor": "modelhealth",
    "checks": "modelhealth.checks",
    "rules": "modelhealth.rules",
    "alerts": "modelhealth.alerts",
}


def test_pyproject_lists_every_package_folder() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"] == {v: k for k, v in FOLDERS.items()}
    found = set()
    for folder, name in FOLDERS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *rel.parts]))
    assert sorted(config["packages"]) == sorted(found)


def test_no_import_cycles_counting_deferred_imports() -> None:
    """Every import counts, inside functions too; TYPE_CHECKING ones do not run."""
    script = textwrap.dedent(
        """
        import grimp
        graph = grimp.build_graph("modelhealth", exclude_type_checking_imports=True)
        modules = sorted(graph.modules)
        edges = {m: graph.find_modules_directly_imported_by(m) for m in modules}
        index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]
        def visit(v):
            index[v] = low[v] = counter[0]; counter[0] += 1
            stack.append(v); on.add(v)
            for w in edges[v]:
                if w not in index:
                    visit(w); low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                part = []
                while True:
                    w = stack.pop(); on.discard(w); part.append(w)
                    if w == v: break
                if len(part) > 1: cycles.append(sorted(part))
        import sys
        sys.setrecursionlimit(10000)
        for m in modules:
            if m not in index: visit(m)
        # a package's __init__ importing its own submodules is not a cycle of code
        print(cycles)
        """
    )
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "analysis_tree.py")], check=True
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "build" / "analysis")}
    out = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT / "build",
    ).stdout.strip()
    assert out == "[]"


PIPELINE_RULES = """\
version: 1
model: churn
prediction: {column: score, task: binary_classification}
checks:
  - id: input-schema
    kind: schema
    severity: critical
    columns:
      age: {dtype: int64, nullable: false}
  - id: feature-drift
    kind: drift
    columns: "*"
"""

PIPELINE_SCRIPT = """\
import pandas as pd
import checks, monitor, alerts  # the pipeline's own modules
import modelhealth

assert checks.MINE and monitor.MINE and alerts.MINE
frame = pd.DataFrame({"age": [30, 40, 50, 60] * 25, "score": [0.1, 0.9] * 50})
modelhealth.register_baseline(rules="rules/churn.yaml", data=frame, db="mh.db")
report = modelhealth.check_run(
    rules="rules/churn.yaml", run_id="r1", inputs=frame, db="mh.db"
)
report.raise_for_status()
print("status", report.status.value)
"""


@pytest.mark.slow
def test_the_wheel_works_beside_a_pipelines_own_modules(tmp_path: Path) -> None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (make setup-dev installs it)")
    dist = tmp_path / "dist"
    subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("modelhealth-*.whl")
    tops = {n.split("/")[0] for n in zipfile.ZipFile(wheel).namelist()}
    assert {t for t in tops if not t.endswith((".dist-info", ".data"))} == {
        "modelhealth"
    }
    venv = tmp_path / "venv"
    subprocess.run(
        [uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True
    )
    python = venv / "bin" / "python"
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", str(python), str(wheel)], check=True
    )
    pipeline = tmp_path / "pipeline"
    (pipeline / "rules").mkdir(parents=True)
    (pipeline / "alerts").mkdir()
    (pipeline / "checks.py").write_text("MINE = True\n")
    (pipeline / "monitor.py").write_text("MINE = True\n")
    (pipeline / "alerts" / "__init__.py").write_text("MINE = True\n")
    (pipeline / "rules" / "churn.yaml").write_text(PIPELINE_RULES)
    (pipeline / "job.py").write_text(PIPELINE_SCRIPT)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ran = subprocess.run(
        [str(python), "job.py"],
        cwd=pipeline,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert "status passed" in ran.stdout
    helped = subprocess.run(
        [str(venv / "bin" / "modelhealth"), "--help"],
        cwd=pipeline,
        env=env,
        capture_output=True,
        text=True,
    )
    assert helped.returncode == 0, helped.stderr
    assert "check" in helped.stdout
    module = subprocess.run(
        [str(python), "-m", "modelhealth", "--version"],
        cwd=pipeline,
        env=env,
        capture_output=True,
        text=True,
    )
    assert module.returncode == 0
    assert "modelhealth" in module.stdout
