"""From a rules file to a validated :class:`~modelhealth.rules.models.RuleSet`, or
every problem.

The steps, each adding to one list of problems instead of stopping:

1. read and compose the YAML with locations (:mod:`modelhealth.rules.loader`);
2. resolve ``extends`` and merge (:mod:`modelhealth.rules.extends`);
3. interpolate ``${VAR}`` (:mod:`modelhealth.rules.interpolate`);
4. validate each ``checks[i]`` with its kind's params class and each ``alerts[i]``
   with its channel's, taken from the tables passed in; then the top level with
   :class:`~modelhealth.rules.models.RuleSet` (:mod:`modelhealth.rules.messages` words
   the errors);
5. check the file as a whole (:mod:`modelhealth.rules.crosscheck`).

If any step found a problem, :class:`~modelhealth.rules.errors.RulesError` is raised
with all of them; otherwise the rule set is returned, with the problems that do not
stop a file (step 5's undeclared columns under a non-strict schema) as one line each
in ``RuleSet.warnings``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ValidationError

from modelhealth.rules.crosscheck import cross_check, unknown_name
from modelhealth.rules.errors import Problem, RulesError
from modelhealth.rules.extends import load_tree, top_level_problem
from modelhealth.rules.interpolate import interpolate
from modelhealth.rules.loader import LList, LMap, Loc, to_plain
from modelhealth.rules.messages import describe, problems_from
from modelhealth.rules.models import ChannelParams, CheckParams, RuleSet

__all__ = ["load", "loads"]


def load(
    path: str | os.PathLike[str],
    *,
    check_kinds: Mapping[str, type[CheckParams]],
    channel_kinds: Mapping[str, type[ChannelParams]],
    env: Mapping[str, str] | None = None,
    strict: bool = False,
) -> RuleSet:
    """Load and validate a rules file.

    Args:
        path: the file; problems name it as given, and ``extends`` is relative to it.
        check_kinds: ``{kind: params class}``, e.g.
        ``modelhealth.checks.registry.params_types()``.
        channel_kinds: ``{channel: params class}``, e.g.
            ``modelhealth.alerts.registry.params_types()``.
        env: the variables for ``${VAR}``; ``os.environ`` when ``None``.
        strict: warnings are errors too.

    Returns:
        The rule set, with ``source_file`` set to ``path``.

    Raises:
        RulesError: the file cannot be read or has problems; all of them are listed.
    """
    source = os.fspath(path)
    file = Path(source)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError([Problem(source, 0, 0, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(
            [Problem(source, 0, 0, "", f"cannot read the file: {exc}")]
        ) from None
    return _parse(
        text,
        source,
        file.resolve(),
        file.parent,
        check_kinds,
        channel_kinds,
        env,
        strict=strict,
    )


def loads(
    text: str,
    *,
    source: str = "<string>",
    base_dir: Path | None = None,
    check_kinds: Mapping[str, type[CheckParams]],
    channel_kinds: Mapping[str, type[ChannelParams]],
    env: Mapping[str, str] | None = None,
) -> RuleSet:
    """Validate rules given as text.

    Args:
        text: the YAML document.
        source: the name problems give the text, e.g. ``rules/churn.yaml``.
        base_dir: the directory ``extends`` is relative to; the directory of
            ``source`` when ``None`` (the current one for ``<string>``).
        check_kinds: ``{kind: params class}``.
        channel_kinds: ``{channel: params class}``.
        env: the variables for ``${VAR}``; ``os.environ`` when ``None``.

    Returns:
        The rule set; ``source_file`` is ``source`` unless it is ``<...>``.

    Raises:
        RulesError: every problem found.
    """
    named = not source.startswith("<")
    if base_dir is None:
        base_dir = Path(source).parent if named else Path.cwd()
    real = (base_dir / Path(source).name).resolve() if named else None
    return _parse(text, source, real, base_dir, check_kinds, channel_kinds, env)


def _parse(
    text: str,
    source: str,
    real_path: Path | None,
    base_dir: Path,
    check_kinds: Mapping[str, type[CheckParams]],
    channel_kinds: Mapping[str, type[ChannelParams]],
    env: Mapping[str, str] | None,
    *,
    strict: bool = False,
) -> RuleSet:
    problems: list[Problem] = []
    tree = load_tree(
        text, source, real_path=real_path, base_dir=base_dir, problems=problems
    )
    if not isinstance(tree, LMap):
        bad = top_level_problem(tree, source)
        raise RulesError(problems or ([bad] if bad else []))
    interpolate(tree, os.environ if env is None else env, problems)
    data = to_plain(tree)
    assert isinstance(data, dict)
    checks = _entries(tree, "checks", "kind", "check kind", check_kinds, problems)
    alerts = _entries(tree, "alerts", "channel", "channel", channel_kinds, problems)
    if checks is not None:
        valid = [c for c in checks if isinstance(c, CheckParams)]
        unique = {c.id: c for c in reversed(valid)}  # duplicates: see cross_check
        data["checks"] = [c for c in valid if unique[c.id] is c]
    if alerts is not None:
        data["alerts"] = alerts
    for key in data.keys() & {n for n, f in RuleSet.model_fields.items() if f.exclude}:
        problems.append(
            tree.key_locs[key].problem((key,), "unknown key; it is set by the loader")
        )
        del data[key]
    data["source_file"] = source if not source.startswith("<") else None
    rule_set = None
    try:
        rule_set = RuleSet.model_validate(data)
    except ValidationError as exc:
        problems += problems_from(exc, tree, RuleSet, (), tree.loc, ("extends",))
    warnings: list[Problem] = []
    problems += cross_check(tree, check_kinds, warnings)
    if strict:
        problems += warnings
        warnings = []
    if problems or rule_set is None:
        raise RulesError(problems)
    if warnings:
        ordered = sorted(set(warnings), key=lambda p: p.sort_key)
        shown = tuple(str(p) for p in ordered)
        rule_set = rule_set.model_copy(update={"warnings": shown})
    return rule_set


def _entries(
    tree: LMap,
    key: str,
    tag: str,
    what: str,
    kinds: Mapping[str, type[BaseModel]],
    problems: list[Problem],
) -> list[object] | None:
    """Validate each entry of a ``checks``/``alerts`` list by its kind's class."""
    items = tree.get(key)
    if not isinstance(items, LList):
        return None
    valid: list[object] = []
    for i, (item, loc) in enumerate(zip(items, items.item_locs, strict=True)):
        model = _model_of(item, loc, (key, i), tag, what, kinds, problems)
        if model is None:
            continue
        try:
            valid.append(model.model_validate(to_plain(item)))
        except ValidationError as exc:
            problems += problems_from(exc, item, model, (key, i), loc)
    return valid


def _model_of(
    item: object,
    loc: Loc,
    path: tuple[str, int],
    tag: str,
    what: str,
    kinds: Mapping[str, type[BaseModel]],
    problems: list[Problem],
) -> type[BaseModel] | None:
    if not isinstance(item, LMap):
        problems.append(loc.problem(path, f"expected a mapping, got {describe(item)}"))
        return None
    if tag not in item:
        known = ", ".join(sorted(kinds)) or "(none)"
        problems.append(
            item.loc.problem(
                (*path, tag), "required key is missing", f"{tag} is one of: {known}"
            )
        )
        return None
    name = item[tag]
    if not isinstance(name, str) or name not in kinds:
        problems.append(
            item.value_locs[tag].problem((*path, tag), unknown_name(what, name, kinds))
        )
        return None
    return kinds[name]
