"""Which dtype names a schema may declare, known without importing pandas or pandera.

The rules are validated before any data is read (``modelhealth rules validate`` in a
pipeline's CI), so a misspelt dtype must be caught here, with a suggestion, rather
than when the check first runs.
"""

from __future__ import annotations

import difflib
import re

__all__ = ["ALIASES", "check_dtype"]

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


def check_dtype(name: str) -> str:
    """``name`` if a schema can declare it.

    Raises:
        ValueError: unknown, with the closest known name when there is one.
    """
    if name in _NAMED or _DATETIME.match(name):
        return name
    close = difflib.get_close_matches(name, sorted(_NAMED), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else "use a pandas or numpy name"
    raise ValueError(
        f"unknown dtype {name!r}; {hint} (int64, float64, bool, str, category, "
        "datetime64[ns], Int64, ...)"
    )
