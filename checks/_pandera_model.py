"""A user's own pandera model, by its path in the rules (``pandera_model``).

``package.module:ClassName`` names a ``DataFrameModel`` or a ``DataFrameSchema``
(for pandas). The module is imported as is, else from the folders the check
searches (the working directory, the rules file's folder), which are put on
``sys.path`` for that import only. Whatever goes wrong is one
:class:`~modelhealth.checks.base.CheckError` that names the path and the cause.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

# isort: off
from modelhealth.checks import _pandera_import  # noqa: F401 (before pandera)
import pandera.pandas as pa

# isort: on

from modelhealth.checks.base import CheckError

__all__ = ["load_model"]


def load_model(target: str, search: Sequence[Path] = ()) -> pa.DataFrameSchema:
    """The schema of a pandera ``DataFrameModel`` (or ``DataFrameSchema``) by path.

    Args:
        target: ``package.module:ClassName``.
        search: folders to also look in when the module is not importable as is
            (the working directory, the rules file's folder).

    Raises:
        CheckError: the module does not import, lacks the name, or the name is not
            a pandera model or schema.
    """
    module_name, _, attr = target.partition(":")
    where = f"pandera_model {target!r}"
    try:
        module = _import(module_name, search)
    except Exception as exc:  # an ImportError, or the user's module raised
        raise CheckError(
            f"{where}: module {module_name!r} could not be imported: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    found = getattr(module, attr, None)
    if found is None:
        raise CheckError(f"{where}: module {module_name!r} has no {attr!r}")
    try:
        schema = found.to_schema() if hasattr(found, "to_schema") else found
    except Exception as exc:
        raise CheckError(
            f"{where}: to_schema() failed: {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(schema, pa.DataFrameSchema):
        raise CheckError(
            f"{where} is a {type(found).__name__}, not a pandera DataFrameModel "
            "or DataFrameSchema (for pandas)"
        )
    return schema


def _import(name: str, search: Sequence[Path]) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if not search or exc.name != name.split(".")[0]:
            raise
    extra = [str(p) for p in search if str(p) not in sys.path]
    sys.path[:0] = extra
    try:
        return importlib.import_module(name)
    finally:
        for path in extra:
            sys.path.remove(path)
