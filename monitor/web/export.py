"""The static export: one model's report as a single self-contained HTML site.

``modelhealth report --model NAME --out report.html`` writes what the model page
shows (timeline, checks over time, drift heatmap, metrics, baselines, the latest
runs) and then the page of every run it shows, each in a section whose anchor is
``#run-<run id>`` (:func:`~modelhealth.web.render.run_anchor`). Every run link of
the model page (timeline cells, heatmap cells, chart points, the runs table, "last
run") points at its section, a run's section links to the previous and next runs of
the report and back to ``#model``, and the stylesheet shows only the section the
address targets, so the file browses like the served pages. The stylesheet is
inlined and every chart is inline SVG: the file fetches nothing, so it opens
offline, from a pipeline's artifacts or an email attachment.
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
    """The self-contained HTML of ``model``'s report over its last ``runs`` runs,
    each run's page included.

    Raises:
        UsageError: the store has no model of that name.
    """
    view = views.model_view(store, model, views.Filters(per_page=runs))
    if view is None:
        known = ", ".join(m.name for m in store.models()) or "none yet"
        raise UsageError(f"no model named {model!r} in the store; known: {known}")
    ids = [r["run_id"] for r in view["runs"]]  # newest first
    run_views = []
    for i, run_id in enumerate(ids):
        run_view = views.run_view(store, model, run_id)
        if run_view is None:  # deleted since the model's view was read
            continue
        # neighbours within the report, so every prev/next link has its section
        run_view["next_run_id"] = ids[i - 1] if i > 0 else None
        run_view["previous_run_id"] = ids[i + 1] if i + 1 < len(ids) else None
        run_views.append(run_view)
    return render(
        "export.html",
        view,
        Links(served=False),
        run_views=run_views,
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
