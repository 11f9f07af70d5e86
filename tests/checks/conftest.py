"""Fixtures of the check tests: a CheckContext builder."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from modelhealth.checks.base import CheckContext, CheckParams, Reference
from modelhealth.checks.profile import Profile
from modelhealth.checks.profiling import profile_frame
from modelhealth.rules.models import LabelSpec, PredictionSpec, RuleSet


@pytest.fixture
def make_ctx() -> Callable[..., CheckContext]:
    """``make_ctx(params, frame, reference_frame=None, row_counts=None, recent=())``.

    The run is profiled on the reference's edges, as the runner does. The rule set
    names ``score`` as the prediction and ``churned`` as the label.
    """

    def make(
        params: CheckParams,
        frame: pd.DataFrame,
        reference_frame: pd.DataFrame | None = None,
        row_counts: tuple[int, ...] | None = None,
        reference_profile: Profile | None = None,
        recent: tuple[int, ...] = (),
    ) -> CheckContext:
        ref_profile = reference_profile
        if reference_frame is not None:
            ref_profile = profile_frame(reference_frame)
        reference = None
        if ref_profile is not None or row_counts is not None:
            reference = Reference(
                source="baseline",
                label="baseline v1",
                profile=ref_profile,
                row_counts=row_counts
                if row_counts is not None
                else ((ref_profile.row_count,) if ref_profile else ()),
            )
        return CheckContext(
            rule_set=RuleSet(
                version=1,
                model="m",
                prediction=PredictionSpec(column="score"),
                label=LabelSpec(column="churned"),
                checks=[params],
            ),
            run_id="run-1",
            frame=frame,
            profile=profile_frame(frame, reference=ref_profile),
            reference=reference,
            recent_row_counts=recent,
        )

    return make
