"""Check kinds: each turns (rule, run data, reference) into results.

``checks.registry`` maps a kind name to its module; ``checks.profile`` and
``checks.stats`` hold the profiles and drift statistics the kinds share.
"""

from __future__ import annotations

from checks.base import Check, CheckContext, CheckError, CheckResult, Reference, Status

__all__ = ["Check", "CheckContext", "CheckError", "CheckResult", "Reference", "Status"]
