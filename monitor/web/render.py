"""Pages from views: one autoescaped Jinja2 environment, its filters, chart helpers.

:func:`render` fills a template with a view's data (see :mod:`modelhealth.web.views`)
and a :class:`Links` object that builds every URL. Served pages link to each other
(carrying a ``?token=`` the page was opened with, so a shared link keeps working);
the static export has no server behind it, so its :class:`Links` builds no run or
model links and inlines the stylesheet instead of linking it.

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

from modelhealth.web import charts, histograms

__all__ = ["Links", "render", "stylesheet"]


@dataclass(frozen=True)
class Links:
    """Builds the report's URLs; ``served=False`` (static export) builds none."""

    served: bool = True
    token: str | None = None

    def _url(self, path: str, query: dict[str, Any] | None = None) -> str:
        params = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        if self.token:
            params["token"] = self.token
        return path + ("?" + urlencode(params) if params else "")

    def overview(self) -> str | None:
        return self._url("/") if self.served else None

    def incidents(self) -> str | None:
        return self._url("/incidents") if self.served else None

    def model(self, name: str, **query: Any) -> str | None:
        if not self.served:
            return None
        return self._url(f"/models/{quote(name, safe='')}", query)

    def run(self, model: str, run_id: str) -> str | None:
        if not self.served:
            return None
        return self._url(
            f"/models/{quote(model, safe='')}/runs/{quote(run_id, safe='')}"
        )

    def json(self, path: str, query: dict[str, Any] | None = None) -> str:
        """The page's ``.json`` twin, with the same filters (``since``, ``page``...)."""
        target = path + ".json" if path != "/" else "/index.json"
        return self._url(target, query)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "—"


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
    cell = max(3.0, min(28.0, 1150 / max(len(runs), 1) - 2))
    return charts.strip(
        [
            charts.Mark(r["run_id"], r["status"], links.run(view["model"], r["run_id"]))
            for r in runs
        ],
        cell=cell,
        height=22,
    )


def _levels(check: dict[str, Any]) -> dict[str, float | None]:
    """The levels drawn across a chart: warn/fail/min/max, and a metric's drop limit."""
    given = check["threshold"]
    levels = {k: given.get(k) for k in ("warn", "fail", "min", "max") if k in given}
    drop, baseline = given.get("max_drop"), check.get("baseline")
    if check["kind"] == "metric" and drop is not None and baseline is not None:
        worse_up = check.get("lower_is_better", False)
        levels["max drop"] = baseline + drop if worse_up else baseline - drop
    return levels


def _check_chart(check: dict[str, Any], model: str, links: Links) -> Markup:
    series = charts.Series(
        points=[
            (p["finished_at"], p["value"], p["status"], p["run_id"])
            for p in check["points"]
        ],
        thresholds=_levels(check),
        baseline=check.get("baseline"),
    )
    href = None
    if links.served:

        def href(run_id: str) -> str:
            return links.run(model, run_id) or ""

    return charts.line_chart(series, href=href)


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


def _distribution(d: dict[str, Any]) -> Markup:
    if d["kind"] == "numeric":
        return histograms.histogram(d["edges"], d["reference"], d["current"])
    return histograms.category_bars(
        d["reference"], d["current"], others=tuple(d.get("others", (0, 0)))
    )


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
        when=_when, age=_age, duration=_duration, num=_num, threshold=_threshold
    )
    env.globals.update(
        glyphs=charts.GLYPHS,
        history_strip=_history_strip,
        timeline=_timeline,
        check_chart=_check_chart,
        heatmap=_heatmap,
        distribution=_distribution,
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
