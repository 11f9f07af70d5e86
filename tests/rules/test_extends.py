"""``extends``: deep merge, checks merged by id, lists replaced, cycles, locations."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from modelhealth import rules
from modelhealth.rules import RuleSet
from tests.rules.kinds import CHANNEL_KINDS, CHECK_KINDS, DriftParams, VolumeParams

BASE = """\
version: 1
model: base
description: shared rules
schedule: {cron: "0 6 * * *", timezone: Europe/Paris}
checks:
  - id: feature-drift
    kind: drift
    columns: [age, plan]
    threshold: {warn: 0.1, fail: 0.25}
  - id: vol
    kind: volume
    min_rows: 100
alerts:
  - {channel: slack, to: "#base"}
"""


def _load(tmp_path: Path, files: dict[str, str], root: str = "churn.yaml") -> RuleSet:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return rules.load(
        tmp_path / root, check_kinds=CHECK_KINDS, channel_kinds=CHANNEL_KINDS, env={}
    )


def _error(tmp_path: Path, files: dict[str, str], root: str = "churn.yaml") -> str:
    with pytest.raises(rules.RulesError) as info:
        _load(tmp_path, files, root)
    return str(info.value).replace(str(tmp_path), "TMP")


def test_merge_by_id_override_and_append(tmp_path):
    child = """\
    extends: base.yaml
    model: churn
    schedule: {cron: "0 7 * * *"}
    checks:
      - id: feature-drift
        threshold: {fail: 0.3}
      - id: new-vol
        kind: volume
        max_rows: 10
    """
    rule_set = _load(tmp_path, {"base.yaml": BASE, "churn.yaml": child})
    assert rule_set.model == "churn"
    assert rule_set.description == "shared rules"
    assert rule_set.schedule is not None
    assert (rule_set.schedule.cron, rule_set.schedule.timezone) == (
        "0 7 * * *",
        "Europe/Paris",
    )
    assert [c.id for c in rule_set.checks] == ["feature-drift", "vol", "new-vol"]
    drift = rule_set.checks[0]
    assert isinstance(drift, DriftParams)
    assert drift.columns == ["age", "plan"]
    assert (drift.threshold.warn, drift.threshold.fail) == (0.1, 0.3)
    assert isinstance(rule_set.checks[2], VolumeParams)
    assert rule_set.alerts[0].model_dump()["to"] == "#base"
    assert rule_set.source_file == str(tmp_path / "churn.yaml")


def test_other_lists_are_replaced(tmp_path):
    child = """\
    extends: [base.yaml]
    checks:
      - {id: feature-drift, columns: [spend]}
    alerts:
      - {channel: console}
    """
    rule_set = _load(tmp_path, {"base.yaml": BASE, "churn.yaml": child})
    assert rule_set.checks[0].model_dump()["columns"] == ["spend"]
    assert [a.channel for a in rule_set.alerts] == ["console"]


def test_several_bases_merge_in_order_and_paths_are_relative(tmp_path):
    files = {
        "shared/base.yaml": BASE,
        "shared/team.yaml": "extends: base.yaml\ndescription: team rules\n",
        "models/churn.yaml": (
            "extends: [../shared/base.yaml, ../shared/team.yaml]\nmodel: churn\n"
        ),
    }
    rule_set = _load(tmp_path, files, "models/churn.yaml")
    assert rule_set.description == "team rules"
    assert [c.id for c in rule_set.checks] == ["feature-drift", "vol"]


def test_error_in_base_file_points_into_base_file(tmp_path):
    base = BASE.replace("min_rows: 100", "min_rows: lots")
    child = "extends: base.yaml\nchecks:\n  - {id: vol, max_rows: -1}\n"
    assert _error(tmp_path, {"base.yaml": base, "churn.yaml": child}) == (
        "TMP/base.yaml:12:15 checks[1].min_rows: expected an integer, got 'lots'\n"
        "TMP/churn.yaml:3:25 checks[1].max_rows: must be at least 0, got -1"
    )


def test_cycle(tmp_path):
    files = {
        "a.yaml": "extends: b.yaml\nversion: 1\nmodel: a\n",
        "b.yaml": "extends: a.yaml\n",
    }
    assert _error(tmp_path, files, "a.yaml") == (
        "TMP/b.yaml:1:10 extends: extends cycle: TMP/a.yaml -> TMP/b.yaml -> TMP/a.yaml"
    )


def test_cycle_with_loads_names(tmp_path):
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(rules.RulesError) as info:
        rules.loads(
            "extends: b.yaml\nversion: 1\nmodel: a\n",
            source="a.yaml",
            base_dir=tmp_path,
            check_kinds=CHECK_KINDS,
            channel_kinds=CHANNEL_KINDS,
        )
    assert (
        str(info.value)
        == "b.yaml:1:10 extends: extends cycle: a.yaml -> b.yaml -> a.yaml"
    )


def test_missing_file_and_bad_entries(tmp_path):
    child = "version: 1\nmodel: churn\nextends: [nope.yaml, 3]\n"
    assert _error(tmp_path, {"churn.yaml": child}) == (
        "TMP/churn.yaml:3:11 extends[0]: file not found: 'TMP/nope.yaml'\n"
        "  hint: looked for TMP/nope.yaml\n"
        "TMP/churn.yaml:3:22 extends[1]: expected a file name, got 3"
    )


def test_extends_must_be_a_name_or_list(tmp_path):
    child = "version: 1\nmodel: churn\nextends: {a: 1}\n"
    assert _error(tmp_path, {"churn.yaml": child}) == (
        "TMP/churn.yaml:3:10 extends: expected a file name or a list of file names"
    )


def test_unreadable_and_non_mapping_and_broken_bases(tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    files = {
        "list.yaml": "- a\n",
        "empty.yaml": "",
        "broken.yaml": "a: [\n",
        "churn.yaml": (
            "version: 1\nmodel: churn\n"
            "extends: [dir.yaml, list.yaml, empty.yaml, broken.yaml]\n"
        ),
    }
    text = _error(tmp_path, files)
    assert text.splitlines() == [
        "TMP/broken.yaml:2:1: invalid YAML: did not find expected node content",
        "  hint: while parsing a flow node at line 2",
        "TMP/churn.yaml:3:11 extends[0]: cannot read 'TMP/dir.yaml': [Errno 21] Is a"
        " directory: 'TMP/dir.yaml'",
        "TMP/list.yaml:1:1: the top level must be a mapping of keys, got a list",
    ]


def test_load_missing_and_unreadable_root(tmp_path):
    with pytest.raises(rules.RulesError) as info:
        rules.load(tmp_path / "x.yaml", check_kinds={}, channel_kinds={})
    assert str(info.value).replace(str(tmp_path), "TMP") == "TMP/x.yaml: file not found"
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe")
    with pytest.raises(
        rules.RulesError, match=r"bin\.yaml: cannot read the file: 'utf-8'"
    ):
        rules.load(tmp_path / "bin.yaml", check_kinds={}, channel_kinds={})
