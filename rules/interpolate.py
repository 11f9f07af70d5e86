"""``${VAR}`` in string values: secrets and per-environment settings stay out of files.

- ``${NAME}`` is replaced by the variable's value; an unset variable is a problem at
  the value's location.
- ``${NAME:-default}`` uses ``default`` when the variable is unset or empty.
- ``$${`` writes a literal ``${``.

Only string values are interpolated, never keys (nor ``extends``, which is resolved
first). A value that becomes a number, such as ``${PORT}``, is converted by the key's
type as usual.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from modelhealth.rules.errors import Problem
from modelhealth.rules.loader import LList, LMap, Loc, Path

__all__ = ["interpolate", "substitute"]

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$", re.DOTALL)


class _Unset(ValueError):
    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def substitute(text: str, env: Mapping[str, str]) -> str:
    """Replace every ``${...}`` in ``text``.

    Args:
        text: a string value from a rules file.
        env: the variables.

    Returns:
        The text with variables replaced and ``$${`` turned into ``${``.

    Raises:
        ValueError: a variable is unset and has no default, or a reference is malformed;
            the exception's ``hint`` attribute says how to fix it.
    """

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        inner = match.group(1)
        parts = _NAME.match(inner) if inner is not None else None
        if parts is None:
            raise _Unset(
                f"invalid variable reference {token!r}",
                "write ${NAME} or ${NAME:-default}; write $${ for a literal ${",
            )
        name, default = parts.group(1), parts.group(2)
        value = env.get(name)
        if default is not None and not value:
            return default
        if value is None:
            raise _Unset(
                f"environment variable {name!r} is not set",
                f"set it, or give a default: ${{{name}:-...}}",
            )
        return value

    return _TOKEN.sub(replace, text)


def interpolate(
    tree: object, env: Mapping[str, str], problems: list[Problem]
) -> object:
    """Interpolate every string value of a located tree, in place.

    Args:
        tree: the merged tree.
        env: the variables.
        problems: where a problem is appended for each value that cannot be resolved
            (that value is left as written).

    Returns:
        The same tree.
    """
    _walk(tree, (), env, problems)
    return tree


def _one(
    value: object, loc: Loc, path: Path, env: Mapping[str, str], problems: list[Problem]
) -> object:
    if isinstance(value, str):
        if "${" not in value:
            return value
        try:
            return substitute(value, env)
        except _Unset as exc:
            problems.append(loc.problem(path, str(exc), exc.hint))
            return value
    _walk(value, path, env, problems)
    return value


def _walk(
    tree: object, path: Path, env: Mapping[str, str], problems: list[Problem]
) -> None:
    if isinstance(tree, LMap):
        for key in tree:
            tree[key] = _one(
                tree[key], tree.value_locs[key], (*path, key), env, problems
            )
    elif isinstance(tree, LList):
        for i, loc in enumerate(tree.item_locs):
            tree[i] = _one(tree[i], loc, (*path, i), env, problems)
