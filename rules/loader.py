"""YAML text to a tree of plain values that remembers where every key and value was.

The tree is made of :class:`LMap` (a ``dict`` with string keys) and :class:`LList` (a
``list``) holding scalars (``str``, ``int``, ``float``, ``bool``, ``None``). Each
container keeps the 1-based :class:`Loc` of itself, of each key and of each value, so
later stages (``extends`` merging, validation, cross-file checks) can point a
:class:`~modelhealth.rules.errors.Problem` at the exact key in the exact file, even
after values
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

from modelhealth.rules.errors import Problem, format_path

__all__ = ["LList", "LMap", "Loc", "Path", "compose", "to_plain"]

Path = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# YAML 1.2 core schema; PyYAML resolves by YAML 1.1 (010 is octal, 1:30 is 90)
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")
MAX_NODES = 100_000
"""A rules file that expands (through aliases) to more values than this is refused."""
# the C composer is ~10x faster and keeps the same marks; fall back where absent
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


class _TooLarge(Exception):
    """The document expands past :data:`MAX_NODES` values."""


@dataclass
class _Builder:
    source: str
    problems: list[Problem] = field(default_factory=list)
    _scalars: SafeConstructor = field(default_factory=SafeConstructor)
    _nodes: int = 0
    _open: set[int] = field(default_factory=set)

    def build(self, node: Node, path: Path) -> object:
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _TooLarge
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if id(node) in self._open:  # ``&a [*a]``: an alias inside its own anchor
            self.problems.append(
                _loc(node, self.source).problem(path, "a YAML alias refers to itself")
            )
            return None
        self._open.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            items = LList(_loc(node, self.source))
            for i, child in enumerate(node.value):
                items.add(self.build(child, (*path, i)), _loc(child, self.source))
            return items
        finally:
            self._open.discard(id(node))

    def _scalar(self, node: ScalarNode) -> object:
        tag = node.tag.removeprefix(_TAG)
        text = str(node.value)
        plain = not node.style  # None (Python composer) or "" (C composer)
        if tag == "bool" and not _BOOL.match(text):
            return text
        if tag in ("null", "bool"):
            return self._scalars.construct_object(node)
        if tag in ("int", "float", "str") and plain:
            return _number(text)
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


def _number(text: str) -> object:
    """A plain scalar as YAML 1.2's core schema reads it: int, float, or text."""
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text) and any(ch.isdigit() for ch in text):
        return float(text)
    if _SPECIAL.match(text):
        return float(text.replace(".", "").lower().replace("inf", "inf"))
    return text


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
        node = yaml.compose(text, Loader=_LOADER)
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
    try:
        return builder.build(node, ()), builder.problems
    except _TooLarge:
        return None, [
            Problem(
                source,
                1,
                1,
                "",
                f"the file expands to more than {MAX_NODES:,} values; "
                "are YAML aliases (*name) nested too deeply?",
            )
        ]


def to_plain(value: object) -> object:
    """The tree with plain ``dict``/``list`` containers, for pydantic."""
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value
