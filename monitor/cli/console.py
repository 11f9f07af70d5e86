"""Terminal output shared by the commands: a console, and a spinner while work runs.

rich is imported on first use, so that ``modelhealth --help`` does not pay for it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["console", "progress"]


def console(stderr: bool = False) -> Any:
    """A rich console that never highlights and never wraps long lines."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@contextmanager
def progress(enabled: bool) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr while work runs, only when stderr is a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield lambda _: None
        return
    with console(stderr=True).status("starting") as status:
        yield lambda text: status.update(text)
