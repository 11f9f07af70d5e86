"""The web report of model health history: server-rendered pages over the store.

:func:`install` adds the report to the service's FastAPI app: the pages of
:mod:`modelhealth.web.routes` (overview, model, run, incidents, each with a ``.json``
twin) and ``/static`` (the stylesheet). Pages read ``request.app.state.store``
through named queries (:mod:`modelhealth.web.views`), never run checks and never write.
Charts are drawn on the server (:mod:`modelhealth.web.charts`, ``trends``,
``histograms``): nothing is fetched from a CDN, and the static export
(:mod:`modelhealth.web.export`) is one self-contained HTML file holding the model
page and every run's page it links to. When the service has a read token, every page
needs it (``Authorization: Bearer`` or ``?token=``), through the service's
``require_read``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the report's pages and static files to ``app``.

    ``app.state.store`` must hold a :class:`~modelhealth.store.Store` and
    ``app.state.settings`` the service settings (for the optional read token).
    """
    from modelhealth.web.auth import require_read
    from modelhealth.web.routes import router

    app.include_router(router, dependencies=[Depends(require_read)])
    static = Path(__file__).parent / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")
