"""``python -m monitor`` is ``modelhealth``."""

from __future__ import annotations

from monitor.cli import main

main()
