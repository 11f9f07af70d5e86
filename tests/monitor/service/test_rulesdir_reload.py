"""Rules reload: what a change to one file means for the others."""

from __future__ import annotations

import os
import time
from pathlib import Path

from modelhealth.service.rulesdir import RulesDir

RULES = (
    "version: 1\nmodel: {model}\n"
    "checks:\n  - {{id: rows, kind: volume, min_rows: {n}}}\n"
)


def touch_later(path: Path, text: str) -> None:
    """Write and move the mtime on, so a reload within the same second sees it."""
    path.write_text(text)
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


def test_a_file_refused_for_a_duplicate_model_loads_once_the_other_is_gone(tmp_path):
    (tmp_path / "a.yaml").write_text(RULES.format(model="x", n=1))
    (tmp_path / "b.yaml").write_text(RULES.format(model="x", n=2))
    rules = RulesDir([tmp_path])
    assert rules.models() == ["x"]
    assert len(rules.errors) == 1
    (tmp_path / "a.yaml").unlink()
    rules.reload()
    assert rules.models() == ["x"]
    assert rules.errors == {}
    assert rules.get("x").checks[0].min_rows == 2  # type: ignore[union-attr]


def test_a_change_to_an_extended_file_reaches_the_files_that_extend_it(tmp_path):
    (tmp_path / "base.yaml").write_text(RULES.format(model="base", n=18))
    (tmp_path / "churn.yaml").write_text(
        "version: 1\nmodel: churn\nextends: base.yaml\n"
    )
    rules = RulesDir([tmp_path])
    assert rules.get("churn").checks[0].min_rows == 18  # type: ignore[union-attr]
    touch_later(tmp_path / "base.yaml", RULES.format(model="base", n=21))
    rules.reload()
    assert rules.get("churn").checks[0].min_rows == 21  # type: ignore[union-attr]


def test_a_file_that_others_extend_is_a_base_not_a_model(tmp_path):
    (tmp_path / "base.yaml").write_text(RULES.format(model="base", n=1))
    (tmp_path / "churn.yaml").write_text(
        "version: 1\nmodel: churn\nextends: base.yaml  # shared checks\n"
    )
    (tmp_path / "fraud.yaml").write_text(
        "version: 1\nmodel: fraud\nextends: [base.yaml]\n"
    )
    assert RulesDir([tmp_path]).models() == ["churn", "fraud"]
