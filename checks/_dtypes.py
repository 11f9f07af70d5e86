"""The dtype language of a schema, known without importing pandas, pandera or Arrow.

The rules are validated before any data is read (``modelhealth rules validate`` in a
pipeline's CI), so a misspelt dtype must be caught here, with a suggestion, rather
than when the check first runs. This module is the one place that knows the names:

- flat names are pandas/numpy names (``int64``, ``str``, ``"datetime64[ns]"``...)
  or the aliases in :data:`ALIASES`; pandera checks them;
- nested names describe Arrow's list, struct and map types, with any name above
  (``object`` aside) or another nested name inside: ``list<int64>``,
  ``struct<city: str, zip: int64>``, ``map<str, float64>``,
  ``list<struct<amount: float64, merchant: str>>``. :func:`parse_dtype` reads them
  into a tree of :class:`ListType`, :class:`StructType`, :class:`MapType` and
  plain names; :mod:`modelhealth.checks._nested_schema` matches it with the data.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

__all__ = [
    "ALIASES",
    "DType",
    "ListType",
    "MapType",
    "StructType",
    "check_dtype",
    "format_dtype",
    "is_nested",
    "parse_dtype",
]

ALIASES = {
    "int": "int64",
    "integer": "int64",
    "float": "float64",
    "datetime": "datetime64[ns]",
    "boolean": "bool",
}
_NAMED = {
    *ALIASES,
    "number",
    "str",
    "string",
    "object",
    "bool",
    "category",
    "Int8",
    "Int16",
    "Int32",
    "Int64",
    "UInt8",
    "UInt16",
    "UInt32",
    "UInt64",
    "Float32",
    "Float64",
    "date",
    "timedelta64[ns]",
    *(f"{p}{n}" for p in ("int", "uint") for n in (8, 16, 32, 64)),
    *(f"float{n}" for n in (16, 32, 64)),
}
_DATETIME = re.compile(r"^datetime64\[(?:ns|us|ms|s)(?:, [A-Za-z_/+\-0-9]+)?\]$")
_FIELD = re.compile(r"^[A-Za-z_][\w\-]*$")
_NESTED = ("list", "struct", "map")
_EXAMPLES = {
    "list": "list<int64>",
    "struct": "struct<city: str, zip: int64>",
    "map": "map<str, float64>",
}
_LIKE = {"array": "list", "dict": "map", "record": "struct", "row": "struct"}
_FLAT_HINT = "(int64, float64, bool, str, category, datetime64[ns], Int64, ...)"


@dataclass(frozen=True)
class ListType:
    """``list<item>``: each value a list of ``item``."""

    item: DType


@dataclass(frozen=True)
class StructType:
    """``struct<name: type, ...>``: each value a record of these fields, no other."""

    fields: tuple[tuple[str, DType], ...]

    def field(self, name: str) -> DType | None:
        return dict(self.fields).get(name)


@dataclass(frozen=True)
class MapType:
    """``map<key, value>``: each value a mapping of ``key`` to ``value``."""

    key: DType
    value: DType


DType = str | ListType | StructType | MapType
"""A parsed dtype: a flat name, or a nested type of parsed dtypes."""


def is_nested(name: str | None) -> bool:
    """Whether ``name`` is a list, struct or map dtype (parsed or not)."""
    return name is not None and name.split("<", 1)[0].strip() in _NESTED


def check_dtype(name: str) -> str:
    """``name`` if a schema can declare it (nested names in their canonical form).

    Raises:
        ValueError: unknown, with the closest known name when there is one, or
            a nested name that does not parse, with the form it should take.
    """
    if "<" in name or ">" in name or is_nested(name):
        return format_dtype(parse_dtype(name))
    if name in _NAMED or _DATETIME.match(name):
        return name
    raise ValueError(_unknown(name))


def parse_dtype(text: str) -> DType:
    """The tree of a dtype name such as ``list<struct<amount: float64>>``.

    Raises:
        ValueError: the name does not parse; the message names the part that is
            wrong and shows the right form.
    """
    parsed, rest = _parse(text.strip(), text)
    if rest.strip():
        raise ValueError(
            f"dtype {text!r}: unexpected {rest.strip()!r} after "
            f"{format_dtype(parsed)!r}"
        )
    return parsed


def format_dtype(dtype: DType) -> str:
    """The canonical text of a parsed dtype (what messages and profiles show)."""
    if isinstance(dtype, ListType):
        return f"list<{format_dtype(dtype.item)}>"
    if isinstance(dtype, StructType):
        inner = ", ".join(f"{n}: {format_dtype(t)}" for n, t in dtype.fields)
        return f"struct<{inner}>"
    if isinstance(dtype, MapType):
        return f"map<{format_dtype(dtype.key)}, {format_dtype(dtype.value)}>"
    return dtype


def _parse(text: str, whole: str) -> tuple[DType, str]:
    """One dtype from the start of ``text``; returns it and the text after it."""
    match = re.match(r"\s*([A-Za-z_][\w]*)\s*", text)
    head = match.group(1) if match else ""
    after = text[match.end() :] if match else text
    if head in _NESTED or after.startswith("<"):
        if head not in _NESTED:
            close = difflib.get_close_matches(head, _NESTED, n=1, cutoff=0.4)
            like = _LIKE.get(head.lower()) or (close[0] if close else None)
            hint = f"did you mean {_EXAMPLES[like]!r}? " if like else ""
            raise ValueError(
                f"dtype {whole!r}: unknown nested type {head!r}; {hint}"
                "(nested types: list<...>, struct<name: type, ...>, map<key, value>)"
            )
        if not after.startswith("<"):
            raise ValueError(
                f"dtype {whole!r}: {head} needs its inner types in <>, "
                f"as in {_EXAMPLES[head]}"
            )
        inner, rest = _group(after, whole, head)
        return _nested(head, inner, whole), rest
    flat = re.match(r"\s*(datetime64\[[^\]]*\]|[^,<>]+)", text)
    name = flat.group(1).strip() if flat else ""
    rest = text[flat.end() :] if flat else text
    if not name:
        raise ValueError(f"dtype {whole!r}: a type is missing")
    if name == "object":
        raise ValueError(
            f"dtype {whole!r}: 'object' cannot be inside a nested type; name the "
            "element type (int64, str, struct<...>)"
        )
    if name not in _NAMED and not _DATETIME.match(name):
        raise ValueError(f"dtype {whole!r}: {_unknown(name)}")
    return name, rest


def _group(text: str, whole: str, head: str) -> tuple[str, str]:
    """The text inside the ``<...>`` that ``text`` starts with, and what follows."""
    depth = 0
    for i, char in enumerate(text):
        depth += {"<": 1, ">": -1}.get(char, 0)
        if depth == 0:
            return text[1:i], text[i + 1 :]
    raise ValueError(
        f"dtype {whole!r}: a '<' is not closed; write it as {_EXAMPLES[head]}"
    )


def _split(inner: str) -> list[str]:
    """``inner`` split at its top-level commas."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(inner):
        depth += {"<": 1, ">": -1, "[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return [p.strip() for p in parts]


def _nested(head: str, inner: str, whole: str) -> DType:
    parts = _split(inner)
    example = _EXAMPLES[head]
    if head == "list":
        if len(parts) != 1 or not parts[0]:
            raise ValueError(
                f"dtype {whole!r}: a list has one element type, as in {example}"
            )
        return ListType(parse_dtype_part(parts[0], whole))
    if head == "map":
        if len(parts) != 2 or not all(parts):
            raise ValueError(
                f"dtype {whole!r}: a map has a key and a value type, as in {example}"
            )
        return MapType(
            parse_dtype_part(parts[0], whole), parse_dtype_part(parts[1], whole)
        )
    fields: list[tuple[str, DType]] = []
    for part in parts:
        name, colon, type_text = part.partition(":")
        name = name.strip()
        if not colon or not _FIELD.match(name) or not type_text.strip():
            raise ValueError(
                f"dtype {whole!r}: struct field {part!r} needs a name and a type, "
                f"as in {example}"
            )
        if name in dict(fields):
            raise ValueError(f"dtype {whole!r}: struct field {name!r} appears twice")
        fields.append((name, parse_dtype_part(type_text, whole)))
    return StructType(tuple(fields))


def parse_dtype_part(text: str, whole: str) -> DType:
    parsed, rest = _parse(text.strip(), whole)
    if rest.strip():
        raise ValueError(f"dtype {whole!r}: unexpected {rest.strip()!r} in {text!r}")
    return parsed


def _unknown(name: str) -> str:
    choices = sorted(_NAMED) + [f"{n}<" for n in _NESTED]
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if close and close[0].endswith("<"):
        return f"unknown dtype {name!r}; did you mean {_EXAMPLES[close[0][:-1]]!r}?"
    hint = f"did you mean {close[0]!r}?" if close else "use a pandas or numpy name"
    return f"unknown dtype {name!r}; {hint} {_FLAT_HINT}"
