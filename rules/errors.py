"""What goes wrong in a rules file, and the one exception that carries it all.

A :class:`Problem` is one mistake at one place: the file, the 1-based line and column
of the offending key or value, the key's path in the document (``checks[2].threshold``)
and a short message, optionally with a hint. It prints as one line::

    rules/churn.yaml:14:7 checks[2].threshold.fial: unknown key; did you mean 'fail'?

The loader never stops at the first mistake: it collects every :class:`Problem` of a
file (and of the files it extends) and raises them together in one
:class:`RulesError`, sorted by file, line and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Problem", "RulesError", "format_path"]


def format_path(path: Iterable[str | int]) -> str:
    """Join a key path as users read it: ``("checks", 2, "id")`` -> ``checks[2].id``.

    Args:
        path: mapping keys (``str``) and list indices (``int``), outermost first.

    Returns:
        The dotted path, with list indices in brackets; ``""`` for the document itself.
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class Problem:
    """One mistake in a rules file.

    Attributes:
        file: the file as the user named it (or as reached through ``extends``).
        line: 1-based line of the key or value at fault; ``0`` when the whole file is.
        column: 1-based column; ``0`` when the whole file is at fault.
        path: where in the document, e.g. ``checks[2].threshold.fial``; ``""`` for the
            document as a whole.
        message: what is wrong, in a few words.
        hint: how to fix it, when that is not obvious from the message.
    """

    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.path, self.message)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = (
            f"{where} {self.path}: {self.message}"
            if self.path
            else (f"{where}: {self.message}")
        )
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class RulesError(Exception):
    """A rules file is wrong; :attr:`problems` lists every mistake found, in order.

    ``str(error)`` is one line per problem (plus an indented hint line where there is
    one), sorted by file, line and column.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(set(problems), key=lambda p: p.sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))
