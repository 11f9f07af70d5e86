"""Issue 15: ``check --offline PATH`` (and ``check_run(offline=...)``) gives a skew
check its offline features for one run, over the rule's ``offline:``.

Real Parquet files, a real SQLite store, the CLI's own entry point.
"""

from __future__ import annotations

import pandas as pd
import pytest

import modelhealth
from modelhealth.cli.app import main

RULES = """\
version: 1
model: shop
checks:
  - id: skew
    kind: skew
    key: customer_id
{offline}"""


def _frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    online = pd.DataFrame(
        {"customer_id": [f"c{i}" for i in range(200)], "spend": [1.0] * 200}
    )
    skewed = online.assign(spend=[1.0] * 100 + [2.0] * 100)  # half the keys differ
    return online, skewed


@pytest.fixture
def files(tmp_path):
    online, skewed = _frames()
    paths = {
        "run": tmp_path / "run.parquet",
        "same": tmp_path / "same.parquet",
        "skewed": tmp_path / "skewed.parquet",
    }
    online.to_parquet(paths["run"])
    online.to_parquet(paths["same"])
    skewed.to_parquet(paths["skewed"])
    return paths


def _rules(tmp_path, offline: str | None):
    line = f"    offline: {offline}\n" if offline else ""
    path = tmp_path / "shop.yaml"
    path.write_text(RULES.format(offline=line))
    return path


def _check(tmp_path, rules, run, *extra):
    db = f"sqlite:///{tmp_path / 'm.db'}"
    command = ["check", "--rules", str(rules), "--run-id", "r1"]
    return main([*command, "--inputs", str(run), "--db", db, "--no-alerts", *extra])


def test_offline_overrides_the_rules_file(tmp_path, files, capsys):
    rules = _rules(tmp_path, str(files["same"]))
    assert _check(tmp_path, rules, files["run"]) == 0
    capsys.readouterr()
    assert _check(tmp_path, rules, files["run"], "--offline", str(files["skewed"])) == 1
    assert "FAIL skew[spend]" in capsys.readouterr().out


def test_offline_alone_gives_the_features(tmp_path, files, capsys):
    rules = _rules(tmp_path, None)
    assert _check(tmp_path, rules, files["run"]) == 1  # errored: nothing to compare
    out = capsys.readouterr().out
    assert "no offline features to compare with" in out
    assert _check(tmp_path, rules, files["run"], "--offline", str(files["same"])) == 0


def test_a_bad_offline_is_a_clear_command_error(tmp_path, files, capsys):
    rules = _rules(tmp_path, None)
    missing = str(tmp_path / "nope.parquet")
    assert _check(tmp_path, rules, files["run"], "--offline", missing) == 2
    err = capsys.readouterr().err
    assert f"the offline features {missing!r} do not exist" in err
    assert "Traceback" not in err
    other = tmp_path / "other.yaml"
    other.write_text(
        "version: 1\nmodel: shop\nchecks:\n  - {id: n, kind: volume, min_rows: 1}\n"
    )
    code = _check(tmp_path, other, files["run"], "--offline", str(files["same"]))
    assert code == 2
    assert "have none" in capsys.readouterr().err


def test_the_python_api_takes_offline(tmp_path, files):
    rules = _rules(tmp_path, str(files["same"]))
    report = modelhealth.check_run(
        rules=rules,
        run_id="r1",
        inputs=files["run"],
        db=f"sqlite:///{tmp_path / 'm.db'}",
        alert=False,
        offline=files["skewed"],
    )
    spend = next(r for r in report.results if r.subject == "spend")
    assert spend.status.value == "failed"
    assert spend.value == pytest.approx(0.5)
