"""Every key of the rule language has a row in docs/rules.md.

Keys are written as paths in backticks: top-level keys in full (`schedule.cron`,
`reference.window.last_runs`), common check and route keys as `checks[].id` and
`alerts[].channel`, and each kind's or channel's own keys relative to the entry
(`threshold.warn`, `columns.<name>.dtype`) inside its section, titled
"### `drift` checks" or "### `console` channel".
"""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

import modelhealth.checks.registry
from modelhealth.rules import ChannelParams, CheckParams, RuleSet

DOC = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")


def _models(tp: object) -> list[type[BaseModel]]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _models(typing.get_args(tp)[0])
    if origin in (typing.Union, __import__("types").UnionType):
        return [m for a in typing.get_args(tp) for m in _models(a)]
    return [tp] if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def key_paths(
    model: type[BaseModel],
    prefix: str = "",
    skip: set[str] | None = None,
    seen: set[type[BaseModel]] | None = None,
) -> list[str]:
    """Every key a user may write in ``model``, as documented paths.

    A model that holds itself (a schema's ``elements`` and ``fields`` hold part
    specs, at any depth) is documented at its first level; below, its key only.
    """
    seen = {model} if seen is None else {*seen, model}
    paths = []
    for name, field in model.model_fields.items():
        if field.exclude or (skip and name in skip):
            continue
        path = prefix + name
        paths.append(path)
        tp = field.annotation
        members = [typing.get_origin(m) and m for m in typing.get_args(tp)] or [tp]
        for member in [tp, *members]:
            origin, args = typing.get_origin(member), typing.get_args(member)
            for nested in _models(member):
                if nested not in seen:
                    paths += key_paths(nested, path + ".", seen=seen)
            if origin is dict and args:
                for nested in _models(args[1]):
                    if nested not in seen:
                        paths += key_paths(nested, path + ".<name>.", seen=seen)
            if origin is list and args:
                for nested in _models(args[0]):
                    if nested not in seen:
                        paths += key_paths(nested, path + "[].", seen=seen)
    return sorted(set(paths))


def _section(title: str) -> str:
    match = re.search(
        rf"^### {re.escape(title)}\n(.*?)(?=^## |^### |\Z)", DOC, re.M | re.S
    )
    assert match, f"docs/rules.md has no section '### {title}'"
    return match.group(1)


def _missing(paths: list[str], text: str) -> list[str]:
    return [p for p in paths if f"`{p}`" not in text]


def test_top_level_keys_are_documented():
    paths = key_paths(RuleSet, skip={"checks", "alerts"})
    assert _missing([*paths, "extends", "checks", "alerts"], DOC) == []


def test_common_check_and_route_keys_are_documented():
    paths = [f"checks[].{p}" for p in key_paths(CheckParams)]
    paths += [f"alerts[].{p}" for p in key_paths(ChannelParams)]
    assert _missing(paths, DOC) == []


@pytest.mark.parametrize("kind", sorted(modelhealth.checks.registry.params_types()))
def test_check_kind_keys_are_documented(kind):
    params = modelhealth.checks.registry.params_types()[kind]
    paths = key_paths(params, skip=set(CheckParams.model_fields))
    assert _missing(paths, _section(f"`{kind}` checks")) == []


def test_channel_keys_are_documented():
    try:
        import modelhealth.alerts.registry

        table = modelhealth.alerts.registry.params_types()
    except ImportError as exc:
        pytest.skip(f"alert channels not importable yet: {exc}")
    for name, params in sorted(table.items()):
        paths = key_paths(params, skip=set(ChannelParams.model_fields))
        assert _missing(paths, _section(f"`{name}` channel")) == [], name


def test_key_paths_walks_nested_models():
    paths = key_paths(RuleSet)
    assert "reference.window.last_runs" in paths
    assert "schedule.cron" in paths
    assert "source_file" not in paths


_DOCUMENTS = [
    block
    for block in re.findall(r"^```yaml\n(.*?)^```", DOC, re.MULTILINE | re.DOTALL)
    if block.startswith("version: 1") and "extends:" not in block
]


@pytest.mark.parametrize(
    "text", _DOCUMENTS, ids=[re.findall(r"model: (\S+)", d)[0] for d in _DOCUMENTS]
)
def test_whole_rules_files_in_the_docs_load_issue_16(text):
    """The regression and multiclass examples (and every other whole file) load."""
    import modelhealth.alerts.registry
    from modelhealth import rules

    rule_set = rules.loads(
        text,
        check_kinds=modelhealth.checks.registry.params_types(),
        channel_kinds=modelhealth.alerts.registry.params_types(),
        env={"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"},
    )
    assert rule_set.checks
