"""The static export: one model's report as a single self-contained HTML file.

``modelhealth report --model NAME --out report.html`` writes what the model page
shows (timeline, checks over time, drift heatmap, metrics, baselines, the latest
runs) followed by the latest run's page, with the stylesheet inlined and every
chart as inline SVG. The file fetches nothing, so it opens offline, from a
pipeline's artifacts or an email attachment. It has no server behind it, so it
holds no links to other pages.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from modelhealth.errors import UsageError
from modelhealth.store import Store
from modelhealth.web import views
from modelhealth.web.render import Links, render

__all__ = ["export_html", "export_model"]


def export_html(store: Store, model: str, *, runs: int = 90) -> str:
    """The self-contained HTML of ``model``'s report over its last ``runs`` runs.

    Raises:
        UsageError: the store has no model of that name.
    """
    view = views.model_view(store, model, views.Filters(per_page=runs))
    if view is None:
        known = ", ".join(m.name for m in store.models()) or "none yet"
        raise UsageError(f"no model named {model!r} in the store; known: {known}")
    latest = view["last_run"]
    run_view = views.run_view(store, model, latest["run_id"]) if latest else None
    return render(
        "export.html",
        view,
        Links(served=False),
        run_view=run_view,
        title=f"{model} health report",
        page="export",
        json_url=None,
        generated_at=datetime.now(timezone.utc),
    )


def export_model(store: Store, model: str, out: Path, *, runs: int = 90) -> Path:
    """Write :func:`export_html` to ``out`` (parent folders created); return it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(export_html(store, model, runs=runs), encoding="utf-8")
    return out
