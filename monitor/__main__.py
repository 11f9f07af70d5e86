"""``python -m modelhealth`` is ``modelhealth``."""

from __future__ import annotations

from modelhealth.cli import main

main()
