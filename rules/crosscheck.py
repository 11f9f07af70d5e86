"""Checks that look across a whole rules file, after merging and interpolation.

Each key may be valid on its own and the file still wrong as a whole:

- two checks share an ``id``;
- an alert route's ``checks:`` names an id that no check has, or its ``kinds:`` a
  check kind that does not exist;
- a check names a column (a ``columns`` list, the keys of ``per_column``, a
  ``segment_by`` list) that the file's ``schema`` check does not declare; the
  ``prediction`` and ``label`` columns count as declared. Files without a ``schema``
  check skip this one. This is a warning, since the run's data decides (a missing
  column is a clear result of its own), unless a schema check says ``strict:
  true``: then the data has no other column, and it is an error.

These run on the located tree, not on validated models, so they report even when
some entries failed validation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from modelhealth.rules.errors import Problem
from modelhealth.rules.loader import LList, LMap, Loc, Path
from modelhealth.rules.messages import did_you_mean

__all__ = ["cross_check", "unknown_name"]

_COLUMN_LISTS = ("columns", "segment_by")


def unknown_name(what: str, name: object, known: Collection[str]) -> str:
    """``unknown check kind 'drfit'; did you mean 'drift'? known: drift, schema``."""
    choices = sorted(known)
    message = f"unknown {what} {name!r}"
    close = did_you_mean(name, choices) if isinstance(name, str) else None
    if close:
        message += f"; did you mean {close!r}?"
    return f"{message}{'' if close else ';'} known: {', '.join(choices) or '(none)'}"


def _entries(tree: LMap, key: str) -> Iterator[tuple[int, LMap]]:
    items = tree.get(key)
    if isinstance(items, LList):
        for i, item in enumerate(items):
            if isinstance(item, LMap):
                yield i, item


def _items(node: LList, path: Path) -> Iterator[tuple[object, Loc, Path]]:
    for j, (item, loc) in enumerate(zip(node, node.item_locs, strict=True)):
        yield item, loc, (*path, j)


def cross_check(
    tree: LMap, check_kinds: Collection[str], warnings: list[Problem] | None = None
) -> list[Problem]:
    """Every cross-file problem of a merged rules tree.

    Args:
        tree: the merged, interpolated document.
        check_kinds: the names of the known check kinds.
        warnings: where problems that do not stop the file are appended
            (undeclared columns under a non-strict schema); dropped when ``None``.

    Returns:
        The problems found, in no particular order.
    """
    problems: list[Problem] = []
    ids: dict[str, Loc] = {}
    for i, entry in _entries(tree, "checks"):
        check_id = entry.get("id")
        if not isinstance(check_id, str):
            continue
        loc = entry.value_locs["id"]
        first = ids.setdefault(check_id, loc)
        if first is not loc:
            where = (
                f"line {first.line}"
                if first.file == loc.file
                else (f"{first.file}:{first.line}")
            )
            problems.append(
                loc.problem(
                    ("checks", i, "id"),
                    f"check id {check_id!r} is already used at {where}",
                )
            )
    for i, route in _entries(tree, "alerts"):
        for key, what, known in (
            ("checks", "check id", list(ids)),
            ("kinds", "check kind", check_kinds),
        ):
            names = route.get(key)
            if not isinstance(names, LList):
                continue
            for name, loc, path in _items(names, ("alerts", i, key)):
                if isinstance(name, str) and name not in known:
                    problems.append(loc.problem(path, unknown_name(what, name, known)))
    columns, strict = _schema_columns(tree)
    if strict:
        return problems + columns
    if warnings is not None:
        warnings += columns
    return problems


def _schema_columns(tree: LMap) -> tuple[list[Problem], bool]:
    """Columns named by checks but by no schema check; whether a schema is strict."""
    schemas: list[tuple[object, LMap]] = []
    strict = False
    for _, entry in _entries(tree, "checks"):
        columns = entry.get("columns")
        if entry.get("kind") == "schema" and isinstance(columns, LMap):
            schemas.append((entry.get("id"), columns))
            strict = strict or entry.get("strict") is True
    if not schemas:
        return [], False
    declared = {name for _, columns in schemas for name in columns}
    nested = {
        str(name)
        for _, columns in schemas
        for name, spec in columns.items()
        if _is_nested(spec)
    }
    for key in ("prediction", "label"):
        spec = tree.get(key)
        if isinstance(spec, LMap) and isinstance(spec.get("column"), str):
            declared.add(str(spec["column"]))
    where = (
        f"schema check {schemas[0][0]!r}" if len(schemas) == 1 else "any schema check"
    )
    problems = []
    for i, entry in _entries(tree, "checks"):
        if entry.get("kind") == "schema":
            continue
        for name, loc, path in _named_columns(entry, ("checks", i)):
            if name in declared or name.split(".", 1)[0] in nested:
                continue  # a part of a nested column (address.city) is declared
            close = did_you_mean(name, _near(name, declared))
            shown = sorted(declared)
            more = f", ... ({len(shown) - 10} more)" if len(shown) > 10 else ""
            tail = (
                f"did you mean {close!r}?"
                if close
                else "declared: " + ", ".join(shown[:10]) + more
            )
            problems.append(
                loc.problem(path, f"column {name!r} is not declared in {where}; {tail}")
            )
    return problems, strict


def _is_nested(spec: object) -> bool:
    """Whether a schema's column spec declares a list, struct or map column."""
    if not isinstance(spec, LMap):
        return False
    dtype = spec.get("dtype")
    kinds = ("list<", "struct<", "map<")
    return (isinstance(dtype, str) and dtype.replace(" ", "").startswith(kinds)) or any(
        key in spec for key in ("length", "elements", "fields")
    )


def _near(name: str, declared: set[str]) -> list[str]:
    """Candidates for a suggestion: names of similar length, so that a schema with
    thousands of columns does not make difflib compare every pair."""
    if len(declared) <= 200:
        return sorted(declared)
    return sorted(d for d in declared if abs(len(d) - len(name)) <= 2)


def _named_columns(node: object, path: Path) -> Iterator[tuple[str, Loc, Path]]:
    if isinstance(node, LList):
        for item, _, item_path in _items(node, path):
            yield from _named_columns(item, item_path)
        return
    if not isinstance(node, LMap):
        return
    for key, value in node.items():
        if key in _COLUMN_LISTS and isinstance(value, LList):
            for item, loc, item_path in _items(value, (*path, key)):
                if isinstance(item, str):
                    yield item, loc, item_path
        elif key == "per_column" and isinstance(value, LMap):
            for name in value:
                yield name, value.key_locs[name], (*path, key, name)
        else:
            yield from _named_columns(value, (*path, key))
