"""Help that is never cut: command lists show each command's whole first sentence.

click shortens a command's summary in ``--help`` to what fits beside the longest
command name and ends it with ``...``; ``Attach labels that arrived late to a run
and re-evaluate its...`` hides what the command does. :class:`FullHelpGroup` gives
the whole first sentence instead, wrapped under the command like any long text.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

import typer.core
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer._click import Context, HelpFormatter

__all__ = ["FullHelpGroup", "click_module"]


def click_module() -> ModuleType:
    """The click that typer runs on: its own copy (typer 0.2x vendors one), else
    click itself; its exceptions are the ones a command line raises."""
    vendored = getattr(typer.core, "_click", None)
    return (
        vendored
        if isinstance(vendored, ModuleType)
        else importlib.import_module("click")
    )


_NO_LIMIT = 10_000


class FullHelpGroup(TyperGroup):
    """A command group whose ``--help`` lists each command's full first sentence."""

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(_NO_LIMIT)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
