"""YAML text to a tree of plain values that remembers where every key and value was.

The tree is made of :class:`LMap` (a ``dict`` with string keys) and :class:`LList` (a
``list``) holding scalars (``str``, ``int``, ``float``, ``bool``, ``None``). Each
container keeps the 1-based :class:`Loc` of itself, of each key and of each value, so
later stages (``extends`` merging, validation, cross-file checks) can point a
:class:`~rules.errors.Problem` at the exact key in the exact file, even after values
from several files were merged.

Scalars follow YAML 1.2's core schema: only ``true``/``false`` are booleans (``yes``,
``no``, ``on``, ``off`` stay strings), and dates stay strings. Keys are always the text
written. Syntax errors, duplicate keys and non-scalar keys become problems, never
tracebacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rules.errors import Problem, format_path

__all__ = ["LList", "LMap", "Loc", "Path", "compose", "to_plain"]

Path = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


@dataclass(frozen=True)
class Loc:
    """A 1-based position in a file."""

    file: str
    line: int
    column: int

    def problem(self, path: Path, message: str, hint: str | None = None) -> Problem:
        """A :class:`Problem` at this position."""
        return Problem(
            self.file, self.line, self.column, format_path(path), message, hint
        )


class LMap(dict[str, object]):
    """A mapping that knows where it, its keys and its values are."""

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.key_locs: dict[str, Loc] = {}
        self.value_locs: dict[str, Loc] = {}

    def put(self, key: str, value: object, key_loc: Loc, value_loc: Loc) -> None:
        self[key] = value
        self.key_locs[key] = key_loc
        self.value_locs[key] = value_loc


class LList(list[object]):
    """A list that knows where it and each of its items are."""

    def __init__(self, loc: Loc) -> None:
        super().__init__()
        self.loc = loc
        self.item_locs: list[Loc] = []

    def add(self, value: object, loc: Loc) -> None:
        self.append(value)
        self.item_locs.append(loc)


def _loc(node: Node, source: str) -> Loc:
    return Loc(source, node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass
class _Builder:
    source: str
    problems: list[Problem] = field(default_factory=list)
    _scalars: SafeConstructor = field(default_factory=SafeConstructor)

    def build(self, node: Node, path: Path) -> object:
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            items = LList(_loc(node, self.source))
            for i, child in enumerate(node.value):
                items.add(self.build(child, (*path, i)), _loc(child, self.source))
            return items
        return self._scalar(node)

    def _scalar(self, node: Node) -> object:
        tag = node.tag.removeprefix(_TAG)
        text = str(node.value)
        if tag == "bool" and not _BOOL.match(text):
            return text
        if tag in ("null", "bool", "int", "float"):
            return self._scalars.construct_object(node)
        return text

    def _mapping(self, node: MappingNode, path: Path) -> LMap:
        result = LMap(_loc(node, self.source))
        inherited: list[tuple[MappingNode, Path]] = []
        for key_node, value_node in node.value:
            key_loc = _loc(key_node, self.source)
            if key_node.tag == _TAG + "merge":
                merged = (
                    value_node.value
                    if isinstance(value_node, SequenceNode)
                    else [value_node]
                )
                inherited += [(m, path) for m in merged if isinstance(m, MappingNode)]
                continue
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    key_loc.problem(
                        path, "keys must be plain text, not a list or mapping"
                    )
                )
                continue
            key = str(key_node.value)
            if key in result:
                first = result.key_locs[key]
                self.problems.append(
                    key_loc.problem(
                        (*path, key), f"duplicate key; first given at line {first.line}"
                    )
                )
                continue
            value = self.build(value_node, (*path, key))
            result.put(key, value, key_loc, _loc(value_node, self.source))
        for base_node, base_path in inherited:  # ``<<: *anchor``: own keys win
            base = self._mapping(base_node, base_path)
            for key, value in base.items():
                if key not in result:
                    result.put(key, value, base.key_locs[key], base.value_locs[key])
        return result


def compose(text: str, source: str) -> tuple[object, list[Problem]]:
    """Parse YAML text into a located tree.

    Args:
        text: the YAML document.
        source: the file name to put in locations and problems.

    Returns:
        The tree (``None`` for an empty document) and the problems found. On a syntax
        error the tree is ``None`` and the only problem says where and why.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = exc.problem or exc.context or "cannot parse"
        hint = (
            f"{exc.context} at line {exc.context_mark.line + 1}"
            if (exc.context and exc.context_mark and exc.problem)
            else None
        )
        return None, [
            Problem(source, line, column, "", f"invalid YAML: {reason}", hint)
        ]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        reason = f"unacceptable character #x{exc.character:04x}: {exc.reason}"
        return None, [Problem(source, line, column, "", f"invalid YAML: {reason}")]
    if node is None:
        return None, []
    builder = _Builder(source)
    return builder.build(node, ()), builder.problems


def to_plain(value: object) -> object:
    """The tree with plain ``dict``/``list`` containers, for pydantic."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value
