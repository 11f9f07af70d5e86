"""Pages from views: one autoescaped Jinja2 environment, its filters, chart helpers.

:func:`render` fills a template with a view's data (see :mod:`modelhealth.web.views`)
and a :class:`Links` object that builds every URL. Served pages link to each other
(carrying a ``?token=`` the page was opened with, so a shared link keeps working);
the static export is one file with no server behind it, so its :class:`Links`
(``served=False``) points runs at anchors in that file (``#run-<id>``) and the
model at ``#model``, builds no overview or incidents links, and the stylesheet is
inlined instead of linked.

Autoescaping is on for every template: names from the store are always text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from markupsafe import Markup

from modelhealth.web import charts, histograms, trends

__all__ = ["Links", "check_anchor", "render", "run_anchor", "stylesheet"]


def run_anchor(run_id: str) -> str:
    """The ``id`` of a run's section in the static export (any run id is safe)."""
    return "run-" + quote(run_id, safe="")


def check_anchor(check_id: str, subject: str | None) -> str:
    """The ``id`` of a check's chart on its model's page (``check-drift%5Bage%5D``)."""
    name = check_id + (f"[{subject}]" if subject is not None else "")
    return "check-" + quote(name, safe="")


@dataclass(frozen=True)
class Links:
    """Builds the report's URLs; ``served=False`` (the static export) builds anchors
    within its one file, and no links to other pages."""

    served: bool = True
    token: str | None = None

    def _url(self, path: str, query: dict[str, Any] | None = None) -> str:
        params = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        if self.token:
            params["token"] = self.token
        return path + ("?" + urlencode(params) if params else "")

    def overview(self) -> str | None:
        return self._url("/") if self.served else None

    def incidents(self, model: str | None = None) -> str | None:
        """The incidents page, filtered to ``model`` when given."""
        return self._url("/incidents", {"model": model}) if self.served else None

    def model(self, name: str, **query: Any) -> str | None:
        if not self.served:
            return None if query else "#model"
        return self._url(f"/models/{quote(name, safe='')}", query)

    def run(self, model: str, run_id: str) -> str | None:
        return _run_url(self, model, run_id)

    def check(self, model: str, check_id: str, subject: str | None) -> str | None:
        """A check's history: its chart on the model's page."""
        page = self.model(model) if self.served else ""
        return f"{page}#{check_anchor(check_id, subject)}"

    def json(self, path: str, query: dict[str, Any] | None = None) -> str:
        """The page's ``.json`` twin, with the same filters (``since``, ``page``...)."""
        target = path + ".json" if path != "/" else "/index.json"
        return self._url(target, query)


@lru_cache(maxsize=16384)
def _run_url(links: Links, model: str, run_id: str) -> str:
    """A run's URL; cached, since every chart of a model page links every run."""
    if not links.served:
        return "#" + run_anchor(run_id)
    return links._url(f"/models/{quote(model, safe='')}/runs/{quote(run_id, safe='')}")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {rest // 60} min" if hours else f"{max(rest // 60, 0)} min"


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0 or 0.001 <= abs(value) < 100_000:
        return f"{value:.4g}"
    return f"{value:.2g}" if abs(value) < 1 else f"{value:,.0f}"


def _threshold(levels: dict[str, Any]) -> str:
    shown = [f"{k} {_num(v)}" for k, v in levels.items() if v is not None]
    return ", ".join(shown) or "—"


def _history_strip(model: dict[str, Any], links: Links) -> Markup:
    marks = [
        charts.Mark(
            f"{r['run_id']} ({_when(r['finished_at'])})",
            r["status"],
            links.run(model["name"], r["run_id"]),
        )
        for r in model["recent"]
    ]
    return charts.strip(marks)


def _timeline(view: dict[str, Any], links: Links) -> Markup:
    runs = list(reversed(view["runs"]))
    return charts.strip(
        [
            charts.Mark(
                f"{r['run_id']} ({_when(r['finished_at'])})",
                r["status"],
                links.run(view["model"], r["run_id"]),
            )
            for r in runs
        ]
    )


def _levels(check: dict[str, Any]) -> dict[str, float | None]:
    """The levels drawn across a chart: warn/fail/min/max, and a metric's drop limit."""
    given = check["threshold"]
    levels = {k: given.get(k) for k in ("warn", "fail", "min", "max") if k in given}
    drop, baseline = given.get("max_drop"), check.get("baseline")
    graded_on_drop = check["kind"] in ("metric", "estimated_metric")
    if graded_on_drop and drop is not None and baseline is not None:
        worse_up = check.get("lower_is_better", False)
        levels["max drop"] = baseline + drop if worse_up else baseline - drop
    return levels


def _check_chart(check: dict[str, Any], model: str, links: Links) -> Markup:
    series = trends.Series(
        points=[
            (p["finished_at"], p["value"], p["status"], p["run_id"])
            for p in check["points"]
        ],
        thresholds=_levels(check),
        baseline=check.get("baseline"),
        axis=check.get("axis") or "value",
        realized=[
            (p["finished_at"], p.get("realized"), p["run_id"]) for p in check["points"]
        ],
        band=[(p["finished_at"], *p["band"]) for p in check["points"] if p.get("band")],
    )

    def href(run_id: str) -> str:
        return links.run(model, run_id) or ""

    return trends.line_chart(series, href=href)


def _heatmap(view: dict[str, Any], links: Links) -> Markup:
    features = view["drift_features"]
    runs = list(reversed(view["runs"]))
    column_of = {r["run_id"]: j for j, r in enumerate(runs)}
    row_of = {f: i for i, f in enumerate(features)}
    cells: dict[tuple[int, int], tuple[float | None, str]] = {}
    for check in view["checks"]:
        if check["kind"] != "drift" or check["subject"] not in row_of:
            continue
        for p in check["points"]:
            j = column_of.get(p["run_id"])
            if j is not None:
                cells[(row_of[check["subject"]], j)] = (p["value"], p["status"])
    marks = [
        charts.Mark(r["run_id"], r["status"], links.run(view["model"], r["run_id"]))
        for r in runs
    ]
    return charts.heatmap(features, marks, cells)


def _side(d: dict[str, Any], which: str) -> histograms.Side | None:
    counts = d[which]
    if not counts:
        return None
    summary = (d.get("summary") or {}).get(which) or {}
    edges = d.get("current_edges", d["edges"]) if which == "current" else d["edges"]
    return histograms.Side(
        name="reference" if which == "reference" else "this run",
        colour=histograms.REFERENCE if which == "reference" else histograms.CURRENT,
        edges=edges,
        counts=counts,
        low=summary.get("min"),
        high=summary.get("max"),
        quantiles={
            k: float(v)
            for k, v in (summary.get("quantiles") or {}).items()
            if v is not None
        },
    )


def _distribution(d: dict[str, Any]) -> Markup:
    """A column's reference and run distributions, from a run view's entry."""
    if d["kind"] == "numeric":
        sides = [s for s in (_side(d, "reference"), _side(d, "current")) if s]
        return histograms.histogram(sides, column=d["column"])
    others = d.get("others", (0, 0))
    named = [
        (name, colour, d[which], others[i])
        for i, (which, name, colour) in enumerate(
            (
                ("reference", "reference", histograms.REFERENCE),
                ("current", "this run", histograms.CURRENT),
            )
        )
        if d[which]
    ]
    return histograms.category_bars(named)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("modelhealth.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        when=_when,
        day=_day,
        age=_age,
        duration=_duration,
        num=_num,
        threshold=_threshold,
    )
    env.globals.update(
        glyphs=charts.GLYPHS,
        history_strip=_history_strip,
        timeline=_timeline,
        check_chart=_check_chart,
        heatmap=_heatmap,
        distribution=_distribution,
        run_anchor=run_anchor,
        check_anchor=check_anchor,
    )
    return env


def stylesheet() -> str:
    """The report's CSS, for inlining into the static export."""
    return resources.files("modelhealth.web").joinpath("static/report.css").read_text()


def render(template: str, view: dict[str, Any], links: Links, **extra: Any) -> str:
    """Render ``template`` with a view's data and the links to use.

    Args:
        template: a file name under ``monitor/web/templates``.
        view: the page's data, as its JSON twin returns it.
        links: how to build URLs (served page or static export).
        extra: more template variables (``title``, ``inline_css``, ...).
    """
    inline = Markup(stylesheet()) if not links.served else None
    return (
        _environment()
        .get_template(template)
        .render(view=view, links=links, inline_css=inline, **extra)
    )
