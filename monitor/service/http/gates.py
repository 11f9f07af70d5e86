"""The ``/api/v1`` gate routes: run a deployment gate, read its verdicts.

``POST /api/v1/models/{model}/gates`` (write token) evaluates a candidate on holdout
data, as ``modelhealth gate`` does, with the model's rules in force, and answers
``201`` with the stored verdict; the gate runs while the request waits, since a
CI job wants the decision before it goes on. Its data, like a run's, is inline
records or a path under a data root. ``GET /api/v1/models/{model}/gates`` lists a
model's verdicts, newest first, and ``GET /api/v1/gates/{id}`` reads one (the
holdout's profile left out). A refusal of the gate itself (a champion of another
task, a holdout without labels) is a ``400`` with the gate's own message.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from modelhealth.errors import FailOn, MonitorError, NotFound, StorageError
from modelhealth.service.http.api import DataIn, Limit, data_source
from modelhealth.service.http.errors import ApiError
from modelhealth.service.rulesdir import RulesDir
from modelhealth.store import Store
from modelhealth.web.auth import require_read, require_write

__all__ = ["GateIn", "router"]

router = APIRouter(prefix="/api/v1")
_NAME = r"^[^\x00-\x1f/]+$"
VerdictId = Annotated[int, Path(ge=1, le=2**62)]


class GateIn(BaseModel):
    """A candidate to evaluate: holdout data scored by it, and maybe the champion."""

    model_config = ConfigDict(extra="forbid")

    candidate_version: str = Field(min_length=1, max_length=200, pattern=_NAME)
    data: DataIn
    champion_column: str | None = Field(default=None, min_length=1, max_length=500)
    champion_predictions: DataIn | None = None
    champion_version: str | None = Field(default=None, max_length=200, pattern=_NAME)
    fail_on: FailOn | None = None


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@router.post(
    "/models/{model}/gates",
    status_code=201,
    dependencies=[Depends(require_write)],
    responses={400: {"description": "the gate refused the data or the champion"}},
)
def run_gate(
    request: Request, response: Response, model: str, body: GateIn
) -> dict[str, Any]:
    """Evaluate a candidate on holdout data and store the verdict."""
    from modelhealth.run.gate import evaluate_candidate

    rules: RulesDir = request.app.state.rules
    rule_set = rules.get(model)
    if rule_set is None:
        known = ", ".join(rules.models()) or "none"
        raise ApiError(404, f"no rules for model {model!r}; known: {known}")
    settings = request.app.state.settings
    champion = body.champion_predictions
    try:
        verdict = evaluate_candidate(
            rules=rule_set,
            candidate_version=body.candidate_version,
            data=data_source(body.data, settings, "holdout data"),
            db=_store(request),
            champion_column=body.champion_column,
            champion_predictions=None
            if champion is None
            else data_source(champion, settings, "champion predictions"),
            champion_version=body.champion_version,
            fail_on=body.fail_on,
        )
    except StorageError as exc:
        raise ApiError(503, str(exc)) from None
    except NotFound as exc:
        raise ApiError(404, str(exc)) from None
    except MonitorError as exc:  # UsageError, DataError: the gate's own words
        raise ApiError(400, str(exc)) from None
    url = str(request.url_for("get_gate", verdict_id=verdict.pk))
    response.headers["Location"] = url
    return {"ok": True, "url": url, "verdict": verdict.to_dict()}


@router.get("/models/{model}/gates", dependencies=[Depends(require_read)])
def list_gates(request: Request, model: str, limit: Limit = 50) -> dict[str, Any]:
    """A model's gate verdicts, newest first."""
    verdicts = _store(request).gate_verdicts(model, limit=limit)
    return {"ok": True, "verdicts": [v.to_dict() for v in verdicts]}


@router.get("/gates/{verdict_id}", dependencies=[Depends(require_read)])
def get_gate(request: Request, verdict_id: VerdictId) -> dict[str, Any]:
    """One gate verdict: both models' values, the intervals, the decision."""
    found = _store(request).gate_verdict(verdict_id)
    if found is None:
        raise ApiError(404, f"there is no gate verdict {verdict_id}")
    return {"ok": True, "verdict": found.to_dict()}
