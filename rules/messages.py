"""Pydantic's validation errors, as short human problems at the right place.

Pydantic reports an error at a ``loc`` such as ``("threshold", "fial")`` with a type
such as ``extra_forbidden``. This module walks the same ``loc`` through the located
tree to find the line and column, and words the message the way the rule language's
reference does: ``unknown key; did you mean 'fail'?``, ``expected a number, got
'abc'``, ``required key is missing`` (reported at the mapping that lacks it),
``must be one of: info, warning, critical; got 'urgent'``.

Union types (``'*' or a list``) make pydantic report one error per member, with the
member's name in ``loc``; those are folded into one problem (``expected '*' or a list,
got 'abc'``), or, when the value matched a member's outer shape, into that member's
errors only.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from modelhealth.rules.errors import Problem
from modelhealth.rules.loader import LList, LMap, Loc, Path

__all__ = ["describe", "did_you_mean", "known_keys", "problems_from"]


def did_you_mean(word: str, choices: Sequence[str]) -> str | None:
    """The choice closest to ``word``, if one is close enough to be a likely typo."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def describe(value: object) -> str:
    """A value as a user wrote it, for ``got ...`` in messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value) if isinstance(value, str) else str(value)


def _members(tp: object) -> list[object]:
    """``tp`` without Annotated/Optional/Union wrappers: the types a value may take."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _members(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _members(arg)]
    return [tp]


def _step(tp: object, part: str | int) -> list[object]:
    found: list[object] = []
    for member in _members(tp):
        origin, args = typing.get_origin(member), typing.get_args(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            field = member.model_fields.get(str(part))
            if field is not None and isinstance(part, str):
                found.append(field.annotation)
        elif origin is list and isinstance(part, int) and args:
            found.append(args[0])
        elif origin is dict and isinstance(part, str) and len(args) == 2:
            found.append(args[1])
    return found


def known_keys(model: type[BaseModel], path: Path) -> list[str]:
    """The keys a mapping at ``path`` inside ``model`` accepts, sorted.

    Fields marked ``exclude=True`` (set by the loader, not by users) are left out.
    """
    current: list[object] = [model]
    for part in path:
        current = [nxt for tp in current for nxt in _step(tp, part)]
    keys: set[str] = set()
    for tp in current:
        for member in _members(tp):
            if isinstance(member, type) and issubclass(member, BaseModel):
                keys |= {n for n, f in member.model_fields.items() if not f.exclude}
    return sorted(keys)


@dataclass
class _Spot:
    path: Path
    loc: Loc
    union: tuple[Path, Loc, str] | None = None
    inside_union: bool = False


def _find(tree: object, fallback: Loc, err: ErrorDetails) -> _Spot:
    node = tree
    spot = _Spot((), node.loc if isinstance(node, (LMap, LList)) else fallback)
    parent: LMap | None = None
    parts = err["loc"]
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "[key]" and parent is not None and spot.path:
            spot.loc = parent.key_locs[str(spot.path[-1])]
            continue
        if isinstance(node, LMap) and isinstance(part, str) and part in node:
            parent, key_loc = node, node.key_locs[part]
            spot.loc = (
                key_loc
                if last and err["type"] == "extra_forbidden"
                else node.value_locs[part]
            )
            node = node[part]
        elif isinstance(node, LList) and isinstance(part, int) and part < len(node):
            spot.loc, node = node.item_locs[part], node[part]
        elif last and err["type"] == "missing" and isinstance(part, str):
            pass  # reported at the mapping that lacks the key: spot.loc already
        elif isinstance(part, str) and spot.union is None:
            spot.union = (spot.path, spot.loc, part)  # a union member's name
            continue
        else:
            continue
        spot.path = (*spot.path, part)
        spot.inside_union = spot.union is not None
    return spot


def _choices(expected: str) -> list[str]:
    return [item.strip().strip("'") for item in re.split(r", | or ", expected)]


def _closest_choice(value: object, choices: Sequence[str]) -> str | None:
    """A misspelt choice (``critcal``) or the only one it begins (``binary``)."""
    if not isinstance(value, str) or not value:
        return None
    starts = [c for c in choices if c.startswith(value)]
    return did_you_mean(value, choices) or (starts[0] if len(starts) == 1 else None)


def _message(
    err: ErrorDetails, model: type[BaseModel], path: Path, extra: Sequence[str] = ()
) -> str:
    kind, ctx, got = err["type"], err.get("ctx", {}), describe(err["input"])
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        known = sorted(
            {*known_keys(model, path[:-1]), *(extra if len(path) == 1 else ())}
        )
        close = did_you_mean(str(path[-1]), known)
        if close:
            return f"unknown key; did you mean {close!r}?"
        return (
            "unknown key; known keys: " + ", ".join(known) if known else "unknown key"
        )
    if kind in ("literal_error", "enum"):
        choices = _choices(str(ctx.get("expected", "")))
        if len(choices) == 1:
            return f"must be {choices[0]}, got {got}"
        close = (
            did_you_mean(str(err["input"]), choices)
            if isinstance(err["input"], str)
            else None
        )
        hint = f"; did you mean {close!r}?" if close else ""
        return f"must be one of: {', '.join(choices)}; got {got}{hint}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", err["msg"]))
    expected = _EXPECTED.get(kind)
    if expected:
        return f"expected {expected}, got {got}"
    bound = _BOUNDS.get(kind)
    if bound:
        name, phrase = bound
        return f"must be {phrase} {ctx.get(name)}, got {got}"
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}, got {got}"
    msg = err["msg"]
    return msg[:1].lower() + msg[1:]


_EXPECTED = {
    "int_parsing": "an integer",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "a string",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "at least"),
    "greater_than": ("gt", "greater than"),
    "less_than_equal": ("le", "at most"),
    "less_than": ("lt", "less than"),
    "too_short": ("min_length", "a list of at least"),
}


def _member_name(tag: str) -> str:
    simple = {
        "str": "a string",
        "int": "a number",
        "float": "a number",
        "bool": "a boolean",
    }
    if tag in simple:
        return simple[tag]
    if tag.startswith("literal["):
        return re.sub(r", | or ", " or ", tag[len("literal[") : -1])
    if tag.startswith("list["):
        return "a list"
    return "a mapping"


def problems_from(
    error: ValidationError,
    tree: object,
    model: type[BaseModel],
    prefix: Path,
    fallback: Loc,
    top_keys: Sequence[str] = (),
) -> list[Problem]:
    """Turn one pydantic error into problems located in the tree.

    Args:
        error: raised by ``model.model_validate(to_plain(tree))``.
        tree: the located tree that was validated.
        model: the model it was validated against (to list known keys).
        prefix: the tree's own path in the document, e.g. ``("checks", 2)``.
        fallback: the location to use when the tree is not a container.
        top_keys: keys the tree's top level accepts besides the model's fields
            (``extends``), offered as suggestions for unknown keys.

    Returns:
        One problem per distinct mistake.
    """
    problems: list[Problem] = []
    unions: dict[Path, list[tuple[ErrorDetails, _Spot]]] = {}
    for err in error.errors():
        spot = _find(tree, fallback, err)
        if spot.union is not None:
            unions.setdefault(spot.union[0], []).append((err, spot))
            continue
        problems.append(
            spot.loc.problem(
                (*prefix, *spot.path), _message(err, model, spot.path, top_keys)
            )
        )
    for site, group in unions.items():
        deeper = [(err, spot) for err, spot in group if spot.inside_union]
        for err, spot in deeper:
            problems.append(
                spot.loc.problem(
                    (*prefix, *spot.path), _message(err, model, spot.path, top_keys)
                )
            )
        if not deeper:
            names = list(
                dict.fromkeys(
                    _member_name(spot.union[2]) for _, spot in group if spot.union
                )
            )
            wanted = (
                ", ".join(names[:-1]) + " or " + names[-1]
                if len(names) > 1
                else names[0]
            )
            loc = group[0][1].union[1] if group[0][1].union else fallback
            problems.append(
                loc.problem(
                    (*prefix, *site),
                    f"expected {wanted}, got {describe(group[0][0]['input'])}",
                )
            )
    return problems
