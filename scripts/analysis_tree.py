"""Lay out ``build/analysis/modelhealth/`` for the static checkers.

The four folders install as one package (``monitor/`` is ``modelhealth``, ``checks/``
is ``modelhealth.checks``...: see pyproject.toml). Python finds them through the
editable install, but mypy and import-linter read packages from disk, where the
folders sit side by side. This script mirrors the installed layout as real folders
holding a symbolic link to each source file, so both see ``modelhealth.*`` as
users do. It is cheap and rebuilt before each run (``make typecheck``, ``make lint``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "analysis"
MAPPING = {
    "monitor": "modelhealth",
    "checks": "modelhealth/checks",
    "rules": "modelhealth/rules",
    "alerts": "modelhealth/alerts",
}


def build() -> Path:
    """(Re)build the tree; return the folder to put on the search path."""
    shutil.rmtree(TREE, ignore_errors=True)
    for folder, target in MAPPING.items():
        for source in (ROOT / folder).rglob("*"):
            if "__pycache__" in source.parts or source.suffix not in (".py", ".typed"):
                continue
            link = TREE / target / source.relative_to(ROOT / folder)
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(source)
    return TREE


if __name__ == "__main__":
    build()
