"""Every registered kind imports, is named by its key, and imports stay lazy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from modelhealth.checks import registry

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kind", registry.kinds())
def test_kind_imports_and_names_itself(kind):
    cls = registry.get(kind)
    assert cls.params_type.model_fields["kind"].default == kind
    assert cls.__module__ == f"modelhealth.checks.{kind}"


def test_import_checks_loads_no_heavy_library():
    code = (
        "import checks, modelhealth.checks.registry, sys; "
        "print('pandera' in sys.modules, 'great_expectations' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["False", "False"]


def test_params_types_load_no_pandera():
    code = (
        "import sys; from checks import registry; registry.params_types(); "
        "print('pandera' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["False"]


def test_every_kind_is_documented_and_used_in_the_example():
    import yaml

    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    example = yaml.safe_load((ROOT / "examples" / "rules.yaml").read_text())
    used = {check["kind"] for check in example["checks"]}
    for kind in registry.kinds():
        assert f"### `{kind}` checks\n" in docs, kind
        assert kind in used, kind


def test_params_types_load_no_great_expectations_or_sklearn():
    code = (
        "import sys; from checks import registry; registry.params_types(); "
        "print([m for m in ('great_expectations', 'sklearn') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
