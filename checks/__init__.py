"""Check kinds: each turns (rule, run data, reference) into results.

``modelhealth.checks.registry`` maps a kind name to its module;
``modelhealth.checks.profile`` and
``modelhealth.checks.stats`` hold the profiles and drift statistics the kinds share.
"""

from __future__ import annotations

from modelhealth.checks.base import (
    Check,
    CheckContext,
    CheckError,
    CheckResult,
    Reference,
    Status,
)

__all__ = ["Check", "CheckContext", "CheckError", "CheckResult", "Reference", "Status"]
