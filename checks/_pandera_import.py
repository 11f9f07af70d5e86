"""pandera, imported without its probe for ``pyspark.pandas``.

``import pandera.pandas`` tries ``import pyspark.pandas`` whenever pyspark is
installed (the ``spark`` extra), only to let pyspark patch pandas' type hints
before pandera defines its own. modelhealth validates pandas frames, so that
import (about a second, in every process and Spark worker that validates a
schema) buys nothing: this module imports pandera with the probe answered as
"not installed" (and ``pyspark`` itself too, unless it is imported already).
Importing pyspark yourself, before or after, works as usual.

Import this module before pandera (``_pandera`` and ``_pandera_model`` do).
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

__all__: list[str] = []

_PROBED = "pyspark.pandas"


class _NoProbe(importlib.abc.MetaPathFinder):
    def __init__(self, blocked: tuple[str, ...]) -> None:
        self.blocked = blocked

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if any(fullname == b or fullname.startswith(b + ".") for b in self.blocked):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def _import_pandera() -> None:
    if "pandera.pandas" in sys.modules or _PROBED in sys.modules:
        return
    guard = _NoProbe((_PROBED,) if "pyspark" in sys.modules else ("pyspark",))
    sys.meta_path.insert(0, guard)
    try:
        import pandera.pandas  # noqa: F401
    finally:
        sys.meta_path.remove(guard)


_import_pandera()
