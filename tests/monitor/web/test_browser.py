"""The report in a real browser: Debian's Chromium, headless, driven by Playwright.

A session fixture runs ``modelhealth demo`` (30 days of a churn model) into a
temporary folder and serves the report on a loopback port. The tests open every
page, assert that charts rendered (every column's distributions on the run page,
the prediction's included) and that the console stayed free of errors, click from
the overview down to a failed run, open the demo's static export from ``file://``
with every network request blocked and follow its links to every run and back, and
open every page at a phone's 390 px asserting that nothing scrolls sideways.
Screenshots of each page are kept under ``artifacts/screenshots/`` for CI to
publish.

Where ``/usr/bin/chromium`` is missing these tests skip with that reason, except
under ``CI=true``, where they fail: CI installs Chromium (``.ci/run``).
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modelhealth.store import Store
from tests.monitor.web.conftest import make_app

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = f"Chromium not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def demo(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's folder: its database and its static report."""
    from rich.console import Console

    from modelhealth.cli.demo import run_demo

    directory = tmp_path_factory.mktemp("demo")
    run_demo(directory, db=None, days=30, console=Console(file=io.StringIO()))
    return directory


@pytest.fixture(scope="session")
def base_url(demo: Path) -> Iterator[str]:
    import uvicorn

    store = Store(f"sqlite:///{demo / 'modelhealth.db'}")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        make_app(store), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the report server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=FLAGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page whose console errors and uncaught exceptions fail the test."""
    context = browser.new_context(viewport={"width": 1366, "height": 860})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.on("pageerror", lambda e: errors.append(str(e)))
    yield opened
    context.close()
    assert errors == [], f"console errors: {errors}"


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_overview_to_a_failed_run(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    assert page.title() == "Models · modelhealth"
    row = page.locator("table.overview tbody tr", has_text="churn")
    assert row.locator(".cells .cell[data-status]").count() == 30
    assert row.locator(".badge").first.inner_text().strip().endswith("failed")
    failing = row.locator("td.failing li")
    assert failing.count() >= 1
    assert "since" in failing.first.inner_text()  # what fails, and since when
    incidents = row.locator("td[data-label='Open incidents'] a")
    if incidents.count():
        assert incidents.get_attribute("href") == "/incidents?model=churn"
    _shot(page, "overview")

    row.locator("td.name a").click()
    page.wait_for_url("**/models/churn")
    assert page.locator("h1").first.inner_text().startswith("churn")
    charts = page.locator("figure.check svg")
    assert charts.locator("g.mark[data-status]").count() >= 30 * 10
    assert charts.locator("text", has_text="PSI (score)").count() >= 1  # axis title
    heatmap = page.locator("section", has_text="Drift by feature").locator("svg")
    assert heatmap.locator("rect[data-status=failed]").count() > 0
    runs = page.locator("table.runs tbody tr.row-failed td.failing li")
    assert runs.count() > 0  # the runs table names what failed
    _shot(page, "model")

    page.locator("section", has_text="Timeline").locator(
        "a.cell[data-status=failed]"
    ).last.click()
    page.wait_for_url("**/models/churn/runs/*")
    assert "Run " in page.locator("h1").first.inner_text()
    _assert_every_column_drawn(page)
    assert page.locator("a[rel=prev]").count() == 1
    _shot(page, "run")


def _assert_every_column_drawn(page: Any) -> None:
    """Every column, the prediction included, with both sides on one value axis;
    the label, whose values arrive a week after the run, on the reference's side."""
    section = page.locator("section.distributions:visible")
    for column in ("monthly_spend", "age", "score"):
        figure = section.locator(f"figure.dist[data-column={column}]")
        assert figure.locator("svg polygon[data-side]").count() == 2, column
    label = section.locator("figure.dist[data-column=churned]")
    assert label.locator("svg polygon[data-side=reference]").count() == 1
    plan = section.locator("figure.dist[data-column=plan]")
    assert plan.locator("svg rect[data-side='this run']").count() == 3
    assert section.locator("figure.dist[data-column=score] .pill").inner_text() == (
        "prediction"
    )
    first = section.locator("figure.dist").first  # drifted first
    assert first.locator(".badge").inner_text().strip().endswith("failed")


def test_the_schema_break_shows_example_values(
    page: Any, base_url: str, demo: Path
) -> None:
    from modelhealth.cli.demo import SCHEMA_BREAK

    with Store(f"sqlite:///{demo / 'modelhealth.db'}") as store:
        oldest_first = store.runs("churn", limit=30)[::-1]
    broken = oldest_first[SCHEMA_BREAK - 1].run_id
    page.goto(f"{base_url}/models/churn/runs/{broken}")
    failures = page.locator("section", has_text="Schema failures")
    assert failures.locator("ul.examples li").count() >= 1
    assert failures.get_by_text("Basic", exact=True).count() >= 1
    _shot(page, "run-schema-break")


def test_incidents_page(page: Any, base_url: str) -> None:
    page.goto(base_url + "/incidents")
    assert page.locator("h1").inner_text() == "Incidents"
    _shot(page, "incidents")
    # what broke, and a link from an incident to its check's history
    assert page.get_by_role("columnheader", name="What broke").count() >= 1
    history = page.locator("a.history").first
    anchor = history.get_attribute("href").split("#", 1)[1]
    history.click()
    page.wait_for_url(f"**/models/**#{anchor}")
    assert page.locator(f'figure.check[id="{anchor}"]').is_visible()
    # the filters narrow the page: one state at a time
    page.goto(base_url + "/incidents")
    page.select_option("select[name=state]", "resolved")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/incidents?*state=resolved*")
    assert page.locator("h2", has_text="Open").locator(".pill").inner_text() == "0"


def _blocking(page: Any) -> list[str]:
    requested: list[str] = []

    def block(route: Any) -> None:
        requested.append(route.request.url)
        route.abort()

    page.route("http*://**", block)
    return requested


def test_static_export_renders_offline(page: Any, demo: Path) -> None:
    requested = _blocking(page)
    page.goto((demo / "report.html").as_uri())
    assert page.locator("#model figure.check g.mark").count() >= 30 * 10
    assert page.locator("section.runpage:visible").count() == 0
    assert requested == []
    _shot(page, "static-export")


def test_static_export_is_a_site_of_every_run(page: Any, demo: Path) -> None:
    """Issue 16: every run page is reachable from the exported model page, offline."""
    requested = _blocking(page)
    page.goto((demo / "report.html").as_uri())
    targets = page.evaluate(
        """() => [...document.querySelectorAll('#model a[href^="#run-"]')]
              .map(a => a.getAttribute('href').slice(1))"""
    )
    assert len(set(targets)) == 30  # every run of the demo is linked
    missing = page.evaluate(
        "ids => ids.filter(id => !document.getElementById(id))", sorted(set(targets))
    )
    assert missing == []

    page.locator("#model table.runs a", has_text=targets[0][4:]).first.click()
    shown = page.locator("section.runpage:visible")
    assert shown.count() == 1
    assert shown.get_attribute("id") == targets[0]
    assert not page.locator("#model").is_visible()  # a run reads as its own page
    _assert_every_column_drawn(page)
    _shot(page, "static-export-run")

    before = page.url
    shown.locator("a[rel=prev]").click()
    assert page.url != before
    assert page.locator("section.runpage:visible").count() == 1
    page.locator("section.runpage:visible a", has_text="all runs of churn").click()
    assert page.url.endswith("#model")
    assert page.locator("section.runpage:visible").count() == 0
    assert page.locator("#model").is_visible()
    page.go_back()
    assert page.locator("section.runpage:visible").count() == 1
    assert requested == []


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize(
    "where",
    ["overview", "model", "run", "run-schema-break", "incidents", "export", "missing"],
)
def test_every_page_fits_a_phone(
    browser: Any, base_url: str, demo: Path, where: str
) -> None:
    """Issue 16: at 390 px wide, no page scrolls sideways."""
    from modelhealth.cli.demo import SCHEMA_BREAK

    with Store(f"sqlite:///{demo / 'modelhealth.db'}") as store:
        oldest_first = [r.run_id for r in store.runs("churn", limit=30)[::-1]]
    failed = oldest_first[-1]
    urls = {
        "overview": base_url + "/",
        "model": base_url + "/models/churn",
        "run": f"{base_url}/models/churn/runs/{failed}",
        "run-schema-break": (
            f"{base_url}/models/churn/runs/{oldest_first[SCHEMA_BREAK - 1]}"
        ),
        "incidents": base_url + "/incidents?model=churn",
        "export": (demo / "report.html").as_uri() + f"#run-{failed}",
        "missing": base_url + "/models/nope",
    }
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    try:
        phone = context.new_page()
        phone.goto(urls[where])
        widths = phone.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        wide = phone.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
        )
        _shot(phone, f"phone-{where}")
    finally:
        context.close()
    assert widths[0] <= widths[1], f"{where} scrolls sideways: {widths}, {wide}"
