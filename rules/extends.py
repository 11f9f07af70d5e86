"""``extends``: a rules file inherits the keys of other files and overrides them.

``extends: base.yaml`` (or a list of files, merged in order) names files relative to
the extending file. The extended files are merged first, then the extending file over
them, with these rules:

- mappings merge key by key, recursively;
- the top-level ``checks`` list merges by ``id``: an entry whose id the base already
  has deep-merges over that entry (in the base's position); other entries are
  appended in order;
- any other value, lists included, replaces the base's value.

Every value keeps the location of the file it came from, so a mistake inherited from
``base.yaml`` is reported in ``base.yaml``. A cycle (``a.yaml -> b.yaml -> a.yaml``)
and a missing file are problems at the ``extends`` entry that causes them.
"""

from __future__ import annotations

import posixpath
from pathlib import Path as FsPath

from modelhealth.rules.errors import Problem
from modelhealth.rules.loader import LList, LMap, Loc, Path, compose

__all__ = ["load_tree", "merge", "top_level_problem"]

_Chain = tuple[tuple[FsPath | None, str], ...]


def top_level_problem(
    tree: object, source: str, *, empty_ok: bool = False
) -> Problem | None:
    """The problem with a document whose top level is not a mapping, if it has one."""
    if isinstance(tree, LMap):
        return None
    if tree is None:
        if empty_ok:
            return None
        return Problem(
            source,
            1,
            1,
            "",
            "the file is empty",
            "a rules file needs at least 'version: 1' and 'model: <name>'",
        )
    loc = tree.loc if isinstance(tree, LList) else Loc(source, 1, 1)
    got = "a list" if isinstance(tree, LList) else f"{tree!r}"
    return loc.problem((), f"the top level must be a mapping of keys, got {got}")


def load_tree(
    text: str,
    source: str,
    *,
    real_path: FsPath | None,
    base_dir: FsPath,
    problems: list[Problem],
    _chain: _Chain = (),
) -> object:
    """Compose ``text`` and resolve its ``extends``, recursively.

    Args:
        text: the YAML document.
        source: its name as shown in problems (extended files are shown relative to it).
        real_path: its resolved path on disk, if it has one (to detect cycles).
        base_dir: the directory that ``extends`` entries are relative to.
        problems: where every problem found is appended.

    Returns:
        The merged tree, without the ``extends`` key; or whatever non-mapping the
        document's top level is (``None`` when empty or unparsable).
    """
    tree, found = compose(text, source)
    problems += found
    chain: _Chain = (*_chain, (real_path, source))
    if not isinstance(tree, LMap) or "extends" not in tree:
        return tree
    merged: LMap | None = None
    for name, loc, path in _names(tree, problems):
        shown = posixpath.normpath(posixpath.join(posixpath.dirname(source), name))
        target = (base_dir / name).resolve()
        seen = [p for p, _ in chain]
        if target in seen:
            cycle = [s for _, s in chain[seen.index(target) :]]
            problems.append(
                loc.problem(path, "extends cycle: " + " -> ".join([*cycle, shown]))
            )
            continue
        try:
            base_text = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            problems.append(
                loc.problem(path, f"file not found: {shown!r}", f"looked for {target}")
            )
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(loc.problem(path, f"cannot read {shown!r}: {exc}"))
            continue
        base = load_tree(
            base_text,
            shown,
            real_path=target,
            base_dir=target.parent,
            problems=problems,
            _chain=chain,
        )
        bad = top_level_problem(base, shown, empty_ok=True)
        if bad:
            problems.append(bad)
        if isinstance(base, LMap):
            merged = base if merged is None else merge(merged, base)
    return tree if merged is None else merge(merged, tree)


def _names(tree: LMap, problems: list[Problem]) -> list[tuple[str, Loc, Path]]:
    value = tree.pop("extends")
    tree.key_locs.pop("extends")
    loc = tree.value_locs.pop("extends")
    if isinstance(value, str):
        return [(value, loc, ("extends",))]
    if isinstance(value, LList):
        names: list[tuple[str, Loc, Path]] = []
        for i, (item, item_loc) in enumerate(zip(value, value.item_locs, strict=True)):
            if isinstance(item, str):
                names.append((item, item_loc, ("extends", i)))
            else:
                problems.append(
                    item_loc.problem(
                        ("extends", i), f"expected a file name, got {item!r}"
                    )
                )
        return names
    problems.append(
        loc.problem(("extends",), "expected a file name or a list of file names")
    )
    return []


def merge(base: LMap, over: LMap, *, top: bool = True) -> LMap:
    """Deep-merge ``over`` onto ``base`` (neither is changed); see the module doc.

    Args:
        base: the inherited tree.
        over: the tree that overrides it.
        top: whether these are documents (then ``checks`` merges by id).

    Returns:
        A new tree whose values keep the locations of the file they came from.
    """
    result = LMap(over.loc)
    for key, value in base.items():
        result.put(key, value, base.key_locs[key], base.value_locs[key])
    for key, value in over.items():
        old = result.get(key)
        if isinstance(old, LMap) and isinstance(value, LMap):
            value = merge(old, value, top=False)
        elif (
            top
            and key == "checks"
            and isinstance(old, LList)
            and isinstance(value, LList)
        ):
            value = _merge_checks(old, value)
        result.put(key, value, over.key_locs[key], over.value_locs[key])
    return result


def _check_id(item: object) -> str | None:
    value = item.get("id") if isinstance(item, LMap) else None
    return value if isinstance(value, str) else None


def _merge_checks(base: LList, over: LList) -> LList:
    result = LList(over.loc)
    index: dict[str, int] = {}
    for i, (item, loc) in enumerate(zip(base, base.item_locs, strict=True)):
        result.add(item, loc)
        check_id = _check_id(item)
        if check_id is not None:
            index.setdefault(check_id, i)
    for item, loc in zip(over, over.item_locs, strict=True):
        check_id = _check_id(item)
        at = None if check_id is None else index.pop(check_id, None)  # merge once
        old = result[at] if at is not None else None
        if at is not None and isinstance(old, LMap) and isinstance(item, LMap):
            result[at] = merge(old, item, top=False)
            result.item_locs[at] = loc
        else:
            result.add(item, loc)
    return result
